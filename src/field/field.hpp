#pragma once
// A Field is one named 3-D quantity on a rank's part of the grid, with units and
// a horizontal halo. A State holds all fields of a run.
#include <cstddef>
#include <string>
#include <vector>

namespace fwaq {

/// Memory layout: x fastest, then y, then z (level). Cells i in [-halo, nx+halo),
/// j in [-halo, ny+halo) are addressable; levels k in [0, nz) carry no halo, because
/// columns are never split across ranks.
class Field {
 public:
  Field() = default;
  Field(std::string name, std::string units, int nx, int ny, int nz, int halo, double value = 0.0);

  const std::string& name() const { return name_; }
  const std::string& units() const { return units_; }
  int nx() const { return nx_; }
  int ny() const { return ny_; }
  int nz() const { return nz_; }
  int halo() const { return halo_; }
  /// Distance between neighbours in y and in z, in elements.
  std::ptrdiff_t stride_y() const { return sx_; }
  std::ptrdiff_t stride_z() const { return sxy_; }

  std::ptrdiff_t index(int i, int j, int k) const {
    return (static_cast<std::ptrdiff_t>(k) * (ny_ + 2 * halo_) + (j + halo_)) * sx_ + (i + halo_);
  }
  double& operator()(int i, int j, int k) { return data_[index(i, j, k)]; }
  double operator()(int i, int j, int k) const { return data_[index(i, j, k)]; }
  double* data() { return data_.data(); }
  const double* data() const { return data_.data(); }
  std::size_t size() const { return data_.size(); }
  void fill(double value);
  /// Exchanges storage with another field of the same shape (used for double buffering).
  void swap_data(Field& other);

 private:
  std::string name_;
  std::string units_;
  int nx_ = 0, ny_ = 0, nz_ = 0, halo_ = 0;
  std::ptrdiff_t sx_ = 0, sxy_ = 0;
  std::vector<double> data_;
};

/// All prognostic fields of a run on one rank.
struct State {
  /// Air mass in each cell [kg]; advected with the tracers so that mixing ratios
  /// stay consistent with the flow (a uniform mixing ratio stays uniform).
  Field air_mass;
  /// Tracer mixing ratios (one field per species or tag) [units per field, e.g. µg kg-1].
  std::vector<Field> tracers;
  /// Range each tracer has held since the run began [tracer units]: advection keeps
  /// every tracer inside it (the maximum principle of the continuous problem, which
  /// lets smooth peaks of cell means rise again after sampling lowered them).
  /// Filled by the first advection step and widened whenever a field or inflow
  /// value falls outside; part of the restart state.
  std::vector<double> bound_lo, bound_hi;

  Field* find(const std::string& name);
};

}  // namespace fwaq

#pragma once
// Vertical model grid: nz terrain-following layers per column, described by the
// heights of their nz + 1 interfaces ("w levels") above ground [m]:
//   z_w(i, j, 0) = 0 (the ground) < z_w(i, j, 1) < ... < z_w(i, j, nz) (model top).
// Layer k lies between interfaces k and k + 1; k = 0 is the lowest layer.
// The heights may be the same for all columns (uniform) or differ per column and
// be updated in time (e.g. from meteorological input each hour).
//
// WRF's terrain-following dry-hydrostatic-pressure coordinate (eta, WRF V3 and
// V4 with hybrid_opt = 0; Skamarock et al. 2019, sect. 2.1) defines the
// interface pressures p(eta) = eta * (p_surface - p_top) + p_top [Pa];
// from_eta() turns them into heights with the hypsometric equation
//   z(k+1) - z(k) = (R_d T_v / g0) ln(p(k) / p(k+1)),
// using given layer virtual temperatures or the U.S. Standard Atmosphere 1976.
// Heights from from_eta() are geopotential heights (phi / g0), as WRF's PH/g.
//
// References:
//   Skamarock, W. C. et al. (2019): A Description of the Advanced Research WRF
//     Model Version 4. NCAR/TN-556+STR.
//   NOAA/NASA/USAF (1976): U.S. Standard Atmosphere, 1976. NOAA-S/T 76-1562.
#include <cstddef>
#include <span>
#include <vector>

namespace fwaq {

class VerticalGrid {
 public:
  /// The same interface heights z_w_m [m above ground] (nz + 1 values, first 0,
  /// strictly increasing) in each of the nx * ny columns. Throws fwaq::UsageError.
  static VerticalGrid uniform(int nx, int ny, std::vector<double> z_w_m);

  /// Interface heights per column [m above ground]: nx * ny * (nz + 1) values,
  /// column (i, j) at offset (j * nx + i) * (nz + 1), k fastest. Each column must
  /// start at 0 and increase strictly. Throws fwaq::UsageError.
  static VerticalGrid per_column(int nx, int ny, int nz, std::vector<double> z_w_m);

  /// Uniform grid from WRF eta interface values (ZNW: nz + 1 values, 1 at the
  /// ground, strictly decreasing, >= 0), a surface pressure p_surface_pa [Pa] and a
  /// top pressure p_top_pa [Pa], with heights from the U.S. Standard Atmosphere.
  static VerticalGrid from_eta(int nx, int ny, std::span<const double> eta_w, double p_surface_pa,
                               double p_top_pa);

  /// Interface heights [m above ground] of one column from eta levels (see
  /// from_eta). t_virtual_k: nz layer-mean virtual temperatures [K], layer 0 at
  /// the bottom; if empty, the U.S. Standard Atmosphere 1976 is used. Throws
  /// fwaq::UsageError on invalid input.
  static std::vector<double> eta_heights(std::span<const double> eta_w, double p_surface_pa,
                                         double p_top_pa, std::span<const double> t_virtual_k = {});

  /// Geopotential height [m] of pressure p_pa [Pa] in the U.S. Standard
  /// Atmosphere 1976, up to 71 km (about 4 Pa); higher pressures than 101325 Pa
  /// extrapolate the tropospheric lapse rate below sea level. Throws for p <= 0.
  static double standard_atmosphere_height(double p_pa);

  int nx() const { return nx_; }
  int ny() const { return ny_; }
  /// Number of layers.
  int nz() const { return nz_; }
  /// True while all columns share one set of interface heights.
  bool is_uniform() const { return uniform_; }

  /// Height [m above ground] of interface k (k in [0, nz]) of column (i, j).
  double z_w(int i, int j, int k) const { return z_[offset(i, j) + static_cast<std::size_t>(k)]; }
  /// Thickness [m] of layer k (k in [0, nz)) of column (i, j).
  double dz(int i, int j, int k) const {
    const std::size_t o = offset(i, j) + static_cast<std::size_t>(k);
    return z_[o + 1] - z_[o];
  }
  /// Height [m above ground] of the middle of layer k: (z_w(k) + z_w(k+1)) / 2.
  double z_mid(int i, int j, int k) const {
    const std::size_t o = offset(i, j) + static_cast<std::size_t>(k);
    return 0.5 * (z_[o] + z_[o + 1]);
  }
  /// Height of the model top [m above ground] in column (i, j).
  double top(int i, int j) const { return z_w(i, j, nz_); }
  /// The nz + 1 interface heights [m] of column (i, j).
  std::span<const double> column(int i, int j) const {
    return {z_.data() + offset(i, j), static_cast<std::size_t>(nz_) + 1};
  }

  /// Replaces the interface heights [m] of column (i, j) (nz + 1 values). A
  /// uniform grid becomes per-column. Throws fwaq::UsageError (grid unchanged).
  void set_column(int i, int j, std::span<const double> z_w_m);
  /// Replaces all interface heights [m] (layout as per_column()), e.g. at a new
  /// meteorological time. Throws fwaq::UsageError (grid unchanged).
  void set_interfaces(std::vector<double> z_w_m);

 private:
  VerticalGrid() = default;
  std::size_t offset(int i, int j) const {
    if (uniform_) return 0;
    return (static_cast<std::size_t>(j) * static_cast<std::size_t>(nx_) +
            static_cast<std::size_t>(i)) *
           (static_cast<std::size_t>(nz_) + 1);
  }
  static void check_sizes(int nx, int ny, int nz);

  int nx_ = 0;
  int ny_ = 0;
  int nz_ = 0;
  bool uniform_ = true;
  std::vector<double> z_;  // interface heights [m above ground]
};

}  // namespace fwaq

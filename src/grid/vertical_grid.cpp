#include "grid/vertical_grid.hpp"

#include <cmath>
#include <sstream>
#include <string>
#include <utility>

#include "core/error.hpp"

namespace fwaq {

namespace {

constexpr double kRd = 287.05;   // gas constant of dry air [J kg-1 K-1]
constexpr double kG0 = 9.80665;  // standard gravity [m s-2]

std::string num(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

std::string where(int i, int j, bool uniform) {
  if (uniform) return "";
  return " in column (" + std::to_string(i) + ", " + std::to_string(j) + ")";
}

// Checks one column of interface heights [m]: first 0, finite, strictly increasing.
void check_column(std::span<const double> z, int i, int j, bool uniform) {
  if (z.size() < 2) {
    throw UsageError("vertical grid: need at least 2 interface heights (1 layer), got " +
                     std::to_string(z.size()) + where(i, j, uniform));
  }
  if (z[0] != 0.0) {
    throw UsageError("vertical grid: the first interface height must be 0 m (above ground), got " +
                     num(z[0]) + " m" + where(i, j, uniform));
  }
  for (std::size_t k = 1; k < z.size(); ++k) {
    if (!std::isfinite(z[k])) {
      throw UsageError("vertical grid: interface height z_w[" + std::to_string(k) +
                       "] = " + num(z[k]) + " m is not finite" + where(i, j, uniform));
    }
    if (!(z[k] > z[k - 1])) {
      throw UsageError("vertical grid: interface heights must increase strictly; z_w[" +
                       std::to_string(k) + "] = " + num(z[k]) + " m is not above z_w[" +
                       std::to_string(k - 1) + "] = " + num(z[k - 1]) + " m" +
                       where(i, j, uniform));
    }
  }
}

// One layer of the U.S. Standard Atmosphere 1976: base geopotential height [m],
// base temperature [K], lapse rate dT/dH [K m-1], base pressure [Pa].
struct AtmosphereLayer {
  double h_base;
  double t_base;
  double lapse;
  double p_base;
};

constexpr AtmosphereLayer kStandardAtmosphere[] = {
    {0.0, 288.15, -0.0065, 101325.0},   {11000.0, 216.65, 0.0, 22632.06},
    {20000.0, 216.65, 0.001, 5474.889}, {32000.0, 228.65, 0.0028, 868.0187},
    {47000.0, 270.65, 0.0, 110.9063},   {51000.0, 270.65, -0.0028, 66.93887},
    {71000.0, 214.65, -0.002, 3.956420}};

}  // namespace

void VerticalGrid::check_sizes(int nx, int ny, int nz) {
  if (nx < 1 || ny < 1 || nz < 1) {
    throw UsageError(
        "vertical grid: nx, ny and nz must be at least 1, got nx = " + std::to_string(nx) +
        ", ny = " + std::to_string(ny) + ", nz = " + std::to_string(nz));
  }
}

VerticalGrid VerticalGrid::uniform(int nx, int ny, std::vector<double> z_w_m) {
  check_column(z_w_m, 0, 0, true);
  check_sizes(nx, ny, static_cast<int>(z_w_m.size()) - 1);
  VerticalGrid g;
  g.nx_ = nx;
  g.ny_ = ny;
  g.nz_ = static_cast<int>(z_w_m.size()) - 1;
  g.uniform_ = true;
  g.z_ = std::move(z_w_m);
  return g;
}

VerticalGrid VerticalGrid::per_column(int nx, int ny, int nz, std::vector<double> z_w_m) {
  check_sizes(nx, ny, nz);
  VerticalGrid g;
  g.nx_ = nx;
  g.ny_ = ny;
  g.nz_ = nz;
  g.uniform_ = false;
  g.set_interfaces(std::move(z_w_m));
  return g;
}

void VerticalGrid::set_interfaces(std::vector<double> z_w_m) {
  const std::size_t len = static_cast<std::size_t>(nz_) + 1;
  const std::size_t expected = static_cast<std::size_t>(nx_) * static_cast<std::size_t>(ny_) * len;
  if (z_w_m.size() != expected) {
    throw UsageError("vertical grid: expected nx * ny * (nz + 1) = " + std::to_string(expected) +
                     " interface heights, got " + std::to_string(z_w_m.size()));
  }
  for (int j = 0; j < ny_; ++j) {
    for (int i = 0; i < nx_; ++i) {
      const std::size_t o = (static_cast<std::size_t>(j) * static_cast<std::size_t>(nx_) +
                             static_cast<std::size_t>(i)) *
                            len;
      check_column(std::span<const double>(z_w_m.data() + o, len), i, j, false);
    }
  }
  z_ = std::move(z_w_m);
  uniform_ = false;
}

void VerticalGrid::set_column(int i, int j, std::span<const double> z_w_m) {
  if (i < 0 || i >= nx_ || j < 0 || j >= ny_) {
    throw UsageError("vertical grid: column (" + std::to_string(i) + ", " + std::to_string(j) +
                     ") outside the " + std::to_string(nx_) + " x " + std::to_string(ny_) +
                     " grid");
  }
  const std::size_t len = static_cast<std::size_t>(nz_) + 1;
  if (z_w_m.size() != len) {
    throw UsageError("vertical grid: column (" + std::to_string(i) + ", " + std::to_string(j) +
                     ") needs nz + 1 = " + std::to_string(len) + " interface heights, got " +
                     std::to_string(z_w_m.size()));
  }
  check_column(z_w_m, i, j, false);
  if (uniform_) {
    std::vector<double> all;
    all.reserve(static_cast<std::size_t>(nx_) * static_cast<std::size_t>(ny_) * len);
    for (int c = 0; c < nx_ * ny_; ++c) all.insert(all.end(), z_.begin(), z_.end());
    z_ = std::move(all);
    uniform_ = false;
  }
  const std::size_t o = offset(i, j);
  for (std::size_t k = 0; k < len; ++k) z_[o + k] = z_w_m[k];
}

double VerticalGrid::standard_atmosphere_height(double p_pa) {
  if (!(p_pa > 0.0) || !std::isfinite(p_pa)) {
    throw UsageError("standard atmosphere: pressure must be positive and finite, got " + num(p_pa) +
                     " Pa");
  }
  // The highest layer whose base pressure is >= p (the first layer for p > 101325 Pa).
  const AtmosphereLayer* layer = &kStandardAtmosphere[0];
  for (const AtmosphereLayer& l : kStandardAtmosphere) {
    if (p_pa <= l.p_base) layer = &l;
  }
  const double ratio = p_pa / layer->p_base;
  if (layer->lapse == 0.0) {
    return layer->h_base - kRd * layer->t_base / kG0 * std::log(ratio);
  }
  // T = Tb + L (H - Hb), p = pb (T / Tb)^(-g0 / (Rd L))  =>  H = Hb + Tb/L ((p/pb)^(-Rd L/g0) - 1)
  return layer->h_base +
         layer->t_base / layer->lapse * (std::pow(ratio, -kRd * layer->lapse / kG0) - 1.0);
}

std::vector<double> VerticalGrid::eta_heights(std::span<const double> eta_w, double p_surface_pa,
                                              double p_top_pa,
                                              std::span<const double> t_virtual_k) {
  if (eta_w.size() < 2) {
    throw UsageError("vertical grid: need at least 2 eta levels, got " +
                     std::to_string(eta_w.size()));
  }
  if (std::abs(eta_w[0] - 1.0) > 1e-6) {
    throw UsageError("vertical grid: the first eta level must be 1 (the ground), got " +
                     num(eta_w[0]));
  }
  for (std::size_t k = 1; k < eta_w.size(); ++k) {
    if (!(eta_w[k] < eta_w[k - 1]) || !(eta_w[k] >= 0.0)) {
      throw UsageError("vertical grid: eta levels must decrease strictly to >= 0; eta[" +
                       std::to_string(k) + "] = " + num(eta_w[k]) + " after eta[" +
                       std::to_string(k - 1) + "] = " + num(eta_w[k - 1]));
    }
  }
  if (!(p_top_pa > 0.0) || !(p_surface_pa > p_top_pa) || !std::isfinite(p_surface_pa)) {
    throw UsageError("vertical grid: need 0 < p_top < p_surface, got p_top = " + num(p_top_pa) +
                     " Pa, p_surface = " + num(p_surface_pa) + " Pa");
  }
  const std::size_t nz = eta_w.size() - 1;
  if (!t_virtual_k.empty() && t_virtual_k.size() != nz) {
    throw UsageError("vertical grid: need " + std::to_string(nz) +
                     " layer virtual temperatures, got " + std::to_string(t_virtual_k.size()));
  }
  for (std::size_t k = 0; k < t_virtual_k.size(); ++k) {
    if (!(t_virtual_k[k] > 0.0) || !std::isfinite(t_virtual_k[k])) {
      throw UsageError("vertical grid: layer virtual temperature T_v[" + std::to_string(k) +
                       "] = " + num(t_virtual_k[k]) + " K must be positive");
    }
  }
  auto pressure = [&](std::size_t k) { return eta_w[k] * (p_surface_pa - p_top_pa) + p_top_pa; };

  std::vector<double> z(nz + 1, 0.0);
  if (t_virtual_k.empty()) {
    const double h0 = standard_atmosphere_height(p_surface_pa);
    for (std::size_t k = 1; k <= nz; ++k) z[k] = standard_atmosphere_height(pressure(k)) - h0;
  } else {
    for (std::size_t k = 0; k < nz; ++k) {
      z[k + 1] = z[k] + kRd * t_virtual_k[k] / kG0 * std::log(pressure(k) / pressure(k + 1));
    }
  }
  z[0] = 0.0;
  return z;
}

VerticalGrid VerticalGrid::from_eta(int nx, int ny, std::span<const double> eta_w,
                                    double p_surface_pa, double p_top_pa) {
  return uniform(nx, ny, eta_heights(eta_w, p_surface_pa, p_top_pa));
}

}  // namespace fwaq

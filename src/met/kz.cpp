#include "met/kz.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace fwaq {

namespace {
using C = KzConstants;
constexpr double kRd = 287.0;  // gas constant of dry air [J kg-1 K-1] (WRF)
}  // namespace

double obukhov_length(double ustar, double hfx, double theta0, double rho) {
  const double wtheta = hfx / (rho * C::cp);  // kinematic heat flux [K m s-1]
  if (wtheta == 0.0) return std::numeric_limits<double>::infinity();
  return -ustar * ustar * ustar * theta0 / (C::karman * C::g * wtheta);
}

double kz_at(double z, double pblh, double ustar, double hfx, double theta0, double rho,
             const KzParams& p) {
  const double h = std::max(pblh, p.pblh_min);
  if (!(z > 0.0) || z >= h) return p.kz_min;
  const double us = std::max(ustar, p.ustar_min);
  const double L = obukhov_length(us, hfx, theta0, rho);
  const double zh = z / h;
  const double shape = z * (1.0 - zh) * (1.0 - zh);  // z (1 - z/h)^2 [m]
  double k = 0.0;
  if (hfx > 0.0) {  // unstable: L < 0
    if (zh < C::surface_fraction) {
      k = C::karman * us * shape * std::sqrt(1.0 - C::beta_unstable * z / L);
    } else {
      const double zs = C::surface_fraction * h;
      const double phim_inv = std::cbrt(1.0 - C::beta_unstable * zs / L);
      const double phih_inv = std::sqrt(1.0 - C::beta_unstable * zs / L);
      const double wm = us * phim_inv;
      const double wtheta = hfx / (rho * C::cp);
      const double wstar = std::cbrt(C::g / theta0 * wtheta * h);
      const double pr =
          phim_inv / phih_inv + C::a_prandtl * C::karman * C::surface_fraction * wstar / wm;
      k = C::karman * wm * shape / pr;
    }
  } else {  // stable or neutral: L > 0 or infinite
    const double zl = std::isinf(L) ? 0.0 : z / L;
    const double phi = zl <= 1.0 ? 1.0 + C::beta_stable * zl : C::beta_stable + zl;
    k = C::karman * us * shape / phi;
  }
  return std::clamp(k, p.kz_min, p.kz_max);
}

void kz_column(std::span<const double> z_m, double pblh, double ustar, double hfx, double theta0,
               double rho, std::span<double> out, const KzParams& params) {
  if (out.size() != z_m.size()) throw std::invalid_argument("kz_column: out.size() != z_m.size()");
  for (std::size_t k = 0; k < z_m.size(); ++k) {
    out[k] = kz_at(z_m[k], pblh, ustar, hfx, theta0, rho, params);
  }
}

double virtual_potential_temperature(double t_k, double p_pa, double q) {
  const double theta = p_pa > 0.0 ? t_k * std::pow(1.0e5 / p_pa, kRd / C::cp) : t_k;
  return theta * (1.0 + 0.608 * q);
}

void fill_kz(MetRecord& rec, const KzParams& params) {
  const int nz = rec.nz;
  std::vector<double> z(static_cast<std::size_t>(nz) + 1), k(z.size());
  for (int j = 0; j < rec.ny; ++j) {
    for (int i = 0; i < rec.nx; ++i) {
      for (int l = 0; l <= nz; ++l) z[static_cast<std::size_t>(l)] = rec.z_interface(i, j, l);
      const double t0 = rec.temperature(i, j, 0);
      const double p0 = rec.pressure(i, j, 0);
      double rho = rec.density(i, j, 0);
      if (!(rho > 0.0)) rho = p0 / (kRd * t0);
      const double theta_v = virtual_potential_temperature(t0, p0, rec.qvapor(i, j, 0));
      kz_column(z, rec.pblh(i, j, 0), rec.ustar(i, j, 0), rec.hfx(i, j, 0), theta_v, rho, k,
                params);
      for (int l = 0; l <= nz; ++l) rec.kz(i, j, l) = k[static_cast<std::size_t>(l)];
    }
  }
}

}  // namespace fwaq

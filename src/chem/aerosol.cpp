#include "chem/aerosol.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace fwaq::chem {

namespace {
constexpr double kR = 8.314462618;  // [J mol-1 K-1]
}

AerosolSurface aerosol_surface(double dry_ug_m3, double water_ug_m3, const AerosolOptions& opt) {
  AerosolSurface s;
  // [µg m-3] → [g cm-3 of air]: × 1e-12; divided by the density [g cm-3] → [cm3 cm-3].
  const double v_dry = std::max(dry_ug_m3, 0.0) * 1e-12 / opt.dry_density_g_cm3;
  const double v_water = std::max(water_ug_m3, 0.0) * 1e-12;  // water 1 g cm-3
  const double v_wet = v_dry + v_water;
  if (!(v_wet > 0.0)) return s;
  const double ls = std::log(opt.sigma_g);
  const double d_sauter_dry = opt.dgn_dry_um * 1e-4 * std::exp(2.5 * ls * ls);  // [cm]
  const double growth = v_dry > 0.0 ? std::cbrt(v_wet / v_dry) : 1.0;
  const double d_sauter = d_sauter_dry * growth;
  s.area_cm2_cm3 = 6.0 * v_wet / d_sauter;
  s.radius_cm = 0.5 * d_sauter;
  return s;
}

double mean_molecular_speed(double molar_mass_g, double temperature_K) {
  return 100.0 * std::sqrt(8.0 * kR * temperature_K / (std::numbers::pi * molar_mass_g * 1e-3));
}

double uptake_rate(double gamma, double molar_mass_g, double temperature_K,
                   const AerosolSurface& surface, double diffusivity_cm2_s) {
  if (!(gamma > 0.0) || !(surface.area_cm2_cm3 > 0.0)) return 0.0;
  const double v = mean_molecular_speed(molar_mass_g, temperature_K);
  return surface.area_cm2_cm3 / (surface.radius_cm / diffusivity_cm2_s + 4.0 / (v * gamma));
}

double gamma_n2o5(double water_ug_m3, double solute_ug_m3, double nitrate_umol_m3,
                  const AerosolOptions& opt) {
  double g = opt.gamma_n2o5_min;
  if (water_ug_m3 > 0.0) {
    // Solution volume [L per m3 of air]: µg × 1e-6 → g; / (g cm-3) → cm3; × 1e-3 → L.
    const double vol_l =
        (water_ug_m3 + std::max(solute_ug_m3, 0.0) / opt.solute_density_g_cm3) * 1e-9;
    const double h2o_m = water_ug_m3 * 1e-6 / 18.015 / vol_l;  // [mol L-1]
    const double no3_m = std::max(nitrate_umol_m3, 0.0) * 1e-6 / vol_l;
    constexpr double kA = 3.2e-8, kBeta = 1.15e6, kDelta = 0.13, kK3K2b = 0.06;
    const double kprime = kBeta * (1.0 - std::exp(-kDelta * h2o_m));
    const double suppression = no3_m > 0.0 ? 1.0 / (1.0 + no3_m / (kK3K2b * h2o_m)) : 1.0;
    g = opt.gamma_n2o5_scale * kA * kprime * suppression;
  }
  return std::clamp(g, opt.gamma_n2o5_min, opt.gamma_n2o5_max);
}

double gamma_so2(double rh, const AerosolOptions& opt) {
  // Log-linear between positive values (linear if one of them is 0).
  auto loglin = [](double a, double b, double w) {
    return (a > 0.0 && b > 0.0) ? a * std::pow(b / a, w) : a + (b - a) * w;
  };
  if (rh <= 0.5) return opt.gamma_so2_low;
  if (rh <= 0.8) return loglin(opt.gamma_so2_low, opt.gamma_so2_mid, (rh - 0.5) / 0.3);
  if (rh < 0.95) return loglin(opt.gamma_so2_mid, opt.gamma_so2_high, (rh - 0.8) / 0.15);
  return opt.gamma_so2_high;
}

}  // namespace fwaq::chem

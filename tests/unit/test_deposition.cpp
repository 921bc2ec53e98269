// Tests of dry deposition (resistance model, Wesely 1989 surface resistances, Zhang et al.
// 2001 particles) and wet scavenging (below-cloud and in-cloud first-order removal).
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "chem/deposition.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/time.hpp"
#include "field/field.hpp"
#include "met/met_fields.hpp"

namespace {

using fwaq::Field;
using fwaq::MetRecord;
using fwaq::State;
using fwaq::TimePoint;
using namespace fwaq::chem;
namespace dep = fwaq::chem::dep;

constexpr double kPi = 3.14159265358979323846;
constexpr int kSO2 = idx(Tracer::kSO2), kNO = idx(Tracer::kNO), kNO2 = idx(Tracer::kNO2),
              kTNO3 = idx(Tracer::kTNO3), kTNH3 = idx(Tracer::kTNH3), kCO = idx(Tracer::kCO),
              kSV1 = idx(Tracer::kSV1), kSO4 = idx(Tracer::kSO4), kPMC = idx(Tracer::kPMC);

/// Interfaces [m AGL] of a 10-layer test column.
const std::vector<double> kZi{0, 40, 100, 200, 400, 700, 1100, 1600, 2300, 3200, 4500};

/// Uniform winter met: T 273.15 K, p from a 8 km scale height, neutral (hfx 0), no sun,
/// no cloud, no precipitation.
MetRecord make_met(int nx, int ny) {
  const int nz = static_cast<int>(kZi.size()) - 1;
  MetRecord m;
  m.allocate(nx, ny, nz);
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      for (int k = 0; k <= nz; ++k) m.z_interface(i, j, k) = kZi[k];
      for (int k = 0; k < nz; ++k) {
        const double zc = 0.5 * (kZi[k] + kZi[k + 1]);
        m.temperature(i, j, k) = 273.15;
        m.pressure(i, j, k) = 1e5 * std::exp(-zc / 8000.0);
        m.density(i, j, k) = m.pressure(i, j, k) / (287.05 * 273.15);
        m.rel_humidity(i, j, k) = 0.6;
      }
      m.ustar(i, j, 0) = 0.3;
      m.hfx(i, j, 0) = 0.0;
      m.t2(i, j, 0) = 278.15;
      m.psfc(i, j, 0) = 1e5;
      m.swdown(i, j, 0) = 0.0;
      m.precip(i, j, 0) = 0.0;
    }
  return m;
}

Field land_use_field(int nx, int ny, LandUse lu) {
  return Field("land_use", "1", nx, ny, 1, 0, static_cast<double>(static_cast<int>(lu)));
}

TimePoint january() {
  return fwaq::parse_time("2020-01-15T06:00:00");
}

/// Sutherland's law, written out independently of the code.
double mu_air(double t) {
  return 1.458e-6 * std::pow(t, 1.5) / (t + 110.4);
}

// ---------------------------------------------------------------------------------------
TEST(DepositionResistance, WeselyHandCases) {
  // SO2 over cropland in January (season 3), 5 °C, dark: stomata, leaf cuticles and the lower
  // canopy are closed (9999 in Wesely's table), leaving r_ac + r_gsS = 10 + 150 s m-1.
  const auto& so2 = dep::gas_properties(kSO2);
  EXPECT_NEAR(dep::wesely_surface_resistance(so2, LandUse::kCropland, 3, 0.0, 5.0), 160.0, 1e-9);
  // Cold surface: + 1000 exp(-Ts - 4) on every non-stomatal pathway.
  EXPECT_NEAR(dep::wesely_surface_resistance(so2, LandUse::kCropland, 3, 0.0, -5.0),
              160.0 + 1000.0 * std::exp(1.0), 1e-9);
  // NO2 (H* = 0.01, f0 = 0.1): ground 1 / (1e-7 / 150 + 0.1 / 150), lower canopy through
  // r_dc = 100 (1 + 1000 / 10) and r_clO = 1000 / 0.1.
  const auto& no2 = dep::gas_properties(kNO2);
  const double rgs = 1.0 / (1e-7 / 150.0 + 0.1 / 150.0);
  const double rcl = 1000.0 / 0.1;
  const double rdc = 100.0 * (1.0 + 1000.0 / 10.0);
  const double expect = 1.0 / (1.0 / (rdc + rcl) + 1.0 / (10.0 + rgs));
  EXPECT_NEAR(dep::wesely_surface_resistance(no2, LandUse::kCropland, 3, 0.0, 5.0), expect,
              1e-9 * expect);
  // Summer forest at noon: open stomata add r_s D_H2O/D_x + r_m in parallel (Wesely eq. 3-4).
  const double g = 600.0, ts = 25.0;
  const double rs = 100.0 * (1.0 + std::pow(200.0 / (g + 0.1), 2)) * (400.0 / (ts * (40.0 - ts)));
  const double rsm = rs * 1.9 + 1.0 / (1e5 / 3000.0);
  const double rdc_sun = 100.0 * (1.0 + 1000.0 / (g + 10.0));
  const double r_summer =
      1.0 / (1.0 / rsm + 1.0 / 2000.0 + 1.0 / (rdc_sun + 2000.0) + 1.0 / (2000.0 + 100.0));
  EXPECT_NEAR(dep::wesely_surface_resistance(so2, LandUse::kForest, 1, g, ts), r_summer,
              1e-9 * r_summer);
  // Series algebra.
  EXPECT_DOUBLE_EQ(dep::series_velocity(30.0, 20.0, 150.0), 1.0 / 200.0);
}

TEST(DepositionResistance, VelocityIsResistancesInSeries) {
  // A whole DryDeposition call for SO2 over cropland equals 1 / (R_a + R_b + R_c) with every
  // term computed here by hand: neutral log law, Schmidt number from Sutherland's viscosity
  // and Massman's (1998) water-vapour diffusivity, R_c = 160 s m-1 (above).
  const int nx = 3, ny = 2;
  MetRecord met = make_met(nx, ny);
  DryDeposition dry(nx, ny);
  std::vector<Field> vd;
  dry.velocities(met, land_use_field(nx, ny, LandUse::kCropland), PhaseSplit{}, january(), vd);
  ASSERT_EQ(vd.size(), static_cast<std::size_t>(kNumTracers));
  const double ustar = 0.3, z = 20.0, z0 = 0.05, t = 273.15, p = 1e5;
  const double rho = met.density(0, 0, 0);
  const double ra = std::log(z / z0) / (0.4 * ustar);
  const double nu = mu_air(t) / rho;
  const double d_so2 = 2.178e-5 * std::pow(t / 273.15, 1.81) * (101325.0 / p) / 1.9;
  const double rb = 2.0 / (0.4 * ustar) * std::pow(nu / d_so2 / 0.72, 2.0 / 3.0);
  const double expect = 1.0 / (ra + rb + 160.0);
  std::printf("SO2 cropland, January: Ra %.2f Rb %.2f Rc 160 s/m -> vd %.4f cm/s\n", ra, rb,
              100.0 * expect);
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) EXPECT_NEAR(vd[kSO2](i, j, 0), expect, 1e-12 * expect);
}

TEST(DepositionResistance, NeutralAerodynamicResistanceIsLogLaw) {
  EXPECT_EQ(dep::inverse_obukhov_length(0.3, 0.0, 280.0, 1.2), 0.0);
  for (double z0 : {1e-4, 0.05, 1.0})
    for (double ustar : {0.05, 0.3, 1.0}) {
      const double z = 20.0;
      const double expect = std::log(z / z0) / (0.4 * ustar);
      EXPECT_NEAR(dep::aerodynamic_resistance(z, z0, ustar, 0.0), expect, 1e-12 * expect);
    }
  // Businger-Dyer stable: psi_h = -5 zeta; unstable: 2 ln((1 + x^2) / 2), x = (1 - 16 zeta)^1/4.
  EXPECT_NEAR(dep::psi_heat(0.5), -2.5, 1e-15);
  EXPECT_NEAR(dep::psi_heat(1.0), -5.0, 1e-15);
  EXPECT_NEAR(dep::psi_heat(std::exp(1.0)), -10.0, 1e-12);
  EXPECT_NEAR(dep::psi_heat(-1.0), 2.0 * std::log(0.5 * (1.0 + std::sqrt(17.0))), 1e-12);
  // Stability ordering: stable (downward heat flux) > neutral > unstable.
  const double z = 20.0, z0 = 0.05, u = 0.2;
  const double inv_stable = dep::inverse_obukhov_length(u, -30.0, 275.0, 1.25);
  const double inv_unstable = dep::inverse_obukhov_length(u, 150.0, 275.0, 1.25);
  EXPECT_GT(inv_stable, 0.0);
  EXPECT_LT(inv_unstable, 0.0);
  const double r_st = dep::aerodynamic_resistance(z, z0, u, inv_stable);
  const double r_n = dep::aerodynamic_resistance(z, z0, u, 0.0);
  const double r_un = dep::aerodynamic_resistance(z, z0, u, inv_unstable);
  EXPECT_GT(r_st, r_n);
  EXPECT_LT(r_un, r_n);
  // L = -rho cp T u*^3 / (kappa g H), hand value.
  const double l_hand = -1.25 * 1004.67 * 275.0 * std::pow(u, 3) / (0.4 * 9.80665 * -30.0);
  EXPECT_NEAR(1.0 / inv_stable, l_hand, 1e-12 * l_hand);
  std::printf("Ra at z=20 m, z0=0.05 m, u*=0.2: stable %.1f, neutral %.1f, unstable %.1f s/m\n",
              r_st, r_n, r_un);
}

// ---------------------------------------------------------------------------------------
TEST(DepositionGas, NitricAcidNearAerodynamicLimit) {
  const int nx = 2, ny = 2;
  MetRecord met = make_met(nx, ny);
  DryDeposition dry(nx, ny);
  for (LandUse lu : {LandUse::kUrban, LandUse::kCropland, LandUse::kGrassland, LandUse::kForest,
                     LandUse::kBarren, LandUse::kWater}) {
    std::vector<Field> vd;
    dry.velocities(met, land_use_field(nx, ny, lu), PhaseSplit{}, january(), vd);
    const double z0 = dep::roughness_length(lu, 3);
    const double ra = std::log(20.0 / z0) / (0.4 * 0.3);  // neutral, z = 20 m
    const double rho = met.density(0, 0, 0);
    const double d_hno3 = 2.178e-5 * std::pow(273.15 / 273.15, 1.81) * (101325.0 / 1e5) / 1.9;
    const double rb = 2.0 / (0.4 * 0.3) * std::pow(mu_air(273.15) / rho / d_hno3 / 0.72, 2.0 / 3.0);
    const double limit = 1.0 / (ra + rb);
    const double v = vd[kTNO3](0, 0, 0);
    std::printf("HNO3 land use %d: vd %.3f cm/s, aerodynamic limit %.3f cm/s (ratio %.3f)\n",
                static_cast<int>(lu), 100.0 * v, 100.0 * limit, v / limit);
    EXPECT_NEAR(v, 1.0 / (ra + rb + 10.0), 1e-12 * v);
    EXPECT_GT(v / limit, 0.75);
    EXPECT_LT(v, limit);
    // HNO3 is the fastest-depositing gas (over water every soluble gas meets the R_c floor
    // and NH3, with the larger diffusivity, is faster).
    if (lu == LandUse::kWater) continue;
    for (int n = 0; n < kNumTracers; ++n)
      if (kTracerInfo[n].gas_phase) {
        EXPECT_LE(vd[n](0, 0, 0), v) << kTracerInfo[n].name;
      }
  }
}

TEST(DepositionGas, CarbonMonoxideAndInsolubleGasesBarelyDeposit) {
  for (int lu = 0; lu < kNumLandUse; ++lu)
    for (int season = 1; season <= 5; ++season)
      for (double g : {0.0, 300.0, 800.0})
        for (double ts : {-15.0, -1.0, 5.0, 20.0, 35.0}) {
          const auto l = static_cast<LandUse>(lu);
          auto vd = [&](int n) {
            const double rc = std::max(
                10.0, dep::wesely_surface_resistance(dep::gas_properties(n), l, season, g, ts));
            return 1.0 / (10.0 + 10.0 + rc);  // even with small R_a + R_b
          };
          EXPECT_LT(vd(kCO), 1e-5) << "CO lu " << lu << " season " << season;  // < 0.001 cm/s
          EXPECT_LT(vd(kNO), 1e-5) << "NO lu " << lu << " season " << season;
          for (int n = idx(Tracer::kVocAlk); n <= idx(Tracer::kVocAro2); ++n)
            EXPECT_LT(vd(n), 1e-4) << kTracerInfo[n].name;  // < 0.01 cm/s
        }
  // And through the full DryDeposition path.
  const int nx = 2, ny = 1;
  MetRecord met = make_met(nx, ny);
  std::vector<Field> vd;
  DryDeposition(nx, ny).velocities(met, land_use_field(nx, ny, LandUse::kWater), PhaseSplit{},
                                   january(), vd);
  EXPECT_LT(vd[kCO](0, 0, 0), 1e-5);
  EXPECT_GT(vd[kSO2](0, 0, 0), 1e-3);  // SO2 over water: R_c at its 10 s/m floor
}

// ---------------------------------------------------------------------------------------
TEST(DepositionParticle, SettlingMatchesStokesWithSlip) {
  // 10 µm, 1000 kg m-3, 298.15 K, 1 atm. Hand computation: mu = 1.8369e-5 kg m-1 s-1,
  // mean free path lambda = 2 mu / (p c), c = sqrt(8 M / (pi R T)); C = 1 + (2 lambda / d)
  // (1.257 + 0.4 exp(-1.1 d / (2 lambda))); v = rho d^2 g C / (18 mu).
  const double t = 298.15, p = 101325.0, d = 10e-6, rho_p = 1000.0;
  const double mu = mu_air(t);
  const double c = std::sqrt(8.0 * 0.0289647 / (kPi * 8.314462618 * t));
  const double lambda = 2.0 * mu / (p * c);
  const double kn = 2.0 * lambda / d;
  const double slip = 1.0 + kn * (1.257 + 0.4 * std::exp(-1.1 / kn));
  const double v_hand = rho_p * d * d * 9.80665 * slip / (18.0 * mu);
  const double v = dep::settling_velocity(d, rho_p, t, p);
  std::printf("10 um settling: %.5e m/s (hand %.5e; Seinfeld & Pandis Table 9.5: 3.05e-3)\n", v,
              v_hand);
  EXPECT_NEAR(v, v_hand, 1e-12 * v_hand);
  EXPECT_NEAR(v, 3.05e-3, 0.02 * 3.05e-3);  // textbook value, 2 %
  EXPECT_NEAR(lambda, 0.0651e-6, 0.03 * 0.0651e-6);
  // Slip corrections against Seinfeld & Pandis (2016) Table 9.3: 0.1 µm 2.85, 1 µm 1.164.
  EXPECT_NEAR(dep::slip_correction(0.1e-6, t, p), 2.85, 0.03 * 2.85);
  EXPECT_NEAR(dep::slip_correction(1e-6, t, p), 1.164, 0.01 * 1.164);
}

TEST(DepositionParticle, FineParticleVelocityRangeAndMinimum) {
  const double t = 273.15, p = 1e5, rho_air = p / (287.05 * t);
  for (LandUse lu : {LandUse::kUrban, LandUse::kCropland, LandUse::kGrassland, LandUse::kForest})
    for (double ustar : {0.1, 0.3, 0.6}) {
      const double ra = dep::aerodynamic_resistance(20.0, dep::roughness_length(lu, 3), ustar, 0.0);
      double vmin = 1e9, dmin = 0.0;
      for (int q = 0; q <= 120; ++q) {
        const double d = 0.01e-6 * std::pow(10.0, 3.0 * q / 120.0);  // 0.01-10 µm
        const double v = dep::particle_velocity(d, 1500.0, lu, 3, ustar, ra, t, p, rho_air);
        ASSERT_TRUE(std::isfinite(v));
        EXPECT_GE(v, dep::settling_velocity(d, 1500.0, t, p));
        if (d >= 0.1e-6 && d <= 2.5e-6) {
          EXPECT_GT(v, 1e-4) << "d " << d;  // > 0.01 cm/s
          EXPECT_LT(v, 1e-2) << "d " << d;  // < 1 cm/s
        }
        if (v < vmin) {
          vmin = v;
          dmin = d;
        }
      }
      // Zhang et al. (2001): Brownian diffusion (Sc^-gamma, gamma ~0.55) meets settling at
      // 1-2.5 µm for 1.5 g cm-3 particles.
      EXPECT_GT(dmin, 0.5e-6);
      EXPECT_LT(dmin, 3.0e-6);
      if (lu == LandUse::kGrassland)
        std::printf("grass u*=%.1f: minimum vd %.4f cm/s at %.2f um\n", ustar, 100.0 * vmin,
                    1e6 * dmin);
      // The lognormal fine mode (dry MMD 0.4 µm, sigma 1.8) at any humidity.
      DepositionOptions opt;
      for (double rh : {0.3, 0.7, 0.95}) {
        const double v = dep::mode_velocity(opt.fine, rh, lu, 3, ustar, ra, t, p, rho_air);
        EXPECT_GT(v, 1e-4);
        EXPECT_LT(v, 1e-2);
      }
    }
}

TEST(DepositionParticle, ModeQuadratureAndGrowth) {
  // kappa-Koehler growth without Kelvin term: GF^3 = 1 + kappa RH / (1 - RH).
  EXPECT_NEAR(dep::growth_factor(0.35, 0.9), std::cbrt(1.0 + 0.35 * 9.0), 1e-14);
  EXPECT_EQ(dep::growth_factor(0.35, 0.0), 1.0);
  EXPECT_EQ(dep::growth_factor(0.35, 0.99), dep::growth_factor(0.35, 0.95));  // RH capped
  const double t = 280.0, p = 9.5e4, rho = p / (287.05 * t);
  const double ra = 50.0;
  // sigma_g = 1: the mode is one wet diameter with the water-diluted density.
  ParticleMode mono{0.5, 1.0, 1700.0, 0.3, 1.0, 0.0, 1.0};
  const double gf = dep::growth_factor(0.3, 0.8);
  const double rho_wet = (1700.0 + (gf * gf * gf - 1.0) * 1000.0) / (gf * gf * gf);
  EXPECT_NEAR(
      dep::mode_velocity(mono, 0.8, LandUse::kGrassland, 3, 0.3, ra, t, p, rho),
      dep::particle_velocity(0.5e-6 * gf, rho_wet, LandUse::kGrassland, 3, 0.3, ra, t, p, rho),
      1e-15);
  // The 10-point Gauss-Hermite rule averages over the lognormal mass distribution. In the
  // Stokes limit (20-40 µm: slip correction within 0.6 % of 1, negligible diffusion) v ~ d^2,
  // whose mass-weighted mean over a lognormal of median D and width sigma is
  // v(D) exp(2 ln^2 sigma).
  ParticleMode big{30.0, 1.3, 1000.0, 0.0, 1.0, 0.0, 1.0};
  const double s = std::log(1.3);
  const double v_mode = dep::mode_velocity(big, 0.0, LandUse::kBarren, 3, 0.05, 1e9, t, p, rho);
  const double v_expect = dep::settling_velocity(30e-6, 1000.0, t, p) * std::exp(2.0 * s * s);
  EXPECT_NEAR(v_mode, v_expect, 3e-3 * v_expect);
}

// ---------------------------------------------------------------------------------------
TEST(DepositionDry, MixedTracersBlendGasAndParticle) {
  const int nx = 3, ny = 2, nz = static_cast<int>(kZi.size()) - 1;
  MetRecord met = make_met(nx, ny);
  DryDeposition dry(nx, ny);
  const Field lu = land_use_field(nx, ny, LandUse::kGrassland);
  std::vector<Field> all_gas, mixed;
  dry.velocities(met, lu, PhaseSplit{}, january(), all_gas);  // nullptr: mixed tracers all gas
  Field f_tno3("f", "1", nx, ny, nz, 0, 0.3), f_sv1("f", "1", nx, ny, nz, 0, 0.0);
  PhaseSplit split;
  split.gas_fraction[kTNO3] = &f_tno3;
  split.gas_fraction[kSV1] = &f_sv1;
  dry.velocities(met, lu, split, january(), mixed);
  const double v_fine = mixed[kSO4](1, 1, 0);
  EXPECT_NEAR(mixed[kTNO3](1, 1, 0), 0.3 * all_gas[kTNO3](1, 1, 0) + 0.7 * v_fine, 1e-15);
  EXPECT_EQ(mixed[kSV1](1, 1, 0), v_fine);
  for (int n : {kSO4, idx(Tracer::kPOA), idx(Tracer::kBC), idx(Tracer::kOPM)})
    EXPECT_EQ(mixed[n](0, 0, 0), v_fine);
  EXPECT_NE(mixed[kPMC](0, 0, 0), v_fine);
  // Humid air grows the fine particles and changes their velocity; dry gases do not care.
  MetRecord humid = met;
  humid.rel_humidity.fill(0.95);
  std::vector<Field> wet;
  dry.velocities(humid, lu, split, january(), wet);
  EXPECT_NE(wet[kSO4](0, 0, 0), v_fine);
  EXPECT_EQ(wet[kSO2](0, 0, 0), mixed[kSO2](0, 0, 0));
}

TEST(DepositionDry, ConductancesAreDensityVelocityArea) {
  const int nx = 4, ny = 3;
  MetRecord met = make_met(nx, ny);
  Field lu("land_use", "1", nx, ny, 1, 0);
  Field area("area", "m2", nx, ny, 1, 1);
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      lu(i, j, 0) = static_cast<double>((i + j) % kNumLandUse);
      area(i, j, 0) = 9e6 * (1.0 + 0.01 * i - 0.02 * j);
      met.density(i, j, 0) = 1.2 + 0.01 * i;
      met.ustar(i, j, 0) = 0.1 + 0.1 * j;
      met.hfx(i, j, 0) = -20.0 + 30.0 * i;
    }
  DryDeposition dry(nx, ny);
  std::vector<Field> vd, cond;
  dry.velocities(met, lu, PhaseSplit{}, january(), vd);
  dry.conductances(met, lu, area, PhaseSplit{}, january(), cond);
  ASSERT_EQ(cond.size(), static_cast<std::size_t>(kNumTracers));
  for (int n = 0; n < kNumTracers; ++n)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        EXPECT_EQ(cond[n](i, j, 0), met.density(i, j, 0) * vd[n](i, j, 0) * area(i, j, 0));
        EXPECT_GE(cond[n](i, j, 0), 0.0);
      }
}

TEST(DepositionDry, SameResultForAnyThreadCountAndSaneOutput) {
  const int nx = 13, ny = 11;
  MetRecord met = make_met(nx, ny);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  Field lu("land_use", "1", nx, ny, 1, 0);
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      lu(i, j, 0) = static_cast<double>(static_cast<int>(u01(rng) * kNumLandUse) % kNumLandUse);
      met.ustar(i, j, 0) = 0.01 + 0.8 * u01(rng);
      met.hfx(i, j, 0) = -80.0 + 300.0 * u01(rng);
      met.t2(i, j, 0) = 255.0 + 40.0 * u01(rng);
      met.swdown(i, j, 0) = 700.0 * u01(rng);
      met.rel_humidity(i, j, 0) = u01(rng);
    }
  met.ustar(0, 0, 0) = std::numeric_limits<double>::quiet_NaN();  // survives as ustar_min
  DryDeposition dry(nx, ny);
  const int saved = omp_get_max_threads();
  std::vector<Field> one, two;
  omp_set_num_threads(1);
  dry.velocities(met, lu, PhaseSplit{}, january(), one);
  omp_set_num_threads(2);
  dry.velocities(met, lu, PhaseSplit{}, january(), two);
  omp_set_num_threads(saved);
  for (int n = 0; n < kNumTracers; ++n)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        EXPECT_EQ(one[n](i, j, 0), two[n](i, j, 0));
        EXPECT_TRUE(std::isfinite(one[n](i, j, 0)));
        EXPECT_GE(one[n](i, j, 0), 0.0);
        EXPECT_LT(one[n](i, j, 0), 0.1);  // < 10 cm/s
      }
}

TEST(DepositionDry, RejectsBadInput) {
  const int nx = 2, ny = 2;
  MetRecord met = make_met(nx, ny);
  DryDeposition dry(nx, ny);
  std::vector<Field> vd;
  Field lu = land_use_field(nx, ny, LandUse::kUrban);
  lu(1, 0, 0) = 6.0;
  EXPECT_THROW(dry.velocities(met, lu, PhaseSplit{}, january(), vd), std::invalid_argument);
  lu(1, 0, 0) = 0.5;
  EXPECT_THROW(dry.velocities(met, lu, PhaseSplit{}, january(), vd), std::invalid_argument);
  EXPECT_THROW(
      dry.velocities(met, land_use_field(3, 2, LandUse::kUrban), PhaseSplit{}, january(), vd),
      std::invalid_argument);
  DepositionOptions bad;
  bad.fine.sigma_g = 0.5;
  EXPECT_THROW(DryDeposition(nx, ny, bad), std::invalid_argument);
}

TEST(DepositionLandUse, ClassificationAndSeasons) {
  EXPECT_EQ(classify_land_use(400.0, 1.0), LandUse::kUrban);
  EXPECT_EQ(classify_land_use(1500.0, 0.5), LandUse::kUrban);
  EXPECT_EQ(classify_land_use(400.0, 0.49), LandUse::kCropland);
  EXPECT_EQ(classify_land_use(999.0, 0.0), LandUse::kCropland);
  EXPECT_EQ(classify_land_use(1000.0, 0.0), LandUse::kGrassland);
  EXPECT_EQ(classify_land_use(1599.0, 0.0), LandUse::kGrassland);
  EXPECT_EQ(classify_land_use(1600.0, 0.0), LandUse::kForest);
  EXPECT_EQ(classify_land_use(std::nan(""), std::nan("")), LandUse::kCropland);
  EXPECT_EQ(dep::wesely_season(fwaq::parse_time("2020-01-01"), false), 3);
  EXPECT_EQ(dep::wesely_season(fwaq::parse_time("2020-01-01"), true), 4);
  EXPECT_EQ(dep::wesely_season(fwaq::parse_time("2019-10-31T23:59:59"), false), 2);
  EXPECT_EQ(dep::wesely_season(fwaq::parse_time("2019-12-01"), false), 3);
  EXPECT_EQ(dep::wesely_season(fwaq::parse_time("2020-03-31"), true), 5);
  EXPECT_EQ(dep::wesely_season(fwaq::parse_time("2019-07-01"), false), 1);
}

TEST(DepositionOptionsConfig, ReadsKeysAndRejectsBadValues) {
  EXPECT_EQ(DepositionOptions::from_config(nullptr).fine.mmd_dry_um,
            DepositionOptions{}.fine.mmd_dry_um);
  auto cfg = fwaq::Config::from_string(
      "deposition:\n  fine_diameter_um: 0.5\n  coarse_density_kg_m3: 2600\n  winter_snow: true\n"
      "  rain_ph: 6.0\n  in_cloud_scavenging: false\n  assumed_cloud_top_m: 5000\n");
  const auto sec = cfg.section("deposition");
  const DepositionOptions o = DepositionOptions::from_config(&sec);
  EXPECT_EQ(o.fine.mmd_dry_um, 0.5);
  EXPECT_EQ(o.coarse.density_kg_m3, 2600.0);
  EXPECT_TRUE(o.winter_snow);
  EXPECT_EQ(o.rain_ph, 6.0);
  EXPECT_FALSE(o.in_cloud);
  EXPECT_TRUE(o.below_cloud);
  EXPECT_EQ(o.assumed_cloud_top, 5000.0);
  EXPECT_NO_THROW(cfg.check_all_used());
  auto bad = fwaq::Config::from_string("deposition:\n  fine_sigma_g: 0.2\n");
  const auto bsec = bad.section("deposition");
  try {
    DepositionOptions::from_config(&bsec);
    ADD_FAILURE() << "no error";
  } catch (const fwaq::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("deposition.fine_sigma_g"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("0.2"), std::string::npos) << e.what();
  }
  auto inverted = fwaq::Config::from_string("deposition:\n  assumed_cloud_top_m: 1000\n");
  const auto isec = inverted.section("deposition");
  EXPECT_THROW(DepositionOptions::from_config(&isec), fwaq::InputError);
}

// ---------------------------------------------------------------------------------------
/// A state with every tracer set to 10 + (tracer, cell) dependent values [µg kg-1].
State make_state(const MetRecord& met, int halo) {
  State s;
  s.air_mass = Field("air_mass", "kg", met.nx, met.ny, met.nz, halo);
  for (int k = 0; k < met.nz; ++k)
    for (int j = 0; j < met.ny; ++j)
      for (int i = 0; i < met.nx; ++i)
        s.air_mass(i, j, k) = met.density(i, j, k) * 9e6 * (kZi[k + 1] - kZi[k]);
  for (int n = 0; n < kNumTracers; ++n) {
    s.tracers.emplace_back(std::string(kTracerInfo[n].name), "ug kg-1", met.nx, met.ny, met.nz,
                           halo);
    for (int k = 0; k < met.nz; ++k)
      for (int j = 0; j < met.ny; ++j)
        for (int i = 0; i < met.nx; ++i) s.tracers[n](i, j, k) = 10.0 + n + 0.1 * i + 0.2 * k;
  }
  return s;
}

std::vector<double> tracer_mass(const State& s) {
  std::vector<double> out(kNumTracers, 0.0);
  for (int n = 0; n < kNumTracers; ++n)
    for (int k = 0; k < s.air_mass.nz(); ++k)
      for (int j = 0; j < s.air_mass.ny(); ++j)
        for (int i = 0; i < s.air_mass.nx(); ++i)
          out[n] += s.air_mass(i, j, k) * s.tracers[n](i, j, k);
  return out;
}

/// Below-cloud mass-transfer coefficient written out from Seinfeld & Pandis (2016) eq. 20.18
/// with Marshall-Palmer drops, Atlas et al. fall speeds and the Frossling correlation.
double hand_mass_transfer(double precip, double diff_ratio, double t, double p, double rho) {
  const double d = 0.895e-3 * std::pow(precip, 0.21);
  const double u = 9.65 - 10.3 * std::exp(-0.6 * d * 1e3);
  const double nu = mu_air(t) / rho;
  const double dg = 2.178e-5 * std::pow(t / 273.15, 1.81) * (101325.0 / p) / diff_ratio;
  const double sh = 2.0 + 0.6 * std::sqrt(d * u / nu) * std::cbrt(nu / dg);
  return 6.0 * (sh * dg / d) * (precip / 3.6e6) / (d * u);
}

TEST(DepositionWet, NoPrecipitationNoScavenging) {
  const int nx = 3, ny = 2;
  MetRecord met = make_met(nx, ny);
  met.cloud_water.fill(5e-4);  // cloud, but no rain
  State s = make_state(met, 2);
  const State before = s;
  std::vector<double> dep_ug;
  WetScavenging wet(nx, ny, met.nz);
  wet.apply(s, met, PhaseSplit{}, 3600.0, dep_ug);
  ASSERT_EQ(dep_ug.size(), static_cast<std::size_t>(kNumTracers));
  for (int n = 0; n < kNumTracers; ++n) {
    EXPECT_EQ(dep_ug[n], 0.0);
    for (std::size_t c = 0; c < s.tracers[n].size(); ++c)
      ASSERT_EQ(s.tracers[n].data()[c], before.tracers[n].data()[c]);
  }
  // Drizzle below the threshold counts as none too.
  met.precip.fill(0.005);
  wet.apply(s, met, PhaseSplit{}, 3600.0, dep_ug);
  for (int n = 0; n < kNumTracers; ++n) EXPECT_EQ(dep_ug[n], 0.0);
}

TEST(DepositionWet, ExponentialDecayMatchesAnalytic) {
  // Rain 2 mm/h, no cloud water in the met: the assumed cloud spans 1.5-4 km, so layers with
  // centres below 1.5 km (k = 0..6) are below cloud, k = 7, 8 in cloud, k = 9 (3850 m) in cloud,
  // nothing above.
  const int nx = 2, ny = 2;
  MetRecord met = make_met(nx, ny);
  const double precip = 2.0, dt = 1800.0;
  met.precip.fill(precip);
  State s = make_state(met, 1);
  const State before = s;
  DepositionOptions opt;
  WetScavenging wet(nx, ny, met.nz, opt);
  std::vector<double> dep_ug;
  wet.apply(s, met, PhaseSplit{}, dt, dep_ug);
  const double drain = precip / 3600.0 / (opt.assumed_cloud_lwc * 1e-3 * 2500.0);
  for (int k = 0; k < met.nz; ++k) {
    const double zc = 0.5 * (kZi[k] + kZi[k + 1]);
    const bool below = zc < 1500.0;
    const double rho = met.density(1, 0, k);
    const double t = met.temperature(1, 0, k), p = met.pressure(1, 0, k);
    // fine particles
    const double lam_so4 = below ? opt.fine.below_a_per_s * std::pow(precip, opt.fine.below_b)
                                 : drain * opt.fine.activated;
    EXPECT_NEAR(s.tracers[kSO4](1, 0, k), before.tracers[kSO4](1, 0, k) * std::exp(-lam_so4 * dt),
                1e-13 * before.tracers[kSO4](1, 0, k))
        << "k " << k;
    const double lam_pmc = below ? opt.coarse.below_a_per_s * std::pow(precip, opt.coarse.below_b)
                                 : drain * opt.coarse.activated;
    EXPECT_NEAR(s.tracers[kPMC](1, 0, k), before.tracers[kPMC](1, 0, k) * std::exp(-lam_pmc * dt),
                1e-13 * before.tracers[kPMC](1, 0, k));
    // HNO3 (TNO3 all gas): mass-transfer limit below cloud, fully dissolved in cloud
    const double lam_hno3 = below ? hand_mass_transfer(precip, 1.9, t, p, rho) : drain;
    EXPECT_NEAR(s.tracers[kTNO3](1, 0, k),
                before.tracers[kTNO3](1, 0, k) * std::exp(-lam_hno3 * dt),
                1e-12 * before.tracers[kTNO3](1, 0, k))
        << "k " << k;
    // insoluble gases untouched
    EXPECT_EQ(s.tracers[kCO](1, 0, k), before.tracers[kCO](1, 0, k));
    EXPECT_EQ(s.tracers[kNO2](1, 0, k), before.tracers[kNO2](1, 0, k));
    if (k == 0)
      std::printf(
          "below cloud at 2 mm/h: fine %.3e, coarse %.3e, HNO3 %.3e s-1; in cloud %.3e s-1\n",
          lam_so4, lam_pmc, lam_hno3, drain);
  }
  // One step of 2 dt equals two steps of dt (exact exponential, no splitting error).
  State a = before, b = before;
  std::vector<double> da, db;
  wet.apply(a, met, PhaseSplit{}, 2.0 * dt, da);
  wet.apply(b, met, PhaseSplit{}, dt, db);
  wet.apply(b, met, PhaseSplit{}, dt, db);
  for (int n = 0; n < kNumTracers; ++n)
    for (int k = 0; k < met.nz; ++k)
      EXPECT_NEAR(a.tracers[n](0, 1, k), b.tracers[n](0, 1, k), 1e-13 * a.tracers[n](0, 1, k));
}

TEST(DepositionWet, CloudWaterSetsInCloudRateAndSolubility) {
  const int nx = 1, ny = 1;
  MetRecord met = make_met(nx, ny);
  const double precip = 1.0;
  met.precip.fill(precip);
  // cloud in layers 4 and 5 (400-1100 m)
  met.cloud_water(0, 0, 4) = 1.5e-3;
  met.cloud_water(0, 0, 5) = 1.0e-3;
  DepositionOptions opt;
  WetScavenging wet(nx, ny, met.nz, opt);
  std::vector<Field> lam;
  Field f_tnh3("f", "1", nx, ny, met.nz, 0, 0.25);
  PhaseSplit split;
  split.gas_fraction[kTNH3] = &f_tnh3;
  wet.rates(met, split, lam);
  const double lwp = met.density(0, 0, 4) * 1.5e-3 * 300.0 + met.density(0, 0, 5) * 1e-3 * 400.0;
  ASSERT_GT(lwp, opt.assumed_cloud_lwc * 1e-3 * 2500.0);  // above the water-path floor
  const double drain = precip / 3600.0 / lwp;
  // in cloud
  for (int k : {4, 5}) {
    EXPECT_NEAR(lam[kTNO3](0, 0, k), drain, 1e-14 * drain);
    EXPECT_NEAR(lam[kSO4](0, 0, k), opt.fine.activated * drain, 1e-14 * drain);
    const double hd = dep::so2_effective_henry(273.15, opt.rain_ph) * 0.082057366 * 273.15;
    const double hl = hd * met.density(0, 0, k) * met.cloud_water(0, 0, k) / 1000.0;
    EXPECT_NEAR(lam[kSO2](0, 0, k), drain * hl / (1.0 + hl), 1e-12 * drain);
    EXPECT_NEAR(lam[kTNH3](0, 0, k), 0.25 * drain + 0.75 * opt.fine.activated * drain,
                1e-14 * drain);
  }
  // above the cloud: nothing
  for (int k = 6; k < met.nz; ++k)
    for (int n = 0; n < kNumTracers; ++n) EXPECT_EQ(lam[n](0, 0, k), 0.0);
  // below: HNO3 at the mass-transfer limit, SO2 limited by saturation of the drops over the
  // 400 m rain shaft, insoluble gases zero, coarse faster than fine.
  for (int k = 0; k < 4; ++k) {
    const double rho = met.density(0, 0, k), t = 273.15, p = met.pressure(0, 0, k);
    const double mt = hand_mass_transfer(precip, 1.9, t, p, rho);
    EXPECT_NEAR(lam[kTNO3](0, 0, k), mt, 1e-12 * mt);
    const double hd = dep::so2_effective_henry(t, opt.rain_ph) * 0.082057366 * t;
    const double leq = precip / 3.6e6 * hd / 400.0;
    EXPECT_NEAR(lam[kSO2](0, 0, k), 1.0 / (1.0 / mt + 1.0 / leq), 1e-12 * mt);
    EXPECT_GT(lam[kSO2](0, 0, k), 0.0);
    EXPECT_LT(lam[kSO2](0, 0, k), lam[kTNO3](0, 0, k));
    EXPECT_GT(lam[kSV1](0, 0, k), 0.0);
    for (int n : {kNO, kNO2, kCO, idx(Tracer::kVocAlk), idx(Tracer::kVocAro2)})
      EXPECT_EQ(lam[n](0, 0, k), 0.0);
    EXPECT_GT(lam[kPMC](0, 0, k), lam[kSO4](0, 0, k));
  }
  // Magnitudes at 1 mm/h: HNO3 ~1e-4 s-1 (Seinfeld & Pandis 2016, ch. 20).
  EXPECT_GT(lam[kTNO3](0, 0, 0), 3e-5);
  EXPECT_LT(lam[kTNO3](0, 0, 0), 3e-4);
  std::printf("1 mm/h below cloud: HNO3 %.3e, SO2 %.3e, SV1 %.3e, fine %.3e, coarse %.3e s-1\n",
              lam[kTNO3](0, 0, 0), lam[kSO2](0, 0, 0), lam[kSV1](0, 0, 0), lam[kSO4](0, 0, 0),
              lam[kPMC](0, 0, 0));
  // A thin liquid layer is drained no faster than the assumed cloud (water-path floor).
  MetRecord thin = met;
  thin.cloud_water.fill(0.0);
  thin.cloud_water(0, 0, 4) = 1e-4;
  wet.rates(thin, split, lam);
  EXPECT_NEAR(lam[kTNO3](0, 0, 4), precip / 3600.0 / (opt.assumed_cloud_lwc * 1e-3 * 2500.0),
              1e-12);
  // Snow (air below 0 °C): reversibly soluble gases are not retained below cloud.
  MetRecord cold = met;
  cold.temperature.fill(265.0);
  wet.rates(cold, split, lam);
  EXPECT_EQ(lam[kSO2](0, 0, 0), 0.0);
  EXPECT_GT(lam[kTNO3](0, 0, 0), 0.0);
  // Switches.
  DepositionOptions no_ic = opt;
  no_ic.in_cloud = false;
  WetScavenging(nx, ny, met.nz, no_ic).rates(met, split, lam);
  EXPECT_EQ(lam[kSO4](0, 0, 4), 0.0);
  EXPECT_GT(lam[kSO4](0, 0, 0), 0.0);
}

TEST(DepositionWet, RemovedMassEqualsDepositedAndStaysPositive) {
  const int nx = 9, ny = 7;
  MetRecord met = make_met(nx, ny);
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  Field f_gas("f", "1", nx, ny, met.nz, 0);
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      met.precip(i, j, 0) = (i + j) % 3 == 0 ? 0.0 : 10.0 * u01(rng);
      for (int k = 0; k < met.nz; ++k) {
        if ((i * j) % 2 == 1 && k >= 3 && k <= 6) met.cloud_water(i, j, k) = 5e-4 * u01(rng);
        met.temperature(i, j, k) = 262.0 + 16.0 * u01(rng);
        f_gas(i, j, k) = u01(rng);
      }
    }
  PhaseSplit split;
  for (int n : {kTNO3, kTNH3, kSV1, idx(Tracer::kSV2)}) split.gas_fraction[n] = &f_gas;
  State s = make_state(met, 2);
  const std::vector<double> m0 = tracer_mass(s);
  std::vector<double> dep_ug(kNumTracers, 0.0);
  WetScavenging wet(nx, ny, met.nz);
  wet.apply(s, met, split, 3 * 3600.0, dep_ug);
  const std::vector<double> m1 = tracer_mass(s);
  for (int n = 0; n < kNumTracers; ++n) {
    const double removed = m0[n] - m1[n];
    if (kTracerInfo[n].particle_phase || n == kSO2) {
      EXPECT_GT(removed, 1e-3 * m0[n]) << kTracerInfo[n].name;
    }
    EXPECT_NEAR(dep_ug[n], removed, 1e-12 * m0[n]) << kTracerInfo[n].name;
    if (removed > 0.0) {
      EXPECT_NEAR(dep_ug[n] / removed, 1.0, 1e-12) << kTracerInfo[n].name;
    }
    for (int k = 0; k < met.nz; ++k)
      for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) {
          const double q = s.tracers[n](i, j, k);
          ASSERT_TRUE(std::isfinite(q));
          ASSERT_GE(q, 0.0);
        }
  }
  std::printf(
      "3 h of rain: fraction of column mass removed SO2 %.3f, TNO3 %.3f, SO4 %.3f, PMC %.3f\n",
      dep_ug[kSO2] / m0[kSO2], dep_ug[kTNO3] / m0[kTNO3], dep_ug[kSO4] / m0[kSO4],
      dep_ug[kPMC] / m0[kPMC]);
  // Deterministic per cell: the same with one thread and with two.
  const int saved = omp_get_max_threads();
  State a = make_state(met, 2), b = make_state(met, 2);
  std::vector<double> da, db;
  omp_set_num_threads(1);
  wet.apply(a, met, split, 1800.0, da);
  omp_set_num_threads(2);
  wet.apply(b, met, split, 1800.0, db);
  omp_set_num_threads(saved);
  for (int n = 0; n < kNumTracers; ++n) {
    EXPECT_EQ(da[n], db[n]);
    for (std::size_t c = 0; c < a.tracers[n].size(); ++c)
      ASSERT_EQ(a.tracers[n].data()[c], b.tracers[n].data()[c]);
  }
  // Bad time step.
  EXPECT_THROW(wet.apply(a, met, split, -1.0, da), fwaq::NumericalError);
}

}  // namespace

// Tests of the chemistry operator and its parts: solar geometry against published
// values, the mechanism's Jacobian and atom invariants, SOA partitioning against the
// analytic solution, the SO2 + OH lifetime, night-time HNO3 via N2O5, sulfur and
// nitrogen conservation and non-negativity over a season of hourly steps, thread
// independence, failure reporting and the configuration.
#include <gtest/gtest.h>
#include <omp.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "chem/aerosol.hpp"
#include "chem/chemistry.hpp"
#include "chem/mechanism.hpp"
#include "chem/oxidants.hpp"
#include "chem/soa.hpp"
#include "chem/tracers.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/time.hpp"

namespace {

namespace chem = fwaq::chem;
using chem::Tracer;
using fwaq::Field;
using fwaq::TimePoint;

constexpr double kAvogadro = 6.02214076e23;

double ppb_to_ug_kg(double ppb, double molar_mass) {
  return ppb * molar_mass / chem::kMolarAir;
}

/// A small window of cells with uniform, settable meteorology and composition.
struct Box {
  int nx, ny, nz;
  fwaq::MetRecord met;
  fwaq::State state;
  Field lat, lon;

  Box(int nx_, int ny_, int nz_, int halo = 2)
      : nx(nx_),
        ny(ny_),
        nz(nz_),
        lat("lat", "degrees", nx_, ny_, 1, 0),
        lon("lon", "degrees", nx_, ny_, 1, 0) {
    met.allocate(nx, ny, nz);
    state.air_mass = Field("air_mass", "kg", nx, ny, nz, halo, 1e9);
    for (int t = 0; t < chem::kNumTracers; ++t) {
      state.tracers.emplace_back(std::string(chem::kTracerInfo[t].name), "ug kg-1", nx, ny, nz,
                                 halo, 0.0);
    }
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        lat(i, j, 0) = 34.3 + 0.5 * j;  // the Fenwei plain
        lon(i, j, 0) = 108.9 + 0.7 * i;
        met.pblh(i, j, 0) = 600.0;
        met.terrain(i, j, 0) = 400.0;
        met.swdown(i, j, 0) = 0.0;
        for (int k = 0; k <= nz; ++k) met.z_interface(i, j, k) = 150.0 * k;
      }
    }
    set_met(275.0, 0.6, 0.0);
  }
  double& q(Tracer t, int i, int j, int k) { return state.tracers[chem::idx(t)](i, j, k); }

  void set_met(double temp, double rh, double cloud_kg_kg) {
    for (int k = 0; k < nz; ++k) {
      for (int j = 0; j < ny; ++j) {
        for (int i = 0; i < nx; ++i) {
          const double p = 96000.0 - 1500.0 * k;
          met.temperature(i, j, k) = temp - 1.0 * k;
          met.pressure(i, j, k) = p;
          met.density(i, j, k) = p / (287.05 * met.temperature(i, j, k));
          met.rel_humidity(i, j, k) = rh;
          met.cloud_water(i, j, k) = cloud_kg_kg;
        }
      }
    }
  }

  /// Polluted winter composition (mixing ratios from ppb, aerosol in µg kg-1).
  void fill_polluted(double scale = 1.0) {
    for (int k = 0; k < nz; ++k) {
      for (int j = 0; j < ny; ++j) {
        for (int i = 0; i < nx; ++i) {
          const double s = scale * (1.0 + 0.3 * i + 0.2 * j - 0.1 * k);
          q(Tracer::kNO, i, j, k) = ppb_to_ug_kg(10.0 * s, chem::kMolarNO);
          q(Tracer::kNO2, i, j, k) = ppb_to_ug_kg(30.0 * s, chem::kMolarNO2);
          q(Tracer::kSO2, i, j, k) = ppb_to_ug_kg(12.0 * s, chem::kMolarSO2);
          q(Tracer::kCO, i, j, k) = ppb_to_ug_kg(1200.0 * s, chem::kMolarCO);
          q(Tracer::kVocAlk, i, j, k) = ppb_to_ug_kg(20.0 * s, 72.0);
          q(Tracer::kVocOle, i, j, k) = ppb_to_ug_kg(5.0 * s, 42.0);
          q(Tracer::kVocAro1, i, j, k) = ppb_to_ug_kg(5.0 * s, 92.14);
          q(Tracer::kVocAro2, i, j, k) = ppb_to_ug_kg(2.0 * s, 106.17);
          q(Tracer::kTNO3, i, j, k) = 15.0 * s;
          q(Tracer::kTNH3, i, j, k) = 12.0 * s;
          q(Tracer::kSO4, i, j, k) = 20.0 * s;
          q(Tracer::kPOA, i, j, k) = 15.0 * s;
          q(Tracer::kBC, i, j, k) = 4.0 * s;
          q(Tracer::kOPM, i, j, k) = 15.0 * s;
          q(Tracer::kSV1, i, j, k) = 1.0 * s;
          q(Tracer::kSV2, i, j, k) = 3.0 * s;
          q(Tracer::kPMC, i, j, k) = 30.0 * s;
        }
      }
    }
  }
};

/// Sulfur and nitrogen of a cell [µmol kg-1].
double sulfur(Box& b, int i, int j, int k) {
  return b.q(Tracer::kSO2, i, j, k) / chem::kMolarSO2 +
         b.q(Tracer::kSO4, i, j, k) / chem::kMolarSO4;
}
double nitrogen(Box& b, const chem::LocalChemState& l, int i, int j, int k) {
  return b.q(Tracer::kNO, i, j, k) / chem::kMolarNO + b.q(Tracer::kNO2, i, j, k) / chem::kMolarNO2 +
         b.q(Tracer::kTNO3, i, j, k) / chem::kMolarHNO3 + l.no3(i, j, k) / chem::kMolarNO3 +
         2.0 * l.n2o5(i, j, k) / chem::kMolarN2O5;
}

// ---------------------------------------------------------------------------------------------
// Solar geometry and photolysis

TEST(ChemZenith, DeclinationAndEquationOfTimeMatchMeeus) {
  // Meeus (1998), Astronomical Algorithms, example 25.a (1992 October 13.0 TD):
  // apparent declination −7.78507° (low-accuracy method); example 28.b: equation of
  // time +13 min 42.6 s.
  const TimePoint t = fwaq::parse_time("1992-10-13T00:00:00");
  const chem::SunPosition s = chem::sun_position(static_cast<double>(t.time_since_epoch().count()));
  std::printf("1992-10-13 0h: declination %.5f deg, equation of time %.3f min\n",
              s.declination_rad * 180.0 / std::numbers::pi, s.equation_of_time_min);
  EXPECT_NEAR(s.declination_rad * 180.0 / std::numbers::pi, -7.78507, 0.005);
  EXPECT_NEAR(s.equation_of_time_min, 13.0 + 42.6 / 60.0, 0.05);
}

TEST(ChemZenith, ZenithAngleMatchesSpaExample) {
  // Reda & Andreas (2004, NREL/TP-560-34302), example: 2003-10-17 12:30:30 local time
  // (UTC−7) at 39.742476° N, 105.1786° W: topocentric zenith 50.11162° including
  // 0.0167° of refraction for its 820 hPa and 11 °C, i.e. 50.128° geometric.
  const double z =
      chem::solar_zenith_deg(fwaq::parse_time("2003-10-17T19:30:30"), 39.742476, -105.1786);
  std::printf("SPA example: zenith %.4f deg\n", z);
  EXPECT_NEAR(z, 50.11162 + 0.0167, 0.02);
  // Xi'an at local solar noon of the December solstice: zenith = latitude − declination
  // (−23.44°) within the equation-of-time and declination accuracy.
  double best = 180.0;
  for (int m = 0; m < 120; ++m) {
    const TimePoint t = fwaq::parse_time("2019-12-22T03:00:00") + std::chrono::minutes(m);
    best = std::min(best, chem::solar_zenith_deg(t, 34.27, 108.95));
  }
  std::printf("Xi'an solstice noon: zenith %.4f deg\n", best);
  EXPECT_NEAR(best, 34.27 + 23.44, 0.02);
}

TEST(ChemZenith, PhotolysisAndOhFollowTheSun) {
  // MCM v3 J(NO2) overhead: 1.165e-2 × exp(−0.267).
  EXPECT_NEAR(chem::clear_sky_photolysis(1.0).no2, 1.165e-2 * std::exp(-0.267), 1e-15);
  EXPECT_EQ(chem::clear_sky_photolysis(-0.1).no2, 0.0);
  chem::OxidantOptions o;
  // At the reference zenith angle under clear sky: night + reference value.
  const double c60 = std::cos(60.0 * std::numbers::pi / 180.0);
  EXPECT_NEAR(chem::oh_concentration(c60, 1.0, o), o.oh_night + o.oh_reference, 1.0);
  EXPECT_EQ(chem::oh_concentration(-0.2, 1.0, o), o.oh_night);
  // Halving the light lowers the day term by 0.5^0.68.
  EXPECT_NEAR(chem::oh_concentration(c60, 0.5, o) - o.oh_night,
              o.oh_reference * std::pow(0.5, 0.68), 1.0);
  // The clear-sky shortwave of FAO-56 gives attenuation 1 and half of it 0.5.
  const double clear = chem::clear_sky_shortwave(0.5, 1.0, 400.0);
  EXPECT_NEAR(clear, 0.758 * 1361.0 * 0.5, 1e-9);
  EXPECT_NEAR(chem::radiation_attenuation(0.5 * clear, 0.5, 1.0, 400.0), 0.5, 1e-12);
}

// ---------------------------------------------------------------------------------------------
// Mechanism

chem::CellConditions busy_conditions() {
  chem::CellConditions c;
  c.temperature_K = 268.0;
  c.pressure_Pa = 95000.0;
  c.air_number_density = 95000.0 / (1.380649e-23 * 268.0) * 1e-6;
  c.oh = 2e6;
  c.j_no2 = 5e-3;
  c.j_no3_no2 = 0.1;
  c.j_no3_no = 0.015;
  c.k_n2o5_het = 3e-4;
  c.k_so2_het = 2e-5;
  c.lwc_vol = 1e-7;
  c.relax_rate = 1.0 / 21600.0;
  c.yields = chem::ChemistryOptions{}.yields;
  return c;
}

/// Compares the analytic Jacobian of System (core and product blocks) with central
/// differences; every rate is at most bilinear, so central differences are exact up
/// to round-off for any step, and a large step keeps the round-off small.
template <class System>
void check_jacobian(const chem::CellConditions& c) {
  const System sys(chem::rate_constants(c));
  constexpr int nc = System::kCore, n = System::kSize;
  std::array<double, n> y{};
  for (int s = 0; s < n; ++s) y[s] = 0.5 + 3.0 * std::sin(1.0 + s) * std::sin(1.0 + s);
  typename System::CoreMatrix jcc;
  std::array<double, System::kProdNnz> jp;
  sys.jacobian(y.data(), jcc, nullptr, jp.data());
  for (int col = 0; col < n; ++col) {
    auto yp = y, ym = y;
    const double h = 0.25 * y[col];
    yp[col] += h;
    ym[col] -= h;
    std::array<double, n> fp, fm;
    sys.rhs(yp.data(), fp.data());
    sys.rhs(ym.data(), fm.data());
    for (int row = 0; row < n; ++row) {
      const double fd = (fp[row] - fm[row]) / (2.0 * h);
      double an = 0.0;  // products and product columns: nothing depends on a product
      if (row < nc && col < nc) {
        an = jcc(row, col);
      } else if (row >= nc) {
        for (int e = 0; e < System::kProdNnz; ++e) {
          const auto& pe = System::kProdPattern[e];
          if (pe.row == row - nc && pe.col == col) an += jp[e];
        }
      }
      EXPECT_NEAR(an, fd,
                  1e-10 * std::abs(fd) + 1e-14 * (std::abs(fp[row]) + std::abs(fm[row])) / h)
          << (nc == 8 ? "wet " : "dry ") << chem::species_name(System::Layout::kGlobal[row])
          << " / " << chem::species_name(System::Layout::kGlobal[col]);
    }
  }
}

TEST(ChemMechanism, AnalyticJacobianMatchesFiniteDifferences) {
  check_jacobian<chem::CellSystem>(busy_conditions());
  auto dry = busy_conditions();
  dry.lwc_vol = 0.0;
  check_jacobian<chem::DryCellSystem>(dry);
  // The dry system refuses aqueous rates.
  EXPECT_THROW(chem::DryCellSystem(chem::rate_constants(busy_conditions())), std::invalid_argument);
}

TEST(ChemMechanism, EveryReactionKeepsNitrogenAndSulfur) {
  using Sys = chem::CellSystem;
  const Sys sys(chem::rate_constants(busy_conditions()));
  std::array<double, Sys::kSize> y{}, f{};
  for (int s = 0; s < Sys::kSize; ++s) y[s] = 1.0 + s;
  sys.rhs(y.data(), f.data());
  double scale = 0.0;
  for (double v : f) scale = std::max(scale, std::abs(v));
  EXPECT_NEAR(Sys::nitrogen(f.data()), 0.0, 1e-15 * scale);
  EXPECT_NEAR(Sys::sulfur(f.data()), 0.0, 1e-15 * scale);
  // The projection moves a negative member's deficit to its partners.
  auto z = y;
  z[Sys::Layout::kLocal[chem::kSpNO]] = -0.01;
  z[Sys::Layout::kLocal[chem::kSpSO2]] = -0.02;
  const double n0 = Sys::nitrogen(z.data()), s0 = Sys::sulfur(z.data());
  sys.project(z.data());
  for (double v : z) EXPECT_GE(v, 0.0);
  EXPECT_NEAR(Sys::nitrogen(z.data()), n0, 1e-14 * n0);
  EXPECT_NEAR(Sys::sulfur(z.data()), s0, 1e-14 * s0);
}

TEST(ChemMechanism, FirstOrderPartIsExactAndKeepsSulfur) {
  auto c = busy_conditions();
  c.lwc_vol = 0.0;
  const chem::RateConstants k = chem::rate_constants(c);
  std::array<double, chem::kNumSpecies> y{};
  y[chem::kSpCO] = 1000.0;
  y[chem::kSpALK] = 20.0;
  y[chem::kSpARO1] = 5.0;
  y[chem::kSpSO2] = 10.0;
  y[chem::kSpH2O2] = 1.0;
  const double dt = 3600.0;
  chem::advance_first_order(k, dt, false, y.data());
  EXPECT_NEAR(y[chem::kSpCO], 1000.0 * std::exp(-k.k_co_oh * dt), 1e-12 * 1000.0);
  const double so2 = 10.0 * std::exp(-(k.k_so2_oh + k.k_so2_het) * dt);
  EXPECT_NEAR(y[chem::kSpSO2], so2, 1e-13 * 10.0);
  EXPECT_NEAR(chem::sulfur_ppb(y.data()), 10.0, 1e-14 * 10.0);
  EXPECT_NEAR(y[chem::kSpSulfGas] / y[chem::kSpSulfHet], k.k_so2_oh / k.k_so2_het, 1e-12);
  const double eq = c.h2o2_clim_ppb;
  EXPECT_NEAR(y[chem::kSpH2O2], eq + (1.0 - eq) * std::exp(-c.relax_rate * dt), 1e-14);
  // SV from the alkane and aromatic lost, with the stoichiometric mass yields.
  const double alk_lost = 20.0 * -std::expm1(-k.k_alk_oh * dt);
  const double aro_lost = 5.0 * -std::expm1(-k.k_aro1_oh * dt);
  EXPECT_NEAR(
      y[chem::kSpSV1],
      k.sv_per_ppb[0][chem::kVocAlk] * alk_lost + k.sv_per_ppb[0][chem::kVocAro1] * aro_lost,
      1e-14);
  // With liquid water SO2 and H2O2 belong to the coupled part and stay untouched.
  std::array<double, chem::kNumSpecies> w{};
  w[chem::kSpSO2] = 10.0;
  w[chem::kSpH2O2] = 1.0;
  chem::advance_first_order(k, dt, true, w.data());
  EXPECT_EQ(w[chem::kSpSO2], 10.0);
  EXPECT_EQ(w[chem::kSpH2O2], 1.0);
}

TEST(ChemMechanism, AqueousPathwaysOnlyWithLiquidWater) {
  auto c = busy_conditions();
  const auto wet = chem::rate_constants(c);
  c.lwc_vol = 0.0;
  const auto dry = chem::rate_constants(c);
  EXPECT_GT(wet.k_so2_h2o2, 0.0);
  EXPECT_GT(wet.k_so2_o3, 0.0);
  EXPECT_EQ(dry.k_so2_h2o2, 0.0);
  EXPECT_EQ(dry.k_so2_o3, 0.0);
  // S(IV) + H2O2 is nearly pH independent, S(IV) + O3 rises steeply with pH
  // (Seinfeld & Pandis 2016, ch. 7).
  c.lwc_vol = 1e-7;
  c.cloud_ph = 4.0;
  const auto acid = chem::rate_constants(c);
  c.cloud_ph = 6.0;
  const auto basic = chem::rate_constants(c);
  EXPECT_NEAR(basic.k_so2_h2o2 / acid.k_so2_h2o2, 1.0, 0.6);
  EXPECT_GT(basic.k_so2_o3 / acid.k_so2_o3, 100.0);
}

// ---------------------------------------------------------------------------------------------
// SOA and aerosol

TEST(ChemSoa, OneProductMatchesAnalyticAbsorptivePartitioning) {
  // C = M0 + A C/(C + C*)  ⇔  C² + (C* − M0 − A) C − M0 C* = 0.
  for (double a : {0.5, 5.0, 50.0}) {
    for (double m0 : {0.0, 2.0, 30.0}) {
      for (double cstar : {1.0, 10.0, 100.0}) {
        const double b = cstar - m0 - a;
        double c = 0.5 * (-b + std::sqrt(b * b + 4.0 * m0 * cstar));
        if (m0 == 0.0) c = std::max(a - cstar, 0.0);
        const chem::SoaPartition p = chem::partition_soa({a, 0.0}, {cstar, 100.0}, m0);
        EXPECT_NEAR(p.coa, c, 1e-12 * std::max(c, 1.0)) << a << " " << m0 << " " << cstar;
        EXPECT_NEAR(p.soa, c - m0, 1e-12 * std::max(c, 1.0));
        EXPECT_NEAR(p.particle_fraction[0], c > 0 ? c / (c + cstar) : 0.0, 1e-12);
      }
    }
  }
  // Clausius–Clapeyron: C*(298) unchanged; colder → less volatile.
  EXPECT_DOUBLE_EQ(chem::saturation_concentration(1.0, 30.0, 298.0), 1.0);
  EXPECT_NEAR(chem::saturation_concentration(1.0, 30.0, 268.0),
              298.0 / 268.0 * std::exp(-30.0 / 8.314462618e-3 * (1.0 / 268.0 - 1.0 / 298.0)),
              1e-14);
}

TEST(ChemAerosol, SurfaceAreaOfTheLognormalDistribution) {
  chem::AerosolOptions o;
  // 100 µg m-3 at 1.6 g cm-3: V = 62.5 µm3 cm-3; S = 6V/D_s with D_s = 0.15 µm ×
  // exp(2.5 ln² 1.8).
  const chem::AerosolSurface s = chem::aerosol_surface(100.0, 0.0, o);
  const double ds = 0.15e-4 * std::exp(2.5 * std::log(1.8) * std::log(1.8));
  EXPECT_NEAR(s.area_cm2_cm3, 6.0 * 62.5e-12 / ds, 1e-18);
  // Water grows the particles at fixed number: area ∝ V^(2/3).
  const chem::AerosolSurface w = chem::aerosol_surface(100.0, 62.5 * 7.0, o);
  EXPECT_NEAR(w.area_cm2_cm3 / s.area_cm2_cm3, 4.0, 1e-12);
  // γ(N2O5): dilute nitrate-free solution A β (1 − e^(−δ 55.5)); nitrate suppresses it.
  o.gamma_n2o5_max = 1.0;
  const double g0 = chem::gamma_n2o5(1000.0, 0.0, 0.0, o);
  EXPECT_NEAR(g0, 3.2e-8 * 1.15e6 * (1.0 - std::exp(-0.13 * 1e3 / 18.015)), 1e-12);
  EXPECT_LT(chem::gamma_n2o5(100.0, 100.0, 1.0, o), 0.5 * g0);
  EXPECT_EQ(chem::gamma_n2o5(0.0, 100.0, 1.0, o), o.gamma_n2o5_min);
  EXPECT_EQ(chem::gamma_so2(0.3, o), 1e-5);
  EXPECT_NEAR(chem::gamma_so2(0.8, o), 1e-4, 1e-18);
  EXPECT_EQ(chem::gamma_so2(0.99, o), 2e-4);
}

// ---------------------------------------------------------------------------------------------
// The operator

TEST(ChemOperator, SulfurDioxideLifetimeIsOneOverKOh) {
  Box b(1, 1, 1);
  b.fill_polluted();
  b.set_met(270.0, 0.5, 0.0);
  chem::ChemistryOptions o;
  o.oxidants.oh_reference = 0.0;  // OH constant day and night
  o.oxidants.oh_night = 2e6;
  o.aerosol.gamma_so2_low = o.aerosol.gamma_so2_mid = o.aerosol.gamma_so2_high = 0.0;
  chem::ChemistryOperator op(1, 1, 1, o);
  const TimePoint t0 = fwaq::parse_time("2019-12-10T00:00:00");
  b.met.time = t0;
  auto local = op.initial_local_state(b.met, b.lat, b.lon, t0);
  const double so2_0 = b.q(Tracer::kSO2, 0, 0, 0), so4_0 = b.q(Tracer::kSO4, 0, 0, 0);
  double so4_gas = 0.0;
  for (int h = 0; h < 24; ++h) {
    const auto st =
        op.apply(b.state, local, b.met, b.lat, b.lon, t0 + std::chrono::hours(h), 3600.0, 0, 0);
    so4_gas += st.sulfate_gas_ug;
    EXPECT_EQ(st.sulfate_aqueous_ug, 0.0);
    EXPECT_EQ(st.sulfate_het_ug, 0.0);
  }
  // Independent reference: JPL 19-5 termolecular form.
  const double t = 270.0, rho = b.met.density(0, 0, 0);
  const double m = rho * 1e3 / chem::kMolarAir * kAvogadro * 1e-6;
  const double k0m = 2.9e-31 * std::pow(t / 300.0, -4.1) * m,
               kinf = 1.7e-12 * std::pow(t / 300.0, 0.2);
  const double lg = std::log10(k0m / kinf);
  const double k = k0m / (1.0 + k0m / kinf) * std::pow(0.6, 1.0 / (1.0 + lg * lg));
  const double expected = so2_0 * std::exp(-k * 2e6 * 86400.0);
  // Without liquid water SO2 is integrated exactly: agreement to round-off.
  EXPECT_NEAR(b.q(Tracer::kSO2, 0, 0, 0), expected, 1e-10 * expected);
  EXPECT_LT(b.q(Tracer::kSO2, 0, 0, 0), 0.9 * so2_0);  // the decay is substantial
  // The sulfate made is the SO2 lost, and the pathway total matches it.
  const double made = b.q(Tracer::kSO4, 0, 0, 0) - so4_0;
  EXPECT_NEAR(made / chem::kMolarSO4, (so2_0 - b.q(Tracer::kSO2, 0, 0, 0)) / chem::kMolarSO2,
              1e-12 * so2_0);
  EXPECT_NEAR(so4_gas, made * b.state.air_mass(0, 0, 0), 1e-9 * so4_gas);
}

TEST(ChemOperator, NightChemistryMakesNitricAcidViaN2O5WithoutOh) {
  for (bool uptake : {true, false}) {
    Box b(2, 1, 1);
    b.fill_polluted();
    for (int i = 0; i < 2; ++i) {
      b.q(Tracer::kNO, i, 0, 0) = 0.0;
      b.q(Tracer::kVocOle, i, 0, 0) = 0.0;  // no NO3 + alkene nitrate
    }
    b.set_met(272.0, 0.75, 0.0);
    chem::ChemistryOptions o;
    o.oxidants.oh_night = 0.0;  // no OH at all at night
    if (!uptake) o.aerosol.gamma_n2o5_min = o.aerosol.gamma_n2o5_max = 0.0;
    chem::ChemistryOperator op(2, 1, 1, o);
    const TimePoint t0 = fwaq::parse_time("2019-12-10T15:00:00");  // 22:15 local solar time
    b.met.time = t0;
    auto local = op.initial_local_state(b.met, b.lat, b.lon, t0);
    const double tno3_0 = b.q(Tracer::kTNO3, 0, 0, 0), tno3_1 = b.q(Tracer::kTNO3, 1, 0, 0);
    double night = 0.0, day = 0.0;
    for (int h = 0; h < 3; ++h) {
      const auto st =
          op.apply(b.state, local, b.met, b.lat, b.lon, t0 + std::chrono::hours(h), 3600.0, 0, 0);
      night += st.hno3_night_ug;
      day += st.hno3_day_ug;
    }
    auto diag = chem::ChemistryOperator::make_diagnostics(2, 1, 1);
    op.diagnose(b.state, local, b.met, diag, 0, 1);
    EXPECT_EQ(diag.oh(0, 0, 0), 0.0);
    EXPECT_EQ(day, 0.0);
    EXPECT_GT(local.n2o5(0, 0, 0), 0.0);
    EXPECT_GT(local.no3(0, 0, 0), 0.0);
    if (uptake) {
      EXPECT_GT(b.q(Tracer::kTNO3, 0, 0, 0) - tno3_0, 0.05);  // [µg kg-1]
      EXPECT_GT(night, 0.0);
      const double made = b.q(Tracer::kTNO3, 0, 0, 0) - tno3_0 + b.q(Tracer::kTNO3, 1, 0, 0) -
                          tno3_1;  // [µg kg-1], air mass 1e9 kg per cell
      EXPECT_NEAR(night, made * 1e9, 1e-9 * night);
    } else {
      EXPECT_EQ(b.q(Tracer::kTNO3, 0, 0, 0), tno3_0);
      EXPECT_EQ(night, 0.0);
    }
  }
}

TEST(ChemOperator, SeasonOfHourlyStepsConservesSulfurAndNitrogenAndStaysPositive) {
  // 4392 hourly steps (1 October - 31 March) of 8 cells with a diurnal cycle, a
  // seasonal cooling, fog and cloud spells, day and night; NO, NO2 and SO2 are added
  // every hour (as emissions would) so the chemistry stays active all season.
  const int nx = 2, ny = 2, nz = 2;
  Box b(nx, ny, nz);
  b.fill_polluted(0.5);
  chem::ChemistryOperator op(nx, ny, nz);
  const TimePoint t0 = fwaq::parse_time("2019-10-01T00:00:00");
  b.met.time = t0;
  auto local = op.initial_local_state(b.met, b.lat, b.lon, t0);
  std::vector<double> s_exp, n_exp;
  for (int k = 0; k < nz; ++k) {
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        s_exp.push_back(sulfur(b, i, j, k));
        n_exp.push_back(nitrogen(b, local, i, j, k));
      }
    }
  }
  double min_value = 0.0, so4_aq = 0.0, so4_het = 0.0, night = 0.0, soa = 0.0;
  const int steps = 4392;
  for (int h = 0; h < steps; ++h) {
    const TimePoint t = t0 + std::chrono::hours(h);
    const double frac = static_cast<double>(h) / steps, hour = std::fmod(h + 7.3, 24.0);
    const double temp = 285.0 - 17.0 * std::sin(std::numbers::pi * frac) +
                        5.0 * std::sin(2.0 * std::numbers::pi * (hour - 9.0) / 24.0);
    const double rh = 0.75 + 0.24 * std::sin(0.37 * h) * std::cos(0.011 * h);
    const double cloud = (h / 24) % 9 == 4 ? 2e-4 : 0.0;
    b.set_met(temp, rh, cloud);
    b.met.time = t;
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        const double cz = std::max(0.0, std::sin(2.0 * std::numbers::pi * (hour - 6.0) / 24.0));
        b.met.swdown(i, j, 0) = 500.0 * cz * (0.3 + 0.7 * (0.5 + 0.5 * std::sin(0.05 * h + i)));
      }
    }
    // Emissions [µg kg-1 per hour] and a 1 % per hour removal of the secondary
    // products (as deposition would), both booked in the expected totals.
    int c = 0;
    for (int k = 0; k < nz; ++k) {
      for (int j = 0; j < ny; ++j) {
        for (int i = 0; i < nx; ++i, ++c) {
          const double e = (k == 0 ? 1.0 : 0.2) * (1.0 + 0.5 * std::sin(0.26 * h + c));
          b.q(Tracer::kNO, i, j, k) += 0.4 * e;
          b.q(Tracer::kNO2, i, j, k) += 0.1 * e;
          b.q(Tracer::kSO2, i, j, k) += 0.3 * e;
          n_exp[c] += 0.4 * e / chem::kMolarNO + 0.1 * e / chem::kMolarNO2;
          s_exp[c] += 0.3 * e / chem::kMolarSO2;
          const double so4_out = 0.01 * b.q(Tracer::kSO4, i, j, k);
          const double tno3_out = 0.01 * b.q(Tracer::kTNO3, i, j, k);
          b.q(Tracer::kSO4, i, j, k) -= so4_out;
          b.q(Tracer::kTNO3, i, j, k) -= tno3_out;
          s_exp[c] -= so4_out / chem::kMolarSO4;
          n_exp[c] -= tno3_out / chem::kMolarHNO3;
          b.q(Tracer::kVocAlk, i, j, k) += 0.5 * e;
          b.q(Tracer::kVocOle, i, j, k) += 0.2 * e;
          b.q(Tracer::kVocAro1, i, j, k) += 0.2 * e;
          b.q(Tracer::kVocAro2, i, j, k) += 0.1 * e;
          b.q(Tracer::kCO, i, j, k) += 10.0 * e;
          b.q(Tracer::kSV1, i, j, k) *= 0.99;
          b.q(Tracer::kSV2, i, j, k) *= 0.99;
        }
      }
    }
    const auto st = op.apply(b.state, local, b.met, b.lat, b.lon, t, 3600.0, 0, 0);
    so4_aq += st.sulfate_aqueous_ug;
    so4_het += st.sulfate_het_ug;
    night += st.hno3_night_ug;
    soa += st.soa_formed_ug;
    for (const Field& f : b.state.tracers) {
      for (int k = 0; k < nz; ++k)
        for (int j = 0; j < ny; ++j)
          for (int i = 0; i < nx; ++i) min_value = std::min(min_value, f(i, j, k));
    }
    for (const Field* f : {&local.o3, &local.no3, &local.n2o5, &local.h2o2}) {
      for (std::size_t q = 0; q < f->size(); ++q) min_value = std::min(min_value, f->data()[q]);
    }
  }
  int c = 0;
  double worst_s = 0.0, worst_n = 0.0;
  for (int k = 0; k < nz; ++k) {
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i, ++c) {
        worst_s = std::max(worst_s, std::abs(sulfur(b, i, j, k) / s_exp[c] - 1.0));
        worst_n = std::max(worst_n, std::abs(nitrogen(b, local, i, j, k) / n_exp[c] - 1.0));
      }
    }
  }
  EXPECT_LT(worst_s, 1e-12);
  EXPECT_LT(worst_n, 1e-12);
  EXPECT_GE(min_value, 0.0);
  // Every pathway was active in the season.
  EXPECT_GT(so4_aq, 0.0);
  EXPECT_GT(so4_het, 0.0);
  EXPECT_GT(night, 0.0);
  EXPECT_GT(soa, 0.0);
  std::printf("season: max relative S error %.2e, N error %.2e\n", worst_s, worst_n);
}

TEST(ChemOperator, ResultsDoNotDependOnThreadCount) {
  const int nx = 6, ny = 4, nz = 4;  // 96 cells: enough for the operator to use threads
  std::vector<std::vector<double>> results;
  const int saved = omp_get_max_threads();
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    Box b(nx, ny, nz);
    b.fill_polluted();
    b.set_met(270.0, 0.97, 0.0);
    b.met.rel_humidity(1, 1, 0) = 0.99;  // fog in one cell
    chem::ChemistryOperator op(nx, ny, nz);
    const TimePoint t0 = fwaq::parse_time("2019-12-10T02:00:00");
    b.met.time = t0;
    for (int i = 0; i < nx; ++i) b.met.swdown(i, 0, 0) = 150.0 + 50.0 * i;
    auto local = op.initial_local_state(b.met, b.lat, b.lon, t0);
    (void)op.apply(b.state, local, b.met, b.lat, b.lon, t0, 3600.0, 0, 0);
    std::vector<double> all;
    for (const Field& f : b.state.tracers) all.insert(all.end(), f.data(), f.data() + f.size());
    for (const Field* f : {&local.o3, &local.no3, &local.n2o5, &local.h2o2}) {
      all.insert(all.end(), f->data(), f->data() + f->size());
    }
    results.push_back(all);
  }
  omp_set_num_threads(saved);
  EXPECT_TRUE(results[0] == results[1]);
  EXPECT_TRUE(results[0] == results[2]);
}

TEST(ChemOperator, DiagnosticsSplitTheTotals) {
  Box b(3, 2, 2);
  b.fill_polluted();
  b.set_met(268.0, 0.8, 0.0);
  chem::ChemistryOperator op(3, 2, 2);
  const TimePoint t0 = fwaq::parse_time("2020-01-15T04:00:00");
  b.met.time = t0;
  b.met.swdown.fill(300.0);
  auto local = op.initial_local_state(b.met, b.lat, b.lon, t0);
  (void)op.apply(b.state, local, b.met, b.lat, b.lon, t0, 3600.0, 0, 0);
  auto d = chem::ChemistryOperator::make_diagnostics(3, 2, 2);
  op.diagnose(b.state, local, b.met, d, 0, 2);
  for (int k = 0; k < 2; ++k) {
    for (int j = 0; j < 2; ++j) {
      for (int i = 0; i < 3; ++i) {
        const double rho = b.met.density(i, j, k);
        const double tno3 = b.q(Tracer::kTNO3, i, j, k) * rho;  // [µg m-3] as HNO3
        EXPECT_NEAR(d.hno3_g(i, j, k) + d.no3_p(i, j, k) * chem::kMolarHNO3 / chem::kMolarNO3, tno3,
                    1e-12 * tno3);
        EXPECT_NEAR(d.gas_frac_tno3(i, j, k), d.hno3_g(i, j, k) / tno3, 1e-12);
        for (const Field* f :
             {&d.gas_frac_tno3, &d.gas_frac_tnh3, &d.gas_frac_sv1, &d.gas_frac_sv2}) {
          EXPECT_GE((*f)(i, j, k), 0.0);
          EXPECT_LE((*f)(i, j, k), 1.0);
        }
        // SV1 (C* ~ 1) is more particulate than SV2 (C* ~ 100).
        EXPECT_LT(d.gas_frac_sv1(i, j, k), d.gas_frac_sv2(i, j, k));
        const double sv = (b.q(Tracer::kSV1, i, j, k) * (1.0 - d.gas_frac_sv1(i, j, k)) +
                           b.q(Tracer::kSV2, i, j, k) * (1.0 - d.gas_frac_sv2(i, j, k))) *
                          rho;
        EXPECT_NEAR(d.soa(i, j, k), sv, 1e-12 * sv);
        EXPECT_NEAR(d.o3(i, j, k), local.o3(i, j, k) * rho, 1e-12 * d.o3(i, j, k));
        EXPECT_GT(d.oh(i, j, k), 1e6);  // daytime (12 local solar time)
      }
    }
  }
}

TEST(ChemOperator, FailureIsReportedWithTheCell) {
  Box b(2, 2, 1);
  b.fill_polluted();
  chem::ChemistryOptions o;
  o.max_steps = 1;
  chem::ChemistryOperator op(2, 2, 1, o);
  const TimePoint t0 = fwaq::parse_time("2019-12-10T04:00:00");
  b.met.time = t0;
  b.met.swdown.fill(300.0);
  auto local = op.initial_local_state(b.met, b.lat, b.lon, t0);
  try {
    (void)op.apply(b.state, local, b.met, b.lat, b.lon, t0, 3600.0, 10, 20);
    FAIL() << "expected NumericalError";
  } catch (const fwaq::NumericalError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("(10, 20, 0)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("too_many_steps"), std::string::npos) << msg;
    EXPECT_NE(msg.find("2019-12-10T04:00:00Z"), std::string::npos) << msg;
  }
  // Wrong shapes are refused.
  chem::ChemistryOperator op3(3, 2, 1);
  EXPECT_THROW((void)op3.apply(b.state, local, b.met, b.lat, b.lon, t0, 3600.0, 0, 0),
               std::invalid_argument);
}

TEST(ChemOptions, ReadFromTheCaseFile) {
  const auto cfg = fwaq::Config::from_string(
      "chemistry:\n  rtol: 1.0e-4\n  method: rodas3\n  yield_aro1: [0.1, 0.2]\n"
      "  cloud_ph: 4.5\n  oh_scale: 1.5\n");
  const auto sec = cfg.section("chemistry");
  const auto o = chem::ChemistryOptions::from_config(&sec);
  EXPECT_EQ(o.rtol, 1e-4);
  EXPECT_EQ(o.method, chem::RosenbrockMethod::kRodas3);
  EXPECT_EQ(o.yields[0][chem::kVocAro1], 0.1);
  EXPECT_EQ(o.yields[1][chem::kVocAro1], 0.2);
  EXPECT_EQ(o.cloud_ph, 4.5);
  EXPECT_EQ(o.oxidants.oh_scale, 1.5);
  EXPECT_NO_THROW(cfg.check_all_used());
  const auto defaults = chem::ChemistryOptions::from_config(nullptr);
  EXPECT_EQ(defaults.rtol, 1e-3);

  for (const char* bad : {"chemistry:\n  rtol: 5\n", "chemistry:\n  method: euler\n",
                          "chemistry:\n  yield_alk: [0.1]\n"}) {
    const auto c = fwaq::Config::from_string(bad);
    const auto s = c.section("chemistry");
    try {
      (void)chem::ChemistryOptions::from_config(&s);
      FAIL() << bad;
    } catch (const fwaq::InputError& e) {
      EXPECT_NE(std::string(e.what()).find("chemistry."), std::string::npos) << e.what();
    }
  }
  chem::ChemistryOptions o2;
  o2.rtol = -1.0;
  EXPECT_THROW(chem::ChemistryOperator(1, 1, 1, o2), fwaq::UsageError);
}

}  // namespace

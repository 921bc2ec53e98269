// Tests of the inorganic aerosol thermodynamics (chem/thermo.hpp): ISORROPIA II
// reference points, hand-derived limits, published constants and data, and invariants
// (conservation, non-negativity) over random inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "chem/thermo.hpp"
#include "chem/thermo_detail.hpp"

namespace {

namespace fs = std::filesystem;
using fwaq::chem::equilibrate;
using fwaq::chem::ThermoBranch;
using fwaq::chem::ThermoInput;
using fwaq::chem::ThermoResult;
namespace td = fwaq::chem::thermo_detail;

constexpr double kR = 8.2057366e-5;  // [atm m3 mol-1 K-1]

ThermoInput make(double t, double rh, double so4, double no3, double nh3) {
  ThermoInput in;
  in.temperature_K = t;
  in.rh = rh;
  in.sulfate = so4;
  in.nitrate = no3;
  in.ammonia = nh3;
  return in;
}

// ---- ISORROPIA II reference points ---------------------------------------------

struct RefRow {
  std::string label;
  std::map<std::string, double> v;
};

std::vector<RefRow> read_reference(const std::string& path) {
  std::ifstream f(path);
  std::vector<RefRow> rows;
  std::string line;
  auto strip_cr = [](std::string& l) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
  };
  if (!std::getline(f, line)) return rows;
  strip_cr(line);
  std::vector<std::string> names;
  {
    std::stringstream ss(line);
    std::string t;
    while (std::getline(ss, t, ',')) names.push_back(t);
  }
  while (std::getline(f, line)) {
    strip_cr(line);
    if (line.empty()) continue;
    std::stringstream ss(line);
    std::string t;
    RefRow r;
    for (std::size_t k = 0; std::getline(ss, t, ','); ++k) {
      if (k >= names.size()) break;
      if (names[k] == "label") {
        r.label = t;
      } else if (names[k] != "scase") {
        r.v[names[k]] = std::stod(t);
      }
    }
    rows.push_back(r);
  }
  return rows;
}

// Particulate totals and gases must agree within 5 % or 0.01 µmol m-3, whichever is
// larger, for every metastable and stable row (README: as defined there).
TEST(ThermoReference, IsorropiaPointCases) {
  const std::string path = std::string(FWAQ_SHARED_DATA) + "/isorropia-points/point_cases.csv";
  ASSERT_TRUE(fs::exists(path)) << "reference points missing: " << path;
  const auto rows = read_reference(path);
  ASSERT_EQ(rows.size(), 24u);
  int stable = 0, metastable = 0;
  double worst_water = 0.0;
  std::printf("%-18s %-4s %-4s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %7s\n", "row", "br",
              "iac", "NH4", "NH4ref", "NO3", "NO3ref", "SO4", "SO4ref", "NH3g", "NH3gref", "HNO3g",
              "HNO3gref", "H2O", "H2Oref", "dH2O");
  for (const auto& row : rows) {
    const auto& v = row.v;
    const bool meta = v.at("metastable") == 1.0;
    (meta ? metastable : stable)++;
    ASSERT_EQ(v.at("Na_umol"), 0.0);
    ASSERT_EQ(v.at("Cl_umol"), 0.0);
    const ThermoResult r = equilibrate(
        make(v.at("T_K"), v.at("RH"), v.at("SO4_umol"), v.at("NO3_umol"), v.at("NH3_umol")),
        meta ? ThermoBranch::kMetastable : ThermoBranch::kStable);
    const double nh4 = v.at("NH4aq_umol") + v.at("NH4NO3s_umol") + 2.0 * v.at("NH42SO4s_umol") +
                       v.at("NH4HSO4s_umol") + 3.0 * v.at("LCs_umol");
    const double no3 = v.at("NO3aq_umol") + v.at("NH4NO3s_umol");
    const double so4 = v.at("SO4aq_umol") + v.at("HSO4aq_umol") + v.at("NH42SO4s_umol") +
                       v.at("NH4HSO4s_umol") + 2.0 * v.at("LCs_umol");
    const struct {
      const char* name;
      double ours, ref;
    } checks[] = {{"NH4_p", r.nh4_p(), nh4},
                  {"NO3_p", r.no3_p(), no3},
                  {"SO4_p", r.so4_p(), so4},
                  {"NH3_g", r.nh3_g, v.at("gNH3_umol")},
                  {"HNO3_g", r.hno3_g, v.at("gHNO3_umol")}};
    for (const auto& c : checks) {
      const double tol = std::max(0.05 * std::abs(c.ref), 0.01);
      EXPECT_NEAR(c.ours, c.ref, tol)
          << row.label << (meta ? " metastable " : " stable ") << c.name;
    }
    // Aerosol water: reported, and held to 6 % (or 0.01 µg m-3 for the dry rows).
    const double w_ref = v.at("H2O_ug");
    const double dw = w_ref > 0.01 ? (r.water_ug - w_ref) / w_ref : r.water_ug - w_ref;
    EXPECT_NEAR(r.water_ug, w_ref, std::max(0.06 * w_ref, 0.01)) << row.label << " water";
    if (w_ref > 0.01) worst_water = std::max(worst_water, std::abs(dw));
    std::printf(
        "%-18s %-4s %-4d %9.5f %9.5f %9.6f %9.6f %9.5f %9.5f %9.5f %9.5f %9.5f %9.5f %9.4f "
        "%9.4f %7.4f\n",
        row.label.c_str(), meta ? "meta" : "stab", static_cast<int>(v.at("iacalc")), r.nh4_p(), nh4,
        r.no3_p(), no3, r.so4_p(), so4, r.nh3_g, v.at("gNH3_umol"), r.hno3_g, v.at("gHNO3_umol"),
        r.water_ug, w_ref, dw);
  }
  EXPECT_GT(stable, 0);
  EXPECT_GT(metastable, 0);
  std::printf("largest relative water difference (wet rows): %.3f\n", worst_water);
}

// ---- Hand-derived limits ---------------------------------------------------------

// Ammonia-rich, no nitrate: the sulfate is neutralised, the excess ammonia is gas.
TEST(ThermoLimits, FullNeutralisation) {
  const double s = 0.1, a = 0.5;
  // Dry (below the (NH4)2SO4 deliquescence, stable): exactly (NH4)2SO4(s) + NH3(g).
  const ThermoResult dry = equilibrate(make(298.15, 0.3, s, 0.0, a), ThermoBranch::kStable);
  EXPECT_DOUBLE_EQ(dry.nh42so4_s, s);
  EXPECT_NEAR(dry.nh3_g, a - 2.0 * s, 1e-15);
  EXPECT_EQ(dry.water_ug, 0.0);
  EXPECT_EQ(dry.hno3_g, 0.0);
  // Aqueous: within 1 % of the same split (a little sulfate stays as HSO4-, because the
  // NH3 pressure over the solution needs some acidity), nearly all sulfate as SO4=.
  for (double rh : {0.5, 0.8, 0.95}) {
    const ThermoResult wet = equilibrate(make(298.15, rh, s, 0.0, a));
    EXPECT_NEAR(wet.nh4_p(), 2.0 * s, 0.01 * 2.0 * s) << rh;
    EXPECT_NEAR(wet.nh3_g, a - 2.0 * s, 0.01 * (a - 2.0 * s)) << rh;
    EXPECT_LT(wet.hso4_aq, 0.01 * s) << rh;
    EXPECT_EQ(wet.no3_p(), 0.0);
    EXPECT_GT(wet.water_ug, 0.0);
  }
}

// Sulfate-rich, no nitrate: all ammonia is in the particle, none left over in the gas,
// and bisulfate (letovicite / NH4HSO4 composition) is present.
TEST(ThermoLimits, SulfateRichNoNitrate) {
  const double s = 0.2, a = 0.3;  // NH4/SO4 = 1.5: letovicite composition
  const ThermoResult wet = equilibrate(make(298.15, 0.8, s, 0.0, a));
  EXPECT_GT(wet.nh4_p(), 0.99 * a);
  EXPECT_LT(wet.nh3_g, 0.01 * a);
  EXPECT_EQ(wet.no3_p(), 0.0);
  EXPECT_GT(wet.hso4_aq, 0.1 * s);
  EXPECT_NEAR(wet.so4_p(), s, 1e-15);
  // Below the letovicite deliquescence (stable): solid letovicite, 1.5 = 3/2 exactly.
  const ThermoResult dry = equilibrate(make(298.15, 0.3, s, 0.0, a), ThermoBranch::kStable);
  EXPECT_NEAR(dry.lc_s, 0.1, 1e-15);
  EXPECT_NEAR(dry.nh42so4_s + dry.nh4hso4_s, 0.0, 1e-15);
  EXPECT_EQ(dry.nh3_g, 0.0);
  EXPECT_EQ(dry.water_ug, 0.0);
  // With nitric acid added it stays (almost) in the gas: the acidic solution holds no
  // ammonium for it.
  const ThermoResult with_n = equilibrate(make(298.15, 0.6, s, 0.3, a));
  EXPECT_LT(with_n.no3_p(), 0.05 * 0.3);
}

// Dry NH4NO3 (stable, no sulfate, RH below its deliquescence): p(NH3) p(HNO3) = K(T)
// with K(298.15 K) = 5.746e-17 atm2 and ISORROPIA's temperature dependence.
TEST(ThermoLimits, DryAmmoniumNitrate) {
  auto k_hand = [](double t) {
    const double r = 298.15 / t;
    return 5.746e-17 * std::exp(-74.38 * (r - 1.0) + 6.12 * (1.0 + std::log(r) - r));
  };
  struct Case {
    double t, a, n, gas_a, gas_n;
  };
  // Hand-computed gas amounts [µmol m-3]: for a = n, gas = sqrt(K)/(R T 1e-6);
  // 0.3098350 at 298.15 K (ISORROPIA 0.3098375), 0.01110864 at 273.15 K (0.01110873).
  const Case cases[] = {{298.15, 0.5, 0.5, 0.3098350, 0.3098350},
                        {273.15, 0.5, 0.5, 0.01110864, 0.01110864}};
  for (const auto& c : cases) {
    const ThermoResult r = equilibrate(make(c.t, 0.3, 0.0, c.n, c.a), ThermoBranch::kStable);
    EXPECT_NEAR(r.nh3_g, c.gas_a, 1e-6 * c.gas_a) << c.t;
    EXPECT_NEAR(r.hno3_g, c.gas_n, 1e-6 * c.gas_n) << c.t;
    const double p = kR * c.t * 1e-6;  // [atm per µmol m-3]
    EXPECT_NEAR(r.nh3_g * p * r.hno3_g * p / k_hand(c.t), 1.0, 1e-10) << c.t;
    EXPECT_NEAR(r.nh4no3_s, c.a - r.nh3_g, 1e-15);
    EXPECT_EQ(r.water_ug, 0.0);
  }
  // Unequal amounts: the product still equals K, and only the smaller one is depleted.
  for (double t : {250.0, 273.15, 290.0, 310.0}) {
    const ThermoResult r = equilibrate(make(t, 0.2, 0.0, 0.3, 1.0), ThermoBranch::kStable);
    const double p = kR * t * 1e-6;
    const double k = k_hand(t);
    if (1.0 * 0.3 * p * p > k) {
      EXPECT_NEAR(r.nh3_g * p * r.hno3_g * p / k, 1.0, 1e-9) << t;
      EXPECT_GT(r.nh4no3_s, 0.0);
    } else {
      EXPECT_EQ(r.nh4no3_s, 0.0) << t;
    }
  }
}

// ---- Published constants and data ---------------------------------------------------

// The NH4NO3 dissociation constant against Mozurkewich (1993): ln Kp[ppb2] = 118.87 -
// 24084/T - 6.025 ln T. Its temperature dependence agrees within 7 % over 255-315 K;
// the absolute value (ISORROPIA's, from thermochemical tables) lies 31-42 % above.
TEST(ThermoConstants, AmmoniumNitrateDissociation) {
  auto k_moz = [](double t) {
    return std::exp(118.87 - 24084.0 / t - 6.025 * std::log(t)) * 1e-18;  // [atm2]
  };
  EXPECT_NEAR(td::nh4no3_dissociation_constant(298.15), 5.746e-17, 1e-25);
  const double k0 = td::nh4no3_dissociation_constant(298.15), m0 = k_moz(298.15);
  for (double t = 255.0; t <= 315.0; t += 5.0) {
    const double ratio = (td::nh4no3_dissociation_constant(t) / k0) / (k_moz(t) / m0);
    EXPECT_NEAR(ratio, 1.0, 0.07) << t;
    const double abs_ratio = td::nh4no3_dissociation_constant(t) / k_moz(t);
    EXPECT_GT(abs_ratio, 1.25) << t;
    EXPECT_LT(abs_ratio, 1.45) << t;
  }
  // Stelson & Seinfeld (1982): ln K[ppb2] = 84.6 - 24220/T - 6.1 ln(T/298). Their
  // temperature dependence is a little steeper (within 14 % over 255-315 K) and their K
  // about half of ISORROPIA's (factor 1.9-2.3).
  auto k_ss = [](double t) {
    return std::exp(84.6 - 24220.0 / t - 6.1 * std::log(t / 298.0)) * 1e-18;  // [atm2]
  };
  for (double t = 255.0; t <= 315.0; t += 5.0) {
    const double ratio = (td::nh4no3_dissociation_constant(t) / k0) / (k_ss(t) / k_ss(298.15));
    EXPECT_NEAR(ratio, 1.0, 0.15) << t;
    const double abs_ratio = td::nh4no3_dissociation_constant(t) / k_ss(t);
    EXPECT_GT(abs_ratio, 1.85) << t;
    EXPECT_LT(abs_ratio, 2.35) << t;
  }
  // Colder air favours the particle: K falls by ~3 orders of magnitude from 298 to 273 K.
  EXPECT_NEAR(td::nh4no3_dissociation_constant(273.15) / k0, 1.0793e-3, 1e-6);
}

// Deliquescence: the published 298.15 K values and the temperature trend (higher DRH in
// colder air; NH4NO3 capped at the (NH4)2SO4 value).
TEST(ThermoConstants, Deliquescence) {
  const td::Deliquescence d = td::deliquescence(298.15);
  EXPECT_DOUBLE_EQ(d.ammonium_sulfate, 0.7997);
  EXPECT_DOUBLE_EQ(d.ammonium_nitrate, 0.6183);
  EXPECT_DOUBLE_EQ(d.ammonium_bisulfate, 0.40);
  EXPECT_DOUBLE_EQ(d.letovicite, 0.69);
  const td::Deliquescence c = td::deliquescence(263.15);
  EXPECT_NEAR(c.ammonium_sulfate, 0.7997 * std::exp(80.0 * (1.0 / 263.15 - 1.0 / 298.15)), 1e-12);
  EXPECT_GT(c.ammonium_sulfate, d.ammonium_sulfate);
  EXPECT_GT(c.letovicite, d.letovicite);
  EXPECT_LE(c.ammonium_nitrate, c.ammonium_sulfate);
  EXPECT_LE(c.mutual_as_an, c.ammonium_nitrate);
}

// ZSR water of (NH4)2SO4 against Tang & Munkelwitz (1994): water activity of the
// solution aw = 1 - 2.715e-3 x + 3.113e-5 x^2 - 2.336e-6 x^3 + 1.412e-8 x^4 (x: wt %
// solute); the mass growth factor (wet/dry mass) within 2 % at RH 0.80, 0.85, 0.90.
TEST(ThermoWater, AmmoniumSulfateGrowth) {
  auto aw_tm = [](double x) {
    return 1.0 - 2.715e-3 * x + 3.113e-5 * x * x - 2.336e-6 * x * x * x + 1.412e-8 * x * x * x * x;
  };
  constexpr double kMolarAS = 132.14;  // [g mol-1]
  for (double rh : {0.80, 0.85, 0.90}) {
    double lo = 1.0, hi = 70.0;  // wt %
    for (int i = 0; i < 200; ++i) {
      const double mid = 0.5 * (lo + hi);
      (aw_tm(mid) > rh ? lo : hi) = mid;
    }
    const double growth_tm = 100.0 / lo;
    const double m = td::binary_molality(td::Salt::kAmmoniumSulfate, rh);
    const double growth = 1.0 + 1000.0 / (m * kMolarAS);
    EXPECT_NEAR(growth / growth_tm, 1.0, 0.02) << rh;
    // The same water from the solver: (NH4)2SO4 with excess ammonia (neutral solution).
    const double s = 0.1;
    const ThermoResult r = equilibrate(make(298.15, rh, s, 0.0, 0.5));
    const double dry_ug = s * kMolarAS;
    EXPECT_NEAR((dry_ug + r.water_ug) / dry_ug / growth_tm, 1.0, 0.025) << rh;
  }
}

// Kusik-Meissner: at vanishing ionic strength the Debye-Hückel limit, log γ = -0.5107
// z+z- sqrt(I); the temperature correction vanishes at 298.15 K.
TEST(ThermoConstants, KusikMeissnerLimits) {
  for (double q : {-1.15, -0.25, 2.6, 8.0}) {
    const double i = 1e-8;
    EXPECT_NEAR(td::kusik_meissner_log10(q, 1.0, i, 298.15), -0.5107 * std::sqrt(i), 1e-8);
    EXPECT_NEAR(td::kusik_meissner_log10(q, 2.0, 4.0, 298.15),
                td::kusik_meissner_log10(q, 2.0, 4.0, 298.15 + 1e-9), 1e-9);
  }
  // The reduced coefficient does not depend on the charge type: log γ = z+z- log Γ.
  EXPECT_NEAR(td::kusik_meissner_log10(-0.25, 2.0, 3.0, 298.15),
              2.0 * td::kusik_meissner_log10(-0.25, 1.0, 3.0, 298.15), 1e-14);
  // Hand value, (NH4)2SO4 (q = -0.25) at I = 3 mol/kg, 298.15 K: B = 0.76625,
  // C = 1 - 0.01375 exp(-0.621) = 0.99261, log Γ* = -0.5107 sqrt(3)/(1 + C sqrt(3)) =
  // -0.325295, Γ0 = 1 + B (1.3^-0.25 - 1) = 0.951354, log γ = 2 (log Γ0 + log Γ*) = -0.693905.
  EXPECT_NEAR(td::kusik_meissner_log10(-0.25, 2.0, 3.0, 298.15), -0.693905, 2e-6);
}

// ---- Branches, edge cases and invariants -------------------------------------------

TEST(ThermoBranches, StableDiffersBelowDeliquescence) {
  const ThermoInput in = make(285.0, 0.45, 0.1, 0.0, 0.4);
  const ThermoResult meta = equilibrate(in, ThermoBranch::kMetastable);
  const ThermoResult stab = equilibrate(in, ThermoBranch::kStable);
  EXPECT_GT(meta.water_ug, 1.0);
  EXPECT_EQ(stab.water_ug, 0.0);
  EXPECT_NEAR(stab.nh42so4_s, 0.1, 1e-15);
  // Above every deliquescence point the branches coincide.
  const ThermoInput wet = make(285.0, 0.9, 0.1, 0.2, 0.4);
  const ThermoResult m2 = equilibrate(wet, ThermoBranch::kMetastable);
  const ThermoResult s2 = equilibrate(wet, ThermoBranch::kStable);
  EXPECT_DOUBLE_EQ(m2.water_ug, s2.water_ug);
  EXPECT_DOUBLE_EQ(m2.no3_p(), s2.no3_p());
}

TEST(ThermoBranches, WaterGrowsWithHumidity) {
  // (Above aw = 0.10; below it the binary molalities are held at their 0.10 values.)
  double last = 0.0;
  for (int k = 11; k <= 99; k += 2) {
    const ThermoResult r = equilibrate(make(278.0, k / 100.0, 0.2, 0.5, 0.9));
    EXPECT_GT(r.water_ug, last) << k;
    last = r.water_ug;
  }
}

TEST(ThermoEdges, ZerosAndTinyAmounts) {
  const ThermoResult z = equilibrate(make(280.0, 0.5, 0.0, 0.0, 0.0));
  EXPECT_EQ(z.nh4_p() + z.no3_p() + z.so4_p() + z.nh3_g + z.hno3_g + z.water_ug, 0.0);
  // Ammonia alone stays in the gas; nitric acid alone too.
  for (auto branch : {ThermoBranch::kMetastable, ThermoBranch::kStable}) {
    const ThermoResult a = equilibrate(make(280.0, 0.9, 0.0, 0.0, 1.0), branch);
    EXPECT_EQ(a.nh3_g, 1.0);
    EXPECT_EQ(a.water_ug, 0.0);
    const ThermoResult n = equilibrate(make(280.0, 0.9, 0.0, 1.0, 0.0), branch);
    EXPECT_EQ(n.hno3_g, 1.0);
    // Tiny amounts are conserved and produce no NaN.
    const ThermoResult t = equilibrate(make(250.0, 0.7, 1e-25, 3e-22, 2e-23), branch);
    EXPECT_EQ(t.so4_p(), 1e-25);
    EXPECT_EQ(t.nh3_g + t.nh4_p(), 2e-23);
    EXPECT_EQ(t.hno3_g + t.no3_p(), 3e-22);
  }
}

TEST(ThermoEdges, RejectsInvalidInput) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(equilibrate(make(150.0, 0.5, 0.1, 0.1, 0.1)), std::invalid_argument);
  EXPECT_THROW(equilibrate(make(340.0, 0.5, 0.1, 0.1, 0.1)), std::invalid_argument);
  EXPECT_THROW(equilibrate(make(280.0, 1.2, 0.1, 0.1, 0.1)), std::invalid_argument);
  EXPECT_THROW(equilibrate(make(280.0, 0.5, -0.1, 0.1, 0.1)), std::invalid_argument);
  EXPECT_THROW(equilibrate(make(280.0, 0.5, 0.1, nan, 0.1)), std::invalid_argument);
  EXPECT_NO_THROW(equilibrate(make(200.0, 0.0, 0.1, 0.1, 0.1)));
  EXPECT_NO_THROW(equilibrate(make(330.0, 1.0, 0.1, 0.1, 0.1)));
}

// Thousands of random inputs over the whole valid range (zeros, tiny and large
// amounts up to ~1000 µg m-3, RH 0 to 1, 200-330 K): every output finite and >= 0,
// the totals conserved to 1e-12 relative, on both branches.
TEST(ThermoInvariants, RandomSweepConservesAndStaysNonNegative) {
  std::mt19937_64 rng(20191201);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto amount = [&]() {
    const double r = u(rng);
    if (r < 0.1) return 0.0;
    if (r < 0.2) return std::pow(10.0, -25.0 + 15.0 * u(rng));
    return std::pow(10.0, -5.0 + 6.5 * u(rng));  // up to ~30 µmol m-3
  };
  int count = 0;
  for (int i = 0; i < 6000; ++i) {
    double rh = u(rng);
    if (i % 20 == 0) rh = 0.0;
    if (i % 20 == 1) rh = 1.0;
    const ThermoInput in = make(200.0 + 130.0 * u(rng), rh, amount(), amount(), amount());
    const auto branch = i % 2 ? ThermoBranch::kStable : ThermoBranch::kMetastable;
    ThermoResult r;
    ASSERT_NO_THROW(r = equilibrate(in, branch));
    const double vals[] = {r.nh3_g, r.hno3_g,   r.nh4_aq,   r.no3_aq,    r.so4_aq,    r.hso4_aq,
                           r.h_aq,  r.water_ug, r.nh4no3_s, r.nh42so4_s, r.nh4hso4_s, r.lc_s};
    for (double x : vals) {
      ASSERT_TRUE(std::isfinite(x) && x >= 0.0)
          << "T " << in.temperature_K << " RH " << in.rh << " S " << in.sulfate << " N "
          << in.nitrate << " A " << in.ammonia;
    }
    auto rel = [](double got, double want) {
      return want > 0.0 ? std::abs(got - want) / want : std::abs(got);
    };
    ASSERT_LE(rel(r.so4_p(), in.sulfate), 1e-12);
    ASSERT_LE(rel(r.nh4_p() + r.nh3_g, in.ammonia), 1e-12);
    ASSERT_LE(rel(r.no3_p() + r.hno3_g, in.nitrate), 1e-12);
    ++count;
  }
  EXPECT_EQ(count, 6000);
}

}  // namespace

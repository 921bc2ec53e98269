// Tests of the synthetic Fenwei winter (met/synthetic.hpp), the diagnostic wind
// (met/diagnostic_wind.hpp) and the wrfout writer (met/wrf_writer.hpp).
//
// Targets and tolerances come from docs/science/synthetic-winter.md (derived
// from /work/shared/docs/default-case-facts.md, section B):
//   * stagnation share of the time 0.747 (Guanzhong "local circulation" 74.7 %),
//     mean stagnation episode 0.747 × 6.5 d = 4.86 d (cycle 5-8 d), episodes of
//     6-8 d (Xi'an 2013: 8 d, Linfen 2016: 6 d) in the upper part of the spread;
//   * stagnation-day boundary layer: afternoon maximum 400-700 m, night 100-300 m,
//     maximum near 15:00 Beijing time;
//   * Xi'an monthly means of temperature and relative humidity, and wet days
//     (>= 0.1 mm) per month.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"
#include "grid/domain.hpp"
#include "met/diagnostic_wind.hpp"
#include "met/synthetic.hpp"
#include "met/wrf_reader.hpp"
#include "met/wrf_writer.hpp"

namespace {

using namespace fwaq;
using std::chrono::hours;

// Xi'an monthly normals, October ... March (facts file, table B1).
constexpr double kTmean[6] = {14.1, 7.2, 1.5, 0.3, 3.6, 8.7};
constexpr double kRh[6] = {0.76, 0.73, 0.68, 0.65, 0.62, 0.64};
constexpr double kWetDays[6] = {9.9, 5.5, 3.6, 3.4, 4.0, 6.4};
constexpr double kPrecipMm[6] = {61.7, 21.5, 7.3, 6.7, 9.8, 27.1};

// The small test case: 20 x 16 cells of 12 km on the default case's projection,
// centred on Xi'an; 8 layers to 10 km; flat ground at 400 m (the reference
// elevation) with a Gaussian ridge 1200 m high along y, centred on column 14.
struct Small {
  HorizontalGrid grid;
  VerticalGrid vgrid;
  Field terrain;
  static constexpr int kRefI = 4, kRefJ = 8;  // a flat cell far from the ridge
};

Small make_small() {
  auto proj = std::make_shared<const Projection>(Projection::wrf_lambert(34.0, 38.0, 110.0));
  HorizontalGrid grid = HorizontalGrid::centred(proj, 20, 16, 12000.0, 12000.0, 108.95, 34.27);
  VerticalGrid vgrid = VerticalGrid::uniform(
      20, 16, {0.0, 35.0, 100.0, 250.0, 600.0, 1200.0, 2500.0, 5000.0, 10000.0});
  Field terrain("terrain", "m", 20, 16, 1, 0);
  for (int j = 0; j < 16; ++j) {
    for (int i = 0; i < 20; ++i) {
      const double x = (i - 14.0) / 2.0;
      terrain(i, j, 0) = 400.0 + 1200.0 * std::exp(-0.5 * x * x);
    }
  }
  return {std::move(grid), std::move(vgrid), std::move(terrain)};
}

TimePoint at(const char* text) {
  return parse_time(text);
}

std::string sci(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3e", v);
  return b;
}

double seconds(TimePoint t) {
  return static_cast<double>(t.time_since_epoch().count());
}

// Month index 0..5 (October..March) of t, or -1.
int month_index(TimePoint t) {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  const unsigned m = static_cast<unsigned>(ymd.month());
  if (m >= 10) return static_cast<int>(m) - 10;
  if (m <= 3) return static_cast<int>(m) + 2;
  return -1;
}

std::vector<const Field*> all_fields(const MetRecord& r) {
  return {&r.temperature, &r.pressure, &r.density, &r.qvapor, &r.rel_humidity, &r.cloud_water,
          &r.z_interface, &r.u,        &r.v,       &r.w,      &r.kz,           &r.terrain,
          &r.pblh,        &r.ustar,    &r.hfx,     &r.t2,     &r.u10,          &r.v10,
          &r.psfc,        &r.swdown,   &r.precip};
}

bool identical(const MetRecord& a, const MetRecord& b) {
  const auto fa = all_fields(a), fb = all_fields(b);
  for (std::size_t n = 0; n < fa.size(); ++n) {
    if (fa[n]->size() != fb[n]->size()) return false;
    if (std::memcmp(fa[n]->data(), fb[n]->data(), fa[n]->size() * sizeof(double)) != 0)
      return false;
  }
  return a.time == b.time;
}

TEST(SyntheticWinterTest, SameSeedAndTimeGiveIdenticalBitsInAnyOrder) {
  const Small s = make_small();
  SyntheticParams p;
  p.seed = 7;
  const SyntheticWinter g1(s.grid, s.vgrid, s.terrain, p);
  const SyntheticWinter g2(s.grid, s.vgrid, s.terrain, p);
  const TimePoint ta = at("2019-12-03T06:00:00"), tb = at("2020-01-17T21:00:00");
  const MetRecord a1 = g1.record(ta);
  const MetRecord b1 = g1.record(tb);
  const MetRecord b2 = g2.record(tb);  // other generator, other order
  const MetRecord a2 = g2.record(ta);
  EXPECT_TRUE(identical(a1, a2));
  EXPECT_TRUE(identical(b1, b2));
  EXPECT_FALSE(identical(a1, b1));
  // Another seed gives another winter.
  p.seed = 8;
  const SyntheticWinter g3(s.grid, s.vgrid, s.terrain, p);
  EXPECT_FALSE(identical(a1, g3.record(ta)));
  // Reusing a record's storage changes nothing.
  MetRecord reuse = g1.record(tb);
  g1.record(ta, reuse);
  EXPECT_TRUE(identical(a1, reuse));
}

TEST(SyntheticWinterTest, RecordIsPhysicallyConsistent) {
  const Small s = make_small();
  const SyntheticWinter g(s.grid, s.vgrid, s.terrain, {});
  const MetRecord r = g.record(at("2020-01-10T06:00:00"));
  for (int j = 0; j < 16; ++j) {
    for (int i = 0; i < 20; ++i) {
      EXPECT_GT(r.psfc(i, j, 0), r.pressure(i, j, 0));
      for (int k = 0; k < 8; ++k) {
        // Equation of state and humidity as the WRF reader derives them.
        const double t = r.temperature(i, j, k), p = r.pressure(i, j, k), q = r.qvapor(i, j, k);
        const double tv = t * (1.0 + q / WrfConstants::eps) / (1.0 + q);
        EXPECT_NEAR(r.density(i, j, k), p / (WrfConstants::r_d * tv), 1e-12);
        EXPECT_NEAR(r.rel_humidity(i, j, k), relative_humidity(q, p, t), 1e-12);
        EXPECT_GT(t, 200.0);
        EXPECT_LT(t, 300.0);
        if (k > 0) {
          EXPECT_LT(p, r.pressure(i, j, k - 1));
          // Hydrostatic within 1 %: Δp ≈ -ρ g Δz between mass points.
          const double dz = 0.5 * (r.z_interface(i, j, k + 1) - r.z_interface(i, j, k - 1));
          const double rho = 0.5 * (r.density(i, j, k) + r.density(i, j, k - 1));
          EXPECT_NEAR((r.pressure(i, j, k - 1) - p) / (rho * 9.81 * dz), 1.0, 0.01);
        }
      }
    }
  }
  // Terrain is the input terrain, interfaces the vertical grid's.
  EXPECT_EQ(r.terrain(14, 3, 0), s.terrain(14, 3, 0));
  EXPECT_EQ(r.z_interface(3, 3, 8), 10000.0);
}

TEST(SyntheticWinterTest, TimesOutsideTheWinterHalfYearAreRejected) {
  const Small s = make_small();
  const SyntheticWinter g(s.grid, s.vgrid, s.terrain, {});
  EXPECT_THROW(g.record(at("2019-07-01")), UsageError);
  EXPECT_NO_THROW(g.record(at("2019-09-01")));
  EXPECT_NO_THROW(g.record(at("2020-04-30T21:00:00")));
  SyntheticParams bad;
  bad.severity = 3.0;
  EXPECT_THROW(SyntheticWinter(s.grid, s.vgrid, s.terrain, bad), UsageError);
}

// Regime statistics of seasons 1 October - 1 April from the episodes.
struct RegimeStats {
  double stag_time_fraction = 0, stag_day_fraction = 0, mean_stag_days = 0, mean_cycle_days = 0;
  double share_ge_6d = 0;
  int stag_episodes = 0;
};

RegimeStats regime_stats(const SyntheticWinter& g, int year) {
  const double t0 = seconds(at((std::to_string(year) + "-10-01").c_str()));
  const double t1 = seconds(at((std::to_string(year + 1) + "-04-01").c_str()));
  RegimeStats st;
  double stag = 0, sum_len = 0;
  int ge6 = 0, vents = 0;
  for (const auto& e : g.episodes(year)) {
    const double lo = std::max(e.start_s, t0), hi = std::min(e.end_s, t1);
    if (hi > lo && e.regime == Regime::kStagnation) stag += hi - lo;
    // Episodes that begin in the season, with their whole length (also the part
    // after 1 April): no bias against long episodes at the ends of the window.
    if (e.start_s >= t0 && e.start_s < t1) {
      if (e.regime == Regime::kStagnation) {
        ++st.stag_episodes;
        sum_len += e.days();
        if (e.days() >= 6.0) ++ge6;
      }
      if (e.regime == Regime::kVentilation) ++vents;
    }
  }
  st.stag_time_fraction = stag / (t1 - t0);
  st.mean_stag_days = sum_len / st.stag_episodes;
  st.share_ge_6d = static_cast<double>(ge6) / st.stag_episodes;
  st.mean_cycle_days = (t1 - t0) / 86400.0 / vents;
  int days = 0, stag_days = 0;
  for (double t = t0 + 4 * 3600.0; t < t1; t += 86400.0, ++days) {  // 12:00 Beijing time
    if (g.regime_at(TimePoint(std::chrono::seconds(static_cast<long long>(t)))) ==
        Regime::kStagnation)
      ++stag_days;
  }
  st.stag_day_fraction = static_cast<double>(stag_days) / days;
  return st;
}

TEST(SyntheticWinterTest, RegimeStatisticsMatchThePublishedTargets) {
  const Small s = make_small();
  constexpr int kSeeds = 20;
  double frac = 0, dayfrac = 0, len = 0, cycle = 0, ge6 = 0;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    SyntheticParams p;
    p.seed = static_cast<std::uint64_t>(seed);
    const SyntheticWinter g(s.grid, s.vgrid, s.terrain, p);
    const RegimeStats st = regime_stats(g, 2019);
    // One season (about 28 cycles): the share stays within ±0.12 of the target
    // (about 3 standard deviations of a season's share).
    EXPECT_NEAR(st.stag_time_fraction, 0.747, 0.12) << "seed " << seed;
    frac += st.stag_time_fraction / kSeeds;
    dayfrac += st.stag_day_fraction / kSeeds;
    len += st.mean_stag_days / kSeeds;
    cycle += st.mean_cycle_days / kSeeds;
    ge6 += st.share_ge_6d / kSeeds;
  }
  RecordProperty("stagnation_time_fraction", std::to_string(frac));
  RecordProperty("stagnation_day_fraction", std::to_string(dayfrac));
  RecordProperty("mean_stagnation_days", std::to_string(len));
  RecordProperty("mean_cycle_days", std::to_string(cycle));
  RecordProperty("share_stagnation_ge_6d", std::to_string(ge6));
  // Over 20 seasons (about 570 cycles): standard errors about 0.01 for the
  // shares and 0.13 d for the mean length (sd of one episode 2.7 d).
  EXPECT_NEAR(frac, 0.747, 0.03);
  EXPECT_NEAR(dayfrac, 0.747, 0.03);
  EXPECT_NEAR(len, 4.86, 0.4);
  EXPECT_GE(cycle, 5.0);
  EXPECT_LE(cycle, 8.0);
  // Published 6- and 8-day episodes are common but not typical.
  EXPECT_GE(ge6, 0.15);
  EXPECT_LE(ge6, 0.45);
}

TEST(SyntheticWinterTest, StagnationDayBoundaryLayerFollowsThePublishedRanges) {
  const Small s = make_small();
  SyntheticParams p;
  p.seed = 3;
  const SyntheticWinter g(s.grid, s.vgrid, s.terrain, p);
  // Whole UTC days inside stagnation episodes (no blending from neighbours).
  int days_checked = 0;
  for (const auto& e : g.episodes(2019)) {
    if (e.regime != Regime::kStagnation || days_checked >= 6) continue;
    const double first = std::ceil((e.start_s + 43200.0) / 86400.0) * 86400.0;
    for (double d = first; d + 86400.0 <= e.end_s - 43200.0 && days_checked < 6; d += 86400.0) {
      const TimePoint day{std::chrono::seconds(static_cast<long long>(d))};
      if (month_index(day) < 0) continue;
      double hmax = 0, hmin = 1e9;
      int hour_max = -1;
      for (int h = 0; h < 24; ++h) {
        const MetRecord r = g.record(day + hours(h));
        const double z = r.pblh(Small::kRefI, Small::kRefJ, 0);
        if (z > hmax) {
          hmax = z;
          hour_max = h;
        }
        hmin = std::min(hmin, z);
      }
      EXPECT_GT(hmax, hmin);
      EXPECT_GE(hmax, 400.0) << format_iso(day);
      EXPECT_LE(hmax, 700.0) << format_iso(day);
      EXPECT_GE(hmin, 100.0) << format_iso(day);
      EXPECT_LE(hmin, 300.0) << format_iso(day);
      // Maximum near 15:00 Beijing time = 07 UTC (hourly sampling: ±1 h).
      EXPECT_NEAR(hour_max, 7, 1) << format_iso(day);
      ++days_checked;
    }
  }
  EXPECT_EQ(days_checked, 6);
}

TEST(SyntheticWinterTest, MonthlyMeansFollowTheXianClimatology) {
  const Small s = make_small();
  double t_sum[6] = {}, rh_sum[6] = {};
  int n[6] = {};
  for (int seed = 1; seed <= 4; ++seed) {
    SyntheticParams p;
    p.seed = static_cast<std::uint64_t>(seed);
    const SyntheticWinter g(s.grid, s.vgrid, s.terrain, p);
    MetRecord r;
    for (TimePoint t = at("2019-10-01T01:30:00"); t < at("2020-04-01"); t += hours(3)) {
      g.record(t, r);
      const int m = month_index(t);
      t_sum[m] += r.t2(Small::kRefI, Small::kRefJ, 0) - 273.15;
      rh_sum[m] += r.rel_humidity(Small::kRefI, Small::kRefJ, 0);
      ++n[m];
    }
  }
  // The climatology applies at the terrain height of the cell holding Xi'an (the
  // grid centre, on the ridge's flank: 562 m); the test cell lies at 400 m and
  // one row north of it.
  const SyntheticParams d;
  const SyntheticWinter g(s.grid, s.vgrid, s.terrain, d);
  const double ref = 400.0 + 1200.0 * std::exp(-2.0);
  EXPECT_NEAR(g.reference_elevation(), ref, 1e-9);
  const double lat = s.grid.lat(Small::kRefI, Small::kRefJ);
  const double lat_corr = -d.lat_gradient_k_per_deg * (lat - d.reference_lat_deg) +
                          d.lapse_rate_k_per_m * (ref - s.terrain(Small::kRefI, Small::kRefJ, 0));
  for (int m = 0; m < 6; ++m) {
    // Regime anomalies average out over the 4 seasons to a few tenths of a kelvin.
    EXPECT_NEAR(t_sum[m] / n[m], kTmean[m] + lat_corr, 0.8) << "month " << m;
    EXPECT_NEAR(rh_sum[m] / n[m], kRh[m], 0.04) << "month " << m;
  }
}

TEST(SyntheticWinterTest, WetDaysPerMonthNearTheClimatology) {
  const Small s = make_small();
  double days[6] = {}, mm[6] = {};
  constexpr int kSeeds = 40;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    SyntheticParams p;
    p.seed = static_cast<std::uint64_t>(seed);
    const SyntheticWinter g(s.grid, s.vgrid, s.terrain, p);
    for (TimePoint t = at("2019-10-01"); t < at("2020-04-01"); t += hours(24)) {
      const double a = g.precipitation_mm(t, t + hours(24));
      const int m = month_index(t);
      if (a >= 0.1) days[m] += 1.0 / kSeeds;
      mm[m] += a / kSeeds;
    }
  }
  for (int m = 0; m < 6; ++m) {
    RecordProperty("wet_days_month_" + std::to_string(m), std::to_string(days[m]));
    // Binomial spread of a 40-season mean: 0.3-0.4 days; of the totals (wet-day
    // amounts are exponential): 11-15 %.
    EXPECT_NEAR(days[m], kWetDays[m], std::max(1.2, 0.15 * kWetDays[m])) << "month " << m;
    EXPECT_NEAR(mm[m], kPrecipMm[m], 0.35 * kPrecipMm[m]) << "month " << m;
  }
  // The record's rate is the mean of the previous 3 h, and it rains only in spells.
  SyntheticParams p;
  p.seed = 1;
  const SyntheticWinter g(s.grid, s.vgrid, s.terrain, p);
  int checked = 0;
  for (TimePoint t = at("2019-10-01T03:00:00"); t < at("2019-11-01") && checked < 5;
       t += hours(3)) {
    const double rate = g.precipitation_rate(t);
    if (rate <= 0.0) continue;
    const MetRecord r = g.record(t);
    EXPECT_DOUBLE_EQ(r.precip(2, 2, 0), g.precipitation_mm(t - hours(3), t) / 3.0);
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST(SyntheticWinterTest, SeverityAboveOneLowersVentilation) {
  const Small s = make_small();
  auto season_stats = [&](double severity, double& vent, double& stag) {
    vent = stag = 0.0;
    for (int seed = 1; seed <= 2; ++seed) {
      SyntheticParams p;
      p.seed = static_cast<std::uint64_t>(seed);
      p.severity = severity;
      const SyntheticWinter g(s.grid, s.vgrid, s.terrain, p);
      MetRecord r;
      int n = 0;
      double sum = 0;
      for (TimePoint t = at("2019-11-01T01:00:00"); t < at("2020-03-01"); t += hours(5), ++n) {
        g.record(t, r);
        const int i = Small::kRefI, j = Small::kRefJ;
        const double k = 2;  // mass level 2 (175 m): the boundary-layer wind
        const double speed = std::hypot(0.5 * (r.u(i, j, k) + r.u(i + 1, j, k)),
                                        0.5 * (r.v(i, j, k) + r.v(i, j + 1, k)));
        sum += r.pblh(i, j, 0) * speed;  // ventilation index [m2 s-1]
      }
      vent += sum / n / 2.0;
      stag += regime_stats(g, 2019).stag_time_fraction / 2.0;
    }
  };
  double v08, s08, v10, s10, v13, s13;
  season_stats(0.8, v08, s08);
  season_stats(1.0, v10, s10);
  season_stats(1.3, v13, s13);
  RecordProperty("ventilation_index_s0.8", std::to_string(v08));
  RecordProperty("ventilation_index_s1.0", std::to_string(v10));
  RecordProperty("ventilation_index_s1.3", std::to_string(v13));
  EXPECT_LT(v13, 0.85 * v10);
  EXPECT_LT(v10, 0.9 * v08);
  EXPECT_GT(s13, s10 + 0.04);
  EXPECT_GT(s10, s08 + 0.04);
}

// Net horizontal mass outflow of each column [kg s-1] and the sum of |face
// fluxes|, with the transport's flux definition F = ρ_f u dz_f L_f (means of the
// two adjacent cells; the inside cell at the domain edge) — computed here
// independently of met/diagnostic_wind.cpp.
void column_budget(const HorizontalGrid& g, const MetRecord& r, std::vector<double>& net,
                   std::vector<double>& gross) {
  const int nx = r.nx, ny = r.ny, nz = r.nz;
  net.assign(static_cast<std::size_t>(nx) * ny, 0.0);
  gross.assign(net.size(), 0.0);
  auto dz = [&](int i, int j, int k) {
    return r.z_interface(i, j, k + 1) - r.z_interface(i, j, k);
  };
  for (int k = 0; k < nz; ++k) {
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i <= nx; ++i) {
        const int a = std::max(i - 1, 0), b = std::min(i, nx - 1);
        const double f = 0.5 * (r.density(a, j, k) + r.density(b, j, k)) * 0.5 *
                         (dz(a, j, k) + dz(b, j, k)) * g.face_length_x(i, j) * r.u(i, j, k);
        if (i > 0) {
          net[j * nx + i - 1] += f;
          gross[j * nx + i - 1] += std::abs(f);
        }
        if (i < nx) {
          net[j * nx + i] -= f;
          gross[j * nx + i] += std::abs(f);
        }
      }
    }
    for (int j = 0; j <= ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        const int a = std::max(j - 1, 0), b = std::min(j, ny - 1);
        const double f = 0.5 * (r.density(i, a, k) + r.density(i, b, k)) * 0.5 *
                         (dz(i, a, k) + dz(i, b, k)) * g.face_length_y(i, j) * r.v(i, j, k);
        if (j > 0) {
          net[(j - 1) * nx + i] += f;
          gross[(j - 1) * nx + i] += std::abs(f);
        }
        if (j < ny) {
          net[j * nx + i] -= f;
          gross[j * nx + i] += std::abs(f);
        }
      }
    }
  }
}

TEST(DiagnosticWindTest, AdjustedWindHasNoColumnMassDivergence) {
  const Small s = make_small();
  SyntheticParams p;
  p.seed = 11;
  const SyntheticWinter g(s.grid, s.vgrid, s.terrain, p);
  double worst = 0.0, worst_top = 0.0;
  for (const char* t : {"2019-10-20T06:00:00", "2019-12-24T18:00:00", "2020-02-02T09:00:00"}) {
    const MetRecord r = g.record(at(t));
    std::vector<double> net, gross;
    column_budget(s.grid, r, net, gross);
    for (std::size_t c = 0; c < net.size(); ++c)
      worst = std::max(worst, std::abs(net[c]) / gross[c]);
    // The vertical velocity through the top interface, from continuity, relative
    // to the largest vertical velocity through any interface.
    Field fx, fy, fz;
    face_mass_fluxes(s.grid, r.density, r.z_interface, r.u, r.v, fx, fy, fz);
    double top = 0.0, any = 0.0;
    for (int j = 0; j < 16; ++j) {
      for (int i = 0; i < 20; ++i) {
        top = std::max(top, std::abs(fz(i, j, 8)));
        for (int k = 0; k <= 8; ++k) any = std::max(any, std::abs(fz(i, j, k)));
      }
    }
    EXPECT_GT(any, 0.0);
    worst_top = std::max(worst_top, top / any);
  }
  RecordProperty("max_relative_column_divergence", sci(worst));
  RecordProperty("max_relative_top_flux", sci(worst_top));
  EXPECT_LE(worst, 1e-8);
  EXPECT_LE(worst_top, 1e-8);
}

TEST(DiagnosticWindTest, AdjustmentRemovesTheDivergenceOfAUniformWindOverTheRidge) {
  // A uniform westerly of 10 m s-1 across the ridge: columns over the ridge hold
  // less air, so the first guess converges upwind of the crest.
  const Small s = make_small();
  const SyntheticWinter gen(s.grid, s.vgrid, s.terrain, {});
  MetRecord r = gen.record(at("2020-01-05T06:00:00"));
  r.u.fill(10.0);
  r.v.fill(0.0);
  std::vector<double> net, gross;
  column_budget(s.grid, r, net, gross);
  double before = 0.0;
  for (std::size_t c = 0; c < net.size(); ++c)
    before = std::max(before, std::abs(net[c]) / gross[c]);
  const WindAdjustStats st = adjust_wind(s.grid, r.density, r.z_interface, r.u, r.v);
  column_budget(s.grid, r, net, gross);
  double after = 0.0;
  for (std::size_t c = 0; c < net.size(); ++c) after = std::max(after, std::abs(net[c]) / gross[c]);
  EXPECT_GT(before, 1e-3);
  EXPECT_LE(after, 1e-8);
  EXPECT_LE(st.max_relative_divergence, 1e-8);
  // The flow speeds up over the crest (less air to carry the same mass flux).
  EXPECT_GT(r.u(14, 8, 0), r.u(3, 8, 0));
}

TEST(DiagnosticWindTest, ValleyAxisAndChannelling) {
  // A valley along x between two Gaussian ridges (rows 4 and 11, 1000 m high,
  // 84 km apart).
  const Small s = make_small();
  Field valley("terrain", "m", 20, 16, 1, 0);
  for (int j = 0; j < 16; ++j) {
    for (int i = 0; i < 20; ++i) {
      const double a = (j - 4.0) / 1.5, b = (j - 11.0) / 1.5;
      valley(i, j, 0) = 400.0 + 1000.0 * (std::exp(-0.5 * a * a) + std::exp(-0.5 * b * b));
    }
  }
  const TerrainChannels ch = analyse_channels(s.grid, valley);
  const std::size_t c = s.grid.mass(10, 7);  // valley floor, mid-domain
  EXPECT_GT(std::abs(ch.axis_x[c]), 0.99);   // axis along x
  EXPECT_GT(ch.weight[c], 0.5);
  EXPECT_GT(ch.depth_m[c], 500.0);
  // A northerly first guess near the ground loses most of its cross-valley part.
  double u = 0.0, v = -3.0;
  channel_wind(ch, 10, 7, 20.0, u, v);
  EXPECT_LT(std::abs(v), 0.5 * 3.0);
  // Above the ridges the wind is untouched.
  u = 0.0;
  v = -3.0;
  channel_wind(ch, 10, 7, 3000.0, u, v);
  EXPECT_DOUBLE_EQ(v, -3.0);
  // Flat ground far from any ridge: no channelling (the small grid has none, so
  // use the ridge case's far-west flat part).
  const TerrainChannels flat = analyse_channels(s.grid, s.terrain);
  EXPECT_LT(flat.weight[s.grid.mass(1, 8)], 0.05);
}

TEST(SyntheticWinterTest, DefaultCaseOnRealTerrain) {
  const std::string case_file = std::string(FWAQ_SOURCE_DIR) + "/input/fenwei/default.yaml";
  if (!std::filesystem::exists(std::string(FWAQ_SOURCE_DIR) + "/input/fenwei/domain.nc"))
    GTEST_SKIP() << "input/fenwei/domain.nc not built (scripts/make_fenwei_domain.sh)";
  const Domain d = Domain::load(case_file);
  const SyntheticWinter g(d.grid(), d.vertical(), d.terrain(), {});
  const auto& ch = g.channels();
  auto cell = [&](double lon, double lat) {
    const auto [fi, fj] = d.grid().index_of(lon, lat);
    return d.grid().mass(static_cast<int>(std::lround(fi)), static_cast<int>(std::lround(fj)));
  };
  // Valley axes (facts B4): the Wei basin runs WSW-ENE at Xi'an, the Fen valley
  // NNE-SSW at Linfen (grid north is within 1 degree of true north there).
  const std::size_t xian = cell(108.95, 34.27), linfen = cell(111.51, 36.08);
  EXPECT_GT(std::abs(ch.axis_x[xian]), std::cos(20.0 * std::acos(-1.0) / 180.0));
  EXPECT_GT(std::abs(ch.axis_y[linfen]), std::cos(30.0 * std::acos(-1.0) / 180.0));
  EXPECT_GT(ch.weight[xian], 0.15);
  EXPECT_GT(ch.weight[linfen], 0.15);
  // The climatology applies at the Xi'an cell's (smoothed) terrain height.
  EXPECT_EQ(g.reference_elevation(), d.terrain().data()[xian]);
  // Mass consistency on the real terrain.
  const MetRecord r = g.record(at("2020-01-20T07:00:00"));
  std::vector<double> net, gross;
  column_budget(d.grid(), r, net, gross);
  double worst = 0.0;
  for (std::size_t c = 0; c < net.size(); ++c) worst = std::max(worst, std::abs(net[c]) / gross[c]);
  RecordProperty("max_relative_column_divergence", sci(worst));
  EXPECT_LE(worst, 1e-8);
}

// Relative difference scale for comparing a float-stored field to the generator's.
void expect_field_near(const Field& a, const Field& b, double rel, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  double scale = 0.0;
  for (std::size_t n = 0; n < a.size(); ++n) scale = std::max(scale, std::abs(a.data()[n]));
  double worst = 0.0;
  for (std::size_t n = 0; n < a.size(); ++n) {
    const double d = std::abs(a.data()[n] - b.data()[n]);
    const double tol = rel * std::abs(a.data()[n]) + 1e-6 * scale + 1e-12;
    worst = std::max(worst, d / tol);
  }
  EXPECT_LE(worst, 1.0) << what;
}

TEST(WrfWriterTest, WrfReaderReadsBackTheGeneratorsValues) {
  const Small s = make_small();
  SyntheticParams p;
  p.seed = 5;
  const SyntheticWinter g(s.grid, s.vgrid, s.terrain, p);
  // A period with precipitation, so that RAINNC is exercised.
  TimePoint start{};
  for (TimePoint t = at("2019-10-01T03:00:00");; t += hours(3)) {
    if (g.precipitation_rate(t) > 0.0) {
      start = t - hours(6);
      break;
    }
  }
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("fwaq_synth_rt_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::create_directories(dir);
  std::vector<MetRecord> recs;
  std::vector<Field> rain;
  for (int n = 0; n < 4; ++n) {
    const TimePoint t = start + hours(3 * n);
    recs.push_back(g.record(t));
    rain.emplace_back("RAINNC", "mm", 20, 16, 1, 0);
    rain.back().fill(g.precipitation_mm(start, t));
  }
  WrfWriteOptions opt;
  opt.simulation_start = start;
  const auto file = dir / wrfout_name(start);
  write_wrfout(file, s.grid, recs, rain, opt);

  const WrfFile wf(file.string());
  ASSERT_EQ(wf.records(), 4);
  EXPECT_NO_THROW(wf.check_grid(s.grid));
  const HorizontalGrid rg = wf.grid();
  // CEN_LAT/CEN_LON are float attributes (as in WRF): the rebuilt grid agrees to
  // their rounding, half a float ulp of 108.95 = 3.8e-6 degrees (0.4 m).
  EXPECT_NEAR(rg.lat(7, 5), s.grid.lat(7, 5), 1e-5);
  EXPECT_NEAR(rg.lon(7, 5), s.grid.lon(7, 5), 1e-5);
  double rain_total = 0.0;
  for (int n = 0; n < 4; ++n) {
    const MetRecord back = wf.read(n);
    const MetRecord& ref = recs[n];
    EXPECT_EQ(back.time, ref.time);
    const std::string when = " record " + std::to_string(n);
    // Stored as float: a few units of float rounding (2^-24 = 6e-8), more for
    // quantities derived from several floats (temperature from θ and p, ρ, RH).
    expect_field_near(ref.u, back.u, 2e-7, "u" + when);
    expect_field_near(ref.v, back.v, 2e-7, "v" + when);
    expect_field_near(ref.w, back.w, 2e-7, "w" + when);
    expect_field_near(ref.z_interface, back.z_interface, 2e-6, "z_interface" + when);
    expect_field_near(ref.pressure, back.pressure, 2e-7, "pressure" + when);
    expect_field_near(ref.temperature, back.temperature, 5e-7, "temperature" + when);
    expect_field_near(ref.qvapor, back.qvapor, 2e-7, "qvapor" + when);
    expect_field_near(ref.density, back.density, 1e-6, "density" + when);
    expect_field_near(ref.rel_humidity, back.rel_humidity, 2e-6, "rel_humidity" + when);
    expect_field_near(ref.cloud_water, back.cloud_water, 2e-7, "cloud_water" + when);
    expect_field_near(ref.kz, back.kz, 2e-5, "kz" + when);
    for (const auto& [a, b, name] : {std::tuple{&ref.terrain, &back.terrain, "terrain"},
                                     {&ref.pblh, &back.pblh, "pblh"},
                                     {&ref.ustar, &back.ustar, "ustar"},
                                     {&ref.hfx, &back.hfx, "hfx"},
                                     {&ref.t2, &back.t2, "t2"},
                                     {&ref.u10, &back.u10, "u10"},
                                     {&ref.v10, &back.v10, "v10"},
                                     {&ref.psfc, &back.psfc, "psfc"},
                                     {&ref.swdown, &back.swdown, "swdown"}}) {
      expect_field_near(*a, *b, 2e-7, std::string(name) + when);
    }
    // Precipitation: the reader's rate is the mean over the interval ending at
    // the record (the first record: the interval after it); the generator's is
    // the mean over the 3 h before the record.
    const double expected =
        n > 0 ? ref.precip(0, 0, 0) : g.precipitation_mm(start, start + hours(3)) / 3.0;
    EXPECT_NEAR(back.precip(4, 4, 0), expected, 1e-6 * (1.0 + expected)) << when;
    rain_total += ref.precip(0, 0, 0);
    // The winds as stored (float) keep the column mass balance to float rounding.
    std::vector<double> net, gross;
    column_budget(s.grid, back, net, gross);
    double worst = 0.0;
    for (std::size_t c = 0; c < net.size(); ++c)
      worst = std::max(worst, std::abs(net[c]) / gross[c]);
    RecordProperty("float_relative_column_divergence_" + std::to_string(n), sci(worst));
    EXPECT_LE(worst, 1e-6) << when;
  }
  EXPECT_GT(rain_total, 0.0);
  std::filesystem::remove_all(dir);
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(WrfWriterTest, SeriesIsWrittenDeterministicallyOneFilePerDay) {
  const Small s = make_small();
  const SyntheticWinter g(s.grid, s.vgrid, s.terrain, {});
  WrfSeriesSource src;
  src.record = [&g](TimePoint t, MetRecord& r) { g.record(t, r); };
  src.precipitation = [&g](TimePoint a, TimePoint b, Field& out) {
    out.fill(g.precipitation_mm(a, b));
  };
  const auto base =
      std::filesystem::temp_directory_path() /
      ("fwaq_synth_series_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::vector<std::filesystem::path> runs[2];
  for (int run = 0; run < 2; ++run) {
    runs[run] = write_wrfout_series(base / std::to_string(run), s.grid, src, at("2019-12-30"),
                                    at("2020-01-01"), hours(3), {});
  }
  // 2019-12-30 and -31 with 8 records each, and 2020-01-01 00:00.
  ASSERT_EQ(runs[0].size(), 3u);
  EXPECT_EQ(runs[0][0].filename().string(), "wrfout_d01_2019-12-30_00:00:00");
  EXPECT_EQ(runs[0][2].filename().string(), "wrfout_d01_2020-01-01_00:00:00");
  for (std::size_t f = 0; f < 3; ++f) {
    const std::string a = slurp(runs[0][f]), b = slurp(runs[1][f]);
    EXPECT_GT(a.size(), 1000u);
    EXPECT_TRUE(a == b) << runs[0][f];
  }
  EXPECT_EQ(WrfFile(runs[0][0].string()).records(), 8);
  EXPECT_EQ(WrfFile(runs[0][2].string()).records(), 1);
  // No temporary files are left behind.
  for (const auto& e : std::filesystem::directory_iterator(base / "0"))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos);
  // RAINNC continues across the files (accumulated from the series start).
  const WrfFile last(runs[0][2].string());
  const auto acc = last.accumulated_precip(0);
  EXPECT_NEAR(acc[0], g.precipitation_mm(at("2019-12-30"), at("2020-01-01")), 1e-4);
  std::filesystem::remove_all(base);
}

TEST(SyntheticWinterTest, ConfigurationKeysAreCheckedAndNamed) {
  const Config ok = Config::from_string("met:\n  synthetic:\n    seed: 42\n    severity: 1.2\n");
  const SyntheticParams p = SyntheticParams::from_config(ok.section("met").subsection("synthetic"));
  EXPECT_EQ(p.seed, 42u);
  EXPECT_DOUBLE_EQ(p.severity, 1.2);
  const Config typo = Config::from_string("met:\n  synthetic:\n    sead: 42\n");
  try {
    SyntheticParams::from_config(typo.section("met").subsection("synthetic"));
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("met.synthetic.sead"), std::string::npos) << e.what();
  }
  const Config range = Config::from_string("met:\n  synthetic:\n    severity: 5\n");
  try {
    SyntheticParams::from_config(range.section("met").subsection("synthetic"));
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("severity"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[0.5, 2]"), std::string::npos) << e.what();
  }
}

}  // namespace

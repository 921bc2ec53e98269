// Tests of the model evaluation: each statistic on hand-computed vectors, the perfect
// model, the benchmark flags at their thresholds, pairing across the Beijing-time/UTC
// shift on a synthetic run directory (city files and fields.nc written here), station
// pairing at the nearest cell, and the station-derived city daily means against the
// project's national-method reader on the real CNEMC file.
#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>
#include <map>
#include <memory>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "io/netcdf_util.hpp"
#include "obs/cnemc.hpp"
#include "obs/daily.hpp"
#include "obs/stations.hpp"
#include "report/evaluate.hpp"
#include "report/run_outputs.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono;
using fwaq::InputError;
using fwaq::TimePoint;
using fwaq::UsageError;
using fwaq::report::compute_stats;
using fwaq::report::EvaluateOptions;
using fwaq::report::Observations;
using fwaq::report::PairStats;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

class Scratch {
 public:
  Scratch() {
    dir_ = fs::temp_directory_path() /
           ("fwaq_evaluate_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::create_directories(dir_);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
};

// ---- statistics -------------------------------------------------------------------------

// model {2, 4, 6}, obs {1, 5, 3}: differences 1, -1, 3.
TEST(EvaluateStatsTest, EachMetricByHand) {
  const PairStats s = compute_stats({2, 4, 6}, {1, 5, 3});
  EXPECT_EQ(s.n, 3u);
  EXPECT_DOUBLE_EQ(s.mean_model, 4.0);
  EXPECT_DOUBLE_EQ(s.mean_obs, 3.0);
  EXPECT_DOUBLE_EQ(s.mb, 1.0);                        // (1 - 1 + 3) / 3
  EXPECT_NEAR(s.nmb, 100.0 * 3.0 / 9.0, 1e-12);       // 33.33 %
  EXPECT_NEAR(s.nme, 100.0 * 5.0 / 9.0, 1e-12);       // 55.56 %
  EXPECT_NEAR(s.rmse, std::sqrt(11.0 / 3.0), 1e-12);  // 1.915
  // r: centred model -2, 0, 2; obs -2, 2, 0: cov 4, variances 8 and 8.
  EXPECT_NEAR(s.r, 0.5, 1e-12);
  // MFB = 100/3 (2/3 - 2/9 + 6/9) = 100 * 10/27; MFE = 100/3 (2/3 + 2/9 + 6/9) = 100 * 14/27.
  EXPECT_NEAR(s.mfb, 100.0 * 10.0 / 27.0, 1e-12);
  EXPECT_NEAR(s.mfe, 100.0 * 14.0 / 27.0, 1e-12);
}

TEST(EvaluateStatsTest, NegativeCorrelationAndUnderestimate) {
  // model {3, 2, 1} vs obs {2, 4, 6}: differences 1, -2, -5.
  const PairStats s = compute_stats({3, 2, 1}, {2, 4, 6});
  EXPECT_NEAR(s.r, -1.0, 1e-12);
  EXPECT_NEAR(s.mb, -2.0, 1e-12);
  EXPECT_NEAR(s.nmb, -50.0, 1e-12);  // -6 / 12
  EXPECT_NEAR(s.nme, 100.0 * 8.0 / 12.0, 1e-12);
  EXPECT_NEAR(s.rmse, std::sqrt(30.0 / 3.0), 1e-12);
  EXPECT_NEAR(s.mfb, 100.0 / 3.0 * (2.0 / 5.0 - 4.0 / 6.0 - 10.0 / 7.0), 1e-12);
}

TEST(EvaluateStatsTest, PerfectModel) {
  const std::vector<double> v = {12.0, 55.5, 130.0, 7.25, 301.0};
  const PairStats s = compute_stats(v, v);
  EXPECT_EQ(s.n, 5u);
  EXPECT_EQ(s.mb, 0.0);
  EXPECT_EQ(s.nmb, 0.0);
  EXPECT_EQ(s.nme, 0.0);
  EXPECT_EQ(s.rmse, 0.0);
  EXPECT_EQ(s.mfb, 0.0);
  EXPECT_EQ(s.mfe, 0.0);
  EXPECT_NEAR(s.r, 1.0, 1e-15);
  EXPECT_TRUE(fwaq::report::meets(s, fwaq::report::kPm25Goal));
}

TEST(EvaluateStatsTest, MissingValuesAreSkippedAndEdgeCases) {
  const PairStats s = compute_stats({2, kNaN, 4, 6, 9}, {1, 7, 5, 3, kNaN});
  EXPECT_EQ(s.n, 3u);
  EXPECT_DOUBLE_EQ(s.mb, 1.0);
  EXPECT_NEAR(s.r, 0.5, 1e-12);
  const PairStats none = compute_stats({}, {});
  EXPECT_EQ(none.n, 0u);
  EXPECT_TRUE(std::isnan(none.mb));
  EXPECT_FALSE(fwaq::report::meets(none, fwaq::report::kPm25Criteria));
  const PairStats flat = compute_stats({5, 5, 5}, {4, 6, 8});
  EXPECT_TRUE(std::isnan(flat.r));  // constant model: r undefined
  EXPECT_FALSE(fwaq::report::meets(flat, fwaq::report::kPm25Criteria));
  const PairStats zeros = compute_stats({0, 2}, {0, 2});  // 0 + 0: MFB/MFE term 0
  EXPECT_EQ(zeros.mfb, 0.0);
  EXPECT_EQ(zeros.mfe, 0.0);
  EXPECT_THROW(compute_stats({1, 2}, {1}), std::invalid_argument);
}

TEST(EvaluateStatsTest, BenchmarkFlagsAtTheirThresholds) {
  using fwaq::report::kPm25Criteria;
  using fwaq::report::kPm25Goal;
  using fwaq::report::meets;
  auto stats = [](double nmb, double nme, double r) {
    PairStats s;
    s.n = 30;
    s.nmb = nmb;
    s.nme = nme;
    s.r = r;
    return s;
  };
  EXPECT_TRUE(meets(stats(9.99, 34.99, 0.701), kPm25Goal));
  EXPECT_FALSE(meets(stats(10.0, 20.0, 0.9), kPm25Goal));  // |NMB| < 10 is strict
  EXPECT_FALSE(meets(stats(-10.0, 20.0, 0.9), kPm25Goal));
  EXPECT_TRUE(meets(stats(-9.99, 20.0, 0.9), kPm25Goal));
  EXPECT_FALSE(meets(stats(0.0, 35.0, 0.9), kPm25Goal));   // NME < 35 strict
  EXPECT_FALSE(meets(stats(0.0, 20.0, 0.70), kPm25Goal));  // r > 0.70 strict
  EXPECT_TRUE(meets(stats(29.99, 49.99, 0.401), kPm25Criteria));
  EXPECT_FALSE(meets(stats(30.0, 20.0, 0.9), kPm25Criteria));
  EXPECT_FALSE(meets(stats(-30.0, 20.0, 0.9), kPm25Criteria));
  EXPECT_FALSE(meets(stats(0.0, 50.0, 0.9), kPm25Criteria));
  EXPECT_FALSE(meets(stats(0.0, 20.0, 0.40), kPm25Criteria));
  // Through compute_stats: model = 1.1 obs gives NMB = NME = 10 % exactly (not the goal).
  const PairStats s = compute_stats({55, 165}, {50, 150});
  EXPECT_DOUBLE_EQ(s.nmb, 10.0);
  EXPECT_FALSE(meets(s, kPm25Goal));
  EXPECT_TRUE(meets(s, kPm25Criteria));
}

// ---- synthetic run and observations --------------------------------------------------

const TimePoint kT0 = fwaq::parse_time("2019-01-01T00:00:00Z");
constexpr int kRunHours = 72;  // 2019-01-01T00Z .. 2019-01-03T23Z

// Observed station value at a UTC time: base + hours since kT0 (not periodic, so an
// 8-hour shift changes every pair).
double station_value(double base, TimePoint t) {
  return base + static_cast<double>(duration_cast<hours>(t - kT0).count());
}

const std::map<std::string, double> kBase = {
    {"1462A", 100.0}, {"1463A", 120.0}, {"2000A", 60.0}, {"9999A", 10.0}};

// CNEMC wide file for Beijing dates 2019-01-01 .. 2019-01-04, types PM2.5 and PM10
// (PM10 = 2 x PM2.5); station 1463A misses the hours 3-6 of 2019-01-02 (20 left: valid).
std::string cnemc_file() {
  std::ostringstream o;
  o << "date,hour,type,1462A,1463A,2000A,9999A\r\n";
  for (int d = 1; d <= 4; ++d) {
    for (int h = 0; h < 24; ++h) {
      const TimePoint t = fwaq::obs::beijing_to_utc(year{2019} / January / day(d), h);
      for (const char* type : {"PM2.5", "PM10"}) {
        o << "2019010" << d << "," << h << "," << type;
        for (const char* code : {"1462A", "1463A", "2000A", "9999A"}) {
          o << ",";
          const bool gap = std::string(code) == "1463A" && d == 2 && h >= 3 && h <= 6;
          if (!gap) o << (std::string(type) == "PM10" ? 2 : 1) * station_value(kBase.at(code), t);
        }
        o << "\r\n";
      }
    }
  }
  return o.str();
}

const char* kStationList =
    "code,name,city,lon,lat,days_present_2019\n"
    "1462A,高压开关厂,西安,108.90,34.25,364\n"
    "1463A,兴庆小区,西安,109.00,34.25,364\n"
    "2000A,某站,宝鸡,107.15,34.38,300\n";

// City hourly obs of Xi'an at UTC time t: mean of the two stations (1463A absent in its gap).
double xian_obs_hourly(TimePoint t) {
  const auto local = fwaq::obs::utc_to_beijing(t);
  const bool gap = local.date == year_month_day{year{2019} / January / day(2)} && local.hour >= 3 &&
                   local.hour <= 6;
  return gap ? station_value(100.0, t) : 0.5 * (station_value(100.0, t) + station_value(120.0, t));
}

// Station daily mean over the Beijing day d (labels 0-23) of base + index, skipping `gap`.
double station_daily(double base, int d, bool gap) {
  double sum = 0.0;
  int n = 0;
  for (int h = 0; h < 24; ++h) {
    if (gap && h >= 3 && h <= 6) continue;
    sum += station_value(base, fwaq::obs::beijing_to_utc(year{2019} / January / day(d), h));
    ++n;
  }
  return sum / n;
}

// A run directory: Xi'an city files (model = obs + bias [µg m-3]) and a 3 x 3 fields.nc
// whose cells (1,1) and (2,1) hold the values of stations 1462A and 1463A.
void write_run(const Scratch& s, const std::string& dir, double bias) {
  std::ostringstream hourly;
  hourly << std::setprecision(17);
  hourly << "city,time,pm25,pm10,so2,no2,co\n";
  for (int k = 0; k < kRunHours; ++k) {
    const TimePoint t = kT0 + hours{k};
    hourly << "Xi'an," << fwaq::format_iso(t) << "," << xian_obs_hourly(t) + bias << ",1,2,3,0.5\n";
  }
  s.write(dir + "/cities_hourly.csv", hourly.str());
  std::ostringstream daily;
  daily << std::setprecision(17);
  daily << "city,date,pm25,pm10,so2,no2,co,aqi,primary_pollutant,category\n";
  for (int d = 1; d <= 4; ++d) {
    const double v =
        0.5 * (station_daily(100.0, d, false) + station_daily(120.0, d, d == 2)) + bias;
    daily << "Xi'an,2019-01-0" << d << "," << v << ",1,2,3,0.5,150,PM2.5,light\n";
  }
  daily << "Yangling,2019-01-01,50,1,2,3,0.5,72,PM2.5;PM10,good\n";
  s.write(dir + "/cities_daily.csv", daily.str());

  fwaq::nc::NcWriter w(s.path(dir + "/fields.nc"));
  w.dimension("time", 0);
  w.dimension("y", 3);
  w.dimension("x", 3);
  w.variable("time", NC_DOUBLE, {"time"});
  w.attribute("time", "units", "hours since 2019-01-01 00:00:00");
  w.attribute("time", "calendar", "standard");
  w.variable("lat", NC_DOUBLE, {"y", "x"});
  w.variable("lon", NC_DOUBLE, {"y", "x"});
  w.variable("pm25", NC_FLOAT, {"time", "y", "x"});
  w.attribute("pm25", "units", "ug m-3");
  std::vector<double> lat(9), lon(9), times(kRunHours), pm(kRunHours * 9, 0.0);
  for (int j = 0; j < 3; ++j) {
    for (int i = 0; i < 3; ++i) {
      lat[j * 3 + i] = 34.15 + 0.1 * j;
      lon[j * 3 + i] = 108.8 + 0.1 * i;
    }
  }
  for (int k = 0; k < kRunHours; ++k) {
    times[k] = k;
    pm[k * 9 + 1 * 3 + 1] = station_value(100.0, kT0 + hours{k}) + bias;  // (x=1, y=1)
    pm[k * 9 + 1 * 3 + 2] = station_value(120.0, kT0 + hours{k}) + bias;  // (x=2, y=1)
  }
  w.write("lat", lat);
  w.write("lon", lon);
  const std::array<std::size_t, 1> t0{0}, nt{static_cast<std::size_t>(kRunHours)};
  w.write("time", times, t0, nt);
  const std::array<std::size_t, 3> p0{0, 0, 0}, np{static_cast<std::size_t>(kRunHours), 3, 3};
  w.write("pm25", pm, p0, np);
  w.commit();
}

struct Fixture {
  Scratch s;
  std::string obs, stations;
  Fixture() {
    obs = s.write("obs/sites.csv", cnemc_file());
    stations = s.write("obs/stations.csv", kStationList);
  }
  Observations load(const std::string& species = "pm25") const {
    EvaluateOptions o;
    o.obs_files = {obs};
    o.stations_file = stations;
    o.species = species;
    return Observations::load(o);
  }
};

TEST(EvaluatePairingTest, HourlyPairingShiftsBeijingTimeToUtc) {
  Fixture f;
  write_run(f.s, "run", 0.0);
  const Observations obs = f.load();
  const auto hourly = fwaq::report::paired_city_hourly(f.s.path("run"), obs);
  ASSERT_TRUE(hourly.count("Xi'an"));
  const auto& p = hourly.at("Xi'an");
  // Overlap: the run's 72 UTC hours; the obs span Beijing 2019-01-01 00h (UTC 12-31 16h)
  // to 2019-01-04 23h (UTC 01-04 15h).
  ASSERT_EQ(p.times.size(), 72u);
  EXPECT_EQ(p.times.front(), kT0);
  EXPECT_EQ(p.times.back(), kT0 + hours{71});
  const PairStats st = compute_stats(p.model, p.obs);
  EXPECT_NEAR(st.mb, 0.0, 1e-12);  // an unshifted pairing would give MB = -8 or +8
  EXPECT_NEAR(st.rmse, 0.0, 1e-12);
  EXPECT_NEAR(st.r, 1.0, 1e-12);
  // Spot check: UTC 2019-01-01T00Z is Beijing 08h: obs mean of 100 and 120 at index 0.
  EXPECT_DOUBLE_EQ(p.obs.front(), 110.0);
}

TEST(EvaluatePairingTest, DailyPairingUsesBeijingDaysAndTheTwentyHourRule) {
  Fixture f;
  write_run(f.s, "run", 5.0);
  const Observations obs = f.load();
  // Station 1463A on 2019-01-02 has 20 valid hours: a valid day.
  const auto& xian = obs.city_daily().at("Xi'an");
  ASSERT_EQ(xian.size(), 4u);
  const sys_days jan2{year{2019} / January / day(2)};
  EXPECT_NEAR(xian.at(jan2), 0.5 * (station_daily(100, 2, false) + station_daily(120, 2, true)),
              1e-12);
  // Beijing day d spans UTC indices 24(d-1)-8 .. 24(d-1)+15: mean 24(d-1)+3.5.
  EXPECT_NEAR(station_daily(100, 1, false), 103.5, 1e-12);
  const auto daily = fwaq::report::paired_city_daily(f.s.path("run"), obs);
  const auto& p = daily.at("Xi'an");
  ASSERT_EQ(p.days.size(), 4u);
  const PairStats st = compute_stats(p.model, p.obs);
  EXPECT_NEAR(st.mb, 5.0, 1e-9);
  EXPECT_NEAR(st.rmse, 5.0, 1e-9);
  EXPECT_NEAR(st.nmb, 100.0 * 20.0 / (p.obs[0] + p.obs[1] + p.obs[2] + p.obs[3]), 1e-9);
  EXPECT_FALSE(daily.count("Yangling"));  // no observations
}

TEST(EvaluatePairingTest, FullReportWithStationsAtTheirNearestCell) {
  Fixture f;
  write_run(f.s, "run", 0.0);
  const auto rep = fwaq::report::evaluate_run(f.s.path("run"), f.load());
  ASSERT_TRUE(rep.has_stations);
  ASSERT_EQ(rep.stations.size(), 2u);  // 2000A (Baoji) is outside the 3 x 3 grid
  EXPECT_EQ(rep.stations[0].code, "1462A");
  EXPECT_EQ(rep.stations[0].cell_x, 1u);
  EXPECT_EQ(rep.stations[0].cell_y, 1u);
  EXPECT_EQ(rep.stations[1].cell_x, 2u);
  EXPECT_NEAR(rep.stations[0].distance_km, 0.0, 1e-6);
  for (const auto& st : rep.stations) {
    EXPECT_EQ(st.stats.hourly.n, st.code == "1463A" ? 68u : 72u) << st.code;
    EXPECT_NEAR(st.stats.hourly.mb, 0.0, 1e-4) << st.code;  // float storage in fields.nc
    // Model days need 20 of 24 hours: Beijing 01-01 has 16 run hours, 01-04 has 8.
    EXPECT_EQ(st.stats.daily.n, 2u) << st.code;
    EXPECT_NEAR(st.stats.daily.r, 1.0, 1e-9) << st.code;
  }
  std::string notes;
  for (const auto& n : rep.notes) notes += n + "\n";
  EXPECT_NE(notes.find("station 2000A"), std::string::npos) << notes;
  EXPECT_NE(notes.find("outside the model grid"), std::string::npos) << notes;
  EXPECT_NE(notes.find("not in"), std::string::npos) << notes;  // 9999A
  EXPECT_NE(notes.find("Baoji"), std::string::npos) << notes;   // obs but no model city
  ASSERT_EQ(rep.cities.size(), 2u);                             // Xi'an and Baoji (with N = 0)
  EXPECT_EQ(rep.cities[0].first, "Xi'an");
  EXPECT_EQ(rep.cities[0].second.daily.n, 4u);
  EXPECT_EQ(rep.cities[0].second.hourly.n, 72u);
  EXPECT_EQ(rep.overall.hourly.n, 72u);
  EXPECT_EQ(*rep.first_hour, kT0);
  const auto j = fwaq::report::evaluation_json(rep);
  EXPECT_TRUE(j["cities"]["Xi'an"]["daily"]["goal"].get<bool>());
  EXPECT_TRUE(j["cities"]["Xi'an"]["hourly"]["goal"].is_null());  // daily benchmarks only
  EXPECT_EQ(j["stations"]["1462A"]["cell"]["x"].get<int>(), 1);
  EXPECT_EQ(j["period"]["first_day"].get<std::string>(), "2019-01-01");
  EXPECT_EQ(j["cities"]["Baoji"]["daily"]["n"].get<int>(), 0);
  const std::string text = fwaq::report::format_evaluation_table(rep);
  EXPECT_NE(text.find("Daily city means"), std::string::npos);
  EXPECT_NE(text.find("1463A"), std::string::npos);
}

TEST(EvaluatePairingTest, OtherSpeciesUseTheirColumns) {
  Fixture f;
  write_run(f.s, "run", 0.0);
  const Observations obs = f.load("pm10");
  EXPECT_EQ(obs.obs_type(), "PM10");
  const auto hourly = fwaq::report::paired_city_hourly(f.s.path("run"), obs);
  // The run's pm10 column is 1 everywhere: MB = 1 - mean(obs).
  const PairStats st = compute_stats(hourly.at("Xi'an").model, hourly.at("Xi'an").obs);
  EXPECT_NEAR(st.mean_model, 1.0, 1e-12);
  EXPECT_NEAR(st.mb, 1.0 - st.mean_obs, 1e-9);
  EXPECT_GT(st.mean_obs, 200.0);
}

TEST(EvaluatePairingTest, CityDailyFileWithoutStations) {
  Scratch s;
  write_run(s, "run", 0.0);
  const std::string file = s.write("obs/fenwei_city_daily_pm25_test.csv",
                                   "date,西安,宝鸡,西安_nstations,宝鸡_nstations\n"
                                   "20181231,99.0,50.0,9,4\n"  // before the run
                                   "20190101,110.0,,9,0\n"     // Baoji missing
                                   "20190102,120.0,60.0,9,4\n"
                                   "20190103,,60.0,0,4\n");  // Xi'an missing
  EvaluateOptions o;
  o.obs_files = {file};
  const auto pairs = fwaq::report::paired_city_daily(s.path("run"), o);
  const auto& p = pairs.at("Xi'an");
  ASSERT_EQ(p.days.size(), 2u);  // 01-01 and 01-02
  EXPECT_EQ(p.obs, (std::vector<double>{110.0, 120.0}));
  EXPECT_NEAR(p.model[0], 0.5 * (station_daily(100, 1, false) + station_daily(120, 1, false)),
              1e-9);
  // The full report has daily statistics and no hourly ones.
  const auto rep = fwaq::report::evaluate_run(s.path("run"), Observations::load(o));
  EXPECT_EQ(rep.overall.daily.n, 2u);
  EXPECT_EQ(rep.overall.hourly.n, 0u);
  EXPECT_FALSE(rep.has_stations);
}

TEST(EvaluatePairingTest, ClearErrors) {
  Fixture f;
  write_run(f.s, "run", 0.0);
  EvaluateOptions o;
  o.obs_files = {f.obs};
  try {
    Observations::load(o);  // station file without a station list
    ADD_FAILURE() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--stations"), std::string::npos) << e.what();
  }
  o.stations_file = f.stations;
  o.species = "o3";
  EXPECT_THROW(Observations::load(o), UsageError);
  o.species = "pm25";
  o.obs_files = {f.s.path("obs/none.csv")};
  EXPECT_THROW(Observations::load(o), InputError);
  // No overlap in time: a run one year later.
  o.obs_files = {f.obs};
  const Observations obs = Observations::load(o);
  f.s.write("late/cities_daily.csv",
            "city,date,pm25,pm10,so2,no2,co,aqi,primary_pollutant,category\n"
            "Xi'an,2020-01-01,50,1,1,1,1,72,PM2.5,good\n");
  f.s.write("late/cities_hourly.csv",
            "city,time,pm25,pm10,so2,no2,co\n"
            "Xi'an,2020-01-01T00:00:00Z,50,1,1,1,1\n");
  EXPECT_THROW(fwaq::report::paired_city_hourly(f.s.path("nothing"), obs), InputError);
  try {
    fwaq::report::evaluate_run(f.s.path("late"), obs);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    // fields.nc is missing (stations given), or nothing pairs.
    EXPECT_TRUE(std::string(e.what()).find("fields.nc") != std::string::npos ||
                std::string(e.what()).find("do not overlap") != std::string::npos)
        << e.what();
  }
  // A bad value in a run file names the file, the column and the line.
  f.s.write("bad/cities_daily.csv",
            "city,date,pm25,pm10,so2,no2,co,aqi,primary_pollutant,category\n"
            "Xi'an,2019-01-01,abc,1,1,1,1,72,PM2.5,good\n");
  try {
    fwaq::report::paired_city_daily(f.s.path("bad"), obs);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("line 2: 'abc' is not a number"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("pm25"), std::string::npos) << e.what();
  }
}

TEST(EvaluatePairingTest, NearestCellAndPointsOutsideTheGrid) {
  Scratch s;
  write_run(s, "run", 0.0);
  const auto g = fwaq::report::read_fields_grid(s.path("run/fields.nc"));
  EXPECT_EQ(g.nx, 3u);
  EXPECT_EQ(g.times.size(), 72u);
  EXPECT_EQ(g.times[1], kT0 + hours{1});
  auto cell = fwaq::report::nearest_cell(g, 34.16, 108.84);
  EXPECT_EQ(cell.i, 0u);
  EXPECT_EQ(cell.j, 0u);
  EXPECT_NEAR(cell.distance_m, fwaq::report::great_circle_m(34.16, 108.84, 34.15, 108.8), 1e-6);
  cell = fwaq::report::nearest_cell(g, 34.39, 109.04);  // inside the corner cell's outer half
  EXPECT_EQ(cell.i, 2u);
  EXPECT_EQ(cell.j, 2u);
  EXPECT_THROW(fwaq::report::nearest_cell(g, 34.25, 109.06), InputError);  // 0.6 cell east
  EXPECT_THROW(fwaq::report::nearest_cell(g, 34.09, 108.9), InputError);   // 0.6 cell south
  EXPECT_THROW(fwaq::report::nearest_cell(g, 40.0, 120.0), InputError);
  // 1 degree of latitude on the 6370 km sphere.
  EXPECT_NEAR(fwaq::report::great_circle_m(34.0, 109.0, 35.0, 109.0),
              6370000.0 * std::numbers::pi / 180.0, 1e-6);
}

// ---- the real CNEMC data ------------------------------------------------------------------

std::string shell(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return "";
  std::string out;
  std::array<char, 65536> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe.get())) > 0) out.append(buf.data(), n);
  return out;
}

// City daily PM2.5 from the station files (evaluate's own aggregation) equals the
// project's national-method reader obs::city_daily_means and the derived city daily file.
TEST(EvaluateRealDataTest, StationDerivedCityDailyMatchesNationalMethod) {
  const std::string dir = std::string(FWAQ_SHARED_DATA) + "/obs-cnemc-2019/";
  const std::string hourly = dir + "fenwei_sites_2019-01_to_09_hourly.csv.gz";
  if (!fs::exists(hourly)) GTEST_SKIP() << "no shared data";
  Scratch s;
  const std::string jan = s.path("jan.csv");
  shell("zcat '" + hourly + "' | awk -F, 'NR==1 || substr($1,1,6)==\"201901\"' > '" + jan + "'");
  ASSERT_GT(fs::file_size(jan), 100000u);
  EvaluateOptions o;
  o.obs_files = {jan};
  o.stations_file = dir + "fenwei_stations.csv";
  const Observations obs = Observations::load(o);
  fwaq::obs::ReadOptions ro;
  ro.types = {"PM2.5"};
  const auto table = fwaq::obs::HourlyTable::read(jan, ro);
  const auto list = fwaq::obs::StationList::read(o.stations_file);
  const auto ref = fwaq::obs::city_daily_means(table, list, "PM2.5");
  const auto file = fwaq::obs::read_city_daily(dir + "fenwei_city_daily_pm25_2019-01_to_09.csv");
  std::size_t compared = 0;
  double worst = 0.0, worst_file = 0.0;
  for (std::size_t k = 0; k < ref.names.size(); ++k) {
    const auto& mine = obs.city_daily().at(ref.names[k]);
    for (std::size_t d = 0; d < ref.dates.size(); ++d) {
      const double v = ref.value(d, k);
      const auto it = mine.find(sys_days{ref.dates[d]});
      if (std::isnan(v)) {
        EXPECT_EQ(it, mine.end());
        continue;
      }
      ASSERT_NE(it, mine.end()) << ref.names[k];
      worst = std::max(worst, std::abs(it->second - v));
      const int fd = file.date_index(ref.dates[d]);
      const int fk = file.name_index(ref.names[k]);
      ASSERT_GE(fd, 0);
      worst_file = std::max(worst_file, std::abs(it->second - file.value(fd, fk)));
      ++compared;
    }
  }
  EXPECT_EQ(compared, 341u);  // 31 days x 11 cities
  EXPECT_LT(worst, 1e-9);
  EXPECT_LE(worst_file, 0.05 + 1e-9);  // the file is rounded to 0.1
}

}  // namespace

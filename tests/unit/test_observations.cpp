// Tests of the CNEMC observation readers and the national daily-mean method against
// references that do not come from this code: the raw files read with gzip/awk, the
// derived city daily file fenwei_city_daily_pm25_2019-01_to_09.csv, CNEMC's own
// 24-h running means, and small hand-made files with analytic answers.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "obs/cnemc.hpp"
#include "obs/daily.hpp"
#include "obs/stations.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono;
using fwaq::InputError;
using fwaq::obs::CityMethod;
using fwaq::obs::DailyTable;
using fwaq::obs::HourlyTable;
using fwaq::obs::ReadOptions;
using fwaq::obs::StationList;

std::string obs_file(const std::string& name) {
  return std::string(FWAQ_SHARED_DATA) + "/obs-cnemc-2019/" + name;
}
const std::string kHourly = "fenwei_sites_2019-01_to_09_hourly.csv.gz";

#define REQUIRE_SHARED(name)                                                    \
  do {                                                                          \
    if (!fs::exists(obs_file(name))) GTEST_SKIP() << "no shared data " << name; \
  } while (0)

// Output of a shell command (the independent reference).
std::string shell(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return "";
  std::string out;
  std::array<char, 65536> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe.get())) > 0) out.append(buf.data(), n);
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r' && c != '\n') {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// A scratch folder for hand-made files, removed at the end of the test.
class Scratch {
 public:
  Scratch() {
    dir_ = fs::temp_directory_path() /
           ("fwaq_obs_test_" + std::to_string(getpid()) + "_" + std::to_string(counter_++));
    fs::create_directories(dir_);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  fs::path dir_;
  static inline int counter_ = 0;
};

// Runs `f`, expects an InputError naming `file` whose message contains every part.
template <class F>
void expect_input_error(F f, const std::string& file, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "no InputError for " << file;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), file);
    const std::string what = e.what();
    for (const auto& p : parts)
      EXPECT_NE(what.find(p), std::string::npos) << what << " lacks " << p;
  }
}

const std::string kStations =
    "code,name,city,lon,lat,days_present_2019\n"
    "9001A,A,西安,108.9,34.3,1\n"
    "9002A,B,西安,109.0,34.2,1\n"
    "9003A,C,渭南,109.5,34.5,1\n";

// ---------------------------------------------------------------- city names

TEST(Observations, FenweiCityNames) {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"Jinzhong", "晋中"}, {"Yuncheng", "运城"},    {"Linfen", "临汾"}, {"Lüliang", "吕梁"},
      {"Luoyang", "洛阳"},  {"Sanmenxia", "三门峡"}, {"Xi'an", "西安"},  {"Tongchuan", "铜川"},
      {"Baoji", "宝鸡"},    {"Xianyang", "咸阳"},    {"Weinan", "渭南"}};
  ASSERT_EQ(fwaq::obs::fenwei_cities().size(), expected.size());
  for (std::size_t k = 0; k < expected.size(); ++k) {
    EXPECT_EQ(fwaq::obs::fenwei_cities()[k].english, expected[k].first);
    EXPECT_EQ(fwaq::obs::city_english(expected[k].second), expected[k].first);
    EXPECT_EQ(fwaq::obs::city_chinese(expected[k].first), expected[k].second);
  }
  EXPECT_EQ(fwaq::obs::city_english("北京"), "");
}

TEST(Observations, BeijingTimeToUtc) {
  // 2019-01-01 hour 0 in Beijing (UTC+8) is 2018-12-31 16:00 UTC.
  const auto t = fwaq::obs::beijing_to_utc(year{2019} / 1 / 1, 0);
  EXPECT_EQ(fwaq::format_iso(t), "2018-12-31T16:00:00Z");
  EXPECT_EQ(fwaq::format_iso(fwaq::obs::beijing_to_utc(year{2019} / 9 / 30, 23)),
            "2019-09-30T15:00:00Z");
  for (int h = 0; h < 24; ++h) {
    const auto back = fwaq::obs::utc_to_beijing(fwaq::obs::beijing_to_utc(year{2019} / 3 / 1, h));
    EXPECT_EQ(back.date, year{2019} / 3 / 1);
    EXPECT_EQ(back.hour, h);
  }
}

// ---------------------------------------------------------------- station lists

TEST(Observations, StationListsAgree) {
  REQUIRE_SHARED("fenwei_stations.csv");
  const StationList fw = StationList::read(obs_file("fenwei_stations.csv"));
  const StationList nat = StationList::read(obs_file("StationList-2020.01.01.csv"));
  EXPECT_EQ(fw.layout(), StationList::Layout::Fenwei);
  EXPECT_EQ(nat.layout(), StationList::Layout::National);
  // Reference counts from the files themselves (awk): data lines and repeated codes.
  const int fw_lines =
      std::stoi(shell("awk 'NR>1' '" + obs_file("fenwei_stations.csv") + "' | wc -l"));
  const int nat_unique =
      std::stoi(shell("awk -F, 'NR>1{print $1}' '" + obs_file("StationList-2020.01.01.csv") +
                      "' | sort -u | wc -l"));
  EXPECT_EQ(static_cast<int>(fw.size()), fw_lines);
  EXPECT_EQ(static_cast<int>(nat.size()), nat_unique);
  ASSERT_EQ(nat.warnings().size(), 1u);  // 3207A is listed twice
  EXPECT_NE(nat.warnings()[0].find("3207A"), std::string::npos);
  // Stations per city, counted with awk on the Chinese city column.
  const std::string counts = shell("awk -F, 'NR>1{n[$3]++} END{for(c in n) print c\",\"n[c]}' '" +
                                   obs_file("fenwei_stations.csv") + "'");
  int cities = 0;
  std::istringstream is(counts);
  for (std::string line; std::getline(is, line);) {
    const auto f = split(line, ',');
    ASSERT_EQ(f.size(), 2u);
    const std::string en = fwaq::obs::city_english(f[0]);
    ASSERT_FALSE(en.empty()) << f[0];
    EXPECT_EQ(static_cast<int>(fw.in_city(en).size()), std::stoi(f[1])) << en;
    EXPECT_EQ(static_cast<int>(nat.in_city(en).size()), std::stoi(f[1])) << en;
    ++cities;
  }
  EXPECT_EQ(cities, 11);
  // Every Fenwei station is in the national list, with the same city and coordinates.
  int without_location = 0;
  for (const auto& s : fw.stations()) {
    const auto* n = nat.find(s.code);
    ASSERT_NE(n, nullptr) << s.code;
    EXPECT_EQ(n->city, s.city);
    EXPECT_EQ(n->name, s.name);
    if (!s.has_location()) {
      ++without_location;
      EXPECT_FALSE(n->has_location());
      continue;
    }
    EXPECT_EQ(n->lon, s.lon);
    EXPECT_EQ(n->lat, s.lat);
    EXPECT_GT(s.lon, 105.0);  // the Fenwei plain lies within 105-114 E, 33-39 N
    EXPECT_LT(s.lon, 114.0);
    EXPECT_GT(s.lat, 33.0);
    EXPECT_LT(s.lat, 39.0);
  }
  EXPECT_EQ(without_location, 3);  // 2172A, 2177A, 2184A have empty coordinates
  const auto* xian = fw.find("1462A");
  ASSERT_NE(xian, nullptr);
  EXPECT_EQ(xian->city, "Xi'an");
  EXPECT_DOUBLE_EQ(xian->lon, 108.882);
  EXPECT_DOUBLE_EQ(xian->lat, 34.2749);
  EXPECT_EQ(xian->days_present, 364);
}

// ---------------------------------------------------------------- hourly file

TEST(Observations, HourlyFileMatchesGzipAndAwk) {
  REQUIRE_SHARED(kHourly);
  const std::string path = obs_file(kHourly);
  const StationList stations = StationList::read(obs_file("fenwei_stations.csv"));
  ReadOptions ro;
  ro.stations = &stations;
  const HourlyTable t = HourlyTable::read(path, ro);
  EXPECT_TRUE(t.compressed());
  // One pass of gzip + awk over the file (CRLF line ends: the CR is stripped) prints
  // the header, four whole rows, the number of non-empty PM2.5 cells and of lines.
  const std::vector<std::array<std::string, 3>> rows = {{"20190101", "0", "PM2.5"},
                                                        {"20190315", "14", "NO2"},
                                                        {"20190822", "3", "CO"},
                                                        {"20190930", "23", "O3_8h_24h"}};
  std::string select;
  for (const auto& [date, hour, type] : rows)
    select += std::string(select.empty() ? "" : " || ") + "($1==\"" + date + "\" && $2==\"" + hour +
              "\" && $3==\"" + type + "\")";
  std::istringstream awk(
      shell("gzip -dc '" + path + "' | awk -F, '{sub(/\\r$/, \"\")} NR==1 || " + select +
            " {print} $3==\"PM2.5\"{for(i=4;i<=NF;i++) if($i!=\"\") n++} END{print n; print NR}'"));
  std::vector<std::string> out;
  for (std::string line; std::getline(awk, line);) out.push_back(line);
  ASSERT_EQ(out.size(), 1 + rows.size() + 2);
  const auto header = split(out[0], ',');
  ASSERT_GT(header.size(), 3u);
  EXPECT_EQ(t.station_codes(), std::vector<std::string>(header.begin() + 3, header.end()));
  EXPECT_EQ(t.station_codes().size(), 69u);
  EXPECT_EQ(static_cast<long>(t.rows()), std::stol(out.back()) - 1);
  EXPECT_EQ(t.types().size(), 15u);
  // Period: Beijing 2019-01-01 00 .. 2019-09-30 23.
  ASSERT_FALSE(t.times().empty());
  EXPECT_EQ(fwaq::format_iso(t.times().front()), "2018-12-31T16:00:00Z");
  EXPECT_EQ(fwaq::format_iso(t.times().back()), "2019-09-30T15:00:00Z");
  EXPECT_TRUE(std::is_sorted(t.times().begin(), t.times().end()));
  EXPECT_EQ(static_cast<long>(t.valid_count(t.type_index("PM2.5"))),
            std::stol(out[out.size() - 2]));
  // Whole rows compared cell by cell with the text of the file.
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto& [date, hour, type] = rows[r];
    const auto f = split(out[1 + r], ',');
    ASSERT_EQ(f.size(), header.size()) << date << " " << hour << " " << type;
    ASSERT_EQ(f[0] + " " + f[1] + " " + f[2], date + " " + hour + " " + type);
    const auto when =
        fwaq::obs::beijing_to_utc(year{std::stoi(date.substr(0, 4))} /
                                      std::stoi(date.substr(4, 2)) / std::stoi(date.substr(6, 2)),
                                  std::stoi(hour));
    const auto it = std::find(t.times().begin(), t.times().end(), when);
    ASSERT_NE(it, t.times().end());
    const std::size_t ti = static_cast<std::size_t>(it - t.times().begin());
    EXPECT_EQ(fwaq::obs::format_ymd(t.local(ti).date).substr(8, 2), date.substr(6, 2));
    int missing = 0;
    for (std::size_t s = 0; s + 3 < f.size(); ++s) {
      const double v = t.value(t.type_index(type), ti, static_cast<int>(s));
      if (f[3 + s].empty()) {
        EXPECT_TRUE(std::isnan(v));
        ++missing;
      } else {
        EXPECT_EQ(v, std::stod(f[3 + s])) << type << " " << date << " " << t.station_codes()[s];
      }
    }
    RecordProperty("missing_" + type + "_" + date, missing);
  }
}

TEST(Observations, NationalDailyFileSameLayout) {
  REQUIRE_SHARED("china_sites_20190101.csv");
  const std::string path = obs_file("china_sites_20190101.csv");
  ReadOptions ro;
  ro.types = {"PM2.5", "PM10"};
  const HourlyTable t = HourlyTable::read(path, ro);
  EXPECT_FALSE(t.compressed());
  const auto header = split(shell("head -1 '" + path + "'"), ',');
  EXPECT_EQ(t.station_codes().size(), header.size() - 3);
  EXPECT_EQ(t.types(), (std::vector<std::string>{"PM2.5", "PM10"}));
  EXPECT_EQ(t.types_in_file().size(), 15u);
  EXPECT_EQ(t.times().size(), 24u);
  // Beijing station 1001A, hour 0: the value written in the file.
  const auto f = split(shell("awk -F, '$2==\"0\" && $3==\"PM2.5\"' '" + path + "'"), ',');
  ASSERT_EQ(f.size(), header.size());
  const int s = t.station_index("1001A");
  ASSERT_EQ(header[3 + static_cast<std::size_t>(s)], "1001A");
  EXPECT_EQ(t.value(t.type_index("PM2.5"), 0, s), std::stod(f[3 + static_cast<std::size_t>(s)]));
}

// ---------------------------------------------------------------- daily means

// One value of the derived file: the number (NaN if empty), its text, the station count.
struct RefValue {
  double value;
  std::string text;
  int stations;
};
using Reference = std::map<std::pair<std::string, std::string>, RefValue>;

// The derived file, parsed here independently of obs::read_city_daily:
// (YYYYMMDD, Chinese city) → value.
Reference reference_city_daily() {
  Reference ref;
  std::ifstream in(obs_file("fenwei_city_daily_pm25_2019-01_to_09.csv"));
  std::string line;
  std::getline(in, line);
  const auto header = split(line, ',');
  const std::size_t n = (header.size() - 1) / 2;
  while (std::getline(in, line)) {
    const auto f = split(line, ',');
    for (std::size_t k = 0; k < n; ++k) {
      ref[{f[0], header[1 + k]}] = {f[1 + k].empty() ? NAN : std::stod(f[1 + k]), f[1 + k],
                                    std::stoi(f[1 + n + k])};
    }
  }
  return ref;
}

struct Agreement {
  int compared = 0, within = 0, counts_equal = 0, presence_mismatch = 0;
  int text_equal = 0;  // printf("%.1f") of our value is the reference text
  double max_diff = 0;
};

// Compares city daily values with the reference over [first, last] (YYYYMMDD).
Agreement compare(const DailyTable& ours, const Reference& ref, const std::string& first,
                  const std::string& last, double tolerance) {
  Agreement a;
  for (const auto& [key, rv] : ref) {
    if (key.first < first || key.first > last) continue;
    const auto date = year{std::stoi(key.first.substr(0, 4))} / std::stoi(key.first.substr(4, 2)) /
                      std::stoi(key.first.substr(6, 2));
    const int d = ours.date_index(date);
    const int c = ours.name_index(fwaq::obs::city_english(key.second));
    if (d < 0 || c < 0) {
      ++a.presence_mismatch;
      continue;
    }
    const double v = ours.value(static_cast<std::size_t>(d), static_cast<std::size_t>(c));
    if (std::isnan(v) != std::isnan(rv.value)) {
      ++a.presence_mismatch;
      continue;
    }
    if (std::isnan(v)) continue;
    ++a.compared;
    const double diff = std::abs(v - rv.value);
    a.max_diff = std::max(a.max_diff, diff);
    if (diff <= tolerance) ++a.within;
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", v);
    if (rv.text == text) ++a.text_equal;
    if (ours.count(static_cast<std::size_t>(d), static_cast<std::size_t>(c)) == rv.stations)
      ++a.counts_equal;
  }
  return a;
}

class CityDaily : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(obs_file(kHourly))) return;
    stations_ = std::make_unique<StationList>(StationList::read(obs_file("fenwei_stations.csv")));
    ReadOptions ro;
    ro.types = {"PM2.5", "PM2.5_24h"};
    table_ = std::make_unique<HourlyTable>(HourlyTable::read(obs_file(kHourly), ro));
  }
  static void TearDownTestSuite() {
    table_.reset();
    stations_.reset();
  }
  void SetUp() override { REQUIRE_SHARED(kHourly); }
  static inline std::unique_ptr<StationList> stations_;
  static inline std::unique_ptr<HourlyTable> table_;
};

// Required comparison: city daily PM2.5 for January-March 2019, all 11 cities. The
// reference values are rounded to 0.1 µg m-3, so a correct method lies within
// 0.05 µg m-3 (+ 1e-9 for binary rounding) of every one of them.
TEST_F(CityDaily, ReproducesDerivedFileJanuaryToMarch) {
  const DailyTable ours = fwaq::obs::city_daily_means(*table_, *stations_, "PM2.5");
  EXPECT_EQ(ours.units, "µg m-3");
  const auto ref = reference_city_daily();
  const Agreement a = compare(ours, ref, "20190101", "20190331", 0.05 + 1e-9);
  RecordProperty("city_days_compared", a.compared);
  RecordProperty("within_0.05", a.within);
  RecordProperty("max_abs_diff_ug_m3", std::to_string(a.max_diff));
  // 90 days x 11 cities, minus 2019-02-20 when no station has 20 valid hours.
  EXPECT_EQ(a.compared, 979);
  EXPECT_EQ(a.presence_mismatch, 0);
  EXPECT_EQ(a.within, a.compared);  // 100 % within 0.05 µg m-3
  EXPECT_EQ(a.counts_equal, a.compared);
  EXPECT_LE(a.max_diff, 0.05 + 1e-9);
  const auto jan1 = ours.date_index(year{2019} / 1 / 1);
  ASSERT_GE(jan1, 0);
  EXPECT_NEAR(ours.value(static_cast<std::size_t>(jan1),
                         static_cast<std::size_t>(ours.name_index("Xi'an"))),
              158.8, 0.05 + 1e-9);
}

TEST_F(CityDaily, ReproducesDerivedFileWholePeriod) {
  const DailyTable ours = fwaq::obs::city_daily_means(*table_, *stations_, "PM2.5");
  const auto ref = reference_city_daily();
  const Agreement a = compare(ours, ref, "20190101", "20190930", 0.05 + 1e-9);
  RecordProperty("city_days_compared", a.compared);
  RecordProperty("max_abs_diff_ug_m3", std::to_string(a.max_diff));
  EXPECT_EQ(a.presence_mismatch, 0);
  EXPECT_EQ(a.within, a.compared);
  EXPECT_EQ(a.counts_equal, a.compared);
  // Rounded to 0.1 by printf (exact binary value, ties to even: 44 city-days are exact
  // ties such as 121.25 -> "121.2"), every value is the reference text.
  RecordProperty("text_equal", a.text_equal);
  EXPECT_EQ(a.text_equal, a.compared);
  // 2019-04-08 has no rows at all: our table keeps the date, empty, the reference omits it.
  const int d = ours.date_index(year{2019} / 4 / 8);
  ASSERT_GE(d, 0);
  for (std::size_t c = 0; c < ours.names.size(); ++c) {
    EXPECT_TRUE(std::isnan(ours.value(static_cast<std::size_t>(d), c)));
    EXPECT_EQ(ours.count(static_cast<std::size_t>(d), c), 0);
  }
  EXPECT_EQ(ours.dates.size(), 273u);
}

// The validity rule and the order of averaging matter: 18 or 22 hours, or the mean of
// hourly city means, do not reproduce the reference (evidence for HJ 663-2013 as
// implemented). Figures in docs/science/observations.md.
TEST_F(CityDaily, OtherRulesDoNotReproduceDerivedFile) {
  const auto ref = reference_city_daily();
  const double tol = 0.05 + 1e-9;
  for (int hours : {18, 22}) {
    const Agreement a = compare(fwaq::obs::city_daily_means(*table_, *stations_, "PM2.5", hours),
                                ref, "20190101", "20190331", tol);
    RecordProperty("within_0.05_min_hours_" + std::to_string(hours), a.within);
    EXPECT_LT(a.within, a.compared) << hours << " hours";
  }
  const Agreement h = compare(fwaq::obs::city_daily_means(*table_, *stations_, "PM2.5", 20,
                                                          CityMethod::MeanOfHourlyCityMeans),
                              ref, "20190101", "20190331", tol);
  RecordProperty("within_0.05_hourly_city_means", h.within);
  RecordProperty("max_abs_diff_hourly_city_means", std::to_string(h.max_diff));
  EXPECT_LT(h.within, h.compared / 2);
}

// CNEMC's own PM2.5_24h at hour 23 (integer µg m-3) is the mean of the day's hours
// 0-23: for every station-day with 24 valid hours, our daily mean rounds to it.
TEST_F(CityDaily, StationMeansMatchCnemc24hValues) {
  const DailyTable st = fwaq::obs::station_daily_means(*table_, "PM2.5");
  const int t24 = table_->type_index("PM2.5_24h");
  int compared = 0, within = 0;
  for (std::size_t i = 0; i < table_->times().size(); ++i) {
    const auto local = table_->local(i);
    if (local.hour != 23) continue;
    const int d = st.date_index(local.date);
    for (std::size_t s = 0; s < st.names.size(); ++s) {
      const double cnemc = table_->value(t24, i, static_cast<int>(s));
      if (std::isnan(cnemc) || st.count(static_cast<std::size_t>(d), s) != 24) continue;
      ++compared;
      if (std::abs(st.value(static_cast<std::size_t>(d), s) - cnemc) <= 0.5 + 1e-9) ++within;
    }
  }
  RecordProperty("station_days_compared", compared);
  RecordProperty("within_0.5", within);
  EXPECT_GT(compared, 9000);  // 9968 station-days have all 24 hours
  EXPECT_EQ(within, compared);
}

TEST_F(CityDaily, ReaderOfDerivedFile) {
  const DailyTable r =
      fwaq::obs::read_city_daily(obs_file("fenwei_city_daily_pm25_2019-01_to_09.csv"));
  const auto ref = reference_city_daily();
  EXPECT_EQ(r.names.size(), 11u);
  EXPECT_EQ(r.names[6], "Xi'an");
  EXPECT_EQ(r.dates.size() * r.names.size(), ref.size());
  const DailyTable ours = fwaq::obs::city_daily_means(*table_, *stations_, "PM2.5");
  const Agreement a = compare(ours, ref, "20190101", "20190930", 0.05 + 1e-9);
  int valid = 0;
  for (double v : r.values) valid += std::isnan(v) ? 0 : 1;
  EXPECT_EQ(valid, a.compared);
}

// Hand-made day: station A has 20 valid hours (valid), B 19 (invalid), C (Weinan) 24.
TEST(Observations, DailyValidityRuleAnalytic) {
  Scratch dir;
  const std::string list = dir.write("stations.csv", kStations);
  std::ostringstream csv;
  csv << "date,hour,type,9001A,9002A,9003A\n";
  double sum_a = 0;
  for (int h = 0; h < 24; ++h) {
    const std::string a = h < 20 ? std::to_string(10 + h) : "";
    const std::string b = h < 19 ? "100" : "";
    if (h < 20) sum_a += 10 + h;
    csv << "20190105," << h << ",PM2.5," << a << "," << b << "," << 2 * h << "\n";
  }
  // The next day, hour 0 only: must not enter 2019-01-05.
  csv << "20190106,0,PM2.5,1000,1000,1000\n";
  const std::string path = dir.write("day.csv", csv.str());
  const StationList stations = StationList::read(list);
  const HourlyTable t = HourlyTable::read(path);
  const DailyTable st = fwaq::obs::station_daily_means(t, "PM2.5");
  ASSERT_EQ(st.dates.size(), 2u);
  EXPECT_DOUBLE_EQ(st.value(0, 0), sum_a / 20);
  EXPECT_EQ(st.count(0, 0), 20);
  EXPECT_TRUE(std::isnan(st.value(0, 1)));
  EXPECT_EQ(st.count(0, 1), 19);
  EXPECT_DOUBLE_EQ(st.value(0, 2), 23.0);  // mean of 0, 2, ..., 46
  const DailyTable city = fwaq::obs::city_daily_means(t, stations, "PM2.5");
  const auto xian = static_cast<std::size_t>(city.name_index("Xi'an"));
  const auto weinan = static_cast<std::size_t>(city.name_index("Weinan"));
  EXPECT_DOUBLE_EQ(city.value(0, xian), sum_a / 20);  // B is not valid: A alone
  EXPECT_EQ(city.count(0, xian), 1);
  EXPECT_DOUBLE_EQ(city.value(0, weinan), 23.0);
  EXPECT_TRUE(std::isnan(city.value(1, xian)));  // one hour on 2019-01-06
  // With 19 hours allowed, B enters: (A + 100) / 2.
  const DailyTable loose = fwaq::obs::city_daily_means(t, stations, "PM2.5", 19);
  EXPECT_DOUBLE_EQ(loose.value(0, xian), (sum_a / 20 + 100.0) / 2);
  // Mean of hourly city means: hours 0-18 (A+100)/2, hour 19 A alone, hours 20-23 none.
  const DailyTable hourly =
      fwaq::obs::city_daily_means(t, stations, "PM2.5", 20, CityMethod::MeanOfHourlyCityMeans);
  double hsum = 0;
  for (int h = 0; h < 19; ++h) hsum += (10.0 + h + 100.0) / 2;
  hsum += 29.0;
  EXPECT_DOUBLE_EQ(hourly.value(0, xian), hsum / 20);
  // O3 and AQI have other daily rules.
  EXPECT_THROW(fwaq::obs::station_daily_means(t, "O3"), fwaq::UsageError);
}

// ---------------------------------------------------------------- bad input

TEST(Observations, BadInputNamesFileLineAndColumn) {
  Scratch dir;
  const std::string list_path = dir.write("stations.csv", kStations);
  const StationList list = StationList::read(list_path);
  const std::string good = "date,hour,type,9001A,9002A\n20190101,0,PM2.5,1,2\n";
  auto read = [](const std::string& p) { return [p]() { HourlyTable::read(p); }; };

  const std::string wrong_header =
      dir.write("h.csv", "datum,hour,type,9001A\n20190101,0,PM2.5,1\n");
  expect_input_error(read(wrong_header), wrong_header,
                     {"line 1", "datum,hour,type", "date,hour,type"});

  const std::string not_number = dir.write("n.csv", good + "20190101,1,PM2.5,3,abc\n");
  expect_input_error(read(not_number), not_number,
                     {"PM2.5", "line 3", "column 5", "station 9002A", "'abc'", "hour 1"});

  const std::string negative = dir.write("neg.csv", good + "20190101,1,PM2.5,-4,1\n");
  expect_input_error(read(negative), negative, {"line 3", "column 4", "'-4'"});

  const std::string unknown_station = dir.write("u.csv", "date,hour,type,9001A,1234Z\n");
  ReadOptions ro;
  ro.stations = &list;
  expect_input_error([&]() { HourlyTable::read(unknown_station, ro); }, unknown_station,
                     {"line 1", "column 5", "'1234Z'", list_path});

  const std::string fields = dir.write("f.csv", good + "20190101,1,PM2.5,3\n");
  expect_input_error(read(fields), fields, {"line 3", "4 fields", "expected 5"});

  const std::string date = dir.write("d.csv", good + "20190230,1,PM2.5,3,4\n");
  expect_input_error(read(date), date, {"line 3", "column 1", "'20190230'", "YYYYMMDD"});

  const std::string hour = dir.write("hr.csv", good + "20190101,24,PM2.5,3,4\n");
  expect_input_error(read(hour), hour, {"line 3", "column 2", "'24'"});

  const std::string type = dir.write("t.csv", good + "20190101,1,PM25,3,4\n");
  expect_input_error(read(type), type, {"line 3", "column 3", "'PM25'"});

  const std::string twice = dir.write("r.csv", good + "20190101,0,PM2.5,3,4\n");
  expect_input_error(read(twice), twice, {"line 3", "second row", "2019-01-01 hour 0"});

  const std::string dup = dir.write("dup.csv", "date,hour,type,9001A,9001A\n");
  expect_input_error(read(dup), dup, {"column 5", "'9001A'", "twice"});

  expect_input_error(read(dir.path("absent.csv")), dir.path("absent.csv"), {"cannot open"});

  // Station lists.
  const std::string bad_list = dir.write("bl.csv", "id,name,city,lon,lat\n");
  expect_input_error([&]() { StationList::read(bad_list); }, bad_list,
                     {"line 1", "code,name,city"});
  const std::string bad_lon =
      dir.write("bc.csv", "code,name,city,lon,lat,days_present_2019\n9001A,A,西安,east,34,1\n");
  expect_input_error([&]() { StationList::read(bad_lon); }, bad_lon,
                     {"longitude", "line 2", "column 4", "'east'"});
  const std::string clash = dir.write(
      "cl.csv",
      "code,name,city,lon,lat,days_present_2019\n9001A,A,西安,108,34,1\n9001A,A,渭南,109,34,1\n");
  expect_input_error([&]() { StationList::read(clash); }, clash, {"line 3", "'9001A'"});

  // City means need every station in the list.
  const std::string other =
      dir.write("o.csv", "date,hour,type,9001A,7777A\n20190101,0,PM2.5,1,2\n");
  const HourlyTable t = HourlyTable::read(other);
  expect_input_error([&]() { fwaq::obs::city_daily_means(t, list, "PM2.5"); }, other,
                     {"'7777A'", list_path});
}

TEST(Observations, TruncatedAndCorruptGzip) {
  REQUIRE_SHARED(kHourly);
  Scratch dir;
  // The first 300 000 bytes of the real file: the stream ends inside a line.
  const std::string cut = dir.path("cut.csv.gz");
  {
    std::ifstream in(obs_file(kHourly), std::ios::binary);
    std::vector<char> bytes(300000);
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::ofstream(cut, std::ios::binary).write(bytes.data(), in.gcount());
  }
  expect_input_error([&]() { HourlyTable::read(cut); }, cut, {"truncated gzip", "line"});

  // A small gzip file with one byte of its deflate data changed.
  const std::string plain = dir.write(
      "p.csv", "date,hour,type,9001A\n" + [] {
        std::string rows;
        for (int h = 0; h < 24; ++h)
          rows += "20190101," + std::to_string(h) + ",PM2.5," + std::to_string(h * 7) + "\n";
        return rows;
      }());
  const std::string gz = dir.path("p.csv.gz");
  ASSERT_EQ(std::system(("gzip -c '" + plain + "' > '" + gz + "'").c_str()), 0);
  const HourlyTable ok = HourlyTable::read(gz);  // intact: reads
  EXPECT_TRUE(ok.compressed());
  EXPECT_EQ(ok.value(ok.type_index("PM2.5"), 23, 0), 161.0);
  std::string bytes;
  {
    std::ifstream in(gz, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_GT(bytes.size(), 40u);
  bytes[bytes.size() - 12] = static_cast<char>(bytes[bytes.size() - 12] ^ 0x5a);
  const std::string bad = dir.write("bad.csv.gz", bytes);
  expect_input_error([&]() { HourlyTable::read(bad); }, bad, {"gzip", "line"});
}

}  // namespace

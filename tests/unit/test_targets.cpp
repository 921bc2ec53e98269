// Tests of the plan targets: the targets file against Appendix 1 of the plan text itself,
// the pass rules at their edges, and the comparison of two synthetic runs with known
// answers (read back from summary.json files written here).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "report/run_outputs.hpp"
#include "report/targets.hpp"

namespace {

namespace fs = std::filesystem;
using fwaq::InputError;
using fwaq::report::RunSummary;
using fwaq::report::Targets;

const std::string kTargets = std::string(FWAQ_SOURCE_DIR) + "/input/fenwei/targets.yaml";

class Scratch {
 public:
  Scratch() {
    dir_ = fs::temp_directory_path() /
           ("fwaq_targets_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::create_directories(dir_);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path path(const std::string& name) const { return dir_ / name; }
  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p;
  }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
};

// The brief's table of Appendix 1.
struct Expected {
  const char* name;
  std::optional<double> pm25;
  std::optional<int> heavy;
};
const std::vector<Expected> kAppendix1 = {{"Jinzhong", 2.0, std::nullopt},
                                          {"Yuncheng", 2.5, 1},
                                          {"Linfen", 2.0, 1},
                                          {"Lüliang", std::nullopt, std::nullopt},
                                          {"Luoyang", 3.0, 1},
                                          {"Sanmenxia", 3.5, 1},
                                          {"Xi'an", 2.0, 1},
                                          {"Xixian New Area", 2.0, 1},
                                          {"Tongchuan", 2.5, std::nullopt},
                                          {"Baoji", 2.5, 1},
                                          {"Xianyang", 4.0, 2},
                                          {"Weinan", 2.0, 1},
                                          {"Hancheng", 2.0, 1},
                                          {"Yangling", 2.5, 1}};

TEST(TargetsTest, FileEncodesAppendix1OfTheBrief) {
  const Targets t = Targets::load(kTargets);
  ASSERT_EQ(t.areas.size(), kAppendix1.size());
  for (std::size_t k = 0; k < kAppendix1.size(); ++k) {
    const auto& e = kAppendix1[k];
    const auto& a = t.areas[k];
    EXPECT_EQ(a.name, e.name);
    EXPECT_EQ(a.pm25_decrease_percent, e.pm25) << e.name;
    EXPECT_EQ(a.heavy_days_fewer, e.heavy) << e.name;
  }
  EXPECT_EQ(t.region_pm25_decrease_percent, 3.0);
  EXPECT_EQ(t.region_heavy_city_days_decrease_percent, 3.0);
  EXPECT_EQ(t.region_areas, (std::vector<std::string>{"Jinzhong", "Yuncheng", "Linfen", "Lüliang",
                                                      "Luoyang", "Sanmenxia", "Xi'an", "Tongchuan",
                                                      "Baoji", "Xianyang", "Weinan", "Yangling"}));
}

std::string trim(std::string s) {
  const std::string ws = " \t\r\n";
  // also the ideographic space U+3000 (E3 80 80) used for indentation in the plan text
  for (;;) {
    const std::size_t before = s.size();
    s.erase(0, s.find_first_not_of(ws) == std::string::npos ? s.size() : s.find_first_not_of(ws));
    while (s.rfind("\xE3\x80\x80", 0) == 0) s.erase(0, 3);
    while (!s.empty() && ws.find(s.back()) != std::string::npos) s.pop_back();
    if (s.size() == before) return s;
  }
}

// The targets file against the plan's own text: Appendix 1 (附件1) lists each area's
// Chinese name followed by its two targets.
TEST(TargetsTest, FileMatchesAppendix1OfThePlanText) {
  const std::string seed = std::string(FWAQ_SHARED_DATA) + "/../seed/000_a343e5dd7837b078.txt";
  std::ifstream in(seed);
  if (!in) GTEST_SKIP() << "plan text not available: " << seed;
  std::vector<std::string> lines;
  std::string line;
  bool in_appendix = false;
  while (std::getline(in, line)) {
    const std::string t = trim(line);
    if (t.rfind("附件1", 0) == 0) in_appendix = true;
    if (in_appendix && !t.empty()) lines.push_back(t);
  }
  ASSERT_FALSE(lines.empty()) << "no 附件1 in " << seed;
  const Targets targets = Targets::load(kTargets);
  int matched = 0;
  for (const auto& a : targets.areas) {
    const auto it = std::find(lines.begin(), lines.end(), a.name_zh);
    ASSERT_NE(it, lines.end()) << a.name_zh << " not in Appendix 1";
    ASSERT_LT(it + 2, lines.end());
    const std::string pm = *(it + 1);
    const std::string heavy = *(it + 2);
    if (a.pm25_decrease_percent) {
      EXPECT_DOUBLE_EQ(std::stod(pm), *a.pm25_decrease_percent) << a.name;
    } else {
      EXPECT_EQ(pm, "持续改善") << a.name;
    }
    if (a.heavy_days_fewer) {
      EXPECT_EQ(std::stoi(heavy), *a.heavy_days_fewer) << a.name;
    } else {
      EXPECT_EQ(heavy, "持续改善") << a.name;
    }
    ++matched;
  }
  EXPECT_EQ(matched, 14);
}

TEST(TargetsTest, DefaultFileIsFoundFromTheBuildTree) {
  const fs::path found = fwaq::report::default_targets_file();
  EXPECT_TRUE(fs::equivalent(found, kTargets)) << found;
}

TEST(TargetsTest, BadTargetsFilesAreInputErrors) {
  Scratch s;
  const std::string good_region =
      "region: {pm25_decrease_percent: 3, heavy_city_days_decrease_percent: 3, areas: [Baoji]}\n";
  auto expect_error = [&](const std::string& text, const std::string& needle) {
    const fs::path p = s.write("t.yaml", text);
    try {
      Targets::load(p.string());
      ADD_FAILURE() << "no error for: " << text;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error(good_region +
                   "areas:\n  - {name: Paris, pm25_decrease_percent: 2, "
                   "heavy_days_fewer: 1}\n",
               "unknown area 'Paris'");
  expect_error(good_region +
                   "areas:\n  - {name: Baoji, pm25_decrease_percent: 2, "
                   "heavy_days: 1}\n",
               "unknown key");
  expect_error(good_region +
                   "areas:\n  - {name: Baoji, pm25_decrease_percent: lots, "
                   "heavy_days_fewer: 1}\n",
               "is not a number");
  expect_error(good_region +
                   "areas:\n  - {name: Baoji, pm25_decrease_percent: -2, "
                   "heavy_days_fewer: 1}\n",
               "out of range");
  expect_error(good_region + "areas:\n  - {name: Baoji, pm25_decrease_percent: 2}\n",
               "heavy_days_fewer");
  expect_error("areas: []\n", "region");
  expect_error(good_region + "areas: [\n", "YAML syntax error");
  EXPECT_THROW(Targets::load(s.path("none.yaml").string()), InputError);
}

TEST(TargetsTest, PassRulesAtTheirEdges) {
  using fwaq::report::heavy_days_target_met;
  using fwaq::report::percent_decrease_met;
  using fwaq::report::pm25_target_met;
  // PM2.5 X %: change <= -X.
  EXPECT_TRUE(pm25_target_met(100.0, 98.0, 2.0));    // exactly -2 %
  EXPECT_FALSE(pm25_target_met(100.0, 98.01, 2.0));  // -1.99 %
  EXPECT_TRUE(pm25_target_met(80.0, 78.4, 2.0));     // -2 % with inexact binary values
  EXPECT_TRUE(pm25_target_met(100.0, 96.0, 3.5));
  EXPECT_FALSE(pm25_target_met(100.0, 101.0, 2.0));
  // Sustained: strictly lower.
  EXPECT_TRUE(pm25_target_met(100.0, 99.99, std::nullopt));
  EXPECT_FALSE(pm25_target_met(100.0, 100.0, std::nullopt));
  // Heavy days N fewer: B <= A - N; when A < N only B = 0 passes.
  EXPECT_TRUE(heavy_days_target_met(10, 9, 1));
  EXPECT_FALSE(heavy_days_target_met(10, 10, 1));
  EXPECT_TRUE(heavy_days_target_met(10, 8, 2));
  EXPECT_FALSE(heavy_days_target_met(10, 9, 2));
  EXPECT_TRUE(heavy_days_target_met(1, 0, 2));
  EXPECT_FALSE(heavy_days_target_met(1, 1, 2));
  EXPECT_TRUE(heavy_days_target_met(0, 0, 1));
  EXPECT_FALSE(heavy_days_target_met(0, 1, 1));
  // Heavy days sustained: strictly fewer, or none in either.
  EXPECT_TRUE(heavy_days_target_met(5, 4, std::nullopt));
  EXPECT_FALSE(heavy_days_target_met(5, 5, std::nullopt));
  EXPECT_TRUE(heavy_days_target_met(0, 0, std::nullopt));
  // Region heavy city-days -3 %.
  EXPECT_TRUE(percent_decrease_met(100, 97, 3.0));
  EXPECT_FALSE(percent_decrease_met(100, 98, 3.0));
  EXPECT_TRUE(percent_decrease_met(0, 0, 3.0));
  EXPECT_FALSE(percent_decrease_met(0, 1, 3.0));
}

// A summary.json with the given (pm25, heavy) per area, days = 182.
std::string summary_json(const std::map<std::string, std::pair<double, int>>& areas,
                         bool with_region, const std::string& start = "2019-10-01T00:00:00Z",
                         const std::string& end = "2020-04-01T00:00:00Z") {
  std::ostringstream o;
  o << "{\"state_hash\": \"0123456789abcdef\", \"wall_seconds\": 12.5, \"case\": \"test\",\n"
    << " \"period\": {\"start\": \"" << start << "\", \"end\": \"" << end << "\"},\n"
    << " \"aqi_pollutants\": [\"PM2.5\",\"PM10\",\"SO2\",\"NO2\",\"CO\"],\n \"cities\": {";
  bool first = true;
  double sum = 0.0;
  int heavy = 0, n = 0;
  for (const auto& [name, v] : areas) {
    o << (first ? "" : ",") << "\n  \"" << name << "\": {\"pm25_mean\": " << v.first
      << ", \"heavy_days\": " << v.second
      << ", \"pm10_mean\": 100, \"so2_mean\": 20, \"no2_mean\": 40, \"days\": 182}";
    first = false;
    if (name != "Xixian New Area" && name != "Hancheng") {
      sum += v.first;
      heavy += v.second;
      ++n;
    }
  }
  o << "}";
  if (with_region) {
    o << ",\n \"region\": {\"pm25_mean\": " << sum / n << ", \"heavy_city_days\": " << heavy << "}";
  }
  o << ",\n \"mass_budget\": {\"pm25_kg\": 1.0}}\n";
  return o.str();
}

std::map<std::string, std::pair<double, int>> uniform(double pm25, int heavy) {
  std::map<std::string, std::pair<double, int>> m;
  for (const auto& e : kAppendix1) m[e.name] = {pm25, heavy};
  return m;
}

TEST(TargetsTest, SummaryReaderReadsTheContract) {
  Scratch s;
  s.write("run/summary.json", summary_json(uniform(80.0, 10), true));
  const RunSummary r = fwaq::report::read_summary(s.path("run"));
  EXPECT_EQ(r.state_hash, "0123456789abcdef");
  EXPECT_DOUBLE_EQ(r.wall_seconds, 12.5);
  EXPECT_EQ(r.case_name, "test");
  EXPECT_EQ(fwaq::format_iso(r.start), "2019-10-01T00:00:00Z");
  EXPECT_EQ(r.areas.size(), 14u);
  ASSERT_NE(r.find("Lüliang"), nullptr);
  EXPECT_DOUBLE_EQ(r.find("Lüliang")->pm25_mean, 80.0);
  EXPECT_EQ(r.find("Lüliang")->heavy_days, 10);
  EXPECT_EQ(r.find("Lüliang")->days, 182);
  EXPECT_DOUBLE_EQ(r.find("Lüliang")->no2_mean, 40.0);
  EXPECT_TRUE(r.has_region);
  EXPECT_EQ(r.region_heavy_city_days, 120);
  EXPECT_DOUBLE_EQ(r.mass_budget["pm25_kg"].get<double>(), 1.0);

  s.write("bad/summary.json",
          "{\"period\": {\"start\": \"2019-10-01\", \"end\": \"2020-04-01\"}, "
          "\"cities\": {\"Baoji\": {\"pm25_mean\": \"high\", \"heavy_days\": 1}}}");
  try {
    fwaq::report::read_summary(s.path("bad"));
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("cities.Baoji.pm25_mean"), std::string::npos) << e.what();
  }
  // A domain holding only areas outside the region's mean (Hancheng lies inside
  // Weinan): the region's mean is null, read as no region figures.
  s.write("elsewhere/summary.json",
          "{\"period\": {\"start\": \"2019-12-06\", \"end\": \"2019-12-07\"}, "
          "\"cities\": {\"Hancheng\": {\"pm25_mean\": 50, \"heavy_days\": 0, \"days\": 1}}, "
          "\"region\": {\"pm25_mean\": null, \"heavy_city_days\": 0, \"areas\": 0}}");
  const RunSummary e = fwaq::report::read_summary(s.path("elsewhere"));
  EXPECT_EQ(e.areas.size(), 1u);
  EXPECT_FALSE(e.has_region);

  s.write("bad2/summary.json", "{not json");
  EXPECT_THROW(fwaq::report::read_summary(s.path("bad2")), InputError);
  EXPECT_THROW(fwaq::report::read_summary(s.path("nothing")), InputError);
}

TEST(TargetsTest, ComparisonOfTwoRunsWithKnownAnswers) {
  Scratch s;
  // Reference: every area 100 µg m-3 and 10 heavy days. Scenario: every area -3 % and
  // -2 days, except Lüliang (no change: sustained targets fail) and Xianyang (-3.9 %:
  // misses its 4 %; -2 days meets its 2).
  auto scen = uniform(97.0, 8);
  scen["Lüliang"] = {100.0, 10};
  scen["Xianyang"] = {96.1, 8};
  s.write("a/summary.json", summary_json(uniform(100.0, 10), true));
  s.write("b/summary.json", summary_json(scen, true));
  const Targets t = Targets::load(kTargets);
  const auto rep = fwaq::report::compare_with_targets(fwaq::report::read_summary(s.path("a")),
                                                      fwaq::report::read_summary(s.path("b")), t);
  ASSERT_EQ(rep.areas.size(), 14u);
  std::map<std::string, const fwaq::report::AreaOutcome*> by;
  for (const auto& a : rep.areas) by[a.name] = &a;
  EXPECT_NEAR(by["Xi'an"]->pm25_change_percent, -3.0, 1e-12);
  EXPECT_TRUE(by["Xi'an"]->pm25_pass);
  EXPECT_EQ(by["Xi'an"]->heavy_days_change, -2);
  EXPECT_TRUE(by["Xi'an"]->pass);
  EXPECT_FALSE(by["Sanmenxia"]->pm25_pass);  // 3.5 % needed
  EXPECT_TRUE(by["Sanmenxia"]->heavy_days_pass);
  EXPECT_FALSE(by["Sanmenxia"]->pass);
  EXPECT_FALSE(by["Lüliang"]->pm25_pass);
  EXPECT_FALSE(by["Lüliang"]->heavy_days_pass);
  EXPECT_FALSE(by["Xianyang"]->pm25_pass);
  EXPECT_NEAR(by["Xianyang"]->pm25_change_percent, -3.9, 1e-12);
  EXPECT_TRUE(by["Xianyang"]->heavy_days_pass);
  EXPECT_TRUE(by["Jinzhong"]->pass);  // 2 % and sustained
  int passing = 0;
  for (const auto& a : rep.areas) passing += a.pass;
  EXPECT_EQ(passing, 11);  // all but Sanmenxia, Lüliang, Xianyang
  // Region over 12 areas: (10 * 97 + 100 + 96.1) / 12 vs 100; heavy 10*8 + 10 + 8 = 98 vs 120.
  const double region_b = (10 * 97.0 + 100.0 + 96.1) / 12.0;
  EXPECT_TRUE(rep.region.from_summary);
  EXPECT_NEAR(rep.region.pm25_scenario, region_b, 1e-9);
  EXPECT_NEAR(rep.region.pm25_change_percent, region_b - 100.0, 1e-9);  // -2.825 %
  EXPECT_FALSE(rep.region.pm25_pass);
  EXPECT_EQ(rep.region.heavy_city_days_reference, 120);
  EXPECT_EQ(rep.region.heavy_city_days_scenario, 98);
  EXPECT_NEAR(rep.region.heavy_city_days_change_percent, -22.0 / 120.0 * 100.0, 1e-12);
  EXPECT_TRUE(rep.region.heavy_city_days_pass);
  EXPECT_FALSE(rep.pass);

  const auto j = fwaq::report::targets_json(rep);
  EXPECT_TRUE(j["cities"]["Lüliang"]["pm25_target_percent"].is_null());
  EXPECT_TRUE(j["cities"]["Jinzhong"]["heavy_days_target"].is_null());
  EXPECT_EQ(j["cities"]["Xianyang"]["heavy_days_target"].get<int>(), 2);
  EXPECT_DOUBLE_EQ(j["cities"]["Xianyang"]["pm25_target_percent"].get<double>(), 4.0);
  EXPECT_FALSE(j["pass"].get<bool>());
  EXPECT_EQ(j["region"]["heavy_city_days_scenario"].get<int>(), 98);

  const std::string table = fwaq::report::format_targets_table(rep);
  EXPECT_NE(table.find("Overall: FAIL (11 of 14 areas"), std::string::npos) << table;
  // Rows align: "Lüliang" (7 characters, 8 bytes) is padded like the others.
  std::istringstream lines(table);
  std::string line;
  std::size_t width_xian = 0, width_luliang = 0;
  auto chars = [](const std::string& x) {
    std::size_t n = 0;
    for (unsigned char c : x) n += (c & 0xC0) != 0x80;
    return n;
  };
  while (std::getline(lines, line)) {
    if (line.rfind("Xi'an ", 0) == 0) width_xian = chars(line);
    if (line.rfind("Lüliang ", 0) == 0) width_luliang = chars(line);
  }
  EXPECT_GT(width_xian, 0u);
  EXPECT_EQ(width_xian, width_luliang);
}

TEST(TargetsTest, EverythingPassesWhenEveryTargetIsMet) {
  Scratch s;
  s.write("a/summary.json", summary_json(uniform(100.0, 10), false));
  s.write("b/summary.json", summary_json(uniform(95.0, 8), false));
  const auto rep = fwaq::report::compare_with_targets(fwaq::report::read_summary(s.path("a")),
                                                      fwaq::report::read_summary(s.path("b")),
                                                      Targets::load(kTargets));
  EXPECT_TRUE(rep.pass);
  EXPECT_FALSE(rep.region.from_summary);  // computed from the 12 areas
  EXPECT_NEAR(rep.region.pm25_change_percent, -5.0, 1e-12);
  EXPECT_EQ(rep.region.heavy_city_days_reference, 120);
  EXPECT_EQ(rep.region.heavy_city_days_scenario, 96);
}

TEST(TargetsTest, MissingAreaAndDifferentSeasonLengths) {
  Scratch s;
  auto partial = uniform(100.0, 10);
  partial.erase("Hancheng");
  s.write("a/summary.json", summary_json(uniform(100.0, 10), true));
  s.write("b/summary.json", summary_json(partial, true));
  const Targets t = Targets::load(kTargets);
  try {
    fwaq::report::compare_with_targets(fwaq::report::read_summary(s.path("a")),
                                       fwaq::report::read_summary(s.path("b")), t);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'Hancheng' is missing"), std::string::npos) << e.what();
  }
  s.write("c/summary.json",
          summary_json(uniform(90.0, 5), true, "2019-10-01T00:00:00Z", "2020-03-01T00:00:00Z"));
  const auto rep = fwaq::report::compare_with_targets(fwaq::report::read_summary(s.path("a")),
                                                      fwaq::report::read_summary(s.path("c")), t);
  bool noted = false;
  for (const auto& n : rep.notes) noted = noted || n.find("differ in length") != std::string::npos;
  EXPECT_TRUE(noted);
}

}  // namespace

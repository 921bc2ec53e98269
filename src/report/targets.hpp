#pragma once
// The air-quality improvement targets of the Fenwei plain 2019-2020 autumn-winter action
// plan (《汾渭平原2019-2020年秋冬季大气污染综合治理攻坚行动方案》, Ministry of Ecology and
// Environment, 2019-11-06; Appendix 1 附件1 "汾渭平原各城市2019-2020年秋冬季空气质量改善
// 目标"), and the comparison of two season runs against them (`fwaq targets`).
//
// Per area: season-mean PM2.5 decrease [%] or "sustained improvement" (持续改善), and the
// decrease of heavy-pollution days (daily AQI > 200) [days] or "sustained improvement".
// Region-wide (plan, sect. 1 主要目标): PM2.5 −3 % and heavy city-days −3 % over the
// 11 cities and Yangling. Rules (docs/science/aqi-and-targets.md):
//   PM2.5 X %:        pass if 100·(B − A)/A ≤ −X (+1e-9 percentage points of tolerance)
//   PM2.5 sustained:  pass if B < A
//   heavy N days:     pass if B ≤ max(A − N, 0)  (A < N: only B = 0 passes)
//   heavy sustained:  pass if B < A, or A = B = 0 (nothing left to reduce)
//   region heavy −3 %: pass if 100·(B − A)/A ≤ −3; if A = 0, pass if B = 0
// with A the reference season and B the scenario season.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "report/run_outputs.hpp"

namespace fwaq::report {

/// One area's targets.
struct AreaTarget {
  std::string name;     ///< English area name (grid/domain.hpp fenwei_areas())
  std::string name_zh;  ///< as in Appendix 1, e.g. 晋中市, （西咸新区）
  std::optional<double> pm25_decrease_percent;  ///< required decrease [%]; empty = sustained
  std::optional<int> heavy_days_fewer;          ///< required decrease [days]; empty = sustained
};

/// The targets file (input/fenwei/targets.yaml).
struct Targets {
  std::string file;
  std::string source;  ///< citation of the plan text
  std::vector<AreaTarget> areas;
  double region_pm25_decrease_percent = 3.0;             ///< [%]
  double region_heavy_city_days_decrease_percent = 3.0;  ///< [%]
  std::vector<std::string> region_areas;                 ///< areas counted region-wide

  /// Reads and checks a targets file; InputError naming the file, key and value for a
  /// missing or unknown key, an unknown area, a repeated area, or a negative target.
  static Targets load(const std::string& path);
  const AreaTarget* find(const std::string& name) const;
};

/// The default targets file: the first existing of
///   1. ./input/fenwei/targets.yaml (current directory);
///   2. <D>/input/fenwei/targets.yaml for D = the executable's directory and each parent
///      (a build directory inside the source tree);
///   3. <S>/input/fenwei/targets.yaml with S = fwaq_SOURCE_DIR read from the CMakeCache.txt
///      of the executable's directory or a parent (a build directory elsewhere).
/// Throws UsageError naming the places searched and suggesting --targets.
std::filesystem::path default_targets_file();

/// Result for one area.
struct AreaOutcome {
  std::string name;
  double pm25_reference = kMissing;           ///< season mean [µg m-3]
  double pm25_scenario = kMissing;            ///< season mean [µg m-3]
  double pm25_change_percent = kMissing;      ///< 100 (B − A) / A [%]
  std::optional<double> pm25_target_percent;  ///< required decrease [%]; empty = sustained
  bool pm25_pass = false;
  int heavy_days_reference = 0;
  int heavy_days_scenario = 0;
  int heavy_days_change = 0;             ///< B − A [days]
  std::optional<int> heavy_days_target;  ///< required decrease [days]; empty = sustained
  bool heavy_days_pass = false;
  bool pass = false;
  int days_reference = 0;  ///< days in each season (0 if the summary does not say)
  int days_scenario = 0;
};

/// Region-wide result.
struct RegionOutcome {
  std::vector<std::string> areas;
  bool from_summary = true;  ///< values from summary.json "region" (else computed from areas)
  double pm25_reference = kMissing;       ///< [µg m-3]
  double pm25_scenario = kMissing;        ///< [µg m-3]
  double pm25_change_percent = kMissing;  ///< [%]
  double pm25_target_percent = 3.0;       ///< required decrease [%]
  bool pm25_pass = false;
  int heavy_city_days_reference = 0;
  int heavy_city_days_scenario = 0;
  int heavy_city_days_change = 0;                    ///< B − A [city-days]
  double heavy_city_days_change_percent = kMissing;  ///< [%], NaN if A = 0
  double heavy_city_days_target_percent = 3.0;       ///< required decrease [%]
  bool heavy_city_days_pass = false;
  bool pass = false;
};

struct RunInfo {
  std::string dir;
  std::string case_name;
  std::string state_hash;
  TimePoint start{}, end{};
};

struct TargetsReport {
  RunInfo reference, scenario;
  std::string targets_file;
  std::vector<AreaOutcome> areas;  ///< in targets-file order
  RegionOutcome region;
  bool pass = false;               ///< every area and the region pass
  std::vector<std::string> notes;  ///< e.g. different season lengths
};

/// Rule checks (A reference, B scenario); see the file comment.
bool pm25_target_met(double reference, double scenario, std::optional<double> decrease_percent);
bool heavy_days_target_met(int reference, int scenario, std::optional<int> fewer_days);
/// Region heavy city-days: 100 (B − A)/A ≤ −decrease_percent; A = 0 passes only B = 0.
bool percent_decrease_met(double reference, double scenario, double decrease_percent);

/// Compares two runs against the targets. Throws InputError naming the summary file if
/// an area of the targets is missing from a run, or if a reference PM2.5 mean is 0.
TargetsReport compare_with_targets(const RunSummary& reference, const RunSummary& scenario,
                                   const Targets& targets);

/// The report as JSON: {"reference", "scenario", "targets_file", "cities": {...},
/// "region": {...}, "pass", "notes"} (keys in docs/science/aqi-and-targets.md).
nlohmann::ordered_json targets_json(const TargetsReport& report);
/// The report as an aligned text table (what `fwaq targets` prints).
std::string format_targets_table(const TargetsReport& report);

}  // namespace fwaq::report

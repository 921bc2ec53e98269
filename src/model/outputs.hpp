#pragma once
// The outputs of a run, written on rank 0: hourly and daily surface fields (fields.nc,
// CF-1.8 NetCDF-4), city series (cities_hourly.csv, cities_daily.csv with the daily AQI)
// and summary.json. Every file is written under a temporary name and renamed when
// complete, so a failed run leaves no half-written output.
#include <cstddef>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace fwaq {
class HorizontalGrid;
namespace nc {
class NcWriter;
}
}  // namespace fwaq

namespace fwaq::model {

/// One surface output variable [µg m-3].
struct SurfaceVariable {
  const char* name;  ///< NetCDF variable name (hourly); daily: name + "_daily"
  const char* long_name;
  const char* standard_name;  ///< CF standard name, "" if none
};

/// The surface variables, in the order the run hands them over.
enum SurfaceVar : int {
  kPm25 = 0,
  kPm10,
  kSo4,
  kNo3,
  kNh4,
  kPoa,
  kSoa,
  kBc,
  kOpm,
  kSo2,
  kNo2,
  kNo,
  kCo,
  kNh3,
  kHno3,
  kO3,
  kWater,
  kNumSurfaceVars
};
const std::vector<SurfaceVariable>& surface_variables();

/// A city (area) and the global cells (j * nx + i) whose mean stands for it; a cell may
/// repeat (two stations in one cell).
struct CitySampler {
  std::string name;
  std::vector<std::size_t> cells;
  bool in_region = false;  ///< counts in the region-wide figures
};

class OutputWriter {
 public:
  /// `start`: first hour (UTC) of the season; `hours`: its number of hourly records;
  /// `utc_offset_hours`: local days for the daily means. Global attributes of fields.nc
  /// are `attributes` (name → text). `first_hour`: the first hour this writer receives
  /// (a run continued from a checkpoint): fields.nc, cities_hourly.csv and
  /// cities_daily.csv cover the hours from it and the days from the one containing it,
  /// while the season figures of the summary cover every hour, the earlier ones from
  /// restore().
  OutputWriter(std::filesystem::path dir, const HorizontalGrid& grid, TimePoint start, int hours,
               int utc_offset_hours, std::vector<CitySampler> cities,
               const std::map<std::string, std::string>& attributes, int first_hour = 0);

  /// What a checkpoint keeps of the outputs at hour `hour` (the hours before it were
  /// added): every city's hourly series [city][var][h < hour] and the sums of the local
  /// day containing hour - 1 over its hours so far ([var][cell]) with their count.
  struct Accumulators {
    int hour = 0;
    std::vector<std::vector<std::vector<double>>> city;  // [city][var][hour]
    int day = 0;                                         // season day index of the sums
    int day_count = 0;
    std::vector<std::vector<double>> day_sum;  // [var][cell]
  };
  Accumulators accumulators(int hour) const;
  /// Takes over the accumulators of a checkpoint at this writer's first hour.
  void restore(const Accumulators& acc);
  ~OutputWriter();

  /// Record h (time start + h hours): values[var][global cell] [µg m-3].
  void add_hour(int h, const std::vector<std::vector<double>>& values);

  /// Writes the daily fields and the city files and commits everything; `summary` gets
  /// the city and region figures (cities, region) added and is written as summary.json.
  void finish(nlohmann::json& summary);

 private:
  int day_of(int hour) const;  // season day index of a season hour
  std::filesystem::path dir_;
  TimePoint start_;
  int hours_, offset_h_, nx_, ny_, days_;
  int h0_ = 0, d0_ = 0;      // first hour and first day (season indices) this writer outputs
  TimePoint first_day_utc_;  // local midnight of the first day, in UTC
  std::vector<CitySampler> cities_;
  std::unique_ptr<nc::NcWriter> nc_;
  std::vector<std::vector<double>> day_sum_;            // [var][(day - d0) * cells + cell]
  std::vector<int> day_count_;                          // [day - d0]
  std::vector<std::vector<std::vector<double>>> city_;  // [city][var][hour]
};

/// Writes text to path through a temporary file and a rename.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace fwaq::model

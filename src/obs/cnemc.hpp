#pragma once
// Hourly observations of the national air-quality monitoring network (China National
// Environmental Monitoring Centre, CNEMC), in the wide layout of the public archive
// files (china_sites_YYYYMMDD.csv and regional extracts such as
// fenwei_sites_2019-01_to_09_hourly.csv.gz):
//
//   date,hour,type,<station code>,<station code>,...
//   20190101,0,PM2.5,171,169,,...
//
// one row per (date, hour, type); an empty cell is a missing value. `date` is YYYYMMDD
// and `hour` 0–23 in Beijing time (UTC+8); every value is kept with both its local
// date and hour and its UTC time. Types and units: see kObservationTypes.
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace fwaq::obs {

class StationList;

/// Offset of Beijing time (China Standard Time) from UTC [h].
inline constexpr int kBeijingUtcOffsetHours = 8;

/// A type (row kind) of the CNEMC files.
struct ObservationType {
  const char* name;         ///< as in the `type` column
  const char* units;        ///< "µg m-3", "mg m-3" (CO) or "1" (AQI)
  const char* description;  ///< what the value is
};
/// The 15 types of the CNEMC files.
const std::vector<ObservationType>& observation_types();
/// The type with this name, or nullptr.
const ObservationType* find_observation_type(const std::string& name);

/// A Beijing-time calendar hour.
struct LocalHour {
  std::chrono::year_month_day date;  ///< local (Beijing) date
  int hour = 0;                      ///< local hour label, 0–23
};
/// UTC time of a Beijing-time date and hour label.
TimePoint beijing_to_utc(std::chrono::year_month_day date, int hour);
/// Beijing-time date and hour of a UTC time (whole hours).
LocalHour utc_to_beijing(TimePoint t);
/// "YYYY-MM-DD".
std::string format_ymd(std::chrono::year_month_day date);

struct ReadOptions {
  /// Types to keep (empty: all). Rows of other types are checked for their date,
  /// hour, type and field count but their values are not parsed.
  std::vector<std::string> types;
  /// If set, every station code of the header must be in this list.
  const StationList* stations = nullptr;
};

/// All hourly values of one file: for each kept type a (time × station) table.
class HourlyTable {
 public:
  /// Reads a CNEMC wide file (plain or gzip). Throws InputError naming the file, line,
  /// column and station for: a header that does not start with date,hour,type or has
  /// empty or repeated station codes; a station code missing from `options.stations`;
  /// a row with the wrong number of fields; a bad date or hour; an unknown type; a
  /// value that is not a non-negative number; a repeated (date, hour, type) row; a
  /// truncated or corrupt gzip stream.
  static HourlyTable read(const std::string& path, const ReadOptions& options = {});

  const std::string& file() const { return file_; }
  bool compressed() const { return compressed_; }
  /// Data rows in the file (all types, before filtering).
  std::size_t rows() const { return rows_; }
  const std::vector<std::string>& station_codes() const { return codes_; }
  /// Kept types, in the order of observation_types().
  const std::vector<std::string>& types() const { return types_; }
  /// Types present in the file (whether kept or not), in the order of observation_types().
  const std::vector<std::string>& types_in_file() const { return types_in_file_; }
  /// Hours present for at least one kept type, UTC, ascending and unique.
  const std::vector<TimePoint>& times() const { return times_; }
  LocalHour local(std::size_t time_index) const { return utc_to_beijing(times_[time_index]); }

  /// Index of a station code / type, or -1.
  int station_index(const std::string& code) const;
  int type_index(const std::string& type) const;
  /// The value [units of the type] or NaN if missing (or the row is absent).
  double value(int type, std::size_t time_index, int station) const {
    return values_[static_cast<std::size_t>(type)]
                  [time_index * codes_.size() + static_cast<std::size_t>(station)];
  }
  /// Number of non-missing values of a type.
  std::size_t valid_count(int type) const;

 private:
  std::string file_;
  bool compressed_ = false;
  std::size_t rows_ = 0;
  std::vector<std::string> codes_;
  std::vector<std::string> types_;
  std::vector<std::string> types_in_file_;
  std::vector<TimePoint> times_;
  std::vector<std::vector<double>> values_;  // [type][time * nstations + station]
};

}  // namespace fwaq::obs

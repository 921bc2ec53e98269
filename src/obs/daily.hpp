#pragma once
// Daily means of CNEMC hourly observations by the national method.
//
// Data validity (GB 3095-2012, Table 4 "污染物浓度数据有效性的最低要求"; applied by
// HJ 663-2013): a 24-h mean of SO2, NO2, CO, PM10 or PM2.5 needs at least 20 valid
// hourly values in the natural day. The day is the Beijing-time calendar day of the
// hour labels 0–23 (the CNEMC `*_24h` value at hour 23 is this mean).
// City value (HJ 663-2013, city-scale assessment): the arithmetic mean over the
// city's stations that have a valid daily mean. This reproduces the derived file
// fenwei_city_daily_pm25_2019-01_to_09.csv exactly (docs/science/observations.md).
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace fwaq::obs {

class HourlyTable;
class StationList;

/// Minimum number of valid hourly values for a valid 24-h mean (GB 3095-2012, Table 4).
inline constexpr int kMinHoursPerDay = 20;

/// A (date × name) table of daily values.
struct DailyTable {
  std::string type;                                ///< observation type, e.g. "PM2.5"
  std::string units;                               ///< units of the values
  std::vector<std::chrono::year_month_day> dates;  ///< Beijing-time dates, ascending
  std::vector<std::string> names;                  ///< station codes or English city names
  std::vector<double> values;                      ///< [date * names.size() + k], NaN if invalid
  /// Valid hours (stations) or stations with a valid mean (cities; for
  /// CityMethod::MeanOfHourlyCityMeans the most stations reporting in one hour).
  std::vector<int> counts;

  double value(std::size_t date, std::size_t k) const { return values[date * names.size() + k]; }
  int count(std::size_t date, std::size_t k) const { return counts[date * names.size() + k]; }
  /// Index of a date / name, or -1.
  int date_index(std::chrono::year_month_day date) const;
  int name_index(const std::string& name) const;
};

/// How a city's daily value is formed.
enum class CityMethod {
  /// Mean of the daily means of the stations with ≥ min_hours valid hours (HJ 663-2013).
  MeanOfStationDailyMeans,
  /// Mean of the hourly city means (mean over stations reporting that hour), the day
  /// valid with ≥ min_hours such hours. Not the national method; kept to show the
  /// difference (docs/science/observations.md).
  MeanOfHourlyCityMeans,
};

/// Daily mean of every station of the table for every date from its first to its
/// last Beijing-time date. `type` must be one of the 1-h concentration types PM2.5,
/// PM10, SO2, NO2, CO (UsageError otherwise, or if the table did not keep it).
DailyTable station_daily_means(const HourlyTable& table, const std::string& type,
                               int min_hours = kMinHoursPerDay);

/// Daily values of the 11 Fenwei cities (names in fenwei_cities() order). Every
/// station of the table must be in `stations` (InputError naming the code otherwise);
/// stations of other cities are ignored. A city-day without any valid station is NaN
/// with count 0.
DailyTable city_daily_means(const HourlyTable& table, const StationList& stations,
                            const std::string& type, int min_hours = kMinHoursPerDay,
                            CityMethod method = CityMethod::MeanOfStationDailyMeans);

/// Reads a derived city daily file such as fenwei_city_daily_pm25_2019-01_to_09.csv:
///   date,<city>,...,<city>,<city>_nstations,...,<city>_nstations
///   20190101,109.4,...,4,...
/// (date YYYYMMDD in Beijing time; Chinese city names, mapped to the English names
/// of fenwei_cities() where they are Fenwei cities; an empty value is NaN with its
/// station count 0). `type` and `units` label the values. Throws InputError naming
/// the file, line and column for a wrong header, field count, date or number.
DailyTable read_city_daily(const std::string& path, const std::string& type = "PM2.5",
                           const std::string& units = "µg m-3");

/// True if `header` (the first line of a CSV file) has the layout read_city_daily reads.
bool is_city_daily_header(const std::string& header);

}  // namespace fwaq::obs

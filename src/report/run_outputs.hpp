#pragma once
// Readers of the outputs of a season run (`fwaq run` writes a run directory DIR):
//
//   DIR/summary.json       {"state_hash": "<16 hex>", "wall_seconds", "case",
//                           "period": {"start", "end"} (ISO UTC), "aqi_pollutants": [...],
//                           "cities": {"Xi'an": {"pm25_mean" [µg m-3], "heavy_days",
//                           "days", "pm10_mean", "so2_mean", "no2_mean"}, ...},
//                           "region": {"pm25_mean", "heavy_city_days"}, "mass_budget": {...}}
//   DIR/cities_daily.csv   city,date,pm25,pm10,so2,no2,co,aqi,primary_pollutant,category
//                           (date = China Standard Time day YYYY-MM-DD; µg m-3, co mg m-3;
//                           primary pollutants joined by ';', '-' if AQI ≤ 50)
//   DIR/cities_hourly.csv  city,time,pm25,pm10,so2,no2,co  (time ISO UTC, the value at
//                           that time)
//   DIR/fields.nc          CF NetCDF: time ("hours since ..."), 2-D lat(y,x), lon(y,x)
//                           [degrees], hourly surface pm25(time,y,x) [µg m-3], ...
//
// Every reader throws InputError naming the file, the line or key, the value found
// and what was expected. Readers accept the columns in any order (matched by name)
// and ignore extra columns and extra JSON keys.
#include <array>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace fwaq::report {

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

/// Species columns of the city files, in file order: pm25, pm10, so2, no2, co.
const std::vector<std::string>& run_species();
/// Index of a species in run_species(); -1 if unknown.
int species_index(const std::string& species);
/// Units of a species: "µg m-3" ("mg m-3" for co).
const char* species_units(const std::string& species);

/// One area's season figures in summary.json.
struct AreaSummary {
  std::string name;
  double pm25_mean = kMissing;  ///< season-mean PM2.5 [µg m-3]
  int heavy_days = 0;           ///< days with daily AQI > 200
  int days = 0;                 ///< days in the season
  double pm10_mean = kMissing;  ///< [µg m-3], NaN if absent
  double so2_mean = kMissing;   ///< [µg m-3], NaN if absent
  double no2_mean = kMissing;   ///< [µg m-3], NaN if absent
};

struct RunSummary {
  std::string file;  ///< path of summary.json
  std::string state_hash;
  double wall_seconds = kMissing;  ///< [s]
  std::string case_name;
  TimePoint start{};  ///< period start (UTC)
  TimePoint end{};    ///< period end (UTC)
  std::vector<std::string> aqi_pollutants;
  std::vector<AreaSummary> areas;  ///< in file order
  bool has_region = false;
  double region_pm25_mean = kMissing;  ///< mean over the 11 cities + Yangling [µg m-3]
  int region_heavy_city_days = 0;      ///< sum of heavy days over the same 12 areas
  nlohmann::json mass_budget;          ///< as in the file (null if absent)

  /// The area of this name, or nullptr.
  const AreaSummary* find(const std::string& name) const;
};

/// Reads DIR/summary.json (or the file itself if `path` is a file).
RunSummary read_summary(const std::filesystem::path& path);

/// One row of cities_daily.csv.
struct CityDay {
  std::string city;
  std::chrono::year_month_day date;  ///< China Standard Time (UTC+8) day
  std::array<double, 5> conc{kMissing, kMissing, kMissing, kMissing,
                             kMissing};  ///< run_species() order [µg m-3, co mg m-3]
  int aqi = -1;                          ///< -1 if empty
  std::vector<std::string> primary;      ///< empty for '-'
  std::string category;
};
/// Reads a cities_daily.csv file.
std::vector<CityDay> read_cities_daily(const std::filesystem::path& file);

/// One row of cities_hourly.csv.
struct CityHour {
  std::string city;
  TimePoint time{};  ///< UTC
  std::array<double, 5> conc{kMissing, kMissing, kMissing, kMissing,
                             kMissing};  ///< run_species() order [µg m-3, co mg m-3]
};
/// Reads a cities_hourly.csv file.
std::vector<CityHour> read_cities_hourly(const std::filesystem::path& file);

/// Grid and times of a fields.nc file.
struct FieldsGrid {
  std::string file;
  std::size_t nx = 0, ny = 0;
  std::vector<double> lat;       ///< cell-centre latitude [degrees north], [j * nx + i]
  std::vector<double> lon;       ///< cell-centre longitude [degrees east], [j * nx + i]
  std::vector<TimePoint> times;  ///< UTC
};
/// Reads lat(y,x), lon(y,x) and time of a fields.nc file. Throws InputError for missing
/// variables, wrong dimensions, a grid smaller than 2 × 2 cells, or bad time units.
FieldsGrid read_fields_grid(const std::string& path);

/// A cell of a FieldsGrid.
struct GridCell {
  std::size_t i = 0;        ///< x index
  std::size_t j = 0;        ///< y index
  double distance_m = 0.0;  ///< great-circle distance from the point to the cell centre [m]
};
/// Mean earth radius used for great-circle distances [m] (the WRF sphere).
inline constexpr double kEarthRadiusM = 6370000.0;
/// Great-circle distance between two points [m] (haversine formula on a sphere).
double great_circle_m(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg);

/// The cell whose centre is nearest (great-circle distance) to the point. A point outside
/// the grid — beyond half a cell past the outer cell centres, measured along the local
/// grid axes of the nearest edge cell — throws InputError naming `what` (e.g. "station
/// 1462A"), the point and the grid's extent.
GridCell nearest_cell(const FieldsGrid& grid, double lat_deg, double lon_deg,
                      const std::string& what = "point");

/// Time series of `variable` (dims time, y, x) at the given cells: [cell][time], in the
/// variable's units; declared missing values become NaN.
std::vector<std::vector<double>> read_cell_series(const FieldsGrid& grid,
                                                  const std::string& variable,
                                                  const std::vector<GridCell>& cells);

}  // namespace fwaq::report

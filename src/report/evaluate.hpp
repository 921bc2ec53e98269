#pragma once
// Evaluation of a run against observations (`fwaq evaluate`): pairing of model and
// observed concentrations and the statistics of Emery et al. (2017) and Boylan &
// Russell (2006), with the PM2.5 performance goals and criteria of Emery et al. (2017).
//
// With M_i the model and O_i the observed value of pair i (N pairs):
//   MB   = (1/N) Σ (M_i − O_i)                                  [units of the species]
//   NMB  = 100 Σ (M_i − O_i) / Σ O_i                            [%]
//   NME  = 100 Σ |M_i − O_i| / Σ O_i                            [%]
//   RMSE = sqrt((1/N) Σ (M_i − O_i)²)                           [units of the species]
//   r    = Pearson correlation coefficient of M and O           [1]
//   MFB  = 100 (1/N) Σ 2 (M_i − O_i) / (M_i + O_i)              [%]
//   MFE  = 100 (1/N) Σ 2 |M_i − O_i| / (M_i + O_i)              [%]
// (a pair with M_i + O_i = 0 adds 0 to MFB and MFE: both are 0, a perfect match).
// PM2.5 benchmarks (Emery et al. 2017; for 24-h PM2.5):
//   goal:     |NMB| < 10 %, NME < 35 %, r > 0.70
//   criteria: |NMB| < 30 %, NME < 50 %, r > 0.40
// (strict inequalities, as in the table).
//
// References:
//   Emery, C., Liu, Z., Russell, A. G., Odman, M. T., Yarwood, G., Kumar, N. (2017):
//     Recommendations on statistics and benchmarks to assess photochemical model
//     performance. J. Air Waste Manage. Assoc. 67(5), 582-598.
//   Boylan, J. W., Russell, A. G. (2006): PM and light extinction model performance
//     metrics, goals, and criteria for three-dimensional air quality models. Atmos.
//     Environ. 40, 4946-4959.
//
// Pairing rules (docs/science/evaluation.md): observation hours carry Beijing-time
// labels (UTC+8) and are converted to UTC (obs/cnemc.hpp); the run's hourly values are
// at UTC times; an hour pairs with the model value at the same UTC time. Days are China
// Standard Time calendar days on both sides. Only times present on both sides with
// finite values are paired (missing observations are skipped).
#include <chrono>
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace fwaq::report {

/// Statistics of paired model and observed values. Undefined values are NaN (e.g. r
/// when either series is constant, everything but n when n = 0).
struct PairStats {
  std::size_t n = 0;        ///< number of pairs used
  double mean_obs = 0.0;    ///< [units]
  double mean_model = 0.0;  ///< [units]
  double mb = 0.0;          ///< mean bias [units]
  double nmb = 0.0;         ///< normalised mean bias [%]
  double nme = 0.0;         ///< normalised mean error [%]
  double rmse = 0.0;        ///< root mean square error [units]
  double r = 0.0;           ///< Pearson correlation [1]
  double mfb = 0.0;         ///< mean fractional bias [%]
  double mfe = 0.0;         ///< mean fractional error [%]
};

/// Statistics of the pairs (model[i], obs[i]); pairs where either value is not finite
/// are skipped. Throws std::invalid_argument if the sizes differ.
PairStats compute_stats(const std::vector<double>& model, const std::vector<double>& obs);

/// A benchmark: |NMB| < nmb_percent, NME < nme_percent, r > r.
struct Benchmark {
  double nmb_percent;
  double nme_percent;
  double r;
};
/// Emery et al. (2017) PM2.5 goal and criteria (24-h PM2.5).
inline constexpr Benchmark kPm25Goal{10.0, 35.0, 0.70};
inline constexpr Benchmark kPm25Criteria{30.0, 50.0, 0.40};
/// True if the statistics meet the benchmark (false if n = 0 or a statistic is NaN).
bool meets(const PairStats& s, const Benchmark& b);

/// What to evaluate.
struct EvaluateOptions {
  /// CNEMC hourly station files (wide format, plain or .gz) and/or derived city daily
  /// files (fenwei_city_daily_pm25_*.csv), recognised by their header.
  std::vector<std::string> obs_files;
  /// Station list (fenwei_stations.csv or StationList-*.csv); needed for station files.
  std::string stations_file;
  /// Species: pm25, pm10, so2, no2 or co (run column / fields.nc variable name).
  std::string species = "pm25";
};

/// An observed station with its hourly and daily values.
struct StationObs {
  std::string code, name, city;
  double lat = 0.0, lon = 0.0;                    ///< [degrees], NaN if unknown
  std::map<TimePoint, double> hourly;             ///< UTC hour -> value
  std::map<std::chrono::sys_days, double> daily;  ///< CST day -> 24-h mean (≥ 20 h)
};

/// Observations loaded once (they can be paired with many runs).
class Observations {
 public:
  /// Reads the files. UsageError for an unknown species, station files without a station
  /// list, or a city daily file with a species other than pm25; InputError for unreadable
  /// files and for one hour or day given two different values by two files.
  static Observations load(const EvaluateOptions& options);

  const std::string& species() const { return species_; }
  const std::string& obs_type() const { return type_; }  ///< CNEMC type, e.g. "PM2.5"
  const std::string& units() const { return units_; }
  const std::vector<std::string>& files() const { return files_; }
  /// City (English) -> CST day -> observed city daily value (file value, else the mean
  /// of the station daily means, HJ 663-2013).
  const std::map<std::string, std::map<std::chrono::sys_days, double>>& city_daily() const {
    return city_daily_;
  }
  /// City -> UTC hour -> mean of the city's stations reporting that hour.
  const std::map<std::string, std::map<TimePoint, double>>& city_hourly() const {
    return city_hourly_;
  }
  /// Stations of Fenwei cities with hourly data (empty without station files).
  const std::vector<StationObs>& stations() const { return stations_; }
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  std::string species_, type_, units_;
  std::vector<std::string> files_;
  std::map<std::string, std::map<std::chrono::sys_days, double>> city_daily_;
  std::map<std::string, std::map<TimePoint, double>> city_hourly_;
  std::vector<StationObs> stations_;
  std::vector<std::string> notes_;
};

/// Paired daily series of one city or station.
struct DailyPairs {
  std::vector<std::chrono::sys_days> days;  ///< CST days, ascending
  std::vector<double> model, obs;           ///< [units of the species]
};
/// Paired hourly series.
struct HourlyPairs {
  std::vector<TimePoint> times;  ///< UTC, ascending
  std::vector<double> model, obs;
};

/// Per city (English name): the run's cities_daily.csv paired with the observed city
/// daily values (days on both sides only). Needs only DIR/cities_daily.csv.
std::map<std::string, DailyPairs> paired_city_daily(const std::string& run_dir,
                                                    const Observations& obs);
/// Same, loading the observations first.
std::map<std::string, DailyPairs> paired_city_daily(const std::string& run_dir,
                                                    const EvaluateOptions& options);
/// Per city: the run's cities_hourly.csv paired with the observed hourly city means.
std::map<std::string, HourlyPairs> paired_city_hourly(const std::string& run_dir,
                                                      const Observations& obs);

/// Daily (CST day) means of hourly values with at least `min_hours` values among the
/// 24 hour labels of the day (GB 3095-2012 Table 4: 20).
std::map<std::chrono::sys_days, double> cst_daily_means(const std::map<TimePoint, double>& hourly,
                                                        int min_hours = 20);

/// Statistics of one series at both time scales.
struct SeriesEvaluation {
  PairStats daily, hourly;
};
struct StationEvaluation {
  std::string code, name, city;
  double lat = 0.0, lon = 0.0;  ///< [degrees]
  std::size_t cell_x = 0, cell_y = 0;
  double distance_km = 0.0;  ///< station to cell centre [km]
  SeriesEvaluation stats;
};

struct EvaluationReport {
  std::string run_dir;
  std::string species, units;
  std::vector<std::string> obs_files;
  std::vector<std::pair<std::string, SeriesEvaluation>> cities;  ///< Fenwei city order
  SeriesEvaluation overall;                                      ///< all city pairs pooled
  bool has_stations = false;
  std::vector<StationEvaluation> stations;
  SeriesEvaluation stations_overall;                         ///< all station pairs pooled
  std::optional<std::chrono::sys_days> first_day, last_day;  ///< paired days (CST)
  std::optional<TimePoint> first_hour, last_hour;            ///< paired hours (UTC)
  std::vector<std::string> notes;
};

/// Pairs the run in `run_dir` with the observations: cities (cities_daily.csv,
/// cities_hourly.csv) and, if station data were loaded, stations at their nearest cell of
/// fields.nc. Throws InputError if a needed run file is missing or bad, or if nothing
/// pairs (no overlap of the periods).
EvaluationReport evaluate_run(const std::string& run_dir, const Observations& obs);

/// JSON: {"run", "species", "units", "obs_files", "period", "benchmarks", "cities":
/// {name: {"daily": {...}, "hourly": {...}}}, "overall", ["stations", "stations_overall"],
/// "notes"}; the goal/criteria flags are given for daily PM2.5 (null otherwise).
nlohmann::ordered_json evaluation_json(const EvaluationReport& report);
/// Aligned text tables.
std::string format_evaluation_table(const EvaluationReport& report);

}  // namespace fwaq::report

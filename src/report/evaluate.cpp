#include "report/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>

#include "core/error.hpp"
#include "obs/cnemc.hpp"
#include "obs/daily.hpp"
#include "obs/stations.hpp"
#include "obs/text_reader.hpp"
#include "report/run_outputs.hpp"

namespace fwaq::report {

namespace fs = std::filesystem;
using std::chrono::sys_days;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

// ---- statistics ------------------------------------------------------------------------

PairStats compute_stats(const std::vector<double>& model, const std::vector<double>& obs) {
  if (model.size() != obs.size()) {
    throw std::invalid_argument("compute_stats: " + std::to_string(model.size()) +
                                " model values but " + std::to_string(obs.size()) +
                                " observations");
  }
  PairStats s;
  double sm = 0.0, so = 0.0, sd = 0.0, sad = 0.0, sd2 = 0.0, sfb = 0.0, sfe = 0.0;
  for (std::size_t k = 0; k < model.size(); ++k) {
    const double m = model[k], o = obs[k];
    if (!std::isfinite(m) || !std::isfinite(o)) continue;
    ++s.n;
    sm += m;
    so += o;
    sd += m - o;
    sad += std::abs(m - o);
    sd2 += (m - o) * (m - o);
    if (m + o != 0.0) {
      sfb += 2.0 * (m - o) / (m + o);
      sfe += 2.0 * std::abs(m - o) / (m + o);
    }
  }
  if (s.n == 0) {
    s.mean_obs = s.mean_model = s.mb = s.nmb = s.nme = s.rmse = s.r = s.mfb = s.mfe = kNaN;
    return s;
  }
  const double n = static_cast<double>(s.n);
  s.mean_model = sm / n;
  s.mean_obs = so / n;
  s.mb = sd / n;
  s.nmb = so != 0.0 ? 100.0 * sd / so : kNaN;
  s.nme = so != 0.0 ? 100.0 * sad / so : kNaN;
  s.rmse = std::sqrt(sd2 / n);
  s.mfb = 100.0 * sfb / n;
  s.mfe = 100.0 * sfe / n;
  // Pearson r from centred sums (two passes: no cancellation of large means).
  double cov = 0.0, vm = 0.0, vo = 0.0;
  for (std::size_t k = 0; k < model.size(); ++k) {
    const double m = model[k], o = obs[k];
    if (!std::isfinite(m) || !std::isfinite(o)) continue;
    cov += (m - s.mean_model) * (o - s.mean_obs);
    vm += (m - s.mean_model) * (m - s.mean_model);
    vo += (o - s.mean_obs) * (o - s.mean_obs);
  }
  s.r = vm > 0.0 && vo > 0.0 ? cov / std::sqrt(vm * vo) : kNaN;
  if (std::isfinite(s.r)) s.r = std::clamp(s.r, -1.0, 1.0);
  return s;
}

bool meets(const PairStats& s, const Benchmark& b) {
  if (s.n == 0 || !std::isfinite(s.nmb) || !std::isfinite(s.nme) || !std::isfinite(s.r)) {
    return false;
  }
  return std::abs(s.nmb) < b.nmb_percent && s.nme < b.nme_percent && s.r > b.r;
}

std::map<sys_days, double> cst_daily_means(const std::map<TimePoint, double>& hourly,
                                           int min_hours) {
  std::map<sys_days, std::pair<double, int>> acc;
  for (const auto& [t, v] : hourly) {
    if (!std::isfinite(v)) continue;
    auto& a = acc[sys_days{obs::utc_to_beijing(t).date}];
    a.first += v;
    a.second += 1;
  }
  std::map<sys_days, double> out;
  for (const auto& [d, a] : acc) {
    if (a.second >= min_hours) out[d] = a.first / a.second;
  }
  return out;
}

// ---- observations ----------------------------------------------------------------------

namespace {

const char* obs_type_of(const std::string& species) {
  if (species == "pm25") return "PM2.5";
  if (species == "pm10") return "PM10";
  if (species == "so2") return "SO2";
  if (species == "no2") return "NO2";
  if (species == "co") return "CO";
  return nullptr;
}

std::string first_line(const std::string& path) {
  obs::LineReader reader(path);
  std::string line;
  if (!reader.next(line)) throw InputError(path, "", "empty file; expected observations");
  return line;
}

std::string ymd_text(sys_days d) {
  return obs::format_ymd(std::chrono::year_month_day{d});
}

template <class Key>
void merge_value(std::map<Key, double>& into, const Key& key, double value, const std::string& file,
                 const std::string& what, const std::string& when) {
  const auto [it, inserted] = into.emplace(key, value);
  if (!inserted && it->second != value) {
    throw InputError(file, what,
                     when + " has the value " + std::to_string(value) + " here and " +
                         std::to_string(it->second) +
                         " in an earlier observation file; expected one value per time");
  }
}

}  // namespace

Observations Observations::load(const EvaluateOptions& options) {
  Observations o;
  o.species_ = options.species;
  const char* type = obs_type_of(options.species);
  if (!type) {
    throw UsageError("unknown species '" + options.species +
                     "' for --species; expected pm25, pm10, so2, no2 or co");
  }
  o.type_ = type;
  o.units_ = species_units(options.species);
  if (options.obs_files.empty()) throw UsageError("no observation files given (--obs FILE...)");
  o.files_ = options.obs_files;

  std::map<std::string, std::map<sys_days, double>> file_daily;  // from city daily files
  std::map<std::string, std::map<TimePoint, double>> station_hourly;
  std::vector<std::string> hourly_files;
  for (const auto& path : options.obs_files) {
    if (!fs::exists(path)) throw InputError(path, "", "observation file not found");
    const std::string header = first_line(path);
    if (obs::is_city_daily_header(header)) {
      if (options.species != "pm25") {
        throw UsageError("observation file " + path +
                         " is a city daily PM2.5 file; it cannot be used with --species " +
                         options.species);
      }
      const obs::DailyTable t = obs::read_city_daily(path, "PM2.5", "µg m-3");
      for (std::size_t k = 0; k < t.names.size(); ++k) {
        if (obs::city_chinese(t.names[k]).empty()) continue;  // not a Fenwei city
        for (std::size_t d = 0; d < t.dates.size(); ++d) {
          const double v = t.value(d, k);
          if (!std::isfinite(v)) continue;
          merge_value(file_daily[t.names[k]], sys_days{t.dates[d]}, v, path, t.names[k],
                      ymd_text(sys_days{t.dates[d]}));
        }
      }
    } else {
      obs::ReadOptions ro;
      ro.types = {o.type_};
      const obs::HourlyTable t = obs::HourlyTable::read(path, ro);
      const int ti = t.type_index(o.type_);
      if (ti < 0 || t.valid_count(ti) == 0) {
        throw InputError(path, o.type_,
                         "no " + o.type_ + " values in this observation file (types present: " +
                             std::to_string(t.types_in_file().size()) + ")");
      }
      hourly_files.push_back(path);
      for (std::size_t s = 0; s < t.station_codes().size(); ++s) {
        auto& series = station_hourly[t.station_codes()[s]];
        for (std::size_t i = 0; i < t.times().size(); ++i) {
          const double v = t.value(ti, i, static_cast<int>(s));
          if (!std::isfinite(v)) continue;
          merge_value(series, t.times()[i], v, path, t.station_codes()[s],
                      format_iso(t.times()[i]));
        }
      }
    }
  }

  if (!hourly_files.empty() && options.stations_file.empty()) {
    throw UsageError("station observations (" + hourly_files.front() +
                     ") are paired through the station list: give --stations with "
                     "fenwei_stations.csv or StationList-*.csv");
  }
  std::map<std::string, std::map<sys_days, double>> station_city_daily;
  if (!hourly_files.empty()) {
    const obs::StationList list = obs::StationList::read(options.stations_file);
    std::size_t unknown = 0, other_city = 0;
    std::string unknown_example;
    for (auto& [code, series] : station_hourly) {
      const obs::Station* st = list.find(code);
      if (!st) {
        ++unknown;
        if (unknown_example.empty()) unknown_example = code;
        continue;
      }
      if (st->city.empty()) {
        ++other_city;
        continue;
      }
      StationObs so;
      so.code = code;
      so.name = st->name;
      so.city = st->city;
      so.lat = st->lat;
      so.lon = st->lon;
      so.hourly = std::move(series);
      so.daily = cst_daily_means(so.hourly, obs::kMinHoursPerDay);
      o.stations_.push_back(std::move(so));
    }
    if (unknown > 0) {
      o.notes_.push_back(
          std::to_string(unknown) + " station(s) of the observation files are not in " +
          options.stations_file + " (e.g. " + unknown_example + ") and are left out");
    }
    if (other_city > 0) {
      o.notes_.push_back(std::to_string(other_city) +
                         " station(s) outside the 11 Fenwei cities are left out");
    }
    // City hourly: mean of the stations reporting that hour. City daily: mean of the
    // station daily means (HJ 663-2013), each station day with >= 20 hours.
    std::map<std::string, std::map<TimePoint, std::pair<double, int>>> hour_acc;
    std::map<std::string, std::map<sys_days, std::pair<double, int>>> day_acc;
    for (const auto& s : o.stations_) {
      for (const auto& [t, v] : s.hourly) {
        auto& a = hour_acc[s.city][t];
        a.first += v;
        ++a.second;
      }
      for (const auto& [d, v] : s.daily) {
        auto& a = day_acc[s.city][d];
        a.first += v;
        ++a.second;
      }
    }
    for (const auto& [city, m] : hour_acc) {
      for (const auto& [t, a] : m) o.city_hourly_[city][t] = a.first / a.second;
    }
    for (const auto& [city, m] : day_acc) {
      for (const auto& [d, a] : m) station_city_daily[city][d] = a.first / a.second;
    }
  } else if (!options.stations_file.empty()) {
    o.notes_.push_back("--stations " + options.stations_file +
                       " is not used: no hourly station observations were given");
  }
  // City daily: the derived file where it has a value, else the station-derived mean.
  o.city_daily_ = file_daily;
  std::size_t filled = 0;
  for (const auto& [city, m] : station_city_daily) {
    for (const auto& [d, v] : m) filled += o.city_daily_[city].emplace(d, v).second;
  }
  if (!file_daily.empty() && !station_city_daily.empty()) {
    o.notes_.push_back("city daily observations: the city daily file's values, " +
                       std::to_string(filled) + " further city-days from the station files");
  }
  return o;
}

// ---- pairing ----------------------------------------------------------------------------

namespace {

fs::path run_file(const std::string& run_dir, const char* name) {
  if (!fs::is_directory(run_dir)) {
    throw InputError(run_dir, "", "run directory not found");
  }
  const fs::path p = fs::path(run_dir) / name;
  if (!fs::exists(p)) {
    throw InputError(p.string(), "", std::string("not found: the run directory has no ") + name);
  }
  return p;
}

std::map<std::string, std::map<sys_days, double>> model_daily(const std::string& run_dir,
                                                              const std::string& species) {
  const fs::path p = run_file(run_dir, "cities_daily.csv");
  const int k = species_index(species);
  std::map<std::string, std::map<sys_days, double>> out;
  for (const auto& d : read_cities_daily(p)) {
    const double v = d.conc[static_cast<std::size_t>(k)];
    if (!out[d.city].emplace(sys_days{d.date}, v).second) {
      throw InputError(
          p.string(), d.city,
          "two rows for " + ymd_text(sys_days{d.date}) + "; expected one row per city and day");
    }
  }
  return out;
}

std::map<std::string, std::map<TimePoint, double>> model_hourly(const std::string& run_dir,
                                                                const std::string& species) {
  const fs::path p = run_file(run_dir, "cities_hourly.csv");
  const int k = species_index(species);
  std::map<std::string, std::map<TimePoint, double>> out;
  for (const auto& h : read_cities_hourly(p)) {
    const double v = h.conc[static_cast<std::size_t>(k)];
    if (!out[h.city].emplace(h.time, v).second) {
      throw InputError(
          p.string(), h.city,
          "two rows for " + format_iso(h.time) + "; expected one row per city and hour");
    }
  }
  return out;
}

template <class Key, class Pairs>
Pairs pair_maps(const std::map<Key, double>& model, const std::map<Key, double>& obs,
                std::vector<Key> Pairs::*keys) {
  Pairs p;
  for (const auto& [t, o] : obs) {
    const auto it = model.find(t);
    if (it == model.end() || !std::isfinite(it->second) || !std::isfinite(o)) continue;
    (p.*keys).push_back(t);
    p.model.push_back(it->second);
    p.obs.push_back(o);
  }
  return p;
}

}  // namespace

std::map<std::string, DailyPairs> paired_city_daily(const std::string& run_dir,
                                                    const Observations& obs) {
  const auto model = model_daily(run_dir, obs.species());
  std::map<std::string, DailyPairs> out;
  for (const auto& [city, series] : obs.city_daily()) {
    const auto it = model.find(city);
    if (it == model.end()) continue;
    out[city] = pair_maps(it->second, series, &DailyPairs::days);
  }
  return out;
}

std::map<std::string, DailyPairs> paired_city_daily(const std::string& run_dir,
                                                    const EvaluateOptions& options) {
  return paired_city_daily(run_dir, Observations::load(options));
}

std::map<std::string, HourlyPairs> paired_city_hourly(const std::string& run_dir,
                                                      const Observations& obs) {
  std::map<std::string, HourlyPairs> out;
  if (obs.city_hourly().empty()) return out;
  const auto model = model_hourly(run_dir, obs.species());
  for (const auto& [city, series] : obs.city_hourly()) {
    const auto it = model.find(city);
    if (it == model.end()) continue;
    out[city] = pair_maps(it->second, series, &HourlyPairs::times);
  }
  return out;
}

EvaluationReport evaluate_run(const std::string& run_dir, const Observations& obs) {
  EvaluationReport r;
  r.run_dir = run_dir;
  r.species = obs.species();
  r.units = obs.units();
  r.obs_files = obs.files();
  r.notes = obs.notes();
  const auto daily = paired_city_daily(run_dir, obs);
  const auto hourly = paired_city_hourly(run_dir, obs);
  std::vector<double> all_dm, all_do, all_hm, all_ho;
  auto track_days = [&](const std::vector<sys_days>& d) {
    if (d.empty()) return;
    if (!r.first_day || d.front() < *r.first_day) r.first_day = d.front();
    if (!r.last_day || d.back() > *r.last_day) r.last_day = d.back();
  };
  auto track_hours = [&](const std::vector<TimePoint>& t) {
    if (t.empty()) return;
    if (!r.first_hour || t.front() < *r.first_hour) r.first_hour = t.front();
    if (!r.last_hour || t.back() > *r.last_hour) r.last_hour = t.back();
  };
  std::vector<std::string> missing_in_run;
  for (const auto& c : obs::fenwei_cities()) {
    const std::string city = c.english;
    const bool has_obs = obs.city_daily().count(city) || obs.city_hourly().count(city);
    if (!has_obs) continue;
    SeriesEvaluation e;
    const auto d = daily.find(city);
    const auto h = hourly.find(city);
    if (d == daily.end() && (h == hourly.end())) {
      missing_in_run.push_back(city);
    }
    if (d != daily.end()) {
      e.daily = compute_stats(d->second.model, d->second.obs);
      all_dm.insert(all_dm.end(), d->second.model.begin(), d->second.model.end());
      all_do.insert(all_do.end(), d->second.obs.begin(), d->second.obs.end());
      track_days(d->second.days);
    } else {
      e.daily = compute_stats({}, {});
    }
    if (h != hourly.end()) {
      e.hourly = compute_stats(h->second.model, h->second.obs);
      all_hm.insert(all_hm.end(), h->second.model.begin(), h->second.model.end());
      all_ho.insert(all_ho.end(), h->second.obs.begin(), h->second.obs.end());
      track_hours(h->second.times);
    } else {
      e.hourly = compute_stats({}, {});
    }
    r.cities.emplace_back(city, e);
  }
  if (!missing_in_run.empty()) {
    std::string list;
    for (const auto& c : missing_in_run) list += (list.empty() ? "" : ", ") + c;
    r.notes.push_back("cities with observations but not in the run's city files: " + list);
  }
  if (obs.city_hourly().empty()) {
    r.notes.push_back(
        "no hourly city observations (hourly statistics need station files and "
        "--stations)");
  }
  r.overall.daily = compute_stats(all_dm, all_do);
  r.overall.hourly = compute_stats(all_hm, all_ho);

  // Stations at their nearest cell of fields.nc.
  if (!obs.stations().empty()) {
    r.has_stations = true;
    const fs::path fields = run_file(run_dir, "fields.nc");
    const FieldsGrid grid = read_fields_grid(fields.string());
    std::vector<const StationObs*> used;
    std::vector<GridCell> cells;
    std::size_t no_location = 0;
    for (const auto& s : obs.stations()) {
      if (!(std::isfinite(s.lat) && std::isfinite(s.lon))) {
        ++no_location;
        continue;
      }
      try {
        cells.push_back(nearest_cell(grid, s.lat, s.lon, "station " + s.code));
        used.push_back(&s);
      } catch (const InputError& e) {
        r.notes.push_back(std::string("left out: ") + e.what());
      }
    }
    if (no_location > 0) {
      r.notes.push_back(std::to_string(no_location) +
                        " station(s) without coordinates in the station list are left out");
    }
    const auto series = read_cell_series(grid, r.species, cells);
    std::vector<double> sdm, sdo, shm, sho;
    for (std::size_t k = 0; k < used.size(); ++k) {
      const StationObs& s = *used[k];
      std::map<TimePoint, double> model;
      for (std::size_t t = 0; t < grid.times.size(); ++t) model[grid.times[t]] = series[k][t];
      const auto mdaily = cst_daily_means(model, obs::kMinHoursPerDay);
      const HourlyPairs hp = pair_maps(model, s.hourly, &HourlyPairs::times);
      const DailyPairs dp = pair_maps(mdaily, s.daily, &DailyPairs::days);
      StationEvaluation se;
      se.code = s.code;
      se.name = s.name;
      se.city = s.city;
      se.lat = s.lat;
      se.lon = s.lon;
      se.cell_x = cells[k].i;
      se.cell_y = cells[k].j;
      se.distance_km = cells[k].distance_m / 1000.0;
      se.stats.hourly = compute_stats(hp.model, hp.obs);
      se.stats.daily = compute_stats(dp.model, dp.obs);
      shm.insert(shm.end(), hp.model.begin(), hp.model.end());
      sho.insert(sho.end(), hp.obs.begin(), hp.obs.end());
      sdm.insert(sdm.end(), dp.model.begin(), dp.model.end());
      sdo.insert(sdo.end(), dp.obs.begin(), dp.obs.end());
      track_hours(hp.times);
      track_days(dp.days);
      r.stations.push_back(se);
    }
    r.stations_overall.daily = compute_stats(sdm, sdo);
    r.stations_overall.hourly = compute_stats(shm, sho);
  }
  const std::size_t pairs = r.overall.daily.n + r.overall.hourly.n + r.stations_overall.daily.n +
                            r.stations_overall.hourly.n;
  if (pairs == 0) {
    throw InputError(run_dir, "",
                     "no model value pairs with an observation: the run and the observations "
                     "(" +
                         (obs.files().empty() ? std::string() : obs.files().front()) +
                         ") do not overlap in time or in cities");
  }
  return r;
}

// ---- output -------------------------------------------------------------------------------

namespace {

nlohmann::ordered_json num(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json stats_json(const PairStats& s, bool flags) {
  nlohmann::ordered_json j;
  j["n"] = s.n;
  j["mean_obs"] = num(s.mean_obs);
  j["mean_model"] = num(s.mean_model);
  j["mb"] = num(s.mb);
  j["nmb_percent"] = num(s.nmb);
  j["nme_percent"] = num(s.nme);
  j["rmse"] = num(s.rmse);
  j["r"] = num(s.r);
  j["mfb_percent"] = num(s.mfb);
  j["mfe_percent"] = num(s.mfe);
  if (flags && s.n > 0) {
    j["goal"] = meets(s, kPm25Goal);
    j["criteria"] = meets(s, kPm25Criteria);
  } else {
    j["goal"] = nullptr;
    j["criteria"] = nullptr;
  }
  return j;
}

nlohmann::ordered_json series_json(const SeriesEvaluation& e, bool pm25) {
  return {{"daily", stats_json(e.daily, pm25)}, {"hourly", stats_json(e.hourly, false)}};
}

std::string pad(const std::string& s, std::size_t width, bool right = true) {
  std::size_t chars = 0;
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;
  if (chars >= width) return s;
  const std::string fill(width - chars, ' ');
  return right ? fill + s : s + fill;
}

std::string fmt(const char* f, double v) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

void table_header(std::ostringstream& out, const std::string& first, std::size_t w) {
  out << pad(first, w, false) << pad("N", 6) << pad("obs", 8) << pad("model", 8) << pad("MB", 8)
      << pad("NMB%", 8) << pad("NME%", 8) << pad("RMSE", 8) << pad("r", 7) << pad("MFB%", 8)
      << pad("MFE%", 8) << pad("goal", 6) << pad("crit", 6) << "\n";
}

void table_row(std::ostringstream& out, const std::string& name, const PairStats& s, bool flags,
               std::size_t w) {
  out << pad(name, w, false) << pad(std::to_string(s.n), 6) << pad(fmt("%.1f", s.mean_obs), 8)
      << pad(fmt("%.1f", s.mean_model), 8) << pad(fmt("%+.1f", s.mb), 8)
      << pad(fmt("%+.1f", s.nmb), 8) << pad(fmt("%.1f", s.nme), 8) << pad(fmt("%.1f", s.rmse), 8)
      << pad(fmt("%.2f", s.r), 7) << pad(fmt("%+.1f", s.mfb), 8) << pad(fmt("%.1f", s.mfe), 8);
  if (flags && s.n > 0) {
    out << pad(meets(s, kPm25Goal) ? "yes" : "no", 6)
        << pad(meets(s, kPm25Criteria) ? "yes" : "no", 6);
  } else {
    out << pad("-", 6) << pad("-", 6);
  }
  out << "\n";
}

}  // namespace

nlohmann::ordered_json evaluation_json(const EvaluationReport& r) {
  const bool pm25 = r.species == "pm25";
  nlohmann::ordered_json j;
  j["run"] = r.run_dir;
  j["species"] = r.species;
  j["units"] = r.units;
  j["obs_files"] = r.obs_files;
  nlohmann::ordered_json period;
  period["first_day"] = r.first_day ? nlohmann::ordered_json(ymd_text(*r.first_day)) : nullptr;
  period["last_day"] = r.last_day ? nlohmann::ordered_json(ymd_text(*r.last_day)) : nullptr;
  period["first_hour"] = r.first_hour ? nlohmann::ordered_json(format_iso(*r.first_hour)) : nullptr;
  period["last_hour"] = r.last_hour ? nlohmann::ordered_json(format_iso(*r.last_hour)) : nullptr;
  period["days_are"] = "China Standard Time (UTC+8) calendar days";
  period["hours_are"] = "UTC";
  j["period"] = period;
  j["benchmarks"] = {{"reference", "Emery et al. (2017), J. Air Waste Manage. Assoc. 67, 582-598"},
                     {"applies_to", "daily (24-h) PM2.5"},
                     {"goal",
                      {{"abs_nmb_percent_below", kPm25Goal.nmb_percent},
                       {"nme_percent_below", kPm25Goal.nme_percent},
                       {"r_above", kPm25Goal.r}}},
                     {"criteria",
                      {{"abs_nmb_percent_below", kPm25Criteria.nmb_percent},
                       {"nme_percent_below", kPm25Criteria.nme_percent},
                       {"r_above", kPm25Criteria.r}}}};
  nlohmann::ordered_json cities = nlohmann::ordered_json::object();
  for (const auto& [name, e] : r.cities) cities[name] = series_json(e, pm25);
  j["cities"] = cities;
  j["overall"] = series_json(r.overall, pm25);
  if (r.has_stations) {
    nlohmann::ordered_json st = nlohmann::ordered_json::object();
    for (const auto& s : r.stations) {
      nlohmann::ordered_json x = series_json(s.stats, pm25);
      x["name"] = s.name;
      x["city"] = s.city;
      x["lat"] = s.lat;
      x["lon"] = s.lon;
      x["cell"] = {{"x", s.cell_x}, {"y", s.cell_y}};
      x["distance_km"] = s.distance_km;
      st[s.code] = x;
    }
    j["stations"] = st;
    j["stations_overall"] = series_json(r.stations_overall, pm25);
  }
  j["notes"] = r.notes;
  return j;
}

std::string format_evaluation_table(const EvaluationReport& r) {
  const bool pm25 = r.species == "pm25";
  std::ostringstream out;
  out << "Evaluation of " << r.run_dir << ": " << r.species << " [" << r.units << "]\n";
  for (const auto& f : r.obs_files) out << "  observations: " << f << "\n";
  out << "  paired days (China Standard Time): "
      << (r.first_day ? ymd_text(*r.first_day) + " .. " + ymd_text(*r.last_day) : "none") << "\n";
  out << "  paired hours (UTC): "
      << (r.first_hour ? format_iso(*r.first_hour) + " .. " + format_iso(*r.last_hour) : "none")
      << "\n";
  out << "  MB, RMSE [" << r.units
      << "]; NMB, NME, MFB, MFE [%]; goal/criteria: Emery et al. "
         "(2017) for daily PM2.5\n"
      << "  (goal |NMB| < 10 %, NME < 35 %, r > 0.70; criteria |NMB| < 30 %, NME < 50 %, "
         "r > 0.40)\n";
  const std::size_t w = 18;
  out << "\nDaily city means\n";
  table_header(out, "City", w);
  for (const auto& [name, e] : r.cities) table_row(out, name, e.daily, pm25, w);
  table_row(out, "all cities", r.overall.daily, pm25, w);
  out << "\nHourly city means\n";
  table_header(out, "City", w);
  for (const auto& [name, e] : r.cities) table_row(out, name, e.hourly, false, w);
  table_row(out, "all cities", r.overall.hourly, false, w);
  if (r.has_stations) {
    for (int scale = 0; scale < 2; ++scale) {
      out << "\n"
          << (scale == 0 ? "Daily" : "Hourly")
          << " station values (model at the nearest cell of fields.nc)\n";
      table_header(out, "Station", w);
      for (const auto& s : r.stations) {
        table_row(out, s.code + " " + s.city, scale == 0 ? s.stats.daily : s.stats.hourly,
                  scale == 0 && pm25, w);
      }
      table_row(out, "all stations",
                scale == 0 ? r.stations_overall.daily : r.stations_overall.hourly,
                scale == 0 && pm25, w);
    }
  }
  if (!r.notes.empty()) out << "\n";
  for (const auto& n : r.notes) out << "note: " << n << "\n";
  return out.str();
}

}  // namespace fwaq::report

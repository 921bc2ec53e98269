#include "obs/daily.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "obs/cnemc.hpp"
#include "obs/stations.hpp"
#include "obs/text_reader.hpp"

namespace fwaq::obs {

int DailyTable::date_index(std::chrono::year_month_day date) const {
  const auto it = std::find(dates.begin(), dates.end(), date);
  return it == dates.end() ? -1 : static_cast<int>(it - dates.begin());
}

int DailyTable::name_index(const std::string& name) const {
  const auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int checked_type(const HourlyTable& table, const std::string& type, int min_hours) {
  static const char* const daily_types[] = {"PM2.5", "PM10", "SO2", "NO2", "CO"};
  if (std::find(std::begin(daily_types), std::end(daily_types), type) == std::end(daily_types)) {
    throw UsageError("no 24-h mean rule for type '" + type +
                     "'; daily means are defined here for PM2.5, PM10, SO2, NO2 and CO "
                     "(O3 uses the daily maximum 8-h mean, AQI its own rule)");
  }
  if (min_hours < 1 || min_hours > 24) {
    throw UsageError("minimum valid hours per day must be 1-24, got " + std::to_string(min_hours));
  }
  const int t = table.type_index(type);
  if (t < 0) {
    throw UsageError("type '" + type + "' was not read from " + table.file() +
                     " (add it to ReadOptions::types)");
  }
  return t;
}

// The consecutive local dates spanned by the table, and each hour's date index and
// local hour.
struct Days {
  std::vector<std::chrono::year_month_day> dates;
  std::vector<std::size_t> day_of_time;
};

Days local_days(const HourlyTable& table) {
  using namespace std::chrono;
  Days d;
  if (table.times().empty()) return d;
  const sys_days first{table.local(0).date};
  const sys_days last{table.local(table.times().size() - 1).date};
  for (sys_days day = first; day <= last; day += days{1}) d.dates.emplace_back(day);
  d.day_of_time.resize(table.times().size());
  for (std::size_t i = 0; i < table.times().size(); ++i)
    d.day_of_time[i] = static_cast<std::size_t>((sys_days{table.local(i).date} - first).count());
  return d;
}

DailyTable empty_like(const std::string& type, const std::vector<std::string>& names,
                      std::vector<std::chrono::year_month_day> dates) {
  DailyTable out;
  out.type = type;
  out.units = find_observation_type(type)->units;
  out.dates = std::move(dates);
  out.names = names;
  out.values.assign(out.dates.size() * names.size(), kNaN);
  out.counts.assign(out.dates.size() * names.size(), 0);
  return out;
}

}  // namespace

DailyTable station_daily_means(const HourlyTable& table, const std::string& type, int min_hours) {
  const int t = checked_type(table, type, min_hours);
  const Days days = local_days(table);
  const std::size_t nst = table.station_codes().size();
  DailyTable out = empty_like(type, table.station_codes(), days.dates);
  std::vector<double> sum(out.values.size(), 0.0);
  for (std::size_t i = 0; i < table.times().size(); ++i) {
    const std::size_t base = days.day_of_time[i] * nst;
    for (std::size_t s = 0; s < nst; ++s) {
      const double v = table.value(t, i, static_cast<int>(s));
      if (std::isnan(v)) continue;
      sum[base + s] += v;
      ++out.counts[base + s];
    }
  }
  for (std::size_t k = 0; k < out.values.size(); ++k)
    if (out.counts[k] >= min_hours) out.values[k] = sum[k] / out.counts[k];
  return out;
}

DailyTable city_daily_means(const HourlyTable& table, const StationList& stations,
                            const std::string& type, int min_hours, CityMethod method) {
  const int t = checked_type(table, type, min_hours);
  // City of every column of the table (-1: not a Fenwei city).
  const auto& cities = fenwei_cities();
  std::vector<std::string> names;
  for (const auto& c : cities) names.emplace_back(c.english);
  std::vector<int> city_of(table.station_codes().size(), -1);
  for (std::size_t s = 0; s < city_of.size(); ++s) {
    const Station* st = stations.find(table.station_codes()[s]);
    if (st == nullptr) {
      throw InputError(table.file(), "",
                       "station '" + table.station_codes()[s] + "' (header column " +
                           std::to_string(s + 4) + ") is not in the station list " +
                           stations.file());
    }
    const auto it = std::find(names.begin(), names.end(), st->city);
    if (it != names.end()) city_of[s] = static_cast<int>(it - names.begin());
  }
  const std::size_t nc = names.size();

  if (method == CityMethod::MeanOfStationDailyMeans) {
    const DailyTable st = station_daily_means(table, type, min_hours);
    DailyTable out = empty_like(type, names, st.dates);
    std::vector<double> sum(out.values.size(), 0.0);
    for (std::size_t d = 0; d < st.dates.size(); ++d) {
      for (std::size_t s = 0; s < st.names.size(); ++s) {
        if (city_of[s] < 0 || std::isnan(st.value(d, s))) continue;
        const std::size_t k = d * nc + static_cast<std::size_t>(city_of[s]);
        sum[k] += st.value(d, s);
        ++out.counts[k];
      }
    }
    for (std::size_t k = 0; k < out.values.size(); ++k)
      if (out.counts[k] > 0) out.values[k] = sum[k] / out.counts[k];
    return out;
  }

  // Mean of hourly city means.
  const Days days = local_days(table);
  DailyTable out = empty_like(type, names, days.dates);
  std::vector<double> sum(out.values.size(), 0.0);
  std::vector<int> hours(out.values.size(), 0);
  std::vector<double> hsum(nc);
  std::vector<int> hn(nc);
  for (std::size_t i = 0; i < table.times().size(); ++i) {
    std::fill(hsum.begin(), hsum.end(), 0.0);
    std::fill(hn.begin(), hn.end(), 0);
    for (std::size_t s = 0; s < city_of.size(); ++s) {
      const double v = table.value(t, i, static_cast<int>(s));
      if (city_of[s] < 0 || std::isnan(v)) continue;
      hsum[static_cast<std::size_t>(city_of[s])] += v;
      ++hn[static_cast<std::size_t>(city_of[s])];
    }
    for (std::size_t c = 0; c < nc; ++c) {
      if (hn[c] == 0) continue;
      const std::size_t k = days.day_of_time[i] * nc + c;
      sum[k] += hsum[c] / hn[c];
      ++hours[k];
      out.counts[k] = std::max(out.counts[k], hn[c]);
    }
  }
  for (std::size_t k = 0; k < out.values.size(); ++k) {
    if (hours[k] >= min_hours) {
      out.values[k] = sum[k] / hours[k];
    } else {
      out.counts[k] = 0;
    }
  }
  return out;
}

bool is_city_daily_header(const std::string& header) {
  const auto f = split_csv(header);
  if (f.size() < 3 || f.size() % 2 == 0 || f[0] != "date") return false;
  const std::size_t n = (f.size() - 1) / 2;
  for (std::size_t k = 0; k < n; ++k) {
    if (f[1 + k].empty() || std::string(f[1 + n + k]) != std::string(f[1 + k]) + "_nstations")
      return false;
  }
  return true;
}

DailyTable read_city_daily(const std::string& path, const std::string& type,
                           const std::string& units) {
  LineReader in(path);
  std::string line;
  if (!in.next(line) || !is_city_daily_header(line)) {
    throw InputError(path, "",
                     "line 1: header '" + line.substr(0, 60) + (line.size() > 60 ? "..." : "") +
                         "' is not a city daily file; expected 'date,<city>,...,<city>_nstations,"
                         "...'");
  }
  const auto header = split_csv(line);
  const std::size_t n = (header.size() - 1) / 2;
  DailyTable out;
  out.type = type;
  out.units = units;
  for (std::size_t k = 0; k < n; ++k) {
    const std::string zh(header[1 + k]);
    const std::string en = city_english(zh);
    out.names.push_back(en.empty() ? zh : en);
  }
  while (in.next(line)) {
    if (line.empty()) continue;
    const long ln = in.line_number();
    const auto f = split_csv(line);
    auto where = [&](std::size_t c) {
      return "line " + std::to_string(ln) + ", column " + std::to_string(c + 1);
    };
    if (f.size() != header.size()) {
      throw InputError(path, "",
                       "line " + std::to_string(ln) + ": " + std::to_string(f.size()) +
                           " fields, expected " + std::to_string(header.size()) +
                           " as in the header");
    }
    int y = 0, m = 0, d = 0;
    const std::string_view ds = f[0];
    const bool digits = ds.size() == 8 && std::all_of(ds.begin(), ds.end(),
                                                      [](char c) { return c >= '0' && c <= '9'; });
    if (digits) {
      std::from_chars(ds.data(), ds.data() + 4, y);
      std::from_chars(ds.data() + 4, ds.data() + 6, m);
      std::from_chars(ds.data() + 6, ds.data() + 8, d);
    }
    const std::chrono::year_month_day date{std::chrono::year{y},
                                           std::chrono::month{static_cast<unsigned>(m)},
                                           std::chrono::day{static_cast<unsigned>(d)}};
    if (!digits || !date.ok() || (!out.dates.empty() && !(out.dates.back() < date))) {
      throw InputError(path, "date",
                       where(0) + ": '" + std::string(ds) +
                           "' is not a date after the previous row's; expected YYYYMMDD, "
                           "ascending");
    }
    out.dates.push_back(date);
    for (std::size_t k = 0; k < n; ++k) {
      const std::string_view vs = f[1 + k], cs = f[1 + n + k];
      double v = kNaN;
      int count = 0;
      if (!vs.empty()) {
        const auto [end, ec] = std::from_chars(vs.data(), vs.data() + vs.size(), v);
        if (ec != std::errc() || end != vs.data() + vs.size() || !std::isfinite(v) || v < 0) {
          throw InputError(path, out.names[k],
                           where(1 + k) + ": value '" + std::string(vs) +
                               "' is not a non-negative number (or empty)");
        }
      }
      const auto [end, ec] = std::from_chars(cs.data(), cs.data() + cs.size(), count);
      if (ec != std::errc() || end != cs.data() + cs.size() || count < 0 ||
          (count == 0) != vs.empty()) {
        throw InputError(path, std::string(header[1 + n + k]),
                         where(1 + n + k) + ": station count '" + std::string(cs) +
                             "' is not a count >= 0 that is 0 exactly when the value is empty");
      }
      out.values.push_back(v);
      out.counts.push_back(count);
    }
  }
  return out;
}

}  // namespace fwaq::obs

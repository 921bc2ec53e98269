#include "obs/cnemc.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <numeric>
#include <unordered_set>

#include "core/error.hpp"
#include "obs/stations.hpp"
#include "obs/text_reader.hpp"

namespace fwaq::obs {

const std::vector<ObservationType>& observation_types() {
  // Units: GB 3095-2012 and its 2018 amendment (MEE announcement 2018 No. 29): gases
  // at the reference state 298.15 K, 1013.25 hPa; particles at the actual state.
  static const std::vector<ObservationType> types = {
      {"AQI", "1", "hourly air quality index (HJ 633-2012)"},
      {"PM2.5", "µg m-3", "PM2.5 1-h mean"},
      {"PM2.5_24h", "µg m-3", "PM2.5 mean of the 24 hours ending at this hour"},
      {"PM10", "µg m-3", "PM10 1-h mean"},
      {"PM10_24h", "µg m-3", "PM10 mean of the 24 hours ending at this hour"},
      {"SO2", "µg m-3", "SO2 1-h mean"},
      {"SO2_24h", "µg m-3", "SO2 mean of the 24 hours ending at this hour"},
      {"NO2", "µg m-3", "NO2 1-h mean"},
      {"NO2_24h", "µg m-3", "NO2 mean of the 24 hours ending at this hour"},
      {"O3", "µg m-3", "O3 1-h mean"},
      {"O3_24h", "µg m-3", "O3 largest 1-h mean of the 24 hours ending at this hour"},
      {"O3_8h", "µg m-3", "O3 8-h running mean as published by CNEMC (window not checked)"},
      {"O3_8h_24h", "µg m-3",
       "O3 largest 8-h running mean of the day as published by CNEMC (not checked)"},
      {"CO", "mg m-3", "CO 1-h mean"},
      {"CO_24h", "mg m-3", "CO mean of the 24 hours ending at this hour"}};
  return types;
}

const ObservationType* find_observation_type(const std::string& name) {
  for (const auto& t : observation_types())
    if (name == t.name) return &t;
  return nullptr;
}

TimePoint beijing_to_utc(std::chrono::year_month_day date, int hour) {
  using namespace std::chrono;
  return TimePoint{sys_days{date} + hours{hour - kBeijingUtcOffsetHours}};
}

LocalHour utc_to_beijing(TimePoint t) {
  using namespace std::chrono;
  const auto local = floor<hours>(t) + hours{kBeijingUtcOffsetHours};
  const auto day = floor<days>(local);
  return {year_month_day{day}, static_cast<int>((local - day).count())};  // hours
}

std::string format_ymd(std::chrono::year_month_day date) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buf;
}

namespace {

std::string at(long line, std::size_t column) {
  return "line " + std::to_string(line) + ", column " + std::to_string(column + 1);
}

bool parse_int(std::string_view s, int& v) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

bool parse_date(std::string_view s, std::chrono::year_month_day& date) {
  if (s.size() != 8 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  int y = 0, m = 0, d = 0;
  parse_int(s.substr(0, 4), y);
  parse_int(s.substr(4, 2), m);
  parse_int(s.substr(6, 2), d);
  date = std::chrono::year_month_day{std::chrono::year{y},
                                     std::chrono::month{static_cast<unsigned>(m)},
                                     std::chrono::day{static_cast<unsigned>(d)}};
  return date.ok();
}

}  // namespace

HourlyTable HourlyTable::read(const std::string& path, const ReadOptions& options) {
  const auto& known = observation_types();
  std::vector<int> slot(known.size(), -1);  // known type → kept index
  for (const auto& name : options.types) {
    if (find_observation_type(name) == nullptr) {
      throw UsageError("unknown CNEMC observation type '" + name +
                       "'; expected AQI, PM2.5, PM2.5_24h, PM10, PM10_24h, SO2, SO2_24h, NO2, "
                       "NO2_24h, O3, O3_24h, O3_8h, O3_8h_24h, CO or CO_24h");
    }
  }
  HourlyTable table;
  table.file_ = path;
  for (std::size_t k = 0; k < known.size(); ++k) {
    const bool keep = options.types.empty() || std::find(options.types.begin(), options.types.end(),
                                                         known[k].name) != options.types.end();
    if (keep) {
      slot[k] = static_cast<int>(table.types_.size());
      table.types_.push_back(known[k].name);
    }
  }
  table.values_.resize(table.types_.size());

  LineReader in(path);
  table.compressed_ = in.compressed();
  std::string line;
  if (!in.next(line)) {
    throw InputError(path, "", "file is empty; expected the header date,hour,type,<station codes>");
  }
  const auto header = split_csv(line);
  if (header.size() < 4 || header[0] != "date" || header[1] != "hour" || header[2] != "type") {
    throw InputError(path, "",
                     "line 1: header '" + line.substr(0, 60) + (line.size() > 60 ? "..." : "") +
                         "' is not a CNEMC hourly file; expected 'date,hour,type,' followed by "
                         "station codes");
  }
  std::map<std::string, std::size_t> seen_codes;
  for (std::size_t c = 3; c < header.size(); ++c) {
    const std::string code(header[c]);
    if (code.empty()) throw InputError(path, "", at(1, c) + ": empty station code in the header");
    if (seen_codes.count(code)) {
      throw InputError(path, "",
                       at(1, c) + ": station code '" + code + "' appears twice in the header");
    }
    if (options.stations != nullptr && options.stations->find(code) == nullptr) {
      throw InputError(path, "",
                       at(1, c) + ": station code '" + code + "' is not in the station list " +
                           options.stations->file());
    }
    seen_codes[code] = c;
    table.codes_.push_back(code);
  }
  const std::size_t nst = table.codes_.size();
  const std::size_t nfield = header.size();

  std::map<long long, std::size_t> time_slot;  // UTC seconds → row block
  std::vector<TimePoint> slot_time;
  std::unordered_set<long long> seen_rows;  // UTC seconds * 16 + type
  std::vector<char> type_seen(known.size(), 0);
  while (in.next(line)) {
    const long ln = in.line_number();
    if (line.empty()) continue;
    const auto f = split_csv(line);
    if (f.size() != nfield) {
      throw InputError(path, "",
                       "line " + std::to_string(ln) + ": " + std::to_string(f.size()) +
                           " fields, expected " + std::to_string(nfield) +
                           " as in the header (date, hour, type and " + std::to_string(nst) +
                           " stations)");
    }
    ++table.rows_;
    std::chrono::year_month_day date{};
    if (!parse_date(f[0], date)) {
      throw InputError(path, "date",
                       at(ln, 0) + ": '" + std::string(f[0]) +
                           "' is not a date; expected YYYYMMDD (Beijing time)");
    }
    int hour = -1;
    if (!parse_int(f[1], hour) || hour < 0 || hour > 23) {
      throw InputError(path, "hour",
                       at(ln, 1) + ": '" + std::string(f[1]) +
                           "' is not an hour; expected an integer 0-23 (Beijing time)");
    }
    const std::string type(f[2]);
    std::size_t k = 0;
    while (k < known.size() && type != known[k].name) ++k;
    if (k == known.size()) {
      throw InputError(path, "type",
                       at(ln, 2) + ": unknown type '" + type +
                           "'; expected AQI, PM2.5, PM2.5_24h, PM10, PM10_24h, SO2, SO2_24h, NO2, "
                           "NO2_24h, O3, O3_24h, O3_8h, O3_8h_24h, CO or CO_24h");
    }
    type_seen[k] = 1;
    const TimePoint t = beijing_to_utc(date, hour);
    const long long secs = t.time_since_epoch().count();
    if (!seen_rows.insert(secs * 16 + static_cast<long long>(k)).second) {
      throw InputError(path, type,
                       "line " + std::to_string(ln) + ": a second row for " + format_ymd(date) +
                           " hour " + std::to_string(hour) + " type " + type +
                           "; expected one row per date, hour and type");
    }
    if (slot[k] < 0) continue;
    auto it = time_slot.find(secs);
    if (it == time_slot.end()) {
      it = time_slot.emplace(secs, slot_time.size()).first;
      slot_time.push_back(t);
      for (auto& v : table.values_)
        v.resize(v.size() + nst, std::numeric_limits<double>::quiet_NaN());
    }
    double* row = table.values_[static_cast<std::size_t>(slot[k])].data() + it->second * nst;
    for (std::size_t s = 0; s < nst; ++s) {
      const std::string_view text = f[3 + s];
      if (text.empty()) continue;
      double v = 0.0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) || v < 0.0) {
        throw InputError(path, type,
                         at(ln, 3 + s) + " (station " + table.codes_[s] + ", " + format_ymd(date) +
                             " hour " + std::to_string(hour) + " Beijing time): value '" +
                             std::string(text) +
                             "' is not a non-negative number; expected a number or an empty "
                             "cell");
      }
      row[s] = v;
    }
  }
  for (std::size_t k = 0; k < known.size(); ++k)
    if (type_seen[k]) table.types_in_file_.push_back(known[k].name);

  // Order the hours by time (files are normally in order already).
  std::vector<std::size_t> order(slot_time.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return slot_time[a] < slot_time[b]; });
  table.times_.resize(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) table.times_[i] = slot_time[order[i]];
  if (!std::is_sorted(slot_time.begin(), slot_time.end())) {
    for (auto& v : table.values_) {
      std::vector<double> sorted(v.size());
      for (std::size_t i = 0; i < order.size(); ++i)
        std::copy_n(v.begin() + static_cast<std::ptrdiff_t>(order[i] * nst), nst,
                    sorted.begin() + static_cast<std::ptrdiff_t>(i * nst));
      v.swap(sorted);
    }
  }
  return table;
}

int HourlyTable::station_index(const std::string& code) const {
  const auto it = std::find(codes_.begin(), codes_.end(), code);
  return it == codes_.end() ? -1 : static_cast<int>(it - codes_.begin());
}

int HourlyTable::type_index(const std::string& type) const {
  const auto it = std::find(types_.begin(), types_.end(), type);
  return it == types_.end() ? -1 : static_cast<int>(it - types_.begin());
}

std::size_t HourlyTable::valid_count(int type) const {
  const auto& v = values_[static_cast<std::size_t>(type)];
  return static_cast<std::size_t>(
      std::count_if(v.begin(), v.end(), [](double x) { return !std::isnan(x); }));
}

}  // namespace fwaq::obs

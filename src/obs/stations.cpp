#include "obs/stations.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "obs/text_reader.hpp"

namespace fwaq::obs {

const std::vector<City>& fenwei_cities() {
  static const std::vector<City> cities = {
      {"Jinzhong", "晋中"}, {"Yuncheng", "运城"},    {"Linfen", "临汾"}, {"Lüliang", "吕梁"},
      {"Luoyang", "洛阳"},  {"Sanmenxia", "三门峡"}, {"Xi'an", "西安"},  {"Tongchuan", "铜川"},
      {"Baoji", "宝鸡"},    {"Xianyang", "咸阳"},    {"Weinan", "渭南"}};
  return cities;
}

std::string city_english(const std::string& chinese) {
  for (const auto& c : fenwei_cities())
    if (chinese == c.chinese) return c.english;
  return "";
}

std::string city_chinese(const std::string& english) {
  for (const auto& c : fenwei_cities())
    if (english == c.english) return c.chinese;
  return "";
}

namespace {

std::string where(long line, std::size_t column) {
  return "line " + std::to_string(line) + ", column " + std::to_string(column + 1);
}

// A coordinate [degrees]: empty or "-" (as in StationList-2020.01.01.csv, 3019A) → NaN;
// otherwise a number within [lo, hi].
double coordinate(std::string_view text, double lo, double hi, const std::string& file,
                  const char* what, long line, std::size_t column) {
  if (text.empty() || text == "-") return std::numeric_limits<double>::quiet_NaN();
  double v = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) || v < lo ||
      v > hi) {
    throw InputError(file, what,
                     where(line, column) + ": value '" + std::string(text) +
                         "' is not a number in [" + std::to_string(static_cast<int>(lo)) + ", " +
                         std::to_string(static_cast<int>(hi)) + "] degrees (or empty or '-')");
  }
  return v;
}

}  // namespace

StationList StationList::read(const std::string& path) {
  StationList list;
  list.file_ = path;
  LineReader in(path);
  std::string line;
  if (!in.next(line)) throw InputError(path, "", "file is empty; expected a station-list header");
  const auto header = split_csv(line);
  const std::vector<std::string_view> fenwei = {"code", "name", "city",
                                                "lon",  "lat",  "days_present_2019"};
  const std::vector<std::string_view> national = {"监测点编码", "监测点名称", "城市", "经度",
                                                  "纬度"};
  if (header == fenwei) {
    list.layout_ = Layout::Fenwei;
  } else if (header == national) {
    list.layout_ = Layout::National;
  } else {
    throw InputError(path, "",
                     "line 1: header '" + line +
                         "' is not a station list; expected "
                         "'code,name,city,lon,lat,days_present_2019' or "
                         "'监测点编码,监测点名称,城市,经度,纬度'");
  }
  const std::size_t ncol = header.size();
  while (in.next(line)) {
    if (line.empty()) continue;
    const auto f = split_csv(line);
    const long ln = in.line_number();
    if (f.size() != ncol) {
      throw InputError(path, "",
                       "line " + std::to_string(ln) + ": " + std::to_string(f.size()) +
                           " fields, expected " + std::to_string(ncol) + " as in the header");
    }
    Station s;
    s.code = std::string(f[0]);
    if (s.code.empty()) throw InputError(path, "code", where(ln, 0) + ": empty station code");
    s.name = std::string(f[1]);
    s.city_zh = std::string(f[2]);
    s.city = city_english(s.city_zh);
    s.lon = coordinate(f[3], -180.0, 360.0, path, "longitude", ln, 3);
    s.lat = coordinate(f[4], -90.0, 90.0, path, "latitude", ln, 4);
    if (list.layout_ == Layout::Fenwei) {
      int d = 0;
      const auto [end, ec] = std::from_chars(f[5].data(), f[5].data() + f[5].size(), d);
      if (ec != std::errc() || end != f[5].data() + f[5].size() || d < 0 || d > 366) {
        throw InputError(
            path, "days_present_2019",
            where(ln, 5) + ": value '" + std::string(f[5]) + "' is not a day count in [0, 366]");
      }
      s.days_present = d;
    }
    if (const auto it = list.index_.find(s.code); it != list.index_.end()) {
      // StationList-2020.01.01.csv lists 3207A twice, differing only in a note in the
      // name; such a repeat (same city and coordinates) is skipped with a warning.
      const Station& first = list.stations_[it->second];
      const bool same_place =
          first.city_zh == s.city_zh && ((first.lon == s.lon && first.lat == s.lat) ||
                                         (!first.has_location() && !s.has_location()));
      if (!same_place) {
        throw InputError(path, "code",
                         where(ln, 0) + ": station code '" + s.code +
                             "' appears twice with different city or coordinates");
      }
      list.warnings_.push_back("line " + std::to_string(ln) + ": station code '" + s.code +
                               "' repeated (same city and coordinates, name '" + s.name +
                               "'); the first entry ('" + first.name + "') is kept");
      continue;
    }
    list.index_[s.code] = list.stations_.size();
    list.stations_.push_back(std::move(s));
  }
  if (list.stations_.empty()) throw InputError(path, "", "no stations after the header");
  return list;
}

const Station* StationList::find(const std::string& code) const {
  const auto it = index_.find(code);
  return it == index_.end() ? nullptr : &stations_[it->second];
}

std::vector<const Station*> StationList::in_city(const std::string& english) const {
  std::vector<const Station*> out;
  for (const auto& s : stations_)
    if (s.city == english) out.push_back(&s);
  return out;
}

}  // namespace fwaq::obs

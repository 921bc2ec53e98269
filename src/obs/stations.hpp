#pragma once
// Monitoring stations of the national air-quality network (CNEMC) and the cities of
// the Fenwei plain. Two station-list layouts are read:
//   fenwei_stations.csv         code,name,city,lon,lat,days_present_2019
//   StationList-2020.01.01.csv  监测点编码,监测点名称,城市,经度,纬度
// (code, station name, city, longitude [degrees east], latitude [degrees north]).
// Names and cities are Chinese, UTF-8. Coordinates may be empty ("" or "-") in the
// source lists (e.g. 2172A, 2177A, 2184A; 3019A); they are then NaN.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace fwaq::obs {

/// One Fenwei-plain city: the English name the project uses and the Chinese name
/// used in CNEMC files.
struct City {
  const char* english;
  const char* chinese;
};

/// The 11 cities of the Fenwei plain, in the order of the project's tables:
/// Jinzhong 晋中, Yuncheng 运城, Linfen 临汾, Lüliang 吕梁, Luoyang 洛阳, Sanmenxia 三门峡,
/// Xi'an 西安, Tongchuan 铜川, Baoji 宝鸡, Xianyang 咸阳, Weinan 渭南.
const std::vector<City>& fenwei_cities();
/// English name of a Fenwei city given its Chinese name; "" if it is not one of them.
std::string city_english(const std::string& chinese);
/// Chinese name of a Fenwei city given its English name; "" if it is not one of them.
std::string city_chinese(const std::string& english);

struct Station {
  std::string code;       ///< station code, e.g. "1462A"
  std::string name;       ///< station name as in the list (Chinese, UTF-8)
  std::string city_zh;    ///< city as in the list (Chinese)
  std::string city;       ///< English project name for Fenwei cities, "" otherwise
  double lon = 0.0;       ///< longitude [degrees east], NaN if the list has none
  double lat = 0.0;       ///< latitude [degrees north], NaN if the list has none
  int days_present = -1;  ///< days with data in 2019 (fenwei_stations.csv), -1 if absent
  bool has_location() const { return lon == lon && lat == lat; }
};

class StationList {
 public:
  enum class Layout { Fenwei, National };

  /// Reads either layout (detected from the header, CSV, plain or gzip). Throws
  /// InputError naming the file, line and column for a wrong header, a wrong number
  /// of fields, a code repeated with another city or other coordinates, or a
  /// coordinate that is not a number in range. A code repeated with the same city
  /// and coordinates is skipped (see warnings()).
  static StationList read(const std::string& path);

  const std::string& file() const { return file_; }
  Layout layout() const { return layout_; }
  const std::vector<Station>& stations() const { return stations_; }
  std::size_t size() const { return stations_.size(); }
  /// The station with this code, or nullptr.
  const Station* find(const std::string& code) const;
  /// Stations of a Fenwei city (English name), in list order.
  std::vector<const Station*> in_city(const std::string& english) const;
  /// Repeated codes that were skipped (same city and coordinates as the first entry).
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  std::string file_;
  Layout layout_ = Layout::Fenwei;
  std::vector<Station> stations_;
  std::map<std::string, std::size_t> index_;
  std::vector<std::string> warnings_;
};

}  // namespace fwaq::obs

#include "report/run_outputs.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <numbers>
#include <sstream>

#include "core/error.hpp"
#include "io/netcdf_util.hpp"
#include "obs/text_reader.hpp"

namespace fwaq::report {

namespace fs = std::filesystem;
using nlohmann::json;

const std::vector<std::string>& run_species() {
  static const std::vector<std::string> names = {"pm25", "pm10", "so2", "no2", "co"};
  return names;
}

int species_index(const std::string& species) {
  const auto& names = run_species();
  const auto it = std::find(names.begin(), names.end(), species);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

const char* species_units(const std::string& species) {
  return species == "co" ? "mg m-3" : "µg m-3";
}

const AreaSummary* RunSummary::find(const std::string& name) const {
  for (const auto& a : areas) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

// ---- summary.json -------------------------------------------------------------------

namespace {

std::string type_name(const json& v) {
  return v.type_name();
}

const json& member(const json& obj, const std::string& key, const std::string& file,
                   const std::string& where) {
  if (!obj.is_object() || !obj.contains(key)) {
    throw InputError(file, where.empty() ? key : where + "." + key, "missing key");
  }
  return obj.at(key);
}

double number(const json& v, const std::string& file, const std::string& where) {
  if (!v.is_number()) {
    throw InputError(file, where,
                     "value " + v.dump() + " is a " + type_name(v) + "; expected a number");
  }
  const double x = v.get<double>();
  if (!std::isfinite(x)) throw InputError(file, where, "value is not finite; expected a number");
  return x;
}

double optional_number(const json& obj, const std::string& key, const std::string& file,
                       const std::string& where) {
  if (!obj.contains(key) || obj.at(key).is_null()) return kMissing;
  return number(obj.at(key), file, where + "." + key);
}

int count(const json& v, const std::string& file, const std::string& where) {
  if (!v.is_number_integer() || v.get<long long>() < 0) {
    throw InputError(file, where, "value " + v.dump() + " is not a non-negative integer");
  }
  return static_cast<int>(v.get<long long>());
}

std::string text(const json& v, const std::string& file, const std::string& where) {
  if (!v.is_string()) {
    throw InputError(file, where,
                     "value " + v.dump() + " is a " + type_name(v) + "; expected a string");
  }
  return v.get<std::string>();
}

TimePoint iso_time(const std::string& s, const std::string& file, const std::string& where) {
  try {
    return parse_time(s);
  } catch (const UsageError&) {
    throw InputError(file, where, "'" + s + "' is not an ISO time such as 2019-10-01T00:00:00Z");
  }
}

}  // namespace

RunSummary read_summary(const fs::path& path) {
  const fs::path file = fs::is_directory(path) ? path / "summary.json" : path;
  const std::string name = file.string();
  std::ifstream in(file);
  if (!in) {
    throw InputError(name, "",
                     fs::exists(file) ? "cannot be read"
                                      : "not found (expected a run directory "
                                        "with summary.json)");
  }
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    throw InputError(name, "", std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw InputError(name, "", "expected a JSON object at the top level");
  RunSummary s;
  s.file = name;
  if (j.contains("state_hash")) s.state_hash = text(j["state_hash"], name, "state_hash");
  if (j.contains("wall_seconds")) s.wall_seconds = number(j["wall_seconds"], name, "wall_seconds");
  if (j.contains("case")) s.case_name = text(j["case"], name, "case");
  const json& period = member(j, "period", name, "");
  s.start = iso_time(text(member(period, "start", name, "period"), name, "period.start"), name,
                     "period.start");
  s.end =
      iso_time(text(member(period, "end", name, "period"), name, "period.end"), name, "period.end");
  if (s.end < s.start) {
    throw InputError(name, "period",
                     "end " + format_iso(s.end) + " is before start " + format_iso(s.start));
  }
  if (j.contains("aqi_pollutants")) {
    const json& p = j["aqi_pollutants"];
    if (!p.is_array()) throw InputError(name, "aqi_pollutants", "expected a list of names");
    for (const auto& v : p) s.aqi_pollutants.push_back(text(v, name, "aqi_pollutants"));
  }
  const json& cities = member(j, "cities", name, "");
  if (!cities.is_object() || cities.empty()) {
    throw InputError(name, "cities", "expected an object with one entry per area");
  }
  for (auto it = cities.begin(); it != cities.end(); ++it) {
    const std::string where = "cities." + it.key();
    const json& c = it.value();
    if (!c.is_object()) throw InputError(name, where, "expected an object");
    AreaSummary a;
    a.name = it.key();
    a.pm25_mean = number(member(c, "pm25_mean", name, where), name, where + ".pm25_mean");
    a.heavy_days = count(member(c, "heavy_days", name, where), name, where + ".heavy_days");
    a.days = c.contains("days") ? count(c["days"], name, where + ".days") : 0;
    a.pm10_mean = optional_number(c, "pm10_mean", name, where);
    a.so2_mean = optional_number(c, "so2_mean", name, where);
    a.no2_mean = optional_number(c, "no2_mean", name, where);
    if (a.pm25_mean < 0.0) {
      throw InputError(name, where + ".pm25_mean",
                       "value " + std::to_string(a.pm25_mean) + " is negative");
    }
    if (a.days > 0 && a.heavy_days > a.days) {
      throw InputError(name, where + ".heavy_days",
                       std::to_string(a.heavy_days) + " heavy days exceed the " +
                           std::to_string(a.days) + " days of the season");
    }
    s.areas.push_back(a);
  }
  // A run on a domain without the region's areas has a region with a null mean.
  if (j.contains("region") && !j["region"].is_null() &&
      !(j["region"].contains("pm25_mean") && j["region"]["pm25_mean"].is_null())) {
    const json& r = j["region"];
    s.has_region = true;
    s.region_pm25_mean = number(member(r, "pm25_mean", name, "region"), name, "region.pm25_mean");
    s.region_heavy_city_days =
        count(member(r, "heavy_city_days", name, "region"), name, "region.heavy_city_days");
  }
  if (j.contains("mass_budget")) s.mass_budget = j["mass_budget"];
  return s;
}

// ---- CSV files -------------------------------------------------------------------------

namespace {

std::string unquote(std::string_view f) {
  while (!f.empty() && (f.front() == ' ' || f.front() == '\t')) f.remove_prefix(1);
  while (!f.empty() && (f.back() == ' ' || f.back() == '\t')) f.remove_suffix(1);
  if (f.size() >= 2 && f.front() == '"' && f.back() == '"') f = f.substr(1, f.size() - 2);
  return std::string(f);
}

struct Csv {
  std::string file;
  std::map<std::string, std::size_t> column;
  std::size_t ncols = 0;
};

Csv read_header(obs::LineReader& reader, const std::vector<std::string>& required,
                const std::string& layout) {
  Csv csv;
  csv.file = reader.path();
  std::string line;
  if (!reader.next(line)) throw InputError(csv.file, "", "empty file; expected header " + layout);
  const auto fields = obs::split_csv(line);
  csv.ncols = fields.size();
  for (std::size_t k = 0; k < fields.size(); ++k) csv.column[unquote(fields[k])] = k;
  for (const auto& name : required) {
    if (!csv.column.count(name)) {
      throw InputError(csv.file, name,
                       "line 1: column missing from header '" + line + "'; expected " + layout);
    }
  }
  return csv;
}

double parse_value(const std::string& s, const Csv& csv, long line, const std::string& col) {
  if (s.empty()) return kMissing;
  double v = 0.0;
  const char* end = s.data() + s.size();
  const auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end) {
    throw InputError(csv.file, col,
                     "line " + std::to_string(line) + ": '" + s + "' is not a number");
  }
  if (std::isnan(v)) return kMissing;
  if (!std::isfinite(v) || v < 0.0) {
    throw InputError(csv.file, col,
                     "line " + std::to_string(line) + ": '" + s +
                         "' is not a concentration (expected a finite number >= 0 or empty)");
  }
  return v;
}

std::chrono::year_month_day parse_date(const std::string& s, const Csv& csv, long line) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) {
    throw InputError(csv.file, "date",
                     "line " + std::to_string(line) + ": '" + s + "' is not a date YYYY-MM-DD");
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{d}};
  if (!ymd.ok()) {
    throw InputError(csv.file, "date",
                     "line " + std::to_string(line) + ": '" + s + "' is not a calendar date");
  }
  return ymd;
}

std::vector<std::string> row(const std::string& line, const Csv& csv, long ln) {
  const auto fields = obs::split_csv(line);
  if (fields.size() != csv.ncols) {
    throw InputError(csv.file, "",
                     "line " + std::to_string(ln) + ": " + std::to_string(fields.size()) +
                         " fields; expected " + std::to_string(csv.ncols) + " as in the header");
  }
  std::vector<std::string> out;
  out.reserve(fields.size());
  for (const auto f : fields) out.push_back(unquote(f));
  return out;
}

void read_species(const std::vector<std::string>& f, const Csv& csv, long ln,
                  std::array<double, 5>& conc) {
  const auto& species = run_species();
  for (std::size_t k = 0; k < species.size(); ++k) {
    const auto it = csv.column.find(species[k]);
    if (it != csv.column.end()) conc[k] = parse_value(f[it->second], csv, ln, species[k]);
  }
}

}  // namespace

std::vector<CityDay> read_cities_daily(const fs::path& file) {
  obs::LineReader reader(file.string());
  const std::string layout = "city,date,pm25,pm10,so2,no2,co,aqi,primary_pollutant,category";
  const Csv csv = read_header(reader, {"city", "date", "pm25"}, layout);
  std::vector<CityDay> out;
  std::string line;
  while (reader.next(line)) {
    if (line.empty()) continue;
    const long ln = reader.line_number();
    const auto f = row(line, csv, ln);
    CityDay d;
    d.city = f[csv.column.at("city")];
    if (d.city.empty()) {
      throw InputError(csv.file, "city", "line " + std::to_string(ln) + ": empty city name");
    }
    d.date = parse_date(f[csv.column.at("date")], csv, ln);
    read_species(f, csv, ln, d.conc);
    if (const auto it = csv.column.find("aqi"); it != csv.column.end() && !f[it->second].empty()) {
      const std::string& s = f[it->second];
      int v = 0;
      const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || p != s.data() + s.size() || v < 0 || v > 500) {
        throw InputError(csv.file, "aqi",
                         "line " + std::to_string(ln) + ": '" + s +
                             "' is not an AQI (expected an integer 0-500)");
      }
      d.aqi = v;
    }
    if (const auto it = csv.column.find("primary_pollutant"); it != csv.column.end()) {
      const std::string& s = f[it->second];
      if (!s.empty() && s != "-") {
        std::stringstream ss(s);
        std::string part;
        while (std::getline(ss, part, ';')) {
          if (!part.empty()) d.primary.push_back(part);
        }
      }
    }
    if (const auto it = csv.column.find("category"); it != csv.column.end()) {
      d.category = f[it->second];
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<CityHour> read_cities_hourly(const fs::path& file) {
  obs::LineReader reader(file.string());
  const std::string layout = "city,time,pm25,pm10,so2,no2,co";
  const Csv csv = read_header(reader, {"city", "time", "pm25"}, layout);
  std::vector<CityHour> out;
  std::string line;
  while (reader.next(line)) {
    if (line.empty()) continue;
    const long ln = reader.line_number();
    const auto f = row(line, csv, ln);
    CityHour h;
    h.city = f[csv.column.at("city")];
    if (h.city.empty()) {
      throw InputError(csv.file, "city", "line " + std::to_string(ln) + ": empty city name");
    }
    h.time = iso_time(f[csv.column.at("time")], csv.file, "time (line " + std::to_string(ln) + ")");
    read_species(f, csv, ln, h.conc);
    out.push_back(std::move(h));
  }
  return out;
}

// ---- fields.nc ---------------------------------------------------------------------------

double great_circle_m(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg) {
  constexpr double rad = std::numbers::pi / 180.0;
  const double p1 = lat1_deg * rad;
  const double p2 = lat2_deg * rad;
  const double dp = p2 - p1;
  const double dl = (lon2_deg - lon1_deg) * rad;
  const double a = std::sin(dp / 2) * std::sin(dp / 2) +
                   std::cos(p1) * std::cos(p2) * std::sin(dl / 2) * std::sin(dl / 2);
  return 2.0 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(a)));
}

FieldsGrid read_fields_grid(const std::string& path) {
  nc::NcFile f(path);
  FieldsGrid g;
  g.file = path;
  const auto lat = f.expect_dims("lat", {{"y", 0}, {"x", 0}});
  f.expect_dims("lon", {{"y", lat.shape[0]}, {"x", lat.shape[1]}});
  g.ny = lat.shape[0];
  g.nx = lat.shape[1];
  if (g.nx < 2 || g.ny < 2) {
    throw InputError(path, "lat",
                     "grid of " + std::to_string(g.nx) + " x " + std::to_string(g.ny) +
                         " cells; expected at least 2 x 2 (the cell size is taken from "
                         "neighbouring centres)");
  }
  g.lat = f.read("lat");
  g.lon = f.read("lon");
  for (std::size_t k = 0; k < g.lat.size(); ++k) {
    if (g.lat[k] < -90.0 || g.lat[k] > 90.0) {
      throw InputError(path, "lat", "value " + std::to_string(g.lat[k]) + " outside [-90, 90]");
    }
  }
  const auto tinfo = f.expect_dims("time", {{"time", 0}});
  const auto units = f.att_text("time", "units");
  if (!units) throw InputError(path, "time", "no 'units' attribute (expected 'hours since ...')");
  const std::string calendar = f.att_text("time", "calendar").value_or("");
  const auto tv = f.read("time");
  g.times.reserve(tv.size());
  for (const double v : tv) g.times.push_back(nc::cf_time(v, *units, calendar, path, "time"));
  for (std::size_t k = 1; k < g.times.size(); ++k) {
    if (g.times[k] <= g.times[k - 1]) {
      throw InputError(path, "time",
                       "times are not increasing at index " + std::to_string(k) + " (" +
                           format_iso(g.times[k]) + ")");
    }
  }
  (void)tinfo;
  return g;
}

namespace {

// Local east/north offset [m] of point b from point a (equirectangular about a; exact
// enough over one cell).
std::array<double, 2> local_offset(double lat_a, double lon_a, double lat_b, double lon_b) {
  constexpr double rad = std::numbers::pi / 180.0;
  double dlon = lon_b - lon_a;
  while (dlon > 180.0) dlon -= 360.0;
  while (dlon < -180.0) dlon += 360.0;
  return {kEarthRadiusM * dlon * rad * std::cos(lat_a * rad),
          kEarthRadiusM * (lat_b - lat_a) * rad};
}

}  // namespace

GridCell nearest_cell(const FieldsGrid& g, double lat_deg, double lon_deg,
                      const std::string& what) {
  if (!std::isfinite(lat_deg) || !std::isfinite(lon_deg)) {
    throw InputError(g.file, "lat/lon", what + " has no coordinates");
  }
  GridCell best;
  best.distance_m = std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < g.ny; ++j) {
    for (std::size_t i = 0; i < g.nx; ++i) {
      const std::size_t k = j * g.nx + i;
      const double d = great_circle_m(lat_deg, lon_deg, g.lat[k], g.lon[k]);
      if (d < best.distance_m) best = {i, j, d};
    }
  }
  // Position of the point in units of the local cell axes of the nearest cell: inside
  // the grid it is within half a cell of that centre along any axis that ends there.
  const std::size_t i = best.i, j = best.j;
  auto centre = [&](std::size_t ii, std::size_t jj) {
    return std::array<double, 2>{g.lat[jj * g.nx + ii], g.lon[jj * g.nx + ii]};
  };
  const auto c = centre(i, j);
  const auto xa = i + 1 < g.nx ? centre(i + 1, j) : c;
  const auto xb = i + 1 < g.nx ? c : centre(i - 1, j);
  const auto ya = j + 1 < g.ny ? centre(i, j + 1) : c;
  const auto yb = j + 1 < g.ny ? c : centre(i, j - 1);
  const auto ex0 = local_offset(c[0], c[1], xa[0], xa[1]);
  const auto ex1 = local_offset(c[0], c[1], xb[0], xb[1]);
  const auto ey0 = local_offset(c[0], c[1], ya[0], ya[1]);
  const auto ey1 = local_offset(c[0], c[1], yb[0], yb[1]);
  const std::array<double, 2> ex{ex0[0] - ex1[0], ex0[1] - ex1[1]};
  const std::array<double, 2> ey{ey0[0] - ey1[0], ey0[1] - ey1[1]};
  const auto d = local_offset(c[0], c[1], lat_deg, lon_deg);
  const double det = ex[0] * ey[1] - ex[1] * ey[0];
  if (det == 0.0) throw InputError(g.file, "lat/lon", "degenerate cell at the nearest centre");
  const double a = (d[0] * ey[1] - d[1] * ey[0]) / det;  // [cells] along x
  const double b = (ex[0] * d[1] - ex[1] * d[0]) / det;  // [cells] along y
  constexpr double tol = 1e-3;                           // [cells]
  const bool outside = (i == 0 && a < -0.5 - tol) || (i + 1 == g.nx && a > 0.5 + tol) ||
                       (j == 0 && b < -0.5 - tol) || (j + 1 == g.ny && b > 0.5 + tol);
  if (outside) {
    const auto [lat_lo, lat_hi] = std::minmax_element(g.lat.begin(), g.lat.end());
    const auto [lon_lo, lon_hi] = std::minmax_element(g.lon.begin(), g.lon.end());
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "%s at %.4fN %.4fE lies outside the model grid (%zu x %zu cells, centres "
                  "%.2f-%.2fN, %.2f-%.2fE; nearest cell x=%zu y=%zu is %.1f km away)",
                  what.c_str(), lat_deg, lon_deg, g.nx, g.ny, *lat_lo, *lat_hi, *lon_lo, *lon_hi, i,
                  j, best.distance_m / 1000.0);
    throw InputError(g.file, "lat/lon", buf);
  }
  return best;
}

std::vector<std::vector<double>> read_cell_series(const FieldsGrid& g, const std::string& variable,
                                                  const std::vector<GridCell>& cells) {
  nc::NcFile f(g.file);
  const auto info = f.expect_dims(variable, {{"time", g.times.size()}, {"y", g.ny}, {"x", g.nx}});
  (void)info;
  std::vector<std::vector<double>> out(cells.size(), std::vector<double>(g.times.size()));
  const std::size_t plane = g.nx * g.ny;
  const std::size_t block = std::max<std::size_t>(1, 4000000 / plane);  // times per read
  nc::ReadOptions options;
  options.missing = nc::MissingPolicy::kNaN;
  for (std::size_t t0 = 0; t0 < g.times.size(); t0 += block) {
    const std::size_t nt = std::min(block, g.times.size() - t0);
    const std::array<std::size_t, 3> start{t0, 0, 0};
    const std::array<std::size_t, 3> cnt{nt, g.ny, g.nx};
    const auto v = f.read(variable, start, cnt, options);
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::size_t k = cells[c].j * g.nx + cells[c].i;
      for (std::size_t t = 0; t < nt; ++t) out[c][t0 + t] = v[t * plane + k];
    }
  }
  return out;
}

}  // namespace fwaq::report

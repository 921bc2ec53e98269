#include "obs/inspect.hpp"

#include <netcdf.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <netcdf>
#include <optional>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "core/time.hpp"
#include "io/netcdf_util.hpp"
#include "obs/cnemc.hpp"
#include "obs/daily.hpp"
#include "obs/stations.hpp"
#include "obs/text_reader.hpp"

namespace fwaq::obs {

const std::vector<std::string>& wrf_required_variables() {
  static const std::vector<std::string> names = {
      "U",   "V",   "W",  "PH",  "PHB", "P",    "PB",     "T",     "QVAPOR", "PBLH",
      "UST", "HFX", "T2", "U10", "V10", "PSFC", "SWDOWN", "RAINC", "RAINNC", "HGT"};
  return names;
}

namespace {

using json = nlohmann::ordered_json;

// Variables with more values than this are not read for value ranges [number of values].
constexpr std::size_t kMaxRangeValues = 20'000'000;

// ============================================================================
// netCDF helpers (netcdf-cxx4 for files, dimensions, variables and data; the C API
// for attributes in file order and for the format).

// The shortest decimal that reads back as the same float (30000.f → 30000, not
// 30000.000000…; 0.2f → 0.2).
double shortest(float f) {
  char buf[32];
  for (int p = 6; p <= 9; ++p) {
    std::snprintf(buf, sizeof buf, "%.*g", p, static_cast<double>(f));
    if (std::strtof(buf, nullptr) == f) break;
  }
  return std::strtod(buf, nullptr);
}

std::string type_name(nc_type t) {
  switch (t) {
    case NC_BYTE:
      return "byte";
    case NC_CHAR:
      return "char";
    case NC_SHORT:
      return "short";
    case NC_INT:
      return "int";
    case NC_FLOAT:
      return "float";
    case NC_DOUBLE:
      return "double";
    case NC_UBYTE:
      return "ubyte";
    case NC_USHORT:
      return "ushort";
    case NC_UINT:
      return "uint";
    case NC_INT64:
      return "int64";
    case NC_UINT64:
      return "uint64";
    case NC_STRING:
      return "string";
    default:
      return "user-defined type " + std::to_string(t);
  }
}

// One attribute's value: text as a string, one number as a number, several as an array.
json attribute(int ncid, int varid, const std::string& name) {
  nc_type t = NC_NAT;
  std::size_t len = 0;
  if (nc_inq_att(ncid, varid, name.c_str(), &t, &len) != NC_NOERR) return nullptr;
  auto one_or_many = [](json arr) { return arr.size() == 1 ? arr[0] : arr; };
  if (t == NC_CHAR) {
    std::string s(len, '\0');
    if (len > 0) nc_get_att_text(ncid, varid, name.c_str(), s.data());
    while (!s.empty() && s.back() == '\0') s.pop_back();
    return s;
  }
  if (t == NC_STRING) {
    std::vector<char*> p(len, nullptr);
    nc_get_att_string(ncid, varid, name.c_str(), p.data());
    json arr = json::array();
    for (char* c : p) arr.push_back(c ? std::string(c) : std::string());
    nc_free_string(len, p.data());
    return one_or_many(arr);
  }
  json arr = json::array();
  if (t == NC_FLOAT) {
    std::vector<float> v(len);
    nc_get_att_float(ncid, varid, name.c_str(), v.data());
    for (float x : v) arr.push_back(shortest(x));
  } else if (t == NC_DOUBLE) {
    std::vector<double> v(len);
    nc_get_att_double(ncid, varid, name.c_str(), v.data());
    for (double x : v) arr.push_back(x);
  } else if (t == NC_UINT64) {
    std::vector<unsigned long long> v(len);
    nc_get_att_ulonglong(ncid, varid, name.c_str(), v.data());
    for (auto x : v) arr.push_back(x);
  } else if (t >= NC_BYTE && t <= NC_INT64 && t != NC_CHAR) {
    std::vector<long long> v(len);
    nc_get_att_longlong(ncid, varid, name.c_str(), v.data());
    for (auto x : v) arr.push_back(x);
  } else {
    return "(" + type_name(t) + ")";
  }
  return one_or_many(arr);
}

// All attributes of a variable (or NC_GLOBAL), in file order.
json attributes(int ncid, int varid) {
  json out = json::object();
  int natts = 0;
  if (varid == NC_GLOBAL) {
    nc_inq_natts(ncid, &natts);
  } else {
    nc_inq_varnatts(ncid, varid, &natts);
  }
  for (int i = 0; i < natts; ++i) {
    char name[NC_MAX_NAME + 1] = {0};
    nc_inq_attname(ncid, varid, i, name);
    out[name] = attribute(ncid, varid, name);
  }
  return out;
}

std::string text_of(const json& atts, const std::string& key) {
  const auto it = atts.find(key);
  return it != atts.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<double> number_of(const json& atts, const std::string& key) {
  const auto it = atts.find(key);
  if (it == atts.end()) return std::nullopt;
  if (it->is_number()) return it->get<double>();
  if (it->is_array() && !it->empty() && (*it)[0].is_number()) return (*it)[0].get<double>();
  return std::nullopt;
}

struct Var {
  std::string name;
  int id = -1;
  nc_type type = NC_NAT;
  std::vector<std::string> dims;
  std::vector<std::size_t> shape;
  json atts;
  std::size_t size() const {
    std::size_t n = 1;
    for (auto s : shape) n *= s;
    return n;
  }
  std::string units() const { return text_of(atts, "units"); }
};

// A netCDF file's dimensions and variables, in file order.
struct NcContents {
  std::string path;
  int ncid = -1;
  std::string format;
  json dims = json::object();
  std::vector<std::string> unlimited;
  std::vector<Var> vars;
  json global = json::object();
  const Var* var(const std::string& name) const {
    for (const auto& v : vars)
      if (v.name == name) return &v;
    return nullptr;
  }
};

NcContents contents(const netCDF::NcFile& file, const std::string& path) {
  NcContents c;
  c.path = path;
  c.ncid = file.getId();
  int fmt = 0;
  nc_inq_format(c.ncid, &fmt);
  switch (fmt) {
    case NC_FORMAT_CLASSIC:
      c.format = "netCDF classic";
      break;
    case NC_FORMAT_64BIT_OFFSET:
      c.format = "netCDF 64-bit offset";
      break;
    case NC_FORMAT_CDF5:
      c.format = "netCDF CDF5";
      break;
    case NC_FORMAT_NETCDF4:
      c.format = "netCDF-4";
      break;
    case NC_FORMAT_NETCDF4_CLASSIC:
      c.format = "netCDF-4 classic model";
      break;
    default:
      c.format = "netCDF (format " + std::to_string(fmt) + ")";
  }
  int ndims = 0;
  nc_inq_dimids(c.ncid, &ndims, nullptr, 0);
  std::vector<int> dimids(static_cast<std::size_t>(ndims));
  nc_inq_dimids(c.ncid, &ndims, dimids.data(), 0);
  for (int id : dimids) {
    const netCDF::NcDim d(file, id);
    c.dims[d.getName()] = d.getSize();
    if (d.isUnlimited()) c.unlimited.push_back(d.getName());
  }
  const int nvars = file.getVarCount();
  for (int id = 0; id < nvars; ++id) {
    const netCDF::NcVar v(file, id);
    Var r;
    r.name = v.getName();
    r.id = id;
    r.type = v.getType().getId();
    for (const auto& d : v.getDims()) {
      r.dims.push_back(d.getName());
      r.shape.push_back(d.getSize());
    }
    r.atts = attributes(c.ncid, id);
    c.vars.push_back(std::move(r));
  }
  c.global = attributes(c.ncid, NC_GLOBAL);
  return c;
}

bool is_numeric(nc_type t) {
  return t != NC_CHAR && t != NC_STRING && t >= NC_BYTE && t <= NC_UINT64;
}

std::vector<double> read_all(const netCDF::NcFile& file, const Var& v) {
  std::vector<double> data(v.size());
  if (!data.empty()) file.getVar(v.name).getVar(data.data());
  return data;
}

// First record of a variable as doubles: index 0 of its first dimension if that is
// the time dimension (WRF "Time"), otherwise the whole variable.
std::vector<double> read_first(const netCDF::NcFile& file, const Var& v) {
  if (v.shape.empty() || (v.dims[0] != "Time" && v.dims[0] != "time")) return read_all(file, v);
  std::vector<std::size_t> start(v.shape.size(), 0), count = v.shape;
  count[0] = std::min<std::size_t>(1, v.shape[0]);
  std::size_t n = 1;
  for (auto s : count) n *= s;
  std::vector<double> data(n);
  if (n > 0) file.getVar(v.name).getVar(start, count, data.data());
  return data;
}

// The library's default fill value of a type (NUG "Attribute Conventions").
std::optional<double> default_fill(nc_type t) {
  switch (t) {
    case NC_SHORT:
      return NC_FILL_SHORT;
    case NC_INT:
      return NC_FILL_INT;
    case NC_FLOAT:
      return static_cast<double>(NC_FILL_FLOAT);
    case NC_DOUBLE:
      return NC_FILL_DOUBLE;
    case NC_USHORT:
      return NC_FILL_USHORT;
    case NC_UINT:
      return NC_FILL_UINT;
    default:
      return std::nullopt;
  }
}

struct Range {
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
  std::size_t valid = 0, missing = 0;
};

// Range of the unpacked values (stored * scale_factor + add_offset, CF 1.11 sect. 8.1),
// skipping stored values equal to _FillValue, missing_value or the default fill value
// (the comparison is made on the stored values, as CF requires), and NaN.
Range unpacked_range(const Var& v, const std::vector<double>& stored) {
  const double scale = number_of(v.atts, "scale_factor").value_or(1.0);
  const double offset = number_of(v.atts, "add_offset").value_or(0.0);
  std::vector<double> missing;
  if (auto f = number_of(v.atts, "_FillValue")) {
    missing.push_back(*f);
  } else if (auto d = default_fill(v.type)) {
    missing.push_back(*d);
  }
  if (auto m = number_of(v.atts, "missing_value")) missing.push_back(*m);
  Range r;
  for (double s : stored) {
    if (std::isnan(s) || std::find(missing.begin(), missing.end(), s) != missing.end()) {
      ++r.missing;
      continue;
    }
    const double u = s * scale + offset;
    if (r.valid == 0 || u < r.min) r.min = u;
    if (r.valid == 0 || u > r.max) r.max = u;
    ++r.valid;
  }
  return r;
}

json variable_json(const Var& v) {
  json j;
  j["name"] = v.name;
  j["type"] = type_name(v.type);
  j["dims"] = v.dims;
  j["shape"] = v.shape;
  j["units"] = v.atts.contains("units") ? v.atts["units"] : json(nullptr);
  for (const char* key :
       {"long_name", "description", "standard_name", "scale_factor", "add_offset", "_FillValue",
        "missing_value", "stagger", "calendar", "sector", "species", "molar_mass", "month"}) {
    if (v.atts.contains(key)) j[key] = v.atts[key];
  }
  j["packed"] = v.atts.contains("scale_factor") || v.atts.contains("add_offset");
  return j;
}

json variables_json(const NcContents& c) {
  json arr = json::array();
  for (const auto& v : c.vars) arr.push_back(variable_json(v));
  return arr;
}

json dimensions_json(const NcContents& c) {
  json d;
  d["sizes"] = c.dims;
  d["unlimited"] = c.unlimited;
  return d;
}

// Period of a list of times.
json period_json(const std::vector<TimePoint>& times) {
  json p;
  p["records"] = times.size();
  if (times.empty()) return p;
  p["first"] = format_iso(times.front());
  p["last"] = format_iso(times.back());
  std::set<long long> steps;
  for (std::size_t i = 1; i < times.size(); ++i) steps.insert((times[i] - times[i - 1]).count());
  if (steps.size() == 1) {
    p["interval_s"] = *steps.begin();
  } else if (!steps.empty()) {
    p["intervals_s"] = json(std::vector<long long>(steps.begin(), steps.end()));
  }
  json all = json::array();
  for (auto t : times) all.push_back(format_iso(t));
  p["times"] = all;
  return p;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// ============================================================================
// Kind detection for netCDF files.

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool is_lat_units(const std::string& u) {
  const std::string l = lower(u);
  return l == "degrees_north" || l == "degree_north" || l == "degrees_n" || l == "degree_n" ||
         l == "degreesn" || l == "degreen";
}
bool is_lon_units(const std::string& u) {
  const std::string l = lower(u);
  return l == "degrees_east" || l == "degree_east" || l == "degrees_e" || l == "degree_e" ||
         l == "degreese" || l == "degreee";
}

// Met roles a CF file can fill, recognised by variable name or standard_name.
struct MetRole {
  const char* role;
  bool three_d;  // needed as a 3-D field (with a vertical dimension)
  std::vector<std::string> names;
  std::vector<std::string> standard_names;
};

const std::vector<MetRole>& met_roles() {
  static const std::vector<MetRole> roles = {
      {"air temperature", true, {"t", "ta", "air", "temp"}, {"air_temperature"}},
      {"eastward wind", true, {"u", "ua", "uwnd"}, {"eastward_wind"}},
      {"northward wind", true, {"v", "va", "vwnd"}, {"northward_wind"}},
      {"humidity",
       true,
       {"q", "hus", "shum", "r", "hur", "rhum"},
       {"specific_humidity", "relative_humidity", "humidity_mixing_ratio"}},
      {"geopotential", true, {"z", "zg", "hgt"}, {"geopotential", "geopotential_height"}},
      {"vertical wind",
       false,
       {"w", "wap", "omega"},
       {"lagrangian_tendency_of_air_pressure", "upward_air_velocity"}},
      {"surface pressure", false, {"sp", "ps", "pres"}, {"surface_air_pressure"}},
      {"sea-level pressure", false, {"msl", "psl", "slp"}, {"air_pressure_at_mean_sea_level"}},
      {"2-m temperature", false, {"t2m", "tas", "2t"}, {}},
      {"2-m dew point", false, {"d2m", "2d"}, {"dew_point_temperature"}},
      {"10-m eastward wind", false, {"u10", "uas", "10u"}, {}},
      {"10-m northward wind", false, {"v10", "vas", "10v"}, {}},
      {"boundary-layer height",
       false,
       {"blh", "pblh", "zmla"},
       {"atmosphere_boundary_layer_thickness"}},
      {"surface sensible heat flux",
       false,
       {"sshf", "hfss", "shtfl"},
       {"surface_upward_sensible_heat_flux"}},
      {"friction velocity", false, {"zust", "ustar"}, {}},
      {"downward short-wave radiation",
       false,
       {"ssrd", "rsds", "dswrf"},
       {"surface_downwelling_shortwave_flux_in_air"}},
      {"precipitation",
       false,
       {"tp", "pr", "prate", "cp", "lsp"},
       {"precipitation_flux", "precipitation_amount", "lwe_thickness_of_precipitation_amount"}},
      {"skin temperature", false, {"skt", "ts"}, {"surface_temperature"}},
      {"orography", false, {"orog"}, {"surface_altitude"}}};
  return roles;
}

const MetRole* met_role(const Var& v) {
  const std::string name = lower(v.name);
  const std::string sn = text_of(v.atts, "standard_name");
  for (const auto& r : met_roles()) {
    if (std::find(r.names.begin(), r.names.end(), name) != r.names.end()) return &r;
    if (!sn.empty() &&
        std::find(r.standard_names.begin(), r.standard_names.end(), sn) != r.standard_names.end())
      return &r;
  }
  return nullptr;
}

// An emission-rate unit: an amount (mole or mass) divided by a time, e.g.
// "mol km-2 hr-1", "mol/km2/hr", "Mg/month", "kg m-2 s-1", "t yr-1", "g/s".
bool is_emission_units(const std::string& units) {
  static const std::set<std::string> amount = {
      "mol", "mole", "moles", "kmol", "mmol", "umol",  "µmol",   "nmol", "g",  "kg",    "mg",
      "ug",  "µg",   "t",     "ton",  "tons", "tonne", "tonnes", "gg",   "tg", "mmole", "kmole"};
  static const std::set<std::string> time = {"s", "sec", "second", "h",     "hr",   "hour",
                                             "d", "day", "month",  "mon",   "yr",   "year",
                                             "a", "mn",  "months", "hours", "days", "years"};
  // Tokenise: split at blanks, '/', '*', '.', '(' and ')'; a token after '/' or with
  // a negative exponent (-1, ^-1, **-1) is in the denominator.
  bool has_amount = false, per_time = false, denominator = false;
  std::string token;
  auto flush = [&]() {
    if (token.empty()) return;
    // Letters (bytes >= 0x80 count as letters, for "µ") form the base unit; what
    // follows is an exponent ("2", "-2", "^-1", "**-1").
    std::size_t i = 0;
    while (i < token.size() && (std::isalpha(static_cast<unsigned char>(token[i])) ||
                                static_cast<unsigned char>(token[i]) >= 0x80))
      ++i;
    const std::string base = lower(token.substr(0, i));
    const bool negative = token.find('-', i) != std::string::npos;
    const bool down = denominator != negative;
    // "Mg" (megagram) lower-cases to "mg" (milligram): an amount either way.
    if (!down && amount.count(base)) has_amount = true;
    if (down && time.count(base)) per_time = true;
    token.clear();
  };
  std::string text;  // "s**-1" → "s^-1"
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (units[i] == '*' && i + 1 < units.size() && units[i + 1] == '*') {
      text += '^';
      ++i;
    } else {
      text += units[i];
    }
  }
  for (char ch : text) {
    if (ch == ' ' || ch == '*' || ch == '.' || ch == '(' || ch == ')') {
      flush();
    } else if (ch == '/') {
      flush();
      denominator = true;
    } else {
      token += ch;
    }
  }
  flush();
  return has_amount && per_time;
}

// Latitude/longitude coordinate variables of a CF file.
struct LatLon {
  const Var* lat = nullptr;
  const Var* lon = nullptr;
};

LatLon find_lat_lon(const NcContents& c) {
  LatLon ll;
  for (const auto& v : c.vars) {
    const std::string sn = text_of(v.atts, "standard_name");
    if (!ll.lat && (is_lat_units(v.units()) || sn == "latitude")) ll.lat = &v;
    if (!ll.lon && (is_lon_units(v.units()) || sn == "longitude")) ll.lon = &v;
  }
  return ll;
}

json axis_json(const netCDF::NcFile& file, const Var& v) {
  json a;
  a["variable"] = v.name;
  a["dims"] = v.dims;
  a["units"] = v.units();
  const std::vector<double> x = read_all(file, v);
  if (x.empty()) return a;
  a["size"] = x.size();
  a["min"] = *std::min_element(x.begin(), x.end());
  a["max"] = *std::max_element(x.begin(), x.end());
  if (v.dims.size() == 1) {
    a["first"] = x.front();
    a["last"] = x.back();
    if (x.size() > 1) {
      const double step = (x.back() - x.front()) / static_cast<double>(x.size() - 1);
      bool regular = true;
      for (std::size_t i = 1; i < x.size(); ++i)
        regular = regular && std::abs((x[i] - x[i - 1]) - step) <= 1e-4 * std::abs(step) + 1e-9;
      a["step"] = step;
      a["regular"] = regular;
    }
  }
  return a;
}

// Time coordinate of a CF file: a variable with units "<unit> since <date>".
json cf_period(const netCDF::NcFile& file, const NcContents& c, json& notes) {
  for (const auto& v : c.vars) {
    if (!is_numeric(v.type) || v.dims.size() != 1 || !contains(v.units(), "since")) continue;
    json p;
    p["variable"] = v.name;
    p["units"] = v.units();
    const std::string calendar = lower(text_of(v.atts, "calendar"));
    p["calendar"] = calendar.empty() ? "standard" : calendar;
    const std::vector<double> values = read_all(file, v);
    std::vector<TimePoint> times;
    try {
      for (double x : values) times.push_back(nc::cf_time(x, v.units(), calendar, c.path, v.name));
    } catch (const InputError& e) {
      notes.push_back(std::string("time not decoded: ") + e.what());
      p["records"] = values.size();
      p["values"] = values;
      return p;
    }
    json q = period_json(times);
    for (auto it = q.begin(); it != q.end(); ++it) p[it.key()] = it.value();
    return p;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------- WRF

std::vector<TimePoint> wrf_times(const netCDF::NcFile& file, const std::string& path,
                                 const Var& times, json& notes) {
  std::vector<TimePoint> out;
  if (times.type != NC_CHAR || times.shape.size() != 2) {
    notes.push_back("variable Times is not char(Time, DateStrLen); times not decoded");
    return out;
  }
  std::vector<char> text(times.size());
  if (!text.empty()) file.getVar("Times").getVar(text.data());
  const std::size_t len = times.shape[1];
  for (std::size_t r = 0; r < times.shape[0]; ++r) {
    std::string s(text.data() + r * len, len);
    while (!s.empty() && (s.back() == '\0' || s.back() == ' ')) s.pop_back();
    try {
      out.push_back(parse_time(s));
    } catch (const UsageError&) {
      throw InputError(path, "Times",
                       "record " + std::to_string(r) + ": '" + s +
                           "' is not a time; expected YYYY-MM-DD_hh:mm:ss");
    }
  }
  return out;
}

std::string wrf_projection_name(int map_proj) {
  switch (map_proj) {
    case 1:
      return "Lambert conformal conic";
    case 2:
      return "polar stereographic";
    case 3:
      return "Mercator";
    case 6:
      return "latitude-longitude (cylindrical equidistant)";
    default:
      return "unknown";
  }
}

// Expected dimensions of the required WRF variables (WRF ARW output on the
// Arakawa C grid; Skamarock et al. 2019, NCAR/TN-556+STR, doi:10.5065/1dfh-6p97).
std::vector<std::string> wrf_expected_dims(const std::string& name) {
  if (name == "U") return {"Time", "bottom_top", "south_north", "west_east_stag"};
  if (name == "V") return {"Time", "bottom_top", "south_north_stag", "west_east"};
  if (name == "W" || name == "PH" || name == "PHB")
    return {"Time", "bottom_top_stag", "south_north", "west_east"};
  if (name == "P" || name == "PB" || name == "T" || name == "QVAPOR")
    return {"Time", "bottom_top", "south_north", "west_east"};
  return {"Time", "south_north", "west_east"};
}

std::string joined(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

void inspect_wrf(const netCDF::NcFile& file, const NcContents& c, json& r, bool geogrid) {
  json notes = json::array();
  r["dimensions"] = dimensions_json(c);
  json grid;
  for (const char* d : {"west_east", "south_north", "bottom_top", "west_east_stag",
                        "south_north_stag", "bottom_top_stag", "soil_layers_stag"}) {
    if (c.dims.contains(d)) grid[d] = c.dims[d];
  }
  json proj;
  const auto map_proj = number_of(c.global, "MAP_PROJ");
  if (map_proj) {
    proj["MAP_PROJ"] = static_cast<int>(*map_proj);
    proj["name"] = wrf_projection_name(static_cast<int>(*map_proj));
  }
  for (const char* a : {"TRUELAT1", "TRUELAT2", "STAND_LON", "CEN_LAT", "CEN_LON", "MOAD_CEN_LAT",
                        "POLE_LAT", "POLE_LON", "DX", "DY"}) {
    if (auto v = number_of(c.global, a)) proj[a] = *v;
  }
  grid["projection"] = proj;
  json domain;
  for (const char* a :
       {"WEST-EAST_GRID_DIMENSION", "SOUTH-NORTH_GRID_DIMENSION", "BOTTOM-TOP_GRID_DIMENSION",
        "GRID_ID", "PARENT_ID", "I_PARENT_START", "J_PARENT_START", "PARENT_GRID_RATIO"}) {
    if (auto v = number_of(c.global, a)) domain[a] = static_cast<long long>(*v);
  }
  if (domain.contains("WEST-EAST_GRID_DIMENSION") && c.dims.contains("west_east_stag")) {
    const bool cropped =
        domain["WEST-EAST_GRID_DIMENSION"].get<long long>() !=
            c.dims["west_east_stag"].get<long long>() ||
        (domain.contains("SOUTH-NORTH_GRID_DIMENSION") && c.dims.contains("south_north_stag") &&
         domain["SOUTH-NORTH_GRID_DIMENSION"].get<long long>() !=
             c.dims["south_north_stag"].get<long long>());
    domain["cropped"] = cropped;
    if (cropped) {
      notes.push_back("the file holds a window of " + c.dims["west_east"].dump() + " x " +
                      c.dims["south_north"].dump() + " mass points of a " +
                      std::to_string(domain["WEST-EAST_GRID_DIMENSION"].get<long long>() - 1) +
                      " x " +
                      std::to_string(domain["SOUTH-NORTH_GRID_DIMENSION"].get<long long>() - 1) +
                      " domain (CEN_LAT/CEN_LON refer to the whole domain)");
    }
  }
  grid["domain"] = domain;
  const char* lat_name = geogrid ? "XLAT_M" : "XLAT";
  const char* lon_name = geogrid ? "XLONG_M" : "XLONG";
  for (auto [name, key] : {std::pair{lat_name, "lat_range"}, std::pair{lon_name, "lon_range"}}) {
    if (const Var* v = c.var(name); v && is_numeric(v->type)) {
      const auto x = read_first(file, *v);
      if (!x.empty()) {
        grid[key] = {*std::min_element(x.begin(), x.end()), *std::max_element(x.begin(), x.end())};
      }
    }
  }
  r["grid"] = grid;

  std::vector<TimePoint> times;
  if (const Var* t = c.var("Times")) times = wrf_times(file, c.path, *t, notes);
  json period = period_json(times);
  if (auto s = c.global.find("START_DATE"); s != c.global.end()) period["START_DATE"] = *s;
  if (auto s = c.global.find("SIMULATION_START_DATE"); s != c.global.end())
    period["SIMULATION_START_DATE"] = *s;
  r["period"] = period;
  r["variables"] = variables_json(c);
  r["global_attributes"] = c.global;

  json missing = json::array();
  if (geogrid) {
    r["usable"] = false;
    missing.push_back(
        "a WPS geogrid file holds static fields only; the model needs WRF output "
        "(wrfout) with the variables " +
        joined(wrf_required_variables(), " "));
  } else {
    for (const auto& name : wrf_required_variables()) {
      const Var* v = c.var(name);
      if (v == nullptr) {
        missing.push_back(name);
        continue;
      }
      // Time-invariant copies without the leading Time dimension are accepted, as the
      // WRF reader does (src/met/wrf_reader.cpp).
      const auto want = wrf_expected_dims(name);
      const std::vector<std::string> want_static(want.begin() + 1, want.end());
      if (v->dims != want && v->dims != want_static) {
        missing.push_back(name + " with dimensions (" + joined(want) + "); the file has (" +
                          joined(v->dims) + ")");
      }
    }
    if (!map_proj) {
      missing.push_back("global attribute MAP_PROJ");
    } else if (*map_proj != 1) {
      missing.push_back(
          "the projection the WRF reader supports, MAP_PROJ = 1 (Lambert "
          "conformal); the file has MAP_PROJ = " +
          std::to_string(static_cast<int>(*map_proj)) + " (" +
          wrf_projection_name(static_cast<int>(*map_proj)) + ")");
    }
    if (times.empty()) missing.push_back("Times (at least one record)");
    r["usable"] = missing.empty();
  }
  r["missing"] = missing;
  r["notes"] = notes;
}

// ---------------------------------------------------------------------- CF met

void inspect_cf(const netCDF::NcFile& file, const NcContents& c, json& r, const LatLon& ll) {
  json notes = json::array();
  r["dimensions"] = dimensions_json(c);
  json grid;
  grid["latitude"] = axis_json(file, *ll.lat);
  grid["longitude"] = axis_json(file, *ll.lon);
  for (const auto& v : c.vars) {  // vertical coordinate
    if (v.dims.size() != 1 || v.dims[0] != v.name || &v == ll.lat || &v == ll.lon) continue;
    const std::string u = lower(v.units());
    const std::string axis = text_of(v.atts, "axis");
    const std::string sn = text_of(v.atts, "standard_name");
    if (axis == "Z" || v.atts.contains("positive") || u == "pa" || u == "hpa" || u == "millibars" ||
        u == "millibar" || u == "mbar" || u == "mb" || sn == "air_pressure" ||
        contains(sn, "atmosphere_") || lower(v.name) == "level" || lower(v.name) == "lev" ||
        lower(v.name) == "plev") {
      grid["vertical"] = axis_json(file, v);
      break;
    }
  }
  r["grid"] = grid;
  r["period"] = cf_period(file, c, notes);

  json vars = json::array();
  std::set<std::string> roles_found;
  json met = json::array();
  const std::string vertical_dim =
      grid.contains("vertical") ? grid["vertical"]["variable"].get<std::string>() : "";
  for (const auto& v : c.vars) {
    json j = variable_json(v);
    if (is_numeric(v.type) && v.size() <= kMaxRangeValues && !v.shape.empty()) {
      const Range rg = unpacked_range(v, read_all(file, v));
      j["range"] = {rg.min, rg.max};
      j["missing_values"] = rg.missing;
    }
    vars.push_back(j);
    if (const MetRole* role = met_role(v)) {
      const bool has_vertical = !vertical_dim.empty() && std::find(v.dims.begin(), v.dims.end(),
                                                                   vertical_dim) != v.dims.end();
      met.push_back({{"variable", v.name}, {"role", role->role}, {"three_d", has_vertical}});
      if (!role->three_d || has_vertical) roles_found.insert(role->role);
    }
  }
  r["variables"] = vars;
  r["met_variables"] = met;
  r["global_attributes"] = c.global;
  json missing = json::array();
  for (const auto& role : met_roles()) {
    if (role.three_d && !roles_found.count(role.role)) {
      missing.push_back(std::string(role.role) + " (3-D)");
    }
  }
  for (const char* role : {"surface pressure", "boundary-layer height"}) {
    if (!roles_found.count(role)) missing.push_back(role);
  }
  if (!grid.contains("vertical")) missing.push_back("a vertical coordinate (levels)");
  if (r["period"].is_null()) missing.push_back("a time coordinate ('<unit> since <date>')");
  notes.push_back(
      "requirements assumed for a 3-D met source (air temperature, winds, humidity, "
      "geopotential on levels, surface pressure, boundary-layer height); the CF met "
      "reader in src/met has the final word");
  r["usable"] = missing.empty();
  r["missing"] = missing;
  r["notes"] = notes;
}

// ------------------------------------------------------------------- emissions

void inspect_emissions(const netCDF::NcFile& file, const NcContents& c, json& r) {
  json notes = json::array();
  r["dimensions"] = dimensions_json(c);
  json grid;
  const LatLon ll = find_lat_lon(c);
  if (ll.lat && ll.lon) {
    grid["latitude"] = axis_json(file, *ll.lat);
    grid["longitude"] = axis_json(file, *ll.lon);
  }
  json proj;
  for (const char* a :
       {"MAP_PROJ", "TRUELAT1", "TRUELAT2", "STAND_LON", "CEN_LAT", "CEN_LON", "DX", "DY"}) {
    if (auto v = number_of(c.global, a)) proj[a] = *v;
  }
  if (!proj.empty()) grid["projection"] = proj;
  r["grid"] = grid;
  if (const Var* t = c.var("Times")) {
    r["period"] = period_json(wrf_times(file, c.path, *t, notes));
  } else {
    r["period"] = cf_period(file, c, notes);
  }
  json vars = json::array();
  json species = json::array();
  for (const auto& v : c.vars) {
    json j = variable_json(v);
    if (is_emission_units(v.units())) {
      species.push_back(v.name);
      if (v.size() <= kMaxRangeValues) {
        const Range rg = unpacked_range(v, read_all(file, v));
        j["range"] = {rg.min, rg.max};
        j["missing_values"] = rg.missing;
      }
    }
    vars.push_back(j);
  }
  r["emission_variables"] = species;
  r["variables"] = vars;
  r["global_attributes"] = c.global;
  r["usable"] = nullptr;
  r["missing"] = json::array();
  notes.push_back(
      "recognised by emission-rate units; whether the emissions engine accepts "
      "these species, units and grid is decided by its reader");
  r["notes"] = notes;
}

void inspect_netcdf(const std::string& path, json& r) {
  // fwaq::nc::NcFile checks that the file opens and, for the classic formats, that it
  // is as long as its header says (netCDF itself would return zeros for lost bytes).
  { const nc::NcFile check(path); }
  std::unique_ptr<netCDF::NcFile> file;
  try {
    file = std::make_unique<netCDF::NcFile>(path, netCDF::NcFile::read);
  } catch (const std::exception& e) {
    throw InputError(path, "", std::string("cannot open as netCDF: ") + e.what());
  }
  try {
    const NcContents c = contents(*file, path);
    r["format"] = c.format;
    const std::string title = text_of(c.global, "TITLE");
    const bool wrf_vars =
        c.var("Times") && c.var("XLAT") && c.var("XLONG") && c.var("PH") && c.var("PHB");
    bool met_present = false, emis_present = false;
    for (const auto& v : c.vars) {
      if (met_role(v)) met_present = true;
      if (is_emission_units(v.units())) emis_present = true;
    }
    const LatLon ll = find_lat_lon(c);
    if (emis_present && !wrf_vars && !met_present) {
      r["kind"] = "emissions";
      inspect_emissions(*file, c, r);
    } else if (contains(title, "WRF") || wrf_vars) {
      r["kind"] = "wrf";
      inspect_wrf(*file, c, r, false);
    } else if (contains(title, "GEOGRID")) {
      r["kind"] = "wps-geogrid";
      inspect_wrf(*file, c, r, true);
    } else if (ll.lat && ll.lon && met_present) {
      r["kind"] = "cf-met";
      inspect_cf(*file, c, r, ll);
    } else {
      std::vector<std::string> names;
      for (const auto& v : c.vars) names.push_back(v.name);
      if (names.size() > 20) {
        names.resize(20);
        names.push_back("...");
      }
      throw InputError(path, "",
                       "unrecognised netCDF file (variables: " + joined(names) +
                           "); expected WRF output (TITLE with 'WRF', or Times, XLAT, XLONG, PH "
                           "and PHB), CF met (latitude/longitude in degrees_north/degrees_east "
                           "and met variables such as t, u, v), or emissions (variables with "
                           "emission-rate units such as 'mol km-2 hr-1')");
    }
  } catch (const netCDF::exceptions::NcException& e) {
    throw InputError(path, "", std::string("cannot read netCDF data: ") + e.what());
  }
}

// ---------------------------------------------------------------- observations

void inspect_observations(const std::string& path, const InspectOptions& options, json& r) {
  std::optional<StationList> list;
  if (!options.stations.empty()) list = StationList::read(options.stations);
  ReadOptions ro;
  ro.stations = list ? &*list : nullptr;
  const HourlyTable table = HourlyTable::read(path, ro);
  r["format"] = table.compressed() ? "CSV (gzip)" : "CSV";
  r["rows"] = table.rows();
  json st;
  st["count"] = table.station_codes().size();
  st["codes"] = table.station_codes();
  r["stations"] = st;
  json period;
  const std::size_t nt = table.times().size();
  std::size_t hours_in_period = 0;
  if (nt > 0) {
    const LocalHour a = table.local(0), b = table.local(nt - 1);
    period["first_date"] = format_ymd(a.date);
    period["last_date"] = format_ymd(b.date);
    period["dates"] = (std::chrono::sys_days{b.date} - std::chrono::sys_days{a.date}).count() + 1;
    period["first_utc"] = format_iso(table.times().front());
    period["last_utc"] = format_iso(table.times().back());
    period["time_zone"] = "Beijing time (UTC+8) in the file";
    period["hours"] = nt;
    hours_in_period =
        static_cast<std::size_t>((table.times().back() - table.times().front()).count() / 3600) + 1;
    period["hours_in_period"] = hours_in_period;
  } else {
    period["hours"] = 0;
  }
  r["period"] = period;
  json types = json::array();
  for (std::size_t k = 0; k < table.types().size(); ++k) {
    const auto* t = find_observation_type(table.types()[k]);
    if (std::find(table.types_in_file().begin(), table.types_in_file().end(), t->name) ==
        table.types_in_file().end())
      continue;
    const std::size_t valid = table.valid_count(static_cast<int>(k));
    const double possible =
        static_cast<double>(hours_in_period) * static_cast<double>(table.station_codes().size());
    types.push_back({{"name", t->name},
                     {"units", t->units},
                     {"valid", valid},
                     {"fraction_valid", possible > 0 ? valid / possible : 0.0}});
  }
  r["types"] = types;
  json notes = json::array();
  if (list) {
    json cities = json::array();
    std::map<std::string, int> per_city;
    int other = 0;
    for (const auto& code : table.station_codes()) {
      const Station* s = list->find(code);
      if (s->city.empty()) {
        ++other;
      } else {
        ++per_city[s->city];
      }
    }
    for (const auto& c : fenwei_cities()) {
      cities.push_back(
          {{"city", c.english}, {"city_zh", c.chinese}, {"stations", per_city[c.english]}});
    }
    r["cities"] = cities;
    r["stations_outside_fenwei"] = other;
    r["station_list"] = options.stations;
  } else {
    notes.push_back("give --stations LIST to check the station codes and group them by city");
  }
  json missing = json::array();
  const bool has_pm25 = std::find(table.types_in_file().begin(), table.types_in_file().end(),
                                  "PM2.5") != table.types_in_file().end();
  if (!has_pm25) missing.push_back("type PM2.5 (hourly PM2.5 for the evaluation)");
  if (table.station_codes().empty()) missing.push_back("at least one station");
  if (nt == 0) missing.push_back("at least one data row");
  r["usable"] = missing.empty();
  r["missing"] = missing;
  r["notes"] = notes;
}

void inspect_station_list(const std::string& path, json& r) {
  const StationList list = StationList::read(path);
  r["format"] = "CSV";
  r["layout"] = list.layout() == StationList::Layout::Fenwei
                    ? "code,name,city,lon,lat,days_present_2019"
                    : "监测点编码,监测点名称,城市,经度,纬度";
  json st;
  st["count"] = list.size();
  std::set<std::string> all_cities;
  double lon0 = 1e9, lon1 = -1e9, lat0 = 1e9, lat1 = -1e9;
  json no_location = json::array();
  for (const auto& s : list.stations()) {
    all_cities.insert(s.city_zh);
    if (!s.has_location()) {
      no_location.push_back(s.code);
      continue;
    }
    lon0 = std::min(lon0, s.lon);
    lon1 = std::max(lon1, s.lon);
    lat0 = std::min(lat0, s.lat);
    lat1 = std::max(lat1, s.lat);
  }
  st["cities"] = all_cities.size();
  if (lon0 <= lon1) {
    st["lon_range"] = {lon0, lon1};
    st["lat_range"] = {lat0, lat1};
  }
  st["without_location"] = no_location;
  r["stations"] = st;
  json cities = json::array();
  for (const auto& c : fenwei_cities()) {
    cities.push_back({{"city", c.english},
                      {"city_zh", c.chinese},
                      {"stations", list.in_city(c.english).size()}});
  }
  r["cities"] = cities;
  r["usable"] = true;
  r["missing"] = json::array();
  json notes = json::array();
  if (!no_location.empty())
    notes.push_back(std::to_string(no_location.size()) + " stations have no coordinates");
  for (const auto& w : list.warnings()) notes.push_back(w);
  r["notes"] = notes;
}

void inspect_city_daily(const std::string& path, json& r) {
  const DailyTable t = read_city_daily(path);
  r["format"] = "CSV";
  json period;
  if (!t.dates.empty()) {
    period["first_date"] = format_ymd(t.dates.front());
    period["last_date"] = format_ymd(t.dates.back());
  }
  period["dates"] = t.dates.size();
  period["time_zone"] = "Beijing time (UTC+8) dates";
  r["period"] = period;
  json cities = json::array();
  for (std::size_t k = 0; k < t.names.size(); ++k) {
    std::size_t valid = 0;
    int most = 0;
    for (std::size_t d = 0; d < t.dates.size(); ++d) {
      if (!std::isnan(t.value(d, k))) ++valid;
      most = std::max(most, t.count(d, k));
    }
    cities.push_back({{"city", t.names[k]},
                      {"city_zh", city_chinese(t.names[k])},
                      {"valid_days", valid},
                      {"stations", most}});
  }
  r["cities"] = cities;
  r["usable"] = true;
  r["missing"] = json::array();
  r["notes"] =
      json::array({"derived city daily means (values assumed PM2.5 [µg m-3], as the "
                   "file name fenwei_city_daily_pm25_* says); 'stations' is the largest "
                   "daily station count"});
}

void inspect_yaml(const std::string& path, json& r) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::ParserException& e) {
    throw InputError(path, "",
                     "YAML syntax error at line " + std::to_string(e.mark.line + 1) + ", column " +
                         std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const YAML::Exception& e) {
    throw InputError(path, "", std::string("cannot read as YAML: ") + e.what());
  }
  if (!root.IsMap()) {
    throw InputError(path, "", "not a case file: the YAML top level is not a mapping of sections");
  }
  r["format"] = "YAML";
  json sections = json::object();
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    json keys = json::array();
    if (kv.second.IsMap()) {
      for (const auto& sub : kv.second) keys.push_back(sub.first.as<std::string>());
    }
    sections[key] = keys;
  }
  r["sections"] = sections;
  r["usable"] = nullptr;
  r["missing"] = json::array();
  r["notes"] =
      json::array({"a case file is checked by the command that runs it (every module "
                   "reads its own section; unknown keys are errors)"});
}

bool has_netcdf_magic(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char m[8] = {0};
  in.read(m, 8);
  const auto n = in.gcount();
  if (n >= 4 && m[0] == 'C' && m[1] == 'D' && m[2] == 'F' && (m[3] == 1 || m[3] == 2 || m[3] == 5))
    return true;
  return n == 8 && std::string(m, 8) == "\x89HDF\r\n\x1a\n";
}

}  // namespace

json inspect_file(const std::string& path, const InspectOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path, "", "no such file");
  if (fs::is_directory(path, ec)) throw InputError(path, "", "is a directory, expected a file");
  {
    std::ifstream probe(path, std::ios::binary);
    if (!probe) throw InputError(path, "", "cannot open file for reading");
  }
  json r;
  r["file"] = path;
  r["kind"] = nullptr;
  r["format"] = nullptr;
  if (has_netcdf_magic(path)) {
    inspect_netcdf(path, r);
    return r;
  }
  // Text (plain or gzip): the first line tells the CSV kinds apart.
  std::string first;
  {
    LineReader in(path);
    in.next(first);
  }
  if (first.rfind("date,hour,type,", 0) == 0 || first == "date,hour,type") {
    r["kind"] = "observations";
    inspect_observations(path, options, r);
    return r;
  }
  if (first.rfind("code,name,city,", 0) == 0 || first.rfind("监测点编码,", 0) == 0) {
    r["kind"] = "station-list";
    inspect_station_list(path, r);
    return r;
  }
  if (is_city_daily_header(first)) {
    r["kind"] = "city-daily";
    inspect_city_daily(path, r);
    return r;
  }
  const std::string ext = lower(fs::path(path).extension().string());
  const bool text_like = !is_gzip_file(path) && std::all_of(first.begin(), first.end(), [](char c) {
    return c == '\t' || static_cast<unsigned char>(c) >= 0x20;
  });
  if (ext == ".yaml" || ext == ".yml" || (text_like && contains(first, ":"))) {
    r["kind"] = "case";
    inspect_yaml(path, r);
    return r;
  }
  throw InputError(path, "",
                   "unrecognised file (first line '" + first.substr(0, 60) +
                       (first.size() > 60 ? "..." : "") +
                       "'); expected netCDF (WRF output, CF met, emissions), a CNEMC "
                       "observation CSV (header date,hour,type,...), a station list or a YAML "
                       "case file");
}

// ============================================================================ text

namespace {

std::string scalar_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  if (v.is_number_float()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v.get<double>());
    return buf;
  }
  if (v.is_array()) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : " ") + scalar_text(x);
    return s;
  }
  return v.dump();
}

// `text` padded with blanks to `width` characters (UTF-8 code points, so "µg m-3"
// counts 6).
std::string padded(const std::string& text, std::size_t width) {
  std::size_t chars = 0;
  for (unsigned char ch : text)
    if ((ch & 0xC0) != 0x80) ++chars;
  return chars >= width ? text : text + std::string(width - chars, ' ');
}

void object_text(std::ostringstream& os, const json& obj, int indent) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it.key() == "times" || it.key() == "codes") continue;  // long lists: JSON only
    os << std::string(static_cast<std::size_t>(indent), ' ') << it.key() << ":";
    if (it->is_object()) {
      os << "\n";
      object_text(os, *it, indent + 2);
    } else {
      os << " " << scalar_text(*it) << "\n";
    }
  }
}

}  // namespace

std::string inspect_text(const json& r) {
  std::ostringstream os;
  os << "file:   " << scalar_text(r.value("file", json(nullptr))) << "\n";
  os << "kind:   " << scalar_text(r.value("kind", json(nullptr))) << "\n";
  os << "format: " << scalar_text(r.value("format", json(nullptr))) << "\n";
  if (r.contains("dimensions")) {
    os << "dimensions:";
    const auto& d = r["dimensions"];
    for (auto it = d["sizes"].begin(); it != d["sizes"].end(); ++it) {
      os << " " << it.key() << "=" << it.value().dump();
      for (const auto& u : d["unlimited"])
        if (u == it.key()) os << "(unlimited)";
    }
    os << "\n";
  }
  for (const char* key : {"grid", "period", "stations", "layout", "rows", "sections"}) {
    if (!r.contains(key) || r[key].is_null()) continue;
    os << key << ":";
    if (r[key].is_object()) {
      os << "\n";
      object_text(os, r[key], 2);
    } else {
      os << " " << scalar_text(r[key]) << "\n";
    }
  }
  if (r.contains("types")) {
    os << "types:\n";
    for (const auto& t : r["types"]) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%9lld valid (%.1f %%)\n", t["valid"].get<long long>(),
                    100.0 * t["fraction_valid"].get<double>());
      os << "  " << padded(t["name"].get<std::string>(), 10) << " "
         << padded(t["units"].get<std::string>(), 7) << buf;
    }
  }
  if (r.contains("cities")) {
    os << "cities:";
    for (const auto& c : r["cities"])
      os << " " << c["city"].get<std::string>() << "=" << c["stations"].dump();
    os << "\n";
  }
  if (r.contains("met_variables")) {
    os << "met variables:";
    for (const auto& m : r["met_variables"])
      os << " " << m["variable"].get<std::string>() << " (" << m["role"].get<std::string>() << ")";
    os << "\n";
  }
  if (r.contains("emission_variables")) {
    os << "emission variables: " << scalar_text(r["emission_variables"]) << "\n";
  }
  if (r.contains("variables")) {
    os << "variables (" << r["variables"].size() << "):\n";
    for (const auto& v : r["variables"]) {
      std::string line = "  " + v["name"].get<std::string>() + " " + v["type"].get<std::string>() +
                         "(" + joined(v["dims"].get<std::vector<std::string>>()) + ")";
      if (!v["units"].is_null()) line += " [" + scalar_text(v["units"]) + "]";
      if (v.value("packed", false)) {
        line += " packed: scale_factor=" + scalar_text(v.value("scale_factor", json(1.0))) +
                " add_offset=" + scalar_text(v.value("add_offset", json(0.0)));
      }
      if (v.contains("range")) line += " range " + scalar_text(v["range"]);
      os << line << "\n";
    }
  }
  const json usable = r.value("usable", json(nullptr));
  os << "usable: "
     << (usable.is_null()     ? "not assessed"
         : usable.get<bool>() ? "yes"
                              : "no")
     << "\n";
  for (const auto& m : r.value("missing", json::array()))
    os << "  missing: " << scalar_text(m) << "\n";
  for (const auto& n : r.value("notes", json::array())) os << "note: " << scalar_text(n) << "\n";
  return os.str();
}

}  // namespace fwaq::obs

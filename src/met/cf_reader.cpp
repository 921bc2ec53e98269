#include "met/cf_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "core/error.hpp"
#include "met/wrf_reader.hpp"  // saturation formula and gas constants

namespace fwaq {

namespace {

constexpr double kG0 = 9.80665;  // standard gravity of ECMWF/WMO geopotential heights [m s-2]
constexpr double kRd = WrfConstants::r_d;
constexpr double kEps = WrfConstants::eps;

std::string num(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// Units without blanks, "**", "^" and ".", lower case: "m s**-1" -> "ms-1".
std::string norm_units(const std::string& u) {
  std::string s;
  for (std::size_t i = 0; i < u.size(); ++i) {
    const char c = u[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == '^' || c == '.') continue;
    if (c == '*') continue;
    s += c;
  }
  return lower(s);
}

enum class Kind {
  kTemperature,
  kSpeed,
  kOmega,
  kMassRatio,
  kRelHum,
  kGeopotential,
  kLength,
  kPressure,
  kFlux,
  kEnergyAccum,
  kPrecipFlux,
  kPrecipAccum
};

struct Conv {
  double scale = 1.0;
  double offset = 0.0;
};

/// Conversion of a variable's units to the MetRecord units of its kind. Empty
/// units are taken as the SI units of the kind. Throws InputError otherwise.
Conv conversion(Kind kind, const std::string& units, const std::string& file,
                const std::string& var) {
  const std::string u = norm_units(units);
  auto bad = [&](const std::string& expected) -> Conv {
    throw InputError(file, var, "units '" + units + "' not understood; expected " + expected);
  };
  if (u.empty()) return {};
  switch (kind) {
    case Kind::kTemperature:
      if (u == "k" || u == "kelvin" || u == "degk") return {};
      if (u == "degc" || u == "c" || u == "celsius" || u == "deg_c" || u == "degreec" ||
          u == "degree_celsius" || u == "degrees_celsius")
        return {1.0, 273.15};
      return bad("K or degC");
    case Kind::kSpeed:
      if (u == "ms-1" || u == "m/s") return {};
      return bad("m s-1");
    case Kind::kOmega:
      if (u == "pas-1" || u == "pa/s") return {};
      return bad("Pa s-1");
    case Kind::kMassRatio:
      if (u == "kgkg-1" || u == "kg/kg" || u == "1") return {};
      if (u == "gkg-1" || u == "g/kg") return {1e-3, 0.0};
      return bad("kg kg-1");
    case Kind::kRelHum:
      if (u == "%" || u == "percent") return {0.01, 0.0};
      if (u == "1" || u == "fraction") return {};
      return bad("% or 1");
    case Kind::kGeopotential:
      if (u == "m2s-2" || u == "m2/s2") return {};
      return bad("m2 s-2");
    case Kind::kLength:
      if (u == "m" || u == "gpm" || u == "metres" || u == "meters") return {};
      return bad("m");
    case Kind::kPressure:
      if (u == "pa") return {};
      if (u == "hpa" || u == "mbar" || u == "millibars" || u == "millibar" || u == "mb")
        return {100.0, 0.0};
      return bad("Pa, hPa or millibars");
    case Kind::kFlux:
      if (u == "wm-2" || u == "w/m2") return {};
      return bad("W m-2");
    case Kind::kEnergyAccum:
      if (u == "jm-2" || u == "j/m2") return {};
      return bad("J m-2");
    case Kind::kPrecipFlux:
      if (u == "kgm-2s-1" || u == "mm/s" || u == "mms-1") return {3600.0, 0.0};  // -> mm h-1
      if (u == "mm/h" || u == "mmh-1") return {};
      return bad("kg m-2 s-1");
    case Kind::kPrecipAccum:
      if (u == "m") return {1000.0, 0.0};  // -> mm
      if (u == "mm" || u == "kgm-2") return {};
      return bad("m or mm");
  }
  return {};
}

/// Checks a coordinate for regular spacing and returns it increasing.
std::vector<double> regular(const nc::NcFile& nc, const std::string& var, bool& flipped) {
  std::vector<double> v = nc.read(var);
  if (v.empty()) throw InputError(nc.path(), var, "is empty; expected at least one value");
  flipped = v.size() > 1 && v[1] < v[0];
  if (flipped) std::reverse(v.begin(), v.end());
  if (v.size() > 1) {
    const double d = v[1] - v[0];
    if (!(d > 0.0)) {
      throw InputError(nc.path(), var, "values 0 and 1 are equal; expected a regular spacing");
    }
    for (std::size_t k = 1; k + 1 < v.size(); ++k) {
      const double dk = v[k + 1] - v[k];
      if (std::abs(dk - d) > 1e-4 * d) {
        const std::size_t file_index = flipped ? v.size() - 2 - k : k;
        throw InputError(nc.path(), var,
                         "spacing " + num(flipped ? -dk : dk) + " between indices " +
                             std::to_string(file_index) + " and " + std::to_string(file_index + 1) +
                             " differs from " + num(flipped ? -d : d) +
                             "; expected a regular latitude-longitude grid");
      }
    }
  }
  return v;
}

std::string first_existing(const nc::NcFile& nc, const std::vector<std::string>& names,
                           const std::string& standard_name) {
  for (const auto& n : names) {
    if (nc.has_var(n)) return n;
  }
  if (auto s = nc.find_var_by_attribute("standard_name", standard_name)) return *s;
  return "";
}

}  // namespace

CfFile::CfFile(const std::string& path, const CfOptions& options) : file_(path), options_(options) {
  const auto& nc = file_;
  lon_name_ = first_existing(nc, {"longitude", "lon"}, "longitude");
  lat_name_ = first_existing(nc, {"latitude", "lat"}, "latitude");
  time_name_ = first_existing(nc, {"time", "valid_time"}, "time");
  if (lon_name_.empty()) {
    throw InputError(path, "longitude",
                     "not found; expected a coordinate 'longitude' or 'lon' (or standard_name "
                     "longitude)");
  }
  if (lat_name_.empty()) {
    throw InputError(path, "latitude",
                     "not found; expected a coordinate 'latitude' or 'lat' (or standard_name "
                     "latitude)");
  }
  if (time_name_.empty()) {
    throw InputError(path, "time",
                     "not found; expected a coordinate 'time' or 'valid_time' with CF units");
  }
  for (const auto& c : {lon_name_, lat_name_, time_name_}) {
    if (nc.var(c).dims.size() != 1) {
      throw InputError(path, c, "expected a 1-D coordinate variable");
    }
  }
  lon_ = regular(nc, lon_name_, lon_flipped_);
  lat_ = regular(nc, lat_name_, lat_flipped_);

  // Times.
  const auto units = nc.att_text(time_name_, "units");
  if (!units)
    throw InputError(path, time_name_, "has no 'units' attribute; expected CF time units");
  const auto calendar = nc.att_text(time_name_, "calendar").value_or("standard");
  for (double v : nc.read(time_name_)) {
    times_.push_back(nc::cf_time(v, *units, calendar, path, time_name_));
  }
  if (times_.empty()) throw InputError(path, time_name_, "has no records; expected at least one");
  for (std::size_t r = 1; r < times_.size(); ++r) {
    if (!(times_[r - 1] < times_[r])) {
      throw InputError(path, time_name_,
                       "record " + std::to_string(r) + " (" + format_iso(times_[r]) +
                           ") is not later than record " + std::to_string(r - 1) +
                           "; expected strictly increasing times");
    }
  }

  // Variables.
  const std::string lon_dim = nc.var(lon_name_).dims[0];
  const std::string lat_dim = nc.var(lat_name_).dims[0];
  const std::string time_dim = nc.var(time_name_).dims[0];
  // Level dimension: the second dimension of the first 4-D (time, ?, lat, lon) variable.
  std::string level_dim;
  for (const auto& name : nc.var_names()) {
    const auto info = nc.var(name);
    if (info.dims.size() == 4 && info.dims[0] == time_dim && info.dims[2] == lat_dim &&
        info.dims[3] == lon_dim) {
      level_dim = info.dims[1];
      break;
    }
  }
  if (!level_dim.empty()) {
    if (!nc.has_var(level_dim)) {
      throw InputError(path, level_dim,
                       "is the level dimension of the 4-D variables but has no coordinate "
                       "variable; expected the level values");
    }
    level_name_ = level_dim;
    levels_ = nc.read(level_name_);
    level_units_ = nc.att_text(level_name_, "units").value_or("");
    const std::string positive = lower(nc.att_text(level_name_, "positive").value_or(""));
    const std::string u = norm_units(level_units_);
    level_is_pressure_ =
        u == "pa" || u == "hpa" || u == "mbar" || u == "millibars" || u == "millibar" || u == "mb";
    if (level_is_pressure_)
      level_to_pa_ = conversion(Kind::kPressure, level_units_, path, level_name_).scale;
    bool bottom_is_max = false, known = true;
    if (level_is_pressure_ || positive == "down") {
      bottom_is_max = true;
    } else if (positive == "up" || u == "m" || u == "km") {
      bottom_is_max = false;
    } else {
      known = false;
    }
    if (known && levels_.size() > 1) {
      const bool ascending = levels_[1] > levels_[0];
      level_flipped_ = bottom_is_max == ascending;
      if (level_flipped_) std::reverse(levels_.begin(), levels_.end());
    }
  }

  // Candidate variables for each MetRecord field.
  struct Candidate {
    const char* field;
    bool on_levels;
    std::vector<std::string> standard_names;
    std::vector<std::string> names;
  };
  const bool lv = has_levels();
  const std::vector<Candidate> candidates = {
      {"temperature", true, {"air_temperature"}, {"t", "ta"}},
      {"u", true, {"eastward_wind"}, {"u", "ua"}},
      {"v", true, {"northward_wind"}, {"v", "va"}},
      {"omega", true, {"lagrangian_tendency_of_air_pressure"}, {"w", "wap", "omega"}},
      {"q", true, {"specific_humidity"}, {"q", "hus"}},
      {"rel_humidity", true, {"relative_humidity"}, {"r", "hur"}},
      {"clwc", true, {"mass_fraction_of_cloud_liquid_water_in_air"}, {"clwc"}},
      {"air_pressure", true, {"air_pressure"}, {"pres"}},
      {"geopotential", true, {"geopotential"}, {"z"}},
      {"geopotential_height", true, {"geopotential_height"}, {"gh", "zg"}},
      {"surface_geopotential", false, {"surface_geopotential"}, {"z"}},
      {"surface_altitude", false, {"surface_altitude"}, {"orog"}},
      {"t2", false, {}, {"t2m", "2t", "tas"}},
      {"u10", false, {}, {"u10", "10u", "uas"}},
      {"v10", false, {}, {"v10", "10v", "vas"}},
      {"psfc", false, {"surface_air_pressure"}, {"sp", "ps"}},
      {"pblh", false, {"atmosphere_boundary_layer_thickness"}, {"blh"}},
      {"ustar", false, {}, {"zust"}},
      {"hfx", false, {"surface_upward_sensible_heat_flux"}, {"hfss"}},
      {"ishf", false, {}, {"ishf"}},
      {"swdown", false, {"surface_downwelling_shortwave_flux_in_air"}, {"rsds"}},
      {"ssrd", false, {}, {"ssrd"}},
      {"precip", false, {"precipitation_flux"}, {"pr"}},
      {"tp", false, {}, {"tp"}},
  };
  for (const auto& c : candidates) {
    if (c.on_levels && !lv) continue;
    const std::string v = find(c.standard_names, c.names, c.on_levels);
    if (!v.empty()) vars_[c.field] = v;
  }

  // What read() will fill, and how.
  auto has = [&](const char* f) { return vars_.count(f) > 0; };
  auto src = [&](const char* f) { return vars_.at(f); };
  for (const char* f : {"temperature", "u", "v", "t2", "u10", "v10", "psfc", "pblh", "ustar"}) {
    if (has(f)) mapping_[f] = src(f);
  }
  if (has("u")) mapping_["u"] = src("u") + " (cell centres averaged to the x-faces)";
  if (has("v")) mapping_["v"] = src("v") + " (cell centres averaged to the y-faces)";
  if (has("q")) mapping_["qvapor"] = src("q") + " / (1 - " + src("q") + ")";
  if (has("clwc")) {
    mapping_["cloud_water"] = src("clwc") + (has("q") ? " / (1 - " + src("q") + ")" : "");
  }
  const bool p_known = level_is_pressure_ || has("air_pressure");
  if (level_is_pressure_) {
    mapping_["pressure"] = level_name_ + " (pressure levels)";
  } else if (has("air_pressure")) {
    mapping_["pressure"] = src("air_pressure");
  }
  if (has("temperature") && p_known) {
    mapping_["density"] = "ideal gas p / (R_d T_v)" + std::string(has("q") ? " with q" : "");
  }
  if (has("rel_humidity")) {
    mapping_["rel_humidity"] = src("rel_humidity");
  } else if (has("q") && has("temperature") && p_known) {
    mapping_["rel_humidity"] = "Bolton (1980) from " + src("q") + ", T and p";
  }
  if (has("omega") && mapping_.count("density")) {
    mapping_["w"] = "-" + src("omega") + " / (rho g), averaged to the interfaces";
  }
  if (has("surface_geopotential")) {
    mapping_["terrain"] = src("surface_geopotential") + " / 9.80665";
  } else if (has("surface_altitude")) {
    mapping_["terrain"] = src("surface_altitude");
  }
  if (has("geopotential") || has("geopotential_height")) {
    // Without terrain in this file (ERA5 keeps the surface geopotential in the
    // single-level file) the heights are above sea level; the run's CF provider
    // subtracts the surface file's terrain.
    mapping_["z_interface"] =
        (has("geopotential") ? src("geopotential") + " / 9.80665" : src("geopotential_height")) +
        (mapping_.count("terrain") ? " - terrain" : " (above sea level: no terrain in the file)") +
        ", interfaces between the levels";
  }
  if (has("hfx")) {
    mapping_["hfx"] = src("hfx");
  } else if (has("ishf")) {
    mapping_["hfx"] = "-" + src("ishf") + " (ECMWF fluxes are positive downwards)";
  }
  if (has("swdown")) {
    mapping_["swdown"] = src("swdown");
  } else if (has("ssrd")) {
    mapping_["swdown"] = src("ssrd") + " / (" + num(options_.accumulation_hours) + " h)";
  }
  if (has("precip")) {
    mapping_["precip"] = src("precip");
  } else if (has("tp")) {
    mapping_["precip"] = src("tp") + " * 1000 / (" + num(options_.accumulation_hours) + " h)";
  }
  if (mapping_.count("pblh") && mapping_.count("ustar") && mapping_.count("hfx") &&
      mapping_.count("z_interface") && mapping_.count("temperature") &&
      mapping_.count("pressure")) {
    mapping_["kz"] = "Holtslag & Boville (1993) K-profile (fill_kz)";
  }
}

std::string CfFile::find(const std::vector<std::string>& standard_names,
                         const std::vector<std::string>& names, bool on_levels) const {
  const std::size_t rank = on_levels ? 4 : 3;
  auto fits = [&](const std::string& n) {
    const auto info = file_.var(n);
    return info.dims.size() == rank && (info.type != NC_CHAR && info.type != NC_STRING);
  };
  for (const auto& s : standard_names) {
    for (const auto& n : file_.var_names()) {
      if (file_.att_text(n, "standard_name").value_or("") == s && fits(n)) return n;
    }
  }
  for (const auto& n : names) {
    if (file_.has_var(n) && fits(n)) return n;
  }
  return "";
}

TimePoint CfFile::time(int record) const {
  if (record < 0 || record >= records()) {
    throw InputError(path(), time_name_,
                     "record " + std::to_string(record) + " requested; the file has " +
                         std::to_string(records()) + " records");
  }
  return times_[static_cast<std::size_t>(record)];
}

HorizontalGrid CfFile::grid(double earth_radius_m) const {
  const double dlon = nx() > 1 ? lon_[1] - lon_[0] : 1.0;
  const double dlat = ny() > 1 ? lat_[1] - lat_[0] : 1.0;
  try {
    return HorizontalGrid::lat_lon(nx(), ny(), lon_[0], lat_[0], dlon, dlat, earth_radius_m);
  } catch (const UsageError& e) {
    throw InputError(path(), lat_name_,
                     std::string("the coordinates do not form a model grid: ") + e.what());
  }
}

Field CfFile::read_variable(const std::string& name, int record) const {
  time(record);
  const nc::VarInfo info = file_.var(name);
  const std::size_t nlon = lon_.size(), nlat = lat_.size();
  std::vector<nc::DimSpec> spec{{file_.var(time_name_).dims[0], times_.size()}};
  const bool lv = info.dims.size() == 4;
  if (lv) spec.push_back({level_name_, levels_.size()});
  spec.push_back({file_.var(lat_name_).dims[0], nlat});
  spec.push_back({file_.var(lon_name_).dims[0], nlon});
  file_.expect_dims(name, spec);
  const std::size_t nlev = lv ? levels_.size() : 1;
  std::vector<std::size_t> start{static_cast<std::size_t>(record)}, count{1};
  if (lv) {
    start.push_back(0);
    count.push_back(nlev);
  }
  start.insert(start.end(), {0, 0});
  count.insert(count.end(), {nlat, nlon});
  const std::vector<double> v = file_.read(name, start, count);
  Field f(name, file_.att_text(name, "units").value_or(""), static_cast<int>(nlon),
          static_cast<int>(nlat), static_cast<int>(nlev), 0);
  for (std::size_t kk = 0; kk < nlev; ++kk) {
    const int k = static_cast<int>(level_flipped_ ? nlev - 1 - kk : kk);
    for (std::size_t jj = 0; jj < nlat; ++jj) {
      const int j = static_cast<int>(lat_flipped_ ? nlat - 1 - jj : jj);
      for (std::size_t ii = 0; ii < nlon; ++ii) {
        const int i = static_cast<int>(lon_flipped_ ? nlon - 1 - ii : ii);
        f(i, j, k) = v[(kk * nlat + jj) * nlon + ii];
      }
    }
  }
  return f;
}

MetRecord CfFile::read(int record) const {
  const int nx = this->nx(), ny = this->ny(), nz = this->nz();
  MetRecord rec;
  rec.allocate(nx, ny, nz);
  rec.time = time(record);
  auto has = [&](const char* f) { return vars_.count(f) > 0; };
  // Reads a variable converted to MetRecord units.
  auto get = [&](const char* field, Kind kind) {
    const std::string& var = vars_.at(field);
    Field f = read_variable(var, record);
    const Conv c = conversion(kind, file_.att_text(var, "units").value_or(""), path(), var);
    for (std::size_t n = 0; n < f.size(); ++n) f.data()[n] = f.data()[n] * c.scale + c.offset;
    return f;
  };
  auto copy = [](const Field& from, Field& to) {
    std::copy(from.data(), from.data() + from.size(), to.data());
  };
  // Surface fields.
  if (has("t2")) copy(get("t2", Kind::kTemperature), rec.t2);
  if (has("u10")) copy(get("u10", Kind::kSpeed), rec.u10);
  if (has("v10")) copy(get("v10", Kind::kSpeed), rec.v10);
  if (has("psfc")) copy(get("psfc", Kind::kPressure), rec.psfc);
  if (has("pblh")) copy(get("pblh", Kind::kLength), rec.pblh);
  if (has("ustar")) copy(get("ustar", Kind::kSpeed), rec.ustar);
  if (has("hfx")) {
    copy(get("hfx", Kind::kFlux), rec.hfx);
  } else if (has("ishf")) {
    const Field f = get("ishf", Kind::kFlux);
    for (std::size_t n = 0; n < f.size(); ++n) rec.hfx.data()[n] = -f.data()[n];
  }
  const double acc_s = options_.accumulation_hours * 3600.0;
  if (has("swdown")) {
    copy(get("swdown", Kind::kFlux), rec.swdown);
  } else if (has("ssrd")) {
    const Field f = get("ssrd", Kind::kEnergyAccum);
    for (std::size_t n = 0; n < f.size(); ++n) rec.swdown.data()[n] = f.data()[n] / acc_s;
  }
  if (has("precip")) {
    copy(get("precip", Kind::kPrecipFlux), rec.precip);
  } else if (has("tp")) {
    const Field f = get("tp", Kind::kPrecipAccum);
    for (std::size_t n = 0; n < f.size(); ++n) {
      rec.precip.data()[n] = std::max(f.data()[n], 0.0) / options_.accumulation_hours;
    }
  }
  if (has("surface_geopotential")) {
    const Field f = get("surface_geopotential", Kind::kGeopotential);
    for (std::size_t n = 0; n < f.size(); ++n) rec.terrain.data()[n] = f.data()[n] / kG0;
  } else if (has("surface_altitude")) {
    copy(get("surface_altitude", Kind::kLength), rec.terrain);
  }
  if (!has_levels()) return rec;

  // 3-D fields on the levels (bottom-up).
  const bool has_t = has("temperature");
  if (has_t) copy(get("temperature", Kind::kTemperature), rec.temperature);
  if (has("q")) {
    const Field q = get("q", Kind::kMassRatio);
    for (std::size_t n = 0; n < q.size(); ++n) {
      const double s = std::clamp(q.data()[n], 0.0, 0.999);
      rec.qvapor.data()[n] = s / (1.0 - s);
    }
  }
  if (has("clwc")) {
    const Field c = get("clwc", Kind::kMassRatio);
    Field q;
    if (has("q")) q = get("q", Kind::kMassRatio);
    for (std::size_t n = 0; n < c.size(); ++n) {
      const double qs = has("q") ? std::clamp(q.data()[n], 0.0, 0.999) : 0.0;
      rec.cloud_water.data()[n] = std::max(c.data()[n], 0.0) / (1.0 - qs);
    }
  }
  bool p_known = false;
  if (level_is_pressure_) {
    for (int k = 0; k < nz; ++k) {
      const double p = levels_[static_cast<std::size_t>(k)] * level_to_pa_;
      for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) rec.pressure(i, j, k) = p;
    }
    p_known = true;
  } else if (has("air_pressure")) {
    copy(get("air_pressure", Kind::kPressure), rec.pressure);
    p_known = true;
  }
  const bool rho_known = has_t && p_known;
  if (rho_known) {
    for (std::size_t n = 0; n < rec.density.size(); ++n) {
      const double t = rec.temperature.data()[n];
      const double q = rec.qvapor.data()[n];
      const double tv = t * (1.0 + q / kEps) / (1.0 + q);
      rec.density.data()[n] = rec.pressure.data()[n] / (kRd * tv);
    }
  }
  if (has("rel_humidity")) {
    const Field r = get("rel_humidity", Kind::kRelHum);
    for (std::size_t n = 0; n < r.size(); ++n) {
      rec.rel_humidity.data()[n] = std::clamp(r.data()[n], 0.0, 1.0);
    }
  } else if (has("q") && rho_known) {
    for (std::size_t n = 0; n < rec.rel_humidity.size(); ++n) {
      rec.rel_humidity.data()[n] =
          std::clamp(relative_humidity(rec.qvapor.data()[n], rec.pressure.data()[n],
                                       rec.temperature.data()[n]),
                     0.0, 1.0);
    }
  }
  // Winds: cell centres to faces.
  const bool periodic = nx > 1 && std::abs((lon_[1] - lon_[0]) * nx - 360.0) < 1e-6;
  if (has("u")) {
    const Field u = get("u", Kind::kSpeed);
    for (int k = 0; k < nz; ++k)
      for (int j = 0; j < ny; ++j) {
        for (int i = 1; i < nx; ++i) rec.u(i, j, k) = 0.5 * (u(i - 1, j, k) + u(i, j, k));
        const double edge = periodic ? 0.5 * (u(nx - 1, j, k) + u(0, j, k)) : 0.0;
        rec.u(0, j, k) = periodic ? edge : u(0, j, k);
        rec.u(nx, j, k) = periodic ? edge : u(nx - 1, j, k);
      }
  }
  if (has("v")) {
    const Field v = get("v", Kind::kSpeed);
    for (int k = 0; k < nz; ++k)
      for (int i = 0; i < nx; ++i) {
        for (int j = 1; j < ny; ++j) rec.v(i, j, k) = 0.5 * (v(i, j - 1, k) + v(i, j, k));
        rec.v(i, 0, k) = v(i, 0, k);
        rec.v(i, ny, k) = v(i, ny - 1, k);
      }
  }
  if (has("omega") && rho_known) {
    const Field om = get("omega", Kind::kOmega);
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        auto wc = [&](int k) { return -om(i, j, k) / (rec.density(i, j, k) * kG0); };
        rec.w(i, j, 0) = wc(0);
        for (int k = 1; k < nz; ++k) rec.w(i, j, k) = 0.5 * (wc(k - 1) + wc(k));
        rec.w(i, j, nz) = wc(nz - 1);
      }
  }
  // Heights of the interfaces above ground.
  if (mapping_.count("z_interface")) {
    Field h;
    if (has("geopotential")) {
      h = get("geopotential", Kind::kGeopotential);
      for (std::size_t n = 0; n < h.size(); ++n) h.data()[n] /= kG0;
    } else {
      h = get("geopotential_height", Kind::kLength);
    }
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        auto hk = [&](int k) { return h(i, j, k) - rec.terrain(i, j, 0); };
        rec.z_interface(i, j, 0) = 0.0;
        for (int k = 1; k < nz; ++k) rec.z_interface(i, j, k) = 0.5 * (hk(k - 1) + hk(k));
        const double below = rec.z_interface(i, j, nz - 1);
        rec.z_interface(i, j, nz) = hk(nz - 1) + (hk(nz - 1) - below);
      }
  }
  if (mapping_.count("kz")) fill_kz(rec, options_.kz);
  return rec;
}

MetSource cf_source(std::shared_ptr<const CfFile> file) {
  MetSource s;
  s.file = file->path();
  s.time_variable = file->time_variable();
  s.times = file->times();
  s.read = [file](int r) { return file->read(r); };
  return s;
}

}  // namespace fwaq

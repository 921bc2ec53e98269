#include "grid/projection.hpp"

#include <proj.h>

#include <cmath>
#include <numbers>
#include <sstream>
#include <string>

#include "core/error.hpp"

namespace fwaq {

namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;

std::string num(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

bool finite_all(std::initializer_list<double> values) {
  for (double v : values) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

// Validates a description and returns the PROJ definition string for it.
std::string definition_for(const ProjectionSpec& s) {
  if (!(s.earth_radius_m > 0.0) || !std::isfinite(s.earth_radius_m)) {
    throw UsageError("projection: earth radius must be positive and finite, got " +
                     num(s.earth_radius_m) + " m");
  }
  const std::string sphere = " +a=" + num(s.earth_radius_m) + " +b=" + num(s.earth_radius_m);
  switch (s.kind) {
    case ProjectionSpec::Kind::kLatLon:
      // Equidistant cylindrical on the sphere: x = R*lon, y = R*lat [m] (lon, lat in rad).
      return "+proj=eqc +lat_ts=0 +lat_0=0 +lon_0=0 +x_0=0 +y_0=0" + sphere + " +units=m +no_defs";
    case ProjectionSpec::Kind::kLambertConformal: {
      if (!finite_all({s.truelat1_deg, s.truelat2_deg, s.stand_lon_deg, s.origin_lat_deg})) {
        throw UsageError("projection: Lambert conformal parameters must be finite (truelat1 = " +
                         num(s.truelat1_deg) + ", truelat2 = " + num(s.truelat2_deg) +
                         ", stand_lon = " + num(s.stand_lon_deg) +
                         ", origin_lat = " + num(s.origin_lat_deg) + ")");
      }
      for (double t : {s.truelat1_deg, s.truelat2_deg}) {
        if (!(std::abs(t) < 90.0) || t == 0.0) {
          throw UsageError("projection: Lambert conformal true latitude " + num(t) +
                           " degrees must lie strictly between 0 and +-90");
        }
      }
      if (s.truelat1_deg * s.truelat2_deg <= 0.0) {
        throw UsageError("projection: Lambert conformal true latitudes " + num(s.truelat1_deg) +
                         " and " + num(s.truelat2_deg) +
                         " degrees must lie in the same hemisphere");
      }
      if (!(std::abs(s.origin_lat_deg) < 90.0)) {
        throw UsageError("projection: Lambert conformal origin latitude " + num(s.origin_lat_deg) +
                         " degrees must lie strictly inside (-90, 90)");
      }
      return "+proj=lcc +lat_1=" + num(s.truelat1_deg) + " +lat_2=" + num(s.truelat2_deg) +
             " +lat_0=" + num(s.origin_lat_deg) + " +lon_0=" + num(s.stand_lon_deg) +
             " +x_0=0 +y_0=0" + sphere + " +units=m +no_defs";
    }
    case ProjectionSpec::Kind::kCustom:
      break;
  }
  throw UsageError(
      "projection: kind 'custom' cannot be built from a description; use "
      "Projection::from_proj_string");
}

}  // namespace

/// RAII owner of one PROJ context and one PJ object created in it.
struct Projection::PjHandles {
  PJ_CONTEXT* ctx = nullptr;
  PJ* pj = nullptr;

  explicit PjHandles(const std::string& definition) {
    ctx = proj_context_create();
    if (ctx == nullptr) throw UsageError("projection: cannot create a PROJ context");
    proj_log_level(ctx, PJ_LOG_NONE);
    pj = proj_create(ctx, definition.c_str());
    if (pj == nullptr) {
      const std::string why = proj_context_errno_string(ctx, proj_context_errno(ctx));
      proj_context_destroy(ctx);
      throw UsageError("projection: PROJ rejects '" + definition + "': " + why);
    }
    // The object must be a coordinate operation taking angles and giving metres.
    if (!proj_angular_input(pj, PJ_FWD) || proj_angular_output(pj, PJ_FWD)) {
      proj_destroy(pj);
      proj_context_destroy(ctx);
      throw UsageError("projection: '" + definition +
                       "' is not a projection from lon/lat [degrees] to x/y [m]");
    }
  }
  PjHandles(const PjHandles&) = delete;
  PjHandles& operator=(const PjHandles&) = delete;
  ~PjHandles() {
    proj_destroy(pj);
    proj_context_destroy(ctx);
  }
};

Projection::Projection(ProjectionSpec spec, std::string definition)
    : spec_(spec),
      definition_(std::move(definition)),
      pj_(std::make_unique<PjHandles>(definition_)),
      mutex_(std::make_unique<std::mutex>()) {}

Projection::Projection(const ProjectionSpec& spec) : Projection(spec, definition_for(spec)) {}

Projection Projection::lat_lon(double earth_radius_m) {
  ProjectionSpec s;
  s.kind = ProjectionSpec::Kind::kLatLon;
  s.earth_radius_m = earth_radius_m;
  return Projection(s);
}

Projection Projection::wrf_lambert(double truelat1_deg, double truelat2_deg, double stand_lon_deg,
                                   double earth_radius_m) {
  ProjectionSpec s;
  s.kind = ProjectionSpec::Kind::kLambertConformal;
  s.truelat1_deg = truelat1_deg;
  s.truelat2_deg = truelat2_deg;
  s.stand_lon_deg = stand_lon_deg;
  s.origin_lat_deg = truelat1_deg;
  s.earth_radius_m = earth_radius_m;
  return Projection(s);
}

Projection Projection::from_proj_string(const std::string& definition) {
  ProjectionSpec s;
  s.kind = ProjectionSpec::Kind::kCustom;
  return Projection(s, definition);
}

Projection::Projection(Projection&&) noexcept = default;
Projection& Projection::operator=(Projection&&) noexcept = default;
Projection::~Projection() = default;

Projection Projection::clone() const {
  return Projection(spec_, definition_);
}

ProjectedPoint Projection::forward(double lon_deg, double lat_deg) const {
  PJ_COORD c = proj_coord(proj_torad(lon_deg), proj_torad(lat_deg), 0.0, 0.0);
  PJ_COORD r;
  {
    std::lock_guard<std::mutex> lock(*mutex_);
    proj_errno_reset(pj_->pj);
    r = proj_trans(pj_->pj, PJ_FWD, c);
  }
  if (!std::isfinite(r.xy.x) || !std::isfinite(r.xy.y)) {
    throw UsageError("projection: cannot project lon = " + num(lon_deg) +
                     ", lat = " + num(lat_deg) + " degrees with '" + definition_ + "'");
  }
  return {r.xy.x, r.xy.y};
}

GeoPoint Projection::inverse(double x_m, double y_m) const {
  PJ_COORD c = proj_coord(x_m, y_m, 0.0, 0.0);
  PJ_COORD r;
  {
    std::lock_guard<std::mutex> lock(*mutex_);
    proj_errno_reset(pj_->pj);
    r = proj_trans(pj_->pj, PJ_INV, c);
  }
  if (!std::isfinite(r.lp.lam) || !std::isfinite(r.lp.phi)) {
    throw UsageError("projection: cannot invert x = " + num(x_m) + ", y = " + num(y_m) +
                     " m with '" + definition_ + "'");
  }
  return {proj_todeg(r.lp.lam), proj_todeg(r.lp.phi)};
}

double Projection::lambert_cone_constant(double truelat1_deg, double truelat2_deg) {
  const double f1 = truelat1_deg * kDegToRad;
  const double f2 = truelat2_deg * kDegToRad;
  // Tangent cone. Same threshold as PROJ's lcc (1e-10 rad), so that the analytic
  // scale factor matches the transform; WRF switches to the tangent formula below
  // a 0.1 degree difference (module_map_utils, lc_cone).
  if (std::abs(f1 - f2) < 1e-10) return std::sin(f1);
  const double q = std::numbers::pi / 4.0;
  return std::log(std::cos(f1) / std::cos(f2)) /
         std::log(std::tan(q + f2 / 2.0) / std::tan(q + f1 / 2.0));
}

double Projection::lambert_scale_factor(double truelat1_deg, double truelat2_deg, double lat_deg) {
  const double n = lambert_cone_constant(truelat1_deg, truelat2_deg);
  const double q = std::numbers::pi / 4.0;
  const double f1 = truelat1_deg * kDegToRad;
  const double f = lat_deg * kDegToRad;
  // k = n F / (cos f tan^n(pi/4 + f/2)) with F = cos f1 tan^n(pi/4 + f1/2) / n, i.e.
  // k = (cos f1 / cos f) * (tan(pi/4 + f1/2) / tan(pi/4 + f/2))^n.
  return std::cos(f1) / std::cos(f) * std::pow(std::tan(q + f1 / 2.0) / std::tan(q + f / 2.0), n);
}

std::pair<double, double> Projection::custom_factors(double lon_deg, double lat_deg) const {
  PJ_FACTORS f;
  int err = 0;
  {
    std::lock_guard<std::mutex> lock(*mutex_);
    proj_errno_reset(pj_->pj);
    f = proj_factors(pj_->pj, proj_coord(proj_torad(lon_deg), proj_torad(lat_deg), 0.0, 0.0));
    err = proj_errno(pj_->pj);
  }
  if (err != 0 || !(f.parallel_scale > 0.0) || !(f.meridional_scale > 0.0)) {
    throw UsageError("projection: no scale factors at lon = " + num(lon_deg) +
                     ", lat = " + num(lat_deg) + " degrees with '" + definition_ + "'");
  }
  return {f.parallel_scale, f.meridional_scale};
}

double Projection::map_factor_x(double lon_deg, double lat_deg) const {
  switch (spec_.kind) {
    case ProjectionSpec::Kind::kLatLon:
      return 1.0 / std::cos(lat_deg * kDegToRad);
    case ProjectionSpec::Kind::kLambertConformal:
      return lambert_scale_factor(spec_.truelat1_deg, spec_.truelat2_deg, lat_deg);
    case ProjectionSpec::Kind::kCustom:
      break;
  }
  return custom_factors(lon_deg, lat_deg).first;
}

double Projection::map_factor_y(double lon_deg, double lat_deg) const {
  switch (spec_.kind) {
    case ProjectionSpec::Kind::kLatLon:
      return 1.0;
    case ProjectionSpec::Kind::kLambertConformal:
      return lambert_scale_factor(spec_.truelat1_deg, spec_.truelat2_deg, lat_deg);
    case ProjectionSpec::Kind::kCustom:
      break;
  }
  return custom_factors(lon_deg, lat_deg).second;
}

}  // namespace fwaq

#pragma once
// Map projections for the model grid: regular latitude-longitude and the Lambert
// conformal conic (LCC) projection as used by WRF (MAP_PROJ = 1), on a sphere.
//
// Forward and inverse transforms are delegated to the PROJ library (C API,
// proj.h). Map-scale factors are evaluated analytically (Snyder 1987, ch. 15,
// spherical formulas), which is what WRF does (Skamarock et al. 2019, sect. 2.2),
// or via proj_factors() for a projection given as a raw PROJ string.
//
// Map factor convention (as in WRF): m = (distance on the grid / projection plane)
// / (true distance on the earth). A true distance is therefore (grid distance) / m,
// and a true area is (grid area) / (m_x * m_y).
//
// References:
//   Snyder, J. P. (1987): Map Projections - A Working Manual. USGS Professional
//     Paper 1395, pp. 104-110 (LCC), 296 (worked ellipsoidal example).
//   Skamarock, W. C. et al. (2019): A Description of the Advanced Research WRF
//     Model Version 4. NCAR/TN-556+STR, doi:10.5065/1dfh-6p97.
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace fwaq {

/// Description of a projection, e.g. as read from a configuration file or from
/// the global attributes of a WRF file.
struct ProjectionSpec {
  enum class Kind {
    kLatLon,            ///< regular lat-lon; projected coords are x = R*lon, y = R*lat [m]
    kLambertConformal,  ///< Lambert conformal conic on a sphere (WRF MAP_PROJ = 1)
    kCustom             ///< a raw PROJ string (Projection::from_proj_string only)
  };
  Kind kind = Kind::kLatLon;
  double truelat1_deg = 30.0;         ///< LCC first standard parallel [degrees north]
  double truelat2_deg = 60.0;         ///< LCC second standard parallel [degrees north]
  double stand_lon_deg = 0.0;         ///< central meridian (WRF STAND_LON) [degrees east]
  double origin_lat_deg = 0.0;        ///< LCC latitude where projected y = 0 [degrees north]
  double earth_radius_m = 6370000.0;  ///< sphere radius [m]; 6370 km as in WRF
};

/// Result of a forward transform: projected coordinates [m].
struct ProjectedPoint {
  double x_m;
  double y_m;
};

/// Result of an inverse transform: geographic coordinates [degrees].
struct GeoPoint {
  double lon_deg;
  double lat_deg;
};

/// A map projection backed by PROJ. Owns its PJ_CONTEXT and PJ objects (RAII);
/// transforms are serialised by an internal mutex, so one object may be shared
/// between threads. Not copyable (use clone()); movable.
class Projection {
 public:
  /// Builds a projection from a description. Throws fwaq::UsageError for invalid
  /// parameters (standard parallels at a pole or on opposite sides of the equator,
  /// radius <= 0, kind kCustom, ...).
  explicit Projection(const ProjectionSpec& spec);

  /// Regular lat-lon on a sphere of radius earth_radius_m [m].
  static Projection lat_lon(double earth_radius_m = 6370000.0);

  /// WRF-style Lambert conformal conic on a sphere (MAP_PROJ = 1).
  /// truelat1/2 [degrees north], stand_lon [degrees east], earth_radius [m].
  static Projection wrf_lambert(double truelat1_deg, double truelat2_deg, double stand_lon_deg,
                                double earth_radius_m = 6370000.0);

  /// Any projection PROJ understands, given as a "+proj=..." string (e.g. with an
  /// ellipsoid). Input is lon/lat [degrees], output must be in metres. Map factors
  /// then come from proj_factors(): map_factor_x = parallel scale, map_factor_y =
  /// meridional scale (exact for conformal projections). Throws fwaq::UsageError.
  static Projection from_proj_string(const std::string& definition);

  Projection(Projection&&) noexcept;
  Projection& operator=(Projection&&) noexcept;
  Projection(const Projection&) = delete;
  Projection& operator=(const Projection&) = delete;
  ~Projection();

  /// An independent copy (own PROJ context).
  Projection clone() const;

  /// lon, lat [degrees] -> x, y [m]. Throws fwaq::UsageError if PROJ cannot
  /// project the point (e.g. the opposite pole of an LCC projection).
  ProjectedPoint forward(double lon_deg, double lat_deg) const;

  /// x, y [m] -> lon, lat [degrees]; lon in [-180, 180]. Throws fwaq::UsageError.
  GeoPoint inverse(double x_m, double y_m) const;

  /// Map-scale factor along the grid x axis at (lon, lat) [degrees], dimensionless.
  /// Lat-lon: 1/cos(lat). LCC: the conformal scale k(lat) (Snyder eq. 15-4).
  double map_factor_x(double lon_deg, double lat_deg) const;

  /// Map-scale factor along the grid y axis at (lon, lat) [degrees], dimensionless.
  /// Lat-lon: 1. LCC: k(lat), equal to map_factor_x.
  double map_factor_y(double lon_deg, double lat_deg) const;

  /// Analytic LCC scale factor on a sphere (Snyder 1987, eqs. 15-1..15-4, with
  /// the tangent-cone limit n = sin(lat1) when truelat1 == truelat2):
  ///   n = ln(cos f1 / cos f2) / ln(tan(pi/4 + f2/2) / tan(pi/4 + f1/2))
  ///   k = n F / (cos f tan^n(pi/4 + f/2)),  F = cos f1 tan^n(pi/4 + f1/2) / n.
  /// All angles [degrees]; result dimensionless.
  static double lambert_scale_factor(double truelat1_deg, double truelat2_deg, double lat_deg);

  /// Cone constant n of the LCC projection (Snyder eq. 15-3; WRF "cone factor").
  static double lambert_cone_constant(double truelat1_deg, double truelat2_deg);

  /// The kind of projection (kCustom for from_proj_string()).
  ProjectionSpec::Kind kind() const { return spec_.kind; }
  /// The description used to build this projection (only the kind is meaningful
  /// for kCustom).
  const ProjectionSpec& spec() const { return spec_; }
  /// Sphere radius [m] (0 for kCustom, which may use an ellipsoid).
  double earth_radius_m() const {
    return spec_.kind == ProjectionSpec::Kind::kCustom ? 0.0 : spec_.earth_radius_m;
  }
  /// The PROJ definition string in use (for metadata, e.g. a CF grid_mapping).
  const std::string& proj_string() const { return definition_; }

 private:
  Projection(ProjectionSpec spec, std::string definition);
  /// (parallel scale, meridional scale) from proj_factors() for kCustom.
  std::pair<double, double> custom_factors(double lon_deg, double lat_deg) const;

  struct PjHandles;  // PJ_CONTEXT + PJ, defined in projection.cpp
  ProjectionSpec spec_;
  std::string definition_;
  std::unique_ptr<PjHandles> pj_;
  std::unique_ptr<std::mutex> mutex_;
};

}  // namespace fwaq

// Tests of the map projections and the horizontal grid against values that do
// not come from this code: Snyder (1987) worked examples, coordinates and map
// factors written by WRF/WPS into sample files, and exact spherical areas.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <memory>
#include <netcdf>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "grid/horizontal_grid.hpp"
#include "grid/projection.hpp"

namespace {

// A value for RecordProperty, in scientific notation.
std::string sci(double v) {
  std::ostringstream os;
  os << std::scientific << std::setprecision(2) << v;
  return os.str();
}

using fwaq::HorizontalGrid;
using fwaq::Projection;
using fwaq::ProjectionSpec;

constexpr double kDeg = std::numbers::pi / 180.0;

std::string sample(const std::string& name) {
  return std::string(FWAQ_SHARED_DATA) + "/wrf-samples/" + name;
}

// A float global attribute of a WRF file.
double attribute(const netCDF::NcFile& f, const std::string& name) {
  float v = 0.0f;
  f.getAtt(name).getValues(&v);
  return v;
}

// A whole variable as floats (the first time level comes first).
std::vector<float> variable(const netCDF::NcFile& f, const std::string& name) {
  netCDF::NcVar v = f.getVar(name);
  std::size_t n = 1;
  for (const auto& d : v.getDims()) n *= d.getSize();
  std::vector<float> out(n);
  v.getVar(out.data());
  return out;
}

std::size_t dimension(const netCDF::NcFile& f, const std::string& name) {
  return f.getDim(name).getSize();
}

// The WRF Lambert projection described by a file's global attributes.
std::shared_ptr<const Projection> wrf_projection(const netCDF::NcFile& f) {
  int map_proj = 0;
  f.getAtt("MAP_PROJ").getValues(&map_proj);
  EXPECT_EQ(map_proj, 1) << "not a Lambert conformal WRF file";
  return std::make_shared<const Projection>(Projection::wrf_lambert(
      attribute(f, "TRUELAT1"), attribute(f, "TRUELAT2"), attribute(f, "STAND_LON")));
}

// The full WRF domain of a file (mass grid = staggered dimensions - 1), centred
// on CEN_LON/CEN_LAT as WPS places the coarse domain.
HorizontalGrid wrf_full_domain(const netCDF::NcFile& f) {
  int we = 0;
  int sn = 0;
  f.getAtt("WEST-EAST_GRID_DIMENSION").getValues(&we);
  f.getAtt("SOUTH-NORTH_GRID_DIMENSION").getValues(&sn);
  return HorizontalGrid::centred(wrf_projection(f), we - 1, sn - 1, attribute(f, "DX"),
                                 attribute(f, "DY"), attribute(f, "CEN_LON"),
                                 attribute(f, "CEN_LAT"));
}

// Locates a cropped file's window in the full domain from its first cell.
HorizontalGrid wrf_window(const HorizontalGrid& full, double first_lon, double first_lat, int nx,
                          int ny) {
  const auto [fi, fj] = full.index_of(first_lon, first_lat);
  EXPECT_NEAR(fi, std::round(fi), 0.01) << "first cell is not on the full grid";
  EXPECT_NEAR(fj, std::round(fj), 0.01) << "first cell is not on the full grid";
  return full.window(static_cast<int>(std::lround(fi)), static_cast<int>(std::lround(fj)), nx, ny);
}

// Area of the spherical quadrilateral with the given corners [degrees] on a sphere
// of radius r [m], from the spherical excess of its two triangles (l'Huilier).
double spherical_quad_area(const fwaq::GeoPoint (&c)[4], double r) {
  auto vec = [](const fwaq::GeoPoint& p) {
    return std::array<double, 3>{std::cos(p.lat_deg * kDeg) * std::cos(p.lon_deg * kDeg),
                                 std::cos(p.lat_deg * kDeg) * std::sin(p.lon_deg * kDeg),
                                 std::sin(p.lat_deg * kDeg)};
  };
  auto triangle = [&](const fwaq::GeoPoint& a, const fwaq::GeoPoint& b, const fwaq::GeoPoint& d) {
    const auto va = vec(a), vb = vec(b), vd = vec(d);
    // Oosterom & Strackee (1983): tan(E/2) = |a.(b x d)| / (1 + a.b + b.d + d.a).
    const double triple = va[0] * (vb[1] * vd[2] - vb[2] * vd[1]) -
                          va[1] * (vb[0] * vd[2] - vb[2] * vd[0]) +
                          va[2] * (vb[0] * vd[1] - vb[1] * vd[0]);
    auto dot = [](const std::array<double, 3>& x, const std::array<double, 3>& y) {
      return x[0] * y[0] + x[1] * y[1] + x[2] * y[2];
    };
    return 2.0 * std::atan2(std::abs(triple), 1.0 + dot(va, vb) + dot(vb, vd) + dot(vd, va));
  };
  return r * r * (triangle(c[0], c[1], c[2]) + triangle(c[0], c[2], c[3]));
}

// ---- Snyder (1987) worked examples ------------------------------------------

// Snyder 1987, p. 296: LCC on the Clarke 1866 ellipsoid, phi1 = 33, phi2 = 45,
// phi0 = 23, lambda0 = -96; the point 35N 75W maps to x = 1894410.9 m,
// y = 1564649.5 m, with scale factor k = 0.9970171.
TEST(ProjectionTest, SnyderEllipsoidalLambertExample) {
  const Projection p = Projection::from_proj_string(
      "+proj=lcc +lat_1=33 +lat_2=45 +lat_0=23 +lon_0=-96 +x_0=0 +y_0=0 +ellps=clrk66 "
      "+units=m +no_defs");
  EXPECT_EQ(p.kind(), ProjectionSpec::Kind::kCustom);
  const fwaq::ProjectedPoint xy = p.forward(-75.0, 35.0);
  EXPECT_NEAR(xy.x_m, 1894410.9, 0.1);
  EXPECT_NEAR(xy.y_m, 1564649.5, 0.1);
  EXPECT_NEAR(p.map_factor_x(-75.0, 35.0), 0.9970171, 1e-7);
  EXPECT_NEAR(p.map_factor_y(-75.0, 35.0), 0.9970171, 1e-7);
  const fwaq::GeoPoint back = p.inverse(1894410.9, 1564649.5);
  EXPECT_NEAR(back.lon_deg, -75.0, 1e-6);
  EXPECT_NEAR(back.lat_deg, 35.0, 1e-6);
}

// Snyder 1987, p. 295: the same projection on a unit sphere gives n = 0.6304777,
// x = 0.2966785, y = 0.2462112, k = 0.9970040 (R = 1).
TEST(ProjectionTest, SnyderSphericalLambertExample) {
  ProjectionSpec s;
  s.kind = ProjectionSpec::Kind::kLambertConformal;
  s.truelat1_deg = 33.0;
  s.truelat2_deg = 45.0;
  s.origin_lat_deg = 23.0;
  s.stand_lon_deg = -96.0;
  s.earth_radius_m = 1.0;
  const Projection p(s);
  const fwaq::ProjectedPoint xy = p.forward(-75.0, 35.0);
  EXPECT_NEAR(xy.x_m, 0.2966785, 1e-7);
  EXPECT_NEAR(xy.y_m, 0.2462112, 1e-7);
  EXPECT_NEAR(Projection::lambert_cone_constant(33.0, 45.0), 0.6304777, 1e-7);
  EXPECT_NEAR(p.map_factor_x(-75.0, 35.0), 0.9970040, 1e-7);
  EXPECT_DOUBLE_EQ(p.map_factor_x(-75.0, 35.0), p.map_factor_y(-75.0, 35.0));
}

// The analytic scale factor agrees with PROJ's numerical proj_factors() on the
// same sphere, is 1 on both standard parallels, and handles the tangent cone.
TEST(ProjectionTest, AnalyticLambertScaleMatchesProjFactors) {
  for (const auto& [t1, t2] : {std::pair{30.0, 60.0}, std::pair{30.0, 35.0},
                               std::pair{29.04, 29.04}, std::pair{-45.0, -20.0}}) {
    const Projection p = Projection::wrf_lambert(t1, t2, 10.0);
    const Projection q = Projection::from_proj_string(p.proj_string());
    EXPECT_NEAR(p.map_factor_x(10.0, t1), 1.0, 1e-12);
    EXPECT_NEAR(p.map_factor_x(10.0, t2), 1.0, 1e-12);
    for (double lat = -80.0; lat <= 80.0; lat += 5.0) {
      if (lat * t1 <= 0.0 && std::abs(lat) > 60.0) continue;  // far side of the cone
      for (double lon : {-60.0, 10.0, 95.0}) {
        const double k = q.map_factor_x(lon, lat);
        EXPECT_NEAR(p.map_factor_x(lon, lat), k, 1e-9 * k)
            << t1 << " " << t2 << " lon " << lon << " lat " << lat;
        EXPECT_NEAR(p.map_factor_y(lon, lat), q.map_factor_y(lon, lat), 1e-9 * k);
      }
    }
  }
  // Lat-lon: the x map factor is 1/cos(lat) (WRF's MAPFAC_MX for global grids).
  const Projection ll = Projection::lat_lon();
  EXPECT_NEAR(ll.map_factor_x(0.0, 60.0), 2.0, 1e-12);
  EXPECT_EQ(ll.map_factor_y(0.0, 60.0), 1.0);
}

// ---- round trips -----------------------------------------------------------------

TEST(ProjectionTest, ForwardInverseRoundTrip) {
  const Projection lcc = Projection::wrf_lambert(30.0, 60.0, -98.0);
  const Projection ll = Projection::lat_lon();
  const Projection tangent = Projection::wrf_lambert(29.04, 29.04, 89.8);
  for (const Projection* p : {&lcc, &ll, &tangent}) {
    for (double lat = -60.0; lat <= 85.0; lat += 7.3) {
      for (double lon = -179.0; lon <= 179.0; lon += 11.7) {
        if (p != &ll && lat < -30.0) continue;  // far side of a northern cone
        const fwaq::ProjectedPoint xy = p->forward(lon, lat);
        const fwaq::GeoPoint g = p->inverse(xy.x_m, xy.y_m);
        EXPECT_NEAR(g.lon_deg, lon, 1e-9) << p->proj_string();
        EXPECT_NEAR(g.lat_deg, lat, 1e-9) << p->proj_string();
      }
    }
  }
  // Lat-lon projected coordinates are R * lon, R * lat [m].
  const fwaq::ProjectedPoint xy = ll.forward(90.0, 45.0);
  EXPECT_NEAR(xy.x_m, 6370000.0 * std::numbers::pi / 2.0, 1e-6);
  EXPECT_NEAR(xy.y_m, 6370000.0 * std::numbers::pi / 4.0, 1e-6);
}

TEST(ProjectionTest, CloneAndMoveKeepWorking) {
  Projection a = Projection::wrf_lambert(30.0, 60.0, 10.0);
  const Projection b = a.clone();
  Projection c = std::move(a);
  const auto pb = b.forward(12.0, 50.0);
  const auto pc = c.forward(12.0, 50.0);
  EXPECT_EQ(pb.x_m, pc.x_m);
  EXPECT_EQ(pb.y_m, pc.y_m);
}

TEST(ProjectionTest, BadDescriptionsThrow) {
  EXPECT_THROW(Projection::wrf_lambert(30.0, -30.0, 0.0), fwaq::UsageError);
  EXPECT_THROW(Projection::wrf_lambert(90.0, 60.0, 0.0), fwaq::UsageError);
  EXPECT_THROW(Projection::wrf_lambert(30.0, 60.0, 0.0, -1.0), fwaq::UsageError);
  EXPECT_THROW(Projection::from_proj_string("+proj=nonsense"), fwaq::UsageError);
  EXPECT_THROW(Projection::from_proj_string("+proj=longlat +ellps=WGS84"), fwaq::UsageError);
  ProjectionSpec s;
  s.kind = ProjectionSpec::Kind::kCustom;
  EXPECT_THROW((Projection(s)), fwaq::UsageError);
  try {
    Projection::wrf_lambert(30.0, -30.0, 0.0);
  } catch (const fwaq::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("-30"), std::string::npos) << e.what();
  }
  // The south pole cannot be projected by a northern cone.
  const Projection p = Projection::wrf_lambert(30.0, 60.0, 0.0);
  EXPECT_THROW(p.forward(0.0, -90.0), fwaq::UsageError);
}

// ---- WRF sample files --------------------------------------------------------------

// geo_em from WPS geogrid: the full 200 x 200 domain, LCC 30/35N, 87E, 30 km.
TEST(HorizontalGridTest, MatchesWpsGeoEmCoordinates) {
  const std::string path = sample("geo_em_d01_lambert.nc");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "missing " << path;
  const netCDF::NcFile f(path, netCDF::NcFile::read);
  const HorizontalGrid g = wrf_full_domain(f);
  ASSERT_EQ(static_cast<std::size_t>(g.nx()), dimension(f, "west_east"));
  ASSERT_EQ(static_cast<std::size_t>(g.ny()), dimension(f, "south_north"));
  const std::vector<float> lat = variable(f, "XLAT_M");
  const std::vector<float> lon = variable(f, "XLONG_M");
  double worst = 0.0;
  for (int j = 0; j < g.ny(); ++j) {
    for (int i = 0; i < g.nx(); ++i) {
      const std::size_t c = g.mass(i, j);
      worst = std::max({worst, std::abs(g.lat(i, j) - lat[c]), std::abs(g.lon(i, j) - lon[c])});
    }
  }
  EXPECT_LT(worst, 1e-3) << "largest lat/lon difference [degrees]";
  RecordProperty("worst_latlon_difference_deg", sci(worst));
  // corner_lats/lons: the first four are the mass-grid corners SW, NW, NE, SE.
  std::vector<float> clat(16), clon(16);
  f.getAtt("corner_lats").getValues(clat.data());
  f.getAtt("corner_lons").getValues(clon.data());
  const int ci[4] = {0, 0, g.nx() - 1, g.nx() - 1};
  const int cj[4] = {0, g.ny() - 1, g.ny() - 1, 0};
  for (int k = 0; k < 4; ++k) {
    EXPECT_NEAR(g.lat(ci[k], cj[k]), clat[static_cast<std::size_t>(k)], 1e-3);
    EXPECT_NEAR(g.lon(ci[k], cj[k]), clon[static_cast<std::size_t>(k)], 1e-3);
  }
  // The outer corners of the staggered grid (entries 12..15: SW, NW, NE, SE).
  const double fi[4] = {-0.5, -0.5, g.nx() - 0.5, g.nx() - 0.5};
  const double fj[4] = {-0.5, g.ny() - 0.5, g.ny() - 0.5, -0.5};
  for (int k = 0; k < 4; ++k) {
    const fwaq::GeoPoint p = g.lonlat_at_index(fi[k], fj[k]);
    EXPECT_NEAR(p.lat_deg, clat[static_cast<std::size_t>(12 + k)], 1e-3);
    EXPECT_NEAR(p.lon_deg, clon[static_cast<std::size_t>(12 + k)], 1e-3);
  }
}

// wrfout cropped to 10 x 8 cells of the same 200 x 200 domain, with MAPFAC_*.
TEST(HorizontalGridTest, MatchesWrfoutCoordinatesAndMapFactors) {
  const std::string path = sample("wrf_d01_allvars_cropped.nc");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "missing " << path;
  const netCDF::NcFile f(path, netCDF::NcFile::read);
  const int nx = static_cast<int>(dimension(f, "west_east"));
  const int ny = static_cast<int>(dimension(f, "south_north"));
  const std::vector<float> lat = variable(f, "XLAT");
  const std::vector<float> lon = variable(f, "XLONG");
  const HorizontalGrid g = wrf_window(wrf_full_domain(f), lon[0], lat[0], nx, ny);
  const std::vector<float> mfm = variable(f, "MAPFAC_M");
  const std::vector<float> mfmx = variable(f, "MAPFAC_MX");
  const std::vector<float> mfmy = variable(f, "MAPFAC_MY");
  const std::vector<float> mfu = variable(f, "MAPFAC_U");
  const std::vector<float> mfv = variable(f, "MAPFAC_V");
  double worst_deg = 0.0;
  double worst_mf = 0.0;
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      const std::size_t c = g.mass(i, j);
      worst_deg =
          std::max({worst_deg, std::abs(g.lat(i, j) - lat[c]), std::abs(g.lon(i, j) - lon[c])});
      worst_mf = std::max(worst_mf, std::abs(g.mapfac_mx(i, j) - mfm[c]));
    }
  }
  RecordProperty("worst_latlon_difference_deg", sci(worst_deg));
  RecordProperty("worst_mapfac_m_difference", sci(worst_mf));
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      const std::size_t c = g.mass(i, j);
      EXPECT_NEAR(g.lat(i, j), lat[c], 1e-3) << i << "," << j;
      EXPECT_NEAR(g.lon(i, j), lon[c], 1e-3) << i << "," << j;
      EXPECT_NEAR(g.mapfac_mx(i, j), mfm[c], 1e-4) << i << "," << j;
      EXPECT_NEAR(g.mapfac_mx(i, j), mfmx[c], 1e-4);
      EXPECT_NEAR(g.mapfac_my(i, j), mfmy[c], 1e-4);
      EXPECT_NEAR(g.cell_area(i, j), g.dx() * g.dy() / (mfm[c] * mfm[c]), 1e-4 * g.cell_area(i, j));
    }
  }
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i <= nx; ++i) {
      EXPECT_NEAR(g.mapfac_ux(i, j), mfu[g.uidx(i, j)], 1e-4) << i << "," << j;
      EXPECT_NEAR(g.face_length_x(i, j), g.dy() / mfu[g.uidx(i, j)], 1e-4 * g.dy());
    }
  }
  for (int j = 0; j <= ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      EXPECT_NEAR(g.mapfac_vy(i, j), mfv[g.vidx(i, j)], 1e-4) << i << "," << j;
      EXPECT_NEAR(g.face_length_y(i, j), g.dx() / mfv[g.vidx(i, j)], 1e-4 * g.dx());
    }
  }
}

// A different domain: tangent cone (TRUELAT1 = TRUELAT2 = 29.04), 150 x 150 cells,
// CEN_LON (89.79999) slightly off STAND_LON (89.8); file cropped to 26 x 26.
TEST(HorizontalGridTest, MatchesWrfoutTangentConeCoordinates) {
  const std::string path = sample("wrf_cropped.nc");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "missing " << path;
  const netCDF::NcFile f(path, netCDF::NcFile::read);
  const int nx = static_cast<int>(dimension(f, "west_east"));
  const int ny = static_cast<int>(dimension(f, "south_north"));
  const std::vector<float> lat = variable(f, "XLAT");  // (Time, sn, we): first time first
  const std::vector<float> lon = variable(f, "XLONG");
  const HorizontalGrid g = wrf_window(wrf_full_domain(f), lon[0], lat[0], nx, ny);
  double worst = 0.0;
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      EXPECT_NEAR(g.lat(i, j), lat[g.mass(i, j)], 1e-3) << i << "," << j;
      EXPECT_NEAR(g.lon(i, j), lon[g.mass(i, j)], 1e-3) << i << "," << j;
      worst = std::max({worst, std::abs(g.lat(i, j) - lat[g.mass(i, j)]),
                        std::abs(g.lon(i, j) - lon[g.mass(i, j)])});
    }
  }
  RecordProperty("worst_latlon_difference_deg", sci(worst));
}

// ---- geometry ------------------------------------------------------------------------

// LCC cell areas dx dy / m^2 agree with the exact spherical area of each cell's
// great-circle corner quadrilateral (observed: 3e-12 relative at 12 km, growing
// with the fourth power of the cell size); windows and index look-ups agree.
TEST(HorizontalGridTest, LambertAreasMatchSphericalQuadrilaterals) {
  auto proj = std::make_shared<const Projection>(Projection::wrf_lambert(30.0, 60.0, 10.0));
  const HorizontalGrid g = HorizontalGrid::centred(proj, 60, 50, 12000.0, 12000.0, 10.0, 50.0);
  const double r = proj->earth_radius_m();
  double worst = 0.0;
  for (int j = 0; j < g.ny(); j += 7) {
    for (int i = 0; i < g.nx(); i += 7) {
      const fwaq::GeoPoint c[4] = {
          g.lonlat_at_index(i - 0.5, j - 0.5), g.lonlat_at_index(i + 0.5, j - 0.5),
          g.lonlat_at_index(i + 0.5, j + 0.5), g.lonlat_at_index(i - 0.5, j + 0.5)};
      const double exact = spherical_quad_area(c, r);
      EXPECT_NEAR(g.cell_area(i, j), exact, 1e-9 * exact);
      worst = std::max(worst, std::abs(g.cell_area(i, j) / exact - 1.0));
      EXPECT_DOUBLE_EQ(g.cell_width_x(i, j), g.dx() / g.mapfac_mx(i, j));
    }
  }
  RecordProperty("worst_relative_area_difference", sci(worst));
  // Centre of the domain at the requested point; index_of inverts lonlat_at_index.
  const auto [fi, fj] = g.index_of(10.0, 50.0);
  EXPECT_NEAR(fi, 29.5, 1e-9);
  EXPECT_NEAR(fj, 24.5, 1e-9);
  const fwaq::GeoPoint p = g.lonlat_at_index(3.25, 41.75);
  const auto [bi, bj] = g.index_of(p.lon_deg, p.lat_deg);
  EXPECT_NEAR(bi, 3.25, 1e-9);
  EXPECT_NEAR(bj, 41.75, 1e-9);
  // A window shares the parent's numbers.
  const HorizontalGrid w = g.window(5, 7, 10, 9);
  EXPECT_EQ(w.lat(2, 3), g.lat(7, 10));
  EXPECT_EQ(w.face_length_x(10, 8), g.face_length_x(15, 15));
  EXPECT_EQ(w.face_length_y(9, 9), g.face_length_y(14, 16));
  EXPECT_THROW(g.window(55, 0, 10, 5), fwaq::UsageError);
}

// Lat-lon cells: exact spherical zone areas; the globe sums to 4 pi R^2.
TEST(HorizontalGridTest, LatLonAreasSumToExactSphericalArea) {
  const double r = 6370000.0;
  const HorizontalGrid globe = HorizontalGrid::lat_lon(360, 180, -179.5, -89.5, 1.0, 1.0, r);
  EXPECT_NEAR(globe.total_area(), 4.0 * std::numbers::pi * r * r, 1e-10 * 4.0 * r * r);
  EXPECT_NEAR(globe.face_length_y(17, 0), 0.0, 1e-6);    // south pole
  EXPECT_NEAR(globe.face_length_y(17, 180), 0.0, 1e-6);  // north pole

  // A regional 0.25-degree grid: 10-20E, 40-50N (cell edges), i.e. a zone segment.
  const HorizontalGrid g = HorizontalGrid::lat_lon(40, 40, 10.125, 40.125, 0.25, 0.25, r);
  const double exact = r * r * (10.0 * kDeg) * (std::sin(50.0 * kDeg) - std::sin(40.0 * kDeg));
  EXPECT_NEAR(g.total_area(), exact, 1e-12 * exact);
  EXPECT_NEAR(g.lon(39, 0), 19.875, 1e-12);
  EXPECT_NEAR(g.lat(0, 39), 49.875, 1e-12);
  EXPECT_NEAR(g.mapfac_mx(0, 20), 1.0 / std::cos(45.125 * kDeg), 1e-12);
  EXPECT_EQ(g.mapfac_my(0, 20), 1.0);
  EXPECT_NEAR(g.face_length_x(0, 0), r * 0.25 * kDeg, 1e-9);
  EXPECT_NEAR(g.face_length_y(0, 0), r * std::cos(40.0 * kDeg) * 0.25 * kDeg, 1e-9);
  EXPECT_NEAR(g.dx_at(3, 20), r * std::cos(45.125 * kDeg) * 0.25 * kDeg, 1e-9);
  EXPECT_NEAR(g.dy_at(3, 20), r * 0.25 * kDeg, 1e-9);
  // index_of wraps longitudes.
  const auto [fi, fj] = globe.index_of(180.75, 0.0);  // = -179.25, in cell 0
  EXPECT_NEAR(fi, 0.25, 1e-12);
  EXPECT_NEAR(fj, 89.5, 1e-12);
}

// A lat-lon grid built through the general constructor (projected metres) is the
// same grid as the lat_lon() factory.
TEST(HorizontalGridTest, LatLonFromProjectedSpacing) {
  const double r = 6370000.0;
  auto proj = std::make_shared<const Projection>(Projection::lat_lon(r));
  const HorizontalGrid a(proj, 8, 6, r * 0.5 * kDeg, r * 0.5 * kDeg, r * 5.0 * kDeg,
                         r * 45.0 * kDeg);
  const HorizontalGrid b = HorizontalGrid::lat_lon(8, 6, 5.0, 45.0, 0.5, 0.5, r);
  ASSERT_TRUE(a.is_lat_lon());
  EXPECT_NEAR(a.dlon_deg(), 0.5, 1e-12);
  for (int j = 0; j < 6; ++j) {
    for (int i = 0; i < 8; ++i) {
      EXPECT_NEAR(a.cell_area(i, j), b.cell_area(i, j), 1e-9 * b.cell_area(i, j));
      EXPECT_NEAR(a.lon(i, j), b.lon(i, j), 1e-12);
      EXPECT_NEAR(a.lat(i, j), b.lat(i, j), 1e-12);
    }
  }
}

TEST(HorizontalGridTest, BadGridsThrow) {
  EXPECT_THROW(HorizontalGrid::lat_lon(10, 10, 0.0, 85.5, 1.0, 1.0), fwaq::UsageError);
  EXPECT_THROW(HorizontalGrid::lat_lon(361, 10, 0.0, 0.0, 1.0, 1.0), fwaq::UsageError);
  EXPECT_THROW(HorizontalGrid::lat_lon(0, 10, 0.0, 0.0, 1.0, 1.0), fwaq::UsageError);
  EXPECT_THROW(HorizontalGrid::lat_lon(10, 10, 0.0, 0.0, -1.0, 1.0), fwaq::UsageError);
  auto proj = std::make_shared<const Projection>(Projection::wrf_lambert(30.0, 60.0, 0.0));
  EXPECT_THROW(HorizontalGrid::centred(proj, 10, 10, 0.0, 1000.0, 0.0, 45.0), fwaq::UsageError);
  EXPECT_THROW(HorizontalGrid::centred(nullptr, 10, 10, 1000.0, 1000.0, 0.0, 45.0),
               fwaq::UsageError);
  try {
    HorizontalGrid::lat_lon(10, 10, 0.0, 85.5, 1.0, 1.0);
  } catch (const fwaq::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("95"), std::string::npos) << e.what();
  }
}

}  // namespace

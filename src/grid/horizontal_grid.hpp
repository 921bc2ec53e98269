#pragma once
// Horizontal model grid: an Arakawa C grid of nx * ny cells on a map projection.
//
// Index conventions (0-based, i along x / west-east, j along y / south-north):
//   cell (mass) points  (i, j), i in [0, nx),  j in [0, ny)   ~ WRF XLAT/XLONG, MAPFAC_M
//   x-faces (u points)  (i, j), i in [0, nx],  j in [0, ny)   face i is the WEST face of cell i
//   y-faces (v points)  (i, j), i in [0, nx),  j in [0, ny]   face j is the SOUTH face of cell j
// Arrays are stored row-major with i fastest: index = j * (row length) + i.
//
// Geometry for flux-form transport (true distances on the earth, [m]):
//   air mass in a cell       = rho [kg m-3] * dz [m] * cell_area(i, j) [m2]
//   mass flux through x-face = rho * u [m s-1] * dz * face_length_x(i, j) [m]   [kg s-1]
//   mass flux through y-face = rho * v * dz * face_length_y(i, j)
//
// Projected (LCC) grids, WRF style (Skamarock et al. 2019, sect. 2.2/3.1):
//   cell_area = dx * dy / (m_x * m_y) at the cell centre,
//   face_length_x = dy / m_y at the u point, face_length_y = dx / m_x at the v point.
// Regular lat-lon grids on a sphere of radius R use exact spherical geometry:
//   cell_area = R^2 * dlon_rad * (sin(lat_north) - sin(lat_south)),
//   face_length_x = R * dlat_rad, face_length_y = R * cos(lat_face) * dlon_rad,
// and the WRF lat-lon map factors m_x = 1 / cos(lat), m_y = 1 relative to the
// projected spacings dx = R * dlon_rad, dy = R * dlat_rad.
#include <memory>
#include <utility>
#include <vector>

#include "grid/projection.hpp"

namespace fwaq {

class HorizontalGrid {
 public:
  /// Grid on a projection, given the projected coordinates of the centre of cell
  /// (0, 0): x0_m, y0_m [m]; cell spacing dx_m, dy_m [m] in projected coordinates.
  /// For a lat-lon projection use lat_lon() instead. Throws fwaq::UsageError on
  /// nx, ny < 1, dx, dy <= 0, or cells PROJ cannot invert.
  HorizontalGrid(std::shared_ptr<const Projection> projection, int nx, int ny, double dx_m,
                 double dy_m, double x0_m, double y0_m);

  /// Grid whose point at fractional cell index (ref_i, ref_j) lies at (ref_lon,
  /// ref_lat) [degrees] (as WPS ref_x/ref_y, but 0-based on the mass grid).
  static HorizontalGrid anchored(std::shared_ptr<const Projection> projection, int nx, int ny,
                                 double dx_m, double dy_m, double ref_lon_deg, double ref_lat_deg,
                                 double ref_i, double ref_j);

  /// WRF-style grid centred on (cen_lon, cen_lat) [degrees]: the domain centre,
  /// i.e. the cell index ((nx - 1) / 2, (ny - 1) / 2), lies at the given point.
  static HorizontalGrid centred(std::shared_ptr<const Projection> projection, int nx, int ny,
                                double dx_m, double dy_m, double cen_lon_deg, double cen_lat_deg);

  /// Regular lat-lon grid: (lon0, lat0) [degrees] is the centre of cell (0, 0),
  /// dlon, dlat [degrees] the spacings, R [m] the sphere radius. All cell edges must
  /// lie within [-90, 90] degrees latitude and nx * dlon must not exceed 360.
  static HorizontalGrid lat_lon(int nx, int ny, double lon0_deg, double lat0_deg, double dlon_deg,
                                double dlat_deg, double earth_radius_m = 6370000.0);

  /// The sub-grid of nx * ny cells whose cell (0, 0) is this grid's cell (i0, j0)
  /// (e.g. a cropped file or an MPI sub-domain). Throws fwaq::UsageError if the
  /// window does not fit.
  HorizontalGrid window(int i0, int j0, int nx, int ny) const;

  // ---- sizes and spacings -------------------------------------------------
  int nx() const { return nx_; }
  int ny() const { return ny_; }
  /// Projected grid spacing along x [m] (lat-lon: R * dlon_rad).
  double dx() const { return dx_; }
  /// Projected grid spacing along y [m] (lat-lon: R * dlat_rad).
  double dy() const { return dy_; }
  bool is_lat_lon() const { return lat_lon_; }
  /// Lat-lon grids only: spacings and centre of cell (0, 0) [degrees].
  double dlon_deg() const { return dlon_deg_; }
  double dlat_deg() const { return dlat_deg_; }
  double lon0_deg() const { return lon0_deg_; }
  double lat0_deg() const { return lat0_deg_; }
  const Projection& projection() const { return *projection_; }
  const std::shared_ptr<const Projection>& projection_ptr() const { return projection_; }

  // ---- coordinates ----------------------------------------------------------
  /// Projected x of the centre of column i [m]; fractional i allowed.
  double x_at(double i) const { return x0_ + i * dx_; }
  /// Projected y of the centre of row j [m]; fractional j allowed.
  double y_at(double j) const { return y0_ + j * dy_; }
  /// Cell-centre longitude [degrees east].
  double lon(int i, int j) const { return lon_[mass(i, j)]; }
  /// Cell-centre latitude [degrees north].
  double lat(int i, int j) const { return lat_[mass(i, j)]; }
  const std::vector<double>& lon_array() const { return lon_; }
  const std::vector<double>& lat_array() const { return lat_; }
  /// (lon, lat) [degrees] of the point at fractional cell index (fi, fj); e.g.
  /// (i - 0.5, j - 0.5) is the south-west corner of cell (i, j).
  GeoPoint lonlat_at_index(double fi, double fj) const;
  /// Fractional cell index (fi, fj) of the point (lon, lat) [degrees]: the point
  /// lies in cell (round(fi), round(fj)) if that cell exists.
  std::pair<double, double> index_of(double lon_deg, double lat_deg) const;

  // ---- map-scale factors (dimensionless; names as the WRF variables) -------
  double mapfac_mx(int i, int j) const { return mx_[mass(i, j)]; }
  double mapfac_my(int i, int j) const { return my_[mass(i, j)]; }
  double mapfac_ux(int i, int j) const { return ux_[uidx(i, j)]; }
  double mapfac_uy(int i, int j) const { return uy_[uidx(i, j)]; }
  double mapfac_vx(int i, int j) const { return vx_[vidx(i, j)]; }
  double mapfac_vy(int i, int j) const { return vy_[vidx(i, j)]; }

  // ---- true geometry on the earth --------------------------------------------
  /// Horizontal area of cell (i, j) [m2].
  double cell_area(int i, int j) const { return area_[mass(i, j)]; }
  /// Sum of all cell areas [m2].
  double total_area() const;
  /// Length [m] of x-face i of row j (normal to x, west face of cell i), i in [0, nx].
  double face_length_x(int i, int j) const { return flx_[uidx(i, j)]; }
  /// Length [m] of y-face j of column i (normal to y, south face of cell j), j in [0, ny].
  double face_length_y(int i, int j) const { return fly_[vidx(i, j)]; }
  /// Distance [m] between the centres of cells (i-1, j) and (i, j), measured at
  /// x-face i (i in [0, nx]; at i = 0 and nx one centre lies outside the grid).
  double dx_at(int i, int j) const { return dxu_[uidx(i, j)]; }
  /// Distance [m] between the centres of cells (i, j-1) and (i, j), at y-face j
  /// (j in [0, ny]).
  double dy_at(int i, int j) const { return dyv_[vidx(i, j)]; }
  /// Width [m] of cell (i, j) along x through its centre (dx / m_x).
  double cell_width_x(int i, int j) const { return dx_ / mx_[mass(i, j)]; }
  /// Width [m] of cell (i, j) along y through its centre (dy / m_y).
  double cell_width_y(int i, int j) const { return dy_ / my_[mass(i, j)]; }

  /// Flat index of a cell (i fastest).
  std::size_t mass(int i, int j) const {
    return static_cast<std::size_t>(j) * static_cast<std::size_t>(nx_) +
           static_cast<std::size_t>(i);
  }
  /// Flat index of an x-face (row length nx + 1).
  std::size_t uidx(int i, int j) const {
    return static_cast<std::size_t>(j) * static_cast<std::size_t>(nx_ + 1) +
           static_cast<std::size_t>(i);
  }
  /// Flat index of a y-face (row length nx).
  std::size_t vidx(int i, int j) const { return mass(i, j); }

 private:
  HorizontalGrid() = default;
  void validate_sizes() const;
  void compute_projected();
  void compute_lat_lon();

  std::shared_ptr<const Projection> projection_;
  int nx_ = 0;
  int ny_ = 0;
  double dx_ = 0.0;  // [m]
  double dy_ = 0.0;  // [m]
  double x0_ = 0.0;  // projected x of cell (0, 0) centre [m]
  double y0_ = 0.0;  // projected y of cell (0, 0) centre [m]
  bool lat_lon_ = false;
  double lon0_deg_ = 0.0, lat0_deg_ = 0.0, dlon_deg_ = 0.0, dlat_deg_ = 0.0;

  std::vector<double> lon_, lat_;                    // cell centres [degrees]
  std::vector<double> mx_, my_, ux_, uy_, vx_, vy_;  // map factors
  std::vector<double> area_;                         // [m2], mass points
  std::vector<double> flx_, dxu_;                    // [m], u points
  std::vector<double> fly_, dyv_;                    // [m], v points
};

}  // namespace fwaq

#include "grid/horizontal_grid.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>
#include <string>

#include "core/error.hpp"

namespace fwaq {

namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;
constexpr double kRadToDeg = 180.0 / std::numbers::pi;

std::string num(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

}  // namespace

void HorizontalGrid::validate_sizes() const {
  if (projection_ == nullptr) throw UsageError("horizontal grid: no projection given");
  if (nx_ < 1 || ny_ < 1) {
    throw UsageError("horizontal grid: nx and ny must be at least 1, got nx = " +
                     std::to_string(nx_) + ", ny = " + std::to_string(ny_));
  }
  if (!(dx_ > 0.0) || !(dy_ > 0.0) || !std::isfinite(dx_) || !std::isfinite(dy_)) {
    throw UsageError("horizontal grid: dx and dy must be positive and finite, got dx = " +
                     num(dx_) + " m, dy = " + num(dy_) + " m");
  }
  if (!std::isfinite(x0_) || !std::isfinite(y0_)) {
    throw UsageError("horizontal grid: origin must be finite, got x0 = " + num(x0_) +
                     " m, y0 = " + num(y0_) + " m");
  }
}

HorizontalGrid::HorizontalGrid(std::shared_ptr<const Projection> projection, int nx, int ny,
                               double dx_m, double dy_m, double x0_m, double y0_m)
    : projection_(std::move(projection)),
      nx_(nx),
      ny_(ny),
      dx_(dx_m),
      dy_(dy_m),
      x0_(x0_m),
      y0_(y0_m) {
  validate_sizes();
  if (projection_->kind() == ProjectionSpec::Kind::kLatLon) {
    // Projected lat-lon coordinates are x = R * lon, y = R * lat (lon, lat in rad).
    const double r = projection_->earth_radius_m();
    lat_lon_ = true;
    lon0_deg_ = x0_ / r * kRadToDeg;
    lat0_deg_ = y0_ / r * kRadToDeg;
    dlon_deg_ = dx_ / r * kRadToDeg;
    dlat_deg_ = dy_ / r * kRadToDeg;
    compute_lat_lon();
  } else {
    compute_projected();
  }
}

HorizontalGrid HorizontalGrid::anchored(std::shared_ptr<const Projection> projection, int nx,
                                        int ny, double dx_m, double dy_m, double ref_lon_deg,
                                        double ref_lat_deg, double ref_i, double ref_j) {
  if (projection == nullptr) throw UsageError("horizontal grid: no projection given");
  const ProjectedPoint p = projection->forward(ref_lon_deg, ref_lat_deg);
  return HorizontalGrid(std::move(projection), nx, ny, dx_m, dy_m, p.x_m - ref_i * dx_m,
                        p.y_m - ref_j * dy_m);
}

HorizontalGrid HorizontalGrid::centred(std::shared_ptr<const Projection> projection, int nx, int ny,
                                       double dx_m, double dy_m, double cen_lon_deg,
                                       double cen_lat_deg) {
  return anchored(std::move(projection), nx, ny, dx_m, dy_m, cen_lon_deg, cen_lat_deg,
                  0.5 * (nx - 1), 0.5 * (ny - 1));
}

HorizontalGrid HorizontalGrid::lat_lon(int nx, int ny, double lon0_deg, double lat0_deg,
                                       double dlon_deg, double dlat_deg, double earth_radius_m) {
  HorizontalGrid g;
  g.projection_ = std::make_shared<const Projection>(Projection::lat_lon(earth_radius_m));
  g.nx_ = nx;
  g.ny_ = ny;
  g.lat_lon_ = true;
  g.lon0_deg_ = lon0_deg;
  g.lat0_deg_ = lat0_deg;
  g.dlon_deg_ = dlon_deg;
  g.dlat_deg_ = dlat_deg;
  g.dx_ = earth_radius_m * dlon_deg * kDegToRad;
  g.dy_ = earth_radius_m * dlat_deg * kDegToRad;
  g.x0_ = earth_radius_m * lon0_deg * kDegToRad;
  g.y0_ = earth_radius_m * lat0_deg * kDegToRad;
  g.validate_sizes();
  g.compute_lat_lon();
  return g;
}

void HorizontalGrid::compute_projected() {
  const Projection& p = *projection_;
  const std::size_t nm = static_cast<std::size_t>(nx_) * static_cast<std::size_t>(ny_);
  const std::size_t nu = static_cast<std::size_t>(nx_ + 1) * static_cast<std::size_t>(ny_);
  const std::size_t nv = static_cast<std::size_t>(nx_) * static_cast<std::size_t>(ny_ + 1);
  lon_.resize(nm);
  lat_.resize(nm);
  mx_.resize(nm);
  my_.resize(nm);
  area_.resize(nm);
  ux_.resize(nu);
  uy_.resize(nu);
  flx_.resize(nu);
  dxu_.resize(nu);
  vx_.resize(nv);
  vy_.resize(nv);
  fly_.resize(nv);
  dyv_.resize(nv);

  for (int j = 0; j < ny_; ++j) {
    for (int i = 0; i < nx_; ++i) {
      const GeoPoint g = p.inverse(x_at(i), y_at(j));
      const std::size_t c = mass(i, j);
      lon_[c] = g.lon_deg;
      lat_[c] = g.lat_deg;
      mx_[c] = p.map_factor_x(g.lon_deg, g.lat_deg);
      my_[c] = p.map_factor_y(g.lon_deg, g.lat_deg);
      area_[c] = dx_ * dy_ / (mx_[c] * my_[c]);
    }
  }
  for (int j = 0; j < ny_; ++j) {
    for (int i = 0; i <= nx_; ++i) {
      const GeoPoint g = p.inverse(x_at(i - 0.5), y_at(j));
      const std::size_t c = uidx(i, j);
      ux_[c] = p.map_factor_x(g.lon_deg, g.lat_deg);
      uy_[c] = p.map_factor_y(g.lon_deg, g.lat_deg);
      flx_[c] = dy_ / uy_[c];
      dxu_[c] = dx_ / ux_[c];
    }
  }
  for (int j = 0; j <= ny_; ++j) {
    for (int i = 0; i < nx_; ++i) {
      const GeoPoint g = p.inverse(x_at(i), y_at(j - 0.5));
      const std::size_t c = vidx(i, j);
      vx_[c] = p.map_factor_x(g.lon_deg, g.lat_deg);
      vy_[c] = p.map_factor_y(g.lon_deg, g.lat_deg);
      fly_[c] = dx_ / vx_[c];
      dyv_[c] = dy_ / vy_[c];
    }
  }
}

void HorizontalGrid::compute_lat_lon() {
  const double r = projection_->earth_radius_m();
  const double lat_south = lat0_deg_ - 0.5 * dlat_deg_;
  const double lat_north = lat0_deg_ + (ny_ - 0.5) * dlat_deg_;
  constexpr double kTol = 1e-9;  // [degrees]
  if (lat_south < -90.0 - kTol || lat_north > 90.0 + kTol) {
    throw UsageError("lat-lon grid: cell edges span latitudes " + num(lat_south) + " to " +
                     num(lat_north) + " degrees, outside [-90, 90] (lat0 = " + num(lat0_deg_) +
                     ", dlat = " + num(dlat_deg_) + ", ny = " + std::to_string(ny_) + ")");
  }
  if (nx_ * dlon_deg_ > 360.0 + kTol) {
    throw UsageError("lat-lon grid: nx * dlon = " + num(nx_ * dlon_deg_) +
                     " degrees exceeds 360 (nx = " + std::to_string(nx_) +
                     ", dlon = " + num(dlon_deg_) + ")");
  }
  if (!std::isfinite(lon0_deg_)) {
    throw UsageError("lat-lon grid: lon0 must be finite, got " + num(lon0_deg_));
  }
  // Latitude [rad] of row centre j (fractional j allowed), clamped to the poles.
  auto phi = [&](double j) {
    const double d = std::clamp(lat0_deg_ + j * dlat_deg_, -90.0, 90.0);
    return d * kDegToRad;
  };
  const double dlam = dlon_deg_ * kDegToRad;  // [rad]
  const double dphi = dlat_deg_ * kDegToRad;  // [rad]

  const std::size_t nm = static_cast<std::size_t>(nx_) * static_cast<std::size_t>(ny_);
  const std::size_t nu = static_cast<std::size_t>(nx_ + 1) * static_cast<std::size_t>(ny_);
  const std::size_t nv = static_cast<std::size_t>(nx_) * static_cast<std::size_t>(ny_ + 1);
  lon_.resize(nm);
  lat_.resize(nm);
  mx_.resize(nm);
  my_.resize(nm);
  area_.resize(nm);
  ux_.resize(nu);
  uy_.resize(nu);
  flx_.resize(nu);
  dxu_.resize(nu);
  vx_.resize(nv);
  vy_.resize(nv);
  fly_.resize(nv);
  dyv_.resize(nv);

  for (int j = 0; j < ny_; ++j) {
    const double pc = phi(j);
    // Exact area of a spherical zone segment: R^2 dlon (sin lat_n - sin lat_s).
    const double zone = r * r * dlam * (std::sin(phi(j + 0.5)) - std::sin(phi(j - 0.5)));
    for (int i = 0; i < nx_; ++i) {
      const std::size_t c = mass(i, j);
      lon_[c] = lon0_deg_ + i * dlon_deg_;
      lat_[c] = lat0_deg_ + j * dlat_deg_;
      mx_[c] = 1.0 / std::cos(pc);
      my_[c] = 1.0;
      area_[c] = zone;
    }
    for (int i = 0; i <= nx_; ++i) {
      const std::size_t c = uidx(i, j);
      ux_[c] = 1.0 / std::cos(pc);
      uy_[c] = 1.0;
      flx_[c] = r * dphi;                 // a meridian segment
      dxu_[c] = r * std::cos(pc) * dlam;  // along the parallel through the centres
    }
  }
  for (int j = 0; j <= ny_; ++j) {
    const double pv = phi(j - 0.5);
    for (int i = 0; i < nx_; ++i) {
      const std::size_t c = vidx(i, j);
      vx_[c] = 1.0 / std::cos(pv);
      vy_[c] = 1.0;
      fly_[c] = r * std::cos(pv) * dlam;  // a parallel segment (0 at a pole)
      dyv_[c] = r * dphi;
    }
  }
}

HorizontalGrid HorizontalGrid::window(int i0, int j0, int nx, int ny) const {
  if (i0 < 0 || j0 < 0 || nx < 1 || ny < 1 || i0 + nx > nx_ || j0 + ny > ny_) {
    throw UsageError("horizontal grid: window i0 = " + std::to_string(i0) +
                     ", j0 = " + std::to_string(j0) + ", nx = " + std::to_string(nx) +
                     ", ny = " + std::to_string(ny) + " does not fit in a " + std::to_string(nx_) +
                     " x " + std::to_string(ny_) + " grid");
  }
  HorizontalGrid w;
  w.projection_ = projection_;
  w.nx_ = nx;
  w.ny_ = ny;
  w.dx_ = dx_;
  w.dy_ = dy_;
  w.x0_ = x_at(i0);
  w.y0_ = y_at(j0);
  w.lat_lon_ = lat_lon_;
  w.dlon_deg_ = dlon_deg_;
  w.dlat_deg_ = dlat_deg_;
  w.lon0_deg_ = lon0_deg_ + i0 * dlon_deg_;
  w.lat0_deg_ = lat0_deg_ + j0 * dlat_deg_;

  auto copy_block = [](const std::vector<double>& src, int src_row, int ci, int cj, int cols,
                       int rows, std::vector<double>& dst) {
    dst.resize(static_cast<std::size_t>(cols) * static_cast<std::size_t>(rows));
    for (int j = 0; j < rows; ++j) {
      for (int i = 0; i < cols; ++i) {
        dst[static_cast<std::size_t>(j) * static_cast<std::size_t>(cols) +
            static_cast<std::size_t>(i)] =
            src[static_cast<std::size_t>(j + cj) * static_cast<std::size_t>(src_row) +
                static_cast<std::size_t>(i + ci)];
      }
    }
  };
  copy_block(lon_, nx_, i0, j0, nx, ny, w.lon_);
  copy_block(lat_, nx_, i0, j0, nx, ny, w.lat_);
  copy_block(mx_, nx_, i0, j0, nx, ny, w.mx_);
  copy_block(my_, nx_, i0, j0, nx, ny, w.my_);
  copy_block(area_, nx_, i0, j0, nx, ny, w.area_);
  copy_block(ux_, nx_ + 1, i0, j0, nx + 1, ny, w.ux_);
  copy_block(uy_, nx_ + 1, i0, j0, nx + 1, ny, w.uy_);
  copy_block(flx_, nx_ + 1, i0, j0, nx + 1, ny, w.flx_);
  copy_block(dxu_, nx_ + 1, i0, j0, nx + 1, ny, w.dxu_);
  copy_block(vx_, nx_, i0, j0, nx, ny + 1, w.vx_);
  copy_block(vy_, nx_, i0, j0, nx, ny + 1, w.vy_);
  copy_block(fly_, nx_, i0, j0, nx, ny + 1, w.fly_);
  copy_block(dyv_, nx_, i0, j0, nx, ny + 1, w.dyv_);
  return w;
}

double HorizontalGrid::total_area() const {
  double sum = 0.0;
  for (double a : area_) sum += a;
  return sum;
}

GeoPoint HorizontalGrid::lonlat_at_index(double fi, double fj) const {
  if (lat_lon_) return {lon0_deg_ + fi * dlon_deg_, lat0_deg_ + fj * dlat_deg_};
  return projection_->inverse(x_at(fi), y_at(fj));
}

std::pair<double, double> HorizontalGrid::index_of(double lon_deg, double lat_deg) const {
  if (lat_lon_) {
    // Bring the longitude into [lon0 - dlon/2, lon0 - dlon/2 + 360).
    const double west = lon0_deg_ - 0.5 * dlon_deg_;
    const double lon = west + std::fmod(std::fmod(lon_deg - west, 360.0) + 360.0, 360.0);
    return {(lon - lon0_deg_) / dlon_deg_, (lat_deg - lat0_deg_) / dlat_deg_};
  }
  const ProjectedPoint p = projection_->forward(lon_deg, lat_deg);
  return {(p.x_m - x0_) / dx_, (p.y_m - y0_) / dy_};
}

}  // namespace fwaq

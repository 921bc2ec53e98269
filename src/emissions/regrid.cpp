#include "emissions/regrid.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>

#include "core/error.hpp"
#include "grid/horizontal_grid.hpp"

namespace fwaq::emissions {

namespace {
constexpr double kDeg = std::numbers::pi / 180.0;
}

ConservativeRegridder::ConservativeRegridder(const LatLonGridSpec& src, const HorizontalGrid& dst,
                                             int subsamples) {
  if (subsamples < 1) {
    throw UsageError("regridding needs at least 1 sub-sample per source cell, got " +
                     std::to_string(subsamples));
  }
  const int n = subsamples;
  const int nx = dst.nx(), ny = dst.ny();
  target_size_ = static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny);

  // Bounding box of the model domain in lon/lat from points along its outer edges.
  double lon_min = 1e9, lon_max = -1e9, lat_min = 1e9, lat_max = -1e9;
  auto take = [&](double fi, double fj) {
    const GeoPoint p = dst.lonlat_at_index(fi, fj);
    lon_min = std::min(lon_min, p.lon_deg);
    lon_max = std::max(lon_max, p.lon_deg);
    lat_min = std::min(lat_min, p.lat_deg);
    lat_max = std::max(lat_max, p.lat_deg);
  };
  for (int i = 0; i <= 2 * nx; ++i) {
    take(-0.5 + 0.5 * i, -0.5);
    take(-0.5 + 0.5 * i, ny - 0.5);
  }
  for (int j = 0; j <= 2 * ny; ++j) {
    take(-0.5, -0.5 + 0.5 * j);
    take(nx - 0.5, -0.5 + 0.5 * j);
  }
  // Margin: edges of a projected grid bulge between sampled points; one model cell is ample.
  const double margin_lat = 2.0 * dst.dy() / (6370000.0 * kDeg) + 1e-6;
  const double coslat = std::cos(std::max(std::abs(lat_min), std::abs(lat_max)) * kDeg);
  const double margin_lon = 2.0 * dst.dx() / (6370000.0 * kDeg * std::max(coslat, 0.01)) + 1e-6;
  const bool whole_globe_lon = dst.is_lat_lon() && nx * dst.dlon_deg() >= 360.0 - 1e-9;

  const std::size_t ns = src.size();
  offset_.assign(ns + 1, 0);
  inside_.assign(ns, 0.0);
  std::map<std::size_t, int> counts;
  const int total = n * n;
  for (int js = 0; js < src.nlat; ++js) {
    const double lat_s = src.lat_deg(js) - 0.5 * src.dlat_deg;
    const double lat_n = src.lat_deg(js) + 0.5 * src.dlat_deg;
    const double sin_s = std::sin(lat_s * kDeg), sin_n = std::sin(lat_n * kDeg);
    for (int is = 0; is < src.nlon; ++is) {
      const std::size_t s = static_cast<std::size_t>(js) * src.nlon + is;
      offset_[s] = cell_.size();
      const double lon_w = src.lon_deg(is) - 0.5 * src.dlon_deg;
      const double lon_e = src.lon_deg(is) + 0.5 * src.dlon_deg;
      // Skip cells whose box misses the domain's box (longitudes compared modulo 360).
      if (lat_n < lat_min - margin_lat || lat_s > lat_max + margin_lat) continue;
      if (!whole_globe_lon) {
        const double span = lon_max - lon_min + 2 * margin_lon;
        const double rel_w =
            std::fmod(std::fmod(lon_w - (lon_min - margin_lon), 360.0) + 360.0, 360.0);
        const double rel_e = rel_w + (lon_e - lon_w);
        if (rel_w > span && rel_e < 360.0) continue;
      }
      counts.clear();
      int inside = 0;
      for (int b = 0; b < n; ++b) {
        // Equal-area rows: sin(latitude) in equal steps.
        const double sl = sin_s + (b + 0.5) / n * (sin_n - sin_s);
        const double lat = std::asin(std::clamp(sl, -1.0, 1.0)) / kDeg;
        for (int a = 0; a < n; ++a) {
          const double lon = lon_w + (a + 0.5) / n * (lon_e - lon_w);
          const auto [fi, fj] = dst.index_of(lon, lat);
          const double ri = std::floor(fi + 0.5), rj = std::floor(fj + 0.5);
          if (ri < 0 || rj < 0 || ri >= nx || rj >= ny) continue;
          ++counts[static_cast<std::size_t>(rj) * nx + static_cast<std::size_t>(ri)];
          ++inside;
        }
      }
      if (inside == 0) continue;
      // Whole cell inside: renormalise by the count mapped (= N^2) so the weights sum to
      // one exactly up to rounding; partly inside: keep the inside fraction.
      const double denom =
          inside == total ? static_cast<double>(inside) : static_cast<double>(total);
      for (const auto& [cell, c] : counts) {
        cell_.push_back(cell);
        weight_.push_back(c / denom);
      }
      inside_[s] = static_cast<double>(inside) / total;
    }
  }
  offset_[ns] = cell_.size();  // skipped cells are empty ranges
}

std::vector<double> ConservativeRegridder::apply(std::span<const double> source,
                                                 double* dropped) const {
  if (source.size() != inside_.size()) {
    throw UsageError("regridding: " + std::to_string(source.size()) +
                     " source values for a grid of " + std::to_string(inside_.size()) + " cells");
  }
  std::vector<double> out(target_size_, 0.0);
  double lost = 0.0;
  for (std::size_t s = 0; s < source.size(); ++s) {
    const double v = source[s];
    if (v == 0.0) continue;
    for (std::size_t k = offset_[s]; k < offset_[s + 1]; ++k) out[cell_[k]] += v * weight_[k];
    lost += v * (1.0 - inside_[s]);
  }
  if (dropped) *dropped = lost;
  return out;
}

}  // namespace fwaq::emissions

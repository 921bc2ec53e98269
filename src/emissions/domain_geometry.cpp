#include "emissions/domain_geometry.hpp"

#include <algorithm>
#include <sstream>

#include "core/error.hpp"
#include "grid/domain.hpp"

namespace fwaq::emissions {

EmissionGeometry geometry_from_domain(const Domain& domain,
                                      const std::vector<std::string>& regions) {
  EmissionGeometry g;
  const HorizontalGrid& grid = domain.grid();
  g.grid = std::make_shared<HorizontalGrid>(grid);
  const int nx = grid.nx(), ny = grid.ny();
  const std::size_t n = static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny);
  std::vector<int> area_of_region;
  for (const auto& name : regions) {
    int a = -1;
    for (int k = 0; k < domain.n_areas(); ++k) {
      if (domain.area(k).name == name) a = k;
    }
    if (a < 0) {
      std::string have;
      for (const auto& ar : domain.areas()) have += (have.empty() ? "" : ", ") + ar.name;
      throw InputError(domain.file().string(), name,
                       have.empty() ? "no such area: the model domain has no area (an "
                                      "inventory with cities needs their masks on the grid)"
                                    : "no such area in the domain file (it has: " + have + ")");
    }
    area_of_region.push_back(a);
    g.city_names.push_back(name);
    std::vector<double> f(n);
    const Field& fr = domain.area_fraction(a);
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) f[grid.mass(i, j)] = fr(i, j, 0);
    }
    g.city_fraction.push_back(std::move(f));
  }
  // A special area that is a region leaves its parent region(s).
  for (std::size_t r = 0; r < regions.size(); ++r) {
    const AreaInfo& info = domain.area(area_of_region[r]);
    if (info.is_city()) continue;
    std::stringstream ss(info.parent);
    for (std::string parent; std::getline(ss, parent, '+');) {
      for (std::size_t p = 0; p < regions.size(); ++p) {
        if (regions[p] != parent) continue;
        for (std::size_t c = 0; c < n; ++c) {
          g.city_fraction[p][c] = std::max(0.0, g.city_fraction[p][c] - g.city_fraction[r][c]);
        }
      }
    }
  }
  g.urban_fraction.assign(n, 0.0);
  for (int a = 0; a < domain.n_areas(); ++a) {
    for (const auto& [i, j] : domain.core_cells(a)) g.urban_fraction[grid.mass(i, j)] = 1.0;
  }
  g.terrain_m.resize(n);
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) g.terrain_m[grid.mass(i, j)] = domain.terrain()(i, j, 0);
  }
  return g;
}

}  // namespace fwaq::emissions

#pragma once
// What the emission builder needs to know about the model domain: the horizontal grid,
// the cities' area fractions per cell, the urban cores and the terrain. Filled from the
// Domain (src/grid/domain.hpp) by geometry_from_domain(), or directly in tests.
#include <memory>
#include <string>
#include <vector>

namespace fwaq {
class HorizontalGrid;
}

namespace fwaq::emissions {

struct EmissionGeometry {
  std::shared_ptr<const HorizontalGrid> grid;
  /// City names (English, e.g. "Xi'an", "Lüliang") and, for each, the fraction [0, 1] of
  /// every cell's area inside the city (j * nx + i).
  std::vector<std::string> city_names;
  std::vector<std::vector<double>> city_fraction;
  /// Fraction [0, 1] of each cell's area inside an urban core; empty = no urban cores.
  std::vector<double> urban_fraction;
  /// Terrain height [m above sea level] per cell; empty = not known (no elevation weighting).
  std::vector<double> terrain_m;

  /// Index of a city by name, -1 if absent.
  int city_index(const std::string& name) const {
    for (std::size_t c = 0; c < city_names.size(); ++c) {
      if (city_names[c] == name) return static_cast<int>(c);
    }
    return -1;
  }
};

}  // namespace fwaq::emissions

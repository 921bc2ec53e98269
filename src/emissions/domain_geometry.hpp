#pragma once
// EmissionGeometry from the case's Domain (src/grid/domain.hpp).
#include <string>
#include <vector>

#include "emissions/geometry.hpp"

namespace fwaq {
class Domain;
}

namespace fwaq::emissions {

/// The geometry for the regions (area names of the domain, e.g. the inventory's cities):
/// each region's area fraction per cell, with a special area (Yangling, Hancheng, Xixian
/// New Area: an area with a parent city) that is itself a region taken out of its
/// parent's fraction so that the regions do not overlap; urban fraction 1 in the
/// urban-core cells of any area, 0 elsewhere; the terrain. Throws InputError naming the
/// domain file if a region is not one of the domain's areas.
EmissionGeometry geometry_from_domain(const Domain& domain,
                                      const std::vector<std::string>& regions);

}  // namespace fwaq::emissions

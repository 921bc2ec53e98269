#pragma once
// Builds the gridded EmissionInventory from an inventory definition and the model
// domain's geometry:
//   * each component's city totals (component_city_amounts) are spread in time by the
//     sector's month factors over the period (rate_m = T f_m / sum_m' f_m' s_m', s_m the
//     seconds of month m in the period) and in space over the city: a share `urban_share`
//     over the city's urban-core area, the rest over its other area weighted by an
//     elevation factor (1 below full_below_m, falling linearly to `floor` at
//     floor_above_m: few people live on the mountains);
//   * a city's industrial clusters take their share of its industry emissions and spread
//     them evenly over a disk (radius_km) around the cluster's location;
//   * the rest of the domain ("outside" all cities) gets, sector by sector, the mean
//     emission per area of the cities times outside_density_factor, weighted by elevation;
//   * gridded NetCDF inventories are regridded conservatively and split between the
//     regions by the cities' area fractions.
// Every layer's pattern sums to 1, so gridded totals equal the definition's totals.
#include <string>
#include <vector>

#include "emissions/emission_source.hpp"
#include "emissions/geometry.hpp"
#include "emissions/inventory_definition.hpp"

namespace fwaq::emissions {

/// Amount of every component in every city over the period [kg of model species]:
/// [component][city] in the definition's order.
std::vector<std::vector<SpeciesArray>> component_city_amounts(const InventoryDefinition& def);

/// Rates [kg s-1] per calendar month of an amount T [kg] over the period with month
/// factors f (see above). Throws InputError if the factors are zero over the whole period.
std::array<SpeciesArray, 12> monthly_rates(const SpeciesArray& total_kg,
                                           const std::array<double, 12>& month_factor,
                                           const InventoryPeriod& period, const std::string& file,
                                           const std::string& what);

/// The inventory on the model grid. `notes` (optional) receives remarks worth reporting
/// (a city without urban-core cells, cluster parts outside the domain, dropped mass).
/// Throws InputError naming the definition file if a city is not among the domain's city
/// masks or a cluster lies outside the domain.
EmissionInventory build_inventory(const InventoryDefinition& def, const EmissionGeometry& geometry,
                                  std::vector<std::string>* notes = nullptr);

/// Elevation weight of the definition at terrain height h [m].
double elevation_weight(const InventoryDefinition& def, double h_m);

}  // namespace fwaq::emissions

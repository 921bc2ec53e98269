#pragma once
// The emission inventory definition: a YAML file (input/fenwei/emissions/inventory.yaml)
// whose every number carries `source` and `uncertainty` (the loader refuses a number
// without them). It defines the period, the profile tables, the speciation, the cities,
// how regional totals are shared between cities, the emission components by sector and
// method, the named industrial clusters, the rest-of-domain density and, optionally,
// gridded NetCDF inventories. Methods (formulas in docs/science/emissions.md):
//   household_fuel   households (by province, shared by rural population) x fuel per
//                    household (by city) x emission factors [g/kg] x season fraction;
//   regional_total   a regional total (per year x season fraction, or per season) shared
//                    between cities by a key;
//   national_share   national 2017 total x sector share x population share of the region
//                    x intensity x trend to the season x season fraction, shared by a key.
// Inventory species (before speciation): SO2, NOx (as NO2), NH3, CO, NMVOC, PM25, BC, OC,
// PM10; speciate() turns them into model species (species.hpp).
#include <array>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "emissions/emission_source.hpp"
#include "emissions/inventory_reader.hpp"
#include "emissions/species.hpp"

namespace fwaq::emissions {

/// Inventory species, the quantities emission factors and totals are given in.
enum class InvSpecies : int { kSO2 = 0, kNOx, kNH3, kCO, kNMVOC, kPM25, kBC, kOC, kPM10 };
inline constexpr int kNumInvSpecies = 9;
using InvArray = std::array<double, kNumInvSpecies>;
std::string_view inv_species_name(InvSpecies s);

/// Where a number comes from.
struct Provenance {
  std::string key;  ///< dotted key in the YAML file
  std::string unit;
  std::string source;
  std::string uncertainty;
};

struct CityInfo {
  std::string name;
  std::string province;
  double population_million = 0.0;
  double urban_fraction = 0.0;        ///< share of the population living in towns [1]
  double fuel_per_household_t = 0.0;  ///< household heating coal [t per heating season]
  double rural_population_million() const { return population_million * (1.0 - urban_fraction); }
};

/// How a regional total is shared between cities: base (population or rural population)
/// x optional per-city factors x optional household fuel use.
struct CityKey {
  bool rural = false;
  bool times_fuel_per_household = false;
  std::map<std::string, double> factors;  ///< per city, default 1
};

struct Component {
  enum class Method { kHouseholdFuel, kRegionalTotal, kNationalShare };
  std::string name;
  Sector sector = Sector::kPower;
  Method method = Method::kRegionalTotal;
  std::string key;  ///< city key (regional_total, national_share)
  double season_fraction = 1.0;
  double urban_share = 0.0;  ///< share of a city's emission placed in its urban core
  // household_fuel
  std::map<std::string, double> households_by_province;
  InvArray emission_factor_g_per_kg{};
  // regional_total: totals [t] (per year, times season_fraction) or per season
  InvArray total_t{};
  // national_share
  InvArray sector_share{}, intensity{}, trend{};
};

struct PointCluster {
  std::string name;
  std::string city;
  double lon_deg = 0.0, lat_deg = 0.0;
  double radius_km = 0.0;
  double share_of_city_industry = 0.0;  ///< [0, 1]
};

struct GriddedSpec {
  std::filesystem::path file;
  int subsamples = 10;
  std::vector<VariableRequest> variables;  ///< empty = all with sector/species attributes
};

struct InventoryDefinition {
  std::string path;  ///< the YAML file
  std::string name;
  InventoryPeriod period;
  std::filesystem::path hour_csv, weekday_csv, vertical_csv;
  std::array<std::string, kNumSectors> hour_profile, weekday_profile, vertical_profile;
  std::array<std::array<double, 12>, kNumSectors> month_factor{};   ///< relative rate Jan..Dec
  std::array<double, kNumSectors> so4_fraction{};                   ///< of PM2.5
  std::array<std::array<double, 6>, kNumSectors> nmvoc_split{};     ///< kNmvocLumps order
  std::array<std::array<double, 2>, kNumSectors> bc_oc_fraction{};  ///< of PM2.5, gridded PM2.5
  std::vector<CityInfo> cities;
  std::map<std::string, CityKey> keys;
  double elevation_full_below_m = 1e9, elevation_zero_above_m = 2e9, elevation_floor = 1.0;
  InvArray national_2017_t{};
  double national_population_million = 0.0;
  InvArray national_trend{};
  std::vector<Component> components;
  std::vector<PointCluster> clusters;
  double outside_density_factor = 0.0;
  std::vector<GriddedSpec> gridded;
  std::vector<Provenance> provenance;  ///< every number read, in file order

  const CityInfo* city(const std::string& name) const;
  /// Sum of the cities' population [million].
  double population_million() const;
};

/// Reads the inventory named by key `inventory` of the case file's `emissions` section
/// (a path relative to the case file), checks every key of the inventory file is known
/// and every number has `source` and `uncertainty`. Throws InputError naming the file
/// and key.
InventoryDefinition load_inventory_definition(const ConfigSection& emissions_section);
/// Reads an inventory definition file directly.
InventoryDefinition load_inventory_definition(const std::filesystem::path& inventory_yaml);

/// Model-species amounts from inventory-species amounts of a sector: NMVOC split into the
/// six lumps, PM2.5 into BC, OC, SO4 (fraction of PM2.5) and the rest, PM10 - PM2.5 into
/// PM_COARSE. Throws InputError(file, what, ...) if BC + OC + SO4 > PM2.5 or PM10 < PM2.5
/// (beyond 1e-9 relative).
SpeciesArray speciate(const InvArray& amount, Sector sector, const InventoryDefinition& def,
                      const std::string& what);

/// Totals by city x sector x model species over the period [kg], before gridding.
TotalsTable city_totals(const InventoryDefinition& def);

}  // namespace fwaq::emissions

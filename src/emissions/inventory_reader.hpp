#pragma once
// Reader for gridded emission inventories in NetCDF.
//
// File layout (documented in docs/science/emissions.md):
//   * a regular latitude-longitude grid: 1-D coordinate variables `lat`/`latitude` and
//     `lon`/`longitude` [degrees] holding cell centres at constant spacing (latitude may
//     run north to south); or the model grid itself: dimensions (`south_north`|`y`,
//     `west_east`|`x`) of the model grid's size;
//   * one variable per sector and species, with dimensions (lat, lon) or (month, lat, lon)
//     (`time` is accepted for `month`; its length is 1 or 12: January..December) and the
//     attributes
//       units    an emission rate per cell or per m2 (see emissions/units.hpp),
//       sector   power | industry | residential | transportation | agriculture | dust,
//       species  a model species (SO2, NOx, NH3, CO, NMVOC_ALK, ..., PM25_BC, PM25_OC,
//                PM25_SO4, PM25_OTHER, PM_COARSE, also BC, OC, PMC) or a total to be split
//                later: NMVOC (or VOC), PM25 (or PM2.5), PM10,
//       molar_mass  [g mol-1] for mol-based units (optional for SO2, NOx, NH3, CO),
//       month    1..12 for a 2-D field that is one month's total (optional);
//   * global attribute `year` (the data's calendar year; needed for per-month units).
// Values are converted to kg s-1 per cell (mean over each month or over the year).
// Every problem is an InputError naming the file, the variable and the offending value,
// index or attribute: unknown unit, missing variable, wrong dimensions, negative, NaN,
// infinite or missing (_FillValue) values.
#include <string>
#include <vector>

#include "emissions/species.hpp"

namespace fwaq {
class HorizontalGrid;
}

namespace fwaq::emissions {

/// A regular latitude-longitude grid on a sphere.
struct LatLonGridSpec {
  int nlon = 0;
  int nlat = 0;
  double lon0_deg = 0.0;              ///< centre of cell (0, 0), the south-west cell [degrees east]
  double lat0_deg = 0.0;              ///< [degrees north]
  double dlon_deg = 0.0;              ///< spacing, > 0 [degrees]
  double dlat_deg = 0.0;              ///< spacing, > 0 [degrees]
  double earth_radius_m = 6370000.0;  ///< sphere radius [m], as the model grid (WRF)

  std::size_t size() const {
    return static_cast<std::size_t>(nlon) * static_cast<std::size_t>(nlat);
  }
  /// Area [m2] of a cell of row j: R^2 dlon (sin(lat_north) - sin(lat_south)).
  double cell_area_m2(int j) const;
  double lon_deg(int i) const { return lon0_deg + i * dlon_deg; }
  double lat_deg(int j) const { return lat0_deg + j * dlat_deg; }
};

/// What a file species name stands for.
struct FileSpecies {
  enum class Kind { kModel, kTotalNmvoc, kTotalPm25, kTotalPm10 } kind = Kind::kModel;
  Species species = Species::kSO2;  ///< for kModel
};
/// Parses a species attribute (see above); false if unknown.
bool parse_file_species(const std::string& text, FileSpecies& out);

/// One variable, converted to kg s-1 per cell.
struct InventoryVariable {
  std::string name;  ///< variable name in the file
  Sector sector = Sector::kPower;
  FileSpecies species;
  std::string species_text;  ///< as written in the file
  std::string units;         ///< as written in the file
  /// Calendar month (1..12) of each slot, or {0} for one field valid all year.
  std::vector<int> months;
  /// Mean emission rate [kg s-1 per cell] of each slot: [slot][row][column], rows from
  /// south to north (latitude increasing), columns west to east.
  std::vector<double> rate;
};

struct GriddedInventory {
  std::string path;
  bool on_model_grid = false;  ///< true: rows/columns are the model grid's (j, i)
  LatLonGridSpec grid;         ///< the source grid (lat-lon files)
  int nx = 0, ny = 0;          ///< columns and rows
  int year = 0;                ///< global attribute `year`, 0 if absent
  std::vector<InventoryVariable> variables;
};

/// A variable to read; empty sector/species take the variable's attributes.
struct VariableRequest {
  std::string name;
  std::string sector;
  std::string species;
};

/// Reads `path`. With no requests, reads every variable that has `sector` and `species`
/// attributes (at least one must). `model_grid` is needed for files on the model grid
/// (sizes and cell areas). Throws InputError as described above.
GriddedInventory read_gridded_inventory(const std::string& path,
                                        const std::vector<VariableRequest>& requests = {},
                                        const HorizontalGrid* model_grid = nullptr);

/// Seconds in a calendar month (month 1..12) of `year`.
double month_seconds(int year, int month);
/// Seconds in calendar `year`.
double year_seconds(int year);

}  // namespace fwaq::emissions

#pragma once
// Reader of CF-convention / ERA5-style NetCDF meteorology on a regular
// latitude-longitude grid (pressure, model or height levels, or surface only),
// including packed variables (scale_factor, add_offset, _FillValue,
// missing_value; see io/netcdf_util.hpp). Fills what MetRecord fields the file
// supports; mapping() says which file variable (or derivation) filled each.
//
// Coordinates:
//   longitude   'longitude' / 'lon' or standard_name longitude [degrees_east]
//   latitude    'latitude' / 'lat' or standard_name latitude [degrees_north];
//               rows are reordered south -> north (ERA files run north -> south)
//   time        'time' / 'valid_time' or standard_name time, CF units
//               "<unit> since <date>", calendar standard/gregorian/proleptic_gregorian
//   level       the coordinate variable of the second dimension of the 4-D data
//               (e.g. 'level', 'pressure_level', 'plev'); levels are reordered
//               bottom-up: pressure units (Pa, hPa, mbar, millibars) -> decreasing
//               pressure; positive = "down" -> decreasing value; units of length or
//               positive = "up" -> increasing value; otherwise the file order.
// The grid must be regular (spacings equal within 1e-4 of the spacing).
//
// Variables (first by standard_name, then by these names; 4-D = on levels):
//   temperature   4-D air_temperature / t, ta                           [K or degC]
//   u, v          4-D eastward_wind / u, ua; northward_wind / v, va      [m s-1]
//                 (cell centres; faces get the mean of the two neighbours, the
//                 outer faces the edge cell's value, or the wrap-around mean on a
//                 global periodic grid)
//   w             4-D lagrangian_tendency_of_air_pressure / w, wap, omega [Pa s-1]
//                 converted w = -omega / (rho g) at the levels, then averaged to the
//                 interfaces (outer interfaces take the nearest level's value)
//   qvapor        4-D specific_humidity / q, hus [kg kg-1]: r = q / (1 - q)
//   rel_humidity  4-D relative_humidity / r, hur [% or 1]; else from q, T, p (Bolton 1980)
//   cloud_water   4-D mass_fraction_of_cloud_liquid_water_in_air / clwc: c / (1 - q)
//   pressure      the level values for pressure levels; else 4-D air_pressure / pres
//   density       p / (R_d T_v) when T and p are known (T_v with q if present)
//   z_interface   from 4-D geopotential / z [m2 s-2] (height = z / 9.80665) or
//                 geopotential_height / gh, zg [m], minus the terrain: level heights
//                 h_k; interfaces 0, (h_{k-1} + h_k)/2, and h_top + (h_top - z_top-1);
//                 above sea level (terrain 0) when the file has no terrain
//   terrain       3-D surface_geopotential / z [m2 s-2] / 9.80665, or surface_altitude / orog [m]
//   t2            t2m, 2t, tas [K]; u10, v10: u10, 10u, uas / v10, 10v, vas [m s-1]
//   psfc          surface_air_pressure / sp, ps [Pa]
//   pblh          atmosphere_boundary_layer_thickness / blh [m]
//   ustar         zust (ERA5 friction velocity) [m s-1]
//   hfx           surface_upward_sensible_heat_flux / hfss [W m-2]; ERA5 ishf is
//                 positive downwards (ECMWF convention) and is negated
//   swdown        surface_downwelling_shortwave_flux_in_air / rsds [W m-2], or ERA5
//                 ssrd [J m-2] accumulated over CfOptions::accumulation_hours
//   precip        precipitation_flux / pr [kg m-2 s-1] * 3600, or ERA5 tp [m]
//                 accumulated over accumulation_hours: tp * 1000 / hours [mm h-1]
//   kz            fill_kz() when pblh, ustar, hfx, z_interface, T and p are filled
// Fields not in the file stay 0 and are absent from mapping(). A file without
// levels gives records with nz = 1 whose 3-D fields are 0.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "grid/horizontal_grid.hpp"
#include "io/netcdf_util.hpp"
#include "met/interpolate.hpp"
#include "met/kz.hpp"
#include "met/met_fields.hpp"

namespace fwaq {

struct CfOptions {
  /// Accumulation period of accumulated fields (ERA5 ssrd, tp) [h]; 1 h for
  /// ERA5 hourly reanalysis data (ECMWF, ERA5 documentation, "accumulations").
  double accumulation_hours = 1.0;
  KzParams kz{};
};

class CfFile {
 public:
  /// Opens the file and reads coordinates and times; finds the variables.
  /// Throws InputError (missing/truncated file, missing or irregular coordinates,
  /// bad time units, ...).
  explicit CfFile(const std::string& path, const CfOptions& options = {});

  const std::string& path() const { return file_.path(); }
  int records() const { return static_cast<int>(times_.size()); }
  TimePoint time(int record) const;
  const std::vector<TimePoint>& times() const { return times_; }
  /// Name of the time coordinate variable (e.g. "time").
  const std::string& time_variable() const { return time_name_; }
  int nx() const { return static_cast<int>(lon_.size()); }
  int ny() const { return static_cast<int>(lat_.size()); }
  /// Number of levels (1 for a file without levels).
  int nz() const { return levels_.empty() ? 1 : static_cast<int>(levels_.size()); }
  bool has_levels() const { return !levels_.empty(); }
  /// Cell-centre longitudes [degrees east], increasing.
  const std::vector<double>& longitudes() const { return lon_; }
  /// Cell-centre latitudes [degrees north], increasing (south to north).
  const std::vector<double>& latitudes() const { return lat_; }
  /// Level values bottom-up, in the file's units (level_units()).
  const std::vector<double>& levels() const { return levels_; }
  const std::string& level_units() const { return level_units_; }

  /// The regular lat-lon grid of the file (HorizontalGrid::lat_lon).
  HorizontalGrid grid(double earth_radius_m = 6370000.0) const;

  /// MetRecord field name (as the member, e.g. "temperature", "t2") -> the file
  /// variable or the derivation that fills it.
  const std::map<std::string, std::string>& mapping() const { return mapping_; }

  /// Reads record r into a MetRecord (nx, ny, nz) as described in the file comment.
  MetRecord read(int record) const;

  /// Unpacked values of a (time, [level,] lat, lon) variable at record r,
  /// reordered like the record (x = longitude fastest, south to north,
  /// bottom-up levels); a (nx, ny, nlev or 1) field in the file's units.
  Field read_variable(const std::string& name, int record) const;

 private:
  std::string find(const std::vector<std::string>& standard_names,
                   const std::vector<std::string>& names, bool on_levels) const;

  nc::NcFile file_;
  CfOptions options_;
  std::vector<TimePoint> times_;
  std::vector<double> lon_, lat_, levels_;
  std::string lon_name_, lat_name_, time_name_, level_name_, level_units_;
  bool lon_flipped_ = false, lat_flipped_ = false, level_flipped_ = false;
  bool level_is_pressure_ = false;
  double level_to_pa_ = 1.0;
  std::map<std::string, std::string> vars_;     // MetRecord field -> file variable
  std::map<std::string, std::string> mapping_;  // MetRecord field -> description
};

/// A MetSource (for MetSeries) reading every record of a CF file.
MetSource cf_source(std::shared_ptr<const CfFile> file);

}  // namespace fwaq

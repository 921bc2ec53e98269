#pragma once
// Direct reader of WRF-ARW output files (wrfout, NetCDF), no pre-processor:
// one WrfFile per file, MetRecord per output time, optionally on a sub-window of
// the WRF grid. See docs/science/meteorology.md for every formula and source.
//
// What is read / derived (WRF names; Skamarock et al. 2008, 2019):
//   u, v          U, V on the C-grid faces, grid-relative [m s-1] (no destaggering:
//                 MetRecord keeps faces; face i is the west face of cell i)
//   w             W on the layer interfaces [m s-1]
//   z_interface   (PH + PHB)/g - HGT [m above ground], g = 9.81 m s-2; the ground
//                 interface must be within 1 m of 0 and is then set to exactly 0
//   pressure      P + PB [Pa]
//   temperature   (T + 300 K) (p / 1e5 Pa)^(R_d/c_p), R_d/c_p = 2/7 (Poisson)
//   qvapor        QVAPOR [kg kg-1], negative values (numerical noise) set to 0
//   density       p / (R_d T_v), T_v = T (1 + q/eps) / (1 + q), eps = R_d/R_v
//                 (moist air; the same equation of state as WRF's; ALT is not used)
//   rel_humidity  e / e_s(T), e = q p / (eps + q), e_s from Bolton (1980) eq. 10,
//                 limited to [0, 1]
//   cloud_water   QCLOUD if present, else 0
//   precip        rate [mm h-1] from the increments of RAINC + RAINNC (+ bucket
//                 counts I_RAINC, I_RAINNC times BUCKET_MM when present):
//                 record r > 0: (A(r) - A(r-1)) / (t(r) - t(r-1)), the mean rate over
//                 the interval ending at r; record 0: the rate over the next interval
//                 (A(1) - A(0)) / (t(1) - t(0)), or 0 if the file has one record.
//   surface       HGT, PBLH, UST, HFX, T2, U10, V10 (grid-relative), PSFC, SWDOWN
//   kz            diagnosed by fill_kz() (met/kz.hpp) from PBLH, UST, HFX
//
// Sub-window convention: Window{i0, j0, nx, ny} selects the mass cells i in
// [i0, i0 + nx), j in [j0, j0 + ny) of the file's grid (0-based; i west-east,
// j south-north); the record then holds the x-faces i0 .. i0 + nx and the
// y-faces j0 .. j0 + ny of those cells, i.e. U(i0 .. i0+nx) and V(j0 .. j0+ny).
// nx or ny = -1 means "to the end of the grid".
//
// Projection: MAP_PROJ = 1 (Lambert conformal) on WRF's sphere of radius 6370 km,
// TRUELAT1/2, STAND_LON, the domain centre CEN_LAT/CEN_LON (MOAD_CEN_LAT if
// CEN_LAT is absent), DX, DY, and the full domain size
// WEST-EAST_GRID_DIMENSION - 1 x SOUTH-NORTH_GRID_DIMENSION - 1. Files cropped
// from a larger domain (fewer cells than the attributes say) are located in the
// full domain with XLAT/XLONG.
//
// References:
//   Skamarock, W. C. et al. (2008): A Description of the Advanced Research WRF
//     Version 3. NCAR/TN-475+STR, doi:10.5065/D68S4MVH.
//   Skamarock, W. C. et al. (2019): ... Version 4. NCAR/TN-556+STR, doi:10.5065/1dfh-6p97.
//   Bolton, D. (1980): The computation of equivalent potential temperature.
//     Mon. Wea. Rev. 108, 1046-1053, doi:10.1175/1520-0493(1980)108<1046:TCOEPT>2.0.CO;2.
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

/// Physical constants used to derive WRF quantities (WRF module_model_constants).
struct WrfConstants {
  static constexpr double g = 9.81;              ///< gravity [m s-2]
  static constexpr double r_d = 287.0;           ///< gas constant of dry air [J kg-1 K-1]
  static constexpr double r_v = 461.6;           ///< gas constant of water vapour [J kg-1 K-1]
  static constexpr double cp = 7.0 * 287.0 / 2;  ///< c_p of dry air [J kg-1 K-1]
  static constexpr double p0 = 1.0e5;            ///< reference pressure of theta [Pa]
  static constexpr double theta_base = 300.0;    ///< T is theta - 300 K [K]
  static constexpr double eps = r_d / r_v;       ///< ratio of the gas constants [1]
};

/// Saturation vapour pressure over water [Pa] at temperature t_k [K], Bolton (1980)
/// eq. 10: e_s = 611.2 Pa exp(17.67 (T - 273.15) / (T - 29.65)).
double saturation_vapour_pressure(double t_k);

/// Relative humidity over water [1] (not limited) from the water-vapour mixing
/// ratio q [kg kg-1], pressure p [Pa] and temperature t [K].
double relative_humidity(double q, double p_pa, double t_k);

/// A sub-window of mass cells of a WRF grid (see the file comment).
struct Window {
  int i0 = 0;
  int j0 = 0;
  int nx = -1;  ///< -1: to the east end
  int ny = -1;  ///< -1: to the north end
};

/// Projection and grid attributes of a WRF file.
struct WrfGridInfo {
  int map_proj = 0;
  double truelat1 = 0, truelat2 = 0, stand_lon = 0;  ///< [degrees]
  double cen_lat = 0, cen_lon = 0;                   ///< domain centre [degrees]
  double moad_cen_lat = 0;                           ///< [degrees], 0 if absent
  double dx = 0, dy = 0;                             ///< [m]
  int full_nx = 0, full_ny = 0;                      ///< cells of the whole WRF domain (attributes)
  int nx = 0, ny = 0, nz = 0;                        ///< cells and layers in this file
  int offset_i = 0, offset_j = 0;  ///< position of the file's cell (0,0) in the domain
};

class WrfFile {
 public:
  /// Opens a wrfout file and reads its times, dimensions and projection
  /// attributes. Throws InputError (missing/truncated file, missing Times or
  /// dimension, unsupported MAP_PROJ, ...).
  explicit WrfFile(const std::string& path);

  const std::string& path() const { return file_.path(); }
  int records() const { return static_cast<int>(times_.size()); }
  /// Valid time of record r (from the Times variable).
  TimePoint time(int record) const;
  const std::vector<TimePoint>& times() const { return times_; }
  int nx() const { return info_.nx; }
  int ny() const { return info_.ny; }
  int nz() const { return info_.nz; }
  const WrfGridInfo& grid_info() const { return info_; }

  /// The horizontal grid of this file's cells, built from the global attributes
  /// (HorizontalGrid::centred on the full domain, then the window of this file).
  /// If XLAT/XLONG are present, every cell centre is checked against them
  /// (InputError naming XLAT/XLONG, the cell and both values if the difference
  /// exceeds 0.05 cells). Built on the first call and cached (not thread-safe,
  /// like all NetCDF access).
  HorizontalGrid grid() const;

  /// Checks that a run's grid is this file's grid on `window`: projection kind,
  /// TRUELAT1/2, STAND_LON (within 1e-4 degrees), DX, DY (within 1e-3 m), the
  /// size of the window, and the positions of the window's corner cells (within
  /// 0.01 cells; derived from CEN_LAT/CEN_LON). Throws InputError naming the
  /// attribute and both values.
  void check_grid(const HorizontalGrid& run_grid, const Window& window = {}) const;

  /// Resolves nx/ny = -1 and checks the window against the file's size.
  Window resolve(const Window& window) const;

  /// Reads record r on the window (see the file comment), with kz from fill_kz().
  MetRecord read(int record, const Window& window = {}, const KzParams& kz = {}) const;

  /// Accumulated precipitation RAINC + RAINNC (+ buckets) [mm] of record r on the window.
  std::vector<double> accumulated_precip(int record, const Window& window = {}) const;

  /// A raw variable of record r on the window, as stored (staggered dims kept):
  /// 3-D variables (Time, z, y, x) give (nx[+1], ny[+1], nz[+1]) fields, 2-D
  /// ones (nx, ny, 1). Static variables without a Time dimension are accepted.
  Field read_variable(const std::string& name, int record, const Window& window = {}) const;

 private:
  const nc::NcFile& nc() const { return file_; }
  nc::NcFile file_;
  std::vector<TimePoint> times_;
  WrfGridInfo info_;
  mutable std::shared_ptr<const HorizontalGrid> grid_;  // cache of grid()
};

/// A MetSource (for MetSeries) reading every record of a WRF file on a window.
MetSource wrf_source(std::shared_ptr<const WrfFile> file, const Window& window = {},
                     const KzParams& kz = {});

}  // namespace fwaq

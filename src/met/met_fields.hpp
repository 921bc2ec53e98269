#pragma once
// One meteorological record on a model grid (or a window of a WRF grid): what
// every met source (WRF reader, CF/ERA5 reader, synthetic winter) produces and
// what transport, mixing, deposition and chemistry consume.
#include <string>

#include "core/time.hpp"
#include "field/field.hpp"

namespace fwaq {

/// All arrays have no halo. 3-D fields are (nx, ny, nz) at cell centres unless
/// noted; face fields follow the Arakawa C grid. Heights are above ground level.
struct MetRecord {
  TimePoint time{};
  int nx = 0, ny = 0, nz = 0;

  // ---- 3-D, cell centres
  Field temperature;   ///< air temperature [K]
  Field pressure;      ///< air pressure [Pa]
  Field density;       ///< air density [kg m-3] (moist air)
  Field qvapor;        ///< water-vapour mixing ratio [kg kg-1]
  Field rel_humidity;  ///< relative humidity over water [1] (0–1)
  Field cloud_water;   ///< cloud liquid water mixing ratio [kg kg-1] (0 if absent)
  Field z_interface;   ///< layer interface heights above ground [m], (nx, ny, nz+1)
  // ---- 3-D, faces
  Field u;   ///< grid-relative wind on x-faces [m s-1], (nx+1, ny, nz)
  Field v;   ///< grid-relative wind on y-faces [m s-1], (nx, ny+1, nz)
  Field w;   ///< vertical wind on interfaces [m s-1], (nx, ny, nz+1)
  Field kz;  ///< vertical eddy diffusivity on interfaces [m2 s-1], (nx, ny, nz+1)

  // ---- 2-D surface fields, (nx, ny, 1)
  Field terrain;   ///< terrain height above sea level [m]
  Field pblh;      ///< boundary-layer height [m]
  Field ustar;     ///< friction velocity [m s-1]
  Field hfx;       ///< upward surface sensible heat flux [W m-2]
  Field t2;        ///< 2-m temperature [K]
  Field u10, v10;  ///< 10-m wind, grid-relative [m s-1]
  Field psfc;      ///< surface pressure [Pa]
  Field swdown;    ///< downward short-wave radiation at the ground [W m-2]
  Field precip;    ///< precipitation rate [mm h-1]

  /// Allocates every field for an nx × ny × nz grid (values zero).
  void allocate(int nx_, int ny_, int nz_);
};

}  // namespace fwaq

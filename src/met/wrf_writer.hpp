#pragma once
// Writes MetRecords as WRF-format output ("wrfout") NetCDF files, so that any
// WRF reader (ours: met/wrf_reader.hpp; also ncview, wrf-python, CMAQ's MCIP
// after conversion) can use synthetic or processed meteorology.
//
// Layout as written by WRF V3/V4 (Skamarock et al. 2019; WRF Users' Guide,
// "WRF Output Fields"): dimensions Time (unlimited), DateStrLen = 19,
// west_east, south_north, bottom_top and their _stag variants; variables
// Times (char), XTIME, XLAT, XLONG (+ _U, _V), MAPFAC_M/_U/_V/_MX/_MY, HGT,
// COSALPHA, SINALPHA, ZNU, ZNW, P_TOP, U, V, W, PH, PHB, P, PB, T (perturbation
// potential temperature θ - 300 K), QVAPOR, QCLOUD, PBLH, UST, HFX, T2, U10,
// V10, PSFC, SWDOWN, RAINC, RAINNC, all float, each with the WRF attributes
// FieldType, MemoryOrder, description, units, stagger, coordinates; global
// attributes TITLE, START_DATE, SIMULATION_START_DATE, the grid dimensions, DX,
// DY, GRIDTYPE, MAP_PROJ (1 Lambert conformal, 6 lat-lon), TRUELAT1, TRUELAT2,
// STAND_LON, CEN_LAT, CEN_LON, MOAD_CEN_LAT, POLE_LAT, POLE_LON, GMT, JULYR,
// JULDAY. Each file is NetCDF-4 with deflate-compressed variables, written under
// a temporary name and renamed (io/netcdf_util.hpp, NcWriter).
//
// How MetRecord maps onto the WRF variables (g = 9.81 m s-2, p0 = 1e5 Pa,
// R_d / c_p = 2/7 as in WRF):
//   PHB = g (HGT + z_interface), PH = 0 (the full geopotential is in PHB);
//   PB = U.S. Standard Atmosphere 1976 pressure at the mass point's height
//        above sea level, rounded to whole pascals (a base state), P = pressure - PB;
//   T = temperature (p0 / pressure)^(R_d/c_p) - 300;
//   U, V grid-relative on the C-grid faces; W the physical vertical velocity;
//   RAINNC = precipitation accumulated since SIMULATION_START_DATE [mm], RAINC = 0;
//   ZNW, ZNU, P_TOP: nominal values (domain means of the interface pressure
//   fractions; synthetic levels are fixed heights above ground, not eta levels).
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/time.hpp"
#include "field/field.hpp"
#include "grid/horizontal_grid.hpp"
#include "met/met_fields.hpp"

namespace fwaq {

struct WrfWriteOptions {
  std::string title = " OUTPUT FROM FWAQ SYNTHETIC WINTER (WRF-format)";
  /// SIMULATION_START_DATE; origin of XTIME and of the RAINNC accumulation.
  TimePoint simulation_start{};
  /// Deflate level 0..9 (with byte shuffle). 1 is about as small as 4 for smooth
  /// fields and much faster.
  int deflate_level = 1;
  /// Extra global text attributes, e.g. the generator's parameters and version.
  std::vector<std::pair<std::string, std::string>> text_attributes;
};

/// "wrfout_d01_YYYY-MM-DD_HH:MM:SS" for the first time of a file.
std::string wrfout_name(TimePoint first, int domain = 1);

/// Writes `records` (same grid, increasing times) into one file at `path`
/// (atomically). rain_accumulated_mm[n] (nx, ny, 1): precipitation since
/// options.simulation_start up to records[n].time [mm]. Throws UsageError for
/// inconsistent shapes or an unsupported projection, InputError for I/O errors.
void write_wrfout(const std::filesystem::path& path, const HorizontalGrid& grid,
                  std::span<const MetRecord> records, std::span<const Field> rain_accumulated_mm,
                  const WrfWriteOptions& options);

/// Where the records of a series come from. Both functions are called from a
/// worker thread (one at a time), overlapping with the writing of the previous day.
struct WrfSeriesSource {
  /// Fills the record at a time.
  std::function<void(TimePoint, MetRecord&)> record;
  /// Precipitation in [from, to] [mm], (nx, ny, 1).
  std::function<void(TimePoint from, TimePoint to, Field& out_mm)> precipitation;
};

/// Writes records at start, start + interval, ... up to and including `end`,
/// one file per UTC day (named by wrfout_name of the day's first record) in
/// `dir` (created if needed). With nranks > 1, rank r writes days r, r + nranks,
/// ... (the files are independent: RAINNC is accumulated from `start`
/// analytically). The next day's records are generated while the current day is
/// compressed and written. Returns the paths this rank wrote.
std::vector<std::filesystem::path> write_wrfout_series(const std::filesystem::path& dir,
                                                       const HorizontalGrid& grid,
                                                       const WrfSeriesSource& source,
                                                       TimePoint start, TimePoint end,
                                                       Seconds interval, WrfWriteOptions options,
                                                       int rank = 0, int nranks = 1);

}  // namespace fwaq

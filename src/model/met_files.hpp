#pragma once
// Meteorology from files for `fwaq run`: WRF output (`met.source: wrf`) and CF/ERA5-style
// NetCDF (`met.source: cf`), brought onto the run's grid. Method and checks:
// docs/science/meteorology.md, "Meteorology files in a run".
//
// For every met record (at the files' output times) the provider
//   1. remaps the columns conservatively onto the case's layers (interface heights
//      z_w [m above ground]): density by dz-weighted overlap means (air mass of every
//      layer kept), temperature, pressure, water vapour and cloud water by air-mass
//      weighted means, face winds by face-air-mass weighted means (horizontal mass flux
//      kept); relative humidity is recomputed from q, p and T;
//   2. block-averages onto the run grid when the run coarsens the met grid (run.coarsen):
//      2-D fields and density by area, T, p, q, cloud water by air mass, face winds by
//      summing the mass fluxes of the fine faces that make up a coarse face;
//   3. makes the winds mass-consistent with the air mass: the variational adjustment of
//      met/diagnostic_wind.hpp (Sasaki 1958; Sherman 1978), so that no column has net
//      horizontal mass outflow; w follows from continuity and Kz is diagnosed again on
//      the new layers (Holtslag & Boville 1993, met/kz.hpp).
// Between two records every field is linear in time, except the face winds: their mass
// fluxes ρ_f u dz L are interpolated linearly (u = ((1-w) ρ_a u_a + w ρ_b u_b) / ρ_f(t)),
// so that the fluxes at any time are a convex combination of two mass-consistent flux
// fields and a uniform tracer stays uniform.
//
// Checks at construction (fwaq::InputError naming file, variable, time and what was
// expected): a variable the run needs is missing; two records at the same time; a gap
// (an interval between the records the run uses that differs from the first one); the
// records do not cover [run start - spin-up, run end]; the grid is not the run's
// (projection, spacing, size, corner cells); an unsupported projection. Records outside
// the run period are ignored.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "field/field.hpp"
#include "grid/horizontal_grid.hpp"
#include "met/diagnostic_wind.hpp"
#include "met/met_fields.hpp"
#include "met/wrf_reader.hpp"
#include "model/met_provider.hpp"

namespace fwaq {
class Config;
class ConfigSection;
class Domain;
}  // namespace fwaq

namespace fwaq::model {

/// The files named by `met.files`: a folder (every regular file in it whose name starts
/// with "wrfout" for WRF, ends in ".nc" for CF), a glob pattern (`*` and `?` in the file
/// name part), or a list of files. Relative paths resolve against the case file's
/// folder. Sorted by name. Throws InputError naming the key if nothing matches.
std::vector<std::filesystem::path> met_file_list(const ConfigSection& met,
                                                 const std::string& source);

/// Conservative remap of the columns of `src` (any interface heights, possibly with
/// layers below the ground, which count with zero thickness) onto the interfaces z_w
/// [m above ground], as step 1 of the file comment. `out` gets the horizontal shape of
/// `src` and z_w.size() - 1 layers; w and kz are left zero. Throws InputError (file,
/// "z_interface") if a column's top lies below z_w.back().
void remap_vertical(const MetRecord& src, const std::vector<double>& z_w, MetRecord& out,
                    const std::string& file = "");

/// Block average of a record on `fine` (all columns on the same interfaces) onto
/// `coarse`, whose cell (I, J) is the block [fI, fI+f) x [fJ, fJ+f) of fine cells, as
/// step 2 of the file comment.
void coarsen_record(const MetRecord& fine_rec, const HorizontalGrid& fine, int factor,
                    const HorizontalGrid& coarse, MetRecord& out);

/// Step 3: adjusted winds, w by continuity, Kz on the record's layers.
WindAdjustStats make_mass_consistent(const HorizontalGrid& grid, MetRecord& rec);

/// Time interpolation of two records a, b on the same window (a.time <= t <= b.time)
/// with the face winds interpolated by their mass fluxes (see the file comment);
/// rho_fx_a (nx+1, ny, nz), rho_fy_a (nx, ny+1, nz): face air densities [kg m-3] of a,
/// likewise for b.
void interpolate_by_flux(const MetRecord& a, const Field& rho_fx_a, const Field& rho_fy_a,
                         const MetRecord& b, const Field& rho_fx_b, const Field& rho_fy_b,
                         TimePoint t, MetRecord& out);

/// The run period a provider must cover: [begin, end] (UTC), begin = run start minus
/// the spin-up.
struct MetRunPeriod {
  TimePoint begin{}, end{};
};

/// The WRF provider on explicit grids: `fine` is the grid of the files (or a window of
/// it: located by its cell (0, 0) and checked), `run` the run grid, `coarsen` times
/// coarser than `fine` (1: the same grid); z_w [m above ground] the run's interfaces.
std::unique_ptr<MetProvider> wrf_provider(const std::vector<std::filesystem::path>& files,
                                          const HorizontalGrid& fine, const HorizontalGrid& run,
                                          int coarsen, const std::vector<double>& z_w,
                                          const MetRunPeriod& period);
/// The CF provider on the latitude-longitude grid `grid` of the files.
std::unique_ptr<MetProvider> cf_provider(const std::vector<std::filesystem::path>& files,
                                         const HorizontalGrid& grid, const std::vector<double>& z_w,
                                         const MetRunPeriod& period);

/// `met.source: wrf`: wrfout files (met.files) on the grid of `domain` or, with
/// coarsen > 1, on the grid `coarsen` times finer (the case's domain file grid).
std::unique_ptr<MetProvider> make_wrf_provider(const Config& cfg, const Domain& domain,
                                               const MetRunPeriod& period, int coarsen);
/// `met.source: cf`: CF/ERA5 files on the latitude-longitude grid of `domain`.
std::unique_ptr<MetProvider> make_cf_provider(const Config& cfg, const Domain& domain,
                                              const MetRunPeriod& period);

}  // namespace fwaq::model

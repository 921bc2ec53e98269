#pragma once
// Meteorology for a run: a source of MetRecords on the whole model grid, and the
// helper that cuts a rank's window out of one.
#include <memory>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "met/met_fields.hpp"
#include "met/wrf_reader.hpp"

namespace fwaq {
class Config;
class Domain;
}  // namespace fwaq

namespace fwaq::model {

/// Produces the meteorology of the whole model grid at any time of the run. Every rank
/// holds one (the records are cheap next to the transport at the run's resolution, and
/// face mass fluxes then come out identical on the ranks that share a face).
class MetProvider {
 public:
  virtual ~MetProvider() = default;
  /// The record valid at t (UTC) on the whole grid.
  virtual void record(TimePoint t, MetRecord& out) = 0;
  /// The record valid at t on a window of the run grid's cells (e.g. a rank's cells
  /// plus a halo; Window of met/wrf_reader.hpp, faces included as there). Providers
  /// that read files keep only the window of their records; this default cuts the
  /// window out of the whole-grid record.
  virtual void record(TimePoint t, MetRecord& out, const Window& window);
  /// One line saying what the meteorology is (for file attributes and the log).
  virtual std::string description() const = 0;
  /// Files read (for the input checksums of the output).
  virtual std::vector<std::string> files() const { return {}; }
};

/// The case's `met` section: `source: synthetic` (the built-in synthetic Fenwei winter on
/// the domain's grid; docs/science/synthetic-winter.md). Throws InputError for an unknown
/// source.
std::unique_ptr<MetProvider> make_met_provider(const Config& cfg, const Domain& domain);

/// As above, also for the sources read from files (model/met_files.hpp): `wrf` (wrfout
/// files on the case's domain grid, which the run coarsens `coarsen` times, or on the
/// grid of `domain.from_met`) and `cf` (CF/ERA5 files, with domain.from_met). Their
/// records must cover [begin, end] (UTC): begin = run start minus the spin-up.
std::unique_ptr<MetProvider> make_met_provider(const Config& cfg, const Domain& domain,
                                               TimePoint begin, TimePoint end, int coarsen);

/// The window [i0, i0+nx) x [j0, j0+ny) of a whole-grid record (faces included).
void window_record(const MetRecord& global, int i0, int j0, int nx, int ny, MetRecord& out);

}  // namespace fwaq::model

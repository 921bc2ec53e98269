#pragma once
// The grid a run works on (docs/science/meteorology.md, "Meteorology files in a run"):
//   * the case's domain (domain, vertical, inputs.domain_file), coarsened `coarsen`
//     times (run.coarsen; Domain::coarsened); met files must then be on the domain
//     file's grid (checked by the met provider);
//   * with `domain.from_met: true`, the grid of the met files (met.source wrf or cf,
//     met.files; the first file): terrain from the met (HGT, or the CF surface
//     geopotential / altitude), the case's layers (vertical.z_w), and the area masks and
//     urban cores of the Fenwei areas from the boundary polygons and station list
//     (domain.boundaries, default $FWAQ_SHARED_DATA/boundaries/china-cities-js;
//     domain.stations, default $FWAQ_SHARED_DATA/obs-cnemc-2019/fenwei_stations.csv;
//     FWAQ_SHARED_DATA defaults to ../shared/data), as `fwaq prepare domain` makes them.
//     run.coarsen must be 1.
#include "core/config.hpp"
#include "grid/domain.hpp"

namespace fwaq::model {

/// The run's domain. Throws InputError naming the case file and key, or the met file.
Domain run_domain(const Config& cfg, int coarsen);

}  // namespace fwaq::model

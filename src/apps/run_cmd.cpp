// `fwaq run CASE.yaml --out DIR [--start T] [--end T] [--set key=value ...]`: runs a case
// and writes fields.nc, cities_hourly.csv, cities_daily.csv and summary.json into DIR
// (src/model/run.hpp), then prints the per-city table. `--dry-run` instead prints the
// resolved configuration and checks the inputs (src/model/dry_run.hpp).
#include <iostream>
#include <memory>

#include "apps/commands.hpp"
#include "core/error.hpp"
#include "model/dry_run.hpp"
#include "model/run.hpp"

namespace fwaq::apps {

namespace {

struct RunArgs {
  model::RunRequest req;
  std::string out;
  std::string start, end, restart;
  bool quiet = false;
  bool json = false;
  bool dry_run = false;
};

}  // namespace

void add_run_command(CLI::App& app, Command& selected) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand(
      "run",
      "Run a case (meteorology, emissions, transport, chemistry, deposition) and write "
      "fields.nc, cities_hourly.csv, cities_daily.csv and summary.json into --out");
  cmd->add_option("case", args->req.case_file,
                  "Case file (YAML), e.g. scenarios/fenwei-2019-20-reference.yaml")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", args->out,
                  "Output folder (created if missing; required except with --dry-run)");
  cmd->add_option("--start", args->start,
                  "First output hour: YYYY-MM-DD (local midnight, UTC+8) or YYYY-MM-DDTHH:MM:SSZ "
                  "(UTC); overrides run.start");
  cmd->add_option("--end", args->end, "End of the run (exclusive), as --start; overrides run.end");
  cmd->add_option("--set", args->req.overrides,
                  "Override a case-file value: section.key=value (repeatable)");
  cmd->add_option("--checkpoint-every", args->req.checkpoint_every_hours,
                  "Write a checkpoint into OUT/checkpoints/ every HOURS after the start "
                  "(named YYYYMMDDTHHMMZ.nc by its UTC time; SIGTERM always writes one)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--restart", args->restart,
                  "Continue from a checkpoint (start, spin-up and state from it; --end or "
                  "run.end sets the end)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--quiet", args->quiet, "No progress report");
  cmd->add_flag("--json", args->json, "Print summary.json instead of the table");
  cmd->add_flag("--dry-run", args->dry_run,
                "Print the resolved configuration (every default filled in) as YAML, check "
                "every input file the case names and exit without running");
  cmd->callback([args, &selected] {
    selected.run = [args] {
      args->req.out_dir = args->out;
      if (!args->start.empty()) args->req.start = args->start;
      if (!args->end.empty()) args->req.end = args->end;
      if (!args->restart.empty()) args->req.restart = args->restart;
      args->req.progress = !args->quiet;
      if (args->dry_run) {
        const std::string report = model::dry_run(args->req);
        if (is_root()) std::cout << report;
        return 0;
      }
      if (args->out.empty()) throw UsageError("run: --out is required (unless --dry-run)");
      const nlohmann::json summary = model::run_case(args->req, MPI_COMM_WORLD);
      if (is_root()) {
        if (args->json) {
          std::cout << summary.dump(2) << "\n";
        } else {
          std::cout << model::format_city_table(summary) << "state_hash "
                    << summary.at("state_hash").get<std::string>() << ", wall "
                    << summary.at("wall_seconds").get<double>() << " s, outputs in " << args->out
                    << "\n";
        }
      }
      return 0;
    };
  });
}

}  // namespace fwaq::apps

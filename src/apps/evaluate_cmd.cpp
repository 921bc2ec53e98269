// `fwaq evaluate RUN_DIR --obs FILE... [--stations LIST] [--species pm25] [--json]`: pairs
// a run's city (and, with --stations, station) concentrations with CNEMC observations and
// prints N, means, MB, NMB, NME, RMSE, r, MFB, MFE per city and overall, daily and hourly,
// flagged against the PM2.5 goals and criteria of Emery et al. (2017). Observation files:
// CNEMC hourly station files (wide format, .csv or .csv.gz; need --stations) and/or derived
// city daily PM2.5 files. Exit 0 on success, 2 wrong usage, 3 unusable input.
// The pairing and statistics are in src/report/evaluate.*.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "apps/commands.hpp"
#include "core/error.hpp"
#include "report/evaluate.hpp"

namespace fwaq::apps {

void add_evaluate_command(CLI::App& app, Command& selected) {
  auto* cmd = app.add_subcommand(
      "evaluate",
      "Compare a run with observations: N, MB, NMB, NME, RMSE, r, MFB, MFE per city and "
      "overall, daily and hourly, with the Emery et al. (2017) PM2.5 goals and criteria");
  struct Args {
    std::string run_dir;
    std::vector<std::string> obs;
    std::string stations;
    std::string species = "pm25";
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("run_dir", args->run_dir,
                  "Run directory (cities_daily.csv, cities_hourly.csv, fields.nc)")
      ->required();
  cmd->add_option("--obs", args->obs,
                  "Observation files: CNEMC hourly station files (date,hour,type,<codes>; "
                  ".csv or .csv.gz) and/or city daily files (fenwei_city_daily_pm25_*.csv)")
      ->required()
      ->expected(1, -1);
  cmd->add_option("--stations", args->stations,
                  "Station list (fenwei_stations.csv or StationList-*.csv): needed for station "
                  "files; pairs each station with its nearest cell of fields.nc");
  cmd->add_option("--species", args->species, "Species: pm25 (default), pm10, so2, no2, co");
  cmd->add_flag("--json", args->json, "Print the evaluation as one JSON object");
  cmd->callback([args, &selected]() {
    selected.run = [args]() {
      report::EvaluateOptions options;
      options.obs_files = args->obs;
      options.stations_file = args->stations;
      options.species = args->species;
      const report::Observations obs = report::Observations::load(options);
      const report::EvaluationReport r = report::evaluate_run(args->run_dir, obs);
      if (is_root()) {
        if (args->json) {
          std::cout << report::evaluation_json(r).dump(2) << "\n";
        } else {
          std::cout << report::format_evaluation_table(r);
        }
      }
      return 0;
    };
  });
}

}  // namespace fwaq::apps

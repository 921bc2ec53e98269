// `fwaq calibrate CASE --obs CITY_DAILY.csv --out DIR [--write FILE]`: fits the city
// emission factors of the inventory to observed city PM2.5 (src/model/calibrate.hpp).
#include <iostream>
#include <memory>

#include "apps/commands.hpp"
#include "model/calibrate.hpp"

namespace fwaq::apps {

void add_calibrate_command(CLI::App& app, Command& selected) {
  auto req = std::make_shared<model::CalibrationRequest>();
  auto out = std::make_shared<std::string>();
  auto write = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "calibrate",
      "Fit each city's emission factor so that a run of CASE reproduces the observed city "
      "PM2.5 means over --start..--end (docs/science/calibration.md)");
  cmd->add_option("case", req->case_file, "Case file, e.g. scenarios/fenwei-2018-19-reference.yaml")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--obs", req->obs_file,
                  "Observed city daily PM2.5 (fenwei_city_daily_pm25_*.csv layout)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", *out, "Folder for the runs of every iteration")->required();
  cmd->add_option("--write", *write,
                  "Write the fitted factors to this calibration file (e.g. "
                  "input/fenwei/emissions/calibration.yaml)");
  cmd->add_option("--initial", req->initial,
                  "Start from the factors of this calibration file (default: all 1)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--resume", req->resume,
                  "Continue the calibration whose calibration_report.json this is (its last "
                  "factors and learned Jacobian)")
      ->check(CLI::ExistingFile)
      ->excludes("--initial");
  cmd->add_option("--start", req->start, "First local date compared")->capture_default_str();
  cmd->add_option("--end", req->end, "Last local date compared (exclusive)")->capture_default_str();
  cmd->add_option("--spinup-hours", req->spinup_hours, "Spin-up before --start [h]")
      ->capture_default_str()
      ->check(CLI::Range(0, 1440));
  cmd->add_option("--iterations", req->max_iterations, "Most runs")
      ->capture_default_str()
      ->check(CLI::Range(1, 20));
  cmd->add_option("--tolerance", req->tolerance, "Stop when every |model/obs - 1| is below this")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 0.5));
  cmd->add_option("--damping", req->damping,
                  "Levenberg-Marquardt damping of the factor steps (smaller: bolder steps)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 10.0));
  cmd->add_option("--set", req->overrides, "Override a case-file value: section.key=value");
  cmd->add_flag("--json", *json, "Print the report as JSON");
  cmd->callback([req, out, write, json, &selected] {
    selected.run = [req, out, write, json] {
      req->out_dir = *out;
      req->write_to = *write;
      const nlohmann::json report = model::calibrate(*req, MPI_COMM_WORLD);
      if (is_root()) {
        if (*json) {
          std::cout << report.dump(2) << "\n";
        } else {
          std::cout << model::format_calibration_table(report)
                    << (report["converged"].get<bool>() ? "converged" : "NOT converged") << "\n";
        }
      }
      return 0;
    };
  });
}

}  // namespace fwaq::apps

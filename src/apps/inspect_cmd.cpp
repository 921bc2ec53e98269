// `fwaq inspect FILE [--json] [--stations LIST] [--check]`: what an input file is
// (WRF output, CF met, emissions, CNEMC observations, station list, YAML case), its
// grid, period and variables, and whether a run can use it. The detection and the
// report are in src/obs/inspect.*.
#include <iostream>
#include <memory>
#include <string>

#include "apps/commands.hpp"
#include "core/error.hpp"
#include "obs/inspect.hpp"

namespace fwaq::apps {

void add_inspect_command(CLI::App& app, Command& selected) {
  auto* cmd = app.add_subcommand(
      "inspect",
      "Say what an input file is (WRF output, CF met, emissions, CNEMC observations, station "
      "list, YAML case), its grid, period and variables, and whether a run can use it");
  struct Args {
    std::string file;
    std::string stations;
    bool json = false;
    bool check = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("file", args->file, "File to inspect (netCDF, CSV or CSV.gz, YAML)")->required();
  cmd->add_flag("--json", args->json, "Print the report as one JSON object");
  cmd->add_option("--stations", args->stations,
                  "Station list (fenwei_stations.csv or StationList-*.csv) to check the station "
                  "codes of an observation file and count its stations per city");
  cmd->add_flag("--check", args->check,
                "Exit with code 1 if the file is recognised but a run cannot use it");
  cmd->callback([args, &selected]() {
    selected.run = [args]() {
      obs::InspectOptions options;
      options.stations = args->stations;
      const nlohmann::ordered_json report = obs::inspect_file(args->file, options);
      if (is_root()) {
        if (args->json) {
          std::cout << report.dump(2) << "\n";
        } else {
          std::cout << obs::inspect_text(report);
        }
      }
      const bool unusable = report["usable"].is_boolean() && !report["usable"].get<bool>();
      return args->check && unusable ? 1 : 0;
    };
  });
}

}  // namespace fwaq::apps

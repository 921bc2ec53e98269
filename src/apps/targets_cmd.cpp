// `fwaq targets --reference DIR_A --scenario DIR_B [--targets FILE] [--json]`: compares the
// season of a scenario run B with a reference run A against the targets of the Fenwei
// plain 2019-2020 autumn-winter plan (Appendix 1): per area the change of season-mean
// PM2.5 [%] and of heavy-pollution days (daily AQI > 200) [days], region-wide the change
// of mean PM2.5 and of heavy city-days [%]. A report: exits 0 whether the targets pass or
// not; 3 for unusable run outputs or targets file, 2 for wrong usage.
// The comparison and the table are in src/report/targets.*; the default targets file
// is input/fenwei/targets.yaml, found as report::default_targets_file() says.
#include <iostream>
#include <memory>
#include <string>

#include "apps/commands.hpp"
#include "core/error.hpp"
#include "report/run_outputs.hpp"
#include "report/targets.hpp"

namespace fwaq::apps {

void add_targets_command(CLI::App& app, Command& selected) {
  auto* cmd = app.add_subcommand(
      "targets",
      "Compare a scenario season with a reference season against the plan's targets "
      "(per-area PM2.5 decrease and heavy-pollution days, region-wide -3 % each)");
  struct Args {
    std::string reference;
    std::string scenario;
    std::string targets;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("--reference", args->reference,
                  "Run directory of the reference season A (with summary.json)")
      ->required();
  cmd->add_option("--scenario", args->scenario,
                  "Run directory of the scenario season B (with summary.json)")
      ->required();
  cmd->add_option("--targets", args->targets,
                  "Targets file (default: input/fenwei/targets.yaml in the current directory, "
                  "else in the source tree of this executable)");
  cmd->add_flag("--json", args->json, "Print the comparison as one JSON object");
  cmd->callback([args, &selected]() {
    selected.run = [args]() {
      const std::string targets_file =
          args->targets.empty() ? report::default_targets_file().string() : args->targets;
      const report::Targets targets = report::Targets::load(targets_file);
      const report::RunSummary a = report::read_summary(args->reference);
      const report::RunSummary b = report::read_summary(args->scenario);
      const report::TargetsReport r = report::compare_with_targets(a, b, targets);
      if (is_root()) {
        if (args->json) {
          std::cout << report::targets_json(r).dump(2) << "\n";
        } else {
          std::cout << report::format_targets_table(r);
        }
      }
      return 0;
    };
  });
}

}  // namespace fwaq::apps

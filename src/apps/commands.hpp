#pragma once
// The `fwaq` subcommands. Each adds itself to the CLI11 app; the action it
// registers runs after parsing, on every MPI rank, and sets the exit code.
#include <CLI/CLI.hpp>
#include <functional>

namespace fwaq::apps {

/// What a subcommand hands back to main: the action to run after parsing.
struct Command {
  std::function<int()> run;  ///< returns the process exit code
};

void add_verify_command(CLI::App& app, Command& selected);
void add_bench_command(CLI::App& app, Command& selected);
void add_inspect_command(CLI::App& app, Command& selected);
void add_met_command(CLI::App& app, Command& selected);
void add_emissions_command(CLI::App& app, Command& selected);
void add_prepare_command(CLI::App& app, Command& selected);
void add_chem_command(CLI::App& app, Command& selected);
void add_run_command(CLI::App& app, Command& selected);
void add_targets_command(CLI::App& app, Command& selected);
void add_evaluate_command(CLI::App& app, Command& selected);
void add_calibrate_command(CLI::App& app, Command& selected);

/// True on the rank that prints (rank 0 of MPI_COMM_WORLD).
bool is_root();

}  // namespace fwaq::apps

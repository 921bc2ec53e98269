// fwaq: the command-line front end. Errors become a message on stderr and a
// non-zero exit code: 1 a check failed, 2 wrong usage, 3 unusable input,
// 4 numerical failure, 5 anything else, 143 stopped by SIGTERM / SIGINT (state saved).
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "apps/commands.hpp"
#include "core/error.hpp"
#include "fwaq/version.hpp"

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  int code = 0;
  {
    CLI::App app{
        "fwaq: air-quality forecasting and source-apportionment model for the Fenwei plain"};
    app.set_version_flag(
        "--version", std::string("fwaq ") + fwaq::kVersion + " (git " + fwaq::kGitRevision + ")");
    app.require_subcommand(1);
    fwaq::apps::Command selected;
    fwaq::apps::add_verify_command(app, selected);
    fwaq::apps::add_bench_command(app, selected);
    fwaq::apps::add_inspect_command(app, selected);
    fwaq::apps::add_met_command(app, selected);
    fwaq::apps::add_emissions_command(app, selected);
    fwaq::apps::add_prepare_command(app, selected);
    fwaq::apps::add_chem_command(app, selected);
    fwaq::apps::add_run_command(app, selected);
    fwaq::apps::add_targets_command(app, selected);
    fwaq::apps::add_evaluate_command(app, selected);
    fwaq::apps::add_calibrate_command(app, selected);
    try {
      app.parse(argc, argv);
      code = selected.run ? selected.run() : 0;
    } catch (const CLI::ParseError& e) {
      // Help and version exit 0 through CLI11; real parse errors exit 2.
      if (fwaq::apps::is_root()) {
        code = app.exit(e);
      } else {
        code = e.get_exit_code();
      }
      if (code != 0) code = 2;
    } catch (const fwaq::UsageError& e) {
      if (fwaq::apps::is_root()) std::cerr << "fwaq: error: " << e.what() << "\n";
      code = 2;
    } catch (const fwaq::InputError& e) {
      if (fwaq::apps::is_root()) std::cerr << "fwaq: input error: " << e.what() << "\n";
      code = 3;
    } catch (const fwaq::Interrupted& e) {
      if (fwaq::apps::is_root()) std::cerr << "fwaq: stopped: " << e.what() << "\n";
      code = 143;
    } catch (const fwaq::NumericalError& e) {
      std::cerr << "fwaq: numerical error: " << e.what() << "\n";
      code = 4;
    } catch (const std::exception& e) {
      std::cerr << "fwaq: error: " << e.what() << "\n";
      code = 5;
    }
  }
  MPI_Finalize();
  return code;
}

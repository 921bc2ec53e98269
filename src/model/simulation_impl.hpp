#pragma once
// The inside of a Simulation (simulation.cpp, checkpoint.cpp): set-up products, the run
// state, the operators and hooks, and the outputs. Not part of the public interface.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "emissions/inventory_definition.hpp"
#include "grid/domain.hpp"
#include "model/met_provider.hpp"
#include "model/outputs.hpp"
#include "model/scenario.hpp"
#include "model/settings.hpp"
#include "model/simulation.hpp"
#include "parallel/decomposition.hpp"

namespace fwaq::model {

namespace em = emissions;

/// Progress on stderr (rank 0): a rewritten line on a terminal, a log line per
/// simulated day otherwise.
class Progress {
 public:
  Progress(bool enabled, TimePoint begin, TimePoint end)
      : on_(enabled),
        tty_(::isatty(2) != 0),
        begin_(begin),
        end_(end),
        wall0_(std::chrono::steady_clock::now()) {}
  void update(TimePoint t) {
    if (!on_) return;
    const double done = seconds_between(begin_, t), total = seconds_between(begin_, end_);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0_).count();
    const double rate = wall > 0 ? done / 86400.0 / (wall / 60.0) : 0.0;  // sim days per min
    const double left = done > 0 ? wall * (total - done) / done : 0.0;
    char line[200];
    std::snprintf(line, sizeof line,
                  "fwaq run: %s  %5.1f%%  %.1f simulated days/min  %.0f s elapsed, %.0f s left",
                  format_iso(t).c_str(), 100.0 * done / total, rate, wall, left);
    if (tty_) {
      std::fprintf(stderr, "\r%s", line);
      std::fflush(stderr);
    } else if (t == end_ || (t.time_since_epoch().count() % 86400) == 0) {
      std::fprintf(stderr, "%s\n", line);
    }
  }
  void done() {
    if (on_ && tty_) std::fprintf(stderr, "\n");
  }

 private:
  bool on_, tty_;
  TimePoint begin_, end_;
  std::chrono::steady_clock::time_point wall0_;
};

struct Simulation::Impl {
  Impl(const RunRequest& req, MPI_Comm comm);
  ~Impl();

  // Set-up, in order.
  void setup_emissions();
  void setup_static_fields();
  void setup_initial_state();
  void setup_operators();
  void setup_outputs();

  void step(TimePoint t);
  bool stop_requested();  // SIGTERM or SIGINT on any rank (collective)

  // Checkpoints (checkpoint.cpp).
  struct CheckpointHeader {
    std::string file;
    TimePoint time{}, start{};
    int spinup_hours = 0;
    std::int64_t step = 0;
  };
  /// Reads and checks the header of req.restart (before anything is set up or written).
  static CheckpointHeader read_checkpoint_header(const std::filesystem::path& file);
  /// Checks the checkpoint against this run (grid, species, case) and loads the state,
  /// the budgets and the output accumulators from it.
  void restore_checkpoint(const CheckpointHeader& h);
  /// The output accumulators of the checkpoint (rank 0's writer).
  void restore_outputs(const CheckpointHeader& h);
  /// Writes the run state at state.time into `folder` (rank 0 writes; collective);
  /// returns the file's path.
  std::filesystem::path write_checkpoint(const std::filesystem::path& folder);
  std::vector<std::pair<std::string, Field*>> checkpoint_fields();
  std::string case_signature() const;
  std::string grid_signature() const;
  std::optional<CheckpointHeader> restart;
  void sample_surface(int hour);
  nlohmann::json summary();

  RunRequest req;
  bool root = false;
  std::chrono::steady_clock::time_point wall0 = std::chrono::steady_clock::now();
  Config cfg;
  Settings set;
  Domain dom;
  std::unique_ptr<Decomposition> decomp;
  int nx = 0, ny = 0, nz = 0, i0 = 0, j0 = 0;
  std::chrono::seconds dt{3600};

  // Emissions.
  em::InventoryDefinition def;
  std::vector<std::string> notes;
  std::shared_ptr<const em::EmissionSource> source;
  std::vector<ScalingRuleText> rule_text;
  std::vector<std::string> scaling_files;

  // Meteorology, chemistry, cities.
  std::unique_ptr<MetProvider> met_provider;
  MetRecord met_global, met;
  std::unique_ptr<chem::ChemistryOperator> chemistry;
  chem::DepositionOptions dep_opt;
  std::vector<CitySampler> samplers;
  std::string city_rule = "mean over the city's urban-core cells (domain file)";
  Field lat, lon, area, land_use;  // (nx, ny, 1)

  // The run state, the operators and their hooks.
  RunState state;
  std::vector<std::unique_ptr<Operator>> operators;
  AdvectionOperator* advection = nullptr;
  ChemistryStepOperator* chemistry_step = nullptr;
  TimingHook timing;
  std::unique_ptr<BudgetHook> budget;
  std::vector<OperatorHook*> hooks;
  double met_seconds = 0.0, output_seconds = 0.0;

  // Outputs (rank 0).
  std::unique_ptr<OutputWriter> writer;
  std::map<std::string, std::string> attrs;
  std::vector<Field> surface;
  Progress progress{false, {}, {}};
  struct sigaction old_sigterm {
  }, old_sigint{};
};

}  // namespace fwaq::model

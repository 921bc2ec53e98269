#pragma once
// A run as an object: set-up from a case, advance(t0, t1) through the operator list with
// its hooks, and finish() (budgets, state hash, outputs). The explicit run state
// (RunState, operators.hpp) holds what the operators change; docs/science/model.md shows
// the step.
#include <mpi.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "model/operators.hpp"
#include "model/run.hpp"

namespace fwaq::model {

class Simulation {
 public:
  /// Reads the case, builds the grid, emissions, meteorology, operators and the initial
  /// state at begin(). Collective over comm. Throws InputError / UsageError.
  Simulation(const RunRequest& req, MPI_Comm comm);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  /// First instant of the run (start − spin-up) and its end (UTC).
  TimePoint begin() const;
  TimePoint end() const;

  /// Advances the state from t0 (its current time) to t1, whole steps, sampling the
  /// hourly output on the way. Collective.
  void advance(TimePoint t0, TimePoint t1);

  /// Budgets, statistics and the state hash; writes the outputs (rank 0) and returns
  /// summary.json's content on every rank. Call once, at end().
  nlohmann::json finish();

  const RunState& state() const;

  /// Replaces the operator called `name` by wrap(operator) (tests: a deliberate leak).
  /// Throws std::invalid_argument for an unknown name.
  void wrap_operator(
      const std::string& name,
      const std::function<std::unique_ptr<Operator>(std::unique_ptr<Operator>)>& wrap);
  /// Names of the operators in the order a step applies them.
  std::vector<std::string> operator_names() const;

  /// The inside (simulation_impl.hpp; named here for the implementation files only).
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace fwaq::model

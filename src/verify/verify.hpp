#pragma once
// Verification cases: analytic and conservation tests of the transport
// operators, run by `fwaq verify` and asserted by the test suite.
#include <mpi.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fwaq::verify {

/// Options from the command line; unset ones take each case's defaults.
struct Options {
  std::optional<int> cells;        ///< cells along each horizontal axis (or levels)
  std::optional<double> courant;   ///< Courant number (dimensionless)
  std::optional<int> revolutions;  ///< revolutions / periods of the flow
  std::optional<double> width;     ///< square-wave width or Gaussian σ [cells]
};

/// Figures of one case. Error norms are normalised by the reference solution:
/// l1 = Σ|q−q0|/Σ|q0|, l2 = sqrt(Σ(q−q0)²/Σq0²), linf = max|q−q0|/max|q0|.
struct Result {
  std::string name;
  double l1 = 0.0, l2 = 0.0, linf = 0.0;
  double min = 0.0, max = 0.0;   ///< extremes of the final field (worst over runs for sweeps)
  double mass_error = 0.0;       ///< relative change of total tracer mass (worst over runs)
  std::optional<double> order;   ///< measured convergence order, where the case measures one
  std::optional<double> peak;    ///< final maximum, where the case tracks a peak
  std::uint64_t state_hash = 0;  ///< hash of the final fields (see parallel/reduce.hpp)
  int runs = 1;                  ///< runs the case comprises
  std::map<std::string, double> extra;  ///< further case-specific figures
  /// Final fields of the (last) run in global index order, all tracers then the
  /// air mass, on every rank: lets tests compare whole fields between runs.
  std::vector<double> fields;
  std::vector<std::string> failures;  ///< thresholds missed (empty: passed)
  std::string thresholds;             ///< what the case must reach, in words
  bool passed() const { return failures.empty(); }
};

/// Names of all cases, in the order `fwaq verify all` runs them.
const std::vector<std::string>& case_names();

/// Runs one case on `comm` (every rank takes part; the result is the same on
/// all ranks). Throws UsageError for an unknown case or invalid option.
Result run_case(const std::string& name, const Options& options, MPI_Comm comm);

/// The vertical diffusion case (implemented beside the diffusion operator).
Result diffusion_1d_gaussian(const Options& options, MPI_Comm comm);

}  // namespace fwaq::verify

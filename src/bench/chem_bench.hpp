#pragma once
// `fwaq bench chemistry`: throughput of the chemistry operator (one hourly step of
// every cell: thermodynamics, rate constants, Rosenbrock integration, write-back)
// on representative winter cells of the Fenwei plain — day and night, clear, fog
// and cloud, clean and polluted — with 1 and 2 OpenMP threads, alongside the
// machine's memory bandwidth (STREAM triad). See docs/science/chemistry.md.
#include <mpi.h>

#include <cstddef>
#include <vector>

#include "chem/chemistry.hpp"

namespace fwaq::bench {

struct ChemistryBenchOptions {
  int cells = 4096;  ///< cells per rank (rounded up to whole columns of `nz` levels)
  int nz = 8;        ///< levels per column
  int hours = 24;    ///< hourly chemistry steps timed per thread count (a full day)
  int repeats = 3;   ///< the day is run this often per thread count; the fastest counts
  std::size_t stream_elements = std::size_t{1} << 23;  ///< STREAM array length, all ranks
  int stream_repetitions = 5;
  chem::ChemistryOptions chemistry;  ///< options of the operator under test
};

struct ChemistryThreadRun {
  int threads = 0;
  double seconds = 0;                ///< wall time of all timed steps (slowest rank)
  double cell_steps_per_second = 0;  ///< all ranks together
  double us_per_cell_step = 0;       ///< per core: seconds × threads / cell-steps of a rank [µs]
  /// CPU time of the rank's threads per cell-step [µs] (unaffected by other work on the
  /// node; with 2 threads it includes OpenMP spin-waiting; smallest of the repeats).
  double cpu_us_per_cell_step = 0;
};

struct ChemistryBenchReport {
  ChemistryBenchOptions options;
  int ranks = 1, cores = 1, columns = 0, cells = 0;  ///< per rank
  double wet_fraction = 0;         ///< cells with cloud or fog water (the wet Rosenbrock system)
  long long cell_steps = 0;        ///< per thread count, all ranks
  double mean_solver_steps = 0;    ///< Rosenbrock steps per cell-step
  double rejected_fraction = 0;    ///< rejected / attempted Rosenbrock steps
  int max_solver_steps = 0;        ///< most Rosenbrock steps in one cell-step
  double thermo_us_per_call = 0;   ///< the inorganic thermodynamics alone, 1 thread [µs]
  double stream_gbps = 0;          ///< STREAM triad, all ranks [GB/s]
  double bytes_per_cell_step = 0;  ///< main-memory traffic of one cell-step [B]
  double sulfate_ug = 0, hno3_ug = 0, soa_ug = 0;  ///< produced in the timed day (sanity)
  std::vector<ChemistryThreadRun> runs;
  double seconds = 0;
  double load_before = -1, load_after = -1;  ///< 1-minute load average of the node
};

/// Runs the benchmark on all ranks of `comm` (collective); every rank gets the report.
ChemistryBenchReport run_chemistry_bench(const ChemistryBenchOptions& options, MPI_Comm comm);

}  // namespace fwaq::bench

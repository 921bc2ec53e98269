#pragma once
// `fwaq bench transport`: throughput of the transport step (advection x, y, z
// plus vertical diffusion) on a 3-D terrain problem, against the memory
// bandwidth of the same machine (STREAM triad). See docs/performance.md.
#include <mpi.h>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace fwaq::bench {

/// STREAM triad a[i] = b[i] + s*c[i] (McCalpin 1995) over three arrays of
/// `elements` doubles per rank, OpenMP-parallel with the current thread count,
/// all ranks of `comm` at once. Counts 24 bytes per element (two reads, one
/// write; write-allocate traffic is not counted, as in STREAM). Returns the best
/// of `repetitions` aggregate rates [GB/s, 1e9 bytes/s]. Collective.
double stream_triad_gbps(MPI_Comm comm, std::size_t elements, int repetitions);

/// Bytes of main-memory traffic one cell-species update must cause, counted
/// like STREAM (each value read once and written once, no write-allocate): a
/// tracer's mixing ratio is read and written once per directional sweep and once
/// by the vertical diffusion; per-cell arrays (air mass, mass fluxes,
/// conductances) are shared by all tracers and amortise over them.
struct BytesModel {
  static constexpr double kSweepTracer = 16.0;      ///< read q, write q' (double buffer)
  static constexpr double kSweepTracerWA = 24.0;    ///< the same with write-allocate of q'
  static constexpr double kSweepCell = 24.0;        ///< read m and face flux, write m'
  static constexpr double kSweepCellWA = 32.0;      ///< the same with write-allocate of m'
  static constexpr double kDiffusionTracer = 16.0;  ///< read q, write q in place
  static constexpr double kDiffusionCell = 16.0;    ///< read m and face conductance
  /// Full step: three sweeps and one vertical diffusion.
  static double full(int ntracers, bool write_allocate = false);
  /// Horizontal advection alone: x and y sweeps.
  static double horizontal(int ntracers, bool write_allocate = false);
};

struct TransportOptions {
  int nx = 200, ny = 200, nz = 25;  ///< global grid
  int tracers = 20;
  int steps = 3;    ///< timed steps per measurement (even and odd: both sweep orders); best counts
  int threads = 0;  ///< OpenMP threads per rank of the headline run; 0: automatic
  double courant = 0.8;  ///< largest horizontal mass Courant number of the winds
  std::size_t stream_elements = std::size_t{1} << 25;  ///< STREAM array length, all ranks together
  int stream_repetitions = 10;
};

/// Timings of one thread count: seconds of each timed step (wall clock, slowest rank).
struct ThreadRun {
  int threads = 0;
  std::vector<double>
      full;  ///< full steps (advection.apply + diffusion), one loop as a model runs it
  std::vector<double> x, y, z,
      diffusion;             ///< the same operators, timed one by one (barriers between)
  double best_full() const;  ///< shortest full step
  double mean_full() const;
  double best_horizontal() const;  ///< shortest x + y of one step
  static double best(const std::vector<double>& v);
};

struct TransportReport {
  TransportOptions options;
  int ranks = 1, px = 1, py = 1;
  int threads = 1;                     ///< threads per rank of the headline figures
  int cores = 1;                       ///< online CPUs of this node
  int node_ranks = 1;                  ///< ranks on this node
  bool oversubscribed = false;         ///< ranks on the node × threads > cores
  double cell_species = 0;             ///< nx ny nz ntracers (global)
  double dt_s = 0;                     ///< model time step [s]
  double courant_max[3] = {0, 0, 0};   ///< largest mass Courant number per sweep axis
  double courant_mean[3] = {0, 0, 0};  ///< mean |flux| / m per axis (cell average)
  int substeps_max[3] = {0, 0, 0};     ///< largest sub-step count seen per axis
  double stream_gbps = 0;
  std::vector<ThreadRun> runs;  ///< 1 thread, 2 threads, and the headline count if different
  double seconds = 0;           ///< wall time of the whole benchmark
  /// 1-minute load average of the node before and after (other work on the cores
  /// makes the figures unreliable; -1 where /proc/loadavg is unreadable).
  double load_before = -1, load_after = -1;

  const ThreadRun& run(int threads) const;
};

/// Runs the benchmark on all ranks of `comm` (collective); every rank gets the report.
/// Throws UsageError for options that cannot work.
TransportReport run_transport_bench(const TransportOptions& options, MPI_Comm comm);

}  // namespace fwaq::bench

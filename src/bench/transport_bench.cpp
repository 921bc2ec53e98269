#include "bench/transport_bench.hpp"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <numbers>
#include <string>

#include "core/error.hpp"
#include "field/field.hpp"
#include "kernels/advection.hpp"
#include "operators/advection.hpp"
#include "operators/diffusion.hpp"
#include "parallel/decomposition.hpp"

namespace fwaq::bench {

namespace {

using kernels::kAdvectionHalo;
constexpr double kPi = std::numbers::pi;

double max_over(MPI_Comm comm, double v) {
  MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_DOUBLE, MPI_MAX, comm);
  return v;
}

double sum_over(MPI_Comm comm, double v) {
  MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_DOUBLE, MPI_SUM, comm);
  return v;
}

/// Terrain-following setting in the spirit of verify's terrain cases: 12 km
/// cells, layers to 8 km thin near the ground, density with a scale height of
/// 8.5 km, a mountain and ridges, and a divergent wind that varies with height.
struct Setting {
  int nx, ny, nz;
  double dx = 12000.0;                        // [m]
  double ztop = 8000.0;                       // [m] above sea level
  double terrain(double i, double j) const {  // [m]
    const double x = (i - 0.4 * nx) / (0.2 * nx), y = (j - 0.6 * ny) / (0.25 * ny);
    return 1800.0 * std::exp(-x * x - y * y) + 300.0 * std::sin(0.3 * i) * std::cos(0.2 * j) +
           400.0;
  }
  double sigma(double k) const {  // interface k: 0 at the ground, 1 at the top
    const double s = k / nz;
    return s * (0.25 + 0.75 * s);
  }
  double height(double i, double j, double k) const {  // above sea level [m]
    const double h = terrain(i, j);
    return h + (ztop - h) * sigma(k);
  }
  double density(double z) const { return 1.2 * std::exp(-z / 8500.0); }  // [kg m-3]
  // Divergence changes sign with height (convergence below, divergence aloft, as
  // in real circulations), so the vertical mass flux peaks mid-column and the
  // vertical Courant number stays realistic.
  double reversal(int k) const { return std::cos(kPi * (k + 0.5) / nz); }
  // Winds [m s-1]: a westerly increasing with height, a meander, and divergent
  // parts with wavelengths of 16 and 20 cells.
  double u(double i, double j, int k) const {
    return 8.0 + 3.0 * std::sin(2 * kPi * j / ny) + 0.2 * k +
           2.0 * std::cos(2 * kPi * i / 16.0) * reversal(k);
  }
  double v(double i, double j, int k) const {
    return 5.0 * std::cos(2 * kPi * i / nx) - 2.0 +
           2.0 * std::sin(2 * kPi * j / 20.0 + 0.3 * k) * reversal(k);
  }
  // Eddy diffusivity [m2 s-1] at height z above ground: an O'Brien-like profile
  // peaking at 50 m2 s-1 in a 1.5 km boundary layer, 1 m2 s-1 above.
  double diffusivity(double z_agl) const {
    const double zi = 1500.0;
    if (z_agl >= zi) return 1.0;
    const double s = z_agl / zi;
    return 1.0 + 50.0 * 6.75 * s * (1.0 - s) * (1.0 - s);
  }
};

/// The benchmark problem on one rank.
struct Problem {
  std::unique_ptr<Decomposition> decomp;
  State state;
  MassFluxes fluxes;
  Field conductance;  // vertical diffusion, z-faces [kg s-1]
  double dt = 0.0;    // [s]
};

/// Largest outflow / min(m, m_end) of a sweep along `axis` from air mass m
/// (the quantity Advection::sweep turns into sub-steps) and the cell mean of
/// |face flux| / m; also returns the air mass after the sweep in m.
void sweep_courant(Field& m, const Field& f, int axis, double& cmax, double& csum) {
  cmax = 0.0;
  csum = 0.0;
  for (int k = 0; k < m.nz(); ++k)
    for (int j = 0; j < m.ny(); ++j)
      for (int i = 0; i < m.nx(); ++i) {
        const double lo = f(i, j, k);
        const double hi =
            axis == 0 ? f(i + 1, j, k) : (axis == 1 ? f(i, j + 1, k) : f(i, j, k + 1));
        const double out = std::max(-lo, 0.0) + std::max(hi, 0.0);
        const double m_end = m(i, j, k) + lo - hi;
        cmax = std::max(cmax, out / std::min(m(i, j, k), m_end));
        csum += 0.5 * (std::abs(lo) + std::abs(hi)) / m(i, j, k);
        m(i, j, k) = m_end;
      }
}

void build_problem(Problem& p, const TransportOptions& o, MPI_Comm comm, TransportReport& r) {
  p.decomp = std::make_unique<Decomposition>(comm, o.nx, o.ny, o.nz, false, false, kAdvectionHalo);
  const Decomposition& d = *p.decomp;
  const int lx = d.nx(), ly = d.ny(), nz = o.nz;
  const Setting s{o.nx, o.ny, o.nz};
  const double area = s.dx * s.dx;
  auto layer = [&](double i, double j, int k, double& dz, double& rho) {
    const double z0 = s.height(i, j, k), z1 = s.height(i, j, k + 1);
    dz = z1 - z0;
    rho = s.density(0.5 * (z0 + z1));
  };

  Field& m = p.state.air_mass;
  m = Field("air_mass", "kg", lx, ly, nz, kAdvectionHalo);
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ly; ++j)
      for (int i = 0; i < lx; ++i) {
        double dz, rho;
        layer(d.i0() + i + 0.5, d.j0() + j + 0.5, k, dz, rho);
        m(i, j, k) = rho * dz * area;
      }

  // Horizontal mass fluxes for dt = 1 s, scaled below to the Courant number asked for.
  p.fluxes = MassFluxes(lx, ly, nz);
  Field& fx = p.fluxes.x;
  Field& fy = p.fluxes.y;
  Field& fz = p.fluxes.z;
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < fx.ny(); ++j)
      for (int i = 0; i < fx.nx(); ++i) {
        const double gi = d.i0() + i, gj = d.j0() + j + 0.5;
        double dz, rho;
        layer(gi, gj, k, dz, rho);
        fx(i, j, k) = rho * s.u(gi, gj, k) * dz * s.dx;
      }
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < fy.ny(); ++j)
      for (int i = 0; i < fy.nx(); ++i) {
        const double gi = d.i0() + i + 0.5, gj = d.j0() + j;
        double dz, rho;
        layer(gi, gj, k, dz, rho);
        fy(i, j, k) = rho * s.v(gi, gj, k) * dz * s.dx;
      }
  // Time step for the largest horizontal Courant number asked for (a few
  // fixed-point iterations: the sweeps' Courant number is not linear in dt).
  p.dt = 1.0;
  for (int iter = 0; iter < 4; ++iter) {
    double c = 0.0;
    for (int axis = 0; axis < 2; ++axis) {
      Field mm = m;
      Field f = axis == 0 ? fx : fy;
      double* v = f.data();
      for (std::size_t n = 0; n < f.size(); ++n) v[n] *= p.dt;
      double cmax, csum;
      sweep_courant(mm, f, axis, cmax, csum);
      c = std::max(c, cmax);
    }
    p.dt *= o.courant / max_over(comm, c);
  }
  for (Field* f : {&fx, &fy}) {
    double* v = f->data();
    for (std::size_t n = 0; n < f->size(); ++n) v[n] *= p.dt;
  }
  // Vertical fluxes from continuity: each layer passes up what its horizontal
  // convergence brings in, so the air mass is steady while the winds diverge;
  // the top face carries the column's net convergence (open model top).
  for (int j = 0; j < ly; ++j)
    for (int i = 0; i < lx; ++i) {
      fz(i, j, 0) = 0.0;
      for (int k = 0; k < nz; ++k) {
        const double convergence = fx(i, j, k) - fx(i + 1, j, k) + fy(i, j, k) - fy(i, j + 1, k);
        fz(i, j, k + 1) = fz(i, j, k) + convergence;
      }
    }
  // Courant numbers as the sweeps of an even step (x, y, z) see them.
  {
    Field mm = m;
    for (int axis = 0; axis < 3; ++axis) {
      const Field& f = axis == 0 ? fx : (axis == 1 ? fy : fz);
      double cmax, csum;
      sweep_courant(mm, f, axis, cmax, csum);
      r.courant_max[axis] = max_over(comm, cmax);
      r.courant_mean[axis] = sum_over(comm, csum) / (static_cast<double>(o.nx) * o.ny * nz);
    }
  }

  // Vertical diffusion conductances G = rho K A / (distance of the centres) [kg s-1].
  p.conductance = Field("conductance_z", "kg s-1", lx, ly, nz + 1, 0);
  for (int j = 0; j < ly; ++j)
    for (int i = 0; i < lx; ++i) {
      const double gi = d.i0() + i + 0.5, gj = d.j0() + j + 0.5;
      const double h = s.terrain(gi, gj);
      for (int k = 1; k < nz; ++k) {
        const double zf = s.height(gi, gj, k);
        const double below = 0.5 * (s.height(gi, gj, k - 1) + zf);
        const double above = 0.5 * (zf + s.height(gi, gj, k + 1));
        p.conductance(i, j, k) = s.density(zf) * s.diffusivity(zf - h) * area / (above - below);
      }
    }

  // Tracers: smooth fields with different phases and a sharp-edged plume each,
  // so that both the parabola and the THINC branch of the scheme are exercised.
  for (int t = 0; t < o.tracers; ++t) {
    Field f("tracer" + std::to_string(t), "ug kg-1", lx, ly, nz, kAdvectionHalo);
    const double scale = 1.0 + 0.1 * t;
    const double pi0 = o.nx * (0.15 + 0.5 * t / std::max(1, o.tracers));
    const double pj0 = o.ny * 0.3;
    for (int k = 0; k < nz; ++k)
      for (int j = 0; j < ly; ++j)
        for (int i = 0; i < lx; ++i) {
          const double gi = d.i0() + i, gj = d.j0() + j;
          double q =
              scale *
              (10.0 + 5.0 * std::sin(0.21 * gi + 0.37 * t) * std::cos(0.17 * gj - 0.11 * t)) *
              std::exp(-0.05 * k);
          if (gi >= pi0 && gi < pi0 + 0.15 * o.nx && gj >= pj0 && gj < pj0 + 0.25 * o.ny &&
              k < std::max(1, nz / 4)) {
            q += 100.0 * scale;
          }
          f(i, j, k) = q;
        }
    p.state.tracers.push_back(std::move(f));
  }
}

void note_substeps(TransportReport& r, const AdvectionStats& st) {
  r.substeps_max[0] = std::max(r.substeps_max[0], st.substeps_x);
  r.substeps_max[1] = std::max(r.substeps_max[1], st.substeps_y);
  r.substeps_max[2] = std::max(r.substeps_max[2], st.substeps_z);
}

/// 1-minute load average of the node, or -1.
double load_average() {
  double v = -1.0;
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &v) != 1) v = -1.0;
    std::fclose(f);
  }
  return v;
}

/// Ranks of `comm` that share this node.
int ranks_on_node(MPI_Comm comm) {
  MPI_Comm node;
  MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
  int n = 1;
  MPI_Comm_size(node, &n);
  MPI_Comm_free(&node);
  return n;
}

}  // namespace

double BytesModel::full(int ntracers, bool write_allocate) {
  const double tracer = write_allocate ? kSweepTracerWA : kSweepTracer;
  const double cell = write_allocate ? kSweepCellWA : kSweepCell;
  return 3.0 * (tracer + cell / ntracers) + kDiffusionTracer + kDiffusionCell / ntracers;
}

double BytesModel::horizontal(int ntracers, bool write_allocate) {
  const double tracer = write_allocate ? kSweepTracerWA : kSweepTracer;
  const double cell = write_allocate ? kSweepCellWA : kSweepCell;
  return 2.0 * (tracer + cell / ntracers);
}

double ThreadRun::best(const std::vector<double>& v) {
  return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end());
}
double ThreadRun::best_full() const {
  return best(full);
}
double ThreadRun::mean_full() const {
  double sum = 0.0;
  for (double t : full) sum += t;
  return full.empty() ? 0.0 : sum / static_cast<double>(full.size());
}
double ThreadRun::best_horizontal() const {
  std::vector<double> xy;
  for (std::size_t n = 0; n < x.size(); ++n) xy.push_back(x[n] + y[n]);
  return best(xy);
}

const ThreadRun& TransportReport::run(int n) const {
  for (const auto& r : runs)
    if (r.threads == n) return r;
  throw std::logic_error("bench: no run with " + std::to_string(n) + " threads");
}

double stream_triad_gbps(MPI_Comm comm, std::size_t elements, int repetitions) {
  const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(elements);
  // Uninitialised storage, first touched by the threads that use it.
  std::unique_ptr<double[]> a(new double[elements]), b(new double[elements]),
      c(new double[elements]);
  double* pa = a.get();
  double* pb = b.get();
  double* pc = c.get();
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    pa[i] = 0.0;
    pb[i] = 1.0;
    pc[i] = 2.0;
  }
  const double scalar = 3.0;
  double best = std::numeric_limits<double>::infinity();
  for (int rep = 0; rep < repetitions; ++rep) {
    MPI_Barrier(comm);
    const double t0 = MPI_Wtime();
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) pa[i] = pb[i] + scalar * pc[i];
    const double t = max_over(comm, MPI_Wtime() - t0);
    best = std::min(best, t);
  }
  // Every element must be b + s c = 7; also keeps the loop from being elided.
  int bad = 0;
#pragma omp parallel for schedule(static) reduction(+ : bad)
  for (std::ptrdiff_t i = 0; i < n; ++i) bad += pa[i] != 7.0;
  bad = static_cast<int>(sum_over(comm, bad));
  if (bad != 0) throw std::runtime_error("bench: STREAM triad produced wrong values");
  const double bytes = sum_over(comm, 24.0 * static_cast<double>(elements));
  return bytes / best / 1e9;
}

TransportReport run_transport_bench(const TransportOptions& o, MPI_Comm comm) {
  const double t_start = MPI_Wtime();
  TransportReport r;
  r.load_before = load_average();
  r.options = o;
  MPI_Comm_size(comm, &r.ranks);
  if (o.nx < 2 * kAdvectionHalo || o.ny < 2 * kAdvectionHalo || o.nz < 2 || o.tracers < 1 ||
      o.steps < 1 || o.courant <= 0.0 || o.courant > 1.0 || o.threads < 0) {
    throw UsageError("bench transport: need nx, ny >= " + std::to_string(2 * kAdvectionHalo) +
                     ", nz >= 2, tracers >= 1, steps >= 1, 0 < courant <= 1, threads >= 0");
  }
  // Memory: tracers and their double buffers, per-cell fields, STREAM arrays (generously).
  const double cells_per_rank = static_cast<double>(o.nx + 2 * kAdvectionHalo * r.ranks) *
                                (o.ny + 2 * kAdvectionHalo * r.ranks) * o.nz / r.ranks;
  const double need = 8.0 * cells_per_rank * (3.0 * o.tracers + 8.0) * r.ranks +
                      24.0 * static_cast<double>(o.stream_elements);
  const double phys = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGE_SIZE);
  if (phys > 0 && need > 0.8 * phys) {
    throw UsageError("bench transport: the problem needs about " +
                     std::to_string(static_cast<long long>(need / (1 << 20))) + " MiB, more than " +
                     "80% of this node's " +
                     std::to_string(static_cast<long long>(phys / (1 << 20))) + " MiB");
  }

  // Threads per rank: asked for, OMP_NUM_THREADS, or the cores of the node shared by its ranks.
  const int node_ranks = ranks_on_node(comm);
  r.node_ranks = node_ranks;
  r.cores = static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  if (o.threads > 0) {
    r.threads = o.threads;
  } else if (std::getenv("OMP_NUM_THREADS")) {
    r.threads = omp_get_max_threads();
  } else {
    r.threads = std::max(1, omp_get_num_procs() / node_ranks);
  }
  r.oversubscribed = node_ranks * r.threads > r.cores;

  omp_set_num_threads(r.threads);
  r.stream_gbps = stream_triad_gbps(comm, std::max<std::size_t>(1, o.stream_elements / r.ranks),
                                    o.stream_repetitions);

  Problem p;
  build_problem(p, o, comm, r);
  const Decomposition& d = *p.decomp;
  r.px = d.px();
  r.py = d.py();
  r.cell_species = static_cast<double>(o.nx) * o.ny * o.nz * o.tracers;
  r.dt_s = p.dt;

  // The operators size their per-thread work space for the largest thread count used.
  std::vector<int> counts{1, 2};
  if (r.threads > 2) counts.push_back(r.threads);
  omp_set_num_threads(*std::max_element(counts.begin(), counts.end()));
  Advection advection(d, o.tracers);
  VerticalDiffusion diffusion(d);

  // Warm-up: thread pool, caches, the tracers' running bounds.
  std::int64_t step = 0;
  note_substeps(r, advection.apply(p.state, p.fluxes, step++));
  diffusion.apply(p.state, p.conductance, p.dt);

  // The thread counts take turns step by step, so that a disturbance from other
  // work on the node hits all of them alike; each reports its best step. The
  // results do not depend on the thread count, so every count does the same work.
  r.runs.resize(counts.size());
  for (std::size_t c = 0; c < counts.size(); ++c) r.runs[c].threads = counts[c];
  // The full step as a model calls it (even and odd steps: both sweep orders).
  for (int s = 0; s < o.steps; ++s) {
    for (auto& run : r.runs) {
      omp_set_num_threads(run.threads);
      MPI_Barrier(comm);
      const double t0 = MPI_Wtime();
      note_substeps(r, advection.apply(p.state, p.fluxes, step++));
      diffusion.apply(p.state, p.conductance, p.dt);
      run.full.push_back(max_over(comm, MPI_Wtime() - t0));
    }
  }
  // The same operators one at a time (barriers between them).
  for (int s = 0; s < o.steps; ++s) {
    for (auto& run : r.runs) {
      omp_set_num_threads(run.threads);
      double t[5];
      MPI_Barrier(comm);
      t[0] = MPI_Wtime();
      note_substeps(r, {advection.sweep(p.state, p.fluxes.x, 0), 0, 0});
      MPI_Barrier(comm);
      t[1] = MPI_Wtime();
      note_substeps(r, {0, advection.sweep(p.state, p.fluxes.y, 1), 0});
      MPI_Barrier(comm);
      t[2] = MPI_Wtime();
      note_substeps(r, {0, 0, advection.sweep(p.state, p.fluxes.z, 2)});
      MPI_Barrier(comm);
      t[3] = MPI_Wtime();
      diffusion.apply(p.state, p.conductance, p.dt);
      MPI_Barrier(comm);
      t[4] = MPI_Wtime();
      double d[4] = {t[1] - t[0], t[2] - t[1], t[3] - t[2], t[4] - t[3]};
      MPI_Allreduce(MPI_IN_PLACE, d, 4, MPI_DOUBLE, MPI_MAX, comm);
      run.x.push_back(d[0]);
      run.y.push_back(d[1]);
      run.z.push_back(d[2]);
      run.diffusion.push_back(d[3]);
    }
  }
  omp_set_num_threads(r.threads);
  for (int& n : r.substeps_max) n = static_cast<int>(max_over(comm, n));
  r.seconds = max_over(comm, MPI_Wtime() - t_start);
  r.load_after = load_average();
  return r;
}

}  // namespace fwaq::bench

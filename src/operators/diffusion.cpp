#include "operators/diffusion.hpp"

#include <mpi.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "core/error.hpp"
#include "kernels/diffusion.hpp"

namespace fwaq {

namespace {

bool finite(double x) {
  return std::isfinite(x);
}

// Loops over fewer cells than this run on one thread: for them the cost of an
// OpenMP region exceeds the work. Results do not depend on it (every cell is
// updated independently).
constexpr long kParallelMinCells = 4096;

void check_shape(const Field& f, int nx, int ny, int nz, const std::string& what) {
  if (f.nx() != nx || f.ny() != ny || f.nz() != nz) {
    throw std::invalid_argument(what + " '" + f.name() + "' has shape (" + std::to_string(f.nx()) +
                                ", " + std::to_string(f.ny()) + ", " + std::to_string(f.nz()) +
                                "), expected (" + std::to_string(nx) + ", " + std::to_string(ny) +
                                ", " + std::to_string(nz) + ")");
  }
}

void check_state(const State& state, int nx, int ny, int nz) {
  check_shape(state.air_mass, nx, ny, nz, "air mass");
  for (const Field& f : state.tracers) check_shape(f, nx, ny, nz, "tracer");
}

}  // namespace

// ---------------------------------------------------------------------------
// VerticalDiffusion

VerticalDiffusion::ColumnWork::ColumnWork(int nz) {
  const std::size_t n = static_cast<std::size_t>(nz);
  for (auto* v : {&m, &q, &lower, &upper, &excess, &rhs, &work}) v->assign(n, 0.0);
  g.assign(n + 1, 0.0);
}

VerticalDiffusion::VerticalDiffusion(const Decomposition& decomp, double theta)
    : decomp_(decomp), theta_(theta) {
  if (!(theta >= 0.5 && theta <= 1.0)) {
    throw std::invalid_argument("VerticalDiffusion: theta must lie in [0.5, 1], got " +
                                std::to_string(theta));
  }
  const int threads = std::max(1, omp_get_max_threads());
  work_.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) work_.emplace_back(decomp.nz());
}

void VerticalDiffusion::apply(State& state, const Field& conductance_z,
                              const SurfaceExchange& surface, double dt_s) {
  const int nx = decomp_.nx(), ny = decomp_.ny(), nz = decomp_.nz();
  const int ntr = static_cast<int>(state.tracers.size());
  check_state(state, nx, ny, nz);
  check_shape(conductance_z, nx, ny, nz + 1, "vertical conductance");
  if (!surface.emission.empty() && static_cast<int>(surface.emission.size()) != ntr) {
    throw std::invalid_argument("VerticalDiffusion: " + std::to_string(surface.emission.size()) +
                                " emission fields for " + std::to_string(ntr) + " tracers");
  }
  if (surface.deposition.size() > 1 && static_cast<int>(surface.deposition.size()) != ntr) {
    throw std::invalid_argument("VerticalDiffusion: " + std::to_string(surface.deposition.size()) +
                                " deposition fields for " + std::to_string(ntr) + " tracers");
  }
  for (const Field* f : surface.emission)
    if (f) check_shape(*f, nx, ny, 1, "emission flux");
  for (const Field* f : surface.deposition)
    if (f) check_shape(*f, nx, ny, 1, "deposition conductance");
  if (!finite(dt_s) || dt_s < 0.0) {
    throw NumericalError("vertical diffusion: invalid time step " + std::to_string(dt_s) + " s");
  }
  if (ntr == 0) return;

  const Field& m = state.air_mass;
  const int ncol = nx * ny;
  // Never more threads than the scratch was sized for in the constructor.
  const int nthreads = std::max(1, std::min(static_cast<int>(work_.size()), omp_get_max_threads()));

  const bool parallel = static_cast<long>(ncol) * nz * std::max(ntr, 1) >= kParallelMinCells;

  // Validation before any update, so that a bad input leaves the state untouched.
  int bad = 0;
#pragma omp parallel for num_threads(nthreads) if (parallel) reduction(max : bad)
  for (int c = 0; c < ncol; ++c) {
    const int i = c % nx, j = c / nx;
    for (int k = 0; k < nz; ++k) {
      const double mk = m(i, j, k);
      if (!finite(mk) || !(mk > 0.0)) bad = std::max(bad, 1);
    }
    for (int k = 1; k < nz; ++k) {
      const double g = conductance_z(i, j, k);
      if (!finite(g) || g < 0.0) bad = std::max(bad, 2);
    }
    for (const Field* f : surface.deposition)
      if (f && (!finite((*f)(i, j, 0)) || (*f)(i, j, 0) < 0.0)) bad = std::max(bad, 3);
    for (const Field* f : surface.emission)
      if (f && !finite((*f)(i, j, 0))) bad = std::max(bad, 4);
  }
  if (bad != 0) {
    static const char* what[] = {
        "", "non-positive or non-finite air mass", "negative or non-finite vertical conductance",
        "negative or non-finite deposition conductance", "non-finite emission flux"};
    throw NumericalError(std::string("vertical diffusion on rank ") +
                         std::to_string(decomp_.rank()) + ": " + what[bad]);
  }

  const std::ptrdiff_t sz_m = m.stride_z();
  const std::ptrdiff_t sz_g = conductance_z.stride_z();
  const bool count = surface.exchanged != nullptr;
  if (count) column_flux_.assign(static_cast<std::size_t>(ncol) * ntr, 0.0);
  int failed = 0;
#pragma omp parallel for num_threads(nthreads) if (parallel) reduction(max : failed)
  for (int c = 0; c < ncol; ++c) {
    ColumnWork& w = work_[static_cast<std::size_t>(omp_get_thread_num())];
    const int i = c % nx, j = c / nx;
    const double* mp = m.data() + m.index(i, j, 0);
    const double* gp = conductance_z.data() + conductance_z.index(i, j, 0);
    for (int k = 0; k < nz; ++k) w.m[k] = mp[k * sz_m];
    for (int k = 0; k <= nz; ++k) w.g[k] = gp[k * sz_g];
    const kernels::DiffusionColumnScratch scratch{w.lower.data(), w.upper.data(), w.excess.data(),
                                                  w.rhs.data(), w.work.data()};
    for (int t = 0; t < ntr; ++t) {
      Field& tracer = state.tracers[static_cast<std::size_t>(t)];
      double* qp = tracer.data() + tracer.index(i, j, 0);
      const std::ptrdiff_t sz_q = tracer.stride_z();
      for (int k = 0; k < nz; ++k) w.q[k] = qp[k * sz_q];
      const Field* e = surface.emission.empty() ? nullptr : surface.emission[t];
      const Field* d = surface.deposition.empty()
                           ? nullptr
                           : surface.deposition[surface.deposition.size() == 1 ? 0 : t];
      const double emission = e ? (*e)(i, j, 0) : 0.0;
      const double deposition = d ? (*d)(i, j, 0) : 0.0;
      const double q0_old = w.q[0];
      if (!kernels::vertical_diffusion_column(nz, w.m.data(), w.g.data(), emission, deposition,
                                              dt_s, theta_, w.q.data(), scratch)) {
        failed = 1;
        continue;
      }
      if (count) {
        column_flux_[static_cast<std::size_t>(c) * ntr + t] =
            dt_s * (emission - deposition * (theta_ * w.q[0] + (1.0 - theta_) * q0_old));
      }
      for (int k = 0; k < nz; ++k) qp[k * sz_q] = w.q[k];
    }
  }
  if (failed) {
    throw NumericalError("vertical diffusion on rank " + std::to_string(decomp_.rank()) +
                         ": tridiagonal solve failed (overflow of dt × conductance?)");
  }
  if (count) {
    surface.exchanged->assign(static_cast<std::size_t>(ntr), 0.0);
    for (int c = 0; c < ncol; ++c)
      for (int t = 0; t < ntr; ++t)
        (*surface.exchanged)[t] += column_flux_[static_cast<std::size_t>(c) * ntr + t];
  }
}

// ---------------------------------------------------------------------------
// HorizontalDiffusion

HorizontalDiffusion::HorizontalDiffusion(const Decomposition& decomp, int ntracers, int tracer_halo)
    : decomp_(decomp), halo_width_(tracer_halo), halo_(decomp) {
  if (tracer_halo < 1) throw std::invalid_argument("HorizontalDiffusion: tracer halo must be >= 1");
  for (int t = 0; t < ntracers; ++t) {
    scratch_.emplace_back("horizontal_diffusion_scratch", "", decomp.nx(), decomp.ny(), decomp.nz(),
                          tracer_halo);
  }
}

int HorizontalDiffusion::apply(State& state, const Field& conductance_x, const Field& conductance_y,
                               double dt_s) {
  const int nx = decomp_.nx(), ny = decomp_.ny(), nz = decomp_.nz();
  const int ntr = static_cast<int>(state.tracers.size());
  check_state(state, nx, ny, nz);
  check_shape(conductance_x, nx + 1, ny, nz, "x-face conductance");
  check_shape(conductance_y, nx, ny + 1, nz, "y-face conductance");
  if (ntr > static_cast<int>(scratch_.size())) {
    throw std::invalid_argument("HorizontalDiffusion: built for " +
                                std::to_string(scratch_.size()) + " tracers, got " +
                                std::to_string(ntr));
  }
  bool swap = true;  // the tracers' storage can be exchanged with the scratch
  for (const Field& f : state.tracers) {
    if (f.halo() < 1) {
      throw std::invalid_argument("HorizontalDiffusion: tracer '" + f.name() +
                                  "' needs a halo of at least 1");
    }
    if (f.halo() != halo_width_) swap = false;
  }
  if (!finite(dt_s) || dt_s < 0.0) {
    throw NumericalError("horizontal diffusion: invalid time step " + std::to_string(dt_s) + " s");
  }

  // Sub-steps: the largest 2 dt ΣG / m over all cells of all ranks. The maximum
  // is exact, so every decomposition and thread count gets the same count.
  const bool closed_w = decomp_.at_west_boundary(), closed_e = decomp_.at_east_boundary();
  const bool closed_s = decomp_.at_south_boundary(), closed_n = decomp_.at_north_boundary();
  const Field& m = state.air_mass;
  double need = 0.0, bad = 0.0;
  const bool parallel = static_cast<long>(nx) * ny * nz * std::max(ntr, 1) >= kParallelMinCells;
#pragma omp parallel for if (parallel) schedule(static) reduction(max : need, bad)
  for (int kj = 0; kj < nz * ny; ++kj) {
    const int k = kj / ny, j = kj % ny;
    for (int i = 0; i < nx; ++i) {
      const double gw = (i == 0 && closed_w) ? 0.0 : conductance_x(i, j, k);
      const double ge = (i == nx - 1 && closed_e) ? 0.0 : conductance_x(i + 1, j, k);
      const double gs = (j == 0 && closed_s) ? 0.0 : conductance_y(i, j, k);
      const double gn = (j == ny - 1 && closed_n) ? 0.0 : conductance_y(i, j + 1, k);
      const double mk = m(i, j, k);
      if (!finite(mk) || !(mk > 0.0)) bad = std::max(bad, 1.0);
      for (double g : {gw, ge, gs, gn})
        if (!finite(g) || g < 0.0) bad = std::max(bad, 2.0);
      const double r = 2.0 * dt_s * (((gw + ge) + (gs + gn)) / mk);
      if (r > need) need = r;
    }
  }
  double global[2] = {need, bad};
  MPI_Allreduce(MPI_IN_PLACE, global, 2, MPI_DOUBLE, MPI_MAX, decomp_.comm());
  need = global[0];
  if (global[1] == 1.0) {
    throw NumericalError("horizontal diffusion: non-positive or non-finite air mass");
  }
  if (global[1] == 2.0 || !finite(need)) {
    throw NumericalError("horizontal diffusion: negative or non-finite face conductance");
  }
  if (need > 1e6) {
    throw NumericalError("horizontal diffusion: " + std::to_string(need) +
                         " sub-steps needed; conductances inconsistent with the air mass");
  }
  const int nsub = std::max(1, static_cast<int>(std::ceil(need)));
  const double dt_sub = dt_s / static_cast<double>(nsub);
  if (ntr == 0) return nsub;

  std::vector<Field*> fields;
  fields.reserve(static_cast<std::size_t>(ntr));
  for (Field& f : state.tracers) fields.push_back(&f);
  for (int s = 0; s < nsub; ++s) {
    // x halos first (blocking); the y exchange overlaps the rows that need none.
    halo_.exchange(fields, Axis::X, 1);
    halo_.start(fields, Axis::Y, 1);
    if (ny > 2) update_rows(state, conductance_x, conductance_y, 1, 1, ny - 2, dt_sub);
    halo_.finish();
    // The first and the last row (one row if ny == 1).
    update_rows(state, conductance_x, conductance_y, 0, std::max(ny - 1, 1), ny > 1 ? 2 : 1,
                dt_sub);
    if (swap) {
      // The new values become the tracers (the old storage is the next scratch).
      for (int t = 0; t < ntr; ++t) {
        state.tracers[static_cast<std::size_t>(t)].swap_data(scratch_[static_cast<std::size_t>(t)]);
      }
    } else {
      // Other halo width: copy the interior back.
      const int rows = ntr * nz * ny;
#pragma omp parallel for if (parallel) schedule(static)
      for (int r = 0; r < rows; ++r) {
        const int t = r / (nz * ny), k = (r / ny) % nz, j = r % ny;
        const Field& src = scratch_[static_cast<std::size_t>(t)];
        Field& dst = state.tracers[static_cast<std::size_t>(t)];
        std::copy_n(src.data() + src.index(0, j, k), nx, dst.data() + dst.index(0, j, k));
      }
    }
  }
  return nsub;
}

void HorizontalDiffusion::update_rows(const State& state, const Field& gx, const Field& gy,
                                      int row0, int row_step, int nrows, double dt_sub) {
  const int nx = decomp_.nx(), ny = decomp_.ny(), nz = decomp_.nz();
  const int ntr = static_cast<int>(state.tracers.size());
  const bool closed_w = decomp_.at_west_boundary(), closed_e = decomp_.at_east_boundary();
  const bool closed_s = decomp_.at_south_boundary(), closed_n = decomp_.at_north_boundary();
  const Field& m = state.air_mass;
  const int rows = ntr * nz * nrows;
  const bool parallel = static_cast<long>(rows) * nx >= kParallelMinCells;
#pragma omp parallel for if (parallel) schedule(static)
  for (int r = 0; r < rows; ++r) {
    const int t = r / (nz * nrows), k = (r / nrows) % nz, j = row0 + (r % nrows) * row_step;
    const Field& q = state.tracers[static_cast<std::size_t>(t)];
    Field& out = scratch_[static_cast<std::size_t>(t)];
    const double* qc = q.data() + q.index(0, j, k);
    const double* qs = qc - q.stride_y();
    const double* qn = qc + q.stride_y();
    const double* mc = m.data() + m.index(0, j, k);
    const double* gxc = gx.data() + gx.index(0, j, k);
    const double* gys = gy.data() + gy.index(0, j, k);
    const double* gyn = gy.data() + gy.index(0, j + 1, k);
    double* o = out.data() + out.index(0, j, k);
    const bool s_closed = j == 0 && closed_s;
    const bool n_closed = j == ny - 1 && closed_n;
    for (int i = 0; i < nx; ++i) {
      const bool w_closed = i == 0 && closed_w;
      const bool e_closed = i == nx - 1 && closed_e;
      const double qi = qc[i];
      o[i] = kernels::horizontal_diffusion_cell(
          qi, w_closed ? qi : qc[i - 1], e_closed ? qi : qc[i + 1], s_closed ? qi : qs[i],
          n_closed ? qi : qn[i], w_closed ? 0.0 : gxc[i], e_closed ? 0.0 : gxc[i + 1],
          s_closed ? 0.0 : gys[i], n_closed ? 0.0 : gyn[i], mc[i], dt_sub);
    }
  }
}

}  // namespace fwaq

#include "operators/advection.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/error.hpp"

namespace fwaq {

using kernels::kAdvectionHalo;

/// Per-thread contiguous copies of one line and the kernel's scratch.
struct Advection::LineWork {
  std::vector<double> q, m, phi, alpha, m_new, out, iface, aL, aR, tflux;
  std::vector<kernels::Thinc> thinc;
  std::vector<unsigned char> use_thinc;
  std::vector<double> inflow;  // tracer mass entered through open boundaries, per tracer
  LineWork(int n, int ntracers) : inflow(ntracers, 0.0) {
    const std::size_t len = static_cast<std::size_t>(n) + 2 * kAdvectionHalo + 2;
    for (auto* v : {&q, &m, &phi, &alpha, &m_new, &out, &iface, &aL, &aR, &tflux}) {
      v->assign(len, 0.0);
    }
    thinc.assign(len, {});
    use_thinc.assign(len, 0);
  }
  kernels::LineScratch scratch() {
    return {iface.data(), aL.data(), aR.data(), thinc.data(), use_thinc.data(), tflux.data()};
  }
};

Advection::Advection(const Decomposition& decomp, int ntracers, kernels::AdvectionParams params,
                     BoundaryConditions bc)
    : decomp_(decomp),
      params_(params),
      shape_(params.thinc_beta),
      bc_(std::move(bc)),
      halo_(decomp) {
  const int nx = decomp.nx(), ny = decomp.ny(), nz = decomp.nz();
  for (int t = 0; t < ntracers; ++t) {
    scratch_.emplace_back("scratch", "", nx, ny, nz, kAdvectionHalo);
  }
  mass_new_ = Field("air_mass_new", "kg", nx, ny, nz, kAdvectionHalo);
  bound_lo_.assign(ntracers, 0.0);
  bound_hi_.assign(ntracers, 0.0);
  const int longest = std::max({nx, ny, nz});
  const int threads = omp_get_max_threads();
  for (int t = 0; t < threads; ++t) work_.emplace_back(longest, ntracers);
  inflow_.assign(ntracers, 0.0);
}

Advection::~Advection() = default;

double Advection::boundary_inflow_local(int tracer) const {
  double local = inflow_[tracer];
  for (const auto& w : work_) local += w.inflow[tracer];
  return local;
}

void Advection::reset_boundary_inflow() {
  std::fill(inflow_.begin(), inflow_.end(), 0.0);
  for (auto& w : work_) std::fill(w.inflow.begin(), w.inflow.end(), 0.0);
}

double Advection::boundary_inflow(int tracer) const {
  double local = boundary_inflow_local(tracer);
  MPI_Allreduce(MPI_IN_PLACE, &local, 1, MPI_DOUBLE, MPI_SUM, decomp_.comm());
  return local;
}

AirMassError::AirMassError(int i_, int j_, int k_, double m, double m_after)
    : NumericalError("advection: the step's air-mass fluxes empty cell (" + std::to_string(i_) +
                     ", " + std::to_string(j_) + ", " + std::to_string(k_) + "): air mass " +
                     std::to_string(m) + " kg before the step, " + std::to_string(m_after) +
                     " kg after it (the winds are not consistent with the air mass)"),
      i(i_),
      j(j_),
      k(k_),
      mass_kg(m),
      mass_after_kg(m_after) {}

// Directional splitting moves the whole step's flux along one axis at a time. Where the
// flow converges along one axis and diverges along another (valley and slope winds,
// terrain), the divergence of one sweep can exceed the cell's air mass although the
// three together leave plenty: sub-stepping a single sweep cannot help, since its net
// change is fixed. Cycling the whole split step N times with 1/N of the fluxes divides
// every partial divergence by N while the air mass at the start of each cycle stays
// between the step's initial and final mass (it changes by 1/N of the 3-D divergence per
// cycle), so N follows from the fluxes alone. The split scheme is the mass-consistent
// one of Easter (1993, Mon. Wea. Rev. 121, 297-304): air mass is advected with the
// tracers, so each cycle keeps a uniform mixing ratio uniform. See
// docs/science/transport.md, "Whole-step cycles".
int Advection::cycles_needed(const Field& m, const MassFluxes& f) const {
  const int nx = decomp_.nx(), ny = decomp_.ny(), nz = decomp_.nz();
  double need = 0.0;  // cycles the worst cell asks for (real-valued)
  long long bad = std::numeric_limits<long long>::max();  // global index of an emptied cell
  double bad_mass[2] = {0.0, 0.0};
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        // Net outflow [kg per step] of each sweep.
        const double dx = f.x(i + 1, j, k) - f.x(i, j, k);
        const double dy = f.y(i, j + 1, k) - f.y(i, j, k);
        const double dz = f.z(i, j, k + 1) - f.z(i, j, k);
        const double m0 = m(i, j, k);
        const double m_end = m0 - (dx + dy + dz);
        if (!(m0 > 0.0) || !(m_end > 0.0) || !std::isfinite(m_end)) {
          const long long g = (static_cast<long long>(k) * decomp_.ny_global() + decomp_.j0() + j) *
                                  decomp_.nx_global() +
                              decomp_.i0() + i;
          if (g < bad) {
            bad = g;
            bad_mass[0] = m0;
            bad_mass[1] = m_end;
          }
          continue;
        }
        // Largest loss after the first or second sweep, x y z or z y x order.
        const double worst = std::max({dx, dx + dy, dz, dz + dy});
        need = std::max(need, worst / ((1.0 - kMinIntermediateFraction) * std::min(m0, m_end)));
      }
  MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_LONG_LONG, MPI_MIN, decomp_.comm());
  if (bad != std::numeric_limits<long long>::max()) {
    // Every rank throws the same error; the owner of the cell supplies its masses.
    const long long nxy = static_cast<long long>(decomp_.nx_global()) * decomp_.ny_global();
    const int gk = static_cast<int>(bad / nxy);
    const int gj = static_cast<int>((bad % nxy) / decomp_.nx_global());
    const int gi = static_cast<int>(bad % decomp_.nx_global());
    const bool owner = gi >= decomp_.i0() && gi < decomp_.i0() + nx && gj >= decomp_.j0() &&
                       gj < decomp_.j0() + ny;
    // NaN does not survive MPI_MIN reliably: send it as a flag.
    double v[4] = {owner ? bad_mass[0] : HUGE_VAL, owner ? bad_mass[1] : HUGE_VAL,
                   owner && std::isnan(bad_mass[0]) ? 1.0 : 0.0,
                   owner && std::isnan(bad_mass[1]) ? 1.0 : 0.0};
    for (int x = 0; x < 2; ++x)
      if (std::isnan(v[x])) v[x] = HUGE_VAL;
    MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_DOUBLE, MPI_MIN, decomp_.comm());
    MPI_Allreduce(MPI_IN_PLACE, v + 2, 2, MPI_DOUBLE, MPI_MAX, decomp_.comm());
    const double nan = std::numeric_limits<double>::quiet_NaN();
    throw AirMassError(gi, gj, gk, v[2] > 0.0 ? nan : v[0], v[3] > 0.0 ? nan : v[1]);
  }
  MPI_Allreduce(MPI_IN_PLACE, &need, 1, MPI_DOUBLE, MPI_MAX, decomp_.comm());
  if (need <= 1.0) return 1;
  if (!(need <= kMaxCycles)) {
    throw NumericalError("advection: " + std::to_string(need) +
                         " whole-step cycles needed (at most " + std::to_string(kMaxCycles) +
                         "); the air-mass fluxes are far out of scale with the air mass");
  }
  return static_cast<int>(std::ceil(need));
}

AdvectionStats Advection::apply(State& state, const MassFluxes& fluxes, std::int64_t step) {
  AdvectionStats stats;
  stats.cycles = cycles_needed(state.air_mass, fluxes);
  const MassFluxes* used = &fluxes;
  if (stats.cycles > 1) {
    if (cycle_fluxes_.x.size() != fluxes.x.size()) {
      cycle_fluxes_ = MassFluxes(decomp_.nx(), decomp_.ny(), decomp_.nz());
    }
    const double n = stats.cycles;
    const Field* from[3] = {&fluxes.x, &fluxes.y, &fluxes.z};
    Field* to[3] = {&cycle_fluxes_.x, &cycle_fluxes_.y, &cycle_fluxes_.z};
    for (int a = 0; a < 3; ++a) {
      const double* src = from[a]->data();
      double* dst = to[a]->data();
      for (std::size_t x = 0; x < from[a]->size(); ++x) dst[x] = src[x] / n;
    }
    used = &cycle_fluxes_;
  }
  const Field* flux[3] = {&used->x, &used->y, &used->z};
  int* counts[3] = {&stats.substeps_x, &stats.substeps_y, &stats.substeps_z};
  for (int c = 0; c < stats.cycles; ++c) {
    const bool forward = ((step + c) % 2) == 0;
    for (int s = 0; s < 3; ++s) {
      const int axis = forward ? s : 2 - s;
      *counts[axis] += sweep(state, *flux[axis], axis);
    }
  }
  return stats;
}

void Advection::fill_boundary_halos(State& state, int axis) {
  // Zero-gradient copies of the edge cells (air mass and tracers), then inflow
  // values where air enters. Only the sides at the domain edge are touched.
  const int nx = decomp_.nx(), ny = decomp_.ny(), nz = decomp_.nz();
  const int H = kAdvectionHalo;
  const bool lo_edge = axis == 0 ? decomp_.at_west_boundary() : decomp_.at_south_boundary();
  const bool hi_edge = axis == 0 ? decomp_.at_east_boundary() : decomp_.at_north_boundary();
  if (!lo_edge && !hi_edge) return;
  auto copy_edges = [&](Field& f, int t) {
    for (int k = 0; k < nz; ++k) {
      if (axis == 0) {
        for (int j = 0; j < ny; ++j)
          for (int h = 1; h <= H; ++h) {
            if (lo_edge) {
              f(-h, j, k) = (t >= 0 && bc_.inflow) ? bc_.inflow(t, Side::West, k, decomp_.j0() + j)
                                                   : f(0, j, k);
            }
            if (hi_edge) {
              f(nx - 1 + h, j, k) = (t >= 0 && bc_.inflow)
                                        ? bc_.inflow(t, Side::East, k, decomp_.j0() + j)
                                        : f(nx - 1, j, k);
            }
          }
      } else {
        for (int h = 1; h <= H; ++h)
          for (int i = 0; i < nx; ++i) {
            if (lo_edge) {
              f(i, -h, k) = (t >= 0 && bc_.inflow) ? bc_.inflow(t, Side::South, k, decomp_.i0() + i)
                                                   : f(i, 0, k);
            }
            if (hi_edge) {
              f(i, ny - 1 + h, k) = (t >= 0 && bc_.inflow)
                                        ? bc_.inflow(t, Side::North, k, decomp_.i0() + i)
                                        : f(i, ny - 1, k);
            }
          }
      }
    }
  };
  copy_edges(state.air_mass, -1);
  for (int t = 0; t < static_cast<int>(state.tracers.size()); ++t) copy_edges(state.tracers[t], t);
  // Where air leaves the domain the halo must not feed back: the upwind cell of an
  // outflow face is interior, so the halo values only enter the reconstruction of
  // the edge cell. Inflow values above are used on every boundary face; for
  // outflow faces they act as the far-field value of the edge-cell stencil.
}

int Advection::sweep(State& state, const Field& flux, int axis) {
  const int nx = decomp_.nx(), ny = decomp_.ny(), nz = decomp_.nz();
  const int ntr = static_cast<int>(state.tracers.size());
  Field& m = state.air_mass;

  // Sub-steps: each cell's outflow per sub-step must not exceed its smallest air
  // mass during the step, min(m, m_end) (m varies linearly over sub-steps).
  double need = 0.0;
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        double in_lo, in_hi;  // flux through the low and high faces
        if (axis == 0) {
          in_lo = flux(i, j, k);
          in_hi = flux(i + 1, j, k);
        } else if (axis == 1) {
          in_lo = flux(i, j, k);
          in_hi = flux(i, j + 1, k);
        } else {
          in_lo = flux(i, j, k);
          in_hi = flux(i, j, k + 1);
        }
        const double out = std::max(-in_lo, 0.0) + std::max(in_hi, 0.0);
        const double m_end = m(i, j, k) + in_lo - in_hi;
        if (!(m_end > 0.0) || !(m(i, j, k) > 0.0)) {
          throw NumericalError(
              "advection: air-mass fluxes empty cell (" + std::to_string(decomp_.i0() + i) + ", " +
              std::to_string(decomp_.j0() + j) + ", " + std::to_string(k) + ") along axis " +
              std::to_string(axis) + ": mass " + std::to_string(m(i, j, k)) + " kg, after step " +
              std::to_string(m_end) + " kg");
        }
        need = std::max(need, out / std::min(m(i, j, k), m_end));
      }
  MPI_Allreduce(MPI_IN_PLACE, &need, 1, MPI_DOUBLE, MPI_MAX, decomp_.comm());
  if (need == 0.0) return 0;  // no flux anywhere along this axis: nothing moves
  const int nsub = std::max(1, static_cast<int>(std::ceil(need)));
  if (nsub > 100000) {
    throw NumericalError("advection: " + std::to_string(nsub) + " sub-steps needed along axis " +
                         std::to_string(axis) +
                         "; the mass fluxes are inconsistent with the air mass");
  }
  const double divisor = static_cast<double>(nsub);

  // Bounds of the maximum principle: the range each tracer has held (State::bound_lo/hi),
  // widened by the current global range and the inflow values. Fixed for the sweep.
  if (axis < 2) fill_boundary_halos(state, axis);
  // Only interior cells and physical-boundary halos count: halos between ranks
  // may be stale, and the bounds must not depend on the decomposition.
  const bool lo_edge = axis == 0 ? decomp_.at_west_boundary() : decomp_.at_south_boundary();
  const bool hi_edge = axis == 0 ? decomp_.at_east_boundary() : decomp_.at_north_boundary();
  const int H = kAdvectionHalo;
  const int jlo = (axis == 1 && lo_edge) ? -H : 0, jhi = ny + ((axis == 1 && hi_edge) ? H : 0);
  const int ilo = (axis == 0 && lo_edge) ? -H : 0, ihi = nx + ((axis == 0 && hi_edge) ? H : 0);
  for (int t = 0; t < ntr; ++t) {
    const Field& f = state.tracers[t];
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int k = 0; k < nz; ++k)
      for (int j = jlo; j < jhi; ++j)
        for (int i = ilo; i < ihi; ++i) {
          lo = std::min(lo, f(i, j, k));
          hi = std::max(hi, f(i, j, k));
        }
    if (axis == 2 && bc_.inflow) {
      for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) {
          const double v = bc_.inflow(t, Side::Top, nz,
                                      (decomp_.j0() + j) * decomp_.nx_global() + decomp_.i0() + i);
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
    }
    bound_lo_[t] = lo;
    bound_hi_[t] = -hi;
  }
  MPI_Allreduce(MPI_IN_PLACE, bound_lo_.data(), ntr, MPI_DOUBLE, MPI_MIN, decomp_.comm());
  MPI_Allreduce(MPI_IN_PLACE, bound_hi_.data(), ntr, MPI_DOUBLE, MPI_MIN, decomp_.comm());
  if (state.bound_lo.size() != static_cast<std::size_t>(ntr)) {
    state.bound_lo.assign(ntr, std::numeric_limits<double>::infinity());
    state.bound_hi.assign(ntr, -std::numeric_limits<double>::infinity());
  }
  for (int t = 0; t < ntr; ++t) {
    state.bound_lo[t] = std::min(state.bound_lo[t], bound_lo_[t]);
    state.bound_hi[t] = std::max(state.bound_hi[t], -bound_hi_[t]);
    bound_lo_[t] = state.bound_lo[t];
    bound_hi_[t] = state.bound_hi[t];
  }
  if (!params_.enforce_global_bounds) {
    std::fill(bound_lo_.begin(), bound_lo_.end(), -std::numeric_limits<double>::infinity());
    std::fill(bound_hi_.begin(), bound_hi_.end(), std::numeric_limits<double>::infinity());
  }

  std::vector<Field*> exchanged;
  exchanged.push_back(&m);
  for (auto& f : state.tracers) exchanged.push_back(&f);
  const int n_axis = axis == 0 ? nx : (axis == 1 ? ny : nz);
  // Ranks along the axis: with none, there is no message to overlap and the lines are
  // advanced in one pass (the split into interior and rim passes costs each line the
  // kernel's stencil overhead twice more; the results are the same either way).
  const bool has_neighbours =
      axis == 0   ? !(decomp_.at_west_boundary() && decomp_.at_east_boundary())
      : axis == 1 ? !(decomp_.at_south_boundary() && decomp_.at_north_boundary())
                  : false;
  for (int s = 0; s < nsub; ++s) {
    if (axis < 2 && !has_neighbours) {
      fill_boundary_halos(state, axis);
      run_lines(state, flux, axis, divisor, 0, 0, false);
    } else if (axis < 2) {
      // Split phase: interior cells need no halo; the rim waits for the messages.
      halo_.start(exchanged, axis == 0 ? Axis::X : Axis::Y, kAdvectionHalo);
      const bool has_interior = n_axis >= 2 * kAdvectionHalo + 1;
      if (has_interior)
        run_lines(state, flux, axis, divisor, kAdvectionHalo, kAdvectionHalo, false);
      halo_.finish();
      fill_boundary_halos(state, axis);
      if (has_interior) {
        run_lines(state, flux, axis, divisor, kAdvectionHalo, kAdvectionHalo, true);
      } else {
        run_lines(state, flux, axis, divisor, 0, 0, false);
      }
    } else {
      run_lines(state, flux, axis, divisor, 0, 0, false);
    }
    // New air mass for the interior; the tracers were written to the scratch buffers.
    for (int k = 0; k < nz; ++k)
      for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) m(i, j, k) = mass_new_(i, j, k);
    for (int t = 0; t < ntr; ++t) state.tracers[t].swap_data(scratch_[t]);
  }
  return nsub;
}

// Runs the line kernel over every line along `axis`. Without `rim`, the cells
// [lo_off, n - hi_off) of each line are updated; with `rim`, the cells outside
// that range: [0, lo_off) and [n - hi_off, n).
void Advection::run_lines(State& state, const Field& flux, int axis, double divisor, int lo_off,
                          int hi_off, bool rim) {
  const int nx = decomp_.nx(), ny = decomp_.ny(), nz = decomp_.nz();
  const int H = kAdvectionHalo;
  const int n = axis == 0 ? nx : (axis == 1 ? ny : nz);
  const int nlines_a = axis == 0 ? ny : nx;  // the two other axes
  const int nlines_b = axis == 2 ? ny : nz;
  const int ntr = static_cast<int>(state.tracers.size());
  Field& m = state.air_mass;
  // Element strides along the line for a cell field and for the face field.
  const std::ptrdiff_t stride = axis == 0 ? 1 : (axis == 1 ? m.stride_y() : m.stride_z());
  const std::ptrdiff_t fstride = axis == 0 ? 1 : (axis == 1 ? flux.stride_y() : flux.stride_z());
  const double* flux_data = flux.data();
  const std::ptrdiff_t total = static_cast<std::ptrdiff_t>(nlines_a) * nlines_b;

  // Threads only pay off with enough lines and cells; small problems (the 1-D
  // verification cases) run on the calling thread.
  const bool threaded = total >= 2 && total * n >= 4096;
#pragma omp parallel for schedule(static) if (threaded)
  for (std::ptrdiff_t line = 0; line < total; ++line) {
    LineWork& w = work_[omp_get_thread_num()];
    const int a = static_cast<int>(line % nlines_a);
    const int b = static_cast<int>(line / nlines_a);
    // Global position of the line's first cell.
    int i = 0, j = 0, k = 0;
    if (axis == 0) {
      j = a;
      k = b;
    } else if (axis == 1) {
      i = a;
      k = b;
    } else {
      i = a;
      j = b;
    }
    const std::ptrdiff_t c0 = m.index(i, j, k);
    const std::ptrdiff_t f0 = flux.index(i, j, k);
    // Contiguous copies with the line's cell 0 at offset H.
    double* q = w.q.data() + H;
    double* mm = w.m.data() + H;
    double* phi = w.phi.data() + H;
    double* m_new = w.m_new.data() + H;
    double* alpha = w.alpha.data() + H;
    double* out = w.out.data() + H;
    const int glo = axis == 2 ? 0 : -H;  // ghost range present in memory
    const int ghi = axis == 2 ? n : n + H;
    for (int c = glo; c < ghi; ++c) mm[c] = m.data()[c0 + c * stride];
    if (axis == 2) {
      for (int h = 1; h <= H; ++h) {
        mm[-h] = mm[0];
        mm[n - 1 + h] = mm[n - 1];
      }
    }
    for (int f = 0; f <= n; ++f) phi[f] = flux_data[f0 + f * fstride] / divisor;
    for (int c = 0; c < n; ++c) m_new[c] = mm[c] + phi[c] - phi[c + 1];
    kernels::swept_fractions(mm, phi, alpha, 0, n);
    // The cell ranges this pass updates.
    int ranges[2][2] = {{lo_off, n - hi_off}, {0, 0}};
    if (rim) {
      ranges[0][0] = 0;
      ranges[0][1] = std::min(lo_off, n);
      ranges[1][0] = std::max(n - hi_off, lo_off);
      ranges[1][1] = n;
    }
    for (const auto& r : ranges)
      for (int c = r[0]; c < r[1]; ++c) mass_new_.data()[c0 + c * stride] = m_new[c];
    const kernels::LineScratch scratch = w.scratch();
    const bool open_low = axis == 0   ? decomp_.at_west_boundary()
                          : axis == 1 ? decomp_.at_south_boundary()
                                      : false;
    const bool open_high = axis == 0   ? decomp_.at_east_boundary()
                           : axis == 1 ? decomp_.at_north_boundary()
                                       : true;
    for (int t = 0; t < ntr; ++t) {
      const double* src = state.tracers[t].data();
      for (int c = glo; c < ghi; ++c) q[c] = src[c0 + c * stride];
      if (axis == 2) {
        for (int h = 1; h <= H; ++h) {
          q[-h] = q[0];
          q[n - 1 + h] =
              bc_.inflow ? bc_.inflow(t, Side::Top, nz,
                                      (decomp_.j0() + j) * decomp_.nx_global() + decomp_.i0() + i)
                         : q[n - 1];
        }
      }
      double* dst = scratch_[t].data();
      for (const auto& r : ranges) {
        if (r[0] >= r[1]) continue;
        kernels::advect_line(q, mm, phi, alpha, m_new, out, r[0], r[1], bound_lo_[t], bound_hi_[t],
                             params_, shape_, scratch);
        for (int c = r[0]; c < r[1]; ++c) dst[c0 + c * stride] = out[c];
        // Budget of the open boundaries (tflux[f - (lo - H)] is the flux through face f).
        if (r[0] == 0 && open_low) w.inflow[t] += w.tflux[H];
        if (r[1] == n && open_high) w.inflow[t] -= w.tflux[n - r[0] + H];
      }
    }
  }
}

}  // namespace fwaq

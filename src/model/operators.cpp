// The operators of a run and the hooks around them (see operators.hpp).
#include "model/operators.hpp"

#include <mpi.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/error.hpp"
#include "grid/horizontal_grid.hpp"
#include "met/diagnostic_wind.hpp"
#include "parallel/decomposition.hpp"

namespace fwaq::model {

using chem::idx;
using chem::kNumTracers;
using chem::Tracer;
namespace em = emissions;

namespace {

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

/// The message of the lowest rank whose `local` is not empty, on every rank (empty if
/// none has one). Collective.
std::string first_message(const std::string& local, MPI_Comm comm) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  int owner = local.empty() ? size : rank;
  MPI_Allreduce(MPI_IN_PLACE, &owner, 1, MPI_INT, MPI_MIN, comm);
  if (owner == size) return {};
  std::string text = rank == owner ? local : std::string();
  int len = static_cast<int>(text.size());
  MPI_Bcast(&len, 1, MPI_INT, owner, comm);
  text.resize(static_cast<std::size_t>(len));
  MPI_Bcast(text.data(), len, MPI_CHAR, owner, comm);
  return text;
}

}  // namespace

std::vector<EmissionOperator::Route> emission_routes() {
  using S = em::Species;
  std::vector<EmissionOperator::Route> r;
  auto add = [&](S s, Tracer t, double f) { r.push_back({em::index_of(s), idx(t), f}); };
  add(S::kSO2, Tracer::kSO2, 1.0);
  // NOx (as NO2 mass) is emitted as 90 % NO and 10 % NO2 by mole (MEIC's meic2ctm split).
  add(S::kNOx, Tracer::kNO, 0.9 * chem::kMolarNO / chem::kMolarNO2);
  add(S::kNOx, Tracer::kNO2, 0.1);
  add(S::kNH3, Tracer::kTNH3, 1.0);
  add(S::kCO, Tracer::kCO, 1.0);
  add(S::kVocAlk, Tracer::kVocAlk, 1.0);
  add(S::kVocOle, Tracer::kVocOle, 1.0);
  add(S::kVocAro1, Tracer::kVocAro1, 1.0);
  add(S::kVocAro2, Tracer::kVocAro2, 1.0);
  add(S::kBC, Tracer::kBC, 1.0);
  add(S::kOC, Tracer::kPOA, 1.0);
  add(S::kSO4, Tracer::kSO4, 1.0);
  add(S::kPM25Other, Tracer::kOPM, 1.0);
  add(S::kPMCoarse, Tracer::kPMC, 1.0);
  // NMVOC_OXY and NMVOC_OTHER form no PM2.5 in the mechanism and the oxidants are
  // prescribed, so they are not transported.
  return r;
}

// ---- advection --------------------------------------------------------------------------

AdvectionOperator::AdvectionOperator(const Decomposition& decomp, const HorizontalGrid& grid,
                                     BoundaryConditions bc, std::string met_description)
    : decomp_(decomp),
      grid_(grid),
      met_description_(std::move(met_description)),
      advection_(decomp, kNumTracers, {}, std::move(bc)),
      fluxes_(decomp.nx(), decomp.ny(), decomp.nz()),
      gfx_("fx", "kg s-1", decomp.nx_global() + 1, decomp.ny_global(), decomp.nz(), 0),
      gfy_("fy", "kg s-1", decomp.nx_global(), decomp.ny_global() + 1, decomp.nz(), 0),
      gfz_("fz", "kg s-1", decomp.nx_global(), decomp.ny_global(), decomp.nz() + 1, 0) {}

void AdvectionOperator::apply(const StepContext& ctx, RunState& state, TracerChange& change) {
  const int nx = decomp_.nx(), ny = decomp_.ny(), nz = decomp_.nz();
  const int i0 = decomp_.i0(), j0 = decomp_.j0();
  const MetRecord& g = *ctx.met_global;
  face_mass_fluxes(grid_, g.density, g.z_interface, g.u, g.v, gfx_, gfy_, gfz_);
  for (int k = 0; k < nz; ++k) {
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i <= nx; ++i) fluxes_.x(i, j, k) = gfx_(i0 + i, j0 + j, k) * ctx.dt_s;
    for (int j = 0; j <= ny; ++j)
      for (int i = 0; i < nx; ++i) fluxes_.y(i, j, k) = gfy_(i0 + i, j0 + j, k) * ctx.dt_s;
  }
  for (int k = 0; k <= nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        fluxes_.z(i, j, k) = (k == 0 || k == nz) ? 0.0 : gfz_(i0 + i, j0 + j, k) * ctx.dt_s;
      }
  AdvectionStats as;
  try {
    as = advection_.apply(state.transport, fluxes_, ctx.step);
  } catch (const AirMassError& e) {
    char where[80];
    std::snprintf(where, sizeof where, "%.3f E, %.3f N", grid_.lon(e.i, e.j), grid_.lat(e.i, e.j));
    throw NumericalError("the meteorology is not mass-consistent at " + format_iso(ctx.t_mid) +
                         ", cell (" + std::to_string(e.i) + ", " + std::to_string(e.j) +
                         ", layer " + std::to_string(e.k) + ") at " + where + ": air mass " +
                         std::to_string(e.mass_kg) + " kg, " + std::to_string(e.mass_after_kg) +
                         " kg after the step's winds (met: " + met_description_ + ")");
  }
  cycles_total += as.cycles;
  cycles_max = std::max(cycles_max, as.cycles);
  if (as.cycles > 1) ++cycled_steps;
  substeps[0] += as.substeps_x;
  substeps[1] += as.substeps_y;
  substeps[2] += as.substeps_z;
  for (int t = 0; t < kNumTracers; ++t) {
    change[static_cast<std::size_t>(t)] += advection_.boundary_inflow_local(t);
  }
  advection_.reset_boundary_inflow();
}

// ---- emissions --------------------------------------------------------------------------

EmissionOperator::EmissionOperator(const Decomposition& decomp,
                                   std::shared_ptr<const em::EmissionSource> source,
                                   std::vector<double> z_interfaces_m, std::vector<Route> routes)
    : source_(std::move(source)),
      i0_(decomp.i0()),
      j0_(decomp.j0()),
      vgrid_(VerticalGrid::uniform(decomp.nx(), decomp.ny(), std::move(z_interfaces_m))),
      rates_(em::EmissionSource::make_fields(decomp.nx(), decomp.ny(), decomp.nz())),
      routes_(std::move(routes)) {}

void EmissionOperator::apply(const StepContext& ctx, RunState& state, TracerChange& change) {
  source_->fill(ctx.t_mid, vgrid_, i0_, j0_, rates_);
  const Field& m = state.transport.air_mass;
  for (const Route& route : routes_) {
    const Field& e = rates_[static_cast<std::size_t>(route.species)];
    Field& q = state.transport.tracers[static_cast<std::size_t>(route.tracer)];
    double added = 0.0;
    for (int k = 0; k < q.nz(); ++k)
      for (int j = 0; j < q.ny(); ++j)
        for (int i = 0; i < q.nx(); ++i) {
          const double ug = e(i, j, k) * route.factor * 1e9 * ctx.dt_s;  // [kg s-1] -> [µg]
          q(i, j, k) += ug / m(i, j, k);
          added += ug;
        }
    change[static_cast<std::size_t>(route.tracer)] += added;
  }
}

// ---- vertical mixing and dry deposition -------------------------------------------------

VerticalMixingOperator::VerticalMixingOperator(const Decomposition& decomp,
                                               const chem::DepositionOptions& options,
                                               const Field& land_use, const Field& cell_area_m2)
    : vdiff_(decomp),
      dry_(decomp.nx(), decomp.ny(), options),
      land_use_(land_use),
      area_(cell_area_m2),
      conductance_("conductance_z", "kg s-1", decomp.nx(), decomp.ny(), decomp.nz() + 1, 0) {}

void VerticalMixingOperator::apply(const StepContext& ctx, RunState& state, TracerChange& change) {
  const MetRecord& met = *ctx.met;
  const int nx = conductance_.nx(), ny = conductance_.ny(), nz = conductance_.nz() - 1;
  for (int k = 1; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        const double rho_f = 0.5 * (met.density(i, j, k - 1) + met.density(i, j, k));
        const double dzc = 0.5 * (met.z_interface(i, j, k + 1) - met.z_interface(i, j, k - 1));
        conductance_(i, j, k) = rho_f * met.kz(i, j, k) * area_(i, j, 0) / dzc;
      }
  dry_.conductances(met, land_use_, area_, state.split, ctx.t_mid, deposition_);
  if (surface_.deposition.size() != deposition_.size()) {  // the first step sizes them
    surface_.deposition.clear();
    for (const auto& f : deposition_) surface_.deposition.push_back(&f);
    surface_.exchanged = &exchanged_;
  }
  vdiff_.apply(state.transport, conductance_, surface_, ctx.dt_s);
  for (int t = 0; t < kNumTracers; ++t) {
    change[static_cast<std::size_t>(t)] += exchanged_[static_cast<std::size_t>(t)];
  }
}

// ---- chemistry --------------------------------------------------------------------------

ChemistryStepOperator::ChemistryStepOperator(chem::ChemistryOperator& chemistry, const Field& lat,
                                             const Field& lon, int i0, int j0)
    : chemistry_(chemistry), lat_(lat), lon_(lon), i0_(i0), j0_(j0) {}

void ChemistryStepOperator::apply(const StepContext& ctx, RunState& state, TracerChange& change) {
  const chem::ChemStepStats cs = chemistry_.apply(state.transport, state.chem, *ctx.met, lat_, lon_,
                                                  ctx.t, ctx.dt_s, i0_, j0_);
  totals.add(cs);
  for (int t = 0; t < kNumTracers; ++t) {
    change[static_cast<std::size_t>(t)] += cs.net_ug[static_cast<std::size_t>(t)];
  }
}

// ---- wet scavenging ---------------------------------------------------------------------

WetScavengingOperator::WetScavengingOperator(const Decomposition& decomp,
                                             chem::ChemistryOperator& chemistry,
                                             const chem::DepositionOptions& options)
    : decomp_(decomp),
      chemistry_(chemistry),
      wet_(decomp.nx(), decomp.ny(), decomp.nz(), options) {}

void WetScavengingOperator::apply(const StepContext& ctx, RunState& state, TracerChange& change) {
  const MetRecord& met = *ctx.met;
  bool raining = false;
  for (int j = 0; j < decomp_.ny() && !raining; ++j)
    for (int i = 0; i < decomp_.nx(); ++i) raining = raining || met.precip(i, j, 0) > 0.0;
  int any_rain = raining ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &any_rain, 1, MPI_INT, MPI_MAX, decomp_.comm());
  if (any_rain) {
    chemistry_.diagnose(state.transport, state.chem, met, state.diag, 0, decomp_.nz());
    deposited_.assign(kNumTracers, 0.0);
    wet_.apply(state.transport, met, state.split, ctx.dt_s, deposited_);
    for (int t = 0; t < kNumTracers; ++t) {
      change[static_cast<std::size_t>(t)] -= deposited_[static_cast<std::size_t>(t)];
    }
  } else {
    chemistry_.diagnose(state.transport, state.chem, met, state.diag, 0, 1);
  }
}

// ---- hooks ------------------------------------------------------------------------------

void TimingHook::before(const Operator&, const StepContext&, const RunState&) {
  started_ = wall_seconds();
}

void TimingHook::after(const Operator& op, const StepContext&, const RunState&,
                       const TracerChange&) {
  const double dt = wall_seconds() - started_;
  for (auto& [name, s] : seconds) {
    if (name == op.name()) {
      s += dt;
      return;
    }
  }
  seconds.emplace_back(op.name(), dt);
}

BudgetHook::BudgetHook(const Decomposition& decomp, double tolerance)
    : decomp_(decomp), tolerance_(tolerance) {}

TracerChange BudgetHook::burden(const RunState& state, const Operator* op, const StepContext* ctx,
                                std::string& problem) const {
  const Field& m = state.transport.air_mass;
  TracerChange out{};
  problem.clear();  // the first negative or non-finite value on this rank
  for (int t = 0; t < kNumTracers; ++t) {
    const Field& q = state.transport.tracers[static_cast<std::size_t>(t)];
    double s = 0.0;
    bool bad = false;
    for (int k = 0; k < q.nz(); ++k)
      for (int j = 0; j < q.ny(); ++j)
        for (int i = 0; i < q.nx(); ++i) {
          const double v = q(i, j, k);
          bad = bad || !(v >= 0.0 && v < HUGE_VAL);
          s += v * m(i, j, k);
        }
    out[static_cast<std::size_t>(t)] = s;
    for (int k = 0; bad && problem.empty() && k < q.nz(); ++k)
      for (int j = 0; problem.empty() && j < q.ny(); ++j)
        for (int i = 0; problem.empty() && i < q.nx(); ++i) {
          const double v = q(i, j, k);
          if (v >= 0.0 && v < HUGE_VAL) continue;
          problem = std::string(chem::kTracerInfo[static_cast<std::size_t>(t)].name) + " is " +
                    fmt("%g", v) + " µg kg-1 in cell (" + std::to_string(decomp_.i0() + i) + ", " +
                    std::to_string(decomp_.j0() + j) + ", " + std::to_string(k) + ")" +
                    (op ? " after " + std::string(op->name()) : std::string(" at the start")) +
                    (ctx ? " in the step from " + format_iso(ctx->t) : std::string()) +
                    ": tracers must stay finite and non-negative";
        }
  }
  return out;
}

void BudgetHook::raise_if_bad(const std::string& problem) const {
  const std::string message = first_message(problem, decomp_.comm());
  if (!message.empty()) throw NumericalError(message);
}

void BudgetHook::start(const RunState& state) {
  start_from(state);
  initial = before_;
  MPI_Allreduce(MPI_IN_PLACE, initial.data(), kNumTracers, MPI_DOUBLE, MPI_SUM, decomp_.comm());
}

void BudgetHook::start_from(const RunState& state) {
  std::string problem;
  before_ = burden(state, nullptr, nullptr, problem);
  raise_if_bad(problem);
}

void BudgetHook::before(const Operator&, const StepContext&, const RunState&) {
  // The burden before an operator is the one after the previous (cached in after()).
}

void BudgetHook::after(const Operator& op, const StepContext& ctx, const RunState& state,
                       const TracerChange& change) {
  std::string problem;
  const TracerChange now = burden(state, &op, &ctx, problem);
  // [0, n): burden after; [n, 2n): change of the burden − reported term; [2n, 3n): the term;
  // [3n]: ranks with a negative or non-finite tracer (one reduction for all of it).
  std::array<double, 3 * kNumTracers + 1> v{};
  v[3 * kNumTracers] = problem.empty() ? 0.0 : 1.0;
  for (int t = 0; t < kNumTracers; ++t) {
    const auto u = static_cast<std::size_t>(t);
    v[u] = now[u];
    v[kNumTracers + u] = (now[u] - before_[u]) - change[u];
    v[2 * kNumTracers + u] = change[u];
  }
  MPI_Allreduce(MPI_IN_PLACE, v.data(), static_cast<int>(v.size()), MPI_DOUBLE, MPI_SUM,
                decomp_.comm());
  if (v[3 * kNumTracers] > 0.0) raise_if_bad(problem);
  before_ = now;
  double worst = 0.0;
  for (int t = 0; t < kNumTracers; ++t) {
    const auto u = static_cast<std::size_t>(t);
    terms[static_cast<std::size_t>(op.budget_term())][u] += v[2 * kNumTracers + u];
    const double scale = std::max(v[u], std::abs(v[2 * kNumTracers + u]));
    const double rel = scale > 0.0 ? std::abs(v[kNumTracers + u]) / scale : 0.0;
    worst = std::max(worst, rel);
    if (rel > tolerance_) {
      throw NumericalError("mass budget: " + std::string(op.name()) + " changed the " +
                           std::string(chem::kTracerInfo[u].name) + " burden by " +
                           fmt("%.9g", (v[kNumTracers + u] + v[2 * kNumTracers + u]) * 1e-9) +
                           " kg but its own fluxes account for " +
                           fmt("%.9g", v[2 * kNumTracers + u] * 1e-9) + " kg (relative residual " +
                           fmt("%.3g", rel) + " > " + fmt("%.1g", tolerance_) +
                           ") in the step from " + format_iso(ctx.t));
    }
  }
  for (auto& [name, w] : worst_residual) {
    if (name == op.name()) {
      w = std::max(w, worst);
      return;
    }
  }
  worst_residual.emplace_back(op.name(), worst);
}

}  // namespace fwaq::model

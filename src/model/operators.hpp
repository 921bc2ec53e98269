#pragma once
// The science operators of a run behind one interface, and the hooks that run around
// every operator (timing, mass budgets, positivity). A step is the operator list applied
// in order (docs/science/model.md); later capabilities (tag closure, emergency cuts) plug
// in as further operators or hooks.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chem/chemistry.hpp"
#include "chem/deposition.hpp"
#include "chem/tracers.hpp"
#include "core/time.hpp"
#include "emissions/emission_source.hpp"
#include "field/field.hpp"
#include "grid/vertical_grid.hpp"
#include "met/met_fields.hpp"
#include "operators/advection.hpp"
#include "operators/diffusion.hpp"

namespace fwaq {
class HorizontalGrid;
class Decomposition;
}  // namespace fwaq

namespace fwaq::model {

/// Everything a restart needs that the operators change: the transported state, the
/// cell-local chemistry, the step counter and the time. (Budgets and output
/// accumulators belong to the Simulation.)
struct RunState {
  State transport;                ///< air mass [kg], tracers [µg kg-1] and their bounds
  chem::LocalChemState chem;      ///< O3, NO3, N2O5, H2O2 kept per cell
  chem::AerosolDiagnostics diag;  ///< gas–particle split of the last diagnosis (derived)
  chem::PhaseSplit split;         ///< points into diag: gas fractions for deposition
  std::int64_t step = 0;          ///< steps taken since the run's first instant
  TimePoint time{};               ///< valid time of the state (UTC)
};

/// What every operator sees of the current step.
struct StepContext {
  TimePoint t{};                          ///< start of the step (UTC)
  TimePoint t_mid{};                      ///< its midpoint, the meteorology's time (UTC)
  double dt_s = 0.0;                      ///< length [s]
  std::int64_t step = 0;                  ///< steps before this one (parity: sweep order)
  const MetRecord* met = nullptr;         ///< the rank's window at t_mid (no halo)
  const MetRecord* met_global = nullptr;  ///< the whole grid at t_mid
};

/// Per tracer [µg], this rank: the tracer mass an operator moved into (+) or out of (−)
/// the model air over one step, counted from the operator's own fluxes (emission rates,
/// boundary fluxes, deposition fluxes, chemical production and loss).
using TracerChange = std::array<double, chem::kNumTracers>;

/// Where an operator's budget term is reported in summary.json (`mass_budget`).
enum class BudgetTerm { kBoundary, kEmission, kDryDeposition, kChemistry, kWetDeposition };

class Operator {
 public:
  virtual ~Operator() = default;
  /// Short name for timings, budgets and messages ("advection", "chemistry", ...).
  virtual std::string_view name() const = 0;
  virtual BudgetTerm budget_term() const = 0;
  /// Advances `state` over the step; adds its own fluxes to `change` (zeroed by the caller).
  virtual void apply(const StepContext& ctx, RunState& state, TracerChange& change) = 0;
};

/// Called around every operator of every step, in the order the hooks were added.
class OperatorHook {
 public:
  virtual ~OperatorHook() = default;
  virtual void before(const Operator& op, const StepContext& ctx, const RunState& state) = 0;
  /// `change`: what the operator reported (see Operator::apply).
  virtual void after(const Operator& op, const StepContext& ctx, const RunState& state,
                     const TracerChange& change) = 0;
};

// ---- the operators ------------------------------------------------------------------

/// Advection with the face mass fluxes of the midpoint winds (operators/advection.hpp).
/// Budget: the tracer mass entering through the open boundaries.
class AdvectionOperator final : public Operator {
 public:
  AdvectionOperator(const Decomposition& decomp, const HorizontalGrid& grid, BoundaryConditions bc,
                    std::string met_description);
  std::string_view name() const override { return "advection"; }
  BudgetTerm budget_term() const override { return BudgetTerm::kBoundary; }
  void apply(const StepContext& ctx, RunState& state, TracerChange& change) override;
  /// Totals over the steps so far: cycles, largest cycle count, cycled steps, sub-steps per axis.
  long long cycles_total = 0, cycled_steps = 0;
  int cycles_max = 1;
  std::array<long long, 3> substeps{0, 0, 0};

 private:
  const Decomposition& decomp_;
  const HorizontalGrid& grid_;
  std::string met_description_;
  Advection advection_;
  MassFluxes fluxes_;
  Field gfx_, gfy_, gfz_;  // whole-grid face fluxes [kg s-1]
};

/// Emission injection: the inventory's rates at the step's midpoint, added in every layer
/// by its vertical profiles. Budget: the emitted mass.
class EmissionOperator final : public Operator {
 public:
  /// Which tracer an emission species goes to, and the factor on its mass.
  struct Route {
    int species = -1, tracer = -1;
    double factor = 1.0;
  };
  EmissionOperator(const Decomposition& decomp,
                   std::shared_ptr<const emissions::EmissionSource> source,
                   std::vector<double> z_interfaces_m, std::vector<Route> routes);
  std::string_view name() const override { return "emissions"; }
  BudgetTerm budget_term() const override { return BudgetTerm::kEmission; }
  void apply(const StepContext& ctx, RunState& state, TracerChange& change) override;

 private:
  std::shared_ptr<const emissions::EmissionSource> source_;
  int i0_, j0_;
  VerticalGrid vgrid_;
  std::vector<Field> rates_;  // [kg s-1] per emission species
  std::vector<Route> routes_;
};

/// Vertical turbulent diffusion with dry deposition as its lower boundary flux (implicit).
/// Budget: the surface flux (minus the deposited mass).
class VerticalMixingOperator final : public Operator {
 public:
  VerticalMixingOperator(const Decomposition& decomp, const chem::DepositionOptions& options,
                         const Field& land_use, const Field& cell_area_m2);
  std::string_view name() const override { return "vertical_mixing_dry_deposition"; }
  BudgetTerm budget_term() const override { return BudgetTerm::kDryDeposition; }
  void apply(const StepContext& ctx, RunState& state, TracerChange& change) override;

 private:
  VerticalDiffusion vdiff_;
  chem::DryDeposition dry_;
  const Field& land_use_;
  const Field& area_;
  Field conductance_;              // [kg s-1] on the interfaces
  std::vector<Field> deposition_;  // conductances [kg s-1], sized by the first step
  SurfaceExchange surface_;        // points into deposition_ and exchanged_
  std::vector<double> exchanged_;
};

/// Gas and aqueous chemistry, heterogeneous uptake and SOA formation (chem/chemistry.hpp).
/// Budget: the solver's net production of each tracer.
class ChemistryStepOperator final : public Operator {
 public:
  ChemistryStepOperator(chem::ChemistryOperator& chemistry, const Field& lat, const Field& lon,
                        int i0, int j0);
  std::string_view name() const override { return "chemistry"; }
  BudgetTerm budget_term() const override { return BudgetTerm::kChemistry; }
  void apply(const StepContext& ctx, RunState& state, TracerChange& change) override;
  chem::ChemStepStats totals;  ///< summed over the steps so far (this rank)

 private:
  chem::ChemistryOperator& chemistry_;
  const Field& lat_;
  const Field& lon_;
  int i0_, j0_;
};

/// Wet scavenging where it rains, then the aerosol diagnosis the next step's dry
/// deposition uses (all levels when it rained anywhere, else the surface).
/// Budget: the scavenged mass.
class WetScavengingOperator final : public Operator {
 public:
  WetScavengingOperator(const Decomposition& decomp, chem::ChemistryOperator& chemistry,
                        const chem::DepositionOptions& options);
  std::string_view name() const override { return "wet_scavenging"; }
  BudgetTerm budget_term() const override { return BudgetTerm::kWetDeposition; }
  void apply(const StepContext& ctx, RunState& state, TracerChange& change) override;

 private:
  const Decomposition& decomp_;
  chem::ChemistryOperator& chemistry_;
  chem::WetScavenging wet_;
  std::vector<double> deposited_;
};

// ---- the hooks ----------------------------------------------------------------------

/// Wall time of every operator [s] (this rank).
class TimingHook final : public OperatorHook {
 public:
  void before(const Operator& op, const StepContext& ctx, const RunState& state) override;
  void after(const Operator& op, const StepContext& ctx, const RunState& state,
             const TracerChange& change) override;
  /// Seconds per operator name, in the order operators first ran.
  std::vector<std::pair<std::string, double>> seconds;

 private:
  double started_ = 0.0;
};

/// Mass budget of every tracer: each operator's reported term is accumulated, and the
/// change of the tracer's total across the operator must equal it (to `tolerance` of the
/// burden): a leak in any operator stops the run with a NumericalError naming the
/// operator, the tracer and the time. Also checks that every tracer stays finite and
/// non-negative after every operator. Collective (one reduction per operator and step).
class BudgetHook final : public OperatorHook {
 public:
  BudgetHook(const Decomposition& decomp, double tolerance = 1e-9);
  /// Sets the starting burden (call once before the first step, and after a restart).
  void start(const RunState& state);
  /// Takes the current burden as the one before the next operator, keeping `initial` and
  /// `terms` (a run continued from a checkpoint sets those first).
  void start_from(const RunState& state);
  void before(const Operator& op, const StepContext& ctx, const RunState& state) override;
  void after(const Operator& op, const StepContext& ctx, const RunState& state,
             const TracerChange& change) override;
  /// Accumulated terms [µg], all ranks summed, per BudgetTerm and tracer.
  std::array<TracerChange, 5> terms{};
  TracerChange initial{};  ///< burden at start() [µg], all ranks
  /// Largest |residual| / burden met so far, per operator name.
  std::vector<std::pair<std::string, double>> worst_residual;

 private:
  /// Burden [µg] of every tracer on this rank; `problem` describes the first negative or
  /// non-finite value (empty if none). Not collective.
  TracerChange burden(const RunState& state, const Operator* op, const StepContext* ctx,
                      std::string& problem) const;
  /// Throws, on every rank, the problem of the lowest rank that has one. Collective.
  void raise_if_bad(const std::string& problem) const;
  const Decomposition& decomp_;
  double tolerance_;
  TracerChange before_{};  // this rank
};

/// The emission routes of the mechanism: inventory species → tracer (NOx split into NO
/// and NO2; species without a tracer are not transported).
std::vector<EmissionOperator::Route> emission_routes();

}  // namespace fwaq::model

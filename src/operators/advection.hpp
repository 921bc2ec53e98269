#pragma once
// Three-dimensional, mass-consistent, flux-form advection by dimensional
// splitting with alternating order (x y z on even steps, z y x on odd steps).
#include <cstdint>
#include <vector>

#include "core/error.hpp"
#include "field/field.hpp"
#include "kernels/advection.hpp"
#include "operators/boundary.hpp"
#include "parallel/decomposition.hpp"
#include "parallel/halo.hpp"

namespace fwaq {

/// Air-mass fluxes through the cell faces over one model step [kg per step],
/// positive towards increasing index. `x` has nx+1 faces per row (face i is the
/// west face of cell i), `y` ny+1 per column, `z` nz+1 per column (face 0 is the
/// ground and must be zero).
struct MassFluxes {
  Field x, y, z;
  MassFluxes() = default;
  MassFluxes(int nx, int ny, int nz)
      : x("air_mass_flux_x", "kg", nx + 1, ny, nz, 0),
        y("air_mass_flux_y", "kg", nx, ny + 1, nz, 0),
        z("air_mass_flux_z", "kg", nx, ny, nz + 1, 0) {}
};

/// What one call of Advection::apply did.
struct AdvectionStats {
  int cycles = 1;  ///< whole-step sub-cycles (all three sweeps each), see Advection::cycles_needed
  int substeps_x = 0, substeps_y = 0, substeps_z = 0;  ///< sub-steps of each axis, all cycles
};

/// Fluxes that empty a cell of air over the whole three-dimensional step: the
/// meteorology is not mass-consistent there. Carries the cell's global indices so
/// that the caller can add its position, the time and the met source.
class AirMassError : public NumericalError {
 public:
  AirMassError(int i, int j, int k, double mass_kg, double mass_after_kg);
  int i, j, k;           ///< global cell indices
  double mass_kg;        ///< air mass before the step [kg]
  double mass_after_kg;  ///< air mass the step's fluxes leave [kg] (<= 0 or NaN)
};

class Advection {
 public:
  /// Work space is sized here, once, for `ntracers` tracers on the local grid.
  Advection(const Decomposition& decomp, int ntracers, kernels::AdvectionParams params = {},
            BoundaryConditions bc = {});
  ~Advection();
  Advection(const Advection&) = delete;
  Advection& operator=(const Advection&) = delete;

  /// Advances the air mass and all tracers of `state` over one step with the
  /// given fluxes. `step` (the step counter) chooses the sweep order of the first
  /// cycle; further cycles alternate. Throws AirMassError (collectively, on every
  /// rank) if the fluxes empty a cell over the whole step.
  AdvectionStats apply(State& state, const MassFluxes& fluxes, std::int64_t step);

  /// Number of whole-step cycles (each all three sweeps with 1/N of the fluxes) that
  /// keep every cell's air mass after the first and second sweep of a cycle at least
  /// kMinIntermediateFraction of min(mass before, mass after the step), for either
  /// sweep order. 1 when a single pass of the sweeps already does. Collective.
  /// Throws AirMassError where the step's three-dimensional fluxes empty a cell.
  int cycles_needed(const Field& air_mass, const MassFluxes& fluxes) const;

  /// Smallest share of a cell's air mass a directional sweep may leave (see cycles_needed).
  static constexpr double kMinIntermediateFraction = 0.25;
  /// Cycles above this mean fluxes far out of scale with the air mass: an error.
  static constexpr int kMaxCycles = 1000;

  /// Tracer mass that has entered through the domain's open boundaries since
  /// construction (negative: left) [tracer units × kg], summed over all ranks.
  /// For mass budgets; collective.
  double boundary_inflow(int tracer) const;
  /// This rank's share of boundary_inflow (not collective).
  double boundary_inflow_local(int tracer) const;
  /// Sets the accumulated boundary inflow of this rank to zero (a caller that books it
  /// step by step, so that each step's figure carries no rounding of the running total).
  void reset_boundary_inflow();

  /// One directional sweep (0: x, 1: y, 2: z); returns the sub-steps taken.
  int sweep(State& state, const Field& flux, int axis);

 private:
  struct LineWork;
  void fill_boundary_halos(State& state, int axis);
  void run_lines(State& state, const Field& flux, int axis, double divisor, int lo_off, int hi_off,
                 bool rim);

  const Decomposition& decomp_;
  kernels::AdvectionParams params_;
  kernels::ThincShape shape_;
  BoundaryConditions bc_;
  HaloExchange halo_;
  std::vector<Field> scratch_;  // double buffers of the tracers
  Field mass_new_;
  MassFluxes cycle_fluxes_;                  // the step's fluxes / cycles, when cycling
  std::vector<double> bound_lo_, bound_hi_;  // per tracer, this sweep [tracer units]
  std::vector<LineWork> work_;               // per OpenMP thread
  std::vector<double> inflow_;               // boundary_inflow of this rank, per tracer
};

}  // namespace fwaq

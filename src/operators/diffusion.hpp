#pragma once
// Turbulent diffusion operators in mass form (see kernels/diffusion.hpp and
// docs/science/diffusion.md): implicit vertical diffusion with surface emission
// and dry deposition per column, and explicit, sub-stepped horizontal diffusion
// with halo exchange. Both update the tracer mixing ratios of a State, leave the
// air mass unchanged, and give bit-for-bit the same results for any number of
// ranks and OpenMP threads.
#include <vector>

#include "field/field.hpp"
#include "parallel/decomposition.hpp"
#include "parallel/halo.hpp"

namespace fwaq {

/// Lower-boundary exchange of the tracers for VerticalDiffusion::apply.
/// Each entry is a Field of shape (nx, ny, 1) on the local grid (any halo).
struct SurfaceExchange {
  /// Emission flux into the lowest layer [tracer units·kg s-1] (e.g. µg s-1 for a
  /// tracer in µg kg-1): empty (no emission) or one entry per tracer, where a
  /// nullptr entry means no emission of that tracer.
  std::vector<const Field*> emission;
  /// Deposition conductance D = ρ_0 v_d A [kg s-1] (ρ_0 air density of the lowest
  /// layer [kg m-3], v_d deposition velocity [m s-1], A cell area [m2]): empty (no
  /// deposition), a single entry shared by all tracers, or one entry per tracer
  /// (nullptr: no deposition of that tracer). Values must be >= 0.
  std::vector<const Field*> deposition;
  /// If set: receives, per tracer, the mass the surface exchange moved into the air over
  /// the step on this rank, dt (E − D (θ q_0' + (1 − θ) q_0)) summed over the columns
  /// [tracer units·kg] (negative: net deposition). Summed column by column in a fixed
  /// order, so the figure does not depend on the threads.
  std::vector<double>* exchanged = nullptr;
};

/// Vertical diffusion, one implicit tridiagonal solve per column and tracer.
class VerticalDiffusion {
 public:
  /// @param theta implicitness: 1 backward Euler (default; positive and stable for
  ///              any dt), 0.5 Crank–Nicolson (second order in time, not positivity
  ///              preserving for dt above the explicit limit). Must lie in [0.5, 1].
  /// Per-thread scratch for decomp.nz() layers is allocated here, never in apply().
  explicit VerticalDiffusion(const Decomposition& decomp, double theta = 1.0);

  /// Advances all tracers of `state` by dt_s [s].
  /// @param conductance_z face conductances G = ρ K A / Δz [kg s-1], shape
  ///        (nx, ny, nz + 1), level k being the interface below layer k; levels 0
  ///        (ground) and nz (top) are ignored (closed column). Values >= 0.
  /// @param surface emission and deposition (see SurfaceExchange); may be empty.
  /// Throws std::invalid_argument for wrongly shaped inputs and NumericalError
  /// for non-positive air mass, negative or non-finite conductances or dt; the
  /// state is not modified then. (A solve that fails after these checks, which
  /// takes an overflow of dt × G, also throws NumericalError, with the state
  /// partly updated.)
  void apply(State& state, const Field& conductance_z, const SurfaceExchange& surface, double dt_s);
  /// apply() without emission and deposition.
  void apply(State& state, const Field& conductance_z, double dt_s) {
    apply(state, conductance_z, SurfaceExchange{}, dt_s);
  }

  double theta() const { return theta_; }

 private:
  /// Per-thread contiguous copies of one column and the kernel's scratch.
  struct ColumnWork {
    std::vector<double> m, g, q, lower, upper, excess, rhs, work;
    explicit ColumnWork(int nz);
  };
  const Decomposition& decomp_;
  double theta_;
  std::vector<ColumnWork> work_;     // one per OpenMP thread
  std::vector<double> column_flux_;  // surface exchange per column and tracer
};

/// Horizontal diffusion, explicit and conservative (flux form), sub-stepped so
/// that every sub-step is positivity preserving.
class HorizontalDiffusion {
 public:
  /// Work space for `ntracers` tracers on the local grid is allocated here, with
  /// `tracer_halo` halo cells (>= 1). When the State's tracers have that halo,
  /// apply() swaps their storage with the work space after each sub-step; with
  /// another halo (>= 1) it copies the interior back instead (one extra pass).
  HorizontalDiffusion(const Decomposition& decomp, int ntracers, int tracer_halo = 1);

  /// Advances all tracers of `state` by dt_s [s] and returns the number of
  /// sub-steps taken, nsub = max(1, ceil(2 dt max_cells(ΣG / m))), the global
  /// maximum over all ranks, so that dt_sub = dt / nsub <= 0.5 min(m / ΣG).
  /// @param conductance_x conductances of the x-faces [kg s-1], shape (nx+1, ny, nz);
  ///        (i, j, k) is the west face of cell (i, j, k)
  /// @param conductance_y conductances of the y-faces [kg s-1], shape (nx, ny+1, nz);
  ///        (i, j, k) is the south face of cell (i, j, k)
  /// A face shared by two ranks must carry the same value on both. Faces on a
  /// non-periodic domain edge are closed (zero flux) whatever their value.
  /// The tracers need a halo of at least 1. Collective over the decomposition.
  /// Throws std::invalid_argument for wrongly shaped inputs and NumericalError
  /// (on every rank) for non-positive air mass or negative or non-finite
  /// conductances; the state is not modified then.
  int apply(State& state, const Field& conductance_x, const Field& conductance_y, double dt_s);

 private:
  /// Writes the new values of rows j = row0 + r * row_step, r in [0, nrows), of
  /// every level and tracer into the scratch fields.
  void update_rows(const State& state, const Field& gx, const Field& gy, int row0, int row_step,
                   int nrows, double dt_sub);

  const Decomposition& decomp_;
  int halo_width_;
  HaloExchange halo_;
  std::vector<Field> scratch_;  // new tracer values, one per tracer (swapped with the tracers)
};

}  // namespace fwaq

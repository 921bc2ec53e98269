#pragma once
// Turbulent-diffusion kernels: pure functions of one column or one face, no
// loops over the grid, no MPI, no I/O, no allocation. The operators in
// src/operators/diffusion.cpp own the loops, threads and halos.
//
// Mass form (finite volumes, Patankar 1980, ch. 4): with m_k the air mass of
// cell k [kg] and q_k its mixing ratio [tracer units], the tracer mass m_k q_k
// changes only by fluxes through the cell faces. The diffusive flux through the
// face between cells a and b (from a to b) is
//     F = G (q_a - q_b)            [tracer units·kg s-1],
// with the face "conductance" G = ρ_f K_f A_f / Δ_f [kg s-1] (air density at the
// face [kg m-3] × eddy diffusivity [m2 s-1] × face area [m2] / distance between
// the cell centres [m]). Because each face flux is added to one cell and
// subtracted from the other, Σ m q is conserved exactly apart from rounding.
//
// Vertical: θ-scheme (θ = 1 backward Euler, θ = 0.5 Crank & Nicolson 1947),
//   m_k (q_k' - q_k) = dt [θ L_k(q') + (1-θ) L_k(q)]
//                      + dt δ_k0 (E - D (θ q_0' + (1-θ) q_0)),
//   L_k(q) = G_{k+1/2} (q_{k+1} - q_k) - G_{k-1/2} (q_k - q_{k-1}),
// where q' is the new value, the conductances of the ground face (below k = 0)
// and of the top face (above k = n-1) are zero (closed column), E is the surface emission flux into
// the lowest cell [tracer units·kg s-1] and D = ρ_0 v_d A the deposition conductance [kg s-1]. The
// linear system is tridiagonal and diagonally dominant (an M-matrix); it is solved with
// kernels/tridiagonal.hpp.
//  * θ = 1: first order in time, unconditionally stable and positivity
//    preserving for any dt (E >= 0, D >= 0, q >= 0 give q' >= 0), and it obeys
//    the discrete maximum principle without sources. Deposition is implicit, so
//    it can never make q negative.
//  * θ = 0.5: second order in time and unconditionally stable (|amplification|
//    <= 1), but NOT positivity preserving: for dt above the explicit limit
//    min_k m_k / (G_{k-1/2} + G_{k+1/2}) (and, at k = 0, with D) the short waves
//    are amplified by factors near -1 and sharp features produce negative
//    undershoots. Use it only for smooth fields or moderate dt (verification).
#include "kernels/tridiagonal.hpp"

namespace fwaq::kernels {

/// Caller-provided work space for vertical_diffusion_column: five arrays of at
/// least n values each, not aliased with each other or with the column data.
struct DiffusionColumnScratch {
  double* lower;   ///< θ dt G below each cell [kg]
  double* upper;   ///< θ dt G above each cell [kg]
  double* excess;  ///< m (+ θ dt D at k = 0) [kg]
  double* rhs;     ///< right-hand side [tracer units·kg]
  double* work;    ///< solver scratch
};

/// Largest time step [s] of the explicit (forward Euler) diffusion scheme that
/// keeps the column positive: min_k m_k / (G_{k-1/2} + G_{k+1/2} (+ D at k = 0)).
/// Arguments as for vertical_diffusion_column. Returns +inf-like 1e300 if all G and D vanish.
inline double vertical_diffusion_explicit_limit(int n, const double* m_kg, const double* g_kg_s,
                                                double deposition_kg_s = 0.0) {
  double limit = 1e300;
  for (int k = 0; k < n; ++k) {
    double sum = (k > 0 ? g_kg_s[k] : 0.0) + (k < n - 1 ? g_kg_s[k + 1] : 0.0);
    if (k == 0) sum += deposition_kg_s;
    if (sum > 0.0 && m_kg[k] / sum < limit) limit = m_kg[k] / sum;
  }
  return limit;
}

/// Advances the mixing ratios of one column by one step of vertical diffusion
/// with surface emission and dry deposition (θ-scheme in mass form, see above).
///
/// @param n          number of layers (>= 1); k = 0 is the lowest
/// @param m_kg       air mass of each cell [kg], n values > 0
/// @param g_kg_s     conductances of the n+1 layer interfaces [kg s-1], >= 0;
///                   g_kg_s[k] is the face below cell k. g_kg_s[0] (ground) and
///                   g_kg_s[n] (top) are ignored: the column is closed, the lower
///                   boundary acts only through `emission` and `deposition`.
/// @param emission   surface emission flux into cell 0 [tracer units·kg s-1] (>= 0
///                   for positivity; a negative value is a prescribed sink)
/// @param deposition deposition conductance D = ρ_0 v_d A [kg s-1], >= 0
/// @param dt_s       time step [s], >= 0
/// @param theta      implicitness in [0.5, 1]: 1 backward Euler (positive for any
///                   dt), 0.5 Crank–Nicolson (second order, not positive for large dt)
/// @param q          mixing ratios [tracer units], n values, updated in place
/// @param w          scratch, each array >= n values
/// @return false if the linear solve failed (a cell mass <= 0 or non-finite
///         input); q is then unchanged only up to the point of failure and unusable.
///
/// Budget: Σ m q' = Σ m q + dt (E - D (θ q_0' + (1-θ) q_0)) up to rounding.
inline bool vertical_diffusion_column(int n, const double* m_kg, const double* g_kg_s,
                                      double emission, double deposition, double dt_s, double theta,
                                      double* q, const DiffusionColumnScratch& w) {
  if (n <= 0) return true;
  const double implicit_dt = theta * dt_s;
  const double explicit_dt = (1.0 - theta) * dt_s;
  for (int k = 0; k < n; ++k) {
    const double g_below = k > 0 ? g_kg_s[k] : 0.0;
    const double g_above = k < n - 1 ? g_kg_s[k + 1] : 0.0;
    w.lower[k] = implicit_dt * g_below;
    w.upper[k] = implicit_dt * g_above;
    w.excess[k] = m_kg[k];
    double rhs = m_kg[k] * q[k];
    if (explicit_dt != 0.0) {
      const double flux_above = k < n - 1 ? g_above * (q[k + 1] - q[k]) : 0.0;
      const double flux_below = k > 0 ? g_below * (q[k] - q[k - 1]) : 0.0;
      rhs += explicit_dt * (flux_above - flux_below);
    }
    w.rhs[k] = rhs;
  }
  // Surface exchange: emission fully in the right-hand side, deposition θ-implicit.
  w.excess[0] += implicit_dt * deposition;
  w.rhs[0] += dt_s * emission;
  if (explicit_dt != 0.0) w.rhs[0] -= explicit_dt * deposition * q[0];
  return solve_tridiagonal_dominant(n, w.lower, w.upper, w.excess, w.rhs, q, w.work);
}

/// Diffusive tracer flux through one face from the cell on its low-index side
/// to the cell on its high-index side [tracer units·kg s-1]:
/// F = G (q_low - q_high), with G the face conductance [kg s-1] and q the mixing
/// ratios [tracer units]. Neighbouring cells (and ranks) must evaluate a shared
/// face with the same arguments in the same order, so the flux is bitwise the
/// same on both sides.
inline double diffusive_flux(double g_kg_s, double q_low, double q_high) {
  return g_kg_s * (q_low - q_high);
}

/// Explicit (forward Euler) horizontal diffusion update of one cell in flux form:
///   q' = q + dt ((F_w - F_e) + (F_s - F_n)) / m,
/// with F_w = G_w (q_w - q), F_e = G_e (q - q_e), F_s = G_s (q_s - q), F_n = G_n (q - q_n).
/// @param q        mixing ratio of the cell [tracer units]; q_w .. q_n of its
///                 west, east, south and north neighbours
/// @param g_w..g_n conductances of its four faces [kg s-1] (0 for a closed face;
///                 pass the cell's own q as the neighbour there)
/// @param m_kg     air mass of the cell [kg], > 0
/// @param dt_s     time step [s]; positive (q' a convex combination of q and its
///                 neighbours) for dt_s <= m / (g_w + g_e + g_s + g_n)
/// @return new mixing ratio [tracer units]
inline double horizontal_diffusion_cell(double q, double q_w, double q_e, double q_s, double q_n,
                                        double g_w, double g_e, double g_s, double g_n, double m_kg,
                                        double dt_s) {
  const double net_x = diffusive_flux(g_w, q_w, q) - diffusive_flux(g_e, q, q_e);
  const double net_y = diffusive_flux(g_s, q_s, q) - diffusive_flux(g_n, q, q_n);
  return q + dt_s * (net_x + net_y) / m_kg;
}

}  // namespace fwaq::kernels

#pragma once
// Tridiagonal solvers (Thomas algorithm): pure functions, no MPI, no I/O, no
// allocation; the caller provides all arrays, including the scratch.
//
// Two forms are provided:
//  * solve_tridiagonal: the textbook Thomas algorithm (LU factorisation without
//    pivoting followed by forward and back substitution; Press et al. 2007,
//    Numerical Recipes, 3rd ed., sect. 2.4 "tridag"). Stable without pivoting
//    for diagonally dominant matrices.
//  * solve_tridiagonal_dominant: the same elimination for the matrices of
//    implicit diffusion, written in "conductance form"
//        row k:  -l_k x_{k-1} + (e_k + l_k + u_k) x_k - u_k x_{k+1} = d_k,
//    with l_k, u_k >= 0 (off-diagonal magnitudes) and e_k > 0 (the excess of the
//    diagonal over the off-diagonal magnitudes: the cell mass, plus any implicit
//    sink). The pivots are computed from e, l, u without ever subtracting, so no
//    precision is lost to cancellation even when l, u exceed e by many orders
//    of magnitude (implicit steps far beyond the explicit limit), and every
//    intermediate value has a known sign: with d >= 0 the solution is >= 0 in
//    floating-point arithmetic too, not only in exact arithmetic.
//
// Conventions: unknowns and equations are numbered k = 0 .. n-1; "lower" is the
// coefficient of x_{k-1} in row k (lower[0] is ignored), "upper" the
// coefficient of x_{k+1} (upper[n-1] is ignored). Units: the solution has the
// units of rhs divided by those of the coefficients (e.g. rhs in tracer
// units·kg, coefficients in kg: solution in tracer units).

namespace fwaq::kernels {

/// Solves the tridiagonal system
///   lower[k] x[k-1] + diag[k] x[k] + upper[k] x[k+1] = rhs[k],  k = 0 .. n-1,
/// by the Thomas algorithm (no pivoting).
///
/// @param n        number of unknowns (>= 1)
/// @param lower    sub-diagonal, n values (lower[0] ignored)
/// @param diag     diagonal, n values
/// @param upper    super-diagonal, n values (upper[n-1] ignored)
/// @param rhs      right-hand side, n values
/// @param x        solution, n values; may be the same array as rhs
/// @param scratch  n values of caller-provided work space (not aliased with the others)
/// @return false if a pivot was zero or not finite (x is then unusable); for
///         strictly diagonally dominant matrices this cannot happen.
inline bool solve_tridiagonal(int n, const double* lower, const double* diag, const double* upper,
                              const double* rhs, double* x, double* scratch) {
  if (n <= 0) return true;
  double pivot = diag[0];
  if (!(pivot != 0.0) || !(pivot - pivot == 0.0)) return false;
  scratch[0] = n > 1 ? upper[0] / pivot : 0.0;
  x[0] = rhs[0] / pivot;
  for (int k = 1; k < n; ++k) {
    pivot = diag[k] - lower[k] * scratch[k - 1];
    if (!(pivot != 0.0) || !(pivot - pivot == 0.0)) return false;
    scratch[k] = k < n - 1 ? upper[k] / pivot : 0.0;
    x[k] = (rhs[k] - lower[k] * x[k - 1]) / pivot;
  }
  for (int k = n - 2; k >= 0; --k) x[k] -= scratch[k] * x[k + 1];
  return true;
}

/// Solves the diagonally dominant tridiagonal system in conductance form
///   -l[k] x[k-1] + (e[k] + l[k] + u[k]) x[k] - u[k] x[k+1] = rhs[k],  k = 0 .. n-1,
/// (l[0] and u[n-1] ignored, i.e. treated as zero) without cancellation.
///
/// With s_k the part of the k-th pivot that is not u_k (s_0 = e_0),
///   pivot_k = u_k + s_k,   s_k = e_k + l_k · s_{k-1} / pivot_{k-1},
/// which follows from pivot_k = diag_k - l_k u_{k-1} / pivot_{k-1}; all terms are
/// non-negative, so the pivots are exact to a few ulps however large l and u are.
///
/// @param n        number of unknowns (>= 1)
/// @param l        magnitudes of the sub-diagonal, n values >= 0 (l[0] ignored)
/// @param u        magnitudes of the super-diagonal, n values >= 0 (u[n-1] ignored)
/// @param e        diagonal excess, n values > 0 (e[k] = 0 for some k is allowed
///                 as long as every pivot stays positive, e.g. e[0] > 0 and all l, u > 0)
/// @param rhs      right-hand side, n values
/// @param x        solution, n values; may be the same array as rhs
/// @param scratch  n values of caller-provided work space (not aliased with the others)
/// @return false if a pivot was not positive and finite (x is then unusable).
/// If all rhs >= 0, every x >= 0 (the matrix is an M-matrix and no step subtracts).
inline bool solve_tridiagonal_dominant(int n, const double* l, const double* u, const double* e,
                                       const double* rhs, double* x, double* scratch) {
  if (n <= 0) return true;
  double s = e[0];
  double up = n > 1 ? u[0] : 0.0;
  double pivot = up + s;
  if (!(pivot > 0.0) || !(pivot - pivot == 0.0)) return false;
  double s_ratio = s / pivot;  // s_{k-1} / pivot_{k-1}, in [0, 1]
  scratch[0] = up / pivot;     // u_k / pivot_k, in [0, 1]
  x[0] = rhs[0] / pivot;
  for (int k = 1; k < n; ++k) {
    s = e[k] + l[k] * s_ratio;
    up = k < n - 1 ? u[k] : 0.0;
    pivot = up + s;
    if (!(pivot > 0.0) || !(pivot - pivot == 0.0)) return false;
    s_ratio = s / pivot;
    scratch[k] = up / pivot;
    x[k] = (rhs[k] + l[k] * x[k - 1]) / pivot;
  }
  for (int k = n - 2; k >= 0; --k) x[k] += scratch[k] * x[k + 1];
  return true;
}

}  // namespace fwaq::kernels

#pragma once
// Error-controlled Rosenbrock integration of small stiff ODE systems y' = f(y)
// (autonomous), one solve per grid cell. Methods of Sandu, Verwer, Blom, Spee,
// Carmichael & Potra (1997), "Benchmarking stiff ODE solvers for atmospheric
// chemistry problems II: Rosenbrock solvers", Atmos. Environ. 31, 3459-3472,
// doi:10.1016/S1352-2310(97)83212-8: ROS2 (2 stages, order 2, L-stable; also
// Verwer, Spee, Blom & Hundsdorfer 1999, SIAM J. Sci. Comput. 20, 1456), ROS3
// (3 stages, order 3 with an embedded order-2 estimate, L-stable, 2 function
// evaluations) and RODAS3 (4 stages, order 3, stiffly accurate). Step-size
// control as in Hairer & Wanner (1996), Solving ODEs II, section IV.7.
// Method and verification: docs/science/chemistry.md.
//
// Stage equations, for i = 1..s (C and A strictly lower triangular):
//   (I/(h γ) − J) K_i = f(y + Σ_j A_ij K_j) + Σ_j (C_ij / h) K_j
//   y_new = y + Σ_i m_i K_i,  error estimate e = Σ_i e_i K_i,
// with J = ∂f/∂y evaluated once per step at y.
//
// Block structure. The system's unknowns are ordered as
//   [core (kCore) | diagonal (kDiag) | products (kProd)]
// and the Jacobian must have the shape
//   core rows:     depend on core unknowns only               (dense kCore × kCore)
//   diagonal rows: depend only on the unknown itself          (diagonal)
//   product rows:  depend on core and diagonal unknowns only  (kProd × (kCore + kDiag))
// i.e. nothing depends on a product. Then each stage needs one dense LU of the
// core block (fixed size, Eigen storage), a division per diagonal unknown and a
// matrix-vector product for the products: exactly the same Rosenbrock method as
// on the full system, at a fraction of its cost. Linear invariants of f (atom
// counts: w·f(y) = 0 for all y, hence w·J = 0) are preserved by every stage and
// hence by the method, to round-off.
//
// A System provides
//   static constexpr int kCore, kDiag, kProd;              // kCore >= 1
//   static constexpr int kProdNnz;                         // entries of the product block
//   static constexpr std::array<SparseEntry, kProdNnz> kProdPattern;  // (product, column)
//   void rhs(const double* y, double* f) const;            // f(y), all N entries
//   void jacobian(const double* y, CoreMatrix& jcc,        // ∂f_core/∂y_core (Eigen, N_c × N_c)
//                 double* jdiag,                           // ∂f_d/∂y_d, kDiag entries
//                 double* jprod) const;                    // product block, kProdPattern order
//   void project(double* y) const;                         // after each accepted step
// project() may move tiny negative values (within the error tolerance) to partner
// unknowns so that atom counts are kept; it must not change a valid state.
#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>
#include <utility>

namespace fwaq::chem {

enum class RosenbrockMethod { kRos2, kRos3, kRodas3 };

/// "ros2", "ros3", "rodas3".
std::string_view method_name(RosenbrockMethod m);
/// Inverse of method_name; false if `name` is none of them.
bool parse_method(std::string_view name, RosenbrockMethod& out);

/// Coefficients of one method in the form above.
struct RosenbrockTableau {
  int stages = 0;
  double gamma = 0.0;              ///< diagonal coefficient γ
  std::array<double, 6> a{}, c{};  ///< A_ij, C_ij row-wise: (2,1), (3,1), (3,2), (4,1), ...
  std::array<bool, 4> new_f{};     ///< stage needs a new evaluation of f (else reuses the last)
  std::array<double, 4> m{}, e{};  ///< solution and error weights
  double error_order = 0.0;        ///< order of the error estimate + 1 (exponent of the controller)
  int order = 0;                   ///< order of the method
};

/// The coefficients (Sandu et al. 1997, tables of ROS2, ROS3 and RODAS3).
constexpr RosenbrockTableau make_tableau(RosenbrockMethod m) {
  RosenbrockTableau t;
  switch (m) {
    case RosenbrockMethod::kRos2: {
      // γ = 1 + 1/√2 (Verwer et al. 1999); error: difference to the embedded
      // first-order solution.
      const double g = 1.70710678118654752440;
      t.stages = 2;
      t.gamma = g;
      t.a = {1.0 / g, 0, 0, 0, 0, 0};
      t.c = {-2.0 / g, 0, 0, 0, 0, 0};
      t.new_f = {true, true, false, false};
      t.m = {3.0 / (2.0 * g), 1.0 / (2.0 * g), 0.0, 0.0};
      t.e = {1.0 / (2.0 * g), 1.0 / (2.0 * g), 0.0, 0.0};
      t.error_order = 2.0;
      t.order = 2;
      break;
    }
    case RosenbrockMethod::kRos3:
      // L-stable, 3 stages, order 3 with an embedded order-2 solution; stage 3
      // reuses the function value of stage 2.
      t.stages = 3;
      t.gamma = 0.43586652150845899941601945119356;
      t.a = {1.0, 1.0, 0.0, 0.0, 0.0, 0.0};
      t.c = {-0.10156171083877702091975600115545e+01,
             0.40759956452537699824805835358067e+01,
             0.92076794298330791242156818474003e+01,
             0.0,
             0.0,
             0.0};
      t.new_f = {true, true, false, false};
      t.m = {1.0, 0.61697947043828245592553615689730e+01, -0.42772256543218573326238373806514, 0.0};
      t.e = {0.5, -0.29079558716805469821718236208017e+01, 0.22354069897811569627360909276199, 0.0};
      t.error_order = 3.0;
      t.order = 3;
      break;
    case RosenbrockMethod::kRodas3:
      // Stiffly accurate, 4 stages, order 3 (embedded order 2); the error estimate is
      // the last stage.
      t.stages = 4;
      t.gamma = 0.5;
      t.a = {0.0, 2.0, 0.0, 2.0, 0.0, 1.0};
      t.c = {4.0, 1.0, -1.0, 1.0, -1.0, -8.0 / 3.0};
      t.new_f = {true, false, true, true};
      t.m = {2.0, 0.0, 1.0, 1.0};
      t.e = {0.0, 0.0, 0.0, 1.0};
      t.error_order = 3.0;
      t.order = 3;
      break;
  }
  return t;
}
const RosenbrockTableau& tableau(RosenbrockMethod m);

/// One entry of the sparse product block of the Jacobian: ∂f_(product row)/∂y_col,
/// row in [0, kProd), col in [0, kCore + kDiag).
struct SparseEntry {
  int row, col;
};

/// Outcome of one integration. Only kOk leaves a usable solution.
enum class SolveStatus {
  kOk = 0,
  kTooManySteps,    ///< more than max_steps steps (accepted + rejected) were needed
  kStepTooSmall,    ///< the step size fell below h_min
  kNonFinite,       ///< f or the solution became NaN/Inf and smaller steps did not cure it
  kSingularMatrix,  ///< the stage matrix stayed singular after repeated step reductions
};
std::string_view status_name(SolveStatus s);

struct RosenbrockControl {
  RosenbrockMethod method = RosenbrockMethod::kRos3;
  double rtol = 1e-3;     ///< relative tolerance [1]
  int max_steps = 5000;   ///< steps (accepted + rejected) allowed in one solve
  double h_init = 0.0;    ///< first step [time units]; 0: span × 1e-3
  double h_min = 0.0;     ///< smallest step; 0: span × 1e-12
  double h_max = 0.0;     ///< largest step; 0: the span
  double fac_min = 0.2;   ///< smallest step-size factor after a step
  double fac_max = 6.0;   ///< largest step-size factor after a step
  double fac_safe = 0.9;  ///< safety factor of the controller
  double fac_rej = 0.1;   ///< factor after a rejected first step or a non-finite result
};

struct RosenbrockStats {
  int steps = 0;        ///< attempted steps
  int accepted = 0;     ///< accepted steps
  int rejected = 0;     ///< rejected steps (error too large, non-finite or singular)
  double t = 0.0;       ///< time reached
  double h_last = 0.0;  ///< last attempted step size
};

/// Integrates y' = f(y) from 0 to `span` (> 0; span = 0 returns kOk at once) in
/// place. atol[i] are the absolute tolerances (> 0) of the N unknowns, in their
/// units; the weighted RMS error of each step, with weights atol_i + rtol
/// max(|y_i|, |y_new,i|), is kept below 1. On failure y holds the state at
/// stats.t. Deterministic: the result depends only on the inputs.
template <class System>
[[nodiscard]] SolveStatus rosenbrock_solve(const System& sys, double* y, double span,
                                           const double* atol, const RosenbrockControl& ctl,
                                           RosenbrockStats& stats);

// ---------------------------------------------------------------------------------------------
// Implementation.

namespace detail {
inline bool all_finite(const double* v, int n) {
  for (int i = 0; i < n; ++i) {
    if (!std::isfinite(v[i])) return false;
  }
  return true;
}

/// In-place LU factorisation with partial (row) pivoting of a small fixed-size
/// matrix held in an Eigen row-major matrix, and the matching solve, fully unrolled.
/// For the 8 × 8 block of the chemistry (factorisation and three solves) it is ~1.5×
/// faster than Eigen::PartialPivLU, whose generic code does not specialise on the size.
template <int N>
class SmallLU {
 public:
  using Matrix = Eigen::Matrix<double, N, N, Eigen::RowMajor>;
  /// Factorises `a` (overwritten). False if a pivot is zero or not finite.
  [[gnu::always_inline]] inline bool factor(Matrix& a) {
    _Pragma("GCC unroll 16") for (int k = 0; k < N; ++k) order_[k] = k;
    _Pragma("GCC unroll 16") for (int k = 0; k < N; ++k) {
      int p = k;
      double best = std::abs(a(k, k));
      _Pragma("GCC unroll 16") for (int i = k + 1; i < N; ++i) {
        const double v = std::abs(a(i, k));
        if (v > best) {
          best = v;
          p = i;
        }
      }
      if (!(best > 0.0) || !std::isfinite(best)) return false;
      if (p != k) {
        a.row(k).swap(a.row(p));
        std::swap(order_[k], order_[p]);
      }
      const double inv = 1.0 / a(k, k);
      inv_diag_[k] = inv;
      _Pragma("GCC unroll 16") for (int i = k + 1; i < N; ++i) {
        const double l = a(i, k) * inv;
        a(i, k) = l;
        _Pragma("GCC unroll 16") for (int j = k + 1; j < N; ++j) a(i, j) -= l * a(k, j);
      }
    }
    lu_ = &a;
    return true;
  }
  /// Solves A x = b in place (b overwritten by x).
  [[gnu::always_inline]] inline void solve(double* b) const {
    const Matrix& a = *lu_;
    std::array<double, N> x;
    _Pragma("GCC unroll 16") for (int i = 0; i < N; ++i) x[i] = b[order_[i]];
    _Pragma("GCC unroll 16") for (int i = 1; i < N; ++i) {
      double acc = x[i];
      _Pragma("GCC unroll 16") for (int j = 0; j < i; ++j) acc -= a(i, j) * x[j];
      x[i] = acc;
    }
    _Pragma("GCC unroll 16") for (int i = N - 1; i >= 0; --i) {
      double acc = x[i];
      _Pragma("GCC unroll 16") for (int j = i + 1; j < N; ++j) acc -= a(i, j) * x[j];
      x[i] = acc * inv_diag_[i];
    }
    _Pragma("GCC unroll 16") for (int i = 0; i < N; ++i) b[i] = x[i];
  }

 private:
  const Matrix* lu_ = nullptr;
  std::array<int, N> order_{};  ///< row i of the factors is row order_[i] of A
  std::array<double, N> inv_diag_{};
};
}  // namespace detail

namespace detail {

template <class System, RosenbrockMethod M>
SolveStatus rosenbrock_solve_impl(const System& sys, double* y, double span, const double* atol,
                                  const RosenbrockControl& ctl, RosenbrockStats& stats) {
  constexpr int nc = System::kCore, nd = System::kDiag, np = System::kProd;
  constexpr int ncd = nc + nd, n = nc + nd + np;
  constexpr int nnz = System::kProdNnz;
  static_assert(nc >= 1 && nd >= 0 && np >= 0 && nnz >= 0, "block sizes");
  static constexpr RosenbrockTableau tb = make_tableau(M);
  constexpr int s = tb.stages;
  using Mat = Eigen::Matrix<double, nc, nc>;

  const double h_min = ctl.h_min > 0.0 ? ctl.h_min : span * 1e-12;
  const double h_max = ctl.h_max > 0.0 ? std::min(ctl.h_max, span) : span;
  double h = ctl.h_init > 0.0 ? ctl.h_init : span * 1e-3;
  h = std::clamp(h, h_min, h_max);

  Mat jcc;
  std::array<double, nd> jdiag{}, gdiag_inv{};
  std::array<double, nnz> jprod{};
  std::array<std::array<double, n>, s> k{};  // stage increments
  std::array<double, n> f{}, ynew{}, rhs{};
  typename SmallLU<nc>::Matrix g;
  SmallLU<nc> lu;

  double t = 0.0;
  bool reject_last = false, need_jacobian = true;
  int singular_tries = 0;
  // Below this error norm the step-size factor is fac_max.
  const double norm_at_fac_max = std::pow(ctl.fac_safe / ctl.fac_max, tb.error_order);

  while (t < span) {
    if (stats.steps >= ctl.max_steps) {
      stats.t = t;
      return SolveStatus::kTooManySteps;
    }
    if (h < h_min) {
      stats.t = t;
      return SolveStatus::kStepTooSmall;
    }
    // Do not leave a sliver at the end.
    if (t + 1.0001 * h >= span) h = span - t;
    ++stats.steps;
    stats.h_last = h;

    if (need_jacobian) {
      sys.jacobian(y, jcc, jdiag.data(), jprod.data());
      need_jacobian = false;
    }
    // Stage matrix and its LU.
    const double ghinv = 1.0 / (h * tb.gamma);
    {
      g = -jcc;
      g.diagonal().array() += ghinv;
      bool singular = !lu.factor(g);
      for (int i = 0; i < nd; ++i) {
        const double gd = ghinv - jdiag[i];
        if (!(std::isfinite(gd)) || gd == 0.0) singular = true;
        gdiag_inv[i] = 1.0 / gd;
      }
      if (singular) {
        ++stats.rejected;
        if (++singular_tries > 5) {
          stats.t = t;
          return SolveStatus::kSingularMatrix;
        }
        h *= 0.5;
        continue;
      }
      singular_tries = 0;
    }

    // Stages (unrolled: the coefficients are compile-time constants).
    const double hg = h * tb.gamma, hinv = 1.0 / h;
    [&]<int... I>(std::integer_sequence<int, I...>) {
      (
          [&] {
            constexpr int i = I;
            if constexpr (i == 0) {
              sys.rhs(y, f.data());
            } else if constexpr (tb.new_f[i]) {
              for (int q = 0; q < n; ++q) ynew[q] = y[q];
              [&]<int... J>(std::integer_sequence<int, J...>) {
                (
                    [&] {
                      constexpr double aij = tb.a[(i - 1) * i / 2 + J];
                      if constexpr (aij != 0.0) {
                        for (int q = 0; q < n; ++q) ynew[q] += aij * k[J][q];
                      }
                    }(),
                    ...);
              }
              (std::make_integer_sequence<int, i>{});
              sys.rhs(ynew.data(), f.data());
            }
            for (int q = 0; q < n; ++q) rhs[q] = f[q];
            [&]<int... J>(std::integer_sequence<int, J...>) {
              (
                  [&] {
                    constexpr double cij = tb.c[(i - 1) * i / 2 + J];
                    if constexpr (cij != 0.0) {
                      const double c = cij * hinv;
                      for (int q = 0; q < n; ++q) rhs[q] += c * k[J][q];
                    }
                  }(),
                  ...);
            }
            (std::make_integer_sequence<int, i>{});
            // Core block.
            for (int q = 0; q < nc; ++q) k[i][q] = rhs[q];
            lu.solve(k[i].data());
            // Diagonal block.
            for (int q = 0; q < nd; ++q) k[i][nc + q] = rhs[nc + q] * gdiag_inv[q];
            // Products: K_p = hγ (R_p + J_p,(core,diag) K_(core,diag)).
            // (Unrolled over the constant pattern so that no entry waits for a store.)
            std::array<double, np> acc;
            for (int p = 0; p < np; ++p) acc[p] = rhs[ncd + p];
            [&]<int... E>(std::integer_sequence<int, E...>) {
              ((acc[System::kProdPattern[E].row] += jprod[E] * k[i][System::kProdPattern[E].col]),
               ...);
            }
            (std::make_integer_sequence<int, nnz>{});
            for (int p = 0; p < np; ++p) k[i][ncd + p] = hg * acc[p];
          }(),
          ...);
    }
    (std::make_integer_sequence<int, s>{});

    // New solution and error estimate.
    double norm = 0.0;
    for (int q = 0; q < n; ++q) {
      double yn = y[q], e = 0.0;
      [&]<int... I>(std::integer_sequence<int, I...>) {
        (
            [&] {
              if constexpr (tb.m[I] != 0.0) yn += tb.m[I] * k[I][q];
              if constexpr (tb.e[I] != 0.0) e += tb.e[I] * k[I][q];
            }(),
            ...);
      }
      (std::make_integer_sequence<int, s>{});
      ynew[q] = yn;
      const double scale = atol[q] + ctl.rtol * std::max(std::abs(y[q]), std::abs(yn));
      const double r = e / scale;
      norm += r * r;
    }
    norm = std::max(std::sqrt(norm / n), 1e-10);

    if (!std::isfinite(norm) || !all_finite(ynew.data(), n)) {
      ++stats.rejected;
      reject_last = true;
      if (h * ctl.fac_rej < h_min) {
        stats.t = t;
        return SolveStatus::kNonFinite;
      }
      h *= ctl.fac_rej;
      continue;
    }

    // fac = clamp(fac_safe / norm^(1/ELO), fac_min, fac_max); the root only when the
    // clamp does not decide (a small error is common and needs none).
    double fac;
    if (norm <= norm_at_fac_max) {
      fac = ctl.fac_max;
    } else {
      const double root = tb.error_order == 3.0   ? std::cbrt(norm)
                          : tb.error_order == 2.0 ? std::sqrt(norm)
                                                  : std::pow(norm, 1.0 / tb.error_order);
      fac = std::min(ctl.fac_max, std::max(ctl.fac_min, ctl.fac_safe / root));
    }
    double h_new = h * fac;
    if (norm <= 1.0) {
      for (int q = 0; q < n; ++q) y[q] = ynew[q];
      sys.project(y);
      t = (h == span - t) ? span : t + h;
      ++stats.accepted;
      if (reject_last) h_new = std::min(h_new, h);
      reject_last = false;
      need_jacobian = true;
      h = std::min(h_new, h_max);
    } else {
      ++stats.rejected;
      h = (stats.accepted == 0 && !reject_last) ? h * ctl.fac_rej : h_new;
      reject_last = true;
    }
  }
  stats.t = span;
  return SolveStatus::kOk;
}

}  // namespace detail

template <class System>
SolveStatus rosenbrock_solve(const System& sys, double* y, double span, const double* atol,
                             const RosenbrockControl& ctl, RosenbrockStats& stats) {
  stats = RosenbrockStats{};
  if (!(span > 0.0)) return SolveStatus::kOk;
  switch (ctl.method) {
    case RosenbrockMethod::kRos2:
      return detail::rosenbrock_solve_impl<System, RosenbrockMethod::kRos2>(sys, y, span, atol, ctl,
                                                                            stats);
    case RosenbrockMethod::kRodas3:
      return detail::rosenbrock_solve_impl<System, RosenbrockMethod::kRodas3>(sys, y, span, atol,
                                                                              ctl, stats);
    case RosenbrockMethod::kRos3:
    default:
      return detail::rosenbrock_solve_impl<System, RosenbrockMethod::kRos3>(sys, y, span, atol, ctl,
                                                                            stats);
  }
}

}  // namespace fwaq::chem

#pragma once
// One-dimensional flux-form advection kernels: pure functions of cell values,
// no loops over the grid, no MPI, no allocation. The operator in
// src/operators/advection.cpp owns the loops, threads and halos.
//
// Scheme (see docs/science/transport.md):
//  * Piecewise-parabolic reconstruction (Colella & Woodward 1984,
//    doi:10.1016/0021-9991(84)90143-8) from fourth-order interface values.
//  * Extremum-preserving limiting of interface values and of the parabola
//    (Colella & Sekora 2008, doi:10.1016/j.jcp.2008.03.034, with the
//    cell-limiter of McCorquodale & Colella 2011, doi:10.2140/camcos.2011.6.1),
//    so smooth peaks are not clipped.
//  * Discontinuities: a THINC profile (tangent of hyperbola, Xiao et al. 2005,
//    doi:10.1002/fld.975) is chosen instead of the parabola in a cell when it
//    gives the smaller total boundary variation (BVD principle, Sun, Inaba &
//    Xiao 2016, doi:10.1016/j.jcp.2016.05.010).
//  * Bounds: the parabola is scaled towards the cell mean so that it stays
//    inside given bounds (Zhang & Shu 2010, doi:10.1016/j.jcp.2009.12.030);
//    the THINC profile lies between its neighbours by construction. With the
//    upwind swept-average flux below, the new cell mean is a convex
//    combination of values of the reconstruction, so the scheme is bounded and
//    positive for mass Courant numbers up to one.
#include <algorithm>
#include <cmath>

namespace fwaq::kernels {

/// Cells of halo the one-dimensional scheme reads on each side of the cells it updates.
inline constexpr int kAdvectionHalo = 4;

/// Tunable constants of the scheme (dimensionless).
struct AdvectionParams {
  double extremum_factor = 1.25;  ///< C in Colella & Sekora (2008) eq. 18-19
  double thinc_beta = 2.0;        ///< THINC steepness β (interface width ~ 1/β cells)
  /// Smallest jump |q[i+1]-q[i-1]|, relative to max(|q[i-1]|,|q[i+1]|), treated as a
  /// possible discontinuity (below it, the parabola alone is used).
  double thinc_min_relative_jump = 1e-3;
  /// Keep every tracer inside its global range (maximum principle). Off only to
  /// show what the scheme does without it (e.g. in verification).
  bool enforce_global_bounds = true;
};

inline double sign_of(double x) {
  return static_cast<double>((x > 0.0) - (x < 0.0));
}

/// Fourth-order interface value between cells q0 and qp1, limited as in
/// Colella & Sekora (2008) eq. 13-19: kept when it lies between its neighbours,
/// otherwise replaced by the mean minus a limited second derivative that is
/// non-zero only where the neighbouring curvatures agree (a smooth extremum).
inline double interface_value(double qm1, double q0, double qp1, double qp2, double c_ext) {
  const double a = (7.0 * (q0 + qp1) - (qm1 + qp2)) / 12.0;
  // Written without branches so that loops over faces vectorise.
  const double d2 = 3.0 * (q0 - 2.0 * a + qp1);
  const double d2l = qm1 - 2.0 * q0 + qp1;
  const double d2r = q0 - 2.0 * qp1 + qp2;
  const double s = sign_of(d2);
  const bool smooth = (s != 0.0) & (s == sign_of(d2l)) & (s == sign_of(d2r));
  const double lim =
      smooth ? s * std::min(std::min(c_ext * std::abs(d2l), c_ext * std::abs(d2r)), std::abs(d2))
             : 0.0;
  return (a - q0) * (qp1 - a) >= 0.0 ? a : 0.5 * (q0 + qp1) - lim / 6.0;
}

/// Limits the parabola of cell q0 with edge values aL, aR (in/out):
/// at extrema, the extremum-preserving limiter of Colella & Sekora (2008)
/// eq. 20-22; elsewhere the monotonicity constraint of Colella & Woodward (1984).
inline void limit_parabola(double qm2, double qm1, double q0, double qp1, double qp2, double c_ext,
                           double& aL, double& aR) {
  // Both branches are evaluated and selected, so loops over cells vectorise.
  const double dR = aR - q0;
  const double dL = q0 - aL;
  const bool extremum = (dR * dL <= 0.0) | ((qp1 - q0) * (q0 - qm1) <= 0.0);
  // Extremum: scale both edges by the limited second derivative (Colella & Sekora).
  const double d2 = -2.0 * (6.0 * q0 - 3.0 * (aL + aR));
  const double d2c = qm1 - 2.0 * q0 + qp1;
  const double d2l = qm2 - 2.0 * qm1 + q0;
  const double d2r = q0 - 2.0 * qp1 + qp2;
  const double s = sign_of(d2);
  const bool smooth = (s != 0.0) & (s == sign_of(d2c)) & (s == sign_of(d2l)) & (s == sign_of(d2r));
  const double lim = smooth ? s * std::min(std::min(c_ext * std::abs(d2c), c_ext * std::abs(d2l)),
                                           std::min(c_ext * std::abs(d2r), std::abs(d2)))
                            : 0.0;
  const bool curved = d2 != 0.0;
  const double r = lim / (curved ? d2 : 1.0);  // safe divisor: no branch, no trap
  const double ext_L = curved ? q0 - dL * r : q0;
  const double ext_R = curved ? q0 + dR * r : q0;
  // Monotone: the Colella & Woodward overshoot correction.
  const double mono_R = std::abs(dR) >= 2.0 * std::abs(dL) ? q0 + 2.0 * dL : aR;
  const double mono_L = std::abs(dL) >= 2.0 * std::abs(dR) ? q0 - 2.0 * dR : aL;
  aL = extremum ? ext_L : mono_L;
  aR = extremum ? ext_R : mono_R;
}

/// Scales the parabola (mean q, edges aL, aR) towards its mean so that it lies in
/// [lo, hi] everywhere in the cell (Zhang & Shu 2010). Requires lo <= q <= hi.
inline void bound_parabola(double q, double lo, double hi, double& aL, double& aR) {
  const double d = aR - aL;
  const double q6 = 6.0 * (q - 0.5 * (aL + aR));
  const bool curved = q6 != 0.0;
  const double xs = curved ? (d + q6) / (2.0 * (curved ? q6 : 1.0)) : -1.0;  // dp/dx = 0
  const bool inside = (xs > 0.0) & (xs < 1.0);
  const double v = aL + xs * (d + q6 * (1.0 - xs));
  const double pmax = inside ? std::max(std::max(aL, aR), v) : std::max(aL, aR);
  const double pmin = inside ? std::min(std::min(aL, aR), v) : std::min(aL, aR);
  const bool over = pmax > hi, under = pmin < lo;  // then pmax > q, resp. pmin < q
  const double t_hi = over ? (hi - q) / (over ? pmax - q : 1.0) : 1.0;
  const double t_lo = under ? (q - lo) / (under ? q - pmin : 1.0) : 1.0;
  const double theta = std::max(std::min(std::min(t_hi, t_lo), 1.0), 0.0);
  const bool scale = theta < 1.0;
  aL = scale ? q + theta * (aL - q) : aL;
  aR = scale ? q + theta * (aR - q) : aR;
}

/// Mean of the parabola over the rightmost fraction `alpha` (0 < alpha <= 1) of the cell.
inline double parabola_right_mean(double aL, double aR, double q, double alpha) {
  const double d = aR - aL;
  const double q6 = 6.0 * (q - 0.5 * (aL + aR));
  return aR - 0.5 * alpha * (d - (1.0 - (2.0 / 3.0) * alpha) * q6);
}

/// Mean of the parabola over the leftmost fraction `alpha` (0 < alpha <= 1) of the cell.
inline double parabola_left_mean(double aL, double aR, double q, double alpha) {
  const double d = aR - aL;
  const double q6 = 6.0 * (q - 0.5 * (aL + aR));
  return aL + 0.5 * alpha * (d + (1.0 - (2.0 / 3.0) * alpha) * q6);
}

/// THINC profile q(x) = base + jump/2 * (1 + dir * tanh(beta (x - x0))), x in [0, 1],
/// stored through T = tanh(beta x0) so that edge values and swept means need no
/// inverse hyperbolic functions.
struct Thinc {
  double base = 0.0;  ///< min of the two neighbours
  double jump = 0.0;  ///< |q[i+1] - q[i-1]|
  double dir = 0.0;   ///< +1 rising, -1 falling
  double T = 0.0;     ///< tanh(beta x0), x0 the position of the jump in the cell
};

/// Constants of THINC for one steepness β.
struct ThincShape {
  double beta, cosh_beta, sinh_beta, tanh_beta;
  explicit ThincShape(double b)
      : beta(b), cosh_beta(std::cosh(b)), sinh_beta(std::sinh(b)), tanh_beta(std::tanh(b)) {}
};

/// Fits a THINC profile to the cell mean q0 between neighbours qm1 and qp1.
/// Returns false where the cell is not monotone between its neighbours or the
/// jump is too small to be a discontinuity; the profile is then unusable.
inline bool fit_thinc(double qm1, double q0, double qp1, const ThincShape& s, double min_rel_jump,
                      Thinc& t) {
  if ((qp1 - q0) * (q0 - qm1) <= 0.0) return false;
  const double jump = std::abs(qp1 - qm1);
  if (jump <= min_rel_jump * std::max(std::abs(qm1), std::abs(qp1))) return false;
  const double c = 2.0 * (q0 - std::min(qm1, qp1)) / jump - 1.0;  // in (-1, 1)
  const double dir = sign_of(qp1 - qm1);
  // The profile's mean over [0,1] is q0 when tanh(beta x0) = T (closed form).
  const double T = (s.cosh_beta - std::exp(s.beta * dir * c)) / s.sinh_beta;
  if (!(std::abs(T) < 1.0)) return false;
  t.base = std::min(qm1, qp1);
  t.jump = jump;
  t.dir = dir;
  t.T = T;
  return true;
}

/// Values of the profile at the left (x = 0) and right (x = 1) cell edges.
inline double thinc_left_value(const Thinc& t) {
  return t.base + 0.5 * t.jump * (1.0 - t.dir * t.T);
}
inline double thinc_right_value(const Thinc& t, const ThincShape& s) {
  const double th = (s.tanh_beta - t.T) / (1.0 - t.T * s.tanh_beta);  // tanh(beta (1 - x0))
  return t.base + 0.5 * t.jump * (1.0 + t.dir * th);
}

/// Mean of a THINC profile over the leftmost (right = false) or rightmost
/// (right = true) fraction alpha of the cell, 0 < alpha <= 1. Uses
/// ∫tanh = ln cosh / β and cosh(a − b) = cosh a cosh b (1 − tanh a tanh b).
inline double thinc_swept_mean(const Thinc& t, const ThincShape& s, double alpha, bool right) {
  const double ba = s.beta * alpha;
  const double ch = std::cosh(ba), th = std::tanh(ba);
  double ln_ratio;  // ln cosh(β(x2 − x0)) − ln cosh(β(x1 − x0))
  if (right) {
    // x1 = 1 − α, x2 = 1: cosh(β(1−x0)) / cosh(β(1−α−x0)).
    const double th1 = (s.tanh_beta - t.T) / (1.0 - t.T * s.tanh_beta);  // tanh(β(1 − x0))
    // cosh(β(1−α−x0)) = cosh(β(1−x0)) cosh(βα) (1 − tanh(β(1−x0)) tanh(βα))
    ln_ratio = -std::log(ch * (1.0 - th1 * th));
  } else {
    // x1 = 0, x2 = α: cosh(β(α−x0)) / cosh(−βx0) = cosh(βα) (1 − tanh(βα) T).
    ln_ratio = std::log(ch * (1.0 - th * t.T));
  }
  const double m = t.base + 0.5 * t.jump * (1.0 + t.dir * ln_ratio / ba);
  // The exact mean lies between the neighbours; guard against rounding.
  return std::clamp(m, t.base, t.base + t.jump);
}

/// Swept fractions of the upwind cells, alpha[f] = min(|phi[f]| / m[upwind], 1), for
/// faces f in [lo, hi]: a property of the air flow alone, computed once per line
/// and shared by every tracer.
inline void swept_fractions(const double* m, const double* phi, double* alpha, int lo, int hi) {
  for (int f = lo; f <= hi; ++f) {
    const double F = phi[f];
    alpha[f] = std::min(std::abs(F) / (F >= 0.0 ? m[f - 1] : m[f]), 1.0);
  }
}

/// Scratch arrays for advect_line, each of at least (hi - lo) + 2*kAdvectionHalo + 1
/// elements; owned by the caller so the kernel never allocates.
struct LineScratch {
  double* iface;  ///< limited interface values
  double* aL;     ///< parabola left edge values
  double* aR;     ///< parabola right edge values
  Thinc* thinc;   ///< THINC profiles
  unsigned char* use_thinc;
  double* tflux;  ///< tracer flux through faces [tracer units × kg]
};

/// Advances one line of cells by one (sub)step in flux form, mass-consistently.
///
/// @param q      mixing ratios [tracer units]; q[c] valid for c in [lo-4, hi+4)
/// @param m      air mass of each cell [kg]; valid for c in [lo-1, hi+1)
/// @param phi    air-mass flux through face f (west face of cell f) over the
///               step [kg], for f in [lo, hi]; positive towards increasing c
/// @param alpha  swept fraction of the upwind cell, min(|phi[f]| / m[upwind], 1),
///               for f in [lo, hi] (shared by all tracers; see swept_fractions)
/// @param m_new  air mass after the step [kg] (m + phi[c] - phi[c+1]), c in [lo, hi)
/// @param out    new mixing ratios for c in [lo, hi)
/// @param q_lo,q_hi bounds the reconstruction keeps to (the global range of q
///               and of inflow values: the maximum principle of advection)
/// Requires every cell's outflow over the step to be at most its mass.
/// @param shape  THINC constants for p.thinc_beta (precomputed once by the caller)
inline void advect_line(const double* q, const double* m, const double* phi,
                        const double* alpha_face, const double* m_new, double* out, int lo, int hi,
                        double q_lo, double q_hi, const AdvectionParams& p, const ThincShape& shape,
                        const LineScratch& w) {
  const int base = lo - kAdvectionHalo;  // scratch index = c - base
  double* iface = w.iface - base;        // indexable by face / cell number
  double* aL = w.aL - base;
  double* aR = w.aR - base;
  Thinc* thinc = w.thinc - base;
  unsigned char* use_thinc = w.use_thinc - base;
  double* tflux = w.tflux - base;
  const double c_ext = p.extremum_factor;  // a local, so the loops below vectorise
  // Interfaces lo-2 .. hi+2 (interface f lies between cells f-1 and f).
  for (int f = lo - 2; f <= hi + 2; ++f) {
    iface[f] = interface_value(q[f - 2], q[f - 1], q[f], q[f + 1], c_ext);
  }
  // Parabolas of cells lo-2 .. hi+1.
  for (int c = lo - 2; c <= hi + 1; ++c) {
    double l = iface[c], r = iface[c + 1];
    limit_parabola(q[c - 2], q[c - 1], q[c], q[c + 1], q[c + 2], c_ext, l, r);
    bound_parabola(q[c], q_lo, q_hi, l, r);
    aL[c] = l;
    aR[c] = r;
  }
  // Boundary-variation-diminishing choice between parabola and THINC, cells lo-1 .. hi.
  // Where no limiter touched the cell or its neighbours the parabolas meet
  // continuously (total boundary variation 0) and THINC cannot win: only cells
  // with a jump at an edge are examined, so smooth regions cost no exp().
  for (int c = lo - 1; c <= hi; ++c) use_thinc[c] = 0;
  for (int c = lo - 1; c <= hi; ++c) {
    const double left = aR[c - 1], right = aL[c + 1];
    const double tbv_poly = std::abs(aL[c] - left) + std::abs(aR[c] - right);
    if (!(tbv_poly > 0.0)) continue;
    Thinc t;
    if (fit_thinc(q[c - 1], q[c], q[c + 1], shape, p.thinc_min_relative_jump, t)) {
      const double tbv_thinc =
          std::abs(thinc_left_value(t) - left) + std::abs(thinc_right_value(t, shape) - right);
      if (tbv_thinc < tbv_poly) {
        thinc[c] = t;
        use_thinc[c] = 1;
      }
    }
  }
  // Upwind swept-average tracer fluxes through faces lo .. hi (parabolas) ...
  for (int f = lo; f <= hi; ++f) {
    const double F = phi[f];
    const bool from_left = F >= 0.0;
    const double alpha = alpha_face[f];
    const double right_mean = parabola_right_mean(aL[f - 1], aR[f - 1], q[f - 1], alpha);
    const double left_mean = parabola_left_mean(aL[f], aR[f], q[f], alpha);
    const double mean = from_left ? (alpha <= 0.0 ? q[f - 1] : right_mean) : left_mean;
    tflux[f] = F * mean;
  }
  // ... replaced where the upwind cell carries a THINC profile.
  for (int f = lo; f <= hi; ++f) {
    const double F = phi[f];
    const int c = F >= 0.0 ? f - 1 : f;
    if (!use_thinc[c]) continue;
    const double alpha = alpha_face[f];
    if (alpha <= 0.0) continue;
    tflux[f] = F * thinc_swept_mean(thinc[c], shape, alpha, F >= 0.0);
  }
  // Conservative update of tracer mass, divided by the new air mass. The
  // exact-arithmetic result lies in [q_lo, q_hi]; the clamp only removes rounding.
  for (int c = lo; c < hi; ++c) {
    const double tracer_mass = m[c] * q[c] + (tflux[c] - tflux[c + 1]);
    out[c] = std::min(std::max(tracer_mass / m_new[c], q_lo), q_hi);
  }
}

}  // namespace fwaq::kernels

// Advection kernels and the advection verification cases.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "kernels/advection.hpp"
#include "operators/advection.hpp"
#include "parallel/reduce.hpp"
#include "verify/verify.hpp"

namespace fwaq {
namespace {

using namespace kernels;

// ---- kernels ---------------------------------------------------------------------

// Cell means of a cubic over unit cells: the fourth-order interface formula is exact.
TEST(AdvectionKernels, InterfaceValueExactForCubics) {
  auto prim = [](double x) { return 0.25 * x * x * x * x - x * x * x + 2.0 * x; };  // ∫ of x³-3x²+2
  auto mean = [&](int i) { return prim(i + 1.0) - prim(i); };
  auto value = [](double x) { return x * x * x - 3 * x * x + 2.0; };
  for (int i = -3; i < 5; ++i) {
    const double a = interface_value(mean(i - 1), mean(i), mean(i + 1), mean(i + 2), 1.25);
    // Either exact (unlimited) or limited to lie between its neighbours.
    if ((a - mean(i)) * (mean(i + 1) - a) >= 0.0) {
      EXPECT_NEAR(a, value(i + 1.0), 1e-12);
    }
  }
}

TEST(AdvectionKernels, ParabolaSweptMeansAddUpToCellMean) {
  const double aL = 0.2, aR = 0.9, q = 0.7;
  EXPECT_NEAR(parabola_right_mean(aL, aR, q, 1.0), q, 1e-15);
  EXPECT_NEAR(parabola_left_mean(aL, aR, q, 1.0), q, 1e-15);
  for (double a : {0.1, 0.37, 0.5, 0.93}) {
    const double whole =
        a * parabola_right_mean(aL, aR, q, a) + (1 - a) * parabola_left_mean(aL, aR, q, 1 - a);
    EXPECT_NEAR(whole, q, 1e-15) << "alpha " << a;
  }
}

TEST(AdvectionKernels, ThincMeansMatchQuadrature) {
  const ThincShape shape(2.0);
  Thinc t;
  ASSERT_TRUE(fit_thinc(0.1, 0.3, 0.9, shape, 1e-3, t));
  // Recover x0 from T and integrate the profile numerically.
  const double x0 = std::atanh(t.T) / shape.beta;
  auto value = [&](double x) {
    return t.base + 0.5 * t.jump * (1 + t.dir * std::tanh(shape.beta * (x - x0)));
  };
  auto integral = [&](double a, double b) {
    const int n = 20000;
    double s = 0;
    for (int k = 0; k < n; ++k) s += value(a + (k + 0.5) * (b - a) / n);
    return s / n;
  };
  EXPECT_NEAR(integral(0, 1), 0.3, 1e-8);  // the fit reproduces the cell mean
  EXPECT_NEAR(thinc_left_value(t), value(0.0), 1e-14);
  EXPECT_NEAR(thinc_right_value(t, shape), value(1.0), 1e-14);
  for (double a : {0.05, 0.5, 1.0}) {
    EXPECT_NEAR(thinc_swept_mean(t, shape, a, true), integral(1 - a, 1), 1e-8);
    EXPECT_NEAR(thinc_swept_mean(t, shape, a, false), integral(0, a), 1e-8);
  }
  // Not monotone, or a jump below the relative threshold: no profile.
  EXPECT_FALSE(fit_thinc(0.1, 0.95, 0.9, shape, 1e-3, t));
  EXPECT_FALSE(fit_thinc(1.0, 1.0 + 1e-7, 1.0 + 2e-7, shape, 1e-3, t));
}

TEST(AdvectionKernels, BoundParabolaKeepsMeanAndRange) {
  double aL = -0.3, aR = 1.4;
  const double q = 0.5;
  bound_parabola(q, 0.0, 1.0, aL, aR);
  // Sample the limited parabola.
  const double d = aR - aL, q6 = 6 * (q - 0.5 * (aL + aR));
  for (int k = 0; k <= 100; ++k) {
    const double x = k / 100.0, v = aL + x * (d + q6 * (1 - x));
    EXPECT_GE(v, -1e-15);
    EXPECT_LE(v, 1.0 + 1e-15);
  }
  EXPECT_NEAR(parabola_right_mean(aL, aR, q, 1.0), q, 1e-15);
}

// ---- a reference: classic monotone PPM (Colella & Woodward 1984) as used by CMAQ ----

struct Figures {
  double l1, l2, peak;
};

Figures reference_ppm(int n, double courant, int revolutions, const std::vector<double>& q0) {
  std::vector<double> q = q0, aL(n), aR(n), flux(n);
  const long steps = std::lround(std::ceil(revolutions * double(n) / courant - 1e-9));
  const double c = revolutions * double(n) / steps;
  auto Q = [&](int i) { return q[(i % n + n) % n]; };
  for (long s = 0; s < steps; ++s) {
    for (int i = 0; i < n; ++i) {
      auto face = [&](int f) {  // between f-1 and f, clipped to its neighbours
        const double a = (7 * (Q(f - 1) + Q(f)) - (Q(f - 2) + Q(f + 1))) / 12;
        return std::clamp(a, std::min(Q(f - 1), Q(f)), std::max(Q(f - 1), Q(f)));
      };
      double l = face(i), r = face(i + 1);
      if ((r - q[i]) * (q[i] - l) <= 0) {
        l = r = q[i];
      } else {
        const double d = r - l, q6 = 6 * (q[i] - 0.5 * (l + r));
        if (d * q6 > d * d) l = 3 * q[i] - 2 * r;
        if (-d * d > d * q6) r = 3 * q[i] - 2 * l;
      }
      aL[i] = l;
      aR[i] = r;
      flux[i] = c * parabola_right_mean(l, r, q[i], c);
    }
    for (int i = 0; i < n; ++i) q[i] += flux[(i - 1 + n) % n] - flux[i];
  }
  double e1 = 0, d1 = 0, e2 = 0, d2 = 0, peak = 0;
  for (int i = 0; i < n; ++i) {
    e1 += std::abs(q[i] - q0[i]);
    d1 += std::abs(q0[i]);
    e2 += (q[i] - q0[i]) * (q[i] - q0[i]);
    d2 += q0[i] * q0[i];
    peak = std::max(peak, q[i]);
  }
  return {e1 / d1, std::sqrt(e2 / d2), peak};
}

// ---- verification cases -------------------------------------------------------------

verify::Result run(const std::string& name, verify::Options o = {}) {
  return verify::run_case(name, o, MPI_COMM_WORLD);
}

void expect_passed(const verify::Result& r) {
  EXPECT_TRUE(r.passed()) << r.name << ": " << (r.failures.empty() ? "" : r.failures.front());
}

TEST(AdvectionVerification, SquareWaveDefaults) {
  const auto r = run("advection-1d-square");
  expect_passed(r);
  EXPECT_LE(r.l1, 0.090);
  EXPECT_LE(r.l2, 0.160);
  EXPECT_GE(r.min, 0.0);
  EXPECT_LE(r.max, 1.0);
  EXPECT_LE(r.mass_error, 1e-13);
}

TEST(AdvectionVerification, GaussianDefaults) {
  const auto r = run("advection-1d-gaussian");
  expect_passed(r);
  EXPECT_LE(r.l2, 0.020);
  ASSERT_TRUE(r.peak.has_value());
  EXPECT_GE(*r.peak, 0.95);
  EXPECT_LE(*r.peak, 1.01);
  EXPECT_GE(r.min, 0.0);
}

// The scheme must beat classic PPM on both profiles at every Courant number and
// revolution count, not only at the defaults.
TEST(AdvectionVerification, BeatsClassicPpmEverywhere) {
  const int n = 100;
  std::vector<double> square(n), gauss(n);
  for (int i = 0; i < n; ++i) {
    square[i] = (i >= 40 && i < 60) ? 1.0 : 0.0;
    gauss[i] = std::exp(-(i - 50.0) * (i - 50.0) / 32.0);
  }
  for (int rev : {1, 3, 10}) {
    for (int k = 1; k <= 19; ++k) {
      const double c = 0.05 * k;
      verify::Options o;
      o.courant = c;
      o.revolutions = rev;
      const auto sq = run("advection-1d-square", o);
      const auto ref_sq = reference_ppm(n, c, rev, square);
      EXPECT_LT(sq.l1, ref_sq.l1) << "square C=" << c << " rev=" << rev;
      EXPECT_LT(sq.l2, ref_sq.l2) << "square C=" << c << " rev=" << rev;
      EXPECT_GE(sq.min, 0.0);
      EXPECT_LE(sq.max, 1.0);
      const auto g = run("advection-1d-gaussian", o);
      const auto ref_g = reference_ppm(n, c, rev, gauss);
      EXPECT_LT(g.l2, ref_g.l2) << "gaussian C=" << c << " rev=" << rev;
      EXPECT_GT(*g.peak, ref_g.peak) << "gaussian C=" << c << " rev=" << rev;
      EXPECT_GE(g.min, 0.0);
    }
  }
}

TEST(AdvectionVerification, BoundsSweepEveryRunBoundedAndConservative) {
  const auto r = run("advection-1d-bounds-sweep");
  expect_passed(r);
  EXPECT_EQ(r.runs, 39 * 20 * 3);
  EXPECT_GE(r.min, 0.0);
  EXPECT_LE(r.max, 1.0);
  EXPECT_LE(r.mass_error, 1e-13);
}

TEST(AdvectionVerification, OtherParametersStayBoundedAndConservative) {
  verify::Options o;
  o.cells = 64;
  o.width = 7.0;
  o.courant = 0.37;
  o.revolutions = 2;
  const auto sq = run("advection-1d-square", o);
  EXPECT_GE(sq.min, 0.0);
  EXPECT_LE(sq.max, 1.0);
  EXPECT_LE(sq.mass_error, 1e-13);
  o.width = 3.0;
  const auto g = run("advection-1d-gaussian", o);
  EXPECT_GE(g.min, 0.0);
  EXPECT_LE(g.mass_error, 1e-13);
  // Courant numbers above one are sub-stepped, never unstable.
  o.courant = 2.7;
  const auto big = run("advection-1d-square", o);
  EXPECT_GE(big.min, 0.0);
  EXPECT_LE(big.max, 1.0);
  EXPECT_LE(big.mass_error, 1e-13);
}

TEST(AdvectionVerification, SlottedCylinder) {
  const auto r = run("rotation-2d-slotted-cylinder");
  expect_passed(r);
  EXPECT_GE(r.min, 0.0);
  EXPECT_LE(r.max, 1.0);
  EXPECT_LE(r.mass_error, 1e-13);
  EXPECT_LT(r.l1, 0.5);  // a diffusive first-order scheme gives about 1
}

TEST(AdvectionVerification, DeformationConvergesAtSecondOrderOrBetter) {
  const auto r = run("deformation-2d-gaussian-hills");
  expect_passed(r);
  ASSERT_TRUE(r.order.has_value());
  EXPECT_GE(*r.order, 1.8);
}

TEST(AdvectionVerification, UniformMixingRatioStaysUniformOverTerrain) {
  const auto r = run("uniform-3d-terrain");
  expect_passed(r);
  EXPECT_LE(r.linf, 1e-12);
}

TEST(AdvectionVerification, ClosedBoxConservesMass) {
  const auto r = run("closed-box-3d");
  expect_passed(r);
  EXPECT_LE(r.mass_error, 1e-13);
}

TEST(AdvectionVerification, SaddleFlowCyclesTheWholeStep) {
  const auto r = run("saddle-3d");
  expect_passed(r);
  // A single pass of the sweeps would empty cells; cycling keeps every bound.
  EXPECT_LT(r.extra.at("single_pass_min_mass_ratio"), 0.0);
  EXPECT_GE(r.extra.at("cycles"), 2.0);
  EXPECT_LE(r.mass_error, 1e-13);
  EXPECT_LE(r.extra.at("uniform_deviation"), 1e-12);
  EXPECT_GE(r.min, 0.0);
  EXPECT_LE(r.max, 100.0);
}

// ---- whole-step cycling and its errors ----------------------------------------------

/// A 12 x 10 x 4 closed box of unit air masses and a flux pattern set by the caller.
struct CyclingBox {
  Decomposition decomp{MPI_COMM_WORLD, 12, 10, 4, false, false, kAdvectionHalo};
  State state;
  MassFluxes fluxes{decomp.nx(), decomp.ny(), 4};
  CyclingBox() {
    state.air_mass = Field("air_mass", "kg", decomp.nx(), decomp.ny(), 4, kAdvectionHalo, 1.0);
    state.tracers.emplace_back("q", "1", decomp.nx(), decomp.ny(), 4, kAdvectionHalo, 2.0);
  }
  /// A point vortex: streamfunction `c` [kg per step] at the corner (6, 5), zero at the
  /// others. Each of the four cells around the corner gains c along one axis and loses
  /// c along the other (at every level); the air mass is unchanged by the whole step.
  void vortex(double c) {
    for (int k = 0; k < 4; ++k) {
      fluxes.x(6, 4, k) = -c;
      fluxes.x(6, 5, k) = c;
      fluxes.y(5, 5, k) = c;
      fluxes.y(6, 5, k) = -c;
    }
  }
};

TEST(AdvectionCycling, OnePassWhenSweepsKeepTheirMargin) {
  CyclingBox box;
  box.vortex(0.6);  // cell (5, 4): y then x leaves 0.4 kg after the y sweep, 0.4 of its mass
  Advection adv(box.decomp, 1);
  EXPECT_EQ(adv.cycles_needed(box.state.air_mass, box.fluxes), 1);
  const AdvectionStats s = adv.apply(box.state, box.fluxes, 0);
  EXPECT_EQ(s.cycles, 1);
}

TEST(AdvectionCycling, CyclesWhenOneSweepWouldEmptyACell) {
  CyclingBox box;
  box.vortex(2.4);  // a single sweep takes 2.4 kg from a 1-kg cell
  Advection adv(box.decomp, 1);
  // Loss 2.4 kg against 0.75 of 1 kg: ceil(2.4 / 0.75) = 4 cycles.
  EXPECT_EQ(adv.cycles_needed(box.state.air_mass, box.fluxes), 4);
  for (int step = 0; step < 3; ++step) {
    const AdvectionStats s = adv.apply(box.state, box.fluxes, step);
    EXPECT_EQ(s.cycles, 4);
  }
  // Mixing ratio uniform, air mass conserved in the closed box.
  double lo = 0, hi = 0;
  global_min_max(box.state.tracers[0], box.decomp, lo, hi);
  EXPECT_NEAR(lo, 2.0, 1e-13);
  EXPECT_NEAR(hi, 2.0, 1e-13);
  EXPECT_NEAR(global_sum(box.state.air_mass, nullptr, box.decomp), 12.0 * 10.0 * 4.0, 1e-11);
}

TEST(AdvectionCycling, InconsistentWindsNameTheCell) {
  CyclingBox box;
  for (int k = 0; k < 4; ++k) box.fluxes.x(7, 3, k) = 1.5;  // 1.5 kg out of the 1-kg cell (6, 3)
  Advection adv(box.decomp, 1);
  try {
    adv.apply(box.state, box.fluxes, 0);
    FAIL() << "no error";
  } catch (const AirMassError& e) {
    EXPECT_EQ(e.i, 6);
    EXPECT_EQ(e.j, 3);
    EXPECT_EQ(e.k, 0);
    EXPECT_DOUBLE_EQ(e.mass_kg, 1.0);
    EXPECT_DOUBLE_EQ(e.mass_after_kg, -0.5);
    EXPECT_NE(std::string(e.what()).find("cell (6, 3, 0)"), std::string::npos) << e.what();
  }
  CyclingBox nan_box;
  nan_box.fluxes.z(2, 8, 2) = std::numeric_limits<double>::quiet_NaN();
  Advection adv2(nan_box.decomp, 1);
  try {
    adv2.apply(nan_box.state, nan_box.fluxes, 0);
    FAIL() << "no error";
  } catch (const AirMassError& e) {
    EXPECT_EQ(e.i, 2);
    EXPECT_EQ(e.j, 8);
    EXPECT_EQ(e.k, 1);  // the NaN face is the top of layer 1 (reached first) and the bottom of 2
    EXPECT_TRUE(std::isnan(e.mass_after_kg));
  }
}

TEST(AdvectionVerification, BadOptionsAreRejected) {
  verify::Options o;
  o.cells = -5;
  EXPECT_THROW(run("advection-1d-square", o), UsageError);
  o = {};
  o.courant = 0.0;
  EXPECT_THROW(run("advection-1d-square", o), UsageError);
  o = {};
  o.width = -1.0;
  EXPECT_THROW(run("advection-1d-gaussian", o), UsageError);
  EXPECT_THROW(run("no-such-case"), UsageError);
}

}  // namespace
}  // namespace fwaq

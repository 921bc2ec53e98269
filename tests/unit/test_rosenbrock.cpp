// Tests of the Rosenbrock solver (chem/rosenbrock.hpp): accuracy against analytic
// solutions, observed order on fixed steps, stability on stiff problems, linear
// invariants, and the failure statuses.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "chem/rosenbrock.hpp"

namespace {

using fwaq::chem::RosenbrockControl;
using fwaq::chem::RosenbrockMethod;
using fwaq::chem::RosenbrockStats;
using fwaq::chem::SolveStatus;

constexpr std::array<RosenbrockMethod, 3> kMethods{RosenbrockMethod::kRos2, RosenbrockMethod::kRos3,
                                                   RosenbrockMethod::kRodas3};

// A → B → C (rates k1, k2) and D → E (rate kd): A, B in the dense core, D in the
// diagonal block, C and E products. Exercises all three blocks.
struct ChainSystem {
  static constexpr int kCore = 2, kDiag = 1, kProd = 2;
  static constexpr int kProdNnz = 2;  // C depends on B (column 1), E on D (column 2)
  static constexpr std::array<fwaq::chem::SparseEntry, kProdNnz> kProdPattern{{{0, 1}, {1, 2}}};
  using CoreMatrix = Eigen::Matrix<double, kCore, kCore>;
  double k1 = 1.0, k2 = 0.3, kd = 0.7;
  void rhs(const double* y, double* f) const {
    f[0] = -k1 * y[0];
    f[1] = k1 * y[0] - k2 * y[1];
    f[2] = -kd * y[2];
    f[3] = k2 * y[1];
    f[4] = kd * y[2];
  }
  void jacobian(const double*, CoreMatrix& j, double* jd, double* jp) const {
    j << -k1, 0.0, k1, -k2;
    jd[0] = -kd;
    jp[0] = k2;  // ∂C'/∂B
    jp[1] = kd;  // ∂E'/∂D
  }
  void project(double*) const {}
  // Exact solution at t from A(0) = a0, B(0) = b0, D(0) = d0, C(0) = E(0) = 0.
  std::array<double, 5> exact(double t, double a0, double b0, double d0) const {
    const double e1 = std::exp(-k1 * t), e2 = std::exp(-k2 * t);
    const double a = a0 * e1;
    const double b = a0 * k1 / (k2 - k1) * (e1 - e2) + b0 * e2;
    const double d = d0 * std::exp(-kd * t);
    return {a, b, d, a0 + b0 - a - b, d0 - d};
  }
};

// Robertson's stiff chemical kinetics (Hairer & Wanner 1996, sec. IV.1).
struct Robertson {
  static constexpr int kCore = 3, kDiag = 0, kProd = 0;
  static constexpr int kProdNnz = 0;
  static constexpr std::array<fwaq::chem::SparseEntry, 0> kProdPattern{};
  using CoreMatrix = Eigen::Matrix<double, kCore, kCore>;
  void rhs(const double* y, double* f) const {
    f[0] = -0.04 * y[0] + 1e4 * y[1] * y[2];
    f[2] = 3e7 * y[1] * y[1];
    f[1] = -f[0] - f[2];
  }
  void jacobian(const double* y, CoreMatrix& j, double*, double*) const {
    j << -0.04, 1e4 * y[2], 1e4 * y[1],               //
        0.04, -1e4 * y[2] - 6e7 * y[1], -1e4 * y[1],  //
        0.0, 6e7 * y[1], 0.0;
  }
  void project(double*) const {}
};

// y' = A y with eigenvalues −1 and −1e6 (stiff, coupled).
struct StiffLinear {
  static constexpr int kCore = 2, kDiag = 0, kProd = 0;
  static constexpr int kProdNnz = 0;
  static constexpr std::array<fwaq::chem::SparseEntry, 0> kProdPattern{};
  using CoreMatrix = Eigen::Matrix<double, kCore, kCore>;
  CoreMatrix a;
  StiffLinear() {
    // A = V diag(−1, −1e6) V^-1 with V = [[1, 1], [1, -1]].
    const double l1 = -1.0, l2 = -1e6;
    a << 0.5 * (l1 + l2), 0.5 * (l1 - l2), 0.5 * (l1 - l2), 0.5 * (l1 + l2);
  }
  void rhs(const double* y, double* f) const {
    f[0] = a(0, 0) * y[0] + a(0, 1) * y[1];
    f[1] = a(1, 0) * y[0] + a(1, 1) * y[1];
  }
  void jacobian(const double*, CoreMatrix& j, double*, double*) const { j = a; }
  void project(double*) const {}
};

struct NanSystem {
  static constexpr int kCore = 1, kDiag = 0, kProd = 0;
  static constexpr int kProdNnz = 0;
  static constexpr std::array<fwaq::chem::SparseEntry, 0> kProdPattern{};
  using CoreMatrix = Eigen::Matrix<double, 1, 1>;
  void rhs(const double*, double* f) const { f[0] = std::numeric_limits<double>::quiet_NaN(); }
  void jacobian(const double*, CoreMatrix& j, double*, double*) const { j(0, 0) = -1.0; }
  void project(double*) const {}
};

RosenbrockControl fixed_steps(RosenbrockMethod m, double h) {
  RosenbrockControl c;
  c.method = m;
  c.rtol = 1e30;  // never reject
  c.h_init = h;
  c.fac_min = c.fac_max = 1.0;  // never change the step
  c.fac_safe = 1.0;
  c.max_steps = 1000000;
  return c;
}

TEST(Rosenbrock, ChainMatchesExactSolutionWithinTolerance) {
  const ChainSystem sys;
  for (RosenbrockMethod m : kMethods) {
    for (double rtol : {1e-3, 1e-6}) {
      std::array<double, 5> y{1.0, 0.2, 0.5, 0.0, 0.0};
      const std::array<double, 5> atol{1e-12, 1e-12, 1e-12, 1e-12, 1e-12};
      RosenbrockControl c;
      c.method = m;
      c.rtol = rtol;
      c.max_steps = 100000;
      RosenbrockStats st;
      const double t = 6.0;
      ASSERT_EQ(fwaq::chem::rosenbrock_solve(sys, y.data(), t, atol.data(), c, st),
                SolveStatus::kOk)
          << fwaq::chem::method_name(m) << " rtol " << rtol;
      EXPECT_EQ(st.t, t);
      const auto ex = sys.exact(t, 1.0, 0.2, 0.5);
      for (int q = 0; q < 5; ++q) {
        // Global error within 10 × the local tolerance (the controller bounds the
        // local error; a stable linear problem does not amplify it).
        EXPECT_NEAR(y[q], ex[q], 10.0 * rtol * std::max(std::abs(ex[q]), 0.05))
            << fwaq::chem::method_name(m) << " rtol " << rtol << " species " << q;
      }
      // The linear invariants A + B + C and D + E hold to round-off.
      EXPECT_NEAR(y[0] + y[1] + y[3], 1.2, 1e-14);
      EXPECT_NEAR(y[2] + y[4], 0.5, 1e-14);
    }
  }
}

TEST(Rosenbrock, ObservedOrderOnFixedSteps) {
  const ChainSystem sys;
  const double t = 2.0;
  for (RosenbrockMethod m : kMethods) {
    double err[3];
    for (int r = 0; r < 3; ++r) {
      const int n = 20 << r;
      std::array<double, 5> y{1.0, 0.2, 0.5, 0.0, 0.0};
      const std::array<double, 5> atol{1.0, 1.0, 1.0, 1.0, 1.0};
      RosenbrockStats st;
      ASSERT_EQ(
          fwaq::chem::rosenbrock_solve(sys, y.data(), t, atol.data(), fixed_steps(m, t / n), st),
          SolveStatus::kOk);
      ASSERT_EQ(st.accepted, n);
      const auto ex = sys.exact(t, 1.0, 0.2, 0.5);
      err[r] = 0.0;
      for (int q = 0; q < 5; ++q) err[r] = std::max(err[r], std::abs(y[q] - ex[q]));
    }
    const double p1 = std::log2(err[0] / err[1]), p2 = std::log2(err[1] / err[2]);
    std::printf("%s: max error %.3e %.3e %.3e with 20, 40, 80 steps; observed order %.3f %.3f\n",
                std::string(fwaq::chem::method_name(m)).c_str(), err[0], err[1], err[2], p1, p2);
    const int order = fwaq::chem::tableau(m).order;
    EXPECT_NEAR(p1, order, 0.25) << fwaq::chem::method_name(m);
    EXPECT_NEAR(p2, order, 0.2) << fwaq::chem::method_name(m);
  }
}

TEST(Rosenbrock, RobertsonIsSolvedStablyAndKeepsMass) {
  // Reference at t = 40 (Hairer & Wanner 1996, RADAU5 with tight tolerances).
  const double ref[3] = {0.7158270687193941, 9.185534764557e-6, 0.2841637457458413};
  for (RosenbrockMethod m : kMethods) {
    std::array<double, 3> y{1.0, 0.0, 0.0};
    const std::array<double, 3> atol{1e-10, 1e-14, 1e-10};
    RosenbrockControl c;
    c.method = m;
    c.rtol = 1e-6;
    c.h_init = 1e-6;
    c.max_steps = 100000;
    RosenbrockStats st;
    ASSERT_EQ(fwaq::chem::rosenbrock_solve(Robertson{}, y.data(), 40.0, atol.data(), c, st),
              SolveStatus::kOk)
        << fwaq::chem::method_name(m);
    for (int q = 0; q < 3; ++q) {
      EXPECT_NEAR(y[q], ref[q], 1e-4 * ref[q]) << fwaq::chem::method_name(m) << " " << q;
    }
    EXPECT_NEAR(y[0] + y[1] + y[2], 1.0, 1e-14);
    // Stable: the step grows to the scale of the slow solution (an explicit method
    // would need ~1e7 steps of at most ~3e-4 / 2 on this problem).
    EXPECT_LT(st.steps, m == RosenbrockMethod::kRos2 ? 20000 : 2000) << fwaq::chem::method_name(m);
    std::printf("Robertson %s: %d steps (%d rejected)\n",
                std::string(fwaq::chem::method_name(m)).c_str(), st.steps, st.rejected);
  }
}

TEST(Rosenbrock, StiffLinearSystemOnLargeFixedSteps) {
  // h λ_fast = −1e6: an explicit method would explode; an L-stable method damps the
  // fast mode and follows the slow one.
  const StiffLinear sys;
  for (RosenbrockMethod m : kMethods) {
    std::array<double, 2> y{2.0, 0.0};  // = 1 × (1, 1) + 1 × (1, −1)
    const std::array<double, 2> atol{1.0, 1.0};
    RosenbrockStats st;
    ASSERT_EQ(
        fwaq::chem::rosenbrock_solve(sys, y.data(), 5.0, atol.data(), fixed_steps(m, 0.05), st),
        SolveStatus::kOk);
    const double slow = std::exp(-5.0);  // the fast mode is gone
    // Global error of order p on the slow mode: 20 h^p relative.
    const double tol = 20.0 * std::pow(0.05, fwaq::chem::tableau(m).order) * slow;
    EXPECT_NEAR(y[0], slow, tol) << fwaq::chem::method_name(m);
    EXPECT_NEAR(y[1], slow, tol) << fwaq::chem::method_name(m);
  }
}

TEST(Rosenbrock, ReportsTooManyStepsStepTooSmallAndNonFinite) {
  {
    std::array<double, 3> y{1.0, 0.0, 0.0};
    const std::array<double, 3> atol{1e-10, 1e-14, 1e-10};
    RosenbrockControl c;
    c.rtol = 1e-6;
    c.h_init = 1e-6;
    c.max_steps = 5;
    RosenbrockStats st;
    EXPECT_EQ(fwaq::chem::rosenbrock_solve(Robertson{}, y.data(), 40.0, atol.data(), c, st),
              SolveStatus::kTooManySteps);
    EXPECT_EQ(st.steps, 5);
    EXPECT_LT(st.t, 40.0);
  }
  {
    std::array<double, 3> y{1.0, 0.0, 0.0};
    const std::array<double, 3> atol{1e-10, 1e-14, 1e-10};
    RosenbrockControl c;
    c.rtol = 1e-6;
    c.h_init = 1.0;
    c.h_min = 0.5;  // the initial transient needs far smaller steps
    RosenbrockStats st;
    EXPECT_EQ(fwaq::chem::rosenbrock_solve(Robertson{}, y.data(), 40.0, atol.data(), c, st),
              SolveStatus::kStepTooSmall);
  }
  {
    std::array<double, 1> y{1.0};
    const std::array<double, 1> atol{1e-6};
    RosenbrockControl c;
    RosenbrockStats st;
    EXPECT_EQ(fwaq::chem::rosenbrock_solve(NanSystem{}, y.data(), 1.0, atol.data(), c, st),
              SolveStatus::kNonFinite);
  }
  EXPECT_EQ(fwaq::chem::status_name(SolveStatus::kTooManySteps), "too_many_steps");
}

TEST(Rosenbrock, MethodNamesRoundTrip) {
  for (RosenbrockMethod m : kMethods) {
    RosenbrockMethod back = RosenbrockMethod::kRos2;
    ASSERT_TRUE(fwaq::chem::parse_method(fwaq::chem::method_name(m), back));
    EXPECT_EQ(back, m);
  }
  RosenbrockMethod dummy;
  EXPECT_FALSE(fwaq::chem::parse_method("euler", dummy));
}

}  // namespace

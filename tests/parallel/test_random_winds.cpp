// Randomised mass-consistent 3-D wind fields strong enough that single directional
// sweeps empty cells: advection must cycle the whole split step and stay bounded,
// conservative and identical on 1 and 2 ranks. Run with at least 2 ranks.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "operators/advection.hpp"
#include "parallel/reduce.hpp"

namespace fwaq {
namespace {

using kernels::kAdvectionHalo;

/// One drawn problem on the global grid: air mass [kg], face fluxes [kg per step],
/// a tracer in [0, 1] and the inflow value (open cases).
struct WindCase {
  int nx = 0, ny = 0, nz = 0;
  bool open = false;
  double inflow = 0.0;
  std::vector<double> m, q, fx, fy, fz;  // global, i fastest
  double max_courant[3] = {0, 0, 0};     // largest |face flux| / upwind air mass per axis
  double single_pass = 0.0;              // smallest mass share a single pass would leave
  std::size_t c(int i, int j, int k) const { return (std::size_t(k) * ny + j) * nx + i; }
  std::size_t ux(int i, int j, int k) const { return (std::size_t(k) * ny + j) * (nx + 1) + i; }
  std::size_t uy(int i, int j, int k) const { return (std::size_t(k) * (ny + 1) + j) * nx + i; }
  std::size_t uz(int i, int j, int k) const { return (std::size_t(k) * ny + j) * nx + i; }
};

/// Draws a case from `seed`. Horizontal winds come from a random streamfunction
/// (non-divergent, Courant up to 3: strong convergence along x against divergence
/// along y), plus an x–z overturning streamfunction (Courant up to 3 in z) and a weak
/// divergent part; the vertical fluxes then close each column so that the 3-D step
/// changes every cell's air mass by at most 30 % (mass-consistent by construction).
WindCase draw(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uni = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); };
  auto pick = [&](int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng); };
  WindCase w;
  w.nx = pick(2 * kAdvectionHalo + 2, 16);
  w.ny = pick(2 * kAdvectionHalo + 2, 16);
  w.nz = pick(3, 8);
  w.open = (seed % 2) == 1;
  w.inflow = uni(0.0, 1.0);
  const int nx = w.nx, ny = w.ny, nz = w.nz;
  w.m.resize(std::size_t(nx) * ny * nz);
  w.q.resize(w.m.size());
  w.fx.assign(std::size_t(nx + 1) * ny * nz, 0.0);
  w.fy.assign(std::size_t(nx) * (ny + 1) * nz, 0.0);
  w.fz.assign(std::size_t(nx) * ny * (nz + 1), 0.0);
  std::vector<double> scale(nz);  // smallest air mass of each layer [kg]
  for (int k = 0; k < nz; ++k) scale[k] = 0.5 * std::exp(-0.15 * k);
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        w.m[w.c(i, j, k)] = uni(1.0, 3.0) * scale[k];
        w.q[w.c(i, j, k)] = uni(0.0, 1.0);
      }
  // Face fluxes divided by the layer's smallest mass stay below these Courant numbers.
  const double cx = uni(1.0, 3.0), cz = uni(0.5, 3.0), divergent = uni(0.0, 0.1);
  for (int k = 0; k < nz; ++k) {
    // Streamfunction at cell corners, zero on closed walls.
    std::vector<double> psi(std::size_t(nx + 1) * (ny + 1));
    for (int j = 0; j <= ny; ++j)
      for (int i = 0; i <= nx; ++i) {
        const bool wall = i == 0 || j == 0 || i == nx || j == ny;
        psi[std::size_t(j) * (nx + 1) + i] = (wall && !w.open) ? 0.0 : uni(0.0, cx) * scale[k];
      }
    auto p = [&](int i, int j) { return psi[std::size_t(j) * (nx + 1) + i]; };
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i <= nx; ++i) {
        const bool wall = i == 0 || i == nx;
        const double d = (wall && !w.open) ? 0.0 : uni(-divergent, divergent) * scale[k];
        w.fx[w.ux(i, j, k)] = -(p(i, j + 1) - p(i, j)) + d;
      }
    for (int j = 0; j <= ny; ++j)
      for (int i = 0; i < nx; ++i) {
        const bool wall = j == 0 || j == ny;
        const double d = (wall && !w.open) ? 0.0 : uni(-divergent, divergent) * scale[k];
        w.fy[w.uy(i, j, k)] = (p(i + 1, j) - p(i, j)) + d;
      }
  }
  // x–z overturning: χ at (x corner, interface), zero at the ground, the top and closed walls.
  for (int j = 0; j < ny; ++j) {
    std::vector<double> chi(std::size_t(nx + 1) * (nz + 1), 0.0);
    for (int k = 1; k < nz; ++k)
      for (int i = 0; i <= nx; ++i) {
        const bool wall = i == 0 || i == nx;
        chi[std::size_t(k) * (nx + 1) + i] =
            (wall && !w.open) ? 0.0 : uni(0.0, cz) * std::min(scale[k - 1], scale[k]);
      }
    auto x = [&](int i, int k) { return chi[std::size_t(k) * (nx + 1) + i]; };
    for (int k = 0; k < nz; ++k)
      for (int i = 0; i <= nx; ++i) w.fx[w.ux(i, j, k)] += x(i, k + 1) - x(i, k);
    for (int k = 1; k < nz; ++k)
      for (int i = 0; i < nx; ++i) w.fz[w.uz(i, j, k)] = -(x(i + 1, k) - x(i, k));
  }
  // Close each column: the vertical fluxes add what makes the 3-D change T(k) of each
  // cell's mass a random share (within ±30 %) while the top stays closed.
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      std::vector<double> dh(nz), t(nz);
      double sum_dh = 0.0, sum_t = 0.0, sum_m = 0.0;
      for (int k = 0; k < nz; ++k) {
        dh[k] = w.fx[w.ux(i + 1, j, k)] - w.fx[w.ux(i, j, k)] + w.fy[w.uy(i, j + 1, k)] -
                w.fy[w.uy(i, j, k)] + w.fz[w.uz(i, j, k + 1)] - w.fz[w.uz(i, j, k)];
        t[k] = uni(-0.15, 0.15) * w.m[w.c(i, j, k)];
        sum_dh += dh[k];
        sum_t += t[k];
        sum_m += w.m[w.c(i, j, k)];
      }
      double extra = 0.0;  // vertical flux added below each interface
      for (int k = 0; k < nz; ++k) {
        const double target = t[k] + (sum_dh - sum_t) * w.m[w.c(i, j, k)] / sum_m;
        extra += target - dh[k];
        if (k + 1 < nz) w.fz[w.uz(i, j, k + 1)] += extra;
      }
    }
  // Measured extremes (the test reports them; the draw is rejected by the caller if
  // the 3-D step is not mass-consistent).
  w.single_pass = 1e300;
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        const double m = w.m[w.c(i, j, k)];
        const double dx = w.fx[w.ux(i + 1, j, k)] - w.fx[w.ux(i, j, k)];
        const double dy = w.fy[w.uy(i, j + 1, k)] - w.fy[w.uy(i, j, k)];
        const double dz = w.fz[w.uz(i, j, k + 1)] - w.fz[w.uz(i, j, k)];
        w.single_pass = std::min(w.single_pass, (m - std::max({dx, dx + dy, dz, dz + dy})) / m);
        w.max_courant[0] = std::max(w.max_courant[0], std::abs(w.fx[w.ux(i, j, k)]) / m);
        w.max_courant[1] = std::max(w.max_courant[1], std::abs(w.fy[w.uy(i, j, k)]) / m);
        w.max_courant[2] = std::max(w.max_courant[2], std::abs(w.fz[w.uz(i, j, k)]) / m);
      }
  return w;
}

struct Outcome {
  bool threw = false;
  std::string error;
  std::vector<double> fields;  // tracer then air mass, global order (group rank 0)
  double q_min = 0, q_max = 0, mass0 = 0, mass1 = 0, inflow = 0;
  int cycles = 0;
};

/// Runs `steps` steps of the case on `comm`: the fluxes, then the reversed fluxes
/// (which restore the air mass), alternately.
Outcome run(const WindCase& w, MPI_Comm comm, int steps) {
  Decomposition d(comm, w.nx, w.ny, w.nz, false, false, kAdvectionHalo);
  State s;
  s.air_mass = Field("air_mass", "kg", d.nx(), d.ny(), w.nz, kAdvectionHalo);
  s.tracers.emplace_back("q", "1", d.nx(), d.ny(), w.nz, kAdvectionHalo);
  MassFluxes f(d.nx(), d.ny(), w.nz), back(d.nx(), d.ny(), w.nz);
  for (int k = 0; k < w.nz; ++k)
    for (int j = 0; j < d.ny(); ++j)
      for (int i = 0; i < d.nx(); ++i) {
        s.air_mass(i, j, k) = w.m[w.c(d.i0() + i, d.j0() + j, k)];
        s.tracers[0](i, j, k) = w.q[w.c(d.i0() + i, d.j0() + j, k)];
      }
  for (int k = 0; k < w.nz; ++k)
    for (int j = 0; j < d.ny(); ++j)
      for (int i = 0; i <= d.nx(); ++i) f.x(i, j, k) = w.fx[w.ux(d.i0() + i, d.j0() + j, k)];
  for (int k = 0; k < w.nz; ++k)
    for (int j = 0; j <= d.ny(); ++j)
      for (int i = 0; i < d.nx(); ++i) f.y(i, j, k) = w.fy[w.uy(d.i0() + i, d.j0() + j, k)];
  for (int k = 0; k <= w.nz; ++k)
    for (int j = 0; j < d.ny(); ++j)
      for (int i = 0; i < d.nx(); ++i) f.z(i, j, k) = w.fz[w.uz(d.i0() + i, d.j0() + j, k)];
  for (Field* a : {&back.x, &back.y, &back.z}) a->fill(0.0);
  for (std::size_t n = 0; n < f.x.size(); ++n) back.x.data()[n] = -f.x.data()[n];
  for (std::size_t n = 0; n < f.y.size(); ++n) back.y.data()[n] = -f.y.data()[n];
  for (std::size_t n = 0; n < f.z.size(); ++n) back.z.data()[n] = -f.z.data()[n];
  BoundaryConditions bc;
  const double inflow = w.inflow;
  bc.inflow = [inflow](int, Side, int, int) { return inflow; };
  Advection adv(d, 1, {}, bc);
  Outcome o;
  o.mass0 = global_sum(s.tracers[0], &s.air_mass, d);
  try {
    for (int st = 0; st < steps; ++st) {
      o.cycles = std::max(o.cycles, adv.apply(s, st % 2 == 0 ? f : back, st).cycles);
    }
  } catch (const NumericalError& e) {
    o.threw = true;
    o.error = e.what();
    return o;
  }
  o.mass1 = global_sum(s.tracers[0], &s.air_mass, d);
  o.inflow = adv.boundary_inflow(0);
  global_min_max(s.tracers[0], d, o.q_min, o.q_max);
  o.fields = gather_global(s.tracers[0], d);
  const std::vector<double> m = gather_global(s.air_mass, d);
  o.fields.insert(o.fields.end(), m.begin(), m.end());
  return o;
}

/// Runs on the first `ranks` ranks of the world; world rank 0 gets the outcome.
Outcome run_on(const WindCase& w, int ranks, int steps) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm sub = MPI_COMM_NULL;
  MPI_Comm_split(MPI_COMM_WORLD, rank < ranks ? 0 : MPI_UNDEFINED, rank, &sub);
  Outcome o;
  if (sub != MPI_COMM_NULL) {
    o = run(w, sub, steps);
    MPI_Comm_free(&sub);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  return o;
}

TEST(RandomWinds, CyclingKeepsAdvectionBoundedConservativeAndIdentical) {
  int world = 1, rank = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &world);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  ASSERT_GE(world, 2) << "run with at least 2 ranks";
  constexpr int kCases = 120, kSteps = 4;
  int drawn = 0, emptying = 0, cycled = 0;
  double worst_courant[3] = {0, 0, 0}, worst_mass = 0.0, worst_single = 1.0;
  for (std::uint64_t seed = 1; drawn < kCases; ++seed) {
    const WindCase w = draw(seed);
    ++drawn;
    if (w.single_pass < 0.0) ++emptying;
    worst_single = std::min(worst_single, w.single_pass);
    for (int a = 0; a < 3; ++a) worst_courant[a] = std::max(worst_courant[a], w.max_courant[a]);
    const Outcome one = run_on(w, 1, kSteps);
    const Outcome two = run_on(w, 2, kSteps);
    if (rank != 0) continue;
    const std::string label = "seed " + std::to_string(seed) + " (" + std::to_string(w.nx) + "x" +
                              std::to_string(w.ny) + "x" + std::to_string(w.nz) +
                              (w.open ? ", open)" : ", closed)");
    ASSERT_FALSE(one.threw) << label << ": " << one.error;
    ASSERT_FALSE(two.threw) << label << ": " << two.error;
    if (one.cycles > 1) ++cycled;
    // Bounded by the initial and inflow values (all within [0, 1]).
    EXPECT_GE(one.q_min, 0.0) << label;
    EXPECT_LE(one.q_max, 1.0) << label;
    // Conservative: final = initial + net inflow through the open boundaries.
    const double err = std::abs(one.mass1 - (one.mass0 + one.inflow)) / one.mass0;
    worst_mass = std::max(worst_mass, err);
    EXPECT_LE(err, 1e-13) << label;
    // Identical on 1 and 2 ranks.
    EXPECT_TRUE(
        one.fields.size() == two.fields.size() &&
        std::memcmp(one.fields.data(), two.fields.data(), one.fields.size() * sizeof(double)) == 0)
        << label << ": 1 and 2 ranks differ";
  }
  if (rank == 0) {
    std::printf(
        "random winds: %d cases, %d where a single sweep empties cells (worst share %.2f), %d "
        "cycled; largest Courant x %.2f y %.2f z %.2f; worst mass error %.2e\n",
        drawn, emptying, worst_single, cycled, worst_courant[0], worst_courant[1], worst_courant[2],
        worst_mass);
    // The draws must exercise what they are for.
    EXPECT_GE(emptying, kCases / 2);
    EXPECT_GE(cycled, emptying);
  }
}

}  // namespace
}  // namespace fwaq

// Bit-for-bit reproducibility: every verification case gives identical full
// fields on 1, 2, 3 and 4 ranks and with 1 and 2 OpenMP threads. Run with 4 ranks.
#include <gtest/gtest.h>
#include <mpi.h>
#include <omp.h>

#include <cstring>

#include "verify/verify.hpp"

namespace fwaq {
namespace {

/// Runs `name` on the first `ranks` ranks of the world with `threads` threads;
/// world rank 0 (a member of every group) returns the result.
verify::Result run_on(const std::string& name, const verify::Options& o, int ranks, int threads) {
  int world_rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
  MPI_Comm sub = MPI_COMM_NULL;
  MPI_Comm_split(MPI_COMM_WORLD, world_rank < ranks ? 0 : MPI_UNDEFINED, world_rank, &sub);
  verify::Result r;
  if (sub != MPI_COMM_NULL) {
    const int saved = omp_get_max_threads();
    omp_set_num_threads(threads);
    r = verify::run_case(name, o, sub);
    omp_set_num_threads(saved);
    MPI_Comm_free(&sub);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  return r;
}

bool identical(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && !a.empty() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

void check_case(const std::string& name, const verify::Options& o = {}) {
  int world = 1, rank = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &world);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  const verify::Result ref = run_on(name, o, 1, 1);
  int ok = 1;
  std::string what;
  auto compare = [&](const verify::Result& r, const std::string& label) {
    if (rank != 0) return;
    if (!identical(r.fields, ref.fields) || r.state_hash != ref.state_hash) {
      ok = 0;
      what += " " + label;
    }
  };
  compare(run_on(name, o, 1, 2), "1 rank x 2 threads");
  for (int ranks = 2; ranks <= world; ++ranks) {
    compare(run_on(name, o, ranks, 1), std::to_string(ranks) + " ranks");
  }
  if (world >= 2) compare(run_on(name, o, 2, 2), "2 ranks x 2 threads");
  MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
  EXPECT_TRUE(ok) << name << " differs from 1 rank x 1 thread on:" << what;
}

TEST(Reproducibility, SquareWave) {
  verify::Options o;
  o.courant = 0.7;
  check_case("advection-1d-square", o);
}
TEST(Reproducibility, Gaussian) {
  check_case("advection-1d-gaussian");
}
TEST(Reproducibility, BoundsSweepSample) {
  verify::Options o;
  o.courant = 0.35;
  o.revolutions = 3;
  check_case("advection-1d-bounds-sweep", o);
}
TEST(Reproducibility, SlottedCylinder) {
  verify::Options o;
  o.cells = 48;
  check_case("rotation-2d-slotted-cylinder", o);
}
TEST(Reproducibility, SaddleWithWholeStepCycles) {
  verify::Options o;
  o.cells = 16;
  o.revolutions = 1;
  check_case("saddle-3d", o);
}
TEST(Reproducibility, Deformation) {
  verify::Options o;
  o.cells = 16;
  check_case("deformation-2d-gaussian-hills", o);
}
TEST(Reproducibility, UniformOverTerrain) {
  check_case("uniform-3d-terrain");
}
TEST(Reproducibility, Diffusion) {
  check_case("diffusion-1d-gaussian");
}
TEST(Reproducibility, ClosedBox) {
  verify::Options o;
  o.revolutions = 1;
  check_case("closed-box-3d", o);
}

}  // namespace
}  // namespace fwaq

// The simulation object: the operators run from one list, and the hooks around them
// close every operator's mass budget and keep the tracers non-negative. A deliberate
// leak in any operator must stop the run, naming the operator.
#include <gtest/gtest.h>
#include <mpi.h>

#include <filesystem>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "grid/horizontal_grid.hpp"
#include "model/simulation.hpp"
#include "parallel/decomposition.hpp"

namespace fwaq::model {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = FWAQ_SOURCE_DIR;

/// The shipped reference case on 72-km cells, three hours from 2019-12-01 00 UTC without
/// spin-up: small enough for a unit test, with every operator active.
RunRequest small_case(const std::string& name) {
  RunRequest r;
  r.case_file = (kSource / "scenarios/fenwei-2019-20-reference.yaml").string();
  r.out_dir = fs::temp_directory_path() / ("fwaq_test_simulation_" + name);
  r.start = "2019-12-01T00:00:00Z";
  r.end = "2019-12-01T03:00:00Z";
  r.overrides = {"run.coarsen=6", "run.spinup_hours=0"};
  r.progress = false;
  return r;
}

/// Runs the wrapped operator, then takes (or adds) `fraction` of one tracer's mass
/// without reporting it: a leak the operator's own fluxes do not account for.
class LeakyOperator final : public Operator {
 public:
  LeakyOperator(std::unique_ptr<Operator> inner, int tracer, double fraction)
      : inner_(std::move(inner)), tracer_(tracer), fraction_(fraction) {}
  std::string_view name() const override { return inner_->name(); }
  BudgetTerm budget_term() const override { return inner_->budget_term(); }
  void apply(const StepContext& ctx, RunState& state, TracerChange& change) override {
    inner_->apply(ctx, state, change);
    Field& q = state.transport.tracers[static_cast<std::size_t>(tracer_)];
    for (int k = 0; k < q.nz(); ++k)
      for (int j = 0; j < q.ny(); ++j)
        for (int i = 0; i < q.nx(); ++i) q(i, j, k) *= 1.0 + fraction_;
  }

 private:
  std::unique_ptr<Operator> inner_;
  int tracer_;
  double fraction_;
};

TEST(Simulation, OperatorsRunFromOneListAndEveryBudgetCloses) {
  Simulation sim(small_case("clean"), MPI_COMM_WORLD);
  const std::vector<std::string> expected = {
      "advection", "emissions", "vertical_mixing_dry_deposition", "chemistry", "wet_scavenging"};
  EXPECT_EQ(sim.operator_names(), expected);
  sim.advance(sim.begin(), sim.end());
  EXPECT_EQ(sim.state().step, 3);
  EXPECT_EQ(sim.state().time, sim.end());
  const nlohmann::json s = sim.finish();
  for (const auto& name : expected) {
    ASSERT_TRUE(s.at("operator_budget_worst_relative_residual").contains(name)) << name;
    EXPECT_LE(s["operator_budget_worst_relative_residual"][name].get<double>(), 1e-12) << name;
  }
  for (const auto& [tracer, b] : s.at("mass_budget").items()) {
    EXPECT_LE(std::abs(b.at("relative_residual").get<double>()), 1e-12) << tracer;
  }
  // Emissions and chemistry did something: the budget terms are not trivially zero.
  EXPECT_GT(s["mass_budget"]["SO2"]["emitted_kg"].get<double>(), 0.0);
  EXPECT_GT(s["mass_budget"]["SO4"]["chemistry_net_kg"].get<double>(), 0.0);
  EXPECT_LT(s["mass_budget"]["SO2"]["chemistry_net_kg"].get<double>(), 0.0);
  EXPECT_GT(s["mass_budget"]["SO2"]["dry_deposited_kg"].get<double>(), 0.0);
  fs::remove_all(small_case("clean").out_dir);
}

TEST(Simulation, ALeakInAnyOperatorStopsTheRunNamingIt) {
  // One part in a million of CO, gained or lost: also an operator that never touches CO
  // (emissions of it aside) must be caught leaking it.
  const std::vector<std::string> names = {
      "advection", "emissions", "vertical_mixing_dry_deposition", "chemistry", "wet_scavenging"};
  for (const std::string& name : names) {
    for (double fraction : {-1e-6, 1e-6}) {
      Simulation sim(small_case("leak"), MPI_COMM_WORLD);
      sim.wrap_operator(name, [fraction](std::unique_ptr<Operator> op) {
        return std::make_unique<LeakyOperator>(std::move(op), chem::idx(chem::Tracer::kCO),
                                               fraction);
      });
      try {
        sim.advance(sim.begin(), sim.end());
        ADD_FAILURE() << "a leak of " << fraction << " in " << name << " went unnoticed";
      } catch (const NumericalError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("mass budget: " + name + " changed the CO burden"), std::string::npos)
            << what;
      }
    }
  }
  fs::remove_all(small_case("leak").out_dir);
}

TEST(Simulation, ANegativeTracerStopsTheRunNamingOperatorAndCell) {
  Simulation sim(small_case("negative"), MPI_COMM_WORLD);
  sim.wrap_operator("chemistry", [](std::unique_ptr<Operator> op) {
    // A leak that also drives the tracer negative: −2 × its value.
    return std::make_unique<LeakyOperator>(std::move(op), chem::idx(chem::Tracer::kNO2), -2.0);
  });
  try {
    sim.advance(sim.begin(), sim.end());
    ADD_FAILURE() << "no error";
  } catch (const NumericalError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("NO2 is -"), std::string::npos) << what;
    EXPECT_NE(what.find("after chemistry"), std::string::npos) << what;
    EXPECT_NE(what.find("cell (0, 0, 0)"), std::string::npos) << what;
  }
  fs::remove_all(small_case("negative").out_dir);
}

TEST(Simulation, UnknownOperatorCannotBeWrapped) {
  Simulation sim(small_case("unknown"), MPI_COMM_WORLD);
  EXPECT_THROW(sim.wrap_operator("photolysis", [](std::unique_ptr<Operator> op) { return op; }),
               std::invalid_argument);
  fs::remove_all(small_case("unknown").out_dir);
}

TEST(Simulation, WindsThatEmptyACellNameItsPlaceTimeAndMet) {
  // A 10 x 8 x 3 lat-lon grid at rest but for a 10 m s-1 jet through one x-face of the
  // lowest layer: continuity passes the column's net outflow up to its top cell, which
  // the closed model top then empties (4 times its air mass in an hour).
  const int nx = 10, ny = 8, nz = 3;
  const HorizontalGrid grid = HorizontalGrid::lat_lon(nx, ny, 107.0, 34.0, 0.1, 0.1);
  Decomposition decomp(MPI_COMM_WORLD, nx, ny, nz, false, false, kernels::kAdvectionHalo);
  MetRecord met;
  met.allocate(nx, ny, nz);
  met.density.fill(1.0);
  for (int k = 0; k <= nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) met.z_interface(i, j, k) = 100.0 * k;
  met.u(5, 3, 0) = 10.0;  // the east face of cell (4, 3)
  RunState state;
  state.transport.air_mass = Field("air_mass", "kg", nx, ny, nz, kernels::kAdvectionHalo);
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) state.transport.air_mass(i, j, k) = grid.cell_area(i, j) * 100.0;
  for (int t = 0; t < chem::kNumTracers; ++t) {
    state.transport.tracers.emplace_back("q", "ug kg-1", nx, ny, nz, kernels::kAdvectionHalo, 1.0);
  }
  AdvectionOperator op(decomp, grid, {}, "test meteorology");
  StepContext ctx;
  ctx.t = parse_time("2019-12-01T00:00:00Z");
  ctx.t_mid = parse_time("2019-12-01T00:30:00Z");
  ctx.dt_s = 3600.0;
  ctx.met = &met;
  ctx.met_global = &met;
  TracerChange change{};
  try {
    op.apply(ctx, state, change);
    ADD_FAILURE() << "no error";
  } catch (const NumericalError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("not mass-consistent at 2019-12-01T00:30:00Z"), std::string::npos) << what;
    EXPECT_NE(what.find("cell (4, 3, layer 2)"), std::string::npos) << what;
    EXPECT_NE(what.find("107.400 E, 34.300 N"), std::string::npos) << what;
    EXPECT_NE(what.find("(met: test meteorology)"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace fwaq::model

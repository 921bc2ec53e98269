// Case-file inheritance, the coarsened domain, scenario emission scaling, and the
// calibration's factor fit.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/config.hpp"
#include "core/error.hpp"
#include "emissions/build.hpp"
#include "emissions/domain_geometry.hpp"
#include "emissions/inventory_definition.hpp"
#include "grid/domain.hpp"
#include "model/calibrate.hpp"
#include "model/scenario.hpp"

namespace fs = std::filesystem;
using namespace fwaq;

namespace {

const fs::path kSource = FWAQ_SOURCE_DIR;

fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("fwaq_test_model_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

}  // namespace

TEST(ModelConfig, BaseFileMergesAndKeepsItsRelativePaths) {
  const fs::path d = temp_dir("base");
  write(d / "a" / "base.yaml",
        "inputs: {domain_file: domain.nc, other: 1}\nrun: {start: '2019-01-01', coarsen: 1}\n");
  write(d / "b" / "top.yaml", "base: ../a/base.yaml\nrun: {coarsen: 3}\nextra: {file: here.txt}\n");
  const Config c = Config::load_unchecked((d / "b" / "top.yaml").string());
  const ConfigSection run = c.section("run");
  EXPECT_EQ(run.required<int>("coarsen"), 3);                   // top wins
  EXPECT_EQ(run.required<std::string>("start"), "2019-01-01");  // kept from base
  EXPECT_EQ(c.section("inputs").path("domain_file"), (d / "a" / "domain.nc").lexically_normal());
  EXPECT_EQ(c.section("extra").path("file"), (d / "b" / "here.txt").lexically_normal());
  EXPECT_FALSE(c.has("base"));
}

TEST(ModelConfig, NestedBasesAndOverrides) {
  const fs::path d = temp_dir("nested");
  write(d / "x" / "one.yaml", "s: {p: one.dat, v: 1}\n");
  write(d / "y" / "two.yaml", "base: ../x/one.yaml\ns: {v: 2}\n");
  write(d / "three.yaml", "base: y/two.yaml\n");
  const Config c = Config::load_unchecked((d / "three.yaml").string(), {"s.v=5"});
  EXPECT_EQ(c.section("s").required<int>("v"), 5);
  EXPECT_EQ(c.section("s").path("p"), (d / "x" / "one.dat").lexically_normal());
  EXPECT_THROW(Config::load_unchecked((d / "three.yaml").string(), {"s.nothere=1"}), UsageError);
}

TEST(ModelConfig, MissingBaseIsAnInputError) {
  const fs::path d = temp_dir("missing");
  write(d / "top.yaml", "base: nowhere.yaml\n");
  EXPECT_THROW(Config::load((d / "top.yaml").string()), InputError);
}

TEST(ModelDomain, CoarsenedDomainKeepsAreasTerrainAndCores) {
  const Domain fine = Domain::load((kSource / "input/fenwei/default.yaml").string());
  for (int f : {2, 3}) {
    const Domain c = fine.coarsened(f);
    ASSERT_EQ(c.grid().nx() * f, fine.grid().nx());
    ASSERT_EQ(c.grid().ny() * f, fine.grid().ny());
    // Block (I, J) has the same centre as the mean of its fine cell centres.
    EXPECT_NEAR(c.grid().x_at(0), 0.5 * (fine.grid().x_at(0) + fine.grid().x_at(f - 1)), 1e-6);
    EXPECT_NEAR(c.grid().y_at(1), 0.5 * (fine.grid().y_at(f) + fine.grid().y_at(2 * f - 1)), 1e-6);
    double tf = 0, tc = 0, af = 0, ac = 0;
    for (int j = 0; j < fine.grid().ny(); ++j)
      for (int i = 0; i < fine.grid().nx(); ++i) {
        tf += fine.terrain()(i, j, 0) * fine.grid().cell_area(i, j);
        af += fine.grid().cell_area(i, j);
      }
    for (int j = 0; j < c.grid().ny(); ++j)
      for (int i = 0; i < c.grid().nx(); ++i) {
        tc += c.terrain()(i, j, 0) * c.grid().cell_area(i, j);
        ac += c.grid().cell_area(i, j);
      }
    // Area-weighted mean terrain and every area's mask area agree to the map-factor
    // variation inside a block (< 1e-3 relative).
    EXPECT_NEAR(tc / ac, tf / af, 1e-3 * tf / af);
    for (int a = 0; a < fine.n_areas(); ++a) {
      EXPECT_NEAR(c.mask_area_m2(a), fine.mask_area_m2(a), 1e-3 * fine.mask_area_m2(a))
          << fine.area(a).name;
      for (const auto& [i, j] : fine.core_cells(a)) EXPECT_TRUE(c.is_core(a, i / f, j / f));
      EXPECT_LE(c.core_cells(a).size(), fine.core_cells(a).size());
    }
  }
  EXPECT_THROW(fine.coarsened(5), UsageError);
  EXPECT_THROW(fine.coarsened(0), UsageError);
}

TEST(ModelScenario, RulesScaleSectorRegionSpeciesComponentAndTime) {
  const fs::path d = temp_dir("rules");
  write(d / "cal.yaml", "rules:\n  - {region: \"Xi'an\", factor: 2.0}\n");
  write(d / "case.yaml",
        "emissions: {calibration: cal.yaml}\n"
        "scenario:\n  emission_scaling:\n"
        "    - {sector: residential, species: PM25, factor: 0.5, from: '2019-11-15', until: "
        "'2019-12-01'}\n"
        "    - {component: residential_coal_converted_2019, factor: 0.1}\n");
  const Config cfg = Config::load((d / "case.yaml").string());
  std::vector<model::ScalingRuleText> text;
  std::vector<std::string> files;
  const model::ScalingVocabulary names{{"Xi'an", "Baoji", "outside"},
                                       {"residential_coal_converted_2019", "other"}};
  const auto s = model::read_scaling(cfg, names, 8, &text, &files);
  using emissions::Sector;
  using emissions::Species;
  const TimePoint before = parse_time("2019-11-14T15:59:59");  // 23:59:59 CST
  const TimePoint inside = parse_time("2019-11-14T16:00:00");  // 00:00 CST on 15 Nov
  const TimePoint after = parse_time("2019-11-30T16:00:00");
  EXPECT_DOUBLE_EQ(s.factor(Sector::kResidential, "Baoji", Species::kBC, before), 1.0);
  EXPECT_DOUBLE_EQ(s.factor(Sector::kResidential, "Baoji", Species::kBC, inside), 0.5);
  EXPECT_DOUBLE_EQ(s.factor(Sector::kResidential, "Baoji", Species::kSO2, inside), 1.0);
  EXPECT_DOUBLE_EQ(s.factor(Sector::kResidential, "Baoji", Species::kBC, after), 1.0);
  EXPECT_DOUBLE_EQ(s.factor(Sector::kResidential, "Xi'an", Species::kPMCoarse, inside), 2.0);
  EXPECT_DOUBLE_EQ(s.factor(Sector::kResidential, "Xi'an", Species::kOC, inside), 1.0);
  EXPECT_DOUBLE_EQ(s.factor(Sector::kIndustry, "Baoji", Species::kSO2, inside,
                            "residential_coal_converted_2019"),
                   0.1);
  EXPECT_DOUBLE_EQ(s.factor(Sector::kIndustry, "Baoji", Species::kSO2, inside, "other"), 1.0);
  EXPECT_EQ(text.size(), 3u);
  ASSERT_EQ(files.size(), 1u);
}

TEST(ModelScenario, BadRulesNameFileAndKey) {
  const fs::path d = temp_dir("bad");
  auto expect_error = [&](const std::string& rule, const std::string& fragment) {
    write(d / "c.yaml", "scenario:\n  emission_scaling:\n    - " + rule + "\n");
    try {
      const Config cfg = Config::load((d / "c.yaml").string());
      model::read_scaling(cfg, {{"Xi'an", "outside"}, {}}, 8, nullptr, nullptr);
      ADD_FAILURE() << "no error for " << rule;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("c.yaml"), std::string::npos) << e.what();
    }
  };
  expect_error("{region: Paris, factor: 0.5}", "not a region");
  expect_error("{sector: shipping, factor: 0.5}", "not a sector");
  expect_error("{species: O3, factor: 0.5}", "not an emission species");
  expect_error("{factor: -0.5}", "expected a number >= 0");
  expect_error("{sector: industry}", "factor");
  expect_error("{factor: 0.5, from: '2019-12-01', until: '2019-11-01'}", "before");
  expect_error("{factor: 0.5, colour: red}", "unknown key");
}

TEST(ModelScenario, ActionPlanComponentsExistInTheInventory) {
  // Every `component:` of the plan scenario must name layers the inventory has.
  const Config cfg = Config::load((kSource / "scenarios/action-plan-2019.yaml").string());
  const auto def = emissions::load_inventory_definition(cfg.section("emissions"));
  const Domain dom = Domain::load(cfg);
  std::vector<std::string> names;
  for (const auto& c : def.cities) names.push_back(c.name);
  const auto inv = emissions::build_inventory(def, emissions::geometry_from_domain(dom, names));
  const auto s = model::read_scaling(cfg, model::ScalingVocabulary::of(inv), 8, nullptr, nullptr);
  int with_component = 0;
  for (const auto& r : s.rules()) {
    if (r.component.empty()) continue;
    ++with_component;
    bool found = false;
    for (const auto& L : inv.layers) found = found || L.label == r.component;
    EXPECT_TRUE(found) << r.component;
  }
  EXPECT_GT(with_component, 5);
}

namespace {

/// A linear source-receptor model: city c's mean PM2.5 [µg m-3] is the background plus
/// every region's contribution at factor 1 times its factor. Region 3 is like Tongchuan:
/// its own emissions make little of its PM2.5, most comes from its neighbours 0 and 1
/// and from outside (the last region).
struct ReceptorModel {
  std::vector<std::vector<double>> s = {
      {30, 5, 0, 0, 20}, {6, 40, 4, 0, 25}, {0, 3, 35, 0, 30}, {20, 15, 0, 2, 25}};
  double background = 10.0;
  std::vector<double> means(const std::vector<double>& f) const {
    std::vector<double> m;
    for (const auto& row : s) {
      double v = background;
      for (std::size_t r = 0; r < row.size(); ++r) v += row[r] * f[r];
      m.push_back(v);
    }
    return m;
  }
};

/// Iterations FactorFit needs to bring every city within `tol` of `observed` (or -1).
int iterations_to_fit(const ReceptorModel& model, const std::vector<double>& start,
                      const std::vector<double>& observed, double tol, int max_it,
                      std::vector<double>* final_factors = nullptr) {
  model::FactorFit fit(start, 4, {});
  std::vector<double> f = start;
  for (int it = 0; it <= max_it; ++it) {
    const auto m = model.means(f);
    bool ok = true;
    for (std::size_t c = 0; c < m.size(); ++c) ok = ok && std::abs(m[c] / observed[c] - 1) <= tol;
    if (ok) {
      if (final_factors) *final_factors = f;
      return it;
    }
    f = fit.step(m, observed);
  }
  return -1;
}

}  // namespace

// The observations are the receptor model's means at known factors; the fit must reproduce
// them within 2 % from factors 1 in a few steps, using the outside factor for the city its
// own emissions cannot bring down.
TEST(ModelCalibration, FactorFitReachesObservationsOfALinearReceptorModel) {
  const ReceptorModel model;
  const std::vector<double> truth = {0.5, 0.3, 0.8, 0.1, 0.4};
  const auto observed = model.means(truth);
  std::vector<double> f;
  const int it = iterations_to_fit(model, std::vector<double>(5, 1.0), observed, 0.02, 10, &f);
  ASSERT_GE(it, 1);
  EXPECT_LE(it, 8);
  // City 3 needs 34.7 instead of 72 ug m-3: only the outside and neighbour factors can do it.
  EXPECT_LT(f[4], 0.8);
  for (double v : f) {
    EXPECT_GE(v, 0.02);
    EXPECT_LE(v, 10.0);
  }
}

// With as many unknowns as cities the fit is unique and the factors are recovered.
TEST(ModelCalibration, FactorFitRecoversTheFactorsOfASquareSystem) {
  ReceptorModel model;
  for (auto& row : model.s) row.pop_back();  // no outside region
  const std::vector<double> truth = {0.5, 0.3, 0.8, 0.6};
  const auto observed = model.means(truth);
  model::FactorFit fit(std::vector<double>(4, 1.0), 4, {0.7, 0.3, 1e-4, 0.02, 10.0});
  std::vector<double> f(4, 1.0);
  for (int it = 0; it < 30; ++it) f = fit.step(model.means(f), observed);
  for (std::size_t r = 0; r < truth.size(); ++r) EXPECT_NEAR(f[r], truth[r], 0.01 * truth[r]);
}

TEST(ModelCalibration, FactorFitRejectsNonPositiveMeans) {
  model::FactorFit fit(std::vector<double>(2, 1.0), 2, {});
  EXPECT_THROW(fit.step({10.0, 0.0}, {10.0, 10.0}), NumericalError);
  EXPECT_THROW(fit.step({10.0}, {10.0, 10.0}), std::invalid_argument);
}

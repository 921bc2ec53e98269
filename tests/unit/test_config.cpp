// The case-file schema: unknown keys in every section (with the nearest valid key),
// --set of known and unknown keys, defaults, `base:` list semantics and
// emission_scaling_append (the user guide's example included), the component check of
// scaling rules and the scenario's name and description.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "chem/chemistry.hpp"
#include "chem/deposition.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/schema.hpp"
#include "emissions/build.hpp"
#include "emissions/domain_geometry.hpp"
#include "emissions/inventory_definition.hpp"
#include "grid/domain.hpp"
#include "met/synthetic.hpp"
#include "model/dry_run.hpp"
#include "model/scenario.hpp"

namespace fs = std::filesystem;
using namespace fwaq;

namespace {

const fs::path kSource = FWAQ_SOURCE_DIR;

fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("fwaq_test_config_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

fs::path write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
  return p;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The emission_scaling list of a loaded case, as one line per rule.
std::vector<std::string> rule_lines(const Config& cfg) {
  std::vector<std::string> out;
  const YAML::Node list = cfg.section("scenario").required<YAML::Node>("emission_scaling");
  for (const auto& r : list) {
    YAML::Emitter e;
    e << YAML::Flow << r;
    out.emplace_back(e.c_str());
  }
  return out;
}

}  // namespace

TEST(ConfigSchema, UnknownKeyInEverySectionNamesFileKeyAndNearestKey) {
  const fs::path d = temp_dir("unknown");
  struct Case {
    std::string yaml, key, suggestion;
  };
  const std::vector<Case> cases = {
      {"run: {spinup_hour: 12}\n", "run.spinup_hour", "spinup_hours"},
      {"run: {background: {S02: [1, 0]}}\n", "run.background.S02", "SO2"},
      {"chemistry: {rtoll: 1.0e-3}\n", "chemistry.rtoll", "rtol"},
      {"chemistry: {gama_n2o5_max: 0.05}\n", "chemistry.gama_n2o5_max", "gamma_n2o5_max"},
      {"deposition: {winter_snw: true}\n", "deposition.winter_snw", "winter_snow"},
      {"deposition: {fine_diametre_um: 0.3}\n", "deposition.fine_diametre_um", "fine_diameter_um"},
      {"met: {sourse: synthetic}\n", "met.sourse", "source"},
      {"met: {synthetic: {sead: 3}}\n", "met.synthetic.sead", "seed"},
      {"domain: {earth_radus: 6.4e6}\n", "domain.earth_radus", "earth_radius"},
      {"vertical: {zw: [0, 50]}\n", "vertical.zw", "z_w"},
      {"inputs: {domain_fle: d.nc}\n", "inputs.domain_fle", "domain_file"},
      {"emissions: {calibraton: c.yaml}\n", "emissions.calibraton", "calibration"},
      {"scenario: {descripton: x}\n", "scenario.descripton", "description"},
      {"scenario: {emission_scaling: [{compnent: power, factor: 0.5}]}\n",
       "scenario.emission_scaling[0].compnent", "component"},
      {"chemestry: {rtol: 1.0e-3}\n", "chemestry", "chemistry"},
      {"run: {rtol: 1.0e-3}\n", "run.rtol", "chemistry.rtol"},  // a key of another section
  };
  for (const auto& c : cases) {
    const fs::path file = write(d / "case.yaml", c.yaml);
    try {
      (void)Config::load(file.string());
      ADD_FAILURE() << "no error for " << c.yaml;
    } catch (const InputError& e) {
      EXPECT_EQ(e.file(), file.string()) << c.yaml;
      EXPECT_EQ(e.variable(), c.key) << e.what();
      EXPECT_NE(std::string(e.what()).find("did you mean '" + c.suggestion + "'?"),
                std::string::npos)
          << e.what();
    }
  }
  // No likely typo: the section's keys are listed instead.
  const fs::path file = write(d / "case.yaml", "deposition: {xyzzy: 1}\n");
  try {
    (void)Config::load(file.string());
    ADD_FAILURE() << "no error for deposition.xyzzy";
  } catch (const InputError& e) {
    EXPECT_EQ(e.variable(), "deposition.xyzzy");
    EXPECT_NE(std::string(e.what()).find("the keys of 'deposition' are"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("winter_snow"), std::string::npos) << e.what();
  }
}

TEST(ConfigSchema, UnknownKeyInABaseFileNamesTheBaseFile) {
  const fs::path d = temp_dir("base_unknown");
  const fs::path base = write(d / "a" / "base.yaml", "chemistry: {rtol: 1.0e-3, atoll_ppb: 1}\n");
  const fs::path top = write(d / "top.yaml", "base: a/base.yaml\nrun: {coarsen: 3}\n");
  try {
    (void)Config::load(top.string());
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(fs::path(e.file()).lexically_normal(), base.lexically_normal()) << e.what();
    EXPECT_EQ(e.variable(), "chemistry.atoll_ppb");
    EXPECT_NE(std::string(e.what()).find("did you mean 'atol_ppb'?"), std::string::npos);
  }
}

TEST(ConfigSchema, MistypedValueNamesKeyValueAndExpectedType) {
  const fs::path d = temp_dir("type");
  const fs::path file = write(d / "case.yaml", "chemistry:\n  rtol: tight\n");
  try {
    (void)Config::load(file.string());
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.variable(), "chemistry.rtol");
    EXPECT_NE(what.find("'tight'"), std::string::npos) << what;
    EXPECT_NE(what.find("expected a number"), std::string::npos) << what;
  }
  write(d / "case.yaml", "run: {coarsen: 2.5}\n");
  EXPECT_THROW((void)Config::load(file.string()), InputError);
  write(d / "case.yaml", "vertical: {z_w: 100}\n");
  EXPECT_THROW((void)Config::load(file.string()), InputError);
}

TEST(ConfigSchema, SetAcceptsAnyKnownKeyPresentOrNot) {
  const fs::path d = temp_dir("set");
  const fs::path file = write(d / "case.yaml", "run: {coarsen: 3}\n");
  const Config c = Config::load(
      file.string(), {"chemistry.rtol=1e-4", "deposition.winter_snow=true", "met.synthetic.seed=7",
                      "run.stations=stations.csv", "scenario.name=sweep-3"});
  EXPECT_DOUBLE_EQ(c.section("chemistry").required<double>("rtol"), 1e-4);
  const ConfigSection chem_section = c.section("chemistry");
  EXPECT_DOUBLE_EQ(chem::ChemistryOptions::from_config(&chem_section).rtol, 1e-4);
  const ConfigSection dep_section = c.section("deposition");
  EXPECT_TRUE(chem::DepositionOptions::from_config(&dep_section).winter_snow);
  EXPECT_EQ(SyntheticParams::from_config(c.section("met").subsection("synthetic")).seed, 7u);
  EXPECT_EQ(model::scenario_info(c).name, "sweep-3");
  EXPECT_EQ(c.section("run").required<int>("coarsen"), 3);
  // A file name given on the command line is relative to the working directory.
  EXPECT_EQ(c.section("run").path("stations"),
            (fs::current_path() / "stations.csv").lexically_normal());
}

TEST(ConfigSchema, SetRejectsUnknownKeysWithTheNearestKey) {
  const fs::path d = temp_dir("set_unknown");
  const fs::path file = write(d / "case.yaml", "run: {coarsen: 3}\n");
  try {
    (void)Config::load(file.string(), {"chemistry.rtoll=1e-3"});
    ADD_FAILURE() << "no error";
  } catch (const UsageError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("chemistry.rtoll"), std::string::npos) << what;
    EXPECT_NE(what.find("did you mean 'rtol'?"), std::string::npos) << what;
  }
  EXPECT_THROW((void)Config::load(file.string(), {"nosuch.key=1"}), UsageError);
  EXPECT_THROW((void)Config::load(file.string(), {"run=3"}), InputError);  // not a mapping
  // A mistyped value is unusable input, as a value out of range.
  try {
    (void)Config::load(file.string(), {"chemistry.rtol=tight"});
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "--set");
    EXPECT_EQ(e.variable(), "chemistry.rtol");
    EXPECT_NE(std::string(e.what()).find("'tight' is of the wrong type; expected a number"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW((void)Config::load(file.string(), {"chemistry.rtol"}), UsageError);
}

TEST(ConfigSchema, DefaultsAreFilledInFromTheModulesOptions) {
  const fs::path d = temp_dir("defaults");
  const fs::path file = write(d / "case.yaml", "chemistry: {rtol: 1.0e-2}\nrun: {coarsen: 3}\n");
  const Config c = Config::load(file.string());
  const chem::ChemistryOptions chem_defaults;
  const chem::DepositionOptions dep_defaults;
  EXPECT_DOUBLE_EQ(c.section("chemistry").required<double>("rtol"), 1e-2);  // the case's
  EXPECT_DOUBLE_EQ(c.section("chemistry").required<double>("atol_ppb"), chem_defaults.atol_ppb);
  EXPECT_DOUBLE_EQ(c.section("deposition").required<double>("fine_kappa"), dep_defaults.fine.kappa);
  EXPECT_EQ(c.section("run").required<int>("spinup_hours"), 120);
  EXPECT_EQ(c.section("run").required<int>("coarsen"), 3);
  EXPECT_FALSE(c.has_key("run.stations"));  // no default
  EXPECT_FALSE(c.has_key("met.synthetic.reference_elevation_m"));
  const std::string annotated = c.annotated_yaml();
  EXPECT_NE(annotated.find("atol_ppb: 0.001  # absolute tolerance of the gases [ppb] (default)"),
            std::string::npos)
      << annotated;
  EXPECT_EQ(annotated.find("rtol: 1.0e-2  # relative tolerance of the solver [1], (0, 0.1] ("),
            std::string::npos);
}

TEST(ConfigSchema, EverySchemaKeyIsReadByItsModule) {
  // A key the schema knows but no module reads would be accepted and do nothing.
  auto section_text = [](const std::string& prefix, const std::string& indent) {
    std::string text;
    for (const KeySpec& k : case_schema().keys()) {
      if (k.name.rfind(prefix + ".", 0) != 0 || !k.has_default()) continue;
      text += indent + k.name.substr(prefix.size() + 1) + ": " + k.default_yaml + "\n";
    }
    return text;
  };
  for (const std::string section : {"chemistry", "deposition"}) {
    const Config c = Config::from_string(section + ":\n" + section_text(section, "  "));
    const ConfigSection s = c.section(section);
    if (section == "chemistry") {
      (void)chem::ChemistryOptions::from_config(&s);
    } else {
      (void)chem::DepositionOptions::from_config(&s);
    }
    EXPECT_NO_THROW(c.check_all_used()) << section;
  }
  const Config met =
      Config::from_string("met:\n  synthetic:\n" + section_text("met.synthetic", "    ") +
                          "    reference_elevation_m: 400\n");
  (void)SyntheticParams::from_config(met.section("met").subsection("synthetic"));
  EXPECT_NO_THROW(met.check_all_used());
  const Config dom = Config::load((kSource / "input/fenwei/default.yaml").string());
  const DomainSpec spec = DomainSpec::from_config(dom);
  EXPECT_DOUBLE_EQ(spec.earth_radius_m, DomainSpec{}.earth_radius_m);
}

TEST(ConfigSchema, BaseListsReplaceAndAppendExtends) {
  const fs::path d = temp_dir("append");
  write(d / "a.yaml",
        "scenario:\n  name: a\n  emission_scaling:\n    - {sector: power, factor: 0.9}\n"
        "    - {sector: dust, factor: 0.8}\n");
  write(d / "replace.yaml",
        "base: a.yaml\nscenario:\n  emission_scaling:\n    - {sector: industry, factor: 0.7}\n");
  write(d / "b.yaml",
        "base: a.yaml\nscenario:\n  emission_scaling_append:\n"
        "    - {sector: industry, factor: 0.7}\n");
  write(d / "c.yaml",
        "base: b.yaml\nscenario:\n  emission_scaling_append:\n"
        "    - {sector: agriculture, factor: 0.6}\n");
  const Config replaced = Config::load((d / "replace.yaml").string());
  EXPECT_EQ(rule_lines(replaced), std::vector<std::string>{"{sector: industry, factor: 0.7}"});
  const Config c = Config::load((d / "c.yaml").string(),
                                {"scenario.emission_scaling_append=[{sector: residential, "
                                 "factor: 0.5}]"});
  const std::vector<std::string> want = {
      "{sector: power, factor: 0.9}", "{sector: dust, factor: 0.8}",
      "{sector: industry, factor: 0.7}", "{sector: agriculture, factor: 0.6}",
      "{sector: residential, factor: 0.5}"};
  EXPECT_EQ(rule_lines(c), want);
  EXPECT_FALSE(c.has_key("scenario.emission_scaling_append"));
  // Each rule remembers the file that wrote it, for messages.
  EXPECT_EQ(c.item_file("scenario.emission_scaling", 0), (d / "a.yaml").string());
  EXPECT_EQ(c.item_file("scenario.emission_scaling", 2), (d / "b.yaml").string());
  EXPECT_EQ(c.item_file("scenario.emission_scaling", 3), (d / "c.yaml").string());
  EXPECT_EQ(c.item_file("scenario.emission_scaling", 4), "--set");
  // An append without a base list starts from an empty one.
  write(d / "alone.yaml",
        "scenario:\n  emission_scaling_append:\n    - {sector: power, factor: 0.9}\n");
  EXPECT_EQ(rule_lines(Config::load((d / "alone.yaml").string())).size(), 1u);
  // Only appendable lists take `_append`.
  write(d / "bad.yaml", "base: a.yaml\nvertical:\n  z_w_append: [12000]\n");
  EXPECT_THROW((void)Config::load((d / "bad.yaml").string()), InputError);
}

TEST(ConfigSchema, UserGuidePlanPlusResidentialKeepsThePlansRules) {
  // The example as the guide prints it, with its base made absolute.
  const std::string guide = read_text(kSource / "docs/user-guide.md");
  const auto start =
      guide.find("base: action-plan-2019.yaml\nscenario:\n  name: plan-plus-residential");
  ASSERT_NE(start, std::string::npos) << "the guide's example is gone";
  std::string example = guide.substr(start, guide.find("```", start) - start);
  example.replace(0, std::string("base: action-plan-2019.yaml").size(),
                  "base: " + (kSource / "scenarios/action-plan-2019.yaml").string());
  const fs::path d = temp_dir("guide");
  const fs::path file = write(d / "plan-plus-residential.yaml", example);

  const Config plan = Config::load((kSource / "scenarios/action-plan-2019.yaml").string());
  const Config both = Config::load(file.string());
  const auto plan_rules = rule_lines(plan), rules = rule_lines(both);
  ASSERT_GT(plan_rules.size(), 20u);
  ASSERT_EQ(rules.size(), plan_rules.size() + 1);
  EXPECT_TRUE(std::equal(plan_rules.begin(), plan_rules.end(), rules.begin()));
  EXPECT_NE(rules.back().find("residential"), std::string::npos) << rules.back();
  EXPECT_EQ(model::scenario_info(both).name, "plan-plus-residential");

  // Every rule checks out against the inventory, and the factors compound.
  const auto def = emissions::load_inventory_definition(both.section("emissions"));
  const Domain dom = Domain::load(both);
  std::vector<std::string> cities;
  for (const auto& c : def.cities) cities.push_back(c.name);
  const auto inv = emissions::build_inventory(def, emissions::geometry_from_domain(dom, cities));
  const auto names = model::ScalingVocabulary::of(inv);
  const auto s_plan = model::read_scaling(plan, names, 8, nullptr, nullptr);
  const auto s_both = model::read_scaling(both, names, 8, nullptr, nullptr);
  using emissions::Sector;
  using emissions::Species;
  const TimePoint december = parse_time("2019-12-10T00:00:00Z");
  const TimePoint november = parse_time("2019-11-10T00:00:00Z");
  const double industry = s_plan.factor(Sector::kIndustry, "Linfen", Species::kSO2, december);
  EXPECT_LT(industry, 1.0);
  EXPECT_DOUBLE_EQ(s_both.factor(Sector::kIndustry, "Linfen", Species::kSO2, december), industry);
  const double res = s_plan.factor(Sector::kResidential, "Linfen", Species::kSO2, december);
  EXPECT_DOUBLE_EQ(s_both.factor(Sector::kResidential, "Linfen", Species::kSO2, december),
                   res * 0.8);
  EXPECT_DOUBLE_EQ(s_both.factor(Sector::kResidential, "Linfen", Species::kSO2, november),
                   s_plan.factor(Sector::kResidential, "Linfen", Species::kSO2, november));
}

TEST(ConfigSchema, RuleComponentMustBeAnInventoryComponent) {
  const fs::path d = temp_dir("component");
  const model::ScalingVocabulary names{{"Xi'an", "outside"},
                                       {"residential_coal_converted_2019", "power"}};
  write(d / "base.yaml", "scenario:\n  emission_scaling:\n    - {component: power, factor: 0.9}\n");
  const fs::path file = write(d / "case.yaml",
                              "base: base.yaml\nscenario:\n  emission_scaling_append:\n"
                              "    - {component: residential_coal_converted_2091, factor: 0.1}\n");
  const Config cfg = Config::load(file.string());
  try {
    (void)model::read_scaling(cfg, names, 8, nullptr, nullptr);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.file(), file.string());  // the file that wrote the rule, not its base
    EXPECT_EQ(e.variable(), "scenario.emission_scaling[1].component");
    EXPECT_NE(what.find("'residential_coal_converted_2091'"), std::string::npos) << what;
    EXPECT_NE(what.find("did you mean 'residential_coal_converted_2019'?"), std::string::npos)
        << what;
    EXPECT_NE(what.find("'power'"), std::string::npos) << what;  // the valid labels
  }
  // The same check for the calibration file's rules.
  write(d / "cal.yaml", "rules:\n  - {component: powr, factor: 1.1}\n");
  const Config cal =
      Config::load(write(d / "cal_case.yaml", "emissions: {calibration: cal.yaml}\n").string());
  try {
    (void)model::read_scaling(cal, names, 8, nullptr, nullptr);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(fs::path(e.file()).filename(), "cal.yaml");
    EXPECT_EQ(e.variable(), "rules[0].component");
  }
  // Known components pass.
  const Config ok = Config::load((d / "base.yaml").string());
  EXPECT_EQ(model::read_scaling(ok, names, 8, nullptr, nullptr).rules().size(), 1u);
}

TEST(ConfigSchema, ScenarioNameAndDescriptionAreTheCasesOwn) {
  const Config plan = Config::load((kSource / "scenarios/action-plan-2019.yaml").string());
  const model::ScenarioInfo info = model::scenario_info(plan);
  EXPECT_EQ(info.name, "action-plan-2019");
  EXPECT_EQ(info.description,
            "structural measures of the 2019-20 Fenwei autumn-winter action plan");
  EXPECT_EQ(model::scenario_info(
                Config::load((kSource / "scenarios/fenwei-2019-20-reference.yaml").string()))
                .name,
            "reference");
  // A derived case that names nothing is not taken for its base.
  const fs::path d = temp_dir("name");
  const fs::path file =
      write(d / "my-sweep.yaml", "base: " + (kSource / "scenarios/action-plan-2019.yaml").string() +
                                     "\nrun: {coarsen: 3}\n");
  const Config derived = Config::load(file.string());
  EXPECT_EQ(model::scenario_info(derived).name, "my-sweep");
  EXPECT_EQ(model::scenario_info(derived).description, "");
  EXPECT_EQ(rule_lines(derived).size(), rule_lines(plan).size());  // the rules are inherited
}

TEST(ConfigSchema, EditDistanceAndNearestName) {
  EXPECT_EQ(edit_distance("rtol", "rtol"), 0u);
  EXPECT_EQ(edit_distance("rtoll", "rtol"), 1u);
  EXPECT_EQ(edit_distance("rotl", "rtol"), 1u);  // neighbours swapped
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(nearest_name("rtoll", {"atol_ppb", "rtol", "method"}), "rtol");
  EXPECT_EQ(nearest_name("spinup", {"start", "spinup_hours"}), "spinup_hours");
  EXPECT_EQ(nearest_name("xyzzy", {"rtol", "method"}), "");
}

TEST(ConfigSchema, InputFilesOfTheShippedCasesExist) {
  const Config c = Config::load((kSource / "scenarios/action-plan-2019.yaml").string());
  const auto files = model::case_input_files(c);
  ASSERT_GE(files.size(), 6u);  // domain, inventory, 3 profile tables, calibration
  for (const auto& f : files) {
    EXPECT_EQ(f.problem, "") << f.key << ": " << f.path;
    EXPECT_GT(f.bytes, 0u) << f.key;
  }
  const Config missing = Config::load((kSource / "scenarios/action-plan-2019.yaml").string(),
                                      {"inputs.domain_file=/nonexistent/domain.nc"});
  const auto bad = model::case_input_files(missing);
  ASSERT_FALSE(bad.empty());
  EXPECT_EQ(bad.front().key, "inputs.domain_file");
  EXPECT_EQ(bad.front().problem, "not found");
}

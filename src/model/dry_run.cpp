#include "model/dry_run.hpp"

#include <fstream>
#include <optional>
#include <sstream>

#include "chem/chemistry.hpp"
#include "chem/deposition.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/schema.hpp"
#include "emissions/build.hpp"
#include "emissions/domain_geometry.hpp"
#include "emissions/inventory_definition.hpp"
#include "emissions/profiles.hpp"
#include "grid/domain.hpp"
#include "model/met_provider.hpp"
#include "model/scenario.hpp"
#include "obs/stations.hpp"

namespace fwaq::model {

namespace {

InputFile check_file(const std::string& key, const std::filesystem::path& path) {
  InputFile f;
  f.key = key;
  f.path = std::filesystem::absolute(path).lexically_normal();
  std::error_code ec;
  if (!std::filesystem::exists(f.path, ec)) {
    f.problem = "not found";
  } else if (!std::filesystem::is_regular_file(f.path, ec)) {
    f.problem = "not a regular file";
  } else {
    std::ifstream in(f.path, std::ios::binary);
    if (!in || in.peek() == std::ifstream::traits_type::eof()) {
      f.problem = in ? "empty" : "not readable";
    } else {
      f.bytes = std::filesystem::file_size(f.path, ec);
    }
  }
  return f;
}

/// The value of dotted `key` resolved as a path, if the case gives it.
std::optional<std::filesystem::path> path_of(const Config& cfg, const std::string& key) {
  const auto dot = key.find('.');
  const std::string section = key.substr(0, dot), name = key.substr(dot + 1);
  if (!cfg.has(section)) return std::nullopt;
  const ConfigSection s = cfg.section(section);
  if (!s.has(name)) return std::nullopt;
  return s.path(name);
}

}  // namespace

std::vector<InputFile> case_input_files(const Config& cfg) {
  std::vector<InputFile> out;
  for (const std::string key :
       {"inputs.domain_file", "emissions.inventory", "emissions.calibration", "run.stations"}) {
    const auto p = path_of(cfg, key);
    if (!p) continue;
    out.push_back(check_file(key, *p));
    if (key != "emissions.inventory" || !out.back().problem.empty()) continue;
    const emissions::InventoryDefinition def = emissions::load_inventory_definition(*p);
    out.push_back(check_file(key + ": profiles.hour", def.hour_csv));
    out.push_back(check_file(key + ": profiles.weekday", def.weekday_csv));
    out.push_back(check_file(key + ": profiles.vertical", def.vertical_csv));
    for (const auto& g : def.gridded) out.push_back(check_file(key + ": gridded", g.file));
  }
  return out;
}

std::string dry_run(const RunRequest& req) {
  std::vector<std::string> overrides = req.overrides;
  if (req.start) overrides.push_back("run.start=" + *req.start);
  if (req.end) overrides.push_back("run.end=" + *req.end);
  const Config cfg = Config::load(req.case_file, overrides);

  // Keys a run cannot do without.
  std::string missing;
  for (const KeySpec& k : cfg.schema()->keys()) {
    if (k.required && !cfg.has_key(k.name)) {
      missing += (missing.empty() ? "" : ", ") + k.name + " (" + k.meaning + ")";
    }
  }
  if (!missing.empty()) throw InputError(cfg.path(), "", "required keys are missing: " + missing);

  // Input files: all of them reported at once.
  const std::vector<InputFile> files = case_input_files(cfg);
  std::string bad;
  for (const auto& f : files) {
    if (!f.problem.empty()) bad += "\n  " + f.key + ": " + f.path.string() + ": " + f.problem;
  }
  if (!bad.empty()) throw InputError(cfg.path(), "", "input files cannot be used:" + bad);

  // The inputs read as a run reads them.
  const ConfigSection run = cfg.section("run");
  const int utc_offset = run.required<int>("utc_offset_hours");
  std::string period = "period: not set (give run.start and run.end or --start and --end)";
  if (run.has("start") && run.has("end")) {
    const TimePoint start = parse_case_time(run.required<std::string>("start"), utc_offset,
                                            cfg.path(), run.name("start"));
    const TimePoint end =
        parse_case_time(run.required<std::string>("end"), utc_offset, cfg.path(), run.name("end"));
    if (end <= start) {
      throw UsageError("the run ends (" + format_iso(end) + ") before it starts (" +
                       format_iso(start) + ")");
    }
    period = "period: " + format_iso(start) + " to " + format_iso(end) + " (UTC)";
  }
  const Domain fine = Domain::load(cfg);
  const Domain dom = fine.coarsened(run.required<int>("coarsen"));
  const emissions::InventoryDefinition def =
      emissions::load_inventory_definition(cfg.section("emissions"));
  std::vector<std::string> city_names;
  for (const auto& c : def.cities) city_names.push_back(c.name);
  const emissions::EmissionInventory inventory =
      emissions::build_inventory(def, emissions::geometry_from_domain(dom, city_names));
  (void)emissions::ProfileLibrary::load(def.hour_csv, def.weekday_csv, def.vertical_csv,
                                        def.period.utc_offset_hours);
  std::vector<ScalingRuleText> rules;
  (void)read_scaling(cfg, ScalingVocabulary::of(inventory), utc_offset, &rules, nullptr);
  if (run.has("stations")) (void)obs::StationList::read(run.path("stations").string());
  const auto met = make_met_provider(cfg, dom);
  const ConfigSection chemistry = cfg.section("chemistry"), deposition = cfg.section("deposition");
  (void)chem::ChemistryOptions::from_config(&chemistry);
  (void)chem::DepositionOptions::from_config(&deposition);

  const ScenarioInfo scenario = scenario_info(cfg);
  std::ostringstream o;
  o << "# fwaq run " << req.case_file << " --dry-run: the resolved configuration\n"
    << cfg.annotated_yaml() << "\n";
  o << "# Scenario: " << scenario.name
    << (scenario.description.empty() ? "" : " (" + scenario.description + ")") << "\n";
  o << "# " << period << "\n";
  o << "# Grid: " << dom.grid().nx() << " x " << dom.grid().ny() << " x " << dom.vertical().nz()
    << " cells of " << dom.grid().dx() / 1000.0 << " km\n";
  o << "# Meteorology: " << met->description() << "\n";
  o << "# Emission scaling rules (calibration and scenario): " << rules.size()
    << ", every region and component known to the inventory\n";
  o << "# Input files (all found and readable):\n";
  for (const auto& f : files) {
    o << "#   " << f.key << ": " << f.path.string() << " (" << f.bytes << " bytes)\n";
  }
  for (const auto& f : met->files()) {
    const InputFile m = check_file("met", f);
    if (!m.problem.empty()) throw InputError(m.path.string(), "", m.problem);
    o << "#   met: " << m.path.string() << " (" << m.bytes << " bytes)\n";
  }
  return o.str();
}

}  // namespace fwaq::model

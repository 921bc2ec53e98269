// `fwaq emissions ...`: emission tools.
//
//   fwaq emissions summary --case input/fenwei/default.yaml [--json] [--ungridded]
//        [--set section.key=value ...]
//     totals by city x sector x species over the inventory period [t]. The case's
//     `emissions.inventory` names the inventory definition; the inventory is built on
//     the case's domain (city masks, urban cores, terrain) unless --ungridded, which
//     prints the definition's city totals without a domain (the outside region is then
//     empty).
//   fwaq emissions sources --case FILE [--json]
//     every number of the inventory definition with its unit, source and uncertainty.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/commands.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "emissions/build.hpp"
#include "emissions/domain_geometry.hpp"
#include "emissions/inventory_definition.hpp"
#include "emissions/summary.hpp"
#include "grid/domain.hpp"

namespace fwaq::apps {

namespace {

struct Args {
  std::string case_file;
  std::vector<std::string> overrides;
  bool json = false;
  bool ungridded = false;
};

int run_summary(const Args& a) {
  using namespace fwaq::emissions;
  const Config cfg = Config::load(a.case_file, a.overrides);
  const InventoryDefinition def = load_inventory_definition(cfg.section("emissions"));
  SummaryInfo info;
  info.name = def.name;
  info.definition = def.path;
  info.period = def.period;
  TotalsTable totals;
  if (a.ungridded) {
    totals = city_totals(def);
  } else {
    const Domain domain = Domain::load(cfg);
    std::vector<std::string> names;
    for (const auto& c : def.cities) names.push_back(c.name);
    const EmissionGeometry geo = geometry_from_domain(domain, names);
    const EmissionInventory inv = build_inventory(def, geo, &info.notes);
    totals = inv.period_totals();
    info.gridded = true;
    info.dropped_kg = inv.dropped_kg;
    // The gridded city totals must equal the definition's (every pattern sums to 1).
    const TotalsTable ref = city_totals(def);
    if (def.gridded.empty()) {
      for (std::size_t r = 0; r + 1 < ref.regions.size(); ++r) {
        for (int s = 0; s < kNumSectors; ++s) {
          for (int x = 0; x < kNumSpecies; ++x) {
            const double want = ref.kg[r][s][x], got = totals.kg[r][s][x];
            if (std::abs(got - want) > 1e-9 * std::max(1.0, std::abs(want))) {
              throw NumericalError("gridded total of " + ref.regions[r] + " " +
                                   std::string(sector_name(kAllSectors[s])) + " " +
                                   std::string(species_name(kAllSpecies[x])) +
                                   " differs from the definition");
            }
          }
        }
      }
    }
  }
  if (!is_root()) return 0;
  if (a.json) {
    std::cout << summary_json(totals, info).dump(2) << "\n";
  } else {
    std::cout << summary_text(totals, info);
  }
  return 0;
}

int run_sources(const Args& a) {
  using namespace fwaq::emissions;
  const Config cfg = Config::load(a.case_file, a.overrides);
  const InventoryDefinition def = load_inventory_definition(cfg.section("emissions"));
  if (!is_root()) return 0;
  if (a.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& p : def.provenance) {
      j.push_back(
          {{"key", p.key}, {"unit", p.unit}, {"source", p.source}, {"uncertainty", p.uncertainty}});
    }
    std::cout << j.dump(2) << "\n";
  } else {
    for (const auto& p : def.provenance) {
      std::cout << p.key << " [" << p.unit << "]\n  source: " << p.source
                << "\n  uncertainty: " << p.uncertainty << "\n";
    }
  }
  return 0;
}

}  // namespace

void add_emissions_command(CLI::App& app, Command& selected) {
  auto* cmd = app.add_subcommand("emissions", "Emission inventory tools");
  cmd->require_subcommand(1);
  auto args = std::make_shared<Args>();

  auto* sum = cmd->add_subcommand(
      "summary", "Totals by city x sector x species over the inventory period [t]");
  sum->add_option("--case", args->case_file, "Case file (YAML) with an `emissions` section")
      ->required();
  sum->add_option("--set", args->overrides, "Override a case key: section.key=value (repeatable)");
  sum->add_flag("--json", args->json, "Print JSON (stable structure) instead of tables");
  sum->add_flag("--ungridded", args->ungridded,
                "City totals of the definition, without building on the domain grid");
  sum->callback([args, &selected]() { selected.run = [args]() { return run_summary(*args); }; });

  auto* src = cmd->add_subcommand(
      "sources", "Every number of the inventory definition with unit, source and uncertainty");
  src->add_option("--case", args->case_file, "Case file (YAML) with an `emissions` section")
      ->required();
  src->add_option("--set", args->overrides, "Override a case key: section.key=value (repeatable)");
  src->add_flag("--json", args->json, "Print JSON instead of text");
  src->callback([args, &selected]() { selected.run = [args]() { return run_sources(*args); }; });
}

}  // namespace fwaq::apps

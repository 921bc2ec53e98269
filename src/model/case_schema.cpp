// The case-file schema: the sections a case may hold, each described by the module that
// reads it (core/schema.hpp). Defaults come from the modules' option structs, so the
// values a run falls back to and the values the schema fills in are the same.
//
// A new section joins in two steps:
//   1. next to the code that reads it, a description of its keys, e.g. in
//      model/apportionment.cpp
//        void ApportionmentOptions::describe_keys(Schema::Section s) {
//          const ApportionmentOptions d;
//          s.text("method", d.method, "how contributions are computed: zero-out or tagged")
//              .integer("max_regions", d.max_regions, "regions attributed at most");
//        }
//   2. one line below:
//        ApportionmentOptions::describe_keys(s.section("apportionment", "source attribution"));
//   (likewise `emergency` with its alert rules as s.rules(...), which makes
//   `emergency.<rules>_append` work as emission_scaling_append does, and `forecast`).
// Unknown-key errors, --set, defaults, `fwaq run --dry-run` and the user guide's rules
// then cover the new section with no further code.
#include <string>

#include "chem/chemistry.hpp"
#include "chem/deposition.hpp"
#include "chem/tracers.hpp"
#include "core/schema.hpp"
#include "grid/domain.hpp"
#include "met/synthetic.hpp"
#include "model/scenario.hpp"

namespace fwaq {

namespace {

void describe_run(Schema::Section s) {
  s.text("start", std::nullopt,
         "first output hour: YYYY-MM-DD (local midnight) or YYYY-MM-DDTHH:MM:SSZ (UTC); "
         "--start overrides it")
      .text("end", std::nullopt, "end of the run (exclusive), as start; --end overrides it")
      .integer("utc_offset_hours", 8, "local time of dates and days [h east of UTC]")
      .integer("spinup_hours", 120, "hours run before start from the background state, 0-1440")
      .real("sync_step_s", 3600.0, "operator-splitting step [s], a whole divisor of 3600")
      .integer("coarsen", 1, "grid coarsening factor (1: the domain file's cells)")
      .path("stations",
            "station list (CSV); city values at the cells of its stations instead of the "
            "urban cores");
  Schema::Section bg =
      s.subsection("background",
                   "initial and inflow values per tracer; a tracer left out keeps the "
                   "built-in clean-continental value (docs/science/model.md)");
  for (const auto& t : chem::kTracerInfo) {
    bg.reals(std::string(t.name), std::nullopt,
             "[surface concentration ug m-3, scale height m (0: constant)] of " +
                 std::string(t.meaning));
  }
}

Schema build_case_schema() {
  Schema schema;
  describe_run(schema.section("run", "the run: period, steps, grid coarsening, stations"));
  DomainSpec::describe_keys(schema);
  schema.section("emissions", "the emission inventory")
      .path("inventory", "inventory definition (YAML; docs/science/emissions.md)")
      .required()
      .path("calibration", "calibration rules applied before the scenario's (YAML, `rules:`)");
  Schema::Section met = schema.section("met", "meteorology");
  met.text("source", std::nullopt,
           "where the meteorology comes from: synthetic, wrf (wrfout files) or cf (CF/ERA5 "
           "files)")
      .required()
      .paths("files",
             "the met files of `wrf` or `cf`: a folder, a glob or a list of files "
             "(docs/user-guide.md, Bringing your own WRF output)");
  SyntheticParams::describe_keys(
      met.subsection("synthetic", "the synthetic winter (docs/science/synthetic-winter.md)"));
  chem::ChemistryOptions::describe_keys(
      schema.section("chemistry", "chemistry options (docs/science/chemistry.md)"));
  chem::DepositionOptions::describe_keys(
      schema.section("deposition", "dry and wet deposition (docs/science/deposition.md)"));
  schema.section("scenario", "what the case is and how it scales emissions")
      .text("name", std::nullopt, "short name of the scenario (summary.json, fields.nc)")
      .not_inherited()
      .defaults_to_case_name()
      .text("description", std::string(), "one line saying what the scenario is")
      .not_inherited()
      .rules("emission_scaling", model::scaling_rule_keys(),
             "emission scaling rules (docs/science/scenarios.md); "
             "emission_scaling_append adds rules after the base's");
  return schema;
}

}  // namespace

const Schema& case_schema() {
  static const Schema schema = build_case_schema();
  return schema;
}

}  // namespace fwaq

#pragma once
// Emission scaling rules of a case: the scenario's structural measures
// (`scenario.emission_scaling`) and the inventory calibration (`emissions.calibration`,
// a file of rules), both as lists of
//   - {sector: residential, region: "Xi'an", species: [SO2, PM25], from: 2019-11-15,
//      until: 2020-03-16, factor: 0.6, label: "...", derivation: "..."}
// `component: NAME` limits a rule to the layers of one inventory component (e.g.
// residential_coal_converted_2019). Every key but `factor` is optional: a missing sector, region or
// species means all of them; species may be a name or a list (model emission species of
// emissions/species.hpp, or the groups NMVOC (the six lumps), PM25 (its four
// components), PM10 (PM25 + PM_COARSE)); `from` (inclusive) and `until` (exclusive)
// are local dates (YYYY-MM-DD, China Standard Time) or UTC times (YYYY-MM-DDTHH:MM:SSZ).
// `derivation` documents where the number comes from (kept in the output).
// A case extends its base's list with `scenario.emission_scaling_append` (core/config.hpp).
//
// `scenario.name` and `scenario.description` say what the case is; they are not taken
// from a base file (a derived case that gives no name is named after its file).
#include <string>
#include <vector>

#include "emissions/emission_source.hpp"

namespace fwaq {
class Config;
class ConfigSection;
}  // namespace fwaq

namespace fwaq::model {

/// A rule as read, for reports.
struct ScalingRuleText {
  std::string where;  ///< "scenario.emission_scaling[3]" or the calibration file
  std::string description;
};

/// The keys a scaling rule may have.
const std::vector<std::string>& scaling_rule_keys();

/// The names a rule may use: the inventory's regions and its component labels (the
/// labels of its layers, e.g. "residential_coal_converted_2019",
/// "industry cluster: Hejin steel and coking").
struct ScalingVocabulary {
  std::vector<std::string> regions;
  std::vector<std::string> components;
  static ScalingVocabulary of(const emissions::EmissionInventory& inventory);
};

/// Reads `emissions.calibration` (optional) and `scenario.emission_scaling` (optional)
/// into one EmissionScaling. A rule naming a region or a component that `names` does not
/// hold is an InputError naming the file, the rule's key, the value and the valid names.
/// `utc_offset_hours` converts local dates.
emissions::EmissionScaling read_scaling(const Config& cfg, const ScalingVocabulary& names,
                                        int utc_offset_hours, std::vector<ScalingRuleText>* text,
                                        std::vector<std::string>* files);

/// What a case is, for summary.json and the NetCDF global attributes.
struct ScenarioInfo {
  std::string name;         ///< scenario.name (default: the case file's name)
  std::string description;  ///< scenario.description (default: empty)
};
ScenarioInfo scenario_info(const Config& cfg);

/// Parses a time of a case file: "YYYY-MM-DD" is local midnight (UTC + utc_offset_hours),
/// anything else is read by parse_time (UTC). InputError naming file and key if unreadable.
TimePoint parse_case_time(const std::string& text, int utc_offset_hours, const std::string& file,
                          const std::string& key);

}  // namespace fwaq::model

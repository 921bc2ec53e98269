#include "model/scenario.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/schema.hpp"

namespace fwaq::model {

using emissions::EmissionScaling;
using emissions::Species;

TimePoint parse_case_time(const std::string& text, int utc_offset_hours, const std::string& file,
                          const std::string& key) {
  try {
    const TimePoint t = parse_time(text);
    if (text.size() == 10) return t - std::chrono::hours(utc_offset_hours);
    return t;
  } catch (const UsageError& e) {
    throw InputError(file, key, e.what());
  }
}

namespace {

std::vector<std::optional<Species>> species_of(const YAML::Node& n, const std::string& file,
                                               const std::string& where) {
  std::vector<std::string> names;
  if (!n.IsDefined()) return {std::nullopt};
  if (n.IsSequence()) {
    for (const auto& x : n) names.push_back(x.as<std::string>());
  } else {
    names.push_back(n.as<std::string>());
  }
  std::vector<std::optional<Species>> out;
  for (const auto& s : names) {
    if (s == "NMVOC") {
      for (Species x : emissions::kNmvocLumps) out.emplace_back(x);
    } else if (s == "PM25" || s == "PM2.5") {
      for (Species x : emissions::kPm25Components) out.emplace_back(x);
    } else if (s == "PM10") {
      for (Species x : emissions::kPm25Components) out.emplace_back(x);
      out.emplace_back(Species::kPMCoarse);
    } else if (auto x = emissions::parse_species(s)) {
      out.emplace_back(*x);
    } else {
      throw InputError(file, where + ".species",
                       "'" + s + "' is not an emission species (SO2, NOx, NH3, CO, NMVOC, " +
                           "NMVOC_ALK..., PM25, PM25_BC, PM25_OC, PM25_SO4, PM25_OTHER, " +
                           "PM_COARSE, PM10)");
    }
  }
  return out;
}

std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
  return out;
}

/// `file_of(i)`: the file that set rule i (a base file, the case or "--set").
void read_rules(const YAML::Node& list, const std::function<std::string(std::size_t)>& file_of,
                const std::string& where, const ScalingVocabulary& names, int utc_offset,
                EmissionScaling& scaling, std::vector<ScalingRuleText>* text) {
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) throw InputError(file_of(0), where, "must be a list of rules");
  std::size_t idx = 0;
  for (const auto& r : list) {
    const std::string file = file_of(idx);
    const std::string w = where + "[" + std::to_string(idx++) + "]";
    if (!r.IsMap()) throw InputError(file, w, "must be a mapping (sector, region, ..., factor)");
    const auto& keys = scaling_rule_keys();
    for (const auto& kv : r) {
      const auto k = kv.first.as<std::string>();
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
        const std::string near = nearest_name(k, keys);
        std::string list_text;
        for (const auto& n : keys) list_text += (list_text.empty() ? "" : ", ") + n;
        throw InputError(file, w + "." + k,
                         "unknown key" + (near.empty() ? "" : "; did you mean '" + near + "'?") +
                             " (a rule's keys are " + list_text + ")");
      }
    }
    EmissionScaling::Rule rule;
    try {
      if (!r["factor"].IsDefined())
        throw InputError(file, w + ".factor", "required key is missing");
      rule.factor = r["factor"].as<double>();
      if (!(rule.factor >= 0.0) || !std::isfinite(rule.factor)) {
        throw InputError(file, w + ".factor",
                         "is " + r["factor"].as<std::string>() + "; expected a number >= 0");
      }
      if (r["sector"].IsDefined()) {
        const auto s = r["sector"].as<std::string>();
        rule.sector = emissions::parse_sector(s);
        if (!rule.sector) {
          throw InputError(file, w + ".sector",
                           "'" + s +
                               "' is not a sector (power, industry, residential, "
                               "transportation, agriculture, dust)");
        }
      }
      if (r["region"].IsDefined()) {
        rule.region = r["region"].as<std::string>();
        if (std::find(names.regions.begin(), names.regions.end(), rule.region) ==
            names.regions.end()) {
          std::string list_text;
          for (const auto& name : names.regions)
            list_text += (list_text.empty() ? "" : ", ") + name;
          throw InputError(
              file, w + ".region",
              "'" + rule.region + "' is not a region of the inventory (" + list_text + ")");
        }
      }
      if (r["component"].IsDefined()) {
        rule.component = r["component"].as<std::string>();
        if (std::find(names.components.begin(), names.components.end(), rule.component) ==
            names.components.end()) {
          const std::string near = nearest_name(rule.component, names.components);
          throw InputError(file, w + ".component",
                           "'" + rule.component + "' is not a component of the inventory" +
                               (near.empty() ? "" : " (did you mean '" + near + "'?)") +
                               "; expected one of " + listed(names.components));
        }
      }
      if (r["from"].IsDefined()) {
        rule.from = parse_case_time(r["from"].as<std::string>(), utc_offset, file, w + ".from");
      }
      if (r["until"].IsDefined()) {
        rule.until = parse_case_time(r["until"].as<std::string>(), utc_offset, file, w + ".until");
      }
      if (rule.from && rule.until && *rule.from >= *rule.until) {
        throw InputError(file, w, "'from' must be before 'until'");
      }
      rule.label = r["label"].IsDefined() ? r["label"].as<std::string>() : w;
      std::string desc = rule.label + ": x" + r["factor"].as<std::string>();
      for (const auto& sp : species_of(r["species"], file, w)) {
        rule.species = sp;
        scaling.add(rule);
      }
      if (text) text->push_back({w, desc});
    } catch (const YAML::Exception& e) {
      throw InputError(file, w, std::string("cannot read the rule: ") + e.what());
    }
  }
}

}  // namespace

const std::vector<std::string>& scaling_rule_keys() {
  static const std::vector<std::string> keys = {"sector", "region", "species", "component", "from",
                                                "until",  "factor", "label",   "derivation"};
  return keys;
}

ScalingVocabulary ScalingVocabulary::of(const emissions::EmissionInventory& inventory) {
  ScalingVocabulary v;
  v.regions = inventory.regions;
  for (const auto& layer : inventory.layers) {
    if (std::find(v.components.begin(), v.components.end(), layer.label) == v.components.end()) {
      v.components.push_back(layer.label);
    }
  }
  return v;
}

ScenarioInfo scenario_info(const Config& cfg) {
  ScenarioInfo info;
  info.name = std::filesystem::path(cfg.path()).stem().string();
  if (cfg.has("scenario")) {
    const ConfigSection sc = cfg.section("scenario");
    info.name = sc.optional<std::string>("name", info.name);
    info.description = sc.optional<std::string>("description", "");
  }
  return info;
}

EmissionScaling read_scaling(const Config& cfg, const ScalingVocabulary& names,
                             int utc_offset_hours, std::vector<ScalingRuleText>* text,
                             std::vector<std::string>* files) {
  EmissionScaling scaling;
  if (cfg.has("emissions")) {
    const ConfigSection em = cfg.section("emissions");
    if (em.has("calibration")) {
      const auto path = em.path("calibration");
      YAML::Node root;
      try {
        root = YAML::LoadFile(path.string());
      } catch (const YAML::Exception& e) {
        throw InputError(path.string(), "", std::string("cannot read: ") + e.what());
      }
      if (!root["rules"].IsDefined()) {
        throw InputError(path.string(), "rules", "required key is missing");
      }
      read_rules(
          root["rules"], [&](std::size_t) { return path.string(); }, "rules", names,
          utc_offset_hours, scaling, text);
      if (files) files->push_back(path.string());
    }
  }
  if (cfg.has("scenario")) {
    const ConfigSection sc = cfg.section("scenario");
    if (sc.has("emission_scaling")) {
      const std::string key = sc.name("emission_scaling");
      read_rules(
          sc.required<YAML::Node>("emission_scaling"),
          [&](std::size_t i) { return cfg.item_file(key, i); }, key, names, utc_offset_hours,
          scaling, text);
    }
  }
  return scaling;
}

}  // namespace fwaq::model

#include "emissions/summary.hpp"

#include <cmath>
#include <cstdio>

namespace fwaq::emissions {

namespace {

/// Model species plus the derived totals, in tonnes.
std::vector<std::pair<std::string, double>> species_values(const SpeciesArray& kg) {
  std::vector<std::pair<std::string, double>> v;
  double voc = 0.0, pm25 = 0.0;
  for (Species s : kAllSpecies) {
    const double t = kg[index_of(s)] / 1000.0;
    v.emplace_back(std::string(species_name(s)), t);
    if (is_nmvoc(s)) voc += t;
    if (is_pm25_component(s)) pm25 += t;
  }
  v.emplace_back("NMVOC", voc);
  v.emplace_back("PM25", pm25);
  v.emplace_back("PM10", pm25 + kg[index_of(Species::kPMCoarse)] / 1000.0);
  return v;
}

/// Rounds to 6 significant digits so that the JSON is stable across platforms.
double tidy(double t) {
  if (t == 0.0 || !std::isfinite(t)) return t;
  const double mag = std::pow(10.0, 5 - static_cast<int>(std::floor(std::log10(std::abs(t)))));
  return std::round(t * mag) / mag;
}

nlohmann::ordered_json species_json(const SpeciesArray& kg) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [n, t] : species_values(kg)) j[n] = tidy(t);
  return j;
}

nlohmann::ordered_json region_json(const std::array<SpeciesArray, kNumSectors>& by_sector) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  SpeciesArray all{};
  for (Sector s : kAllSectors) {
    j[std::string(sector_name(s))] = species_json(by_sector[index_of(s)]);
    for (int x = 0; x < kNumSpecies; ++x) all[x] += by_sector[index_of(s)][x];
  }
  j["all_sectors"] = species_json(all);
  return j;
}

}  // namespace

nlohmann::ordered_json summary_json(const TotalsTable& totals, const SummaryInfo& info) {
  nlohmann::ordered_json j;
  j["inventory"] = info.name;
  j["definition"] = info.definition;
  j["gridded"] = info.gridded;
  j["period"]["first_day"] = info.period.first_day();
  j["period"]["last_day"] = info.period.last_day();
  j["period"]["days"] = info.period.days();
  j["period"]["utc_offset_hours"] = info.period.utc_offset_hours;
  j["units"] = "t";
  j["sectors"] = nlohmann::ordered_json::array();
  for (Sector s : kAllSectors) j["sectors"].push_back(std::string(sector_name(s)));
  j["species"] = nlohmann::ordered_json::array();
  for (const auto& [n, t] : species_values(SpeciesArray{})) j["species"].push_back(n);
  j["cities"] = nlohmann::ordered_json::object();
  std::array<SpeciesArray, kNumSectors> domain{};
  for (std::size_t r = 0; r < totals.regions.size(); ++r) {
    for (int s = 0; s < kNumSectors; ++s) {
      for (int x = 0; x < kNumSpecies; ++x) domain[s][x] += totals.kg[r][s][x];
    }
    if (totals.regions[r] == "outside") {
      j["outside"] = region_json(totals.kg[r]);
    } else {
      j["cities"][totals.regions[r]] = region_json(totals.kg[r]);
    }
  }
  if (!j.contains("outside")) j["outside"] = region_json({});
  j["domain_total"] = region_json(domain);
  j["dropped_outside_domain"] = species_json(info.dropped_kg);
  j["notes"] = info.notes;
  return j;
}

std::string summary_text(const TotalsTable& totals, const SummaryInfo& info) {
  std::string out;
  char buf[512];
  std::snprintf(
      buf, sizeof buf,
      "emission inventory %s (%s)\nperiod %s .. %s (%.0f days, local time UTC%+d), totals "
      "in t per period, %s\n",
      info.name.c_str(), info.definition.c_str(), info.period.first_day().c_str(),
      info.period.last_day().c_str(), info.period.days(), info.period.utc_offset_hours,
      info.gridded ? "on the model grid" : "from the definition (not gridded)");
  out += buf;
  const std::vector<std::string> cols{"SO2",      "NOx",       "NH3",     "CO",
                                      "NMVOC",    "PM25",      "PM25_BC", "PM25_OC",
                                      "PM25_SO4", "PM_COARSE", "PM10"};
  auto header = [&]() {
    std::snprintf(buf, sizeof buf, "  %-15s", "sector");
    out += buf;
    for (const auto& c : cols) {
      std::snprintf(buf, sizeof buf, " %10s", c.c_str());
      out += buf;
    }
    out += "\n";
  };
  auto row = [&](const std::string& name, const SpeciesArray& kg) {
    std::snprintf(buf, sizeof buf, "  %-15s", name.c_str());
    out += buf;
    const auto v = species_values(kg);
    for (const auto& c : cols) {
      for (const auto& [n, t] : v) {
        if (n == c) {
          std::snprintf(buf, sizeof buf, " %10.0f", t);
          out += buf;
        }
      }
    }
    out += "\n";
  };
  std::array<SpeciesArray, kNumSectors> domain{};
  for (std::size_t r = 0; r < totals.regions.size(); ++r) {
    out += "\n" + totals.regions[r] + "\n";
    header();
    SpeciesArray all{};
    for (Sector s : kAllSectors) {
      row(std::string(sector_name(s)), totals.kg[r][index_of(s)]);
      for (int x = 0; x < kNumSpecies; ++x) {
        all[x] += totals.kg[r][index_of(s)][x];
        domain[index_of(s)][x] += totals.kg[r][index_of(s)][x];
      }
    }
    row("all sectors", all);
  }
  out += "\ndomain total\n";
  header();
  SpeciesArray all{};
  for (Sector s : kAllSectors) {
    row(std::string(sector_name(s)), domain[index_of(s)]);
    for (int x = 0; x < kNumSpecies; ++x) all[x] += domain[index_of(s)][x];
  }
  row("all sectors", all);
  for (const auto& n : info.notes) out += "note: " + n + "\n";
  return out;
}

}  // namespace fwaq::emissions

#pragma once
// Season totals by region x sector x species, as text and as JSON with a stable layout:
//   {"inventory": name, "definition": path, "gridded": bool,
//    "period": {"first_day", "last_day", "days", "utc_offset_hours"},
//    "units": "t", "sectors": [...], "species": [...model species..., "NMVOC", "PM25", "PM10"],
//    "cities": {"Xi'an": {"power": {"SO2": t, ...}, ..., "all_sectors": {...}}, ...},
//    "outside": {...same per sector...},
//    "domain_total": {...same per sector...},
//    "dropped_outside_domain": {"SO2": t, ...},
//    "notes": [...]}
// NMVOC, PM25 and PM10 are sums of model species (species.hpp).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "emissions/emission_source.hpp"

namespace fwaq::emissions {

struct SummaryInfo {
  std::string name;        ///< inventory name
  std::string definition;  ///< definition file
  InventoryPeriod period;
  bool gridded = false;  ///< totals from the gridded inventory (true) or the definition
  SpeciesArray dropped_kg{};
  std::vector<std::string> notes;
};

nlohmann::ordered_json summary_json(const TotalsTable& totals, const SummaryInfo& info);
/// A table per region (rows: sectors and the sum; columns: main species) [t].
std::string summary_text(const TotalsTable& totals, const SummaryInfo& info);

}  // namespace fwaq::emissions

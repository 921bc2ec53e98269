#pragma once
// `fwaq inspect`: what an input file is, what it holds and whether a run can use it.
//
// Kinds recognised (first match wins):
//   "wrf"          WRF model output: global attribute TITLE containing "WRF", or the
//                  variables Times, XLAT, XLONG, PH and PHB.
//   "wps-geogrid"  WPS geogrid static file (TITLE containing "GEOGRID").
//   "cf-met"       CF-style gridded meteorology: latitude/longitude coordinates with
//                  CF units (degrees_north / degrees_east) and at least one met
//                  variable (by name, e.g. t u v q z t2m, or CF standard_name).
//   "emissions"    gridded emissions: variables whose units are an emission rate
//                  (an amount — mol, g, kg, t … — per time, e.g. "mol km-2 hr-1",
//                  "Mg/month", "kg m-2 s-1") and no met variables.
//   "observations" CNEMC hourly file, header date,hour,type,<codes> (plain or gzip).
//   "station-list" CNEMC station list (obs/stations.hpp layouts).
//   "city-daily"   derived city daily means, header date,<city>...,<city>_nstations...
//   "case"         YAML mapping (a case file).
// Anything else, and any file that cannot be opened or read, is an InputError.
//
// The report is a JSON object (keys in a fixed order): file, kind, format, then per
// kind dimensions / grid / period / variables / stations / types, and finally
// usable (true/false, or null when not assessed), missing (what a run needs and the
// file lacks) and notes.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fwaq::obs {

struct InspectOptions {
  /// Station list (path) to check observation files against and to group their
  /// stations by city; empty: none.
  std::string stations;
};

/// Inspects `path`. Throws InputError for an unreadable or unrecognised file.
nlohmann::ordered_json inspect_file(const std::string& path, const InspectOptions& options = {});

/// The report as human-readable text.
std::string inspect_text(const nlohmann::ordered_json& report);

/// The WRF variables the model's met input needs (src/met/met_fields.hpp MetRecord):
/// U V W PH PHB P PB T QVAPOR PBLH UST HFX T2 U10 V10 PSFC SWDOWN RAINC RAINNC HGT.
const std::vector<std::string>& wrf_required_variables();

}  // namespace fwaq::obs

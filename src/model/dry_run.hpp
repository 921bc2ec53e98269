#pragma once
// `fwaq run CASE --dry-run`: everything a run checks before its first step, without
// running. The case is loaded as a run loads it (schema check, overrides, defaults),
// every input file it names is checked (found, a regular file, readable), and then the
// inputs are read as the run reads them: the domain file against the case's grid, the
// inventory and its profiles, the scaling rules against the inventory's regions and
// components, the station list, the meteorology and the chemistry and deposition options.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "model/run.hpp"

namespace fwaq {
class Config;
}

namespace fwaq::model {

/// An input file a case names.
struct InputFile {
  std::string key;             ///< where it is named, e.g. "inputs.domain_file"
  std::filesystem::path path;  ///< as resolved
  std::string problem;         ///< empty: found and readable
  std::uintmax_t bytes = 0;
};

/// The input files `cfg` names: the domain file, the inventory definition and the files
/// it names (profile tables, gridded inventories), the calibration file, the station
/// list. Each is checked (found, a regular file, readable); files named inside an
/// unreadable inventory definition are not listed.
std::vector<InputFile> case_input_files(const Config& cfg);

/// The dry run of `req` (its case, overrides, --start and --end; the output folder is not
/// used): returns the report, the fully resolved configuration as YAML (every default
/// filled in, each key's meaning as a comment) followed by the input files as YAML
/// comments. Throws InputError naming every missing or unreadable input file, or the
/// first unusable input; UsageError for a bad override or period.
std::string dry_run(const RunRequest& req);

}  // namespace fwaq::model

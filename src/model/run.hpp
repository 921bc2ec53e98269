#pragma once
// `fwaq run`: a case from start to end (meteorology, emissions, transport, chemistry,
// deposition) and its outputs. The operators and their splitting order are in
// docs/science/model.md; the outputs (fields.nc, cities_daily.csv, cities_hourly.csv,
// summary.json) in docs/user-guide.md.
#include <mpi.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace fwaq::model {

struct RunRequest {
  std::string case_file;
  std::filesystem::path out_dir;
  std::optional<std::string> start, end;  ///< override run.start / run.end
  std::vector<std::string> overrides;     ///< "section.key=value"
  bool progress = true;                   ///< progress on stderr (rank 0)
  /// Write a checkpoint into out_dir/checkpoints/ every this many hours after run.start
  /// (0: only when stopped by SIGTERM).
  int checkpoint_every_hours = 0;
  /// Continue from this checkpoint (start, spin-up and state from it).
  std::optional<std::filesystem::path> restart;
};

/// Runs the case and writes its outputs into req.out_dir (created if missing; each file
/// written under a temporary name and renamed when complete). Collective over comm.
/// Returns summary.json's content (on every rank). Throws InputError / UsageError /
/// NumericalError.
nlohmann::json run_case(const RunRequest& req, MPI_Comm comm);

/// The per-city table of a summary (season-mean PM2.5, heavy days, ...), as printed at
/// the end of a run.
std::string format_city_table(const nlohmann::json& summary);

}  // namespace fwaq::model

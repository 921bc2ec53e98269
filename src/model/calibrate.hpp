#pragma once
// Calibration of the inventory's city emissions against observed city PM2.5 (see
// docs/science/calibration.md): repeated runs of a case over an observed period, the
// city emission factors moved by Broyden (quasi-Newton) steps on ln(model / observed),
// whose Jacobian learns how each city's PM2.5 depends on every city's emissions, until
// every city's period mean is within a tolerance of the observed mean. Writes the factors as an
// emission-scaling file (`rules:`) that case files name in `emissions.calibration`.
#include <mpi.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fwaq::model {

struct CalibrationRequest {
  std::string case_file;             ///< a case whose meteorology covers the period
  std::string obs_file;              ///< city daily PM2.5 (fenwei_city_daily_pm25_*.csv)
  std::filesystem::path out_dir;     ///< runs of every iteration go here
  std::filesystem::path write_to;    ///< the calibration file to write ("" = none)
  std::filesystem::path initial;     ///< start from this calibration file's factors ("" = 1)
  std::string start = "2019-01-01";  ///< period compared (local dates)
  std::string end = "2019-04-01";
  int spinup_hours = 240;
  int max_iterations = 5;
  double tolerance = 0.05;  ///< stop when every |model/obs - 1| <= tolerance
  std::vector<std::string> overrides;
  bool progress = true;
};

/// Runs the procedure (collective over comm) and returns its report (iterations with
/// factors and city means, the final ratios, the spatial correlation r).
nlohmann::json calibrate(const CalibrationRequest& req, MPI_Comm comm);

/// The report's last table as text.
std::string format_calibration_table(const nlohmann::json& report);

}  // namespace fwaq::model

#pragma once
// Calibration of the inventory's city emissions against observed city PM2.5 (see
// docs/science/calibration.md): repeated runs of a case over an observed period, the
// city emission factors moved by Broyden (quasi-Newton) steps on ln(model / observed),
// whose Jacobian learns how each city's PM2.5 depends on every city's emissions, until
// every city's period mean is within a tolerance of the observed mean. Writes the factors as an
// emission-scaling file (`rules:`) that case files name in `emissions.calibration`.
#include <mpi.h>

#include <Eigen/Dense>
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
  std::filesystem::path resume;      ///< continue a calibration_report.json ("" = none)
  std::string start = "2019-01-01";  ///< period compared (local dates)
  std::string end = "2019-04-01";
  int spinup_hours = 240;
  int max_iterations = 5;
  double tolerance = 0.05;  ///< stop when every |model/obs - 1| <= tolerance
  double damping = 0.1;     ///< Levenberg-Marquardt damping of the steps (FactorFit)
  std::vector<std::string> overrides;
  bool progress = true;
};

/// The factor update of the calibration, apart from the runs: Broyden's method (Broyden
/// 1965, Math. Comp. 19, 577) on x = ln(factor) of n_unknowns emission regions and y =
/// ln(model mean) of n_cities receptors, where unknown c < n_cities is city c's own region
/// and the others (e.g. "outside") reach every city. The Jacobian dy/dx starts from
///   own column      s = own_share f / (own_share f + 1 - own_share) at the starting
///                   factor f (the share of a city's PM2.5 its own emissions make),
///   other columns   other_share,
/// and learns the cross terms by rank-one updates from every evaluated point. With more
/// unknowns than cities each step is a damped least-squares (Levenberg-Marquardt) solve,
/// min |J dx - (ln obs - y)|^2 + damping^2 |dx|^2 (Eigen, column-pivoted Householder QR):
/// of the changes that fit, the smallest. Steps are limited to |dx| <= 1 (a factor of e)
/// and factors kept in [min_factor, max_factor].
class FactorFit {
 public:
  struct Options {
    double own_share = 0.7;
    double other_share = 0.3;
    double damping = 0.1;
    double min_factor = 0.02, max_factor = 10.0;
  };
  FactorFit(std::vector<double> factors, int n_cities, Options opt);
  /// The factors after one step from the current ones, whose run gave `model_mean`
  /// [µg m-3] against `observed` [µg m-3] (n_cities each, positive).
  const std::vector<double>& step(const std::vector<double>& model_mean,
                                  const std::vector<double>& observed);
  const std::vector<double>& factors() const { return factors_; }
  const Eigen::MatrixXd& jacobian() const { return jac_; }
  /// Replaces the Jacobian (n_cities x n_unknowns), e.g. with one learned earlier.
  void set_jacobian(const Eigen::MatrixXd& jac);

 private:
  std::vector<double> factors_;
  int nc_;
  Options opt_;
  Eigen::MatrixXd jac_;
  Eigen::VectorXd prev_x_, prev_y_;
};

/// Runs the procedure (collective over comm) and returns its report (iterations with
/// factors and city means, the final ratios, the spatial correlation r).
nlohmann::json calibrate(const CalibrationRequest& req, MPI_Comm comm);

/// The report's last table as text.
std::string format_calibration_table(const nlohmann::json& report);

}  // namespace fwaq::model

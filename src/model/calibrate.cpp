#include "model/calibrate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

#include "core/error.hpp"
#include "model/outputs.hpp"
#include "model/run.hpp"
#include "obs/daily.hpp"
#include "obs/stations.hpp"
#include "report/run_outputs.hpp"

namespace fwaq::model {

namespace {

constexpr const char* kOutside = "outside";  ///< the inventory's region outside the cities

/// Pearson correlation of two equally long series.
double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

std::string calibration_yaml(const std::map<std::string, double>& factor,
                             const nlohmann::json& report) {
  std::ostringstream o;
  o << "# Calibration of the built-in inventory's emissions by region (all sectors and species\n"
       "# of each city region and of the rest of the domain, \"outside\") against the CNEMC\n"
       "# city PM2.5 of January-March 2019, made by\n"
       "#   fwaq calibrate "
    << report.value("case", "") << " --obs " << report.value("obs", "")
    << "\n# (scripts/calibrate.sh; method in docs/science/calibration.md). Do not edit by hand.\n"
       "# Final fit: model / observed January-March mean per city, spatial correlation r.\n";
  if (report.contains("final")) {
    for (const auto& [c, v] : report["final"]["cities"].items()) {
      char line[160];
      std::snprintf(line, sizeof line, "#   %-12s model %6.1f  observed %6.1f  ratio %.3f\n",
                    c.c_str(), v["model"].get<double>(), v["observed"].get<double>(),
                    v["ratio"].get<double>());
      o << line;
    }
    char line[80];
    std::snprintf(line, sizeof line, "#   r = %.3f over %d cities\n",
                  report["final"]["r"].get<double>(), report["final"]["n"].get<int>());
    o << line;
  }
  o << "rules:\n";
  for (const auto& [city, f] : factor) {
    char line[256];
    std::snprintf(line, sizeof line,
                  "  - {region: \"%s\", factor: %.4f, label: \"calibration %s\", derivation: "
                  "\"fwaq calibrate, January-March 2019 CNEMC city PM2.5\"}\n",
                  city.c_str(), f, city.c_str());
    o << line;
  }
  return o.str();
}

}  // namespace

FactorFit::FactorFit(std::vector<double> factors, int n_cities, Options opt)
    : factors_(std::move(factors)), nc_(n_cities), opt_(opt) {
  const int nu = static_cast<int>(factors_.size());
  if (nc_ < 1 || nu < nc_) {
    throw std::invalid_argument("FactorFit: needs at least one city and one unknown per city");
  }
  jac_ = Eigen::MatrixXd::Zero(nc_, nu);
  for (int c = 0; c < nc_; ++c) {
    const double f = factors_[static_cast<std::size_t>(c)];
    jac_(c, c) = opt_.own_share * f / (opt_.own_share * f + (1.0 - opt_.own_share));
    for (int u = nc_; u < nu; ++u) jac_(c, u) = opt_.other_share;
  }
}

void FactorFit::set_jacobian(const Eigen::MatrixXd& jac) {
  if (jac.rows() != jac_.rows() || jac.cols() != jac_.cols() || !jac.allFinite()) {
    throw std::invalid_argument("FactorFit::set_jacobian: wrong shape or not finite");
  }
  jac_ = jac;
}

const std::vector<double>& FactorFit::step(const std::vector<double>& model_mean,
                                           const std::vector<double>& observed) {
  const int nu = static_cast<int>(factors_.size());
  if (static_cast<int>(model_mean.size()) != nc_ || static_cast<int>(observed.size()) != nc_) {
    throw std::invalid_argument("FactorFit::step: one model and one observed mean per city");
  }
  Eigen::VectorXd x(nu), y(nc_), residual(nc_);
  for (int u = 0; u < nu; ++u) x(u) = std::log(factors_[static_cast<std::size_t>(u)]);
  for (int c = 0; c < nc_; ++c) {
    const double m = model_mean[static_cast<std::size_t>(c)];
    const double o = observed[static_cast<std::size_t>(c)];
    if (!(m > 0.0) || !(o > 0.0)) {
      throw NumericalError("calibrate: city " + std::to_string(c) + " has model mean " +
                           std::to_string(m) + " and observed mean " + std::to_string(o) +
                           " ug m-3; both must be positive");
    }
    y(c) = std::log(m);
    residual(c) = std::log(o) - y(c);
  }
  if (prev_x_.size() == nu) {
    const Eigen::VectorXd dx = x - prev_x_, dy = y - prev_y_;
    const double n2 = dx.squaredNorm();
    if (n2 > 1e-12) jac_ += (dy - jac_ * dx) * dx.transpose() / n2;
  }
  prev_x_ = x;
  prev_y_ = y;
  Eigen::MatrixXd damped(nc_ + nu, nu);
  damped << jac_, opt_.damping * Eigen::MatrixXd::Identity(nu, nu);
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(nc_ + nu);
  rhs.head(nc_) = residual;
  const Eigen::VectorXd dx = damped.colPivHouseholderQr().solve(rhs);
  if (!dx.allFinite()) {
    throw NumericalError(
        "calibrate: the factor step is not finite (the runs' city means do "
        "not respond to the factors)");
  }
  for (int u = 0; u < nu; ++u) {
    auto& f = factors_[static_cast<std::size_t>(u)];
    f = std::clamp(f * std::exp(std::clamp(dx(u), -1.0, 1.0)), opt_.min_factor, opt_.max_factor);
  }
  return factors_;
}

namespace {

/// The starting factors: 1, or those of an earlier calibration file (req.initial).
std::map<std::string, double> initial_factors(const CalibrationRequest& req,
                                              const std::vector<std::string>& unknowns) {
  std::map<std::string, double> factor;
  for (const auto& u : unknowns) factor[u] = 1.0;
  factor["Yangling"] = 1.0;  // follows Xianyang (no observations of its own)
  if (req.initial.empty()) return factor;
  try {
    const YAML::Node root = YAML::LoadFile(req.initial.string());
    for (const auto& r : root["rules"]) {
      const auto region = r["region"].as<std::string>();
      if (factor.count(region)) factor[region] = r["factor"].as<double>();
    }
  } catch (const YAML::Exception& e) {
    throw InputError(req.initial.string(), "rules", std::string("cannot read: ") + e.what());
  }
  return factor;
}

/// The learned Jacobian as JSON rows (one per city), and back.
nlohmann::json jacobian_json(const Eigen::MatrixXd& jac) {
  std::vector<std::vector<double>> rows;
  for (Eigen::Index c = 0; c < jac.rows(); ++c) {
    rows.emplace_back();
    for (Eigen::Index u = 0; u < jac.cols(); ++u) rows.back().push_back(jac(c, u));
  }
  return rows;
}

Eigen::MatrixXd jacobian_from_json(const nlohmann::json& j, int rows_expected,
                                   std::size_t cols_expected) {
  const auto rows = j.get<std::vector<std::vector<double>>>();
  if (static_cast<int>(rows.size()) != rows_expected) throw std::invalid_argument("jacobian rows");
  Eigen::MatrixXd jac(rows_expected, static_cast<Eigen::Index>(cols_expected));
  for (int c = 0; c < rows_expected; ++c) {
    const auto& row = rows[static_cast<std::size_t>(c)];
    if (row.size() != cols_expected) throw std::invalid_argument("jacobian columns");
    for (std::size_t u = 0; u < row.size(); ++u) jac(c, static_cast<Eigen::Index>(u)) = row[u];
  }
  return jac;
}

/// Takes the fit's next step into `factor` (Yangling follows Xianyang).
void take_step(FactorFit& fit, const std::vector<double>& model, const std::vector<double>& obs,
               const std::vector<std::string>& unknowns, std::map<std::string, double>& factor) {
  const std::vector<double>& next = fit.step(model, obs);
  for (std::size_t u = 0; u < unknowns.size(); ++u) factor[unknowns[u]] = next[u];
  factor["Yangling"] = factor["Xianyang"];
}

/// Continues an earlier calibration (req.resume): its last run's factors, city means and
/// learned Jacobian give the first step exactly as that calibration would have taken it.
void resume_fit(const CalibrationRequest& req, const std::vector<std::string>& cities,
                const std::vector<std::string>& unknowns, const FactorFit::Options& options,
                FactorFit& fit, std::map<std::string, double>& factor) {
  const std::string file = req.resume.string();
  try {
    std::ifstream in(req.resume);
    const nlohmann::json old = nlohmann::json::parse(in);
    const auto& last = old.at("iterations").back();
    std::vector<double> f, m, o;
    for (const auto& u : unknowns) f.push_back(last.at("factors").at(u).get<double>());
    for (const auto& c : cities) {
      m.push_back(last.at("cities").at(c).at("model").get<double>());
      o.push_back(last.at("cities").at(c).at("observed").get<double>());
    }
    const int nc = static_cast<int>(cities.size());
    fit = FactorFit(f, nc, options);
    fit.set_jacobian(jacobian_from_json(last.at("jacobian"), nc, unknowns.size()));
    take_step(fit, m, o, unknowns, factor);
  } catch (const std::exception& e) {
    throw InputError(file, "iterations",
                     std::string("cannot continue from this calibration report: ") + e.what());
  }
}

/// Pairs a run's city daily PM2.5 with the observations: per city the means over the
/// days both have, into `step["cities"]`; returns whether every ratio is within tolerance.
bool pair_with_observations(const CalibrationRequest& req, const obs::DailyTable& table,
                            const std::vector<std::string>& cities,
                            const std::vector<report::CityDay>& days, nlohmann::json& step,
                            std::vector<double>& model, std::vector<double>& observed) {
  bool converged = true;
  model.clear();
  observed.clear();
  for (const auto& c : cities) {
    double sm = 0, so = 0;
    int n = 0;
    const int k = table.name_index(c);
    if (k < 0) throw InputError(req.obs_file, c, "city missing from the observations");
    for (const auto& d : days) {
      if (d.city != c) continue;
      const int di = table.date_index(d.date);
      if (di < 0) continue;
      const double o = table.value(static_cast<std::size_t>(di), static_cast<std::size_t>(k));
      const double pm = d.conc[0];
      if (!std::isfinite(o) || !std::isfinite(pm)) continue;
      sm += pm;
      so += o;
      ++n;
    }
    if (n == 0) throw InputError(req.obs_file, c, "no observed day pairs with the run's period");
    const double m = sm / n, o = so / n;
    model.push_back(m);
    observed.push_back(o);
    step["cities"][c] = {{"model", m}, {"observed", o}, {"ratio", m / o}, {"days", n}};
    converged = converged && std::abs(m / o - 1.0) <= req.tolerance;
  }
  return converged;
}

/// Runs the case with the factors of iteration `it` (written as a calibration file).
std::filesystem::path run_iteration(const CalibrationRequest& req, int it,
                                    const std::map<std::string, double>& factor, int rank,
                                    MPI_Comm comm) {
  const auto dir = req.out_dir / ("iteration-" + std::to_string(it));
  const auto cal =
      std::filesystem::absolute(req.out_dir / ("calibration-" + std::to_string(it) + ".yaml"));
  if (rank == 0) write_file_atomically(cal, calibration_yaml(factor, nlohmann::json::object()));
  MPI_Barrier(comm);
  RunRequest run;
  run.case_file = req.case_file;
  run.out_dir = dir;
  run.start = req.start;
  run.end = req.end;
  run.overrides = req.overrides;
  run.overrides.push_back("emissions.calibration=" + cal.string());
  run.overrides.push_back("run.spinup_hours=" + std::to_string(req.spinup_hours));
  run.progress = req.progress;
  run_case(run, comm);
  return dir;
}

}  // namespace

nlohmann::json calibrate(const CalibrationRequest& req, MPI_Comm comm) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  // Observed city daily PM2.5 (CST days).
  const obs::DailyTable table = obs::read_city_daily(req.obs_file);
  std::vector<std::string> cities;
  for (const auto& c : obs::fenwei_cities()) cities.emplace_back(c.english);
  // The unknowns: the 11 cities' factors and the factor of the rest of the domain
  // ("outside": the neighbouring provinces' and the plateau's emissions, which reach every
  // city; without it a city such as Tongchuan, whose PM2.5 is mostly transported, cannot be
  // fitted by its own emissions).
  std::vector<std::string> unknowns = cities;
  unknowns.emplace_back(kOutside);
  std::map<std::string, double> factor = initial_factors(req, unknowns);
  // Broyden / Levenberg-Marquardt steps on the 11 cities' and the outside factors
  // (FactorFit). The outside column starts at 0.3: halving the outside emissions lowered
  // the cities' January PM2.5 by 10-27 %, i.e. d ln M / d ln f = 0.15-0.46.
  const int nc = static_cast<int>(cities.size());
  std::vector<double> start;
  for (const auto& u : unknowns) start.push_back(factor[u]);
  FactorFit::Options fit_options;
  fit_options.damping = req.damping;
  FactorFit fit(start, nc, fit_options);
  if (!req.resume.empty()) resume_fit(req, cities, unknowns, fit_options, fit, factor);
  nlohmann::json report;
  report["case"] = req.case_file;
  report["obs"] = req.obs_file;
  report["period"] = {{"start", req.start}, {"end", req.end}};
  report["tolerance"] = req.tolerance;
  report["iterations"] = nlohmann::json::array();
  std::filesystem::create_directories(req.out_dir);
  for (int it = 0; it < req.max_iterations; ++it) {
    const auto dir = run_iteration(req, it, factor, rank, comm);
    nlohmann::json step;
    step["factors"] = factor;
    std::vector<double> mv, ov;
    const bool converged = pair_with_observations(
        req, table, cities, report::read_cities_daily(dir / "cities_daily.csv"), step, mv, ov);
    step["r"] = pearson(mv, ov);
    step["n"] = static_cast<int>(mv.size());
    report["iterations"].push_back(step);
    report["final"] = step;
    if (rank == 0 && req.progress) {
      std::fprintf(stderr, "calibrate: iteration %d, r = %.3f\n%s", it, step["r"].get<double>(),
                   format_calibration_table(report).c_str());
    }
    if (converged) break;
    take_step(fit, mv, ov, unknowns, factor);
    report["iterations"].back()["jacobian"] = jacobian_json(fit.jacobian());
  }
  report["converged"] = true;
  for (const auto& [c, v] : report["final"]["cities"].items()) {
    if (std::abs(v["ratio"].get<double>() - 1.0) > req.tolerance) report["converged"] = false;
  }
  // The factors of the final run are the calibration.
  report["factors"] = report["final"]["factors"];
  if (rank == 0) {
    std::map<std::string, double> final_factors =
        report["final"]["factors"].get<std::map<std::string, double>>();
    if (!req.write_to.empty())
      write_file_atomically(req.write_to, calibration_yaml(final_factors, report));
    write_file_atomically(req.out_dir / "calibration_report.json", report.dump(2) + "\n");
  }
  return report;
}

std::string format_calibration_table(const nlohmann::json& report) {
  std::ostringstream o;
  const auto& f = report["final"];
  char line[200];
  std::snprintf(line, sizeof line, "%-12s %8s %10s %10s %8s\n", "city", "factor", "model",
                "observed", "ratio");
  o << line;
  for (const auto& [c, v] : f["cities"].items()) {
    std::snprintf(line, sizeof line, "%-12s %8.3f %10.1f %10.1f %8.3f\n", c.c_str(),
                  f["factors"].value(c, 1.0), v["model"].get<double>(), v["observed"].get<double>(),
                  v["ratio"].get<double>());
    o << line;
  }
  if (f["factors"].contains(kOutside)) {
    std::snprintf(line, sizeof line, "%-12s %8.3f   (the rest of the domain)\n", kOutside,
                  f["factors"][kOutside].get<double>());
    o << line;
  }
  std::snprintf(line, sizeof line, "spatial correlation r = %.3f (%d cities)\n",
                f["r"].get<double>(), f["n"].get<int>());
  o << line;
  return o.str();
}

}  // namespace fwaq::model

#include "model/calibrate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include <yaml-cpp/yaml.h>
#include <Eigen/Dense>

#include "core/error.hpp"
#include "model/outputs.hpp"
#include "model/run.hpp"
#include "obs/daily.hpp"
#include "obs/stations.hpp"
#include "report/run_outputs.hpp"

namespace fwaq::model {

namespace {

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
  o << "# Calibration of the built-in inventory's city emissions (all sectors and species of\n"
       "# each city region) against the CNEMC city PM2.5 of January-March 2019, made by\n"
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

nlohmann::json calibrate(const CalibrationRequest& req, MPI_Comm comm) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  // Observed city daily PM2.5 (CST days).
  const obs::DailyTable table = obs::read_city_daily(req.obs_file);
  const std::vector<std::string> cities = [] {
    std::vector<std::string> v;
    for (const auto& c : obs::fenwei_cities()) v.emplace_back(c.english);
    return v;
  }();
  std::map<std::string, double> factor;
  for (const auto& c : cities) factor[c] = 1.0;
  factor["Yangling"] = 1.0;  // follows Xianyang (no observations of its own)
  if (!req.initial.empty()) {
    // Start from the factors of an earlier calibration file.
    YAML::Node root;
    try {
      root = YAML::LoadFile(req.initial.string());
      for (const auto& r : root["rules"]) {
        const auto region = r["region"].as<std::string>();
        if (factor.count(region)) factor[region] = r["factor"].as<double>();
      }
    } catch (const YAML::Exception& e) {
      throw InputError(req.initial.string(), "rules", std::string("cannot read: ") + e.what());
    }
  }
  // Broyden's method on x = ln(factor), y = ln(model mean) of the cities: the Jacobian
  // J = dy/dx starts diagonal (0.7: the local share of a city's PM2.5 that its own
  // emissions make) and learns the cross-city terms from every run (rank-one updates);
  // each step solves J dx = ln(obs) - y by least squares (Eigen, column-pivoted QR).
  const int nc = static_cast<int>(cities.size());
  Eigen::MatrixXd jac = 0.7 * Eigen::MatrixXd::Identity(nc, nc);
  Eigen::VectorXd prev_x, prev_y;
  nlohmann::json report;
  report["case"] = req.case_file;
  report["obs"] = req.obs_file;
  report["period"] = {{"start", req.start}, {"end", req.end}};
  report["tolerance"] = req.tolerance;
  report["iterations"] = nlohmann::json::array();
  std::filesystem::create_directories(req.out_dir);
  for (int it = 0; it < req.max_iterations; ++it) {
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

    // Pair the run's city daily PM2.5 with the observations.
    const auto days = report::read_cities_daily(dir / "cities_daily.csv");
    nlohmann::json step;
    step["factors"] = factor;
    std::vector<double> mv, ov;
    bool converged = true;
    std::map<std::string, double> model_mean;
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
      if (n == 0) {
        throw InputError(req.obs_file, c, "no observed day pairs with the run's period");
      }
      const double m = sm / n, o = so / n;
      model_mean[c] = m;
      mv.push_back(m);
      ov.push_back(o);
      step["cities"][c] = {{"model", m}, {"observed", o}, {"ratio", m / o}, {"days", n}};
      converged = converged && std::abs(m / o - 1.0) <= req.tolerance;
    }
    step["r"] = pearson(mv, ov);
    step["n"] = static_cast<int>(mv.size());
    report["iterations"].push_back(step);
    report["final"] = step;
    if (rank == 0 && req.progress) {
      std::fprintf(stderr, "calibrate: iteration %d, r = %.3f\n%s", it, step["r"].get<double>(),
                   format_calibration_table(report).c_str());
    }
    if (converged) break;
    Eigen::VectorXd x(nc), y(nc), target(nc);
    for (int c = 0; c < nc; ++c) {
      const auto& name = cities[static_cast<std::size_t>(c)];
      x(c) = std::log(factor[name]);
      y(c) = std::log(model_mean[name]);
      target(c) = std::log(step["cities"][name]["observed"].get<double>());
    }
    if (prev_x.size() == nc) {
      const Eigen::VectorXd dx = x - prev_x, dy = y - prev_y;
      const double n2 = dx.squaredNorm();
      if (n2 > 1e-12) jac += (dy - jac * dx) * dx.transpose() / n2;
    }
    prev_x = x;
    prev_y = y;
    Eigen::VectorXd dx = jac.colPivHouseholderQr().solve(target - y);
    if (!dx.allFinite()) dx = (target - y) / 0.7;
    for (int c = 0; c < nc; ++c) {
      const auto& name = cities[static_cast<std::size_t>(c)];
      const double step_ln = std::clamp(dx(c), -1.0, 1.0);
      factor[name] = std::clamp(factor[name] * std::exp(step_ln), 0.02, 10.0);
    }
    step["jacobian_diagonal"] =
        std::vector<double>(jac.diagonal().data(), jac.diagonal().data() + nc);
    factor["Yangling"] = factor["Xianyang"];
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
  std::snprintf(line, sizeof line, "spatial correlation r = %.3f (%d cities)\n",
                f["r"].get<double>(), f["n"].get<int>());
  o << line;
  return o.str();
}

}  // namespace fwaq::model

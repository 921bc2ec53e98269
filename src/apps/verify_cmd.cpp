// `fwaq verify <case|all>`: runs verification cases and prints their figures.
#include <mpi.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "apps/commands.hpp"
#include "core/error.hpp"
#include "verify/verify.hpp"

namespace fwaq::apps {

bool is_root() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank == 0;
}

namespace {

nlohmann::json to_json(const verify::Result& r) {
  nlohmann::json j;
  j["case"] = r.name;
  j["l1"] = r.l1;
  j["l2"] = r.l2;
  j["linf"] = r.linf;
  j["min"] = r.min;
  j["max"] = r.max;
  j["mass_error"] = r.mass_error;
  if (r.order) j["order"] = *r.order;
  if (r.peak) j["peak"] = *r.peak;
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(r.state_hash));
  j["state_hash"] = hash;
  j["runs"] = r.runs;
  for (const auto& [k, v] : r.extra) j[k] = v;
  j["thresholds"] = r.thresholds;
  j["passed"] = r.passed();
  j["failures"] = r.failures;
  return j;
}

void print_table(const std::vector<verify::Result>& results) {
  std::printf("%-31s %10s %10s %10s %11s %11s %10s %7s  %s\n", "case", "l1", "l2", "linf", "min",
              "max", "mass_err", "order", "result");
  for (const auto& r : results) {
    char order[16] = "-";
    if (r.order) std::snprintf(order, sizeof order, "%.2f", *r.order);
    std::printf("%-31s %10.3e %10.3e %10.3e %11.4e %11.4e %10.2e %7s  %s\n", r.name.c_str(), r.l1,
                r.l2, r.linf, r.min, r.max, r.mass_error, order, r.passed() ? "pass" : "FAIL");
    for (const auto& f : r.failures) std::printf("    failed: %s\n", f.c_str());
  }
  std::printf("state hashes:");
  for (const auto& r : results)
    std::printf(" %016llx", static_cast<unsigned long long>(r.state_hash));
  std::printf("\n");
}

}  // namespace

void add_verify_command(CLI::App& app, Command& selected) {
  auto* cmd = app.add_subcommand(
      "verify",
      "Run a verification case of the transport operators (or 'all') and print its figures");
  struct Args {
    std::string name;
    verify::Options o;
    int cells = 0, revolutions = 0;
    double courant = 0, width = 0;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  std::string names;
  for (const auto& n : verify::case_names()) names += "\n  " + n;
  cmd->add_option("case", args->name, "Case to run, or 'all':" + names)->required();
  auto* oc = cmd->add_option("--cells", args->cells,
                             "Cells along each axis (coarsest grid for convergence cases)");
  auto* ou = cmd->add_option("--courant", args->courant, "Courant number (> 0)");
  auto* orv =
      cmd->add_option("--revolutions", args->revolutions, "Revolutions (periods) of the flow");
  auto* ow = cmd->add_option("--width", args->width, "Square-wave width or Gaussian sigma [cells]");
  cmd->add_flag("--json", args->json, "Print one JSON object instead of a table");
  cmd->callback([args, oc, ou, orv, ow, &selected]() {
    selected.run = [args, oc, ou, orv, ow]() {
      verify::Options o;
      if (oc->count()) o.cells = args->cells;
      if (ou->count()) o.courant = args->courant;
      if (orv->count()) o.revolutions = args->revolutions;
      if (ow->count()) o.width = args->width;
      std::vector<std::string> todo;
      if (args->name == "all") {
        todo = verify::case_names();
      } else {
        todo = {args->name};
      }
      std::vector<verify::Result> results;
      for (const auto& n : todo) {
        results.push_back(verify::run_case(n, o, MPI_COMM_WORLD));
        if (!args->json && is_root() && todo.size() > 1) {
          std::fprintf(stderr, "verify: %s %s\n", n.c_str(),
                       results.back().passed() ? "pass" : "FAIL");
        }
      }
      bool ok = true;
      for (const auto& r : results) ok = ok && r.passed();
      if (is_root()) {
        if (args->json) {
          if (results.size() == 1) {
            std::cout << to_json(results[0]).dump(2) << "\n";
          } else {
            nlohmann::json all;
            all["cases"] = nlohmann::json::array();
            for (const auto& r : results) all["cases"].push_back(to_json(r));
            all["passed"] = ok;
            std::cout << all.dump(2) << "\n";
          }
        } else {
          print_table(results);
        }
      }
      return ok ? 0 : 1;
    };
  });
}

}  // namespace fwaq::apps

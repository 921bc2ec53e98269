// `fwaq chem ...`: chemistry tools.
//
//   fwaq chem equilibrium --input points.csv [--output out.csv] [--state metastable|stable]
//     the inorganic aerosol equilibrium (chem/thermo.hpp) of every row of a CSV file.
//     Input columns (found by name, any order, others ignored): T_K [K], RH [fraction
//     0-1], SO4_total [µg m-3 as SO4], NO3_total [µg m-3 as HNO3], NH3_total [µg m-3 as
//     NH3]. Output columns, one row per input row in the same order, each as its own
//     species [µg m-3]: NH4_p (NH4+), NO3_p (NO3-), SO4_p (SO4=), NH3_g, HNO3_g, H2O_p.
//     Without --output the CSV goes to stdout; --output is written to a temporary name
//     and renamed, so no partial file is ever left.
#include <unistd.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "apps/commands.hpp"
#include "chem/thermo.hpp"
#include "chem/tracers.hpp"
#include "core/error.hpp"
#include "obs/text_reader.hpp"

namespace fwaq::apps {

namespace {

struct EquilibriumArgs {
  std::string input;
  std::string output;
  std::string state = "metastable";
};

/// One input column: its name, the range it must lie in and the unit for messages.
struct Column {
  std::string_view name;
  double lo, hi;
  std::string_view expected;
};

constexpr std::array<Column, 5> kColumns{{
    {"T_K", 200.0, 330.0, "a temperature in [200, 330] K"},
    {"RH", 0.0, 1.0, "a relative humidity as a fraction in [0, 1]"},
    {"SO4_total", 0.0, HUGE_VAL, "a finite amount >= 0 µg m-3"},
    {"NO3_total", 0.0, HUGE_VAL, "a finite amount >= 0 µg m-3"},
    {"NH3_total", 0.0, HUGE_VAL, "a finite amount >= 0 µg m-3"},
}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

/// Reads and checks every row: totals [µmol m-3] for the solver.
std::vector<chem::ThermoInput> read_points(const std::string& path) {
  obs::LineReader reader(path);
  std::string line;
  if (!reader.next(line)) {
    throw InputError(path, "",
                     "the file is empty; expected a header line naming the columns " +
                         std::string("T_K, RH, SO4_total, NO3_total, NH3_total"));
  }
  const auto header = obs::split_csv(line);
  std::array<std::size_t, kColumns.size()> index{};
  for (std::size_t c = 0; c < kColumns.size(); ++c) {
    bool found = false;
    for (std::size_t k = 0; k < header.size() && !found; ++k) {
      if (trim(header[k]) == kColumns[c].name) {
        index[c] = k;
        found = true;
      }
    }
    if (!found) {
      throw InputError(path, std::string(kColumns[c].name),
                       "missing column in the header (line 1); expected the columns T_K, RH, "
                       "SO4_total, NO3_total, NH3_total");
    }
  }
  std::vector<chem::ThermoInput> points;
  while (reader.next(line)) {
    if (trim(line).empty()) continue;
    const auto fields = obs::split_csv(line);
    const std::string where = "line " + std::to_string(reader.line_number());
    std::array<double, kColumns.size()> v{};
    for (std::size_t c = 0; c < kColumns.size(); ++c) {
      const Column& col = kColumns[c];
      if (index[c] >= fields.size()) {
        throw InputError(path, std::string(col.name),
                         where + ": the row has " + std::to_string(fields.size()) +
                             " fields, too few to hold this column; expected " +
                             std::string(col.expected));
      }
      const std::string_view text = trim(fields[index[c]]);
      double x = 0.0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
      const bool parsed = ec == std::errc() && end == text.data() + text.size() && !text.empty();
      if (!parsed || !std::isfinite(x) || x < col.lo || x > col.hi) {
        throw InputError(
            path, std::string(col.name),
            where + ": value '" + std::string(text) + "' is not " + std::string(col.expected));
      }
      v[c] = x;
    }
    chem::ThermoInput in;
    in.temperature_K = v[0];
    in.rh = v[1];
    in.sulfate = v[2] / chem::kMolarSO4;   // [µg m-3] -> [µmol m-3]
    in.nitrate = v[3] / chem::kMolarHNO3;  // counted as HNO3
    in.ammonia = v[4] / chem::kMolarNH3;   // counted as NH3
    points.push_back(in);
  }
  return points;
}

void write_csv(std::ostream& out, const std::vector<chem::ThermoResult>& results) {
  out << "NH4_p,NO3_p,SO4_p,NH3_g,HNO3_g,H2O_p\n";
  char buf[256];
  for (const auto& r : results) {
    std::snprintf(buf, sizeof buf, "%.9g,%.9g,%.9g,%.9g,%.9g,%.9g\n", r.nh4_p() * chem::kMolarNH4,
                  r.no3_p() * chem::kMolarNO3, r.so4_p() * chem::kMolarSO4,
                  r.nh3_g * chem::kMolarNH3, r.hno3_g * chem::kMolarHNO3, r.water_ug);
    out << buf;
  }
}

int run_equilibrium(const EquilibriumArgs& a) {
  const std::vector<chem::ThermoInput> points = read_points(a.input);
  const chem::ThermoBranch branch =
      a.state == "stable" ? chem::ThermoBranch::kStable : chem::ThermoBranch::kMetastable;
  std::vector<chem::ThermoResult> results;
  results.reserve(points.size());
  for (const auto& p : points) results.push_back(chem::equilibrate(p, branch));
  if (!is_root()) return 0;
  if (a.output.empty()) {
    write_csv(std::cout, results);
    std::cout.flush();
    return 0;
  }
  namespace fs = std::filesystem;
  const fs::path final_path(a.output);
  const fs::path tmp = final_path.string() + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      throw InputError(a.output, "",
                       "cannot create the temporary file '" + tmp.string() +
                           "' next to it (is the directory writable?)");
    }
    write_csv(out, results);
    out.flush();
    if (!out) {
      out.close();
      std::error_code ec;
      fs::remove(tmp, ec);
      throw InputError(a.output, "", "cannot write the temporary file '" + tmp.string() + "'");
    }
  }
  std::error_code ec;
  fs::rename(tmp, final_path, ec);
  if (ec) {
    std::error_code ec2;
    fs::remove(tmp, ec2);
    throw InputError(a.output, "", "cannot rename the temporary file onto it: " + ec.message());
  }
  return 0;
}

}  // namespace

void add_chem_command(CLI::App& app, Command& selected) {
  auto* cmd = app.add_subcommand("chem", "Chemistry tools");
  cmd->require_subcommand(1);
  auto args = std::make_shared<EquilibriumArgs>();
  auto* eq = cmd->add_subcommand(
      "equilibrium",
      "Inorganic aerosol equilibrium (sulfate-nitrate-ammonium-water, ISORROPIA II class) of "
      "every row of a CSV file");
  eq->add_option("--input", args->input,
                 "CSV file with a header and the columns T_K [K, 200-330], RH [relative "
                 "humidity as a fraction 0-1, not percent], SO4_total [µg m-3 as SO4], "
                 "NO3_total [µg m-3 as HNO3], NH3_total [µg m-3 as NH3] (any order; other "
                 "columns are ignored)")
      ->required();
  eq->add_option("--output", args->output,
                 "Output CSV (written atomically); default: stdout. Columns NH4_p, NO3_p, "
                 "SO4_p, NH3_g, HNO3_g, H2O_p [µg m-3, each as its own species], one row per "
                 "input row");
  eq->add_option("--state", args->state,
                 "metastable: aqueous solution at any RH (default); stable: salts are solid "
                 "below their deliquescence RH")
      ->check(CLI::IsMember({"metastable", "stable"}));
  eq->callback([args, &selected]() { selected.run = [args]() { return run_equilibrium(*args); }; });
}

}  // namespace fwaq::apps

#include "report/targets.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "grid/domain.hpp"

namespace fwaq::report {

namespace fs = std::filesystem;

// ---- the targets file --------------------------------------------------------------------

namespace {

std::string line_of(const YAML::Node& n) {
  return " (line " + std::to_string(n.Mark().line + 1) + ")";
}

bool is_sustained(const YAML::Node& n) {
  if (!n.IsScalar()) return false;
  const std::string s = n.Scalar();
  return s == "sustained" || s == "sustained improvement" || s == "持续改善";
}

void check_keys(const YAML::Node& map, const std::set<std::string>& allowed,
                const std::string& file, const std::string& where) {
  if (!map.IsMap()) throw InputError(file, where, "expected a mapping" + line_of(map));
  for (const auto& kv : map) {
    const std::string key = kv.first.as<std::string>();
    if (!allowed.count(key)) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      throw InputError(file, where.empty() ? key : where + "." + key,
                       "unknown key" + line_of(kv.first) + "; expected one of " + list);
    }
  }
}

const YAML::Node require(const YAML::Node& map, const std::string& key, const std::string& file,
                         const std::string& where) {
  const YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) {
    throw InputError(file, where.empty() ? key : where + "." + key, "missing key");
  }
  return n;
}

double non_negative_number(const YAML::Node& n, const std::string& file, const std::string& key) {
  double v = 0.0;
  try {
    v = n.as<double>();
  } catch (const YAML::Exception&) {
    throw InputError(file, key,
                     "value '" + YAML::Dump(n) + "'" + line_of(n) +
                         " is not a number (or 'sustained improvement')");
  }
  if (!std::isfinite(v) || v < 0.0 || v >= 100.0) {
    throw InputError(file, key,
                     "value " + YAML::Dump(n) + line_of(n) +
                         " is out of range; expected a decrease in [0, 100) percent");
  }
  return v;
}

bool is_area(const std::string& name) {
  for (const auto& a : fenwei_areas()) {
    if (a.name == name) return true;
  }
  return false;
}

std::string area_list() {
  std::string s;
  for (const auto& a : fenwei_areas()) s += (s.empty() ? "" : ", ") + a.name;
  return s;
}

}  // namespace

Targets Targets::load(const std::string& path) {
  YAML::Node root;
  if (!fs::exists(path)) throw InputError(path, "", "targets file not found");
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::ParserException& e) {
    throw InputError(path, "",
                     "YAML syntax error at line " + std::to_string(e.mark.line + 1) + ", column " +
                         std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const YAML::Exception& e) {
    throw InputError(path, "", std::string("cannot be read: ") + e.what());
  }
  Targets t;
  t.file = path;
  check_keys(root, {"source", "region", "areas"}, path, "");
  if (root["source"].IsDefined()) t.source = root["source"].as<std::string>();
  const YAML::Node region = require(root, "region", path, "");
  check_keys(region, {"pm25_decrease_percent", "heavy_city_days_decrease_percent", "areas"}, path,
             "region");
  t.region_pm25_decrease_percent =
      non_negative_number(require(region, "pm25_decrease_percent", path, "region"), path,
                          "region.pm25_decrease_percent");
  t.region_heavy_city_days_decrease_percent =
      non_negative_number(require(region, "heavy_city_days_decrease_percent", path, "region"), path,
                          "region.heavy_city_days_decrease_percent");
  const YAML::Node ra = require(region, "areas", path, "region");
  if (!ra.IsSequence() || ra.size() == 0) {
    throw InputError(path, "region.areas", "expected a non-empty list of area names" + line_of(ra));
  }
  for (const auto& n : ra) {
    const std::string name = n.as<std::string>();
    if (!is_area(name)) {
      throw InputError(
          path, "region.areas",
          "unknown area '" + name + "'" + line_of(n) + "; expected one of " + area_list());
    }
    if (std::find(t.region_areas.begin(), t.region_areas.end(), name) != t.region_areas.end()) {
      throw InputError(path, "region.areas", "area '" + name + "' listed twice" + line_of(n));
    }
    t.region_areas.push_back(name);
  }
  const YAML::Node areas = require(root, "areas", path, "");
  if (!areas.IsSequence() || areas.size() == 0) {
    throw InputError(path, "areas", "expected a non-empty list of areas" + line_of(areas));
  }
  for (std::size_t k = 0; k < areas.size(); ++k) {
    const YAML::Node a = areas[k];
    const std::string where = "areas[" + std::to_string(k) + "]";
    check_keys(a, {"name", "name_zh", "pm25_decrease_percent", "heavy_days_fewer"}, path, where);
    AreaTarget at;
    at.name = require(a, "name", path, where).as<std::string>();
    if (!is_area(at.name)) {
      throw InputError(path, where + ".name",
                       "unknown area '" + at.name + "'" + line_of(a["name"]) +
                           "; expected one of " + area_list());
    }
    if (t.find(at.name)) {
      throw InputError(path, where + ".name", "area '" + at.name + "' listed twice" + line_of(a));
    }
    if (a["name_zh"].IsDefined()) at.name_zh = a["name_zh"].as<std::string>();
    const YAML::Node pm = require(a, "pm25_decrease_percent", path, where);
    if (!is_sustained(pm)) {
      at.pm25_decrease_percent = non_negative_number(pm, path, where + ".pm25_decrease_percent");
    }
    const YAML::Node hd = require(a, "heavy_days_fewer", path, where);
    if (!is_sustained(hd)) {
      int v = 0;
      try {
        v = hd.as<int>();
      } catch (const YAML::Exception&) {
        throw InputError(path, where + ".heavy_days_fewer",
                         "value '" + YAML::Dump(hd) + "'" + line_of(hd) +
                             " is not a whole number of days (or 'sustained improvement')");
      }
      if (v < 0) {
        throw InputError(path, where + ".heavy_days_fewer",
                         "value " + std::to_string(v) + line_of(hd) + " is negative");
      }
      at.heavy_days_fewer = v;
    }
    t.areas.push_back(at);
  }
  return t;
}

const AreaTarget* Targets::find(const std::string& name) const {
  for (const auto& a : areas) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

fs::path default_targets_file() {
  const fs::path rel = fs::path("input") / "fenwei" / "targets.yaml";
  std::vector<std::string> searched;
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec) / rel;
  searched.push_back(cwd.string());
  if (fs::is_regular_file(cwd, ec)) return cwd;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && !exe.empty()) {
    std::vector<fs::path> dirs;
    for (fs::path d = exe.parent_path(); !d.empty(); d = d.parent_path()) {
      dirs.push_back(d);
      if (d == d.root_path()) break;
    }
    for (const auto& d : dirs) {
      const fs::path p = d / rel;
      if (fs::is_regular_file(p, ec)) return p;
    }
    searched.push_back("<each parent of " + exe.parent_path().string() + ">/" + rel.string());
    for (const auto& d : dirs) {
      std::ifstream cache(d / "CMakeCache.txt");
      if (!cache) continue;
      std::string line;
      const std::string key = "fwaq_SOURCE_DIR:STATIC=";
      while (std::getline(cache, line)) {
        if (line.rfind(key, 0) == 0) {
          const fs::path p = fs::path(line.substr(key.size())) / rel;
          searched.push_back(p.string() + " (from " + (d / "CMakeCache.txt").string() + ")");
          if (fs::is_regular_file(p, ec)) return p;
          break;
        }
      }
      break;  // the nearest CMakeCache.txt is the build directory of this executable
    }
  }
  std::string list;
  for (const auto& s : searched) list += "\n  " + s;
  throw UsageError("cannot find the default targets file input/fenwei/targets.yaml; searched:" +
                   list + "\ngive it with --targets FILE");
}

// ---- comparison -----------------------------------------------------------------------------

namespace {
constexpr double kPercentTolerance = 1e-9;  // [percentage points]
}

bool pm25_target_met(double reference, double scenario, std::optional<double> decrease_percent) {
  if (!decrease_percent) return scenario < reference || (reference == 0.0 && scenario == 0.0);
  return percent_decrease_met(reference, scenario, *decrease_percent);
}

bool percent_decrease_met(double reference, double scenario, double decrease_percent) {
  if (reference == 0.0) return scenario == 0.0;
  const double change = 100.0 * (scenario - reference) / reference;
  return change <= -decrease_percent + kPercentTolerance;
}

bool heavy_days_target_met(int reference, int scenario, std::optional<int> fewer_days) {
  if (!fewer_days) return scenario < reference || (reference == 0 && scenario == 0);
  return scenario <= std::max(reference - *fewer_days, 0);
}

TargetsReport compare_with_targets(const RunSummary& ref, const RunSummary& scen,
                                   const Targets& targets) {
  TargetsReport r;
  auto info = [](const RunSummary& s) {
    RunInfo i;
    i.dir = fs::path(s.file).parent_path().string();
    i.case_name = s.case_name;
    i.state_hash = s.state_hash;
    i.start = s.start;
    i.end = s.end;
    return i;
  };
  r.reference = info(ref);
  r.scenario = info(scen);
  r.targets_file = targets.file;
  auto get = [&](const RunSummary& s, const std::string& name) -> const AreaSummary& {
    const AreaSummary* a = s.find(name);
    if (!a) {
      throw InputError(s.file, "cities",
                       "area '" + name + "' is missing; the targets file " + targets.file +
                           " has a target for it and both runs need it");
    }
    return *a;
  };
  bool all = true;
  bool days_differ = false;
  for (const auto& t : targets.areas) {
    const AreaSummary& a = get(ref, t.name);
    const AreaSummary& b = get(scen, t.name);
    AreaOutcome o;
    o.name = t.name;
    o.pm25_reference = a.pm25_mean;
    o.pm25_scenario = b.pm25_mean;
    if (a.pm25_mean <= 0.0) {
      throw InputError(ref.file, "cities." + t.name + ".pm25_mean",
                       "reference season-mean PM2.5 is 0: a percentage change is undefined");
    }
    o.pm25_change_percent = 100.0 * (b.pm25_mean - a.pm25_mean) / a.pm25_mean;
    o.pm25_target_percent = t.pm25_decrease_percent;
    o.pm25_pass = pm25_target_met(a.pm25_mean, b.pm25_mean, t.pm25_decrease_percent);
    o.heavy_days_reference = a.heavy_days;
    o.heavy_days_scenario = b.heavy_days;
    o.heavy_days_change = b.heavy_days - a.heavy_days;
    o.heavy_days_target = t.heavy_days_fewer;
    o.heavy_days_pass = heavy_days_target_met(a.heavy_days, b.heavy_days, t.heavy_days_fewer);
    o.pass = o.pm25_pass && o.heavy_days_pass;
    o.days_reference = a.days;
    o.days_scenario = b.days;
    if (a.days != b.days) days_differ = true;
    if (t.heavy_days_fewer && a.heavy_days < *t.heavy_days_fewer) {
      r.notes.push_back(t.name + ": the reference has " + std::to_string(a.heavy_days) +
                        " heavy day(s), fewer than the " + std::to_string(*t.heavy_days_fewer) +
                        "-day target; it passes only with 0 heavy days");
    }
    all = all && o.pass;
    r.areas.push_back(o);
  }

  // Region: the summaries' own figures if both have them, else computed from the areas.
  RegionOutcome& g = r.region;
  g.areas = targets.region_areas;
  g.pm25_target_percent = targets.region_pm25_decrease_percent;
  g.heavy_city_days_target_percent = targets.region_heavy_city_days_decrease_percent;
  double sum_a = 0.0, sum_b = 0.0;
  int heavy_a = 0, heavy_b = 0;
  for (const auto& name : targets.region_areas) {
    sum_a += get(ref, name).pm25_mean;
    sum_b += get(scen, name).pm25_mean;
    heavy_a += get(ref, name).heavy_days;
    heavy_b += get(scen, name).heavy_days;
  }
  const double n = static_cast<double>(targets.region_areas.size());
  g.from_summary = ref.has_region && scen.has_region;
  if (g.from_summary) {
    g.pm25_reference = ref.region_pm25_mean;
    g.pm25_scenario = scen.region_pm25_mean;
    g.heavy_city_days_reference = ref.region_heavy_city_days;
    g.heavy_city_days_scenario = scen.region_heavy_city_days;
    // summary.json rounds to 0.001 µg m-3: the mean of the rounded city values may
    // differ from the rounded region value in the last digit.
    auto check = [&](const RunSummary& s, double mean, int heavy) {
      if (std::abs(s.region_pm25_mean - mean) > 1e-4 * std::max(1.0, mean) ||
          s.region_heavy_city_days != heavy) {
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "%s: region (PM2.5 %.3f, %d heavy city-days) differs from the %zu areas "
                      "of the targets file (PM2.5 %.3f, %d); the summary's values are used",
                      s.file.c_str(), s.region_pm25_mean, s.region_heavy_city_days,
                      targets.region_areas.size(), mean, heavy);
        r.notes.push_back(buf);
      }
    };
    check(ref, sum_a / n, heavy_a);
    check(scen, sum_b / n, heavy_b);
  } else {
    g.pm25_reference = sum_a / n;
    g.pm25_scenario = sum_b / n;
    g.heavy_city_days_reference = heavy_a;
    g.heavy_city_days_scenario = heavy_b;
    r.notes.push_back(
        "region figures computed from the areas of the targets file (a summary.json "
        "has no \"region\")");
  }
  if (g.pm25_reference <= 0.0) {
    throw InputError(ref.file, "region.pm25_mean",
                     "reference region-mean PM2.5 is 0: a percentage change is undefined");
  }
  g.pm25_change_percent = 100.0 * (g.pm25_scenario - g.pm25_reference) / g.pm25_reference;
  g.pm25_pass = percent_decrease_met(g.pm25_reference, g.pm25_scenario, g.pm25_target_percent);
  g.heavy_city_days_change = g.heavy_city_days_scenario - g.heavy_city_days_reference;
  if (g.heavy_city_days_reference > 0) {
    g.heavy_city_days_change_percent =
        100.0 * g.heavy_city_days_change / static_cast<double>(g.heavy_city_days_reference);
  } else {
    r.notes.push_back(
        "region: the reference has no heavy city-days; the target passes only with "
        "0 in the scenario");
  }
  g.heavy_city_days_pass = percent_decrease_met(
      g.heavy_city_days_reference, g.heavy_city_days_scenario, g.heavy_city_days_target_percent);
  g.pass = g.pm25_pass && g.heavy_city_days_pass;
  r.pass = all && g.pass;

  const auto len_a = ref.end - ref.start;
  const auto len_b = scen.end - scen.start;
  if (len_a != len_b || days_differ) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "the seasons differ in length (reference %.2f days, scenario %.2f days); "
                  "means are compared as they are and heavy days are counted as they are",
                  len_a.count() / 86400.0, len_b.count() / 86400.0);
    r.notes.push_back(buf);
  }
  if (!ref.state_hash.empty() && ref.state_hash == scen.state_hash) {
    r.notes.push_back("both runs have the same state hash " + ref.state_hash +
                      ": the scenario equals the reference");
  }
  return r;
}

// ---- output -------------------------------------------------------------------------------

namespace {

nlohmann::ordered_json num(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json run_json(const RunInfo& i) {
  nlohmann::ordered_json j;
  j["dir"] = i.dir;
  j["case"] = i.case_name;
  j["state_hash"] = i.state_hash;
  j["period"] = {{"start", format_iso(i.start)}, {"end", format_iso(i.end)}};
  return j;
}

// Pads to a width in characters (UTF-8 code points, so "Lüliang" aligns).
std::string pad(const std::string& s, std::size_t width, bool right = false) {
  std::size_t chars = 0;
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;
  if (chars >= width) return s;
  const std::string fill(width - chars, ' ');
  return right ? fill + s : s + fill;
}

std::string fmt(const char* f, double v) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

const char* yes(bool b) {
  return b ? "yes" : "NO";
}

}  // namespace

nlohmann::ordered_json targets_json(const TargetsReport& r) {
  nlohmann::ordered_json j;
  j["reference"] = run_json(r.reference);
  j["scenario"] = run_json(r.scenario);
  j["targets_file"] = r.targets_file;
  nlohmann::ordered_json cities = nlohmann::ordered_json::object();
  for (const auto& a : r.areas) {
    nlohmann::ordered_json c;
    c["pm25_reference"] = num(a.pm25_reference);
    c["pm25_scenario"] = num(a.pm25_scenario);
    c["pm25_change_percent"] = num(a.pm25_change_percent);
    c["pm25_target_percent"] =
        a.pm25_target_percent ? nlohmann::ordered_json(*a.pm25_target_percent) : nullptr;
    c["pm25_pass"] = a.pm25_pass;
    c["heavy_days_reference"] = a.heavy_days_reference;
    c["heavy_days_scenario"] = a.heavy_days_scenario;
    c["heavy_days_change"] = a.heavy_days_change;
    c["heavy_days_target"] =
        a.heavy_days_target ? nlohmann::ordered_json(*a.heavy_days_target) : nullptr;
    c["heavy_days_pass"] = a.heavy_days_pass;
    c["pass"] = a.pass;
    c["days_reference"] = a.days_reference;
    c["days_scenario"] = a.days_scenario;
    cities[a.name] = c;
  }
  j["cities"] = cities;
  const RegionOutcome& g = r.region;
  nlohmann::ordered_json reg;
  reg["areas"] = g.areas;
  reg["from_summary"] = g.from_summary;
  reg["pm25_reference"] = num(g.pm25_reference);
  reg["pm25_scenario"] = num(g.pm25_scenario);
  reg["pm25_change_percent"] = num(g.pm25_change_percent);
  reg["pm25_target_percent"] = g.pm25_target_percent;
  reg["pm25_pass"] = g.pm25_pass;
  reg["heavy_city_days_reference"] = g.heavy_city_days_reference;
  reg["heavy_city_days_scenario"] = g.heavy_city_days_scenario;
  reg["heavy_city_days_change"] = g.heavy_city_days_change;
  reg["heavy_city_days_change_percent"] = num(g.heavy_city_days_change_percent);
  reg["heavy_city_days_target_percent"] = g.heavy_city_days_target_percent;
  reg["heavy_city_days_pass"] = g.heavy_city_days_pass;
  reg["pass"] = g.pass;
  j["region"] = reg;
  j["pass"] = r.pass;
  j["notes"] = r.notes;
  return j;
}

std::string format_targets_table(const TargetsReport& r) {
  std::ostringstream out;
  auto period = [](const RunInfo& i) { return format_iso(i.start) + " .. " + format_iso(i.end); };
  out << "Targets of the Fenwei plain 2019-2020 autumn-winter plan (Appendix 1): " << r.targets_file
      << "\n";
  out << "  reference A: " << r.reference.dir << "  (" << period(r.reference) << ")\n";
  out << "  scenario  B: " << r.scenario.dir << "  (" << period(r.scenario) << ")\n";
  out << "  PM2.5 = season mean [µg m-3], change = 100 (B - A) / A [%]; heavy days: daily AQI > "
         "200 (HJ 633-2012)\n\n";
  const std::size_t w = 17;
  out << pad("Area", w) << pad("PM2.5 A", 9, true) << pad("PM2.5 B", 9, true)
      << pad("change%", 9, true) << pad("target%", 11, true) << pad("pass", 6, true) << "   "
      << pad("heavy A", 8, true) << pad("heavy B", 8, true) << pad("change", 8, true)
      << pad("target", 11, true) << pad("pass", 6, true) << pad("overall", 9, true) << "\n";
  out << std::string(w + 9 + 9 + 9 + 11 + 6 + 3 + 8 + 8 + 8 + 11 + 6 + 9, '-') << "\n";
  for (const auto& a : r.areas) {
    const std::string pt =
        a.pm25_target_percent ? fmt("%.1f", -*a.pm25_target_percent) : std::string("sustained");
    const std::string ht =
        a.heavy_days_target ? std::to_string(-*a.heavy_days_target) : std::string("sustained");
    char change[16];
    std::snprintf(change, sizeof change, "%+d", a.heavy_days_change);
    out << pad(a.name, w) << pad(fmt("%.1f", a.pm25_reference), 9, true)
        << pad(fmt("%.1f", a.pm25_scenario), 9, true)
        << pad(fmt("%+.2f", a.pm25_change_percent), 9, true) << pad(pt, 11, true)
        << pad(yes(a.pm25_pass), 6, true) << "   "
        << pad(std::to_string(a.heavy_days_reference), 8, true)
        << pad(std::to_string(a.heavy_days_scenario), 8, true) << pad(change, 8, true)
        << pad(ht, 11, true) << pad(yes(a.heavy_days_pass), 6, true)
        << pad(a.pass ? "PASS" : "FAIL", 9, true) << "\n";
  }
  const RegionOutcome& g = r.region;
  out << "\nRegion (" << g.areas.size() << " areas"
      << (g.from_summary ? ", from summary.json" : ", computed from the areas") << "):\n";
  out << "  PM2.5 " << fmt("%.1f", g.pm25_reference) << " -> " << fmt("%.1f", g.pm25_scenario)
      << " µg m-3, change " << fmt("%+.2f", g.pm25_change_percent) << " % (target "
      << fmt("%.1f", -g.pm25_target_percent) << " %): " << yes(g.pm25_pass) << "\n";
  out << "  heavy city-days " << g.heavy_city_days_reference << " -> " << g.heavy_city_days_scenario
      << ", change " << fmt("%+.2f", g.heavy_city_days_change_percent) << " % (target "
      << fmt("%.1f", -g.heavy_city_days_target_percent) << " %): " << yes(g.heavy_city_days_pass)
      << "\n";
  std::size_t passed = 0;
  for (const auto& a : r.areas) passed += a.pass;
  out << "\nOverall: " << (r.pass ? "PASS" : "FAIL") << " (" << passed << " of " << r.areas.size()
      << " areas meet both targets; region " << (g.pass ? "meets" : "misses") << " its targets)\n";
  for (const auto& n : r.notes) out << "note: " << n << "\n";
  return out.str();
}

}  // namespace fwaq::report

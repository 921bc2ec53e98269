#include "emissions/inventory_definition.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>

#include "core/error.hpp"
#include "core/time.hpp"

namespace fwaq::emissions {

namespace {

std::string fmt(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

/// A sourced record: a mapping with `source`, `uncertainty`, optional `unit` and `note`,
/// and `value` or `values`.
struct Record {
  ConfigSection sec;
  std::string key;
};

Record record(const ConfigSection& parent, const std::string& key, InventoryDefinition& def) {
  if (!parent.has(key))
    throw InputError(parent.file(), parent.name(key), "required entry is missing");
  ConfigSection s = parent.subsection(key);
  Provenance p;
  p.key = parent.name(key);
  if (!s.has("source") || !s.has("uncertainty")) {
    throw InputError(parent.file(), p.key,
                     "every number needs 'source' and 'uncertainty' (and preferably 'unit')");
  }
  p.source = s.required<std::string>("source");
  p.uncertainty = s.required<std::string>("uncertainty");
  p.unit = s.optional<std::string>("unit", "");
  (void)s.optional<std::string>("note", "");
  def.provenance.push_back(p);
  return {s, p.key};
}

double checked(const Record& r, const std::string& what, double v, double lo, double hi) {
  if (!std::isfinite(v) || v < lo || v > hi) {
    throw InputError(r.sec.file(), r.key + (what.empty() ? "" : "." + what),
                     "value " + fmt(v) + " is outside [" + fmt(lo) + ", " + fmt(hi) + "]");
  }
  return v;
}

double scalar(const Record& r, double lo = 0.0, double hi = 1e300) {
  return checked(r, "value", r.sec.required<double>("value"), lo, hi);
}

/// `values` as an ordered list of (name, number).
std::vector<std::pair<std::string, double>> number_map(const Record& r, double lo = 0.0,
                                                       double hi = 1e300) {
  ConfigSection v = r.sec.subsection("values");
  std::vector<std::pair<std::string, double>> out;
  for (const auto& k : v.keys())
    out.emplace_back(k, checked(r, "values." + k, v.required<double>(k), lo, hi));
  return out;
}

std::vector<std::pair<std::string, std::vector<double>>> list_map(const Record& r, std::size_t n,
                                                                  double lo, double hi) {
  ConfigSection v = r.sec.subsection("values");
  std::vector<std::pair<std::string, std::vector<double>>> out;
  for (const auto& k : v.keys()) {
    auto list = v.required<std::vector<double>>(k);
    if (n != 0 && list.size() != n) {
      throw InputError(r.sec.file(), r.key + ".values." + k,
                       std::to_string(list.size()) + " values; expected " + std::to_string(n));
    }
    for (double x : list) checked(r, "values." + k, x, lo, hi);
    out.emplace_back(k, std::move(list));
  }
  return out;
}

std::optional<InvSpecies> parse_inv_species(const std::string& s) {
  for (int i = 0; i < kNumInvSpecies; ++i) {
    if (s == inv_species_name(static_cast<InvSpecies>(i))) return static_cast<InvSpecies>(i);
  }
  return std::nullopt;
}

/// Species table; missing species are 0, `default` (if allowed) fills missing ones.
InvArray species_table(const Record& r, bool allow_default = false, double hi = 1e300) {
  InvArray a{};
  std::optional<double> fallback;
  std::set<int> seen;
  for (const auto& [k, v] : number_map(r, 0.0, hi)) {
    if (allow_default && k == "default") {
      fallback = v;
      continue;
    }
    const auto s = parse_inv_species(k);
    if (!s) {
      throw InputError(r.sec.file(), r.key + ".values." + k,
                       "unknown species; expected SO2, NOx, NH3, CO, NMVOC, PM25, BC, OC, PM10" +
                           std::string(allow_default ? " or default" : ""));
    }
    a[static_cast<int>(*s)] = v;
    seen.insert(static_cast<int>(*s));
  }
  if (fallback) {
    for (int i = 0; i < kNumInvSpecies; ++i) {
      if (!seen.count(i)) a[i] = *fallback;
    }
  }
  return a;
}

Sector sector_of(const ConfigSection& s, const std::string& key, const std::string& text) {
  const auto sec = parse_sector(text);
  if (!sec) {
    throw InputError(s.file(), s.name(key),
                     "unknown sector '" + text +
                         "'; expected power, industry, residential, transportation, agriculture "
                         "or dust");
  }
  return *sec;
}

/// Per-sector table that must name every sector exactly once.
template <class T>
std::array<T, kNumSectors> per_sector(const Record& r,
                                      const std::vector<std::pair<std::string, T>>& m) {
  std::array<T, kNumSectors> out{};
  std::array<bool, kNumSectors> seen{};
  for (const auto& [k, v] : m) {
    const Sector s = sector_of(r.sec, "values." + k, k);
    out[index_of(s)] = v;
    seen[index_of(s)] = true;
  }
  for (Sector s : kAllSectors) {
    if (!seen[index_of(s)]) {
      throw InputError(r.sec.file(), r.key + ".values",
                       "no entry for sector '" + std::string(sector_name(s)) + "'");
    }
  }
  return out;
}

void parse_date(const ConfigSection& s, const std::string& key, int& y, int& m, int& d) {
  const std::string text = s.required<std::string>(key);
  TimePoint t;
  try {
    t = parse_time(text);
  } catch (const UsageError&) {
    throw InputError(s.file(), s.name(key), "'" + text + "' is not a date YYYY-MM-DD");
  }
  using namespace std::chrono;
  const year_month_day ymd{floor<days>(t)};
  y = static_cast<int>(ymd.year());
  m = static_cast<int>(static_cast<unsigned>(ymd.month()));
  d = static_cast<int>(static_cast<unsigned>(ymd.day()));
}

}  // namespace

std::string_view inv_species_name(InvSpecies s) {
  static constexpr std::array<std::string_view, kNumInvSpecies> names{
      "SO2", "NOx", "NH3", "CO", "NMVOC", "PM25", "BC", "OC", "PM10"};
  return names[static_cast<int>(s)];
}

const CityInfo* InventoryDefinition::city(const std::string& n) const {
  for (const auto& c : cities) {
    if (c.name == n) return &c;
  }
  return nullptr;
}

double InventoryDefinition::population_million() const {
  double p = 0.0;
  for (const auto& c : cities) p += c.population_million;
  return p;
}

InventoryDefinition load_inventory_definition(const ConfigSection& emissions_section) {
  const auto path = emissions_section.path("inventory");
  return load_inventory_definition(path);
}

InventoryDefinition load_inventory_definition(const std::filesystem::path& inventory_yaml) {
  const Config cfg = Config::load_unchecked(inventory_yaml.string());
  InventoryDefinition def;
  def.path = inventory_yaml.string();
  const std::string file = def.path;
  const auto base = inventory_yaml.parent_path();
  auto top = [&](const std::string& name) { return cfg.section(name); };

  // ---- identity and period ---------------------------------------------------------
  ConfigSection meta = top("inventory");
  def.name = meta.required<std::string>("name");
  (void)meta.optional<std::string>("description", "");
  {
    ConfigSection p = meta.subsection("period");
    parse_date(p, "start", def.period.start_year, def.period.start_month, def.period.start_day);
    parse_date(p, "end", def.period.end_year, def.period.end_month, def.period.end_day);
    def.period.utc_offset_hours = p.required<int>("utc_offset_hours");
    if (def.period.utc_offset_hours < -12 || def.period.utc_offset_hours > 14) {
      throw InputError(file, p.name("utc_offset_hours"), "expected -12 .. 14 hours");
    }
    if (!(def.period.end_utc() > def.period.start_utc())) {
      throw InputError(file, p.name("end"), "the period ends before it starts");
    }
    if (def.period.days() > 366.0) {
      throw InputError(file, p.name("end"), "the period is longer than one year");
    }
  }

  // ---- profiles ----------------------------------------------------------------------
  {
    ConfigSection p = top("profiles");
    def.hour_csv = base / p.required<std::string>("hour");
    def.weekday_csv = base / p.required<std::string>("weekday");
    def.vertical_csv = base / p.required<std::string>("vertical");
    ConfigSection sectors = p.subsection("sectors");
    for (Sector s : kAllSectors) {
      const std::string n(sector_name(s));
      ConfigSection ss = sectors.subsection(n);
      def.hour_profile[index_of(s)] = ss.required<std::string>("hour");
      def.weekday_profile[index_of(s)] = ss.required<std::string>("weekday");
      def.vertical_profile[index_of(s)] = ss.required<std::string>("vertical");
    }
    for (const auto& k : sectors.keys()) sector_of(sectors, k, k);
    const Record mf = record(p, "month_factors", def);
    const auto table = per_sector(mf, list_map(mf, 12, 0.0, 100.0));
    for (int s = 0; s < kNumSectors; ++s) {
      std::copy(table[s].begin(), table[s].end(), def.month_factor[s].begin());
    }
  }

  // ---- speciation ----------------------------------------------------------------------
  {
    ConfigSection sp = top("speciation");
    const Record so4 = record(sp, "pm25_so4_fraction", def);
    def.so4_fraction = per_sector(so4, number_map(so4, 0.0, 1.0));
    const Record voc = record(sp, "nmvoc_split", def);
    const auto classes = voc.sec.required<std::vector<std::string>>("classes");
    std::vector<std::string> expect;
    for (Species x : kNmvocLumps) expect.emplace_back(species_name(x));
    if (classes != expect) {
      throw InputError(file, voc.key + ".classes",
                       "must list NMVOC_ALK, NMVOC_OLE, NMVOC_ARO1, NMVOC_ARO2, NMVOC_OXY, "
                       "NMVOC_OTHER in this order");
    }
    const auto split = per_sector(voc, list_map(voc, 6, 0.0, 1.0));
    for (int s = 0; s < kNumSectors; ++s) {
      double sum = 0.0;
      for (int k = 0; k < 6; ++k) sum += split[s][k];
      if (std::abs(sum - 1.0) > 1e-6) {
        throw InputError(file, voc.key + ".values." + std::string(sector_name(kAllSectors[s])),
                         "fractions sum to " + fmt(sum) + "; expected 1");
      }
      std::copy(split[s].begin(), split[s].end(), def.nmvoc_split[s].begin());
    }
    const Record bcoc = record(sp, "pm25_bc_oc_fraction", def);
    const auto f = per_sector(bcoc, list_map(bcoc, 2, 0.0, 1.0));
    for (int s = 0; s < kNumSectors; ++s) {
      def.bc_oc_fraction[s] = {f[s][0], f[s][1]};
      if (f[s][0] + f[s][1] + def.so4_fraction[s] > 1.0 + 1e-9) {
        throw InputError(file, bcoc.key,
                         "BC + OC + SO4 fractions exceed 1 for sector " +
                             std::string(sector_name(kAllSectors[s])));
      }
    }
  }

  // ---- cities (optional: an inventory of gridded files alone has none) -----------------
  if (cfg.has("cities")) {
    ConfigSection cs = top("cities");
    const Record pop = record(cs, "population_million", def);
    const Record urb = record(cs, "urban_fraction", def);
    const Record fuel = record(cs, "fuel_per_household_t", def);
    ConfigSection prov = cs.subsection("province");
    (void)prov.required<std::string>("source");
    (void)prov.optional<std::string>("uncertainty", "");
    ConfigSection prov_values = prov.subsection("values");
    for (const auto& [name, p] : number_map(pop, 0.0, 100.0)) {
      CityInfo c;
      c.name = name;
      c.population_million = p;
      if (!prov_values.has(name)) {
        throw InputError(file, prov_values.name(name), "no province for city '" + name + "'");
      }
      c.province = prov_values.required<std::string>(name);
      def.cities.push_back(c);
    }
    auto fill = [&](const Record& r, double hi, auto setter) {
      std::set<std::string> seen;
      for (const auto& [name, v] : number_map(r, 0.0, hi)) {
        CityInfo* c = nullptr;
        for (auto& ci : def.cities) {
          if (ci.name == name) c = &ci;
        }
        if (!c) {
          throw InputError(file, r.key + ".values." + name,
                           "city '" + name + "' is not in cities.population_million");
        }
        setter(*c, v);
        seen.insert(name);
      }
      for (const auto& c : def.cities) {
        if (!seen.count(c.name)) {
          throw InputError(file, r.key + ".values", "no value for city '" + c.name + "'");
        }
      }
    };
    fill(urb, 1.0, [](CityInfo& c, double v) { c.urban_fraction = v; });
    fill(fuel, 20.0, [](CityInfo& c, double v) { c.fuel_per_household_t = v; });
    for (const auto& k : prov_values.keys()) {
      if (!def.city(k)) throw InputError(file, prov_values.name(k), "unknown city '" + k + "'");
    }
  }

  // ---- city keys (optional, as the cities) ---------------------------------------------
  if (cfg.has("city_keys")) {
    ConfigSection ks = top("city_keys");
    for (const auto& name : ks.keys()) {
      ConfigSection k = ks.subsection(name);
      CityKey key;
      const std::string basis = k.required<std::string>("base");
      if (basis == "rural_population") {
        key.rural = true;
      } else if (basis != "population") {
        throw InputError(file, k.name("base"),
                         "'" + basis + "'; expected population or rural_population");
      }
      if (k.has("times")) {
        const std::string t = k.required<std::string>("times");
        if (t != "fuel_per_household_t") {
          throw InputError(file, k.name("times"), "'" + t + "'; expected fuel_per_household_t");
        }
        key.times_fuel_per_household = true;
      }
      if (k.has("factors")) {
        const Record f = record(k, "factors", def);
        for (const auto& [city, v] : number_map(f, 0.0, 100.0)) {
          if (!def.city(city)) throw InputError(file, f.key + ".values." + city, "unknown city");
          key.factors[city] = v;
        }
      }
      def.keys[name] = key;
    }
  }

  // ---- spatial allocation ------------------------------------------------------------------
  {
    ConfigSection sp = top("spatial");
    const Record ew = record(sp, "elevation_weight", def);
    ConfigSection v = ew.sec.subsection("values");
    def.elevation_full_below_m = v.required<double>("full_below_m");
    def.elevation_zero_above_m = v.required<double>("floor_above_m");
    def.elevation_floor = v.required<double>("floor");
    if (!(def.elevation_zero_above_m > def.elevation_full_below_m) || def.elevation_floor < 0 ||
        def.elevation_floor > 1) {
      throw InputError(file, ew.key, "expected full_below_m < floor_above_m and 0 <= floor <= 1");
    }
    def.outside_density_factor = scalar(record(sp, "outside_density_factor", def), 0.0, 100.0);
  }

  // ---- national totals -------------------------------------------------------------------
  {
    ConfigSection n = top("national");
    const Record tot = record(n, "totals_2017", def);
    const InvArray tg = species_table(tot);
    for (int i = 0; i < kNumInvSpecies; ++i) def.national_2017_t[i] = tg[i] * 1e6;  // Tg -> t
    if (tot.sec.optional<std::string>("unit", "") != "Tg/yr") {
      throw InputError(file, tot.key + ".unit", "expected 'Tg/yr'");
    }
    def.national_population_million = scalar(record(n, "population_million", def), 1.0, 1e5);
    def.national_trend = species_table(record(n, "trend_to_season", def), false, 10.0);
  }

  // ---- components (optional, as the cities) ------------------------------------------------
  if (cfg.has("components")) {
    ConfigSection cs = top("components");
    for (const auto& name : cs.keys()) {
      ConfigSection c = cs.subsection(name);
      Component comp;
      comp.name = name;
      comp.sector = sector_of(c, "sector", c.required<std::string>("sector"));
      const std::string method = c.required<std::string>("method");
      comp.season_fraction = scalar(record(c, "season_fraction", def), 0.0, 1.0);
      comp.urban_share = scalar(record(c, "urban_share", def), 0.0, 1.0);
      auto need_key = [&]() {
        comp.key = c.required<std::string>("city_key");
        if (!def.keys.count(comp.key)) {
          throw InputError(file, c.name("city_key"), "no city key '" + comp.key + "' in city_keys");
        }
      };
      if (method == "household_fuel") {
        comp.method = Component::Method::kHouseholdFuel;
        const Record h = record(c, "households", def);
        for (const auto& [prov, v] : number_map(h, 0.0, 1e9)) {
          bool any = false;
          for (const auto& ci : def.cities) any = any || ci.province == prov;
          if (!any)
            throw InputError(file, h.key + ".values." + prov,
                             "no city lies in province '" + prov + "'");
          comp.households_by_province[prov] = v;
        }
        comp.emission_factor_g_per_kg = species_table(record(c, "emission_factors", def));
      } else if (method == "regional_total") {
        comp.method = Component::Method::kRegionalTotal;
        if (c.has("annual_total") == c.has("season_total")) {
          throw InputError(file, c.name("annual_total"),
                           "give exactly one of annual_total or season_total [t]");
        }
        const bool annual = c.has("annual_total");
        comp.total_t = species_table(record(c, annual ? "annual_total" : "season_total", def));
        if (!annual && comp.season_fraction != 1.0) {
          throw InputError(file, c.name("season_fraction"), "must be 1 with season_total");
        }
        need_key();
      } else if (method == "national_share") {
        comp.method = Component::Method::kNationalShare;
        comp.sector_share = species_table(record(c, "sector_share", def), false, 1.0);
        comp.intensity = species_table(record(c, "intensity", def), true, 100.0);
        comp.trend = c.has("trend") ? species_table(record(c, "trend", def), false, 10.0)
                                    : def.national_trend;
        need_key();
      } else {
        throw InputError(
            file, c.name("method"),
            "'" + method + "'; expected household_fuel, regional_total or national_share");
      }
      def.components.push_back(comp);
    }
  }

  // ---- point clusters ------------------------------------------------------------------------
  if (cfg.has("point_clusters")) {
    ConfigSection ps = top("point_clusters");
    for (const auto& name : ps.keys()) {
      ConfigSection p = ps.subsection(name);
      PointCluster pc;
      pc.name = name;
      pc.city = p.required<std::string>("city");
      if (!def.city(pc.city))
        throw InputError(file, p.name("city"), "unknown city '" + pc.city + "'");
      const Record loc = record(p, "location", def);
      const auto ll = loc.sec.required<std::vector<double>>("values");
      if (ll.size() != 2 || ll[0] < -180 || ll[0] > 360 || ll[1] < -90 || ll[1] > 90) {
        throw InputError(file, loc.key + ".values", "expected [longitude, latitude] in degrees");
      }
      pc.lon_deg = ll[0];
      pc.lat_deg = ll[1];
      pc.radius_km = scalar(record(p, "radius_km", def), 0.0, 100.0);
      pc.share_of_city_industry = scalar(record(p, "share_of_city_industry", def), 0.0, 1.0);
      def.clusters.push_back(pc);
    }
    for (const auto& c : def.cities) {
      double sum = 0.0;
      for (const auto& pc : def.clusters) {
        if (pc.city == c.name) sum += pc.share_of_city_industry;
      }
      if (sum > 1.0 + 1e-9) {
        throw InputError(file, "point_clusters",
                         "shares of " + c.name + "'s industry add up to " + fmt(sum) + " > 1");
      }
    }
  }

  // ---- gridded inventories ------------------------------------------------------------------
  if (cfg.has("gridded")) {
    ConfigSection gs = top("gridded");
    for (const auto& name : gs.keys()) {
      ConfigSection g = gs.subsection(name);
      GriddedSpec spec;
      spec.file = g.path("file");
      spec.subsamples = g.optional<int>("subsamples", 10);
      if (spec.subsamples < 1 || spec.subsamples > 100) {
        throw InputError(file, g.name("subsamples"), "expected 1 .. 100");
      }
      if (g.has("variables")) {
        for (const auto& m :
             g.required<std::vector<std::map<std::string, std::string>>>("variables")) {
          VariableRequest r;
          for (const auto& [k, v] : m) {
            if (k == "name") {
              r.name = v;
            } else if (k == "sector") {
              r.sector = v;
            } else if (k == "species") {
              r.species = v;
            } else {
              throw InputError(file, g.name("variables"),
                               "unknown key '" + k + "'; expected name, sector, species");
            }
          }
          if (r.name.empty()) throw InputError(file, g.name("variables"), "an entry has no name");
          spec.variables.push_back(r);
        }
      }
      def.gridded.push_back(spec);
    }
  }

  cfg.check_all_used();
  return def;
}

SpeciesArray speciate(const InvArray& a, Sector sector, const InventoryDefinition& def,
                      const std::string& what) {
  auto v = [&](InvSpecies s) { return a[static_cast<int>(s)]; };
  SpeciesArray out{};
  const int s = index_of(sector);
  out[index_of(Species::kSO2)] = v(InvSpecies::kSO2);
  out[index_of(Species::kNOx)] = v(InvSpecies::kNOx);
  out[index_of(Species::kNH3)] = v(InvSpecies::kNH3);
  out[index_of(Species::kCO)] = v(InvSpecies::kCO);
  for (int k = 0; k < 6; ++k)
    out[index_of(kNmvocLumps[k])] = v(InvSpecies::kNMVOC) * def.nmvoc_split[s][k];
  const double pm25 = v(InvSpecies::kPM25);
  const double bc = v(InvSpecies::kBC), oc = v(InvSpecies::kOC);
  const double so4 = def.so4_fraction[s] * pm25;
  const double other = pm25 - bc - oc - so4;
  if (other < -1e-9 * pm25 || (pm25 == 0.0 && bc + oc > 0.0)) {
    throw InputError(def.path, what,
                     "BC " + fmt(bc) + " + OC " + fmt(oc) + " + SO4 " + fmt(so4) +
                         " exceed PM2.5 " + fmt(pm25) + " (" + std::string(sector_name(sector)) +
                         ")");
  }
  out[index_of(Species::kBC)] = bc;
  out[index_of(Species::kOC)] = oc;
  out[index_of(Species::kSO4)] = so4;
  out[index_of(Species::kPM25Other)] = std::max(0.0, other);
  const double coarse = v(InvSpecies::kPM10) - pm25;
  if (coarse < -1e-9 * pm25) {
    throw InputError(def.path, what,
                     "PM10 " + fmt(v(InvSpecies::kPM10)) + " is less than PM2.5 " + fmt(pm25) +
                         " (" + std::string(sector_name(sector)) + ")");
  }
  out[index_of(Species::kPMCoarse)] = std::max(0.0, coarse);
  return out;
}

}  // namespace fwaq::emissions

#include "emissions/build.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numbers>
#include <optional>

#include "core/error.hpp"
#include "emissions/regrid.hpp"
#include "grid/horizontal_grid.hpp"

namespace fwaq::emissions {

namespace {

std::string fmt(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

double key_weight(const CityKey& key, const CityInfo& c) {
  double w = key.rural ? c.rural_population_million() : c.population_million;
  if (key.times_fuel_per_household) w *= c.fuel_per_household_t;
  auto it = key.factors.find(c.name);
  if (it != key.factors.end()) w *= it->second;
  return w;
}

/// Adds a layer with weights normalised to 1 over the cells with positive weight.
void add_layer(EmissionInventory& inv, Sector sector, int region, const std::string& label,
               const std::string& vertical, const std::vector<std::pair<std::size_t, double>>& w,
               const std::array<SpeciesArray, 12>& rates) {
  double sum = 0.0;
  for (const auto& [c, x] : w) sum += x;
  if (!(sum > 0.0)) return;
  EmissionLayer L;
  L.sector = sector;
  L.region = region;
  L.label = label;
  L.vertical = vertical;
  L.patterns.emplace_back();
  for (const auto& [c, x] : w) {
    if (x <= 0.0) continue;
    L.cells.push_back(c);
    L.patterns[0].push_back(x / sum);
  }
  L.pattern_of_month.fill(0);
  L.rate = rates;
  inv.layers.push_back(std::move(L));
}

bool any_positive(const SpeciesArray& a) {
  return std::any_of(a.begin(), a.end(), [](double v) { return v > 0.0; });
}

SpeciesArray scaled(const SpeciesArray& a, double f) {
  SpeciesArray o{};
  for (int x = 0; x < kNumSpecies; ++x) o[x] = a[x] * f;
  return o;
}

void add_gridded(const InventoryDefinition& def, const EmissionGeometry& geo,
                 const GriddedSpec& spec, const std::vector<int>& city_geo, EmissionInventory& inv,
                 std::vector<std::string>* notes) {
  const HorizontalGrid& grid = *geo.grid;
  const std::size_t ncell =
      static_cast<std::size_t>(grid.nx()) * static_cast<std::size_t>(grid.ny());
  const GriddedInventory gi = read_gridded_inventory(spec.file.string(), spec.variables, &grid);
  std::optional<ConservativeRegridder> rg;
  if (!gi.on_model_grid) rg.emplace(gi.grid, grid, spec.subsamples);
  const auto secs = def.period.month_seconds();
  const std::size_t plane = static_cast<std::size_t>(gi.nx) * static_cast<std::size_t>(gi.ny);

  // Region shares of each cell: the cities', then the rest ("outside").
  const std::size_t nreg = inv.regions.size();
  std::vector<std::vector<double>> share(nreg, std::vector<double>(ncell, 0.0));
  for (std::size_t cell = 0; cell < ncell; ++cell) {
    double sum = 0.0;
    for (std::size_t r = 0; r + 1 < nreg; ++r) {
      share[r][cell] = std::clamp(geo.city_fraction[city_geo[r]][cell], 0.0, 1.0);
      sum += share[r][cell];
    }
    if (sum > 1.0) {
      for (std::size_t r = 0; r + 1 < nreg; ++r) share[r][cell] /= sum;
      sum = 1.0;
    }
    share[nreg - 1][cell] = 1.0 - sum;
  }

  for (Sector sector : kAllSectors) {
    const int s = index_of(sector);
    // Dense model-species fields per month [kg s-1 per cell].
    std::map<int, std::vector<std::vector<double>>> fields;  // month 0..11 -> [species][cell]
    for (int m = 0; m < 12; ++m) {
      if (secs[m] == 0.0) continue;
      std::vector<std::vector<double>> direct(kNumSpecies);
      std::vector<double> pm25, pm10, voc;
      std::string pm25_var, pm10_var;
      bool has_bc_oc = false, has_so4 = false;
      for (const auto& v : gi.variables) {
        if (v.sector != sector) continue;
        for (std::size_t slot = 0; slot < v.months.size(); ++slot) {
          if (v.months[slot] != 0 && v.months[slot] != m + 1) continue;
          std::vector<double> src(v.rate.begin() + slot * plane,
                                  v.rate.begin() + (slot + 1) * plane);
          double dropped = 0.0;
          std::vector<double> f = rg ? rg->apply(src, &dropped) : src;
          if (dropped > 0.0) {
            if (v.species.kind == FileSpecies::Kind::kModel) {
              inv.dropped_kg[index_of(v.species.species)] += dropped * secs[m];
            }
            if (notes) {
              notes->push_back(gi.path + ": " + v.name + ", month " + std::to_string(m + 1) + ": " +
                               fmt(dropped * secs[m] / 1000.0) +
                               " t outside the model domain dropped");
            }
          }
          auto add_to = [&](std::vector<double>& acc) {
            if (acc.empty()) acc.assign(ncell, 0.0);
            for (std::size_t c = 0; c < ncell; ++c) acc[c] += f[c];
          };
          switch (v.species.kind) {
            case FileSpecies::Kind::kModel:
              add_to(direct[index_of(v.species.species)]);
              if (v.species.species == Species::kBC || v.species.species == Species::kOC)
                has_bc_oc = true;
              if (v.species.species == Species::kSO4) has_so4 = true;
              break;
            case FileSpecies::Kind::kTotalNmvoc:
              add_to(voc);
              break;
            case FileSpecies::Kind::kTotalPm25:
              add_to(pm25);
              pm25_var = v.name;
              break;
            case FileSpecies::Kind::kTotalPm10:
              add_to(pm10);
              pm10_var = v.name;
              break;
          }
        }
      }
      auto& out = fields[m];
      out = std::move(direct);
      for (auto& f : out) {
        if (f.empty()) f.assign(ncell, 0.0);
      }
      if (!voc.empty()) {
        for (int k = 0; k < 6; ++k) {
          auto& f = out[index_of(kNmvocLumps[k])];
          for (std::size_t c = 0; c < ncell; ++c) f[c] += voc[c] * def.nmvoc_split[s][k];
        }
      }
      if (!pm25.empty()) {
        auto& bc = out[index_of(Species::kBC)];
        auto& oc = out[index_of(Species::kOC)];
        auto& so4 = out[index_of(Species::kSO4)];
        auto& other = out[index_of(Species::kPM25Other)];
        for (std::size_t c = 0; c < ncell; ++c) {
          if (!has_bc_oc) {
            bc[c] += def.bc_oc_fraction[s][0] * pm25[c];
            oc[c] += def.bc_oc_fraction[s][1] * pm25[c];
          }
          if (!has_so4) so4[c] += def.so4_fraction[s] * pm25[c];
          const double rest = pm25[c] - bc[c] - oc[c] - so4[c];
          if (rest < -1e-9 * pm25[c] - 1e-300) {
            throw InputError(gi.path, pm25_var,
                             "PM2.5 " + fmt(pm25[c]) + " kg/s is less than BC + OC + SO4 " +
                                 fmt(bc[c] + oc[c] + so4[c]) +
                                 " kg/s in model cell (i=" + std::to_string(c % grid.nx()) +
                                 ", j=" + std::to_string(c / grid.nx()) + "), month " +
                                 std::to_string(m + 1));
          }
          other[c] += std::max(0.0, rest);
        }
      }
      if (!pm10.empty()) {
        if (pm25.empty()) {
          throw InputError(gi.path, pm10_var,
                           "PM10 needs a PM25 variable of the same sector (" +
                               std::string(sector_name(sector)) + ") to give coarse PM");
        }
        auto& pmc = out[index_of(Species::kPMCoarse)];
        for (std::size_t c = 0; c < ncell; ++c) {
          const double d = pm10[c] - pm25[c];
          if (d < -1e-9 * pm10[c] - 1e-300) {
            throw InputError(gi.path, pm10_var,
                             "PM10 " + fmt(pm10[c]) + " kg/s is less than PM2.5 " + fmt(pm25[c]) +
                                 " kg/s in model cell (i=" + std::to_string(c % grid.nx()) +
                                 ", j=" + std::to_string(c / grid.nx()) + "), month " +
                                 std::to_string(m + 1));
          }
          pmc[c] += std::max(0.0, d);
        }
      }
    }
    // One layer per region and species, with a pattern per month.
    for (std::size_t r = 0; r < nreg; ++r) {
      for (int x = 0; x < kNumSpecies; ++x) {
        EmissionLayer L;
        L.sector = sector;
        L.region = static_cast<int>(r);
        L.label = std::string(sector_name(sector)) + ": " + spec.file.filename().string() + " (" +
                  std::string(species_name(kAllSpecies[x])) + ")";
        std::vector<std::size_t> local(ncell, SIZE_MAX);
        for (const auto& [m, f] : fields) {
          for (std::size_t c = 0; c < ncell; ++c) {
            if (f[x][c] > 0.0 && share[r][c] > 0.0 && local[c] == SIZE_MAX) {
              local[c] = L.cells.size();
              L.cells.push_back(c);
            }
          }
        }
        if (L.cells.empty()) continue;
        for (const auto& [m, f] : fields) {
          std::vector<double> p(L.cells.size(), 0.0);
          double sum = 0.0;
          for (std::size_t k = 0; k < L.cells.size(); ++k) {
            p[k] = f[x][L.cells[k]] * share[r][L.cells[k]];
            sum += p[k];
          }
          if (sum == 0.0) continue;
          for (double& v : p) v /= sum;
          L.pattern_of_month[m] = static_cast<int>(L.patterns.size());
          L.patterns.push_back(std::move(p));
          L.rate[m][x] = sum;
        }
        inv.layers.push_back(std::move(L));
      }
    }
  }
}

}  // namespace

double elevation_weight(const InventoryDefinition& def, double h) {
  if (h <= def.elevation_full_below_m) return 1.0;
  if (h >= def.elevation_zero_above_m) return def.elevation_floor;
  const double t =
      (h - def.elevation_full_below_m) / (def.elevation_zero_above_m - def.elevation_full_below_m);
  return 1.0 - (1.0 - def.elevation_floor) * t;
}

std::vector<std::vector<SpeciesArray>> component_city_amounts(const InventoryDefinition& def) {
  const std::size_t nc = def.cities.size();
  std::vector<std::vector<SpeciesArray>> out(def.components.size(), std::vector<SpeciesArray>(nc));
  const double pop_share = def.population_million() / def.national_population_million;
  for (std::size_t k = 0; k < def.components.size(); ++k) {
    const Component& comp = def.components[k];
    std::vector<InvArray> t(nc);  // [t]
    if (comp.method == Component::Method::kHouseholdFuel) {
      for (const auto& [prov, households] : comp.households_by_province) {
        double rural = 0.0;
        for (const auto& c : def.cities) {
          if (c.province == prov) rural += c.rural_population_million();
        }
        if (!(rural > 0.0)) {
          throw InputError(def.path, "components." + comp.name + ".households",
                           "province " + prov + " has no rural population to share households");
        }
        for (std::size_t c = 0; c < nc; ++c) {
          const CityInfo& ci = def.cities[c];
          if (ci.province != prov) continue;
          const double fuel_t = households * ci.rural_population_million() / rural *
                                ci.fuel_per_household_t * comp.season_fraction;
          for (int x = 0; x < kNumInvSpecies; ++x) {
            t[c][x] += fuel_t * comp.emission_factor_g_per_kg[x] * 1e-3;
          }
        }
      }
    } else {
      InvArray total{};
      for (int x = 0; x < kNumInvSpecies; ++x) {
        if (comp.method == Component::Method::kRegionalTotal) {
          total[x] = comp.total_t[x] * comp.season_fraction;
        } else {
          total[x] = def.national_2017_t[x] * comp.sector_share[x] * pop_share * comp.intensity[x] *
                     comp.trend[x] * comp.season_fraction;
        }
      }
      const CityKey& key = def.keys.at(comp.key);
      double sum = 0.0;
      for (const auto& c : def.cities) sum += key_weight(key, c);
      if (!(sum > 0.0)) {
        throw InputError(def.path, "city_keys." + comp.key, "all city weights are zero");
      }
      for (std::size_t c = 0; c < nc; ++c) {
        const double w = key_weight(key, def.cities[c]) / sum;
        for (int x = 0; x < kNumInvSpecies; ++x) t[c][x] = total[x] * w;
      }
    }
    for (std::size_t c = 0; c < nc; ++c) {
      InvArray kg{};
      for (int x = 0; x < kNumInvSpecies; ++x) kg[x] = t[c][x] * 1000.0;
      out[k][c] = speciate(kg, comp.sector, def,
                           "components." + comp.name + " (" + def.cities[c].name + ")");
    }
  }
  return out;
}

TotalsTable city_totals(const InventoryDefinition& def) {
  TotalsTable t;
  for (const auto& c : def.cities) t.regions.push_back(c.name);
  t.regions.push_back("outside");
  t.resize(t.regions.size());
  const auto amounts = component_city_amounts(def);
  for (std::size_t k = 0; k < def.components.size(); ++k) {
    for (std::size_t c = 0; c < def.cities.size(); ++c) {
      for (int x = 0; x < kNumSpecies; ++x) {
        t.kg[c][index_of(def.components[k].sector)][x] += amounts[k][c][x];
      }
    }
  }
  return t;
}

std::array<SpeciesArray, 12> monthly_rates(const SpeciesArray& total_kg,
                                           const std::array<double, 12>& month_factor,
                                           const InventoryPeriod& period, const std::string& file,
                                           const std::string& what) {
  const auto secs = period.month_seconds();
  double denom = 0.0;
  for (int m = 0; m < 12; ++m) denom += month_factor[m] * secs[m];
  std::array<SpeciesArray, 12> r{};
  if (!any_positive(total_kg)) return r;
  if (!(denom > 0.0)) {
    throw InputError(file, what, "month factors are zero over the whole inventory period");
  }
  for (int m = 0; m < 12; ++m) {
    if (secs[m] == 0.0) continue;
    for (int x = 0; x < kNumSpecies; ++x) r[m][x] = total_kg[x] * month_factor[m] / denom;
  }
  return r;
}

EmissionInventory build_inventory(const InventoryDefinition& def, const EmissionGeometry& geo,
                                  std::vector<std::string>* notes) {
  const HorizontalGrid& grid = *geo.grid;
  const int nx = grid.nx(), ny = grid.ny();
  const std::size_t ncell = static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny);
  EmissionInventory inv;
  inv.name = def.name;
  inv.period = def.period;
  inv.nx = nx;
  inv.ny = ny;
  inv.hour_profile = def.hour_profile;
  inv.weekday_profile = def.weekday_profile;
  inv.vertical_profile = def.vertical_profile;
  for (const auto& c : def.cities) inv.regions.push_back(c.name);
  inv.regions.push_back("outside");
  const int outside = static_cast<int>(inv.regions.size()) - 1;

  // Cities of the definition -> masks of the domain.
  std::vector<int> city_geo;
  for (const auto& c : def.cities) {
    const int g = geo.city_index(c.name);
    if (g < 0) {
      std::string have;
      for (const auto& n : geo.city_names) have += (have.empty() ? "" : ", ") + n;
      throw InputError(def.path, "cities." + c.name,
                       "city has no mask in the model domain (the domain has: " + have + ")");
    }
    if (geo.city_fraction[g].size() != ncell) {
      throw UsageError("emission geometry: city mask '" + c.name + "' has " +
                       std::to_string(geo.city_fraction[g].size()) + " cells, grid has " +
                       std::to_string(ncell));
    }
    city_geo.push_back(g);
  }
  if ((!geo.urban_fraction.empty() && geo.urban_fraction.size() != ncell) ||
      (!geo.terrain_m.empty() && geo.terrain_m.size() != ncell)) {
    throw UsageError("emission geometry: urban fraction or terrain size differs from the grid");
  }
  std::vector<double> area(ncell), ew(ncell, 1.0), urban(ncell, 0.0), sumfrac(ncell, 0.0);
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) area[grid.mass(i, j)] = grid.cell_area(i, j);
  }
  for (std::size_t c = 0; c < ncell; ++c) {
    if (!geo.terrain_m.empty()) ew[c] = elevation_weight(def, geo.terrain_m[c]);
    if (!geo.urban_fraction.empty()) urban[c] = std::clamp(geo.urban_fraction[c], 0.0, 1.0);
    for (int g : city_geo) sumfrac[c] += std::clamp(geo.city_fraction[g][c], 0.0, 1.0);
  }

  // Urban and rural weights of each city.
  struct CityWeights {
    std::vector<std::pair<std::size_t, double>> urban, rural;
    double urban_sum = 0.0, rural_sum = 0.0, area = 0.0;
  };
  std::vector<CityWeights> cw(def.cities.size());
  for (std::size_t k = 0; k < def.cities.size(); ++k) {
    const auto& frac = geo.city_fraction[city_geo[k]];
    CityWeights& w = cw[k];
    for (std::size_t c = 0; c < ncell; ++c) {
      const double f = std::clamp(frac[c], 0.0, 1.0);
      if (f <= 0.0) continue;
      w.area += f * area[c];
      const double u = f * urban[c] * area[c];
      const double r = f * (1.0 - urban[c]) * area[c] * ew[c];
      if (u > 0.0) w.urban.emplace_back(c, u), w.urban_sum += u;
      if (r > 0.0) w.rural.emplace_back(c, r), w.rural_sum += r;
    }
    if (w.urban_sum == 0.0 && w.rural_sum == 0.0) {
      throw InputError(def.path, "cities." + def.cities[k].name,
                       "the city's mask covers no cell of the model domain");
    }
    if (notes && w.urban_sum == 0.0) {
      notes->push_back(def.cities[k].name +
                       ": no urban-core cells; urban shares go to the rest of the city");
    }
  }
  auto pattern = [&](std::size_t city, double urban_share) {
    const CityWeights& w = cw[city];
    double u = urban_share;
    if (w.urban_sum == 0.0) u = 0.0;
    if (w.rural_sum == 0.0) u = 1.0;
    std::map<std::size_t, double> p;
    if (u > 0.0) {
      for (const auto& [c, x] : w.urban) p[c] += u * x / w.urban_sum;
    }
    if (u < 1.0) {
      for (const auto& [c, x] : w.rural) p[c] += (1.0 - u) * x / w.rural_sum;
    }
    return std::vector<std::pair<std::size_t, double>>(p.begin(), p.end());
  };

  // Components by city, with the industrial clusters cut out of industry.
  const auto amounts = component_city_amounts(def);
  std::array<SpeciesArray, kNumSectors> sector_total{};
  for (std::size_t k = 0; k < def.components.size(); ++k) {
    const Component& comp = def.components[k];
    const int s = index_of(comp.sector);
    for (std::size_t c = 0; c < def.cities.size(); ++c) {
      SpeciesArray T = amounts[k][c];
      if (!any_positive(T)) continue;
      for (int x = 0; x < kNumSpecies; ++x) sector_total[s][x] += T[x];
      double cluster_share = 0.0;
      if (comp.sector == Sector::kIndustry) {
        for (const auto& pc : def.clusters) {
          if (pc.city != def.cities[c].name || pc.share_of_city_industry == 0.0) continue;
          cluster_share += pc.share_of_city_industry;
          // Even spread over a disk: sample points on a square lattice inside it.
          const int n = pc.radius_km > 0.0 ? 41 : 1;
          const double km_per_deg = 6370.0 * std::numbers::pi / 180.0;
          std::map<std::size_t, double> cells;
          int total = 0, inside = 0;
          for (int b = 0; b < n; ++b) {
            for (int a = 0; a < n; ++a) {
              const double dx = n == 1 ? 0.0 : (a + 0.5) / n * 2.0 - 1.0;
              const double dy = n == 1 ? 0.0 : (b + 0.5) / n * 2.0 - 1.0;
              if (dx * dx + dy * dy > 1.0) continue;
              ++total;
              const double lat = pc.lat_deg + dy * pc.radius_km / km_per_deg;
              const double lon =
                  pc.lon_deg + dx * pc.radius_km /
                                   (km_per_deg * std::cos(pc.lat_deg * std::numbers::pi / 180.0));
              const auto [fi, fj] = grid.index_of(lon, lat);
              const double ri = std::floor(fi + 0.5), rj = std::floor(fj + 0.5);
              if (ri < 0 || rj < 0 || ri >= nx || rj >= ny) continue;
              ++inside;
              cells[grid.mass(static_cast<int>(ri), static_cast<int>(rj))] += 1.0;
            }
          }
          if (inside == 0) {
            throw InputError(def.path, "point_clusters." + pc.name,
                             "location " + fmt(pc.lon_deg) + "E " + fmt(pc.lat_deg) +
                                 "N lies outside the model domain");
          }
          if (notes && inside < total) {
            notes->push_back(pc.name + ": " + fmt(100.0 * (total - inside) / total) +
                             " % of its disk lies outside the domain; its emission is kept inside");
          }
          if (notes) {
            const auto [fi, fj] = grid.index_of(pc.lon_deg, pc.lat_deg);
            const double ri = std::floor(fi + 0.5), rj = std::floor(fj + 0.5);
            if (ri >= 0 && rj >= 0 && ri < nx && rj < ny &&
                geo.city_fraction[city_geo[c]]
                                 [grid.mass(static_cast<int>(ri), static_cast<int>(rj))] <= 0.0) {
              notes->push_back(pc.name + ": its centre cell is not in " + pc.city + "'s mask");
            }
          }
          add_layer(inv, comp.sector, static_cast<int>(c), "industry cluster: " + pc.name, "",
                    std::vector<std::pair<std::size_t, double>>(cells.begin(), cells.end()),
                    monthly_rates(scaled(T, pc.share_of_city_industry), def.month_factor[s],
                                  def.period, def.path, "point_clusters." + pc.name));
        }
      }
      add_layer(inv, comp.sector, static_cast<int>(c), comp.name, "", pattern(c, comp.urban_share),
                monthly_rates(scaled(T, 1.0 - cluster_share), def.month_factor[s], def.period,
                              def.path, "components." + comp.name));
    }
  }

  // The rest of the domain.
  double city_area = 0.0, out_area = 0.0;
  std::vector<std::pair<std::size_t, double>> out_w;
  for (const auto& w : cw) city_area += w.area;
  for (std::size_t c = 0; c < ncell; ++c) {
    const double o = std::max(0.0, 1.0 - sumfrac[c]);
    if (o <= 0.0) continue;
    out_area += o * area[c];
    out_w.emplace_back(c, o * area[c] * ew[c]);
  }
  if (out_area > 0.0 && def.outside_density_factor > 0.0 && city_area > 0.0) {
    for (Sector sector : kAllSectors) {
      const int s = index_of(sector);
      const SpeciesArray T =
          scaled(sector_total[s], def.outside_density_factor * out_area / city_area);
      if (!any_positive(T)) continue;
      add_layer(inv, sector, outside, std::string(sector_name(sector)) + ": rest of the domain", "",
                out_w, monthly_rates(T, def.month_factor[s], def.period, def.path, "outside"));
    }
  }

  for (const auto& g : def.gridded) add_gridded(def, geo, g, city_geo, inv, notes);
  return inv;
}

}  // namespace fwaq::emissions

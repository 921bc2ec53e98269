#include "emissions/inventory_reader.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <optional>

#include "core/error.hpp"
#include "emissions/units.hpp"
#include "grid/horizontal_grid.hpp"
#include "io/netcdf_util.hpp"

namespace fwaq::emissions {

namespace {

constexpr double kDeg = std::numbers::pi / 180.0;

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string fmt(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

bool is_lat_name(const std::string& n) {
  return n == "lat" || n == "latitude";
}
bool is_lon_name(const std::string& n) {
  return n == "lon" || n == "longitude";
}
bool is_y_name(const std::string& n) {
  return n == "south_north" || n == "y";
}
bool is_x_name(const std::string& n) {
  return n == "west_east" || n == "x";
}
bool is_month_name(const std::string& n) {
  return n == "month" || n == "time";
}

/// Reads a 1-D regular coordinate; returns (first, step) in file order.
std::pair<double, double> regular_axis(const nc::NcFile& file, const std::string& name,
                                       std::size_t n) {
  const nc::VarInfo info = file.expect_dims(name, {{name, n}});
  const std::vector<double> v = file.read(info.name);
  if (n < 2) throw InputError(file.path(), name, "needs at least 2 points to define a spacing");
  const double step = (v[n - 1] - v[0]) / static_cast<double>(n - 1);
  if (step == 0.0) throw InputError(file.path(), name, "has zero spacing");
  for (std::size_t i = 1; i < n; ++i) {
    const double d = v[i] - v[i - 1];
    if (std::abs(d - step) > 1e-3 * std::abs(step)) {
      throw InputError(file.path(), name,
                       "is not regularly spaced: step " + fmt(d) + " between index " +
                           std::to_string(i - 1) + " and " + std::to_string(i) + ", mean step " +
                           fmt(step) + "; expected a regular grid");
    }
  }
  return {v[0], step};
}

}  // namespace

double LatLonGridSpec::cell_area_m2(int j) const {
  const double lat_s = (lat_deg(j) - 0.5 * dlat_deg) * kDeg;
  const double lat_n = (lat_deg(j) + 0.5 * dlat_deg) * kDeg;
  return earth_radius_m * earth_radius_m * dlon_deg * kDeg * (std::sin(lat_n) - std::sin(lat_s));
}

bool parse_file_species(const std::string& text, FileSpecies& out) {
  const std::string u = upper(text);
  if (u == "NMVOC" || u == "VOC" || u == "NMVOCS") {
    out.kind = FileSpecies::Kind::kTotalNmvoc;
    return true;
  }
  if (u == "PM25" || u == "PM2.5" || u == "PM2_5") {
    out.kind = FileSpecies::Kind::kTotalPm25;
    return true;
  }
  if (u == "PM10") {
    out.kind = FileSpecies::Kind::kTotalPm10;
    return true;
  }
  if (u == "NO2") {  // NOx reported as NO2
    out.kind = FileSpecies::Kind::kModel;
    out.species = Species::kNOx;
    return true;
  }
  if (auto s = parse_species(text)) {
    out.kind = FileSpecies::Kind::kModel;
    out.species = *s;
    return true;
  }
  return false;
}

double month_seconds(int year, int month) {
  using namespace std::chrono;
  const year_month ym{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)}};
  const sys_days first{ym / 1};
  const sys_days next{(ym + months{1}) / 1};
  return static_cast<double>((next - first).count()) * 86400.0;
}

double year_seconds(int year) {
  return std::chrono::year{year}.is_leap() ? 366.0 * 86400.0 : 365.0 * 86400.0;
}

GriddedInventory read_gridded_inventory(const std::string& path,
                                        const std::vector<VariableRequest>& requests,
                                        const HorizontalGrid* model_grid) {
  const nc::NcFile file(path);
  GriddedInventory inv;
  inv.path = path;
  if (auto y = file.att_double("", "year")) {
    if (*y < 1900 || *y > 2200 || *y != std::floor(*y)) {
      throw InputError(
          path, "year",
          "global attribute year = " + fmt(*y) + " is not a calendar year (expected e.g. 2018)");
    }
    inv.year = static_cast<int>(*y);
  }

  // Which variables to read.
  std::vector<VariableRequest> todo = requests;
  if (todo.empty()) {
    for (const auto& name : file.var_names()) {
      if (file.has_att(name, "sector") && file.has_att(name, "species"))
        todo.push_back({name, "", ""});
    }
    if (todo.empty()) {
      throw InputError(path, "",
                       "no emission variables: expected variables with attributes 'sector', "
                       "'species' and 'units'");
    }
  }

  bool grid_known = false;
  bool lat_flipped = false;
  for (const auto& req : todo) {
    if (!file.has_var(req.name)) {
      std::string names;
      for (const auto& n : file.var_names()) names += (names.empty() ? "" : ", ") + n;
      throw InputError(path, req.name, "variable is missing from the file (it has: " + names + ")");
    }
    const nc::VarInfo info = file.var(req.name);
    InventoryVariable v;
    v.name = req.name;

    // ---- dimensions: ([month,] lat, lon) or ([month,] y, x) --------------------
    const auto& d = info.dims;
    const std::size_t rank = d.size();
    const auto dims_text = [&]() {
      std::string s = "(";
      for (std::size_t k = 0; k < rank; ++k) {
        s += (k ? ", " : "") + d[k] + "=" + std::to_string(info.shape[k]);
      }
      return s + ")";
    };
    const bool latlon = rank >= 2 && is_lat_name(d[rank - 2]) && is_lon_name(d[rank - 1]);
    const bool yx = rank >= 2 && is_y_name(d[rank - 2]) && is_x_name(d[rank - 1]);
    const bool month_ok = rank == 2 || (rank == 3 && is_month_name(d[0]) &&
                                        (info.shape[0] == 1 || info.shape[0] == 12));
    if (!(latlon || yx) || !month_ok) {
      throw InputError(path, req.name,
                       "has dimensions " + dims_text() +
                           "; expected (lat, lon) or (month, lat, lon) with month of length 1 or "
                           "12 (or y/x, south_north/west_east on the model grid)");
    }
    const int ny = static_cast<int>(info.shape[rank - 2]);
    const int nx = static_cast<int>(info.shape[rank - 1]);
    if (!grid_known) {
      if (latlon) {
        auto [lat0, dlat] = regular_axis(file, d[rank - 2], info.shape[rank - 2]);
        auto [lon0, dlon] = regular_axis(file, d[rank - 1], info.shape[rank - 1]);
        if (dlon < 0) {
          throw InputError(path, d[rank - 1], "longitudes must increase west to east");
        }
        lat_flipped = dlat < 0;
        inv.grid.nlat = ny;
        inv.grid.nlon = nx;
        inv.grid.dlat_deg = std::abs(dlat);
        inv.grid.dlon_deg = dlon;
        inv.grid.lat0_deg = lat_flipped ? lat0 + (ny - 1) * dlat : lat0;
        inv.grid.lon0_deg = lon0;
        const double south = inv.grid.lat0_deg - 0.5 * inv.grid.dlat_deg;
        const double north = inv.grid.lat0_deg + (ny - 0.5) * inv.grid.dlat_deg;
        if (south < -90.0 - 1e-9 || north > 90.0 + 1e-9) {
          throw InputError(
              path, d[rank - 2],
              "cell edges beyond the poles (" + fmt(south) + " .. " + fmt(north) + " degrees)");
        }
      } else {
        if (model_grid == nullptr || model_grid->nx() != nx || model_grid->ny() != ny) {
          throw InputError(
              path, req.name,
              "has model-grid dimensions " + dims_text() +
                  (model_grid ? " but the model grid has (ny=" + std::to_string(model_grid->ny()) +
                                    ", nx=" + std::to_string(model_grid->nx()) + ")"
                              : " but no model grid was given"));
        }
        inv.on_model_grid = true;
      }
      inv.nx = nx;
      inv.ny = ny;
      grid_known = true;
    } else if (latlon == inv.on_model_grid || nx != inv.nx || ny != inv.ny) {
      throw InputError(path, req.name,
                       "has dimensions " + dims_text() +
                           " unlike the other emission variables of the file (all must share "
                           "one grid)");
    }

    // ---- attributes ------------------------------------------------------------
    const std::string sector_text =
        !req.sector.empty() ? req.sector : file.att_text(req.name, "sector").value_or("");
    const auto sector = parse_sector(sector_text);
    if (!sector) {
      throw InputError(path, req.name,
                       sector_text.empty()
                           ? "has no 'sector' attribute"
                           : "sector '" + sector_text +
                                 "' is unknown; expected power, industry, residential, "
                                 "transportation, agriculture or dust");
    }
    v.sector = *sector;
    v.species_text =
        !req.species.empty() ? req.species : file.att_text(req.name, "species").value_or("");
    if (!parse_file_species(v.species_text, v.species)) {
      throw InputError(path, req.name,
                       v.species_text.empty()
                           ? "has no 'species' attribute"
                           : "species '" + v.species_text +
                                 "' is unknown; expected a model species (SO2, NOx, NH3, CO, "
                                 "NMVOC_ALK.., PM25_BC, PM25_OC, PM25_SO4, PM25_OTHER, PM_COARSE) "
                                 "or NMVOC, PM25, PM10");
    }
    const auto units = file.att_text(req.name, "units");
    if (!units) throw InputError(path, req.name, "has no 'units' attribute");
    v.units = *units;
    const auto unit = parse_rate_unit(v.units);
    if (!unit) {
      throw InputError(
          path, req.name,
          "unit '" + v.units + "' is not supported; expected " + accepted_rate_units());
    }
    double molar_mass_kg = 0.0;
    if (unit->molar) {
      std::optional<double> mm = file.att_double(req.name, "molar_mass");
      if (!mm && v.species.kind == FileSpecies::Kind::kModel) {
        mm = molar_mass_g_per_mol(v.species.species);
      }
      if (!mm || !(*mm > 0.0)) {
        throw InputError(path, req.name,
                         "unit '" + v.units + "' is in moles but species '" + v.species_text +
                             "' has no known molar mass: add attribute molar_mass [g mol-1]");
      }
      molar_mass_kg = *mm * 1e-3;
    }
    const int nslots = rank == 3 ? static_cast<int>(info.shape[0]) : 1;
    if (nslots == 12) {
      for (int m = 1; m <= 12; ++m) v.months.push_back(m);
    } else if (auto m = file.att_double(req.name, "month")) {
      if (*m < 1 || *m > 12 || *m != std::floor(*m)) {
        throw InputError(path, req.name, "attribute month = " + fmt(*m) + "; expected 1..12");
      }
      v.months.push_back(static_cast<int>(*m));
    } else {
      v.months.push_back(0);
    }
    if (unit->per_month && (inv.year == 0 || v.months[0] == 0)) {
      throw InputError(path, req.name,
                       "unit '" + v.units +
                           "' is per month: the file needs global attribute 'year' and the "
                           "variable a month dimension of length 12 or attribute 'month'");
    }

    // ---- values: finite, present (read() checks), non-negative (here) -----------
    const std::vector<double> raw = file.read(req.name);
    const std::size_t plane = static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny);
    v.rate.assign(raw.size(), 0.0);
    const double ysec = year_seconds(inv.year == 0 ? 2001 : inv.year);  // 365 d if unknown
    for (int s = 0; s < nslots; ++s) {
      const double msec =
          (inv.year != 0 && v.months[s] != 0) ? month_seconds(inv.year, v.months[s]) : 0.0;
      for (int j = 0; j < ny; ++j) {
        const int jf = lat_flipped ? ny - 1 - j : j;  // row in the file
        double area = 0.0;
        if (unit->per_area) {
          area = inv.on_model_grid ? 0.0 : inv.grid.cell_area_m2(j);
        }
        for (int i = 0; i < nx; ++i) {
          const std::size_t src = s * plane + static_cast<std::size_t>(jf) * nx + i;
          const double value = raw[src];
          if (value < 0.0) {
            std::string where = nc::NcFile::position(info, {}, {}, src);
            if (!inv.on_model_grid) {
              where += " (" + fmt(inv.grid.lat_deg(j)) + "N, " + fmt(inv.grid.lon_deg(i)) + "E)";
            }
            throw InputError(
                path, req.name,
                "negative emission " + fmt(value) + " at " + where + "; expected values >= 0");
          }
          if (unit->per_area && inv.on_model_grid) area = model_grid->cell_area(i, j);
          v.rate[s * plane + static_cast<std::size_t>(j) * nx + i] =
              unit->to_kg_per_s(value, area, msec, ysec, molar_mass_kg);
        }
      }
    }
    inv.variables.push_back(std::move(v));
  }
  return inv;
}

}  // namespace fwaq::emissions

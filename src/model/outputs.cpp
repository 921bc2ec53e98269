#include "model/outputs.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "grid/horizontal_grid.hpp"
#include "grid/projection.hpp"
#include "io/netcdf_util.hpp"
#include "report/aqi.hpp"

namespace fwaq::model {

const std::vector<SurfaceVariable>& surface_variables() {
  static const std::vector<SurfaceVariable> v = {
      {"pm25", "PM2.5 (dry mass of particles below 2.5 um)",
       "mass_concentration_of_pm2p5_ambient_aerosol_particles_in_air"},
      {"pm10", "PM10 (PM2.5 + coarse particles)",
       "mass_concentration_of_pm10_ambient_aerosol_particles_in_air"},
      {"so4", "particulate sulfate", "mass_concentration_of_sulfate_dry_aerosol_particles_in_air"},
      {"no3", "particulate nitrate", "mass_concentration_of_nitrate_dry_aerosol_particles_in_air"},
      {"nh4", "particulate ammonium",
       "mass_concentration_of_ammonium_dry_aerosol_particles_in_air"},
      {"poa", "primary organic aerosol (organic carbon mass)", ""},
      {"soa", "secondary organic aerosol", ""},
      {"bc", "black carbon", "mass_concentration_of_elemental_carbon_dry_aerosol_particles_in_air"},
      {"opm", "other primary PM2.5 (dust, metals, non-carbon organic mass)", ""},
      {"so2", "sulfur dioxide", "mass_concentration_of_sulfur_dioxide_in_air"},
      {"no2", "nitrogen dioxide", "mass_concentration_of_nitrogen_dioxide_in_air"},
      {"no", "nitric oxide", "mass_concentration_of_nitrogen_monoxide_in_air"},
      {"co", "carbon monoxide", "mass_concentration_of_carbon_monoxide_in_air"},
      {"nh3", "ammonia gas", "mass_concentration_of_ammonia_in_air"},
      {"hno3", "nitric acid gas", "mass_concentration_of_nitric_acid_in_air"},
      {"o3", "ozone (relaxed to its climatology; see docs/science/chemistry.md)",
       "mass_concentration_of_ozone_in_air"},
      {"aerosol_water", "aerosol liquid water (not part of PM2.5)", ""},
  };
  return v;
}

void write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path tmp =
      path.string() + ".tmp." + std::to_string(static_cast<long>(::getpid()));
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    out.flush();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw InputError(path.string(), "", "cannot write the file");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw InputError(path.string(), "", "cannot rename the temporary file onto it");
  }
}

namespace {

std::string fmt(double v, int digits = 4) {
  if (!std::isfinite(v)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

TimePoint local_midnight_utc(TimePoint t, int offset_h) {
  const auto local = t + std::chrono::hours(offset_h);
  const auto day = std::chrono::floor<std::chrono::days>(local);
  return TimePoint(std::chrono::duration_cast<Seconds>(day.time_since_epoch())) -
         std::chrono::hours(offset_h);
}

}  // namespace

OutputWriter::OutputWriter(std::filesystem::path dir, const HorizontalGrid& grid, TimePoint start,
                           int hours, int utc_offset_hours, std::vector<CitySampler> cities,
                           const std::map<std::string, std::string>& attributes, int first_hour)
    : dir_(std::move(dir)),
      start_(start),
      hours_(hours),
      offset_h_(utc_offset_hours),
      nx_(grid.nx()),
      ny_(grid.ny()),
      cities_(std::move(cities)) {
  first_day_utc_ = local_midnight_utc(start, offset_h_);
  const TimePoint last = start + std::chrono::hours(hours - 1);
  days_ =
      static_cast<int>((local_midnight_utc(last, offset_h_) - first_day_utc_).count() / 86400) + 1;
  h0_ = first_hour;
  d0_ = day_of(first_hour);
  const int out_hours = hours - h0_, out_days = days_ - d0_;
  const auto& vars = surface_variables();
  const std::size_t ncell = static_cast<std::size_t>(nx_) * static_cast<std::size_t>(ny_);
  day_sum_.assign(vars.size(),
                  std::vector<double>(static_cast<std::size_t>(out_days) * ncell, 0.0));
  day_count_.assign(static_cast<std::size_t>(out_days), 0);
  city_.assign(cities_.size(), std::vector<std::vector<double>>(
                                   vars.size(), std::vector<double>(static_cast<std::size_t>(hours),
                                                                    std::nan(""))));

  nc_ = std::make_unique<nc::NcWriter>((dir_ / "fields.nc").string());
  nc::NcWriter& w = *nc_;
  w.dimension("time", static_cast<std::size_t>(out_hours));
  w.dimension("day", static_cast<std::size_t>(out_days));
  w.dimension("nv", 2);
  w.dimension("y", static_cast<std::size_t>(ny_));
  w.dimension("x", static_cast<std::size_t>(nx_));
  w.variable("time", NC_DOUBLE, {"time"}, 0);
  w.attribute("time", "standard_name", "time");
  w.attribute("time", "long_name", "valid time (instantaneous state, UTC)");
  w.attribute(
      "time", "units",
      "hours since " + format_iso(start).substr(0, 10) + " " + format_iso(start).substr(11, 8));
  w.attribute("time", "calendar", "standard");
  w.variable("day", NC_DOUBLE, {"day"}, 0);
  w.attribute("day", "standard_name", "time");
  w.attribute("day", "long_name", "start of the local day (China Standard Time, UTC+8), in UTC");
  w.attribute(
      "day", "units",
      "hours since " + format_iso(start).substr(0, 10) + " " + format_iso(start).substr(11, 8));
  w.attribute("day", "calendar", "standard");
  w.attribute("day", "bounds", "day_bounds");
  w.variable("day_bounds", NC_DOUBLE, {"day", "nv"}, 0);
  w.variable("x", NC_DOUBLE, {"x"}, 0);
  w.attribute("x", "standard_name", "projection_x_coordinate");
  w.attribute("x", "units", "m");
  w.variable("y", NC_DOUBLE, {"y"}, 0);
  w.attribute("y", "standard_name", "projection_y_coordinate");
  w.attribute("y", "units", "m");
  w.variable("lat", NC_DOUBLE, {"y", "x"}, 4);
  w.attribute("lat", "standard_name", "latitude");
  w.attribute("lat", "units", "degrees_north");
  w.variable("lon", NC_DOUBLE, {"y", "x"}, 4);
  w.attribute("lon", "standard_name", "longitude");
  w.attribute("lon", "units", "degrees_east");
  const Projection& proj = grid.projection();
  w.variable("crs", NC_INT, {}, 0);
  const ProjectionSpec& ps = proj.spec();
  if (ps.kind == ProjectionSpec::Kind::kLambertConformal) {
    w.attribute("crs", "grid_mapping_name", "lambert_conformal_conic");
    const double par[2] = {ps.truelat1_deg, ps.truelat2_deg};
    w.attribute("crs", "standard_parallel", par);
    w.attribute("crs", "longitude_of_central_meridian", ps.stand_lon_deg);
    w.attribute("crs", "latitude_of_projection_origin", ps.origin_lat_deg);
  } else {
    w.attribute("crs", "grid_mapping_name", "latitude_longitude");
  }
  w.attribute("crs", "earth_radius", ps.earth_radius_m);
  w.attribute("crs", "proj4_string", proj.proj_string());
  for (const auto& v : vars) {
    for (const std::string& name : {std::string(v.name), std::string(v.name) + "_daily"}) {
      const bool daily = name.size() > 6 && name.ends_with("_daily");
      w.variable(name, NC_FLOAT, {daily ? "day" : "time", "y", "x"}, 1, true);
      w.attribute(name, "long_name",
                  std::string(v.long_name) + (daily ? ", local-day mean" : ", lowest model layer"));
      w.attribute(name, "units", "ug m-3");
      const std::string base = v.name;
      if (base == "so2" || base == "no2" || base == "no" || base == "co" || base == "nh3" ||
          base == "hno3" || base == "o3") {
        w.attribute(name, "comment",
                    "gas at the reference state 298.15 K, 1013.25 hPa (as China's monitoring "
                    "network reports gases)");
      }
      if (*v.standard_name) w.attribute(name, "standard_name", v.standard_name);
      w.attribute(name, "coordinates", "lat lon");
      w.attribute(name, "grid_mapping", "crs");
      if (daily) w.attribute(name, "cell_methods", "day: mean");
    }
  }
  w.attribute("", "Conventions", "CF-1.8");
  for (const auto& [k, v] : attributes) w.attribute("", k, v);

  std::vector<double> t(static_cast<std::size_t>(out_hours));
  for (int h = 0; h < out_hours; ++h) t[static_cast<std::size_t>(h)] = h0_ + h;
  w.write("time", t);
  std::vector<double> d(static_cast<std::size_t>(out_days)),
      db(2 * static_cast<std::size_t>(out_days));
  for (int k = 0; k < out_days; ++k) {
    const double h0 = seconds_between(start, first_day_utc_ + std::chrono::days(d0_ + k)) / 3600.0;
    d[static_cast<std::size_t>(k)] = h0;
    db[2 * static_cast<std::size_t>(k)] = h0;
    db[2 * static_cast<std::size_t>(k) + 1] = h0 + 24.0;
  }
  w.write("day", d);
  w.write("day_bounds", db);
  std::vector<double> xs(static_cast<std::size_t>(nx_)), ys(static_cast<std::size_t>(ny_));
  for (int i = 0; i < nx_; ++i) xs[static_cast<std::size_t>(i)] = grid.x_at(i);
  for (int j = 0; j < ny_; ++j) ys[static_cast<std::size_t>(j)] = grid.y_at(j);
  w.write("x", xs);
  w.write("y", ys);
  w.write("lat", grid.lat_array());
  w.write("lon", grid.lon_array());
}

OutputWriter::~OutputWriter() = default;

int OutputWriter::day_of(int hour) const {
  const TimePoint t = start_ + std::chrono::hours(hour);
  return static_cast<int>((local_midnight_utc(t, offset_h_) - first_day_utc_).count() / 86400);
}

OutputWriter::Accumulators OutputWriter::accumulators(int hour) const {
  Accumulators a;
  a.hour = hour;
  a.city.resize(city_.size());
  for (std::size_t c = 0; c < city_.size(); ++c) {
    for (const auto& series : city_[c]) {
      a.city[c].emplace_back(series.begin(), series.begin() + hour);
    }
  }
  const std::size_t ncell = static_cast<std::size_t>(nx_) * static_cast<std::size_t>(ny_);
  a.day = hour > 0 ? day_of(hour - 1) : 0;
  const int local = a.day - d0_;
  a.day_count = hour > 0 && local >= 0 ? day_count_[static_cast<std::size_t>(local)] : 0;
  for (const auto& sums : day_sum_) {
    if (hour > 0 && local >= 0) {
      a.day_sum.emplace_back(sums.begin() + static_cast<std::ptrdiff_t>(local * ncell),
                             sums.begin() + static_cast<std::ptrdiff_t>((local + 1) * ncell));
    } else {
      a.day_sum.emplace_back(ncell, 0.0);
    }
  }
  return a;
}

void OutputWriter::restore(const Accumulators& a) {
  if (a.hour != h0_ || a.city.size() != city_.size()) {
    throw std::invalid_argument("OutputWriter::restore: accumulators of hour " +
                                std::to_string(a.hour) + " for a writer starting at hour " +
                                std::to_string(h0_));
  }
  for (std::size_t c = 0; c < city_.size(); ++c) {
    for (std::size_t v = 0; v < city_[c].size() && v < a.city[c].size(); ++v) {
      std::copy(a.city[c][v].begin(), a.city[c][v].end(), city_[c][v].begin());
    }
  }
  // The day cut by the restart continues from its sums so far.
  if (a.day == d0_ && a.day_count > 0) {
    const std::size_t ncell = static_cast<std::size_t>(nx_) * static_cast<std::size_t>(ny_);
    day_count_[0] = a.day_count;
    for (std::size_t v = 0; v < day_sum_.size(); ++v) {
      std::copy(a.day_sum[v].begin(), a.day_sum[v].begin() + static_cast<std::ptrdiff_t>(ncell),
                day_sum_[v].begin());
    }
  }
}

void OutputWriter::add_hour(int h, const std::vector<std::vector<double>>& values) {
  const auto& vars = surface_variables();
  const std::size_t ncell = static_cast<std::size_t>(nx_) * static_cast<std::size_t>(ny_);
  const std::size_t start[3] = {static_cast<std::size_t>(h - h0_), 0, 0};
  const std::size_t count[3] = {1, static_cast<std::size_t>(ny_), static_cast<std::size_t>(nx_)};
  const int day = day_of(h) - d0_;
  ++day_count_[static_cast<std::size_t>(day)];
  for (std::size_t v = 0; v < vars.size(); ++v) {
    nc_->write(vars[v].name, values[v], start, count);
    double* ds = day_sum_[v].data() + static_cast<std::size_t>(day) * ncell;
    for (std::size_t c = 0; c < ncell; ++c) ds[c] += values[v][c];
    for (std::size_t ci = 0; ci < cities_.size(); ++ci) {
      double s = 0.0;
      for (std::size_t c : cities_[ci].cells) s += values[v][c];
      city_[ci][v][static_cast<std::size_t>(h)] = s / static_cast<double>(cities_[ci].cells.size());
    }
  }
}

void OutputWriter::finish(nlohmann::json& summary) {
  const auto& vars = surface_variables();
  const std::size_t ncell = static_cast<std::size_t>(nx_) * static_cast<std::size_t>(ny_);
  // A local day counts when it has at least 20 hourly values (HJ 663-2013's rule for a
  // valid daily mean); the fields of other days are written as NaN.
  constexpr int kMinHours = 20;
  for (std::size_t v = 0; v < vars.size(); ++v) {
    std::vector<double> out(static_cast<std::size_t>(days_ - d0_) * ncell);
    for (int d = 0; d < days_ - d0_; ++d) {
      const int n = day_count_[static_cast<std::size_t>(d)];
      for (std::size_t c = 0; c < ncell; ++c) {
        const std::size_t at = static_cast<std::size_t>(d) * ncell + c;
        out[at] = n >= kMinHours ? day_sum_[v][at] / n : std::nan("");
      }
    }
    nc_->write(std::string(vars[v].name) + "_daily", out);
  }

  // City series.
  std::ostringstream hourly;
  hourly << "city,time,pm25,pm10,so2,no2,co\n";
  std::ostringstream daily;
  daily << "city,date,pm25,pm10,so2,no2,co,aqi,primary_pollutant,category\n";
  nlohmann::json cities = nlohmann::json::object();
  double region_pm25 = 0.0;
  int region_n = 0, region_heavy = 0;
  for (std::size_t ci = 0; ci < cities_.size(); ++ci) {
    const auto& s = city_[ci];
    for (int h = h0_; h < hours_; ++h) {
      const auto hh = static_cast<std::size_t>(h);
      hourly << cities_[ci].name << "," << format_iso(start_ + std::chrono::hours(h)) << ","
             << fmt(s[kPm25][hh], 3) << "," << fmt(s[kPm10][hh], 3) << "," << fmt(s[kSo2][hh], 3)
             << "," << fmt(s[kNo2][hh], 3) << "," << fmt(s[kCo][hh] / 1000.0, 4) << "\n";
    }
    double sum_pm25 = 0, sum_pm10 = 0, sum_so2 = 0, sum_no2 = 0;
    int ndays = 0, heavy = 0;
    std::map<std::string, int> categories;
    for (int d = 0; d < days_; ++d) {
      double m[kNumSurfaceVars] = {};
      int n = 0;
      for (int h = 0; h < hours_; ++h) {
        const TimePoint t = start_ + std::chrono::hours(h);
        if (local_midnight_utc(t, offset_h_) != first_day_utc_ + std::chrono::days(d)) continue;
        for (int v = 0; v < kNumSurfaceVars; ++v) {
          m[v] += s[static_cast<std::size_t>(v)][static_cast<std::size_t>(h)];
        }
        ++n;
      }
      if (n < kMinHours) continue;
      for (double& x : m) x /= n;
      report::DailyConcentrations c;
      c.pm25 = m[kPm25];
      c.pm10 = m[kPm10];
      c.so2 = m[kSo2];
      c.no2 = m[kNo2];
      c.co = m[kCo] / 1000.0;  // [mg m-3]
      const report::AqiResult a = report::daily_aqi(c);
      std::string primary;
      for (const auto& p : a.primary) primary += (primary.empty() ? "" : ";") + p;
      if (primary.empty()) primary = "-";
      const std::string date =
          format_date(first_day_utc_ + std::chrono::days(d) + std::chrono::hours(offset_h_));
      if (d >= d0_) {
        daily << cities_[ci].name << "," << date << "," << fmt(m[kPm25], 2) << ","
              << fmt(m[kPm10], 2) << "," << fmt(m[kSo2], 2) << "," << fmt(m[kNo2], 2) << ","
              << fmt(c.co.value(), 3) << "," << a.aqi << "," << primary << "," << a.category
              << "\n";
      }
      sum_pm25 += m[kPm25];
      sum_pm10 += m[kPm10];
      sum_so2 += m[kSo2];
      sum_no2 += m[kNo2];
      ++ndays;
      heavy += report::is_heavy(a.aqi) ? 1 : 0;
      ++categories[a.category];
    }
    const double nd = std::max(1, ndays);
    nlohmann::json cj;
    cj["pm25_mean"] = std::round(sum_pm25 / nd * 1000.0) / 1000.0;
    cj["heavy_days"] = heavy;
    cj["pm10_mean"] = std::round(sum_pm10 / nd * 1000.0) / 1000.0;
    cj["so2_mean"] = std::round(sum_so2 / nd * 1000.0) / 1000.0;
    cj["no2_mean"] = std::round(sum_no2 / nd * 1000.0) / 1000.0;
    cj["days"] = ndays;
    cj["category_days"] = categories;
    cj["cells"] = cities_[ci].cells.size();
    cities[cities_[ci].name] = cj;
    if (cities_[ci].in_region) {
      region_pm25 += sum_pm25 / nd;
      ++region_n;
      region_heavy += heavy;
    }
  }
  summary["cities"] = cities;
  summary["region"] = {
      {"pm25_mean", std::round(region_pm25 / std::max(1, region_n) * 1000.0) / 1000.0},
      {"heavy_city_days", region_heavy},
      {"areas", region_n},
      {"definition",
       "mean (PM2.5) and sum (heavy days) over the 11 cities and Yangling; Xixian New Area and "
       "Hancheng lie inside them"}};
  if (region_n == 0) {
    // A domain without the Fenwei areas (e.g. the grid of met files elsewhere): no mean.
    summary["region"]["pm25_mean"] = nullptr;
    summary["region"]["note"] = "no area of the region lies in the model domain";
  }

  write_file_atomically(dir_ / "cities_hourly.csv", hourly.str());
  write_file_atomically(dir_ / "cities_daily.csv", daily.str());
  nc_->commit();
  write_file_atomically(dir_ / "summary.json", summary.dump(2) + "\n");
}

}  // namespace fwaq::model

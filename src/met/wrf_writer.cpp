#include "met/wrf_writer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <future>
#include <map>

#include "core/error.hpp"
#include "io/netcdf_util.hpp"

namespace fwaq {

namespace {

constexpr double kG = 9.81;          // [m s-2], WRF
constexpr double kP0 = 1.0e5;        // [Pa]
constexpr double kRdCp = 2.0 / 7.0;  // R_d / c_p, WRF (c_p = 7 R_d / 2)
constexpr double kT0 = 300.0;        // WRF's θ offset [K]

// U.S. Standard Atmosphere 1976 pressure [Pa] at geopotential height z [m]
// (layers below 32 km; NOAA-S/T 76-1562). Used only as WRF's base state PB.
double standard_pressure(double z) {
  constexpr double g0 = 9.80665, rd = 287.05;
  if (z <= 11000.0) return 101325.0 * std::pow(1.0 - 0.0065 * z / 288.15, g0 / (rd * 0.0065));
  if (z <= 20000.0) return 22632.06 * std::exp(-g0 * (z - 11000.0) / (rd * 216.65));
  return 5474.889 * std::pow(1.0 + 0.001 * (z - 20000.0) / 216.65, -g0 / (rd * 0.001));
}

struct VarDef {
  const char* name;
  std::vector<std::string> dims;
  const char* description;
  const char* units;
  const char* stagger;
  const char* memory_order;
};

}  // namespace

std::string wrfout_name(TimePoint first, int domain) {
  char d[8];
  std::snprintf(d, sizeof d, "d%02d", domain);
  return std::string("wrfout_") + d + "_" + format_wrf(first);
}

void write_wrfout(const std::filesystem::path& path, const HorizontalGrid& grid,
                  std::span<const MetRecord> records, std::span<const Field> rain,
                  const WrfWriteOptions& opt) {
  const int nx = grid.nx(), ny = grid.ny();
  if (records.empty()) throw UsageError("write_wrfout: no records for " + path.string());
  if (rain.size() != records.size()) {
    throw UsageError("write_wrfout: " + std::to_string(records.size()) + " records but " +
                     std::to_string(rain.size()) + " precipitation fields for " + path.string());
  }
  const int nz = records[0].nz;
  for (std::size_t n = 0; n < records.size(); ++n) {
    const MetRecord& r = records[n];
    if (r.nx != nx || r.ny != ny || r.nz != nz || rain[n].nx() != nx || rain[n].ny() != ny) {
      throw UsageError("write_wrfout: record " + std::to_string(n) + " (" + format_iso(r.time) +
                       ") is " + std::to_string(r.nx) + " x " + std::to_string(r.ny) + " x " +
                       std::to_string(r.nz) + ", expected " + std::to_string(nx) + " x " +
                       std::to_string(ny) + " x " + std::to_string(nz));
    }
    if (n > 0 && !(r.time > records[n - 1].time)) {
      throw UsageError("write_wrfout: record times must increase (" + format_iso(r.time) +
                       " after " + format_iso(records[n - 1].time) + ")");
    }
  }
  const Projection& proj = grid.projection();
  int map_proj = 0;
  if (proj.kind() == ProjectionSpec::Kind::kLambertConformal) {
    map_proj = 1;
  } else if (proj.kind() == ProjectionSpec::Kind::kLatLon) {
    map_proj = 6;
  } else {
    throw UsageError("write_wrfout: the grid's projection (" + proj.proj_string() +
                     ") has no WRF MAP_PROJ code; use Lambert conformal or lat-lon");
  }

  nc::NcWriter w(path.string());
  w.dimension("Time", 0);
  w.dimension("DateStrLen", 19);
  w.dimension("west_east", static_cast<std::size_t>(nx));
  w.dimension("south_north", static_cast<std::size_t>(ny));
  w.dimension("bottom_top", static_cast<std::size_t>(nz));
  w.dimension("west_east_stag", static_cast<std::size_t>(nx) + 1);
  w.dimension("south_north_stag", static_cast<std::size_t>(ny) + 1);
  w.dimension("bottom_top_stag", static_cast<std::size_t>(nz) + 1);

  const std::vector<std::string> d2 = {"Time", "south_north", "west_east"};
  const std::vector<std::string> d2u = {"Time", "south_north", "west_east_stag"};
  const std::vector<std::string> d2v = {"Time", "south_north_stag", "west_east"};
  const std::vector<std::string> d3 = {"Time", "bottom_top", "south_north", "west_east"};
  const std::vector<std::string> d3u = {"Time", "bottom_top", "south_north", "west_east_stag"};
  const std::vector<std::string> d3v = {"Time", "bottom_top", "south_north_stag", "west_east"};
  const std::vector<std::string> d3w = {"Time", "bottom_top_stag", "south_north", "west_east"};
  const std::string start_txt = format_wrf(opt.simulation_start);
  const std::string xtime_units =
      "minutes since " + start_txt.substr(0, 10) + " " + start_txt.substr(11);
  const std::vector<VarDef> vars = {
      {"XTIME", {"Time"}, xtime_units.c_str(), xtime_units.c_str(), "", "0  "},
      {"XLAT", d2, "LATITUDE, SOUTH IS NEGATIVE", "degree_north", "", "XY "},
      {"XLONG", d2, "LONGITUDE, WEST IS NEGATIVE", "degree_east", "", "XY "},
      {"XLAT_U", d2u, "LATITUDE, SOUTH IS NEGATIVE", "degree_north", "X", "XY "},
      {"XLONG_U", d2u, "LONGITUDE, WEST IS NEGATIVE", "degree_east", "X", "XY "},
      {"XLAT_V", d2v, "LATITUDE, SOUTH IS NEGATIVE", "degree_north", "Y", "XY "},
      {"XLONG_V", d2v, "LONGITUDE, WEST IS NEGATIVE", "degree_east", "Y", "XY "},
      {"MAPFAC_M", d2, "Map scale factor on mass grid", "", "", "XY "},
      {"MAPFAC_U", d2u, "Map scale factor on u-grid", "", "X", "XY "},
      {"MAPFAC_V", d2v, "Map scale factor on v-grid", "", "Y", "XY "},
      {"MAPFAC_MX", d2, "Map scale factor on mass grid, x direction", "", "", "XY "},
      {"MAPFAC_MY", d2, "Map scale factor on mass grid, y direction", "", "", "XY "},
      {"HGT", d2, "Terrain Height", "m", "", "XY "},
      {"COSALPHA", d2, "Local cosine of map rotation", "", "", "XY "},
      {"SINALPHA", d2, "Local sine of map rotation", "", "", "XY "},
      {"ZNU", {"Time", "bottom_top"}, "eta values on half (mass) levels", "", "", "Z  "},
      {"ZNW", {"Time", "bottom_top_stag"}, "eta values on full (w) levels", "", "Z", "Z  "},
      {"P_TOP", {"Time"}, "PRESSURE TOP OF THE MODEL", "Pa", "", "0  "},
      {"U", d3u, "x-wind component", "m s-1", "X", "XYZ"},
      {"V", d3v, "y-wind component", "m s-1", "Y", "XYZ"},
      {"W", d3w, "z-wind component", "m s-1", "Z", "XYZ"},
      {"PH", d3w, "perturbation geopotential", "m2 s-2", "Z", "XYZ"},
      {"PHB", d3w, "base-state geopotential", "m2 s-2", "Z", "XYZ"},
      {"T", d3, "perturbation potential temperature (theta-t0)", "K", "", "XYZ"},
      {"P", d3, "perturbation pressure", "Pa", "", "XYZ"},
      {"PB", d3, "BASE STATE PRESSURE", "Pa", "", "XYZ"},
      {"QVAPOR", d3, "Water vapor mixing ratio", "kg kg-1", "", "XYZ"},
      {"QCLOUD", d3, "Cloud water mixing ratio", "kg kg-1", "", "XYZ"},
      {"PBLH", d2, "PBL HEIGHT", "m", "", "XY "},
      {"UST", d2, "U* IN SIMILARITY THEORY", "m s-1", "", "XY "},
      {"HFX", d2, "UPWARD HEAT FLUX AT THE SURFACE", "W m-2", "", "XY "},
      {"T2", d2, "TEMP at 2 M", "K", "", "XY "},
      {"U10", d2, "U at 10 M", "m s-1", "", "XY "},
      {"V10", d2, "V at 10 M", "m s-1", "", "XY "},
      {"PSFC", d2, "SFC PRESSURE", "Pa", "", "XY "},
      {"SWDOWN", d2, "DOWNWARD SHORT WAVE FLUX AT GROUND SURFACE", "W m-2", "", "XY "},
      {"RAINC", d2, "ACCUMULATED TOTAL CUMULUS PRECIPITATION", "mm", "", "XY "},
      {"RAINNC", d2, "ACCUMULATED TOTAL GRID SCALE PRECIPITATION", "mm", "", "XY "},
  };
  w.variable("Times", NC_CHAR, {"Time", "DateStrLen"}, 0);
  for (const VarDef& v : vars) {
    w.variable(v.name, NC_FLOAT, v.dims, v.dims.size() > 1 ? opt.deflate_level : 0);
    w.attribute(v.name, "FieldType", 104.0, NC_INT);
    w.attribute(v.name, "MemoryOrder", v.memory_order);
    w.attribute(v.name, "description", v.description);
    w.attribute(v.name, "units", v.units);
    w.attribute(v.name, "stagger", v.stagger);
    const std::string name = v.name;
    if (v.dims.size() >= 3 && name.rfind("XLAT", 0) != 0 && name.rfind("XLONG", 0) != 0) {
      const std::string& last = v.dims.back();
      const std::string& ydim = v.dims[v.dims.size() - 2];
      if (last == "west_east_stag") {
        w.attribute(v.name, "coordinates", "XLONG_U XLAT_U XTIME");
      } else if (ydim == "south_north_stag") {
        w.attribute(v.name, "coordinates", "XLONG_V XLAT_V XTIME");
      } else {
        w.attribute(v.name, "coordinates", "XLONG XLAT XTIME");
      }
    }
  }

  // Global attributes.
  const GeoPoint cen = grid.lonlat_at_index(0.5 * (nx - 1), 0.5 * (ny - 1));
  const ProjectionSpec& ps = proj.spec();
  w.attribute("", "TITLE", opt.title);
  w.attribute("", "START_DATE", start_txt);
  w.attribute("", "SIMULATION_START_DATE", start_txt);
  w.attribute("", "WEST-EAST_GRID_DIMENSION", nx + 1.0, NC_INT);
  w.attribute("", "SOUTH-NORTH_GRID_DIMENSION", ny + 1.0, NC_INT);
  w.attribute("", "BOTTOM-TOP_GRID_DIMENSION", nz + 1.0, NC_INT);
  w.attribute("", "DX", grid.dx(), NC_FLOAT);
  w.attribute("", "DY", grid.dy(), NC_FLOAT);
  w.attribute("", "GRIDTYPE", "C");
  w.attribute("", "CEN_LAT", cen.lat_deg, NC_FLOAT);
  w.attribute("", "CEN_LON", cen.lon_deg, NC_FLOAT);
  w.attribute("", "TRUELAT1", map_proj == 1 ? ps.truelat1_deg : 0.0, NC_FLOAT);
  w.attribute("", "TRUELAT2", map_proj == 1 ? ps.truelat2_deg : 0.0, NC_FLOAT);
  w.attribute("", "MOAD_CEN_LAT", cen.lat_deg, NC_FLOAT);
  w.attribute("", "STAND_LON", map_proj == 1 ? ps.stand_lon_deg : 0.0, NC_FLOAT);
  w.attribute("", "POLE_LAT", 90.0, NC_FLOAT);
  w.attribute("", "POLE_LON", 0.0, NC_FLOAT);
  {
    const auto day = std::chrono::floor<std::chrono::days>(opt.simulation_start);
    const std::chrono::year_month_day ymd{day};
    const auto jan1 = std::chrono::sys_days(ymd.year() / std::chrono::January / 1);
    w.attribute("", "GMT", seconds_between(day, opt.simulation_start) / 3600.0, NC_FLOAT);
    w.attribute("", "JULYR", static_cast<double>(static_cast<int>(ymd.year())), NC_INT);
    w.attribute("", "JULDAY", static_cast<double>((day - jan1).count() + 1), NC_INT);
  }
  w.attribute("", "MAP_PROJ", static_cast<double>(map_proj), NC_INT);
  w.attribute("", "EARTH_RADIUS_M", ps.earth_radius_m, NC_DOUBLE);
  for (const auto& [k, v] : opt.text_attributes) w.attribute("", k, v);

  // Static 2-D fields (written at every time, as WRF does).
  const std::size_t n2 = static_cast<std::size_t>(nx) * ny;
  const std::size_t n2u = static_cast<std::size_t>(nx + 1) * ny;
  const std::size_t n2v = static_cast<std::size_t>(nx) * (ny + 1);
  std::vector<double> xlat(n2), xlong(n2), mf(n2), mfx(n2), mfy(n2), cosa(n2), sina(n2);
  std::vector<double> xlat_u(n2u), xlong_u(n2u), mf_u(n2u), xlat_v(n2v), xlong_v(n2v), mf_v(n2v);
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      const std::size_t c = grid.mass(i, j);
      xlat[c] = grid.lat(i, j);
      xlong[c] = grid.lon(i, j);
      mf[c] = grid.mapfac_mx(i, j);
      mfx[c] = grid.mapfac_mx(i, j);
      mfy[c] = grid.mapfac_my(i, j);
      // Map rotation: the earth-north unit vector in grid axes is (sin α, cos α).
      const double dl = 0.01;
      const ProjectedPoint a = proj.forward(xlong[c], xlat[c] - dl);
      const ProjectedPoint b = proj.forward(xlong[c], xlat[c] + dl);
      const double ex = b.x_m - a.x_m, ey = b.y_m - a.y_m, len = std::hypot(ex, ey);
      sina[c] = ex / len;
      cosa[c] = ey / len;
    }
    for (int i = 0; i <= nx; ++i) {
      const GeoPoint g = grid.lonlat_at_index(i - 0.5, j);
      xlat_u[grid.uidx(i, j)] = g.lat_deg;
      xlong_u[grid.uidx(i, j)] = g.lon_deg;
      mf_u[grid.uidx(i, j)] = grid.mapfac_ux(i, j);
    }
  }
  for (int j = 0; j <= ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      const GeoPoint g = grid.lonlat_at_index(i, j - 0.5);
      xlat_v[grid.vidx(i, j)] = g.lat_deg;
      xlong_v[grid.vidx(i, j)] = g.lon_deg;
      mf_v[grid.vidx(i, j)] = grid.mapfac_vy(i, j);
    }
  }

  const std::size_t n3 = n2 * nz, n3w = n2 * (nz + 1);
  std::vector<double> ph(n3w, 0.0), phb(n3w), tpert(n3), pp(n3), pb(n3);
  for (std::size_t n = 0; n < records.size(); ++n) {
    const MetRecord& r = records[n];
    const std::size_t t = n;
    w.write_text("Times", format_wrf(r.time), std::vector<std::size_t>{t, 0},
                 std::vector<std::size_t>{1, 19});
    const double xt = seconds_between(opt.simulation_start, r.time) / 60.0;
    const std::size_t s1[1] = {t}, c1[1] = {1};
    w.write("XTIME", std::span<const double>(&xt, 1), s1, c1);

    auto put2 = [&](const char* name, const std::vector<double>& v, std::size_t len_y,
                    std::size_t len_x) {
      const std::size_t s[3] = {t, 0, 0}, c[3] = {1, len_y, len_x};
      w.write(name, v, s, c);
    };
    auto put2f = [&](const char* name, const Field& f) {
      const std::size_t s[3] = {t, 0, 0};
      const std::size_t c[3] = {1, static_cast<std::size_t>(f.ny()),
                                static_cast<std::size_t>(f.nx())};
      w.write(name, std::span<const double>(f.data(), f.size()), s, c);
    };
    auto put3 = [&](const char* name, std::span<const double> v, std::size_t lz, std::size_t ly,
                    std::size_t lx) {
      const std::size_t s[4] = {t, 0, 0, 0}, c[4] = {1, lz, ly, lx};
      w.write(name, v, s, c);
    };
    const std::size_t ux = nx, uy = ny;
    put2("XLAT", xlat, uy, ux);
    put2("XLONG", xlong, uy, ux);
    put2("XLAT_U", xlat_u, uy, ux + 1);
    put2("XLONG_U", xlong_u, uy, ux + 1);
    put2("XLAT_V", xlat_v, uy + 1, ux);
    put2("XLONG_V", xlong_v, uy + 1, ux);
    put2("MAPFAC_M", mf, uy, ux);
    put2("MAPFAC_U", mf_u, uy, ux + 1);
    put2("MAPFAC_V", mf_v, uy + 1, ux);
    put2("MAPFAC_MX", mfx, uy, ux);
    put2("MAPFAC_MY", mfy, uy, ux);
    put2f("HGT", r.terrain);
    put2("COSALPHA", cosa, uy, ux);
    put2("SINALPHA", sina, uy, ux);

    // Nominal eta levels: domain means of (p_w - p_top) / (p_s - p_top), with
    // interface pressures interpolated log-linearly in height between mass points.
    std::vector<double> znw(static_cast<std::size_t>(nz) + 1, 0.0);
    double ptop_mean = 0.0;
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        std::vector<double> pw(static_cast<std::size_t>(nz) + 1);
        pw[0] = r.psfc(i, j, 0);
        auto zm = [&](int k) {
          return 0.5 * (r.z_interface(i, j, k) + r.z_interface(i, j, k + 1));
        };
        for (int k = 1; k <= nz; ++k) {
          const int ka = std::max(0, std::min(k - 1, nz - 2)), kb = std::min(ka + 1, nz - 1);
          const double za = zm(ka), zb = zm(kb);
          const double la = std::log(r.pressure(i, j, ka)), lb = std::log(r.pressure(i, j, kb));
          const double zk = r.z_interface(i, j, k);
          pw[k] =
              kb == ka ? r.pressure(i, j, ka) : std::exp(la + (lb - la) * (zk - za) / (zb - za));
        }
        ptop_mean += pw[nz];
        for (int k = 0; k <= nz; ++k) znw[k] += (pw[k] - pw[nz]) / (pw[0] - pw[nz]);
      }
    }
    for (auto& e : znw) e /= static_cast<double>(n2);
    ptop_mean /= static_cast<double>(n2);
    std::vector<double> znu(static_cast<std::size_t>(nz));
    for (int k = 0; k < nz; ++k) znu[k] = 0.5 * (znw[k] + znw[k + 1]);
    {
      const std::size_t s[2] = {t, 0}, cu[2] = {1, static_cast<std::size_t>(nz)},
                        cw[2] = {1, static_cast<std::size_t>(nz) + 1};
      w.write("ZNU", znu, s, cu);
      w.write("ZNW", znw, s, cw);
      w.write("P_TOP", std::span<const double>(&ptop_mean, 1), s1, c1);
    }

    // Base state (geopotential and pressure) from the terrain and the interface
    // heights: computed for the first record and again only if they change.
    const bool same_geometry = n > 0 &&
                               std::memcmp(r.terrain.data(), records[0].terrain.data(),
                                           r.terrain.size() * sizeof(double)) == 0 &&
                               std::memcmp(r.z_interface.data(), records[0].z_interface.data(),
                                           r.z_interface.size() * sizeof(double)) == 0;
    if (!same_geometry) {
      for (int k = 0; k <= nz; ++k) {
        for (int j = 0; j < ny; ++j) {
          for (int i = 0; i < nx; ++i) {
            phb[(static_cast<std::size_t>(k) * ny + j) * nx + i] =
                kG * (r.terrain(i, j, 0) + r.z_interface(i, j, k));
          }
        }
      }
      for (int k = 0; k < nz; ++k) {
        for (int j = 0; j < ny; ++j) {
          for (int i = 0; i < nx; ++i) {
            const double zasl =
                r.terrain(i, j, 0) + 0.5 * (r.z_interface(i, j, k) + r.z_interface(i, j, k + 1));
            // Whole pascals: an exact float that compresses well; P carries the rest.
            pb[(static_cast<std::size_t>(k) * ny + j) * nx + i] =
                std::round(standard_pressure(zasl));
          }
        }
      }
    }
    for (int k = 0; k < nz; ++k) {
      for (int j = 0; j < ny; ++j) {
        for (int i = 0; i < nx; ++i) {
          const std::size_t c = (static_cast<std::size_t>(k) * ny + j) * nx + i;
          const double p = r.pressure(i, j, k);
          pp[c] = p - pb[c];
          tpert[c] = r.temperature(i, j, k) * std::pow(kP0 / p, kRdCp) - kT0;
        }
      }
    }
    const std::size_t lz = nz;
    put3("U", std::span<const double>(r.u.data(), r.u.size()), lz, uy, ux + 1);
    put3("V", std::span<const double>(r.v.data(), r.v.size()), lz, uy + 1, ux);
    put3("W", std::span<const double>(r.w.data(), r.w.size()), lz + 1, uy, ux);
    put3("PH", ph, lz + 1, uy, ux);
    put3("PHB", phb, lz + 1, uy, ux);
    put3("T", tpert, lz, uy, ux);
    put3("P", pp, lz, uy, ux);
    put3("PB", pb, lz, uy, ux);
    put3("QVAPOR", std::span<const double>(r.qvapor.data(), r.qvapor.size()), lz, uy, ux);
    put3("QCLOUD", std::span<const double>(r.cloud_water.data(), r.cloud_water.size()), lz, uy, ux);
    put2f("PBLH", r.pblh);
    put2f("UST", r.ustar);
    put2f("HFX", r.hfx);
    put2f("T2", r.t2);
    put2f("U10", r.u10);
    put2f("V10", r.v10);
    put2f("PSFC", r.psfc);
    put2f("SWDOWN", r.swdown);
    const std::vector<double> zero(n2, 0.0);
    put2("RAINC", zero, uy, ux);
    put2f("RAINNC", rain[n]);
  }
  w.commit();
}

std::vector<std::filesystem::path> write_wrfout_series(
    const std::filesystem::path& dir, const HorizontalGrid& grid, const WrfSeriesSource& source,
    TimePoint start, TimePoint end, Seconds interval, WrfWriteOptions opt, int rank, int nranks) {
  if (interval.count() <= 0) {
    throw UsageError("wrfout series: the interval must be positive, got " +
                     std::to_string(interval.count()) + " s");
  }
  if (end < start) {
    throw UsageError("wrfout series: end " + format_iso(end) + " is before start " +
                     format_iso(start));
  }
  if (nranks < 1 || rank < 0 || rank >= nranks) {
    throw UsageError("wrfout series: rank " + std::to_string(rank) + " of " +
                     std::to_string(nranks));
  }
  opt.simulation_start = start;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw InputError(dir.string(), "", "cannot create the output folder: " + ec.message());

  // Group the output times by UTC day.
  std::map<long long, std::vector<TimePoint>> days;
  for (TimePoint t = start; t <= end; t += interval) {
    const long long d = std::chrono::floor<std::chrono::days>(t).time_since_epoch().count();
    days[d].push_back(t);
  }
  // This rank's days; the next day is generated on a second thread while the
  // current one is compressed and written (NetCDF calls stay on this thread).
  std::vector<const std::vector<TimePoint>*> mine;
  int index = 0;
  for (const auto& [day, times] : days) {
    if (index++ % nranks == rank) mine.push_back(&times);
  }
  struct DayData {
    std::vector<MetRecord> recs;
    std::vector<Field> rain;
  };
  // Two buffers used in turn, so that record storage is reused from day to day.
  DayData buf[2];
  auto make_day = [&](const std::vector<TimePoint>* times, DayData* d) {
    d->recs.resize(times->size());
    d->rain.resize(times->size());
    for (std::size_t n = 0; n < times->size(); ++n) {
      source.record((*times)[n], d->recs[n]);
      if (d->rain[n].nx() != grid.nx() || d->rain[n].ny() != grid.ny())
        d->rain[n] = Field("RAINNC", "mm", grid.nx(), grid.ny(), 1, 0);
      source.precipitation(start, (*times)[n], d->rain[n]);
    }
  };
  std::vector<std::filesystem::path> written;
  std::future<void> next;
  if (!mine.empty()) next = std::async(std::launch::async, make_day, mine[0], &buf[0]);
  for (std::size_t m = 0; m < mine.size(); ++m) {
    next.get();
    DayData& cur = buf[m % 2];
    if (m + 1 < mine.size())
      next = std::async(std::launch::async, make_day, mine[m + 1], &buf[(m + 1) % 2]);
    const std::filesystem::path file = dir / wrfout_name(mine[m]->front());
    write_wrfout(file, grid, cur.recs, cur.rain, opt);
    written.push_back(file);
  }
  return written;
}

}  // namespace fwaq

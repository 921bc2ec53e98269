#include "met/wrf_reader.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/error.hpp"

namespace fwaq {

namespace {

using C = WrfConstants;

std::string num(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

enum class Vert { kSurface, kLayers, kInterfaces };

struct Layout {
  Vert vert = Vert::kSurface;
  bool x_stag = false;
  bool y_stag = false;
};

/// Position text "(Time=r, bottom_top=k, south_north=j, west_east=i)".
std::string at(int record, const char* zname, int k, int j, int i, bool x_stag = false,
               bool y_stag = false) {
  std::string s = "(Time=" + std::to_string(record) + ", ";
  if (zname) s += std::string(zname) + "=" + std::to_string(k) + ", ";
  s += std::string(y_stag ? "south_north_stag=" : "south_north=") + std::to_string(j) + ", ";
  s += std::string(x_stag ? "west_east_stag=" : "west_east=") + std::to_string(i) + ")";
  return s;
}

}  // namespace

double saturation_vapour_pressure(double t_k) {
  return 611.2 * std::exp(17.67 * (t_k - 273.15) / (t_k - 29.65));
}

double relative_humidity(double q, double p_pa, double t_k) {
  const double e = q * p_pa / (C::eps + q);
  return e / saturation_vapour_pressure(t_k);
}

// ---------------------------------------------------------------------------

WrfFile::WrfFile(const std::string& path) : file_(path) {
  const auto& nc = file_;
  // Times
  const nc::VarInfo tinfo = nc.var("Times", "the valid times of the records");
  const auto texts = nc.read_strings("Times");
  if (tinfo.shape.size() != 2) {
    throw InputError(path, "Times", "expected dimensions (Time, DateStrLen)");
  }
  for (std::size_t r = 0; r < texts.size(); ++r) {
    try {
      times_.push_back(parse_time(texts[r]));
    } catch (const UsageError&) {
      throw InputError(path, "Times",
                       "record " + std::to_string(r) + " holds '" + texts[r] +
                           "'; expected a WRF time YYYY-MM-DD_hh:mm:ss");
    }
    if (r > 0 && !(times_[r - 1] < times_[r])) {
      throw InputError(path, "Times",
                       "record " + std::to_string(r) + " (" + texts[r] +
                           ") is not later than record " + std::to_string(r - 1) + " (" +
                           texts[r - 1] + "); expected strictly increasing times");
    }
  }
  if (times_.empty()) throw InputError(path, "Times", "has no records; expected at least one");
  info_.nx = static_cast<int>(nc.dim_length("west_east"));
  info_.ny = static_cast<int>(nc.dim_length("south_north"));
  info_.nz = static_cast<int>(nc.dim_length("bottom_top"));

  // Projection attributes.
  info_.map_proj = static_cast<int>(nc.require_global_double("MAP_PROJ"));
  if (info_.map_proj != 1) {
    throw InputError(path, "",
                     "global attribute MAP_PROJ = " + std::to_string(info_.map_proj) +
                         " is not supported; expected 1 (Lambert conformal)");
  }
  info_.truelat1 = nc.require_global_double("TRUELAT1");
  info_.truelat2 = nc.require_global_double("TRUELAT2");
  info_.stand_lon = nc.require_global_double("STAND_LON");
  info_.dx = nc.require_global_double("DX");
  info_.dy = nc.require_global_double("DY");
  info_.moad_cen_lat = nc.att_double("", "MOAD_CEN_LAT").value_or(0.0);
  if (auto c = nc.att_double("", "CEN_LAT")) {
    info_.cen_lat = *c;
  } else if (auto m = nc.att_double("", "MOAD_CEN_LAT")) {
    info_.cen_lat = *m;
  } else {
    throw InputError(path, "", "global attributes CEN_LAT and MOAD_CEN_LAT are both missing");
  }
  info_.cen_lon = nc.require_global_double("CEN_LON");
  info_.full_nx =
      static_cast<int>(nc.att_double("", "WEST-EAST_GRID_DIMENSION").value_or(info_.nx + 1) - 1);
  info_.full_ny =
      static_cast<int>(nc.att_double("", "SOUTH-NORTH_GRID_DIMENSION").value_or(info_.ny + 1) - 1);
  if (info_.full_nx < info_.nx || info_.full_ny < info_.ny) {
    throw InputError(path, "",
                     "global attributes WEST-EAST/SOUTH-NORTH_GRID_DIMENSION describe " +
                         std::to_string(info_.full_nx) + " x " + std::to_string(info_.full_ny) +
                         " cells but the file holds " + std::to_string(info_.nx) + " x " +
                         std::to_string(info_.ny));
  }
  if (info_.nx != info_.full_nx || info_.ny != info_.full_ny) {
    // A crop of a larger domain: locate cell (0, 0) with XLAT/XLONG.
    if (!nc.has_var("XLAT") || !nc.has_var("XLONG")) {
      throw InputError(path, "XLAT",
                       "missing: the file holds " + std::to_string(info_.nx) + " x " +
                           std::to_string(info_.ny) + " cells of a " +
                           std::to_string(info_.full_nx) + " x " + std::to_string(info_.full_ny) +
                           " domain and XLAT/XLONG are needed to locate them");
    }
    const Field lat = read_variable("XLAT", 0);
    const Field lon = read_variable("XLONG", 0);
    auto proj = std::make_shared<const Projection>(
        Projection::wrf_lambert(info_.truelat1, info_.truelat2, info_.stand_lon));
    const HorizontalGrid full = HorizontalGrid::centred(
        proj, info_.full_nx, info_.full_ny, info_.dx, info_.dy, info_.cen_lon, info_.cen_lat);
    const auto [fi, fj] = full.index_of(lon(0, 0, 0), lat(0, 0, 0));
    const double ri = std::round(fi), rj = std::round(fj);
    if (std::abs(fi - ri) > 0.05 || std::abs(fj - rj) > 0.05 || ri < 0 || rj < 0 ||
        ri + info_.nx > info_.full_nx || rj + info_.ny > info_.full_ny) {
      throw InputError(path, "XLAT",
                       "cell (0, 0) at lon " + num(lon(0, 0, 0)) + ", lat " + num(lat(0, 0, 0)) +
                           " falls at fractional cell (" + num(fi) + ", " + num(fj) +
                           ") of the domain described by the projection attributes; expected a "
                           "whole cell index inside the domain");
    }
    info_.offset_i = static_cast<int>(ri);
    info_.offset_j = static_cast<int>(rj);
  }
}

TimePoint WrfFile::time(int record) const {
  if (record < 0 || record >= records()) {
    throw InputError(path(), "Times",
                     "record " + std::to_string(record) + " requested; the file has " +
                         std::to_string(records()) + " records (0.." +
                         std::to_string(records() - 1) + ")");
  }
  return times_[static_cast<std::size_t>(record)];
}

Window WrfFile::resolve(const Window& w) const {
  Window r = w;
  if (r.nx < 0) r.nx = info_.nx - r.i0;
  if (r.ny < 0) r.ny = info_.ny - r.j0;
  if (r.i0 < 0 || r.j0 < 0 || r.nx < 1 || r.ny < 1 || r.i0 + r.nx > info_.nx ||
      r.j0 + r.ny > info_.ny) {
    throw InputError(path(), "",
                     "window (i0=" + std::to_string(w.i0) + ", j0=" + std::to_string(w.j0) +
                         ", nx=" + std::to_string(w.nx) + ", ny=" + std::to_string(w.ny) +
                         ") does not fit the file's " + std::to_string(info_.nx) + " x " +
                         std::to_string(info_.ny) + " cells");
  }
  return r;
}

namespace {

/// Reads one record of a WRF variable on a window into a Field (x fastest),
/// after checking its dimensions against the expected layout.
Field read_layout(const nc::NcFile& nc, const std::string& name, int record, const Window& w,
                  const Layout& layout, int records, int nx, int ny, int nz,
                  const std::string& purpose) {
  const nc::VarInfo info = nc.var(name, purpose);
  const bool has_time = !info.dims.empty() && info.dims[0] == "Time";
  std::vector<nc::DimSpec> spec;
  if (has_time) spec.push_back({"Time", static_cast<std::size_t>(records)});
  int fz = 1;
  if (layout.vert == Vert::kLayers) {
    spec.push_back({"bottom_top", static_cast<std::size_t>(nz)});
    fz = nz;
  } else if (layout.vert == Vert::kInterfaces) {
    spec.push_back({"bottom_top_stag", static_cast<std::size_t>(nz + 1)});
    fz = nz + 1;
  }
  const int xs = layout.x_stag ? 1 : 0, ys = layout.y_stag ? 1 : 0;
  spec.push_back({ys ? "south_north_stag" : "south_north", static_cast<std::size_t>(ny + ys)});
  spec.push_back({xs ? "west_east_stag" : "west_east", static_cast<std::size_t>(nx + xs)});
  nc.expect_dims(name, spec);
  std::vector<std::size_t> start, count;
  if (has_time) {
    start.push_back(static_cast<std::size_t>(record));
    count.push_back(1);
  }
  if (layout.vert != Vert::kSurface) {
    start.push_back(0);
    count.push_back(static_cast<std::size_t>(fz));
  }
  start.push_back(static_cast<std::size_t>(w.j0));
  count.push_back(static_cast<std::size_t>(w.ny + ys));
  start.push_back(static_cast<std::size_t>(w.i0));
  count.push_back(static_cast<std::size_t>(w.nx + xs));
  const std::vector<double> v = nc.read(name, start, count);
  Field f(name, nc.att_text(name, "units").value_or(""), w.nx + xs, w.ny + ys, fz, 0);
  std::copy(v.begin(), v.end(), f.data());  // same layout: (z, y, x), x fastest, no halo
  return f;
}

void copy_into(const Field& from, Field& to) {
  std::copy(from.data(), from.data() + from.size(), to.data());
}

}  // namespace

Field WrfFile::read_variable(const std::string& name, int record, const Window& window) const {
  const Window w = resolve(window);
  time(record);  // range check
  const nc::VarInfo info = file_.var(name);
  Layout layout;
  for (const auto& d : info.dims) {
    if (d == "bottom_top") layout.vert = Vert::kLayers;
    if (d == "bottom_top_stag") layout.vert = Vert::kInterfaces;
    if (d == "west_east_stag") layout.x_stag = true;
    if (d == "south_north_stag") layout.y_stag = true;
  }
  return read_layout(file_, name, record, w, layout, records(), info_.nx, info_.ny, info_.nz, "");
}

std::vector<double> WrfFile::accumulated_precip(int record, const Window& window) const {
  const Window w = resolve(window);
  time(record);
  const Layout s{};
  auto rd = [&](const char* n) {
    return read_layout(file_, n, record, w, s, records(), info_.nx, info_.ny, info_.nz,
                       "accumulated precipitation [mm], needed for MetRecord::precip");
  };
  const Field rc = rd("RAINC");
  const Field rn = rd("RAINNC");
  std::vector<double> a(rc.size());
  for (std::size_t n = 0; n < a.size(); ++n) a[n] = rc.data()[n] + rn.data()[n];
  const double bucket = file_.att_double("", "BUCKET_MM").value_or(-1.0);
  if (bucket > 0.0 && file_.has_var("I_RAINC") && file_.has_var("I_RAINNC")) {
    const Field ic = rd("I_RAINC");
    const Field in = rd("I_RAINNC");
    for (std::size_t n = 0; n < a.size(); ++n) a[n] += bucket * (ic.data()[n] + in.data()[n]);
  }
  return a;
}

MetRecord WrfFile::read(int record, const Window& window, const KzParams& kz) const {
  const Window w = resolve(window);
  const TimePoint t = time(record);
  const int nz = info_.nz;
  const int records = this->records();
  auto rd = [&](const std::string& name, Layout layout, const std::string& purpose) {
    return read_layout(file_, name, record, w, layout, records, info_.nx, info_.ny, nz,
                       "needed for MetRecord::" + purpose);
  };
  const Layout layers{Vert::kLayers, false, false};
  const Layout surface{};

  MetRecord rec;
  rec.allocate(w.nx, w.ny, nz);
  rec.time = t;

  // Winds on the C-grid faces and interfaces: WRF's staggering is MetRecord's.
  copy_into(rd("U", {Vert::kLayers, true, false}, "u"), rec.u);
  copy_into(rd("V", {Vert::kLayers, false, true}, "v"), rec.v);
  copy_into(rd("W", {Vert::kInterfaces, false, false}, "w"), rec.w);

  // Surface fields.
  const Field hgt = rd("HGT", surface, "terrain");
  copy_into(hgt, rec.terrain);
  copy_into(rd("PBLH", surface, "pblh"), rec.pblh);
  copy_into(rd("UST", surface, "ustar"), rec.ustar);
  copy_into(rd("HFX", surface, "hfx"), rec.hfx);
  copy_into(rd("T2", surface, "t2"), rec.t2);
  copy_into(rd("U10", surface, "u10"), rec.u10);
  copy_into(rd("V10", surface, "v10"), rec.v10);
  copy_into(rd("PSFC", surface, "psfc"), rec.psfc);
  copy_into(rd("SWDOWN", surface, "swdown"), rec.swdown);

  // Heights of the interfaces above ground from the geopotential.
  {
    const Field ph = rd("PH", {Vert::kInterfaces, false, false}, "z_interface");
    const Field phb = rd("PHB", {Vert::kInterfaces, false, false}, "z_interface");
    for (int j = 0; j < w.ny; ++j) {
      for (int i = 0; i < w.nx; ++i) {
        const double z0 = (ph(i, j, 0) + phb(i, j, 0)) / C::g - hgt(i, j, 0);
        if (std::abs(z0) > 1.0) {
          throw InputError(path(), "PHB",
                           "(PH + PHB)/g at the ground " +
                               at(record, "bottom_top_stag", 0, w.j0 + j, w.i0 + i) + " is " +
                               num(z0 + hgt(i, j, 0)) + " m but HGT is " + num(hgt(i, j, 0)) +
                               " m; expected them to agree within 1 m");
        }
        rec.z_interface(i, j, 0) = 0.0;
        for (int k = 1; k <= nz; ++k) {
          const double z = (ph(i, j, k) + phb(i, j, k)) / C::g - hgt(i, j, 0);
          if (!(z > rec.z_interface(i, j, k - 1))) {
            throw InputError(path(), "PH",
                             "height above ground " + num(z) + " m of interface " +
                                 at(record, "bottom_top_stag", k, w.j0 + j, w.i0 + i) +
                                 " is not above the interface below (" +
                                 num(rec.z_interface(i, j, k - 1)) +
                                 " m); expected heights increasing upwards");
          }
          rec.z_interface(i, j, k) = z;
        }
      }
    }
  }

  // Thermodynamics at the mass points.
  {
    const Field th = rd("T", layers, "temperature");
    const Field p = rd("P", layers, "pressure");
    const Field pb = rd("PB", layers, "pressure");
    const Field qv = rd("QVAPOR", layers, "qvapor");
    const bool has_qc = file_.has_var("QCLOUD");
    Field qc;
    if (has_qc) qc = rd("QCLOUD", layers, "cloud_water");
    const double kappa = C::r_d / C::cp;
    for (int k = 0; k < nz; ++k) {
      for (int j = 0; j < w.ny; ++j) {
        for (int i = 0; i < w.nx; ++i) {
          const double pres = p(i, j, k) + pb(i, j, k);
          if (!(pres > 0.0)) {
            throw InputError(path(), "P",
                             "P + PB = " + num(pres) + " Pa at " +
                                 at(record, "bottom_top", k, w.j0 + j, w.i0 + i) +
                                 "; expected a positive pressure");
          }
          const double theta = th(i, j, k) + C::theta_base;
          const double temp = theta * std::pow(pres / C::p0, kappa);
          if (!(temp > 0.0)) {
            throw InputError(path(), "T",
                             "potential temperature T + 300 K = " + num(theta) + " K at " +
                                 at(record, "bottom_top", k, w.j0 + j, w.i0 + i) +
                                 "; expected a positive temperature");
          }
          const double q = std::max(qv(i, j, k), 0.0);
          rec.pressure(i, j, k) = pres;
          rec.temperature(i, j, k) = temp;
          rec.qvapor(i, j, k) = q;
          const double tv = temp * (1.0 + q / C::eps) / (1.0 + q);
          rec.density(i, j, k) = pres / (C::r_d * tv);
          rec.rel_humidity(i, j, k) = std::clamp(relative_humidity(q, pres, temp), 0.0, 1.0);
          rec.cloud_water(i, j, k) = has_qc ? std::max(qc(i, j, k), 0.0) : 0.0;
        }
      }
    }
  }

  // Precipitation rate from the accumulations [mm h-1].
  if (records > 1) {
    const int r0 = record > 0 ? record - 1 : 0;
    const int r1 = record > 0 ? record : 1;
    const auto a0 = accumulated_precip(r0, w);
    const auto a1 = accumulated_precip(r1, w);
    const double hours = seconds_between(time(r0), time(r1)) / 3600.0;
    for (int j = 0; j < w.ny; ++j) {
      for (int i = 0; i < w.nx; ++i) {
        const std::size_t n = static_cast<std::size_t>(j) * static_cast<std::size_t>(w.nx) +
                              static_cast<std::size_t>(i);
        double inc = a1[n] - a0[n];
        if (inc < -0.01) {
          throw InputError(path(), "RAINNC",
                           "accumulated RAINC + RAINNC decreases from " + num(a0[n]) +
                               " mm (record " + std::to_string(r0) + ") to " + num(a1[n]) +
                               " mm (record " + std::to_string(r1) + ") at " +
                               at(r1, nullptr, 0, w.j0 + j, w.i0 + i) +
                               "; expected non-decreasing accumulations (a bucket reset "
                               "without I_RAINC/I_RAINNC?)");
        }
        rec.precip(i, j, 0) = std::max(inc, 0.0) / hours;
      }
    }
  }

  fill_kz(rec, kz);
  return rec;
}

HorizontalGrid WrfFile::grid() const {
  if (grid_) return *grid_;
  auto proj = std::make_shared<const Projection>(
      Projection::wrf_lambert(info_.truelat1, info_.truelat2, info_.stand_lon));
  const HorizontalGrid full = HorizontalGrid::centred(proj, info_.full_nx, info_.full_ny, info_.dx,
                                                      info_.dy, info_.cen_lon, info_.cen_lat);
  HorizontalGrid g = full.window(info_.offset_i, info_.offset_j, info_.nx, info_.ny);
  if (file_.has_var("XLAT") && file_.has_var("XLONG")) {
    const Field lat = read_variable("XLAT", 0);
    const Field lon = read_variable("XLONG", 0);
    for (int j = 0; j < info_.ny; ++j) {
      for (int i = 0; i < info_.nx; ++i) {
        const auto [fi, fj] = g.index_of(lon(i, j, 0), lat(i, j, 0));
        if (std::abs(fi - i) > 0.05 || std::abs(fj - j) > 0.05) {
          throw InputError(path(), "XLAT",
                           "cell (south_north=" + std::to_string(j) +
                               ", west_east=" + std::to_string(i) + ") has XLAT " +
                               num(lat(i, j, 0)) + ", XLONG " + num(lon(i, j, 0)) +
                               " but the grid from the attributes (MAP_PROJ, TRUELAT1/2, "
                               "STAND_LON, CEN_LAT/CEN_LON, DX, DY) puts its centre at lat " +
                               num(g.lat(i, j)) + ", lon " + num(g.lon(i, j)) +
                               "; expected agreement within 0.05 cells");
        }
      }
    }
  }
  grid_ = std::make_shared<const HorizontalGrid>(g);
  return g;
}

void WrfFile::check_grid(const HorizontalGrid& run, const Window& window) const {
  const Window w = resolve(window);
  const auto& proj = run.projection();
  auto mismatch = [&](const std::string& attribute, double file_value, const std::string& what,
                      double run_value, const std::string& tolerance) {
    throw InputError(path(), "",
                     "global attribute " + attribute + " = " + num(file_value) +
                         " but the run grid has " + what + " = " + num(run_value) +
                         "; expected equal values (within " + tolerance + ")");
  };
  if (proj.kind() != ProjectionSpec::Kind::kLambertConformal) {
    throw InputError(
        path(), "",
        "global attribute MAP_PROJ = 1 (Lambert conformal) but the run grid's "
        "projection is " +
            std::string(proj.kind() == ProjectionSpec::Kind::kLatLon ? "lat-lon"
                                                                     : "a PROJ string") +
            "; expected the same projection");
  }
  const auto& spec = proj.spec();
  const double tol = 1e-4;
  auto close = [&](double a, double b) { return std::abs(a - b) <= tol; };
  const bool same =
      close(spec.truelat1_deg, info_.truelat1) && close(spec.truelat2_deg, info_.truelat2);
  const bool swapped =
      close(spec.truelat1_deg, info_.truelat2) && close(spec.truelat2_deg, info_.truelat1);
  if (!same && !swapped) {
    if (!close(spec.truelat1_deg, info_.truelat1)) {
      mismatch("TRUELAT1", info_.truelat1, "truelat1", spec.truelat1_deg, "1e-4 degrees");
    }
    mismatch("TRUELAT2", info_.truelat2, "truelat2", spec.truelat2_deg, "1e-4 degrees");
  }
  const double dlon = std::remainder(spec.stand_lon_deg - info_.stand_lon, 360.0);
  if (std::abs(dlon) > tol) {
    mismatch("STAND_LON", info_.stand_lon, "stand_lon", spec.stand_lon_deg, "1e-4 degrees");
  }
  if (std::abs(proj.earth_radius_m() - 6370000.0) > 1e-3) {
    throw InputError(path(), "",
                     "WRF uses a sphere of radius 6370000 m but the run grid's projection has " +
                         num(proj.earth_radius_m()) + " m; expected the same radius");
  }
  if (std::abs(run.dx() - info_.dx) > 1e-3) mismatch("DX", info_.dx, "dx", run.dx(), "1e-3 m");
  if (std::abs(run.dy() - info_.dy) > 1e-3) mismatch("DY", info_.dy, "dy", run.dy(), "1e-3 m");
  if (run.nx() != w.nx || run.ny() != w.ny) {
    throw InputError(path(), "",
                     "the window (i0=" + std::to_string(w.i0) + ", j0=" + std::to_string(w.j0) +
                         ") has " + std::to_string(w.nx) + " x " + std::to_string(w.ny) +
                         " cells (west_east x south_north) but the run grid has " +
                         std::to_string(run.nx()) + " x " + std::to_string(run.ny()) +
                         "; expected the same size");
  }
  const HorizontalGrid ref = grid().window(w.i0, w.j0, w.nx, w.ny);
  for (const auto& [i, j] : {std::pair{0, 0}, std::pair{w.nx - 1, w.ny - 1}}) {
    const auto [fi, fj] = ref.index_of(run.lon(i, j), run.lat(i, j));
    if (std::abs(fi - i) > 0.01 || std::abs(fj - j) > 0.01) {
      throw InputError(
          path(), "",
          "global attributes CEN_LAT = " + num(info_.cen_lat) +
              ", CEN_LON = " + num(info_.cen_lon) + " place cell (" + std::to_string(i) + ", " +
              std::to_string(j) + ") of the window at lat " + num(ref.lat(i, j)) + ", lon " +
              num(ref.lon(i, j)) + " but the run grid's cell is at lat " + num(run.lat(i, j)) +
              ", lon " + num(run.lon(i, j)) + " (" + num(std::hypot(fi - i, fj - j)) +
              " cells away); expected the same position within 0.01 cells");
    }
  }
}

MetSource wrf_source(std::shared_ptr<const WrfFile> file, const Window& window,
                     const KzParams& kz) {
  MetSource s;
  s.file = file->path();
  s.time_variable = "Times";
  s.times = file->times();
  s.read = [file, window, kz](int r) { return file->read(r, window, kz); };
  return s;
}

}  // namespace fwaq

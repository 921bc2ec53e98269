// Meteorology files for a run: see met_files.hpp and docs/science/meteorology.md.
#include "model/met_files.hpp"

#include <fnmatch.h>
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "core/config.hpp"
#include "core/error.hpp"
#include "grid/domain.hpp"
#include "io/netcdf_util.hpp"
#include "met/cf_reader.hpp"
#include "met/diagnostic_wind.hpp"
#include "met/kz.hpp"

namespace fwaq::model {

namespace {

std::string hours_text(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%g h", s / 3600.0);
  return b;
}

// Monotone, non-negative copy of a column's interface heights [m above ground]: layers
// below the ground (pressure levels under high terrain) get zero thickness.
void clean_column(const Field& zi, int i, int j, std::vector<double>& out) {
  const int n = zi.nz();
  out.resize(static_cast<std::size_t>(n));
  double lo = 0.0;
  for (int k = 0; k < n; ++k) {
    lo = std::max(lo, zi(i, j, k));
    out[static_cast<std::size_t>(k)] = lo;
  }
}

// Overlaps [m] of source layers (interfaces zs) with target layers (interfaces zt):
// (target, source, thickness) triples, in order.
struct Overlap {
  int t, s;
  double dz;
};
void overlaps(const std::vector<double>& zs, const std::vector<double>& zt,
              std::vector<Overlap>& out) {
  out.clear();
  const int ns = static_cast<int>(zs.size()) - 1, nt = static_cast<int>(zt.size()) - 1;
  int s = 0;
  for (int t = 0; t < nt; ++t) {
    while (s < ns && zs[static_cast<std::size_t>(s) + 1] <= zt[static_cast<std::size_t>(t)]) ++s;
    for (int q = s; q < ns; ++q) {
      const double lo = std::max(zs[static_cast<std::size_t>(q)], zt[static_cast<std::size_t>(t)]);
      const double hi =
          std::min(zs[static_cast<std::size_t>(q) + 1], zt[static_cast<std::size_t>(t) + 1]);
      if (hi > lo) out.push_back({t, q, hi - lo});
      if (zs[static_cast<std::size_t>(q) + 1] >= zt[static_cast<std::size_t>(t) + 1]) break;
    }
  }
}

void set_fixed_interfaces(MetRecord& r, const std::vector<double>& z_w) {
  for (int k = 0; k <= r.nz; ++k)
    for (int j = 0; j < r.ny; ++j)
      for (int i = 0; i < r.nx; ++i) r.z_interface(i, j, k) = z_w[static_cast<std::size_t>(k)];
}

void recompute_rh(MetRecord& r) {
  for (int k = 0; k < r.nz; ++k)
    for (int j = 0; j < r.ny; ++j)
      for (int i = 0; i < r.nx; ++i)
        r.rel_humidity(i, j, k) = std::clamp(
            relative_humidity(r.qvapor(i, j, k), r.pressure(i, j, k), r.temperature(i, j, k)), 0.0,
            1.0);
}

std::vector<Field*> surface_fields(MetRecord& r) {
  return {&r.terrain, &r.pblh, &r.ustar, &r.hfx,    &r.t2,
          &r.u10,     &r.v10,  &r.psfc,  &r.swdown, &r.precip};
}
std::vector<const Field*> surface_fields(const MetRecord& r) {
  return {&r.terrain, &r.pblh, &r.ustar, &r.hfx,    &r.t2,
          &r.u10,     &r.v10,  &r.psfc,  &r.swdown, &r.precip};
}

// Face air density [kg m-3] of x-faces (nx+1, ny, nz): mean of the two adjacent cells,
// the inside cell at the domain edge (as face_mass_fluxes).
void face_density_x(const Field& rho, Field& out) {
  const int nx = rho.nx(), ny = rho.ny(), nz = rho.nz();
  out = Field("rho_face_x", "kg m-3", nx + 1, ny, nz, 0);
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i <= nx; ++i)
        out(i, j, k) = 0.5 * (rho(std::max(i - 1, 0), j, k) + rho(std::min(i, nx - 1), j, k));
}
void face_density_y(const Field& rho, Field& out) {
  const int nx = rho.nx(), ny = rho.ny(), nz = rho.nz();
  out = Field("rho_face_y", "kg m-3", nx, ny + 1, nz, 0);
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j <= ny; ++j)
      for (int i = 0; i < nx; ++i)
        out(i, j, k) = 0.5 * (rho(i, std::max(j - 1, 0), k) + rho(i, std::min(j, ny - 1), k));
}

void cut(const Field& g, int i0, int j0, int wx, int wy, Field& out) {
  out = Field(g.name(), g.units(), wx, wy, g.nz(), 0);
  for (int k = 0; k < g.nz(); ++k)
    for (int j = 0; j < wy; ++j)
      for (int i = 0; i < wx; ++i) out(i, j, k) = g(i0 + i, j0 + j, k);
}

}  // namespace

// ---- remap, coarsen, adjust ---------------------------------------------------------------

void remap_vertical(const MetRecord& src, const std::vector<double>& z_w, MetRecord& out,
                    const std::string& file) {
  const int nx = src.nx, ny = src.ny, nzs = src.nz;
  const int nz = static_cast<int>(z_w.size()) - 1;
  out.allocate(nx, ny, nz);
  out.time = src.time;
  for (std::size_t f = 0; f < surface_fields(out).size(); ++f) {
    Field& o = *surface_fields(out)[f];
    const Field& s = *surface_fields(src)[f];
    std::copy(s.data(), s.data() + s.size(), o.data());
  }
  set_fixed_interfaces(out, z_w);
  const double top = z_w.back();
  std::vector<double> zs, za, zb, zf(static_cast<std::size_t>(nzs) + 1);
  std::vector<Overlap> ov;
  std::vector<double> num(static_cast<std::size_t>(nz)), den(static_cast<std::size_t>(nz));
  auto check_top = [&](std::vector<double>& z, int i, int j) {
    // The target top may lie up to 1 m above the source top (float rounding of heights
    // written by a model with the same top); the top source layer is then extended.
    if (z.back() < top - 1.0) {
      throw InputError(
          file, "z_interface",
          "the met model top at cell (" + std::to_string(i) + ", " + std::to_string(j) + ") is " +
              std::to_string(z.back()) + " m above ground at " + format_iso(src.time) +
              "; expected at least the case's top vertical.z_w = " + std::to_string(top) + " m");
    }
    z.back() = std::max(z.back(), top);
  };
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      clean_column(src.z_interface, i, j, zs);
      check_top(zs, i, j);
      overlaps(zs, z_w, ov);
      // density: dz-weighted; T, p, q, qc: air-mass weighted.
      std::fill(num.begin(), num.end(), 0.0);
      std::fill(den.begin(), den.end(), 0.0);
      for (const auto& o : ov) {
        num[static_cast<std::size_t>(o.t)] += o.dz * src.density(i, j, o.s);
        den[static_cast<std::size_t>(o.t)] += o.dz;
      }
      for (int k = 0; k < nz; ++k)
        out.density(i, j, k) = num[static_cast<std::size_t>(k)] / den[static_cast<std::size_t>(k)];
      for (auto [s, d] : {std::pair{&src.temperature, &out.temperature},
                          {&src.pressure, &out.pressure},
                          {&src.qvapor, &out.qvapor},
                          {&src.cloud_water, &out.cloud_water}}) {
        std::fill(num.begin(), num.end(), 0.0);
        std::fill(den.begin(), den.end(), 0.0);
        for (const auto& o : ov) {
          const double m = o.dz * src.density(i, j, o.s);
          num[static_cast<std::size_t>(o.t)] += m * (*s)(i, j, o.s);
          den[static_cast<std::size_t>(o.t)] += m;
        }
        for (int k = 0; k < nz; ++k)
          (*d)(i, j, k) = num[static_cast<std::size_t>(k)] / den[static_cast<std::size_t>(k)];
      }
    }
  }
  // Face winds: face interfaces and densities from the two adjacent columns.
  auto remap_face = [&](const Field& w, Field& wo, int i, int j, int ia, int ja, int ib, int jb) {
    clean_column(src.z_interface, ia, ja, za);
    clean_column(src.z_interface, ib, jb, zb);
    for (int k = 0; k <= nzs; ++k)
      zf[static_cast<std::size_t>(k)] =
          0.5 * (za[static_cast<std::size_t>(k)] + zb[static_cast<std::size_t>(k)]);
    zf.back() = std::max(zf.back(), top);
    overlaps(zf, z_w, ov);
    std::fill(num.begin(), num.end(), 0.0);
    std::fill(den.begin(), den.end(), 0.0);
    for (const auto& o : ov) {
      const double m = o.dz * 0.5 * (src.density(ia, ja, o.s) + src.density(ib, jb, o.s));
      num[static_cast<std::size_t>(o.t)] += m * w(i, j, o.s);
      den[static_cast<std::size_t>(o.t)] += m;
    }
    for (int k = 0; k < nz; ++k)
      wo(i, j, k) = num[static_cast<std::size_t>(k)] / den[static_cast<std::size_t>(k)];
  };
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i <= nx; ++i)
      remap_face(src.u, out.u, i, j, std::max(i - 1, 0), j, std::min(i, nx - 1), j);
  for (int j = 0; j <= ny; ++j)
    for (int i = 0; i < nx; ++i)
      remap_face(src.v, out.v, i, j, i, std::max(j - 1, 0), i, std::min(j, ny - 1));
  recompute_rh(out);
}

void coarsen_record(const MetRecord& f, const HorizontalGrid& fine, int factor,
                    const HorizontalGrid& coarse, MetRecord& out) {
  const int nx = coarse.nx(), ny = coarse.ny(), nz = f.nz;
  out.allocate(nx, ny, nz);
  out.time = f.time;
  for (int k = 0; k <= nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) out.z_interface(i, j, k) = f.z_interface(0, 0, k);
  // 2-D fields and density: area-weighted block means.
  const auto fs = surface_fields(f);
  auto os = surface_fields(out);
  for (int J = 0; J < ny; ++J) {
    for (int I = 0; I < nx; ++I) {
      double area = 0.0;
      std::vector<double> s2(fs.size(), 0.0);
      for (int j = J * factor; j < (J + 1) * factor; ++j) {
        for (int i = I * factor; i < (I + 1) * factor; ++i) {
          const double a = fine.cell_area(i, j);
          area += a;
          for (std::size_t n = 0; n < fs.size(); ++n) s2[n] += a * (*fs[n])(i, j, 0);
        }
      }
      for (std::size_t n = 0; n < fs.size(); ++n) (*os[n])(I, J, 0) = s2[n] / area;
      for (int k = 0; k < nz; ++k) {
        double m = 0.0, t = 0.0, p = 0.0, q = 0.0, c = 0.0;
        for (int j = J * factor; j < (J + 1) * factor; ++j) {
          for (int i = I * factor; i < (I + 1) * factor; ++i) {
            const double w = fine.cell_area(i, j) * f.density(i, j, k);
            m += w;
            t += w * f.temperature(i, j, k);
            p += w * f.pressure(i, j, k);
            q += w * f.qvapor(i, j, k);
            c += w * f.cloud_water(i, j, k);
          }
        }
        out.density(I, J, k) = m / area;
        out.temperature(I, J, k) = t / m;
        out.pressure(I, J, k) = p / m;
        out.qvapor(I, J, k) = q / m;
        out.cloud_water(I, J, k) = c / m;
      }
    }
  }
  // Face winds: the coarse face's mass flux is the sum over its fine faces (equal dz).
  const int fnx = fine.nx(), fny = fine.ny();
  for (int k = 0; k < nz; ++k) {
    for (int J = 0; J < ny; ++J) {
      for (int I = 0; I <= nx; ++I) {
        const int i = I * factor;
        double flux = 0.0;  // [kg m-1 s-1] per unit dz
        for (int j = J * factor; j < (J + 1) * factor; ++j) {
          const double rf =
              0.5 * (f.density(std::max(i - 1, 0), j, k) + f.density(std::min(i, fnx - 1), j, k));
          flux += rf * f.u(i, j, k) * fine.face_length_x(i, j);
        }
        const double rc =
            0.5 * (out.density(std::max(I - 1, 0), J, k) + out.density(std::min(I, nx - 1), J, k));
        out.u(I, J, k) = flux / (rc * coarse.face_length_x(I, J));
      }
    }
    for (int J = 0; J <= ny; ++J) {
      for (int I = 0; I < nx; ++I) {
        const int j = J * factor;
        double flux = 0.0;
        for (int i = I * factor; i < (I + 1) * factor; ++i) {
          const double rf =
              0.5 * (f.density(i, std::max(j - 1, 0), k) + f.density(i, std::min(j, fny - 1), k));
          flux += rf * f.v(i, j, k) * fine.face_length_y(i, j);
        }
        const double rc =
            0.5 * (out.density(I, std::max(J - 1, 0), k) + out.density(I, std::min(J, ny - 1), k));
        out.v(I, J, k) = flux / (rc * coarse.face_length_y(I, J));
      }
    }
  }
  recompute_rh(out);
}

WindAdjustStats make_mass_consistent(const HorizontalGrid& grid, MetRecord& rec) {
  const WindAdjustStats st = adjust_wind(grid, rec.density, rec.z_interface, rec.u, rec.v);
  Field fx, fy, fz;
  face_mass_fluxes(grid, rec.density, rec.z_interface, rec.u, rec.v, fx, fy, fz);
  vertical_velocity(grid, rec.density, rec.z_interface, rec.terrain, rec.u, rec.v, fz, rec.w);
  fill_kz(rec);
  return st;
}

void interpolate_by_flux(const MetRecord& a, const Field& rxa, const Field& rya, const MetRecord& b,
                         const Field& rxb, const Field& ryb, TimePoint t, MetRecord& out) {
  interpolate_into(a, b, t, out);
  const double w = seconds_between(a.time, t) / seconds_between(a.time, b.time), w0 = 1.0 - w;
  auto faces = [&](const Field& ua, const Field& ra, const Field& ub, const Field& rb, Field& uo) {
    const std::size_t n = uo.size();
    for (std::size_t c = 0; c < n; ++c) {
      const double fa = ra.data()[c] * ua.data()[c], fb = rb.data()[c] * ub.data()[c];
      uo.data()[c] = (w0 * fa + w * fb) / (w0 * ra.data()[c] + w * rb.data()[c]);
    }
  };
  faces(a.u, rxa, b.u, rxb, out.u);
  faces(a.v, rya, b.v, ryb, out.v);
}

// ---- the file list -----------------------------------------------------------------------

std::vector<std::filesystem::path> met_file_list(const ConfigSection& met,
                                                 const std::string& source) {
  namespace fs = std::filesystem;
  const std::string key = met.name("files");
  if (!met.has("files")) {
    throw InputError(met.file(), key,
                     "is missing: met.source '" + source +
                         "' needs met.files (a folder, a glob pattern or a list of files)");
  }
  const fs::path case_dir = fs::path(met.file()).parent_path();
  std::vector<fs::path> out;
  std::vector<std::string> list;
  try {
    list = met.required<std::vector<std::string>>("files");
    for (const auto& s : list) {
      fs::path p(s);
      if (p.is_relative()) p = case_dir / p;
      if (!fs::is_regular_file(p))
        throw InputError(met.file(), key, "file " + p.string() + " not found");
      out.push_back(p);
    }
  } catch (const InputError& e) {
    if (!list.empty()) throw;
    const fs::path p = met.path("files");
    if (fs::is_directory(p)) {
      for (const auto& e2 : fs::directory_iterator(p)) {
        if (!e2.is_regular_file()) continue;
        const std::string name = e2.path().filename().string();
        const bool want = source == "wrf" ? name.rfind("wrfout", 0) == 0
                                          : name.size() > 3 && name.ends_with(".nc");
        if (want) out.push_back(e2.path());
      }
    } else if (fs::is_regular_file(p)) {
      out.push_back(p);
    } else if (fs::is_directory(p.parent_path())) {
      const std::string pattern = p.filename().string();
      for (const auto& e2 : fs::directory_iterator(p.parent_path())) {
        if (e2.is_regular_file() &&
            fnmatch(pattern.c_str(), e2.path().filename().string().c_str(), 0) == 0) {
          out.push_back(e2.path());
        }
      }
    }
    if (out.empty()) {
      throw InputError(met.file(), key,
                       "'" + p.string() + "' names no " +
                           (source == "wrf" ? "wrfout file" : "NetCDF (.nc) file") +
                           " (expected a folder, a glob pattern or a list of files)");
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// ---- records the run uses ----------------------------------------------------------------

namespace {

struct Entry {
  TimePoint time{};
  int file = 0;
  int record = 0;
};

// The records that bracket [period.begin, period.end], after the checks of the file
// comment. `files` names the files for messages, `time_var` their time variable.
std::vector<Entry> select_records(std::vector<Entry> all, const std::vector<std::string>& files,
                                  const std::string& time_var, const MetRunPeriod& period) {
  std::stable_sort(all.begin(), all.end(),
                   [](const Entry& a, const Entry& b) { return a.time < b.time; });
  const std::string need = format_iso(period.begin) + " to " + format_iso(period.end) +
                           " (run.start minus run.spinup_hours, to run.end)";
  const Entry& first = all.front();
  const Entry& last = all.back();
  if (first.time > period.begin) {
    throw InputError(files[static_cast<std::size_t>(first.file)], time_var,
                     "the first record is at " + format_iso(first.time) +
                         ", after the start of the run; the records must cover " + need);
  }
  if (last.time < period.end) {
    throw InputError(files[static_cast<std::size_t>(last.file)], time_var,
                     "the last record is at " + format_iso(last.time) +
                         ", before the end of the run; the records must cover " + need);
  }
  std::size_t lo = 0, hi = all.size() - 1;
  while (lo + 1 < all.size() && all[lo + 1].time <= period.begin) ++lo;
  while (hi > 0 && all[hi - 1].time >= period.end) --hi;
  while (lo > 0 && all[lo - 1].time == all[lo].time) --lo;  // a repeat at the start
  while (hi + 1 < all.size() && all[hi + 1].time == all[hi].time) ++hi;
  std::vector<Entry> out(all.begin() + static_cast<std::ptrdiff_t>(lo),
                         all.begin() + static_cast<std::ptrdiff_t>(hi) + 1);
  for (std::size_t n = 1; n < out.size(); ++n) {
    const Entry &a = out[n - 1], &b = out[n];
    if (a.time == b.time) {
      throw InputError(files[static_cast<std::size_t>(b.file)], time_var,
                       "record " + std::to_string(b.record) + " at " + format_iso(b.time) +
                           " repeats record " + std::to_string(a.record) + " of " +
                           files[static_cast<std::size_t>(a.file)] + "; expected every time once");
    }
  }
  if (out.size() < 2) {
    throw InputError(files[static_cast<std::size_t>(out.front().file)], time_var,
                     "one record at " + format_iso(out.front().time) +
                         " for the run; expected records that bracket " + need);
  }
  const double d0 = seconds_between(out[0].time, out[1].time);
  for (std::size_t n = 2; n < out.size(); ++n) {
    const double d = seconds_between(out[n - 1].time, out[n].time);
    if (d != d0) {
      throw InputError(
          files[static_cast<std::size_t>(out[n].file)], time_var,
          "gap in the records: " + hours_text(d) + " from " + format_iso(out[n - 1].time) + " (" +
              files[static_cast<std::size_t>(out[n - 1].file)] + ") to " + format_iso(out[n].time) +
              "; expected every " + hours_text(d0) + " like the first interval");
    }
  }
  return out;
}

// Common part of the file providers: processed records on the run grid (two kept, on
// the window last asked for) and their time interpolation.
class FileProvider : public MetProvider {
 public:
  using MetProvider::record;
  void record(TimePoint t, MetRecord& out) override { record(t, out, Window{}); }
  void record(TimePoint t, MetRecord& out, const Window& window) override {
    const Window w = resolve(window);
    if (t < entries_.front().time || t > entries_.back().time) {
      throw InputError(files_.front(), time_var_,
                       "no record brackets " + format_iso(t) + " (records " +
                           format_iso(entries_.front().time) + " to " +
                           format_iso(entries_.back().time) + ")");
    }
    std::size_t e = 0;
    while (e + 2 < entries_.size() && entries_[e + 1].time <= t) ++e;
    const Slot& a = load(e, w);
    const Slot& b = load(e + 1, w);
    interpolate_by_flux(a.rec, a.rfx, a.rfy, b.rec, b.rfx, b.rfy, t, out);
  }
  std::vector<std::string> files() const override {
    std::set<int> used;
    for (const auto& e : entries_) used.insert(e.file);
    std::vector<std::string> out;
    for (int f : used) out.push_back(files_[static_cast<std::size_t>(f)]);
    return out;
  }
  std::string description() const override {
    return kind_ + ": " + std::to_string(files().size()) + " files, records " +
           format_iso(entries_.front().time) + " to " + format_iso(entries_.back().time) +
           " every " + hours_text(seconds_between(entries_[0].time, entries_[1].time)) +
           ", first " + files_[static_cast<std::size_t>(entries_.front().file)] +
           (factor_ > 1
                ? "; block-averaged " + std::to_string(factor_) + " x " + std::to_string(factor_)
                : std::string()) +
           "; remapped to the case's layers, winds adjusted to mass consistency";
  }
  /// Largest relative column divergence left by the adjustment so far [1].
  double max_relative_divergence() const { return max_rel_div_; }

 protected:
  /// Reads entry e on the met grid (fine grid), native levels.
  virtual void read_native(std::size_t e, MetRecord& out) = 0;

  std::string kind_, time_var_;
  std::vector<std::string> files_;
  std::vector<Entry> entries_;
  std::shared_ptr<const HorizontalGrid> fine_, run_;
  int factor_ = 1;
  std::vector<double> z_w_;

 private:
  struct Slot {
    int entry = -1;
    Window win;
    MetRecord rec;
    Field rfx, rfy;
  };
  Window resolve(const Window& w) const {
    Window r = w;
    if (r.nx < 0) r.nx = run_->nx() - r.i0;
    if (r.ny < 0) r.ny = run_->ny() - r.j0;
    if (r.i0 < 0 || r.j0 < 0 || r.nx < 1 || r.ny < 1 || r.i0 + r.nx > run_->nx() ||
        r.j0 + r.ny > run_->ny()) {
      throw UsageError("met window (" + std::to_string(r.i0) + ", " + std::to_string(r.j0) + ", " +
                       std::to_string(r.nx) + " x " + std::to_string(r.ny) +
                       ") does not fit the run grid " + std::to_string(run_->nx()) + " x " +
                       std::to_string(run_->ny()));
    }
    return r;
  }
  static bool same(const Window& a, const Window& b) {
    return a.i0 == b.i0 && a.j0 == b.j0 && a.nx == b.nx && a.ny == b.ny;
  }
  const Slot& load(std::size_t e, const Window& w) {
    for (auto& s : slots_) {
      if (s.entry == static_cast<int>(e) && same(s.win, w)) return s;
    }
    // Replace the slot not holding e - 1 or e + 1 (the other one of the pair).
    Slot& s = (slots_[0].entry == static_cast<int>(e) - 1 ||
               slots_[0].entry == static_cast<int>(e) + 1) &&
                      same(slots_[0].win, w)
                  ? slots_[1]
                  : slots_[0];
    MetRecord native, remapped, coarse;
    read_native(e, native);
    native.time = entries_[e].time;
    remap_vertical(native, z_w_, remapped, files_[static_cast<std::size_t>(entries_[e].file)]);
    MetRecord* full = &remapped;
    if (factor_ > 1) {
      coarsen_record(remapped, *fine_, factor_, *run_, coarse);
      full = &coarse;
    }
    const WindAdjustStats st = make_mass_consistent(*run_, *full);
    max_rel_div_ = std::max(max_rel_div_, st.max_relative_divergence);
    Field rfx, rfy;
    face_density_x(full->density, rfx);
    face_density_y(full->density, rfy);
    if (w.i0 == 0 && w.j0 == 0 && w.nx == run_->nx() && w.ny == run_->ny()) {
      s.rec = std::move(*full);
      s.rfx = std::move(rfx);
      s.rfy = std::move(rfy);
    } else {
      window_record(*full, w.i0, w.j0, w.nx, w.ny, s.rec);
      cut(rfx, w.i0, w.j0, w.nx + 1, w.ny, s.rfx);
      cut(rfy, w.i0, w.j0, w.nx, w.ny + 1, s.rfy);
    }
    s.entry = static_cast<int>(e);
    s.win = w;
    return s;
  }
  Slot slots_[2];
  double max_rel_div_ = 0.0;
};

// ---- WRF ------------------------------------------------------------------------------------

const char* const kWrfNeeded[] = {"U",   "V",      "W",      "PH",    "PHB",    "P",  "PB",
                                  "T",   "QVAPOR", "PBLH",   "UST",   "HFX",    "T2", "U10",
                                  "V10", "PSFC",   "SWDOWN", "RAINC", "RAINNC", "HGT"};

class WrfProvider final : public FileProvider {
 public:
  WrfProvider(const std::vector<std::filesystem::path>& paths, const HorizontalGrid* target_fine,
              std::shared_ptr<const HorizontalGrid> run, int factor, std::vector<double> z_w,
              const MetRunPeriod& period) {
    kind_ = "WRF output";
    time_var_ = "Times";
    run_ = std::move(run);
    factor_ = factor;
    z_w_ = std::move(z_w);
    std::vector<Entry> all;
    for (const auto& p : paths) {
      auto f = std::make_shared<const WrfFile>(p.string());
      files_.push_back(f->path());
      for (int r = 0; r < f->records(); ++r)
        all.push_back({f->time(r), static_cast<int>(wrf_.size()), r});
      wrf_.push_back(f);
    }
    entries_ = select_records(all, files_, time_var_, period);
    std::set<int> used;
    for (const auto& e : entries_) used.insert(e.file);
    // Grid: the run's (fine) grid, or that of the first file used.
    const WrfFile& f0 = *wrf_[static_cast<std::size_t>(*used.begin())];
    fine_ = target_fine != nullptr ? std::make_shared<const HorizontalGrid>(*target_fine)
                                   : std::make_shared<const HorizontalGrid>(f0.grid());
    if (target_fine == nullptr) run_ = fine_;
    windows_.resize(wrf_.size());
    for (int u : used) {
      const WrfFile& f = *wrf_[static_cast<std::size_t>(u)];
      const nc::NcFile nc(f.path());
      for (const char* v : kWrfNeeded) {
        if (!nc.has_var(v)) {
          throw InputError(f.path(), v,
                           "is missing; fwaq run needs it (file with records " +
                               format_iso(f.times().front()) + " to " +
                               format_iso(f.times().back()) + ")");
        }
      }
      windows_[static_cast<std::size_t>(u)] = locate(f, *fine_);
    }
  }

 protected:
  void read_native(std::size_t e, MetRecord& out) override {
    const Entry& en = entries_[e];
    const WrfFile& f = *wrf_[static_cast<std::size_t>(en.file)];
    const Window& w = windows_[static_cast<std::size_t>(en.file)];
    out = f.read(en.record, w);
    // The first record of a file: its rate over the interval ending at it, from the
    // accumulation of the previous record in another file (the reader alone can only
    // use the next interval).
    if (en.record == 0 && e > 0 && entries_[e - 1].file != en.file) {
      const Entry& pv = entries_[e - 1];
      const WrfFile& g = *wrf_[static_cast<std::size_t>(pv.file)];
      const auto a1 = f.accumulated_precip(en.record, w);
      const auto a0 = g.accumulated_precip(pv.record, windows_[static_cast<std::size_t>(pv.file)]);
      const double h = seconds_between(pv.time, en.time) / 3600.0;
      bool ok = true;
      for (std::size_t c = 0; c < a1.size(); ++c) ok = ok && a1[c] >= a0[c] - 0.01;
      if (ok) {  // else another simulation: keep the reader's rate
        for (std::size_t c = 0; c < a1.size(); ++c)
          out.precip.data()[c] = std::max(0.0, a1[c] - a0[c]) / h;
      }
    }
  }

 private:
  // The window of file f that holds `grid`, checked (check_grid: projection, spacing,
  // size, corners).
  static Window locate(const WrfFile& f, const HorizontalGrid& grid) {
    if (f.nx() == grid.nx() && f.ny() == grid.ny()) {
      f.check_grid(grid, Window{});
      return Window{0, 0, grid.nx(), grid.ny()};
    }
    const HorizontalGrid fg = f.grid();
    const auto [fi, fj] = fg.index_of(grid.lon(0, 0), grid.lat(0, 0));
    const int i0 = static_cast<int>(std::lround(fi)), j0 = static_cast<int>(std::lround(fj));
    if (std::abs(fi - i0) > 0.01 || std::abs(fj - j0) > 0.01 || i0 < 0 || j0 < 0 ||
        i0 + grid.nx() > f.nx() || j0 + grid.ny() > f.ny()) {
      f.check_grid(grid, Window{});  // names the attribute that differs, if one does
      throw InputError(f.path(), "XLAT/XLONG",
                       "the file's " + std::to_string(f.nx()) + " x " + std::to_string(f.ny()) +
                           " cells do not hold the run's grid of " + std::to_string(grid.nx()) +
                           " x " + std::to_string(grid.ny()) +
                           " cells (its cell (0, 0) falls at file index (" + std::to_string(fi) +
                           ", " + std::to_string(fj) + ")); expected the case's domain grid");
    }
    const Window w{i0, j0, grid.nx(), grid.ny()};
    f.check_grid(grid, w);
    return w;
  }
  std::vector<std::shared_ptr<const WrfFile>> wrf_;
  std::vector<Window> windows_;
};

// ---- CF / ERA5 --------------------------------------------------------------------------

// MetRecord members by the names of CfFile::mapping().
std::vector<std::pair<std::string, Field MetRecord::*>> record_members() {
  return {{"temperature", &MetRecord::temperature},
          {"pressure", &MetRecord::pressure},
          {"density", &MetRecord::density},
          {"qvapor", &MetRecord::qvapor},
          {"rel_humidity", &MetRecord::rel_humidity},
          {"cloud_water", &MetRecord::cloud_water},
          {"z_interface", &MetRecord::z_interface},
          {"u", &MetRecord::u},
          {"v", &MetRecord::v},
          {"w", &MetRecord::w},
          {"terrain", &MetRecord::terrain},
          {"pblh", &MetRecord::pblh},
          {"ustar", &MetRecord::ustar},
          {"hfx", &MetRecord::hfx},
          {"t2", &MetRecord::t2},
          {"u10", &MetRecord::u10},
          {"v10", &MetRecord::v10},
          {"psfc", &MetRecord::psfc},
          {"swdown", &MetRecord::swdown},
          {"precip", &MetRecord::precip}};
}

const char* const kCfNeeded3d[] = {"temperature", "pressure", "density", "qvapor",
                                   "z_interface", "u",        "v"};
const char* const kCfNeeded2d[] = {"terrain", "pblh", "ustar", "hfx",    "t2",
                                   "u10",     "v10",  "psfc",  "swdown", "precip"};

class CfProvider final : public FileProvider {
 public:
  CfProvider(const std::vector<std::filesystem::path>& paths,
             std::shared_ptr<const HorizontalGrid> run, std::vector<double> z_w,
             const MetRunPeriod& period) {
    kind_ = "CF/ERA5 NetCDF";
    time_var_ = "time";
    run_ = run;
    fine_ = run;
    z_w_ = std::move(z_w);
    std::vector<Entry> all;
    for (const auto& p : paths) {
      auto f = std::make_shared<const CfFile>(p.string());
      files_.push_back(f->path());
      const int idx = static_cast<int>(cf_.size());
      cf_.push_back(f);
      check_grid(*f);
      if (f->has_levels()) {
        for (int r = 0; r < f->records(); ++r) all.push_back({f->time(r), idx, r});
        time_var_ = f->time_variable();
      } else {
        for (int r = 0; r < f->records(); ++r) {
          if (surface_.count(f->time(r))) {
            throw InputError(f->path(), f->time_variable(),
                             "surface record " + std::to_string(r) + " at " +
                                 format_iso(f->time(r)) + " repeats one of " +
                                 files_[static_cast<std::size_t>(surface_[f->time(r)].first)] +
                                 "; expected every time once");
          }
          surface_[f->time(r)] = {idx, r};
        }
      }
    }
    if (all.empty()) {
      throw InputError(files_.front(), "levels",
                       "no file with 3-D fields on levels among met.files; expected one or "
                       "more files of 4-D (time, level, lat, lon) fields and a surface file");
    }
    entries_ = select_records(all, files_, time_var_, period);
    // Every field the run needs, from the level files or the surface files.
    std::set<std::string> have3, have2;
    for (const auto& e : entries_) {
      for (const auto& [k, v] : cf_[static_cast<std::size_t>(e.file)]->mapping()) have3.insert(k);
    }
    for (const auto& [t, fr] : surface_) {
      for (const auto& [k, v] : cf_[static_cast<std::size_t>(fr.first)]->mapping()) have2.insert(k);
    }
    const std::string first = files_[static_cast<std::size_t>(entries_.front().file)];
    for (const char* n : kCfNeeded3d) {
      if (!have3.count(n)) {
        throw InputError(first, n,
                         "is not in the level files (see the CF reader's variable table in "
                         "docs/science/meteorology.md); fwaq run needs it");
      }
    }
    for (const char* n : kCfNeeded2d) {
      if (!have2.count(n) && !have3.count(n)) {
        throw InputError(first, n,
                         "is in none of met.files (level or surface files); fwaq run needs it");
      }
    }
  }

 protected:
  void read_native(std::size_t e, MetRecord& out) override {
    const Entry& en = entries_[e];
    const CfFile& f = *cf_[static_cast<std::size_t>(en.file)];
    out = f.read(en.record);
    std::map<std::string, std::string> filled = f.mapping();
    const auto it = surface_.find(en.time);
    if (it != surface_.end()) {
      const CfFile& s = *cf_[static_cast<std::size_t>(it->second.first)];
      const MetRecord sr = s.read(it->second.second);
      for (const auto& [name, member] : record_members()) {
        if (filled.count(name) || !s.mapping().count(name) || (sr.*member).nz() != 1) continue;
        out.*member = sr.*member;
        filled[name] = s.mapping().at(name);
      }
      // Heights: the level file's geopotential over the surface file's terrain.
      if (!f.mapping().count("terrain") && s.mapping().count("terrain")) {
        for (int k = 0; k <= out.nz; ++k)
          for (int j = 0; j < out.ny; ++j)
            for (int i = 0; i < out.nx; ++i)
              out.z_interface(i, j, k) =
                  k == 0 ? 0.0 : out.z_interface(i, j, k) - sr.terrain(i, j, 0);
      }
    }
    for (const char* n : kCfNeeded2d) {
      if (!filled.count(n)) {
        throw InputError(f.path(), n,
                         "has no value at " + format_iso(en.time) +
                             " in the level file nor in a surface file; expected a surface "
                             "record at every time of the level records");
      }
    }
  }

 private:
  void check_grid(const CfFile& f) const {
    const HorizontalGrid& g = *run_;
    bool ok = g.is_lat_lon() && f.nx() == g.nx() && f.ny() == g.ny();
    for (int i = 0; ok && i < f.nx(); ++i)
      ok = std::abs(f.longitudes()[static_cast<std::size_t>(i)] - g.lon(i, 0)) < 1e-6;
    for (int j = 0; ok && j < f.ny(); ++j)
      ok = std::abs(f.latitudes()[static_cast<std::size_t>(j)] - g.lat(0, j)) < 1e-6;
    if (!ok) {
      throw InputError(
          f.path(), "longitude/latitude",
          "the file's grid (" + std::to_string(f.nx()) + " x " + std::to_string(f.ny()) +
              " cells from " + std::to_string(f.longitudes().front()) + " E, " +
              std::to_string(f.latitudes().front()) + " N) is not the run's grid (" +
              std::to_string(g.nx()) + " x " + std::to_string(g.ny()) + " cells from " +
              std::to_string(g.lon(0, 0)) + " E, " + std::to_string(g.lat(0, 0)) +
              " N); expected every met file on one latitude-longitude grid");
    }
  }
  std::vector<std::shared_ptr<const CfFile>> cf_;
  std::map<TimePoint, std::pair<int, int>> surface_;  // time -> (file, record)
};

}  // namespace

std::unique_ptr<MetProvider> wrf_provider(const std::vector<std::filesystem::path>& files,
                                          const HorizontalGrid& fine, const HorizontalGrid& run,
                                          int coarsen, const std::vector<double>& z_w,
                                          const MetRunPeriod& period) {
  return std::make_unique<WrfProvider>(files, &fine, std::make_shared<const HorizontalGrid>(run),
                                       coarsen, z_w, period);
}

std::unique_ptr<MetProvider> cf_provider(const std::vector<std::filesystem::path>& files,
                                         const HorizontalGrid& grid, const std::vector<double>& z_w,
                                         const MetRunPeriod& period) {
  return std::make_unique<CfProvider>(files, std::make_shared<const HorizontalGrid>(grid), z_w,
                                      period);
}

std::unique_ptr<MetProvider> make_wrf_provider(const Config& cfg, const Domain& domain,
                                               const MetRunPeriod& period, int coarsen) {
  const ConfigSection met = cfg.section("met");
  const auto files = met_file_list(met, "wrf");
  auto run = std::make_shared<const HorizontalGrid>(domain.grid());
  std::optional<HorizontalGrid> fine;
  if (coarsen > 1) {
    DomainSpec s = domain.spec();
    s.nx *= coarsen;
    s.ny *= coarsen;
    s.dx_m /= coarsen;
    s.dy_m /= coarsen;
    fine = s.horizontal_grid();
  } else {
    fine = domain.grid();
  }
  return std::make_unique<WrfProvider>(files, &*fine, run, coarsen, domain.spec().z_w_m, period);
}

std::unique_ptr<MetProvider> make_cf_provider(const Config& cfg, const Domain& domain,
                                              const MetRunPeriod& period) {
  const ConfigSection met = cfg.section("met");
  if (!domain.grid().is_lat_lon()) {
    throw InputError(cfg.path(), "domain.from_met",
                     "met.source 'cf' reads latitude-longitude files, but the run's grid is "
                     "the case's Lambert domain; set domain.from_met: true");
  }
  const auto files = met_file_list(met, "cf");
  return std::make_unique<CfProvider>(files, std::make_shared<const HorizontalGrid>(domain.grid()),
                                      domain.spec().z_w_m, period);
}

}  // namespace fwaq::model

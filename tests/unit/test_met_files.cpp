// Meteorology files for a run (src/model/met_files.hpp): the WRF provider on wrfout files
// written from the synthetic winter, its checks (each an InputError naming file, variable
// and time), vertical remap, block averaging, mass consistency, flux-preserving time
// interpolation and windows.
#include <gtest/gtest.h>
#include <netcdf.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "met/diagnostic_wind.hpp"
#include "met/synthetic.hpp"
#include "met/wrf_writer.hpp"
#include "model/met_files.hpp"

namespace {

using namespace fwaq;
using std::chrono::hours;
namespace fs = std::filesystem;

// 12 x 10 cells of 12 km on the default case's projection around Xi'an, a ridge of
// 1000 m; the run's layers are those of the files (8 layers to 10 km).
struct Case {
  std::shared_ptr<const Projection> proj =
      std::make_shared<const Projection>(Projection::wrf_lambert(34.0, 38.0, 110.0));
  HorizontalGrid grid = HorizontalGrid::centred(proj, 12, 10, 12000.0, 12000.0, 108.95, 34.27);
  HorizontalGrid coarse = HorizontalGrid::centred(proj, 6, 5, 24000.0, 24000.0, 108.95, 34.27);
  std::vector<double> z_w = {0.0, 35.0, 100.0, 250.0, 600.0, 1200.0, 2500.0, 5000.0, 10000.0};
  Field terrain{"terrain", "m", 12, 10, 1, 0};
  std::unique_ptr<SyntheticWinter> gen;
  fs::path dir;
  Case() {
    for (int j = 0; j < 10; ++j)
      for (int i = 0; i < 12; ++i) {
        const double x = (i - 7.0) / 2.0;
        terrain(i, j, 0) = 400.0 + 1000.0 * std::exp(-0.5 * x * x);
      }
    gen = std::make_unique<SyntheticWinter>(grid, VerticalGrid::uniform(12, 10, z_w), terrain);
    dir = fs::temp_directory_path() /
          ("fwaq_met_files_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
           "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Case() { fs::remove_all(dir); }
  // One wrfout file holding the records at `times`.
  fs::path write(const std::string& name, const std::vector<TimePoint>& times) const {
    std::vector<MetRecord> recs;
    std::vector<Field> rain;
    for (TimePoint t : times) {
      recs.push_back(gen->record(t));
      Field r("rain", "mm", 12, 10, 1, 0);
      r.fill(gen->precipitation_mm(parse_time("2019-12-01T00:00:00Z"), t));
      rain.push_back(r);
    }
    WrfWriteOptions opt;
    opt.simulation_start = parse_time("2019-12-01T00:00:00Z");
    const fs::path p = dir / name;
    write_wrfout(p, grid, recs, rain, opt);
    return p;
  }
};

TimePoint T(const char* s) {
  return parse_time(s);
}
std::vector<TimePoint> every3h(const char* first, int n) {
  std::vector<TimePoint> v;
  for (int k = 0; k < n; ++k) v.push_back(T(first) + hours(3 * k));
  return v;
}

InputError expect_input_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError";
  return InputError("", "", "");
}
bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

model::MetRunPeriod period(const char* a, const char* b) {
  return {T(a), T(b)};
}

// ---- checks ------------------------------------------------------------------------------

TEST(MetFiles, RecordsMustCoverTheRunIncludingSpinUp) {
  Case c;
  const auto f = c.write("wrfout_a", every3h("2019-12-02T00:00:00Z", 5));  // 00 .. 12 UTC
  // Begins before the first record (as a spin-up would).
  InputError e = expect_input_error([&] {
    model::wrf_provider({f}, c.grid, c.grid, 1, c.z_w,
                        period("2019-12-01T21:00:00Z", "2019-12-02T06:00:00Z"));
  });
  EXPECT_EQ(e.file(), f.string());
  EXPECT_EQ(e.variable(), "Times");
  EXPECT_TRUE(has(e.what(), "first record is at 2019-12-02T00:00:00Z")) << e.what();
  EXPECT_TRUE(has(e.what(), "2019-12-01T21:00:00Z to 2019-12-02T06:00:00Z")) << e.what();
  // Ends after the last one.
  e = expect_input_error([&] {
    model::wrf_provider({f}, c.grid, c.grid, 1, c.z_w,
                        period("2019-12-02T00:00:00Z", "2019-12-02T13:00:00Z"));
  });
  EXPECT_TRUE(has(e.what(), "last record is at 2019-12-02T12:00:00Z")) << e.what();
  // Inside: fine, and records outside the period are ignored (only 03-09 UTC are used).
  auto p = model::wrf_provider({f}, c.grid, c.grid, 1, c.z_w,
                               period("2019-12-02T04:00:00Z", "2019-12-02T08:00:00Z"));
  EXPECT_TRUE(has(p->description(), "records 2019-12-02T03:00:00Z to 2019-12-02T09:00:00Z"))
      << p->description();
}

TEST(MetFiles, GapAndRepeatInTheTimesAreErrors) {
  Case c;
  const auto a = c.write("wrfout_a", every3h("2019-12-02T00:00:00Z", 3));  // 00 03 06
  const auto b = c.write("wrfout_b", every3h("2019-12-02T12:00:00Z", 2));  // 12 15: 09 missing
  InputError e = expect_input_error([&] {
    model::wrf_provider({a, b}, c.grid, c.grid, 1, c.z_w,
                        period("2019-12-02T00:00:00Z", "2019-12-02T15:00:00Z"));
  });
  EXPECT_EQ(e.file(), b.string());
  EXPECT_EQ(e.variable(), "Times");
  EXPECT_TRUE(has(e.what(), "gap in the records: 6 h from 2019-12-02T06:00:00Z")) << e.what();
  EXPECT_TRUE(has(e.what(), "expected every 3 h")) << e.what();
  // A gap outside the run period does not matter.
  EXPECT_NO_THROW(model::wrf_provider({a, b}, c.grid, c.grid, 1, c.z_w,
                                      period("2019-12-02T00:00:00Z", "2019-12-02T05:00:00Z")));

  const auto d = c.write("wrfout_d", every3h("2019-12-02T06:00:00Z", 2));  // 06 again
  e = expect_input_error([&] {
    model::wrf_provider({a, d}, c.grid, c.grid, 1, c.z_w,
                        period("2019-12-02T00:00:00Z", "2019-12-02T09:00:00Z"));
  });
  EXPECT_EQ(e.file(), d.string());
  EXPECT_TRUE(has(e.what(), "record 0 at 2019-12-02T06:00:00Z repeats record 2 of " + a.string()))
      << e.what();
}

TEST(MetFiles, MissingVariableGridMismatchAndProjectionAreErrors) {
  Case c;
  const auto f = c.write("wrfout_a", every3h("2019-12-02T00:00:00Z", 3));
  const auto per = period("2019-12-02T00:00:00Z", "2019-12-02T06:00:00Z");
  // A copy without PBLH (renamed).
  const fs::path g = c.dir / "wrfout_nopblh";
  fs::copy_file(f, g);
  int id = 0, var = 0;
  ASSERT_EQ(nc_open(g.c_str(), NC_WRITE, &id), NC_NOERR);
  ASSERT_EQ(nc_inq_varid(id, "PBLH", &var), NC_NOERR);
  ASSERT_EQ(nc_redef(id), NC_NOERR);
  ASSERT_EQ(nc_rename_var(id, var, "PBLH_OLD"), NC_NOERR);
  ASSERT_EQ(nc_close(id), NC_NOERR);
  InputError e =
      expect_input_error([&] { model::wrf_provider({g}, c.grid, c.grid, 1, c.z_w, per); });
  EXPECT_EQ(e.file(), g.string());
  EXPECT_EQ(e.variable(), "PBLH");
  EXPECT_TRUE(has(e.what(), "is missing")) << e.what();
  EXPECT_TRUE(has(e.what(), "2019-12-02T00:00:00Z to 2019-12-02T06:00:00Z")) << e.what();

  // The run's grid centred 0.5 degrees further east: not the files' grid.
  const HorizontalGrid other =
      HorizontalGrid::centred(c.proj, 12, 10, 12000.0, 12000.0, 109.45, 34.27);
  e = expect_input_error([&] { model::wrf_provider({f}, other, other, 1, c.z_w, per); });
  EXPECT_EQ(e.file(), f.string());
  EXPECT_TRUE(has(e.what(), "CEN_LON") || has(e.what(), "corner") || has(e.what(), "cell"))
      << e.what();
  // Another spacing.
  const HorizontalGrid wide =
      HorizontalGrid::centred(c.proj, 12, 10, 15000.0, 15000.0, 108.95, 34.27);
  e = expect_input_error([&] { model::wrf_provider({f}, wide, wide, 1, c.z_w, per); });
  EXPECT_TRUE(has(e.what(), "DX")) << e.what();

  // MAP_PROJ = 3 (Mercator) is not supported.
  const fs::path m = c.dir / "wrfout_mercator";
  fs::copy_file(f, m);
  ASSERT_EQ(nc_open(m.c_str(), NC_WRITE, &id), NC_NOERR);
  ASSERT_EQ(nc_redef(id), NC_NOERR);
  const int three = 3;
  ASSERT_EQ(nc_put_att_int(id, NC_GLOBAL, "MAP_PROJ", NC_INT, 1, &three), NC_NOERR);
  ASSERT_EQ(nc_close(id), NC_NOERR);
  e = expect_input_error([&] { model::wrf_provider({m}, c.grid, c.grid, 1, c.z_w, per); });
  EXPECT_EQ(e.file(), m.string());
  EXPECT_TRUE(has(e.what(), "MAP_PROJ")) << e.what();
}

// ---- numerics -------------------------------------------------------------------------------

// Net outflow of every cell after fz from continuity: the top interface flux, relative
// to the largest face flux of the column.
double max_top_outflow(const HorizontalGrid& g, const MetRecord& r) {
  Field fx, fy, fz;
  face_mass_fluxes(g, r.density, r.z_interface, r.u, r.v, fx, fy, fz);
  double top = 0.0, scale = 0.0;
  for (int j = 0; j < r.ny; ++j)
    for (int i = 0; i < r.nx; ++i) {
      top = std::max(top, std::abs(fz(i, j, r.nz)));
      for (int k = 0; k < r.nz; ++k) scale = std::max(scale, std::abs(fx(i, j, k)));
    }
  return top / scale;
}

TEST(MetFiles, RecordsAreMassConsistentAndInterpolateByFlux) {
  Case c;
  const auto f = c.write("wrfout_a", every3h("2019-12-02T00:00:00Z", 3));
  // Coarsened 2 x 2 onto the 24-km grid.
  auto p = model::wrf_provider({f}, c.grid, c.coarse, 2, c.z_w,
                               period("2019-12-02T00:00:00Z", "2019-12-02T06:00:00Z"));
  MetRecord a, b, m;
  p->record(T("2019-12-02T00:00:00Z"), a);
  p->record(T("2019-12-02T03:00:00Z"), b);
  p->record(T("2019-12-02T01:00:00Z"), m);
  ASSERT_EQ(m.nx, 6);
  ASSERT_EQ(m.nz, 8);
  // Adjusted: no column divergence (round-off only).
  for (const MetRecord* r : {&a, &b, &m}) EXPECT_LT(max_top_outflow(c.coarse, *r), 1e-11);
  // The interpolated mass fluxes are the linear interpolation of the records' fluxes.
  Field fa, fb, fm, ga, gb, gm, za, zb, zm;
  face_mass_fluxes(c.coarse, a.density, a.z_interface, a.u, a.v, fa, ga, za);
  face_mass_fluxes(c.coarse, b.density, b.z_interface, b.u, b.v, fb, gb, zb);
  face_mass_fluxes(c.coarse, m.density, m.z_interface, m.u, m.v, fm, gm, zm);
  double worst = 0.0, scale = 0.0;
  for (std::size_t n = 0; n < fm.size(); ++n) {
    const double want = (2.0 * fa.data()[n] + fb.data()[n]) / 3.0;
    worst = std::max(worst, std::abs(fm.data()[n] - want));
    scale = std::max(scale, std::abs(want));
  }
  EXPECT_LT(worst, 1e-12 * scale);
  // The layers are the case's, in every column.
  for (int k = 0; k <= 8; ++k)
    EXPECT_EQ(m.z_interface(3, 2, k), c.z_w[static_cast<std::size_t>(k)]);
}

TEST(MetFiles, RemapAndBlockAverageKeepTheAirMass) {
  Case c;
  // A record on other layers than the run's: 5 layers to 12 km, the lowest 100 m.
  const std::vector<double> zs = {0.0, 100.0, 700.0, 3000.0, 7000.0, 12000.0};
  const SyntheticWinter g2(c.grid, VerticalGrid::uniform(12, 10, zs), c.terrain);
  const MetRecord src = g2.record(T("2019-12-02T06:00:00Z"));
  MetRecord fine, coarse;
  model::remap_vertical(src, c.z_w, fine);
  // Air mass below 10 km in each column: source layers cut at 10 km.
  double worst = 0.0;
  for (int j = 0; j < 10; ++j)
    for (int i = 0; i < 12; ++i) {
      double ms = 0.0, mt = 0.0;
      for (int k = 0; k < src.nz; ++k) {
        const double lo = src.z_interface(i, j, k),
                     hi = std::min(src.z_interface(i, j, k + 1), 10000.0);
        if (hi > lo) ms += src.density(i, j, k) * (hi - lo);
      }
      for (int k = 0; k < fine.nz; ++k)
        mt += fine.density(i, j, k) *
              (c.z_w[static_cast<std::size_t>(k) + 1] - c.z_w[static_cast<std::size_t>(k)]);
      worst = std::max(worst, std::abs(mt - ms) / ms);
    }
  EXPECT_LT(worst, 1e-13);
  // A layer inside one source layer takes its value (temperature of layer 0 of the run,
  // 0-35 m, lies in source layer 0, 0-100 m).
  EXPECT_DOUBLE_EQ(fine.temperature(4, 4, 0), src.temperature(4, 4, 0));
  // Block average: the air mass of each block is kept up to the ratio of the coarse
  // cell's area to the sum of its fine cells' areas (map-factor variation inside a block,
  // ~1e-6 here; the same as for Domain::coarsened's masks).
  model::coarsen_record(fine, c.grid, 2, c.coarse, coarse);
  double worst_block = 0.0;
  for (int J = 0; J < 5; ++J)
    for (int I = 0; I < 6; ++I) {
      double mf = 0.0, af = 0.0;
      for (int j = 2 * J; j < 2 * J + 2; ++j)
        for (int i = 2 * I; i < 2 * I + 2; ++i) {
          mf += fine.density(i, j, 2) * c.grid.cell_area(i, j);
          af += c.grid.cell_area(i, j);
        }
      const double mc = coarse.density(I, J, 2) * af;
      worst_block = std::max(worst_block, std::abs(mc / mf - 1.0));
    }
  EXPECT_LT(worst_block, 1e-14);
  // The net mass flux out of the coarse grid equals that out of the fine grid (layer 3).
  auto outflow = [](const HorizontalGrid& g, const MetRecord& r) {
    Field fx, fy, fz;
    face_mass_fluxes(g, r.density, r.z_interface, r.u, r.v, fx, fy, fz);
    double s = 0.0;
    for (int j = 0; j < r.ny; ++j) s += fx(r.nx, j, 3) - fx(0, j, 3);
    for (int i = 0; i < r.nx; ++i) s += fy(i, r.ny, 3) - fy(i, 0, 3);
    return s;
  };
  const double of = outflow(c.grid, fine), oc = outflow(c.coarse, coarse);
  EXPECT_NEAR(oc, of, 1e-9 * std::max(1.0, std::abs(of)));
}

TEST(MetFiles, WindowEqualsTheCutOfTheWholeGridAndFilesMatchTheSyntheticWinter) {
  Case c;
  const auto f = c.write("wrfout_a", every3h("2019-12-02T00:00:00Z", 3));
  auto p = model::wrf_provider({f}, c.grid, c.grid, 1, c.z_w,
                               period("2019-12-02T00:00:00Z", "2019-12-02T06:00:00Z"));
  const TimePoint t = T("2019-12-02T04:30:00Z");
  MetRecord whole, win;
  p->record(t, whole);
  p->record(t, win, Window{3, 2, 5, 4});
  ASSERT_EQ(win.nx, 5);
  ASSERT_EQ(win.ny, 4);
  for (int k = 0; k < 8; ++k)
    for (int j = 0; j < 4; ++j)
      for (int i = 0; i <= 5; ++i) {
        EXPECT_EQ(win.u(i, j, k), whole.u(3 + i, 2 + j, k));
        if (i < 5) {
          EXPECT_EQ(win.temperature(i, j, k), whole.temperature(3 + i, 2 + j, k));
          EXPECT_EQ(win.density(i, j, k), whole.density(3 + i, 2 + j, k));
          EXPECT_EQ(win.kz(i, j, k), whole.kz(3 + i, 2 + j, k));
        }
      }
  // At a record time the files give back the synthetic winter (float storage: 1e-5
  // relative for T and density; the winds were already mass-consistent, so the
  // adjustment changes them by little).
  MetRecord r, s = c.gen->record(T("2019-12-02T03:00:00Z"));
  p->record(T("2019-12-02T03:00:00Z"), r);
  double dt = 0.0, drho = 0.0, du = 0.0;
  for (int k = 0; k < 8; ++k)
    for (int j = 0; j < 10; ++j)
      for (int i = 0; i < 12; ++i) {
        dt = std::max(dt, std::abs(r.temperature(i, j, k) - s.temperature(i, j, k)));
        drho = std::max(drho, std::abs(r.density(i, j, k) / s.density(i, j, k) - 1.0));
        du = std::max(du, std::abs(r.u(i, j, k) - s.u(i, j, k)));
      }
  EXPECT_LT(dt, 0.01);    // [K]
  EXPECT_LT(drho, 1e-5);  // [1]
  EXPECT_LT(du, 0.05);    // [m s-1]
}

}  // namespace

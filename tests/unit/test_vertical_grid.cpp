// Tests of the terrain-following vertical grid: layer geometry, input
// validation, and heights from WRF eta levels checked against the standard
// atmosphere tables and against WRF's own geopotential in a sample wrfout file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <netcdf>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "grid/vertical_grid.hpp"

namespace {

// A value for RecordProperty, in scientific notation.
std::string sci(double v) {
  std::ostringstream os;
  os << std::scientific << std::setprecision(2) << v;
  return os.str();
}

using fwaq::VerticalGrid;

// Runs f, expects a fwaq::UsageError whose message contains `text`.
template <class F>
void expect_usage_error_naming(F&& f, const std::string& text) {
  try {
    f();
    ADD_FAILURE() << "no fwaq::UsageError thrown (expected one naming '" << text << "')";
  } catch (const fwaq::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

TEST(VerticalGridTest, UniformThicknessesSumToTop) {
  const std::vector<double> zw = {0.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2500.0, 12000.0};
  const VerticalGrid g = VerticalGrid::uniform(4, 3, zw);
  EXPECT_EQ(g.nz(), 8);
  EXPECT_TRUE(g.is_uniform());
  for (int j = 0; j < 3; ++j) {
    for (int i = 0; i < 4; ++i) {
      double sum = 0.0;
      for (int k = 0; k < g.nz(); ++k) {
        EXPECT_GT(g.dz(i, j, k), 0.0);
        EXPECT_DOUBLE_EQ(g.z_mid(i, j, k), 0.5 * (zw[k] + zw[k + 1]));
        sum += g.dz(i, j, k);
      }
      EXPECT_DOUBLE_EQ(sum, g.top(i, j));
      EXPECT_EQ(g.top(i, j), 12000.0);
    }
  }
  EXPECT_EQ(g.dz(0, 0, 0), 20.0);
  EXPECT_EQ(g.column(2, 1).size(), 9u);
}

TEST(VerticalGridTest, PerColumnAndTimeUpdates) {
  // 2 x 1 columns, 3 layers; column 1 is squeezed (higher terrain, same top).
  std::vector<double> zw = {0.0, 100.0, 400.0, 1000.0, 0.0, 80.0, 300.0, 700.0};
  VerticalGrid g = VerticalGrid::per_column(2, 1, 3, zw);
  EXPECT_FALSE(g.is_uniform());
  EXPECT_EQ(g.dz(1, 0, 1), 220.0);
  EXPECT_EQ(g.top(0, 0), 1000.0);
  double sum = 0.0;
  for (int k = 0; k < 3; ++k) sum += g.dz(1, 0, k);
  EXPECT_DOUBLE_EQ(sum, 700.0);

  // A new time level.
  zw[1] = 110.0;
  g.set_interfaces(zw);
  EXPECT_EQ(g.dz(0, 0, 0), 110.0);

  // set_column turns a uniform grid into a per-column one.
  VerticalGrid u = VerticalGrid::uniform(3, 2, {0.0, 10.0, 30.0});
  const std::vector<double> col = {0.0, 12.0, 40.0};
  u.set_column(2, 1, col);
  EXPECT_FALSE(u.is_uniform());
  EXPECT_EQ(u.dz(2, 1, 1), 28.0);
  EXPECT_EQ(u.dz(1, 1, 1), 20.0);
  EXPECT_EQ(u.top(0, 0), 30.0);
}

TEST(VerticalGridTest, BadInputThrows) {
  expect_usage_error_naming([] { VerticalGrid::uniform(2, 2, {5.0, 10.0, 30.0}); }, "5");
  expect_usage_error_naming([] { VerticalGrid::uniform(2, 2, {0.0, 50.0, 30.0}); }, "30");
  expect_usage_error_naming([] { VerticalGrid::uniform(2, 2, {0.0, 50.0, 50.0}); }, "z_w[2]");
  expect_usage_error_naming([] { VerticalGrid::uniform(2, 2, {0.0, NAN}); }, "nan");
  expect_usage_error_naming([] { VerticalGrid::uniform(2, 2, {0.0}); }, "1");
  expect_usage_error_naming([] { VerticalGrid::uniform(0, 2, {0.0, 1.0}); }, "nx = 0");
  expect_usage_error_naming(
      [] {
        VerticalGrid::per_column(2, 1, 2, {0.0, 1.0, 2.0, 0.0, 3.0, 2.5});
      },
      "(1, 0)");
  expect_usage_error_naming([] { VerticalGrid::per_column(2, 1, 2, {0.0, 1.0, 2.0}); }, "6");
  VerticalGrid g = VerticalGrid::uniform(2, 2, {0.0, 10.0, 30.0});
  const std::vector<double> bad = {0.0, 40.0, 30.0};
  expect_usage_error_naming([&] { g.set_column(0, 0, bad); }, "30");
  EXPECT_TRUE(g.is_uniform());  // unchanged after a failed update
  EXPECT_EQ(g.dz(0, 0, 1), 20.0);
  const std::vector<double> good = {0.0, 10.0, 30.0};
  expect_usage_error_naming([&] { g.set_column(2, 0, good); }, "(2, 0)");

  const std::vector<double> eta = {1.0, 0.5, 0.0};
  expect_usage_error_naming([&] { VerticalGrid::eta_heights(eta, 100000.0, 0.0); }, "p_top = 0");
  const std::vector<double> eta_up = {1.0, 0.5, 0.6};
  expect_usage_error_naming([&] { VerticalGrid::eta_heights(eta_up, 1e5, 5e3); }, "0.6");
  const std::vector<double> eta_low = {0.9, 0.5, 0.0};
  expect_usage_error_naming([&] { VerticalGrid::eta_heights(eta_low, 1e5, 5e3); }, "0.9");
  const std::vector<double> tv = {280.0};
  expect_usage_error_naming([&] { VerticalGrid::eta_heights(eta, 1e5, 5e3, tv); }, "2");
}

// Standard-atmosphere pressure altitudes (ICAO / U.S. Standard Atmosphere 1976
// tables, geopotential metres): 850 hPa 1457 m, 700 hPa 3012 m, 500 hPa 5574 m,
// 300 hPa 9164 m, 200 hPa 11784 m, 100 hPa 16180 m.
TEST(VerticalGridTest, StandardAtmosphereHeights) {
  EXPECT_NEAR(VerticalGrid::standard_atmosphere_height(101325.0), 0.0, 1e-9);
  EXPECT_NEAR(VerticalGrid::standard_atmosphere_height(85000.0), 1457.0, 2.0);
  EXPECT_NEAR(VerticalGrid::standard_atmosphere_height(70000.0), 3012.0, 2.0);
  EXPECT_NEAR(VerticalGrid::standard_atmosphere_height(50000.0), 5574.0, 2.0);
  EXPECT_NEAR(VerticalGrid::standard_atmosphere_height(30000.0), 9164.0, 2.0);
  EXPECT_NEAR(VerticalGrid::standard_atmosphere_height(20000.0), 11784.0, 2.0);
  EXPECT_NEAR(VerticalGrid::standard_atmosphere_height(10000.0), 16180.0, 2.0);
  EXPECT_THROW(VerticalGrid::standard_atmosphere_height(0.0), fwaq::UsageError);

  // from_eta: a sea-level column up to 100 hPa, heights as in the table.
  const std::vector<double> eta = {1.0, 0.75, (50000.0 - 10000.0) / (101325.0 - 10000.0), 0.0};
  const VerticalGrid g = VerticalGrid::from_eta(3, 3, eta, 101325.0, 10000.0);
  EXPECT_EQ(g.nz(), 3);
  EXPECT_NEAR(g.z_w(1, 1, 2), 5574.0, 2.0);
  EXPECT_NEAR(g.top(2, 2), 16180.0, 2.0);
  double sum = 0.0;
  for (int k = 0; k < g.nz(); ++k) sum += g.dz(0, 0, k);
  EXPECT_NEAR(sum, g.top(0, 0), 1e-9);
}

// Isothermal atmosphere: z = (R_d T / g0) ln(p_s / p) exactly.
TEST(VerticalGridTest, EtaHeightsIsothermal) {
  const std::vector<double> eta = {1.0, 0.9, 0.6, 0.2, 0.0};
  const std::vector<double> tv(4, 250.0);
  const std::vector<double> z = VerticalGrid::eta_heights(eta, 95000.0, 5000.0, tv);
  const double h = 287.05 * 250.0 / 9.80665;  // scale height [m]
  for (std::size_t k = 0; k < eta.size(); ++k) {
    const double p = eta[k] * 90000.0 + 5000.0;
    EXPECT_NEAR(z[k], h * std::log(95000.0 / p), 1e-6);
  }
}

// Hydrostatic heights from WRF's ZNW, MU + MUB + P_TOP and the model's own
// temperatures reproduce WRF's geopotential heights (PH + PHB) / g in a wrfout
// column over the Tibetan Plateau (WRF V3 dry-hydrostatic eta coordinate).
TEST(VerticalGridTest, EtaHeightsMatchWrfGeopotential) {
  const std::string path =
      std::string(FWAQ_SHARED_DATA) + "/wrf-samples/wrf_d01_allvars_cropped.nc";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "missing " << path;
  const netCDF::NcFile f(path, netCDF::NcFile::read);
  auto read = [&](const std::string& name) {
    netCDF::NcVar v = f.getVar(name);
    std::size_t n = 1;
    for (const auto& d : v.getDims()) n *= d.getSize();
    std::vector<float> out(n);
    v.getVar(out.data());
    return out;
  };
  const std::size_t nx = f.getDim("west_east").getSize();
  const std::size_t ny = f.getDim("south_north").getSize();
  const std::size_t nz = f.getDim("bottom_top").getSize();
  const std::vector<float> znw = read("ZNW"), znu = read("ZNU"), ptop = read("P_TOP");
  const std::vector<float> mu = read("MU"), mub = read("MUB");
  const std::vector<float> ph = read("PH"), phb = read("PHB");
  const std::vector<float> p = read("P"), pb = read("PB"), t = read("T"), qv = read("QVAPOR");
  const std::vector<double> eta(znw.begin(), znw.begin() + static_cast<long>(nz + 1));

  for (const auto& [i, j] : {std::pair<std::size_t, std::size_t>{0, 0}, {4, 3}, {9, 7}}) {
    const std::size_t c = j * nx + i;
    const double mu_d = static_cast<double>(mu[c]) + mub[c];  // dry column mass [Pa]
    const double p_top = ptop[0];
    // Layer temperatures weighted as in WRF's hydrostatic relation
    // d(phi) = -alpha_d d(p_d), alpha_d = R_d T (1 + 1.61 q_v) / p, so that
    // R_d T_eff ln(p_d,k / p_d,k+1) ~ alpha_d dp_d with T_eff = alpha_d p_d,mid / R_d.
    std::vector<double> t_eff(nz);
    for (std::size_t k = 0; k < nz; ++k) {
      const std::size_t o = k * ny * nx + c;
      const double pres = static_cast<double>(p[o]) + pb[o];  // full pressure [Pa]
      const double temp = (t[o] + 300.0) * std::pow(pres / 1e5, 287.0 / 1004.0);
      const double p_dry_mid = znu[k] * mu_d + p_top;
      t_eff[k] = temp * (1.0 + 1.61 * qv[o]) * p_dry_mid / pres;
    }
    const std::vector<double> z = VerticalGrid::eta_heights(eta, mu_d + p_top, p_top, t_eff);
    const double phi0 = static_cast<double>(ph[c]) + phb[c];
    double worst = 0.0;
    for (std::size_t k = 1; k <= nz; ++k) {
      const std::size_t o = k * ny * nx + c;
      const double z_wrf = (static_cast<double>(ph[o]) + phb[o] - phi0) / 9.81;
      worst = std::max(worst, std::abs(z[k] - z_wrf) / z_wrf);
      EXPECT_NEAR(z[k], z_wrf, 2e-3 * z_wrf + 1.0) << "column " << i << "," << j << " k " << k;
    }
    RecordProperty("worst_relative_height_error_" + std::to_string(i) + "_" + std::to_string(j),
                   sci(worst));
    // The standard-atmosphere variant gets the same column within a few percent.
    const std::vector<double> zs = VerticalGrid::eta_heights(eta, mu_d + p_top, p_top);
    const std::size_t top = nz * ny * nx + c;
    const double top_wrf = (static_cast<double>(ph[top]) + phb[top] - phi0) / 9.81;
    EXPECT_NEAR(zs[nz], top_wrf, 0.05 * top_wrf);
  }
}

}  // namespace

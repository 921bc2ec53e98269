// Tests of the emission module: units, the NetCDF inventory reader and its bad-input
// errors, conservative regridding (totals, overlap fractions against the analytic
// spherical areas), temporal and vertical profiles (normalisation, UTC -> local time
// against the MEIC source table), the inventory definition (hand-computed totals, every
// number sourced, bad definitions), the gridded build (totals conserved) and the
// EmissionSource (time integral = period totals, fill = total rate, scaling hooks).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "core/error.hpp"
#include "core/time.hpp"
#include "emissions/build.hpp"
#include "emissions/emission_source.hpp"
#include "emissions/inventory_definition.hpp"
#include "emissions/inventory_reader.hpp"
#include "emissions/profiles.hpp"
#include "emissions/regrid.hpp"
#include "emissions/summary.hpp"
#include "emissions/units.hpp"
#include "grid/horizontal_grid.hpp"
#include "grid/projection.hpp"
#include "grid/vertical_grid.hpp"
#include "io/netcdf_util.hpp"

namespace {

namespace fs = std::filesystem;
using namespace fwaq;
using namespace fwaq::emissions;

const fs::path kSource = FWAQ_SOURCE_DIR;
const fs::path kShared = FWAQ_SHARED_DATA;
const fs::path kInventoryDir = kSource / "input/fenwei/emissions";

// A folder for the test's files, removed when the test program ends.
struct TempDir {
  fs::path dir = fs::temp_directory_path() / ("fwaq_emissions_test_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(dir); }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

fs::path temp_path(const std::string& name) {
  static TempDir tmp;
  static int counter = 0;
  return tmp.dir / (std::to_string(counter++) + "_" + name);
}

// Runs f and returns the InputError it throws (fails the test if none).
template <class F>
InputError expect_input_error(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no fwaq::InputError thrown";
  return InputError("", "", "");
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The Fenwei-like Lambert grid of the default case (70 x 60 cells of 12 km).
std::shared_ptr<const HorizontalGrid> fenwei_grid(int nx = 70, int ny = 60) {
  auto proj = std::make_shared<const Projection>(Projection::wrf_lambert(34.0, 38.0, 110.0));
  return std::make_shared<const HorizontalGrid>(
      HorizontalGrid::centred(proj, nx, ny, 12000.0, 12000.0, 110.15, 36.15));
}

// ---------------------------------------------------------------------------------------
// Units
// ---------------------------------------------------------------------------------------

TEST(EmissionsUnits, RequiredUnitsConvertToKgPerSecondPerCell) {
  const double feb2019 = 28 * 86400.0, y2018 = 365 * 86400.0, y2020 = 366 * 86400.0;
  auto conv = [](const std::string& u, double v, double area, double msec, double ysec, double mm) {
    const auto ru = parse_rate_unit(u);
    EXPECT_TRUE(ru.has_value()) << u;
    return ru ? ru->to_kg_per_s(v, area, msec, ysec, mm) : NAN;
  };
  EXPECT_DOUBLE_EQ(conv("t/month", 2.0, 0, feb2019, 0, 0), 2000.0 / feb2019);
  EXPECT_DOUBLE_EQ(conv("t month-1", 2.0, 0, feb2019, 0, 0), 2000.0 / feb2019);
  EXPECT_DOUBLE_EQ(conv("t/yr", 3.0, 0, 0, y2018, 0), 3000.0 / y2018);
  EXPECT_DOUBLE_EQ(conv("t/yr", 3.0, 0, 0, y2020, 0), 3000.0 / y2020);
  EXPECT_DOUBLE_EQ(conv("kg/s", 1.5, 0, 0, 0, 0), 1.5);
  EXPECT_DOUBLE_EQ(conv("kg s-1", 1.5, 0, 0, 0, 0), 1.5);
  EXPECT_DOUBLE_EQ(conv("g/s", 1.5, 0, 0, 0, 0), 1.5e-3);
  EXPECT_DOUBLE_EQ(conv("mol/s", 2.0, 0, 0, 0, 0.064064), 2.0 * 0.064064);
  EXPECT_DOUBLE_EQ(conv("kg m-2 s-1", 1e-9, 1.44e8, 0, 0, 0), 1e-9 * 1.44e8);
  EXPECT_DOUBLE_EQ(conv("kg/m2/s", 1e-9, 1.44e8, 0, 0, 0), 1e-9 * 1.44e8);
  EXPECT_DOUBLE_EQ(conv("kg m^-2 s^-1", 1e-9, 1.44e8, 0, 0, 0), 1e-9 * 1.44e8);
  EXPECT_DOUBLE_EQ(conv("Mg/yr/cell", 5.0, 0, 0, y2018, 0), 5000.0 / y2018);
  EXPECT_DOUBLE_EQ(conv("Gg/yr", 1.0, 0, 0, y2018, 0), 1e6 / y2018);
  EXPECT_DOUBLE_EQ(conv("kg/h", 3600.0, 0, 0, 0, 0), 1.0);
  EXPECT_DOUBLE_EQ(conv("mg/s", 1.0, 0, 0, 0, 0), 1e-6);  // milligram, not megagram
  EXPECT_TRUE(parse_rate_unit("mol/s")->molar);
  EXPECT_TRUE(parse_rate_unit("t/month")->per_month);
  EXPECT_TRUE(parse_rate_unit("kg m-2 s-1")->per_area);
}

TEST(EmissionsUnits, NonRatesAreRejected) {
  for (const char* u : {"ppb", "ug/m3", "kg", "kg/s/s", "kg m-3 s-1", "s-1", "", "t//yr", "kg/",
                        "furlong/fortnight", "kg m-2", "kg/m2/s/cell", "Kg/s"}) {
    EXPECT_FALSE(parse_rate_unit(u).has_value()) << "'" << u << "' was accepted";
  }
}

// ---------------------------------------------------------------------------------------
// NetCDF reader
// ---------------------------------------------------------------------------------------

struct VarDef {
  std::string name = "SO2_industry";
  std::string sector = "industry";
  std::string species = "SO2";
  std::string units = "t/month";
  std::vector<std::string> dims = {"month", "lat", "lon"};
  std::vector<double> values;  // empty = 1.0 + index
  std::string molar_mass;      // "" = none
};

// Writes a small lat-lon inventory: 4 latitudes (north to south: 35.875 .. 35.125),
// 5 longitudes (108.125 .. 109.125), 12 months, year 2018.
fs::path write_inventory(const std::vector<VarDef>& vars, bool with_year = true) {
  const fs::path p = temp_path("inventory.nc");
  nc::NcWriter w(p.string());
  w.dimension("month", 12);
  w.dimension("lat", 4);
  w.dimension("lon", 5);
  w.dimension("level", 12);
  w.variable("lat", NC_DOUBLE, {"lat"});
  w.variable("lon", NC_DOUBLE, {"lon"});
  w.attribute("lat", "units", "degrees_north");
  w.attribute("lon", "units", "degrees_east");
  if (with_year) w.attribute("", "year", 2018.0, NC_INT);
  for (const auto& v : vars) {
    w.variable(v.name, NC_DOUBLE, v.dims);
    w.attribute(v.name, "units", v.units);
    w.attribute(v.name, "sector", v.sector);
    w.attribute(v.name, "species", v.species);
    if (!v.molar_mass.empty()) w.attribute(v.name, "molar_mass", std::stod(v.molar_mass));
  }
  w.write("lat", std::vector<double>{35.875, 35.625, 35.375, 35.125});
  w.write("lon", std::vector<double>{108.125, 108.375, 108.625, 108.875, 109.125});
  for (const auto& v : vars) {
    std::size_t n = 1;
    for (const auto& d : v.dims) n *= d == "lon" ? 5 : (d == "lat" ? 4 : 12);
    std::vector<double> values = v.values;
    if (values.empty()) {
      for (std::size_t k = 0; k < n; ++k) values.push_back(1.0 + static_cast<double>(k));
    }
    w.write(v.name, values);
  }
  w.commit();
  return p;
}

TEST(EmissionsReader, ReadsMonthlyLatLonInventoryAndConverts) {
  const fs::path p = write_inventory({VarDef{}});
  const GriddedInventory inv = read_gridded_inventory(p.string());
  ASSERT_EQ(inv.variables.size(), 1u);
  EXPECT_FALSE(inv.on_model_grid);
  EXPECT_EQ(inv.year, 2018);
  EXPECT_EQ(inv.grid.nlat, 4);
  EXPECT_EQ(inv.grid.nlon, 5);
  // Latitude ran north to south in the file: row 0 is now the southern one.
  EXPECT_DOUBLE_EQ(inv.grid.lat0_deg, 35.125);
  EXPECT_DOUBLE_EQ(inv.grid.dlat_deg, 0.25);
  EXPECT_DOUBLE_EQ(inv.grid.lon0_deg, 108.125);
  const InventoryVariable& v = inv.variables[0];
  EXPECT_EQ(v.sector, Sector::kIndustry);
  EXPECT_EQ(v.species.species, Species::kSO2);
  ASSERT_EQ(v.months.size(), 12u);
  // File value at (month m, file row jf, column i) = 1 + m*20 + jf*5 + i  [t/month].
  for (int m : {0, 1, 11}) {
    const double secs = month_seconds(2018, m + 1);
    for (int j = 0; j < 4; ++j) {
      for (int i = 0; i < 5; ++i) {
        const int jf = 3 - j;
        const double t = 1.0 + m * 20 + jf * 5 + i;
        EXPECT_DOUBLE_EQ(v.rate[m * 20 + j * 5 + i], t * 1000.0 / secs);
      }
    }
  }
  EXPECT_DOUBLE_EQ(month_seconds(2018, 2), 28 * 86400.0);
  EXPECT_DOUBLE_EQ(month_seconds(2020, 2), 29 * 86400.0);
}

TEST(EmissionsReader, FluxUnitsUseSphericalCellAreas) {
  VarDef d;
  d.units = "kg m-2 s-1";
  d.dims = {"lat", "lon"};
  d.values.assign(20, 1e-10);
  const fs::path p = write_inventory({d});
  const GriddedInventory inv = read_gridded_inventory(p.string());
  const double r = 6370000.0, deg = std::numbers::pi / 180.0;
  for (int j = 0; j < 4; ++j) {
    const double lat = 35.125 + 0.25 * j;
    const double area =
        r * r * 0.25 * deg * (std::sin((lat + 0.125) * deg) - std::sin((lat - 0.125) * deg));
    EXPECT_NEAR(inv.variables[0].rate[j * 5 + 2], 1e-10 * area, 1e-12 * 1e-10 * area);
  }
  ASSERT_EQ(inv.variables[0].months.size(), 1u);
  EXPECT_EQ(inv.variables[0].months[0], 0);
}

TEST(EmissionsReader, MissingVariableNamesFileAndVariable) {
  const fs::path p = write_inventory({VarDef{}});
  const InputError e = expect_input_error([&] {
    read_gridded_inventory(p.string(), {{"NOx_power", "power", "NOx"}});
  });
  EXPECT_EQ(e.file(), p.string());
  EXPECT_EQ(e.variable(), "NOx_power");
  EXPECT_TRUE(contains(e.what(), "missing")) << e.what();
  EXPECT_TRUE(contains(e.what(), "SO2_industry")) << e.what();  // lists what the file has
}

TEST(EmissionsReader, WrongDimensionsAreRejected) {
  VarDef swapped;
  swapped.dims = {"month", "lon", "lat"};
  const fs::path p1 = write_inventory({swapped});
  InputError e = expect_input_error([&] { read_gridded_inventory(p1.string()); });
  EXPECT_EQ(e.variable(), "SO2_industry");
  EXPECT_TRUE(contains(e.what(), "dimensions (month=12, lon=5, lat=4)")) << e.what();

  VarDef level;
  level.dims = {"level", "lat", "lon"};  // a 12-long dimension that is not a month
  const fs::path p2 = write_inventory({level});
  e = expect_input_error([&] { read_gridded_inventory(p2.string()); });
  EXPECT_TRUE(contains(e.what(), "expected (lat, lon) or (month, lat, lon)")) << e.what();
}

TEST(EmissionsReader, NaNIsRejectedWithItsPosition) {
  VarDef d;
  d.values.assign(240, 1.0);
  d.values[1 * 20 + 2 * 5 + 3] = std::nan("");
  const fs::path p = write_inventory({d});
  const InputError e = expect_input_error([&] { read_gridded_inventory(p.string()); });
  EXPECT_EQ(e.file(), p.string());
  EXPECT_EQ(e.variable(), "SO2_industry");
  EXPECT_TRUE(contains(e.what(), "month=1")) << e.what();
  EXPECT_TRUE(contains(e.what(), "lat=2")) << e.what();
  EXPECT_TRUE(contains(e.what(), "lon=3")) << e.what();
}

TEST(EmissionsReader, InfinityIsRejected) {
  VarDef d;
  d.values.assign(240, 1.0);
  d.values[7] = HUGE_VAL;
  const fs::path p = write_inventory({d});
  const InputError e = expect_input_error([&] { read_gridded_inventory(p.string()); });
  EXPECT_EQ(e.variable(), "SO2_industry");
  EXPECT_TRUE(contains(e.what(), "lon=2")) << e.what();
}

TEST(EmissionsReader, NegativeEmissionIsRejectedWithItsPosition) {
  VarDef d;
  d.values.assign(240, 1.0);
  d.values[11 * 20 + 0 * 5 + 4] = -0.5;
  const fs::path p = write_inventory({d});
  const InputError e = expect_input_error([&] { read_gridded_inventory(p.string()); });
  EXPECT_EQ(e.file(), p.string());
  EXPECT_EQ(e.variable(), "SO2_industry");
  EXPECT_TRUE(contains(e.what(), "negative emission -0.5")) << e.what();
  EXPECT_TRUE(contains(e.what(), "month=11")) << e.what();
  EXPECT_TRUE(contains(e.what(), "lat=0")) << e.what();
  EXPECT_TRUE(contains(e.what(), "lon=4")) << e.what();
  EXPECT_TRUE(contains(e.what(), "35.875N")) << e.what();  // file row 0 is the northern one
}

TEST(EmissionsReader, UnknownUnitIsRejected) {
  VarDef d;
  d.units = "ug/m3";
  const fs::path p = write_inventory({d});
  const InputError e = expect_input_error([&] { read_gridded_inventory(p.string()); });
  EXPECT_EQ(e.file(), p.string());
  EXPECT_EQ(e.variable(), "SO2_industry");
  EXPECT_TRUE(contains(e.what(), "unit 'ug/m3' is not supported")) << e.what();
}

TEST(EmissionsReader, MolesNeedAMolarMassAndPerMonthNeedsAYear) {
  VarDef voc;
  voc.species = "NMVOC";
  voc.units = "mol/s";
  const fs::path p1 = write_inventory({voc});
  InputError e = expect_input_error([&] { read_gridded_inventory(p1.string()); });
  EXPECT_TRUE(contains(e.what(), "molar_mass")) << e.what();
  voc.molar_mass = "72.0";
  const fs::path p2 = write_inventory({voc});
  const auto inv = read_gridded_inventory(p2.string());
  EXPECT_DOUBLE_EQ(inv.variables[0].rate[0], (1.0 + 15) * 0.072);  // south-west cell, January

  const fs::path p3 = write_inventory({VarDef{}}, /*with_year=*/false);
  e = expect_input_error([&] { read_gridded_inventory(p3.string()); });
  EXPECT_TRUE(contains(e.what(), "year")) << e.what();
}

TEST(EmissionsReader, UnknownSectorOrSpeciesIsRejected) {
  VarDef d;
  d.sector = "shipping";
  const fs::path p = write_inventory({d});
  InputError e = expect_input_error([&] { read_gridded_inventory(p.string()); });
  EXPECT_TRUE(contains(e.what(), "sector 'shipping'")) << e.what();
  VarDef s;
  s.species = "Hg";
  const fs::path p2 = write_inventory({s});
  e = expect_input_error([&] { read_gridded_inventory(p2.string()); });
  EXPECT_TRUE(contains(e.what(), "species 'Hg'")) << e.what();
}

// ---------------------------------------------------------------------------------------
// Regridding
// ---------------------------------------------------------------------------------------

TEST(EmissionsRegrid, TotalsPreservedForSourcesInsideTheDomain) {
  const auto grid = fenwei_grid();
  // 0.25-degree source grid well inside the domain (107-113 E, 34-38 N).
  LatLonGridSpec src;
  src.nlon = 24;
  src.nlat = 16;
  src.lon0_deg = 107.125;
  src.lat0_deg = 34.125;
  src.dlon_deg = src.dlat_deg = 0.25;
  const ConservativeRegridder rg(src, *grid, 10);
  std::mt19937 gen(42);
  std::uniform_real_distribution<double> u(0.0, 5.0);
  std::vector<double> v(src.size());
  double total = 0.0;
  for (auto& x : v) total += (x = u(gen));
  double dropped = -1.0;
  const auto out = rg.apply(v, &dropped);
  double sum = 0.0;
  for (double x : out) sum += x;
  EXPECT_EQ(dropped, 0.0);
  EXPECT_NEAR(sum, total, 1e-12 * total);
  for (std::size_t s = 0; s < src.size(); ++s) EXPECT_EQ(rg.inside_fraction(s), 1.0);
  RecordProperty("relative_total_error", std::to_string(std::abs(sum - total) / total));
}

TEST(EmissionsRegrid, SourcesOutsideTheDomainAreDroppedAndReported) {
  const auto grid = fenwei_grid(20, 15);  // 240 x 180 km around 110.15 E 36.15 N
  LatLonGridSpec src;
  src.nlon = 20;
  src.nlat = 12;
  src.lon0_deg = 107.25;
  src.lat0_deg = 33.75;
  src.dlon_deg = src.dlat_deg = 0.5;  // 107-117 E, 33.5-39.5 N: covers and exceeds the domain
  const ConservativeRegridder rg(src, *grid, 12);
  std::vector<double> v(src.size(), 2.0);
  double dropped = 0.0;
  const auto out = rg.apply(v, &dropped);
  double inside = 0.0, sum = 0.0, expect_inside = 0.0;
  for (double x : out) sum += x;
  for (std::size_t s = 0; s < src.size(); ++s) {
    inside += rg.inside_fraction(s) > 0 ? 1 : 0;
    expect_inside += 2.0 * rg.inside_fraction(s);
  }
  EXPECT_GT(dropped, 0.0);
  EXPECT_NEAR(sum + dropped, 2.0 * src.size(), 1e-12 * 2.0 * src.size());
  EXPECT_NEAR(sum, expect_inside, 1e-12 * expect_inside);
  // The domain's area, as the source sees it, equals the model grid's area to O(1/N).
  double covered = 0.0, grid_area = grid->total_area();
  for (int j = 0; j < src.nlat; ++j) {
    for (int i = 0; i < src.nlon; ++i)
      covered += rg.inside_fraction(j * src.nlon + i) * src.cell_area_m2(j);
  }
  EXPECT_NEAR(covered / grid_area, 1.0, 0.02);
  EXPECT_GT(inside, 0);
}

TEST(EmissionsRegrid, OverlapFractionsMatchSphericalAreas) {
  // One 1-degree source cell onto a 0.5-degree lat-lon model grid: the four quarters
  // hold (sin(lat_mid) - sin(lat_s)) / (sin(lat_n) - sin(lat_s)) / 2 and the rest.
  const auto grid = std::make_shared<const HorizontalGrid>(
      HorizontalGrid::lat_lon(4, 4, 109.25, 35.25, 0.5, 0.5));  // 109-111 E, 35-37 N
  LatLonGridSpec src;
  src.nlon = src.nlat = 1;
  src.lon0_deg = 110.0;
  src.lat0_deg = 36.0;
  src.dlon_deg = src.dlat_deg = 1.0;  // 109.5-110.5 E, 35.5-36.5 N
  const double deg = std::numbers::pi / 180.0;
  const double south =
      (std::sin(36.0 * deg) - std::sin(35.5 * deg)) / (std::sin(36.5 * deg) - std::sin(35.5 * deg));
  const ConservativeRegridder rg(src, *grid, 100);
  const auto out = rg.apply(std::vector<double>{1.0});
  EXPECT_NEAR(out[grid->mass(1, 1)], south / 2, 0.01);
  EXPECT_NEAR(out[grid->mass(2, 1)], south / 2, 0.01);
  EXPECT_NEAR(out[grid->mass(1, 2)], (1 - south) / 2, 0.01);
  EXPECT_NEAR(out[grid->mass(2, 2)], (1 - south) / 2, 0.01);
  EXPECT_NEAR(
      out[grid->mass(1, 1)] + out[grid->mass(2, 1)] + out[grid->mass(1, 2)] + out[grid->mass(2, 2)],
      1.0, 1e-14);
  // The southern half is the larger one (cos(latitude) is larger), by 0.16 %.
  EXPECT_GT(south, 0.5);
  EXPECT_NEAR(out[grid->mass(1, 1)] + out[grid->mass(2, 1)], south, 0.5 / 100 + 1e-12);
}

TEST(EmissionsRegrid, IdenticalGridsMapOneToOne) {
  const auto grid = std::make_shared<const HorizontalGrid>(
      HorizontalGrid::lat_lon(6, 5, 108.05, 34.05, 0.1, 0.1));
  LatLonGridSpec src;
  src.nlon = 6;
  src.nlat = 5;
  src.lon0_deg = 108.05;
  src.lat0_deg = 34.05;
  src.dlon_deg = src.dlat_deg = 0.1;
  const ConservativeRegridder rg(src, *grid, 4);
  std::vector<double> v(30);
  for (int k = 0; k < 30; ++k) v[k] = k * 1.5;
  const auto out = rg.apply(v);
  for (int k = 0; k < 30; ++k) EXPECT_DOUBLE_EQ(out[k], v[k]);
}

// ---------------------------------------------------------------------------------------
// Profiles
// ---------------------------------------------------------------------------------------

ProfileLibrary default_profiles() {
  return ProfileLibrary::load(kInventoryDir / "profiles_hour.csv",
                              kInventoryDir / "profiles_weekday.csv",
                              kInventoryDir / "profiles_vertical.csv", 8);
}

TEST(EmissionsProfiles, DefaultProfilesAreNormalised) {
  const ProfileLibrary lib = default_profiles();
  for (const char* s : {"power", "industry", "residential", "transportation", "agriculture"}) {
    double h = 0.0, d = 0.0;
    for (double x : lib.hour(s).local) h += x;
    for (double x : lib.weekday(s).factor) d += x;
    EXPECT_NEAR(h / 24.0, 1.0, 1e-14) << s;
    EXPECT_NEAR(d / 7.0, 1.0, 1e-14) << s;
  }
  for (const auto& name : lib.vertical_names()) {
    double f = 0.0;
    for (const auto& b : lib.vertical(name).bands) f += b.fraction;
    EXPECT_NEAR(f, 1.0, 1e-14) << name;
  }
  EXPECT_TRUE(lib.has_vertical("dust"));
  EXPECT_FALSE(lib.has_hour("biogenic"));
}

TEST(EmissionsProfiles, HourColumnsAreUtcAndBecomeLocalTime) {
  const ProfileLibrary lib = default_profiles();
  // Independent reference: MEIC's own table in the shared data (UTC columns).
  const fs::path meic = kShared / "meic-profiles/factor/hour.csv";
  if (!fs::exists(meic)) GTEST_SKIP() << "shared data missing: " << meic;
  std::ifstream in(meic);
  std::string line;
  std::getline(in, line);
  int rows = 0;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string name, cell;
    std::getline(ss, name, ',');
    if (name == "biogenic") continue;
    std::vector<double> utc;
    while (std::getline(ss, cell, ',')) utc.push_back(std::stod(cell));
    ASSERT_EQ(utc.size(), 24u) << name;
    double sum = 0.0;
    for (double x : utc) sum += x;
    for (int k = 0; k < 24; ++k) {
      EXPECT_NEAR(lib.hour(name).local[k], utc[(k + 16) % 24] * 24.0 / sum, 1e-12)
          << name << " local hour " << k;
    }
    ++rows;
  }
  EXPECT_EQ(rows, 5);
  // Residential: evening peak 17-20 CST (09-12 UTC), night minimum.
  const auto& res = lib.hour("residential").local;
  for (int k = 17; k <= 20; ++k) EXPECT_NEAR(res[k], 0.075 * 24.0, 1e-12);
  EXPECT_NEAR(res[3], 0.018 * 24.0, 1e-12);
  // Industry works in the local daytime (09-18 CST).
  EXPECT_GT(lib.hour("industry").local[12], 1.5);
  EXPECT_LT(lib.hour("industry").local[2], 0.2);
}

TEST(EmissionsProfiles, DiurnalWeeklyFactorAveragesOneOverEveryMonth) {
  const ProfileLibrary lib = default_profiles();
  using namespace std::chrono;
  for (const char* s : {"industry", "transportation", "power", "residential"}) {
    // Local months Oct 2018 .. Mar 2019: sum f over the hours of each month = its hours.
    for (int m = 0; m < 6; ++m) {
      const year_month ym = year{2018} / October + months{m};
      const TimePoint t0 = TimePoint{sys_days{ym / 1}} - hours{8};
      const TimePoint t1 = TimePoint{sys_days{(ym + months{1}) / 1}} - hours{8};
      double sum = 0.0;
      int n = 0;
      for (TimePoint t = t0 + minutes{30}; t < t1; t += hours{1}, ++n) {
        sum += diurnal_weekly_factor(lib.weekday(s), lib.hour(s), t, 8);
      }
      EXPECT_NEAR(sum / n, 1.0, 1e-13) << s << " month " << m;
    }
  }
  // Weekends: industry lower on Sunday than on Monday (MEIC 0.078 vs 0.162).
  const TimePoint mon = parse_time("2019-01-07T04:00:00"), sun = parse_time("2019-01-06T04:00:00");
  EXPECT_NEAR(diurnal_weekly_factor(lib.weekday("industry"), lib.hour("industry"), sun, 8) /
                  diurnal_weekly_factor(lib.weekday("industry"), lib.hour("industry"), mon, 8),
              0.078 / 0.162, 1e-12);
  const LocalTime lt = to_local(parse_time("2018-12-31T16:30:00"), 8);  // 00:30 CST 1 Jan 2019
  EXPECT_EQ(lt.year, 2019);
  EXPECT_EQ(lt.month, 1);
  EXPECT_EQ(lt.day, 1);
  EXPECT_EQ(lt.hour, 0);
  EXPECT_EQ(lt.weekday, 1);  // Tuesday
}

TEST(EmissionsProfiles, VerticalFractionsSumToOneOnAnyGrid) {
  const ProfileLibrary lib = default_profiles();
  const std::vector<std::vector<double>> grids = {
      {0, 35, 75, 125, 190, 270, 370, 500, 660, 850, 1080, 1350, 1700, 2150, 2700, 3400, 10000},
      {0, 1000, 5000},
      {0, 50, 100},  // top below the power plumes: the rest goes to the top layer
      {0, 5, 10, 19, 19.5, 40, 41, 90, 200, 250, 300, 400, 500, 600, 700}};
  for (const auto& zw : grids) {
    for (const auto& name : lib.vertical_names()) {
      std::vector<double> f(zw.size() - 1);
      vertical_fractions(lib.vertical(name), zw, f);
      double sum = 0.0;
      for (double x : f) {
        EXPECT_GE(x, 0.0);
        sum += x;
      }
      EXPECT_NEAR(sum, 1.0, 1e-14) << name << " on a grid of " << zw.size() - 1 << " layers";
    }
  }
  // Overlap by hand: industry's lowest band 0-19 m holds 0.35.
  std::vector<double> f(13);
  vertical_fractions(lib.vertical("industry"), grids[3], f);
  EXPECT_NEAR(f[0], 0.35 * 5.0 / 19.0, 1e-12);
  EXPECT_NEAR(f[2], 0.35 * 9.0 / 19.0, 1e-12);
  // Power emits nothing below 38 m.
  std::vector<double> p(16);
  vertical_fractions(lib.vertical("power"), grids[0], p);
  EXPECT_EQ(p[0], 0.0);
  EXPECT_GT(p[3] + p[4], 0.2);
}

TEST(EmissionsProfiles, VerticalBandsAreMeicSigmaLevelsInTheStandardAtmosphere) {
  // meic2ctm config.ini sigma levels, p_top 10000 Pa, p_s 101325 Pa -> heights by the
  // project's own U.S. Standard Atmosphere (independent of the awk in the script).
  const std::vector<double> sigma = {1,     0.9975, 0.995, 0.992, 0.988, 0.984, 0.980,
                                     0.975, 0.970,  0.963, 0.956, 0.938, 0.916};
  const std::vector<double> z = VerticalGrid::eta_heights(sigma, 101325.0, 10000.0);
  const ProfileLibrary lib = default_profiles();
  const auto& power = lib.vertical("power").bands;
  ASSERT_EQ(power.size(), 10u);
  for (std::size_t b = 0; b < power.size(); ++b) {
    EXPECT_NEAR(power[b].z_bottom_m, z[b + 2], 0.1) << "band " << b;
    EXPECT_NEAR(power[b].z_top_m, z[b + 3], 0.1) << "band " << b;
  }
  EXPECT_NEAR(power[0].fraction, 0.04, 1e-12);
  const auto& ind = lib.vertical("industry").bands;
  ASSERT_EQ(ind.size(), 7u);
  EXPECT_NEAR(ind[0].z_top_m, z[1], 0.1);
  EXPECT_NEAR(ind[0].fraction, 0.35, 1e-12);
}

TEST(EmissionsProfiles, BadProfileTablesAreRejected) {
  const fs::path h = temp_path("hour.csv");
  {
    std::ofstream o(h);
    o << "name";
    for (int k = 0; k < 24; ++k) o << ",utc" << (k < 10 ? "0" : "") << k;
    o << "\nx";
    for (int k = 0; k < 24; ++k) o << "," << (k == 5 ? "-1" : "1");
    o << "\n";
  }
  const InputError e = expect_input_error([&] {
    ProfileLibrary::load(h, kInventoryDir / "profiles_weekday.csv",
                         kInventoryDir / "profiles_vertical.csv", 8);
  });
  EXPECT_EQ(e.file(), h.string());
  EXPECT_EQ(e.variable(), "x");
  EXPECT_TRUE(contains(e.what(), "utc05")) << e.what();
  const fs::path v = temp_path("vertical.csv");
  {
    std::ofstream o(v);
    o << "name,z_bottom_m,z_top_m,fraction\na,0,20,0.5\na,20,40,0.3\n";
  }
  const InputError e2 = expect_input_error([&] {
    ProfileLibrary::load(kInventoryDir / "profiles_hour.csv",
                         kInventoryDir / "profiles_weekday.csv", v, 8);
  });
  EXPECT_TRUE(contains(e2.what(), "sum to 0.8")) << e2.what();
}

// ---------------------------------------------------------------------------------------
// Inventory definition
// ---------------------------------------------------------------------------------------

InventoryDefinition default_definition() {
  return load_inventory_definition(kInventoryDir / "inventory.yaml");
}

TEST(EmissionsDefinition, EveryNumberHasSourceAndUncertainty) {
  const InventoryDefinition def = default_definition();
  EXPECT_EQ(def.cities.size(), 12u);
  EXPECT_EQ(def.components.size(), 7u);
  EXPECT_EQ(def.clusters.size(), 7u);
  EXPECT_GT(def.provenance.size(), 50u);
  for (const auto& p : def.provenance) {
    EXPECT_GT(p.source.size(), 5u) << p.key;
    EXPECT_GT(p.uncertainty.size(), 2u) << p.key;
  }
  EXPECT_EQ(def.period.first_day(), "2018-10-01");
  EXPECT_EQ(def.period.last_day(), "2019-03-31");
  EXPECT_DOUBLE_EQ(def.period.days(), 182.0);
}

TEST(EmissionsDefinition, TotalsMatchHandCalculation) {
  const InventoryDefinition def = default_definition();
  const TotalsTable t = city_totals(def);
  auto city = [&](const std::string& n) {
    for (std::size_t r = 0; r < t.regions.size(); ++r) {
      if (t.regions[r] == n) return r;
    }
    ADD_FAILURE() << n;
    return std::size_t{0};
  };
  // Residential coal of converted households in Jinzhong (SO2): 600 000 Shanxi households
  // shared by rural population, 3.4 t each, 15.3 g/kg; plus the 2020 inventory's SO2
  // (10 650 t/yr x 0.8) shared by rural population x coal per household.
  const double rJ = 3.38 * (1 - 0.55), rL = 3.89 * 0.5, rY = 5.36 * 0.52, rLf = 4.50 * 0.49;
  const double coal_J = 600000.0 * rJ / (rJ + rL + rY + rLf) * 3.4;
  const double so2_A = coal_J * 15.3e-3;
  double key_sum = 0.0;
  const std::vector<std::pair<double, double>> pop_urb = {
      {10.00, 0.742}, {4.38, 0.52},  {3.78, 0.53}, {5.38, 0.45}, {0.80, 0.65},
      {0.21, 0.60},   {6.89, 0.576}, {2.27, 0.56}, {5.36, 0.48}, {4.50, 0.51}};
  for (const auto& [p, u] : pop_urb) key_sum += p * (1 - u) * 2.5;
  key_sum += rJ * 3.4 + rL * 3.4;
  const double so2_B = 10650.0 * 0.8 * rJ * 3.4 / key_sum;
  EXPECT_NEAR(t.at(city("Jinzhong"), Sector::kResidential, Species::kSO2), (so2_A + so2_B) * 1000.0,
              1e-9 * so2_A * 1000.0);
  // Regional industry SO2: 12.3 Tg x 0.62 x (50.84 / 1395.38) x 1.75 x 0.716 x 0.5.
  double industry_so2 = 0.0;
  for (std::size_t r = 0; r < t.regions.size(); ++r)
    industry_so2 += t.at(r, Sector::kIndustry, Species::kSO2);
  const double expect = 12.3e6 * 0.62 * (50.84 / 1395.38) * 1.75 * 0.716 * 0.5 * 1000.0;
  EXPECT_NEAR(industry_so2, expect, 1e-9 * expect);
  // Dust: the season totals as given, PM_COARSE = PM10 - PM2.5.
  double dust25 = 0.0, dustc = 0.0;
  for (std::size_t r = 0; r < t.regions.size(); ++r) {
    dust25 += t.at(r, Sector::kDust, Species::kPM25Other);
    dustc += t.at(r, Sector::kDust, Species::kPMCoarse);
  }
  EXPECT_NEAR(dust25, 110000e3, 1e-6);
  EXPECT_NEAR(dustc, 350000e3, 1e-6);
  // Speciation: industry PM2.5 components add up, sulfate is 11.9 %.
  const std::size_t x = city("Xi'an");
  const double bc = t.at(x, Sector::kIndustry, Species::kBC),
               oc = t.at(x, Sector::kIndustry, Species::kOC),
               so4 = t.at(x, Sector::kIndustry, Species::kSO4),
               other = t.at(x, Sector::kIndustry, Species::kPM25Other);
  EXPECT_NEAR(so4 / (bc + oc + so4 + other), 0.119, 1e-12);
  double lumps = 0.0;
  for (Species s : kNmvocLumps) lumps += t.at(x, Sector::kTransportation, s);
  EXPECT_NEAR(t.at(x, Sector::kTransportation, Species::kVocAlk) / lumps, 0.40, 1e-12);
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes a copy of the default definition (and its profile tables) with one edit.
fs::path edited_definition(const std::string& from, const std::string& to) {
  const fs::path dir = temp_path("def");
  fs::create_directories(dir);
  for (const char* f : {"profiles_hour.csv", "profiles_weekday.csv", "profiles_vertical.csv"}) {
    fs::copy_file(kInventoryDir / f, dir / f);
  }
  std::string text = read_text(kInventoryDir / "inventory.yaml");
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  std::ofstream(dir / "inventory.yaml") << text;
  return dir / "inventory.yaml";
}

TEST(EmissionsDefinition, NumberWithoutSourceIsRejected) {
  const fs::path p = edited_definition(
      "      source: \"assumption: heating-season CHP; consistent with the power month factors "
      "(0.52)\"\n",
      "");
  const InputError e = expect_input_error([&] { load_inventory_definition(p); });
  EXPECT_EQ(e.file(), p.string());
  EXPECT_EQ(e.variable(), "components.power.season_fraction");
  EXPECT_TRUE(contains(e.what(), "'source' and 'uncertainty'")) << e.what();
}

TEST(EmissionsDefinition, UnknownKeysAndBadValuesAreRejected) {
  const fs::path p1 =
      edited_definition("    city_key: power\n", "    city_key: power\n    colour: red\n");
  InputError e = expect_input_error([&] { load_inventory_definition(p1); });
  EXPECT_TRUE(contains(e.what(), "components.power.colour")) << e.what();

  const fs::path p2 = edited_definition("value: 0.53", "value: 1.53");
  e = expect_input_error([&] { load_inventory_definition(p2); });
  EXPECT_TRUE(contains(e.what(), "components.power.season_fraction")) << e.what();

  const fs::path p3 = edited_definition(
      "{SO2: 15.3, NOx: 1.62, NH3: 0.0, CO: 95.0, NMVOC: 2.3, PM25: 7.0, BC: 2.22",
      "{SO2: 15.3, NOx: 1.62, NH3: 0.0, CO: 95.0, NMVOC: 2.3, PM25: 7.0, BC: 6.22");
  e = expect_input_error([&] { city_totals(load_inventory_definition(p3)); });
  EXPECT_TRUE(contains(e.what(), "exceed PM2.5")) << e.what();
  EXPECT_TRUE(contains(e.variable(), "residential_coal_converted_2019")) << e.variable();
}

// ---------------------------------------------------------------------------------------
// Gridded build and EmissionSource
// ---------------------------------------------------------------------------------------

// A synthetic geometry on the Fenwei grid: each cell within 90 km of a city centre (the
// mission brief's) belongs to the nearest one (Yangling within 10 km); the centre cell is
// the urban core; terrain rises with distance from the centres.
EmissionGeometry synthetic_geometry(const InventoryDefinition& def, int nx = 70, int ny = 60) {
  const std::vector<std::tuple<std::string, double, double, double>> centres = {
      {"Xi'an", 108.95, 34.27, 90},     {"Xianyang", 108.72, 34.36, 90},
      {"Baoji", 107.15, 34.38, 90},     {"Weinan", 109.50, 34.52, 90},
      {"Tongchuan", 109.11, 35.09, 90}, {"Luoyang", 112.44, 34.70, 90},
      {"Sanmenxia", 111.19, 34.76, 90}, {"Linfen", 111.51, 36.08, 90},
      {"Yuncheng", 111.00, 35.02, 90},  {"Jinzhong", 112.75, 37.68, 90},
      {"Lüliang", 111.13, 37.52, 90},   {"Yangling", 108.07, 34.27, 10}};
  EmissionGeometry g;
  g.grid = fenwei_grid(nx, ny);
  const std::size_t n = static_cast<std::size_t>(nx) * ny;
  for (const auto& c : def.cities) {
    g.city_names.push_back(c.name);
    g.city_fraction.emplace_back(n, 0.0);
  }
  g.urban_fraction.assign(n, 0.0);
  g.terrain_m.assign(n, 0.0);
  const double deg = std::numbers::pi / 180.0;
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      const double lon = g.grid->lon(i, j), lat = g.grid->lat(i, j);
      double best = 1e9;
      int who = -1;
      for (const auto& [name, clon, clat, radius] : centres) {
        const double d = 6370.0 * std::hypot((lon - clon) * std::cos(clat * deg), lat - clat) * deg;
        if (d < radius && d < best) {
          best = d;
          who = g.city_index(name);
        }
      }
      const std::size_t cell = g.grid->mass(i, j);
      if (who >= 0) g.city_fraction[who][cell] = 1.0;
      g.terrain_m[cell] = std::min(3000.0, 400.0 + 8.0 * std::min(best, 300.0));
    }
  }
  for (const auto& [name, clon, clat, radius] : centres) {
    const auto [fi, fj] = g.grid->index_of(clon, clat);
    g.urban_fraction[g.grid->mass(static_cast<int>(std::lround(fi)),
                                  static_cast<int>(std::lround(fj)))] = 1.0;
  }
  return g;
}

TEST(EmissionsBuild, GriddedTotalsEqualTheDefinition) {
  const InventoryDefinition def = default_definition();
  const EmissionGeometry geo = synthetic_geometry(def);
  std::vector<std::string> notes;
  const EmissionInventory inv = build_inventory(def, geo, &notes);
  const TotalsTable got = inv.period_totals();
  const TotalsTable want = city_totals(def);
  ASSERT_EQ(got.regions, want.regions);
  double max_rel = 0.0;
  for (std::size_t r = 0; r + 1 < want.regions.size(); ++r) {
    for (Sector s : kAllSectors) {
      for (Species x : kAllSpecies) {
        const double w = want.at(r, s, x), g = got.at(r, s, x);
        EXPECT_NEAR(g, w, 1e-12 * std::max(w, 1.0))
            << want.regions[r] << " " << sector_name(s) << " " << species_name(x);
        if (w > 0) max_rel = std::max(max_rel, std::abs(g - w) / w);
      }
    }
  }
  RecordProperty("max_relative_error", std::to_string(max_rel));
  // Outside: density factor x the cities' mean emission per area x the outside area.
  double city_area = 0.0, out_area = 0.0;
  for (int j = 0; j < 60; ++j) {
    for (int i = 0; i < 70; ++i) {
      double f = 0.0;
      for (const auto& m : geo.city_fraction) f += m[geo.grid->mass(i, j)];
      city_area += f * geo.grid->cell_area(i, j);
      out_area += (1.0 - f) * geo.grid->cell_area(i, j);
    }
  }
  double sum_cities = 0.0;
  for (std::size_t r = 0; r + 1 < want.regions.size(); ++r)
    sum_cities += want.at(r, Sector::kPower, Species::kNOx);
  const std::size_t out = got.regions.size() - 1;
  EXPECT_NEAR(got.at(out, Sector::kPower, Species::kNOx), 0.4 * sum_cities * out_area / city_area,
              1e-12 * sum_cities);
  // Every cluster became a layer within its city's industry.
  int clusters = 0;
  for (const auto& L : inv.layers) clusters += L.label.rfind("industry cluster: ", 0) == 0;
  EXPECT_EQ(clusters, 7);
}

TEST(EmissionsBuild, ClusterOutsideTheDomainAndMissingCityAreErrors) {
  const InventoryDefinition def = default_definition();
  EmissionGeometry small = synthetic_geometry(def);
  InventoryDefinition moved = def;
  moved.clusters[0].lon_deg = 125.0;
  InputError e = expect_input_error([&] { build_inventory(moved, small); });
  EXPECT_TRUE(contains(e.variable(), "point_clusters.Jiexiu")) << e.variable();
  EXPECT_TRUE(contains(e.what(), "outside the model domain")) << e.what();

  small.city_names[0] = "Atlantis";
  e = expect_input_error([&] { build_inventory(def, small); });
  EXPECT_TRUE(contains(e.what(), "no mask in the model domain")) << e.what();
}

struct SourceFixture {
  InventoryDefinition def = default_definition();
  std::shared_ptr<const EmissionInventory> inv;
  std::shared_ptr<const ProfileLibrary> lib;
  SourceFixture(int nx = 70, int ny = 60) {
    inv = std::make_shared<const EmissionInventory>(
        build_inventory(def, synthetic_geometry(def, nx, ny)));
    lib = std::make_shared<const ProfileLibrary>(default_profiles());
  }
};

TEST(EmissionsSource, TimeIntegralOverTheSeasonEqualsPeriodTotals) {
  SourceFixture f;
  const EmissionSource src(f.inv, f.lib);
  const TotalsTable t = f.inv->period_totals();
  using namespace std::chrono;
  const TimePoint t0 = f.def.period.start_utc(), t1 = f.def.period.end_utc();
  for (Species x : {Species::kSO2, Species::kNH3, Species::kPMCoarse}) {
    double integral = 0.0;
    int hours_n = 0;
    for (TimePoint t = t0 + minutes{30}; t < t1; t += hours{1}, ++hours_n) {
      integral += src.total_rate(t, x) * 3600.0;  // rates are constant within each local hour
    }
    double want = 0.0;
    for (std::size_t r = 0; r < t.regions.size(); ++r) {
      for (Sector s : kAllSectors) want += t.at(r, s, x);
    }
    EXPECT_EQ(hours_n, 182 * 24);
    EXPECT_NEAR(integral, want, 1e-11 * want) << species_name(x);
  }
}

TEST(EmissionsSource, MonthsOutsideThePeriodTakeTheNearestCoveredMonth) {
  SourceFixture f;  // October to March
  const EmissionSource src(f.inv, f.lib);
  EXPECT_EQ(src.rate_month(parse_time("2019-09-28T00:00:00")), 9);  // spin-up: October
  EXPECT_EQ(src.rate_month(parse_time("2019-04-03T00:00:00")), 2);  // after: March
  EXPECT_EQ(src.rate_month(parse_time("2020-01-15T00:00:00")), 0);  // covered: itself
  EXPECT_EQ(src.rate_month(parse_time("2019-07-15T00:00:00")), 9);  // 3 months to October
  EXPECT_EQ(src.rate_month(parse_time("2019-05-15T00:00:00")), 2);  // 2 months after March
  // A spin-up Saturday emits like an October Saturday at the same hour: the same monthly
  // rates; only the weekly profile's normalisation over the calendar month differs
  // (September has another mix of weekdays), by a few per cent.
  const double spinup = src.total_rate(parse_time("2019-09-28T02:30:00"), Species::kSO2);
  const double october = src.total_rate(parse_time("2019-10-12T02:30:00"), Species::kSO2);
  EXPECT_GT(spinup, 0.0);
  EXPECT_NEAR(spinup, october, 0.05 * october);
}

TEST(EmissionsSource, FillSumsToTotalRateAndWindowsTile) {
  SourceFixture f(40, 36);  // a smaller grid around the centre: clusters still inside
  EmissionSource src(f.inv, f.lib);
  const std::vector<double> zw = {0, 35, 75, 125, 190, 270, 370, 500, 660, 850, 1080};
  const TimePoint t = parse_time("2019-01-15T10:30:00");  // 18:30 CST, residential peak
  const VerticalGrid vfull = VerticalGrid::uniform(40, 36, zw);
  auto fields = EmissionSource::make_fields(40, 36, 10);
  src.fill(t, vfull, 0, 0, fields);
  for (Species x : kAllSpecies) {
    const Field& fx = fields[index_of(x)];
    EXPECT_EQ(fx.name(), species_name(x));
    EXPECT_EQ(fx.units(), "kg s-1");
    double sum = 0.0;
    for (int k = 0; k < 10; ++k) {
      for (int j = 0; j < 36; ++j) {
        for (int i = 0; i < 40; ++i) {
          EXPECT_GE(fx(i, j, k), 0.0);
          sum += fx(i, j, k);
        }
      }
    }
    const double want = src.total_rate(t, x);
    EXPECT_NEAR(sum, want, 1e-12 * std::max(want, 1e-30)) << species_name(x);
  }
  // Two windows (west and east halves) hold the same values as the full grid.
  const VerticalGrid vhalf = VerticalGrid::uniform(20, 36, zw);
  auto west = EmissionSource::make_fields(20, 36, 10),
       east = EmissionSource::make_fields(20, 36, 10);
  src.fill(t, vhalf, 0, 0, west);
  src.fill(t, vhalf, 20, 0, east);
  const int so2 = index_of(Species::kSO2);
  for (int k = 0; k < 10; ++k) {
    for (int j = 0; j < 36; ++j) {
      for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(west[so2](i, j, k), fields[so2](i, j, k));
        EXPECT_EQ(east[so2](i, j, k), fields[so2](i + 20, j, k));
      }
    }
  }
  // Power alone (other sectors scaled to zero) is elevated: nothing in the lowest
  // 35 m layer (MEIC's power bands start at 38 m); residential alone is all in it.
  for (Sector only : {Sector::kPower, Sector::kResidential}) {
    EmissionScaling sc;
    for (Sector s : kAllSectors) {
      if (s != only) sc.add({s, "", std::nullopt, std::nullopt, std::nullopt, 0.0, "off", ""});
    }
    src.set_scaling(sc);
    src.fill(t, vfull, 0, 0, fields);
    const Field& nox = fields[index_of(Species::kNOx)];
    double lowest = 0.0, above = 0.0;
    for (int j = 0; j < 36; ++j) {
      for (int i = 0; i < 40; ++i) {
        lowest += nox(i, j, 0);
        for (int k = 1; k < 10; ++k) above += nox(i, j, k);
      }
    }
    const double total = src.total_rate(t, Species::kNOx);
    if (only == Sector::kPower) {
      EXPECT_EQ(lowest, 0.0);
      EXPECT_NEAR(above, total, 1e-12 * total);
    } else {
      EXPECT_EQ(above, 0.0);
      EXPECT_NEAR(lowest, total, 1e-12 * total);
    }
  }
}

TEST(EmissionsSource, ScalingRulesActBySectorRegionSpeciesAndWindow) {
  SourceFixture f;
  EmissionSource src(f.inv, f.lib);
  const TimePoint t = parse_time("2019-01-15T10:30:00");
  const double base_so2 = src.total_rate(t, Species::kSO2);
  const double base_nox = src.total_rate(t, Species::kNOx);
  // The Xi'an residential share of the SO2 rate at t, from the layers.
  double xian_res = 0.0;
  const int xi = *f.inv->region_index("Xi'an");
  for (const auto& L : f.inv->layers) {
    if (L.region == xi && L.sector == Sector::kResidential) {
      xian_res += L.rate[0][index_of(Species::kSO2)] * src.temporal_factor(Sector::kResidential, t);
    }
  }
  EmissionScaling sc;
  sc.add({Sector::kResidential, "Xi'an", Species::kSO2, parse_time("2019-01-15"),
          parse_time("2019-01-16"), 0.5, "test", ""});
  src.set_scaling(sc);
  EXPECT_NEAR(src.total_rate(t, Species::kSO2), base_so2 - 0.5 * xian_res, 1e-12 * base_so2);
  EXPECT_NEAR(src.total_rate(t, Species::kNOx), base_nox, 1e-12 * base_nox);
  EXPECT_NEAR(
      src.total_rate(parse_time("2019-01-16T10:30:00"), Species::kSO2),
      EmissionSource(f.inv, f.lib).total_rate(parse_time("2019-01-16T10:30:00"), Species::kSO2),
      0.0);
  // A region-wide emergency cut of 30 % via the hook halves nothing else.
  EmissionScaling all;
  all.set_hook([](Sector, const std::string&, Species, TimePoint) { return 0.7; });
  src.set_scaling(all);
  EXPECT_NEAR(src.total_rate(t, Species::kNOx), 0.7 * base_nox, 1e-12 * base_nox);
  EXPECT_THROW(
      sc.add({std::nullopt, "", std::nullopt, std::nullopt, std::nullopt, -1.0, "bad", ""}),
      UsageError);
  EXPECT_DOUBLE_EQ(
      sc.factor(Sector::kResidential, "Xi'an", Species::kSO2, parse_time("2019-01-15T23:59:59")),
      0.5);
  EXPECT_DOUBLE_EQ(
      sc.factor(Sector::kResidential, "Xi'an", Species::kSO2, parse_time("2019-01-16")), 1.0);
  EXPECT_DOUBLE_EQ(
      sc.factor(Sector::kResidential, "Baoji", Species::kSO2, parse_time("2019-01-15T12:00")), 1.0);
}

TEST(EmissionsSource, GriddedNetcdfInventoryIsSpeciatedAndConserved) {
  // Industry PM2.5, PM10 and NMVOC on a 0.25-degree grid inside the domain, added to an
  // otherwise empty definition (all component totals scaled to zero).
  InventoryDefinition def = default_definition();
  for (auto& c : def.components) {
    c.total_t.fill(0.0);
    c.emission_factor_g_per_kg.fill(0.0);
    c.sector_share.fill(0.0);
  }
  def.outside_density_factor = 0.0;
  VarDef pm25{"PM25_ind", "industry", "PM2.5", "t/month", {"month", "lat", "lon"}, {}, ""};
  VarDef pm10{"PM10_ind", "industry", "PM10", "t/month", {"month", "lat", "lon"}, {}, ""};
  VarDef voc{"VOC_ind", "industry", "NMVOC", "t/month", {"month", "lat", "lon"}, {}, ""};
  for (int k = 0; k < 240; ++k) {
    pm25.values.push_back(1.0 + k % 7);
    pm10.values.push_back(2.5 + k % 7);
    voc.values.push_back(3.0);
  }
  GriddedSpec spec;
  spec.file = write_inventory({pm25, pm10, voc});
  def.gridded.push_back(spec);
  const EmissionInventory inv = build_inventory(def, synthetic_geometry(def));
  const TotalsTable t = inv.period_totals();
  double pm25_in = 0.0, pm10_in = 0.0, voc_in = 0.0;
  for (int m : {9, 10, 11, 0, 1, 2}) {  // Oct..Mar: months of the 2018-19 period
    for (int c = 0; c < 20; ++c) {
      pm25_in += pm25.values[m * 20 + c];
      pm10_in += pm10.values[m * 20 + c];
      voc_in += voc.values[m * 20 + c];
    }
  }
  // t/month over whole months of 2018 (the file's year) -> rates -> period months of
  // 2018-19 (same lengths: Feb 2019 has 28 days like Feb 2018).
  SpeciesArray sum{};
  for (std::size_t r = 0; r < t.regions.size(); ++r) {
    for (int x = 0; x < kNumSpecies; ++x) sum[x] += t.kg[r][index_of(Sector::kIndustry)][x];
  }
  double pm = 0.0, lumps = 0.0;
  for (Species x : kPm25Components) pm += sum[index_of(x)];
  for (Species x : kNmvocLumps) lumps += sum[index_of(x)];
  EXPECT_NEAR(pm, pm25_in * 1000.0, 1e-11 * pm25_in * 1000.0);
  EXPECT_NEAR(sum[index_of(Species::kPMCoarse)], (pm10_in - pm25_in) * 1000.0,
              1e-11 * pm10_in * 1000.0);
  EXPECT_NEAR(lumps, voc_in * 1000.0, 1e-11 * voc_in * 1000.0);
  EXPECT_NEAR(sum[index_of(Species::kSO4)] / pm, 0.119, 1e-12);
  EXPECT_NEAR(sum[index_of(Species::kBC)] / pm, 0.11, 1e-12);
  EXPECT_NEAR(sum[index_of(Species::kVocAro2)] / lumps, 0.15, 1e-12);

  // PM10 below PM2.5 somewhere: an error naming the file and the PM10 variable.
  pm10.values[20 * 10 + 3] = 0.5;
  def.gridded[0].file = write_inventory({pm25, pm10, voc});
  const InputError e = expect_input_error([&] { build_inventory(def, synthetic_geometry(def)); });
  EXPECT_EQ(e.file(), def.gridded[0].file.string());
  EXPECT_EQ(e.variable(), "PM10_ind");
  EXPECT_TRUE(contains(e.what(), "less than PM2.5")) << e.what();
}

TEST(EmissionsSource, InventoryOfGriddedFilesAloneHasNoCities) {
  // The built-in definition without its cities, city_keys, components and point_clusters
  // sections, the profile tables by absolute path, and one gridded NetCDF file.
  std::ifstream in(kInventoryDir / "inventory.yaml");
  std::string yaml, line;
  bool keep = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ' && line[0] != '#') {
      const std::string key = line.substr(0, line.find(':'));
      keep =
          key != "cities" && key != "city_keys" && key != "components" && key != "point_clusters";
    }
    for (const char* csv : {"profiles_hour.csv", "profiles_weekday.csv", "profiles_vertical.csv"}) {
      const auto at = line.find(std::string(": ") + csv);
      if (at != std::string::npos)
        line.replace(at + 2, std::strlen(csv), (kInventoryDir / csv).string());
    }
    if (keep) yaml += line + "\n";
  }
  VarDef nox{"NOx_tra", "transport", "NOx", "t/month", {"month", "lat", "lon"}, {}, ""};
  for (int k = 0; k < 240; ++k) nox.values.push_back(2.0 + k % 5);
  yaml += "gridded:\n  test:\n    file: " + write_inventory({nox}).string() + "\n";
  const fs::path path = temp_path("gridded-only.yaml");
  std::ofstream(path) << yaml;

  const InventoryDefinition def = load_inventory_definition(path);
  EXPECT_TRUE(def.cities.empty());
  EXPECT_TRUE(def.components.empty());
  ASSERT_EQ(def.gridded.size(), 1u);
  const EmissionInventory inv = build_inventory(def, synthetic_geometry(def));
  EXPECT_EQ(inv.regions, std::vector<std::string>{"outside"});
  const TotalsTable t = inv.period_totals();
  ASSERT_EQ(t.regions, std::vector<std::string>{"outside"});
  double nox_in = 0.0;
  for (int m : {9, 10, 11, 0, 1, 2}) {  // Oct..Mar: the months of the 2018-19 period
    for (int c = 0; c < 20; ++c) nox_in += nox.values[static_cast<std::size_t>(m * 20 + c)];
  }
  // t/month of 2018 (the file's year) over the period's months [kg], all "outside".
  const double got = t.kg[0][index_of(Sector::kTransportation)][index_of(Species::kNOx)];
  EXPECT_NEAR(got, nox_in * 1000.0, 1e-11 * nox_in * 1000.0);
  for (Sector s : kAllSectors) {
    for (int x = 0; x < kNumSpecies; ++x) {
      if (s == Sector::kTransportation && x == index_of(Species::kNOx)) continue;
      EXPECT_EQ(t.kg[0][index_of(s)][x], 0.0) << sector_name(s) << " " << x;
    }
  }
}

TEST(EmissionsSummary, JsonHasTheStableStructure) {
  const InventoryDefinition def = default_definition();
  const TotalsTable t = city_totals(def);
  SummaryInfo info;
  info.name = def.name;
  info.definition = def.path;
  info.period = def.period;
  const nlohmann::ordered_json j = summary_json(t, info);
  EXPECT_EQ(j["units"], "t");
  EXPECT_EQ(j["period"]["first_day"], "2018-10-01");
  EXPECT_EQ(j["period"]["last_day"], "2019-03-31");
  EXPECT_EQ(j["cities"].size(), 12u);
  const double xian_res_so2 = j["cities"]["Xi'an"]["residential"]["SO2"];
  EXPECT_NEAR(xian_res_so2, t.at(0, Sector::kResidential, Species::kSO2) / 1000.0,
              1e-5 * xian_res_so2);
  double sum = 0.0;
  for (auto it = j["cities"].begin(); it != j["cities"].end(); ++it)
    sum += it.value()["all_sectors"]["PM25"].get<double>();
  EXPECT_NEAR(j["domain_total"]["all_sectors"]["PM25"].get<double>(), sum, 1e-4 * sum);
  EXPECT_TRUE(j["outside"].contains("dust"));
  EXPECT_TRUE(j["domain_total"]["industry"].contains("NMVOC"));
  EXPECT_TRUE(j["dropped_outside_domain"].contains("SO2"));
}

}  // namespace

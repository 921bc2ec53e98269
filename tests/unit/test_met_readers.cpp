// Tests of the meteorology readers (WRF and CF/ERA NetCDF), the shared NetCDF
// helpers, time interpolation and the Kz profile. Values read from the real
// sample files are compared with `ncdump -p 9,17` output of the same files
// (an independent reader: the netCDF library's own dump), and derived
// quantities with the formulas written out here again.
//
// Tolerances: float variables are compared exactly after rounding both values to
// float (ncdump prints 9 significant digits, enough to identify a float);
// derived quantities computed in double from the same float inputs agree to
// 1e-12 relative; the grid built from the projection attributes agrees with
// WRF's single-precision XLAT/XLONG to 1e-3 degrees (WRF computes them in
// single precision, ~1e-4 degrees).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "grid/horizontal_grid.hpp"
#include "grid/projection.hpp"
#include "io/netcdf_util.hpp"
#include "met/cf_reader.hpp"
#include "met/interpolate.hpp"
#include "met/kz.hpp"
#include "met/met_fields.hpp"
#include "met/wrf_reader.hpp"

namespace {

namespace fs = std::filesystem;
using fwaq::InputError;
using fwaq::MetRecord;
using fwaq::nc::NcFile;
using fwaq::nc::NcWriter;

const std::string kSamples = std::string(FWAQ_SHARED_DATA) + "/wrf-samples/";
const std::string kWrf = kSamples + "wrf_d01_allvars_cropped.nc";
const std::string kWrfSmall = kSamples + "wrf_cropped.nc";
const std::string kEra = kSamples + "era_interim_tibet.nc";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool have_samples() {
  return fs::exists(kWrf) && fs::exists(kEra);
}
bool have_ncdump() {
  return std::system("command -v ncdump > /dev/null 2>&1") == 0;
}

#define REQUIRE_SAMPLES()                                                            \
  do {                                                                               \
    if (!have_samples()) GTEST_SKIP() << "shared data not found under " << kSamples; \
  } while (0)
#define REQUIRE_NCDUMP()                                           \
  do {                                                             \
    REQUIRE_SAMPLES();                                             \
    if (!have_ncdump()) GTEST_SKIP() << "ncdump is not installed"; \
  } while (0)

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buf[65536];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  pclose(pipe);
  return out;
}

/// All values of `var` from `ncdump -v var -p 9,17 file`, C order; "_" -> NaN.
std::vector<double> ncdump_values(const std::string& file, const std::string& var) {
  const std::string out = run("ncdump -v " + var + " -p 9,17 '" + file + "' 2>/dev/null");
  const auto data = out.find("\ndata:");
  const std::string key = "\n " + var + " =";
  auto pos = data == std::string::npos ? data : out.find(key, data);
  if (pos == std::string::npos) {
    ADD_FAILURE() << "ncdump gave no values of " << var << " in " << file;
    return {};
  }
  pos += key.size();
  const auto end = out.find(';', pos);
  std::string body = out.substr(pos, end - pos);
  for (char& c : body) {
    if (c == ',') c = ' ';
  }
  std::istringstream in(body);
  std::vector<double> values;
  std::string token;
  while (in >> token) {
    values.push_back(token == "_" ? kNaN : std::strtod(token.c_str(), nullptr));
  }
  return values;
}

/// As ncdump_values, for a float variable: each value rounded to float, which
/// recovers the stored float exactly (9 significant digits identify a float).
std::vector<double> ncdump_floats(const std::string& file, const std::string& var) {
  std::vector<double> v = ncdump_values(file, var);
  for (double& x : v) x = static_cast<double>(static_cast<float>(x));
  return v;
}

/// Overwrites one element of a float variable of an existing file with the
/// netCDF-C API (NcWriter refuses to convert +-Inf, as the library does).
void poke_float(const std::string& path, const std::string& var,
                const std::vector<std::size_t>& index, float value) {
  int id = -1, varid = -1;
  ASSERT_EQ(nc_open(path.c_str(), NC_WRITE, &id), NC_NOERR);
  ASSERT_EQ(nc_inq_varid(id, var.c_str(), &varid), NC_NOERR);
  ASSERT_EQ(nc_put_var1_float(id, varid, index.data(), &value), NC_NOERR);
  ASSERT_EQ(nc_close(id), NC_NOERR);
}

/// The quoted strings of a char variable from ncdump.
std::vector<std::string> ncdump_strings(const std::string& file, const std::string& var) {
  const std::string out = run("ncdump -v " + var + " '" + file + "' 2>/dev/null");
  auto pos = out.find("\n " + var + " =", out.find("\ndata:"));
  std::vector<std::string> strings;
  if (pos == std::string::npos) return strings;
  const auto end = out.find(';', pos);
  while (true) {
    const auto a = out.find('"', pos);
    if (a == std::string::npos || a > end) break;
    const auto b = out.find('"', a + 1);
    strings.push_back(out.substr(a + 1, b - a - 1));
    pos = b + 1;
  }
  return strings;
}

/// A numeric attribute "var:name" from `ncdump -h`.
double ncdump_attribute(const std::string& file, const std::string& var_colon_name) {
  const std::string out = run("ncdump -h '" + file + "' 2>/dev/null");
  const std::string key = var_colon_name + " = ";
  const auto pos = out.find(key);
  if (pos == std::string::npos) {
    ADD_FAILURE() << "no attribute " << var_colon_name << " in " << file;
    return kNaN;
  }
  return std::strtod(out.c_str() + pos + key.size(), nullptr);
}

/// A temporary folder removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("fwaq_met_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

/// Expects `fn` to throw InputError whose message contains every fragment.
void expect_input_error(const std::function<void()>& fn,
                        const std::vector<std::string>& fragments) {
  try {
    fn();
    ADD_FAILURE() << "no InputError thrown (expected one mentioning '" << fragments.front() << "')";
  } catch (const InputError& e) {
    const std::string what = e.what();
    for (const auto& f : fragments) {
      EXPECT_NE(what.find(f), std::string::npos) << "message lacks '" << f << "': " << what;
    }
  }
}

void copy_truncated(const std::string& from, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream out(to, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
}

fwaq::TimePoint utc(int y, unsigned m, unsigned d, int h = 0) {
  using namespace std::chrono;
  return fwaq::TimePoint{sys_days{year{y} / month{m} / day{d}}} + hours{h};
}

// ---- a WRF-like file written from the sample, with deliberate defects ------

const std::vector<std::string> kWrfVars = {"U",      "V",     "W",      "T",      "P",      "PB",
                                           "PH",     "PHB",   "HGT",    "QVAPOR", "QCLOUD", "PSFC",
                                           "T2",     "U10",   "V10",    "PBLH",   "UST",    "HFX",
                                           "SWDOWN", "RAINC", "RAINNC", "XLAT",   "XLONG"};

struct WrfCopy {
  std::set<std::string> skip{};
  std::map<std::string, std::vector<std::string>> dims{};  // replaced dimensions
  std::map<std::string, std::string> data_from{};          // values taken from another variable
  std::function<void(const std::string&, std::vector<double>&)> modify{};
  std::map<std::string, double> global_overrides{};
};

void write_wrf_copy(const std::string& dst, const WrfCopy& o = {}) {
  NcFile src(kWrf);
  NcWriter w(dst);
  const std::vector<std::pair<std::string, std::string>> dims = {
      {"Time", "Time"},
      {"DateStrLen", "string19"},
      {"bottom_top", "bottom_top"},
      {"bottom_top_stag", "bottom_top_stag"},
      {"south_north", "south_north"},
      {"south_north_stag", "south_north_stag"},
      {"west_east", "west_east"},
      {"west_east_stag", "west_east_stag"}};
  for (const auto& [name, from] : dims) w.dimension(name, src.dim_length(from));
  for (const std::string a :
       {"MAP_PROJ", "TRUELAT1", "TRUELAT2", "STAND_LON", "CEN_LAT", "CEN_LON", "MOAD_CEN_LAT", "DX",
        "DY", "WEST-EAST_GRID_DIMENSION", "SOUTH-NORTH_GRID_DIMENSION"}) {
    double v = *src.att_double("", a);
    if (o.global_overrides.count(a)) v = o.global_overrides.at(a);
    const bool integer = a == "MAP_PROJ" || a.find("GRID_DIM") != std::string::npos;
    w.attribute("", a, v, integer ? NC_INT : NC_FLOAT);
  }
  w.variable("Times", NC_CHAR, {"Time", "DateStrLen"});
  for (const auto& name : kWrfVars) {
    if (o.skip.count(name)) continue;
    const std::string from = o.data_from.count(name) ? o.data_from.at(name) : name;
    auto d = src.var(from).dims;
    if (o.dims.count(name)) d = o.dims.at(name);
    w.variable(name, NC_FLOAT, d, 1);
    w.attribute(name, "units", src.att_text(from, "units").value_or(""));
  }
  std::string text;
  for (const auto& s : src.read_strings("Times")) text += s;
  const std::vector<std::size_t> start{0, 0}, count{src.dim_length("Time"), 19};
  w.write_text("Times", text, start, count);
  for (const auto& name : kWrfVars) {
    if (o.skip.count(name)) continue;
    std::vector<double> v = src.read(o.data_from.count(name) ? o.data_from.at(name) : name);
    if (o.modify) o.modify(name, v);
    w.write(name, v);
  }
  w.commit();
}

}  // namespace

// ===========================================================================
// NetCDF helpers
// ===========================================================================

TEST(MetNetcdf, UnpacksPackedEraValuesLikeNcdump) {
  REQUIRE_NCDUMP();
  const std::vector<double> raw = ncdump_values(kEra, "t2m");  // stored shorts
  const double scale = ncdump_attribute(kEra, "t2m:scale_factor");
  const double offset = ncdump_attribute(kEra, "t2m:add_offset");
  ASSERT_EQ(raw.size(), 4u * 55u * 68u);
  EXPECT_NEAR(scale, 0.00143281712739491, 1e-18);
  NcFile f(kEra);
  const std::vector<double> v = f.read("t2m");
  ASSERT_EQ(v.size(), raw.size());
  double lo = 1e9, hi = -1e9;
  for (std::size_t n = 0; n < v.size(); ++n) {
    ASSERT_NEAR(v[n], raw[n] * scale + offset, 1e-9) << "element " << n;
    lo = std::min(lo, v[n]);
    hi = std::max(hi, v[n]);
  }
  // Plausible 2-m temperatures over the Tibetan plateau and India in June [K].
  EXPECT_GT(lo, 240.0);
  EXPECT_LT(hi, 330.0);      // up to 47 degC over the Thar desert
  EXPECT_GT(hi - lo, 20.0);  // a real field, not a constant
  // Without unpacking the reader returns the stored shorts.
  fwaq::nc::ReadOptions raw_options;
  raw_options.unpack = false;
  const std::vector<double> stored = f.read("t2m", {}, {}, raw_options);
  for (std::size_t n = 0; n < stored.size(); n += 97) EXPECT_EQ(stored[n], raw[n]);
  // A hyperslab: time 2, latitude 10..12, longitude 5..8.
  const std::vector<std::size_t> start{2, 10, 5}, count{1, 3, 4};
  const auto part = f.read("t2m", start, count);
  for (std::size_t j = 0; j < 3; ++j)
    for (std::size_t i = 0; i < 4; ++i)
      EXPECT_EQ(part[j * 4 + i], v[(2 * 55 + 10 + j) * 68 + 5 + i]);
  EXPECT_EQ(f.att_text("t2m", "units").value_or(""), "K");
  EXPECT_EQ(f.att_text("", "Conventions").value_or(""), "CF-1.0");
}

TEST(MetNetcdf, CfTimeUnits) {
  using fwaq::nc::cf_time;
  // ERA-Interim sample: 985416 hours since 1900-01-01 is 2012-06-01 00 UTC
  // (GNU date: date -u -d '1900-01-01 +985416 hours').
  EXPECT_EQ(cf_time(985416, "hours since 1900-01-01 00:00:0.0", ""), utc(2012, 6, 1));
  EXPECT_EQ(cf_time(985434, "hours since 1900-01-01 00:00:0.0", "gregorian"), utc(2012, 6, 1, 18));
  EXPECT_EQ(cf_time(1.5, "days since 2000-01-01T12:00:00Z", "proleptic_gregorian"),
            utc(2000, 1, 3));
  EXPECT_EQ(cf_time(90, "minutes since 2019-12-31 23:00", "standard"),
            utc(2020, 1, 1, 0) + std::chrono::minutes{30});
  // A reference time in UTC+8 (Beijing time): 08:00 local is 00:00 UTC.
  EXPECT_EQ(cf_time(0, "seconds since 2020-01-01 08:00:00 +08:00", ""), utc(2020, 1, 1));
  expect_input_error([] { cf_time(1, "months since 2000-01-01", "", "f.nc", "time"); },
                     {"f.nc", "'time'", "months"});
  expect_input_error([] { cf_time(1, "hours since 2000-01-01", "noleap", "f.nc", "time"); },
                     {"f.nc", "noleap"});
  expect_input_error([] { cf_time(1, "hours after 2000-01-01", "", "f.nc", "time"); },
                     {"f.nc", "hours after"});
  expect_input_error([] { cf_time(1, "days since 1500-01-01", "standard", "f.nc", "time"); },
                     {"1582-10-15"});
}

TEST(MetNetcdf, MissingAndTruncatedFilesNamed) {
  REQUIRE_SAMPLES();
  TempDir tmp;
  expect_input_error([&] { NcFile f(tmp.file("nothing.nc")); },
                     {tmp.file("nothing.nc"), "does not exist"});
  // netCDF-4 (HDF5) file cut in half: fails in nc_open; the message names the
  // file and its size (no variable can be named: the library cannot read the header).
  const std::string wrf_half = tmp.file("wrf_half.nc");
  copy_truncated(kWrf, wrf_half);
  expect_input_error([&] { fwaq::WrfFile f(wrf_half); },
                     {wrf_half, std::to_string(fs::file_size(wrf_half)) + " bytes", "truncated"});
  // Classic file cut in half: the header is intact; the check against the
  // header names the first variable whose data is cut and the byte positions.
  const std::string era_half = tmp.file("era_half.nc");
  copy_truncated(kEra, era_half);
  expect_input_error(
      [&] { fwaq::CfFile f(era_half); },
      {era_half, "'t2m'", "byte", std::to_string(fs::file_size(era_half)), "truncated"});
  // The intact files open.
  EXPECT_NO_THROW(NcFile{kEra});
  EXPECT_NO_THROW(NcFile{kWrf});
}

TEST(MetNetcdf, FillValuesNaNAndDimensionsNamed) {
  TempDir tmp;
  const std::string path = tmp.file("packed.nc");
  {
    NcWriter w(path, /*classic=*/true);
    w.dimension("time", 0);
    w.dimension("lat", 3);
    w.dimension("lon", 4);
    w.variable("c", NC_SHORT, {"time", "lat", "lon"});
    w.attribute("c", "scale_factor", 0.5, NC_FLOAT);
    w.attribute("c", "add_offset", 100.0, NC_FLOAT);
    w.attribute("c", "_FillValue", -32767, NC_SHORT);
    w.variable("f", NC_FLOAT, {"time", "lat", "lon"});
    std::vector<double> c(24), f(24);
    for (int n = 0; n < 24; ++n) {
      c[static_cast<std::size_t>(n)] = n - 10;
      f[static_cast<std::size_t>(n)] = 0.25 * n;
    }
    c[12 + 2 * 4 + 3] = -32767;  // (time=1, lat=2, lon=3)
    const std::vector<std::size_t> start{0, 0, 0}, count{2, 3, 4};
    w.write("c", c, start, count);
    w.write("f", f, start, count);
    w.commit();
  }
  poke_float(path, "f", {1, 1, 2}, std::numeric_limits<float>::infinity());
  NcFile file(path);
  EXPECT_EQ(file.format(), NC_FORMAT_CLASSIC);
  // Record 0 is clean: unpacked = stored * 0.5 + 100.
  const std::vector<std::size_t> s0{0, 0, 0}, c0{1, 3, 4};
  const auto r0 = file.read("c", s0, c0);
  for (int n = 0; n < 12; ++n) EXPECT_EQ(r0[static_cast<std::size_t>(n)], (n - 10) * 0.5 + 100.0);
  expect_input_error([&] { file.read("c"); },
                     {path, "'c'", "_FillValue -32767", "(time=1, lat=2, lon=3)"});
  fwaq::nc::ReadOptions lenient;
  lenient.missing = fwaq::nc::MissingPolicy::kNaN;
  const auto all = file.read("c", {}, {}, lenient);
  EXPECT_TRUE(std::isnan(all[12 + 2 * 4 + 3]));
  EXPECT_EQ(all[12 + 2 * 4 + 2], (12 + 8 + 2 - 10) * 0.5 + 100.0);
  expect_input_error([&] { file.read("f"); }, {path, "'f'", "inf", "(time=1, lat=1, lon=2)"});
  expect_input_error([&] { file.var("g", "needed for a test"); },
                     {path, "'g'", "not found", "needed for a test"});
  expect_input_error(
      [&] {
        file.expect_dims("c", {{"time", 0}, {"lat", 3}, {"lat", 4}});
      },
      {path, "'c'", "dimension 2", "'lon'", "'lat'"});
  expect_input_error(
      [&] {
        file.expect_dims("c", {{"time", 0}, {"lat", 5}, {"lon", 4}});
      },
      {"length 3", "length 5"});
  EXPECT_NO_THROW(file.expect_dims("c", {{"time", 2}, {"lat", 3}, {"lon", 4}}));
  expect_input_error([&] { file.require_global_double("DX"); }, {path, "DX", "missing"});
}

TEST(MetNetcdf, WriterIsAtomicAndCompresses) {
  TempDir tmp;
  const std::string path = tmp.file("out.nc");
  {
    NcWriter w(path);
    w.dimension("x", 1000);
    w.variable("a", NC_DOUBLE, {"x"}, 5);
    w.attribute("a", "units", "ug m-3");
    std::vector<double> v(1000, 1.25);
    w.write("a", v);
    EXPECT_FALSE(fs::exists(path));  // nothing under the final name before commit
    EXPECT_TRUE(fs::exists(w.temporary_path()));
    w.commit();
  }
  ASSERT_TRUE(fs::exists(path));
  NcFile f(path);
  EXPECT_EQ(f.format(), NC_FORMAT_NETCDF4);
  int shuffle = 0, deflate = 0, level = 0;
  ASSERT_EQ(nc_inq_var_deflate(f.id(), f.var("a").id, &shuffle, &deflate, &level), NC_NOERR);
  EXPECT_EQ(deflate, 1);
  EXPECT_EQ(level, 5);
  EXPECT_EQ(shuffle, 1);
  EXPECT_EQ(f.read("a")[999], 1.25);
  EXPECT_EQ(f.att_text("a", "units").value_or(""), "ug m-3");
  // Abandoned: no final file, no temporary left behind.
  const std::string other = tmp.file("abandoned.nc");
  std::string tmp_name;
  {
    NcWriter w(other);
    w.dimension("x", 2);
    tmp_name = w.temporary_path();
  }
  EXPECT_FALSE(fs::exists(other));
  EXPECT_FALSE(fs::exists(tmp_name));
}

// ===========================================================================
// WRF reader
// ===========================================================================

TEST(MetWrf, TimesAndSizesMatchNcdump) {
  REQUIRE_NCDUMP();
  fwaq::WrfFile f(kWrf);
  const auto times = ncdump_strings(kWrf, "Times");
  ASSERT_EQ(times.size(), 4u);
  ASSERT_EQ(f.records(), 4);
  for (int r = 0; r < 4; ++r) {
    EXPECT_EQ(fwaq::format_wrf(f.time(r)), times[static_cast<std::size_t>(r)]);
  }
  EXPECT_EQ(f.time(1), utc(2005, 9, 21, 3));
  EXPECT_EQ(f.nx(), 10);
  EXPECT_EQ(f.ny(), 8);
  EXPECT_EQ(f.nz(), 27);
  const auto& g = f.grid_info();
  EXPECT_EQ(g.map_proj, 1);
  EXPECT_EQ(g.truelat1, 30.0);
  EXPECT_EQ(g.truelat2, 35.0);
  EXPECT_EQ(g.stand_lon, 87.0);
  EXPECT_EQ(g.dx, 30000.0);
  EXPECT_EQ(g.full_nx, 200);
  EXPECT_EQ(g.full_ny, 200);
  expect_input_error([&] { f.time(4); }, {kWrf, "'Times'", "record 4"});
}

TEST(MetWrf, SurfaceFieldsMatchNcdump) {
  REQUIRE_NCDUMP();
  fwaq::WrfFile f(kWrf);
  const int nx = 10, ny = 8, r = 2;
  const MetRecord rec = f.read(r);
  const std::vector<std::pair<std::string, const fwaq::Field*>> fields = {
      {"T2", &rec.t2},   {"PSFC", &rec.psfc},     {"PBLH", &rec.pblh}, {"UST", &rec.ustar},
      {"HFX", &rec.hfx}, {"SWDOWN", &rec.swdown}, {"U10", &rec.u10},   {"V10", &rec.v10}};
  for (const auto& [name, field] : fields) {
    const auto ref = ncdump_values(kWrf, name);
    ASSERT_EQ(ref.size(), 4u * nx * ny) << name;
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i)
        EXPECT_EQ(static_cast<float>((*field)(i, j, 0)),
                  static_cast<float>(ref[static_cast<std::size_t>((r * ny + j) * nx + i)]))
            << name << " at i=" << i << " j=" << j;
  }
  const auto hgt = ncdump_values(kWrf, "HGT");  // static: (south_north, west_east)
  ASSERT_EQ(hgt.size(), static_cast<std::size_t>(nx * ny));
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i)
      EXPECT_EQ(static_cast<float>(rec.terrain(i, j, 0)),
                static_cast<float>(hgt[static_cast<std::size_t>(j * nx + i)]));
}

TEST(MetWrf, StaggeredWindsAndDestaggeringMatchNcdump) {
  REQUIRE_NCDUMP();
  fwaq::WrfFile f(kWrf);
  const int nx = 10, ny = 8, nz = 27, r = 1;
  const MetRecord rec = f.read(r);
  const auto u = ncdump_floats(kWrf, "U");  // (Time, bottom_top, south_north, west_east_stag)
  const auto v = ncdump_floats(kWrf, "V");  // (Time, bottom_top, south_north_stag, west_east)
  const auto w = ncdump_floats(kWrf, "W");  // (Time, bottom_top_stag, south_north, west_east)
  ASSERT_EQ(u.size(), 4u * nz * ny * (nx + 1));
  auto U = [&](int i, int j, int k) {
    return u[static_cast<std::size_t>(((r * nz + k) * ny + j) * (nx + 1) + i)];
  };
  auto V = [&](int i, int j, int k) {
    return v[static_cast<std::size_t>(((r * nz + k) * (ny + 1) + j) * nx + i)];
  };
  auto W = [&](int i, int j, int k) {
    return w[static_cast<std::size_t>(((r * (nz + 1) + k) * ny + j) * nx + i)];
  };
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i <= nx; ++i) ASSERT_EQ(rec.u(i, j, k), U(i, j, k));
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j <= ny; ++j)
      for (int i = 0; i < nx; ++i) ASSERT_EQ(rec.v(i, j, k), V(i, j, k));
  for (int k = 0; k <= nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) ASSERT_EQ(rec.w(i, j, k), W(i, j, k));
  // Destaggered to the mass points: the mean of the two neighbouring staggered values.
  const fwaq::Field uc = fwaq::destagger_x(rec.u);
  const fwaq::Field vc = fwaq::destagger_y(rec.v);
  const fwaq::Field wc = fwaq::destagger_z(rec.w);
  ASSERT_EQ(uc.nx(), nx);
  ASSERT_EQ(vc.ny(), ny);
  ASSERT_EQ(wc.nz(), nz);
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        ASSERT_NEAR(uc(i, j, k), 0.5 * (U(i, j, k) + U(i + 1, j, k)), 1e-12);
        ASSERT_NEAR(vc(i, j, k), 0.5 * (V(i, j, k) + V(i, j + 1, k)), 1e-12);
        ASSERT_NEAR(wc(i, j, k), 0.5 * (W(i, j, k) + W(i, j, k + 1)), 1e-12);
      }
  // Real winds: some above 5 m s-1 in the column.
  double umax = 0;
  for (std::size_t n = 0; n < rec.u.size(); ++n) umax = std::max(umax, std::abs(rec.u.data()[n]));
  EXPECT_GT(umax, 5.0);
}

TEST(MetWrf, DerivedThermodynamicsAndHeightsMatchFormulas) {
  REQUIRE_NCDUMP();
  fwaq::WrfFile f(kWrf);
  const int nx = 10, ny = 8, nz = 27, r = 3;
  const MetRecord rec = f.read(r);
  const auto T = ncdump_floats(kWrf, "T");
  const auto P = ncdump_floats(kWrf, "P");
  const auto PB = ncdump_floats(kWrf, "PB");
  const auto QV = ncdump_floats(kWrf, "QVAPOR");
  const auto QC = ncdump_floats(kWrf, "QCLOUD");
  const auto PH = ncdump_floats(kWrf, "PH");
  const auto PHB = ncdump_floats(kWrf, "PHB");
  const auto HGT = ncdump_floats(kWrf, "HGT");
  auto m = [&](int i, int j, int k) {
    return static_cast<std::size_t>(((r * nz + k) * ny + j) * nx + i);
  };
  auto s = [&](int i, int j, int k) {
    return static_cast<std::size_t>(((r * (nz + 1) + k) * ny + j) * nx + i);
  };
  // Formulas as in the WRF documentation (Skamarock et al. 2008, sect. 2.1):
  // theta = T + 300 K, p = P + PB, T = theta (p / 1e5 Pa)^(R_d / c_p), R_d / c_p = 2 / 7.
  const double eps = 287.0 / 461.6;
  double rh_max = 0;
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        const double p = P[m(i, j, k)] + PB[m(i, j, k)];
        const double temp = (T[m(i, j, k)] + 300.0) * std::pow(p / 1.0e5, 2.0 / 7.0);
        const double q = std::max(QV[m(i, j, k)], 0.0);
        ASSERT_NEAR(rec.pressure(i, j, k), p, 1e-12 * p);
        ASSERT_NEAR(rec.temperature(i, j, k), temp, 1e-12 * temp);
        ASSERT_EQ(rec.qvapor(i, j, k), q);
        ASSERT_EQ(rec.cloud_water(i, j, k), std::max(QC[m(i, j, k)], 0.0));
        // Bolton (1980) eq. 10 in its published form:
        // e_s = 6.112 hPa exp(17.67 t / (t + 243.5)), t in degC.
        const double tc = temp - 273.15;
        const double es_pa = 100.0 * 6.112 * std::exp(17.67 * tc / (tc + 243.5));
        const double e_pa = q * p / (eps + q);
        const double rh = std::clamp(e_pa / es_pa, 0.0, 1.0);
        ASSERT_NEAR(rec.rel_humidity(i, j, k), rh, 1e-12);
        rh_max = std::max(rh_max, rh);
        const double tv = temp * (1.0 + q / eps) / (1.0 + q);
        ASSERT_NEAR(rec.density(i, j, k), p / (287.0 * tv), 1e-12);
        // Physically plausible ranges over the Tibetan plateau.
        ASSERT_GT(rec.temperature(i, j, k), 180.0);
        ASSERT_LT(rec.temperature(i, j, k), 320.0);
        ASSERT_GT(rec.density(i, j, k), 0.05);
        ASSERT_LT(rec.density(i, j, k), 1.0);  // the ground lies above 4.5 km here
      }
  EXPECT_GT(rh_max, 0.3);
  // Heights of the interfaces above ground: (PH + PHB) / g - HGT, g = 9.81 m s-2.
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      const double hgt = HGT[static_cast<std::size_t>(j * nx + i)];
      EXPECT_EQ(rec.z_interface(i, j, 0), 0.0);
      EXPECT_LT(std::abs((PH[s(i, j, 0)] + PHB[s(i, j, 0)]) / 9.81 - hgt), 1.0);
      for (int k = 1; k <= nz; ++k) {
        const double z = (PH[s(i, j, k)] + PHB[s(i, j, k)]) / 9.81 - hgt;
        ASSERT_NEAR(rec.z_interface(i, j, k), z, 1e-9);
      }
      // The first layer is some tens of metres thick; the model top (50 hPa)
      // lies 12-20 km above this high ground.
      EXPECT_GT(rec.z_interface(i, j, 1), 20.0);
      EXPECT_LT(rec.z_interface(i, j, 1), 100.0);
      EXPECT_GT(rec.z_interface(i, j, nz), 12000.0);
      EXPECT_LT(rec.z_interface(i, j, nz), 20000.0);
    }
}

TEST(MetWrf, PrecipitationFromAccumulationIncrements) {
  REQUIRE_NCDUMP();
  fwaq::WrfFile f(kWrf);
  const int nx = 10, ny = 8;
  const auto rc = ncdump_floats(kWrf, "RAINC");
  const auto rn = ncdump_floats(kWrf, "RAINNC");
  auto acc = [&](int r, int i, int j) {
    const auto n = static_cast<std::size_t>((r * ny + j) * nx + i);
    return rc[n] + rn[n];
  };
  double total = 0;
  for (int r = 0; r < 4; ++r) {
    const MetRecord rec = f.read(r);
    const int r0 = r == 0 ? 0 : r - 1, r1 = r == 0 ? 1 : r;  // record 0: the next interval
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        const double rate = (acc(r1, i, j) - acc(r0, i, j)) / 3.0;  // 3-hourly output [mm h-1]
        ASSERT_NEAR(rec.precip(i, j, 0), std::max(rate, 0.0), 1e-12);
        total += rec.precip(i, j, 0);
      }
  }
  EXPECT_GT(total, 0.0);  // it does rain in this sample
}

TEST(MetWrf, WindowMatchesFullRead) {
  REQUIRE_SAMPLES();
  fwaq::WrfFile f(kWrf);
  const MetRecord full = f.read(1);
  const fwaq::Window win{2, 1, 5, 4};
  const MetRecord part = f.read(1, win);
  ASSERT_EQ(part.nx, 5);
  ASSERT_EQ(part.ny, 4);
  ASSERT_EQ(part.nz, 27);
  for (int k = 0; k < 27; ++k)
    for (int j = 0; j < 4; ++j)
      for (int i = 0; i < 5; ++i) {
        ASSERT_EQ(part.temperature(i, j, k), full.temperature(i + 2, j + 1, k));
        ASSERT_EQ(part.density(i, j, k), full.density(i + 2, j + 1, k));
        ASSERT_EQ(part.u(i, j, k), full.u(i + 2, j + 1, k));
        ASSERT_EQ(part.v(i, j, k), full.v(i + 2, j + 1, k));
      }
  for (int k = 0; k < 27; ++k)
    for (int j = 0; j < 4; ++j) ASSERT_EQ(part.u(5, j, k), full.u(7, j + 1, k));  // east face
  for (int k = 0; k < 27; ++k)
    for (int i = 0; i < 5; ++i) ASSERT_EQ(part.v(i, 4, k), full.v(i + 2, 5, k));  // north face
  for (int k = 0; k <= 27; ++k)
    for (int j = 0; j < 4; ++j)
      for (int i = 0; i < 5; ++i) {
        ASSERT_EQ(part.z_interface(i, j, k), full.z_interface(i + 2, j + 1, k));
        ASSERT_EQ(part.kz(i, j, k), full.kz(i + 2, j + 1, k));
        ASSERT_EQ(part.w(i, j, k), full.w(i + 2, j + 1, k));
      }
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < 5; ++i) {
      ASSERT_EQ(part.precip(i, j, 0), full.precip(i + 2, j + 1, 0));
      ASSERT_EQ(part.pblh(i, j, 0), full.pblh(i + 2, j + 1, 0));
    }
  // "-1" extends to the edge; a window that does not fit is rejected.
  EXPECT_EQ(f.read(0, fwaq::Window{7, 5, -1, -1}).nx, 3);
  expect_input_error(
      [&] {
        f.read(0, fwaq::Window{8, 0, 5, 4});
      },
      {kWrf, "window (i0=8", "10 x 8"});
}

TEST(MetWrf, GridFromAttributesMatchesXlatXlong) {
  REQUIRE_NCDUMP();
  fwaq::WrfFile f(kWrf);
  // The file is the central 10 x 8 cells of a 200 x 200 domain centred on
  // CEN_LON 87, CEN_LAT 30: cells 95..104 x 96..103.
  EXPECT_EQ(f.grid_info().offset_i, 95);
  EXPECT_EQ(f.grid_info().offset_j, 96);
  const fwaq::HorizontalGrid g = f.grid();
  ASSERT_EQ(g.nx(), 10);
  ASSERT_EQ(g.ny(), 8);
  EXPECT_EQ(g.dx(), 30000.0);
  const auto lat = ncdump_values(kWrf, "XLAT");
  const auto lon = ncdump_values(kWrf, "XLONG");
  double worst = 0;
  for (int j = 0; j < 8; ++j)
    for (int i = 0; i < 10; ++i) {
      const auto n = static_cast<std::size_t>(j * 10 + i);
      worst = std::max({worst, std::abs(g.lat(i, j) - lat[n]), std::abs(g.lon(i, j) - lon[n])});
    }
  EXPECT_LT(worst, 1e-3) << "largest difference to XLAT/XLONG [degrees]";
  // WRF's map factor at 29.05 N for truelats 30/35 (MAPFAC_M from ncdump).
  const auto mapfac = ncdump_values(kWrf, "MAPFAC_M");
  EXPECT_NEAR(g.mapfac_mx(0, 0), mapfac[0], 1e-5);
}

TEST(MetWrf, ProjectionChecksNameAttributeAndValues) {
  REQUIRE_SAMPLES();
  fwaq::WrfFile f(kWrf);
  const fwaq::HorizontalGrid g = f.grid();
  EXPECT_NO_THROW(f.check_grid(g));
  EXPECT_NO_THROW(f.check_grid(g.window(2, 1, 5, 4), fwaq::Window{2, 1, 5, 4}));
  auto lambert = [](double t1, double t2, double lon) {
    return std::make_shared<const fwaq::Projection>(fwaq::Projection::wrf_lambert(t1, t2, lon));
  };
  // Another second standard parallel.
  const auto other =
      fwaq::HorizontalGrid::centred(lambert(30, 40, 87), 200, 200, 30000, 30000, 87, 30)
          .window(95, 96, 10, 8);
  expect_input_error([&] { f.check_grid(other); }, {kWrf, "TRUELAT2", "= 35", "= 40"});
  const auto lon_off =
      fwaq::HorizontalGrid::centred(lambert(30, 35, 105), 10, 8, 30000, 30000, 87, 30);
  expect_input_error([&] { f.check_grid(lon_off); }, {kWrf, "STAND_LON", "= 87", "= 105"});
  const auto coarse =
      fwaq::HorizontalGrid::centred(lambert(30, 35, 87), 10, 8, 27000, 30000, 87, 30);
  expect_input_error([&] { f.check_grid(coarse); }, {kWrf, "DX", "= 30000", "= 27000"});
  // The right projection, but the run grid lies one cell further east.
  expect_input_error(
      [&] {
        f.check_grid(g.window(3, 1, 5, 4), fwaq::Window{2, 1, 5, 4});
      },
      {kWrf, "CEN_LAT", "CEN_LON", "cells away"});
  expect_input_error([&] { f.check_grid(g.window(0, 0, 5, 4)); }, {kWrf, "10 x 8", "5 x 4"});
  const auto latlon = fwaq::HorizontalGrid::lat_lon(10, 8, 85, 29, 0.3, 0.3);
  expect_input_error([&] { f.check_grid(latlon); }, {kWrf, "MAP_PROJ", "lat-lon"});
}

TEST(MetWrf, BadInputFilesNameFileVariableAndPosition) {
  REQUIRE_SAMPLES();
  TempDir tmp;
  // The copy itself reads exactly like the original.
  const std::string good = tmp.file("good.nc");
  write_wrf_copy(good);
  {
    const MetRecord a = fwaq::WrfFile(good).read(1);
    const MetRecord b = fwaq::WrfFile(kWrf).read(1);
    for (std::size_t n = 0; n < a.temperature.size(); ++n)
      ASSERT_EQ(a.temperature.data()[n], b.temperature.data()[n]);
    for (std::size_t n = 0; n < a.precip.size(); ++n)
      ASSERT_EQ(a.precip.data()[n], b.precip.data()[n]);
  }
  // Missing variable.
  const std::string no_pblh = tmp.file("no_pblh.nc");
  write_wrf_copy(no_pblh, {.skip = {"PBLH"}});
  expect_input_error([&] { fwaq::WrfFile(no_pblh).read(0); },
                     {no_pblh, "'PBLH'", "not found", "MetRecord::pblh"});
  // Wrong dimension: T on the x-staggered grid.
  const std::string bad_dims = tmp.file("bad_dims.nc");
  write_wrf_copy(bad_dims,
                 {.dims = {{"T", {"Time", "bottom_top", "south_north", "west_east_stag"}}},
                  .data_from = {{"T", "U"}}});
  expect_input_error([&] { fwaq::WrfFile(bad_dims).read(0); },
                     {bad_dims, "'T'", "dimension 3", "'west_east_stag' of length 11",
                      "expected 'west_east' of length 10"});
  // NaN in QVAPOR at (Time=1, bottom_top=3, south_north=2, west_east=4), -Inf in T2 at record 2.
  const std::string nan = tmp.file("nan.nc");
  write_wrf_copy(nan, {.modify = [](const std::string& name, std::vector<double>& v) {
                   if (name == "QVAPOR") v[((1 * 27 + 3) * 8 + 2) * 10 + 4] = kNaN;
                 }});
  poke_float(nan, "T2", {2, 5, 6}, -std::numeric_limits<float>::infinity());
  fwaq::WrfFile with_nan(nan);
  EXPECT_NO_THROW(with_nan.read(0));
  expect_input_error(
      [&] { with_nan.read(1); },
      {nan, "'QVAPOR'", "nan", "(Time=1, bottom_top=3, south_north=2, west_east=4)"});
  expect_input_error([&] { with_nan.read(2); },
                     {nan, "'T2'", "-inf", "(Time=2, south_north=5, west_east=6)"});
  // Inconsistent terrain: HGT 100 m higher than the ground geopotential.
  const std::string bad_hgt = tmp.file("bad_hgt.nc");
  write_wrf_copy(bad_hgt, {.modify = [](const std::string& name, std::vector<double>& v) {
                   if (name == "HGT") v[3 * 10 + 7] += 100.0;
                 }});
  expect_input_error([&] { fwaq::WrfFile(bad_hgt).read(0); },
                     {bad_hgt, "'PHB'", "HGT", "south_north=3, west_east=7"});
  // Decreasing accumulated rain.
  const std::string bad_rain = tmp.file("bad_rain.nc");
  write_wrf_copy(bad_rain, {.modify = [](const std::string& name, std::vector<double>& v) {
                   if (name == "RAINNC") v[(1 * 8 + 4) * 10 + 2] = 50.0;
                 }});
  expect_input_error([&] { fwaq::WrfFile(bad_rain).read(2); },
                     {bad_rain, "'RAINNC'", "decreases", "south_north=4, west_east=2"});
  // Unsupported projection.
  const std::string mercator = tmp.file("mercator.nc");
  write_wrf_copy(mercator, {.global_overrides = {{"MAP_PROJ", 3}}});
  expect_input_error([&] { fwaq::WrfFile{mercator}; }, {mercator, "MAP_PROJ = 3", "expected 1"});
  // A real WRF file without winds (only T, P, PH... were kept in this sample).
  expect_input_error([&] { fwaq::WrfFile(kWrfSmall).read(0); }, {kWrfSmall, "'U'", "not found"});
}

// ===========================================================================
// CF / ERA reader
// ===========================================================================

TEST(MetCf, EraSampleMatchesNcdump) {
  REQUIRE_NCDUMP();
  fwaq::CfFile f(kEra);
  ASSERT_EQ(f.records(), 4);
  EXPECT_EQ(f.time(0), utc(2012, 6, 1, 0));
  EXPECT_EQ(f.time(3), utc(2012, 6, 1, 18));
  ASSERT_EQ(f.nx(), 68);
  ASSERT_EQ(f.ny(), 55);
  EXPECT_FALSE(f.has_levels());
  EXPECT_EQ(f.nz(), 1);
  EXPECT_EQ(f.latitudes().front(), 9.75);  // reordered south to north
  EXPECT_EQ(f.latitudes().back(), 50.25);
  EXPECT_EQ(f.longitudes().front(), 60.0);
  ASSERT_EQ(f.mapping().count("t2"), 1u);
  EXPECT_EQ(f.mapping().at("t2"), "t2m");
  EXPECT_EQ(f.mapping().count("temperature"), 0u);
  const auto raw = ncdump_values(kEra, "t2m");
  const double scale = ncdump_attribute(kEra, "t2m:scale_factor");
  const double offset = ncdump_attribute(kEra, "t2m:add_offset");
  for (int r = 0; r < 4; ++r) {
    const MetRecord rec = f.read(r);
    EXPECT_EQ(rec.time, f.time(r));
    for (int j = 0; j < 55; ++j)
      for (int i = 0; i < 68; ++i) {
        // File row jj = 54 - j (the file runs north to south).
        const double expected =
            raw[static_cast<std::size_t>((r * 55 + (54 - j)) * 68 + i)] * scale + offset;
        ASSERT_NEAR(rec.t2(i, j, 0), expected, 1e-9) << "r=" << r << " i=" << i << " j=" << j;
      }
  }
  const fwaq::HorizontalGrid g = f.grid();
  EXPECT_TRUE(g.is_lat_lon());
  EXPECT_NEAR(g.dlat_deg(), 0.75, 1e-12);
  EXPECT_NEAR(g.lat(0, 0), 9.75, 1e-9);
  EXPECT_NEAR(g.lon(67, 54), 110.25, 1e-9);
}

namespace {

struct CfSpec {
  bool with_latitude = true;
  std::vector<double> lon = {100, 101, 102, 103};
  std::string time_units = "hours since 2020-01-01 00:00:00";
  bool fill_in_t = false;
  bool with_terrain = true;  // the surface geopotential zsfc (ERA5 keeps it in another file)
};

// Synthetic ERA5-style pressure-level file: levels stored top-down (500, 850,
// 1000 hPa), latitudes north to south, t packed in shorts.
double t_raw(int r, int kk, int jj, int ii) {
  return 2000.0 + 1000.0 * kk + 100.0 * jj + 10.0 * ii + 5.0 * r;
}
double u_val(int r, int kk, int jj, int ii) {
  return 1.0 + ii + 0.5 * jj + 2.0 * kk + 0.25 * r;
}
double z_height(int kk) {
  return std::vector<double>{5600.0, 1500.0, 120.0}[static_cast<std::size_t>(kk)];
}

void write_cf(const std::string& path, const CfSpec& s = {}) {
  const int nt = 2, nl = 3, ny = 3, nx = static_cast<int>(s.lon.size());
  NcWriter w(path);
  w.dimension("time", 0);
  w.dimension("level", nl);
  w.dimension("latitude", ny);
  w.dimension("longitude", static_cast<std::size_t>(nx));
  w.variable("time", NC_INT, {"time"});
  w.attribute("time", "units", s.time_units);
  w.attribute("time", "calendar", "gregorian");
  w.variable("level", NC_INT, {"level"});
  w.attribute("level", "units", "millibars");
  if (s.with_latitude) {
    w.variable("latitude", NC_FLOAT, {"latitude"});
    w.attribute("latitude", "units", "degrees_north");
  }
  w.variable("longitude", NC_FLOAT, {"longitude"});
  const std::vector<std::string> d4{"time", "level", "latitude", "longitude"};
  const std::vector<std::string> d3{"time", "latitude", "longitude"};
  w.variable("t", NC_SHORT, d4);
  w.attribute("t", "scale_factor", 0.05);
  w.attribute("t", "add_offset", 150.0);
  w.attribute("t", "_FillValue", -32767, NC_SHORT);
  w.attribute("t", "units", "K");
  for (const char* v : {"u", "v", "q", "z", "w"}) w.variable(v, NC_FLOAT, d4);
  w.attribute("u", "units", "m s**-1");
  w.attribute("v", "units", "m s**-1");
  w.attribute("q", "units", "kg kg**-1");
  w.attribute("z", "units", "m**2 s**-2");
  w.attribute("w", "units", "Pa s**-1");
  for (const char* v : {"zsfc", "blh", "zust", "ishf", "ssrd", "tp", "sp", "t2m"}) {
    if (s.with_terrain || std::string(v) != "zsfc") w.variable(v, NC_FLOAT, d3);
  }
  if (s.with_terrain) {
    w.attribute("zsfc", "standard_name", "surface_geopotential");
    w.attribute("zsfc", "units", "m**2 s**-2");
  }
  w.attribute("blh", "units", "m");
  w.attribute("zust", "units", "m s**-1");
  w.attribute("ishf", "units", "W m**-2");
  w.attribute("ssrd", "units", "J m**-2");
  w.attribute("tp", "units", "m");
  w.attribute("sp", "units", "Pa");
  w.attribute("t2m", "units", "degC");
  w.write("time", std::vector<double>{0, 6}, std::vector<std::size_t>{0},
          std::vector<std::size_t>{2});
  w.write("level", std::vector<double>{500, 850, 1000});
  if (s.with_latitude) w.write("latitude", std::vector<double>{35, 34, 33});
  w.write("longitude", s.lon);
  std::vector<double> t, u, v, q, z, om;
  for (int r = 0; r < nt; ++r)
    for (int kk = 0; kk < nl; ++kk)
      for (int jj = 0; jj < ny; ++jj)
        for (int ii = 0; ii < nx; ++ii) {
          t.push_back(t_raw(r, kk, jj, ii));
          u.push_back(u_val(r, kk, jj, ii));
          v.push_back(-u_val(r, kk, jj, ii));
          q.push_back(0.001 * (1 + kk));
          z.push_back(9.80665 * (z_height(kk) + 10.0 * ii));
          om.push_back(0.1);
        }
  if (s.fill_in_t) t[static_cast<std::size_t>(((1 * nl + 0) * ny + 2) * nx + 3)] = -32767;
  const std::vector<std::size_t> s4{0, 0, 0, 0}, c4{2, 3, 3, static_cast<std::size_t>(nx)};
  w.write("t", t, s4, c4);
  w.write("u", u, s4, c4);
  w.write("v", v, s4, c4);
  w.write("q", q, s4, c4);
  w.write("z", z, s4, c4);
  w.write("w", om, s4, c4);
  const std::size_t n3 = static_cast<std::size_t>(nt * ny * nx);
  const std::vector<std::size_t> s3{0, 0, 0}, c3{2, 3, static_cast<std::size_t>(nx)};
  std::vector<double> zsfc;
  for (int r = 0; r < nt; ++r)
    for (int jj = 0; jj < ny; ++jj)
      for (int ii = 0; ii < nx; ++ii) zsfc.push_back(9.80665 * (50.0 + ii));
  if (s.with_terrain) w.write("zsfc", zsfc, s3, c3);
  w.write("blh", std::vector<double>(n3, 1500.0), s3, c3);
  w.write("zust", std::vector<double>(n3, 0.3), s3, c3);
  w.write("ishf", std::vector<double>(n3, -100.0), s3, c3);
  w.write("ssrd", std::vector<double>(n3, 1.8e6), s3, c3);
  w.write("tp", std::vector<double>(n3, 0.002), s3, c3);
  w.write("sp", std::vector<double>(n3, 101000.0), s3, c3);
  w.write("t2m", std::vector<double>(n3, 5.0), s3, c3);
  w.commit();
}

/// A value as it comes back from a float variable.
double stored(double x) {
  return static_cast<double>(static_cast<float>(x));
}

}  // namespace

TEST(MetCf, PressureLevelFileFillsMetRecord) {
  TempDir tmp;
  const std::string path = tmp.file("plev.nc");
  write_cf(path);
  fwaq::CfFile f(path);
  ASSERT_TRUE(f.has_levels());
  ASSERT_EQ(f.nz(), 3);
  EXPECT_EQ(f.levels(), (std::vector<double>{1000, 850, 500}));  // bottom-up
  EXPECT_EQ(f.latitudes(), (std::vector<double>{33, 34, 35}));
  EXPECT_EQ(f.time(1), utc(2020, 1, 1, 6));
  for (const char* field :
       {"temperature", "u", "v", "w", "qvapor", "pressure", "density", "rel_humidity",
        "z_interface", "terrain", "t2", "psfc", "pblh", "ustar", "hfx", "swdown", "precip", "kz"}) {
    EXPECT_EQ(f.mapping().count(field), 1u) << field;
  }
  EXPECT_EQ(f.mapping().count("cloud_water"), 0u);
  const int r = 1, nx = 4, ny = 3, nz = 3;
  const MetRecord rec = f.read(r);
  const double eps = 287.0 / 461.6;
  for (int k = 0; k < nz; ++k) {
    const int kk = 2 - k;  // file level index
    const double p = 100.0 * std::vector<double>{1000, 850, 500}[static_cast<std::size_t>(k)];
    for (int j = 0; j < ny; ++j) {
      const int jj = 2 - j;  // file row
      for (int i = 0; i < nx; ++i) {
        const double temp = t_raw(r, kk, jj, i) * 0.05 + 150.0;
        ASSERT_NEAR(rec.temperature(i, j, k), temp, 1e-9);
        ASSERT_EQ(rec.pressure(i, j, k), p);
        const double qs = stored(0.001 * (1 + kk));
        const double mr = qs / (1 - qs);
        ASSERT_NEAR(rec.qvapor(i, j, k), mr, 1e-15);
        const double tv = temp * (1 + mr / eps) / (1 + mr);
        const double rho = p / (287.0 * tv);
        ASSERT_NEAR(rec.density(i, j, k), rho, 1e-12);
        const double tc = temp - 273.15;
        const double es = 611.2 * std::exp(17.67 * tc / (tc + 243.5));
        ASSERT_NEAR(rec.rel_humidity(i, j, k), std::clamp(mr * p / (eps + mr) / es, 0.0, 1.0),
                    1e-12);
        // x-faces between centres: mean of the neighbours; the edges copy the edge cell.
        const double uf =
            i == 0 ? u_val(r, kk, jj, 0) : 0.5 * (u_val(r, kk, jj, i - 1) + u_val(r, kk, jj, i));
        ASSERT_NEAR(rec.u(i, j, k), uf, 1e-12);
      }
      ASSERT_NEAR(rec.u(nx, j, k), u_val(r, kk, jj, nx - 1), 1e-12);
    }
    for (int i = 0; i < nx; ++i) {
      // y-faces: row j = 1 lies between file rows 2 and 1.
      ASSERT_NEAR(rec.v(i, 1, k), -0.5 * (u_val(r, kk, 2, i) + u_val(r, kk, 1, i)), 1e-12);
    }
  }
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      // Geopotentials are stored as float: height = float(9.80665 h) / 9.80665.
      auto height = [](double h) { return stored(9.80665 * h) / 9.80665; };
      const double terrain = height(50.0 + i);
      ASSERT_NEAR(rec.terrain(i, j, 0), terrain, 1e-12);
      const double h0 = height(z_height(2) + 10 * i) - terrain;
      const double h1 = height(z_height(1) + 10 * i) - terrain;
      const double h2 = height(z_height(0) + 10 * i) - terrain;
      EXPECT_EQ(rec.z_interface(i, j, 0), 0.0);
      ASSERT_NEAR(rec.z_interface(i, j, 1), 0.5 * (h0 + h1), 1e-9);
      ASSERT_NEAR(rec.z_interface(i, j, 2), 0.5 * (h1 + h2), 1e-9);
      ASSERT_NEAR(rec.z_interface(i, j, 3), h2 + (h2 - 0.5 * (h1 + h2)), 1e-9);
      // omega = 0.1 Pa s-1 (sinking) -> w = -0.1 / (rho g) < 0; interface 1
      // averages layers 0 and 1.
      const double w1 = -0.5 * (stored(0.1) / (rec.density(i, j, 0) * 9.80665) +
                                stored(0.1) / (rec.density(i, j, 1) * 9.80665));
      ASSERT_NEAR(rec.w(i, j, 1), w1, 1e-15);
      EXPECT_NEAR(rec.t2(i, j, 0), 278.15, 1e-9);
      EXPECT_EQ(rec.hfx(i, j, 0), 100.0);             // ECMWF downward -100 -> upward +100
      EXPECT_NEAR(rec.swdown(i, j, 0), 500.0, 1e-9);  // 1.8e6 J m-2 over 1 h
      EXPECT_NEAR(rec.precip(i, j, 0), 1000 * stored(0.002), 1e-12);  // 2 mm in 1 h
      EXPECT_EQ(rec.psfc(i, j, 0), 101000.0);
      EXPECT_EQ(rec.ustar(i, j, 0), stored(0.3));
      // Kz from the K-profile: interface 1 lies inside the 1500 m PBL, the top above it.
      const double theta_v = rec.temperature(i, j, 0) * std::pow(1e5 / 100000.0, 2.0 / 7.0) *
                             (1 + 0.608 * rec.qvapor(i, j, 0));  // bottom level 1000 hPa
      const double expect_k1 = fwaq::kz_at(rec.z_interface(i, j, 1), 1500.0, rec.ustar(i, j, 0),
                                           100.0, theta_v, rec.density(i, j, 0));
      ASSERT_NEAR(rec.kz(i, j, 1), expect_k1, 1e-12 * expect_k1);
      EXPECT_GT(rec.kz(i, j, 1), 1.0);
      EXPECT_EQ(rec.kz(i, j, 3), fwaq::KzParams{}.kz_min);
    }
}

TEST(MetCf, GeopotentialWithoutTerrainGivesHeightsAboveSeaLevel) {
  // An ERA5 pressure-level file: 4-D geopotential, the surface geopotential elsewhere.
  TempDir tmp;
  const std::string path = tmp.file("plev-no-terrain.nc");
  CfSpec spec;
  spec.with_terrain = false;
  write_cf(path, spec);
  fwaq::CfFile f(path);
  EXPECT_EQ(f.mapping().count("terrain"), 0u);
  ASSERT_EQ(f.mapping().count("z_interface"), 1u);
  EXPECT_NE(f.mapping().at("z_interface").find("above sea level"), std::string::npos)
      << f.mapping().at("z_interface");
  const MetRecord rec = f.read(0);
  for (int i = 0; i < 4; ++i) {
    auto height = [](double h) { return stored(9.80665 * h) / 9.80665; };
    const double h0 = height(z_height(2) + 10 * i), h1 = height(z_height(1) + 10 * i);
    const double h2 = height(z_height(0) + 10 * i);
    EXPECT_EQ(rec.terrain(i, 1, 0), 0.0);
    EXPECT_EQ(rec.z_interface(i, 1, 0), 0.0);
    EXPECT_NEAR(rec.z_interface(i, 1, 1), 0.5 * (h0 + h1), 1e-9);
    EXPECT_NEAR(rec.z_interface(i, 1, 2), 0.5 * (h1 + h2), 1e-9);
    EXPECT_NEAR(rec.z_interface(i, 1, 3), h2 + (h2 - 0.5 * (h1 + h2)), 1e-9);
  }
}

TEST(MetCf, BadInputFilesNamed) {
  TempDir tmp;
  const std::string no_lat = tmp.file("no_lat.nc");
  write_cf(no_lat, {.with_latitude = false});
  expect_input_error([&] { fwaq::CfFile{no_lat}; }, {no_lat, "'latitude'", "not found"});
  const std::string irregular = tmp.file("irregular.nc");
  write_cf(irregular, {.lon = {100, 101, 102.5, 103}});
  expect_input_error([&] { fwaq::CfFile{irregular}; },
                     {irregular, "'longitude'", "indices 1 and 2", "regular"});
  const std::string months = tmp.file("months.nc");
  write_cf(months, {.time_units = "months since 2020-01-01"});
  expect_input_error([&] { fwaq::CfFile{months}; }, {months, "'time'", "months"});
  const std::string filled = tmp.file("filled.nc");
  write_cf(filled, {.fill_in_t = true});
  fwaq::CfFile f(filled);
  EXPECT_NO_THROW(f.read(0));
  expect_input_error([&] { f.read(1); },
                     {filled, "'t'", "_FillValue", "(time=1, level=0, latitude=2, longitude=3)"});
}

// ===========================================================================
// Time interpolation
// ===========================================================================

TEST(MetSeries, LinearInTimeBetweenWrfRecords) {
  REQUIRE_SAMPLES();
  auto file = std::make_shared<const fwaq::WrfFile>(kWrf);
  fwaq::MetSeries series({fwaq::wrf_source(file)});
  EXPECT_EQ(series.records(), 4);
  EXPECT_EQ(series.first_time(), utc(2005, 9, 21, 0));
  EXPECT_EQ(series.last_time(), utc(2005, 9, 21, 9));
  const MetRecord r1 = file->read(1), r2 = file->read(2);
  // One third of the way from 03 to 06 UTC.
  const fwaq::TimePoint t = utc(2005, 9, 21, 4);
  const MetRecord m = series.at(t);
  EXPECT_EQ(m.time, t);
  auto check = [&](const fwaq::Field& a, const fwaq::Field& b, const fwaq::Field& x) {
    for (std::size_t n = 0; n < x.size(); ++n) {
      ASSERT_NEAR(x.data()[n], a.data()[n] + (b.data()[n] - a.data()[n]) / 3.0,
                  1e-12 * (1.0 + std::abs(a.data()[n])));
    }
  };
  check(r1.temperature, r2.temperature, m.temperature);
  check(r1.u, r2.u, m.u);
  check(r1.z_interface, r2.z_interface, m.z_interface);
  check(r1.kz, r2.kz, m.kz);
  check(r1.pblh, r2.pblh, m.pblh);
  check(r1.precip, r2.precip, m.precip);
  // At a record time the record itself, bit for bit (both ends of an interval).
  const MetRecord at2 = series.at(utc(2005, 9, 21, 6));
  for (std::size_t n = 0; n < at2.temperature.size(); ++n)
    ASSERT_EQ(at2.temperature.data()[n], r2.temperature.data()[n]);
  const MetRecord at3 = series.at(utc(2005, 9, 21, 9));
  const MetRecord r3 = file->read(3);
  for (std::size_t n = 0; n < at3.u.size(); ++n) ASSERT_EQ(at3.u.data()[n], r3.u.data()[n]);
  // Times outside the file are rejected, naming the file and the time variable.
  expect_input_error(
      [&] { series.at(utc(2005, 9, 21, 10)); },
      {kWrf, "'Times'", "2005-09-21T10:00:00Z", "not covered", "2005-09-21T09:00:00Z"});
  expect_input_error([&] { series.at(utc(2005, 9, 20, 23)); }, {kWrf, "not covered"});
}

TEST(MetSeries, ReusesBracketingRecordsAndJoinsSources) {
  // Synthetic sources: every field equals a + b * hours, so linear interpolation is exact.
  auto make = [](fwaq::TimePoint t, double value) {
    MetRecord r;
    r.allocate(2, 2, 2);
    r.time = t;
    r.temperature.fill(value);
    r.kz.fill(2 * value);
    return r;
  };
  auto source = [&](const std::string& name, std::vector<int> hours) {
    fwaq::MetSource s;
    s.file = name;
    for (int h : hours) s.times.push_back(utc(2021, 1, 1, h));
    s.read = [make, hours](int rec) {
      const int h = hours[static_cast<std::size_t>(rec)];
      return make(utc(2021, 1, 1, h), 250.0 + 2.0 * h);
    };
    return s;
  };
  fwaq::MetSeries series({source("b.nc", {6, 9, 12}), source("a.nc", {0, 3, 6})});
  EXPECT_EQ(series.records(), 5);  // 6 h occurs twice and is taken once
  for (int minutes = 0; minutes <= 12 * 60; minutes += 20) {
    const fwaq::TimePoint t = utc(2021, 1, 1) + std::chrono::minutes{minutes};
    const MetRecord r = series.at(t);
    ASSERT_NEAR(r.temperature(1, 1, 1), 250.0 + 2.0 * minutes / 60.0, 1e-12) << minutes;
    ASSERT_NEAR(r.kz(0, 1, 2), 2 * (250.0 + 2.0 * minutes / 60.0), 1e-12);
  }
  // Marching forward reads each of the 5 records once.
  EXPECT_EQ(series.reads(), 5);
  expect_input_error([&] { series.at(utc(2021, 1, 1, 13)); }, {"b.nc", "not covered"});
  expect_input_error([&] { series.at(utc(2020, 12, 31, 23)); }, {"a.nc", "not covered"});
  expect_input_error(
      [&] {
        fwaq::MetSeries({source("c.nc", {3, 3})});
      },
      {"c.nc", "not strictly increasing"});
}

TEST(MetSeries, EraTimeNotCoveredNamesFile) {
  REQUIRE_SAMPLES();
  fwaq::MetSeries series({fwaq::cf_source(std::make_shared<const fwaq::CfFile>(kEra))});
  const MetRecord mid = series.at(utc(2012, 6, 1, 3));
  fwaq::CfFile f(kEra);
  const MetRecord a = f.read(0), b = f.read(1);
  EXPECT_NEAR(mid.t2(10, 20, 0), 0.5 * (a.t2(10, 20, 0) + b.t2(10, 20, 0)), 1e-12);
  expect_input_error([&] { series.at(utc(2012, 6, 2, 0)); },
                     {kEra, "'time'", "not covered", "2012-06-01T18:00:00Z"});
}

// ===========================================================================
// Kz
// ===========================================================================

TEST(MetKz, NeutralStableAndUnstableProfiles) {
  const fwaq::KzParams p;  // kz_min 0.1, kz_max 500
  const double k = 0.4, ustar = 0.4, h = 1000.0, theta = 280.0, rho = 1.2, cp = 1004.5, g = 9.81;
  // Neutral (H = 0): K = k u* z (1 - z/h)^2; maximum 4/27 k u* h at z = h/3.
  for (double z : {10.0, 100.0, 333.0, 700.0, 990.0}) {
    const double expected = std::max(k * ustar * z * std::pow(1 - z / h, 2), p.kz_min);
    EXPECT_NEAR(fwaq::kz_at(z, h, ustar, 0.0, theta, rho), expected, 1e-12) << z;
  }
  EXPECT_NEAR(fwaq::kz_at(h / 3, h, ustar, 0.0, theta, rho), 4.0 / 27.0 * k * ustar * h, 1e-9);
  // Stable (H = -30 W m-2): L = u*^3 theta rho c_p / (k g |H|) > 0; phi = 1 + 5 z/L or 5 + z/L.
  const double hs = -30.0;
  const double L = -std::pow(ustar, 3) * theta / (k * g * (hs / (rho * cp)));
  EXPECT_NEAR(fwaq::obukhov_length(ustar, hs, theta, rho), L, 1e-9);
  EXPECT_GT(L, 0.0);
  for (double z : {20.0, 0.9 * L, 1.5 * L}) {
    const double zl = z / L;
    const double phi = zl <= 1 ? 1 + 5 * zl : 5 + zl;
    const double expected = std::max(k * ustar * z * std::pow(1 - z / h, 2) / phi, p.kz_min);
    EXPECT_NEAR(fwaq::kz_at(z, h, ustar, hs, theta, rho), expected, 1e-12) << z;
  }
  // Unstable (H = +200 W m-2): surface layer k u* z (1-z/h)^2 (1 - 15 z/L)^(1/2).
  const double hu = 200.0;
  const double Lu = fwaq::obukhov_length(ustar, hu, theta, rho);
  EXPECT_LT(Lu, 0.0);
  const double zs = 50.0;
  EXPECT_NEAR(fwaq::kz_at(zs, h, ustar, hu, theta, rho),
              k * ustar * zs * std::pow(1 - zs / h, 2) * std::sqrt(1 - 15 * zs / Lu), 1e-12);
  // Outer layer: w_m = u* (1 - 1.5 h/L)^(1/3), Pr = phi_h/phi_m + 7.2 k 0.1 w*/w_m.
  const double zo = 400.0;
  const double wm = ustar * std::cbrt(1 - 15 * 0.1 * h / Lu);
  const double wstar = std::cbrt(g / theta * hu / (rho * cp) * h);
  const double pr =
      std::cbrt(1 - 1.5 * h / Lu) / std::sqrt(1 - 1.5 * h / Lu) + 7.2 * k * 0.1 * wstar / wm;
  EXPECT_NEAR(fwaq::kz_at(zo, h, ustar, hu, theta, rho), k * wm * zo * std::pow(1 - zo / h, 2) / pr,
              1e-12);
  // Convection mixes more than neutral, a stable layer less, at every height in the PBL.
  for (double z = 25.0; z < h; z += 50.0) {
    const double kn = fwaq::kz_at(z, h, ustar, 0.0, theta, rho);
    EXPECT_GT(fwaq::kz_at(z, h, ustar, hu, theta, rho), kn) << z;
    EXPECT_LE(fwaq::kz_at(z, h, ustar, hs, theta, rho), kn) << z;
  }
  // Magnitude in strong convection: h = 2 km, u* = 0.5, H = 250 W m-2 -> a few hundred m2 s-1.
  double kmax = 0;
  for (double z = 10; z < 2000; z += 10) {
    kmax = std::max(kmax, fwaq::kz_at(z, 2000, 0.5, 250, 300, 1.1));
  }
  EXPECT_GT(kmax, 100.0);
  EXPECT_LT(kmax, p.kz_max);
  // Limits: the ground and the free troposphere get kz_min; the cap holds.
  EXPECT_EQ(fwaq::kz_at(0.0, h, ustar, 0.0, theta, rho), p.kz_min);
  EXPECT_EQ(fwaq::kz_at(h, h, ustar, 0.0, theta, rho), p.kz_min);
  EXPECT_EQ(fwaq::kz_at(3000.0, h, ustar, 0.0, theta, rho), p.kz_min);
  fwaq::KzParams capped;
  capped.kz_max = 5.0;
  EXPECT_EQ(fwaq::kz_at(h / 3, h, ustar, 0.0, theta, rho, capped), 5.0);
}

TEST(MetKz, FilledOnWrfRecord) {
  REQUIRE_SAMPLES();
  fwaq::WrfFile f(kWrf);
  const MetRecord rec = f.read(2);
  const fwaq::KzParams p;
  int inside = 0;
  for (int j = 0; j < rec.ny; ++j)
    for (int i = 0; i < rec.nx; ++i) {
      for (int k = 0; k <= rec.nz; ++k) {
        const double z = rec.z_interface(i, j, k);
        const double kz = rec.kz(i, j, k);
        ASSERT_GE(kz, p.kz_min);
        ASSERT_LE(kz, p.kz_max);
        if (z >= rec.pblh(i, j, 0) || k == 0) {
          ASSERT_EQ(kz, p.kz_min);
        }
        // theta_0: the lowest layer's virtual potential temperature.
        const double theta_v = rec.temperature(i, j, 0) *
                               std::pow(1e5 / rec.pressure(i, j, 0), 2.0 / 7.0) *
                               (1 + 0.608 * rec.qvapor(i, j, 0));
        ASSERT_NEAR(kz,
                    fwaq::kz_at(z, rec.pblh(i, j, 0), rec.ustar(i, j, 0), rec.hfx(i, j, 0), theta_v,
                                rec.density(i, j, 0)),
                    1e-12 * kz);
        if (k > 0 && z < rec.pblh(i, j, 0) && kz > p.kz_min) ++inside;
      }
    }
  EXPECT_GT(inside, 100);  // a daytime boundary layer (06 UTC = noon local) with real mixing
}

// Tests of `fwaq inspect` (obs::inspect_file) against ncdump's view of the same
// files, the observation files read with gzip/awk, and hand-made bad files.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <netcdf>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "obs/inspect.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using fwaq::obs::inspect_file;

std::string data(const std::string& rel) {
  return std::string(FWAQ_SHARED_DATA) + "/" + rel;
}
const std::string kWrf = "wrf-samples/wrf_d01_allvars_cropped.nc";
const std::string kEra = "wrf-samples/era_interim_tibet.nc";
const std::string kHourly = "obs-cnemc-2019/fenwei_sites_2019-01_to_09_hourly.csv.gz";

#define REQUIRE_SHARED(rel)                                               \
  do {                                                                    \
    if (!fs::exists(data(rel))) GTEST_SKIP() << "no shared data " << rel; \
  } while (0)

std::string shell(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return "";
  std::string out;
  std::array<char, 65536> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe.get())) > 0) out.append(buf.data(), n);
  return out;
}

bool have_ncdump() {
  return !shell("command -v ncdump").empty();
}

// ---- ncdump -h parsing -------------------------------------------------------

struct NcdumpHeader {
  std::vector<std::pair<std::string, long>> dims;  // file order
  std::vector<std::string> unlimited;
  // name → (type, dims)
  std::vector<std::tuple<std::string, std::string, std::vector<std::string>>> vars;
  std::map<std::string, std::string> global;    // raw value text
  std::map<std::string, std::string> var_atts;  // "var:att" → raw value text
};

NcdumpHeader ncdump_header(const std::string& path) {
  NcdumpHeader h;
  std::istringstream in(shell("ncdump -h '" + path + "'"));
  static const std::regex dim(R"(^\s+(\S+) = (\d+|UNLIMITED) ;(?: // \((\d+) currently\))?)");
  static const std::regex var(R"(^\s+(\w+) (\S+)\((.*)\) ;$|^\s+(\w+) (\S+) ;$)");
  static const std::regex att(R"(^\s+(\S*):(\S+) = (.*) ;$)");
  std::string section, line;
  while (std::getline(in, line)) {
    if (line == "dimensions:" || line == "variables:" || line == "// global attributes:") {
      section = line;
      continue;
    }
    std::smatch m;
    if (section == "dimensions:" && std::regex_search(line, m, dim)) {
      if (m[2] == "UNLIMITED") {
        h.unlimited.push_back(m[1]);
        h.dims.emplace_back(m[1], std::stol(m[3]));
      } else {
        h.dims.emplace_back(m[1], std::stol(m[2]));
      }
    } else if (std::regex_match(line, m, att)) {
      if (m[1].str().empty()) {
        h.global[m[2]] = m[3];
      } else {
        h.var_atts[m[1].str() + ":" + m[2].str()] = m[3];
      }
    } else if (section == "variables:" && std::regex_match(line, m, var)) {
      std::vector<std::string> dims;
      if (m[1].matched) {
        std::istringstream ds(m[3].str());
        for (std::string d; std::getline(ds, d, ',');) {
          d.erase(0, d.find_first_not_of(' '));
          dims.push_back(d);
        }
        h.vars.emplace_back(m[2], m[1], dims);
      } else {
        h.vars.emplace_back(m[5], m[4], dims);
      }
    }
  }
  return h;
}

// A number as ncdump prints it ("30.f", "-32767s", "0.00143281712739491").
double ncdump_number(std::string s) {
  while (!s.empty() && std::isalpha(static_cast<unsigned char>(s.back()))) s.pop_back();
  return std::stod(s);
}

// The data values of one variable ("ncdump -v NAME"), '_' (fill) as NaN.
std::vector<double> ncdump_values(const std::string& path, const std::string& name) {
  const std::string out = shell("ncdump -v " + name + " '" + path + "'");
  const auto start = out.find(" " + name + " =", out.find("data:"));
  std::vector<double> v;
  if (start == std::string::npos) return v;
  std::string body = out.substr(start + name.size() + 3);
  body = body.substr(0, body.find(';'));
  std::istringstream is(body);
  for (std::string tok; std::getline(is, tok, ',');) {
    tok.erase(std::remove_if(tok.begin(), tok.end(), ::isspace), tok.end());
    if (tok.empty()) continue;
    v.push_back(tok == "_" ? NAN : std::stod(tok));
  }
  return v;
}

// The strings of a char variable or of "ncdump -t" times.
std::vector<std::string> ncdump_strings(const std::string& command, const std::string& name) {
  const std::string out = shell(command);
  const auto start = out.find(" " + name + " =", out.find("data:"));
  std::vector<std::string> v;
  if (start == std::string::npos) return v;
  const std::string body = out.substr(start, out.find(';', start) - start);
  static const std::regex quoted("\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(body.begin(), body.end(), quoted);
       it != std::sregex_iterator(); ++it)
    v.push_back((*it)[1]);
  return v;
}

const json* find_var(const json& report, const std::string& name) {
  for (const auto& v : report["variables"])
    if (v["name"] == name) return &v;
  return nullptr;
}

// ---------------------------------------------------------------------- WRF

TEST(Inspect, WrfOutputAgreesWithNcdump) {
  REQUIRE_SHARED(kWrf);
  if (!have_ncdump()) GTEST_SKIP() << "ncdump not installed";
  const std::string path = data(kWrf);
  const json r = inspect_file(path);
  EXPECT_EQ(r["kind"], "wrf");
  EXPECT_EQ(r["format"], "netCDF-4");
  const NcdumpHeader h = ncdump_header(path);

  // Dimensions: names, sizes and order as ncdump -h lists them.
  const json& sizes = r["dimensions"]["sizes"];
  ASSERT_EQ(sizes.size(), h.dims.size());
  std::size_t k = 0;
  for (auto it = sizes.begin(); it != sizes.end(); ++it, ++k) {
    EXPECT_EQ(it.key(), h.dims[k].first);
    EXPECT_EQ(it.value().get<long>(), h.dims[k].second) << it.key();
  }
  EXPECT_EQ(r["dimensions"]["unlimited"].get<std::vector<std::string>>(), h.unlimited);
  EXPECT_EQ(r["grid"]["west_east"], 10);
  EXPECT_EQ(r["grid"]["south_north"], 8);
  EXPECT_EQ(r["grid"]["bottom_top"], 27);

  // Variables: every declaration, with its type and dimensions.
  ASSERT_EQ(r["variables"].size(), h.vars.size());
  for (std::size_t i = 0; i < h.vars.size(); ++i) {
    const auto& [name, type, dims] = h.vars[i];
    EXPECT_EQ(r["variables"][i]["name"], name);
    EXPECT_EQ(r["variables"][i]["type"], type) << name;
    EXPECT_EQ(r["variables"][i]["dims"].get<std::vector<std::string>>(), dims) << name;
  }
  const json* u = find_var(r, "U");
  ASSERT_NE(u, nullptr);
  EXPECT_EQ((*u)["units"], "m s-1");

  // Projection: MAP_PROJ = 1 (Lambert conformal) and the attributes ncdump shows.
  const json& proj = r["grid"]["projection"];
  EXPECT_EQ(proj["MAP_PROJ"], 1);
  EXPECT_EQ(proj["name"], "Lambert conformal conic");
  for (const char* a : {"TRUELAT1", "TRUELAT2", "STAND_LON", "CEN_LAT", "CEN_LON", "MOAD_CEN_LAT",
                        "POLE_LAT", "POLE_LON", "DX", "DY"}) {
    ASSERT_TRUE(h.global.count(a)) << a;
    EXPECT_DOUBLE_EQ(proj[a].get<double>(), ncdump_number(h.global.at(a))) << a;
  }
  EXPECT_DOUBLE_EQ(proj["TRUELAT1"].get<double>(), 30.0);
  EXPECT_DOUBLE_EQ(proj["TRUELAT2"].get<double>(), 35.0);
  EXPECT_EQ(r["grid"]["domain"]["WEST-EAST_GRID_DIMENSION"], 201);
  EXPECT_EQ(r["grid"]["domain"]["cropped"], true);

  // Latitude/longitude extents: min and max of ncdump's XLAT, XLONG (7 digits printed).
  for (auto [var, key] : {std::pair{"XLAT", "lat_range"}, std::pair{"XLONG", "lon_range"}}) {
    const auto v = ncdump_values(path, var);
    ASSERT_EQ(v.size(), 80u) << var;
    EXPECT_NEAR(r["grid"][key][0].get<double>(), *std::min_element(v.begin(), v.end()), 1e-4);
    EXPECT_NEAR(r["grid"][key][1].get<double>(), *std::max_element(v.begin(), v.end()), 1e-4);
  }

  // Times, as ncdump -v Times prints them.
  const auto times = ncdump_strings("ncdump -v Times '" + path + "'", "Times");
  ASSERT_EQ(times.size(), 4u);
  const json& p = r["period"];
  EXPECT_EQ(p["records"], times.size());
  ASSERT_EQ(p["times"].size(), times.size());
  for (std::size_t i = 0; i < times.size(); ++i) {
    EXPECT_EQ(p["times"][i], fwaq::format_iso(fwaq::parse_time(times[i])));
  }
  EXPECT_EQ(p["first"], "2005-09-21T00:00:00Z");
  EXPECT_EQ(p["last"], "2005-09-21T09:00:00Z");
  EXPECT_EQ(p["interval_s"], 3 * 3600);

  // All required variables present (ncdump lists them): usable.
  std::set<std::string> declared;
  for (const auto& v : h.vars) declared.insert(std::get<0>(v));
  for (const auto& name : fwaq::obs::wrf_required_variables())
    EXPECT_TRUE(declared.count(name)) << name;
  EXPECT_EQ(r["usable"], true);
  EXPECT_TRUE(r["missing"].empty());
  EXPECT_NE(fwaq::obs::inspect_text(r).find("usable: yes"), std::string::npos);
}

TEST(Inspect, WrfFileLackingVariablesIsNotUsable) {
  REQUIRE_SHARED("wrf-samples/wrf_tip_d1.nc");
  const json r = inspect_file(data("wrf-samples/wrf_tip_d1.nc"));
  EXPECT_EQ(r["kind"], "wrf");
  EXPECT_EQ(r["usable"], false);
  // ncdump -h: this file has none of U, PH, PBLH.
  std::set<std::string> missing;
  for (const auto& m : r["missing"]) missing.insert(m.get<std::string>());
  for (const char* v : {"U", "PH", "PBLH", "RAINNC"}) EXPECT_TRUE(missing.count(v)) << v;
  const json g = inspect_file(data("wrf-samples/geo_em_d01_lambert.nc"));
  EXPECT_EQ(g["kind"], "wps-geogrid");
  EXPECT_EQ(g["usable"], false);
}

// ---------------------------------------------------------------- CF met (packed)

TEST(Inspect, PackedEraInterimAgreesWithNcdump) {
  REQUIRE_SHARED(kEra);
  if (!have_ncdump()) GTEST_SKIP() << "ncdump not installed";
  const std::string path = data(kEra);
  const json r = inspect_file(path);
  EXPECT_EQ(r["kind"], "cf-met");
  EXPECT_EQ(r["format"], "netCDF classic");
  const NcdumpHeader h = ncdump_header(path);
  ASSERT_EQ(r["dimensions"]["sizes"].size(), h.dims.size());
  for (const auto& [name, size] : h.dims) EXPECT_EQ(r["dimensions"]["sizes"][name], size);

  // The packed variable with its scale_factor / add_offset / _FillValue.
  const json* t2m = find_var(r, "t2m");
  ASSERT_NE(t2m, nullptr);
  EXPECT_EQ((*t2m)["type"], "short");
  EXPECT_EQ((*t2m)["packed"], true);
  EXPECT_EQ((*t2m)["units"], "K");
  const double scale = ncdump_number(h.var_atts.at("t2m:scale_factor"));
  const double offset = ncdump_number(h.var_atts.at("t2m:add_offset"));
  // ncdump prints doubles with 15 significant digits: agreement to 1e-14 relative.
  EXPECT_NEAR((*t2m)["scale_factor"].get<double>(), scale, 1e-14 * scale);
  EXPECT_NEAR((*t2m)["add_offset"].get<double>(), offset, 1e-14 * offset);
  EXPECT_EQ((*t2m)["_FillValue"], -32767);
  // Unpacked range = stored min/max (ncdump's integers) * scale + offset.
  const auto stored = ncdump_values(path, "t2m");
  ASSERT_EQ(stored.size(), 4u * 55u * 68u);
  double lo = 1e30, hi = -1e30;
  for (double s : stored) {
    if (std::isnan(s) || s == -32767) continue;
    lo = std::min(lo, s * scale + offset);
    hi = std::max(hi, s * scale + offset);
  }
  EXPECT_NEAR((*t2m)["range"][0].get<double>(), lo, 1e-9);
  EXPECT_NEAR((*t2m)["range"][1].get<double>(), hi, 1e-9);
  EXPECT_GT(lo, 200.0);  // a plausible 2-m temperature [K]
  EXPECT_LT(hi, 330.0);
  const std::string text = fwaq::obs::inspect_text(r);
  EXPECT_NE(text.find("t2m short(time, latitude, longitude) [K] packed: scale_factor="),
            std::string::npos)
      << text;

  // Times as ncdump -t decodes them ("2012-06-01", "2012-06-01 06", ...).
  const auto times = ncdump_strings("ncdump -t -v time '" + path + "'", "time");
  ASSERT_EQ(times.size(), 4u);
  ASSERT_EQ(r["period"]["times"].size(), 4u);
  for (std::size_t i = 0; i < times.size(); ++i)
    EXPECT_EQ(r["period"]["times"][i], fwaq::format_iso(fwaq::parse_time(times[i])));
  EXPECT_EQ(r["period"]["interval_s"], 6 * 3600);

  // Grid extents from the coordinate values ncdump prints.
  const auto lat = ncdump_values(path, "latitude");
  const auto lon = ncdump_values(path, "longitude");
  EXPECT_DOUBLE_EQ(r["grid"]["latitude"]["first"].get<double>(), lat.front());
  EXPECT_DOUBLE_EQ(r["grid"]["latitude"]["last"].get<double>(), lat.back());
  EXPECT_DOUBLE_EQ(r["grid"]["longitude"]["min"].get<double>(), lon.front());
  EXPECT_DOUBLE_EQ(r["grid"]["longitude"]["max"].get<double>(), lon.back());
  EXPECT_NEAR(r["grid"]["longitude"]["step"].get<double>(), (lon.back() - lon.front()) / 67, 1e-9);
  // Only 2-m temperature: not enough for a 3-D run.
  EXPECT_EQ(r["usable"], false);
  EXPECT_EQ(r["met_variables"].size(), 1u);
  EXPECT_EQ(r["met_variables"][0]["role"], "2-m temperature");
}

// ---------------------------------------------------------------- observations

TEST(Inspect, ObservationFiles) {
  REQUIRE_SHARED(kHourly);
  const std::string path = data(kHourly);
  const std::string list = data("obs-cnemc-2019/fenwei_stations.csv");
  fwaq::obs::InspectOptions o;
  o.stations = list;
  const json r = inspect_file(path, o);
  EXPECT_EQ(r["kind"], "observations");
  EXPECT_EQ(r["format"], "CSV (gzip)");
  // Station count and types, from gzip/awk.
  const long ncols = std::stol(shell("gzip -dc '" + path + "' | head -1 | tr , '\\n' | wc -l"));
  EXPECT_EQ(r["stations"]["count"], ncols - 3);
  std::set<std::string> awk_types;
  std::istringstream ts(shell("gzip -dc '" + path + "' | awk -F, 'NR>1{print $3}' | sort -u"));
  for (std::string t; std::getline(ts, t);) awk_types.insert(t);
  std::set<std::string> types;
  for (const auto& t : r["types"]) types.insert(t["name"].get<std::string>());
  EXPECT_EQ(types, awk_types);
  EXPECT_EQ(types.size(), 15u);
  EXPECT_EQ(r["period"]["first_date"], "2019-01-01");
  EXPECT_EQ(r["period"]["last_date"], "2019-09-30");
  EXPECT_EQ(r["period"]["first_utc"], "2018-12-31T16:00:00Z");
  EXPECT_EQ(r["period"]["dates"], 273);
  EXPECT_EQ(r["usable"], true);
  // Stations per city, counted with awk in the station list.
  std::map<std::string, int> per_city;
  std::istringstream cs(shell("awk -F, 'NR>1{print $3}' '" + list + "' | sort | uniq -c"));
  for (std::string line; std::getline(cs, line);) {
    std::istringstream ls(line);
    int n = 0;
    std::string city;
    ls >> n >> city;
    per_city[city] = n;
  }
  ASSERT_EQ(r["cities"].size(), 11u);
  for (const auto& c : r["cities"])
    EXPECT_EQ(c["stations"], per_city[c["city_zh"].get<std::string>()]) << c["city"];

  // The national one-day file (plain CSV, same layout).
  const std::string day = data("obs-cnemc-2019/china_sites_20190101.csv");
  const json d = inspect_file(day);
  EXPECT_EQ(d["kind"], "observations");
  EXPECT_EQ(d["format"], "CSV");
  EXPECT_EQ(d["stations"]["count"],
            std::stol(shell("head -1 '" + day + "' | tr , '\\n' | wc -l")) - 3);
  EXPECT_EQ(d["period"]["first_date"], "2019-01-01");
  EXPECT_EQ(d["period"]["last_date"], "2019-01-01");
  EXPECT_EQ(d["period"]["hours"], 24);
}

TEST(Inspect, StationListsAndCityDaily) {
  REQUIRE_SHARED("obs-cnemc-2019/fenwei_stations.csv");
  const json s = inspect_file(data("obs-cnemc-2019/fenwei_stations.csv"));
  EXPECT_EQ(s["kind"], "station-list");
  EXPECT_EQ(s["stations"]["count"], 69);
  EXPECT_EQ(s["stations"]["without_location"].size(), 3u);
  const json n = inspect_file(data("obs-cnemc-2019/StationList-2020.01.01.csv"));
  EXPECT_EQ(n["kind"], "station-list");
  const long unique =
      std::stol(shell("awk -F, 'NR>1{print $1}' '" +
                      data("obs-cnemc-2019/StationList-2020.01.01.csv") + "' | sort -u | wc -l"));
  EXPECT_EQ(n["stations"]["count"], unique);
  const json c = inspect_file(data("obs-cnemc-2019/fenwei_city_daily_pm25_2019-01_to_09.csv"));
  EXPECT_EQ(c["kind"], "city-daily");
  EXPECT_EQ(c["cities"].size(), 11u);
  EXPECT_EQ(c["period"]["first_date"], "2019-01-01");
  EXPECT_EQ(c["period"]["last_date"], "2019-09-30");
}

// ---------------------------------------------------------------- YAML and bad files

class InspectScratch : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fwaq_inspect_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return (dir_ / name).string();
  }
  fs::path dir_;
};

TEST_F(InspectScratch, YamlCaseFile) {
  const std::string path =
      write("case.yaml", "domain:\n  nx: 10\n  ny: 8\nrun:\n  start: 2019-01-01\n");
  const json r = inspect_file(path);
  EXPECT_EQ(r["kind"], "case");
  EXPECT_EQ(r["sections"]["domain"], json({"nx", "ny"}));
  EXPECT_EQ(r["sections"]["run"], json({"start"}));
  const std::string bad = write("bad.yaml", "domain:\n  nx: [1, 2\n");
  try {
    inspect_file(bad);
    ADD_FAILURE() << "no error for broken YAML";
  } catch (const fwaq::InputError& e) {
    EXPECT_EQ(e.file(), bad);
    EXPECT_NE(std::string(e.what()).find("line"), std::string::npos) << e.what();
  }
}

// A gridded inventory in the emissions reader's layout (src/emissions/inventory_reader.hpp):
// recognised by its emission-rate units.
TEST_F(InspectScratch, EmissionInventory) {
  const std::string path = (dir_ / "inventory.nc").string();
  {
    netCDF::NcFile f(path, netCDF::NcFile::replace);
    const auto lat = f.addDim("lat", 3);
    const auto lon = f.addDim("lon", 4);
    auto vlat = f.addVar("lat", netCDF::ncDouble, lat);
    vlat.putAtt("units", "degrees_north");
    auto vlon = f.addVar("lon", netCDF::ncDouble, lon);
    vlon.putAtt("units", "degrees_east");
    auto so2 = f.addVar("SO2_power", netCDF::ncFloat, {lat, lon});
    so2.putAtt("units", "t/month");
    so2.putAtt("sector", "power");
    so2.putAtt("species", "SO2");
    auto nox = f.addVar("NOx_industry", netCDF::ncFloat, {lat, lon});
    nox.putAtt("units", "mol km-2 hr-1");
    auto dust = f.addVar("PM25_dust", netCDF::ncFloat, {lat, lon});
    dust.putAtt("units", "kg m-2 s**-1");
    f.addVar("cell_area", netCDF::ncFloat, {lat, lon}).putAtt("units", "km2");
    f.addVar("ratio", netCDF::ncFloat, {lat, lon}).putAtt("units", "mol mol-1");
    f.addVar("flux", netCDF::ncFloat, {lat, lon}).putAtt("units", "kg kg-1");
    f.putAtt("year", netCDF::ncInt, 2017);
    const std::vector<double> la = {34.0, 34.25, 34.5}, lo = {108.0, 108.25, 108.5, 108.75};
    vlat.putVar(la.data());
    vlon.putVar(lo.data());
    std::vector<float> v(12);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
    so2.putVar(v.data());
    nox.putVar(v.data());
  }
  const json r = inspect_file(path);
  EXPECT_EQ(r["kind"], "emissions");
  // Emission rates (an amount per time); not areas, mole or mass ratios.
  EXPECT_EQ(r["emission_variables"], json({"SO2_power", "NOx_industry", "PM25_dust"}));
  EXPECT_DOUBLE_EQ(r["grid"]["latitude"]["step"].get<double>(), 0.25);
  const json* so2 = find_var(r, "SO2_power");
  ASSERT_NE(so2, nullptr);
  EXPECT_EQ((*so2)["range"], json({0.0, 11.0}));
  EXPECT_EQ((*so2)["sector"], "power");
  EXPECT_EQ((*so2)["species"], "SO2");
}

TEST_F(InspectScratch, UnreadableOrUnknownFilesAreInputErrors) {
  auto expect_error = [](const std::string& path, const std::string& part) {
    try {
      inspect_file(path);
      ADD_FAILURE() << "no InputError for " << path;
    } catch (const fwaq::InputError& e) {
      EXPECT_EQ(e.file(), path);
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  expect_error((dir_ / "absent.nc").string(), "no such file");
  expect_error(dir_.string(), "directory");
  expect_error(write("hello.txt", "hello world\n"), "unrecognised file");
  expect_error(write("table.csv", "a,b,c\n1,2,3\n"), "unrecognised file");
  // Observation CSV with a bad value: the reader's InputError comes through.
  expect_error(write("obs.csv", "date,hour,type,1462A\n20190101,0,PM2.5,x\n"), "column 4");
  {
    // A netCDF file that is none of the known kinds.
    const std::string path = (dir_ / "other.nc").string();
    {
      netCDF::NcFile f(path, netCDF::NcFile::replace);
      const auto x = f.addDim("x", 3);
      f.addVar("foo", netCDF::ncFloat, x).putAtt("units", "furlong");
    }
    expect_error(path, "unrecognised netCDF file (variables: foo)");
  }
  if (fs::exists(data(kEra))) {
    // Classic netCDF cut short: the header promises more data than the file holds.
    std::ifstream in(data(kEra), std::ios::binary);
    std::string bytes(20000, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    expect_error(write("cut.nc", bytes), "truncated");
  }
  if (fs::exists(data(kWrf))) {
    // netCDF-4 (HDF5) cut short.
    std::ifstream in(data(kWrf), std::ios::binary);
    std::string bytes(200000, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    expect_error(write("cut4.nc", bytes), "NetCDF");
  }
}

}  // namespace

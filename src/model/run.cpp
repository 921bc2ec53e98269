// The season run: see run.hpp and docs/science/model.md.
//
// One synchronisation step of length dt (default 1 h), from t to t + dt, with the
// meteorology of its midpoint:
//   1. advection (x y z / z y x alternating; sub-stepped for the Courant limit),
//   2. emissions (mass added in every layer by the inventory's vertical profiles),
//      vertical diffusion with dry deposition as its lower boundary flux (implicit),
//   3. chemistry (gas phase, aqueous and heterogeneous sulfate, N2O5 uptake, SOA; the
//      inorganic gas-particle split by thermodynamics),
//   4. wet scavenging.
// Sequential (first-order) operator splitting, as CMAQ's science processes; the hourly
// output samples the state at whole hours.
#include "model/run.hpp"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "chem/chemistry.hpp"
#include "chem/deposition.hpp"
#include "chem/tracers.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "emissions/build.hpp"
#include "emissions/domain_geometry.hpp"
#include "emissions/inventory_definition.hpp"
#include "fwaq/version.hpp"
#include "grid/domain.hpp"
#include "met/diagnostic_wind.hpp"
#include "model/met_provider.hpp"
#include "model/outputs.hpp"
#include "model/scenario.hpp"
#include "obs/stations.hpp"
#include "operators/advection.hpp"
#include "operators/diffusion.hpp"
#include "parallel/decomposition.hpp"
#include "parallel/reduce.hpp"

namespace fwaq::model {

using chem::idx;
using chem::kNumTracers;
using chem::Tracer;
namespace em = emissions;

namespace {

// ---- settings -------------------------------------------------------------------------

/// Background mixing ratios for initial and inflow values: surface concentration
/// [µg m-3] at the standard surface density, decaying with height by exp(-z / H).
struct Background {
  std::array<double, kNumTracers> surface_ug_m3{};
  std::array<double, kNumTracers> scale_height_m{};
  /// Mixing ratio [µg kg-1] at height z [m above ground].
  double q(int t, double z_m) const {
    constexpr double kRho0 = 1.225;  // [kg m-3] standard surface density
    const double h = scale_height_m[static_cast<std::size_t>(t)];
    const double f = h > 0.0 ? std::exp(-z_m / h) : 1.0;
    return surface_ug_m3[static_cast<std::size_t>(t)] / kRho0 * f;
  }
};

/// Default background: a clean-continental winter inflow into the plain (regional
/// background stations of north-west China, e.g. Waliguan and the Loess-plateau sites;
/// values chosen within their reported ranges, see docs/science/model.md).
Background default_background() {
  Background b;
  auto set = [&](Tracer t, double c, double h) {
    b.surface_ug_m3[static_cast<std::size_t>(idx(t))] = c;
    b.scale_height_m[static_cast<std::size_t>(idx(t))] = h;
  };
  set(Tracer::kSO2, 4.0, 2000.0);
  set(Tracer::kNO, 0.3, 1500.0);
  set(Tracer::kNO2, 4.0, 1500.0);
  set(Tracer::kTNO3, 2.0, 2000.0);
  set(Tracer::kTNH3, 2.0, 1500.0);
  set(Tracer::kCO, 250.0, 0.0);
  set(Tracer::kVocAlk, 2.0, 2000.0);
  set(Tracer::kVocOle, 0.5, 1500.0);
  set(Tracer::kVocAro1, 0.8, 2000.0);
  set(Tracer::kVocAro2, 0.3, 1500.0);
  set(Tracer::kSV1, 0.3, 2500.0);
  set(Tracer::kSV2, 0.5, 2500.0);
  set(Tracer::kSO4, 3.0, 2500.0);
  set(Tracer::kPOA, 1.5, 2500.0);
  set(Tracer::kBC, 0.5, 2500.0);
  set(Tracer::kOPM, 4.0, 2500.0);
  set(Tracer::kPMC, 8.0, 2000.0);
  return b;
}

struct Settings {
  TimePoint start{}, end{};  // output period [start, end)
  int spinup_hours = 120;    // run from start - spinup
  double dt_s = 3600.0;      // synchronisation step
  int coarsen = 1;           // grid coarsening factor
  int utc_offset_hours = 8;  // local time of days and dates
  std::filesystem::path stations;
  Background background = default_background();
};

Settings read_settings(const Config& cfg, const RunRequest& req) {
  Settings s;
  std::optional<std::string> start_text = req.start, end_text = req.end;
  std::string start_key = "--start", end_key = "--end";
  if (cfg.has("run")) {
    const ConfigSection r = cfg.section("run");
    s.utc_offset_hours = r.optional<int>("utc_offset_hours", 8);
    if (!start_text && r.has("start")) {
      start_text = r.required<std::string>("start");
      start_key = r.name("start");
    }
    if (!end_text && r.has("end")) {
      end_text = r.required<std::string>("end");
      end_key = r.name("end");
    }
    if (r.has("start") && req.start) r.required<std::string>("start");  // overridden
    if (r.has("end") && req.end) r.required<std::string>("end");
    s.spinup_hours = r.optional<int>("spinup_hours", s.spinup_hours);
    s.dt_s = r.optional<double>("sync_step_s", s.dt_s);
    s.coarsen = r.optional<int>("coarsen", s.coarsen);
    if (r.has("stations")) s.stations = r.path("stations");
    if (s.spinup_hours < 0 || s.spinup_hours > 24 * 60) {
      throw InputError(cfg.path(), r.name("spinup_hours"),
                       "is " + std::to_string(s.spinup_hours) + "; expected 0 to 1440 hours");
    }
    if (!(s.dt_s >= 60.0 && s.dt_s <= 3600.0) || std::fmod(3600.0, s.dt_s) != 0.0) {
      throw InputError(
          cfg.path(), r.name("sync_step_s"),
          "is " + std::to_string(s.dt_s) + "; expected a whole divisor of 3600 s, at least 60 s");
    }
    if (r.has("background")) {
      const ConfigSection bg = r.subsection("background");
      for (int t = 0; t < kNumTracers; ++t) {
        const std::string name(chem::kTracerInfo[static_cast<std::size_t>(t)].name);
        if (!bg.has(name)) continue;
        const auto v = bg.required<std::vector<double>>(name);
        if (v.size() != 2 || !(v[0] >= 0.0) || !(v[1] >= 0.0)) {
          throw InputError(cfg.path(), bg.name(name),
                           "expected [surface concentration µg m-3 >= 0, scale height m >= 0 "
                           "(0: constant)]");
        }
        s.background.surface_ug_m3[static_cast<std::size_t>(t)] = v[0];
        s.background.scale_height_m[static_cast<std::size_t>(t)] = v[1];
      }
    }
  }
  if (!start_text || !end_text) {
    throw UsageError("the run period is not set: give run.start and run.end in " + cfg.path() +
                     " or --start and --end");
  }
  s.start = parse_case_time(*start_text, s.utc_offset_hours, cfg.path(), start_key);
  s.end = parse_case_time(*end_text, s.utc_offset_hours, cfg.path(), end_key);
  if (s.end <= s.start) {
    throw UsageError("the run ends (" + format_iso(s.end) + ") before it starts (" +
                     format_iso(s.start) + ")");
  }
  if ((s.start.time_since_epoch().count() % 3600) != 0 ||
      (s.end.time_since_epoch().count() % 3600) != 0) {
    throw UsageError("run start and end must be whole hours (UTC)");
  }
  return s;
}

// ---- helpers --------------------------------------------------------------------------

/// Dry-air density at the reference state of China's gas measurements, 298.15 K and
/// 101325 Pa: p M_air / (R T) [kg m-3].
constexpr double kRhoReference = 101325.0 * 0.0289647 / (8.314462618 * 298.15);

std::string crc32_of_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return "unreadable";
  uLong crc = crc32(0L, Z_NULL, 0);
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = in.gcount();
    if (n > 0) crc = crc32(crc, reinterpret_cast<const Bytef*>(buf.data()), static_cast<uInt>(n));
  }
  char out[16];
  std::snprintf(out, sizeof out, "%08lx", static_cast<unsigned long>(crc));
  return out;
}

std::string hex64(std::uint64_t h) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

double sig(double v, int digits = 9) {
  if (v == 0.0 || !std::isfinite(v)) return v;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return std::strtod(buf, nullptr);
}

/// Which tracer an emission species goes to, and the factor on its mass.
/// NOx (as NO2 mass) is emitted as 90 % NO and 10 % NO2 by mole (MEIC's meic2ctm split).
struct EmissionRoute {
  int tracer = -1;
  double factor = 1.0;
};

std::vector<std::pair<int, EmissionRoute>> emission_routes() {
  using S = em::Species;
  std::vector<std::pair<int, EmissionRoute>> r;
  auto add = [&](S s, Tracer t, double f) { r.push_back({em::index_of(s), {idx(t), f}}); };
  add(S::kSO2, Tracer::kSO2, 1.0);
  add(S::kNOx, Tracer::kNO, 0.9 * chem::kMolarNO / chem::kMolarNO2);
  add(S::kNOx, Tracer::kNO2, 0.1);
  add(S::kNH3, Tracer::kTNH3, 1.0);
  add(S::kCO, Tracer::kCO, 1.0);
  add(S::kVocAlk, Tracer::kVocAlk, 1.0);
  add(S::kVocOle, Tracer::kVocOle, 1.0);
  add(S::kVocAro1, Tracer::kVocAro1, 1.0);
  add(S::kVocAro2, Tracer::kVocAro2, 1.0);
  add(S::kBC, Tracer::kBC, 1.0);
  add(S::kOC, Tracer::kPOA, 1.0);
  add(S::kSO4, Tracer::kSO4, 1.0);
  add(S::kPM25Other, Tracer::kOPM, 1.0);
  add(S::kPMCoarse, Tracer::kPMC, 1.0);
  // NMVOC_OXY and NMVOC_OTHER form no PM2.5 in the mechanism and the oxidants are
  // prescribed, so they are not transported.
  return r;
}

/// Progress on stderr (rank 0): a rewritten line on a terminal, a log line per
/// simulated day otherwise.
class Progress {
 public:
  Progress(bool enabled, TimePoint begin, TimePoint end)
      : on_(enabled),
        tty_(::isatty(2) != 0),
        begin_(begin),
        end_(end),
        wall0_(std::chrono::steady_clock::now()) {}
  void update(TimePoint t) {
    if (!on_) return;
    const double done = seconds_between(begin_, t), total = seconds_between(begin_, end_);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0_).count();
    const double rate = wall > 0 ? done / 86400.0 / (wall / 60.0) : 0.0;  // sim days per min
    const double left = done > 0 ? wall * (total - done) / done : 0.0;
    char line[200];
    std::snprintf(line, sizeof line,
                  "fwaq run: %s  %5.1f%%  %.1f simulated days/min  %.0f s elapsed, %.0f s left",
                  format_iso(t).c_str(), 100.0 * done / total, rate, wall, left);
    if (tty_) {
      std::fprintf(stderr, "\r%s", line);
      std::fflush(stderr);
    } else if (t == end_ || (t.time_since_epoch().count() % 86400) == 0) {
      std::fprintf(stderr, "%s\n", line);
    }
  }
  void done() {
    if (on_ && tty_) std::fprintf(stderr, "\n");
  }

 private:
  bool on_, tty_;
  TimePoint begin_, end_;
  std::chrono::steady_clock::time_point wall0_;
};

}  // namespace

// ---- the run ----------------------------------------------------------------------------

nlohmann::json run_case(const RunRequest& req, MPI_Comm comm) {
  const auto wall0 = std::chrono::steady_clock::now();
  int world_rank = 0;
  MPI_Comm_rank(comm, &world_rank);
  const bool root = world_rank == 0;

  const Config cfg = Config::load(req.case_file, req.overrides);
  const Settings set = read_settings(cfg, req);
  const Domain fine = Domain::load(cfg);
  const Domain dom = fine.coarsened(set.coarsen);
  const HorizontalGrid& grid = dom.grid();
  const int nxg = grid.nx(), nyg = grid.ny(), nz = dom.vertical().nz();
  const Decomposition decomp(comm, nxg, nyg, nz, false, false, kernels::kAdvectionHalo);
  const int nx = decomp.nx(), ny = decomp.ny(), i0 = decomp.i0(), j0 = decomp.j0();

  // Emissions.
  const em::InventoryDefinition def = em::load_inventory_definition(cfg.section("emissions"));
  std::vector<std::string> city_names;
  for (const auto& c : def.cities) city_names.push_back(c.name);
  std::vector<std::string> notes;
  auto inventory = std::make_shared<const em::EmissionInventory>(
      em::build_inventory(def, em::geometry_from_domain(dom, city_names), &notes));
  auto profiles = std::make_shared<const em::ProfileLibrary>(em::ProfileLibrary::load(
      def.hour_csv, def.weekday_csv, def.vertical_csv, def.period.utc_offset_hours));
  em::EmissionSource source(inventory, profiles);
  std::vector<ScalingRuleText> rule_text;
  std::vector<std::string> scaling_files;
  source.set_scaling(read_scaling(cfg, ScalingVocabulary::of(*inventory), set.utc_offset_hours,
                                  &rule_text, &scaling_files));
  std::vector<double> z_w = dom.spec().z_w_m;
  const VerticalGrid local_vgrid = VerticalGrid::uniform(nx, ny, z_w);
  std::vector<Field> emis = em::EmissionSource::make_fields(nx, ny, nz);
  const auto routes = emission_routes();

  // Meteorology, chemistry, deposition.
  auto met_provider = make_met_provider(cfg, dom);
  const ConfigSection* no_section = nullptr;
  std::optional<ConfigSection> chem_sec, dep_sec;
  if (cfg.has("chemistry")) chem_sec = cfg.section("chemistry");
  if (cfg.has("deposition")) dep_sec = cfg.section("deposition");
  chem::ChemistryOperator chemistry(
      nx, ny, nz, chem::ChemistryOptions::from_config(chem_sec ? &*chem_sec : no_section));
  const chem::DepositionOptions dep_opt =
      chem::DepositionOptions::from_config(dep_sec ? &*dep_sec : no_section);
  const chem::DryDeposition dry(nx, ny, dep_opt);
  const chem::WetScavenging wet(nx, ny, nz, dep_opt);

  // Stations (optional): city values at the cells of their stations.
  std::vector<CitySampler> samplers;
  std::string city_rule = "mean over the city's urban-core cells (domain file)";
  std::optional<obs::StationList> stations;
  if (!set.stations.empty()) {
    stations = obs::StationList::read(set.stations.string());
    city_rule = "mean over the cells of the city's stations in " + set.stations.string();
  }
  for (int a = 0; a < dom.n_areas(); ++a) {
    const AreaInfo& info = dom.area(a);
    CitySampler s;
    s.name = info.name;
    // The region: the 11 cities and Yangling (a demonstration zone with its own target,
    // administratively inside Xianyang); Xixian New Area and Hancheng would count twice.
    s.in_region = info.is_city() || info.name == "Yangling";
    if (stations && !stations->in_city(info.name).empty()) {
      for (const obs::Station* st : stations->in_city(info.name)) {
        if (!st->has_location()) continue;
        const auto [fi, fj] = grid.index_of(st->lon, st->lat);
        const int i = static_cast<int>(std::lround(fi)), j = static_cast<int>(std::lround(fj));
        if (i < 0 || j < 0 || i >= nxg || j >= nyg) continue;
        s.cells.push_back(static_cast<std::size_t>(j) * static_cast<std::size_t>(nxg) +
                          static_cast<std::size_t>(i));
      }
    }
    if (s.cells.empty()) {
      for (const auto& [i, j] : dom.core_cells(a)) {
        s.cells.push_back(static_cast<std::size_t>(j) * static_cast<std::size_t>(nxg) +
                          static_cast<std::size_t>(i));
      }
    }
    samplers.push_back(std::move(s));
  }

  // Local static fields.
  Field lat("lat", "degrees_north", nx, ny, 1, 0), lon("lon", "degrees_east", nx, ny, 1, 0);
  Field area("cell_area", "m2", nx, ny, 1, 0), land_use("land_use", "1", nx, ny, 1, 0);
  {
    std::vector<double> urban(static_cast<std::size_t>(nxg) * static_cast<std::size_t>(nyg), 0.0);
    for (int a = 0; a < dom.n_areas(); ++a) {
      for (const auto& [i, j] : dom.core_cells(a)) {
        urban[static_cast<std::size_t>(j) * static_cast<std::size_t>(nxg) +
              static_cast<std::size_t>(i)] = 1.0;
      }
    }
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        lat(i, j, 0) = grid.lat(i0 + i, j0 + j);
        lon(i, j, 0) = grid.lon(i0 + i, j0 + j);
        area(i, j, 0) = grid.cell_area(i0 + i, j0 + j);
        land_use(i, j, 0) = static_cast<double>(chem::classify_land_use(
            dom.terrain()(i0 + i, j0 + j, 0),
            urban[static_cast<std::size_t>(j0 + j) * static_cast<std::size_t>(nxg) +
                  static_cast<std::size_t>(i0 + i)]));
      }
    }
  }

  // Time axis.
  const TimePoint t_begin = set.start - std::chrono::hours(set.spinup_hours);
  const auto step = std::chrono::seconds(static_cast<long long>(set.dt_s));
  const long long nsteps = seconds_between(t_begin, set.end) / static_cast<long long>(set.dt_s);
  const int hours = static_cast<int>(seconds_between(set.start, set.end) / 3600);

  // Initial state.
  MetRecord met_global, met;
  met_provider->record(t_begin, met_global);
  window_record(met_global, i0, j0, nx, ny, met);
  State state;
  state.air_mass = Field("air_mass", "kg", nx, ny, nz, kernels::kAdvectionHalo);
  for (int t = 0; t < kNumTracers; ++t) {
    state.tracers.emplace_back(std::string(chem::kTracerInfo[static_cast<std::size_t>(t)].name),
                               "ug kg-1", nx, ny, nz, kernels::kAdvectionHalo);
  }
  for (int k = 0; k < nz; ++k) {
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        const double dz = met.z_interface(i, j, k + 1) - met.z_interface(i, j, k);
        const double zc = 0.5 * (met.z_interface(i, j, k + 1) + met.z_interface(i, j, k));
        state.air_mass(i, j, k) = met.density(i, j, k) * area(i, j, 0) * dz;
        for (int t = 0; t < kNumTracers; ++t) state.tracers[t](i, j, k) = set.background.q(t, zc);
      }
    }
  }
  chem::LocalChemState local = chemistry.initial_local_state(met, lat, lon, t_begin);
  chem::AerosolDiagnostics diag = chem::ChemistryOperator::make_diagnostics(nx, ny, nz);
  chemistry.diagnose(state, local, met, diag, 0, nz);

  // Boundary inflow: the background at the face's layer (mid-height of the standard grid).
  BoundaryConditions bc;
  {
    // Layer mid-heights, and the model top for what enters through it (k = nz).
    std::vector<double> zc(static_cast<std::size_t>(nz) + 1);
    for (int k = 0; k < nz; ++k) zc[static_cast<std::size_t>(k)] = 0.5 * (z_w[k] + z_w[k + 1]);
    zc[static_cast<std::size_t>(nz)] = z_w[static_cast<std::size_t>(nz)];
    const Background bg = set.background;
    bc.inflow = [bg, zc, nz](int tracer, Side, int k, int) {
      return bg.q(tracer, zc[static_cast<std::size_t>(std::clamp(k, 0, nz))]);
    };
  }
  Advection advection(decomp, kNumTracers, {}, bc);
  VerticalDiffusion vdiff(decomp);

  // Work fields.
  MassFluxes fluxes(nx, ny, nz);
  Field gfx("fx", "kg s-1", nxg + 1, nyg, nz, 0), gfy("fy", "kg s-1", nxg, nyg + 1, nz, 0),
      gfz("fz", "kg s-1", nxg, nyg, nz + 1, 0);
  Field conductance("conductance_z", "kg s-1", nx, ny, nz + 1, 0);
  std::vector<Field> dep_g;
  chem::PhaseSplit split;
  split.gas_fraction[static_cast<std::size_t>(idx(Tracer::kTNO3))] = &diag.gas_frac_tno3;
  split.gas_fraction[static_cast<std::size_t>(idx(Tracer::kTNH3))] = &diag.gas_frac_tnh3;
  split.gas_fraction[static_cast<std::size_t>(idx(Tracer::kSV1))] = &diag.gas_frac_sv1;
  split.gas_fraction[static_cast<std::size_t>(idx(Tracer::kSV2))] = &diag.gas_frac_sv2;

  // Budgets [µg], this rank; reduced at the end.
  auto burden = [&](std::vector<double>& out) {
    out.assign(kNumTracers, 0.0);
    for (int t = 0; t < kNumTracers; ++t) {
      double s = 0.0;
      for (int k = 0; k < nz; ++k)
        for (int j = 0; j < ny; ++j)
          for (int i = 0; i < nx; ++i) s += state.tracers[t](i, j, k) * state.air_mass(i, j, k);
      out[static_cast<std::size_t>(t)] = s;
    }
  };
  std::vector<double> initial, emitted(kNumTracers, 0.0), dry_dep(kNumTracers, 0.0),
      wet_dep(kNumTracers, 0.0), chem_change(kNumTracers, 0.0), before, after;
  burden(initial);
  chem::ChemStepStats chem_total;

  // Outputs (rank 0).
  std::error_code ec;
  if (root) {
    std::filesystem::create_directories(req.out_dir, ec);
    if (ec || !std::filesystem::is_directory(req.out_dir)) {
      throw InputError(req.out_dir.string(), "", "cannot create the output folder");
    }
  }
  std::map<std::string, std::string> attrs;
  attrs["title"] = "fwaq run of " + cfg.path();
  attrs["source"] = std::string("fwaq ") + kVersion + " (git " + kGitRevision + ")";
  attrs["fwaq_version"] = kVersion;
  attrs["fwaq_git_revision"] = kGitRevision;
  attrs["history"] = "fwaq run " + req.case_file + " --out " + req.out_dir.string();
  attrs["references"] = "docs/science/model.md";
  attrs["case_file"] = cfg.path();
  const ScenarioInfo scenario = scenario_info(cfg);
  attrs["scenario_name"] = scenario.name;
  attrs["scenario_description"] = scenario.description;
  attrs["configuration"] = cfg.resolved_yaml();
  attrs["meteorology"] = met_provider->description();
  attrs["grid"] = std::to_string(nxg) + " x " + std::to_string(nyg) + " x " + std::to_string(nz) +
                  " cells of " + std::to_string(grid.dx() / 1000.0) + " km (coarsening " +
                  std::to_string(set.coarsen) + " of the domain file)";
  attrs["city_values"] = city_rule;
  {
    std::vector<std::filesystem::path> inputs = {cfg.path(),   dom.file(),      def.path,
                                                 def.hour_csv, def.weekday_csv, def.vertical_csv};
    for (const auto& f : scaling_files) inputs.emplace_back(f);
    for (const auto& f : met_provider->files()) inputs.emplace_back(f);
    if (!set.stations.empty()) inputs.push_back(set.stations);
    std::string sums;
    for (const auto& f : inputs) sums += f.string() + " crc32=" + crc32_of_file(f) + "; ";
    attrs["input_checksums"] = sums;
  }
  std::unique_ptr<OutputWriter> writer;
  if (root) {
    writer = std::make_unique<OutputWriter>(req.out_dir, grid, set.start, hours,
                                            set.utc_offset_hours, samplers, attrs);
  }

  std::vector<Field> surface;
  for (const auto& v : surface_variables()) surface.emplace_back(v.name, "ug m-3", nx, ny, 1, 0);
  auto sample_surface = [&](int hour) {
    chemistry.diagnose(state, local, met, diag, 0, 1);
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        // Particles at the ambient state, gases at the reference state 298.15 K and
        // 1013.25 hPa, as China's monitoring network reports them since September 2018
        // (MEE announcement 2018 No. 29; HJ 663-2013 amendment).
        const double rho = met.density(i, j, 0);
        auto c = [&](Tracer t) { return state.tracers[idx(t)](i, j, 0) * rho; };
        auto g = [&](Tracer t) { return state.tracers[idx(t)](i, j, 0) * kRhoReference; };
        const double gas_scale = kRhoReference / rho;  // diagnosed gases are ambient
        const double so4 = c(Tracer::kSO4), no3 = diag.no3_p(i, j, 0), nh4 = diag.nh4_p(i, j, 0);
        const double poa = c(Tracer::kPOA), soa = diag.soa(i, j, 0), bc = c(Tracer::kBC);
        const double opm = c(Tracer::kOPM);
        const double pm25 = so4 + no3 + nh4 + poa + soa + bc + opm;
        double v[kNumSurfaceVars];
        v[kPm25] = pm25;
        v[kPm10] = pm25 + c(Tracer::kPMC);
        v[kSo4] = so4;
        v[kNo3] = no3;
        v[kNh4] = nh4;
        v[kPoa] = poa;
        v[kSoa] = soa;
        v[kBc] = bc;
        v[kOpm] = opm;
        v[kSo2] = g(Tracer::kSO2);
        v[kNo2] = g(Tracer::kNO2);
        v[kNo] = g(Tracer::kNO);
        v[kCo] = g(Tracer::kCO);
        v[kNh3] = diag.nh3_g(i, j, 0) * gas_scale;
        v[kHno3] = diag.hno3_g(i, j, 0) * gas_scale;
        v[kO3] = diag.o3(i, j, 0) * gas_scale;
        v[kWater] = diag.water(i, j, 0);
        for (int x = 0; x < kNumSurfaceVars; ++x)
          surface[static_cast<std::size_t>(x)](i, j, 0) = v[x];
      }
    }
    std::vector<std::vector<double>> global;
    for (auto& f : surface) global.push_back(gather_global(f, decomp));
    if (root) writer->add_hour(hour, global);
  };

  // Wall time per operator [s] (this rank), for summary.json and docs/performance.md.
  enum { kTMet, kTAdvection, kTEmisDiff, kTChemistry, kTWet, kTOutput, kTCount };
  double timing[kTCount] = {};
  long long substeps[3] = {0, 0, 0};             // advection sub-steps per axis, summed over steps
  long long cycles_total = 0, cycled_steps = 0;  // whole-step advection cycles
  int cycles_max = 1;
  auto clock = [] { return std::chrono::steady_clock::now(); };
  auto since = [&](std::chrono::steady_clock::time_point a) {
    return std::chrono::duration<double>(clock() - a).count();
  };
  Progress progress(req.progress && root, t_begin, set.end);
  TimePoint t = t_begin;
  for (long long n = 0; n < nsteps; ++n, t += step) {
    auto c0 = clock();
    if (t >= set.start && (t.time_since_epoch().count() % 3600) == 0) {
      sample_surface(static_cast<int>(seconds_between(set.start, t) / 3600));
    }
    timing[kTOutput] += since(c0);
    c0 = clock();
    const TimePoint t_mid = t + step / 2;
    met_provider->record(t_mid, met_global);
    window_record(met_global, i0, j0, nx, ny, met);

    // 1. Advection with the midpoint winds.
    face_mass_fluxes(grid, met_global.density, met_global.z_interface, met_global.u, met_global.v,
                     gfx, gfy, gfz);
    for (int k = 0; k < nz; ++k) {
      for (int j = 0; j < ny; ++j) {
        for (int i = 0; i <= nx; ++i) fluxes.x(i, j, k) = gfx(i0 + i, j0 + j, k) * set.dt_s;
      }
      for (int j = 0; j <= ny; ++j) {
        for (int i = 0; i < nx; ++i) fluxes.y(i, j, k) = gfy(i0 + i, j0 + j, k) * set.dt_s;
      }
    }
    for (int k = 0; k <= nz; ++k) {
      for (int j = 0; j < ny; ++j) {
        for (int i = 0; i < nx; ++i) {
          fluxes.z(i, j, k) = (k == 0 || k == nz) ? 0.0 : gfz(i0 + i, j0 + j, k) * set.dt_s;
        }
      }
    }
    timing[kTMet] += since(c0);
    c0 = clock();
    AdvectionStats as;
    try {
      as = advection.apply(state, fluxes, n);
    } catch (const AirMassError& e) {
      char where[160];
      std::snprintf(where, sizeof where, "%.3f E, %.3f N", grid.lon(e.i, e.j), grid.lat(e.i, e.j));
      throw NumericalError("the meteorology is not mass-consistent at " + format_iso(t_mid) +
                           ", cell (" + std::to_string(e.i) + ", " + std::to_string(e.j) +
                           ", layer " + std::to_string(e.k) + ") at " + where + ": air mass " +
                           std::to_string(e.mass_kg) + " kg, " + std::to_string(e.mass_after_kg) +
                           " kg after the step's winds (met: " + met_provider->description() + ")");
    }
    cycles_total += as.cycles;
    cycles_max = std::max(cycles_max, as.cycles);
    if (as.cycles > 1) ++cycled_steps;
    substeps[0] += as.substeps_x;
    substeps[1] += as.substeps_y;
    substeps[2] += as.substeps_z;
    timing[kTAdvection] += since(c0);
    c0 = clock();

    // 2. Emissions, then vertical diffusion with dry deposition.
    source.fill(t_mid, local_vgrid, i0, j0, emis);
    for (const auto& [s, route] : routes) {
      const Field& e = emis[static_cast<std::size_t>(s)];
      Field& q = state.tracers[route.tracer];
      double added = 0.0;
      for (int k = 0; k < nz; ++k) {
        for (int j = 0; j < ny; ++j) {
          for (int i = 0; i < nx; ++i) {
            const double ug = e(i, j, k) * route.factor * 1e9 * set.dt_s;  // [kg s-1] -> [µg]
            q(i, j, k) += ug / state.air_mass(i, j, k);
            added += ug;
          }
        }
      }
      emitted[static_cast<std::size_t>(route.tracer)] += added;
    }
    for (int k = 1; k < nz; ++k) {
      for (int j = 0; j < ny; ++j) {
        for (int i = 0; i < nx; ++i) {
          const double rho_f = 0.5 * (met.density(i, j, k - 1) + met.density(i, j, k));
          const double dzc = 0.5 * (met.z_interface(i, j, k + 1) - met.z_interface(i, j, k - 1));
          conductance(i, j, k) = rho_f * met.kz(i, j, k) * area(i, j, 0) / dzc;
        }
      }
    }
    dry.conductances(met, land_use, area, split, t_mid, dep_g);
    SurfaceExchange surf;
    for (const auto& f : dep_g) surf.deposition.push_back(&f);
    burden(before);
    vdiff.apply(state, conductance, surf, set.dt_s);
    burden(after);
    for (int x = 0; x < kNumTracers; ++x) {
      dry_dep[static_cast<std::size_t>(x)] +=
          before[static_cast<std::size_t>(x)] - after[static_cast<std::size_t>(x)];
    }

    timing[kTEmisDiff] += since(c0);
    c0 = clock();
    // 3. Chemistry.
    const chem::ChemStepStats cs =
        chemistry.apply(state, local, met, lat, lon, t, set.dt_s, i0, j0);
    chem_total.cell_solves += cs.cell_solves;
    chem_total.steps += cs.steps;
    chem_total.rejected += cs.rejected;
    chem_total.max_steps_in_a_cell =
        std::max(chem_total.max_steps_in_a_cell, cs.max_steps_in_a_cell);
    chem_total.sulfate_gas_ug += cs.sulfate_gas_ug;
    chem_total.sulfate_aqueous_ug += cs.sulfate_aqueous_ug;
    chem_total.sulfate_het_ug += cs.sulfate_het_ug;
    chem_total.hno3_day_ug += cs.hno3_day_ug;
    chem_total.hno3_night_ug += cs.hno3_night_ug;
    chem_total.soa_formed_ug += cs.soa_formed_ug;
    burden(before);
    for (int x = 0; x < kNumTracers; ++x) {
      chem_change[static_cast<std::size_t>(x)] +=
          before[static_cast<std::size_t>(x)] - after[static_cast<std::size_t>(x)];
    }

    timing[kTChemistry] += since(c0);
    c0 = clock();
    // 4. Wet scavenging (the phase split of every layer is needed when it rains).
    bool raining = false;
    for (int j = 0; j < ny && !raining; ++j)
      for (int i = 0; i < nx; ++i) raining = raining || met.precip(i, j, 0) > 0.0;
    int any_rain = raining ? 1 : 0;
    MPI_Allreduce(MPI_IN_PLACE, &any_rain, 1, MPI_INT, MPI_MAX, decomp.comm());
    if (any_rain) {
      chemistry.diagnose(state, local, met, diag, 0, nz);
      wet.apply(state, met, split, set.dt_s, wet_dep);
    } else {
      chemistry.diagnose(state, local, met, diag, 0, 1);
    }
    timing[kTWet] += since(c0);
    progress.update(t + step);
  }
  progress.done();

  // Budgets over all ranks [kg].
  std::vector<double> final_burden;
  burden(final_burden);
  auto reduce = [&](std::vector<double>& v) {
    MPI_Allreduce(MPI_IN_PLACE, v.data(), static_cast<int>(v.size()), MPI_DOUBLE, MPI_SUM,
                  decomp.comm());
  };
  for (auto* v : {&initial, &emitted, &dry_dep, &wet_dep, &chem_change, &final_burden}) reduce(*v);
  nlohmann::json budget = nlohmann::json::object();
  for (int x = 0; x < kNumTracers; ++x) {
    const auto u = static_cast<std::size_t>(x);
    const double inflow = advection.boundary_inflow(x);
    const double residual = final_burden[u] - (initial[u] + emitted[u] + inflow - dry_dep[u] -
                                               wet_dep[u] + chem_change[u]);
    const double scale = std::max({initial[u], final_burden[u], emitted[u], std::abs(inflow)});
    budget[std::string(chem::kTracerInfo[u].name)] = {
        {"initial_kg", sig(initial[u] * 1e-9)},
        {"emitted_kg", sig(emitted[u] * 1e-9)},
        {"boundary_net_inflow_kg", sig(inflow * 1e-9)},
        {"dry_deposited_kg", sig(dry_dep[u] * 1e-9)},
        {"wet_deposited_kg", sig(wet_dep[u] * 1e-9)},
        {"chemistry_net_kg", sig(chem_change[u] * 1e-9)},
        {"final_kg", sig(final_burden[u] * 1e-9)},
        {"relative_residual", sig(scale > 0 ? residual / scale : 0.0, 3)}};
  }
  double pathways[6] = {chem_total.sulfate_gas_ug, chem_total.sulfate_aqueous_ug,
                        chem_total.sulfate_het_ug, chem_total.hno3_day_ug,
                        chem_total.hno3_night_ug,  chem_total.soa_formed_ug};
  MPI_Allreduce(MPI_IN_PLACE, pathways, 6, MPI_DOUBLE, MPI_SUM, decomp.comm());
  long long counts[3] = {chem_total.cell_solves, chem_total.steps, chem_total.rejected};
  MPI_Allreduce(MPI_IN_PLACE, counts, 3, MPI_LONG_LONG, MPI_SUM, decomp.comm());

  std::vector<const Field*> hashed{&state.air_mass};
  for (const auto& f : state.tracers) hashed.push_back(&f);
  for (const Field* f : {&local.o3, &local.no3, &local.n2o5, &local.h2o2}) hashed.push_back(f);
  const std::uint64_t hash = state_hash(hashed, decomp);

  nlohmann::json summary;
  summary["state_hash"] = hex64(hash);
  summary["case"] = cfg.path();
  summary["scenario"] = {{"name", scenario.name}, {"description", scenario.description}};
  summary["period"] = {{"start", format_iso(set.start)},
                       {"end", format_iso(set.end)},
                       {"spinup_hours", set.spinup_hours},
                       {"utc_offset_hours", set.utc_offset_hours}};
  summary["aqi_pollutants"] = {"PM2.5", "PM10", "SO2", "NO2", "CO"};
  summary["city_values"] = city_rule;
  summary["grid"] = {
      {"nx", nxg}, {"ny", nyg}, {"nz", nz}, {"dx_m", grid.dx()}, {"coarsen", set.coarsen}};
  summary["ranks"] = decomp.size();
  summary["sync_step_s"] = set.dt_s;
  summary["mass_budget"] = budget;
  summary["chemistry"] = {{"sulfate_gas_phase_kg", sig(pathways[0] * 1e-9)},
                          {"sulfate_aqueous_kg", sig(pathways[1] * 1e-9)},
                          {"sulfate_heterogeneous_kg", sig(pathways[2] * 1e-9)},
                          {"hno3_daytime_kg", sig(pathways[3] * 1e-9)},
                          {"hno3_night_kg", sig(pathways[4] * 1e-9)},
                          {"soa_formed_kg", sig(pathways[5] * 1e-9)},
                          {"cell_solves", counts[0]},
                          {"solver_steps", counts[1]},
                          {"rejected_steps", counts[2]}};
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : rule_text) rules.push_back(r.where + ": " + r.description);
  summary["emission_scaling"] = rules;
  summary["notes"] = notes;
  summary["timing_seconds"] = {{"meteorology", sig(timing[kTMet], 4)},
                               {"advection", sig(timing[kTAdvection], 4)},
                               {"emissions_diffusion_drydep", sig(timing[kTEmisDiff], 4)},
                               {"chemistry", sig(timing[kTChemistry], 4)},
                               {"wet_scavenging_and_diagnosis", sig(timing[kTWet], 4)},
                               {"output_sampling", sig(timing[kTOutput], 4)},
                               {"note", "rank 0, wall time"}};
  summary["advection_substeps_per_step"] = {
      {"x", sig(static_cast<double>(substeps[0]) / static_cast<double>(std::max(1LL, nsteps)), 4)},
      {"y", sig(static_cast<double>(substeps[1]) / static_cast<double>(std::max(1LL, nsteps)), 4)},
      {"z", sig(static_cast<double>(substeps[2]) / static_cast<double>(std::max(1LL, nsteps)), 4)}};
  summary["advection_cycles"] = {
      {"max", cycles_max},
      {"mean",
       sig(static_cast<double>(cycles_total) / static_cast<double>(std::max(1LL, nsteps)), 4)},
      {"steps_cycled", cycled_steps},
      {"note", "whole-step cycles of the three sweeps (1: none needed)"}};
  summary["wall_seconds"] =
      std::round(std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count() *
                 10.0) /
      10.0;
  if (root) writer->finish(summary);
  // Every rank returns the same summary (cities come from rank 0).
  std::string text = root ? summary.dump() : std::string();
  int len = static_cast<int>(text.size());
  MPI_Bcast(&len, 1, MPI_INT, 0, decomp.comm());
  text.resize(static_cast<std::size_t>(len));
  MPI_Bcast(text.data(), len, MPI_CHAR, 0, decomp.comm());
  return nlohmann::json::parse(text);
}

std::string format_city_table(const nlohmann::json& s) {
  std::ostringstream o;
  char line[200];
  std::snprintf(line, sizeof line, "%-18s %12s %11s %10s %10s %10s\n", "city", "PM2.5 ug/m3",
                "heavy days", "PM10", "SO2", "NO2");
  o << line;
  for (const auto& [name, c] : s.at("cities").items()) {
    std::snprintf(line, sizeof line, "%-18s %12.1f %11d %10.1f %10.1f %10.1f\n", name.c_str(),
                  c.at("pm25_mean").get<double>(), c.at("heavy_days").get<int>(),
                  c.at("pm10_mean").get<double>(), c.at("so2_mean").get<double>(),
                  c.at("no2_mean").get<double>());
    o << line;
  }
  const auto& r = s.at("region");
  std::snprintf(line, sizeof line, "%-18s %12.1f %11d   (heavy city-days)\n", "region",
                r.at("pm25_mean").get<double>(), r.at("heavy_city_days").get<int>());
  o << line;
  return o.str();
}

}  // namespace fwaq::model

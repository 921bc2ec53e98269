// The run as a simulation object (see simulation.hpp and docs/science/model.md).
//
// One synchronisation step of length dt (default 1 h), from t to t + dt, with the
// meteorology of its midpoint, applies the operator list in order:
//   1. advection (x y z / z y x alternating; sub-stepped for the Courant limit and cycled
//      as a whole where one sweep would empty a cell),
//   2. emissions (mass added in every layer by the inventory's vertical profiles),
//   3. vertical diffusion with dry deposition as its lower boundary flux (implicit),
//   4. chemistry (gas phase, aqueous and heterogeneous sulfate, N2O5 uptake, SOA; the
//      inorganic gas-particle split by thermodynamics),
//   5. wet scavenging (and the aerosol diagnosis the next step's deposition uses).
// Sequential (first-order) operator splitting, as CMAQ's science processes; hooks around
// every operator time it, close its mass budget and check positivity. The hourly output
// samples the state at whole hours.
#include "model/simulation.hpp"

#include "model/simulation_impl.hpp"

#include <signal.h>
#include <unistd.h>
#include <zlib.h>

#include <csignal>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "core/config.hpp"
#include "core/error.hpp"
#include "emissions/build.hpp"
#include "emissions/domain_geometry.hpp"
#include "emissions/inventory_definition.hpp"
#include "fwaq/version.hpp"
#include "grid/domain.hpp"
#include "model/met_provider.hpp"
#include "model/outputs.hpp"
#include "model/run_domain.hpp"
#include "model/scenario.hpp"
#include "model/settings.hpp"
#include "obs/stations.hpp"
#include "parallel/decomposition.hpp"
#include "parallel/reduce.hpp"

namespace fwaq::model {

using chem::idx;
using chem::kNumTracers;
using chem::Tracer;
namespace em = emissions;

namespace {

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

/// The cities' samplers: the cells of their stations (if a station list is given), else
/// their urban-core cells.
std::vector<CitySampler> make_samplers(const Domain& dom,
                                       const std::optional<obs::StationList>& st) {
  const HorizontalGrid& grid = dom.grid();
  const int nxg = grid.nx(), nyg = grid.ny();
  auto cell = [nxg](int i, int j) {
    return static_cast<std::size_t>(j) * static_cast<std::size_t>(nxg) +
           static_cast<std::size_t>(i);
  };
  std::vector<CitySampler> samplers;
  for (int a = 0; a < dom.n_areas(); ++a) {
    const AreaInfo& info = dom.area(a);
    CitySampler s;
    s.name = info.name;
    // The region: the 11 cities and Yangling (a demonstration zone with its own target,
    // administratively inside Xianyang); Xixian New Area and Hancheng would count twice.
    s.in_region = info.is_city() || info.name == "Yangling";
    if (st && !st->in_city(info.name).empty()) {
      for (const obs::Station* station : st->in_city(info.name)) {
        if (!station->has_location()) continue;
        const auto [fi, fj] = grid.index_of(station->lon, station->lat);
        const int i = static_cast<int>(std::lround(fi)), j = static_cast<int>(std::lround(fj));
        if (i < 0 || j < 0 || i >= nxg || j >= nyg) continue;
        s.cells.push_back(cell(i, j));
      }
    }
    if (s.cells.empty()) {
      for (const auto& [i, j] : dom.core_cells(a)) s.cells.push_back(cell(i, j));
    }
    samplers.push_back(std::move(s));
  }
  return samplers;
}

}  // namespace

namespace {

/// The run's settings; a run continued from a checkpoint takes its start and spin-up
/// from there (the case's run.start may differ), and must end after it.
Settings settings_of(const Config& cfg, const RunRequest& r) {
  if (!r.restart) return read_settings(cfg, r.start, r.end);
  if (r.start) {
    throw UsageError(
        "--start cannot be combined with --restart: the start comes from the "
        "checkpoint");
  }
  const auto h = Simulation::Impl::read_checkpoint_header(*r.restart);
  Settings s = read_settings(cfg, format_iso(h.start), r.end);
  s.spinup_hours = h.spinup_hours;
  if (!(h.time < s.end)) {
    throw UsageError("the checkpoint " + h.file + " is at " + format_iso(h.time) +
                     " and the run ends at " + format_iso(s.end) +
                     ": nothing to continue (give a later --end)");
  }
  return s;
}

/// Set by SIGTERM / SIGINT; read once per step by every rank.
volatile std::sig_atomic_t g_stop_signal = 0;
extern "C" void on_stop_signal(int sig) {
  g_stop_signal = sig;
}

}  // namespace

Simulation::Impl::Impl(const RunRequest& r, MPI_Comm comm)
    : req(r),
      cfg(Config::load(r.case_file, r.overrides)),
      set(settings_of(cfg, r)),
      dom(run_domain(cfg, set.coarsen)) {
  int world_rank = 0;
  MPI_Comm_rank(comm, &world_rank);
  root = world_rank == 0;
  const HorizontalGrid& grid = dom.grid();
  nz = dom.vertical().nz();
  decomp = std::make_unique<Decomposition>(comm, grid.nx(), grid.ny(), nz, false, false,
                                           kernels::kAdvectionHalo);
  nx = decomp->nx();
  ny = decomp->ny();
  i0 = decomp->i0();
  j0 = decomp->j0();
  dt = std::chrono::seconds(static_cast<long long>(set.dt_s));
  setup_emissions();
  met_provider = make_met_provider(cfg, dom, set.begin(), set.end, set.coarsen);
  std::optional<ConfigSection> chem_sec, dep_sec;
  if (cfg.has("chemistry")) chem_sec = cfg.section("chemistry");
  if (cfg.has("deposition")) dep_sec = cfg.section("deposition");
  chemistry = std::make_unique<chem::ChemistryOperator>(
      nx, ny, nz, chem::ChemistryOptions::from_config(chem_sec ? &*chem_sec : nullptr));
  dep_opt = chem::DepositionOptions::from_config(dep_sec ? &*dep_sec : nullptr);
  std::optional<obs::StationList> stations;
  if (!set.stations.empty()) {
    stations = obs::StationList::read(set.stations.string());
    city_rule = "mean over the cells of the city's stations in " + set.stations.string();
  }
  samplers = make_samplers(dom, stations);
  setup_static_fields();
  setup_initial_state();
  setup_operators();
  if (req.restart) {
    restart = read_checkpoint_header(*req.restart);
    restore_checkpoint(*restart);  // checks grid, species and case before any output
  }
  setup_outputs();
  if (restart) restore_outputs(*restart);
  progress = Progress(req.progress && root, state.time, set.end);
  g_stop_signal = 0;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, &old_sigterm);
  sigaction(SIGINT, &sa, &old_sigint);
}

Simulation::Impl::~Impl() {
  sigaction(SIGTERM, &old_sigterm, nullptr);
  sigaction(SIGINT, &old_sigint, nullptr);
}

bool Simulation::Impl::stop_requested() {
  int sig = g_stop_signal;
  MPI_Allreduce(MPI_IN_PLACE, &sig, 1, MPI_INT, MPI_MAX, decomp->comm());
  return sig != 0;
}

void Simulation::Impl::setup_emissions() {
  def = em::load_inventory_definition(cfg.section("emissions"));
  std::vector<std::string> city_names;
  for (const auto& c : def.cities) city_names.push_back(c.name);
  auto inventory = std::make_shared<const em::EmissionInventory>(
      em::build_inventory(def, em::geometry_from_domain(dom, city_names), &notes));
  auto profiles = std::make_shared<const em::ProfileLibrary>(em::ProfileLibrary::load(
      def.hour_csv, def.weekday_csv, def.vertical_csv, def.period.utc_offset_hours));
  auto src = std::make_shared<em::EmissionSource>(inventory, profiles);
  src->set_scaling(read_scaling(cfg, ScalingVocabulary::of(*inventory), set.utc_offset_hours,
                                &rule_text, &scaling_files));
  source = std::move(src);
}

void Simulation::Impl::setup_static_fields() {
  const HorizontalGrid& grid = dom.grid();
  const int nxg = grid.nx();
  lat = Field("lat", "degrees_north", nx, ny, 1, 0);
  lon = Field("lon", "degrees_east", nx, ny, 1, 0);
  area = Field("cell_area", "m2", nx, ny, 1, 0);
  land_use = Field("land_use", "1", nx, ny, 1, 0);
  std::vector<double> urban(static_cast<std::size_t>(nxg) * static_cast<std::size_t>(grid.ny()),
                            0.0);
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

void Simulation::Impl::setup_initial_state() {
  const TimePoint t_begin = set.begin();
  met_provider->record(t_begin, met_global);
  window_record(met_global, i0, j0, nx, ny, met);
  State& s = state.transport;
  s.air_mass = Field("air_mass", "kg", nx, ny, nz, kernels::kAdvectionHalo);
  for (int t = 0; t < kNumTracers; ++t) {
    s.tracers.emplace_back(std::string(chem::kTracerInfo[static_cast<std::size_t>(t)].name),
                           "ug kg-1", nx, ny, nz, kernels::kAdvectionHalo);
  }
  for (int k = 0; k < nz; ++k) {
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        const double dz = met.z_interface(i, j, k + 1) - met.z_interface(i, j, k);
        const double zc = 0.5 * (met.z_interface(i, j, k + 1) + met.z_interface(i, j, k));
        s.air_mass(i, j, k) = met.density(i, j, k) * area(i, j, 0) * dz;
        for (int t = 0; t < kNumTracers; ++t) s.tracers[t](i, j, k) = set.background.q(t, zc);
      }
    }
  }
  state.chem = chemistry->initial_local_state(met, lat, lon, t_begin);
  state.diag = chem::ChemistryOperator::make_diagnostics(nx, ny, nz);
  chemistry->diagnose(state.transport, state.chem, met, state.diag, 0, nz);
  auto& gf = state.split.gas_fraction;
  gf[static_cast<std::size_t>(idx(Tracer::kTNO3))] = &state.diag.gas_frac_tno3;
  gf[static_cast<std::size_t>(idx(Tracer::kTNH3))] = &state.diag.gas_frac_tnh3;
  gf[static_cast<std::size_t>(idx(Tracer::kSV1))] = &state.diag.gas_frac_sv1;
  gf[static_cast<std::size_t>(idx(Tracer::kSV2))] = &state.diag.gas_frac_sv2;
  state.step = 0;
  state.time = t_begin;
}

void Simulation::Impl::setup_operators() {
  // Boundary inflow: the background at the face's layer (mid-height of the standard grid),
  // and at the model top for what enters through it (k = nz).
  const std::vector<double>& z_w = dom.spec().z_w_m;
  std::vector<double> zc(static_cast<std::size_t>(nz) + 1);
  for (int k = 0; k < nz; ++k) zc[static_cast<std::size_t>(k)] = 0.5 * (z_w[k] + z_w[k + 1]);
  zc[static_cast<std::size_t>(nz)] = z_w[static_cast<std::size_t>(nz)];
  BoundaryConditions bc;
  const Background bg = set.background;
  const int top = nz;
  bc.inflow = [bg, zc, top](int tracer, Side, int k, int) {
    return bg.q(tracer, zc[static_cast<std::size_t>(std::clamp(k, 0, top))]);
  };
  auto adv = std::make_unique<AdvectionOperator>(*decomp, dom.grid(), std::move(bc),
                                                 met_provider->description());
  advection = adv.get();
  operators.push_back(std::move(adv));
  operators.push_back(std::make_unique<EmissionOperator>(*decomp, source, z_w, emission_routes()));
  operators.push_back(std::make_unique<VerticalMixingOperator>(*decomp, dep_opt, land_use, area));
  auto ch = std::make_unique<ChemistryStepOperator>(*chemistry, lat, lon, i0, j0);
  chemistry_step = ch.get();
  operators.push_back(std::move(ch));
  operators.push_back(std::make_unique<WetScavengingOperator>(*decomp, *chemistry, dep_opt));
  budget = std::make_unique<BudgetHook>(*decomp);
  budget->start(state);
  hooks = {&timing, budget.get()};
}

void Simulation::Impl::setup_outputs() {
  if (root) {
    std::error_code ec;
    std::filesystem::create_directories(req.out_dir, ec);
    if (ec || !std::filesystem::is_directory(req.out_dir)) {
      throw InputError(req.out_dir.string(), "", "cannot create the output folder");
    }
  }
  const HorizontalGrid& grid = dom.grid();
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
  attrs["grid"] = std::to_string(grid.nx()) + " x " + std::to_string(grid.ny()) + " x " +
                  std::to_string(nz) + " cells of " + std::to_string(grid.dx() / 1000.0) +
                  " km (coarsening " + std::to_string(set.coarsen) + " of the domain file)";
  attrs["city_values"] = city_rule;
  std::vector<std::filesystem::path> inputs = {cfg.path(),   dom.file(),      def.path,
                                               def.hour_csv, def.weekday_csv, def.vertical_csv};
  for (const auto& f : scaling_files) inputs.emplace_back(f);
  for (const auto& f : met_provider->files()) inputs.emplace_back(f);
  if (!set.stations.empty()) inputs.push_back(set.stations);
  std::string sums;
  for (const auto& f : inputs) sums += f.string() + " crc32=" + crc32_of_file(f) + "; ";
  attrs["input_checksums"] = sums;
  const int hours = static_cast<int>(seconds_between(set.start, set.end) / 3600);
  // A continued run outputs from the first whole hour at or after its checkpoint.
  const int first_hour = static_cast<int>(
      std::max<long long>(0, (seconds_between(set.start, state.time) + 3599) / 3600));
  if (restart) attrs["restarted_from"] = restart->file;
  if (root) {
    writer = std::make_unique<OutputWriter>(req.out_dir, grid, set.start, hours,
                                            set.utc_offset_hours, samplers, attrs, first_hour);
  }
  for (const auto& v : surface_variables()) surface.emplace_back(v.name, "ug m-3", nx, ny, 1, 0);
}

// ---- stepping ---------------------------------------------------------------------------

void Simulation::Impl::sample_surface(int hour) {
  chemistry->diagnose(state.transport, state.chem, met, state.diag, 0, 1);
  const chem::AerosolDiagnostics& diag = state.diag;
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      // Particles at the ambient state, gases at the reference state 298.15 K and
      // 1013.25 hPa, as China's monitoring network reports them since September 2018
      // (MEE announcement 2018 No. 29; HJ 663-2013 amendment).
      const double rho = met.density(i, j, 0);
      auto c = [&](Tracer t) { return state.transport.tracers[idx(t)](i, j, 0) * rho; };
      auto g = [&](Tracer t) { return state.transport.tracers[idx(t)](i, j, 0) * kRhoReference; };
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
  for (auto& f : surface) global.push_back(gather_global(f, *decomp));
  if (root) writer->add_hour(hour, global);
}

void Simulation::Impl::step(TimePoint t) {
  using clock = std::chrono::steady_clock;
  auto c0 = clock::now();
  if (t >= set.start && (t.time_since_epoch().count() % 3600) == 0) {
    sample_surface(static_cast<int>(seconds_between(set.start, t) / 3600));
  }
  auto c1 = clock::now();
  output_seconds += std::chrono::duration<double>(c1 - c0).count();
  StepContext ctx;
  ctx.t = t;
  ctx.t_mid = t + dt / 2;
  ctx.dt_s = set.dt_s;
  ctx.step = state.step;
  met_provider->record(ctx.t_mid, met_global);
  window_record(met_global, i0, j0, nx, ny, met);
  ctx.met = &met;
  ctx.met_global = &met_global;
  met_seconds += std::chrono::duration<double>(clock::now() - c1).count();
  for (auto& op : operators) {
    for (OperatorHook* h : hooks) h->before(*op, ctx, state);
    TracerChange change{};
    op->apply(ctx, state, change);
    for (OperatorHook* h : hooks) h->after(*op, ctx, state, change);
  }
  ++state.step;
  state.time = t + dt;
}

// ---- results ----------------------------------------------------------------------------

nlohmann::json Simulation::Impl::summary() {
  const MPI_Comm comm = decomp->comm();
  TracerChange final_burden{};
  for (int t = 0; t < kNumTracers; ++t) {
    final_burden[static_cast<std::size_t>(t)] = global_sum(
        state.transport.tracers[static_cast<std::size_t>(t)], &state.transport.air_mass, *decomp);
  }
  const auto& terms = budget->terms;
  auto term = [&](BudgetTerm b, std::size_t u) { return terms[static_cast<std::size_t>(b)][u]; };
  nlohmann::json mass_budget = nlohmann::json::object();
  for (int x = 0; x < kNumTracers; ++x) {
    const auto u = static_cast<std::size_t>(x);
    const double initial = budget->initial[u], inflow = term(BudgetTerm::kBoundary, u);
    const double emitted = term(BudgetTerm::kEmission, u);
    const double dry = -term(BudgetTerm::kDryDeposition, u);
    const double wet = -term(BudgetTerm::kWetDeposition, u);
    const double chem_net = term(BudgetTerm::kChemistry, u);
    const double residual = final_burden[u] - (initial + emitted + inflow - dry - wet + chem_net);
    const double scale = std::max({initial, final_burden[u], emitted, std::abs(inflow)});
    mass_budget[std::string(chem::kTracerInfo[u].name)] = {
        {"initial_kg", sig(initial * 1e-9)},
        {"emitted_kg", sig(emitted * 1e-9)},
        {"boundary_net_inflow_kg", sig(inflow * 1e-9)},
        {"dry_deposited_kg", sig(dry * 1e-9)},
        {"wet_deposited_kg", sig(wet * 1e-9)},
        {"chemistry_net_kg", sig(chem_net * 1e-9)},
        {"final_kg", sig(final_burden[u] * 1e-9)},
        {"relative_residual", sig(scale > 0 ? residual / scale : 0.0, 3)}};
  }
  const chem::ChemStepStats& ct = chemistry_step->totals;
  double pathways[6] = {ct.sulfate_gas_ug, ct.sulfate_aqueous_ug, ct.sulfate_het_ug,
                        ct.hno3_day_ug,    ct.hno3_night_ug,      ct.soa_formed_ug};
  MPI_Allreduce(MPI_IN_PLACE, pathways, 6, MPI_DOUBLE, MPI_SUM, comm);
  long long counts[3] = {ct.cell_solves, ct.steps, ct.rejected};
  MPI_Allreduce(MPI_IN_PLACE, counts, 3, MPI_LONG_LONG, MPI_SUM, comm);

  std::vector<const Field*> hashed{&state.transport.air_mass};
  for (const auto& f : state.transport.tracers) hashed.push_back(&f);
  for (const Field* f : {&state.chem.o3, &state.chem.no3, &state.chem.n2o5, &state.chem.h2o2}) {
    hashed.push_back(f);
  }
  const std::uint64_t hash = state_hash(hashed, *decomp);
  const HorizontalGrid& grid = dom.grid();
  const double nsteps = static_cast<double>(std::max<std::int64_t>(1, state.step));

  nlohmann::json s;
  s["state_hash"] = hex64(hash);
  s["case"] = cfg.path();
  const ScenarioInfo scenario = scenario_info(cfg);
  s["scenario"] = {{"name", scenario.name}, {"description", scenario.description}};
  s["period"] = {{"start", format_iso(set.start)},
                 {"end", format_iso(set.end)},
                 {"spinup_hours", set.spinup_hours},
                 {"utc_offset_hours", set.utc_offset_hours}};
  s["aqi_pollutants"] = {"PM2.5", "PM10", "SO2", "NO2", "CO"};
  s["city_values"] = city_rule;
  s["grid"] = {{"nx", grid.nx()},
               {"ny", grid.ny()},
               {"nz", nz},
               {"dx_m", grid.dx()},
               {"coarsen", set.coarsen}};
  s["ranks"] = decomp->size();
  s["sync_step_s"] = set.dt_s;
  s["mass_budget"] = mass_budget;
  nlohmann::json residuals = nlohmann::json::object();
  for (const auto& [name, w] : budget->worst_residual) residuals[name] = sig(w, 3);
  s["operator_budget_worst_relative_residual"] = residuals;
  s["chemistry"] = {{"sulfate_gas_phase_kg", sig(pathways[0] * 1e-9)},
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
  s["emission_scaling"] = rules;
  s["notes"] = notes;
  nlohmann::json timings = {{"meteorology", sig(met_seconds, 4)},
                            {"output_sampling", sig(output_seconds, 4)}};
  for (const auto& [name, sec] : timing.seconds) timings[name] = sig(sec, 4);
  timings["note"] = "rank 0, wall time";
  s["timing_seconds"] = timings;
  const auto& sub = advection->substeps;
  s["advection_substeps_per_step"] = {{"x", sig(static_cast<double>(sub[0]) / nsteps, 4)},
                                      {"y", sig(static_cast<double>(sub[1]) / nsteps, 4)},
                                      {"z", sig(static_cast<double>(sub[2]) / nsteps, 4)}};
  s["advection_cycles"] = {{"max", advection->cycles_max},
                           {"mean", sig(static_cast<double>(advection->cycles_total) / nsteps, 4)},
                           {"steps_cycled", advection->cycled_steps},
                           {"note", "whole-step cycles of the three sweeps (1: none needed)"}};
  s["wall_seconds"] =
      std::round(std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count() *
                 10.0) /
      10.0;
  return s;
}

// ---- the public face --------------------------------------------------------------------

Simulation::Simulation(const RunRequest& req, MPI_Comm comm)
    : impl_(std::make_unique<Impl>(req, comm)) {}

Simulation::~Simulation() = default;

TimePoint Simulation::begin() const {
  return impl_->set.begin();
}

TimePoint Simulation::end() const {
  return impl_->set.end;
}

const RunState& Simulation::state() const {
  return impl_->state;
}

void Simulation::advance(TimePoint t0, TimePoint t1) {
  if (t0 != impl_->state.time) {
    throw std::invalid_argument("Simulation::advance: the state is at " +
                                format_iso(impl_->state.time) + ", not " + format_iso(t0));
  }
  Impl& s = *impl_;
  const std::filesystem::path folder = s.req.out_dir / "checkpoints";
  const long long every_s = 3600LL * s.req.checkpoint_every_hours;
  for (TimePoint t = t0; t < t1; t += s.dt) {
    s.step(t);
    s.progress.update(s.state.time);
    const long long since_start = seconds_between(s.set.start, s.state.time);
    if (every_s > 0 && since_start > 0 && since_start % every_s == 0) s.write_checkpoint(folder);
    if (s.stop_requested()) {
      const std::filesystem::path path = s.write_checkpoint(folder);
      s.progress.done();
      throw Interrupted("a stop signal ended the run at " + format_iso(s.state.time) +
                        "; its state is in the checkpoint " + path.string() +
                        "; continue with: fwaq run " + s.req.case_file +
                        " --out NEW_FOLDER --restart " + path.string());
    }
  }
}

nlohmann::json Simulation::finish() {
  impl_->progress.done();
  nlohmann::json s = impl_->summary();
  if (impl_->root) impl_->writer->finish(s);
  // Every rank returns the same summary (cities come from rank 0).
  std::string text = impl_->root ? s.dump() : std::string();
  int len = static_cast<int>(text.size());
  MPI_Bcast(&len, 1, MPI_INT, 0, impl_->decomp->comm());
  text.resize(static_cast<std::size_t>(len));
  MPI_Bcast(text.data(), len, MPI_CHAR, 0, impl_->decomp->comm());
  return nlohmann::json::parse(text);
}

void Simulation::wrap_operator(
    const std::string& name,
    const std::function<std::unique_ptr<Operator>(std::unique_ptr<Operator>)>& wrap) {
  for (auto& op : impl_->operators) {
    if (op->name() == name) {
      op = wrap(std::move(op));
      return;
    }
  }
  throw std::invalid_argument("Simulation::wrap_operator: no operator '" + name + "'");
}

std::vector<std::string> Simulation::operator_names() const {
  std::vector<std::string> names;
  for (const auto& op : impl_->operators) names.emplace_back(op->name());
  return names;
}

}  // namespace fwaq::model

// Checkpoints of a run: the full run state in one NetCDF-4 file (see docs/user-guide.md,
// "Checkpoints and restarts"). Fields are stored whole, in global index order, as
// doubles, so a run continues bit for bit on any number of ranks and threads.
#include <netcdf.h>
#include <yaml-cpp/yaml.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>

#include "core/error.hpp"
#include "fwaq/version.hpp"
#include "io/netcdf_util.hpp"
#include "model/simulation_impl.hpp"
#include "parallel/reduce.hpp"

namespace fwaq::model {

using chem::kNumTracers;

namespace {

constexpr int kFormatVersion = 1;
constexpr int kTerms = 5;  // BudgetTerm values

std::string species_signature() {
  std::string s;
  for (const auto& info : chem::kTracerInfo) s += std::string(info.name) + ",";
  return s;
}

std::string checkpoint_name(TimePoint t) {
  // YYYYMMDDTHHMMZ from YYYY-MM-DDTHH:MM:SSZ.
  const std::string iso = format_iso(t);
  return iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2) + "T" + iso.substr(11, 2) +
         iso.substr(14, 2) + "Z.nc";
}

}  // namespace

std::string Simulation::Impl::case_signature() const {
  // The resolved configuration without the period and the spin-up (a continued run takes
  // them from the checkpoint, or may change the end).
  YAML::Node root = YAML::Load(cfg.resolved_yaml());
  if (root["run"]) {
    root["run"].remove("start");
    root["run"].remove("end");
    root["run"].remove("spinup_hours");
  }
  YAML::Emitter out;
  out << root;
  const std::string text = out.c_str();
  const uLong crc = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(text.data()),
                          static_cast<uInt>(text.size()));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08lx", static_cast<unsigned long>(crc));
  return buf;
}

std::string Simulation::Impl::grid_signature() const {
  const HorizontalGrid& g = dom.grid();
  char buf[160];
  std::snprintf(buf, sizeof buf, "%d x %d x %d cells of %.3f m, sync step %.0f s", g.nx(), g.ny(),
                nz, g.dx(), set.dt_s);
  return buf + std::string(", ") + g.projection().proj_string();
}

std::vector<std::pair<std::string, Field*>> Simulation::Impl::checkpoint_fields() {
  std::vector<std::pair<std::string, Field*>> f;
  f.emplace_back("air_mass", &state.transport.air_mass);
  for (int t = 0; t < kNumTracers; ++t) {
    f.emplace_back("tracer_" + std::string(chem::kTracerInfo[static_cast<std::size_t>(t)].name),
                   &state.transport.tracers[static_cast<std::size_t>(t)]);
  }
  chem::LocalChemState& c = state.chem;
  for (auto [name, field] : {std::pair{"chem_o3", &c.o3},
                             {"chem_no3", &c.no3},
                             {"chem_n2o5", &c.n2o5},
                             {"chem_h2o2", &c.h2o2}}) {
    f.emplace_back(name, field);
  }
  chem::AerosolDiagnostics& d = state.diag;
  for (auto [name, field] : {std::pair{"diag_no3_p", &d.no3_p},
                             {"diag_nh4_p", &d.nh4_p},
                             {"diag_water", &d.water},
                             {"diag_soa", &d.soa},
                             {"diag_hno3_g", &d.hno3_g},
                             {"diag_nh3_g", &d.nh3_g},
                             {"diag_gas_frac_tno3", &d.gas_frac_tno3},
                             {"diag_gas_frac_tnh3", &d.gas_frac_tnh3},
                             {"diag_gas_frac_sv1", &d.gas_frac_sv1},
                             {"diag_gas_frac_sv2", &d.gas_frac_sv2},
                             {"diag_o3", &d.o3},
                             {"diag_oh", &d.oh}}) {
    f.emplace_back(name, field);
  }
  return f;
}

// ---- writing ----------------------------------------------------------------------------

std::filesystem::path Simulation::Impl::write_checkpoint(const std::filesystem::path& folder) {
  const MPI_Comm comm = decomp->comm();
  const std::filesystem::path path = folder / checkpoint_name(state.time);
  // Gathered on rank 0: fields, the chemistry's last OH, the per-rank statistics.
  std::vector<std::vector<double>> fields;
  for (auto& [name, f] : checkpoint_fields()) fields.push_back(gather_global(*f, *decomp));
  Field oh("last_oh", "cm-3", nx, ny, 1, 0);
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      oh(i, j, 0) = chemistry->last_oh()[static_cast<std::size_t>(j) * nx + i];
    }
  const std::vector<double> oh_global = gather_global(oh, *decomp);
  const chem::ChemStepStats& ct = chemistry_step->totals;
  std::vector<double> chem_totals = {ct.sulfate_gas_ug,
                                     ct.sulfate_aqueous_ug,
                                     ct.sulfate_het_ug,
                                     ct.hno3_day_ug,
                                     ct.hno3_night_ug,
                                     ct.soa_formed_ug,
                                     static_cast<double>(ct.cell_solves),
                                     static_cast<double>(ct.steps),
                                     static_cast<double>(ct.rejected)};
  chem_totals.insert(chem_totals.end(), ct.net_ug.begin(), ct.net_ug.end());
  MPI_Reduce(root ? MPI_IN_PLACE : chem_totals.data(), chem_totals.data(),
             static_cast<int>(chem_totals.size()), MPI_DOUBLE, MPI_SUM, 0, comm);
  int max_steps = ct.max_steps_in_a_cell;
  MPI_Reduce(root ? MPI_IN_PLACE : &max_steps, &max_steps, 1, MPI_INT, MPI_MAX, 0, comm);
  const int hour = static_cast<int>(
      std::max<long long>(0, (seconds_between(set.start, state.time) + 3599) / 3600));
  if (root) {
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    nc::NcWriter w(path.string());
    const HorizontalGrid& g = dom.grid();
    w.dimension("z", static_cast<std::size_t>(nz));
    w.dimension("y", static_cast<std::size_t>(g.ny()));
    w.dimension("x", static_cast<std::size_t>(g.nx()));
    w.dimension("tracer", kNumTracers);
    w.dimension("term", kTerms);
    w.dimension("chem_total", chem_totals.size());
    w.dimension("advection_total", 6);
    const OutputWriter::Accumulators acc = writer->accumulators(hour);
    w.dimension("city", samplers.size());
    w.dimension("surface_var", kNumSurfaceVars);
    w.dimension("hour", static_cast<std::size_t>(std::max(hour, 1)));
    w.dimension("cell", static_cast<std::size_t>(g.nx()) * static_cast<std::size_t>(g.ny()));
    for (auto& [name, f] : checkpoint_fields()) w.variable(name, NC_DOUBLE, {"z", "y", "x"}, 1);
    w.variable("chem_last_oh", NC_DOUBLE, {"y", "x"}, 1);
    w.variable("bound_lo", NC_DOUBLE, {"tracer"}, 0);
    w.variable("bound_hi", NC_DOUBLE, {"tracer"}, 0);
    w.variable("budget_initial_ug", NC_DOUBLE, {"tracer"}, 0);
    w.variable("budget_terms_ug", NC_DOUBLE, {"term", "tracer"}, 0);
    w.variable("chemistry_totals", NC_DOUBLE, {"chem_total"}, 0);
    w.variable("advection_totals", NC_DOUBLE, {"advection_total"}, 0);
    w.variable("city_series", NC_DOUBLE, {"city", "surface_var", "hour"}, 1);
    w.variable("day_sum", NC_DOUBLE, {"surface_var", "cell"}, 1);
    w.attribute("", "title", "fwaq checkpoint (the full state of a run)");
    w.attribute("", "checkpoint_format", kFormatVersion);
    w.attribute("", "fwaq_version", kVersion);
    w.attribute("", "fwaq_git_revision", kGitRevision);
    w.attribute("", "case_file", cfg.path());
    w.attribute("", "configuration", cfg.resolved_yaml());
    w.attribute("", "case_signature", case_signature());
    w.attribute("", "grid_signature", grid_signature());
    w.attribute("", "species", species_signature());
    w.attribute("", "time", format_iso(state.time));
    w.attribute("", "start", format_iso(set.start));
    w.attribute("", "spinup_hours", set.spinup_hours);
    w.attribute("", "step", static_cast<double>(state.step));
    w.attribute("", "output_hours", hour);
    w.attribute("", "day_index", acc.day);
    w.attribute("", "day_count", acc.day_count);
    w.attribute("", "chem_max_steps_in_a_cell", max_steps);
    std::size_t n = 0;
    for (auto& [name, f] : checkpoint_fields()) w.write(name, fields[n++]);
    w.write("chem_last_oh", oh_global);
    w.write("bound_lo", state.transport.bound_lo);
    w.write("bound_hi", state.transport.bound_hi);
    w.write("budget_initial_ug", budget->initial);
    std::vector<double> terms;
    for (const auto& t : budget->terms) terms.insert(terms.end(), t.begin(), t.end());
    w.write("budget_terms_ug", terms);
    w.write("chemistry_totals", chem_totals);
    const AdvectionOperator& a = *advection;
    w.write("advection_totals",
            std::vector<double>{
                static_cast<double>(a.cycles_total), static_cast<double>(a.cycled_steps),
                static_cast<double>(a.cycles_max), static_cast<double>(a.substeps[0]),
                static_cast<double>(a.substeps[1]), static_cast<double>(a.substeps[2])});
    std::vector<double> series;
    for (const auto& city : acc.city)
      for (const auto& var : city) {
        series.insert(series.end(), var.begin(), var.end());
        if (hour == 0) series.push_back(0.0);
      }
    w.write("city_series", series);
    std::vector<double> sums;
    for (const auto& v : acc.day_sum) sums.insert(sums.end(), v.begin(), v.end());
    w.write("day_sum", sums);
    w.commit();
  }
  MPI_Barrier(comm);
  return path;
}

// ---- reading ----------------------------------------------------------------------------

Simulation::Impl::CheckpointHeader Simulation::Impl::read_checkpoint_header(
    const std::filesystem::path& file) {
  CheckpointHeader h;
  h.file = file.string();
  const nc::NcFile f(h.file);  // InputError for a missing, truncated or non-NetCDF file
  auto text = [&](const char* name) {
    const auto v = f.att_text("", name);
    if (!v)
      throw InputError(
          h.file, "",
          "attribute '" + std::string(name) + "' is missing: " + "not an fwaq checkpoint");
    return *v;
  };
  const auto format = f.att_double("", "checkpoint_format");
  if (!format || *format != kFormatVersion) {
    throw InputError(h.file, "",
                     "not an fwaq checkpoint of format " + std::to_string(kFormatVersion) +
                         " (attribute 'checkpoint_format')");
  }
  h.time = parse_time(text("time"));
  h.start = parse_time(text("start"));
  h.spinup_hours = static_cast<int>(f.require_global_double("spinup_hours"));
  h.step = static_cast<std::int64_t>(f.require_global_double("step"));
  return h;
}

void Simulation::Impl::restore_checkpoint(const CheckpointHeader& h) {
  const nc::NcFile f(h.file);
  auto expect = [&](const char* name, const std::string& want, const char* what) {
    const std::string have = f.att_text("", name).value_or("");
    if (have != want) {
      throw InputError(h.file, "",
                       std::string("the checkpoint is of another ") + what + ": its " + name +
                           " is '" + have + "', this run's '" + want + "'");
    }
  };
  expect("grid_signature", grid_signature(), "grid");
  expect("species", species_signature(), "species list");
  expect("case_signature", case_signature(),
         "case (its configuration differs beyond run.start "
         "and run.end)");
  const HorizontalGrid& g = dom.grid();
  const std::size_t nxg = static_cast<std::size_t>(g.nx()), nyg = static_cast<std::size_t>(g.ny());
  for (auto& [name, field] : checkpoint_fields()) {
    f.expect_dims(name, {{"z", static_cast<std::size_t>(nz)}, {"y", nyg}, {"x", nxg}});
    nc::ReadOptions o;
    o.require_finite = name.rfind("diag_", 0) != 0;  // diagnostics may hold NaN where unused
    const std::size_t start[3] = {0, static_cast<std::size_t>(j0), static_cast<std::size_t>(i0)};
    const std::size_t count[3] = {static_cast<std::size_t>(nz), static_cast<std::size_t>(ny),
                                  static_cast<std::size_t>(nx)};
    const std::vector<double> v = f.read(name, start, count, o);
    std::size_t p = 0;
    for (int k = 0; k < nz; ++k)
      for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) (*field)(i, j, k) = v[p++];
  }
  {
    const std::size_t start[2] = {static_cast<std::size_t>(j0), static_cast<std::size_t>(i0)};
    const std::size_t count[2] = {static_cast<std::size_t>(ny), static_cast<std::size_t>(nx)};
    chemistry->set_last_oh(f.read("chem_last_oh", start, count));
  }
  auto vec = [&](const char* name, std::size_t n) {
    const std::vector<double> v = f.read(name);
    if (v.size() != n) {
      throw InputError(h.file, name,
                       std::to_string(v.size()) + " values; expected " + std::to_string(n));
    }
    return v;
  };
  state.transport.bound_lo = vec("bound_lo", kNumTracers);
  state.transport.bound_hi = vec("bound_hi", kNumTracers);
  const std::vector<double> initial = vec("budget_initial_ug", kNumTracers);
  std::copy(initial.begin(), initial.end(), budget->initial.begin());
  const std::vector<double> terms = vec("budget_terms_ug", kTerms * kNumTracers);
  for (int b = 0; b < kTerms; ++b)
    for (int t = 0; t < kNumTracers; ++t) {
      budget->terms[static_cast<std::size_t>(b)][static_cast<std::size_t>(t)] =
          terms[static_cast<std::size_t>(b * kNumTracers + t)];
    }
  budget->start_from(state);
  // Per-rank statistics: the totals so far go to rank 0, whose sums then continue.
  const std::vector<double> ct = vec("chemistry_totals", 9 + kNumTracers);
  chem::ChemStepStats& tot = chemistry_step->totals;
  if (root) {
    tot.sulfate_gas_ug = ct[0];
    tot.sulfate_aqueous_ug = ct[1];
    tot.sulfate_het_ug = ct[2];
    tot.hno3_day_ug = ct[3];
    tot.hno3_night_ug = ct[4];
    tot.soa_formed_ug = ct[5];
    tot.cell_solves = static_cast<long long>(ct[6]);
    tot.steps = static_cast<long long>(ct[7]);
    tot.rejected = static_cast<long long>(ct[8]);
    for (int t = 0; t < kNumTracers; ++t) tot.net_ug[static_cast<std::size_t>(t)] = ct[9 + t];
    tot.max_steps_in_a_cell = static_cast<int>(f.require_global_double("chem_max_steps_in_a_cell"));
  }
  const std::vector<double> at = vec("advection_totals", 6);
  advection->cycles_total = static_cast<long long>(at[0]);
  advection->cycled_steps = static_cast<long long>(at[1]);
  advection->cycles_max = static_cast<int>(at[2]);
  for (int a = 0; a < 3; ++a) advection->substeps[a] = static_cast<long long>(at[3 + a]);
  state.step = h.step;
  state.time = h.time;
  // The hour sampled at the restart time uses the previous step's meteorology.
  met_provider->record(h.time - dt / 2, met_global);
  window_record(met_global, i0, j0, nx, ny, met);
}

void Simulation::Impl::restore_outputs(const CheckpointHeader& h) {
  const nc::NcFile f(h.file);
  const std::size_t nxg = static_cast<std::size_t>(dom.grid().nx());
  const std::size_t nyg = static_cast<std::size_t>(dom.grid().ny());
  if (root) {
    OutputWriter::Accumulators acc;
    acc.hour = static_cast<int>(f.require_global_double("output_hours"));
    acc.day = static_cast<int>(f.require_global_double("day_index"));
    acc.day_count = static_cast<int>(f.require_global_double("day_count"));
    const std::size_t hours = f.dim_length("hour");
    const std::vector<double> series = f.read("city_series");
    acc.city.assign(samplers.size(), {});
    std::size_t p = 0;
    for (std::size_t c = 0; c < samplers.size(); ++c)
      for (int v = 0; v < kNumSurfaceVars; ++v) {
        acc.city[c].emplace_back(series.begin() + static_cast<std::ptrdiff_t>(p),
                                 series.begin() + static_cast<std::ptrdiff_t>(p) + acc.hour);
        p += hours;
      }
    const std::vector<double> sums = f.read("day_sum");
    const std::size_t ncell = nxg * nyg;
    for (int v = 0; v < kNumSurfaceVars; ++v) {
      acc.day_sum.emplace_back(sums.begin() + static_cast<std::ptrdiff_t>(v * ncell),
                               sums.begin() + static_cast<std::ptrdiff_t>((v + 1) * ncell));
    }
    writer->restore(acc);
  }
}

}  // namespace fwaq::model

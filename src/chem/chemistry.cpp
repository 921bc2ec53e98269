#include "chem/chemistry.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "chem/thermo.hpp"
#include "chem/tracers.hpp"
#include "core/config.hpp"
#include "core/error.hpp"

namespace fwaq::chem {

namespace {

constexpr double kAvogadro = 6.02214076e23;  // [mol-1]
/// Windows with fewer cells run on one thread (results are the same either way).
constexpr int kMinCellsForThreads = 64;

// Tracers that map one-to-one onto solver gases (mole fraction = q M_air / M).
struct GasMap {
  Tracer tracer;
  int species;
};
constexpr std::array<GasMap, 8> kGasMap{{{Tracer::kNO, kSpNO},
                                         {Tracer::kNO2, kSpNO2},
                                         {Tracer::kSO2, kSpSO2},
                                         {Tracer::kCO, kSpCO},
                                         {Tracer::kVocAlk, kSpALK},
                                         {Tracer::kVocOle, kSpOLE},
                                         {Tracer::kVocAro1, kSpARO1},
                                         {Tracer::kVocAro2, kSpARO2}}};

double ppb_per_ug_kg(int species) {
  return kMolarAir / species_molar_mass(species);
}

/// The inorganic split and the organic partitioning of one cell.
struct CellAerosol {
  ThermoResult thermo;
  SoaPartition soa;
  std::array<double, kSoaProducts> cstar{};
  double so4_ug = 0, no3_p_ug = 0, nh4_p_ug = 0, poa_om_ug = 0;
  double dry_ug() const { return so4_ug + no3_p_ug + nh4_p_ug + poa_om_ug + soa.soa + other_ug; }
  double other_ug = 0;  // BC + other primary
};

double nonneg(double v) {
  return v > 0.0 ? v : 0.0;
}

/// q: the cell's tracers [µg kg-1] in tracers.hpp order. May throw
/// std::invalid_argument (from the thermodynamics).
CellAerosol cell_aerosol(const std::array<double, kNumTracers>& q, double rho, double t_k,
                         double rh, const ChemistryOptions& opt) {
  CellAerosol a;
  ThermoInput in;
  in.temperature_K = std::clamp(t_k, 200.0, 330.0);
  in.rh = std::clamp(rh, 0.0, 1.0);
  in.sulfate = nonneg(q[idx(Tracer::kSO4)]) * rho / kMolarSO4;  // [µmol m-3]
  in.nitrate = nonneg(q[idx(Tracer::kTNO3)]) * rho / kMolarHNO3;
  in.ammonia = nonneg(q[idx(Tracer::kTNH3)]) * rho / kMolarNH3;
  a.thermo = equilibrate(in, ThermoBranch::kMetastable);
  a.so4_ug = nonneg(q[idx(Tracer::kSO4)]) * rho;
  a.no3_p_ug = a.thermo.no3_p() * kMolarNO3;
  a.nh4_p_ug = a.thermo.nh4_p() * kMolarNH4;
  a.poa_om_ug = nonneg(q[idx(Tracer::kPOA)]) * rho * opt.om_oc;
  a.other_ug = (nonneg(q[idx(Tracer::kBC)]) + nonneg(q[idx(Tracer::kOPM)])) * rho;
  for (int p = 0; p < kSoaProducts; ++p) {
    a.cstar[p] = saturation_concentration(opt.cstar_298[p], opt.dhvap_kj_mol[p], t_k);
  }
  a.soa = partition_soa({nonneg(q[idx(Tracer::kSV1)]) * rho, nonneg(q[idx(Tracer::kSV2)]) * rho},
                        a.cstar, a.poa_om_ug);
  return a;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

void check_shape(const Field& f, int nx, int ny, int nz, const char* what) {
  if (f.nx() != nx || f.ny() != ny || f.nz() != nz) {
    throw std::invalid_argument(std::string("chemistry: ") + what + " has shape (" +
                                std::to_string(f.nx()) + ", " + std::to_string(f.ny()) + ", " +
                                std::to_string(f.nz()) + "), expected (" + std::to_string(nx) +
                                ", " + std::to_string(ny) + ", " + std::to_string(nz) + ")");
  }
}

/// Per-row outcome of apply() (rows are (j, k) pairs).
struct RowResult {
  ChemStepStats stats;
  bool failed = false;
  int i = 0;
  std::string reason;
};

// ---- configuration helpers

double read_double(const ConfigSection& s, const std::string& key, double fallback, double lo,
                   double hi, bool lo_open = false) {
  const double v = s.optional<double>(key, fallback);
  const bool ok = std::isfinite(v) && (lo_open ? v > lo : v >= lo) && v <= hi;
  if (!ok) {
    throw InputError(s.file(), s.name(key),
                     "value " + fmt("%g", v) + " is out of range: expected " +
                         (lo_open ? "(" : "[") + fmt("%g", lo) + ", " + fmt("%g", hi) + "]");
  }
  return v;
}

template <std::size_t N>
std::array<double, N> read_array(const ConfigSection& s, const std::string& key,
                                 const std::array<double, N>& fallback, double lo, double hi) {
  if (!s.has(key)) return fallback;
  const auto v = s.required<std::vector<double>>(key);
  if (v.size() != N) {
    throw InputError(s.file(), s.name(key),
                     "has " + std::to_string(v.size()) + " values, expected " + std::to_string(N));
  }
  std::array<double, N> out{};
  for (std::size_t i = 0; i < N; ++i) {
    if (!(std::isfinite(v[i]) && v[i] >= lo && v[i] <= hi)) {
      throw InputError(s.file(), s.name(key),
                       "value " + fmt("%g", v[i]) + " is out of range: expected [" + fmt("%g", lo) +
                           ", " + fmt("%g", hi) + "]");
    }
    out[i] = v[i];
  }
  return out;
}

void require(bool ok, const char* name, double v, const char* range) {
  if (!ok) {
    throw UsageError(std::string("chemistry option ") + name + " = " + fmt("%g", v) +
                     " is out of range: expected " + range);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Options

ChemistryOptions ChemistryOptions::from_config(const ConfigSection* sp) {
  ChemistryOptions o;
  if (sp == nullptr) return o;
  const ConfigSection& s = *sp;
  if (s.has("method")) {
    const auto name = s.required<std::string>("method");
    if (!parse_method(name, o.method)) {
      throw InputError(s.file(), s.name("method"),
                       "value '" + name + "' is not a method: expected ros2, ros3 or rodas3");
    }
  }
  o.rtol = read_double(s, "rtol", o.rtol, 1e-8, 0.1);
  o.atol_ppb = read_double(s, "atol_ppb", o.atol_ppb, 0.0, 1.0, true);
  o.atol_sv = read_double(s, "atol_sv", o.atol_sv, 0.0, 1.0, true);
  o.max_steps = static_cast<int>(read_double(s, "max_steps", o.max_steps, 1, 1e7));
  o.initial_step_s = read_double(s, "initial_step_s", o.initial_step_s, 0.0, 86400.0, true);
  o.photolysis_sample_s =
      read_double(s, "photolysis_sample_s", o.photolysis_sample_s, 1.0, 86400.0);
  auto& ox = o.oxidants;
  ox.oh_reference = read_double(s, "oh_reference", ox.oh_reference, 0.0, 1e8);
  ox.oh_reference_zenith_deg =
      read_double(s, "oh_reference_zenith_deg", ox.oh_reference_zenith_deg, 0.0, 85.0);
  ox.oh_exponent = read_double(s, "oh_exponent", ox.oh_exponent, 0.0, 3.0);
  ox.oh_night = read_double(s, "oh_night", ox.oh_night, 0.0, 1e7);
  ox.oh_scale = read_double(s, "oh_scale", ox.oh_scale, 0.0, 100.0);
  ox.o3_scale = read_double(s, "o3_scale", ox.o3_scale, 0.0, 100.0);
  ox.h2o2_scale = read_double(s, "h2o2_scale", ox.h2o2_scale, 0.0, 100.0);
  ox.o3_free_troposphere_ppb =
      read_double(s, "o3_free_troposphere_ppb", ox.o3_free_troposphere_ppb, 0.0, 500.0);
  ox.blend_top_m = read_double(s, "blend_top_m", ox.blend_top_m, 0.0, 20000.0);
  o.relax_bl_hours = read_double(s, "relax_bl_hours", o.relax_bl_hours, 0.0, 1e4, true);
  o.relax_ft_hours = read_double(s, "relax_ft_hours", o.relax_ft_hours, 0.0, 1e4, true);
  o.cloud_ph = read_double(s, "cloud_ph", o.cloud_ph, 1.0, 8.0);
  o.fog_rh = read_double(s, "fog_rh", o.fog_rh, 0.5, 1.0);
  o.fog_lwc_g_m3 = read_double(s, "fog_lwc_g_m3", o.fog_lwc_g_m3, 0.0, 5.0);
  o.min_lwc_g_m3 = read_double(s, "min_lwc_g_m3", o.min_lwc_g_m3, 0.0, 1.0);
  auto& ae = o.aerosol;
  ae.dgn_dry_um = read_double(s, "dgn_dry_um", ae.dgn_dry_um, 0.01, 2.0);
  ae.sigma_g = read_double(s, "sigma_g", ae.sigma_g, 1.0, 3.0, true);
  ae.dry_density_g_cm3 = read_double(s, "particle_density_g_cm3", ae.dry_density_g_cm3, 0.5, 5.0);
  ae.gamma_n2o5_min = read_double(s, "gamma_n2o5_min", ae.gamma_n2o5_min, 0.0, 1.0);
  ae.gamma_n2o5_max = read_double(s, "gamma_n2o5_max", ae.gamma_n2o5_max, 0.0, 1.0);
  ae.gamma_n2o5_scale = read_double(s, "gamma_n2o5_scale", ae.gamma_n2o5_scale, 0.0, 100.0);
  ae.gamma_so2_low = read_double(s, "gamma_so2_low", ae.gamma_so2_low, 0.0, 1.0);
  ae.gamma_so2_mid = read_double(s, "gamma_so2_mid", ae.gamma_so2_mid, 0.0, 1.0);
  ae.gamma_so2_high = read_double(s, "gamma_so2_high", ae.gamma_so2_high, 0.0, 1.0);
  o.om_oc = read_double(s, "om_oc", o.om_oc, 1.0, 3.0);
  o.cstar_298 = read_array(s, "cstar_298", o.cstar_298, 1e-6, 1e6);
  o.dhvap_kj_mol = read_array(s, "dhvap_kj_mol", o.dhvap_kj_mol, 0.0, 300.0);
  const char* yield_keys[kNumVoc] = {"yield_alk", "yield_ole", "yield_aro1", "yield_aro2"};
  for (int v = 0; v < kNumVoc; ++v) {
    const auto y = read_array<2>(s, yield_keys[v], {o.yields[0][v], o.yields[1][v]}, 0.0, 2.0);
    o.yields[0][v] = y[0];
    o.yields[1][v] = y[1];
  }
  if (o.aerosol.gamma_n2o5_min > o.aerosol.gamma_n2o5_max) {
    throw InputError(s.file(), s.name("gamma_n2o5_min"),
                     "value " + fmt("%g", o.aerosol.gamma_n2o5_min) +
                         " exceeds gamma_n2o5_max = " + fmt("%g", o.aerosol.gamma_n2o5_max));
  }
  return o;
}

void ChemistryOptions::describe_keys(Schema::Section s) {
  const ChemistryOptions d;
  const OxidantOptions& ox = d.oxidants;
  const AerosolOptions& ae = d.aerosol;
  s.text("method", std::string(method_name(d.method)), "Rosenbrock method: ros2, ros3 or rodas3")
      .real("rtol", d.rtol, "relative tolerance of the solver [1], (0, 0.1]")
      .real("atol_ppb", d.atol_ppb, "absolute tolerance of the gases [ppb]")
      .real("atol_sv", d.atol_sv, "absolute tolerance of SV1, SV2 [ug kg-1]")
      .integer("max_steps", d.max_steps, "solver steps allowed per cell and chemistry step")
      .real("initial_step_s", d.initial_step_s, "first solver step [s]")
      .real("photolysis_sample_s", d.photolysis_sample_s,
            "photolysis and OH sampled at most this far apart in a step [s]")
      .real("oh_reference", ox.oh_reference,
            "daytime OH under clear sky at the reference zenith angle [molecule cm-3]")
      .real("oh_reference_zenith_deg", ox.oh_reference_zenith_deg,
            "reference solar zenith angle of oh_reference [degrees]")
      .real("oh_exponent", ox.oh_exponent, "exponent b of OH ~ J(O1D)^b [1]")
      .real("oh_night", ox.oh_night, "night-time OH [molecule cm-3]")
      .real("oh_scale", ox.oh_scale, "factor on all OH [1]")
      .real("o3_scale", ox.o3_scale, "factor on the O3 climatology [1]")
      .real("h2o2_scale", ox.h2o2_scale, "factor on the H2O2 climatology [1]")
      .real("o3_free_troposphere_ppb", ox.o3_free_troposphere_ppb,
            "O3 above the blending height [ppb]")
      .real("blend_top_m", ox.blend_top_m, "height where the free-tropospheric values apply [m]")
      .real("relax_bl_hours", d.relax_bl_hours, "O3/H2O2 relaxation time in the boundary layer [h]")
      .real("relax_ft_hours", d.relax_ft_hours,
            "O3/H2O2 relaxation time above the boundary layer [h]")
      .real("cloud_ph", d.cloud_ph, "pH of cloud and fog water [1]")
      .real("fog_rh", d.fog_rh, "relative humidity from which a cell holds fog [1]")
      .real("fog_lwc_g_m3", d.fog_lwc_g_m3, "liquid water content of fog [g m-3]")
      .real("min_lwc_g_m3", d.min_lwc_g_m3, "less liquid water than this is ignored [g m-3]")
      .real("dgn_dry_um", ae.dgn_dry_um, "number median dry diameter of the aerosol [um]")
      .real("sigma_g", ae.sigma_g, "geometric standard deviation of the aerosol [1]")
      .real("particle_density_g_cm3", ae.dry_density_g_cm3,
            "density of the dry particle material [g cm-3]")
      .real("gamma_n2o5_min", ae.gamma_n2o5_min, "lower bound of the N2O5 uptake coefficient [1]")
      .real("gamma_n2o5_max", ae.gamma_n2o5_max, "upper bound of the N2O5 uptake coefficient [1]")
      .real("gamma_n2o5_scale", ae.gamma_n2o5_scale,
            "factor on the Bertram-Thornton N2O5 uptake coefficient [1]")
      .real("gamma_so2_low", ae.gamma_so2_low, "SO2 uptake coefficient at RH <= 0.5 [1]")
      .real("gamma_so2_mid", ae.gamma_so2_mid, "SO2 uptake coefficient at RH = 0.8 [1]")
      .real("gamma_so2_high", ae.gamma_so2_high, "SO2 uptake coefficient at RH >= 0.95 [1]")
      .real("om_oc", d.om_oc, "organic mass per organic carbon of primary OA [1]")
      .reals("cstar_298", std::vector<double>(d.cstar_298.begin(), d.cstar_298.end()),
             "saturation concentrations of SV1, SV2 at 298 K [ug m-3]")
      .reals("dhvap_kj_mol", std::vector<double>(d.dhvap_kj_mol.begin(), d.dhvap_kj_mol.end()),
             "vaporisation enthalpies of SV1, SV2 [kJ mol-1]");
  const char* lumps[kNumVoc] = {"alk", "ole", "aro1", "aro2"};
  for (int v = 0; v < kNumVoc; ++v) {
    s.reals(std::string("yield_") + lumps[v], std::vector<double>{d.yields[0][v], d.yields[1][v]},
            std::string("mass yields of SV1, SV2 from the VOC lump ") + lumps[v] + " [1]");
  }
}

void ChemistryOptions::validate() const {
  require(rtol > 0.0 && rtol <= 0.1, "rtol", rtol, "(0, 0.1]");
  require(atol_ppb > 0.0, "atol_ppb", atol_ppb, "> 0");
  require(atol_sv > 0.0, "atol_sv", atol_sv, "> 0");
  require(max_steps >= 1, "max_steps", max_steps, ">= 1");
  require(initial_step_s > 0.0, "initial_step_s", initial_step_s, "> 0");
  require(photolysis_sample_s > 0.0, "photolysis_sample_s", photolysis_sample_s, "> 0");
  require(relax_bl_hours > 0.0, "relax_bl_hours", relax_bl_hours, "> 0");
  require(relax_ft_hours > 0.0, "relax_ft_hours", relax_ft_hours, "> 0");
  require(oxidants.oh_reference >= 0.0, "oh_reference", oxidants.oh_reference, ">= 0");
  require(oxidants.oh_night >= 0.0, "oh_night", oxidants.oh_night, ">= 0");
  require(oxidants.oh_scale >= 0.0, "oh_scale", oxidants.oh_scale, ">= 0");
  require(cloud_ph > 0.0 && cloud_ph < 14.0, "cloud_ph", cloud_ph, "(0, 14)");
  require(fog_lwc_g_m3 >= 0.0, "fog_lwc_g_m3", fog_lwc_g_m3, ">= 0");
  require(aerosol.dgn_dry_um > 0.0, "dgn_dry_um", aerosol.dgn_dry_um, "> 0");
  require(aerosol.sigma_g > 1.0, "sigma_g", aerosol.sigma_g, "> 1");
  require(aerosol.dry_density_g_cm3 > 0.0, "particle_density_g_cm3", aerosol.dry_density_g_cm3,
          "> 0");
  require(aerosol.gamma_n2o5_min >= 0.0 && aerosol.gamma_n2o5_min <= aerosol.gamma_n2o5_max,
          "gamma_n2o5_min", aerosol.gamma_n2o5_min, "[0, gamma_n2o5_max]");
  require(aerosol.gamma_n2o5_max <= 1.0, "gamma_n2o5_max", aerosol.gamma_n2o5_max, "<= 1");
  for (int p = 0; p < kSoaProducts; ++p) {
    require(cstar_298[p] > 0.0, "cstar_298", cstar_298[p], "> 0");
    require(dhvap_kj_mol[p] >= 0.0, "dhvap_kj_mol", dhvap_kj_mol[p], ">= 0");
    for (int v = 0; v < kNumVoc; ++v) require(yields[p][v] >= 0.0, "yield", yields[p][v], ">= 0");
  }
}

// ---------------------------------------------------------------------------------------------
// Operator

ChemistryOperator::ChemistryOperator(int nx, int ny, int nz, ChemistryOptions opt)
    : nx_(nx), ny_(ny), nz_(nz), opt_(opt), last_oh_(static_cast<std::size_t>(nx) * ny, 0.0) {
  if (nx < 1 || ny < 1 || nz < 1) throw std::invalid_argument("chemistry: empty grid");
  opt_.validate();
}

namespace {

/// The sun's positions one step needs (they depend on time only: computed once per
/// step, not per column).
struct StepSun {
  double t_met = 0;  ///< [s since 1970]
  SunPosition met;
  std::vector<std::pair<double, SunPosition>> samples;  ///< midpoints of equal sub-intervals
  double t_mid = 0;
  SunPosition mid;
};

StepSun step_sun(TimePoint met_time, TimePoint t_start, double dt_s, double sample_s) {
  StepSun s;
  s.t_met = static_cast<double>(met_time.time_since_epoch().count());
  s.met = sun_position(s.t_met);
  const double t0 = static_cast<double>(t_start.time_since_epoch().count());
  const int n = std::max(1, static_cast<int>(std::ceil(dt_s / sample_s)));
  for (int k = 0; k < n; ++k) {
    const double ts = t0 + (k + 0.5) * dt_s / n;
    s.samples.emplace_back(ts, sun_position(ts));
  }
  s.t_mid = t0 + 0.5 * dt_s;
  s.mid = sun_position(s.t_mid);
  return s;
}

ChemistryOperator::ColumnRadiation radiation(const StepSun& sun, double lat_deg, double lon_deg,
                                             double swdown_w_m2, double elevation_m,
                                             const OxidantOptions& opt) {
  ChemistryOperator::ColumnRadiation r;
  r.attenuation =
      radiation_attenuation(swdown_w_m2, cos_solar_zenith(sun.met, sun.t_met, lat_deg, lon_deg),
                            sun.met.distance_factor, elevation_m);
  for (const auto& [ts, sp] : sun.samples) {
    const double cz = cos_solar_zenith(sp, ts, lat_deg, lon_deg);
    const Photolysis j = clear_sky_photolysis(cz);
    r.j_no2 += j.no2 * r.attenuation;
    r.j_no3_no2 += j.no3_no2 * r.attenuation;
    r.j_no3_no += j.no3_no * r.attenuation;
    r.oh += oh_concentration(cz, r.attenuation, opt);
  }
  const double n = static_cast<double>(sun.samples.size());
  r.j_no2 /= n;
  r.j_no3_no2 /= n;
  r.j_no3_no /= n;
  r.oh /= n;
  r.local_hour = local_solar_hour(sun.mid, sun.t_mid, lon_deg);
  return r;
}

}  // namespace

ChemistryOperator::ColumnRadiation ChemistryOperator::column_radiation(
    double lat_deg, double lon_deg, double swdown_w_m2, double elevation_m, TimePoint met_time,
    TimePoint t_start, double dt_s) const {
  return radiation(step_sun(met_time, t_start, dt_s, opt_.photolysis_sample_s), lat_deg, lon_deg,
                   swdown_w_m2, elevation_m, opt_.oxidants);
}

LocalChemState ChemistryOperator::initial_local_state(const MetRecord& met, const Field& lat_deg,
                                                      const Field& lon_deg, TimePoint t) const {
  check_shape(met.temperature, nx_, ny_, nz_, "met.temperature");
  check_shape(lat_deg, nx_, ny_, 1, "lat_deg");
  check_shape(lon_deg, nx_, ny_, 1, "lon_deg");
  LocalChemState s{
      Field("O3", "ug kg-1", nx_, ny_, nz_, 0), Field("NO3", "ug kg-1", nx_, ny_, nz_, 0),
      Field("N2O5", "ug kg-1", nx_, ny_, nz_, 0), Field("H2O2", "ug kg-1", nx_, ny_, nz_, 0)};
  const double ts = static_cast<double>(t.time_since_epoch().count());
  const SunPosition sun = sun_position(ts);
  const double mpos = month_position(t);
  for (int j = 0; j < ny_; ++j) {
    for (int i = 0; i < nx_; ++i) {
      const double hour = local_solar_hour(sun, ts, lon_deg(i, j, 0));
      const double pblh = met.pblh(i, j, 0);
      for (int k = 0; k < nz_; ++k) {
        const double z = 0.5 * (met.z_interface(i, j, k) + met.z_interface(i, j, k + 1));
        s.o3(i, j, k) =
            o3_climatology_ppb(mpos, hour, z, pblh, opt_.oxidants) / ppb_per_ug_kg(kSpO3);
        s.h2o2(i, j, k) =
            h2o2_climatology_ppb(mpos, hour, z, pblh, opt_.oxidants) / ppb_per_ug_kg(kSpH2O2);
      }
    }
  }
  return s;
}

ChemStepStats ChemistryOperator::apply(State& state, LocalChemState& local, const MetRecord& met,
                                       const Field& lat_deg, const Field& lon_deg,
                                       TimePoint t_start, double dt_s, int i0, int j0) {
  if (!(std::isfinite(dt_s) && dt_s >= 0.0)) {
    throw std::invalid_argument("chemistry: time step " + fmt("%g", dt_s) + " s is not >= 0");
  }
  if (state.tracers.size() < static_cast<std::size_t>(kNumTracers)) {
    throw std::invalid_argument("chemistry: the state has " + std::to_string(state.tracers.size()) +
                                " tracers, expected " + std::to_string(kNumTracers));
  }
  for (int t = 0; t < kNumTracers; ++t) {
    const Field& f = state.tracers[t];
    if (f.nx() != nx_ || f.ny() != ny_ || f.nz() != nz_) {
      check_shape(f, nx_, ny_, nz_, "a tracer");
    }
  }
  check_shape(state.air_mass, nx_, ny_, nz_, "state.air_mass");
  for (const Field* f : {&local.o3, &local.no3, &local.n2o5, &local.h2o2}) {
    check_shape(*f, nx_, ny_, nz_, "the local chemistry state");
  }
  for (const Field* f :
       {&met.temperature, &met.pressure, &met.density, &met.rel_humidity, &met.cloud_water}) {
    check_shape(*f, nx_, ny_, nz_, "a met field");
  }
  check_shape(met.z_interface, nx_, ny_, nz_ + 1, "met.z_interface");
  for (const Field* f : {&met.pblh, &met.swdown, &met.terrain, &lat_deg, &lon_deg}) {
    check_shape(*f, nx_, ny_, 1, "a surface field or lat/lon");
  }
  ChemStepStats total;
  if (dt_s == 0.0) return total;

  // Radiation and OH per column.
  const int ncol = nx_ * ny_;
  std::vector<ColumnRadiation> col(static_cast<std::size_t>(ncol));
  const StepSun sun = step_sun(met.time, t_start, dt_s, opt_.photolysis_sample_s);
  // Small windows run on one thread: waking a team costs more than their work.
  const bool threaded = nx_ * ny_ * nz_ >= kMinCellsForThreads;
#pragma omp parallel for schedule(static) if (threaded)
  for (int c = 0; c < ncol; ++c) {
    const int i = c % nx_, j = c / nx_;
    col[c] = radiation(sun, lat_deg(i, j, 0), lon_deg(i, j, 0), met.swdown(i, j, 0),
                       met.terrain(i, j, 0), opt_.oxidants);
  }
  for (int c = 0; c < ncol; ++c) last_oh_[c] = col[c].oh;

  const double mpos = month_position(
      t_start + std::chrono::seconds(static_cast<long long>(std::llround(0.5 * dt_s))));
  RosenbrockControl ctl;
  ctl.method = opt_.method;
  ctl.rtol = opt_.rtol;
  ctl.max_steps = opt_.max_steps;
  ctl.h_init = std::min(opt_.initial_step_s, dt_s);
  ctl.fac_max = 10.0;  // growth per step (6 in KPP): one step fewer per hour in quiet cells
  std::array<double, kNumSpecies> atol;
  atol.fill(opt_.atol_ppb);
  atol[kSpNO3] = atol[kSpN2O5] = 0.01 * opt_.atol_ppb;
  atol[kSpSV1] = atol[kSpSV2] = opt_.atol_sv;

  const int nrows = ny_ * nz_;
  std::vector<RowResult> rows(static_cast<std::size_t>(nrows));

#pragma omp parallel for schedule(dynamic, 1) if (threaded)
  for (int row = 0; row < nrows; ++row) {
    const int j = row % ny_, k = row / ny_;
    RowResult& rr = rows[row];
    ChemStepStats& st = rr.stats;
    for (int i = 0; i < nx_; ++i) {
      const ColumnRadiation& cr = col[static_cast<std::size_t>(j) * nx_ + i];
      std::array<double, kNumTracers> q;
      for (int t = 0; t < kNumTracers; ++t) q[t] = state.tracers[t](i, j, k);
      const double temp = met.temperature(i, j, k), pres = met.pressure(i, j, k);
      const double rho = met.density(i, j, k), rh = met.rel_humidity(i, j, k);
      const double z = 0.5 * (met.z_interface(i, j, k) + met.z_interface(i, j, k + 1));
      const double pblh = met.pblh(i, j, 0);
      if (!(temp > 0.0 && pres > 0.0 && rho > 0.0 && std::isfinite(rh))) {
        rr.failed = true;
        rr.i = i;
        rr.reason = "invalid met: T = " + fmt("%g", temp) + " K, p = " + fmt("%g", pres) +
                    " Pa, rho = " + fmt("%g", rho) + " kg m-3, RH = " + fmt("%g", rh);
        break;
      }

      // Aerosol state at the start of the step.
      CellAerosol aer;
      try {
        aer = cell_aerosol(q, rho, temp, rh, opt_);
      } catch (const std::exception& e) {
        rr.failed = true;
        rr.i = i;
        rr.reason = std::string("inorganic thermodynamics failed: ") + e.what();
        break;
      }
      const AerosolSurface surf = aerosol_surface(aer.dry_ug(), aer.thermo.water_ug, opt_.aerosol);

      CellConditions cc;
      cc.temperature_K = temp;
      cc.pressure_Pa = pres;
      cc.air_number_density = rho * 1e3 / kMolarAir * kAvogadro * 1e-6;
      cc.oh = cr.oh;
      cc.j_no2 = cr.j_no2;
      cc.j_no3_no2 = cr.j_no3_no2;
      cc.j_no3_no = cr.j_no3_no;
      const double g_n2o5 =
          gamma_n2o5(aer.thermo.water_ug, aer.so4_ug + aer.no3_p_ug + aer.nh4_p_ug,
                     aer.thermo.no3_p(), opt_.aerosol);
      cc.k_n2o5_het =
          uptake_rate(g_n2o5, kMolarN2O5, temp, surf, opt_.aerosol.gas_diffusivity_cm2_s);
      cc.k_so2_het = uptake_rate(gamma_so2(rh, opt_.aerosol), kMolarSO2, temp, surf,
                                 opt_.aerosol.gas_diffusivity_cm2_s);
      double lwc = nonneg(met.cloud_water(i, j, k)) * rho * 1e3;  // [g m-3]
      if (rh >= opt_.fog_rh) lwc = std::max(lwc, opt_.fog_lwc_g_m3);
      cc.lwc_vol = lwc >= opt_.min_lwc_g_m3 && lwc > 0.0 ? lwc * 1e-6 : 0.0;
      cc.cloud_ph = opt_.cloud_ph;
      cc.o3_clim_ppb = o3_climatology_ppb(mpos, cr.local_hour, z, pblh, opt_.oxidants);
      cc.h2o2_clim_ppb = h2o2_climatology_ppb(mpos, cr.local_hour, z, pblh, opt_.oxidants);
      cc.relax_rate =
          1.0 / (3600.0 * (z <= std::max(pblh, 50.0) ? opt_.relax_bl_hours : opt_.relax_ft_hours));
      cc.yields = opt_.yields;
      const RateConstants rates = rate_constants(cc);

      // Solver state [ppb; SV in µg kg-1].
      std::array<double, kNumSpecies> y{};
      for (const GasMap& g : kGasMap) y[g.species] = q[idx(g.tracer)] * ppb_per_ug_kg(g.species);
      y[kSpSV1] = q[idx(Tracer::kSV1)];  // SV1, SV2 stay in µg kg-1
      y[kSpSV2] = q[idx(Tracer::kSV2)];
      y[kSpO3] = local.o3(i, j, k) * ppb_per_ug_kg(kSpO3);
      y[kSpNO3] = local.no3(i, j, k) * ppb_per_ug_kg(kSpNO3);
      y[kSpN2O5] = local.n2o5(i, j, k) * ppb_per_ug_kg(kSpN2O5);
      y[kSpH2O2] = local.h2o2(i, j, k) * ppb_per_ug_kg(kSpH2O2);
      const std::array<double, kNumSpecies> y_in = y;
      project_state(y.data());  // tiny negative inputs: atom-conserving fix
      const std::array<double, kNumSpecies> y0 = y;
      // The coupled part by the Rosenbrock method: with liquid water the aqueous
      // pathways couple SO2, H2O2 and O3 (core of 8); without, the dry system (core
      // of 6). The first-order losses to the prescribed OH exactly (they do not
      // interact with the coupled part).
      RosenbrockStats rs;
      const bool wet = cc.lwc_vol > 0.0;
      auto solve = [&](const auto& sys) {
        using Sys = std::decay_t<decltype(sys)>;
        std::array<double, Sys::kSize> yl, al;
        Sys::gather(y.data(), yl.data());
        Sys::gather(atol.data(), al.data());
        const SolveStatus st = rosenbrock_solve(sys, yl.data(), dt_s, al.data(), ctl, rs);
        Sys::scatter(yl.data(), y.data());
        return st;
      };
      const SolveStatus status = wet ? solve(CellSystem(rates)) : solve(DryCellSystem(rates));
      if (status == SolveStatus::kOk) advance_first_order(rates, dt_s, wet, y.data());
      ++st.cell_solves;
      st.steps += rs.steps;
      st.rejected += rs.rejected;
      st.max_steps_in_a_cell = std::max(st.max_steps_in_a_cell, rs.steps);
      if (status != SolveStatus::kOk) {
        rr.failed = true;
        rr.i = i;
        rr.reason = std::string(status_name(status)) + " after " + std::to_string(rs.steps) +
                    " steps (" + std::to_string(rs.rejected) + " rejected), reached " +
                    fmt("%g", rs.t) + " of " + fmt("%g", dt_s) + " s, last step " +
                    fmt("%g", rs.h_last) + " s; T = " + fmt("%.1f", temp) +
                    " K, RH = " + fmt("%.2f", rh) + ", liquid water " + fmt("%g", lwc) +
                    " g m-3, OH = " + fmt("%.3g", cr.oh) + " cm-3; at the start NO " +
                    fmt("%.4g", y0[kSpNO]) + ", NO2 " + fmt("%.4g", y0[kSpNO2]) + ", O3 " +
                    fmt("%.4g", y0[kSpO3]) + ", SO2 " + fmt("%.4g", y0[kSpSO2]) + " ppb";
        break;
      }

      // Write back (an unchanged species keeps its exact value; the solver's values
      // are >= 0 after its projection, and so are the converted ones).
      auto update = [&](double& target, int s, double per_ug_kg) {
        if (y[s] != y_in[s]) target = y[s] / per_ug_kg;
      };
      for (const GasMap& g : kGasMap) {
        update(state.tracers[idx(g.tracer)](i, j, k), g.species, ppb_per_ug_kg(g.species));
      }
      update(state.tracers[idx(Tracer::kSV1)](i, j, k), kSpSV1, 1.0);
      update(state.tracers[idx(Tracer::kSV2)](i, j, k), kSpSV2, 1.0);
      update(local.o3(i, j, k), kSpO3, ppb_per_ug_kg(kSpO3));
      update(local.no3(i, j, k), kSpNO3, ppb_per_ug_kg(kSpNO3));
      update(local.n2o5(i, j, k), kSpN2O5, ppb_per_ug_kg(kSpN2O5));
      update(local.h2o2(i, j, k), kSpH2O2, ppb_per_ug_kg(kSpH2O2));
      const double hno3_day = y[kSpHNO3Day] / ppb_per_ug_kg(kSpHNO3Day);  // [µg kg-1]
      const double hno3_night = y[kSpHNO3Night] / ppb_per_ug_kg(kSpHNO3Night);
      const double so4_gas = y[kSpSulfGas] / ppb_per_ug_kg(kSpSulfGas);
      const double so4_aq = y[kSpSulfAq] / ppb_per_ug_kg(kSpSulfAq);
      const double so4_het = y[kSpSulfHet] / ppb_per_ug_kg(kSpSulfHet);
      if (hno3_day + hno3_night != 0.0) {
        state.tracers[idx(Tracer::kTNO3)](i, j, k) += hno3_day + hno3_night;
      }
      if (so4_gas + so4_aq + so4_het != 0.0) {
        state.tracers[idx(Tracer::kSO4)](i, j, k) += so4_gas + so4_aq + so4_het;
      }

      // Produced mass [µg] = Δq [µg kg-1] × air mass [kg].
      const double m_air = state.air_mass(i, j, k);
      for (const GasMap& g : kGasMap) {
        st.net_ug[static_cast<std::size_t>(idx(g.tracer))] +=
            (y[g.species] - y_in[g.species]) / ppb_per_ug_kg(g.species) * m_air;
      }
      st.net_ug[static_cast<std::size_t>(idx(Tracer::kSV1))] += (y[kSpSV1] - y_in[kSpSV1]) * m_air;
      st.net_ug[static_cast<std::size_t>(idx(Tracer::kSV2))] += (y[kSpSV2] - y_in[kSpSV2]) * m_air;
      st.net_ug[static_cast<std::size_t>(idx(Tracer::kTNO3))] += (hno3_day + hno3_night) * m_air;
      st.net_ug[static_cast<std::size_t>(idx(Tracer::kSO4))] +=
          (so4_gas + so4_aq + so4_het) * m_air;
      st.hno3_day_ug += hno3_day * m_air;
      st.hno3_night_ug += hno3_night * m_air;
      st.sulfate_gas_ug += so4_gas * m_air;
      st.sulfate_aqueous_ug += so4_aq * m_air;
      st.sulfate_het_ug += so4_het * m_air;
      if (y[kSpSV1] != y_in[kSpSV1] || y[kSpSV2] != y_in[kSpSV2]) {
        const SoaPartition after =
            partition_soa({nonneg(state.tracers[idx(Tracer::kSV1)](i, j, k)) * rho,
                           nonneg(state.tracers[idx(Tracer::kSV2)](i, j, k)) * rho},
                          aer.cstar, aer.poa_om_ug);
        st.soa_formed_ug += (after.soa - aer.soa.soa) / rho * m_air;
      }
    }
  }

  // Sum the rows in a fixed order; report the first failure in (k, j, i) order.
  for (int row = 0; row < nrows; ++row) {
    const RowResult& rr = rows[row];
    if (rr.failed) {
      const int j = row % ny_, k = row / ny_;
      throw NumericalError("chemistry failed in cell (i, j, k) = (" + std::to_string(i0 + rr.i) +
                           ", " + std::to_string(j0 + j) + ", " + std::to_string(k) +
                           ") in the step from " + format_iso(t_start) + " (" + fmt("%g", dt_s) +
                           " s): " + rr.reason);
    }
    total.add(rr.stats);
  }
  return total;
}

void ChemStepStats::add(const ChemStepStats& s) {
  cell_solves += s.cell_solves;
  steps += s.steps;
  rejected += s.rejected;
  max_steps_in_a_cell = std::max(max_steps_in_a_cell, s.max_steps_in_a_cell);
  sulfate_gas_ug += s.sulfate_gas_ug;
  sulfate_aqueous_ug += s.sulfate_aqueous_ug;
  sulfate_het_ug += s.sulfate_het_ug;
  hno3_day_ug += s.hno3_day_ug;
  hno3_night_ug += s.hno3_night_ug;
  soa_formed_ug += s.soa_formed_ug;
  for (int t = 0; t < kNumTracers; ++t) net_ug[t] += s.net_ug[t];
}

void ChemistryOperator::set_last_oh(std::vector<double> oh) {
  if (oh.size() != last_oh_.size()) {
    throw std::invalid_argument("ChemistryOperator::set_last_oh: " + std::to_string(oh.size()) +
                                " values for " + std::to_string(last_oh_.size()) + " columns");
  }
  last_oh_ = std::move(oh);
}

AerosolDiagnostics ChemistryOperator::make_diagnostics(int nx, int ny, int nz) {
  auto f = [&](const char* name, const char* units) { return Field(name, units, nx, ny, nz, 0); };
  return AerosolDiagnostics{
      f("NO3_particle", "ug m-3"), f("NH4_particle", "ug m-3"), f("aerosol_water", "ug m-3"),
      f("SOA", "ug m-3"),          f("HNO3_gas", "ug m-3"),     f("NH3_gas", "ug m-3"),
      f("TNO3_gas_fraction", "1"), f("TNH3_gas_fraction", "1"), f("SV1_gas_fraction", "1"),
      f("SV2_gas_fraction", "1"),  f("O3", "ug m-3"),           f("OH", "molecule cm-3")};
}

void ChemistryOperator::diagnose(const State& state, const LocalChemState& local,
                                 const MetRecord& met, AerosolDiagnostics& out, int k_begin,
                                 int k_end) const {
  k_begin = std::max(k_begin, 0);
  k_end = std::min(k_end, nz_);
  check_shape(out.no3_p, nx_, ny_, nz_, "the diagnostics");
  const int nrows = ny_ * std::max(k_end - k_begin, 0);
  std::vector<std::string> errors(static_cast<std::size_t>(nrows));
#pragma omp parallel for schedule(dynamic, 1) if (nrows * nx_ >= kMinCellsForThreads)
  for (int row = 0; row < nrows; ++row) {
    const int j = row % ny_, k = k_begin + row / ny_;
    for (int i = 0; i < nx_; ++i) {
      std::array<double, kNumTracers> q;
      for (int t = 0; t < kNumTracers; ++t) q[t] = state.tracers[t](i, j, k);
      const double rho = met.density(i, j, k);
      CellAerosol a;
      try {
        a = cell_aerosol(q, rho, met.temperature(i, j, k), met.rel_humidity(i, j, k), opt_);
      } catch (const std::exception& e) {
        errors[row] = "cell (" + std::to_string(i) + ", " + std::to_string(j) + ", " +
                      std::to_string(k) + "): " + e.what();
        break;
      }
      const ThermoResult& th = a.thermo;
      out.no3_p(i, j, k) = a.no3_p_ug;
      out.nh4_p(i, j, k) = a.nh4_p_ug;
      out.water(i, j, k) = th.water_ug;
      out.soa(i, j, k) = a.soa.soa;
      out.hno3_g(i, j, k) = th.hno3_g * kMolarHNO3;
      out.nh3_g(i, j, k) = th.nh3_g * kMolarNH3;
      const double tn = th.hno3_g + th.no3_p(), ta = th.nh3_g + th.nh4_p();
      out.gas_frac_tno3(i, j, k) = tn > 0.0 ? th.hno3_g / tn : 1.0;
      out.gas_frac_tnh3(i, j, k) = ta > 0.0 ? th.nh3_g / ta : 1.0;
      out.gas_frac_sv1(i, j, k) = 1.0 - a.soa.particle_fraction[0];
      out.gas_frac_sv2(i, j, k) = 1.0 - a.soa.particle_fraction[1];
      out.o3(i, j, k) = local.o3(i, j, k) * rho;
      out.oh(i, j, k) = last_oh_[static_cast<std::size_t>(j) * nx_ + i];
    }
  }
  for (const std::string& e : errors) {
    if (!e.empty()) throw NumericalError("chemistry diagnostics: " + e);
  }
}

}  // namespace fwaq::chem

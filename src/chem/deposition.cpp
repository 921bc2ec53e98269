#include "chem/deposition.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/config.hpp"
#include "core/error.hpp"

namespace fwaq::chem {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kPi = 3.14159265358979323846;
constexpr double kMolarAirKg = 0.0289647;  // [kg mol-1]
constexpr double kRatm = 0.082057366;      // gas constant [L atm mol-1 K-1]
constexpr double kT0 = 273.15;             // [K]
constexpr double kTref = 298.15;           // reference temperature of Henry constants [K]
constexpr double kDryAirR = 287.05;        // gas constant of dry air [J kg-1 K-1]

/// x if it lies in [lo, hi], else fallback (NaN -> fallback).
double sane(double x, double lo, double hi, double fallback) {
  return (x >= lo && x <= hi) ? x : fallback;
}

/// a / r with 0 / anything = 0 and a / 0 = inf (conductance of a pathway).
double ratio(double a, double r) {
  if (a == 0.0) return 0.0;
  return r == 0.0 ? kInf : a / r;
}

// ---- Wesely (1989) Table 3 (as corrected by Walmsley & Wesely 1996), for the land uses of
// LandUse mapped to Wesely categories: urban -> 1 (urban land), cropland -> 2 (agricultural
// land), grassland -> 3 (range land), forest -> 6 (mixed forest), barren -> 8 (barren land,
// mostly desert), water -> 7 (water). Rows: LandUse; columns: seasons 1-5. 9999 of the paper
// (no uptake) is written as infinity. [s m-1]
using SeasonRow = std::array<double, 5>;
using LuTable = std::array<SeasonRow, kNumLandUse>;
// minimum stomatal resistance for water vapour r_i
constexpr LuTable kRi{{{kInf, kInf, kInf, kInf, kInf},
                       {60, kInf, kInf, kInf, 120},
                       {120, kInf, kInf, kInf, 240},
                       {100, 500, 500, 800, 190},
                       {kInf, kInf, kInf, kInf, kInf},
                       {kInf, kInf, kInf, kInf, kInf}}};
// upper canopy (leaf cuticles) r_lu
constexpr LuTable kRlu{{{kInf, kInf, kInf, kInf, kInf},
                        {2000, 9000, kInf, kInf, 4000},
                        {2000, 9000, 9000, kInf, 4000},
                        {2000, 8000, 8000, 9000, 3000},
                        {kInf, kInf, kInf, kInf, kInf},
                        {kInf, kInf, kInf, kInf, kInf}}};
// in-canopy transfer (canopy height and density) r_ac
constexpr LuTable kRac{{{100, 100, 100, 100, 100},
                        {200, 150, 10, 10, 50},
                        {100, 100, 100, 10, 80},
                        {2000, 1700, 1500, 1500, 1500},
                        {0, 0, 0, 0, 0},
                        {0, 0, 0, 0, 0}}};
// ground uptake of SO2 r_gsS (water: 0 in the paper; 1 s m-1 here, so that the ground pathway of
// a barely soluble gas such as CO stays closed over water while SO2 still meets the R_c floor)
constexpr LuTable kRgsS{{{400, 400, 400, 100, 500},
                         {150, 200, 150, 100, 150},
                         {350, 350, 350, 100, 350},
                         {100, 100, 200, 100, 200},
                         {1000, 1000, 1000, 1000, 1000},
                         {1, 1, 1, 1, 1}}};
// ground uptake of O3 r_gsO
constexpr LuTable kRgsO{{{300, 300, 300, 600, 300},
                         {150, 150, 150, 3500, 150},
                         {200, 200, 200, 3500, 200},
                         {300, 300, 300, 3500, 300},
                         {400, 400, 400, 400, 400},
                         {2000, 2000, 2000, 2000, 2000}}};
// lower canopy uptake of SO2 r_clS
constexpr LuTable kRclS{{{kInf, kInf, kInf, kInf, kInf},
                         {2000, 9000, kInf, kInf, 4000},
                         {2000, 9000, 9000, kInf, 4000},
                         {2000, 4000, 6000, 400, 3000},
                         {kInf, kInf, kInf, kInf, kInf},
                         {kInf, kInf, kInf, kInf, kInf}}};
// lower canopy uptake of O3 r_clO
constexpr LuTable kRclO{{{kInf, kInf, kInf, kInf, kInf},
                         {1000, 400, 1000, 1000, 1000},
                         {1000, 400, 400, 1000, 500},
                         {1000, 600, 600, 600, 700},
                         {kInf, kInf, kInf, kInf, kInf},
                         {kInf, kInf, kInf, kInf, kInf}}};
// Roughness length [m] by Wesely category and season (AERMET values as tabulated in CAMx for
// the Wesely categories).
constexpr LuTable kZ0{{{1.0, 1.0, 1.0, 1.0, 1.0},
                       {0.20, 0.05, 0.05, 0.01, 0.03},
                       {0.10, 0.01, 0.01, 0.001, 0.05},
                       {1.30, 1.05, 1.05, 0.90, 1.15},
                       {0.002, 0.002, 0.002, 0.002, 0.002},
                       {0.0001, 0.0001, 0.0001, 0.0001, 0.0001}}};

// ---- Zhang et al. (2001) Table 3: urban -> LUC 15 (urban), cropland -> 7 (crops, mixed
// farming), grassland -> 6 (grass), forest -> 5 (mixed broadleaf and needleleaf trees),
// barren -> 8 (desert), water -> 13 (inland water).
struct ZhangParams {
  double alpha;
  double gamma;
  SeasonRow a_mm;  // characteristic radius of the collectors [mm]; 0: none (smooth surface)
};
constexpr std::array<ZhangParams, kNumLandUse> kZhang{{
    {1.5, 0.56, {10, 10, 10, 10, 10}},
    {1.2, 0.54, {2, 2, 5, 5, 2}},
    {1.2, 0.54, {2, 2, 5, 5, 2}},
    {0.8, 0.56, {5, 5, 5, 5, 5}},
    {50.0, 0.54, {0, 0, 0, 0, 0}},
    {100.0, 0.50, {0, 0, 0, 0, 0}},
}};

double graham(double molar_mass) {
  return std::sqrt(molar_mass / 18.015);
}

// Gas phase of every tracer: H* [M atm-1], f0, D_H2O/D_x, wet kind. Sources in
// docs/science/deposition.md; particle-only tracers get an unused entry.
const std::array<dep::GasProperties, kNumTracers> kGas{{
    {1e5, 0.0, 1.9, dep::WetKind::kSulfurDioxide},         // SO2 (Wesely 1989)
    {3e-3, 0.0, 1.3, dep::WetKind::kNone},                 // NO (Walmsley & Wesely 1996)
    {1e-2, 0.1, 1.6, dep::WetKind::kNone},                 // NO2 (Wesely 1989)
    {1e14, 0.0, 1.9, dep::WetKind::kMassTransfer},         // HNO3 (Wesely 1989)
    {2e4, 0.0, 0.97, dep::WetKind::kMassTransfer},         // NH3 (Walmsley & Wesely 1996)
    {1e-3, 0.0, graham(kMolarCO), dep::WetKind::kNone},    // CO (Sander 2015)
    {1e-3, 0.0, graham(72.0), dep::WetKind::kNone},        // alkanes (n-pentane)
    {5e-3, 0.0, graham(42.0), dep::WetKind::kNone},        // alkenes (propene)
    {0.15, 0.0, graham(92.14), dep::WetKind::kNone},       // toluene
    {0.15, 0.0, graham(106.17), dep::WetKind::kNone},      // xylenes
    {1e5, 0.0, graham(200.0), dep::WetKind::kReversible},  // SV1 gas (200 g mol-1)
    {1e5, 0.0, graham(150.0), dep::WetKind::kReversible},  // SV2 gas (150 g mol-1)
    {0.0, 0.0, 1.0, dep::WetKind::kNone},                  // SO4 (particle only)
    {0.0, 0.0, 1.0, dep::WetKind::kNone},                  // POA
    {0.0, 0.0, 1.0, dep::WetKind::kNone},                  // BC
    {0.0, 0.0, 1.0, dep::WetKind::kNone},                  // OPM
    {0.0, 0.0, 1.0, dep::WetKind::kNone},                  // PMC
}};

// 10-point Gauss-Hermite nodes (positive half) and weights: ∫ exp(-x²) f(x) dx.
constexpr std::array<double, 5> kGhNode{0.3429013272237046, 1.0366108297895137, 1.7566836492998818,
                                        2.5327316742327897, 3.4361591188377376};
constexpr std::array<double, 5> kGhWeight{6.108626337353258e-01, 2.401386110823147e-01,
                                          3.387439445548106e-02, 1.343645746781233e-03,
                                          7.640432855232621e-06};

int lu_index(LandUse lu) {
  const int k = static_cast<int>(lu);
  if (k < 0 || k >= kNumLandUse) throw std::invalid_argument("deposition: bad land use");
  return k;
}
int season_index(int season) {
  if (season < 1 || season > 5) throw std::invalid_argument("deposition: season must be 1-5");
  return season - 1;
}

bool is_fine(int n) {
  return n != idx(Tracer::kPMC);
}

std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void check_2d(const Field& f, int nx, int ny, const char* what) {
  if (f.nx() != nx || f.ny() != ny || f.nz() < 1)
    throw std::invalid_argument(std::string("deposition: ") + what + " has shape (" +
                                std::to_string(f.nx()) + ", " + std::to_string(f.ny()) + ", " +
                                std::to_string(f.nz()) + "), expected (" + std::to_string(nx) +
                                ", " + std::to_string(ny) + ", 1)");
}

void check_3d(const Field& f, int nx, int ny, int nz, const char* what) {
  if (f.nx() != nx || f.ny() != ny || f.nz() != nz)
    throw std::invalid_argument(std::string("deposition: ") + what + " has shape (" +
                                std::to_string(f.nx()) + ", " + std::to_string(f.ny()) + ", " +
                                std::to_string(f.nz()) + "), expected (" + std::to_string(nx) +
                                ", " + std::to_string(ny) + ", " + std::to_string(nz) + ")");
}

/// Gas fraction of tracer n at (i, j, k): 1 for gases, 0 for particles, the split otherwise.
double gas_fraction(const PhaseSplit& split, int n, int i, int j, int k) {
  const TracerInfo& info = kTracerInfo[n];
  if (!info.particle_phase) return 1.0;
  if (!info.gas_phase) return 0.0;
  const Field* f = split.gas_fraction[n];
  if (f == nullptr) return 1.0;
  const double v = (*f)(i, j, k);
  return v >= 0.0 ? std::min(v, 1.0) : 0.0;  // NaN -> 0
}

void check_split(const PhaseSplit& split, int nx, int ny, int nz_min) {
  for (int n = 0; n < kNumTracers; ++n) {
    const Field* f = split.gas_fraction[n];
    if (f == nullptr) continue;
    if (f->nx() != nx || f->ny() != ny || f->nz() < nz_min)
      throw std::invalid_argument("deposition: gas fraction of " +
                                  std::string(kTracerInfo[n].name) + " has the wrong shape");
  }
}

void size_outputs(std::vector<Field>& out, int nx, int ny, int nz, const char* prefix,
                  const char* units) {
  bool ok = out.size() == static_cast<std::size_t>(kNumTracers);
  for (std::size_t n = 0; ok && n < out.size(); ++n)
    ok = out[n].nx() == nx && out[n].ny() == ny && out[n].nz() == nz;
  if (ok) return;
  out.clear();
  out.reserve(kNumTracers);
  for (int n = 0; n < kNumTracers; ++n)
    out.emplace_back(std::string(prefix) + std::string(kTracerInfo[n].name), units, nx, ny, nz, 0);
}

}  // namespace

// =====================================================================================
LandUse classify_land_use(double terrain_m, double urban_share) {
  const double urban = std::isfinite(urban_share) ? urban_share : 0.0;
  const double z = std::isfinite(terrain_m) ? terrain_m : 0.0;
  if (urban >= 0.5) return LandUse::kUrban;
  if (z < 1000.0) return LandUse::kCropland;
  if (z < 1600.0) return LandUse::kGrassland;
  return LandUse::kForest;
}

// =====================================================================================
void DepositionOptions::validate() const {
  auto need = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument("deposition options: " + what);
  };
  for (const ParticleMode* m : {&fine, &coarse}) {
    const std::string name = m == &fine ? "fine" : "coarse";
    need(m->mmd_dry_um >= 0.001 && m->mmd_dry_um <= 100.0, name + " diameter outside 0.001-100 µm");
    need(m->sigma_g >= 1.0 && m->sigma_g <= 3.0, name + " sigma_g outside 1-3");
    need(m->density_kg_m3 >= 500.0 && m->density_kg_m3 <= 5000.0,
         name + " density outside 500-5000 kg m-3");
    need(m->kappa >= 0.0 && m->kappa <= 1.5, name + " kappa outside 0-1.5");
    need(m->activated >= 0.0 && m->activated <= 1.0, name + " activated fraction outside 0-1");
    need(m->below_a_per_s >= 0.0 && m->below_a_per_s <= 1e-2,
         name + " below-cloud a outside 0-1e-2 s-1");
    need(m->below_b >= 0.0 && m->below_b <= 2.0, name + " below-cloud b outside 0-2");
  }
  need(ustar_min > 0.0 && ustar_min <= 1.0, "ustar_min outside (0, 1] m s-1");
  need(hno3_rc >= 0.0 && hno3_rc <= 1e4, "hno3_rc outside 0-1e4 s m-1");
  need(rc_min >= 0.0 && rc_min <= 1e3, "rc_min outside 0-1000 s m-1");
  need(rain_ph >= 2.0 && rain_ph <= 9.0, "rain_ph outside 2-9");
  need(precip_min >= 0.0 && precip_min <= 10.0, "precip_min outside 0-10 mm h-1");
  need(cloud_water_min > 0.0 && cloud_water_min <= 1e-2, "cloud_water_min outside (0, 0.01]");
  need(assumed_cloud_base >= 0.0 && assumed_cloud_base < assumed_cloud_top &&
           assumed_cloud_top <= 20000.0,
       "assumed cloud needs 0 <= base < top <= 20000 m");
  need(assumed_cloud_lwc > 0.0 && assumed_cloud_lwc <= 5.0, "assumed_cloud_lwc outside (0, 5]");
}

DepositionOptions DepositionOptions::from_config(const ConfigSection* s) {
  DepositionOptions o;
  if (s == nullptr) return o;
  auto num = [&](const std::string& key, double& v, double lo, double hi) {
    if (!s->has(key)) return;
    v = s->required<double>(key);
    if (!(v >= lo && v <= hi))
      throw InputError(
          s->file(), s->name(key),
          "value " + fmt(v) + " is out of range; expected " + fmt(lo) + " to " + fmt(hi));
  };
  auto flag = [&](const std::string& key, bool& v) { v = s->optional<bool>(key, v); };
  for (ParticleMode* m : {&o.fine, &o.coarse}) {
    const std::string p = m == &o.fine ? "fine_" : "coarse_";
    num(p + "diameter_um", m->mmd_dry_um, 0.001, 100.0);
    num(p + "sigma_g", m->sigma_g, 1.0, 3.0);
    num(p + "density_kg_m3", m->density_kg_m3, 500.0, 5000.0);
    num(p + "kappa", m->kappa, 0.0, 1.5);
    num(p + "activated_fraction", m->activated, 0.0, 1.0);
    num(p + "below_cloud_a_per_s", m->below_a_per_s, 0.0, 1e-2);
    num(p + "below_cloud_b", m->below_b, 0.0, 2.0);
  }
  flag("winter_snow", o.winter_snow);
  num("ustar_min_m_s", o.ustar_min, 1e-4, 1.0);
  num("hno3_rc_s_m", o.hno3_rc, 0.0, 1e4);
  num("rc_min_s_m", o.rc_min, 0.0, 1e3);
  flag("wet_scavenging", o.wet_scavenging);
  flag("in_cloud_scavenging", o.in_cloud);
  flag("below_cloud_scavenging", o.below_cloud);
  num("rain_ph", o.rain_ph, 2.0, 9.0);
  num("precip_min_mm_h", o.precip_min, 0.0, 10.0);
  num("cloud_water_min_kg_kg", o.cloud_water_min, 1e-9, 1e-2);
  num("assumed_cloud_base_m", o.assumed_cloud_base, 0.0, 20000.0);
  num("assumed_cloud_top_m", o.assumed_cloud_top, 0.0, 20000.0);
  num("assumed_cloud_lwc_g_m3", o.assumed_cloud_lwc, 1e-3, 5.0);
  if (!(o.assumed_cloud_top > o.assumed_cloud_base))
    throw InputError(s->file(), s->name("assumed_cloud_top_m"),
                     "value " + fmt(o.assumed_cloud_top) +
                         " must lie above assumed_cloud_base_m = " + fmt(o.assumed_cloud_base));
  return o;
}

void DepositionOptions::describe_keys(Schema::Section s) {
  const DepositionOptions d;
  for (const ParticleMode* m : {&d.fine, &d.coarse}) {
    const std::string p = m == &d.fine ? "fine_" : "coarse_";
    const std::string mode = m == &d.fine ? " of the fine mode" : " of the coarse mode";
    s.real(p + "diameter_um", m->mmd_dry_um, "dry mass median diameter" + mode + " [um]")
        .real(p + "sigma_g", m->sigma_g, "geometric standard deviation" + mode + " [1]")
        .real(p + "density_kg_m3", m->density_kg_m3, "dry particle density" + mode + " [kg m-3]")
        .real(p + "kappa", m->kappa, "hygroscopicity parameter kappa" + mode + " [1]")
        .real(p + "activated_fraction", m->activated,
              "mass fraction taken into cloud water" + mode + " [1]")
        .real(p + "below_cloud_a_per_s", m->below_a_per_s,
              "below-cloud scavenging a in a P^b at P = 1 mm h-1" + mode + " [s-1]")
        .real(p + "below_cloud_b", m->below_b, "below-cloud scavenging exponent b" + mode + " [1]");
  }
  s.flag("winter_snow", d.winter_snow, "December-February as the snow season of Wesely (1989)")
      .real("ustar_min_m_s", d.ustar_min, "lower bound of the friction velocity [m s-1]")
      .real("hno3_rc_s_m", d.hno3_rc, "surface resistance of HNO3 [s m-1]")
      .real("rc_min_s_m", d.rc_min, "lower bound of the surface resistance of every gas [s m-1]")
      .flag("wet_scavenging", d.wet_scavenging, "wet scavenging on or off")
      .flag("in_cloud_scavenging", d.in_cloud, "in-cloud scavenging on or off")
      .flag("below_cloud_scavenging", d.below_cloud, "below-cloud scavenging on or off")
      .real("rain_ph", d.rain_ph, "pH of cloud and rain water for the SO2 solubility [1]")
      .real("precip_min_mm_h", d.precip_min, "precipitation below this counts as none [mm h-1]")
      .real("cloud_water_min_kg_kg", d.cloud_water_min, "cloud water counting as cloud [kg kg-1]")
      .real("assumed_cloud_base_m", d.assumed_cloud_base,
            "cloud base without cloud-water data [m above ground]")
      .real("assumed_cloud_top_m", d.assumed_cloud_top,
            "cloud top without cloud-water data [m above ground]")
      .real("assumed_cloud_lwc_g_m3", d.assumed_cloud_lwc,
            "liquid water content of that cloud [g m-3]");
}

// =====================================================================================
namespace dep {

const GasProperties& gas_properties(int tracer) {
  if (tracer < 0 || tracer >= kNumTracers)
    throw std::invalid_argument("deposition: tracer index out of range");
  return kGas[tracer];
}

int wesely_season(TimePoint t, bool winter_snow) {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  const unsigned m = static_cast<unsigned>(ymd.month());
  // 35-50 °N band of the CAMx season table: Dec-Feb winter, Mar-May spring, Jun-Aug summer,
  // Sep-Nov autumn.
  static constexpr std::array<int, 12> kSeason{3, 3, 5, 5, 5, 1, 1, 1, 2, 2, 2, 3};
  const int s = kSeason[m - 1];
  return (s == 3 && winter_snow) ? 4 : s;
}

double roughness_length(LandUse lu, int season) {
  return kZ0[lu_index(lu)][season_index(season)];
}

double inverse_obukhov_length(double ustar, double hfx, double temperature, double rho) {
  const double u3 = ustar * ustar * ustar;
  return -kKarman * kGravity * hfx / (rho * kCpAir * temperature * u3);
}

double psi_heat(double zeta) {
  if (zeta >= 0.0) return zeta <= 1.0 ? -5.0 * zeta : -5.0 * (1.0 + std::log(zeta));
  const double x = std::sqrt(std::sqrt(1.0 - 16.0 * zeta));
  return 2.0 * std::log(0.5 * (1.0 + x * x));
}

double aerodynamic_resistance(double z_ref, double z0, double ustar, double inv_L) {
  const double zeta = std::clamp(z_ref * inv_L, -10.0, 10.0);
  const double zeta0 = std::clamp(z0 * inv_L, -10.0, 10.0);
  return (std::log(z_ref / z0) - psi_heat(zeta) + psi_heat(zeta0)) / (kKarman * ustar);
}

double quasi_laminar_resistance(double ustar, double schmidt) {
  return 2.0 / (kKarman * ustar) * std::pow(schmidt / kPrandtl, 2.0 / 3.0);
}

double air_viscosity(double temperature) {
  return 1.458e-6 * temperature * std::sqrt(temperature) / (temperature + 110.4);
}

double water_vapour_diffusivity(double temperature, double pressure) {
  return 2.178e-5 * std::pow(temperature / kT0, 1.81) * (101325.0 / pressure);
}

double mean_free_path(double temperature, double pressure) {
  const double mean_speed = std::sqrt(8.0 * kMolarAirKg / (kPi * kGasConstant * temperature));
  return 2.0 * air_viscosity(temperature) / (pressure * mean_speed);
}

double slip_correction(double d, double temperature, double pressure) {
  const double kn2 = 2.0 * mean_free_path(temperature, pressure) / d;  // 2 lambda / d
  return 1.0 + kn2 * (1.257 + 0.4 * std::exp(-1.1 / kn2));
}

double settling_velocity(double d, double density, double temperature, double pressure) {
  return density * d * d * kGravity * slip_correction(d, temperature, pressure) /
         (18.0 * air_viscosity(temperature));
}

double wesely_surface_resistance(const GasProperties& gas, LandUse lu, int season, double swdown,
                                 double t_surface_c) {
  const int l = lu_index(lu);
  const int s = season_index(season);
  const double g = std::max(0.0, swdown);
  const double ts = t_surface_c;
  // stomata (eq. 3), closed outside 0-40 °C, plus mesophyll (eq. 6)
  double rs = kInf;
  if (ts > 0.0 && ts < 40.0 && kRi[l][s] < kInf) {
    const double light = 200.0 / (g + 0.1);
    rs = kRi[l][s] * (1.0 + light * light) * (400.0 / (ts * (40.0 - ts)));
  }
  const double gm = gas.henry / 3000.0 + 100.0 * gas.f0;
  const double rm = gm > 0.0 ? 1.0 / gm : kInf;
  const double rsm = rs * gas.diff_ratio + rm;
  // upper canopy (eq. 7), lower canopy (eq. 8), ground (eq. 9)
  const double cu = 1e-5 * gas.henry + gas.f0;
  double rlu = cu > 0.0 ? kRlu[l][s] / cu : kInf;
  const double gcl = ratio(1e-5 * gas.henry, kRclS[l][s]) + ratio(gas.f0, kRclO[l][s]);
  double rcl = gcl > 0.0 ? 1.0 / gcl : kInf;
  const double ggs = ratio(1e-5 * gas.henry, kRgsS[l][s]) + ratio(gas.f0, kRgsO[l][s]);
  double rgs = ggs > 0.0 ? 1.0 / ggs : kInf;
  // cold surfaces: all non-stomatal surface resistances grow by 1000 exp(-Ts - 4)
  if (ts < 0.0) {
    const double cold = 1000.0 * std::exp(-ts - 4.0);
    rlu += cold;
    rcl += cold;
    rgs += cold;
  }
  // buoyant convection in canopies (eq. 5), flat terrain
  const double rdc = 100.0 * (1.0 + 1000.0 / (g + 10.0));
  const double conductance = 1.0 / rsm + 1.0 / rlu + 1.0 / (rdc + rcl) + 1.0 / (kRac[l][s] + rgs);
  return 1.0 / conductance;
}

double particle_velocity(double d, double density, LandUse lu, int season, double ustar, double ra,
                         double temperature, double pressure, double rho_air) {
  const ZhangParams& z = kZhang[lu_index(lu)];
  const double a = z.a_mm[season_index(season)] * 1e-3;  // [m]
  const double mu = air_viscosity(temperature);
  const double nu = mu / rho_air;
  const double cc = slip_correction(d, temperature, pressure);
  const double vg = density * d * d * kGravity * cc / (18.0 * mu);
  const double diffusivity = kBoltzmann * temperature * cc / (3.0 * kPi * mu * d);
  const double sc = nu / diffusivity;
  // Stokes number: vegetated / rough (Slinn 1982) or smooth surfaces (Giorgi 1986)
  const double st = a > 0.0 ? vg * ustar / (kGravity * a) : vg * ustar * ustar / (kGravity * nu);
  const double eb = std::pow(sc, -z.gamma);
  const double r_im = st / (z.alpha + st);
  const double eim = r_im * r_im;
  const double ein = a > 0.0 ? 0.5 * (d / a) * (d / a) : 0.0;
  const double r1 = std::exp(-std::sqrt(st));
  const double collection = 3.0 * ustar * (eb + eim + ein) * r1;  // 1 / R_s, epsilon0 = 3
  const double rs = collection > 0.0 ? 1.0 / collection : kInf;
  return vg + 1.0 / (ra + rs);
}

double growth_factor(double kappa, double rh) {
  const double s = std::clamp(rh, 0.0, 0.95);
  return std::cbrt(1.0 + kappa * s / (1.0 - s));
}

double mode_velocity(const ParticleMode& mode, double rh, LandUse lu, int season, double ustar,
                     double ra, double temperature, double pressure, double rho_air) {
  const double gf = growth_factor(mode.kappa, rh);
  const double g3 = gf * gf * gf;
  const double rho_wet = (mode.density_kg_m3 + (g3 - 1.0) * kWaterDensity) / g3;
  const double d_mid = mode.mmd_dry_um * 1e-6 * gf;
  const double s = std::sqrt(2.0) * std::log(std::max(1.0, mode.sigma_g));
  auto v = [&](double d) {
    return particle_velocity(d, rho_wet, lu, season, ustar, ra, temperature, pressure, rho_air);
  };
  if (s == 0.0) return v(d_mid);
  double sum = 0.0;
  for (std::size_t q = 0; q < kGhNode.size(); ++q)
    sum +=
        kGhWeight[q] * (v(d_mid * std::exp(-s * kGhNode[q])) + v(d_mid * std::exp(s * kGhNode[q])));
  return sum / std::sqrt(kPi);
}

double raindrop_diameter(double precip_mm_h) {
  return 0.895e-3 * std::pow(precip_mm_h, 0.21);
}

double raindrop_speed(double d) {
  return std::max(0.5, 9.65 - 10.3 * std::exp(-600.0 * d));
}

double gas_mass_transfer_rate(double precip_mm_h, double diff_ratio, double temperature,
                              double pressure, double rho_air) {
  const double dd = raindrop_diameter(precip_mm_h);
  const double ut = raindrop_speed(dd);
  const double nu = air_viscosity(temperature) / rho_air;
  const double dg = water_vapour_diffusivity(temperature, pressure) / diff_ratio;
  const double re = dd * ut / nu;
  const double sc = nu / dg;
  const double sh = 2.0 + 0.6 * std::sqrt(re) * std::cbrt(sc);
  const double kc = sh * dg / dd;
  const double p0 = precip_mm_h / 3.6e6;  // [m s-1]
  return 6.0 * kc * p0 / (dd * ut);
}

double so2_effective_henry(double temperature, double ph) {
  const double dt = 1.0 / temperature - 1.0 / kTref;
  const double h = 1.23 * std::exp(3120.0 * dt);
  const double k1 = 1.3e-2 * std::exp(1960.0 * dt);
  const double k2 = 6.6e-8 * std::exp(1500.0 * dt);
  const double hplus = std::pow(10.0, -ph);
  return h * (1.0 + k1 / hplus + k1 * k2 / (hplus * hplus));
}

double dimensionless_henry(const GasProperties& gas, double temperature, double ph) {
  const double h =
      gas.wet == WetKind::kSulfurDioxide ? so2_effective_henry(temperature, ph) : gas.henry;
  return h * kRatm * temperature;
}

}  // namespace dep

// =====================================================================================
DryDeposition::DryDeposition(int nx, int ny, DepositionOptions opt) : nx_(nx), ny_(ny), opt_(opt) {
  if (nx < 1 || ny < 1) throw std::invalid_argument("DryDeposition: empty grid");
  opt_.validate();
}

void DryDeposition::velocities(const MetRecord& met, const Field& land_use, const PhaseSplit& split,
                               TimePoint t, std::vector<Field>& vd_out) const {
  if (met.nx != nx_ || met.ny != ny_ || met.nz < 1)
    throw std::invalid_argument("DryDeposition: met record does not match the grid");
  check_2d(land_use, nx_, ny_, "land use");
  for (const Field* f : {&met.ustar, &met.hfx, &met.t2, &met.psfc, &met.swdown})
    check_2d(*f, nx_, ny_, "a surface met field");
  check_3d(met.density, nx_, ny_, met.nz, "met density");
  check_3d(met.temperature, nx_, ny_, met.nz, "met temperature");
  check_3d(met.rel_humidity, nx_, ny_, met.nz, "met relative humidity");
  check_3d(met.z_interface, nx_, ny_, met.nz + 1, "met z_interface");
  check_split(split, nx_, ny_, 1);
  for (int j = 0; j < ny_; ++j)
    for (int i = 0; i < nx_; ++i) {
      const double v = land_use(i, j, 0);
      if (!(v >= 0.0 && v < kNumLandUse && v == std::floor(v)))
        throw std::invalid_argument("DryDeposition: land use " + fmt(v) + " at cell (" +
                                    std::to_string(i) + ", " + std::to_string(j) +
                                    ") is not a LandUse value 0-5");
    }
  size_outputs(vd_out, nx_, ny_, 1, "vd_", "m s-1");

  const int season = dep::wesely_season(t, opt_.winter_snow);
  const int tno3 = idx(Tracer::kTNO3);
#pragma omp parallel for schedule(static)
  for (int j = 0; j < ny_; ++j) {
    std::array<double, kNumTracers> vgas{};
    for (int i = 0; i < nx_; ++i) {
      const auto lu = static_cast<LandUse>(static_cast<int>(land_use(i, j, 0)));
      // near-surface met, with non-physical values replaced
      const double t_air = sane(met.temperature(i, j, 0), 150.0, 350.0, 273.15);
      const double t2 = sane(met.t2(i, j, 0), 150.0, 350.0, t_air);
      const double psfc = sane(met.psfc(i, j, 0), 2e4, 1.2e5, 101325.0);
      const double rho = sane(met.density(i, j, 0), 0.1, 2.0, psfc / (kDryAirR * t_air));
      const double ustar = sane(met.ustar(i, j, 0), opt_.ustar_min, 10.0, opt_.ustar_min);
      const double hfx = sane(met.hfx(i, j, 0), -2000.0, 2000.0, 0.0);
      const double g = sane(met.swdown(i, j, 0), 0.0, 2000.0, 0.0);
      const double rh = sane(met.rel_humidity(i, j, 0), 0.0, 1.0, 0.5);
      const double z0 = dep::roughness_length(lu, season);
      const double dz = met.z_interface(i, j, 1) - met.z_interface(i, j, 0);
      const double z_ref = std::max(sane(0.5 * dz, 0.0, 5000.0, 10.0), z0 + 1.0);
      const double inv_l = dep::inverse_obukhov_length(ustar, hfx, t2, rho);
      const double ra = dep::aerodynamic_resistance(z_ref, z0, ustar, inv_l);
      const double nu = dep::air_viscosity(t_air) / rho;
      const double d_h2o = dep::water_vapour_diffusivity(t_air, psfc);
      for (int n = 0; n < kNumTracers; ++n) {
        if (!kTracerInfo[n].gas_phase) continue;
        const dep::GasProperties& gas = kGas[n];
        const double rb = dep::quasi_laminar_resistance(ustar, nu * gas.diff_ratio / d_h2o);
        const double rc = n == tno3 ? opt_.hno3_rc
                                    : std::max(opt_.rc_min, dep::wesely_surface_resistance(
                                                                gas, lu, season, g, t2 - kT0));
        vgas[n] = dep::series_velocity(ra, rb, rc);
      }
      const double v_fine =
          dep::mode_velocity(opt_.fine, rh, lu, season, ustar, ra, t_air, psfc, rho);
      const double v_coarse =
          dep::mode_velocity(opt_.coarse, rh, lu, season, ustar, ra, t_air, psfc, rho);
      for (int n = 0; n < kNumTracers; ++n) {
        const double f = gas_fraction(split, n, i, j, 0);
        const double vp = is_fine(n) ? v_fine : v_coarse;
        vd_out[n](i, j, 0) = f >= 1.0 ? vgas[n] : (f <= 0.0 ? vp : f * vgas[n] + (1.0 - f) * vp);
      }
    }
  }
}

void DryDeposition::conductances(const MetRecord& met, const Field& land_use,
                                 const Field& cell_area_m2, const PhaseSplit& split, TimePoint t,
                                 std::vector<Field>& out) const {
  check_2d(cell_area_m2, nx_, ny_, "cell area");
  std::vector<Field> vd;
  velocities(met, land_use, split, t, vd);
  size_outputs(out, nx_, ny_, 1, "D_", "kg s-1");
#pragma omp parallel for schedule(static)
  for (int j = 0; j < ny_; ++j)
    for (int i = 0; i < nx_; ++i) {
      const double rho = met.density(i, j, 0);
      const double area = cell_area_m2(i, j, 0);
      for (int n = 0; n < kNumTracers; ++n) out[n](i, j, 0) = rho * vd[n](i, j, 0) * area;
    }
}

// =====================================================================================
WetScavenging::WetScavenging(int nx, int ny, int nz, DepositionOptions opt)
    : nx_(nx), ny_(ny), nz_(nz), opt_(opt) {
  if (nx < 1 || ny < 1 || nz < 1) throw std::invalid_argument("WetScavenging: empty grid");
  opt_.validate();
}

void WetScavenging::check_met(const MetRecord& met, const PhaseSplit& split) const {
  if (met.nx != nx_ || met.ny != ny_ || met.nz != nz_)
    throw std::invalid_argument("WetScavenging: met record does not match the grid");
  check_2d(met.precip, nx_, ny_, "met precip");
  check_3d(met.temperature, nx_, ny_, nz_, "met temperature");
  check_3d(met.pressure, nx_, ny_, nz_, "met pressure");
  check_3d(met.density, nx_, ny_, nz_, "met density");
  check_3d(met.cloud_water, nx_, ny_, nz_, "met cloud water");
  check_3d(met.z_interface, nx_, ny_, nz_ + 1, "met z_interface");
  check_split(split, nx_, ny_, nz_);
}

void WetScavenging::column_rates(const MetRecord& met, const PhaseSplit& split, int i, int j,
                                 std::vector<double>& lambda) const {
  constexpr int nt = kNumTracers;
  lambda.assign(static_cast<std::size_t>(nz_) * nt, 0.0);
  const double precip = sane(met.precip(i, j, 0), 0.0, 500.0, 0.0);
  if (!opt_.wet_scavenging || !(precip >= opt_.precip_min) || precip <= 0.0) return;

  // Where is the cloud? Levels with cloud water, or the assumed layer when there is none.
  int k_low = -1, k_high = -1;
  double column_water = 0.0;  // cloud liquid water path [kg m-2]
  for (int k = 0; k < nz_; ++k) {
    const double qc = sane(met.cloud_water(i, j, k), 0.0, 0.1, 0.0);
    if (qc > opt_.cloud_water_min) {
      if (k_low < 0) k_low = k;
      k_high = k;
      const double rho = sane(met.density(i, j, k), 0.01, 2.0, 1.0);
      const double dz =
          sane(met.z_interface(i, j, k + 1) - met.z_interface(i, j, k), 0.0, 1e4, 0.0);
      column_water += rho * qc * dz;
    }
  }
  const bool has_cloud = k_low >= 0 && column_water > 0.0;
  // Water path of the assumed cloud; also the least water path of a real one: the met's cloud
  // water is liquid only, and rain falling from a thin liquid layer forms mostly through the
  // ice phase in cloud the field does not show, so that thin layer is not drained faster than
  // the assumed cloud would be.
  const double assumed_water =
      opt_.assumed_cloud_lwc * 1e-3 * (opt_.assumed_cloud_top - opt_.assumed_cloud_base);
  double z_base;
  if (has_cloud) {
    z_base = met.z_interface(i, j, k_low);
    column_water = std::max(column_water, assumed_water);
  } else {
    z_base = opt_.assumed_cloud_base;
    column_water = assumed_water;
  }
  const double shaft = std::max(sane(z_base, 0.0, 2e4, 0.0), 50.0);  // rain shaft depth [m]
  const double drain = precip / 3600.0 / column_water;  // cloud water drained per second [s-1]
  const double p0 = precip / 3.6e6;                     // rain rate [m s-1]
  const double lam_fine_bc = opt_.fine.below_a_per_s * std::pow(precip, opt_.fine.below_b);
  const double lam_coarse_bc = opt_.coarse.below_a_per_s * std::pow(precip, opt_.coarse.below_b);

  for (int k = 0; k < nz_; ++k) {
    bool in_cloud = false, below = false;
    double lwc = 0.0;  // cloud liquid water [kg m-3]
    const double rho = sane(met.density(i, j, k), 0.01, 2.0, 1.0);
    if (has_cloud) {
      const double qc = sane(met.cloud_water(i, j, k), 0.0, 0.1, 0.0);
      in_cloud = qc > opt_.cloud_water_min;
      below = !in_cloud && k < k_high;
      lwc = rho * qc;
    } else {
      const double zc = 0.5 * (met.z_interface(i, j, k) + met.z_interface(i, j, k + 1));
      in_cloud = zc >= opt_.assumed_cloud_base && zc < opt_.assumed_cloud_top;
      below = zc < opt_.assumed_cloud_base;
      lwc = opt_.assumed_cloud_lwc * 1e-3;
    }
    if ((in_cloud && !opt_.in_cloud) || (below && !opt_.below_cloud) || !(in_cloud || below))
      continue;
    const double temp = sane(met.temperature(i, j, k), 150.0, 350.0, 273.15);
    const double pres = sane(met.pressure(i, j, k), 100.0, 1.2e5, 101325.0);
    double* lam = lambda.data() + static_cast<std::size_t>(k) * nt;
    const double lam_fine = in_cloud ? drain * opt_.fine.activated : lam_fine_bc;
    const double lam_coarse = in_cloud ? drain * opt_.coarse.activated : lam_coarse_bc;
    for (int n = 0; n < nt; ++n) {
      const TracerInfo& info = kTracerInfo[n];
      double lam_gas = 0.0;
      if (info.gas_phase) {
        const dep::GasProperties& gas = kGas[n];
        switch (gas.wet) {
          case dep::WetKind::kNone:
            break;
          case dep::WetKind::kMassTransfer:
            lam_gas = in_cloud
                          ? drain
                          : dep::gas_mass_transfer_rate(precip, gas.diff_ratio, temp, pres, rho);
            break;
          case dep::WetKind::kSulfurDioxide:
          case dep::WetKind::kReversible: {
            const double hd = dep::dimensionless_henry(gas, temp, opt_.rain_ph);
            if (in_cloud) {
              const double hl = hd * lwc / dep::kWaterDensity;
              lam_gas = drain * hl / (1.0 + hl);
            } else if (temp >= kT0) {  // snow retains no reversibly dissolved gas
              const double lmt =
                  dep::gas_mass_transfer_rate(precip, gas.diff_ratio, temp, pres, rho);
              const double leq = p0 * hd / shaft;
              lam_gas = 1.0 / (1.0 / lmt + 1.0 / leq);
            }
            break;
          }
        }
      }
      const double f = gas_fraction(split, n, i, j, k);
      const double lp = is_fine(n) ? lam_fine : lam_coarse;
      lam[n] = f >= 1.0 ? lam_gas : (f <= 0.0 ? lp : f * lam_gas + (1.0 - f) * lp);
    }
  }
}

void WetScavenging::rates(const MetRecord& met, const PhaseSplit& split,
                          std::vector<Field>& lambda_out) const {
  check_met(met, split);
  size_outputs(lambda_out, nx_, ny_, nz_, "wet_rate_", "s-1");
#pragma omp parallel for schedule(static)
  for (int j = 0; j < ny_; ++j) {
    std::vector<double> lambda;
    for (int i = 0; i < nx_; ++i) {
      column_rates(met, split, i, j, lambda);
      for (int k = 0; k < nz_; ++k)
        for (int n = 0; n < kNumTracers; ++n)
          lambda_out[n](i, j, k) = lambda[static_cast<std::size_t>(k) * kNumTracers + n];
    }
  }
}

void WetScavenging::apply(State& state, const MetRecord& met, const PhaseSplit& split, double dt_s,
                          std::vector<double>& deposited_ug) const {
  check_met(met, split);
  if (!(dt_s >= 0.0) || !std::isfinite(dt_s))
    throw NumericalError("WetScavenging: time step " + fmt(dt_s) + " s is not a finite value >= 0");
  if (state.tracers.size() < static_cast<std::size_t>(kNumTracers))
    throw std::invalid_argument("WetScavenging: the state holds " +
                                std::to_string(state.tracers.size()) + " tracers, expected " +
                                std::to_string(kNumTracers));
  check_3d(state.air_mass, nx_, ny_, nz_, "air mass");
  for (int n = 0; n < kNumTracers; ++n) check_3d(state.tracers[n], nx_, ny_, nz_, "a tracer");
  if (deposited_ug.empty()) deposited_ug.assign(kNumTracers, 0.0);
  if (deposited_ug.size() != static_cast<std::size_t>(kNumTracers))
    throw std::invalid_argument("WetScavenging: deposited_ug must have kNumTracers entries");
  if (!opt_.wet_scavenging || dt_s == 0.0) return;

  // Removed mass per row and tracer, summed over rows in a fixed order afterwards.
  std::vector<double> row_sum(static_cast<std::size_t>(ny_) * kNumTracers, 0.0);
#pragma omp parallel for schedule(static)
  for (int j = 0; j < ny_; ++j) {
    std::vector<double> lambda;
    double* sum = row_sum.data() + static_cast<std::size_t>(j) * kNumTracers;
    for (int i = 0; i < nx_; ++i) {
      column_rates(met, split, i, j, lambda);
      for (int k = 0; k < nz_; ++k) {
        const double m = state.air_mass(i, j, k);
        const double* lam = lambda.data() + static_cast<std::size_t>(k) * kNumTracers;
        for (int n = 0; n < kNumTracers; ++n) {
          if (!(lam[n] > 0.0)) continue;
          double& q = state.tracers[n](i, j, k);
          const double q_new = q * std::exp(-lam[n] * dt_s);
          sum[n] += m * (q - q_new);
          q = q_new;
        }
      }
    }
  }
  for (int j = 0; j < ny_; ++j)
    for (int n = 0; n < kNumTracers; ++n)
      deposited_ug[n] += row_sum[static_cast<std::size_t>(j) * kNumTracers + n];
}

}  // namespace fwaq::chem

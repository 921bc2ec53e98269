#pragma once
// Dry deposition and wet scavenging of the transported tracers (chem/tracers.hpp).
//
// Dry deposition: resistance model v_d = 1 / (R_a + R_b + R_c) for gases, with R_a from
// Monin-Obukhov similarity (Businger-Dyer / Paulson), R_b from the Schmidt number
// (Wesely & Hicks 1977) and R_c from Wesely (1989, Atmos. Environ. 23, 1293; with the
// corrections of Walmsley & Wesely 1996, Atmos. Environ. 30, 1181); particles by the
// size-resolved scheme of Zhang et al. (2001, Atmos. Environ. 35, 549) averaged over a
// lognormal fine and coarse mode that grow with humidity (kappa-Koehler, Petters &
// Kreidenweis 2007). Mixed tracers (TNO3, TNH3, SV1, SV2) take
// v = f_gas v_gas + (1 - f_gas) v_particle.
//
// Wet scavenging: first-order loss q <- q exp(-Lambda dt) per cell; below cloud,
// particles Lambda = A P^B per mode, gases by mass transfer to falling drops (Seinfeld &
// Pandis 2016, ch. 20) limited by Henry's-law equilibrium for reversibly soluble gases;
// in cloud, removal of the dissolved or activated share at the rate precipitation drains
// the cloud water. Equations, tables, sources and verification: docs/science/deposition.md.
#include <array>
#include <vector>

#include "chem/tracers.hpp"
#include "core/schema.hpp"
#include "core/time.hpp"
#include "field/field.hpp"
#include "met/met_fields.hpp"

namespace fwaq {
class ConfigSection;
}

namespace fwaq::chem {

/// Surface type of a cell, mapped to Wesely (1989) and Zhang et al. (2001) categories.
enum class LandUse : int { kUrban = 0, kCropland, kGrassland, kForest, kBarren, kWater };
inline constexpr int kNumLandUse = 6;

/// Land use of a cell from the domain file: terrain height above sea level [m] and the share
/// of the cell in an urban core [0-1]. Rules (docs/science/deposition.md):
/// urban_share >= 0.5 -> urban; else terrain < 1000 m -> cropland (the Guanzhong, Fen and
/// Yuncheng basins and the Yi-Luo valley, 150-900 m, are farmland); 1000-1600 m ->
/// grassland (loess hills and plateau: grass, shrub, terraced fields); >= 1600 m -> forest
/// (Qinling, Lüliang, Taihang, Zhongtiao ridges: mixed deciduous broadleaf and pine).
/// Non-finite input counts as 0. Barren and water are never returned (no data for them).
LandUse classify_land_use(double terrain_m, double urban_share);

/// Fraction of a mixed tracer that is in the gas phase, per cell (3-D fields (nx, ny, nz), no
/// halo, values 0-1); nullptr entries mean the tracer's single phase (tracers.hpp
/// gas_phase/particle_phase), and all gas for the mixed tracers. Values outside [0, 1] are
/// clipped, NaN counts as 0.
struct PhaseSplit {
  std::array<const Field*, kNumTracers> gas_fraction{};
};

/// A lognormal particle mode (mass distribution) [dry diameter, density, hygroscopicity].
struct ParticleMode {
  double mmd_dry_um;     ///< dry mass median diameter [µm]
  double sigma_g;        ///< geometric standard deviation [1], >= 1 (1: monodisperse)
  double density_kg_m3;  ///< dry particle density [kg m-3]
  double kappa;          ///< hygroscopicity parameter [1] (Petters & Kreidenweis 2007)
  double activated;      ///< mass fraction taken into cloud water in cloud [1]
  double below_a_per_s;  ///< below-cloud Lambda = a P^b: a [s-1] at P = 1 mm h-1
  double below_b;        ///< exponent b [1]
};

/// Options of dry and wet deposition (case-file section `deposition`, all keys optional).
struct DepositionOptions {
  // Particle modes. Fine: SO4, NO3-, NH4+, POA, BC, OPM, SOA (SV particle part); coarse: PMC.
  // Below-cloud a for fine/coarse from EMEP (Simpson et al. 2012): Lambda = A P eps / v_drop
  // with A = 5.2 m3 kg-1 s-1, v_drop = 5 m s-1, eps = 0.02 (fine) / 0.4 (coarse).
  ParticleMode fine{0.40, 1.8, 1500.0, 0.35, 0.8, 5.8e-6, 1.0};    ///< key prefix fine_
  ParticleMode coarse{3.5, 1.5, 2200.0, 0.05, 1.0, 1.16e-4, 1.0};  ///< key prefix coarse_
  bool winter_snow = false;            ///< Dec-Feb as Wesely season 4 (snow, subfreezing) not 3
  double ustar_min = 0.05;             ///< lower bound of the friction velocity [m s-1]
  double hno3_rc = 10.0;               ///< surface resistance of HNO3 [s m-1]
  double rc_min = 10.0;                ///< lower bound of R_c of every gas (Wesely 1989) [s m-1]
  bool wet_scavenging = true;          ///< master switch of WetScavenging::apply
  bool in_cloud = true;                ///< in-cloud scavenging
  bool below_cloud = true;             ///< below-cloud scavenging
  double rain_ph = 5.5;                ///< pH of cloud and rain water for the SO2 solubility [1]
  double precip_min = 0.01;            ///< precipitation below this counts as none [mm h-1]
  double cloud_water_min = 1e-5;       ///< cloud water counting as cloud [kg kg-1]
  double assumed_cloud_base = 1500.0;  ///< cloud base without cloud water data [m AGL]
  double assumed_cloud_top = 4000.0;   ///< cloud top without cloud water data [m AGL]
  double assumed_cloud_lwc = 0.2;      ///< liquid water content of that cloud [g m-3]

  /// Defaults overridden by the keys of `s` (nullptr: defaults). Keys: fine_diameter_um,
  /// fine_sigma_g, fine_density_kg_m3, fine_kappa, fine_activated_fraction,
  /// fine_below_cloud_a_per_s, fine_below_cloud_b and the same with coarse_;
  /// winter_snow, ustar_min_m_s, hno3_rc_s_m, rc_min_s_m, wet_scavenging, in_cloud_scavenging,
  /// below_cloud_scavenging, rain_ph, precip_min_mm_h, cloud_water_min_kg_kg,
  /// assumed_cloud_base_m, assumed_cloud_top_m, assumed_cloud_lwc_g_m3.
  /// Throws InputError (file, key, value, expected range) for a value out of range.
  static DepositionOptions from_config(const ConfigSection* s);
  /// Adds the keys from_config reads, with these defaults, to the case schema.
  static void describe_keys(Schema::Section s);
  /// Throws std::invalid_argument naming the first value out of range.
  void validate() const;
};

/// Building blocks, public so that they can be verified one by one.
namespace dep {

inline constexpr double kKarman = 0.4;               ///< von Kármán constant [1]
inline constexpr double kGravity = 9.80665;          ///< [m s-2]
inline constexpr double kBoltzmann = 1.380649e-23;   ///< [J K-1]
inline constexpr double kGasConstant = 8.314462618;  ///< [J mol-1 K-1]
inline constexpr double kCpAir = 1004.67;            ///< specific heat of dry air [J kg-1 K-1]
inline constexpr double kPrandtl = 0.72;             ///< Prandtl number of air [1]
inline constexpr double kWaterDensity = 1000.0;      ///< [kg m-3]

/// How a gas is scavenged by cloud and rain water.
enum class WetKind : int {
  kNone,           ///< insoluble (CO, NO, NO2, VOC lumps)
  kMassTransfer,   ///< so soluble that drops never saturate (HNO3, NH3)
  kSulfurDioxide,  ///< reversible, effective Henry's law at the rain pH
  kReversible,     ///< reversible, fixed effective Henry's law constant
};

/// Gas properties of a tracer's gas phase (Wesely 1989 Table 2, Walmsley & Wesely 1996,
/// Sander 2015 for the Henry's law constants of the added gases).
struct GasProperties {
  double henry;       ///< effective Henry's law constant H* at 298 K [M atm-1]
  double f0;          ///< reactivity factor [1]
  double diff_ratio;  ///< D_H2O / D_gas [1]
  WetKind wet;
};
/// Properties of the gas phase of tracer n (meaningless for particle-only tracers).
const GasProperties& gas_properties(int tracer);

/// Wesely season 1-5 (1 midsummer, 2 autumn, 3 late autumn / winter without snow,
/// 4 winter with snow, 5 transitional spring) of time t (UTC) for 35-50 °N.
int wesely_season(TimePoint t, bool winter_snow);
/// Roughness length [m] of a land use in a Wesely season.
double roughness_length(LandUse lu, int season);

/// Inverse Monin-Obukhov length 1/L [m-1] from u* [m s-1], upward sensible heat flux H
/// [W m-2], air temperature T [K] and density rho [kg m-3]: 1/L = -kappa g H / (rho cp T u*^3).
double inverse_obukhov_length(double ustar, double hfx, double temperature, double rho);
/// Integrated stability function for heat psi_h(zeta) (Paulson 1970 with Dyer 1974 unstable;
/// Businger-Dyer -5 zeta stable, -5 (1 + ln zeta) beyond zeta = 1).
double psi_heat(double zeta);
/// Aerodynamic resistance [s m-1] between z0 and z_ref:
/// [ln(z_ref/z0) - psi_h(z_ref/L) + psi_h(z0/L)] / (kappa u*), z/L clipped to [-10, 10].
double aerodynamic_resistance(double z_ref, double z0, double ustar, double inv_L);
/// Quasi-laminar resistance of a gas [s m-1]: 2 / (kappa u*) (Sc / Pr)^(2/3).
double quasi_laminar_resistance(double ustar, double schmidt);
/// 1 / (ra + rb + rc) [m s-1]; 0 if the sum is infinite.
inline double series_velocity(double ra, double rb, double rc) {
  return 1.0 / (ra + rb + rc);
}

/// Dynamic viscosity of air (Sutherland) [kg m-1 s-1].
double air_viscosity(double temperature);
/// Molecular diffusivity of water vapour in air [m2 s-1] (Massman 1998).
double water_vapour_diffusivity(double temperature, double pressure);
/// Mean free path of air molecules [m] (Seinfeld & Pandis 2016, eq. 9.6).
double mean_free_path(double temperature, double pressure);
/// Cunningham slip correction for diameter d [m].
double slip_correction(double d, double temperature, double pressure);
/// Gravitational settling velocity [m s-1] of a sphere of diameter d [m], density [kg m-3].
double settling_velocity(double d, double density, double temperature, double pressure);

/// Wesely (1989) bulk surface resistance R_c [s m-1] of a gas (no lower bound applied):
/// stomata + mesophyll, upper canopy, lower canopy and ground in parallel, with the cold
/// surface correction below 0 °C. swdown [W m-2], t_surface_c [°C].
double wesely_surface_resistance(const GasProperties& gas, LandUse lu, int season, double swdown,
                                 double t_surface_c);

/// Zhang et al. (2001) dry deposition velocity [m s-1] of particles of one diameter d [m] and
/// density [kg m-3]: v_g + 1 / (R_a + R_s). rho_air [kg m-3].
double particle_velocity(double d, double density, LandUse lu, int season, double ustar, double ra,
                         double temperature, double pressure, double rho_air);
/// Hygroscopic diameter growth factor (kappa-Koehler without Kelvin term), RH in [0, 0.95].
double growth_factor(double kappa, double rh);
/// Mass-weighted mean dry deposition velocity [m s-1] of a lognormal mode at humidity rh,
/// by 10-point Gauss-Hermite quadrature over ln d.
double mode_velocity(const ParticleMode& mode, double rh, LandUse lu, int season, double ustar,
                     double ra, double temperature, double pressure, double rho_air);

/// Median volume diameter of raindrops [m] for rain rate P [mm h-1] (Marshall & Palmer 1948).
double raindrop_diameter(double precip_mm_h);
/// Terminal fall speed of a raindrop of diameter d [m] (Atlas et al. 1973) [m s-1].
double raindrop_speed(double d);
/// Below-cloud scavenging coefficient [s-1] of a gas taken up at the drops' mass-transfer
/// limit: 6 K_c p0 / (D U_t) with K_c from the Frössling correlation (S&P 2016, eq. 20.18).
double gas_mass_transfer_rate(double precip_mm_h, double diff_ratio, double temperature,
                              double pressure, double rho_air);
/// Effective Henry's law constant of SO2 [M atm-1] at temperature [K] and pH.
double so2_effective_henry(double temperature, double ph);
/// Dimensionless effective Henry's law constant H* R T (aqueous / gas concentration) of a gas
/// at temperature [K] (Henry constants other than SO2's taken as temperature independent).
double dimensionless_henry(const GasProperties& gas, double temperature, double ph);

}  // namespace dep

/// Dry deposition velocities and conductances of every tracer.
class DryDeposition {
 public:
  DryDeposition(int nx, int ny, DepositionOptions opt = {});
  /// Deposition velocity [m s-1] of every tracer at every surface cell, for the met of the
  /// lowest layer. met: a MetRecord of the local window (nx, ny, nz, no halo); land_use:
  /// (nx, ny, 1) with LandUse values stored as doubles; split: gas fractions (uses level 0);
  /// t: time (UTC) for the season. vd_out: resized to kNumTracers fields (nx, ny, 1) unless
  /// it already holds them. Throws std::invalid_argument for wrongly shaped inputs or a
  /// land-use value that is not a LandUse.
  void velocities(const MetRecord& met, const Field& land_use, const PhaseSplit& split, TimePoint t,
                  std::vector<Field>& vd_out) const;
  /// Conductances rho0 v_d A [kg s-1] (rho0 density of the lowest layer, A the cell area [m2],
  /// (nx, ny, 1)) in the form SurfaceExchange::deposition (operators/diffusion.hpp) wants.
  void conductances(const MetRecord& met, const Field& land_use, const Field& cell_area_m2,
                    const PhaseSplit& split, TimePoint t, std::vector<Field>& out) const;
  const DepositionOptions& options() const { return opt_; }

 private:
  int nx_, ny_;
  DepositionOptions opt_;
};

/// In-cloud and below-cloud scavenging by precipitation.
class WetScavenging {
 public:
  WetScavenging(int nx, int ny, int nz, DepositionOptions opt = {});
  /// Removes tracer mass by in-cloud and below-cloud scavenging over dt_s [s]: q <- q exp(-Lambda
  /// dt) per cell (unconditionally stable, positive). state.tracers follow tracers.hpp order
  /// (any halo; further tracers are left alone); state.air_mass [kg]. Adds the removed mass of
  /// each tracer [µg for tracers in µg kg-1] over the local cells to deposited_ug (size
  /// kNumTracers; an empty vector is sized). Throws std::invalid_argument for wrong shapes and
  /// NumericalError for a negative or non-finite dt_s.
  void apply(State& state, const MetRecord& met, const PhaseSplit& split, double dt_s,
             std::vector<double>& deposited_ug) const;
  /// The scavenging coefficients Lambda [s-1] apply() uses: kNumTracers fields (nx, ny, nz).
  void rates(const MetRecord& met, const PhaseSplit& split, std::vector<Field>& lambda_out) const;
  const DepositionOptions& options() const { return opt_; }

 private:
  /// Lambda [s-1] of every tracer in column (i, j): lambda[k * kNumTracers + n].
  void column_rates(const MetRecord& met, const PhaseSplit& split, int i, int j,
                    std::vector<double>& lambda) const;
  void check_met(const MetRecord& met, const PhaseSplit& split) const;
  int nx_, ny_, nz_;
  DepositionOptions opt_;
};

}  // namespace fwaq::chem

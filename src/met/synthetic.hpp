#pragma once
// The built-in synthetic Fenwei winter: a deterministic, documented stand-in for
// real meteorology (which is not obtainable for the region and period; users
// bring WRF output for real runs). Science, every number and its source:
// docs/science/synthetic-winter.md.
//
// What it is:
//   * the real terrain of the domain;
//   * a sequence of synoptic regimes per winter season, drawn once from the seed:
//     ventilation (cold front: strong northerly wind, deep mixing, dry and cold),
//     transition, stagnation (weak along-basin wind, shallow boundary layer,
//     humid, warm air aloft), cycling ventilation -> transition -> stagnation;
//     durations and intensities from published facts (default-case-facts.md,
//     section B);
//   * diurnal cycles of boundary-layer height, temperature and humidity around
//     the Xi'an monthly climatology (mean-preserving interpolation between months);
//   * occasional light precipitation with the climatological number of wet days;
//   * a mass-consistent wind over the terrain (met/diagnostic_wind.hpp): a
//     first guess (regime wind, reduced and turned near the ground, channelled
//     along valleys, slope breezes) adjusted variationally so that the column
//     mass divergence vanishes and the vertical velocity follows from continuity;
//   * a season-severity parameter: > 1 gives more and longer stagnation, a
//     shallower boundary layer and weaker winds in stagnant periods.
//
// record(t) is a pure function of (grid, terrain, parameters, t): the regime
// sequence of a season is regenerated from the seed with a portable
// counter-based generator (no std:: distributions, whose output differs between
// standard libraries), so the same seed and time give identical bits, in any
// call order, on any thread count.
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/schema.hpp"
#include "core/time.hpp"
#include "field/field.hpp"
#include "grid/horizontal_grid.hpp"
#include "grid/vertical_grid.hpp"
#include "met/diagnostic_wind.hpp"
#include "met/kz.hpp"
#include "met/met_fields.hpp"

namespace fwaq {

class ConfigSection;

/// Synoptic regimes of the synthetic winter, in the order they cycle.
enum class Regime : int { kVentilation = 0, kTransition = 1, kStagnation = 2 };
constexpr int kRegimeCount = 3;
const char* regime_name(Regime r);

/// Parameters of one regime at severity 1. Speeds [m s-1], directions [degrees,
/// meteorological: the direction the wind blows FROM, clockwise from north].
struct RegimeSpec {
  double mean_days = 1.0;         ///< mean duration [d]
  double shape = 4.0;             ///< gamma-distribution shape of the duration [1]
  double min_days = 0.25;         ///< shortest duration [d]
  double max_days = 14.0;         ///< longest duration [d]
  double pbl_day_m = 800.0;       ///< afternoon maximum boundary-layer height [m]
  double pbl_night_m = 200.0;     ///< night boundary-layer height [m]
  double bl_speed = 2.0;          ///< boundary-layer wind at 100 m above ground [m s-1]
  double bl_dir_deg = 0.0;        ///< its direction [degrees from]
  double fa_speed = 8.0;          ///< free-atmosphere wind [m s-1]
  double fa_dir_deg = 270.0;      ///< its direction [degrees from]
  double t_anomaly_k = 0.0;       ///< daily-mean temperature anomaly [K]
  double rh_anomaly = 0.0;        ///< surface relative-humidity anomaly [1]
  double slp_anomaly_pa = 0.0;    ///< sea-level-pressure anomaly [Pa]
  double sunshine_factor = 1.0;   ///< factor on the monthly relative sunshine duration [1]
  double diurnal_factor = 1.0;    ///< factor on the monthly diurnal temperature range [1]
  double inversion_k = 0.0;       ///< warm layer above the boundary layer [K]
  double precip_weight = 1.0;     ///< factor on the monthly wet-day probability [1]
  double intensity_spread = 0.0;  ///< episode intensity uniform in 1 ± spread [1]
  /// Stagnation only: boundary-layer depth and wind are multiplied by a factor
  /// falling linearly from trend_start to trend_end over the episode [1].
  double trend_start = 1.0, trend_end = 1.0;
  /// Relative-humidity rise over the episode (stagnation) [1].
  double rh_trend = 0.0;
};

/// Everything that defines a synthetic winter. Defaults are the documented
/// Fenwei values (docs/science/synthetic-winter.md).
struct SyntheticParams {
  /// Seed of the regime sequence and the precipitation. The default, 1, gives
  /// seasons close to the targets (2018-19: stagnation 76.5 % of the time, mean
  /// episode 5.0 d; 2019-20: 73.0 %, 5.0 d); see docs/science/synthetic-winter.md.
  std::uint64_t seed = 1;
  /// Season severity [1], in [0.5, 2]: stagnation durations × s, ventilation and
  /// transition durations / s; boundary-layer depth and wind speed of
  /// transition and stagnation periods × s^-1/2 (their ventilation index
  /// PBLH × wind therefore × 1/s).
  double severity = 1.0;

  std::array<RegimeSpec, kRegimeCount> regimes = default_regimes();
  /// Half-widths of the smooth changes between regimes [h]: into ventilation
  /// (the cold front), and all other changes.
  double front_hours = 3.0;
  double change_hours = 12.0;

  // ---- climatology anchor: the Xi'an station
  double reference_lon_deg = 108.95;  ///< [degrees east]
  double reference_lat_deg = 34.27;   ///< [degrees north]
  /// Height [m a.s.l.] at which the climatology applies. NaN (default): the
  /// terrain of the grid cell holding the reference point (the smoothed model
  /// terrain, so that the Xi'an cell gets the Xi'an climate), or 400 m (the
  /// Xi'an station, approximately) if the point lies outside the grid.
  double reference_elevation_m = std::numeric_limits<double>::quiet_NaN();
  double lapse_rate_k_per_m = 0.0065;       ///< free-atmosphere and surface lapse rate [K m-1]
  double lat_gradient_k_per_deg = 0.5;      ///< colder northwards [K per degree latitude]
  double rh_altitude_per_m = 0.00023;       ///< surface RH decrease with altitude [1 m-1]
  double rh_altitude_max_rise_m = 1000.0;   ///< ... applied up to this rise [m]
  double tropopause_k = 216.65;             ///< lowest free-atmosphere temperature [K]
  double sea_level_pressure_pa = 102000.0;  ///< [Pa]
  double free_rh = 0.35;                    ///< free-troposphere relative humidity [1]
  double rh_temperature_coeff = 0.7;        ///< fraction of the constant-q RH response to T [1]
  // ---- surface
  double roughness_m = 0.1;         ///< roughness length z0 [m]
  double hfx_sw_fraction = 0.2;     ///< daytime sensible heat flux / SWDOWN [1]
  double hfx_night_base = 5.0;      ///< night cooling flux: base + per_wind × U10 [W m-2]
  double hfx_night_per_wind = 5.0;  ///< [W m-2 per m s-1]
  double angstrom_a = 0.25, angstrom_b = 0.50;  ///< Ångström–Prescott coefficients [1]
  // ---- boundary-layer structure
  double pbl_peak_hour_bt = 15.0;  ///< afternoon maximum, Beijing time (UTC+8) [h]
  double slope_wind = 0.8;         ///< katabatic / anabatic speed scale [m s-1]
  double slope_depth_m = 150.0;    ///< e-folding depth of slope winds [m]
  double mountain_pbl_gain = 0.3;  ///< deeper PBL over high ground: × (1 + gain × rise/1000 m)
  // ---- wind model
  ChannelParams channels{};
  WindAdjustParams adjust{};
  KzParams kz{};  ///< for MetRecord::kz (fill_kz, met/kz.hpp), as the WRF reader

  /// The documented regime table (severity 1).
  static std::array<RegimeSpec, kRegimeCount> default_regimes();
  /// Reads the `met.synthetic` section (every key optional; unknown keys are an
  /// InputError naming the key): seed, severity, reference_lon, reference_lat,
  /// reference_elevation_m, sea_level_pressure_pa, roughness_m. Throws
  /// InputError for values out of range.
  static SyntheticParams from_config(const ConfigSection& section);
  /// Adds the keys from_config reads, with these defaults, to the case schema.
  static void describe_keys(Schema::Section s);
  /// Throws UsageError naming the parameter and the valid range.
  void validate() const;
};

/// One regime episode [start, end) as seconds since 1970 (UTC).
struct RegimeEpisode {
  Regime regime = Regime::kStagnation;
  double start_s = 0.0;
  double end_s = 0.0;
  double intensity = 1.0;  ///< random strength factor of the episode [1]
  double days() const { return (end_s - start_s) / 86400.0; }
};

/// The regime-dependent large-scale state at a time, smoothly blended across
/// regime changes (what the generator evaluates before adding diurnal cycles
/// and terrain). Speeds [m s-1], heights [m], vectors earth-relative (east, north).
struct RegimeState {
  Regime regime = Regime::kStagnation;  ///< the regime of the episode containing t
  double pbl_day_m = 0, pbl_night_m = 0;
  double bl_u = 0, bl_v = 0;  ///< boundary-layer wind at 100 m
  double fa_u = 0, fa_v = 0;  ///< free-atmosphere wind
  double t_anomaly_k = 0, rh_anomaly = 0, slp_anomaly_pa = 0;
  double sunshine_factor = 1, diurnal_factor = 1, inversion_k = 0;
  double stagnation_weight = 0;  ///< 1 in stagnation, 0 elsewhere, blended [1]
};

/// The synthetic winter generator. Immutable after construction; record() is
/// const and may be called from several threads.
class SyntheticWinter {
 public:
  /// terrain_m: (nx, ny, 1) terrain height above sea level [m]. Throws
  /// UsageError if the shapes disagree or a parameter is out of range.
  SyntheticWinter(const HorizontalGrid& grid, const VerticalGrid& vgrid, const Field& terrain_m,
                  SyntheticParams params = {});

  /// The meteorology at time t (UTC), filling every MetRecord field (kz by
  /// fill_kz from PBLH, UST and HFX, as the WRF reader does). Times must lie in
  /// a winter season, 1 September to 30 April; UsageError otherwise.
  MetRecord record(TimePoint t) const;
  /// As record(t), reusing the storage of `out`.
  void record(TimePoint t, MetRecord& out) const;

  /// The regime episodes of the winter season starting on 1 September of
  /// `season_year` (covering 1 September to 1 May of the next year).
  std::vector<RegimeEpisode> episodes(int season_year) const;
  /// The blended regime state at t.
  RegimeState state(TimePoint t) const;
  /// Regime of the episode containing t.
  Regime regime_at(TimePoint t) const;

  /// Precipitation that falls in [t0, t1] [mm] (spatially uniform).
  double precipitation_mm(TimePoint t0, TimePoint t1) const;
  /// Mean precipitation rate over the 3 h before t [mm h-1]: the value of
  /// MetRecord::precip, and what a reader derives from RAINNC in 3-hourly output.
  double precipitation_rate(TimePoint t) const;
  /// True while a precipitation spell is under way at t.
  bool raining(TimePoint t) const;

  const SyntheticParams& params() const { return params_; }
  const HorizontalGrid& grid() const { return grid_; }
  const VerticalGrid& vertical_grid() const { return vgrid_; }
  const Field& terrain() const { return terrain_; }
  const TerrainChannels& channels() const { return channels_; }
  /// The height the climatology applies at [m a.s.l.] (see
  /// SyntheticParams::reference_elevation_m).
  double reference_elevation() const { return ref_elev_; }

  /// Season year of t (September to April belongs to the season starting in
  /// September); throws UsageError for May to August.
  static int season_of(TimePoint t);

 private:
  const std::vector<RegimeEpisode>& season(int year, std::vector<RegimeEpisode>& buf) const;
  /// The precipitation spell of UTC day `day` (days since 1970): [start, end) [s
  /// since 1970] and rate [mm h-1]; false on a dry day.
  bool day_spell(long long day, double& start_s, double& end_s, double& rate_mm_h) const;

  SyntheticParams params_;
  HorizontalGrid grid_;
  VerticalGrid vgrid_;
  Field terrain_;
  TerrainChannels channels_;
  // Per column: earth north and east unit vectors in grid coordinates.
  std::vector<double> north_x_, north_y_;
  // Per column: terrain gradient (grid axes, true distances) [1].
  std::vector<double> grad_x_, grad_y_;
  // Expected time fraction of each regime at this severity [1], and the
  // "balancing" anomalies that keep the season means at the climatology.
  std::array<double, kRegimeCount> fraction_{};
  std::array<RegimeSpec, kRegimeCount> spec_{};  // after severity and balancing
  double ref_elev_ = 400.0;                      // [m a.s.l.]
};

}  // namespace fwaq

#pragma once
// Prescribed oxidants and photolysis of the chemistry (docs/science/chemistry.md,
// "Oxidants and photolysis"):
//   * the sun's position (NOAA Solar Calculator equations, after Meeus 1998,
//     Astronomical Algorithms, 2nd ed., ch. 25 and 28), solar zenith angle;
//   * clear-sky photolysis frequencies J(NO2), J(NO3), J(O1D) from the zenith angle
//     (MCM v3 parameterisation, Saunders et al. 2003, ACP 3, 161, table 2);
//   * cloud and haze attenuation = swdown / clear-sky swdown (FAO-56 clear-sky
//     radiation, Allen et al. 1998, eq. 37);
//   * OH [molecule cm-3]: a winter noon value for the North China / Fenwei region
//     (Tan et al. 2018, ACP 18, 12391; Slater et al. 2020, ACP 20, 14847) scaled with
//     J(O1D)^0.68 (Rohrer & Berresheim 2006, Nature 442, 184), plus a night value;
//   * O3 and H2O2 climatologies [ppb] by month, local solar hour and height, toward
//     which the cell-local O3 and H2O2 relax.
#include "core/time.hpp"

namespace fwaq::chem {

/// Position of the sun at one instant.
struct SunPosition {
  double declination_rad = 0.0;       ///< apparent declination [rad]
  double equation_of_time_min = 0.0;  ///< true minus mean solar time [min]
  double distance_factor = 1.0;       ///< (1 AU / sun-earth distance)^2 [1]
};

/// The sun at `unix_s` [s since 1970-01-01 UTC] (NOAA Solar Calculator equations;
/// declination to ~0.01°, equation of time to ~0.1 min for 1950-2050).
SunPosition sun_position(double unix_s);
/// Cosine of the geometric solar zenith angle (no refraction) [1] at `unix_s`,
/// latitude `lat_deg` [° N] and longitude `lon_deg` [° E].
double cos_solar_zenith(const SunPosition& sun, double unix_s, double lat_deg, double lon_deg);
/// The solar zenith angle [degrees] at t, lat_deg [° N], lon_deg [° E].
double solar_zenith_deg(TimePoint t, double lat_deg, double lon_deg);
/// Local apparent solar time [h] in [0, 24).
double local_solar_hour(const SunPosition& sun, double unix_s, double lon_deg);

/// Photolysis frequencies [s-1].
struct Photolysis {
  double no2 = 0.0;      ///< NO2 + hν → NO + O(3P)
  double no3_no2 = 0.0;  ///< NO3 + hν → NO2 + O(3P)
  double no3_no = 0.0;   ///< NO3 + hν → NO + O2
  double o1d = 0.0;      ///< O3 + hν → O(1D) + O2 (drives the OH scaling)
};
/// Clear-sky values at the ground for a solar zenith angle with cosine `cos_zenith`
/// (MCM v3: J = l cos^m(χ) exp(−n sec χ); 0 with the sun below the horizon).
Photolysis clear_sky_photolysis(double cos_zenith);

/// Clear-sky short-wave irradiance at the ground [W m-2]: (0.75 + 2e-5 z) × the
/// extraterrestrial irradiance on a horizontal surface (FAO-56 eq. 37, instantaneous).
double clear_sky_shortwave(double cos_zenith, double distance_factor, double elevation_m);
/// Cloud and haze attenuation of photolysis [1]: swdown / clear-sky, clamped to
/// [0, 1]; 1 while the sun is below 6° elevation (cos χ < 0.1), where the ratio is
/// not meaningful and the photolysis is small anyway.
double radiation_attenuation(double swdown_w_m2, double cos_zenith, double distance_factor,
                             double elevation_m);

/// Parameters of the oxidant climatology (documented defaults).
struct OxidantOptions {
  /// Daytime OH term [molecule cm-3] under clear sky at the reference zenith angle.
  double oh_reference = 3.0e6;
  double oh_reference_zenith_deg = 60.0;  ///< [degrees] (winter noon at 34-40° N)
  double oh_exponent = 0.68;              ///< OH ∝ J(O1D)^b (Rohrer & Berresheim 2006) [1]
  double oh_night = 1.5e5;                ///< night-time OH [molecule cm-3]
  double oh_scale = 1.0;                  ///< factor on all OH [1]
  double o3_scale = 1.0;                  ///< factor on the O3 climatology [1]
  double h2o2_scale = 1.0;                ///< factor on the H2O2 climatology [1]
  double o3_free_troposphere_ppb = 50.0;  ///< O3 above the blending height [ppb]
  double blend_top_m = 2000.0;            ///< height where the free-tropospheric values apply [m]
};

/// OH [molecule cm-3] for a solar zenith angle with cosine `cos_zenith` and an
/// attenuation `attenuation` [0, 1]:
///   OH = scale × (night + ref × (att × J_O1D(χ) / J_O1D(χ_ref))^b).
double oh_concentration(double cos_zenith, double attenuation, const OxidantOptions& opt);

/// Position in the year for the monthly climatologies: 0 at mid-January, 1 at
/// mid-February, ..., 11 at mid-December, continuous and cyclic ([0, 12)).
double month_position(TimePoint t);
/// Surface (boundary-layer) O3 [ppb] for the month position, the local solar hour
/// [h], the height above ground z_m [m] and the boundary-layer height pblh_m [m].
double o3_climatology_ppb(double month_pos, double local_hour, double z_m, double pblh_m,
                          const OxidantOptions& opt);
/// H2O2 [ppb], same arguments.
double h2o2_climatology_ppb(double month_pos, double local_hour, double z_m, double pblh_m,
                            const OxidantOptions& opt);

}  // namespace fwaq::chem

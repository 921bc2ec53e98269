#include "chem/oxidants.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <numbers>

namespace fwaq::chem {

namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kDeg = kPi / 180.0;
constexpr double kSolarConstant = 1361.0;  // [W m-2], Kopp & Lean (2011), doi:10.1029/2010GL045777

double wrap360(double x) {
  x = std::fmod(x, 360.0);
  return x < 0.0 ? x + 360.0 : x;
}

// MCM v3 photolysis parameters (Saunders et al. 2003, ACP 3, 161, table 2):
// J = l cos^m(χ) exp(−n / cos χ) [s-1].
struct McmJ {
  double l, m, n;
  double at(double c) const { return c > 0.0 ? l * std::pow(c, m) * std::exp(-n / c) : 0.0; }
};
constexpr McmJ kJ1{6.073e-5, 1.743, 0.474};  // O3 → O(1D)
constexpr McmJ kJ4{1.165e-2, 0.244, 0.267};  // NO2 → NO + O(3P)
constexpr McmJ kJ5{2.485e-2, 0.168, 0.108};  // NO3 → NO + O2
constexpr McmJ kJ6{1.747e-1, 0.155, 0.125};  // NO3 → NO2 + O(3P)

// Monthly climatologies, January ... December (values at mid-month), daily means in the
// boundary layer [ppb]. O3: regional background for the Fenwei plain. The 2019 CNEMC
// hourly data of the Fenwei sites (urban, titrated by local NO) give monthly means of
// O3 = 12, 24, 29 ppb and Ox = O3 + NO2 = 45, 44, 52 ppb for January-March and
// O3 = 36, Ox = 54 ppb for September; the background lies between the two. H2O2:
// 0.55 ppb daytime mean in Beijing in September-November (Zhang et al. 2018, J.
// Environ. Sci., doi:10.1016/j.jes.2016.12.015), lower in mid-winter (Xuan et al.
// 2020, ACP 20, 5513).
constexpr std::array<double, 12> kO3Month{26, 30, 36, 42, 48, 54, 52, 48, 41, 34, 28, 25};
constexpr std::array<double, 12> kH2O2Month{0.25, 0.35, 0.5, 0.8, 1.1, 1.4,
                                            1.5,  1.3,  0.9, 0.6, 0.4, 0.25};
constexpr double kO3DiurnalAmplitude = 0.4;    // relative [1]
constexpr double kH2O2DiurnalAmplitude = 0.5;  // relative [1]

double monthly(const std::array<double, 12>& table, double pos) {
  const double f = std::floor(pos);
  const int m0 = static_cast<int>(f) % 12, m1 = (m0 + 1) % 12;
  const double w = pos - f;
  return (1.0 - w) * table[(m0 + 12) % 12] + w * table[m1];
}

// Zero-mean diurnal shape: minimum -1 at 07 local solar time, maximum +1 at 15
// (the timing of the 2019 CNEMC O3 cycle at the Fenwei sites: 08 and 16 Beijing
// time), cosine segments in between.
double diurnal_shape(double h) {
  if (h >= 7.0 && h <= 15.0) return -std::cos(kPi * (h - 7.0) / 8.0);
  double d = h - 15.0;
  if (d < 0.0) d += 24.0;
  return std::cos(kPi * d / 16.0);
}

// Boundary layer: daily mean × (1 + amplitude × shape); above it a residual layer
// at the daily mean, blending linearly to the free-tropospheric value at blend_top.
double profile(double daily_mean, double amplitude, double ft_value, double local_hour, double z_m,
               double pblh_m, double blend_top_m) {
  const double pbl = std::max(pblh_m, 50.0);
  if (z_m <= pbl) return daily_mean * (1.0 + amplitude * diurnal_shape(local_hour));
  if (z_m >= blend_top_m) return ft_value;
  const double w = (z_m - pbl) / std::max(blend_top_m - pbl, 1.0);
  return (1.0 - w) * daily_mean + w * ft_value;
}

}  // namespace

SunPosition sun_position(double unix_s) {
  // Julian centuries since J2000.0 (UT is used for TT: the 69 s difference is
  // far below the accuracy needed here).
  const double jd = unix_s / 86400.0 + 2440587.5;
  const double t = (jd - 2451545.0) / 36525.0;
  const double l0 = wrap360(280.46646 + t * (36000.76983 + t * 0.0003032));  // mean longitude
  const double m = 357.52911 + t * (35999.05029 - 0.0001537 * t);            // mean anomaly
  const double e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t);       // eccentricity
  const double mr = m * kDeg;
  const double c = std::sin(mr) * (1.914602 - t * (0.004817 + 0.000014 * t)) +
                   std::sin(2.0 * mr) * (0.019993 - 0.000101 * t) + std::sin(3.0 * mr) * 0.000289;
  const double true_long = l0 + c;
  const double nu = (m + c) * kDeg;                                         // true anomaly
  const double r = 1.000001018 * (1.0 - e * e) / (1.0 + e * std::cos(nu));  // [AU]
  const double omega = (125.04 - 1934.136 * t) * kDeg;
  const double lambda = (true_long - 0.00569 - 0.00478 * std::sin(omega)) * kDeg;
  const double eps0 =
      23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60.0) / 60.0;
  const double eps = (eps0 + 0.00256 * std::cos(omega)) * kDeg;
  SunPosition s;
  s.declination_rad = std::asin(std::sin(eps) * std::sin(lambda));
  const double y = std::tan(eps / 2.0) * std::tan(eps / 2.0);
  const double l0r = l0 * kDeg;
  const double eot = y * std::sin(2.0 * l0r) - 2.0 * e * std::sin(mr) +
                     4.0 * e * y * std::sin(mr) * std::cos(2.0 * l0r) -
                     0.5 * y * y * std::sin(4.0 * l0r) - 1.25 * e * e * std::sin(2.0 * mr);
  s.equation_of_time_min = 4.0 * eot / kDeg;
  s.distance_factor = 1.0 / (r * r);
  return s;
}

double local_solar_hour(const SunPosition& sun, double unix_s, double lon_deg) {
  double utc_min = std::fmod(unix_s, 86400.0) / 60.0;
  if (utc_min < 0.0) utc_min += 1440.0;
  double tst = std::fmod(utc_min + sun.equation_of_time_min + 4.0 * lon_deg, 1440.0);
  if (tst < 0.0) tst += 1440.0;
  return tst / 60.0;
}

double cos_solar_zenith(const SunPosition& sun, double unix_s, double lat_deg, double lon_deg) {
  const double hour_angle = (local_solar_hour(sun, unix_s, lon_deg) * 15.0 - 180.0) * kDeg;
  const double lat = lat_deg * kDeg;
  const double c = std::sin(lat) * std::sin(sun.declination_rad) +
                   std::cos(lat) * std::cos(sun.declination_rad) * std::cos(hour_angle);
  return std::clamp(c, -1.0, 1.0);
}

double solar_zenith_deg(TimePoint t, double lat_deg, double lon_deg) {
  const double s = static_cast<double>(t.time_since_epoch().count());
  return std::acos(cos_solar_zenith(sun_position(s), s, lat_deg, lon_deg)) / kDeg;
}

Photolysis clear_sky_photolysis(double cos_zenith) {
  Photolysis j;
  if (!(cos_zenith > 0.0)) return j;
  j.no2 = kJ4.at(cos_zenith);
  j.no3_no2 = kJ6.at(cos_zenith);
  j.no3_no = kJ5.at(cos_zenith);
  j.o1d = kJ1.at(cos_zenith);
  return j;
}

double clear_sky_shortwave(double cos_zenith, double distance_factor, double elevation_m) {
  if (!(cos_zenith > 0.0)) return 0.0;
  return (0.75 + 2e-5 * std::max(elevation_m, 0.0)) * kSolarConstant * distance_factor * cos_zenith;
}

double radiation_attenuation(double swdown_w_m2, double cos_zenith, double distance_factor,
                             double elevation_m) {
  if (!(cos_zenith >= 0.1)) return 1.0;
  const double clear = clear_sky_shortwave(cos_zenith, distance_factor, elevation_m);
  if (!(swdown_w_m2 >= 0.0)) return 1.0;  // missing or invalid radiation: clear sky
  return std::clamp(swdown_w_m2 / clear, 0.0, 1.0);
}

double oh_concentration(double cos_zenith, double attenuation, const OxidantOptions& opt) {
  double day = 0.0;
  if (cos_zenith > 0.0) {
    const double ref = kJ1.at(std::cos(opt.oh_reference_zenith_deg * kDeg));
    const double ratio = std::clamp(attenuation, 0.0, 1.0) * kJ1.at(cos_zenith) / ref;
    day = opt.oh_reference * std::pow(ratio, opt.oh_exponent);
  }
  return opt.oh_scale * (opt.oh_night + day);
}

double month_position(TimePoint t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const auto start = sys_days{ymd.year() / January / 1};
  const auto next = sys_days{(ymd.year() + years{1}) / January / 1};
  const double frac = static_cast<double>((t - start).count()) /
                      static_cast<double>(duration_cast<seconds>(next - start).count());
  double pos = frac * 12.0 - 0.5;
  if (pos < 0.0) pos += 12.0;
  return pos;
}

double o3_climatology_ppb(double month_pos, double local_hour, double z_m, double pblh_m,
                          const OxidantOptions& opt) {
  return opt.o3_scale * profile(monthly(kO3Month, month_pos), kO3DiurnalAmplitude,
                                opt.o3_free_troposphere_ppb, local_hour, z_m, pblh_m,
                                opt.blend_top_m);
}

double h2o2_climatology_ppb(double month_pos, double local_hour, double z_m, double pblh_m,
                            const OxidantOptions& opt) {
  const double mean = monthly(kH2O2Month, month_pos);
  return opt.h2o2_scale *
         profile(mean, kH2O2DiurnalAmplitude, mean, local_hour, z_m, pblh_m, opt.blend_top_m);
}

}  // namespace fwaq::chem

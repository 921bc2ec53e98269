#pragma once
// Air quality index of China (HJ 633-2012, "Technical Regulation on Ambient Air Quality
// Index (on trial)", Ministry of Environmental Protection 2012): individual indices
// (IAQI) by piecewise-linear interpolation between concentration breakpoints, the daily
// AQI as their maximum, the primary pollutant(s) and the category.
//
//   IAQI_P = (IAQI_hi − IAQI_lo) / (BP_hi − BP_lo) · (C_P − BP_lo) + IAQI_lo
//
// with BP_lo ≤ C_P ≤ BP_hi the bracket of HJ 633-2012 Table 1 holding C_P.
// Rounding: HJ 633-2012 has every IAQI and AQI result rounded up to the next integer
// (进位取整数); here IAQI = ceil(value − 1e-9), the 1e-9 keeping a value that is an
// integer in exact arithmetic (e.g. C on a breakpoint) from being pushed up by a
// floating-point rounding of the last bit. Concentrations are used as given (not
// rounded first). A concentration above the top breakpoint gives IAQI 500. The 8-h O3
// row ends at 800 µg m-3 (IAQI 300): above it the standard computes no 8-h index and
// the O3 index comes from the 1-h maximum. Method and checks: docs/science/aqi-and-targets.md.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace fwaq::report {

/// Pollutants (averaging periods) of the daily AQI.
enum class Pollutant {
  kPm25,   ///< PM2.5 24-h mean [µg m-3]
  kPm10,   ///< PM10 24-h mean [µg m-3]
  kSo2,    ///< SO2 24-h mean [µg m-3] (the 24-h row of Table 1, not the 1-h row)
  kNo2,    ///< NO2 24-h mean [µg m-3]
  kCo,     ///< CO 24-h mean [mg m-3]
  kO3_1h,  ///< O3 daily maximum 1-h mean [µg m-3]
  kO3_8h,  ///< O3 daily maximum 8-h running mean [µg m-3]
};
inline constexpr std::size_t kPollutantCount = 7;

/// Name used for the primary pollutant: "PM2.5", "PM10", "SO2", "NO2", "CO", "O3_1h", "O3_8h".
const char* pollutant_name(Pollutant p);
/// Units of the concentration: "µg m-3" or "mg m-3" (CO).
const char* pollutant_units(Pollutant p);
/// The 8 concentration breakpoints of HJ 633-2012 Table 1 at IAQI 0, 50, 100, 150, 200,
/// 300, 400, 500 [units of the pollutant]; for kO3_8h only the first 6 exist (up to
/// IAQI 300) and the rest are NaN.
const std::array<double, 8>& breakpoints(Pollutant p);
/// IAQI values of the breakpoints: 0, 50, 100, 150, 200, 300, 400, 500.
const std::array<int, 8>& iaqi_levels();

/// Individual air quality index (integer, rounded up) of a concentration [units of
/// the pollutant]. Above the top breakpoint: 500. Throws std::domain_error for a
/// negative or non-finite concentration, and for kO3_8h above 800 µg m-3 (no 8-h index
/// there: use the 1-h maximum).
int iaqi(Pollutant p, double c);

/// One day's concentrations [µg m-3; co in mg m-3]. Absent (or NaN) values are left out.
struct DailyConcentrations {
  std::optional<double> pm25, pm10, so2, no2, co, o3_8h, o3_1h_max;
};

/// The daily AQI and how it was formed.
struct AqiResult {
  int aqi = 0;                       ///< max of the IAQIs
  std::vector<std::string> primary;  ///< pollutant(s) with IAQI == AQI, empty if AQI ≤ 50
  std::string category;     ///< "excellent", "good", "light", "moderate", "heavy", "severe"
  std::string category_zh;  ///< 优, 良, 轻度污染, 中度污染, 重度污染, 严重污染
  int level = 0;            ///< 1–6 (HJ 633 levels I–VI)
  /// IAQI of each pollutant (index = static_cast<size_t>(Pollutant)); empty if the
  /// concentration was absent, or for kO3_8h above 800 µg m-3 (replaced by the 1-h index).
  std::array<std::optional<int>, kPollutantCount> iaqi;
};

/// Daily AQI (HJ 633-2012 daily report): max over the IAQIs of the given
/// concentrations; primary pollutants are all those whose IAQI equals the AQI when
/// AQI > 50 (ties keep every one, in Pollutant order). An 8-h O3 above 800 µg m-3
/// needs the 1-h maximum (std::domain_error otherwise). Throws std::domain_error if no
/// concentration is given or one is negative.
AqiResult daily_aqi(const DailyConcentrations& c);

/// Category of an AQI value: excellent 0–50, good 51–100, light 101–150, moderate
/// 151–200, heavy 201–300, severe > 300.
std::string aqi_category(int aqi);
/// Chinese name of the category (优, 良, 轻度污染, 中度污染, 重度污染, 严重污染).
std::string aqi_category_zh(int aqi);
/// Level 1–6 (I–VI) of an AQI value.
int aqi_level(int aqi);

/// Heavy-pollution day (重污染天; "heavy or worse"): daily AQI > 200.
inline bool is_heavy(int aqi) {
  return aqi > 200;
}

}  // namespace fwaq::report

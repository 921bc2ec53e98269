#include "report/aqi.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace fwaq::report {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// HJ 633-2012 Table 1 (空气质量分指数及对应的污染物项目浓度限值), the rows of the daily
// report: 24-h means of SO2, NO2, PM10, PM2.5, CO; 1-h and 8-h maxima of O3.
constexpr std::array<double, 8> kPm25 = {0, 35, 75, 115, 150, 250, 350, 500};
constexpr std::array<double, 8> kPm10 = {0, 50, 150, 250, 350, 420, 500, 600};
constexpr std::array<double, 8> kSo2 = {0, 50, 150, 475, 800, 1600, 2100, 2620};
constexpr std::array<double, 8> kNo2 = {0, 40, 80, 180, 280, 565, 750, 940};
constexpr std::array<double, 8> kCo = {0, 2, 4, 14, 24, 36, 48, 60};
constexpr std::array<double, 8> kO3_1h = {0, 160, 200, 300, 400, 800, 1000, 1200};
constexpr std::array<double, 8> kO3_8h = {0, 100, 160, 215, 265, 800, kNaN, kNaN};
constexpr std::array<int, 8> kLevels = {0, 50, 100, 150, 200, 300, 400, 500};

constexpr double kO3_8hTop = 800.0;  // µg m-3; above: no 8-h index (HJ 633-2012, Table 1 notes)

}  // namespace

const char* pollutant_name(Pollutant p) {
  switch (p) {
    case Pollutant::kPm25:
      return "PM2.5";
    case Pollutant::kPm10:
      return "PM10";
    case Pollutant::kSo2:
      return "SO2";
    case Pollutant::kNo2:
      return "NO2";
    case Pollutant::kCo:
      return "CO";
    case Pollutant::kO3_1h:
      return "O3_1h";
    case Pollutant::kO3_8h:
      return "O3_8h";
  }
  return "?";
}

const char* pollutant_units(Pollutant p) {
  return p == Pollutant::kCo ? "mg m-3" : "µg m-3";
}

const std::array<double, 8>& breakpoints(Pollutant p) {
  switch (p) {
    case Pollutant::kPm25:
      return kPm25;
    case Pollutant::kPm10:
      return kPm10;
    case Pollutant::kSo2:
      return kSo2;
    case Pollutant::kNo2:
      return kNo2;
    case Pollutant::kCo:
      return kCo;
    case Pollutant::kO3_1h:
      return kO3_1h;
    case Pollutant::kO3_8h:
      return kO3_8h;
  }
  throw std::invalid_argument("unknown pollutant");
}

const std::array<int, 8>& iaqi_levels() {
  return kLevels;
}

int iaqi(Pollutant p, double c) {
  if (!std::isfinite(c) || c < 0.0) {
    throw std::domain_error(std::string("IAQI of ") + pollutant_name(p) +
                            ": concentration must be a finite number >= 0, got " +
                            std::to_string(c));
  }
  if (p == Pollutant::kO3_8h && c > kO3_8hTop) {
    throw std::domain_error(
        "IAQI of O3_8h: 8-h O3 above 800 µg m-3 has no 8-h index (HJ 633-2012); use the 1-h "
        "maximum, got " +
        std::to_string(c));
  }
  const auto& bp = breakpoints(p);
  const std::size_t top = p == Pollutant::kO3_8h ? 5 : 7;  // index of the last breakpoint
  if (c > bp[top]) return 500;
  // The bracket [bp[k-1], bp[k]] holding c; c on a breakpoint lies in the lower bracket
  // (both give the same value there).
  std::size_t k = 1;
  while (c > bp[k]) ++k;
  const double lo = bp[k - 1];
  const double hi = bp[k];
  // Multiply first: for c and breakpoints that are integers the product is exact and a
  // result that is an integer comes out exactly.
  const double value = kLevels[k - 1] + (kLevels[k] - kLevels[k - 1]) * (c - lo) / (hi - lo);
  return static_cast<int>(std::ceil(value - 1e-9));
}

int aqi_level(int aqi) {
  if (aqi <= 50) return 1;
  if (aqi <= 100) return 2;
  if (aqi <= 150) return 3;
  if (aqi <= 200) return 4;
  if (aqi <= 300) return 5;
  return 6;
}

std::string aqi_category(int aqi) {
  static const char* const names[] = {"excellent", "good", "light", "moderate", "heavy", "severe"};
  return names[aqi_level(aqi) - 1];
}

std::string aqi_category_zh(int aqi) {
  static const char* const names[] = {"优", "良", "轻度污染", "中度污染", "重度污染", "严重污染"};
  return names[aqi_level(aqi) - 1];
}

AqiResult daily_aqi(const DailyConcentrations& c) {
  AqiResult r;
  auto set = [&](Pollutant p, const std::optional<double>& value) {
    if (!value || std::isnan(*value)) return;
    r.iaqi[static_cast<std::size_t>(p)] = iaqi(p, *value);
  };
  set(Pollutant::kPm25, c.pm25);
  set(Pollutant::kPm10, c.pm10);
  set(Pollutant::kSo2, c.so2);
  set(Pollutant::kNo2, c.no2);
  set(Pollutant::kCo, c.co);
  set(Pollutant::kO3_1h, c.o3_1h_max);
  if (c.o3_8h && !std::isnan(*c.o3_8h)) {
    if (*c.o3_8h > kO3_8hTop) {
      if (!r.iaqi[static_cast<std::size_t>(Pollutant::kO3_1h)]) {
        throw std::domain_error(
            "daily AQI: 8-h O3 of " + std::to_string(*c.o3_8h) +
            " µg m-3 is above 800, where HJ 633-2012 uses the 1-h maximum, and no 1-h O3 is "
            "given");
      }
      // The 1-h index stands for O3; the 8-h index is not computed.
    } else {
      set(Pollutant::kO3_8h, c.o3_8h);
    }
  }
  bool any = false;
  for (const auto& v : r.iaqi) {
    if (v) {
      r.aqi = any ? std::max(r.aqi, *v) : *v;
      any = true;
    }
  }
  if (!any) throw std::domain_error("daily AQI: no concentration given");
  if (r.aqi > 50) {
    for (std::size_t k = 0; k < kPollutantCount; ++k) {
      if (r.iaqi[k] && *r.iaqi[k] == r.aqi) {
        r.primary.emplace_back(pollutant_name(static_cast<Pollutant>(k)));
      }
    }
  }
  r.category = aqi_category(r.aqi);
  r.category_zh = aqi_category_zh(r.aqi);
  r.level = aqi_level(r.aqi);
  return r;
}

}  // namespace fwaq::report

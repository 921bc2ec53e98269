// Tests of the HJ 633-2012 air quality index: every breakpoint of Table 1, mid-bracket
// values computed by hand from the linear formula, the round-up rule, the 24-h SO2 row,
// the O3 8-h/1-h rule, primary-pollutant ties and the category limits.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "report/aqi.hpp"

namespace {

using fwaq::report::AqiResult;
using fwaq::report::daily_aqi;
using fwaq::report::DailyConcentrations;
using fwaq::report::iaqi;
using fwaq::report::Pollutant;

const std::vector<Pollutant> kAll = {Pollutant::kPm25, Pollutant::kPm10, Pollutant::kSo2,
                                     Pollutant::kNo2,  Pollutant::kCo,   Pollutant::kO3_1h,
                                     Pollutant::kO3_8h};

// The table of the project brief (HJ 633-2012 Table 1), typed in independently of the code.
TEST(AqiTest, BreakpointTableIsHj633) {
  using A = std::array<double, 8>;
  EXPECT_EQ(fwaq::report::breakpoints(Pollutant::kPm25), (A{0, 35, 75, 115, 150, 250, 350, 500}));
  EXPECT_EQ(fwaq::report::breakpoints(Pollutant::kPm10), (A{0, 50, 150, 250, 350, 420, 500, 600}));
  EXPECT_EQ(fwaq::report::breakpoints(Pollutant::kSo2),
            (A{0, 50, 150, 475, 800, 1600, 2100, 2620}));
  EXPECT_EQ(fwaq::report::breakpoints(Pollutant::kNo2), (A{0, 40, 80, 180, 280, 565, 750, 940}));
  EXPECT_EQ(fwaq::report::breakpoints(Pollutant::kCo), (A{0, 2, 4, 14, 24, 36, 48, 60}));
  EXPECT_EQ(fwaq::report::breakpoints(Pollutant::kO3_1h),
            (A{0, 160, 200, 300, 400, 800, 1000, 1200}));
  const auto& o3 = fwaq::report::breakpoints(Pollutant::kO3_8h);
  EXPECT_EQ((std::vector<double>(o3.begin(), o3.begin() + 6)),
            (std::vector<double>{0, 100, 160, 215, 265, 800}));
}

TEST(AqiTest, EveryBreakpointGivesItsLevel) {
  const auto& levels = fwaq::report::iaqi_levels();
  int checked = 0;
  for (const Pollutant p : kAll) {
    const auto& bp = fwaq::report::breakpoints(p);
    const std::size_t n = p == Pollutant::kO3_8h ? 6 : 8;
    for (std::size_t k = 0; k < n; ++k) {
      EXPECT_EQ(iaqi(p, bp[k]), levels[k]) << fwaq::report::pollutant_name(p) << " at " << bp[k];
      ++checked;
    }
  }
  EXPECT_EQ(checked, 6 * 8 + 6);
}

// IAQI = (IAQI_hi - IAQI_lo) / (BP_hi - BP_lo) * (C - BP_lo) + IAQI_lo, by hand.
TEST(AqiTest, MidBracketValuesByHand) {
  EXPECT_EQ(iaqi(Pollutant::kPm25, 55), 75);     // 50 + 50/40*20 = 75 exactly
  EXPECT_EQ(iaqi(Pollutant::kPm25, 100), 132);   // 100 + 50/40*25 = 131.25 -> 132
  EXPECT_EQ(iaqi(Pollutant::kPm25, 200), 250);   // 200 + 100/100*50 = 250
  EXPECT_EQ(iaqi(Pollutant::kPm10, 385), 250);   // 200 + 100/70*35 = 250
  EXPECT_EQ(iaqi(Pollutant::kPm10, 100), 75);    // 50 + 50/100*50 = 75
  EXPECT_EQ(iaqi(Pollutant::kNo2, 100), 110);    // 100 + 50/100*20 = 110
  EXPECT_EQ(iaqi(Pollutant::kNo2, 60), 75);      // 50 + 50/40*20 = 75
  EXPECT_EQ(iaqi(Pollutant::kCo, 5), 105);       // 100 + 50/10*1 = 105
  EXPECT_EQ(iaqi(Pollutant::kCo, 1.3), 33);      // 50/2*1.3 = 32.5 -> 33
  EXPECT_EQ(iaqi(Pollutant::kO3_1h, 250), 125);  // 100 + 50/100*50 = 125
  EXPECT_EQ(iaqi(Pollutant::kO3_8h, 500), 244);  // 200 + 100/535*235 = 243.93 -> 244
  EXPECT_EQ(iaqi(Pollutant::kO3_8h, 130), 75);   // 50 + 50/60*30 = 75
}

// The 24-h SO2 row (not the 1-h row 0, 150, 500, 650, 800 that some code copies).
TEST(AqiTest, So2UsesThe24HourRow) {
  EXPECT_EQ(iaqi(Pollutant::kSo2, 500), 154);   // 150 + 50/325*25 = 153.85 -> 154
  EXPECT_EQ(iaqi(Pollutant::kSo2, 200), 108);   // 100 + 50/325*50 = 107.69 -> 108 (1-h row: 58)
  EXPECT_EQ(iaqi(Pollutant::kSo2, 100), 75);    // 50 + 50/100*50 = 75 (1-h row: 34)
  EXPECT_EQ(iaqi(Pollutant::kSo2, 1000), 225);  // 200 + 100/800*200 = 225
  EXPECT_EQ(iaqi(Pollutant::kSo2, 475), 150);
  EXPECT_EQ(iaqi(Pollutant::kSo2, 2620), 500);
}

// HJ 633-2012 rounds every IAQI up to an integer.
TEST(AqiTest, RoundsUp) {
  EXPECT_EQ(iaqi(Pollutant::kPm25, 0.1), 1);       // 0.143 -> 1
  EXPECT_EQ(iaqi(Pollutant::kPm25, 35.01), 51);    // 50.0125 -> 51
  EXPECT_EQ(iaqi(Pollutant::kPm25, 34.99), 50);    // 49.986 -> 50
  EXPECT_EQ(iaqi(Pollutant::kPm25, 150.0), 200);   // exactly 200: not heavy
  EXPECT_EQ(iaqi(Pollutant::kPm25, 150.01), 201);  // 200.01 -> 201: heavy
  EXPECT_EQ(iaqi(Pollutant::kPm25, 0.0), 0);
  EXPECT_EQ(iaqi(Pollutant::kPm25, 114.99), 150);  // 149.9875 -> 150
  // Decimal concentrations whose IAQI is an integer in exact arithmetic but comes out a
  // few ulps above it in binary (50 * 4.9 / 35 = 7.000000000000001): not pushed up to 8.
  EXPECT_EQ(iaqi(Pollutant::kPm25, 4.9), 7);
  EXPECT_EQ(iaqi(Pollutant::kPm25, 128.3), 169);
  EXPECT_EQ(iaqi(Pollutant::kCo, 2.2), 55);
  EXPECT_EQ(iaqi(Pollutant::kNo2, 8.8), 11);
}

TEST(AqiTest, AboveTheTopBreakpointIs500) {
  EXPECT_EQ(iaqi(Pollutant::kPm25, 500.0), 500);
  EXPECT_EQ(iaqi(Pollutant::kPm25, 800.0), 500);
  EXPECT_EQ(iaqi(Pollutant::kPm10, 1000.0), 500);
  EXPECT_EQ(iaqi(Pollutant::kCo, 61.0), 500);
  EXPECT_EQ(iaqi(Pollutant::kO3_1h, 1500.0), 500);
}

TEST(AqiTest, RejectsBadConcentrations) {
  EXPECT_THROW(iaqi(Pollutant::kPm25, -1.0), std::domain_error);
  EXPECT_THROW(iaqi(Pollutant::kPm25, std::numeric_limits<double>::quiet_NaN()), std::domain_error);
  EXPECT_THROW(iaqi(Pollutant::kPm25, std::numeric_limits<double>::infinity()), std::domain_error);
  EXPECT_THROW(iaqi(Pollutant::kO3_8h, 801.0), std::domain_error);
  EXPECT_THROW(daily_aqi(DailyConcentrations{}), std::domain_error);
}

TEST(AqiTest, O3EightHourAbove800UsesTheOneHourIndex) {
  DailyConcentrations c;
  c.pm25 = 40;  // IAQI 57
  c.o3_8h = 900;
  c.o3_1h_max = 900;  // 300 + 100/200*100 = 350
  const AqiResult r = daily_aqi(c);
  EXPECT_EQ(r.aqi, 350);
  EXPECT_EQ(r.primary, (std::vector<std::string>{"O3_1h"}));
  EXPECT_FALSE(r.iaqi[static_cast<std::size_t>(Pollutant::kO3_8h)].has_value());
  EXPECT_EQ(*r.iaqi[static_cast<std::size_t>(Pollutant::kPm25)], 57);
  c.o3_1h_max.reset();
  EXPECT_THROW(daily_aqi(c), std::domain_error);
}

TEST(AqiTest, DailyAqiIsTheMaximumWithPrimaryPollutant) {
  DailyConcentrations c;
  c.pm25 = 180;  // 200 + 100/100*30 = 230
  c.pm10 = 250;  // 150
  c.so2 = 30;    // 30
  c.no2 = 60;    // 75
  c.co = 1.5;    // 37.5 -> 38
  c.o3_8h = 60;  // 30
  const AqiResult r = daily_aqi(c);
  EXPECT_EQ(r.aqi, 230);
  EXPECT_EQ(r.primary, (std::vector<std::string>{"PM2.5"}));
  EXPECT_EQ(r.category, "heavy");
  EXPECT_EQ(r.category_zh, "重度污染");
  EXPECT_EQ(r.level, 5);
  EXPECT_EQ(*r.iaqi[static_cast<std::size_t>(Pollutant::kPm10)], 150);
  EXPECT_EQ(*r.iaqi[static_cast<std::size_t>(Pollutant::kCo)], 38);
  EXPECT_FALSE(r.iaqi[static_cast<std::size_t>(Pollutant::kO3_1h)].has_value());
  EXPECT_TRUE(fwaq::report::is_heavy(r.aqi));
}

TEST(AqiTest, PrimaryPollutantTiesAndNoneAtOrBelow50) {
  DailyConcentrations c;
  c.pm25 = 75;   // 100
  c.pm10 = 150;  // 100
  c.no2 = 80;    // 100
  c.so2 = 20;
  AqiResult r = daily_aqi(c);
  EXPECT_EQ(r.aqi, 100);
  EXPECT_EQ(r.primary, (std::vector<std::string>{"PM2.5", "PM10", "NO2"}));
  EXPECT_EQ(r.category, "good");

  DailyConcentrations low;
  low.pm25 = 35;  // 50
  low.pm10 = 50;  // 50
  r = daily_aqi(low);
  EXPECT_EQ(r.aqi, 50);
  EXPECT_TRUE(r.primary.empty());
  EXPECT_EQ(r.category, "excellent");

  // NaN counts as absent.
  DailyConcentrations gap;
  gap.pm25 = std::numeric_limits<double>::quiet_NaN();
  gap.pm10 = 200;  // 125
  r = daily_aqi(gap);
  EXPECT_EQ(r.aqi, 125);
  EXPECT_EQ(r.primary, (std::vector<std::string>{"PM10"}));
}

TEST(AqiTest, CategoriesAtTheirLimits) {
  struct Case {
    int aqi;
    const char* en;
    const char* zh;
    int level;
  };
  const Case cases[] = {{0, "excellent", "优", 1},
                        {50, "excellent", "优", 1},
                        {51, "good", "良", 2},
                        {100, "good", "良", 2},
                        {101, "light", "轻度污染", 3},
                        {150, "light", "轻度污染", 3},
                        {151, "moderate", "中度污染", 4},
                        {200, "moderate", "中度污染", 4},
                        {201, "heavy", "重度污染", 5},
                        {300, "heavy", "重度污染", 5},
                        {301, "severe", "严重污染", 6},
                        {500, "severe", "严重污染", 6}};
  for (const auto& c : cases) {
    EXPECT_EQ(fwaq::report::aqi_category(c.aqi), c.en) << c.aqi;
    EXPECT_EQ(fwaq::report::aqi_category_zh(c.aqi), c.zh) << c.aqi;
    EXPECT_EQ(fwaq::report::aqi_level(c.aqi), c.level) << c.aqi;
  }
  EXPECT_FALSE(fwaq::report::is_heavy(200));
  EXPECT_TRUE(fwaq::report::is_heavy(201));
  EXPECT_TRUE(fwaq::report::is_heavy(301));
}

}  // namespace

#pragma once
// Temporal and vertical emission profiles.
//
// Temporal: an inventory gives, for each sector, region, species and calendar month, the
// mean emission rate over that month R_m [kg s-1]. The rate at model time t (UTC) is
//     E(t) = R_m * f(t),   f(t) = N_m * w(d) * 24 * h(k) / sum_k' h(k'),
//     w(d) = dow(d) / sum_{d' in month m} dow(d'),
// with local (standard) time, calendar day d of month m (N_m days), local hour k, the
// day-of-week factors dow (Monday..Sunday) and hour-of-day factors h of the sector. f
// averages exactly 1 over every local calendar month, so monthly totals are conserved
// whatever the profiles (as meic2ctm, factor.py calc_day_factor, normalises day factors
// within each month). Local time = UTC + utc_offset_hours (China Standard Time: +8,
// no daylight saving).
//
// Hour profiles may be tabulated against UTC hours (MEIC's factor/hour.csv: column h is
// UTC hour h, so its residential evening peak 09-12 UTC is 17-20 CST) or local hours;
// load() converts UTC columns to local hours: h_local(k) = h_utc((k - offset) mod 24).
//
// Vertical: a profile is a set of height bands [z_bottom, z_top) [m above ground] with
// the fraction of the emission in each, independent of any model grid; a band's mass is
// spread uniformly in height and handed to model layers by overlap, so the fractions of
// the layers add up to 1 for every vertical grid. Parts above the model top go to the
// top layer.
#include <array>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace fwaq::emissions {

struct HourProfile {
  std::array<double, 24> local{};  ///< factor by local hour 0..23, mean 1
};
struct WeekdayProfile {
  std::array<double, 7> factor{};  ///< Monday..Sunday, mean 1
};
struct VerticalProfile {
  struct Band {
    double z_bottom_m;  ///< [m above ground]
    double z_top_m;     ///< [m above ground]
    double fraction;    ///< share of the emission, sum over bands = 1
  };
  std::vector<Band> bands;  ///< sorted, non-overlapping
};

/// Named profiles (usually one per sector) from CSV tables.
class ProfileLibrary {
 public:
  /// Reads the tables:
  ///   hour:     `name,utc00,...,utc23` or `name,local00,...,local23`
  ///   weekday:  `name,mon,tue,wed,thu,fri,sat,sun`
  ///   vertical: `name,z_bottom_m,z_top_m,fraction` (one row per band)
  /// Lines starting with '#' are comments. Rows are normalised (hour and weekday to mean
  /// 1, vertical to sum 1); negative, non-finite or all-zero rows, overlapping bands and
  /// vertical fractions whose sum is off 1 by more than 1 % are InputErrors naming the
  /// file, the row and the value. `utc_offset_hours` converts UTC hour columns.
  static ProfileLibrary load(const std::filesystem::path& hour_csv,
                             const std::filesystem::path& weekday_csv,
                             const std::filesystem::path& vertical_csv, int utc_offset_hours);

  void set_hour(const std::string& name, const HourProfile& p) { hour_[name] = p; }
  void set_weekday(const std::string& name, const WeekdayProfile& p) { weekday_[name] = p; }
  void set_vertical(const std::string& name, const VerticalProfile& p) { vertical_[name] = p; }
  bool has_hour(const std::string& name) const { return hour_.count(name) > 0; }
  bool has_weekday(const std::string& name) const { return weekday_.count(name) > 0; }
  bool has_vertical(const std::string& name) const { return vertical_.count(name) > 0; }
  /// Throws UsageError naming the profile if unknown.
  const HourProfile& hour(const std::string& name) const;
  const WeekdayProfile& weekday(const std::string& name) const;
  const VerticalProfile& vertical(const std::string& name) const;
  std::vector<std::string> hour_names() const;
  std::vector<std::string> weekday_names() const;
  std::vector<std::string> vertical_names() const;

 private:
  std::map<std::string, HourProfile> hour_;
  std::map<std::string, WeekdayProfile> weekday_;
  std::map<std::string, VerticalProfile> vertical_;
};

/// Calendar fields of a UTC time in local standard time.
struct LocalTime {
  int year = 0, month = 0, day = 0;  ///< month 1..12, day 1..31
  int weekday = 0;                   ///< 0 = Monday .. 6 = Sunday
  int hour = 0;                      ///< 0..23
  int days_in_month = 0;
};
LocalTime to_local(TimePoint t_utc, int utc_offset_hours);

/// f(t) above: the day-of-week and hour-of-day factor at UTC time t, mean 1 over the
/// local calendar month.
double diurnal_weekly_factor(const WeekdayProfile& weekday, const HourProfile& hour,
                             TimePoint t_utc, int utc_offset_hours);

/// Fractions of an emission with `profile` in each model layer of a column with interface
/// heights z_w [m above ground] (nz + 1 values, z_w[0] = 0). `out` has nz entries and
/// sums to 1.
void vertical_fractions(const VerticalProfile& profile, std::span<const double> z_w,
                        std::span<double> out);

/// Normalises `values` in place to mean 1 (hour, weekday factors); false if the sum is
/// not positive and finite or a value is negative.
bool normalise_to_mean_one(std::span<double> values);

}  // namespace fwaq::emissions

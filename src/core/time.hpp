#pragma once
// Model time: UTC seconds since 1970 (std::chrono::sys_seconds), parsing and
// formatting of the forms users and files use.
#include <chrono>
#include <string>

namespace fwaq {

using TimePoint = std::chrono::sys_seconds;
using Seconds = std::chrono::seconds;

/// Parses "YYYY-MM-DD", "YYYY-MM-DDTHH[:MM[:SS]]", "YYYY-MM-DD HH:MM:SS" and WRF's
/// "YYYY-MM-DD_HH:MM:SS" (all UTC). Throws UsageError naming the text otherwise.
TimePoint parse_time(const std::string& text);

/// "YYYY-MM-DDTHH:MM:SSZ".
std::string format_iso(TimePoint t);
/// WRF's "YYYY-MM-DD_HH:MM:SS".
std::string format_wrf(TimePoint t);
/// "YYYY-MM-DD".
std::string format_date(TimePoint t);

/// Seconds since t0 as a double [s].
inline double seconds_between(TimePoint t0, TimePoint t1) {
  return static_cast<double>((t1 - t0).count());
}

}  // namespace fwaq

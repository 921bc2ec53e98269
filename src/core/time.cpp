#include "core/time.hpp"

#include <cstdio>
#include <regex>

#include "core/error.hpp"

namespace fwaq {

TimePoint parse_time(const std::string& text) {
  static const std::regex form(
      R"(^\s*(\d{4})-(\d{2})-(\d{2})(?:[T _](\d{2})(?::(\d{2})(?::(\d{2}))?)?)?Z?\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, form)) {
    throw UsageError("cannot read time '" + text +
                     "': expected YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] or YYYY-MM-DD_HH:MM:SS (UTC)");
  }
  auto num = [&](int i) { return m[i].matched ? std::stoi(m[i].str()) : 0; };
  using namespace std::chrono;
  const year_month_day ymd{year{num(1)}, month{static_cast<unsigned>(num(2))},
                           day{static_cast<unsigned>(num(3))}};
  if (!ymd.ok() || num(4) > 23 || num(5) > 59 || num(6) > 60) {
    throw UsageError("time '" + text + "' is not a valid calendar date and time");
  }
  return sys_days{ymd} + hours{num(4)} + minutes{num(5)} + seconds{num(6)};
}

namespace {
std::string format(TimePoint t, const char* pattern) {
  using namespace std::chrono;
  const auto day_start = floor<days>(t);
  const year_month_day ymd{day_start};
  const hh_mm_ss hms{t - day_start};
  char buf[40];
  std::snprintf(buf, sizeof buf, pattern, static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}
}  // namespace

std::string format_iso(TimePoint t) {
  return format(t, "%04d-%02u-%02uT%02d:%02d:%02dZ");
}
std::string format_wrf(TimePoint t) {
  return format(t, "%04d-%02u-%02u_%02d:%02d:%02d");
}
std::string format_date(TimePoint t) {
  return format(t, "%04d-%02u-%02u").substr(0, 10);
}

}  // namespace fwaq

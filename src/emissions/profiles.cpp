#include "emissions/profiles.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace fwaq::emissions {

namespace {

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  const auto b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

std::string fmt(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

struct CsvRow {
  int line = 0;
  std::vector<std::string> cells;
};

/// Header and rows of a comma-separated table; '#' lines and blank lines skipped.
std::pair<std::vector<std::string>, std::vector<CsvRow>> read_csv(const std::filesystem::path& p) {
  std::ifstream in(p);
  if (!in) throw InputError(p.string(), "", "cannot open the profile table");
  std::vector<std::string> header;
  std::vector<CsvRow> rows;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (n == 1 && line.size() >= 3 && static_cast<unsigned char>(line[0]) == 0xEF) {
      line = line.substr(3);  // UTF-8 byte-order mark
    }
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    CsvRow r;
    r.line = n;
    std::stringstream ss(t);
    for (std::string cell; std::getline(ss, cell, ',');) r.cells.push_back(trim(cell));
    if (header.empty()) {
      header = r.cells;
    } else {
      rows.push_back(std::move(r));
    }
  }
  if (header.empty()) throw InputError(p.string(), "", "the profile table has no header line");
  return {header, rows};
}

double number(const std::filesystem::path& p, const CsvRow& r, std::size_t k,
              const std::string& column) {
  const std::string& text = r.cells[k];
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end == nullptr || *end != '\0' || !std::isfinite(v) || v < 0.0) {
    throw InputError(p.string(), r.cells[0],
                     "line " + std::to_string(r.line) + ", column " + column + ": value '" + text +
                         "'; expected a finite number >= 0");
  }
  return v;
}

}  // namespace

bool normalise_to_mean_one(std::span<double> values) {
  double sum = 0.0;
  for (double v : values) {
    if (!(v >= 0.0) || !std::isfinite(v)) return false;
    sum += v;
  }
  if (!(sum > 0.0) || !std::isfinite(sum)) return false;
  const double scale = static_cast<double>(values.size()) / sum;
  for (double& v : values) v *= scale;
  return true;
}

ProfileLibrary ProfileLibrary::load(const std::filesystem::path& hour_csv,
                                    const std::filesystem::path& weekday_csv,
                                    const std::filesystem::path& vertical_csv,
                                    int utc_offset_hours) {
  ProfileLibrary lib;

  // ---- hour of day ---------------------------------------------------------------
  {
    const auto [header, rows] = read_csv(hour_csv);
    bool utc = false;
    if (header.size() == 25 && header[1] == "utc00" && header[24] == "utc23") {
      utc = true;
    } else if (!(header.size() == 25 && header[1] == "local00" && header[24] == "local23")) {
      throw InputError(hour_csv.string(), "",
                       "header must be 'name,utc00,...,utc23' or 'name,local00,...,local23'");
    }
    for (const auto& r : rows) {
      if (r.cells.size() != 25) {
        throw InputError(hour_csv.string(), r.cells[0],
                         "line " + std::to_string(r.line) + " has " +
                             std::to_string(r.cells.size()) + " columns; expected 25");
      }
      std::array<double, 24> v{};
      for (int h = 0; h < 24; ++h) v[h] = number(hour_csv, r, h + 1, header[h + 1]);
      if (!normalise_to_mean_one(v)) {
        throw InputError(hour_csv.string(), r.cells[0],
                         "line " + std::to_string(r.line) + ": all factors are zero");
      }
      HourProfile p;
      for (int k = 0; k < 24; ++k) {
        p.local[k] = utc ? v[((k - utc_offset_hours) % 24 + 24) % 24] : v[k];
      }
      lib.hour_[r.cells[0]] = p;
    }
  }

  // ---- day of week ---------------------------------------------------------------
  {
    const auto [header, rows] = read_csv(weekday_csv);
    const std::vector<std::string> expect{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    if (header.size() != 8 || !std::equal(expect.begin(), expect.end(), header.begin() + 1)) {
      throw InputError(weekday_csv.string(), "",
                       "header must be 'name,mon,tue,wed,thu,fri,sat,sun'");
    }
    for (const auto& r : rows) {
      if (r.cells.size() != 8) {
        throw InputError(weekday_csv.string(), r.cells[0],
                         "line " + std::to_string(r.line) + " has " +
                             std::to_string(r.cells.size()) + " columns; expected 8");
      }
      WeekdayProfile p;
      for (int d = 0; d < 7; ++d) p.factor[d] = number(weekday_csv, r, d + 1, header[d + 1]);
      if (!normalise_to_mean_one(p.factor)) {
        throw InputError(weekday_csv.string(), r.cells[0],
                         "line " + std::to_string(r.line) + ": all factors are zero");
      }
      lib.weekday_[r.cells[0]] = p;
    }
  }

  // ---- vertical --------------------------------------------------------------------
  {
    const auto [header, rows] = read_csv(vertical_csv);
    if (header != std::vector<std::string>{"name", "z_bottom_m", "z_top_m", "fraction"}) {
      throw InputError(vertical_csv.string(), "",
                       "header must be 'name,z_bottom_m,z_top_m,fraction'");
    }
    std::map<std::string, VerticalProfile> v;
    for (const auto& r : rows) {
      if (r.cells.size() != 4) {
        throw InputError(vertical_csv.string(), r.cells[0],
                         "line " + std::to_string(r.line) + " has " +
                             std::to_string(r.cells.size()) + " columns; expected 4");
      }
      const double zb = number(vertical_csv, r, 1, "z_bottom_m");
      const double zt = number(vertical_csv, r, 2, "z_top_m");
      const double f = number(vertical_csv, r, 3, "fraction");
      if (!(zt > zb)) {
        throw InputError(vertical_csv.string(), r.cells[0],
                         "line " + std::to_string(r.line) + ": band " + fmt(zb) + " .. " + fmt(zt) +
                             " m; expected z_top_m > z_bottom_m");
      }
      v[r.cells[0]].bands.push_back({zb, zt, f});
    }
    for (auto& [name, p] : v) {
      std::sort(p.bands.begin(), p.bands.end(),
                [](const auto& a, const auto& b) { return a.z_bottom_m < b.z_bottom_m; });
      double sum = 0.0;
      for (std::size_t b = 0; b < p.bands.size(); ++b) {
        sum += p.bands[b].fraction;
        if (b > 0 && p.bands[b].z_bottom_m < p.bands[b - 1].z_top_m - 1e-9) {
          throw InputError(vertical_csv.string(), name,
                           "bands " + fmt(p.bands[b - 1].z_bottom_m) + ".." +
                               fmt(p.bands[b - 1].z_top_m) + " m and " +
                               fmt(p.bands[b].z_bottom_m) + ".." + fmt(p.bands[b].z_top_m) +
                               " m overlap");
        }
      }
      if (std::abs(sum - 1.0) > 0.01) {
        throw InputError(vertical_csv.string(), name,
                         "fractions sum to " + fmt(sum) + "; expected 1 (within 1 %)");
      }
      for (auto& b : p.bands) b.fraction /= sum;
      lib.vertical_[name] = p;
    }
  }
  return lib;
}

const HourProfile& ProfileLibrary::hour(const std::string& name) const {
  auto it = hour_.find(name);
  if (it == hour_.end()) throw UsageError("no hour-of-day emission profile named '" + name + "'");
  return it->second;
}
const WeekdayProfile& ProfileLibrary::weekday(const std::string& name) const {
  auto it = weekday_.find(name);
  if (it == weekday_.end())
    throw UsageError("no day-of-week emission profile named '" + name + "'");
  return it->second;
}
const VerticalProfile& ProfileLibrary::vertical(const std::string& name) const {
  auto it = vertical_.find(name);
  if (it == vertical_.end()) throw UsageError("no vertical emission profile named '" + name + "'");
  return it->second;
}

namespace {
template <class M>
std::vector<std::string> names_of(const M& m) {
  std::vector<std::string> n;
  for (const auto& kv : m) n.push_back(kv.first);
  return n;
}
}  // namespace

std::vector<std::string> ProfileLibrary::hour_names() const {
  return names_of(hour_);
}
std::vector<std::string> ProfileLibrary::weekday_names() const {
  return names_of(weekday_);
}
std::vector<std::string> ProfileLibrary::vertical_names() const {
  return names_of(vertical_);
}

LocalTime to_local(TimePoint t_utc, int utc_offset_hours) {
  using namespace std::chrono;
  const auto local = t_utc + hours{utc_offset_hours};
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  LocalTime lt;
  lt.year = static_cast<int>(ymd.year());
  lt.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  lt.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  lt.weekday = static_cast<int>((weekday{day}.iso_encoding() + 6) % 7);  // Monday = 0
  lt.hour = static_cast<int>(floor<hours>(local - day).count());
  const year_month_day_last last{ymd.year() / ymd.month() / std::chrono::last};
  lt.days_in_month = static_cast<int>(static_cast<unsigned>(last.day()));
  return lt;
}

double diurnal_weekly_factor(const WeekdayProfile& weekday_profile, const HourProfile& hour,
                             TimePoint t_utc, int utc_offset_hours) {
  using namespace std::chrono;
  const LocalTime lt = to_local(t_utc, utc_offset_hours);
  // Weekday of the 1st of the month; each weekday occurs 4 or 5 times.
  const int first_wd = ((lt.weekday - (lt.day - 1)) % 7 + 7) % 7;
  double sum = 0.0;
  for (int d = 0; d < lt.days_in_month; ++d) sum += weekday_profile.factor[(first_wd + d) % 7];
  const double w = weekday_profile.factor[lt.weekday] / sum;
  // hour.local has mean 1, i.e. 24 * h / sum(h) = hour.local[k].
  return lt.days_in_month * w * hour.local[lt.hour];
}

void vertical_fractions(const VerticalProfile& profile, std::span<const double> z_w,
                        std::span<double> out) {
  const std::size_t nz = out.size();
  std::fill(out.begin(), out.end(), 0.0);
  if (nz == 0) return;
  const double top = z_w[nz];
  for (const auto& b : profile.bands) {
    const double thick = b.z_top_m - b.z_bottom_m;
    double placed = 0.0;
    for (std::size_t k = 0; k < nz; ++k) {
      const double lo = std::max(z_w[k], b.z_bottom_m);
      const double hi = std::min(z_w[k + 1], b.z_top_m);
      if (hi > lo) {
        const double f = (hi - lo) / thick;
        out[k] += b.fraction * f;
        placed += f;
      }
    }
    // Above the model top (or rounding): the rest goes to the top layer.
    if (b.z_top_m > top) out[nz - 1] += b.fraction * std::max(0.0, 1.0 - placed);
  }
}

}  // namespace fwaq::emissions

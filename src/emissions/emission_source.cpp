#include "emissions/emission_source.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/error.hpp"
#include "grid/vertical_grid.hpp"

namespace fwaq::emissions {

namespace {

TimePoint local_midnight_utc(int y, int m, int d, int offset_hours) {
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  return TimePoint{sys_days{ymd}} - hours{offset_hours};
}

std::string date_text(int y, int m, int d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

}  // namespace

TimePoint InventoryPeriod::start_utc() const {
  return local_midnight_utc(start_year, start_month, start_day, utc_offset_hours);
}
TimePoint InventoryPeriod::end_utc() const {
  return local_midnight_utc(end_year, end_month, end_day, utc_offset_hours);
}
std::string InventoryPeriod::first_day() const {
  return date_text(start_year, start_month, start_day);
}
std::string InventoryPeriod::last_day() const {
  using namespace std::chrono;
  const sys_days last =
      sys_days{year_month_day{year{end_year}, month{static_cast<unsigned>(end_month)},
                              day{static_cast<unsigned>(end_day)}}} -
      std::chrono::days{1};
  const year_month_day ymd{last};
  return date_text(static_cast<int>(ymd.year()),
                   static_cast<int>(static_cast<unsigned>(ymd.month())),
                   static_cast<int>(static_cast<unsigned>(ymd.day())));
}
double InventoryPeriod::days() const {
  return seconds_between(start_utc(), end_utc()) / 86400.0;
}

std::array<double, 12> InventoryPeriod::month_seconds() const {
  using namespace std::chrono;
  std::array<double, 12> secs{};
  const TimePoint p0 = start_utc(), p1 = end_utc();
  year_month ym{year{start_year}, month{static_cast<unsigned>(start_month)}};
  for (int guard = 0; guard < 13; ++guard) {
    const TimePoint m0 = TimePoint{sys_days{ym / 1}} - hours{utc_offset_hours};
    const TimePoint m1 = TimePoint{sys_days{(ym + months{1}) / 1}} - hours{utc_offset_hours};
    if (m0 >= p1) break;
    const TimePoint a = std::max(m0, p0), b = std::min(m1, p1);
    if (b > a) secs[static_cast<unsigned>(ym.month()) - 1] += seconds_between(a, b);
    ym += months{1};
  }
  return secs;
}

TotalsTable EmissionInventory::period_totals() const {
  TotalsTable t;
  t.regions = regions;
  t.resize(regions.size());
  const std::array<double, 12> secs = period.month_seconds();
  for (const auto& L : layers) {
    for (int m = 0; m < 12; ++m) {
      if (secs[m] == 0.0) continue;
      for (int x = 0; x < kNumSpecies; ++x) {
        t.kg[L.region][index_of(L.sector)][x] += L.rate[m][x] * secs[m];
      }
    }
  }
  return t;
}

std::optional<int> EmissionInventory::region_index(const std::string& name) const {
  for (std::size_t r = 0; r < regions.size(); ++r) {
    if (regions[r] == name) return static_cast<int>(r);
  }
  return std::nullopt;
}

// ---- scaling -------------------------------------------------------------------------

void EmissionScaling::add(const Rule& rule) {
  if (!(rule.factor >= 0.0) || !std::isfinite(rule.factor)) {
    throw UsageError("emission scaling '" + rule.label + "': factor " +
                     std::to_string(rule.factor) + " must be finite and >= 0");
  }
  if (rule.from && rule.until && *rule.from >= *rule.until) {
    throw UsageError("emission scaling '" + rule.label + "': window from " +
                     format_iso(*rule.from) + " until " + format_iso(*rule.until) + " is empty");
  }
  rules_.push_back(rule);
}

double EmissionScaling::factor(Sector sector, const std::string& region, Species species,
                               TimePoint t, const std::string& component) const {
  double f = 1.0;
  for (const auto& r : rules_) {
    if (!r.component.empty() && r.component != component) continue;
    if (r.sector && *r.sector != sector) continue;
    if (!r.region.empty() && r.region != region) continue;
    if (r.species && *r.species != species) continue;
    if (r.from && t < *r.from) continue;
    if (r.until && t >= *r.until) continue;
    f *= r.factor;
  }
  if (hook_) f *= hook_(sector, region, species, t);
  return f;
}

// ---- source ----------------------------------------------------------------------------

EmissionSource::EmissionSource(std::shared_ptr<const EmissionInventory> inventory,
                               std::shared_ptr<const ProfileLibrary> profiles)
    : inventory_(std::move(inventory)), profiles_(std::move(profiles)) {
  const std::array<double, 12> covered = inventory_->period.month_seconds();
  for (int m = 0; m < 12; ++m) {
    month_map_[static_cast<std::size_t>(m)] = m;
    if (covered[static_cast<std::size_t>(m)] > 0.0) continue;
    for (int d = 1; d < 12; ++d) {
      const int after = (m + d) % 12, before = (m - d + 12) % 12;
      if (covered[static_cast<std::size_t>(after)] > 0.0) {
        month_map_[static_cast<std::size_t>(m)] = after;
        break;
      }
      if (covered[static_cast<std::size_t>(before)] > 0.0) {
        month_map_[static_cast<std::size_t>(m)] = before;
        break;
      }
    }
  }
  for (Sector s : kAllSectors) {
    const int k = index_of(s);
    (void)profiles_->hour(inventory_->hour_profile[k]);
    (void)profiles_->weekday(inventory_->weekday_profile[k]);
    (void)profiles_->vertical(inventory_->vertical_profile[k]);
  }
  for (const auto& L : inventory_->layers) {
    if (!L.vertical.empty()) (void)profiles_->vertical(L.vertical);
  }
}

std::vector<Field> EmissionSource::make_fields(int nx, int ny, int nz, int halo) {
  std::vector<Field> f;
  f.reserve(kNumSpecies);
  for (Species s : kAllSpecies)
    f.emplace_back(std::string(species_name(s)), "kg s-1", nx, ny, nz, halo);
  return f;
}

int EmissionSource::rate_month(TimePoint t) const {
  const int m = to_local(t, inventory_->period.utc_offset_hours).month - 1;
  return month_map_[static_cast<std::size_t>(m)];
}

double EmissionSource::temporal_factor(Sector sector, TimePoint t) const {
  const int k = index_of(sector);
  return diurnal_weekly_factor(profiles_->weekday(inventory_->weekday_profile[k]),
                               profiles_->hour(inventory_->hour_profile[k]), t,
                               inventory_->period.utc_offset_hours);
}

void EmissionSource::fill(TimePoint t, const VerticalGrid& vgrid, int i0, int j0,
                          std::vector<Field>& out) const {
  if (out.size() != static_cast<std::size_t>(kNumSpecies)) {
    throw UsageError("EmissionSource::fill: expected " + std::to_string(kNumSpecies) +
                     " fields (make_fields), got " + std::to_string(out.size()));
  }
  const int wx = out[0].nx(), wy = out[0].ny(), nz = out[0].nz();
  if (vgrid.nx() != wx || vgrid.ny() != wy || vgrid.nz() != nz) {
    throw UsageError("EmissionSource::fill: vertical grid (" + std::to_string(vgrid.nx()) + " x " +
                     std::to_string(vgrid.ny()) + " x " + std::to_string(vgrid.nz()) +
                     ") does not match the fields (" + std::to_string(wx) + " x " +
                     std::to_string(wy) + " x " + std::to_string(nz) + ")");
  }
  for (auto& f : out) f.fill(0.0);
  const EmissionInventory& inv = *inventory_;
  const int month = rate_month(t);
  std::array<double, kNumSectors> tf{};
  for (Sector s : kAllSectors) tf[index_of(s)] = temporal_factor(s, t);
  std::vector<double> frac(static_cast<std::size_t>(nz));
  for (const auto& L : inv.layers) {
    SpeciesArray r{};
    bool any = false;
    for (int x = 0; x < kNumSpecies; ++x) {
      const double base = L.rate[month][x];
      if (base == 0.0) continue;
      r[x] = base * tf[index_of(L.sector)] *
             scaling_.factor(L.sector, inv.regions[L.region], kAllSpecies[x], t, L.label);
      any = any || r[x] != 0.0;
    }
    if (!any) continue;
    const VerticalProfile& vp = profiles_->vertical(
        L.vertical.empty() ? inv.vertical_profile[index_of(L.sector)] : L.vertical);
    const auto& pattern = L.patterns[L.pattern_of_month[month]];
    for (std::size_t c = 0; c < L.cells.size(); ++c) {
      const int gi = static_cast<int>(L.cells[c] % static_cast<std::size_t>(inv.nx));
      const int gj = static_cast<int>(L.cells[c] / static_cast<std::size_t>(inv.nx));
      const int i = gi - i0, j = gj - j0;
      if (i < 0 || j < 0 || i >= wx || j >= wy) continue;
      const double w = pattern[c];
      if (w == 0.0) continue;
      vertical_fractions(vp, vgrid.column(i, j), frac);
      for (int x = 0; x < kNumSpecies; ++x) {
        if (r[x] == 0.0) continue;
        const double e = r[x] * w;
        Field& f = out[x];
        for (int k = 0; k < nz; ++k) {
          if (frac[k] != 0.0) f(i, j, k) += e * frac[k];
        }
      }
    }
  }
}

double EmissionSource::total_rate(TimePoint t, Species species) const {
  const EmissionInventory& inv = *inventory_;
  const int month = rate_month(t);
  const int x = index_of(species);
  double sum = 0.0;
  for (const auto& L : inv.layers) {
    const double base = L.rate[month][x];
    if (base == 0.0) continue;
    sum += base * temporal_factor(L.sector, t) *
           scaling_.factor(L.sector, inv.regions[L.region], species, t, L.label);
  }
  return sum;
}

}  // namespace fwaq::emissions

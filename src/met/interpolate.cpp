#include "met/interpolate.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <utility>

#include "core/error.hpp"

namespace fwaq {

namespace {

/// Pointers to every field of a record, in a fixed order.
template <class R>
auto all_fields(R& r) {
  return std::array{&r.temperature, &r.pressure,    &r.density, &r.qvapor, &r.rel_humidity,
                    &r.cloud_water, &r.z_interface, &r.u,       &r.v,      &r.w,
                    &r.kz,          &r.terrain,     &r.pblh,    &r.ustar,  &r.hfx,
                    &r.t2,          &r.u10,         &r.v10,     &r.psfc,   &r.swdown,
                    &r.precip};
}

bool same_shape(const MetRecord& a, const MetRecord& b) {
  return a.nx == b.nx && a.ny == b.ny && a.nz == b.nz;
}

}  // namespace

void interpolate_into(const MetRecord& a, const MetRecord& b, TimePoint t, MetRecord& out) {
  if (!same_shape(a, b)) {
    throw std::invalid_argument("interpolate: records of different shapes (" +
                                std::to_string(a.nx) + "x" + std::to_string(a.ny) + "x" +
                                std::to_string(a.nz) + " and " + std::to_string(b.nx) + "x" +
                                std::to_string(b.ny) + "x" + std::to_string(b.nz) + ")");
  }
  if (!(a.time < b.time) || t < a.time || t > b.time) {
    throw std::invalid_argument("interpolate: need a.time < b.time and a.time <= t <= b.time (" +
                                format_iso(a.time) + ", " + format_iso(b.time) + ", " +
                                format_iso(t) + ")");
  }
  if (!same_shape(out, a) || out.temperature.size() == 0) out.allocate(a.nx, a.ny, a.nz);
  const double w = seconds_between(a.time, t) / seconds_between(a.time, b.time);
  const double w0 = 1.0 - w;
  const auto fa = all_fields(a);
  const auto fb = all_fields(b);
  auto fo = all_fields(out);
  for (std::size_t f = 0; f < fa.size(); ++f) {
    const double* pa = fa[f]->data();
    const double* pb = fb[f]->data();
    double* po = fo[f]->data();
    const std::size_t n = fa[f]->size();
    if (fb[f]->size() != n || fo[f]->size() != n) {
      throw std::invalid_argument("interpolate: field '" + fa[f]->name() + "' differs in size");
    }
    for (std::size_t i = 0; i < n; ++i) po[i] = w0 * pa[i] + w * pb[i];
  }
  out.time = t;
}

MetRecord interpolate(const MetRecord& a, const MetRecord& b, TimePoint t) {
  MetRecord out;
  interpolate_into(a, b, t, out);
  return out;
}

Field destagger_x(const Field& f) {
  if (f.nx() < 2) throw std::invalid_argument("destagger_x: need at least 2 faces");
  Field c(f.name(), f.units(), f.nx() - 1, f.ny(), f.nz(), 0);
  for (int k = 0; k < c.nz(); ++k)
    for (int j = 0; j < c.ny(); ++j)
      for (int i = 0; i < c.nx(); ++i) c(i, j, k) = 0.5 * (f(i, j, k) + f(i + 1, j, k));
  return c;
}

Field destagger_y(const Field& f) {
  if (f.ny() < 2) throw std::invalid_argument("destagger_y: need at least 2 faces");
  Field c(f.name(), f.units(), f.nx(), f.ny() - 1, f.nz(), 0);
  for (int k = 0; k < c.nz(); ++k)
    for (int j = 0; j < c.ny(); ++j)
      for (int i = 0; i < c.nx(); ++i) c(i, j, k) = 0.5 * (f(i, j, k) + f(i, j + 1, k));
  return c;
}

Field destagger_z(const Field& f) {
  if (f.nz() < 2) throw std::invalid_argument("destagger_z: need at least 2 interfaces");
  Field c(f.name(), f.units(), f.nx(), f.ny(), f.nz() - 1, 0);
  for (int k = 0; k < c.nz(); ++k)
    for (int j = 0; j < c.ny(); ++j)
      for (int i = 0; i < c.nx(); ++i) c(i, j, k) = 0.5 * (f(i, j, k) + f(i, j, k + 1));
  return c;
}

// ---------------------------------------------------------------------------
// MetSeries
// ---------------------------------------------------------------------------

MetSeries::MetSeries(std::vector<MetSource> sources) : sources_(std::move(sources)) {
  if (sources_.empty()) throw std::invalid_argument("MetSeries: no sources");
  for (std::size_t s = 0; s < sources_.size(); ++s) {
    const auto& src = sources_[s];
    if (src.times.empty()) {
      throw InputError(src.file, src.time_variable, "has no records; expected at least one time");
    }
    for (std::size_t r = 1; r < src.times.size(); ++r) {
      if (!(src.times[r - 1] < src.times[r])) {
        throw InputError(src.file, src.time_variable,
                         "times are not strictly increasing: record " + std::to_string(r - 1) +
                             " is " + format_iso(src.times[r - 1]) + ", record " +
                             std::to_string(r) + " is " + format_iso(src.times[r]));
      }
    }
    for (std::size_t r = 0; r < src.times.size(); ++r) {
      entries_.push_back({src.times[r], static_cast<int>(s), static_cast<int>(r)});
    }
  }
  // Merge by time; for equal times keep the first source listed.
  std::stable_sort(entries_.begin(), entries_.end(),
                   [](const Entry& x, const Entry& y) { return x.time < y.time; });
  entries_.erase(std::unique(entries_.begin(), entries_.end(),
                             [](const Entry& x, const Entry& y) { return x.time == y.time; }),
                 entries_.end());
}

TimePoint MetSeries::first_time() const {
  return entries_.front().time;
}
TimePoint MetSeries::last_time() const {
  return entries_.back().time;
}

bool MetSeries::covers(TimePoint t) const {
  return t >= first_time() && t <= last_time();
}

const MetRecord& MetSeries::load(int entry, int slot) {
  if (cached_[slot] == entry) return cache_[slot];
  const int other = 1 - slot;
  if (cached_[other] == entry) {
    std::swap(cache_[slot], cache_[other]);
    std::swap(cached_[slot], cached_[other]);
    return cache_[slot];
  }
  const Entry& e = entries_[static_cast<std::size_t>(entry)];
  cache_[slot] = sources_[static_cast<std::size_t>(e.source)].read(e.record);
  ++reads_;
  cached_[slot] = entry;
  if (cache_[slot].time != e.time) {
    const auto& src = sources_[static_cast<std::size_t>(e.source)];
    cached_[slot] = -1;
    throw InputError(src.file, src.time_variable,
                     "record " + std::to_string(e.record) + " was read with time " +
                         format_iso(cache_[slot].time) + " but is listed at " + format_iso(e.time));
  }
  return cache_[slot];
}

void MetSeries::at(TimePoint t, MetRecord& out) {
  if (!covers(t)) {
    const bool before = t < first_time();
    const Entry& edge = before ? entries_.front() : entries_.back();
    const auto& src = sources_[static_cast<std::size_t>(edge.source)];
    throw InputError(src.file, src.time_variable,
                     "time " + format_iso(t) + " is not covered: the meteorology spans " +
                         format_iso(first_time()) + " to " + format_iso(last_time()) + " (" +
                         std::to_string(entries_.size()) + " records); expected a time " +
                         (before ? "at or after the first" : "at or before the last") + " record");
  }
  // Interval [lo, lo + 1] containing t; a single record covers only its own time.
  if (entries_.size() == 1) {
    out = load(0, 0);
    return;
  }
  const auto it = std::upper_bound(entries_.begin(), entries_.end(), t,
                                   [](TimePoint x, const Entry& e) { return x < e.time; });
  int lo = static_cast<int>(it - entries_.begin()) - 1;
  lo = std::clamp(lo, 0, static_cast<int>(entries_.size()) - 2);
  // Load the upper record first into slot 1 so that a forward step reuses the old upper as lower.
  if (cached_[1] == lo) {
    std::swap(cache_[0], cache_[1]);
    std::swap(cached_[0], cached_[1]);
  }
  const MetRecord& a = load(lo, 0);
  const MetRecord& b = load(lo + 1, 1);
  interpolate_into(a, b, t, out);
}

MetRecord MetSeries::at(TimePoint t) {
  MetRecord out;
  at(t, out);
  return out;
}

}  // namespace fwaq

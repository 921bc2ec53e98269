#pragma once
// Interpolation of meteorological records: linear in time between two records
// (MetSeries keeps the two bracketing records of a sequence of files), and the
// C-grid destaggering helpers (face values to cell centres).
//
// Time interpolation: for t0 <= t <= t1 and w = (t - t0) / (t1 - t0), every
// field of the record is f(t) = (1 - w) f(t0) + w f(t1), element by element
// (exact at w = 0 and w = 1). This includes heights, Kz and the precipitation
// rate; it is the usual practice of offline chemistry-transport models (CMAQ
// reads its meteorology through the Models-3 I/O API routine INTERP3, which
// interpolates linearly in time between the file's time steps).
#include <functional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "field/field.hpp"
#include "met/met_fields.hpp"

namespace fwaq {

/// out = (1 - w) a + w b for every field, w = (t - a.time) / (b.time - a.time),
/// out.time = t. Requires a.time < b.time, a.time <= t <= b.time and equal
/// shapes (std::invalid_argument otherwise). `out` is (re)allocated if its shape differs.
void interpolate_into(const MetRecord& a, const MetRecord& b, TimePoint t, MetRecord& out);
MetRecord interpolate(const MetRecord& a, const MetRecord& b, TimePoint t);

/// Cell-centre values of an x-face field (nx + 1, ny, nz) -> (nx, ny, nz):
/// c(i) = (f(i) + f(i + 1)) / 2, i.e. WRF's destaggering of U.
Field destagger_x(const Field& faces);
/// (nx, ny + 1, nz) -> (nx, ny, nz): c(j) = (f(j) + f(j + 1)) / 2 (V).
Field destagger_y(const Field& faces);
/// (nx, ny, nz + 1) -> (nx, ny, nz): c(k) = (f(k) + f(k + 1)) / 2 (W, PH).
Field destagger_z(const Field& interfaces);

/// One file (or other source) of meteorological records at increasing times.
struct MetSource {
  std::string file;                    ///< file name for messages
  std::string time_variable = "time";  ///< its time variable, for messages
  std::vector<TimePoint> times;        ///< valid times of its records
  std::function<MetRecord(int)> read;  ///< reads record r
};

/// A time series of met records from one or more sources (e.g. consecutive
/// wrfout files). at(t) returns the record linearly interpolated in time; only
/// the two bracketing records are kept in memory and are re-read when t moves
/// to another interval. Not thread-safe.
class MetSeries {
 public:
  /// Sources in any order; their records are merged by time. A time that occurs
  /// in several sources is taken from the first source listed. Throws
  /// InputError (naming the file and time variable) if a source has no records
  /// or its times are not strictly increasing.
  explicit MetSeries(std::vector<MetSource> sources);

  TimePoint first_time() const;
  TimePoint last_time() const;
  bool covers(TimePoint t) const;
  /// Number of records over all sources.
  int records() const { return static_cast<int>(entries_.size()); }

  /// The record at time t. Throws InputError naming the file (the first or last
  /// one), its time variable, t and the covered span when t is outside it.
  MetRecord at(TimePoint t);
  /// As at(), into an existing record (no allocation once shapes match).
  void at(TimePoint t, MetRecord& out);

  /// How many records have been read from the sources so far (for tests).
  int reads() const { return reads_; }

 private:
  struct Entry {
    TimePoint time;
    int source;
    int record;
  };
  const MetRecord& load(int entry, int slot);

  std::vector<MetSource> sources_;
  std::vector<Entry> entries_;
  MetRecord cache_[2];
  int cached_[2] = {-1, -1};
  int reads_ = 0;
};

}  // namespace fwaq

#pragma once
// The `run:` section of a case: period, spin-up, step, grid coarsening, stations and the
// background (initial and inflow) mixing ratios.
#include <array>
#include <filesystem>
#include <optional>
#include <string>

#include "chem/tracers.hpp"
#include "core/time.hpp"

namespace fwaq {
class Config;
}

namespace fwaq::model {

/// Background mixing ratios for initial and inflow values: surface concentration
/// [µg m-3] at the standard surface density, decaying with height by exp(-z / H).
struct Background {
  std::array<double, chem::kNumTracers> surface_ug_m3{};
  std::array<double, chem::kNumTracers> scale_height_m{};
  /// Mixing ratio [µg kg-1] at height z [m above ground].
  double q(int t, double z_m) const;
};

/// Default background: a clean-continental winter inflow into the plain (regional
/// background stations of north-west China; see docs/science/model.md).
Background default_background();

struct Settings {
  TimePoint start{}, end{};  ///< output period [start, end) (UTC)
  int spinup_hours = 120;    ///< the run starts spinup_hours before start [h]
  double dt_s = 3600.0;      ///< synchronisation (operator-splitting) step [s]
  int coarsen = 1;           ///< grid coarsening factor of the domain file
  int utc_offset_hours = 8;  ///< local time of days and dates [h]
  std::filesystem::path stations;
  Background background = default_background();
  /// First instant of the run (start - spin-up) (UTC).
  TimePoint begin() const { return start - std::chrono::hours(spinup_hours); }
};

/// Reads `run:`; the period may come from the command line (start_text / end_text win
/// over run.start / run.end). Throws InputError / UsageError.
Settings read_settings(const Config& cfg, const std::optional<std::string>& start_text,
                       const std::optional<std::string>& end_text);

}  // namespace fwaq::model

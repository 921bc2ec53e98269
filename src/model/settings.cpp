// The `run:` section of a case (see settings.hpp).
#include "model/settings.hpp"

#include <cmath>

#include "core/config.hpp"
#include "core/error.hpp"
#include "model/scenario.hpp"

namespace fwaq::model {

using chem::idx;
using chem::kNumTracers;
using chem::Tracer;

double Background::q(int t, double z_m) const {
  constexpr double kRho0 = 1.225;  // [kg m-3] standard surface density
  const double h = scale_height_m[static_cast<std::size_t>(t)];
  const double f = h > 0.0 ? std::exp(-z_m / h) : 1.0;
  return surface_ug_m3[static_cast<std::size_t>(t)] / kRho0 * f;
}

/// Default background: a clean-continental winter inflow into the plain (regional
/// background stations of north-west China, e.g. Waliguan and the Loess-plateau sites;
/// values chosen within their reported ranges, see docs/science/model.md).
Background default_background() {
  Background b;
  auto set = [&](Tracer t, double c, double h) {
    b.surface_ug_m3[static_cast<std::size_t>(idx(t))] = c;
    b.scale_height_m[static_cast<std::size_t>(idx(t))] = h;
  };
  set(Tracer::kSO2, 4.0, 2000.0);
  set(Tracer::kNO, 0.3, 1500.0);
  set(Tracer::kNO2, 4.0, 1500.0);
  set(Tracer::kTNO3, 2.0, 2000.0);
  set(Tracer::kTNH3, 2.0, 1500.0);
  set(Tracer::kCO, 250.0, 0.0);
  set(Tracer::kVocAlk, 2.0, 2000.0);
  set(Tracer::kVocOle, 0.5, 1500.0);
  set(Tracer::kVocAro1, 0.8, 2000.0);
  set(Tracer::kVocAro2, 0.3, 1500.0);
  set(Tracer::kSV1, 0.3, 2500.0);
  set(Tracer::kSV2, 0.5, 2500.0);
  set(Tracer::kSO4, 3.0, 2500.0);
  set(Tracer::kPOA, 1.5, 2500.0);
  set(Tracer::kBC, 0.5, 2500.0);
  set(Tracer::kOPM, 4.0, 2500.0);
  set(Tracer::kPMC, 8.0, 2000.0);
  return b;
}

Settings read_settings(const Config& cfg, const std::optional<std::string>& start_override,
                       const std::optional<std::string>& end_override) {
  Settings s;
  std::optional<std::string> start_text = start_override, end_text = end_override;
  std::string start_key = "--start", end_key = "--end";
  if (cfg.has("run")) {
    const ConfigSection r = cfg.section("run");
    s.utc_offset_hours = r.optional<int>("utc_offset_hours", 8);
    if (!start_text && r.has("start")) {
      start_text = r.required<std::string>("start");
      start_key = r.name("start");
    }
    if (!end_text && r.has("end")) {
      end_text = r.required<std::string>("end");
      end_key = r.name("end");
    }
    if (r.has("start") && start_override) r.required<std::string>("start");  // overridden
    if (r.has("end") && end_override) r.required<std::string>("end");
    s.spinup_hours = r.optional<int>("spinup_hours", s.spinup_hours);
    s.dt_s = r.optional<double>("sync_step_s", s.dt_s);
    s.coarsen = r.optional<int>("coarsen", s.coarsen);
    if (r.has("stations")) s.stations = r.path("stations");
    if (s.spinup_hours < 0 || s.spinup_hours > 24 * 60) {
      throw InputError(cfg.path(), r.name("spinup_hours"),
                       "is " + std::to_string(s.spinup_hours) + "; expected 0 to 1440 hours");
    }
    if (!(s.dt_s >= 60.0 && s.dt_s <= 3600.0) || std::fmod(3600.0, s.dt_s) != 0.0) {
      throw InputError(
          cfg.path(), r.name("sync_step_s"),
          "is " + std::to_string(s.dt_s) + "; expected a whole divisor of 3600 s, at least 60 s");
    }
    if (r.has("background")) {
      const ConfigSection bg = r.subsection("background");
      for (int t = 0; t < kNumTracers; ++t) {
        const std::string name(chem::kTracerInfo[static_cast<std::size_t>(t)].name);
        if (!bg.has(name)) continue;
        const auto v = bg.required<std::vector<double>>(name);
        if (v.size() != 2 || !(v[0] >= 0.0) || !(v[1] >= 0.0)) {
          throw InputError(cfg.path(), bg.name(name),
                           "expected [surface concentration µg m-3 >= 0, scale height m >= 0 "
                           "(0: constant)]");
        }
        s.background.surface_ug_m3[static_cast<std::size_t>(t)] = v[0];
        s.background.scale_height_m[static_cast<std::size_t>(t)] = v[1];
      }
    }
  }
  if (!start_text || !end_text) {
    throw UsageError("the run period is not set: give run.start and run.end in " + cfg.path() +
                     " or --start and --end");
  }
  s.start = parse_case_time(*start_text, s.utc_offset_hours, cfg.path(), start_key);
  s.end = parse_case_time(*end_text, s.utc_offset_hours, cfg.path(), end_key);
  if (s.end <= s.start) {
    throw UsageError("the run ends (" + format_iso(s.end) + ") before it starts (" +
                     format_iso(s.start) + ")");
  }
  if ((s.start.time_since_epoch().count() % 3600) != 0 ||
      (s.end.time_since_epoch().count() % 3600) != 0) {
    throw UsageError("run start and end must be whole hours (UTC)");
  }
  return s;
}

}  // namespace fwaq::model

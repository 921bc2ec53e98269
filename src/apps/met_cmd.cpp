// `fwaq met ...`: meteorology tools.
//   fwaq met synthesize --case FILE --start DATE --end DATE --out DIR
//                       [--seed N] [--severity S] [--interval HOURS] [--deflate L]
// writes the built-in synthetic Fenwei winter (met/synthetic.hpp) as WRF-format
// NetCDF files, one per UTC day, every `interval` hours from start to end
// inclusive. With mpirun, the days are shared out among the ranks.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "apps/commands.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/time.hpp"
#include "fwaq/version.hpp"
#include "grid/domain.hpp"
#include "met/synthetic.hpp"
#include "met/wrf_writer.hpp"

namespace fwaq::apps {

namespace {

struct SynthArgs {
  std::string case_file, start, end, out;
  long long seed = 0;
  double severity = 1.0;
  int interval_h = 3;
  int deflate = 1;
  std::vector<std::string> overrides;
};

std::string fmt(double v, int prec) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return b;
}

int run_synthesize(const SynthArgs& a, const CLI::Option* seed_opt, const CLI::Option* sev_opt) {
  if (a.interval_h <= 0) {
    throw UsageError("met synthesize: --interval must be a positive number of hours, got " +
                     std::to_string(a.interval_h));
  }
  if (a.deflate < 0 || a.deflate > 9) {
    throw UsageError("met synthesize: --deflate must be 0..9, got " + std::to_string(a.deflate));
  }
  const TimePoint start = parse_time(a.start);
  const TimePoint end = parse_time(a.end);
  if (end < start) {
    throw UsageError("met synthesize: --end " + a.end + " is before --start " + a.start);
  }
  SyntheticWinter::season_of(start);  // UsageError outside September-April
  SyntheticWinter::season_of(end);

  const Config cfg = Config::load(a.case_file, a.overrides);
  SyntheticParams params;
  if (cfg.has("met")) {
    const ConfigSection met = cfg.section("met");
    if (met.has("synthetic")) params = SyntheticParams::from_config(met.subsection("synthetic"));
  }
  if (seed_opt->count()) {
    if (a.seed < 0)
      throw UsageError("met synthesize: --seed must be >= 0, got " + std::to_string(a.seed));
    params.seed = static_cast<std::uint64_t>(a.seed);
  }
  if (sev_opt->count()) params.severity = a.severity;
  params.validate();

  const Domain domain = Domain::load(cfg);
  const SyntheticWinter gen(domain.grid(), domain.vertical(), domain.terrain(), params);

  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);

  WrfWriteOptions opt;
  opt.deflate_level = a.deflate;
  opt.text_attributes = {
      {"FWAQ_VERSION", std::string(kVersion) + " (git " + kGitRevision + ")"},
      {"FWAQ_METEOROLOGY",
       "synthetic Fenwei winter: constructed, not observed or simulated meteorology "
       "(docs/science/synthetic-winter.md)"},
      {"FWAQ_SEED", std::to_string(params.seed)},
      {"FWAQ_SEVERITY", fmt(params.severity, 6)},
      {"FWAQ_CONFIG", cfg.resolved_yaml()},
  };
  WrfSeriesSource src;
  src.record = [&gen](TimePoint t, MetRecord& r) { gen.record(t, r); };
  src.precipitation = [&gen](TimePoint t0, TimePoint t1, Field& out) {
    out.fill(gen.precipitation_mm(t0, t1));
  };
  const auto t_begin = std::chrono::steady_clock::now();
  const auto files = write_wrfout_series(a.out, domain.grid(), src, start, end,
                                         std::chrono::hours(a.interval_h), opt, rank, size);
  long long nfiles = static_cast<long long>(files.size());
  MPI_Allreduce(MPI_IN_PLACE, &nfiles, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_begin).count();
  double max_secs = secs;
  MPI_Allreduce(&secs, &max_secs, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);

  if (is_root()) {
    // Regime statistics of the period (episodes clipped to [start, end]).
    const double t0 = static_cast<double>(start.time_since_epoch().count());
    const double t1 = static_cast<double>(end.time_since_epoch().count());
    double in[kRegimeCount] = {0, 0, 0};
    int stag_n = 0;
    double stag_days = 0.0;
    for (int y = SyntheticWinter::season_of(start); y <= SyntheticWinter::season_of(end); ++y) {
      // A season's sequence covers 1 September to 1 May.
      auto at = [](std::chrono::year_month_day d) {
        return static_cast<double>(
            std::chrono::sys_seconds(std::chrono::sys_days(d)).time_since_epoch().count());
      };
      const double s0 = at(std::chrono::year{y} / std::chrono::September / 1);
      const double s1 = at(std::chrono::year{y + 1} / std::chrono::May / 1);
      for (const auto& e : gen.episodes(y)) {
        const double lo = std::max({e.start_s, t0, s0});
        const double hi = std::min({e.end_s, t1, s1});
        if (hi <= lo) continue;
        in[static_cast<int>(e.regime)] += hi - lo;
        // Episodes that begin in the period, with their whole length.
        if (e.regime == Regime::kStagnation && e.start_s >= std::max(t0, s0) && e.start_s < t1) {
          ++stag_n;
          stag_days += e.days();
        }
      }
    }
    const double tot = in[0] + in[1] + in[2];
    const long long nrec = (end - start) / std::chrono::hours(a.interval_h) + 1;
    std::printf(
        "met synthesize: wrote %lld files (%lld records every %d h, %s to %s) to %s in %.1f s\n",
        nfiles, nrec, a.interval_h, format_iso(start).c_str(), format_iso(end).c_str(),
        a.out.c_str(), max_secs);
    std::printf(
        "  seed %llu, severity %s; time in ventilation %s %%, transition %s %%, "
        "stagnation %s %%; %d stagnation episodes began, mean length %s d\n",
        static_cast<unsigned long long>(params.seed), fmt(params.severity, 2).c_str(),
        fmt(tot > 0 ? 100.0 * in[0] / tot : 0.0, 1).c_str(),
        fmt(tot > 0 ? 100.0 * in[1] / tot : 0.0, 1).c_str(),
        fmt(tot > 0 ? 100.0 * in[2] / tot : 0.0, 1).c_str(), stag_n,
        fmt(stag_n > 0 ? stag_days / stag_n : 0.0, 2).c_str());
  }
  return 0;
}

}  // namespace

void add_met_command(CLI::App& app, Command& selected) {
  auto* met = app.add_subcommand("met", "Meteorology tools");
  met->require_subcommand(1);
  auto* syn = met->add_subcommand(
      "synthesize",
      "Write the built-in synthetic Fenwei winter meteorology (constructed, not real; see "
      "docs/science/synthetic-winter.md) as WRF-format NetCDF files, one per UTC day");
  auto a = std::make_shared<SynthArgs>();
  syn->add_option("--case", a->case_file, "Case file (its domain, vertical and met sections)")
      ->required();
  syn->add_option("--start", a->start, "First output time (UTC), e.g. 2019-10-01")->required();
  syn->add_option("--end", a->end, "Last output time (UTC, inclusive), e.g. 2020-04-01")
      ->required();
  syn->add_option("--out", a->out, "Output folder (created if needed)")->required();
  auto* seed = syn->add_option("--seed", a->seed, "Random seed (overrides met.synthetic.seed)");
  auto* sev = syn->add_option("--severity", a->severity,
                              "Season severity in [0.5, 2] (overrides met.synthetic.severity)");
  syn->add_option("--interval", a->interval_h, "Hours between output times (default 3)");
  syn->add_option("--deflate", a->deflate, "Deflate level 0-9 (default 1)");
  syn->add_option("-s,--set", a->overrides, "Override a case-file value: section.key=value");
  syn->callback([a, seed, sev, &selected]() {
    selected.run = [a, seed, sev]() { return run_synthesize(*a, seed, sev); };
  });
}

}  // namespace fwaq::apps

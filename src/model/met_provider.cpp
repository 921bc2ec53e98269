#include "model/met_provider.hpp"

#include "core/config.hpp"
#include "core/error.hpp"
#include "grid/domain.hpp"
#include "met/synthetic.hpp"
#include "model/met_files.hpp"

namespace fwaq::model {

namespace {

class SyntheticProvider final : public MetProvider {
 public:
  using MetProvider::record;
  SyntheticProvider(const Domain& domain, const SyntheticParams& params)
      : gen_(domain.grid(), domain.vertical(), domain.terrain(), params) {}
  void record(TimePoint t, MetRecord& out) override { gen_.record(t, out); }
  std::string description() const override {
    return "synthetic Fenwei winter (constructed, not observed), seed " +
           std::to_string(gen_.params().seed) + ", severity " +
           std::to_string(gen_.params().severity);
  }

 private:
  SyntheticWinter gen_;
};

void copy_window(const Field& g, int i0, int j0, int nx, int ny, int extra_x, int extra_y,
                 Field& out) {
  const int wx = nx + extra_x, wy = ny + extra_y, nz = g.nz();
  if (out.nx() != wx || out.ny() != wy || out.nz() != nz) {
    out = Field(g.name(), g.units(), wx, wy, nz, 0);
  }
  for (int k = 0; k < nz; ++k) {
    for (int j = 0; j < wy; ++j) {
      const double* src = g.data() + g.index(i0, j0 + j, k);
      double* dst = out.data() + out.index(0, j, k);
      for (int i = 0; i < wx; ++i) dst[i] = src[i];
    }
  }
}

}  // namespace

std::unique_ptr<MetProvider> make_met_provider(const Config& cfg, const Domain& domain) {
  const ConfigSection met = cfg.section("met");
  const auto source = met.required<std::string>("source");
  if (source == "synthetic") {
    SyntheticParams params;
    if (met.has("synthetic")) params = SyntheticParams::from_config(met.subsection("synthetic"));
    return std::make_unique<SyntheticProvider>(domain, params);
  }
  throw InputError(cfg.path(), met.name("source"),
                   "is '" + source + "'; expected synthetic, wrf or cf (model/met_files.hpp)");
}

void MetProvider::record(TimePoint t, MetRecord& out, const Window& window) {
  MetRecord whole;
  record(t, whole);
  const int nx = window.nx < 0 ? whole.nx - window.i0 : window.nx;
  const int ny = window.ny < 0 ? whole.ny - window.j0 : window.ny;
  window_record(whole, window.i0, window.j0, nx, ny, out);
}

std::unique_ptr<MetProvider> make_met_provider(const Config& cfg, const Domain& domain,
                                               TimePoint begin, TimePoint end, int coarsen) {
  const ConfigSection met = cfg.section("met");
  const auto source = met.required<std::string>("source");
  if (source == "synthetic") return make_met_provider(cfg, domain);  // on the run's grid
  // A `met.synthetic` section inherited from a base case is not used by file sources.
  if (met.has("synthetic")) (void)SyntheticParams::from_config(met.subsection("synthetic"));
  const MetRunPeriod period{begin, end};
  if (source == "wrf") return make_wrf_provider(cfg, domain, period, coarsen);
  if (source == "cf") return make_cf_provider(cfg, domain, period);
  throw InputError(cfg.path(), met.name("source"),
                   "is '" + source +
                       "'; expected synthetic, wrf (with met.files) or cf (with "
                       "met.files and domain.from_met: true)");
}

void window_record(const MetRecord& g, int i0, int j0, int nx, int ny, MetRecord& out) {
  out.time = g.time;
  out.nx = nx;
  out.ny = ny;
  out.nz = g.nz;
  for (auto [src, dst] : {std::pair{&g.temperature, &out.temperature},
                          {&g.pressure, &out.pressure},
                          {&g.density, &out.density},
                          {&g.qvapor, &out.qvapor},
                          {&g.rel_humidity, &out.rel_humidity},
                          {&g.cloud_water, &out.cloud_water},
                          {&g.z_interface, &out.z_interface},
                          {&g.w, &out.w},
                          {&g.kz, &out.kz},
                          {&g.terrain, &out.terrain},
                          {&g.pblh, &out.pblh},
                          {&g.ustar, &out.ustar},
                          {&g.hfx, &out.hfx},
                          {&g.t2, &out.t2},
                          {&g.u10, &out.u10},
                          {&g.v10, &out.v10},
                          {&g.psfc, &out.psfc},
                          {&g.swdown, &out.swdown},
                          {&g.precip, &out.precip}}) {
    copy_window(*src, i0, j0, nx, ny, 0, 0, *dst);
  }
  copy_window(g.u, i0, j0, nx, ny, 1, 0, out.u);
  copy_window(g.v, i0, j0, nx, ny, 0, 1, out.v);
}

}  // namespace fwaq::model

// Verification case "diffusion-1d-gaussian": vertical diffusion of a Gaussian
// with constant eddy diffusivity through the VerticalDiffusion operator,
// against the exact solution in an unbounded domain (see docs/science/diffusion.md).
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "field/field.hpp"
#include "operators/diffusion.hpp"
#include "parallel/decomposition.hpp"
#include "parallel/reduce.hpp"
#include "verify/verify.hpp"

namespace fwaq::verify {

namespace {

// The physical set-up (SI units). Constant density, so the mixing ratio obeys
// ∂q/∂t = K ∂²q/∂z² and a Gaussian stays Gaussian: σ² = σ0² + 2 K t, with the
// amplitude scaled by σ0/σ.
constexpr double kDepth = 2000.0;       // column depth [m]
constexpr double kDensity = 1.2;        // air density [kg m-3]
constexpr double kArea = 1.0e6;         // cell area [m2]
constexpr double kDiffusivity = 10.0;   // eddy diffusivity K [m2 s-1]
constexpr double kGrowth = 3.0;         // 2 K T / σ0²: σ doubles over the run
constexpr double kDefaultNumber = 2.5;  // diffusion number K dt / Δz² at the base resolution
constexpr int kColumns = 4;             // identical columns along x and y (periodic)

std::string fmt(double v) {
  std::ostringstream s;
  s.precision(4);
  s << v;
  return s.str();
}

/// Exact mean over [z0, z1] [m] of the Gaussian of unit initial peak, initial
/// width sigma0 [m], centred at the middle of the column, after time t [s].
double exact_mean(double z0, double z1, double sigma0, double t) {
  const double sigma = std::sqrt(sigma0 * sigma0 + 2.0 * kDiffusivity * t);
  const double zc = 0.5 * kDepth;
  const double s = sigma * std::sqrt(2.0);
  // ∫ (σ0/σ) exp(-(z-zc)²/(2σ²)) dz = σ0 sqrt(π/2) [erf((z-zc)/(σ√2))]
  return sigma0 * std::sqrt(0.5 * std::numbers::pi) *
         (std::erf((z1 - zc) / s) - std::erf((z0 - zc) / s)) / (z1 - z0);
}

struct RunResult {
  double l1 = 0, l2 = 0, linf = 0, min = 0, max = 0, mass_error = 0;
  std::uint64_t hash = 0;
  std::vector<double> fields;  ///< final tracer then air mass, global order, every rank
};

/// Gathers a field to every rank in global order.
std::vector<double> all_gather(const Field& f, const Decomposition& d) {
  std::vector<double> g = gather_global(f, d);
  int n = static_cast<int>(g.size());
  MPI_Bcast(&n, 1, MPI_INT, 0, d.comm());
  g.resize(static_cast<std::size_t>(n));
  MPI_Bcast(g.data(), n, MPI_DOUBLE, 0, d.comm());
  return g;
}

/// Diffuses the Gaussian of width sigma0 [m] over time t_end [s] on nz levels
/// in `steps` steps of the θ-scheme and compares with the exact cell means.
RunResult run(MPI_Comm comm, int nz, double sigma0, double t_end, long steps, double theta) {
  Decomposition d(comm, kColumns, kColumns, nz, true, true, 1);
  const int nx = d.nx(), ny = d.ny();
  const double dz = kDepth / nz;
  State state;
  state.air_mass = Field("air_mass", "kg", nx, ny, nz, 1, kDensity * kArea * dz);
  state.tracers.emplace_back("gaussian", "1", nx, ny, nz, 1);
  Field g("conductance_z", "kg s-1", nx, ny, nz + 1, 0, kDensity * kDiffusivity * kArea / dz);
  Field q_exact("gaussian_exact", "1", nx, ny, nz, 0);
  Field& q = state.tracers[0];
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        q(i, j, k) = exact_mean(k * dz, (k + 1) * dz, sigma0, 0.0);
        q_exact(i, j, k) = exact_mean(k * dz, (k + 1) * dz, sigma0, t_end);
      }
  const double mass0 = global_sum(q, &state.air_mass, d);
  VerticalDiffusion diffusion(d, theta);
  const double dt = t_end / static_cast<double>(steps);
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (long s = 0; s < steps; ++s) {
    diffusion.apply(state, g, dt);
    double step_lo = 0, step_hi = 0;
    global_min_max(q, d, step_lo, step_hi);
    lo = std::min(lo, step_lo);
    hi = std::max(hi, step_hi);
  }
  RunResult r;
  r.min = lo;
  r.max = hi;
  r.mass_error = std::abs(global_sum(q, &state.air_mass, d) - mass0) / std::abs(mass0);
  r.hash = state_hash({&state.air_mass, &q}, d);
  // Norms over the whole grid in global order (the same sums on every rank).
  const std::vector<double> a = all_gather(q, d);
  const std::vector<double> b = all_gather(q_exact, d);
  double s1 = 0, d1 = 0, s2 = 0, d2 = 0, si = 0, di = 0;
  for (std::size_t c = 0; c < a.size(); ++c) {
    const double e = a[c] - b[c];
    s1 += std::abs(e);
    d1 += std::abs(b[c]);
    s2 += e * e;
    d2 += b[c] * b[c];
    si = std::max(si, std::abs(e));
    di = std::max(di, std::abs(b[c]));
  }
  r.l1 = s1 / d1;
  r.l2 = std::sqrt(s2 / d2);
  r.linf = si / di;
  // The final fields: the tracer, then the air mass.
  r.fields = a;
  const std::vector<double> m_final = all_gather(state.air_mass, d);
  r.fields.insert(r.fields.end(), m_final.begin(), m_final.end());
  return r;
}

}  // namespace

Result diffusion_1d_gaussian(const Options& o, MPI_Comm comm) {
  const int n = o.cells.value_or(100);
  const double width = o.width.value_or(5.0);                // initial σ [cells of the base grid]
  const double number = o.courant.value_or(kDefaultNumber);  // K dt / Δz² at the base grid
  if (n < 10) throw UsageError("--cells must be at least 10 for diffusion-1d-gaussian");
  if (!(width > 0.0) || width > 0.25 * n) {
    throw UsageError("--width must lie in (0, cells/4] for diffusion-1d-gaussian, got " +
                     fmt(width));
  }
  if (!(number > 0.0)) throw UsageError("--courant (diffusion number) must be positive");
  const double dz = kDepth / n;
  const double sigma0 = width * dz;
  const double t_end = 0.5 * kGrowth * sigma0 * sigma0 / kDiffusivity;
  const long steps =
      std::max(1L, std::lround(std::ceil(t_end * kDiffusivity / (dz * dz * number) - 1e-9)));

  // Crank–Nicolson at N and 2N levels (dt halved), backward Euler at N and 2N
  // (dt quartered). The headline run (Crank–Nicolson at N) goes last: its final
  // fields are the case's fields and state hash.
  const RunResult cn2 = run(comm, 2 * n, sigma0, t_end, 2 * steps, 0.5);
  const RunResult be1 = run(comm, n, sigma0, t_end, steps, 1.0);
  const RunResult be2 = run(comm, 2 * n, sigma0, t_end, 4 * steps, 1.0);
  RunResult cn1 = run(comm, n, sigma0, t_end, steps, 0.5);

  Result r;
  r.name = "diffusion-1d-gaussian";
  r.runs = 4;
  r.l1 = cn1.l1;
  r.l2 = cn1.l2;
  r.linf = cn1.linf;
  r.min = std::min({cn1.min, cn2.min, be1.min, be2.min});
  r.max = std::max({cn1.max, cn2.max, be1.max, be2.max});
  r.mass_error = std::max({cn1.mass_error, cn2.mass_error, be1.mass_error, be2.mass_error});
  r.order = std::log2(cn1.l2 / cn2.l2);
  r.state_hash = cn1.hash;
  r.fields = std::move(cn1.fields);
  const double sigma_end = std::sqrt(sigma0 * sigma0 + 2.0 * kDiffusivity * t_end);
  // Fraction of the unbounded solution's mass that lies outside the column at
  // the end: the error the closed boundaries can cause at most.
  const double outside = std::erfc(0.5 * kDepth / (sigma_end * std::sqrt(2.0)));
  r.extra["l2_backward_euler"] = be1.l2;
  r.extra["order_backward_euler"] = std::log2(be1.l2 / be2.l2);
  r.extra["l2_refined"] = cn2.l2;
  r.extra["steps"] = static_cast<double>(steps);
  r.extra["dt_s"] = t_end / static_cast<double>(steps);
  r.extra["diffusion_number"] = kDiffusivity * (t_end / static_cast<double>(steps)) / (dz * dz);
  r.extra["sigma_final_cells"] = sigma_end / dz;
  r.extra["boundary_mass_fraction"] = outside;
  r.thresholds =
      "Crank-Nicolson: l2 <= 1e-3, order (N vs 2N levels, dt halved) >= 1.8; all runs: "
      "min >= 0, mass error <= 1e-13; mass of the exact solution outside the column <= 1e-5";
  auto require = [&r](bool ok, const std::string& what) {
    if (!ok) r.failures.push_back(what);
  };
  require(r.l2 <= 1e-3, "l2 " + fmt(r.l2) + " > 1e-3");
  require(*r.order >= 1.8, "order " + fmt(*r.order) + " < 1.8");
  require(r.min >= 0.0, "min " + fmt(r.min) + " < 0");
  require(r.mass_error <= 1e-13, "mass error " + fmt(r.mass_error) + " > 1e-13");
  require(outside <= 1e-5, "closed boundaries matter: exact mass fraction outside the column " +
                               fmt(outside) + " > 1e-5");
  return r;
}

}  // namespace fwaq::verify

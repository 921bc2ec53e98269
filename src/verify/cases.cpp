// Advection verification cases (see docs/science/transport.md for results).
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <numbers>
#include <sstream>

#include "core/error.hpp"
#include "operators/advection.hpp"
#include "operators/diffusion.hpp"
#include "parallel/reduce.hpp"
#include "verify/verify.hpp"

namespace fwaq::verify {

namespace {

using kernels::kAdvectionHalo;
constexpr double kPi = std::numbers::pi;

std::string fmt(double v) {
  std::ostringstream s;
  s.precision(4);
  s << v;
  return s.str();
}

void require(Result& r, bool ok, const std::string& what) {
  if (!ok) r.failures.push_back(what);
}

/// Normalised error norms of q against q0 (both in global order, on every rank).
void norms(const std::vector<double>& q, const std::vector<double>& q0, Result& r) {
  double s1 = 0, d1 = 0, s2 = 0, d2 = 0, si = 0, di = 0;
  for (std::size_t n = 0; n < q.size(); ++n) {
    const double e = q[n] - q0[n];
    s1 += std::abs(e);
    d1 += std::abs(q0[n]);
    s2 += e * e;
    d2 += q0[n] * q0[n];
    si = std::max(si, std::abs(e));
    di = std::max(di, std::abs(q0[n]));
  }
  r.l1 = s1 / d1;
  r.l2 = std::sqrt(s2 / d2);
  r.linf = si / di;
}

/// Gathers a field to every rank in global order.
std::vector<double> all_gather(const Field& f, const Decomposition& d) {
  std::vector<double> g = gather_global(f, d);
  int n = static_cast<int>(g.size());
  MPI_Bcast(&n, 1, MPI_INT, 0, d.comm());
  g.resize(n);
  MPI_Bcast(g.data(), n, MPI_DOUBLE, 0, d.comm());
  return g;
}

/// A transport problem on one decomposition: grid, state, fluxes, operator.
struct Problem {
  std::unique_ptr<Decomposition> decomp;
  State state;
  MassFluxes fluxes;
  std::unique_ptr<Advection> advection;
  double run_min = std::numeric_limits<double>::infinity();
  double run_max = -std::numeric_limits<double>::infinity();

  Problem(MPI_Comm comm, int nx, int ny, int nz, bool periodic, int ntracers,
          kernels::AdvectionParams params = {}, BoundaryConditions bc = {}) {
    decomp = std::make_unique<Decomposition>(comm, nx, ny, nz, periodic, periodic, kAdvectionHalo);
    const int lx = decomp->nx(), ly = decomp->ny();
    state.air_mass = Field("air_mass", "kg", lx, ly, nz, kAdvectionHalo, 1.0);
    for (int t = 0; t < ntracers; ++t) {
      state.tracers.emplace_back("tracer" + std::to_string(t), "1", lx, ly, nz, kAdvectionHalo);
    }
    fluxes = MassFluxes(lx, ly, nz);
    advection = std::make_unique<Advection>(*decomp, ntracers, params, std::move(bc));
  }
  /// Sets tracer 0 from a function of global cell indices.
  void set_tracer(const std::function<double(int, int, int)>& q0, int t = 0) {
    Field& f = state.tracers[t];
    for (int k = 0; k < f.nz(); ++k)
      for (int j = 0; j < f.ny(); ++j)
        for (int i = 0; i < f.nx(); ++i) f(i, j, k) = q0(decomp->i0() + i, decomp->j0() + j, k);
  }
  double tracer_mass(int t = 0) const {
    return global_sum(state.tracers[t], &state.air_mass, *decomp);
  }
  void track_extremes(int t = 0) {
    const Field& f = state.tracers[t];
    for (int k = 0; k < f.nz(); ++k)
      for (int j = 0; j < f.ny(); ++j)
        for (int i = 0; i < f.nx(); ++i) {
          run_min = std::min(run_min, f(i, j, k));
          run_max = std::max(run_max, f(i, j, k));
        }
  }
  void finish_extremes() {
    double v[2] = {run_min, -run_max};
    MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_DOUBLE, MPI_MIN, decomp->comm());
    run_min = v[0];
    run_max = -v[1];
  }
  /// Gathers all final fields into r.fields and sets r.state_hash.
  void capture(Result& r) const {
    r.fields.clear();
    for (const auto& t : state.tracers) {
      const std::vector<double> g = all_gather(t, *decomp);
      r.fields.insert(r.fields.end(), g.begin(), g.end());
    }
    const std::vector<double> g = all_gather(state.air_mass, *decomp);
    r.fields.insert(r.fields.end(), g.begin(), g.end());
    r.state_hash = hash();
  }
  std::uint64_t hash() const {
    std::vector<const Field*> f{&state.air_mass};
    for (const auto& t : state.tracers) f.push_back(&t);
    return state_hash(f, *decomp);
  }
};

// ---- one-dimensional periodic advection ---------------------------------------

struct Run1D {
  Result r;
  double courant_used = 0;
  int steps = 0;
};

/// Advects the profile whose exact cell means are `cell_mean(i)` through
/// `revolutions` periods of an n-cell periodic domain at Courant number ≤ c.
Run1D run_1d(MPI_Comm comm, int n, double courant, int revolutions,
             const std::function<double(int)>& cell_mean) {
  Problem p(comm, n, 1, 1, true, 1);
  p.set_tracer([&](int i, int, int) { return cell_mean(i); });
  const std::vector<double> q0 = all_gather(p.state.tracers[0], *p.decomp);
  const double m0 = p.tracer_mass();
  // Whole number of steps per run; the Courant number is lowered to fit.
  const long steps = std::lround(std::ceil(revolutions * static_cast<double>(n) / courant - 1e-9));
  const double c = revolutions * static_cast<double>(n) / static_cast<double>(steps);
  p.fluxes.x.fill(c);  // air mass per cell is 1 kg: flux in kg per step = Courant number
  for (long s = 0; s < steps; ++s) {
    p.advection->sweep(p.state, p.fluxes.x, 0);
    p.track_extremes();
  }
  p.finish_extremes();
  Run1D out;
  out.courant_used = c;
  out.steps = static_cast<int>(steps);
  const std::vector<double> q = all_gather(p.state.tracers[0], *p.decomp);
  norms(q, q0, out.r);
  out.r.min = p.run_min;
  out.r.max = p.run_max;
  out.r.peak = *std::max_element(q.begin(), q.end());
  out.r.mass_error = std::abs(p.tracer_mass() - m0) / std::abs(m0);
  p.capture(out.r);
  return out;
}

/// Exact cell mean of a square wave of height 1 and width w cells centred in an n-cell domain.
std::function<double(int)> square_wave(int n, double w) {
  const double a = 0.5 * n - 0.5 * w, b = 0.5 * n + 0.5 * w;
  return
      [a, b](int i) { return std::max(0.0, std::min<double>(i + 1, b) - std::max<double>(i, a)); };
}

int option_cells(const Options& o, int def, int min) {
  const int n = o.cells.value_or(def);
  if (n < min) {
    throw UsageError("--cells must be at least " + std::to_string(min) + " for this case, got " +
                     std::to_string(n));
  }
  return n;
}

Result advection_1d_square(const Options& o, MPI_Comm comm) {
  const int n = option_cells(o, 100, 2 * kAdvectionHalo);
  const double c = o.courant.value_or(0.5), w = o.width.value_or(20.0);
  const int rev = o.revolutions.value_or(1);
  Run1D run = run_1d(comm, n, c, rev, square_wave(n, w));
  Result& r = run.r;
  r.name = "advection-1d-square";
  r.extra["courant"] = run.courant_used;
  r.extra["steps"] = run.steps;
  r.thresholds = "l1 <= 0.090, l2 <= 0.160, 0 <= q <= 1 (to 1e-12), mass error <= 1e-13";
  require(r, r.l1 <= 0.090, "l1 " + fmt(r.l1) + " > 0.090");
  require(r, r.l2 <= 0.160, "l2 " + fmt(r.l2) + " > 0.160");
  require(r, r.min >= -1e-12 && r.max <= 1.0 + 1e-12, "q outside [0, 1]");
  require(r, r.mass_error <= 1e-13, "mass error " + fmt(r.mass_error) + " > 1e-13");
  return r;
}

/// Gaussian of σ cells centred on cell n/2 (cell 51 of 100, counting from 1), sampled at cell
/// centres.
std::function<double(int)> gaussian(int n, double sigma) {
  const double centre = std::floor(0.5 * n);
  return [centre, sigma](int i) {
    const double x = i - centre;
    return std::exp(-x * x / (2.0 * sigma * sigma));
  };
}

Result advection_1d_gaussian(const Options& o, MPI_Comm comm) {
  const int n = option_cells(o, 100, 2 * kAdvectionHalo);
  const double c = o.courant.value_or(0.5), sigma = o.width.value_or(4.0);
  const int rev = o.revolutions.value_or(1);
  Run1D run = run_1d(comm, n, c, rev, gaussian(n, sigma));
  Result& r = run.r;
  r.name = "advection-1d-gaussian";
  r.extra["courant"] = run.courant_used;
  r.extra["steps"] = run.steps;
  r.thresholds = "l2 <= 0.020, 0.95 <= peak <= 1.01, q >= 0";
  require(r, r.l2 <= 0.020, "l2 " + fmt(r.l2) + " > 0.020");
  require(r, *r.peak >= 0.95 && *r.peak <= 1.01, "peak " + fmt(*r.peak) + " outside [0.95, 1.01]");
  require(r, r.min >= 0.0, "negative value " + fmt(r.min));
  require(r, r.mass_error <= 1e-13, "mass error " + fmt(r.mass_error) + " > 1e-13");
  return r;
}

Result advection_1d_bounds_sweep(const Options& o, MPI_Comm comm) {
  const int n = option_cells(o, 100, 2 * kAdvectionHalo);
  std::vector<double> widths, courants;
  std::vector<int> revs;
  if (o.width) {
    widths = {*o.width};
  } else {
    for (int w = 2; w <= std::min(40, n - 2); ++w) widths.push_back(w);
  }
  if (o.courant) {
    courants = {*o.courant};
  } else {
    for (int c = 1; c <= 20; ++c) courants.push_back(0.05 * c);
  }
  if (o.revolutions) {
    revs = {*o.revolutions};
  } else {
    revs = {1, 3, 10};
  }
  Result r;
  r.name = "advection-1d-bounds-sweep";
  r.runs = 0;
  r.min = std::numeric_limits<double>::infinity();
  r.max = -r.min;
  std::uint64_t hash = 0;
  for (int rev : revs)
    for (double c : courants)
      for (double w : widths) {
        Run1D run = run_1d(comm, n, c, rev, square_wave(n, w));
        ++r.runs;
        r.min = std::min(r.min, run.r.min);
        r.max = std::max(r.max, run.r.max);
        r.mass_error = std::max(r.mass_error, run.r.mass_error);
        r.l1 = std::max(r.l1, run.r.l1);
        r.l2 = std::max(r.l2, run.r.l2);
        r.linf = std::max(r.linf, run.r.linf);
        hash = hash * 0x100000001b3ULL + run.r.state_hash;
        r.fields = std::move(run.r.fields);
        if (run.r.min < 0.0 || run.r.max > 1.0) {
          r.failures.push_back("width " + fmt(w) + " Courant " + fmt(c) + " revolutions " +
                               std::to_string(rev) + ": q in [" + fmt(run.r.min) + ", " +
                               fmt(run.r.max) + "]");
        }
        if (run.r.mass_error > 1e-13) {
          r.failures.push_back("width " + fmt(w) + " Courant " + fmt(c) + " revolutions " +
                               std::to_string(rev) + ": mass error " + fmt(run.r.mass_error));
        }
      }
  r.state_hash = hash;
  r.thresholds =
      "every run: 0 <= q <= 1 exactly and mass error <= 1e-13 (l1, l2, linf: worst over runs)";
  return r;
}

// ---- two-dimensional flows from a streamfunction ---------------------------------

/// Sets non-divergent air-mass fluxes from a streamfunction ψ(x, y) at cell
/// corners (x, y in cells; ψ in kg per step, cell mass 1 kg): u = −∂ψ/∂y, v = ∂ψ/∂x.
void fluxes_from_streamfunction(Problem& p, const std::function<double(double, double)>& psi) {
  const Decomposition& d = *p.decomp;
  Field& fx = p.fluxes.x;
  Field& fy = p.fluxes.y;
  for (int j = 0; j < fx.ny(); ++j)
    for (int i = 0; i < fx.nx(); ++i) {
      const double x = d.i0() + i, y = d.j0() + j;
      fx(i, j, 0) = -(psi(x, y + 1) - psi(x, y));
    }
  for (int j = 0; j < fy.ny(); ++j)
    for (int i = 0; i < fy.nx(); ++i) {
      const double x = d.i0() + i, y = d.j0() + j;
      fy(i, j, 0) = psi(x + 1, y) - psi(x, y);
    }
}

BoundaryConditions zero_inflow() {
  BoundaryConditions bc;
  bc.inflow = [](int, Side, int, int) { return 0.0; };
  return bc;
}

Result rotation_2d_slotted_cylinder(const Options& o, MPI_Comm comm) {
  const int n = option_cells(o, 100, 2 * kAdvectionHalo);
  const double c = o.courant.value_or(0.5);
  const int rev = o.revolutions.value_or(1);
  Problem p(comm, n, n, 1, false, 1, {}, zero_inflow());
  // Zalesak (1979), scaled from a 100-cell domain: disc of radius 15 centred at
  // (50, 75) with a slot 5 wide reaching 25 up from the bottom of the disc.
  const double s = n / 100.0;
  p.set_tracer([&](int i, int j, int) {
    const double x = (i + 0.5) / s, y = (j + 0.5) / s;
    const bool disc = std::hypot(x - 50.0, y - 75.0) <= 15.0;
    const bool slot = std::abs(x - 50.0) < 2.5 && y < 85.0;
    return (disc && !slot) ? 1.0 : 0.0;
  });
  const std::vector<double> q0 = all_gather(p.state.tracers[0], *p.decomp);
  const double m0 = p.tracer_mass();
  // Solid-body rotation about the centre; the largest face Courant number
  // (at the middle of the domain's edges) is ω n / 2 = c.
  const long steps = std::lround(std::ceil(kPi * n * rev / c - 1e-9));
  const double omega = 2.0 * kPi * rev / static_cast<double>(steps);
  const double xc = 0.5 * n;
  fluxes_from_streamfunction(p, [&](double x, double y) {
    return 0.5 * omega * ((x - xc) * (x - xc) + (y - xc) * (y - xc));
  });
  for (long st = 0; st < steps; ++st) {
    p.advection->apply(p.state, p.fluxes, st);
    p.track_extremes();
  }
  p.finish_extremes();
  Result r;
  r.name = "rotation-2d-slotted-cylinder";
  const std::vector<double> q = all_gather(p.state.tracers[0], *p.decomp);
  norms(q, q0, r);
  r.min = p.run_min;
  r.max = p.run_max;
  // Budget: what is in the domain now = what was there + what came in through
  // the open boundaries (numerical tails of order 1e-9 reach them).
  const double inflow = p.advection->boundary_inflow(0);
  r.mass_error = std::abs(p.tracer_mass() - m0 - inflow) / m0;
  r.extra["boundary_outflow_relative"] = -inflow / m0;
  p.capture(r);
  r.extra["steps"] = steps;
  r.thresholds = "0 <= q <= 1, mass error <= 1e-13 (l1 reported)";
  require(r, r.min >= 0.0 && r.max <= 1.0,
          "q outside [0, 1]: [" + fmt(r.min) + ", " + fmt(r.max) + "]");
  require(r, r.mass_error <= 1e-13, "mass error " + fmt(r.mass_error) + " > 1e-13");
  return r;
}

/// Swirling deformational flow with reversal on the unit square (LeVeque 1996,
/// the planar counterpart of Nair & Lauritzen 2010 case 1):
/// ψ = sin²(πx) sin²(πy) cos(πt/T) / π, period T = 1.5; two Gaussian hills.
/// Returns the normalised l2 error after one period on an n × n grid.
Result deformation_run(MPI_Comm comm, int n, double courant, int periods) {
  Problem p(comm, n, n, 1, false, 1);
  const double dx = 1.0 / n;
  const double width = 0.1;  // hill σ
  auto hill = [&](double x, double y) {
    const double r1 = (x - 0.5) * (x - 0.5) + (y - 0.3) * (y - 0.3);
    const double r2 = (x - 0.5) * (x - 0.5) + (y - 0.7) * (y - 0.7);
    return 0.95 * (std::exp(-r1 / (2 * width * width)) + std::exp(-r2 / (2 * width * width)));
  };
  // Exact cell means by 4-point Gauss–Legendre quadrature in each direction.
  p.set_tracer([&](int i, int j, int) {
    static const double g[4] = {-0.8611363115940526, -0.3399810435848563, 0.3399810435848563,
                                0.8611363115940526};
    static const double wg[4] = {0.3478548451374538, 0.6521451548625461, 0.6521451548625461,
                                 0.3478548451374538};
    double s = 0;
    for (int a = 0; a < 4; ++a)
      for (int b = 0; b < 4; ++b)
        s += wg[a] * wg[b] * hill((i + 0.5 + 0.5 * g[a]) * dx, (j + 0.5 + 0.5 * g[b]) * dx);
    return s / 4.0;
  });
  const std::vector<double> q0 = all_gather(p.state.tracers[0], *p.decomp);
  const double m0 = p.tracer_mass();
  const double T = 1.5;
  const long steps = std::lround(std::ceil(periods * T / (courant * dx) - 1e-9));
  const double dt = periods * T / static_cast<double>(steps);
  for (long st = 0; st < steps; ++st) {
    const double t = (st + 0.5) * dt;  // mid-step velocities: second order in time
    const double amp = std::cos(kPi * t / T) / kPi * dt / (dx * dx);
    fluxes_from_streamfunction(p, [&](double x, double y) {
      const double sx = std::sin(kPi * x * dx), sy = std::sin(kPi * y * dx);
      return amp * sx * sx * sy * sy;
    });
    p.advection->apply(p.state, p.fluxes, st);
    p.track_extremes();
  }
  p.finish_extremes();
  Result r;
  const std::vector<double> q = all_gather(p.state.tracers[0], *p.decomp);
  norms(q, q0, r);
  r.min = p.run_min;
  r.max = p.run_max;
  r.mass_error = std::abs(p.tracer_mass() - m0) / m0;
  p.capture(r);
  return r;
}

Result deformation_2d_gaussian_hills(const Options& o, MPI_Comm comm) {
  const int n = option_cells(o, 32, 2 * kAdvectionHalo);
  const double c = o.courant.value_or(0.5);
  const int periods = o.revolutions.value_or(1);
  Result r;
  r.name = "deformation-2d-gaussian-hills";
  std::vector<double> errors;
  std::uint64_t hash = 0;
  for (int level = 0; level < 3; ++level) {
    const int nl = n << level;
    Result run = deformation_run(comm, nl, c, periods);
    errors.push_back(run.l2);
    r.extra["l2_" + std::to_string(nl)] = run.l2;
    r.mass_error = std::max(r.mass_error, run.mass_error);
    r.min = level == 0 ? run.min : std::min(r.min, run.min);
    r.max = level == 0 ? run.max : std::max(r.max, run.max);
    hash = hash * 0x100000001b3ULL + run.state_hash;
    if (level == 2) {
      r.fields = std::move(run.fields);
      r.l1 = run.l1;
      r.l2 = run.l2;
      r.linf = run.linf;
    }
  }
  r.runs = 3;
  r.state_hash = hash;
  r.order = std::log2(errors[1] / errors[2]);
  r.extra["order_coarse"] = std::log2(errors[0] / errors[1]);
  r.thresholds = "l2 convergence order (two finest grids) >= 1.8";
  require(r, *r.order >= 1.8, "order " + fmt(*r.order) + " < 1.8");
  require(r, r.min >= 0.0, "negative value " + fmt(r.min));
  require(r, r.mass_error <= 1e-13, "mass error " + fmt(r.mass_error) + " > 1e-13");
  return r;
}

// ---- three-dimensional cases ------------------------------------------------------

/// Vertical and horizontal diffusion for the closed box: conductances [kg s-1]
/// varying in space, one model step of dt = 1 s with diffusion numbers ~0.1–1.
struct ClosedBoxDiffusion {
  VerticalDiffusion vertical;
  HorizontalDiffusion horizontal;
  Field gz, gx, gy;
  ClosedBoxDiffusion(const State& s, const Decomposition& d)
      : vertical(d),
        horizontal(d, static_cast<int>(s.tracers.size())),
        gz("conductance_z", "kg s-1", d.nx(), d.ny(), d.nz() + 1, 0),
        gx("conductance_x", "kg s-1", d.nx() + 1, d.ny(), d.nz(), 0),
        gy("conductance_y", "kg s-1", d.nx(), d.ny() + 1, d.nz(), 0) {
    auto g = [](double x, double y, double z) {
      return 0.01 * (1.0 + 0.5 * std::sin(0.3 * x + 0.2 * y)) * std::exp(-0.2 * z);
    };
    for (int k = 0; k <= d.nz(); ++k)
      for (int j = 0; j < d.ny(); ++j)
        for (int i = 0; i < d.nx(); ++i) gz(i, j, k) = 3.0 * g(d.i0() + i, d.j0() + j, k);
    for (int k = 0; k < d.nz(); ++k)
      for (int j = 0; j < d.ny(); ++j)
        for (int i = 0; i <= d.nx(); ++i) gx(i, j, k) = g(d.i0() + i - 0.5, d.j0() + j, k);
    for (int k = 0; k < d.nz(); ++k)
      for (int j = 0; j <= d.ny(); ++j)
        for (int i = 0; i < d.nx(); ++i) gy(i, j, k) = g(d.i0() + i, d.j0() + j - 0.5, k);
  }
  void apply(State& s) {
    vertical.apply(s, gz, 1.0);
    horizontal.apply(s, gx, gy, 1.0);
  }
};

/// A met-like column setting over terrain: 12 km cells, terrain-following layers
/// to 8 km, density decaying with a scale height, and a divergent 3-D wind.
struct TerrainSetting {
  int nx, ny, nz;
  double dx = 12000.0;                        // [m]
  double ztop = 8000.0;                       // [m] above sea level
  double terrain(double i, double j) const {  // [m]
    const double x = (i - 0.4 * nx) / (0.2 * nx), y = (j - 0.6 * ny) / (0.25 * ny);
    return 1800.0 * std::exp(-x * x - y * y) + 300.0 * std::sin(0.3 * i) * std::cos(0.2 * j) +
           400.0;
  }
  double sigma_interface(int k) const {  // 0 at the ground, 1 at the top; thin near the ground
    const double s = static_cast<double>(k) / nz;
    return s * (0.25 + 0.75 * s);
  }
  double interface_height(double i, double j, int k) const {  // above sea level [m]
    const double h = terrain(i, j);
    return h + (ztop - h) * sigma_interface(k);
  }
  double density(double z) const { return 1.2 * std::exp(-z / 8500.0); }  // [kg m-3]
};

/// Sets air mass [kg] and divergent air-mass fluxes [kg per step] for a setting.
void terrain_fields(Problem& p, const TerrainSetting& s, double dt, bool closed) {
  const Decomposition& d = *p.decomp;
  const double area = s.dx * s.dx;
  auto layer = [&](double i, double j, int k, double& dz, double& rho) {
    const double z0 = s.interface_height(i, j, k), z1 = s.interface_height(i, j, k + 1);
    dz = z1 - z0;
    rho = s.density(0.5 * (z0 + z1));
  };
  Field& m = p.state.air_mass;
  for (int k = 0; k < s.nz; ++k)
    for (int j = 0; j < m.ny(); ++j)
      for (int i = 0; i < m.nx(); ++i) {
        double dz, rho;
        layer(d.i0() + i + 0.5, d.j0() + j + 0.5, k, dz, rho);
        m(i, j, k) = rho * dz * area;
      }
  auto u = [&](double i, double j, int k) {
    return 8.0 + 3.0 * std::sin(2 * kPi * j / s.ny) + 0.4 * k + 2.0 * std::cos(0.5 * i);
  };
  auto v = [&](double i, double j, int k) {
    return 3.0 * std::cos(2 * kPi * i / s.nx) - 1.0 + 0.5 * std::sin(0.7 * j + k);
  };
  Field& fx = p.fluxes.x;
  for (int k = 0; k < s.nz; ++k)
    for (int j = 0; j < fx.ny(); ++j)
      for (int i = 0; i < fx.nx(); ++i) {
        const int gi = d.i0() + i, gj = d.j0() + j;
        double dz, rho;
        layer(gi, gj + 0.5, k, dz, rho);
        const bool wall = closed && (gi == 0 || gi == s.nx);
        fx(i, j, k) = wall ? 0.0 : rho * u(gi, gj + 0.5, k) * dz * s.dx * dt;
      }
  Field& fy = p.fluxes.y;
  for (int k = 0; k < s.nz; ++k)
    for (int j = 0; j < fy.ny(); ++j)
      for (int i = 0; i < fy.nx(); ++i) {
        const int gi = d.i0() + i, gj = d.j0() + j;
        double dz, rho;
        layer(gi + 0.5, gj, k, dz, rho);
        const bool wall = closed && (gj == 0 || gj == s.ny);
        fy(i, j, k) = wall ? 0.0 : rho * v(gi + 0.5, gj, k) * dz * s.dx * dt;
      }
  // Vertical mass fluxes from continuity, as meteorological models diagnose them:
  // each layer passes up what its horizontal convergence brings in, so the air mass
  // of every cell is steady while the winds are divergent; the top face carries the
  // column's net convergence (inflow or outflow through the model top).
  Field& fz = p.fluxes.z;
  for (int j = 0; j < fz.ny(); ++j)
    for (int i = 0; i < fz.nx(); ++i) {
      fz(i, j, 0) = 0.0;
      for (int k = 0; k < s.nz; ++k) {
        const double convergence = fx(i, j, k) - fx(i + 1, j, k) + fy(i, j, k) - fy(i, j + 1, k);
        fz(i, j, k + 1) = fz(i, j, k) + convergence;
      }
      if (closed) fz(i, j, s.nz) = 0.0;
    }
}

Result uniform_3d_terrain(const Options& o, MPI_Comm comm) {
  const int n = option_cells(o, 24, 2 * kAdvectionHalo);
  TerrainSetting s{n, n, 12};
  const double q_uniform = 37.5;  // [µg kg-1]
  BoundaryConditions bc;
  bc.inflow = [q_uniform](int, Side, int, int) { return q_uniform; };
  kernels::AdvectionParams params;
  params.enforce_global_bounds = false;  // show mass consistency alone keeps q uniform
  Problem p(comm, n, n, s.nz, false, 1, params, bc);
  const double dt = 600.0 * o.courant.value_or(1.0);  // [s]
  terrain_fields(p, s, dt, false);
  p.state.tracers[0].fill(q_uniform);
  const int steps = 100 * o.revolutions.value_or(1);
  AdvectionStats stats;
  for (int st = 0; st < steps; ++st) stats = p.advection->apply(p.state, p.fluxes, st);
  Result r;
  r.name = "uniform-3d-terrain";
  double lo, hi;
  global_min_max(p.state.tracers[0], *p.decomp, lo, hi);
  r.min = lo;
  r.max = hi;
  r.linf = std::max(std::abs(lo - q_uniform), std::abs(hi - q_uniform)) / q_uniform;
  r.l1 = r.linf;
  r.l2 = r.linf;
  p.capture(r);
  r.extra["steps"] = steps;
  r.extra["substeps_x"] = stats.substeps_x;
  r.extra["substeps_z"] = stats.substeps_z;
  r.thresholds = "relative deviation from uniform (linf) <= 1e-12 after 100 steps";
  require(r, r.linf <= 1e-12, "deviation " + fmt(r.linf) + " > 1e-12");
  return r;
}

/// Non-divergent 3-D air-mass fluxes [kg per step] from a horizontal streamfunction
/// psi_h(x, y, k) at cell corners of each layer and an x–z overturning streamfunction
/// psi_v(x, kf) at x corners and interfaces kf (both zero on closed walls).
void fluxes_from_streamfunctions(Problem& p,
                                 const std::function<double(double, double, int)>& psi_h,
                                 const std::function<double(double, int)>& psi_v) {
  const Decomposition& d = *p.decomp;
  Field& fx = p.fluxes.x;
  Field& fy = p.fluxes.y;
  Field& fz = p.fluxes.z;
  const int nz = fx.nz();
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < fx.ny(); ++j)
      for (int i = 0; i < fx.nx(); ++i) {
        const double x = d.i0() + i, y = d.j0() + j;
        fx(i, j, k) = -(psi_h(x, y + 1, k) - psi_h(x, y, k)) + (psi_v(x, k + 1) - psi_v(x, k));
      }
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < fy.ny(); ++j)
      for (int i = 0; i < fy.nx(); ++i) {
        const double x = d.i0() + i, y = d.j0() + j;
        fy(i, j, k) = psi_h(x + 1, y, k) - psi_h(x, y, k);
      }
  for (int k = 0; k <= nz; ++k)
    for (int j = 0; j < fz.ny(); ++j)
      for (int i = 0; i < fz.nx(); ++i) {
        const double x = d.i0() + i;
        fz(i, j, k) = -(psi_v(x + 1, k) - psi_v(x, k));
      }
}

/// Tracer 0 a smooth field (10 to 22), tracer 1 a sharp block of 100 in 0 (n cells a side).
void smooth_and_block_tracers(Problem& p, int n) {
  p.set_tracer(
      [&](int i, int j, int k) { return 10.0 + 5.0 * std::sin(0.7 * i) * std::cos(0.4 * j) + k; },
      0);
  p.set_tracer(
      [&](int i, int j, int k) {
        return (i > n / 4 && i < n / 2 && j > n / 3 && j < 3 * n / 4 && k < 4) ? 100.0 : 0.0;
      },
      1);
}

/// All transport operators in a closed box: non-divergent 3-D circulation
/// (horizontal gyres and an overturning cell from two streamfunctions that
/// vanish on the walls), vertical and horizontal diffusion. Tracer mass must
/// stay constant.
Result closed_box_3d(const Options& o, MPI_Comm comm) {
  const int n = option_cells(o, 16, 2 * kAdvectionHalo);
  const int nz = 8;
  const int steps = 1000 * o.revolutions.value_or(1);
  const double c = o.courant.value_or(0.8);
  Problem p(comm, n, n, nz, false, 2);
  const Decomposition& d = *p.decomp;
  // Air mass varying with height and position [kg].
  Field& m = p.state.air_mass;
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < m.ny(); ++j)
      for (int i = 0; i < m.nx(); ++i)
        m(i, j, k) =
            (1.0 + 0.3 * std::sin(0.5 * (d.i0() + i) + 0.3 * (d.j0() + j))) * std::exp(-0.1 * k);
  // Streamfunctions [kg per step] at cell corners, zero on every wall.
  const double a = 0.25 * c;
  // sin(πx/n), exactly zero on the walls (sin(π) is not zero in floating point).
  auto bump = [](double x, double len) {
    return (x <= 0.0 || x >= len) ? 0.0 : std::sin(kPi * x / len);
  };
  auto psi_h = [&](double x, double y, int k) {
    return a * bump(x, n) * bump(y, n) * std::exp(-0.1 * k) * (1.0 + 0.1 * k);
  };
  auto psi_v = [&](double x, int kf) {  // x–z overturning, kf = interface index
    return 0.5 * a * bump(x, n) * bump(kf, nz) * std::exp(-0.1 * kf);
  };
  fluxes_from_streamfunctions(p, psi_h, psi_v);
  smooth_and_block_tracers(p, n);
  const double m0[2] = {p.tracer_mass(0), p.tracer_mass(1)};
  const double air0 = global_sum(m, nullptr, d);
  ClosedBoxDiffusion diffusion(p.state, d);
  for (int st = 0; st < steps; ++st) {
    p.advection->apply(p.state, p.fluxes, st);
    diffusion.apply(p.state);
  }
  Result r;
  r.name = "closed-box-3d";
  for (int t = 0; t < 2; ++t) {
    r.mass_error = std::max(r.mass_error, std::abs(p.tracer_mass(t) - m0[t]) / m0[t]);
  }
  r.extra["air_mass_error"] = std::abs(global_sum(m, nullptr, d) - air0) / air0;
  double lo, hi;
  global_min_max(p.state.tracers[1], d, lo, hi);
  r.min = lo;
  r.max = hi;
  p.capture(r);
  r.extra["steps"] = steps;
  r.thresholds =
      "relative drift of tracer mass <= 1e-13 after 1000 steps; block tracer stays in [0, 100]";
  require(r, r.mass_error <= 1e-13, "mass drift " + fmt(r.mass_error) + " > 1e-13");
  require(r, r.min >= 0.0 && r.max <= 100.0, "block tracer outside [0, 100]");
  return r;
}

/// A closed box whose non-divergent 3-D flow converges strongly along one axis where it
/// diverges along another: horizontal saddles between counter-rotating gyres
/// (ψ ∝ sin 4πx/n sin 4πy/n) and an x–z overturning cell. At the default Courant number
/// (3) a single x or y sweep would take more air out of the cells at the saddle points
/// than they hold, although the three sweeps together leave their air mass unchanged:
/// advection must cycle the whole split step. Two runs of `steps` steps: with the global
/// bounds on (a smooth tracer and a block [0, 100]: mass conserved, block bounded) and
/// with them off (a uniform mixing ratio stays uniform by mass consistency alone).
Result saddle_3d(const Options& o, MPI_Comm comm) {
  const int n = option_cells(o, 24, 2 * kAdvectionHalo);
  const int nz = 8;
  const int steps = 100 * o.revolutions.value_or(1);
  const double c = o.courant.value_or(3.0);          // largest horizontal Courant number (about)
  auto bump = [](double x, double len, int waves) {  // exactly zero on the walls
    return (x <= 0.0 || x >= len) ? 0.0 : std::sin(waves * kPi * x / len);
  };
  auto setup = [&](Problem& p) {
    const Decomposition& d = *p.decomp;
    Field& m = p.state.air_mass;
    auto decay = [](double k) { return std::exp(-0.1 * k); };
    for (int k = 0; k < nz; ++k)
      for (int j = 0; j < m.ny(); ++j)
        for (int i = 0; i < m.nx(); ++i)
          m(i, j, k) = (1.0 + 0.3 * std::sin(0.5 * (d.i0() + i) + 0.3 * (d.j0() + j))) * decay(k);
    // ψ [kg per step]: the face flux between two corners is the difference of ψ, so the
    // largest |flux| / mass is about amplitude × 4π/n.
    const double a = c * n / (4.0 * kPi);
    auto psi_h = [&](double x, double y, int k) {
      return a * bump(x, n, 4) * bump(y, n, 4) * decay(k);
    };
    auto psi_v = [&](double x, int kf) {  // x–z overturning; kf is an interface index
      return 0.3 * a * bump(x, n, 2) * bump(kf, nz, 1) * decay(kf);
    };
    fluxes_from_streamfunctions(p, psi_h, psi_v);
  };
  Result r;
  r.name = "saddle-3d";
  // Run 1: global bounds on.
  Problem p(comm, n, n, nz, false, 2);
  setup(p);
  const Decomposition& d = *p.decomp;
  // How far a single pass of the sweeps would go: the smallest air mass left after the
  // first or second sweep of either order, relative to the cell's mass (< 0: emptied).
  double single_pass = std::numeric_limits<double>::infinity();
  {
    const Field& m = p.state.air_mass;
    const MassFluxes& f = p.fluxes;
    for (int k = 0; k < nz; ++k)
      for (int j = 0; j < m.ny(); ++j)
        for (int i = 0; i < m.nx(); ++i) {
          const double dx = f.x(i + 1, j, k) - f.x(i, j, k);
          const double dy = f.y(i, j + 1, k) - f.y(i, j, k);
          const double dz = f.z(i, j, k + 1) - f.z(i, j, k);
          const double worst = std::max({dx, dx + dy, dz, dz + dy});
          single_pass = std::min(single_pass, (m(i, j, k) - worst) / m(i, j, k));
        }
    MPI_Allreduce(MPI_IN_PLACE, &single_pass, 1, MPI_DOUBLE, MPI_MIN, d.comm());
  }
  smooth_and_block_tracers(p, n);
  const double m0[2] = {p.tracer_mass(0), p.tracer_mass(1)};
  const double air0 = global_sum(p.state.air_mass, nullptr, d);
  int cycles = 0;
  for (int st = 0; st < steps; ++st) {
    cycles = std::max(cycles, p.advection->apply(p.state, p.fluxes, st).cycles);
    p.track_extremes(1);
  }
  p.finish_extremes();
  for (int t = 0; t < 2; ++t) {
    r.mass_error = std::max(r.mass_error, std::abs(p.tracer_mass(t) - m0[t]) / m0[t]);
  }
  r.min = p.run_min;
  r.max = p.run_max;
  r.extra["air_mass_error"] = std::abs(global_sum(p.state.air_mass, nullptr, d) - air0) / air0;
  r.extra["single_pass_min_mass_ratio"] = single_pass;
  r.extra["cycles"] = cycles;
  r.extra["steps"] = steps;
  // Run 2: global bounds off, uniform mixing ratio.
  const double q_uniform = 37.5;
  kernels::AdvectionParams free;
  free.enforce_global_bounds = false;
  Problem u(comm, n, n, nz, false, 1, free);
  setup(u);
  u.state.tracers[0].fill(q_uniform);
  for (int st = 0; st < steps; ++st) u.advection->apply(u.state, u.fluxes, st);
  double lo, hi;
  global_min_max(u.state.tracers[0], *u.decomp, lo, hi);
  r.linf = std::max(std::abs(lo - q_uniform), std::abs(hi - q_uniform)) / q_uniform;
  r.extra["uniform_deviation"] = r.linf;
  p.capture(r);
  r.state_hash = r.state_hash * 0x100000001b3ULL + u.hash();
  r.thresholds =
      "a single pass of the sweeps would empty cells (single_pass_min_mass_ratio < 0 at the "
      "default Courant number 3); tracer mass drift <= 1e-13; block tracer in [0, 100] at every "
      "step; uniform mixing ratio uniform to 1e-12 (bounds off)";
  if (!o.courant) {
    require(r, single_pass < 0.0,
            "a single pass would not empty any cell (ratio " + fmt(single_pass) + ")");
  }
  require(r, r.mass_error <= 1e-13, "mass drift " + fmt(r.mass_error) + " > 1e-13");
  require(r, r.min >= 0.0 && r.max <= 100.0,
          "block tracer left [0, 100]: [" + fmt(r.min) + ", " + fmt(r.max) + "]");
  require(r, r.linf <= 1e-12, "uniform deviation " + fmt(r.linf) + " > 1e-12");
  return r;
}

}  // namespace

const std::vector<std::string>& case_names() {
  static const std::vector<std::string> names = {"advection-1d-square",
                                                 "advection-1d-gaussian",
                                                 "advection-1d-bounds-sweep",
                                                 "rotation-2d-slotted-cylinder",
                                                 "deformation-2d-gaussian-hills",
                                                 "uniform-3d-terrain",
                                                 "diffusion-1d-gaussian",
                                                 "closed-box-3d",
                                                 "saddle-3d"};
  return names;
}

Result run_case(const std::string& name, const Options& o, MPI_Comm comm) {
  if (o.cells && *o.cells <= 0) {
    throw UsageError("--cells must be a positive integer, got " + std::to_string(*o.cells));
  }
  if (o.courant && !(*o.courant > 0.0)) {
    throw UsageError("--courant must be > 0, got " + fmt(*o.courant));
  }
  if (o.revolutions && *o.revolutions <= 0) {
    throw UsageError("--revolutions must be a positive integer, got " +
                     std::to_string(*o.revolutions));
  }
  if (o.width && !(*o.width > 0.0)) {
    throw UsageError("--width must be > 0, got " + fmt(*o.width));
  }
  if (name == "advection-1d-square") return advection_1d_square(o, comm);
  if (name == "advection-1d-gaussian") return advection_1d_gaussian(o, comm);
  if (name == "advection-1d-bounds-sweep") return advection_1d_bounds_sweep(o, comm);
  if (name == "rotation-2d-slotted-cylinder") return rotation_2d_slotted_cylinder(o, comm);
  if (name == "deformation-2d-gaussian-hills") return deformation_2d_gaussian_hills(o, comm);
  if (name == "uniform-3d-terrain") return uniform_3d_terrain(o, comm);
  if (name == "diffusion-1d-gaussian") return diffusion_1d_gaussian(o, comm);
  if (name == "closed-box-3d") return closed_box_3d(o, comm);
  if (name == "saddle-3d") return saddle_3d(o, comm);
  std::string list;
  for (const auto& n : case_names()) list += " " + n;
  throw UsageError("unknown verification case '" + name + "'; known cases:" + list);
}

}  // namespace fwaq::verify

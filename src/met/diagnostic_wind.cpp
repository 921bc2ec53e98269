#include "met/diagnostic_wind.hpp"

#include <Eigen/Sparse>
#include <Eigen/SparseCholesky>
#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.hpp"

namespace fwaq {

namespace {

double smoothstep01(double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  return x * x * (3.0 - 2.0 * x);
}

double dz_of(const Field& zi, int i, int j, int k) {
  return zi(i, j, k + 1) - zi(i, j, k);
}
double zmid_of(const Field& zi, int i, int j, int k) {
  return 0.5 * (zi(i, j, k + 1) + zi(i, j, k));
}

// Face quantities: density [kg m-3], thickness [m] and mid height [m] of x-face
// (i, j, k), i in [0, nx]: means of the two neighbours, the inside cell at an edge.
struct FaceGeom {
  double rho, dz, z;
};

FaceGeom x_face(const Field& rho, const Field& zi, int i, int j, int k) {
  const int nx = rho.nx();
  const int a = std::max(i - 1, 0), b = std::min(i, nx - 1);
  return {0.5 * (rho(a, j, k) + rho(b, j, k)), 0.5 * (dz_of(zi, a, j, k) + dz_of(zi, b, j, k)),
          0.5 * (zmid_of(zi, a, j, k) + zmid_of(zi, b, j, k))};
}

FaceGeom y_face(const Field& rho, const Field& zi, int i, int j, int k) {
  const int ny = rho.ny();
  const int a = std::max(j - 1, 0), b = std::min(j, ny - 1);
  return {0.5 * (rho(i, a, k) + rho(i, b, k)), 0.5 * (dz_of(zi, i, a, k) + dz_of(zi, i, b, k)),
          0.5 * (zmid_of(zi, i, a, k) + zmid_of(zi, i, b, k))};
}

void check_shapes(const HorizontalGrid& grid, const Field& rho, const Field& zi, const Field& u,
                  const Field& v, const char* who) {
  const int nx = grid.nx(), ny = grid.ny(), nz = rho.nz();
  auto same = [](const Field& f, int a, int b, int c) {
    return f.nx() == a && f.ny() == b && f.nz() == c;
  };
  if (!same(rho, nx, ny, nz) || !same(zi, nx, ny, nz + 1) || !same(u, nx + 1, ny, nz) ||
      !same(v, nx, ny + 1, nz)) {
    throw UsageError(std::string(who) +
                     ": field shapes do not match the grid (expected density (nx, ny, nz), "
                     "z_interface (nx, ny, nz+1), u (nx+1, ny, nz), v (nx, ny+1, nz) with nx = " +
                     std::to_string(nx) + ", ny = " + std::to_string(ny) + ")");
  }
}

// Gaussian smoothing of a 2-D array (i fastest) with σ in cells along x and y,
// normalised by the weights inside the domain.
std::vector<double> smooth(const std::vector<double>& f, int nx, int ny, double sx, double sy) {
  auto kernel = [](double s) {
    const int r = std::max(1, static_cast<int>(std::ceil(3.0 * s)));
    std::vector<double> w(2 * r + 1);
    for (int d = -r; d <= r; ++d) w[d + r] = std::exp(-0.5 * (d / s) * (d / s));
    return w;
  };
  const std::vector<double> kx = kernel(std::max(sx, 0.3)), ky = kernel(std::max(sy, 0.3));
  const int rx = static_cast<int>(kx.size()) / 2, ry = static_cast<int>(ky.size()) / 2;
  std::vector<double> tmp(f.size()), out(f.size());
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      double s = 0.0, ws = 0.0;
      for (int d = -rx; d <= rx; ++d) {
        const int ii = i + d;
        if (ii < 0 || ii >= nx) continue;
        s += kx[d + rx] * f[static_cast<std::size_t>(j) * nx + ii];
        ws += kx[d + rx];
      }
      tmp[static_cast<std::size_t>(j) * nx + i] = s / ws;
    }
  }
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      double s = 0.0, ws = 0.0;
      for (int d = -ry; d <= ry; ++d) {
        const int jj = j + d;
        if (jj < 0 || jj >= ny) continue;
        s += ky[d + ry] * tmp[static_cast<std::size_t>(jj) * nx + i];
        ws += ky[d + ry];
      }
      out[static_cast<std::size_t>(j) * nx + i] = s / ws;
    }
  }
  return out;
}

}  // namespace

TerrainChannels analyse_channels(const HorizontalGrid& grid, const Field& terrain_m,
                                 const ChannelParams& p) {
  const int nx = grid.nx(), ny = grid.ny();
  if (terrain_m.nx() != nx || terrain_m.ny() != ny) {
    throw UsageError("analyse_channels: terrain is " + std::to_string(terrain_m.nx()) + " x " +
                     std::to_string(terrain_m.ny()) + ", the grid " + std::to_string(nx) + " x " +
                     std::to_string(ny));
  }
  const std::size_t n = static_cast<std::size_t>(nx) * ny;
  std::vector<double> jxx(n), jxy(n), jyy(n);
  double wx = 0.0, wy = 0.0;  // mean cell widths [m]
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      const int il = std::max(i - 1, 0), ir = std::min(i + 1, nx - 1);
      const int jl = std::max(j - 1, 0), jr = std::min(j + 1, ny - 1);
      double lx = 0.0, ly = 0.0;  // true distances between the two stencil centres [m]
      for (int a = il + 1; a <= ir; ++a) lx += grid.dx_at(a, j);
      for (int b = jl + 1; b <= jr; ++b) ly += grid.dy_at(i, b);
      const double gx = lx > 0.0 ? (terrain_m(ir, j, 0) - terrain_m(il, j, 0)) / lx : 0.0;
      const double gy = ly > 0.0 ? (terrain_m(i, jr, 0) - terrain_m(i, jl, 0)) / ly : 0.0;
      const std::size_t c = grid.mass(i, j);
      jxx[c] = gx * gx;
      jxy[c] = gx * gy;
      jyy[c] = gy * gy;
      wx += grid.cell_width_x(i, j);
      wy += grid.cell_width_y(i, j);
    }
  }
  wx /= static_cast<double>(n);
  wy /= static_cast<double>(n);
  jxx = smooth(jxx, nx, ny, p.smoothing_m / wx, p.smoothing_m / wy);
  jxy = smooth(jxy, nx, ny, p.smoothing_m / wx, p.smoothing_m / wy);
  jyy = smooth(jyy, nx, ny, p.smoothing_m / wx, p.smoothing_m / wy);

  TerrainChannels ch;
  ch.nx = nx;
  ch.ny = ny;
  ch.axis_x.resize(n);
  ch.axis_y.resize(n);
  ch.weight.resize(n);
  ch.depth_m.resize(n);
  const int rx = static_cast<int>(std::ceil(p.ridge_radius_m / wx));
  const int ry = static_cast<int>(std::ceil(p.ridge_radius_m / wy));
  const double flat2 = p.flat_slope * p.flat_slope;
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      const std::size_t c = grid.mass(i, j);
      // Dominant gradient direction θ (across the valley); the axis is normal to it.
      const double theta = 0.5 * std::atan2(2.0 * jxy[c], jxx[c] - jyy[c]);
      ch.axis_x[c] = -std::sin(theta);
      ch.axis_y[c] = std::cos(theta);
      const double half_tr = 0.5 * (jxx[c] + jyy[c]);
      const double disc = std::sqrt(0.25 * (jxx[c] - jyy[c]) * (jxx[c] - jyy[c]) + jxy[c] * jxy[c]);
      const double l1 = half_tr + disc, l2 = half_tr - disc;
      const double coh = (l1 - l2) / (l1 + l2 + flat2);
      // Depth below the highest ground within the ridge radius.
      double hmax = terrain_m(i, j, 0);
      for (int b = std::max(0, j - ry); b <= std::min(ny - 1, j + ry); ++b) {
        for (int a = std::max(0, i - rx); a <= std::min(nx - 1, i + rx); ++a) {
          const double ex = (a - i) * wx, ey = (b - j) * wy;
          if (ex * ex + ey * ey > p.ridge_radius_m * p.ridge_radius_m) continue;
          hmax = std::max(hmax, terrain_m(a, b, 0));
        }
      }
      const double depth = hmax - terrain_m(i, j, 0);
      ch.depth_m[c] = depth;
      ch.weight[c] = p.max_weight * coh * coh * std::clamp(depth / p.full_depth_m, 0.0, 1.0);
    }
  }
  return ch;
}

void channel_wind(const TerrainChannels& ch, int i, int j, double z_agl, double& u, double& v) {
  const std::size_t c = static_cast<std::size_t>(j) * ch.nx + i;
  const double depth = ch.depth_m[c];
  if (!(depth > 0.0) || ch.weight[c] <= 0.0) return;
  const double w = ch.weight[c] * (1.0 - smoothstep01(z_agl / depth));
  const double nxv = -ch.axis_y[c], nyv = ch.axis_x[c];  // cross-valley unit vector
  const double cross = u * nxv + v * nyv;
  u -= w * cross * nxv;
  v -= w * cross * nyv;
}

WindAdjustStats adjust_wind(const HorizontalGrid& grid, const Field& density,
                            const Field& z_interface, Field& u, Field& v,
                            const WindAdjustParams& params) {
  check_shapes(grid, density, z_interface, u, v, "adjust_wind");
  const int nx = grid.nx(), ny = grid.ny(), nz = density.nz();
  const int n = nx * ny;
  auto inv_gamma = [&](double z) { return std::exp(-z / params.scale_height_m) + params.floor; };

  // Face mass-flux coefficients a = ρ_f dz_f L_f [kg m-1] and correction
  // weights 1/γ [1], in the layout of u and v.
  Field ax("a_x", "kg m-1", nx + 1, ny, nz, 0), gx("inv_gamma_x", "1", nx + 1, ny, nz, 0);
  Field ay("a_y", "kg m-1", nx, ny + 1, nz, 0), gy("inv_gamma_y", "1", nx, ny + 1, nz, 0);
  for (int k = 0; k < nz; ++k) {
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i <= nx; ++i) {
        const FaceGeom g = x_face(density, z_interface, i, j, k);
        ax(i, j, k) = g.rho * g.dz * grid.face_length_x(i, j);
        gx(i, j, k) = inv_gamma(g.z);
      }
    }
    for (int j = 0; j <= ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        const FaceGeom g = y_face(density, z_interface, i, j, k);
        ay(i, j, k) = g.rho * g.dz * grid.face_length_y(i, j);
        gy(i, j, k) = inv_gamma(g.z);
      }
    }
  }

  // Column conductances of the faces K [kg m-1] and the first guess's net outflow D0 [kg s-1].
  std::vector<double> kx(static_cast<std::size_t>(nx + 1) * ny, 0.0);
  std::vector<double> ky(static_cast<std::size_t>(nx) * (ny + 1), 0.0);
  Eigen::VectorXd d0 = Eigen::VectorXd::Zero(n);
  WindAdjustStats st;
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i <= nx; ++i) {
      double kf = 0.0, flux = 0.0;
      for (int k = 0; k < nz; ++k) {
        kf += ax(i, j, k) * gx(i, j, k);
        flux += ax(i, j, k) * u(i, j, k);
      }
      kx[grid.uidx(i, j)] = kf;
      if (i > 0) d0[j * nx + i - 1] += flux;
      if (i < nx) d0[j * nx + i] -= flux;
    }
  }
  for (int j = 0; j <= ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      double kf = 0.0, flux = 0.0;
      for (int k = 0; k < nz; ++k) {
        kf += ay(i, j, k) * gy(i, j, k);
        flux += ay(i, j, k) * v(i, j, k);
      }
      ky[grid.vidx(i, j)] = kf;
      if (j > 0) d0[(j - 1) * nx + i] += flux;
      if (j < ny) d0[j * nx + i] -= flux;
    }
  }
  st.max_column_divergence0 = d0.cwiseAbs().maxCoeff();

  // The 2-D system for λ [m s-1]: Σ_f K_f (λ_c - λ_nb) = D0_c, λ = 0 outside.
  std::vector<Eigen::Triplet<double>> trip;
  trip.reserve(static_cast<std::size_t>(n) * 5);
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      const int c = j * nx + i;
      const double kw = kx[grid.uidx(i, j)], ke = kx[grid.uidx(i + 1, j)];
      const double ks = ky[grid.vidx(i, j)], kn = ky[grid.vidx(i, j + 1)];
      trip.emplace_back(c, c, kw + ke + ks + kn);
      if (i > 0) trip.emplace_back(c, c - 1, -kw);
      if (i < nx - 1) trip.emplace_back(c, c + 1, -ke);
      if (j > 0) trip.emplace_back(c, c - nx, -ks);
      if (j < ny - 1) trip.emplace_back(c, c + nx, -kn);
    }
  }
  Eigen::SparseMatrix<double> a(n, n);
  a.setFromTriplets(trip.begin(), trip.end());
  Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>, Eigen::Lower, Eigen::AMDOrdering<int>> solver;
  solver.compute(a);
  if (solver.info() != Eigen::Success) {
    throw NumericalError("adjust_wind: factorisation of the " + std::to_string(n) + " x " +
                         std::to_string(n) + " adjustment matrix failed");
  }
  Eigen::VectorXd lambda = solver.solve(d0);
  if (solver.info() != Eigen::Success || !lambda.allFinite()) {
    throw NumericalError("adjust_wind: the solve for the Lagrange multiplier failed");
  }
  // One step of iterative refinement (cheap; brings the residual to round-off).
  const Eigen::VectorXd r = d0 - a * lambda;
  lambda += solver.solve(r);

  auto lam = [&](int i, int j) {
    return (i < 0 || i >= nx || j < 0 || j >= ny) ? 0.0 : lambda[j * nx + i];
  };
  for (int k = 0; k < nz; ++k) {
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i <= nx; ++i) {
        const double du = -(lam(i - 1, j) - lam(i, j)) * gx(i, j, k);
        u(i, j, k) += du;
        st.max_correction = std::max(st.max_correction, std::abs(du));
      }
    }
    for (int j = 0; j <= ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        const double dv = -(lam(i, j - 1) - lam(i, j)) * gy(i, j, k);
        v(i, j, k) += dv;
        st.max_correction = std::max(st.max_correction, std::abs(dv));
      }
    }
  }

  // Figures of the result, with the transport's flux definition F = a u.
  std::vector<double> net(static_cast<std::size_t>(n), 0.0),
      gross(static_cast<std::size_t>(n), 0.0);
  for (int k = 0; k < nz; ++k) {
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i <= nx; ++i) {
        const double f = ax(i, j, k) * u(i, j, k);
        st.max_abs_flux = std::max(st.max_abs_flux, std::abs(f));
        if (i > 0) {
          net[j * nx + i - 1] += f;
          gross[j * nx + i - 1] += std::abs(f);
        }
        if (i < nx) {
          net[j * nx + i] -= f;
          gross[j * nx + i] += std::abs(f);
        }
      }
    }
    for (int j = 0; j <= ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        const double f = ay(i, j, k) * v(i, j, k);
        st.max_abs_flux = std::max(st.max_abs_flux, std::abs(f));
        if (j > 0) {
          net[(j - 1) * nx + i] += f;
          gross[(j - 1) * nx + i] += std::abs(f);
        }
        if (j < ny) {
          net[j * nx + i] -= f;
          gross[j * nx + i] += std::abs(f);
        }
      }
    }
  }
  for (int c = 0; c < n; ++c) {
    st.max_column_divergence = std::max(st.max_column_divergence, std::abs(net[c]));
    if (gross[c] > 0.0)
      st.max_relative_divergence =
          std::max(st.max_relative_divergence, std::abs(net[c]) / gross[c]);
  }
  return st;
}

void face_mass_fluxes(const HorizontalGrid& grid, const Field& density, const Field& z_interface,
                      const Field& u, const Field& v, Field& fx, Field& fy, Field& fz) {
  check_shapes(grid, density, z_interface, u, v, "face_mass_fluxes");
  const int nx = grid.nx(), ny = grid.ny(), nz = density.nz();
  if (fx.nx() != nx + 1 || fx.ny() != ny || fx.nz() != nz)
    fx = Field("air_mass_flux_x", "kg s-1", nx + 1, ny, nz, 0);
  if (fy.nx() != nx || fy.ny() != ny + 1 || fy.nz() != nz)
    fy = Field("air_mass_flux_y", "kg s-1", nx, ny + 1, nz, 0);
  if (fz.nx() != nx || fz.ny() != ny || fz.nz() != nz + 1)
    fz = Field("air_mass_flux_z", "kg s-1", nx, ny, nz + 1, 0);
  for (int k = 0; k < nz; ++k) {
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i <= nx; ++i) {
        const FaceGeom g = x_face(density, z_interface, i, j, k);
        fx(i, j, k) = g.rho * g.dz * grid.face_length_x(i, j) * u(i, j, k);
      }
    }
    for (int j = 0; j <= ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        const FaceGeom g = y_face(density, z_interface, i, j, k);
        fy(i, j, k) = g.rho * g.dz * grid.face_length_y(i, j) * v(i, j, k);
      }
    }
  }
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      fz(i, j, 0) = 0.0;
      for (int k = 0; k < nz; ++k) {
        const double out = fx(i + 1, j, k) - fx(i, j, k) + fy(i, j + 1, k) - fy(i, j, k);
        fz(i, j, k + 1) = fz(i, j, k) - out;
      }
    }
  }
}

void vertical_velocity(const HorizontalGrid& grid, const Field& density, const Field& z_interface,
                       const Field& terrain_m, const Field& u, const Field& v, const Field& fz,
                       Field& w) {
  check_shapes(grid, density, z_interface, u, v, "vertical_velocity");
  const int nx = grid.nx(), ny = grid.ny(), nz = density.nz();
  if (w.nx() != nx || w.ny() != ny || w.nz() != nz + 1) w = Field("w", "m s-1", nx, ny, nz + 1, 0);
  auto zasl = [&](int i, int j, int k) { return terrain_m(i, j, 0) + z_interface(i, j, k); };
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      const int il = std::max(i - 1, 0), ir = std::min(i + 1, nx - 1);
      const int jl = std::max(j - 1, 0), jr = std::min(j + 1, ny - 1);
      double lx = 0.0, ly = 0.0;
      for (int a = il + 1; a <= ir; ++a) lx += grid.dx_at(a, j);
      for (int b = jl + 1; b <= jr; ++b) ly += grid.dy_at(i, b);
      const double area = grid.cell_area(i, j);
      for (int k = 0; k <= nz; ++k) {
        const int ka = std::max(k - 1, 0), kb = std::min(k, nz - 1);
        const double rho = 0.5 * (density(i, j, ka) + density(i, j, kb));
        const double uc = 0.25 * (u(i, j, ka) + u(i + 1, j, ka) + u(i, j, kb) + u(i + 1, j, kb));
        const double vc = 0.25 * (v(i, j, ka) + v(i, j + 1, ka) + v(i, j, kb) + v(i, j + 1, kb));
        const double sx = lx > 0.0 ? (zasl(ir, j, k) - zasl(il, j, k)) / lx : 0.0;
        const double sy = ly > 0.0 ? (zasl(i, jr, k) - zasl(i, jl, k)) / ly : 0.0;
        w(i, j, k) = fz(i, j, k) / (rho * area) + uc * sx + vc * sy;
      }
    }
  }
}

}  // namespace fwaq

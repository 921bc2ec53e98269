#pragma once
// Diagnostic (mass-consistent) wind over terrain.
//
// 1. Terrain channels (analyse_channels): the local valley axis from the
//    structure tensor of the terrain gradient (the direction of least terrain
//    variation, Bigün & Granlund 1987), and a channelling weight from the
//    tensor's coherence and the valley depth below the surrounding ridges. A
//    first-guess wind loses the cross-valley part of its velocity inside the
//    valley (channel_wind).
//
// 2. Variational mass-consistent adjustment (adjust_wind), after Sasaki (1958)
//    and Sherman (1978, MATHEW): minimise
//        J = 1/2 Σ_faces Σ_k  a_fk γ_k (u_fk - u0_fk)^2
//    (a_fk = ρ dz L, the face's mass-flux coefficient [kg m-1]; 1/γ_k =
//    exp(-z_k / H) + floor, which puts the correction in the lower troposphere)
//    subject to zero net horizontal mass outflow of every model column, with the
//    vertical mass flux free (Sherman's vertical weight α2 → 0) and zero at the
//    ground and the model top. In that limit the Lagrange multiplier λ is
//    constant in each column, u_f = u0_f - (λ_upwind-side - λ_other) / γ_k, and λ
//    solves the 2-D symmetric positive-definite system
//        Σ_f K_f (λ_c - λ_nb(f)) = D0_c,   K_f = Σ_k a_fk / γ_k,
//    (D0 the first guess's net column outflow [kg s-1]; λ = 0 outside the
//    domain, i.e. open lateral boundaries, as Sherman's flow-through
//    boundaries), solved directly with Eigen::SimplicialLDLT. The vertical mass
//    flux then follows from continuity layer by layer and vanishes at the top to
//    round-off.
//
// Discretisation (the one the transport uses for its fluxes, see
// face_mass_fluxes): the mass flux through x-face (i, j, k) is
//    F = ρ_f u dz_f L_f,  ρ_f, dz_f = means of the two adjacent cells (the one
// inside cell at a domain edge), L_f = grid.face_length_x(i, j) [m];
// likewise for y-faces with face_length_y.
//
// References:
//   Sasaki, Y. (1958): An objective analysis based on the variational method.
//     J. Meteor. Soc. Japan 36, 77-88.
//   Sherman, C. A. (1978): A mass-consistent model for wind fields over complex
//     terrain. J. Appl. Meteor. 17, 312-319,
//     doi:10.1175/1520-0450(1978)017<0312:AMCMFW>2.0.CO;2.
//   Bigün, J., Granlund, G. H. (1987): Optimal orientation detection of linear
//     symmetry. Proc. 1st Int. Conf. Computer Vision, IEEE, 433-438.
#include <vector>

#include "field/field.hpp"
#include "grid/horizontal_grid.hpp"

namespace fwaq {

/// Parameters of the valley analysis.
struct ChannelParams {
  double smoothing_m = 15000.0;     ///< Gaussian σ of the structure tensor [m]
  double ridge_radius_m = 40000.0;  ///< radius searched for the surrounding ridges [m]
  double full_depth_m = 500.0;      ///< valley depth giving full channelling [m]
  double max_weight = 0.8;          ///< largest removed share of the cross-valley wind [1]
  double flat_slope = 0.005;        ///< slope below which the axis is undefined [1]
};

/// Per column (i fastest): valley axis (unit vector in grid coordinates),
/// channelling weight [1] and valley depth [m].
struct TerrainChannels {
  int nx = 0, ny = 0;
  std::vector<double> axis_x, axis_y, weight, depth_m;
};

/// Valley axes and channelling weights of a terrain (nx, ny, 1) [m].
TerrainChannels analyse_channels(const HorizontalGrid& grid, const Field& terrain_m,
                                 const ChannelParams& params = {});

/// Removes the channelled share of the cross-valley component of the wind
/// (u, v) [m s-1, grid axes] at height z_agl [m] in column (i, j): the weight
/// falls smoothly from the column's weight at the ground to 0 at the valley depth.
void channel_wind(const TerrainChannels& ch, int i, int j, double z_agl, double& u, double& v);

/// Parameters of the variational adjustment.
struct WindAdjustParams {
  double scale_height_m = 2000.0;  ///< H of the vertical correction profile [m]
  double floor = 0.1;              ///< correction weight far above H [1]
};

/// Figures of one adjustment [kg s-1 and 1].
struct WindAdjustStats {
  double max_abs_flux = 0.0;             ///< largest |face mass flux| after adjustment [kg s-1]
  double max_column_divergence0 = 0.0;   ///< largest |net column outflow| before [kg s-1]
  double max_column_divergence = 0.0;    ///< ... after [kg s-1]
  double max_relative_divergence = 0.0;  ///< after, / the column's sum of |face fluxes| [1]
  double max_correction = 0.0;           ///< largest |u - u0| [m s-1]
};

/// Adjusts u (nx+1, ny, nz) and v (nx, ny+1, nz) [m s-1] in place so that no
/// column has net horizontal mass outflow. density (nx, ny, nz) [kg m-3];
/// z_interface (nx, ny, nz+1) [m above ground]. Throws NumericalError if the
/// solve fails.
WindAdjustStats adjust_wind(const HorizontalGrid& grid, const Field& density,
                            const Field& z_interface, Field& u, Field& v,
                            const WindAdjustParams& params = {});

/// Air-mass fluxes [kg s-1] of the wind through the faces: fx (nx+1, ny, nz),
/// fy (nx, ny+1, nz), and fz (nx, ny, nz+1) through the layer interfaces
/// (upwards positive) from continuity, fz(k=0) = 0; fz(k=nz) is what leaves
/// through the model top (zero for an adjusted wind, up to round-off).
void face_mass_fluxes(const HorizontalGrid& grid, const Field& density, const Field& z_interface,
                      const Field& u, const Field& v, Field& fx, Field& fy, Field& fz);

/// Physical vertical velocity on the interfaces [m s-1] (as WRF's W): the
/// velocity through the terrain-following interfaces, fz / (ρ A), plus the
/// horizontal wind times the slope of the interface (w = ω + V · ∇z_interface,
/// with interface heights above sea level = terrain_m + z_interface).
void vertical_velocity(const HorizontalGrid& grid, const Field& density, const Field& z_interface,
                       const Field& terrain_m, const Field& u, const Field& v, const Field& fz,
                       Field& w);

}  // namespace fwaq

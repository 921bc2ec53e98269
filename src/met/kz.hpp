#pragma once
// Vertical eddy diffusivity Kz [m2 s-1] for tracers, diagnosed from the boundary-
// layer height h [m], the friction velocity u* [m s-1] and the upward surface
// sensible heat flux H [W m-2] when the meteorology does not carry it.
//
// Scheme: the non-local K-profile of Holtslag & Boville (1993, "HB93"), in the
// form of its implementation in NCAR CCM3/CAM (Collins et al. 2004;
// the same constants as CAM's hb_diff module), for heat (= tracers):
//
//   K(z) = k w_t z (1 - z/h)^2          for 0 < z < h
//   K(z) = kz_min                       for z >= h (free troposphere)
//
// with k = 0.4, the Obukhov length L = -u*^3 theta_0 / (k g (w'theta')_0),
// (w'theta')_0 = H / (rho c_p), and the velocity scale w_t:
//   stable / neutral (H <= 0):   w_t = u* / phi(z/L),
//        phi = 1 + 5 z/L for z/L <= 1,  phi = 5 + z/L for z/L > 1
//   unstable (H > 0), surface layer z < 0.1 h:
//        w_t = u* (1 - 15 z/L)^(1/2)  (= u* / phi_h)
//   unstable, outer layer 0.1 h <= z < h:
//        w_m = u* (1 - 15 * 0.1 h / L)^(1/3)   (u* / phi_m at the top of the surface layer)
//        Pr  = phi_h/phi_m (at z = 0.1 h) + a k 0.1 w*/w_m,  a = 7.2
//        w_t = w_m / Pr,   w* = (g/theta_0 (w'theta')_0 h)^(1/3)
// (all from HB93). The result is limited to [kz_min, kz_max].
// Profiles of this K-profile family (Troen & Mahrt 1986; Hong & Pan 1996) are what the MRF/YSU PBL
// schemes of WRF use. Only the sensible heat flux enters the buoyancy flux (the moisture term, 0.61
// theta (w'q')_0, is neglected; small over the dry winter plains).
//
// kz_min: CMAQ (option KZMIN) uses 0.01 m2 s-1 in rural and 1.0 m2 s-1 in urban
// cells (CMAQ User's Guide, CTM_* environment variables, "KZMIN"); fwaq's default
// 0.1 m2 s-1 lies between. kz_max = 500 m2 s-1 is a numerical safeguard, above the
// ~300 m2 s-1 the scheme reaches in strong convection (h = 2 km, u* = 0.5 m s-1,
// H = 250 W m-2).
//
// References:
//   Holtslag, A. A. M. and Boville, B. A. (1993): Local versus nonlocal boundary-
//     layer diffusion in a global climate model. J. Climate 6, 1825-1842,
//     doi:10.1175/1520-0442(1993)006<1825:LVNBLD>2.0.CO;2.
//   Troen, I. and Mahrt, L. (1986): A simple model of the atmospheric boundary
//     layer; sensitivity to surface evaporation. Boundary-Layer Meteorol. 37,
//     129-148, doi:10.1007/BF00122760.
//   Hong, S.-Y. and Pan, H.-L. (1996): Nonlocal boundary layer vertical diffusion
//     in a medium-range forecast model. Mon. Wea. Rev. 124, 2322-2339,
//     doi:10.1175/1520-0493(1996)124<2322:NBLVDI>2.0.CO;2.
//   Stull, R. B. (1988): An Introduction to Boundary Layer Meteorology. Kluwer,
//     doi:10.1007/978-94-009-3027-8.
//   Collins, W. D. et al. (2004): Description of the NCAR Community Atmosphere
//     Model (CAM 3.0). NCAR/TN-464+STR, doi:10.5065/D63N21CH.
#include <span>

#include "met/met_fields.hpp"

namespace fwaq {

struct KzParams {
  double kz_min = 0.1;      ///< lower limit, and value above the PBL [m2 s-1]
  double kz_max = 500.0;    ///< upper limit [m2 s-1]
  double ustar_min = 0.01;  ///< floor on u* against calm-night singularities [m s-1]
  double pblh_min = 20.0;   ///< floor on the boundary-layer height [m]
};

/// Physical constants of the scheme (WRF's values, module_model_constants).
struct KzConstants {
  static constexpr double karman = 0.4;            ///< von Karman constant k [1]
  static constexpr double g = 9.81;                ///< gravity [m s-2]
  static constexpr double cp = 1004.5;             ///< c_p of dry air, 7/2 R_d [J kg-1 K-1]
  static constexpr double surface_fraction = 0.1;  ///< surface layer depth / h [1]
  static constexpr double beta_unstable = 15.0;    ///< HB93 unstable phi coefficient [1]
  static constexpr double beta_stable = 5.0;       ///< HB93 stable phi coefficient [1]
  static constexpr double a_prandtl = 7.2;         ///< HB93 Prandtl-number constant a [1]
};

/// Obukhov length [m] from u* [m s-1], upward sensible heat flux H [W m-2], the
/// near-surface virtual potential temperature theta_0 [K] and density rho [kg m-3]:
/// L = -u*^3 theta_0 rho c_p / (k g H). +infinity for H = 0 (neutral).
double obukhov_length(double ustar, double hfx, double theta0, double rho);

/// Kz [m2 s-1] of heat/tracers at height z [m above ground] (see file comment).
/// pblh [m], ustar [m s-1], hfx [W m-2] upward, theta0 [K], rho [kg m-3] near the surface.
double kz_at(double z, double pblh, double ustar, double hfx, double theta0, double rho,
             const KzParams& params = {});

/// Kz [m2 s-1] at each height z_m[k] [m above ground] of one column (e.g. the
/// nz + 1 layer interfaces; the ground, z = 0, gets kz_min). out.size() == z_m.size().
void kz_column(std::span<const double> z_m, double pblh, double ustar, double hfx, double theta0,
               double rho, std::span<double> out, const KzParams& params = {});

/// Virtual potential temperature [K] from temperature t [K], pressure p [Pa] and
/// water-vapour mixing ratio q [kg kg-1]: theta_v = T (1e5 Pa / p)^(2/7) (1 + 0.608 q)
/// (Stull 1988, sect. 1.5; 0.608 = R_v/R_d - 1). p <= 0 gives T (1 + 0.608 q).
double virtual_potential_temperature(double t_k, double p_pa, double q);

/// Fills rec.kz on the layer interfaces from rec.z_interface, rec.pblh,
/// rec.ustar, rec.hfx and the lowest layer's virtual potential temperature
/// (theta_0) and density (from p / (R_d T) if rec.density is zero there).
void fill_kz(MetRecord& rec, const KzParams& params = {});

}  // namespace fwaq

#pragma once
// Aerosol properties the chemistry needs in each cell (docs/science/chemistry.md,
// "Aerosol surface and heterogeneous uptake"): the surface area of the fine
// particles from their dry mass and water with a lognormal size distribution, the
// first-order uptake rate of a gas on that surface (Jacob 2000, Atmos. Environ. 34,
// 2131, eq. 1), the N2O5 uptake coefficient of Bertram & Thornton (2009, ACP 9,
// 8351, eq. 11 without chloride) and the RH-dependent SO2 uptake coefficient of
// winter haze (range of Zheng et al. 2015, ACP 15, 2031, and Wang et al. 2014, JGR
// 119, 10425).

namespace fwaq::chem {

struct AerosolOptions {
  double dgn_dry_um = 0.15;            ///< number median dry diameter [µm]
  double sigma_g = 1.8;                ///< geometric standard deviation [1]
  double dry_density_g_cm3 = 1.6;      ///< density of the dry particle material [g cm-3]
  double solute_density_g_cm3 = 1.77;  ///< density of the inorganic solute (B&T molarities)
  double gas_diffusivity_cm2_s = 0.1;  ///< gas-phase diffusion coefficient [cm2 s-1]
  double gamma_n2o5_min = 1e-3;        ///< lower bound of γ(N2O5) (dry or very acidic particles)
  double gamma_n2o5_max = 0.1;         ///< upper bound of γ(N2O5)
  double gamma_n2o5_scale = 1.0;       ///< factor on the Bertram & Thornton value [1]
  double gamma_so2_low = 1e-5;         ///< γ(SO2) at RH <= 0.5
  double gamma_so2_mid = 1e-4;         ///< γ(SO2) at RH = 0.8
  double gamma_so2_high = 2e-4;        ///< γ(SO2) at RH >= 0.95
};

/// Wet surface of the fine particles in a cell.
struct AerosolSurface {
  double area_cm2_cm3 = 0.0;  ///< surface area density [cm2 cm-3]
  double radius_cm = 0.0;     ///< surface-weighted (effective) wet radius [cm]
};

/// Lognormal number distribution with dry median diameter D_g and σ_g; water swells
/// every particle by the same volume factor (number kept). With V the wet volume
/// [cm3 cm-3]: area = 6 V / D_s, D_s = D_g exp(2.5 ln² σ_g) × (V_wet/V_dry)^(1/3)
/// (Sauter mean diameter, Seinfeld & Pandis 2016, ch. 8.1.5).
/// @param dry_ug_m3 dry fine-particle mass [µg m-3]; @param water_ug_m3 aerosol water [µg m-3].
AerosolSurface aerosol_surface(double dry_ug_m3, double water_ug_m3, const AerosolOptions& opt);

/// Mean molecular speed sqrt(8RT/(πM)) [cm s-1] of a gas of molar mass [g mol-1] at T [K].
double mean_molecular_speed(double molar_mass_g, double temperature_K);

/// First-order loss rate [s-1] of a gas by uptake with coefficient γ on `surface`
/// (Jacob 2000 eq. 1): k = A / (r / D_g + 4 / (v γ)).
double uptake_rate(double gamma, double molar_mass_g, double temperature_K,
                   const AerosolSurface& surface, double diffusivity_cm2_s);

/// γ(N2O5) of Bertram & Thornton (2009), clamped to [min, max] and scaled:
///   γ = A β (1 − e^(−δ [H2O])) × r / (1 + r),  r = (k3/k2b) [H2O] / [NO3−],
/// A = 3.2e-8 s, β = 1.15e6 s-1, δ = 0.13 M-1, k3/k2b = 0.06; molarities in the
/// aerosol solution (water + inorganic solute). Without aerosol water: γ_min.
/// @param water_ug_m3 aerosol water; @param solute_ug_m3 inorganic particle mass
/// [µg m-3]; @param nitrate_umol_m3 particulate nitrate [µmol m-3].
double gamma_n2o5(double water_ug_m3, double solute_ug_m3, double nitrate_umol_m3,
                  const AerosolOptions& opt);

/// γ(SO2) on wet haze particles [1]: gamma_so2_low for RH <= 0.5, rising
/// log-linearly to gamma_so2_mid at RH 0.8 and to gamma_so2_high at RH >= 0.95.
double gamma_so2(double rh, const AerosolOptions& opt);

}  // namespace fwaq::chem

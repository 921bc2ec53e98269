#pragma once
// Building blocks of the inorganic thermodynamics (chem/thermo.hpp), exposed for the
// unit tests and for documentation: equilibrium constants and their temperature
// dependence, deliquescence relative humidities, the binary molality - water activity
// data used for the ZSR water, and Kusik-Meissner binary activity coefficients.
// Method and references: docs/science/thermodynamics.md.
namespace fwaq::chem::thermo_detail {

/// Universal gas constant in the units of the gas-phase equilibria [atm m3 mol-1 K-1].
inline constexpr double kGasConstantAtm = 8.2057366e-5;
/// Reference temperature of the equilibrium constants [K].
inline constexpr double kT0 = 298.15;

/// An equilibrium constant K(T) = K0 exp(a (T0/T - 1) + b (1 + ln(T0/T) - T0/T))
/// (Nenes et al. 1998 eq. 5; a = -ΔH0/(R T0), b = -ΔCp/R).
struct VantHoff {
  double k0;  ///< K at T0 = 298.15 K [units of the reaction]
  double a;   ///< [1]
  double b;   ///< [1]
};

// Fountoukis & Nenes (2007) table 2 / Nenes et al. (1998) table 2.
inline constexpr VantHoff kKHSO4{1.015e-2, 8.85, 25.14};      ///< HSO4- = H+ + SO4= [mol kg-1]
inline constexpr VantHoff kKNH3Henry{57.639, 13.79, -5.393};  ///< NH3(g) = NH3(aq) [mol kg-1 atm-1]
inline constexpr VantHoff kKNH3Diss{1.805e-5, -1.50,
                                    26.92};               ///< NH3(aq)+H2O = NH4+ + OH- [mol kg-1]
inline constexpr VantHoff kKHNO3{2.511e6, 29.17, 16.83};  ///< HNO3(g) = H+ + NO3- [mol2 kg-2 atm-1]
inline constexpr VantHoff kKWater{1.010e-14, -22.52, 26.92};  ///< H2O = H+ + OH- [mol2 kg-2]
inline constexpr VantHoff kKAS{1.817, -2.65, 38.57};          ///< (NH4)2SO4(s) [mol3 kg-3]
inline constexpr VantHoff kKAB{1.382e2, -2.87, 15.83};        ///< NH4HSO4(s) [mol2 kg-2]
inline constexpr VantHoff kKLC{29.268, -5.19, 54.40};         ///< (NH4)3H(SO4)2(s) [mol5 kg-5]
inline constexpr VantHoff kKAN{5.746e-17, -74.38, 6.12};      ///< NH4NO3(s) = NH3(g)+HNO3(g) [atm2]

/// K(T) of one reaction [its units].
double equilibrium_constant(const VantHoff& k, double temperature_K);

/// NH4NO3(s) = NH3(g) + HNO3(g): p(NH3) p(HNO3) at equilibrium [atm2].
inline double nh4no3_dissociation_constant(double temperature_K) {
  return equilibrium_constant(kKAN, temperature_K);
}

/// The salts (binary solutions) of the ZSR water and of the solid phase.
enum class Salt : int {
  kAmmoniumSulfate = 0,  ///< (NH4)2SO4
  kAmmoniumNitrate,      ///< NH4NO3
  kAmmoniumBisulfate,    ///< NH4HSO4
  kLetovicite,           ///< (NH4)3H(SO4)2
  kSulfuricAcid,         ///< H2SO4
};
inline constexpr int kNumSalts = 5;

/// Molality of the binary aqueous solution of `salt` in equilibrium with water activity
/// `aw` (= RH) [mol kg-1]: tabulated at aw = 0.01 ... 1.00 (ISORROPIA II, from the
/// Aerosol Inorganics Model of Clegg et al. 1998), linear in aw between the points.
double binary_molality(Salt salt, double aw);

/// Deliquescence relative humidities at temperature T [1]: single salts
/// DRH(T) = DRH(T0) exp(c (1/T - 1/T0)) (Fountoukis & Nenes 2007 table 3) and the
/// mutual deliquescence points of the salt pairs (temperature independent).
struct Deliquescence {
  double ammonium_sulfate;    ///< (NH4)2SO4, 0.7997 at 298.15 K
  double ammonium_nitrate;    ///< NH4NO3, 0.6183 at 298.15 K (never above the (NH4)2SO4 value)
  double ammonium_bisulfate;  ///< NH4HSO4, 0.40
  double letovicite;          ///< (NH4)3H(SO4)2, 0.69
  double mutual_as_an;        ///< (NH4)2SO4 + NH4NO3, 0.60
  double mutual_lc_ab;        ///< letovicite + NH4HSO4, 0.378
  double mutual_lc_as;        ///< letovicite + (NH4)2SO4, 0.69
};
Deliquescence deliquescence(double temperature_K);

/// Kusik-Meissner q parameters of the binary solutions (Kim et al. 1993; Fountoukis &
/// Nenes 2007 table 4). NH4HSO4 is built from NH4Cl + H-HSO4 - HCl.
inline constexpr double kQAmmoniumSulfate = -0.25;   ///< (NH4)2SO4
inline constexpr double kQAmmoniumNitrate = -1.15;   ///< NH4NO3
inline constexpr double kQSulfuricAcid = -0.10;      ///< 2H+ - SO4=
inline constexpr double kQHydrogenBisulfate = 8.00;  ///< H+ - HSO4-
inline constexpr double kQNitricAcid = 2.60;         ///< HNO3
inline constexpr double kQAmmoniumChloride = 0.82;   ///< NH4Cl
inline constexpr double kQHydrochloricAcid = 6.00;   ///< HCl

/// Kusik-Meissner (1978) binary activity coefficient, log10 of the mean activity
/// coefficient of an electrolyte with parameter q and charge product z+|z-| at ionic
/// strength I [mol kg-1] and 298.15 K; with the temperature correction of Meissner &
/// Peppas (1973) as in ISORROPIA at other temperatures.
double kusik_meissner_log10(double q, double zz, double ionic_strength, double temperature_K);

}  // namespace fwaq::chem::thermo_detail

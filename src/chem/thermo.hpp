#pragma once
// Inorganic aerosol thermodynamics of the sulfate - nitrate - ammonium - water system
// (ISORROPIA II class, forward problem): given temperature, relative humidity and the
// total (gas + particle) amounts, the equilibrium split between gas, aqueous ions,
// solid salts and aerosol water. Method, references and verification:
// docs/science/thermodynamics.md.
#include <string_view>

namespace fwaq::chem {

/// Which equilibrium to seek.
enum class ThermoBranch {
  kMetastable,  ///< aqueous solution only (no solids), at any RH
  kStable,      ///< solids form below their deliquescence RH
};

/// Inputs. Amounts are totals per m3 of air [µmol m-3].
struct ThermoInput {
  double temperature_K = 298.15;  ///< [K]
  double rh = 0.5;                ///< relative humidity [1], 0-1
  double sulfate = 0.0;           ///< total sulfate (H2SO4 + HSO4- + SO4=) [µmol m-3]
  double nitrate = 0.0;           ///< total nitrate (HNO3 + NO3-) [µmol m-3]
  double ammonia = 0.0;           ///< total ammonia (NH3 + NH4+) [µmol m-3]
};

/// Equilibrium result [µmol m-3] unless noted.
struct ThermoResult {
  // gas
  double nh3_g = 0.0;   ///< NH3 gas
  double hno3_g = 0.0;  ///< HNO3 gas
  // aqueous ions
  double nh4_aq = 0.0, no3_aq = 0.0, so4_aq = 0.0, hso4_aq = 0.0, h_aq = 0.0;
  double water_ug = 0.0;  ///< aerosol liquid water [µg m-3]
  // solids
  double nh4no3_s = 0.0;   ///< NH4NO3
  double nh42so4_s = 0.0;  ///< (NH4)2SO4
  double nh4hso4_s = 0.0;  ///< NH4HSO4
  double lc_s = 0.0;       ///< letovicite (NH4)3H(SO4)2
  // particulate totals
  double nh4_p() const { return nh4_aq + nh4no3_s + 2.0 * nh42so4_s + nh4hso4_s + 3.0 * lc_s; }
  double no3_p() const { return no3_aq + nh4no3_s; }
  double so4_p() const { return so4_aq + hso4_aq + nh42so4_s + nh4hso4_s + 2.0 * lc_s; }
  /// Short name of the regime the solver found (e.g. "sulfate-rich, aqueous").
  std::string_view regime;
};

/// The equilibrium of `in` on `branch`. All outputs are >= 0 and conserve the totals of
/// sulfate, nitrate and ammonia to 1e-12 relative (with in.temperature_K in [200, 330] K,
/// rh in [0, 1], amounts >= 0 and finite; otherwise std::invalid_argument). All of the
/// sulfate is particulate (H2SO4 has no significant vapour pressure).
ThermoResult equilibrate(const ThermoInput& in, ThermoBranch branch = ThermoBranch::kMetastable);

}  // namespace fwaq::chem

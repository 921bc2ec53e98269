#pragma once
// The transported species of the chemistry-transport model.
//
// Every tracer is a mass mixing ratio [µg kg-1] (µg of the species per kg of air), so
// that its mass concentration is q × ρ [µg m-3] with ρ the air density [kg m-3].
// Masses are of the species itself unless noted. Two families are carried as totals
// and split by the inorganic thermodynamics (chem/thermo.hpp) whenever the split
// matters (deposition, output): total nitrate TNO3 = HNO3(g) + NO3-(p), counted as
// HNO3 mass (63.013 g mol-1), and total ammonia TNH3 = NH3(g) + NH4+(p), counted as NH3
// mass (17.031 g mol-1). The semi-volatile organic products SV1 and SV2 are also carried
// as gas + particle totals; their particle part is the secondary organic aerosol.
//
// Short-lived species (O3 relaxing to its climatology, NO3, N2O5, H2O2) are kept by the
// chemistry in each cell between steps but not transported (chem/chemistry.hpp).
#include <array>
#include <string_view>

namespace fwaq::chem {

enum class Tracer : int {
  kSO2 = 0,
  kNO,
  kNO2,
  kTNO3,  ///< HNO3(g) + NO3-(p), as HNO3 mass
  kTNH3,  ///< NH3(g) + NH4+(p), as NH3 mass
  kCO,
  kVocAlk,   ///< lumped alkanes (emission class NMVOC_ALK)
  kVocOle,   ///< lumped alkenes (NMVOC_OLE)
  kVocAro1,  ///< benzene, toluene (NMVOC_ARO1)
  kVocAro2,  ///< xylenes, trimethylbenzenes (NMVOC_ARO2)
  kSV1,      ///< low-volatility organic oxidation products, gas + particle
  kSV2,      ///< higher-volatility organic oxidation products, gas + particle
  kSO4,      ///< particulate sulfate (secondary and primary), as SO4 mass
  kPOA,      ///< primary organic aerosol, as emitted organic-carbon mass (PM25_OC)
  kBC,       ///< black carbon (PM25_BC)
  kOPM,      ///< other primary PM2.5 (PM25_OTHER: dust, metals, non-carbon organic mass)
  kPMC,      ///< coarse particles, PM10 - PM2.5 (PM_COARSE)
};
inline constexpr int kNumTracers = 17;

inline constexpr int idx(Tracer t) {
  return static_cast<int>(t);
}

struct TracerInfo {
  std::string_view name;     ///< field name, e.g. "SO2", "TNO3"
  double molar_mass;         ///< [g mol-1] of the counted species (0 for lumped particles)
  bool gas_phase;            ///< true if (wholly or partly) a gas
  bool particle_phase;       ///< true if (wholly or partly) a particle
  std::string_view meaning;  ///< one line for file attributes
};

/// Molar masses [g mol-1] used throughout the chemistry (IUPAC standard atomic weights).
inline constexpr double kMolarSO2 = 64.064, kMolarNO = 30.006, kMolarNO2 = 46.0055,
                        kMolarHNO3 = 63.013, kMolarNH3 = 17.031, kMolarCO = 28.010,
                        kMolarSO4 = 96.06, kMolarNO3 = 62.004, kMolarNH4 = 18.039,
                        kMolarO3 = 47.997, kMolarN2O5 = 108.01, kMolarH2O2 = 34.014,
                        kMolarAir = 28.9647;

inline constexpr std::array<TracerInfo, kNumTracers> kTracerInfo{{
    {"SO2", kMolarSO2, true, false, "sulfur dioxide"},
    {"NO", kMolarNO, true, false, "nitric oxide"},
    {"NO2", kMolarNO2, true, false, "nitrogen dioxide"},
    {"TNO3", kMolarHNO3, true, true, "total nitrate: HNO3 gas + particulate NO3-, as HNO3"},
    {"TNH3", kMolarNH3, true, true, "total ammonia: NH3 gas + particulate NH4+, as NH3"},
    {"CO", kMolarCO, true, false, "carbon monoxide"},
    {"VOC_ALK", 72.0, true, false, "lumped alkanes (C5-like molar mass)"},
    {"VOC_OLE", 42.0, true, false, "lumped alkenes (propene-like molar mass)"},
    {"VOC_ARO1", 92.14, true, false, "benzene and toluene (toluene molar mass)"},
    {"VOC_ARO2", 106.17, true, false, "xylenes and trimethylbenzenes (xylene molar mass)"},
    {"SV1", 0.0, true, true, "low-volatility organic products, gas + particle"},
    {"SV2", 0.0, true, true, "higher-volatility organic products, gas + particle"},
    {"SO4", kMolarSO4, false, true, "particulate sulfate"},
    {"POA", 0.0, false, true, "primary organic aerosol (organic carbon mass)"},
    {"BC", 0.0, false, true, "black carbon"},
    {"OPM", 0.0, false, true, "other primary PM2.5"},
    {"PMC", 0.0, false, true, "coarse particulate matter (PM10 - PM2.5)"},
}};

inline constexpr std::string_view tracer_name(Tracer t) {
  return kTracerInfo[idx(t)].name;
}

}  // namespace fwaq::chem

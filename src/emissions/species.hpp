#pragma once
// Emission sectors and emitted species of fwaq.
//
// Species are masses [kg] of:
//   SO2; NOx expressed as NO2 mass (the NO/NO2 split is the chemistry's choice; MEIC's
//   meic2ctm maps NOx to 0.9 NO + 0.1 NO2 by mole); NH3; CO;
//   NMVOC in six lumped classes (mass of the compounds in each class):
//     NMVOC_ALK   alkanes (C2 and larger; CB6 PAR/ETHA/PRPA-like),
//     NMVOC_OLE   alkenes and alkynes (CB6 ETH/OLE/IOLE-like),
//     NMVOC_ARO1  benzene, toluene and other mono-alkyl aromatics (CB6 BENZENE/TOL-like),
//     NMVOC_ARO2  xylenes, trimethylbenzenes and other poly-alkyl aromatics (CB6 XYLMN-like),
//     NMVOC_OXY   oxygenated VOC (aldehydes, ketones, alcohols, acids),
//     NMVOC_OTHER halocarbons and other, mostly unreactive, compounds;
//   primary PM2.5 in four components that add up to the PM2.5 mass, as in MEIC's CMAQ
//   speciation (meic2ctm factor/cmaq/species-map.csv: PEC, POC, PSO4, remainder):
//     PM25_BC black (elemental) carbon, PM25_OC organic CARBON (not organic mass: the
//     non-carbon organic mass is part of PM25_OTHER), PM25_SO4 primary sulfate,
//     PM25_OTHER everything else (dust, ions, metals, non-carbon organic mass);
//   PM_COARSE = PM10 - PM2.5.
// Derived totals for reports: NMVOC = sum of the lumps, PM25 = sum of the four PM2.5
// components, PM10 = PM25 + PM_COARSE.
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace fwaq::emissions {

enum class Sector : int {
  kPower = 0,
  kIndustry,
  kResidential,
  kTransportation,
  kAgriculture,
  kDust,  ///< fugitive dust (roads, construction, bare soil)
};
inline constexpr int kNumSectors = 6;
inline constexpr std::array<Sector, kNumSectors> kAllSectors{
    Sector::kPower,          Sector::kIndustry,    Sector::kResidential,
    Sector::kTransportation, Sector::kAgriculture, Sector::kDust};

/// "power", "industry", "residential", "transportation", "agriculture", "dust".
std::string_view sector_name(Sector s);
/// The sector called `name` (also "transport" and "fugitive_dust"); nullopt if unknown.
std::optional<Sector> parse_sector(std::string_view name);

enum class Species : int {
  kSO2 = 0,
  kNOx,  ///< as NO2 mass
  kNH3,
  kCO,
  kVocAlk,
  kVocOle,
  kVocAro1,
  kVocAro2,
  kVocOxy,
  kVocOther,
  kBC,
  kOC,  ///< organic carbon
  kSO4,
  kPM25Other,
  kPMCoarse,
};
inline constexpr int kNumSpecies = 15;
inline constexpr std::array<Species, kNumSpecies> kAllSpecies{
    Species::kSO2,    Species::kNOx,       Species::kNH3,     Species::kCO,
    Species::kVocAlk, Species::kVocOle,    Species::kVocAro1, Species::kVocAro2,
    Species::kVocOxy, Species::kVocOther,  Species::kBC,      Species::kOC,
    Species::kSO4,    Species::kPM25Other, Species::kPMCoarse};
inline constexpr std::array<Species, 6> kNmvocLumps{Species::kVocAlk,  Species::kVocOle,
                                                    Species::kVocAro1, Species::kVocAro2,
                                                    Species::kVocOxy,  Species::kVocOther};
inline constexpr std::array<Species, 4> kPm25Components{Species::kBC, Species::kOC, Species::kSO4,
                                                        Species::kPM25Other};

/// "SO2", "NOx", "NH3", "CO", "NMVOC_ALK", ..., "PM25_BC", "PM25_OC", "PM25_SO4",
/// "PM25_OTHER", "PM_COARSE" (also the names of the emission rate fields).
std::string_view species_name(Species s);
/// The species called `name` (exact names above, case-insensitive; also "BC", "OC",
/// "SO4", "PMC", "PMcoarse"); nullopt if unknown.
std::optional<Species> parse_species(std::string_view name);

/// Molar mass [g mol-1] for converting mol s-1 to kg s-1: SO2 64.064, NOx as NO2
/// 46.0055, NH3 17.031, CO 28.010 (IUPAC standard atomic weights); nullopt for lumped
/// classes and particles, whose molar mass a file must give itself.
std::optional<double> molar_mass_g_per_mol(Species s);

bool is_nmvoc(Species s);
bool is_pm25_component(Species s);

inline constexpr int index_of(Sector s) {
  return static_cast<int>(s);
}
inline constexpr int index_of(Species s) {
  return static_cast<int>(s);
}

}  // namespace fwaq::emissions

#include "emissions/species.hpp"

#include <algorithm>
#include <cctype>

namespace fwaq::emissions {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view sector_name(Sector s) {
  switch (s) {
    case Sector::kPower:
      return "power";
    case Sector::kIndustry:
      return "industry";
    case Sector::kResidential:
      return "residential";
    case Sector::kTransportation:
      return "transportation";
    case Sector::kAgriculture:
      return "agriculture";
    case Sector::kDust:
      return "dust";
  }
  return "?";
}

std::optional<Sector> parse_sector(std::string_view name) {
  for (Sector s : kAllSectors) {
    if (iequals(name, sector_name(s))) return s;
  }
  if (iequals(name, "transport")) return Sector::kTransportation;
  if (iequals(name, "fugitive_dust")) return Sector::kDust;
  return std::nullopt;
}

std::string_view species_name(Species s) {
  switch (s) {
    case Species::kSO2:
      return "SO2";
    case Species::kNOx:
      return "NOx";
    case Species::kNH3:
      return "NH3";
    case Species::kCO:
      return "CO";
    case Species::kVocAlk:
      return "NMVOC_ALK";
    case Species::kVocOle:
      return "NMVOC_OLE";
    case Species::kVocAro1:
      return "NMVOC_ARO1";
    case Species::kVocAro2:
      return "NMVOC_ARO2";
    case Species::kVocOxy:
      return "NMVOC_OXY";
    case Species::kVocOther:
      return "NMVOC_OTHER";
    case Species::kBC:
      return "PM25_BC";
    case Species::kOC:
      return "PM25_OC";
    case Species::kSO4:
      return "PM25_SO4";
    case Species::kPM25Other:
      return "PM25_OTHER";
    case Species::kPMCoarse:
      return "PM_COARSE";
  }
  return "?";
}

std::optional<Species> parse_species(std::string_view name) {
  for (Species s : kAllSpecies) {
    if (iequals(name, species_name(s))) return s;
  }
  if (iequals(name, "BC") || iequals(name, "EC")) return Species::kBC;
  if (iequals(name, "OC")) return Species::kOC;
  if (iequals(name, "SO4")) return Species::kSO4;
  if (iequals(name, "PMC") || iequals(name, "PMcoarse")) return Species::kPMCoarse;
  return std::nullopt;
}

std::optional<double> molar_mass_g_per_mol(Species s) {
  switch (s) {
    case Species::kSO2:
      return 64.064;
    case Species::kNOx:
      return 46.0055;
    case Species::kNH3:
      return 17.031;
    case Species::kCO:
      return 28.010;
    default:
      return std::nullopt;
  }
}

bool is_nmvoc(Species s) {
  return std::find(kNmvocLumps.begin(), kNmvocLumps.end(), s) != kNmvocLumps.end();
}

bool is_pm25_component(Species s) {
  return std::find(kPm25Components.begin(), kPm25Components.end(), s) != kPm25Components.end();
}

}  // namespace fwaq::emissions

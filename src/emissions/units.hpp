#pragma once
// Units of emission rates in gridded inventories, converted to kg s-1 per grid cell.
//
// A unit is read as a product of factors separated by blanks, '*' or '.', each a base
// name with an optional exponent ("m-2", "m^-2", "m2", "s-1"); a '/' divides by the
// next factor only ("Mg/yr/cell" = Mg yr-1 cell-1). Accepted bases:
//   mass    kg, g, mg, t, tonne(s), Mg, kt, Gg, Tg     amount  mol, mole(s), kmol
//   time    s, sec, min, h, hr, hour, d, day, month, mon, yr, year, a
//   area    m, km (squared, as a divisor)               cell    cell (as a divisor)
// The unit must be (mass or amount) / time [/ area] [/ cell]. Calendar months and years
// are not fixed lengths: the caller supplies them. Examples: "t/month", "t/yr", "kg/s",
// "g/s", "mol/s" (needs a molar mass), "kg m-2 s-1" (needs the cell area), "Mg/yr/cell".
#include <optional>
#include <string>
#include <string_view>

namespace fwaq::emissions {

struct RateUnit {
  /// Multiplies a value to give kg (or mol) per second, per cell or per m2, before the
  /// calendar, molar-mass and area conversions below.
  double factor = 1.0;
  bool per_month = false;  ///< divide by the length of the calendar month [s]
  bool per_year = false;   ///< divide by the length of the calendar year [s]
  bool molar = false;      ///< amount in mol: multiply by the molar mass [kg mol-1]
  bool per_area = false;   ///< per m2: multiply by the cell area [m2]
  std::string text;        ///< the unit as written in the file

  /// value [this unit] -> kg s-1 per cell. month_seconds/year_seconds [s] are used only
  /// for per-month/per-year units, molar_mass_kg_per_mol only for molar units and
  /// cell_area_m2 [m2] only for per-area units.
  double to_kg_per_s(double value, double cell_area_m2, double month_seconds, double year_seconds,
                     double molar_mass_kg_per_mol) const {
    double v = value * factor;
    if (per_month) v /= month_seconds;
    if (per_year) v /= year_seconds;
    if (molar) v *= molar_mass_kg_per_mol;
    if (per_area) v *= cell_area_m2;
    return v;
  }
};

/// Parses an emission-rate unit (see above); nullopt if it is not one.
std::optional<RateUnit> parse_rate_unit(std::string_view text);

/// The list of accepted forms, for error messages.
std::string accepted_rate_units();

}  // namespace fwaq::emissions

#include "emissions/units.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace fwaq::emissions {

namespace {

struct Base {
  const char* name;
  enum Dim { kMass, kAmount, kTime, kMonth, kYear, kLength, kCell } dim;
  double scale;  // to kg, mol, s or m
};

constexpr Base kBases[] = {
    {"kg", Base::kMass, 1.0},      {"g", Base::kMass, 1e-3},      {"mg", Base::kMass, 1e-6},
    {"t", Base::kMass, 1e3},       {"tonne", Base::kMass, 1e3},   {"tonnes", Base::kMass, 1e3},
    {"Mg", Base::kMass, 1e3},      {"kt", Base::kMass, 1e6},      {"Gg", Base::kMass, 1e6},
    {"Tg", Base::kMass, 1e9},      {"mol", Base::kAmount, 1.0},   {"mole", Base::kAmount, 1.0},
    {"moles", Base::kAmount, 1.0}, {"kmol", Base::kAmount, 1e3},  {"s", Base::kTime, 1.0},
    {"sec", Base::kTime, 1.0},     {"min", Base::kTime, 60.0},    {"h", Base::kTime, 3600.0},
    {"hr", Base::kTime, 3600.0},   {"hour", Base::kTime, 3600.0}, {"d", Base::kTime, 86400.0},
    {"day", Base::kTime, 86400.0}, {"month", Base::kMonth, 1.0},  {"mon", Base::kMonth, 1.0},
    {"yr", Base::kYear, 1.0},      {"year", Base::kYear, 1.0},    {"a", Base::kYear, 1.0},
    {"m", Base::kLength, 1.0},     {"km", Base::kLength, 1e3},    {"cell", Base::kCell, 1.0},
};

const Base* find_base(std::string_view name) {
  for (const Base& b : kBases) {
    if (name == b.name) return &b;
  }
  return nullptr;
}

}  // namespace

std::optional<RateUnit> parse_rate_unit(std::string_view text) {
  RateUnit u;
  u.text = std::string(text);
  int e_mass = 0, e_amount = 0, e_time = 0, e_length = 0, e_cell = 0, e_month = 0, e_year = 0;
  std::size_t i = 0;
  bool divide_next = false;
  bool any = false;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '*' || c == '.') {
      ++i;
      continue;
    }
    if (c == '/') {
      if (divide_next) return std::nullopt;  // "//"
      divide_next = true;
      ++i;
      continue;
    }
    // A factor: letters, then an optional exponent.
    std::size_t j = i;
    while (j < text.size() && std::isalpha(static_cast<unsigned char>(text[j]))) ++j;
    if (j == i) return std::nullopt;
    const std::string_view name = text.substr(i, j - i);
    if (j < text.size() && text[j] == '^') ++j;
    std::size_t k = j;
    if (k < text.size() && (text[k] == '-' || text[k] == '+')) ++k;
    while (k < text.size() && std::isdigit(static_cast<unsigned char>(text[k]))) ++k;
    int exponent = 1;
    if (k > j) {
      const std::string digits(text.substr(j, k - j));
      if (digits == "-" || digits == "+") return std::nullopt;
      exponent = std::atoi(digits.c_str());
      if (exponent == 0) return std::nullopt;
    } else if (j > i + name.size()) {
      return std::nullopt;  // a '^' without digits
    }
    i = k;
    const Base* b = find_base(name);
    if (b == nullptr) return std::nullopt;
    if (divide_next) exponent = -exponent;
    divide_next = false;
    any = true;
    u.factor *= std::pow(b->scale, exponent);
    switch (b->dim) {
      case Base::kMass:
        e_mass += exponent;
        break;
      case Base::kAmount:
        e_amount += exponent;
        break;
      case Base::kTime:
        e_time += exponent;
        break;
      case Base::kMonth:
        e_month += exponent;
        break;
      case Base::kYear:
        e_year += exponent;
        break;
      case Base::kLength:
        e_length += exponent;
        break;
      case Base::kCell:
        e_cell += exponent;
        break;
    }
  }
  if (!any || divide_next) return std::nullopt;
  // (mass or amount)^1 per exactly one time unit, optionally per area and per cell.
  if (!((e_mass == 1 && e_amount == 0) || (e_mass == 0 && e_amount == 1))) return std::nullopt;
  if (e_time + e_month + e_year != -1 || e_time > 0 || e_month > 0 || e_year > 0) {
    return std::nullopt;
  }
  if (e_length != 0 && e_length != -2) return std::nullopt;
  if (e_cell != 0 && e_cell != -1) return std::nullopt;
  if (e_length == -2 && e_cell == -1) return std::nullopt;
  u.molar = e_amount == 1;
  u.per_month = e_month == -1;
  u.per_year = e_year == -1;
  u.per_area = e_length == -2;
  return u;
}

std::string accepted_rate_units() {
  return "(mass or mol) per time, per cell or per m2, e.g. \"t/month\", \"t/yr\", \"kg/s\", "
         "\"g/s\", \"mol/s\" (with a molar mass), \"kg m-2 s-1\", \"Mg/yr/cell\"";
}

}  // namespace fwaq::emissions

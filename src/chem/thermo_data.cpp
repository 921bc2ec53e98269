// Data and small building blocks of the inorganic thermodynamics: equilibrium
// constants, deliquescence humidities, binary solution molalities (ZSR water) and
// Kusik-Meissner binary activity coefficients. References in thermo_detail.hpp and
// docs/science/thermodynamics.md.
#include <algorithm>
#include <array>
#include <cmath>

#include "chem/thermo_detail.hpp"

namespace fwaq::chem::thermo_detail {

namespace {

// Molality [mol kg-1] of the binary solutions at water activity aw = 0.01 k,
// k = 1 ... 100 (element k-1). Values of ISORROPIA II (Fountoukis & Nenes 2007), which
// fit them to the Aerosol Inorganics Model (Clegg et al. 1998); the first points of the
// salts are held at their aw = 0.10 value (solutions this concentrated are not
// measured), and aw = 1 carries a small molality so that the water stays finite.
constexpr std::array<std::array<double, 100>, kNumSalts> kBinaryMolality{{
    // (NH4)2SO4
    {187.72, 187.72, 187.72, 187.72, 187.72, 187.72, 187.72, 187.72, 187.72, 187.72, 158.13, 134.41,
     115.37, 100.10, 87.86,  78.00,  70.00,  63.45,  58.02,  53.46,  49.59,  46.26,  43.37,  40.84,
     38.59,  36.59,  34.79,  33.16,  31.67,  30.31,  29.07,  27.91,  26.84,  25.84,  24.91,  24.03,
     23.21,  22.44,  21.70,  21.01,  20.34,  19.71,  19.11,  18.54,  17.99,  17.46,  16.95,  16.46,
     15.99,  15.54,  15.10,  14.67,  14.26,  13.86,  13.47,  13.09,  12.72,  12.36,  12.01,  11.67,
     11.33,  11.00,  10.68,  10.37,  10.06,  9.75,   9.45,   9.15,   8.86,   8.57,   8.29,   8.01,
     7.73,   7.45,   7.18,   6.91,   6.64,   6.37,   6.10,   5.83,   5.56,   5.29,   5.02,   4.74,
     4.47,   4.19,   3.91,   3.63,   3.34,   3.05,   2.75,   2.45,   2.14,   1.83,   1.51,   1.19,
     0.87,   0.56,   0.26,   0.1},
    // NH4NO3
    {960.19, 960.19, 960.19, 960.19, 960.19, 960.19, 960.19, 960.19, 960.19, 960.19, 853.15, 763.85,
     688.20, 623.27, 566.92, 517.54, 473.91, 435.06, 400.26, 368.89, 340.48, 314.63, 291.01, 269.36,
     249.46, 231.11, 214.17, 198.50, 184.00, 170.58, 158.15, 146.66, 136.04, 126.25, 117.24, 108.97,
     101.39, 94.45,  88.11,  82.33,  77.06,  72.25,  67.85,  63.84,  60.16,  56.78,  53.68,  50.81,
     48.17,  45.71,  43.43,  41.31,  39.32,  37.46,  35.71,  34.06,  32.50,  31.03,  29.63,  28.30,
     27.03,  25.82,  24.67,  23.56,  22.49,  21.47,  20.48,  19.53,  18.61,  17.72,  16.86,  16.02,
     15.20,  14.41,  13.64,  12.89,  12.15,  11.43,  10.73,  10.05,  9.38,   8.73,   8.09,   7.47,
     6.86,   6.27,   5.70,   5.15,   4.61,   4.09,   3.60,   3.12,   2.66,   2.23,   1.81,   1.41,
     1.03,   0.67,   0.32,   0.1},
    // NH4HSO4
    {312.84, 312.84, 312.84, 312.84, 312.84, 312.84, 312.84, 312.84, 312.84, 312.84, 271.43, 237.19,
     208.52, 184.28, 163.64, 145.97, 130.79, 117.72, 106.42, 96.64,  88.16,  80.77,  74.33,  68.67,
     63.70,  59.30,  55.39,  51.89,  48.76,  45.93,  43.38,  41.05,  38.92,  36.97,  35.18,  33.52,
     31.98,  30.55,  29.22,  27.98,  26.81,  25.71,  24.67,  23.70,  22.77,  21.90,  21.06,  20.27,
     19.52,  18.80,  18.11,  17.45,  16.82,  16.21,  15.63,  15.07,  14.53,  14.01,  13.51,  13.02,
     12.56,  12.10,  11.66,  11.24,  10.82,  10.42,  10.04,  9.66,   9.29,   8.93,   8.58,   8.24,
     7.91,   7.58,   7.26,   6.95,   6.65,   6.35,   6.05,   5.76,   5.48,   5.20,   4.92,   4.64,
     4.37,   4.09,   3.82,   3.54,   3.27,   2.99,   2.70,   2.42,   2.12,   1.83,   1.52,   1.22,
     0.90,   0.59,   0.28,   0.1},
    // (NH4)3H(SO4)2
    {125.37, 125.37, 125.37, 125.37, 125.37, 125.37, 125.37, 125.37, 125.37, 125.37, 110.10, 97.50,
     86.98,  78.08,  70.49,  63.97,  58.33,  53.43,  49.14,  45.36,  42.03,  39.07,  36.44,  34.08,
     31.97,  30.06,  28.33,  26.76,  25.32,  24.01,  22.81,  21.70,  20.67,  19.71,  18.83,  18.00,
     17.23,  16.50,  15.82,  15.18,  14.58,  14.01,  13.46,  12.95,  12.46,  11.99,  11.55,  11.13,
     10.72,  10.33,  9.96,   9.60,   9.26,   8.93,   8.61,   8.30,   8.00,   7.72,   7.44,   7.17,
     6.91,   6.66,   6.42,   6.19,   5.96,   5.74,   5.52,   5.31,   5.11,   4.91,   4.71,   4.53,
     4.34,   4.16,   3.99,   3.81,   3.64,   3.48,   3.31,   3.15,   2.99,   2.84,   2.68,   2.53,
     2.37,   2.22,   2.06,   1.91,   1.75,   1.60,   1.44,   1.28,   1.12,   0.95,   0.79,   0.62,
     0.45,   0.29,   0.14,   0.1},
    // H2SO4
    {34.00, 33.56, 29.22, 26.55, 24.61, 23.11, 21.89, 20.87, 19.99, 18.45, 17.83, 17.26, 16.73,
     16.25, 15.80, 15.38, 14.98, 14.61, 14.26, 13.93, 13.61, 13.30, 13.01, 12.73, 12.47, 12.21,
     11.96, 11.72, 11.49, 11.26, 11.04, 10.83, 10.62, 10.42, 10.23, 10.03, 9.85,  9.67,  9.49,
     9.31,  9.14,  8.97,  8.81,  8.65,  8.49,  8.33,  8.18,  8.02,  7.87,  7.73,  7.58,  7.44,
     7.29,  7.15,  7.01,  6.88,  6.74,  6.61,  6.47,  6.34,  6.21,  6.07,  5.94,  5.81,  5.68,
     5.55,  5.43,  5.30,  5.17,  5.04,  4.91,  4.78,  4.65,  4.52,  4.39,  4.26,  4.13,  4.00,
     3.86,  3.73,  3.59,  3.45,  3.31,  3.17,  3.02,  2.87,  2.71,  2.56,  2.39,  2.22,  2.05,
     1.87,  1.68,  1.48,  1.27,  1.04,  0.80,  0.55,  0.28,  0.1},
}};

}  // namespace

double equilibrium_constant(const VantHoff& k, double temperature_K) {
  const double r = kT0 / temperature_K;
  return k.k0 * std::exp(k.a * (r - 1.0) + k.b * (1.0 + std::log(r) - r));
}

double binary_molality(Salt salt, double aw) {
  const auto& m = kBinaryMolality[static_cast<int>(salt)];
  const double x = std::clamp(aw, 0.01, 1.0) * 100.0;  // table position, 1 ... 100
  const int k = std::min(static_cast<int>(x), 99);     // lower point, 1 ... 99
  const double f = x - k;
  return m[k - 1] + f * (m[k] - m[k - 1]);
}

Deliquescence deliquescence(double temperature_K) {
  const double tcf = 1.0 / temperature_K - 1.0 / kT0;
  Deliquescence d;
  d.ammonium_sulfate = 0.7997 * std::exp(80.0 * tcf);
  d.ammonium_nitrate = std::min(0.6183 * std::exp(852.0 * tcf), d.ammonium_sulfate);
  d.ammonium_bisulfate = 0.40 * std::exp(384.0 * tcf);
  d.letovicite = 0.69 * std::exp(186.0 * tcf);
  // Mutual points cannot lie above the deliquescence of the salts they involve.
  d.mutual_as_an = std::min(0.60, d.ammonium_nitrate);
  d.mutual_lc_ab = std::min(0.378, d.ammonium_bisulfate);
  d.mutual_lc_as = std::min(0.69, d.letovicite);
  return d;
}

double kusik_meissner_log10(double q, double zz, double ionic_strength, double temperature_K) {
  const double i = std::max(ionic_strength, 0.0);
  const double s = std::sqrt(i);
  const double b = 0.75 - 0.065 * q;
  const double c = 1.0 + 0.055 * q * std::exp(-0.023 * i * i * i);
  const double log_gstar = -0.5107 * s / (1.0 + c * s);
  const double g = 1.0 + b * std::pow(1.0 + 0.1 * i, q) - b;
  const double lg298 = zz * (std::log10(g) + log_gstar);
  const double tc = temperature_K - 273.15;
  const double cf1 = 1.125 - 0.005 * tc;
  const double cf2 = (0.125 - 0.005 * tc) * (0.039 * std::pow(i, 0.92) - 0.41 * s / (1.0 + s));
  return cf1 * lg298 - cf2 * zz;
}

}  // namespace fwaq::chem::thermo_detail

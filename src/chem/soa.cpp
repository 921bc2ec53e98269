#include "chem/soa.hpp"

#include <algorithm>
#include <cmath>

namespace fwaq::chem {

double saturation_concentration(double cstar_298, double dhvap_kj_mol, double temperature_K) {
  constexpr double kR = 8.314462618e-3;  // [kJ mol-1 K-1]
  return cstar_298 * (298.0 / temperature_K) *
         std::exp(-dhvap_kj_mol / kR * (1.0 / temperature_K - 1.0 / 298.0));
}

SoaPartition partition_soa(const std::array<double, kSoaProducts>& total,
                           const std::array<double, kSoaProducts>& cstar, double m0) {
  SoaPartition p;
  m0 = std::max(m0, 0.0);
  double sum_a = 0.0, slope0 = 0.0;
  for (int i = 0; i < kSoaProducts; ++i) {
    sum_a += std::max(total[i], 0.0);
    slope0 += std::max(total[i], 0.0) / cstar[i];
  }
  double c = 0.0;
  if (m0 > 0.0 || slope0 > 1.0) {
    c = m0 + sum_a;  // upper bound: g(c) <= 0
    for (int it = 0; it < 100; ++it) {
      double g = m0 - c, dg = -1.0;
      for (int i = 0; i < kSoaProducts; ++i) {
        const double a = std::max(total[i], 0.0), d = c + cstar[i];
        g += a * c / d;
        dg += a * cstar[i] / (d * d);
      }
      // g is concave and g(c) <= 0 right of the root, where dg < 0: the Newton
      // step moves left and never passes the root.
      if (!(dg < 0.0)) break;
      const double step = g / dg;
      const double next = c - step;
      if (!(next < c) || c - next <= 1e-12 * c) {
        c = std::min(c, std::max(next, 0.0));
        break;
      }
      c = std::max(next, 0.0);
    }
  }
  p.coa = c;
  for (int i = 0; i < kSoaProducts; ++i) {
    const double xi = c > 0.0 ? c / (c + cstar[i]) : 0.0;
    p.particle_fraction[i] = xi;
    p.soa += xi * std::max(total[i], 0.0);
  }
  return p;
}

}  // namespace fwaq::chem

#pragma once
// Secondary organic aerosol by two-product yields and absorptive partitioning
// (docs/science/chemistry.md, "Secondary organic aerosol"). VOC + oxidant → α1 SV1 +
// α2 SV2 with stoichiometric mass yields α (Odum et al. 1996, ES&T 30, 2580); SV1 and
// SV2 are semi-volatile products with saturation concentrations C*(298 K) of 1 and
// 100 µg m-3 (a two-bin volatility basis, Donahue et al. 2006, ES&T 40, 2635). The
// particle fraction of each follows absorptive partitioning into the organic
// aerosol (Pankow 1994, Atmos. Environ. 28, 185):
//   ξ_i = 1 / (1 + C*_i(T) / C_OA),   C_OA = M0 + Σ_i ξ_i A_i,
// with M0 the absorbing primary organic mass (POA × OM/OC) and A_i the total (gas +
// particle) of product i; C*(T) by Clausius–Clapeyron.
#include <array>

namespace fwaq::chem {

inline constexpr int kSoaProducts = 2;

/// C*(T) = C*(298) (298/T) exp(−ΔH/R (1/T − 1/298)) [µg m-3] (ΔH [kJ mol-1]).
double saturation_concentration(double cstar_298, double dhvap_kj_mol, double temperature_K);

struct SoaPartition {
  double coa = 0.0;                                      ///< total absorbing organic mass [µg m-3]
  std::array<double, kSoaProducts> particle_fraction{};  ///< ξ_i [1]
  double soa = 0.0;                                      ///< Σ ξ_i A_i [µg m-3]
};

/// The partitioning of totals `total` [µg m-3] (>= 0) with saturation
/// concentrations `cstar` [µg m-3] (> 0) into an organic phase that contains
/// `m0` [µg m-3] (>= 0) of absorbing primary organic mass. Solves
/// g(C) = M0 + Σ A_i C / (C + C*_i) − C = 0 by Newton's method from C = M0 + Σ A_i
/// (g is concave, so the iterates decrease monotonically to the root) to 1e-12
/// relative. With M0 = 0 and Σ A_i / C*_i <= 1 the only root is C = 0 (all gas).
SoaPartition partition_soa(const std::array<double, kSoaProducts>& total,
                           const std::array<double, kSoaProducts>& cstar, double m0);

}  // namespace fwaq::chem

#pragma once
// The reduced gas-phase + aerosol mechanism integrated in every cell
// (docs/science/chemistry.md, "Mechanism"): species, rate constants with their
// sources, the right-hand side, its analytic Jacobian and the atom-conserving
// positivity projection, in the block form that rosenbrock_solve() expects.
//
// Two parts, integrated over the same step without splitting error because they do
// not interact: (1) the coupled NOx-O3-NO3-N2O5-alkene system (with SO2 and H2O2 in
// cells with cloud or fog water, where aqueous S(IV) oxidation couples them to O3)
// and its products, by the Rosenbrock solver; (2) first-order losses by the
// prescribed OH (CO, ALK, ARO1, ARO2 and their SOA products; SO2 and H2O2 in cells
// without liquid water), integrated exactly (advance_first_order()).
//
// Units inside the solver: mole fractions in ppb (nmol mol-1) for the gases and the
// produced HNO3 and sulfate; SV1, SV2 in µg kg-1 (mass mixing ratio, as transported).
// A tracer of mass mixing ratio q [µg kg-1] and molar mass M_i [g mol-1] has the
// mole fraction x = q M_air / M_i [ppb] (M_air = 28.9647 g mol-1; the model's
// "kg of air" is taken as air of that molar mass), and back q = x M_i / M_air.
// Bimolecular rate constants k [cm3 molecule-1 s-1] become k × [M] × 1e-9
// [ppb-1 s-1], with [M] = ρ N_A / M_air the air number density [molecule cm-3].
#include <array>
#include <string_view>

#include "chem/rosenbrock.hpp"

namespace fwaq::chem {

/// The cell's chemical unknowns (the operator's state vector).
enum Species : int {
  kSpNO = 0,
  kSpNO2,
  kSpO3,
  kSpNO3,
  kSpN2O5,
  kSpOLE,
  kSpSO2,
  kSpH2O2,
  kSpCO,
  kSpALK,
  kSpARO1,
  kSpARO2,
  kSpHNO3Day,    ///< HNO3 from NO2 + OH [ppb]
  kSpHNO3Night,  ///< HNO3 from N2O5 hydrolysis and NO3 + OLE [ppb]
  kSpSulfGas,    ///< sulfate from SO2 + OH [ppb]
  kSpSulfAq,     ///< sulfate from S(IV) + H2O2 and + O3 in cloud/fog water [ppb]
  kSpSulfHet,    ///< sulfate from SO2 uptake on wet aerosol [ppb]
  kSpSV1,        ///< low-volatility organic product [µg kg-1]
  kSpSV2,        ///< higher-volatility organic product [µg kg-1]
  kNumSpecies
};

std::string_view species_name(int s);
/// Molar mass [g mol-1] of each ppb unknown (0 for SV1, SV2, which are in µg kg-1).
double species_molar_mass(int s);

/// The VOC lumps with SOA yields, in this order.
enum VocLump : int { kVocAlk = 0, kVocOle, kVocAro1, kVocAro2, kNumVoc };

/// The reaction table (docs/science/chemistry.md, "Reactions").
namespace mech {

/// rate = k y[a] (× y[b] if b >= 0); net change of up to three species; `voc` >= 0:
/// the VOC lump lost yields SV1 and SV2.
struct Term {
  int s;
  double nu;
};
struct Reaction {
  int a, b;
  std::array<Term, 3> net;
  int nnet;
  int voc;
};

inline constexpr int kNumReactions = 23;
/// The order is that of the rate coefficients of CellSystem.
inline constexpr std::array<Reaction, kNumReactions> kReactions{{
    // 0  NO + O3 → NO2
    {kSpNO, kSpO3, {{{kSpNO, -1}, {kSpO3, -1}, {kSpNO2, 1}}}, 3, -1},
    // 1  NO2 + hν (+O2) → NO + O3
    {kSpNO2, -1, {{{kSpNO2, -1}, {kSpNO, 1}, {kSpO3, 1}}}, 3, -1},
    // 2  NO2 + OH (+M) → HNO3
    {kSpNO2, -1, {{{kSpNO2, -1}, {kSpHNO3Day, 1}, {0, 0}}}, 2, -1},
    // 3  NO2 + O3 → NO3 + O2
    {kSpNO2, kSpO3, {{{kSpNO2, -1}, {kSpO3, -1}, {kSpNO3, 1}}}, 3, -1},
    // 4  NO2 + NO3 (+M) → N2O5
    {kSpNO2, kSpNO3, {{{kSpNO2, -1}, {kSpNO3, -1}, {kSpN2O5, 1}}}, 3, -1},
    // 5  N2O5 (+M) → NO2 + NO3
    {kSpN2O5, -1, {{{kSpN2O5, -1}, {kSpNO2, 1}, {kSpNO3, 1}}}, 3, -1},
    // 6  NO3 + NO → 2 NO2
    {kSpNO3, kSpNO, {{{kSpNO3, -1}, {kSpNO, -1}, {kSpNO2, 2}}}, 3, -1},
    // 7  NO3 + hν (+O2) → NO2 + O3
    {kSpNO3, -1, {{{kSpNO3, -1}, {kSpNO2, 1}, {kSpO3, 1}}}, 3, -1},
    // 8  NO3 + hν → NO + O2
    {kSpNO3, -1, {{{kSpNO3, -1}, {kSpNO, 1}, {0, 0}}}, 2, -1},
    // 9  N2O5 + aerosol (H2O) → 2 HNO3
    {kSpN2O5, -1, {{{kSpN2O5, -1}, {kSpHNO3Night, 2}, {0, 0}}}, 2, -1},
    // 10 NO3 + OLE → organic nitrate (counted as HNO3) + SV
    {kSpNO3, kSpOLE, {{{kSpNO3, -1}, {kSpOLE, -1}, {kSpHNO3Night, 1}}}, 3, kVocOle},
    // 11 SO2 + OH (+M) → HOSO2 → H2SO4
    {kSpSO2, -1, {{{kSpSO2, -1}, {kSpSulfGas, 1}, {0, 0}}}, 2, -1},
    // 12 S(IV) + H2O2 (aq) → S(VI)
    {kSpSO2, kSpH2O2, {{{kSpSO2, -1}, {kSpH2O2, -1}, {kSpSulfAq, 1}}}, 3, -1},
    // 13 S(IV) + O3 (aq) → S(VI)
    {kSpSO2, kSpO3, {{{kSpSO2, -1}, {kSpO3, -1}, {kSpSulfAq, 1}}}, 3, -1},
    // 14 SO2 + wet aerosol → sulfate
    {kSpSO2, -1, {{{kSpSO2, -1}, {kSpSulfHet, 1}, {0, 0}}}, 2, -1},
    // 15 OLE + OH → SV
    {kSpOLE, -1, {{{kSpOLE, -1}, {0, 0}, {0, 0}}}, 1, kVocOle},
    // 16 OLE + O3 → SV
    {kSpOLE, kSpO3, {{{kSpOLE, -1}, {kSpO3, -1}, {0, 0}}}, 2, kVocOle},
    // 17 CO + OH → CO2
    {kSpCO, -1, {{{kSpCO, -1}, {0, 0}, {0, 0}}}, 1, -1},
    // 18 ALK + OH → SV
    {kSpALK, -1, {{{kSpALK, -1}, {0, 0}, {0, 0}}}, 1, kVocAlk},
    // 19 ARO1 + OH → SV
    {kSpARO1, -1, {{{kSpARO1, -1}, {0, 0}, {0, 0}}}, 1, kVocAro1},
    // 20 ARO2 + OH → SV
    {kSpARO2, -1, {{{kSpARO2, -1}, {0, 0}, {0, 0}}}, 1, kVocAro2},
    // 21 O3 relaxation (loss part)
    {kSpO3, -1, {{{kSpO3, -1}, {0, 0}, {0, 0}}}, 1, -1},
    // 22 H2O2 relaxation (loss part)
    {kSpH2O2, -1, {{{kSpH2O2, -1}, {0, 0}, {0, 0}}}, 1, -1},
}};

/// The Rosenbrock system's unknowns, in block order (core | products): wet cells
/// (cloud or fog water) couple SO2 and H2O2 to O3; dry cells leave them to the
/// exact first-order part.
template <bool Wet>
struct Layout {
  static constexpr int kCore = Wet ? 8 : 6;
  static constexpr int kProd = Wet ? 7 : 4;
  static constexpr int kSize = kCore + kProd;
  static constexpr std::array<int, kSize> global() {
    if constexpr (Wet) {
      return {kSpNO,      kSpNO2,       kSpO3,      kSpNO3,    kSpN2O5,    kSpOLE, kSpSO2, kSpH2O2,
              kSpHNO3Day, kSpHNO3Night, kSpSulfGas, kSpSulfAq, kSpSulfHet, kSpSV1, kSpSV2};
    } else {
      return {kSpNO,  kSpNO2,     kSpO3,        kSpNO3, kSpN2O5,
              kSpOLE, kSpHNO3Day, kSpHNO3Night, kSpSV1, kSpSV2};
    }
  }
  /// Global species of each local unknown.
  static constexpr std::array<int, kSize> kGlobal = global();
  static constexpr std::array<int, kNumSpecies> local() {
    std::array<int, kNumSpecies> l{};
    l.fill(-1);
    for (int i = 0; i < kSize; ++i) l[kGlobal[i]] = i;
    return l;
  }
  /// Local index of each global species (-1: not in the system).
  static constexpr std::array<int, kNumSpecies> kLocal = local();
};

/// A reaction belongs to the Rosenbrock system if its reactants do.
template <bool Wet>
constexpr bool active(int r) {
  const Reaction& rx = kReactions[r];
  return Layout<Wet>::kLocal[rx.a] >= 0 && (rx.b < 0 || Layout<Wet>::kLocal[rx.b] >= 0);
}

// The product block of the Jacobian, entry by entry: for each active reaction, each
// net term on a product (∂/∂y_a, then ∂/∂y_b), then its SV1 and SV2 yields (same).
template <bool Wet>
constexpr bool is_product(int global) {
  return Layout<Wet>::kLocal[global] >= Layout<Wet>::kCore;
}
template <bool Wet>
constexpr int term_entries(const Reaction& rx) {
  int n = 0;
  for (int q = 0; q < rx.nnet; ++q) {
    if (is_product<Wet>(rx.net[q].s)) n += rx.b >= 0 ? 2 : 1;
  }
  return n;
}
template <bool Wet>
constexpr int prod_entries(const Reaction& rx) {
  return term_entries<Wet>(rx) + (rx.voc >= 0 ? 2 * (rx.b >= 0 ? 2 : 1) : 0);
}
/// Index of the first product entry of reaction r.
template <bool Wet>
constexpr int prod_base(int r) {
  int n = 0;
  for (int i = 0; i < r; ++i) n += active<Wet>(i) ? prod_entries<Wet>(kReactions[i]) : 0;
  return n;
}
/// Index within its reaction of the entry of term q (is_b: ∂/∂y_b).
template <bool Wet>
constexpr int term_slot(const Reaction& rx, int q, int is_b) {
  int n = 0;
  for (int i = 0; i < q; ++i) {
    if (is_product<Wet>(rx.net[i].s)) n += rx.b >= 0 ? 2 : 1;
  }
  return n + is_b;
}
/// Index within its reaction of the entry of yield p (0: SV1, 1: SV2).
template <bool Wet>
constexpr int voc_slot(const Reaction& rx, int p, int is_b) {
  return term_entries<Wet>(rx) + p * (rx.b >= 0 ? 2 : 1) + is_b;
}
template <bool Wet>
inline constexpr int kProdNnz = prod_base<Wet>(kNumReactions);
template <bool Wet>
constexpr std::array<SparseEntry, kProdNnz<Wet>> make_prod_pattern() {
  using L = Layout<Wet>;
  std::array<SparseEntry, kProdNnz<Wet>> p{};
  int e = 0;
  for (int r = 0; r < kNumReactions; ++r) {
    if (!active<Wet>(r)) continue;
    const Reaction& rx = kReactions[r];
    for (int q = 0; q < rx.nnet; ++q) {
      if (!is_product<Wet>(rx.net[q].s)) continue;
      const int row = L::kLocal[rx.net[q].s] - L::kCore;
      p[e++] = {row, L::kLocal[rx.a]};
      if (rx.b >= 0) p[e++] = {row, L::kLocal[rx.b]};
    }
    if (rx.voc >= 0) {
      for (int sv = 0; sv < 2; ++sv) {
        const int row = L::kLocal[kSpSV1 + sv] - L::kCore;
        p[e++] = {row, L::kLocal[rx.a]};
        if (rx.b >= 0) p[e++] = {row, L::kLocal[rx.b]};
      }
    }
  }
  return p;
}

}  // namespace mech

/// Everything the rate constants depend on in one cell.
struct CellConditions {
  double temperature_K = 280.0;
  double pressure_Pa = 1e5;
  double air_number_density = 2.5e19;  ///< [M] [molecule cm-3]
  double oh = 0.0;                     ///< [molecule cm-3], mean over the step
  double j_no2 = 0.0;                  ///< [s-1], mean over the step
  double j_no3_no2 = 0.0;              ///< NO3 + hν → NO2 + O [s-1]
  double j_no3_no = 0.0;               ///< NO3 + hν → NO + O2 [s-1]
  double k_n2o5_het = 0.0;             ///< N2O5 uptake on aerosol [s-1]
  double k_so2_het = 0.0;              ///< SO2 uptake on aerosol [s-1]
  double lwc_vol = 0.0;                ///< cloud/fog liquid water [m3 water per m3 air]
  double cloud_ph = 5.0;               ///< pH of the cloud/fog water [1]
  double o3_clim_ppb = 30.0;           ///< O3 the cell relaxes to [ppb]
  double h2o2_clim_ppb = 0.3;          ///< H2O2 the cell relaxes to [ppb]
  double relax_rate = 0.0;             ///< 1 / relaxation time [s-1]
  /// Mass yields α of SV1 (row 0) and SV2 (row 1) per VOC lump [1].
  std::array<std::array<double, kNumVoc>, 2> yields{};
};

/// Rate coefficients in solver units (first order [s-1], second order [ppb-1 s-1]).
struct RateConstants {
  double k_no_o3 = 0;             ///< NO + O3 → NO2
  double j_no2 = 0;               ///< NO2 + hν → NO + O3
  double k_no2_oh = 0;            ///< NO2 + OH (+M) → HNO3, × [OH] [s-1]
  double k_no2_o3 = 0;            ///< NO2 + O3 → NO3
  double k_no2_no3 = 0;           ///< NO2 + NO3 (+M) → N2O5
  double k_n2o5 = 0;              ///< N2O5 (+M) → NO2 + NO3 [s-1]
  double k_no3_no = 0;            ///< NO3 + NO → 2 NO2
  double j_no3_no2 = 0;           ///< NO3 + hν → NO2 + O3
  double j_no3_no = 0;            ///< NO3 + hν → NO
  double k_n2o5_het = 0;          ///< N2O5 + aerosol → 2 HNO3 [s-1]
  double k_no3_ole = 0;           ///< NO3 + OLE → (organic) nitrate, counted as HNO3
  double k_so2_oh = 0;            ///< SO2 + OH (+M) → H2SO4, × [OH] [s-1]
  double k_so2_h2o2 = 0;          ///< S(IV) + H2O2 (aq) → sulfate
  double k_so2_o3 = 0;            ///< S(IV) + O3 (aq) → sulfate
  double k_so2_het = 0;           ///< SO2 + wet aerosol → sulfate [s-1]
  double k_ole_oh = 0;            ///< OLE + OH, × [OH] [s-1]
  double k_ole_o3 = 0;            ///< OLE + O3
  double k_co_oh = 0;             ///< CO + OH, × [OH] [s-1]
  double k_alk_oh = 0;            ///< ALK + OH, × [OH] [s-1]
  double k_aro1_oh = 0;           ///< ARO1 + OH, × [OH] [s-1]
  double k_aro2_oh = 0;           ///< ARO2 + OH, × [OH] [s-1]
  double p_o3 = 0, l_o3 = 0;      ///< O3 relaxation: + p − l [O3] ([ppb s-1], [s-1])
  double p_h2o2 = 0, l_h2o2 = 0;  ///< H2O2 relaxation
  /// SV production per ppb of VOC lost [µg kg-1 ppb-1] = α M_VOC / M_air.
  std::array<std::array<double, kNumVoc>, 2> sv_per_ppb{};
};

/// Rate coefficients for one cell. Thermal rate constants: JPL 19-5 (Burkholder et
/// al. 2019) and IUPAC; aqueous S(IV) oxidation: Seinfeld & Pandis (2016) ch. 7;
/// every constant and its source is listed in the implementation and in
/// docs/science/chemistry.md.
RateConstants rate_constants(const CellConditions& c);

/// JPL termolecular rate constant [cm3 molecule-1 s-1]: k0(T) = k0_300 (T/300)^-n,
/// kinf(T) = kinf_300 (T/300)^-m, Fc = 0.6.
double jpl_termolecular(double k0_300, double n, double kinf_300, double m, double temperature_K,
                        double air_number_density);

/// The Rosenbrock part of one cell for rosenbrock_solve(), on the local unknowns of
/// Layout<Wet>. Wet: with cloud or fog water (aqueous S(IV) oxidation couples SO2,
/// H2O2 and O3: core of 8, 7 products); dry: without (core of 6, 4 products; the
/// aqueous rates must be 0).
template <bool Wet>
class CellSystemT {
 public:
  using Layout = mech::Layout<Wet>;
  static constexpr int kCore = Layout::kCore, kDiag = 0, kProd = Layout::kProd;
  static constexpr int kSize = Layout::kSize;
  static constexpr int kProdNnz = mech::kProdNnz<Wet>;
  static constexpr std::array<SparseEntry, kProdNnz> kProdPattern = mech::make_prod_pattern<Wet>();
  using CoreMatrix = Eigen::Matrix<double, kCore, kCore>;

  /// Dry: throws std::invalid_argument if an aqueous rate is not 0.
  explicit CellSystemT(const RateConstants& k);
  void rhs(const double* y, double* f) const;
  void jacobian(const double* y, CoreMatrix& jcc, double* jdiag, double* jprod) const;
  /// Sets negative values to zero. A negative member of the nitrogen family
  /// (NO, NO2, NO3, 2 N2O5, HNO3 day, HNO3 night) or, wet, the sulfur family (SO2
  /// and the sulfate products) takes its deficit proportionally from the positive
  /// members, so the atom totals stay the same; other species are clipped.
  void project(double* y) const;

  /// Local unknowns from the cell's state vector (kNumSpecies) and back.
  static void gather(const double* global, double* local) {
    for (int i = 0; i < kSize; ++i) local[i] = global[Layout::kGlobal[i]];
  }
  static void scatter(const double* local, double* global) {
    for (int i = 0; i < kSize; ++i) global[Layout::kGlobal[i]] = local[i];
  }
  /// Nitrogen and sulfur atoms in a local vector [ppb].
  static double nitrogen(const double* y);
  static double sulfur(const double* y);

  const RateConstants& rates() const { return k_; }

 private:
  RateConstants k_;
  std::array<double, mech::kNumReactions> kv_;  ///< rate coefficients in table order
};
using CellSystem = CellSystemT<true>;
using DryCellSystem = CellSystemT<false>;
extern template class CellSystemT<true>;
extern template class CellSystemT<false>;

/// The exact part: advances the cell's state vector `y` (kNumSpecies) by dt_s [s]
/// under the first-order losses to the prescribed OH: CO, ALK, ARO1, ARO2 (with their
/// SV1, SV2 yields), and, when `wet` is false, SO2 (OH and aerosol uptake, into the
/// gas-phase and heterogeneous sulfate) and the H2O2 relaxation. x(t) = x0 e^(−k t);
/// the amount lost goes to the products, so sulfur is kept to round-off.
void advance_first_order(const RateConstants& k, double dt_s, bool wet, double* y);

/// The projection of CellSystemT::project on a whole state vector (kNumSpecies):
/// nitrogen and sulfur deficits moved to their partners, other species clipped at 0.
void project_state(double* y);

/// Nitrogen and sulfur in a state vector (kNumSpecies) [ppb of atoms].
double nitrogen_ppb(const double* y);
double sulfur_ppb(const double* y);

}  // namespace fwaq::chem

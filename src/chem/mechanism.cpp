#include "chem/mechanism.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <utility>

#include "chem/tracers.hpp"

namespace fwaq::chem {

namespace {

using mech::kNumReactions;
using mech::kReactions;
using mech::Reaction;

static_assert(mech::kProdNnz<true> == 20 && mech::kProdNnz<false> == 14,
              "product entries of the reaction table");

constexpr double kAvogadro = 6.02214076e23;  // [mol-1]
constexpr double kRatm = 0.0820574;          // [L atm mol-1 K-1]
constexpr double kPaPerAtm = 101325.0;       // [Pa atm-1]

std::array<double, mech::kNumReactions> k_values(const RateConstants& k) {
  return {k.k_no_o3,    k.j_no2,     k.k_no2_oh,  k.k_no2_o3,   k.k_no2_no3, k.k_n2o5,
          k.k_no3_no,   k.j_no3_no2, k.j_no3_no,  k.k_n2o5_het, k.k_no3_ole, k.k_so2_oh,
          k.k_so2_h2o2, k.k_so2_o3,  k.k_so2_het, k.k_ole_oh,   k.k_ole_o3,  k.k_co_oh,
          k.k_alk_oh,   k.k_aro1_oh, k.k_aro2_oh, k.l_o3,       k.l_h2o2};
}

/// Members (global species) and atom counts of a conserved family.
struct Family {
  std::array<int, 6> s;
  std::array<double, 6> w;
  int n;
};
constexpr Family kNitrogen{
    {kSpNO, kSpNO2, kSpNO3, kSpN2O5, kSpHNO3Day, kSpHNO3Night}, {1, 1, 1, 2, 1, 1}, 6};
constexpr Family kSulfur{{kSpSO2, kSpSulfGas, kSpSulfAq, kSpSulfHet, 0, 0}, {1, 1, 1, 1, 0, 0}, 4};

/// Moves the deficit of negative members to the positive ones in proportion (atom
/// total kept); `index` maps a global species to its position in y (-1: absent).
template <class Index>
void fix_family(const Family& fam, const Index& index, double* y) {
  double deficit = 0.0, positive = 0.0;
  for (int m = 0; m < fam.n; ++m) {
    const int i = index(fam.s[m]);
    if (i < 0) continue;
    const double v = y[i];
    if (v < 0.0) {
      deficit -= fam.w[m] * v;
    } else {
      positive += fam.w[m] * v;
    }
  }
  if (deficit == 0.0) return;
  const double scale = positive > deficit ? 1.0 - deficit / positive : 0.0;
  for (int m = 0; m < fam.n; ++m) {
    const int i = index(fam.s[m]);
    if (i < 0) continue;
    y[i] = y[i] < 0.0 ? 0.0 : y[i] * scale;
  }
}

template <class Index>
double family_total(const Family& fam, const Index& index, const double* y) {
  double t = 0.0;
  for (int m = 0; m < fam.n; ++m) {
    const int i = index(fam.s[m]);
    if (i >= 0) t += fam.w[m] * y[i];
  }
  return t;
}

int global_index(int s) {
  return s;
}

double arrhenius(double a, double e_over_r, double inv_t) {
  return a * std::exp(-e_over_r * inv_t);
}

// Van 't Hoff / Arrhenius temperature factor exp(c (1/T − 1/298)).
double vant_hoff(double c, double inv_t) {
  return std::exp(c * (inv_t - 1.0 / 298.0));
}

}  // namespace

std::string_view species_name(int s) {
  static constexpr std::array<std::string_view, kNumSpecies> names{
      "NO",       "NO2",     "O3",       "NO3",  "N2O5", "SO2",       "H2O2",
      "OLE",      "CO",      "ALK",      "ARO1", "ARO2", "HNO3(day)", "HNO3(night)",
      "SO4(gas)", "SO4(aq)", "SO4(het)", "SV1",  "SV2"};
  return (s >= 0 && s < kNumSpecies) ? names[s] : "?";
}

double species_molar_mass(int s) {
  switch (s) {
    case kSpNO:
      return kMolarNO;
    case kSpNO2:
      return kMolarNO2;
    case kSpO3:
      return kMolarO3;
    case kSpNO3:
      return kMolarNO3;
    case kSpN2O5:
      return kMolarN2O5;
    case kSpSO2:
      return kMolarSO2;
    case kSpH2O2:
      return kMolarH2O2;
    case kSpOLE:
      return kTracerInfo[idx(Tracer::kVocOle)].molar_mass;
    case kSpCO:
      return kMolarCO;
    case kSpALK:
      return kTracerInfo[idx(Tracer::kVocAlk)].molar_mass;
    case kSpARO1:
      return kTracerInfo[idx(Tracer::kVocAro1)].molar_mass;
    case kSpARO2:
      return kTracerInfo[idx(Tracer::kVocAro2)].molar_mass;
    case kSpHNO3Day:
    case kSpHNO3Night:
      return kMolarHNO3;
    case kSpSulfGas:
    case kSpSulfAq:
    case kSpSulfHet:
      return kMolarSO4;
    default:
      return 0.0;
  }
}

namespace {
// JPL form with ln(T/300) given: k0 M / (1 + k0 M / k∞) × 0.6^(1 / (1 + log10²(k0 M / k∞))).
double jpl_ln(double k0_300, double n, double kinf_300, double m, double ln_tr, double air) {
  const double k0m = k0_300 * std::exp(-n * ln_tr) * air;
  const double kinf = kinf_300 * std::exp(-m * ln_tr);
  const double ratio = k0m / kinf;
  const double lg = std::log(ratio) * (1.0 / std::numbers::ln10);
  return k0m / (1.0 + ratio) * std::exp(std::log(0.6) / (1.0 + lg * lg));
}
}  // namespace

double jpl_termolecular(double k0_300, double n, double kinf_300, double m, double temperature_K,
                        double air_number_density) {
  return jpl_ln(k0_300, n, kinf_300, m, std::log(temperature_K / 300.0), air_number_density);
}

RateConstants rate_constants(const CellConditions& c) {
  RateConstants k;
  const double t = c.temperature_K, m = c.air_number_density, inv_t = 1.0 / t;
  const double ln_tr = std::log(t / 300.0);
  const double ppb = m * 1e-9;  // [cm3 molecule-1 s-1] → [ppb-1 s-1]
  const double oh = c.oh;

  // NOx - O3 (JPL 19-5, Burkholder et al. 2019: bimolecular and termolecular tables).
  k.k_no_o3 = arrhenius(3.0e-12, 1500.0, inv_t) * ppb;
  k.j_no2 = c.j_no2;
  k.k_no2_oh = jpl_ln(1.8e-30, 3.0, 2.8e-11, 0.0, ln_tr, m) * oh;
  k.k_no2_o3 = arrhenius(1.2e-13, 2450.0, inv_t) * ppb;
  const double k_no2_no3 = jpl_ln(2.4e-30, 3.0, 1.6e-12, -0.1, ln_tr, m);
  k.k_no2_no3 = k_no2_no3 * ppb;
  // N2O5 ⇌ NO2 + NO3: K_eq = 5.8e-27 exp(10840/T) cm3 molecule-1 (JPL 19-5, equilibrium constants).
  k.k_n2o5 = k_no2_no3 / (5.8e-27 * std::exp(10840.0 * inv_t));
  k.k_no3_no = arrhenius(1.5e-11, -170.0, inv_t) * ppb;
  k.j_no3_no2 = c.j_no3_no2;
  k.j_no3_no = c.j_no3_no;
  k.k_n2o5_het = c.k_n2o5_het;

  // VOC (representative compounds; IUPAC evaluation and Atkinson & Arey 2003).
  // OLE as propene: OH k∞ 4.85e-12 exp(504/T); O3 5.5e-15 exp(-1880/T); NO3
  // 4.6e-13 exp(-1155/T) (IUPAC).
  k.k_ole_oh = arrhenius(4.85e-12, -504.0, inv_t) * oh;
  k.k_ole_o3 = arrhenius(5.5e-15, 1880.0, inv_t) * ppb;
  k.k_no3_ole = arrhenius(4.6e-13, 1155.0, inv_t) * ppb;
  // ALK as n-pentane: 2.52e-17 T² exp(158/T) (Atkinson 2003, ACP 3, 2233).
  k.k_alk_oh = 2.52e-17 * t * t * std::exp(158.0 * inv_t) * oh;
  // ARO1 as toluene: 1.8e-12 exp(340/T) (IUPAC); ARO2 as m-xylene: 2.31e-11
  // (Atkinson & Arey 2003, Chem. Rev. 103, 4605).
  k.k_aro1_oh = arrhenius(1.8e-12, -340.0, inv_t) * oh;
  k.k_aro2_oh = 2.31e-11 * oh;
  // CO + OH: 1.44e-13 (1 + [N2]/4.2e19) (IUPAC).
  k.k_co_oh = 1.44e-13 * (1.0 + 0.781 * m / 4.2e19) * oh;

  // Sulfur. Gas phase: SO2 + OH + M, JPL 19-5: k0 = 2.9e-31 (T/300)^-4.1,
  // k∞ = 1.7e-12 (T/300)^0.2.
  k.k_so2_oh = jpl_ln(2.9e-31, 4.1, 1.7e-12, -0.2, ln_tr, m) * oh;
  k.k_so2_het = c.k_so2_het;
  if (c.lwc_vol > 0.0) {
    // Aqueous S(IV) oxidation in cloud/fog water (Seinfeld & Pandis 2016, ch. 7:
    // Henry's law and dissociation constants and the S(IV) kinetics of Hoffmann
    // & Calvert 1985 as given there). Constants at 298 K with van 't Hoff factors.
    const double h = std::pow(10.0, -c.cloud_ph);              // [H+] [M]
    const double h_so2 = 1.23 * vant_hoff(3135.0, inv_t);      // [M atm-1]
    const double ks1 = 1.3e-2 * vant_hoff(2090.0, inv_t);      // [M]
    const double ks2 = 6.6e-8 * vant_hoff(1120.0, inv_t);      // [M]
    const double h_h2o2 = 7.45e4 * vant_hoff(7300.0, inv_t);   // [M atm-1]
    const double h_o3 = 1.13e-2 * vant_hoff(2540.0, inv_t);    // [M atm-1]
    const double k_h2o2 = 7.45e7 * vant_hoff(-4430.0, inv_t);  // [M-2 s-1]
    const double k0 = 2.4e4;                                   // [M-1 s-1]
    const double k1 = 3.7e5 * vant_hoff(-5530.0, inv_t);       // [M-1 s-1]
    const double k2 = 1.5e9 * vant_hoff(-5280.0, inv_t);       // [M-1 s-1]
    const double hstar_so2 = h_so2 * (1.0 + ks1 / h + ks1 * ks2 / (h * h));
    // The tracked amounts are gas + dissolved; the gas fraction 1 / (1 + H* R T L).
    const double rtl = kRatm * t * c.lwc_vol;
    const double f_so2 = 1.0 / (1.0 + hstar_so2 * rtl);
    const double f_h2o2 = 1.0 / (1.0 + h_h2o2 * rtl);
    const double f_o3 = 1.0 / (1.0 + h_o3 * rtl);
    // Partial pressure per ppb [atm]; aqueous rate [M s-1] → air [ppb s-1]:
    // × 1000 L m-3 × L / n_air [mol m-3] × 1e9.
    const double atm_per_ppb = 1e-9 * c.pressure_Pa / kPaPerAtm;
    const double n_air = m * 1e6 / kAvogadro;
    const double to_ppb = 1000.0 * c.lwc_vol / n_air * 1e9 * atm_per_ppb * atm_per_ppb;
    // H2O2: R = k [H+][H2O2][HSO3-] / (1 + 13 [H+]), [HSO3-] = Ks1 H_SO2 p / [H+].
    k.k_so2_h2o2 = k_h2o2 * h_so2 * ks1 * h_h2o2 / (1.0 + 13.0 * h) * to_ppb * f_so2 * f_h2o2;
    // O3: R = (k0 [SO2·H2O] + k1 [HSO3-] + k2 [SO3=]) [O3(aq)].
    k.k_so2_o3 =
        h_so2 * (k0 + k1 * ks1 / h + k2 * ks1 * ks2 / (h * h)) * h_o3 * to_ppb * f_so2 * f_o3;
  }

  // Relaxation toward the climatology.
  k.l_o3 = c.relax_rate;
  k.p_o3 = c.relax_rate * c.o3_clim_ppb;
  k.l_h2o2 = c.relax_rate;
  k.p_h2o2 = c.relax_rate * c.h2o2_clim_ppb;

  // SV per ppb of VOC lost.
  const std::array<double, kNumVoc> mvoc{
      kTracerInfo[idx(Tracer::kVocAlk)].molar_mass, kTracerInfo[idx(Tracer::kVocOle)].molar_mass,
      kTracerInfo[idx(Tracer::kVocAro1)].molar_mass, kTracerInfo[idx(Tracer::kVocAro2)].molar_mass};
  for (int p = 0; p < 2; ++p) {
    for (int v = 0; v < kNumVoc; ++v) k.sv_per_ppb[p][v] = c.yields[p][v] * mvoc[v] / kMolarAir;
  }
  return k;
}

template <bool Wet>
CellSystemT<Wet>::CellSystemT(const RateConstants& k) : k_(k), kv_(k_values(k)) {
  if (!Wet && (k.k_so2_h2o2 != 0.0 || k.k_so2_o3 != 0.0)) {
    throw std::invalid_argument("DryCellSystem: aqueous rates must be 0");
  }
}

// The right-hand side and the Jacobian are expanded at compile time over the
// reaction table (fold expressions over the reaction index): straight-line code
// with every species index and coefficient a constant.
namespace {

template <bool Wet, int R>
inline void rhs_term(const std::array<double, kNumReactions>& kv, const RateConstants& k,
                     const double* y, double* f) {
  if constexpr (mech::active<Wet>(R)) {
    using L = mech::Layout<Wet>;
    constexpr Reaction rx = kReactions[R];
    double rate = kv[R] * y[L::kLocal[rx.a]];
    if constexpr (rx.b >= 0) rate *= y[L::kLocal[rx.b]];
    [&]<int... Q>(std::integer_sequence<int, Q...>) {
      (
          [&] {
            constexpr int row = L::kLocal[rx.net[Q].s];
            static_assert(row >= 0, "a product of an active reaction is in the system");
            f[row] += rx.net[Q].nu * rate;
          }(),
          ...);
    }
    (std::make_integer_sequence<int, rx.nnet>{});
    if constexpr (rx.voc >= 0) {
      f[L::kLocal[kSpSV1]] += k.sv_per_ppb[0][rx.voc] * rate;
      f[L::kLocal[kSpSV2]] += k.sv_per_ppb[1][rx.voc] * rate;
    }
  }
}

template <bool Wet, int R, int Q, int IsB>
inline void jac_entry(typename CellSystemT<Wet>::CoreMatrix& jcc, double* jprod, double v) {
  using L = mech::Layout<Wet>;
  constexpr Reaction rx = kReactions[R];
  constexpr int row = L::kLocal[rx.net[Q].s], col = L::kLocal[IsB ? rx.b : rx.a];
  static_assert(col >= 0 && col < L::kCore, "rates depend on core unknowns only");
  if constexpr (row < L::kCore) {
    jcc(row, col) += v;
  } else {
    jprod[mech::prod_base<Wet>(R) + mech::term_slot<Wet>(rx, Q, IsB)] = v;
  }
}

template <bool Wet, int R>
inline void jac_term(const std::array<double, kNumReactions>& kv, const RateConstants& k,
                     const double* y, typename CellSystemT<Wet>::CoreMatrix& jcc, double* jprod) {
  if constexpr (mech::active<Wet>(R)) {
    using L = mech::Layout<Wet>;
    constexpr Reaction rx = kReactions[R];
    // ∂rate/∂y_a and ∂rate/∂y_b.
    double da = kv[R], db = 0.0;
    if constexpr (rx.b >= 0) {
      da = kv[R] * y[L::kLocal[rx.b]];
      db = kv[R] * y[L::kLocal[rx.a]];
    }
    [&]<int... Q>(std::integer_sequence<int, Q...>) {
      (jac_entry<Wet, R, Q, 0>(jcc, jprod, rx.net[Q].nu * da), ...);
      if constexpr (rx.b >= 0) (jac_entry<Wet, R, Q, 1>(jcc, jprod, rx.net[Q].nu * db), ...);
    }
    (std::make_integer_sequence<int, rx.nnet>{});
    if constexpr (rx.voc >= 0) {
      constexpr int base = mech::prod_base<Wet>(R);
      for (int p = 0; p < 2; ++p) {
        const double a = k.sv_per_ppb[p][rx.voc];
        jprod[base + mech::voc_slot<Wet>(rx, p, 0)] = a * da;
        if constexpr (rx.b >= 0) jprod[base + mech::voc_slot<Wet>(rx, p, 1)] = a * db;
      }
    }
  }
}

}  // namespace

template <bool Wet>
void CellSystemT<Wet>::rhs(const double* y, double* f) const {
  using L = mech::Layout<Wet>;
  for (int s = 0; s < kSize; ++s) f[s] = 0.0;
  [&]<int... R>(std::integer_sequence<int, R...>) {
    (rhs_term<Wet, R>(kv_, k_, y, f), ...);
  }
  (std::make_integer_sequence<int, kNumReactions>{});
  f[L::kLocal[kSpO3]] += k_.p_o3;
  if constexpr (Wet) f[L::kLocal[kSpH2O2]] += k_.p_h2o2;
}

template <bool Wet>
void CellSystemT<Wet>::jacobian(const double* y, CoreMatrix& jcc, double* /*jdiag*/,
                                double* jprod) const {
  jcc.setZero();
  // Every product entry is assigned in jac_term.
  [&]<int... R>(std::integer_sequence<int, R...>) {
    (jac_term<Wet, R>(kv_, k_, y, jcc, jprod), ...);
  }
  (std::make_integer_sequence<int, kNumReactions>{});
}

template <bool Wet>
void CellSystemT<Wet>::project(double* y) const {
  using L = mech::Layout<Wet>;
  const auto local = [](int s) { return L::kLocal[s]; };
  fix_family(kNitrogen, local, y);
  if constexpr (Wet) fix_family(kSulfur, local, y);
  for (int s : {kSpO3, kSpH2O2, kSpOLE, kSpSV1, kSpSV2}) {
    const int i = L::kLocal[s];
    if (i >= 0 && y[i] < 0.0) y[i] = 0.0;
  }
}

template <bool Wet>
double CellSystemT<Wet>::nitrogen(const double* y) {
  return family_total(
      kNitrogen, [](int s) { return mech::Layout<Wet>::kLocal[s]; }, y);
}

template <bool Wet>
double CellSystemT<Wet>::sulfur(const double* y) {
  return family_total(
      kSulfur, [](int s) { return mech::Layout<Wet>::kLocal[s]; }, y);
}

template class CellSystemT<true>;
template class CellSystemT<false>;

void advance_first_order(const RateConstants& k, double dt_s, bool wet, double* y) {
  // Amount lost by x' = −k x over dt: x0 (1 − e^(−k dt)) = −x0 expm1(−k dt).
  auto lost = [dt_s](double x0, double rate) { return -x0 * std::expm1(-rate * dt_s); };
  y[kSpCO] -= lost(y[kSpCO], k.k_co_oh);
  const std::array<std::pair<int, double>, 3> voc{
      {{kSpALK, k.k_alk_oh}, {kSpARO1, k.k_aro1_oh}, {kSpARO2, k.k_aro2_oh}}};
  const std::array<int, 3> lump{kVocAlk, kVocAro1, kVocAro2};
  for (int v = 0; v < 3; ++v) {
    const int s = voc[v].first;
    const double d = lost(y[s], voc[v].second);
    y[s] -= d;
    y[kSpSV1] += k.sv_per_ppb[0][lump[v]] * d;
    y[kSpSV2] += k.sv_per_ppb[1][lump[v]] * d;
  }
  if (!wet) {
    const double ktot = k.k_so2_oh + k.k_so2_het;
    if (ktot > 0.0) {
      const double d = lost(y[kSpSO2], ktot);
      const double gas = d * (k.k_so2_oh / ktot);
      y[kSpSO2] -= d;
      y[kSpSulfGas] += gas;
      y[kSpSulfHet] += d - gas;
    }
    if (k.l_h2o2 > 0.0) {
      // H2O2' = p − l H2O2: relaxes to p / l.
      const double eq = k.p_h2o2 / k.l_h2o2;
      y[kSpH2O2] = eq + (y[kSpH2O2] - eq) * std::exp(-k.l_h2o2 * dt_s);
    }
  }
  for (int s : {kSpCO, kSpALK, kSpARO1, kSpARO2, kSpSO2, kSpH2O2}) {
    if (y[s] < 0.0) y[s] = 0.0;  // round-off only (SO2 ≥ 0 keeps its sulfate exact)
  }
}

void project_state(double* y) {
  fix_family(kNitrogen, global_index, y);
  fix_family(kSulfur, global_index, y);
  for (int s = 0; s < kNumSpecies; ++s) {
    if (y[s] < 0.0) y[s] = 0.0;
  }
}

double nitrogen_ppb(const double* y) {
  return family_total(kNitrogen, global_index, y);
}

double sulfur_ppb(const double* y) {
  return family_total(kSulfur, global_index, y);
}

}  // namespace fwaq::chem

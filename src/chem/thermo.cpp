// Inorganic aerosol thermodynamics of the sulfate - nitrate - ammonium - water system
// (ISORROPIA II class, forward problem). Method, equations and references:
// docs/science/thermodynamics.md. In short:
//
// * Aqueous phase (both branches): for given activity coefficients the equilibria
//   HSO4- = H+ + SO4=, NH3(g) + H+ = NH4+, HNO3(g) = H+ + NO3- and H2O = H+ + OH-
//   with the mass balances give every species as a function of the H+ amount h and the
//   water w; electroneutrality then fixes h (strictly monotone in h) and the ZSR relation
//   fixes w. Both are solved with safeguarded Newton iterations (h nested in w); the
//   activity coefficients (Kusik-Meissner binary values, Bromley mixing) are updated in
//   an outer fixed-point loop until they no longer change.
// * Stable branch: the regimes of ISORROPIA (Nenes et al. 1998; Fountoukis & Nenes 2007)
//   by the ammonium-to-sulfate ratio and the deliquescence humidities; a salt below its
//   deliquescence humidity is solid, and where a solid coexists with the solution its
//   dissolved amount is set by its solubility product; in the mutual deliquescence
//   ranges the dry and the wet solutions are weighted linearly in RH.
//
// Internal units: amounts [µmol m-3], water [mg m-3] (so that amount / water is the
// molality [mol kg-1]), partial pressures [atm].
#include "chem/thermo.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>

#include "chem/thermo_detail.hpp"

namespace fwaq::chem {

namespace {

using thermo_detail::Salt;

// ---------------------------------------------------------------------------------
// Activity coefficients
// ---------------------------------------------------------------------------------

/// Ion pairs of the aqueous phase (cation, anion).
enum Pair : int {
  kPairAS = 0,  ///< (NH4+, SO4=)  (NH4)2SO4
  kPairAN,      ///< (NH4+, NO3-)  NH4NO3
  kPairSA,      ///< (H+, SO4=)    H2SO4
  kPairHHSO4,   ///< (H+, HSO4-)   H-HSO4
  kPairAB,      ///< (NH4+, HSO4-) NH4HSO4
  kPairHN,      ///< (H+, NO3-)    HNO3
  kNumPairs
};
constexpr std::array<double, kNumPairs> kPairZZ{2.0, 1.0, 2.0, 1.0, 1.0, 1.0};

/// Binary log10 activity coefficients at 298.15 K tabulated in x = sqrt(I), I <= 100, and
/// the ionic-strength part of the temperature correction.
struct KmTable {
  static constexpr int kRows = 2001;
  static constexpr double kStep = 10.0 / (kRows - 1);  // in sqrt(I)
  struct alignas(64) Row {
    std::array<double, kNumPairs> lg;
    double y;  ///< 0.039 I^0.92 - 0.41 sqrt(I)/(1 + sqrt(I))
    double pad;
  };
  std::array<Row, kRows> rows;
};

std::unique_ptr<KmTable> build_km_table() {
  using namespace thermo_detail;
  auto t = std::make_unique<KmTable>();
  auto km = [](double q, double zz, double ionic) {
    return kusik_meissner_log10(q, zz, ionic, 298.15);
  };
  for (int k = 0; k < KmTable::kRows; ++k) {
    const double x = k * KmTable::kStep;
    const double ionic = x * x;
    auto& r = t->rows[k];
    r.lg[kPairAS] = km(kQAmmoniumSulfate, 2.0, ionic);
    r.lg[kPairAN] = km(kQAmmoniumNitrate, 1.0, ionic);
    r.lg[kPairSA] = km(kQSulfuricAcid, 2.0, ionic);
    r.lg[kPairHHSO4] = km(kQHydrogenBisulfate, 1.0, ionic);
    // NH4HSO4 has no measured q: from NH4Cl + H-HSO4 - HCl (Kim et al. 1993).
    r.lg[kPairAB] = km(kQAmmoniumChloride, 1.0, ionic) + km(kQHydrogenBisulfate, 1.0, ionic) -
                    km(kQHydrochloricAcid, 1.0, ionic);
    r.lg[kPairHN] = km(kQNitricAcid, 1.0, ionic);
    r.y = 0.039 * std::pow(ionic, 0.92) - 0.41 * x / (1.0 + x);
    r.pad = 0.0;
  }
  return t;
}

const KmTable& km_table() {
  static const std::unique_ptr<KmTable> table = build_km_table();
  return *table;
}

// ---------------------------------------------------------------------------------
// Per-call constants
// ---------------------------------------------------------------------------------

/// Everything that depends only on temperature and relative humidity.
struct Setup {
  double temperature = 298.15;  ///< [K]
  double rh = 0.5;              ///< [1]
  double rt = 0.0;              ///< R T [atm m3 mol-1]
  double k1 = 0.0;              ///< HSO4- dissociation [mol kg-1]
  double nh3 = 0.0;             ///< K21 K22 / Kw R T 1e-6: NH4+/NH3(g) = nh3 (γH/γNH4) h
  double hno3 = 0.0;            ///< K4 R T 1e-6: NO3-/HNO3(g) = hno3 w² / (γHNO3² h)
  double kw_aw = 0.0;           ///< Kw aw [mol2 kg-2]
  double an_liquid = 0.0;  ///< K21 K22 K4 / Kw (NH3(g)+HNO3(g) = NH4+ + NO3-) [mol2 kg-2 atm-2]
  std::array<double, thermo_detail::kNumSalts> inv_m0{};  ///< 1 / binary molality [kg mol-1]
  double cf1 = 1.0;      ///< Kusik-Meissner temperature factor on log γ(298)
  double cf2 = 0.0;      ///< ... and on the ionic-strength term
  double agama = 0.511;  ///< Debye-Hückel constant of Bromley's method
};

Setup make_setup(double temperature, double rh) {
  using namespace thermo_detail;
  Setup s;
  s.temperature = temperature;
  s.rh = rh;
  s.rt = kGasConstantAtm * temperature;
  // One exponential per constant: ln K = ln K0 + a x + b y.
  const double r = kT0 / temperature;
  const double x = r - 1.0, y = 1.0 + std::log(r) - r;
  auto lnk = [&](const VantHoff& k) { return std::log(k.k0) + k.a * x + k.b * y; };
  s.k1 = std::exp(lnk(kKHSO4));
  const double ln_nh3 = lnk(kKNH3Henry) + lnk(kKNH3Diss) - lnk(kKWater);
  s.nh3 = std::exp(ln_nh3) * s.rt * 1e-6;
  const double ln_hno3 = lnk(kKHNO3);
  s.hno3 = std::exp(ln_hno3) * s.rt * 1e-6;
  s.an_liquid = std::exp(ln_nh3 + ln_hno3);
  // The OH- term keeps the electroneutrality root positive; below aw = 1e-3 the water
  // activity of this term is held (nothing else depends on it).
  s.kw_aw = std::exp(lnk(kKWater)) * std::max(rh, 1e-3);
  for (int i = 0; i < kNumSalts; ++i) {
    s.inv_m0[i] = 1.0 / binary_molality(static_cast<Salt>(i), rh);
  }
  const double tc = temperature - 273.15;
  s.cf1 = 1.125 - 0.005 * tc;
  s.cf2 = 0.125 - 0.005 * tc;
  s.agama = 0.511 * std::pow(298.0 / temperature, 1.5);
  return s;
}

constexpr int kAS = static_cast<int>(Salt::kAmmoniumSulfate);
constexpr int kAN = static_cast<int>(Salt::kAmmoniumNitrate);
constexpr int kAB = static_cast<int>(Salt::kAmmoniumBisulfate);
constexpr int kLC = static_cast<int>(Salt::kLetovicite);
constexpr int kSA = static_cast<int>(Salt::kSulfuricAcid);

/// log10 of the mean activity coefficients of the six pairs in the mixture, from the
/// molalities [mol kg-1] (Bromley 1973 mixing of Kusik-Meissner binary values at the
/// ionic strength of the solution, capped at 100 mol kg-1 as in ISORROPIA).
void mixture_log_gammas(const Setup& st, double m_h, double m_nh4, double m_so4, double m_hso4,
                        double m_no3, std::array<double, kNumPairs>& lg) {
  const double ionic_true = 0.5 * (m_h + m_nh4 + 4.0 * m_so4 + m_hso4 + m_no3);
  if (!(ionic_true > 1e-20)) {
    lg.fill(0.0);
    return;
  }
  // The binary coefficients and the Debye-Hückel term are taken at the capped ionic
  // strength; the mixing weights (ionic fractions) at the true one, so they stay
  // fractions above the cap.
  const double ionic = std::min(ionic_true, 100.0);
  const double x = std::sqrt(ionic);
  const KmTable& tab = km_table();
  double pos = x * (1.0 / KmTable::kStep);
  int k = static_cast<int>(pos);
  if (k >= KmTable::kRows - 1) k = KmTable::kRows - 2;
  const double f = pos - k;
  const auto& r0 = tab.rows[k];
  const auto& r1 = tab.rows[k + 1];
  const double y = r0.y + f * (r1.y - r0.y);
  std::array<double, kNumPairs> g0;
  for (int p = 0; p < kNumPairs; ++p) {
    const double lg298 = r0.lg[p] + f * (r1.lg[p] - r0.lg[p]);
    g0[p] = st.cf1 * lg298 - st.cf2 * y * kPairZZ[p];
  }
  const double hdh = st.agama * x / (1.0 + x);
  const double ch11 = 1.0 / ionic_true, ch12 = 2.25 / ionic_true;  // ((z+ + z-)/2)^2 / I
  const double t_sa = g0[kPairSA] + 2.0 * hdh, t_as = g0[kPairAS] + 2.0 * hdh;
  const double t_hh = g0[kPairHHSO4] + hdh, t_ab = g0[kPairAB] + hdh;
  const double t_hn = g0[kPairHN] + hdh, t_an = g0[kPairAN] + hdh;
  const double f1_h = ch12 * m_so4 * t_sa + ch11 * (m_hso4 * t_hh + m_no3 * t_hn);
  const double f1_nh4 = ch12 * m_so4 * t_as + ch11 * (m_hso4 * t_ab + m_no3 * t_an);
  const double f2_so4 = ch12 * (m_h * t_sa + m_nh4 * t_as);
  const double f2_hso4 = ch11 * (m_h * t_hh + m_nh4 * t_ab);
  const double f2_no3 = ch11 * (m_h * t_hn + m_nh4 * t_an);
  lg[kPairAS] = 2.0 * ((f1_nh4 + 0.5 * f2_so4) / 3.0 - hdh);
  lg[kPairSA] = 2.0 * ((f1_h + 0.5 * f2_so4) / 3.0 - hdh);
  lg[kPairAN] = 0.5 * (f1_nh4 + f2_no3) - hdh;
  lg[kPairHHSO4] = 0.5 * (f1_h + f2_hso4) - hdh;
  lg[kPairAB] = 0.5 * (f1_nh4 + f2_hso4) - hdh;
  lg[kPairHN] = 0.5 * (f1_h + f2_no3) - hdh;
  for (double& v : lg) v = std::clamp(v, -5.0, 5.0);
}

// ---------------------------------------------------------------------------------
// Aqueous phase at fixed activity coefficients
// ---------------------------------------------------------------------------------

/// Coefficients of the speciation at given water and activity coefficients.
struct Coefs {
  double a;             ///< NH4+/NH3(g) = a h [1/(µmol m-3)]
  double b;             ///< SO4=/HSO4- = b / h [µmol m-3]
  double c;             ///< NO3-/HNO3(g) = c / h [µmol m-3]
  double d;             ///< H+ OH- = d [µmol2 m-6]
  double alpha = -1.0;  ///< if >= 0: SO4= fraction of the sulfate, held fixed
};

struct Species {
  double nh4 = 0, nh3g = 0, so4 = 0, hso4 = 0, no3 = 0, hno3g = 0, oh = 0;
  double f = 0;     ///< electroneutrality residual [µmol m-3]
  double fu = 0;    ///< dF/d ln h
  double nh4u = 0;  ///< dNH4/d ln h
  double sv = 0;    ///< dSO4/d ln w
  double nv = 0;    ///< dNO3/d ln w (at fixed h)
};

void speciate(double s_tot, double a_tot, double n_tot, double h, const Coefs& k, Species& sp) {
  const double ah = k.a * h;
  if (ah > 1.0) {
    sp.nh3g = a_tot / (1.0 + ah);
    sp.nh4 = a_tot - sp.nh3g;
  } else {
    sp.nh4 = a_tot * ah / (1.0 + ah);
    sp.nh3g = a_tot - sp.nh4;
  }
  const double hb = h + k.b;
  if (k.alpha >= 0.0) {
    sp.so4 = s_tot * k.alpha;
    sp.hso4 = s_tot - sp.so4;
  } else if (h < k.b) {
    sp.hso4 = s_tot * (h / hb);
    sp.so4 = s_tot - sp.hso4;
  } else {
    sp.so4 = s_tot * (k.b / hb);
    sp.hso4 = s_tot - sp.so4;
  }
  const double ch = k.c + h;
  if (k.c < h) {
    sp.no3 = n_tot * (k.c / ch);
    sp.hno3g = n_tot - sp.no3;
  } else {
    sp.hno3g = n_tot * (h / ch);
    sp.no3 = n_tot - sp.hno3g;
  }
  sp.oh = k.d / h;
  sp.f = sp.nh4 + h - 2.0 * sp.so4 - sp.hso4 - sp.no3 - sp.oh;
  sp.nh4u = sp.nh4 / (1.0 + ah);
  sp.sv = k.alpha >= 0.0 ? 0.0 : s_tot * k.b * h / (hb * hb);
  sp.nv = 2.0 * n_tot * k.c * h / (ch * ch);
  sp.fu = sp.nh4u + h + sp.sv + 0.5 * sp.nv + sp.oh;
}

/// Electroneutrality at fixed coefficients: the H+ amount [µmol m-3]. F(h) is strictly
/// increasing, so the root is bracketed from the start; Newton steps (in h when they are
/// small, in ln h otherwise) that leave the bracket are replaced by bisection in ln h.
double solve_h(double s_tot, double a_tot, double n_tot, const Coefs& k, double h_guess,
               Species& sp) {
  double hhi = 2.0 * s_tot + n_tot + 2.0 * std::sqrt(k.d) + 1e-300;
  double hlo = std::max(0.5 * std::sqrt(k.d / (1.0 + a_tot * k.a)), 1e-300);
  double h = (h_guess > hlo && h_guess < hhi) ? h_guess : std::sqrt(hlo * hhi);
  for (int it = 0; it < 200; ++it) {
    speciate(s_tot, a_tot, n_tot, h, k, sp);
    if (sp.f > 0.0) {
      hhi = h;
    } else {
      hlo = h;
    }
    const double step = -sp.f / sp.fu;  // in ln h
    if (std::abs(step) < 1e-8) {        // the last step leaves h within ~1e-16 of the root
      h *= 1.0 + step;
      break;
    }
    double hn = std::abs(step) < 1e-3 ? h * (1.0 + step) : h * std::exp(step);
    if (!(hn > hlo && hn < hhi)) hn = std::sqrt(hlo * hhi);
    h = hn;
    if (hhi - hlo < 1e-13 * hlo) break;
  }
  speciate(s_tot, a_tot, n_tot, h, k, sp);
  return h;
}

/// ZSR water [mg m-3] of a solution holding `nh4` and `no3` [µmol m-3] with all of the
/// sulfate `s_tot`; the ions are paired into salts by the ammonium-to-sulfate ratio of
/// the solution. dz_dnh4, dz_dno3: partial derivatives [mg µmol-1].
double zsr_water(const Setup& st, double s_tot, double nh4, double no3, double& dz_dnh4,
                 double& dz_dno3) {
  const auto& im = st.inv_m0;
  dz_dnh4 = 0.0;
  dz_dno3 = 0.0;
  if (nh4 >= 2.0 * s_tot) {  // (NH4)2SO4 + NH4NO3
    const double free_nh4 = nh4 - 2.0 * s_tot;
    double an;
    if (free_nh4 < no3) {
      an = free_nh4;
      dz_dnh4 = im[kAN];
    } else {
      an = no3;
      dz_dno3 = im[kAN];
    }
    return s_tot * im[kAS] + an * im[kAN];
  }
  if (nh4 >= s_tot) {                    // letovicite with (NH4)2SO4 or NH4HSO4
    const double x = 2.0 * s_tot - nh4;  // NH4HSO4 equivalents
    const double y = nh4 - s_tot;        // (NH4)2SO4 equivalents
    if (x < y) {
      dz_dnh4 = -im[kLC] + 2.0 * im[kAS];
      return x * im[kLC] + (y - x) * im[kAS];
    }
    dz_dnh4 = im[kLC] - 2.0 * im[kAB];
    return y * im[kLC] + (x - y) * im[kAB];
  }
  dz_dnh4 = im[kAB] - im[kSA];  // NH4HSO4 + H2SO4
  return nh4 * im[kAB] + (s_tot - nh4) * im[kSA];
}

/// The aqueous solution in equilibrium with the gas phase.
struct Liquid {
  double h = 0.0;  ///< H+ [µmol m-3]
  double w = 0.0;  ///< water [mg m-3]
  Species sp;
  std::array<double, kNumPairs> lg{};  ///< log10 mean activity coefficients
  int iterations = 0;                  ///< activity-coefficient sweeps
  bool exists = false;
};

struct GammaTerms {
  double g_nh = 1.0;   ///< γH+/γNH4+
  double g_1 = 1.0;    ///< γH+ γSO4= / γHSO4-
  double g_hn2 = 1.0;  ///< γ(HNO3)²
};

/// Weight of the NO3- pairs in γH/γNH4: the share of NO3- among the monovalent anions.
double nitrate_weight(double no3, double hso4) {
  const double den = no3 + hso4;
  return den > 0.0 ? no3 / den : 0.0;
}

GammaTerms gamma_terms(const std::array<double, kNumPairs>& lg, double wn) {
  // γH/γNH4 from the pairs with a common anion (NO3- or HSO4-), weighted by wn.
  const double lg_nh =
      2.0 * (wn * (lg[kPairHN] - lg[kPairAN]) + (1.0 - wn) * (lg[kPairHHSO4] - lg[kPairAB]));
  const double lg_1 = 3.0 * lg[kPairSA] - 2.0 * lg[kPairHHSO4];
  constexpr double kLn10 = 2.302585092994046;
  GammaTerms g;
  g.g_nh = std::exp(kLn10 * lg_nh);
  g.g_1 = std::exp(kLn10 * lg_1);
  g.g_hn2 = std::exp(2.0 * kLn10 * lg[kPairHN]);
  return g;
}

Coefs make_coefs(const Setup& st, const GammaTerms& g, double w, double alpha) {
  Coefs k;
  k.alpha = alpha;
  k.a = st.nh3 * g.g_nh;
  k.b = st.k1 * w / g.g_1;
  k.c = st.hno3 * w * w / g.g_hn2;
  k.d = st.kw_aw * w * w;
  return k;
}

/// Water at fixed activity coefficients: ln Z(w) - ln w = 0 by safeguarded Newton in
/// ln w inside [vlo, vhi] (the function is positive at vlo and negative at vhi).
void solve_water(const Setup& st, double s_tot, double a_tot, double n_tot, const GammaTerms& g,
                 double alpha, double vlo, double vhi, Liquid& liq) {
  double v = std::log(liq.w);
  if (!(v > vlo && v < vhi)) v = 0.5 * (vlo + vhi);
  double h = liq.h;
  for (int it = 0; it < 100; ++it) {
    const double w = std::exp(v);
    const Coefs k = make_coefs(st, g, w, alpha);
    h = solve_h(s_tot, a_tot, n_tot, k, h, liq.sp);
    const Species& sp = liq.sp;
    double zn = 0.0, zo = 0.0;
    const double z = std::max(zsr_water(st, s_tot, sp.nh4, sp.no3, zn, zo), 1e-300);
    const double phi = std::log(z) - v;
    if (phi > 0.0) {
      vlo = v;
    } else {
      vhi = v;
    }
    // d phi / d ln w, with dh/dw from the electroneutrality constraint.
    const double fv = -sp.sv - sp.nv - 2.0 * sp.oh;
    const double du_dv = -fv / sp.fu;
    const double dnh4 = sp.nh4u * du_dv;
    const double dno3 = sp.nv - 0.5 * sp.nv * du_dv;
    const double dphi = (zn * dnh4 + zo * dno3) / z - 1.0;
    const double step = dphi < 0.0 ? -phi / dphi : std::numeric_limits<double>::infinity();
    if (std::abs(step) < 1e-7) {  // the last step leaves w within ~1e-14 of the root
      v += step;
      break;
    }
    double vn = v + step;
    if (!(vn > vlo && vn < vhi)) vn = 0.5 * (vlo + vhi);
    v = vn;
    if (vhi - vlo < 1e-12) break;
  }
  liq.w = std::exp(v);
  liq.h = solve_h(s_tot, a_tot, n_tot, make_coefs(st, g, liq.w, alpha), h, liq.sp);
}

/// Pure NH4NO3 solution in equilibrium with NH3 and HNO3: the dissolved amount [µmol
/// m-3] (0 if none) and its water [mg m-3]. γ of the binary solution at the molality
/// the water activity fixes.
double pure_nitrate_liquid(const Setup& st, double a_tot, double n_tot, double& water) {
  water = 0.0;
  if (a_tot <= 0.0 || n_tot <= 0.0) return 0.0;
  const double m = 1.0 / st.inv_m0[kAN];
  std::array<double, kNumPairs> lg;
  mixture_log_gammas(st, 0.0, m, 0.0, 0.0, m, lg);
  const double gamma = std::pow(10.0, lg[kPairAN]);
  const double p = st.rt * 1e-6;                                         // [atm per µmol m-3]
  const double kl = (gamma * m) * (gamma * m) / (st.an_liquid * p * p);  // [µmol2 m-6]
  if (a_tot * n_tot <= kl) return 0.0;
  const double x =
      0.5 * ((a_tot + n_tot) - std::sqrt((a_tot - n_tot) * (a_tot - n_tot) + 4.0 * kl));
  water = x / m;
  return x;
}

using Vec = std::array<double, kNumPairs>;

constexpr int kFastSweeps = 30;           ///< accelerated fixed-point sweeps at most
constexpr int kNewtonSteps = 25;          ///< fallback Newton steps at most
constexpr double kGammaTolerance = 1e-6;  ///< on log10 γ (and the NO3- weight)

/// One Anderson-mixing step from the stored iterates x and images g (the newest in
/// `newest`); falls back to the plain fixed-point step when the least-squares problem
/// is degenerate. The result is kept in the range the mixing rule produces ([-5, 5]).
Vec anderson_step(const std::array<Vec, 3>& xs, const std::array<Vec, 3>& gs, int stored,
                  int newest) {
  Vec out = gs[newest];
  if (stored < 2) return out;
  // Differences of residuals and of images relative to the newest iterate.
  std::array<Vec, 2> dr{}, dg{};
  Vec r0;
  for (int p = 0; p < kNumPairs; ++p) r0[p] = gs[newest][p] - xs[newest][p];
  const int m = stored - 1;
  for (int j = 0; j < m; ++j) {
    const int o = (newest + 3 - 1 - j) % 3;
    for (int p = 0; p < kNumPairs; ++p) {
      dr[j][p] = r0[p] - (gs[o][p] - xs[o][p]);
      dg[j][p] = gs[newest][p] - gs[o][p];
    }
  }
  // Least squares: minimise |r0 - sum_j c_j dr_j|.
  double a00 = 0, a01 = 0, a11 = 0, b0 = 0, b1 = 0;
  for (int p = 0; p < kNumPairs; ++p) {
    a00 += dr[0][p] * dr[0][p];
    b0 += dr[0][p] * r0[p];
    if (m > 1) {
      a01 += dr[0][p] * dr[1][p];
      a11 += dr[1][p] * dr[1][p];
      b1 += dr[1][p] * r0[p];
    }
  }
  double c0 = 0.0, c1 = 0.0;
  if (m > 1) {
    const double det = a00 * a11 - a01 * a01;
    if (det > 1e-12 * a00 * a11 && det > 0.0) {
      c0 = (b0 * a11 - b1 * a01) / det;
      c1 = (a00 * b1 - a01 * b0) / det;
    } else if (a00 > 0.0) {
      c0 = b0 / a00;
    }
  } else if (a00 > 0.0) {
    c0 = b0 / a00;
  }
  if (!(std::abs(c0) < 1e3 && std::abs(c1) < 1e3)) return out;
  for (int p = 0; p < kNumPairs; ++p) {
    out[p] = std::clamp(out[p] - c0 * dg[0][p] - c1 * dg[1][p], -5.0, 5.0);
  }
  return out;
}

/// The aqueous problem: totals and the bracket of ln(water).
struct LiquidProblem {
  const Setup& st;
  double s, a, n;
  double vlo, vhi;
};

/// One sweep: the solution at activity coefficients `x` (NO3- weight `wn` in γH/γNH4)
/// into `liq`; the activity coefficients and NO3- weight of that solution into gx, gwn.
void sweep(const LiquidProblem& pb, const Vec& x, double wn, Liquid& liq, Vec& gx, double& gwn,
           double alpha = -1.0) {
  solve_water(pb.st, pb.s, pb.a, pb.n, gamma_terms(x, wn), alpha, pb.vlo, pb.vhi, liq);
  const Species& sp = liq.sp;
  const double iw = 1.0 / liq.w;
  mixture_log_gammas(pb.st, liq.h * iw, sp.nh4 * iw, sp.so4 * iw, sp.hso4 * iw, sp.no3 * iw, gx);
  gwn = nitrate_weight(sp.no3, sp.hso4);
}

/// Newton's method on the fixed-point residual z - G(z), z = (log10 γ, NO3- weight),
/// with a finite-difference Jacobian and a backtracking line search. Used where the
/// accelerated iteration has not converged (concentrated acid solutions, whose
/// fixed-point map can expand). Leaves in `liq` the best solution found.
double newton_gammas(const LiquidProblem& pb, Liquid& liq, double& wn) {
  constexpr int kN = kNumPairs + 1;
  using Z = std::array<double, kN>;
  auto residual = [&](const Z& z, Liquid& l, Z& r) {
    Vec x, gx;
    std::copy_n(z.begin(), kNumPairs, x.begin());
    double gwn = 0.0;
    sweep(pb, x, z[kNumPairs], l, gx, gwn);
    double norm = 0.0;
    for (int p = 0; p < kNumPairs; ++p) r[p] = gx[p] - x[p];
    r[kNumPairs] = gwn - z[kNumPairs];
    for (double v : r) norm = std::max(norm, std::abs(v));
    return norm;
  };
  Z z, r;
  std::copy_n(liq.lg.begin(), kNumPairs, z.begin());
  z[kNumPairs] = wn;
  double norm = residual(z, liq, r);
  for (int it = 0; it < kNewtonSteps && norm >= kGammaTolerance; ++it) {
    // Jacobian of the residual by forward differences.
    std::array<Z, kN> jac;  // jac[i][j] = d r_i / d z_j
    Liquid work = liq;
    for (int j = 0; j < kN; ++j) {
      Z zp = z, rp;
      const double dz = 1e-6;
      zp[j] += dz;
      residual(zp, work, rp);
      for (int i = 0; i < kN; ++i) jac[i][j] = (rp[i] - r[i]) / dz;
    }
    // Solve jac dz = -r by Gaussian elimination with partial pivoting.
    Z step;
    for (int i = 0; i < kN; ++i) step[i] = -r[i];
    bool singular = false;
    for (int c = 0; c < kN && !singular; ++c) {
      int piv = c;
      for (int i = c + 1; i < kN; ++i) {
        if (std::abs(jac[i][c]) > std::abs(jac[piv][c])) piv = i;
      }
      if (!(std::abs(jac[piv][c]) > 1e-14)) {
        singular = true;
        break;
      }
      std::swap(jac[c], jac[piv]);
      std::swap(step[c], step[piv]);
      for (int i = c + 1; i < kN; ++i) {
        const double f = jac[i][c] / jac[c][c];
        for (int k = c; k < kN; ++k) jac[i][k] -= f * jac[c][k];
        step[i] -= f * step[c];
      }
    }
    if (singular) {
      for (int i = 0; i < kN; ++i) step[i] = r[i];  // plain fixed-point step
    } else {
      for (int c = kN - 1; c >= 0; --c) {
        for (int k = c + 1; k < kN; ++k) step[c] -= jac[c][k] * step[k];
        step[c] /= jac[c][c];
      }
    }
    // Backtracking: the first fraction of the step that lowers the residual.
    bool improved = false;
    double t = 1.0;
    for (int ls = 0; ls < 10 && !improved; ++ls, t *= 0.5) {
      Z zt, rt;
      for (int i = 0; i < kN; ++i) zt[i] = z[i] + t * step[i];
      for (int p = 0; p < kNumPairs; ++p) zt[p] = std::clamp(zt[p], -5.0, 5.0);
      zt[kNumPairs] = std::clamp(zt[kNumPairs], 0.0, 1.0);
      const double nt = residual(zt, work, rt);
      if (nt < norm) {
        z = zt;
        r = rt;
        norm = nt;
        liq = work;
        improved = true;
      }
    }
    if (!improved) break;
  }
  // liq holds the solution at z; its activity coefficients are z's (to the residual).
  std::copy_n(z.begin(), kNumPairs, liq.lg.begin());
  wn = z[kNumPairs];
  return norm;
}

/// Last resort for concentrated acid solutions, where the activity coefficients of the
/// H+ - HSO4- - SO4= system can make the fixed point unstable and even give |z - G(z)| a
/// local minimum away from the root: the SO4= fraction of the sulfate is bracketed
/// (the HSO4- dissociation residual goes from + to - as the fraction goes from 0 to 1)
/// and found by the Illinois method; at each trial fraction the remaining unknowns and
/// the activity coefficients are iterated (under-relaxed where they oscillate).
void alpha_bracketing(const LiquidProblem& pb, Liquid& liq, double& wn) {
  auto eval = [&](double t, Liquid& l, double& wnl) {
    const double alpha = 1.0 / (1.0 + std::exp(-t));
    double relax = 1.0;
    Vec last_r{};
    for (int k = 0; k < 60; ++k) {
      Vec gx;
      double gwn = 0.0;
      sweep(pb, l.lg, wnl, l, gx, gwn, alpha);
      Vec r;
      double change = std::abs(gwn - wnl), dot = 0.0, rr = 0.0, ll = 0.0;
      for (int p = 0; p < kNumPairs; ++p) {
        r[p] = gx[p] - l.lg[p];
        change = std::max(change, std::abs(r[p]));
        dot += r[p] * last_r[p];
        rr += r[p] * r[p];
        ll += last_r[p] * last_r[p];
      }
      wnl = gwn;
      if (change < kGammaTolerance) break;
      relax = dot < -0.2 * std::sqrt(rr * ll) ? std::max(0.5 * relax, 0.05)
                                              : std::min(1.0, 1.5 * relax);
      last_r = r;
      for (int p = 0; p < kNumPairs; ++p) l.lg[p] += relax * r[p];
    }
    const GammaTerms g = gamma_terms(l.lg, wnl);
    // ln K1 - ln(γH γSO4/γHSO4 mH mSO4/mHSO4), the SO4=/HSO4- ratio being e^t.
    return std::log(pb.st.k1) - std::log(g.g_1) - std::log(l.h / l.w) - t;
  };
  Liquid lo_l = liq, hi_l = liq;
  double wn_lo = wn, wn_hi = wn;
  double tlo = -40.0, thi = 40.0;
  double rlo = eval(tlo, lo_l, wn_lo), rhi = eval(thi, hi_l, wn_hi);
  if (!(rlo > 0.0 && rhi < 0.0)) return;  // (not bracketed: keep the Newton result)
  int side = 0;
  Liquid mid = liq;
  double wn_mid = wn;
  for (int it = 0; it < 100; ++it) {
    const double t = (tlo * rhi - thi * rlo) / (rhi - rlo);
    const double r = eval(t, mid, wn_mid);
    if (r > 0.0) {
      tlo = t;
      rlo = r;
      if (side == -1) rhi *= 0.5;
      side = -1;
    } else {
      thi = t;
      rhi = r;
      if (side == 1) rlo *= 0.5;
      side = 1;
    }
    if (std::abs(r) < 1e-10 || thi - tlo < 1e-10) break;
  }
  liq = mid;
  wn = wn_mid;
}

/// The aqueous phase holding all of `s_tot` sulfate, in equilibrium with the gas-phase
/// ammonia and nitric acid (a_tot, n_tot are the gas + liquid totals) [µmol m-3].
Liquid solve_liquid(const Setup& st, double s_tot, double a_tot, double n_tot) {
  Liquid liq;
  const auto& im = st.inv_m0;
  // Bounds of the ZSR water: every pairing of the sulfate lies between these.
  const double per_s_min = std::min({im[kAS], 0.5 * im[kLC], im[kAB], im[kSA]});
  const double per_s_max = std::max({im[kAS], 0.5 * im[kLC], im[kAB], im[kSA]});
  const double z_max = 1.01 * (s_tot * per_s_max + std::min(a_tot, n_tot) * im[kAN]) + 1e-300;
  double z_min = s_tot * per_s_min;
  // First guess: every salt that could form is dissolved.
  double nh4 = std::min(a_tot, 2.0 * s_tot + n_tot);
  double no3 = std::min(n_tot, std::max(a_tot - 2.0 * s_tot, 0.0));
  double dummy1, dummy2;
  double w = zsr_water(st, s_tot, nh4, no3, dummy1, dummy2);
  if (s_tot <= 0.0) {
    // Without sulfate a solution forms only if NH4NO3 deliquesces at this RH.
    double w_an = 0.0;
    const double x = pure_nitrate_liquid(st, a_tot, n_tot, w_an);
    if (x <= 0.0) return liq;
    nh4 = no3 = x;
    w = w_an;
    z_min = 1e-3 * w_an;
  }
  if (!(w > 0.0)) return liq;
  liq.exists = true;
  liq.w = w;
  liq.h = std::max(2.0 * s_tot + no3 - nh4, 1e-6 * (s_tot + n_tot)) + 1e-300;
  mixture_log_gammas(st, liq.h / w, nh4 / w, s_tot / w, 0.0, no3 / w, liq.lg);
  const LiquidProblem pb{st, s_tot, a_tot, n_tot, std::log(z_min), std::log(z_max)};
  // Fixed point lg = G(lg) of the activity coefficients, accelerated by Anderson mixing
  // of depth 2 (Walker & Ni 2011): with the residuals r = G(lg) - lg of the last sweeps,
  // the next iterate is the combination of the G values whose residual is least.
  std::array<Vec, 3> xs{}, gs{};  // ring buffer of iterates and their images
  int stored = 0;
  double wn = no3 > 0.0 ? 1.0 : 0.0;
  double last_change = std::numeric_limits<double>::infinity();
  double relax = 1.0;
  Vec last_r{};
  bool last_mixed = false, converged = false;
  for (int it = 0; it < kFastSweeps; ++it) {
    liq.iterations = it + 1;
    Vec lg_new;
    double wn_new = 0.0;
    sweep(pb, liq.lg, wn, liq, lg_new, wn_new);
    double change = std::abs(wn_new - wn);
    for (int p = 0; p < kNumPairs; ++p) change = std::max(change, std::abs(lg_new[p] - liq.lg[p]));
    wn = wn_new;
    if (change < kGammaTolerance) {
      converged = true;
      break;
    }
    // Where successive changes point in opposite directions the iteration oscillates:
    // the step is under-relaxed (halved each time). While they do not, the relaxation
    // recovers, and the Anderson step is used once the iteration is undamped, close to
    // converged and the changes shrink; otherwise the mixing history restarts.
    Vec r;
    double dot = 0.0, rr = 0.0, ll = 0.0;
    for (int p = 0; p < kNumPairs; ++p) {
      r[p] = lg_new[p] - liq.lg[p];
      dot += r[p] * last_r[p];
      rr += r[p] * r[p];
      ll += last_r[p] * last_r[p];
    }
    if (!last_mixed) {  // (after a mixing step a reversal is no sign of oscillation)
      if (dot < -0.2 * std::sqrt(rr * ll)) {
        relax = std::max(0.5 * relax, 0.05);
      } else {
        relax = std::min(1.0, 2.0 * relax);
      }
    }
    const bool shrinking = change < last_change;
    last_change = change;
    last_r = r;
    last_mixed = false;
    if (relax < 1.0 || change > 0.05 || !shrinking) {
      stored = 0;
      for (int p = 0; p < kNumPairs; ++p) liq.lg[p] += relax * r[p];
      continue;
    }
    last_mixed = true;
    const int slot = it % 3;
    xs[slot] = liq.lg;
    gs[slot] = lg_new;
    stored = std::min(stored + 1, 3);
    liq.lg = anderson_step(xs, gs, stored, slot);
  }
  if (!converged) {
    const double norm = newton_gammas(pb, liq, wn);
    if (norm > 1e-7 && s_tot > 0.0) alpha_bracketing(pb, liq, wn);
  }
  return liq;
}

// ---------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------

void put_liquid(const Liquid& liq, ThermoResult& r) {
  r.nh4_aq = liq.sp.nh4;
  r.no3_aq = liq.sp.no3;
  r.so4_aq = liq.sp.so4;
  r.hso4_aq = liq.sp.hso4;
  r.h_aq = liq.h;
  r.nh3_g = liq.sp.nh3g;
  r.hno3_g = liq.sp.hno3g;
  r.water_ug = liq.w * 1e3;
}

void check_input(const ThermoInput& in) {
  auto bad = [](const char* what, double v, const char* range) {
    throw std::invalid_argument(std::string("equilibrate: ") + what + " = " + std::to_string(v) +
                                " outside " + range);
  };
  if (!(in.temperature_K >= 200.0 && in.temperature_K <= 330.0)) {
    bad("temperature_K", in.temperature_K, "[200, 330] K");
  }
  if (!(in.rh >= 0.0 && in.rh <= 1.0)) bad("rh", in.rh, "[0, 1]");
  const double big = std::numeric_limits<double>::max();
  if (!(in.sulfate >= 0.0 && in.sulfate < big)) bad("sulfate", in.sulfate, "[0, inf) µmol m-3");
  if (!(in.nitrate >= 0.0 && in.nitrate < big)) bad("nitrate", in.nitrate, "[0, inf) µmol m-3");
  if (!(in.ammonia >= 0.0 && in.ammonia < big)) bad("ammonia", in.ammonia, "[0, inf) µmol m-3");
}

/// Amounts below this are treated as absent [µmol m-3] (1e-20 µmol m-3 is about 1e-18
/// µg m-3); they are carried through unchanged so the totals are still conserved.
constexpr double kTiny = 1e-20;

// Names of the regimes the solver reports (ThermoResult::regime).
constexpr std::string_view kNoAerosol = "no aerosol";
constexpr std::string_view kNitrateAqueous = "nitrate, aqueous";
constexpr std::string_view kPoorAqueous = "sulfate-poor, aqueous";
constexpr std::string_view kPoorDry = "sulfate-poor, dry (NH4)2SO4(s) + NH4NO3(s)";
constexpr std::string_view kPoorSolidAS = "sulfate-poor, (NH4)2SO4(s) + aqueous";
constexpr std::string_view kPoorMutual = "sulfate-poor, mutual deliquescence";
constexpr std::string_view kRichAqueous = "sulfate-rich, aqueous";
constexpr std::string_view kRichDry = "sulfate-rich, dry letovicite(s) + (NH4)2SO4(s)/NH4HSO4(s)";
constexpr std::string_view kRichSolidAS = "sulfate-rich, (NH4)2SO4(s) + aqueous";
constexpr std::string_view kRichSolidLC = "sulfate-rich, letovicite(s) + aqueous";
constexpr std::string_view kRichMutual = "sulfate-rich, mutual deliquescence";
constexpr std::string_view kAcidAqueous = "free acid, aqueous";
constexpr std::string_view kAcidSolidAB = "free acid, NH4HSO4(s) + aqueous";

std::string_view aqueous_regime(double s, double a) {
  if (s <= 0.0) return kNitrateAqueous;
  if (a >= 2.0 * s) return kPoorAqueous;
  if (a >= s) return kRichAqueous;
  return kAcidAqueous;
}

/// Aqueous phase only (metastable branch, and the liquid parts of the stable one).
ThermoResult liquid_only(const Setup& st, double s, double a, double n) {
  ThermoResult r;
  const Liquid liq = solve_liquid(st, s, a, n);
  if (liq.exists) {
    put_liquid(liq, r);
    r.regime = aqueous_regime(s, a);
  } else {  // (only without sulfate: no NH4NO3 solution at this RH)
    r.nh3_g = a;
    r.hno3_g = n;
    r.so4_aq = s;
    r.h_aq = 2.0 * s;
    r.regime = kNoAerosol;
  }
  return r;
}

/// No liquid, ammonia-rich: all sulfate as (NH4)2SO4(s); NH4NO3(s) forms from the free
/// ammonia and the nitric acid where p(NH3) p(HNO3) would exceed K(T).
ThermoResult dry_sulfate_poor(const Setup& st, double s, double a, double n) {
  ThermoResult r;
  r.nh42so4_s = s;
  const double free_nh3 = std::max(a - 2.0 * s, 0.0);
  const double p = st.rt * 1e-6;  // [atm per µmol m-3]
  const double kp = thermo_detail::nh4no3_dissociation_constant(st.temperature) / (p * p);
  double x = 0.0;
  if (free_nh3 * n > kp) {
    x = 0.5 * ((free_nh3 + n) - std::sqrt((free_nh3 - n) * (free_nh3 - n) + 4.0 * kp));
    x = std::clamp(x, 0.0, std::min(free_nh3, n));
  }
  r.nh4no3_s = x;
  r.nh3_g = free_nh3 - x;
  r.hno3_g = n - x;
  r.regime = kPoorDry;
  return r;
}

/// No liquid, sulfate-rich (S <= NH3 < 2 S): letovicite with (NH4)2SO4 or NH4HSO4 by the
/// stoichiometry; all ammonia in the solids, all nitric acid in the gas.
ThermoResult dry_sulfate_rich(double s, double a, double n) {
  ThermoResult r;
  const double x = std::max(2.0 * s - a, 0.0);  // NH4HSO4 equivalents
  const double y = std::max(a - s, 0.0);        // (NH4)2SO4 equivalents
  r.lc_s = std::min(x, y);
  if (x <= y) {
    r.nh42so4_s = y - x;
  } else {
    r.nh4hso4_s = x - y;
  }
  r.hno3_g = n;
  r.regime = kRichDry;
  return r;
}

/// The weighted mean of two states (mutual deliquescence ranges; Nenes et al. 1998):
/// wf of the dry one, 1 - wf of the wet one. Totals are conserved by each, hence by both.
ThermoResult blend(const ThermoResult& dry, const ThermoResult& wet, double wf,
                   std::string_view regime) {
  if (!(wet.water_ug > 0.0)) return dry;  // nothing dissolves: the dry state holds
  wf = std::clamp(wf, 0.0, 1.0);
  const double ww = 1.0 - wf;
  ThermoResult r;
  r.nh3_g = wf * dry.nh3_g + ww * wet.nh3_g;
  r.hno3_g = wf * dry.hno3_g + ww * wet.hno3_g;
  r.nh4_aq = wf * dry.nh4_aq + ww * wet.nh4_aq;
  r.no3_aq = wf * dry.no3_aq + ww * wet.no3_aq;
  r.so4_aq = wf * dry.so4_aq + ww * wet.so4_aq;
  r.hso4_aq = wf * dry.hso4_aq + ww * wet.hso4_aq;
  r.h_aq = wf * dry.h_aq + ww * wet.h_aq;
  r.water_ug = wf * dry.water_ug + ww * wet.water_ug;
  r.nh4no3_s = wf * dry.nh4no3_s + ww * wet.nh4no3_s;
  r.nh42so4_s = wf * dry.nh42so4_s + ww * wet.nh42so4_s;
  r.nh4hso4_s = wf * dry.nh4hso4_s + ww * wet.nh4hso4_s;
  r.lc_s = wf * dry.lc_s + ww * wet.lc_s;
  r.regime = regime;
  return r;
}

/// ln of the saturation ratio (ion activity product / solubility product) of `salt` in
/// the solution; -inf-like if one of its ions is absent.
double log_saturation(Salt salt, double ln_ksp, const Liquid& liq) {
  constexpr double kLn10 = 2.302585092994046;
  const double iw = 1.0 / liq.w;
  const double m_nh4 = liq.sp.nh4 * iw, m_so4 = liq.sp.so4 * iw, m_hso4 = liq.sp.hso4 * iw;
  if (!(m_nh4 > 0.0)) return -1e300;
  switch (salt) {
    case Salt::kAmmoniumSulfate:
      if (!(m_so4 > 0.0)) return -1e300;
      return kLn10 * 3.0 * liq.lg[kPairAS] + 2.0 * std::log(m_nh4) + std::log(m_so4) - ln_ksp;
    case Salt::kAmmoniumBisulfate:
      if (!(m_hso4 > 0.0)) return -1e300;
      return kLn10 * 2.0 * liq.lg[kPairAB] + std::log(m_nh4) + std::log(m_hso4) - ln_ksp;
    case Salt::kLetovicite: {
      if (!(m_so4 > 0.0 && m_hso4 > 0.0)) return -1e300;
      // γ of letovicite from those of (NH4)2SO4 and NH4HSO4 (Kim et al. 1993).
      const double lg13 = 0.2 * (3.0 * liq.lg[kPairAS] + 2.0 * liq.lg[kPairAB]);
      return kLn10 * 5.0 * lg13 + 3.0 * std::log(m_nh4) + std::log(m_so4) + std::log(m_hso4) -
             ln_ksp;
    }
    default:
      return -1e300;
  }
}

/// A solid salt in equilibrium with the solution: the amount z [µmol m-3] in [0, zmax]
/// at which the remaining solution is just saturated (solubility product), all of it
/// dissolved if the solution is undersaturated, all solid if supersaturated throughout.
ThermoResult with_solid(const Setup& st, Salt salt, double s, double a, double n, double zmax,
                        std::string_view regime) {
  using namespace thermo_detail;
  double ns = 1.0, na = 2.0;
  VantHoff k = kKAS;
  if (salt == Salt::kLetovicite) {
    ns = 2.0;
    na = 3.0;
    k = kKLC;
  } else if (salt == Salt::kAmmoniumBisulfate) {
    na = 1.0;
    k = kKAB;
  }
  const double ln_ksp = std::log(equilibrium_constant(k, st.temperature));
  zmax = std::clamp(zmax, 0.0, std::min(s / ns, a / na));
  auto liquid_at = [&](double z) {
    return solve_liquid(st, std::max(s - ns * z, 0.0), std::max(a - na * z, 0.0), n);
  };
  auto result = [&](double z, const Liquid& liq) {
    ThermoResult r;
    const double sl = std::max(s - ns * z, 0.0), al = std::max(a - na * z, 0.0);
    if (liq.exists) {
      put_liquid(liq, r);
    } else {
      r.nh3_g = al;
      r.hno3_g = n;
      r.so4_aq = sl;
    }
    if (salt == Salt::kAmmoniumSulfate) r.nh42so4_s = z;
    if (salt == Salt::kLetovicite) r.lc_s = z;
    if (salt == Salt::kAmmoniumBisulfate) r.nh4hso4_s = z;
    r.regime = regime;
    return r;
  };
  Liquid l0 = liquid_at(0.0);
  const double f0 = l0.exists ? log_saturation(salt, ln_ksp, l0) : -1e300;
  if (f0 <= 0.0 || zmax <= 0.0) {
    ThermoResult r = result(0.0, l0);
    r.regime = aqueous_regime(s, a);
    return r;
  }
  // Where the last of the sulfate would go into the solid, the end point is taken just
  // short of it (a solution, however small, must remain to be saturated).
  double zhi = s - ns * zmax > kTiny ? zmax : zmax * (1.0 - 1e-9);
  Liquid lh = liquid_at(zhi);
  const double fh = lh.exists ? log_saturation(salt, ln_ksp, lh) : 1e300;
  if (fh >= 0.0) return result(zmax, liquid_at(zmax));
  // Illinois (modified regula falsi) on z.
  double zlo = 0.0, flo = f0, fhi = fh;
  Liquid lm = l0;
  double zm = 0.0;
  int side = 0;
  for (int it = 0; it < 100; ++it) {
    zm = (zlo * fhi - zhi * flo) / (fhi - flo);
    if (!(zm > zlo && zm < zhi)) zm = 0.5 * (zlo + zhi);
    lm = liquid_at(zm);
    const double fm = log_saturation(salt, ln_ksp, lm);
    if (fm > 0.0) {
      zlo = zm;
      flo = fm;
      if (side == -1) fhi *= 0.5;
      side = -1;
    } else {
      zhi = zm;
      fhi = fm;
      if (side == 1) flo *= 0.5;
      side = 1;
    }
    if (std::abs(fm) < 1e-9 || zhi - zlo < 1e-12 * zmax) break;
  }
  if (zm <= 1e-12 * zmax) {  // saturated with (practically) nothing precipitated
    ThermoResult r = result(0.0, l0);
    r.regime = aqueous_regime(s, a);
    return r;
  }
  return result(zm, lm);
}

/// Stable branch: solids below their deliquescence humidities (ISORROPIA's regimes,
/// Nenes et al. 1998; Fountoukis & Nenes 2007).
ThermoResult stable(const Setup& st, double s, double a, double n) {
  const thermo_detail::Deliquescence d = thermo_detail::deliquescence(st.temperature);
  const double rh = st.rh;
  if (s <= 0.0 || a >= 2.0 * s) {  // sulfate-poor (or no sulfate)
    if (rh >= d.ammonium_sulfate) return liquid_only(st, s, a, n);
    if (n <= 0.0) return dry_sulfate_poor(st, s, a, n);  // (NH4)2SO4(s) below its DRH
    if (rh >= d.ammonium_nitrate)
      return with_solid(st, Salt::kAmmoniumSulfate, s, a, n, s, kPoorSolidAS);
    if (rh >= d.mutual_as_an && d.ammonium_nitrate > d.mutual_as_an) {
      const double wf = (d.ammonium_nitrate - rh) / (d.ammonium_nitrate - d.mutual_as_an);
      return blend(dry_sulfate_poor(st, s, a, n),
                   with_solid(st, Salt::kAmmoniumSulfate, s, a, n, s, kPoorSolidAS), wf,
                   kPoorMutual);
    }
    return dry_sulfate_poor(st, s, a, n);
  }
  if (a >= s) {                               // sulfate-rich, no free acid
    const double x = 2.0 * s - a, y = a - s;  // NH4HSO4 and (NH4)2SO4 equivalents
    auto b3 = [&] {
      return x < y ? with_solid(st, Salt::kAmmoniumSulfate, s, a, n, y - x, kRichSolidAS)
                   : liquid_only(st, s, a, n);
    };
    auto b2 = [&] {
      if (x > y) return with_solid(st, Salt::kLetovicite, s, a, n, y, kRichSolidLC);
      if (rh < d.mutual_lc_as || d.letovicite <= d.mutual_lc_as) return dry_sulfate_rich(s, a, n);
      const double wf = (d.letovicite - rh) / (d.letovicite - d.mutual_lc_as);
      return blend(dry_sulfate_rich(s, a, n), b3(), wf, kRichMutual);
    };
    if (rh >= d.ammonium_sulfate) return liquid_only(st, s, a, n);
    if (rh >= d.letovicite) return b3();
    if (rh >= d.ammonium_bisulfate) return b2();
    if (rh >= d.mutual_lc_ab && d.ammonium_bisulfate > d.mutual_lc_ab) {
      const double wf = (d.ammonium_bisulfate - rh) / (d.ammonium_bisulfate - d.mutual_lc_ab);
      return blend(dry_sulfate_rich(s, a, n), b2(), wf, kRichMutual);
    }
    return dry_sulfate_rich(s, a, n);
  }
  // Free acid: H2SO4 keeps a solution at any RH; NH4HSO4 is solid below its DRH.
  if (rh >= d.ammonium_bisulfate) return liquid_only(st, s, a, n);
  return with_solid(st, Salt::kAmmoniumBisulfate, s, a, n, a, kAcidSolidAB);
}

}  // namespace

ThermoResult equilibrate(const ThermoInput& in, ThermoBranch branch) {
  check_input(in);
  const double s = in.sulfate, a = in.ammonia, n = in.nitrate;
  if (s + a + n <= kTiny) {  // fast exit: nothing to partition
    ThermoResult r;
    r.so4_aq = s;
    r.nh3_g = a;
    r.hno3_g = n;
    r.regime = kNoAerosol;
    return r;
  }
  // Amounts below kTiny take no part; they are added back where they would be.
  const double se = s > kTiny ? s : 0.0, ae = a > kTiny ? a : 0.0, ne = n > kTiny ? n : 0.0;
  const Setup st = make_setup(in.temperature_K, in.rh);
  ThermoResult r =
      branch == ThermoBranch::kMetastable ? liquid_only(st, se, ae, ne) : stable(st, se, ae, ne);
  r.so4_aq += s - se;
  r.nh3_g += a - ae;
  r.hno3_g += n - ne;
  return r;
}

}  // namespace fwaq::chem

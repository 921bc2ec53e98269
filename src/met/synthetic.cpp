#include "met/synthetic.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numbers>
#include <set>
#include <sstream>

#include "core/config.hpp"
#include "core/error.hpp"
#include "met/kz.hpp"
#include "met/wrf_reader.hpp"

namespace fwaq {

namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr double kPi = std::numbers::pi;
constexpr double kDeg = kPi / 180.0;
constexpr double kDay = 86400.0;
constexpr double kKarman = 0.4;  // von Kármán constant [1]

// ---------------------------------------------------------------------------
// Xi'an monthly climatology, October to March (CMA normals as tabulated by
// zh.wikipedia Template:西安市气候数据; period 1971-2000 or 1981-2010, see the
// facts file, section B1). Index 0 = October ... 5 = March.
constexpr double kTmean[6] = {14.1, 7.2, 1.5, 0.3, 3.6, 8.7};           // [°C]
constexpr double kTmax[6] = {19.3, 12.4, 6.3, 5.1, 8.9, 14.4};          // [°C]
constexpr double kTmin[6] = {10.2, 3.2, -2.2, -3.3, -0.4, 4.1};         // [°C]
constexpr double kPrecipMm[6] = {61.7, 21.5, 7.3, 6.7, 9.8, 27.1};      // [mm per month]
constexpr double kWetDays[6] = {9.9, 5.5, 3.6, 3.4, 4.0, 6.4};          // days >= 0.1 mm
constexpr double kRh[6] = {0.76, 0.73, 0.68, 0.65, 0.62, 0.64};         // [1]
constexpr double kSunHours[6] = {98.9, 92.4, 81.0, 88.4, 96.1, 116.6};  // [h per month]

// ---------------------------------------------------------------------------
// Portable random numbers: SplitMix64 (Steele, Lea & Flood 2014,
// doi:10.1145/2714064.2660195) as a counter-based hash and a stream.
std::uint64_t mix64(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t hash3(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  return mix64(mix64(mix64(a) ^ b) ^ c);
}

// Uniform in [0, 1) from 53 random bits.
double to_unit(std::uint64_t x) {
  return static_cast<double>(x >> 11) * 0x1.0p-53;
}

class Stream {
 public:
  explicit Stream(std::uint64_t seed) : state_(seed) {}
  double uniform() {
    state_ += 0x9E3779B97F4A7C15ULL;
    return to_unit(mix64(state_));
  }
  // Standard normal by Box–Muller.
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
  }
  // Gamma(shape k >= 1, scale 1): Marsaglia & Tsang (2000), ACM TOMS 26, 363-372,
  // doi:10.1145/358407.358414.
  double gamma(double k) {
    const double d = k - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x, v;
      do {
        x = normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = 1.0 - uniform();
      if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
    }
  }

 private:
  std::uint64_t state_;
};

double smoothstep01(double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  return x * x * (3.0 - 2.0 * x);
}
// Quintic smooth step (continuous second derivative) for regime changes.
double smootherstep01(double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  return x * x * x * (x * (6.0 * x - 15.0) + 10.0);
}

double seconds_of(TimePoint t) {
  return static_cast<double>(t.time_since_epoch().count());
}
double seconds_of(sys_days d) {
  return static_cast<double>(std::chrono::sys_seconds(d).time_since_epoch().count());
}

// Start of month `idx` of season `year` (idx 0 = October of `year`, -1 =
// September, 6 = April, 7 = May of year + 1) [s since 1970].
double month_start(int year, int idx) {
  int y = year, m = 10 + idx;
  while (m > 12) {
    m -= 12;
    ++y;
  }
  return seconds_of(sys_days(std::chrono::year{y} / std::chrono::month{static_cast<unsigned>(m)} /
                             std::chrono::day{1}));
}

// Solar geometry (Spencer 1971, "Fourier series representation of the position
// of the sun", Search 2(5), 172; as given by Iqbal 1983, An Introduction to
// Solar Radiation, ch. 1): declination [rad], equation of time [h] and the
// eccentricity correction E0 [1] for the day angle of time t.
struct Sun {
  double decl, eot_h, e0;
};
Sun sun_at(double t_s) {
  const auto dp =
      std::chrono::floor<days>(TimePoint(std::chrono::seconds(static_cast<long long>(t_s))));
  const year_month_day ymd{dp};
  const double jan1 = seconds_of(sys_days(ymd.year() / std::chrono::January / 1));
  const double doy = (t_s - jan1) / kDay;  // days since 1 January 00 UTC
  const double g = 2.0 * kPi * doy / 365.0;
  Sun s;
  s.decl = 0.006918 - 0.399912 * std::cos(g) + 0.070257 * std::sin(g) - 0.006758 * std::cos(2 * g) +
           0.000907 * std::sin(2 * g) - 0.002697 * std::cos(3 * g) + 0.00148 * std::sin(3 * g);
  s.eot_h = 229.18 *
            (0.000075 + 0.001868 * std::cos(g) - 0.032077 * std::sin(g) -
             0.014615 * std::cos(2 * g) - 0.040849 * std::sin(2 * g)) /
            60.0;
  s.e0 = 1.000110 + 0.034221 * std::cos(g) + 0.001280 * std::sin(g) + 0.000719 * std::cos(2 * g) +
         0.000077 * std::sin(2 * g);
  return s;
}
// Sunset hour angle [rad] (FAO-56 eq. 25), clamped for polar day/night.
double sunset_angle(double lat_rad, double decl) {
  return std::acos(std::clamp(-std::tan(lat_rad) * std::tan(decl), -1.0, 1.0));
}
constexpr double kSolarConstant = 1361.0;  // [W m-2], Kopp & Lean (2011), doi:10.1029/2010GL045777

// Piecewise-linear interpolant through knots (t_k, a_k), constant outside.
double pwl(const std::array<double, 6>& tk, const std::array<double, 6>& ak, double t) {
  if (t <= tk[0]) return ak[0];
  if (t >= tk[5]) return ak[5];
  int k = 0;
  while (t > tk[k + 1]) ++k;
  const double x = (t - tk[k]) / (tk[k + 1] - tk[k]);
  return ak[k] + x * (ak[k + 1] - ak[k]);
}
// ∫_{t0}^{t1} of the same interpolant (exact: trapezoids between breakpoints).
double pwl_integral(const std::array<double, 6>& tk, const std::array<double, 6>& ak, double t0,
                    double t1) {
  std::vector<double> pts{t0, t1};
  for (double t : tk)
    if (t > t0 && t < t1) pts.push_back(t);
  std::sort(pts.begin(), pts.end());
  double s = 0.0;
  for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
    s += 0.5 * (pwl(tk, ak, pts[i]) + pwl(tk, ak, pts[i + 1])) * (pts[i + 1] - pts[i]);
  }
  return s;
}

// Mean-preserving monthly interpolation (as Taylor et al. 2000, PCMDI Report 60,
// for AMIP II boundary conditions): knot values a_k at mid-month such that the
// mean of the piecewise-linear interpolant over each month equals the table.
struct MonthlyCurve {
  std::array<double, 6> tk{}, ak{};
  double at(double t) const { return pwl(tk, ak, t); }
};
std::array<MonthlyCurve, 4> season_curves(int year) {
  std::array<double, 6> tk{};
  double start[7];
  for (int m = 0; m <= 6; ++m) start[m] = month_start(year, m);
  for (int m = 0; m < 6; ++m) tk[m] = 0.5 * (start[m] + start[m + 1]);
  Eigen::Matrix<double, 6, 6> mat;
  for (int n = 0; n < 6; ++n) {
    std::array<double, 6> e{};
    e[n] = 1.0;
    for (int m = 0; m < 6; ++m)
      mat(m, n) = pwl_integral(tk, e, start[m], start[m + 1]) / (start[m + 1] - start[m]);
  }
  const auto lu = mat.partialPivLu();
  // Relative sunshine n/N: sunshine hours per day over the astronomical day
  // length N = 24 ω_s / π at the middle of the month (FAO-56 eq. 34), Xi'an latitude.
  Eigen::Matrix<double, 6, 1> tmean, range, rh, sun;
  for (int m = 0; m < 6; ++m) {
    const double ndays = (start[m + 1] - start[m]) / kDay;
    const Sun s = sun_at(tk[m]);
    const double daylen = 24.0 / kPi * sunset_angle(34.27 * kDeg, s.decl);
    tmean[m] = kTmean[m];
    range[m] = kTmax[m] - kTmin[m];
    rh[m] = kRh[m];
    sun[m] = kSunHours[m] / ndays / daylen;
  }
  std::array<MonthlyCurve, 4> out;
  const Eigen::Matrix<double, 6, 1>* rhs[4] = {&tmean, &range, &rh, &sun};
  for (int c = 0; c < 4; ++c) {
    const Eigen::Matrix<double, 6, 1> a = lu.solve(*rhs[c]);
    out[c].tk = tk;
    for (int m = 0; m < 6; ++m) out[c].ak[m] = a[m];
  }
  return out;
}

// Diurnal shapes in local apparent solar time h [h].
// Temperature: 0 at sunrise, sine rise to 1 at the afternoon peak, cos^4 fall to
// the next sunrise; returns the shape and its daily mean.
struct Diurnal {
  double g, gmean, pbl;
};
Diurnal diurnal(double h, double sunrise, double sunset, double peak) {
  Diurnal d{};
  const double l1 = std::max(peak - sunrise, 1.0);
  const double l2 = 24.0 - l1;
  double x = std::fmod(h - sunrise, 24.0);
  if (x < 0.0) x += 24.0;  // hours since sunrise
  if (x <= l1) {
    d.g = std::sin(0.5 * kPi * x / l1);
  } else {
    const double c = 0.5 * (1.0 + std::cos(kPi * (x - l1) / l2));
    d.g = c * c;
  }
  d.gmean = (l1 * 2.0 / kPi + l2 * 3.0 / 8.0) / 24.0;
  // Boundary layer: grows from an hour after sunrise to the peak, collapses by
  // half an hour after sunset (stable night layer otherwise).
  const double rise = sunrise + 1.0, collapse = std::max(sunset + 0.5, peak + 0.5);
  double hh = std::fmod(h, 24.0);
  if (hh < 0.0) hh += 24.0;
  if (hh > rise && hh <= peak) {
    d.pbl = std::sin(0.5 * kPi * (hh - rise) / (peak - rise));
  } else if (hh > peak && hh < collapse) {
    d.pbl = std::cos(0.5 * kPi * (hh - peak) / (collapse - peak));
  } else {
    d.pbl = 0.0;
  }
  return d;
}

std::string num(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

}  // namespace

const char* regime_name(Regime r) {
  switch (r) {
    case Regime::kVentilation:
      return "ventilation";
    case Regime::kTransition:
      return "transition";
    case Regime::kStagnation:
      return "stagnation";
  }
  return "?";
}

std::array<RegimeSpec, kRegimeCount> SyntheticParams::default_regimes() {
  std::array<RegimeSpec, kRegimeCount> r{};
  // Durations: mean cycle 6.5 d (the "typical 5-8 day cold-front cycle", facts
  // B3 [UNCONF]) split by the Guanzhong 2017 flow-type shares (facts B4, Climatic
  // Environ. Res. 2020): systematic flow 8 % -> ventilation, weak systematic flow
  // 17.3 % -> transition, local circulation 74.7 % -> stagnation.
  RegimeSpec& v = r[0];
  v.mean_days = 0.08 * 6.5;
  v.shape = 4.0;
  v.min_days = 0.25;
  v.max_days = 1.5;
  v.pbl_day_m = 1400.0;
  v.pbl_night_m = 600.0;
  v.bl_speed = 6.0;  // 4.0 m s-1 at 10 m
  v.bl_dir_deg = 0.0;
  v.fa_speed = 14.0;
  v.fa_dir_deg = 330.0;
  v.t_anomaly_k = -4.0;
  v.rh_anomaly = -0.20;
  v.slp_anomaly_pa = 600.0;
  v.sunshine_factor = 2.0;
  v.diurnal_factor = 1.2;
  v.inversion_k = 0.0;
  v.precip_weight = 1.886;
  v.intensity_spread = 0.15;

  RegimeSpec& t = r[1];
  t.mean_days = 0.173 * 6.5;
  t.shape = 4.0;
  t.min_days = 0.25;
  t.max_days = 3.0;
  t.pbl_day_m = 900.0;
  t.pbl_night_m = 250.0;
  t.bl_speed = 2.5;  // 1.7 m s-1 at 10 m
  t.bl_dir_deg = 225.0;
  t.fa_speed = 10.0;
  t.fa_dir_deg = 270.0;
  t.t_anomaly_k = -1.0;
  t.rh_anomaly = -0.05;
  t.slp_anomaly_pa = 100.0;
  t.sunshine_factor = 1.2;
  t.diurnal_factor = 1.05;
  t.inversion_k = 1.5;
  t.precip_weight = 1.886;
  t.intensity_spread = 0.1;

  RegimeSpec& s = r[2];
  s.mean_days = 0.747 * 6.5;
  s.shape = 3.0;
  s.min_days = 1.0;
  s.max_days = 14.0;
  s.pbl_day_m = 550.0;    // haze daytime maximum 400-700 m (facts B2)
  s.pbl_night_m = 180.0;  // night stable layer 100-300 m (facts B2)
  s.bl_speed = 1.8;       // 1.2 m s-1 at 10 m
  s.bl_dir_deg = 60.0;    // NE-ENE along the Wei basin (facts B2, B4)
  s.fa_speed = 6.0;
  s.fa_dir_deg = 270.0;
  s.inversion_k = 4.0;
  s.precip_weight = 0.7;
  s.intensity_spread = 0.15;
  s.trend_start = 1.08;
  s.trend_end = 0.88;
  s.rh_trend = 0.06;
  // t_anomaly_k, rh_anomaly, slp_anomaly_pa, sunshine_factor, diurnal_factor and
  // precip_weight of stagnation are derived in the SyntheticWinter constructor
  // so that the expected season means equal the climatology at severity 1.
  return r;
}

void SyntheticParams::validate() const {
  auto bad = [](const std::string& what, double v, const std::string& range) {
    throw UsageError("synthetic winter: " + what + " = " + num(v) + " is outside " + range);
  };
  if (!(severity >= 0.5 && severity <= 2.0)) bad("severity", severity, "[0.5, 2]");
  if (!(reference_lat_deg > -80.0 && reference_lat_deg < 80.0))
    bad("reference_lat", reference_lat_deg, "(-80, 80) degrees");
  if (!(reference_lon_deg >= -180.0 && reference_lon_deg <= 360.0))
    bad("reference_lon", reference_lon_deg, "[-180, 360] degrees");
  if (!std::isnan(reference_elevation_m) &&
      !(reference_elevation_m > -500.0 && reference_elevation_m < 6000.0))
    bad("reference_elevation_m", reference_elevation_m,
        "(-500, 6000) m (or absent: from the terrain)");
  if (!(sea_level_pressure_pa > 90000.0 && sea_level_pressure_pa < 110000.0))
    bad("sea_level_pressure_pa", sea_level_pressure_pa, "(90000, 110000) Pa");
  if (!(roughness_m > 1e-5 && roughness_m < 5.0)) bad("roughness_m", roughness_m, "(1e-5, 5) m");
  if (!(front_hours > 0.0 && front_hours <= 24.0)) bad("front_hours", front_hours, "(0, 24] h");
  if (!(change_hours > 0.0 && change_hours <= 24.0)) bad("change_hours", change_hours, "(0, 24] h");
  for (int r = 0; r < kRegimeCount; ++r) {
    const RegimeSpec& s = regimes[r];
    const std::string n = std::string("regime ") + regime_name(static_cast<Regime>(r));
    if (!(s.shape >= 1.0)) bad(n + " shape", s.shape, "[1, inf)");
    if (!(s.min_days > 0.0 && s.min_days <= s.mean_days && s.mean_days <= s.max_days))
      bad(n + " mean_days", s.mean_days, "[min_days, max_days] with min_days > 0");
    if (!(s.pbl_night_m > 0.0 && s.pbl_day_m >= s.pbl_night_m))
      bad(n + " pbl_day_m", s.pbl_day_m, "[pbl_night_m, inf) with pbl_night_m > 0");
  }
}

void SyntheticParams::describe_keys(Schema::Section s) {
  const SyntheticParams d;
  s.integer("seed", static_cast<long long>(d.seed),
            "seed of the regime sequence and the precipitation (>= 0)")
      .real("severity", d.severity,
            "season severity [1], 0.5-2: > 1 more stagnation, shallower PBL, weaker winds")
      .real("reference_lon", d.reference_lon_deg,
            "longitude of the climatology's reference station [degrees east]")
      .real("reference_lat", d.reference_lat_deg,
            "latitude of the climatology's reference station [degrees north]")
      .real("reference_elevation_m", std::nullopt,
            "height of the climatology [m a.s.l.]; none: the model terrain at the reference "
            "point")
      .real("sea_level_pressure_pa", d.sea_level_pressure_pa, "mean sea-level pressure [Pa]")
      .real("roughness_m", d.roughness_m, "roughness length z0 [m]")
      .real("front_hours", d.front_hours, "half-width of the change into ventilation [h]")
      .real("change_hours", d.change_hours, "half-width of the other regime changes [h]");
}

SyntheticParams SyntheticParams::from_config(const ConfigSection& sec) {
  static const std::set<std::string> known = {"seed",
                                              "severity",
                                              "reference_lon",
                                              "reference_lat",
                                              "reference_elevation_m",
                                              "sea_level_pressure_pa",
                                              "roughness_m",
                                              "front_hours",
                                              "change_hours"};
  for (const auto& k : sec.keys()) {
    if (!known.count(k)) {
      std::string list;
      for (const auto& n : known) list += (list.empty() ? "" : ", ") + n;
      throw InputError(sec.file(), sec.name(k), "unknown key; expected one of: " + list);
    }
  }
  SyntheticParams p;
  const long long seed = sec.optional<long long>("seed", static_cast<long long>(p.seed));
  if (seed < 0)
    throw InputError(sec.file(), sec.name("seed"),
                     "value " + std::to_string(seed) + " must be >= 0");
  p.seed = static_cast<std::uint64_t>(seed);
  p.severity = sec.optional<double>("severity", p.severity);
  p.reference_lon_deg = sec.optional<double>("reference_lon", p.reference_lon_deg);
  p.reference_lat_deg = sec.optional<double>("reference_lat", p.reference_lat_deg);
  p.reference_elevation_m = sec.optional<double>("reference_elevation_m", p.reference_elevation_m);
  p.sea_level_pressure_pa = sec.optional<double>("sea_level_pressure_pa", p.sea_level_pressure_pa);
  p.roughness_m = sec.optional<double>("roughness_m", p.roughness_m);
  p.front_hours = sec.optional<double>("front_hours", p.front_hours);
  p.change_hours = sec.optional<double>("change_hours", p.change_hours);
  try {
    p.validate();
  } catch (const UsageError& e) {
    std::string section = sec.name("");
    if (!section.empty() && section.back() == '.') section.pop_back();
    throw InputError(sec.file(), section, e.what());
  }
  return p;
}

// ---------------------------------------------------------------------------

SyntheticWinter::SyntheticWinter(const HorizontalGrid& grid, const VerticalGrid& vgrid,
                                 const Field& terrain_m, SyntheticParams params)
    : params_(std::move(params)), grid_(grid), vgrid_(vgrid), terrain_(terrain_m) {
  params_.validate();
  const int nx = grid_.nx(), ny = grid_.ny();
  if (vgrid_.nx() != nx || vgrid_.ny() != ny) {
    throw UsageError("synthetic winter: the vertical grid is " + std::to_string(vgrid_.nx()) +
                     " x " + std::to_string(vgrid_.ny()) + " columns, the horizontal grid " +
                     std::to_string(nx) + " x " + std::to_string(ny));
  }
  if (terrain_.nx() != nx || terrain_.ny() != ny || terrain_.nz() < 1) {
    throw UsageError("synthetic winter: terrain is " + std::to_string(terrain_.nx()) + " x " +
                     std::to_string(terrain_.ny()) + ", the grid " + std::to_string(nx) + " x " +
                     std::to_string(ny));
  }
  channels_ = analyse_channels(grid_, terrain_, params_.channels);
  ref_elev_ = params_.reference_elevation_m;
  if (std::isnan(ref_elev_)) {
    ref_elev_ = 400.0;  // the Xi'an station, approximately [m a.s.l.]
    const auto [fi, fj] = grid_.index_of(params_.reference_lon_deg, params_.reference_lat_deg);
    const long i = std::lround(fi), j = std::lround(fj);
    if (i >= 0 && i < nx && j >= 0 && j < ny)
      ref_elev_ = terrain_(static_cast<int>(i), static_cast<int>(j), 0);
  }

  // Earth-north unit vector in grid coordinates (map rotation), and the terrain gradient.
  const std::size_t n = static_cast<std::size_t>(nx) * ny;
  north_x_.resize(n);
  north_y_.resize(n);
  grad_x_.resize(n);
  grad_y_.resize(n);
  const Projection& proj = grid_.projection();
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      const std::size_t c = grid_.mass(i, j);
      const double lon = grid_.lon(i, j), lat = grid_.lat(i, j);
      const double dl = 0.01;  // [degrees]
      const ProjectedPoint a = proj.forward(lon, lat - dl), b = proj.forward(lon, lat + dl);
      const double ex = b.x_m - a.x_m, ey = b.y_m - a.y_m, len = std::hypot(ex, ey);
      north_x_[c] = ex / len;
      north_y_[c] = ey / len;
      const int il = std::max(i - 1, 0), ir = std::min(i + 1, nx - 1);
      const int jl = std::max(j - 1, 0), jr = std::min(j + 1, ny - 1);
      double lx = 0.0, ly = 0.0;
      for (int q = il + 1; q <= ir; ++q) lx += grid_.dx_at(q, j);
      for (int q = jl + 1; q <= jr; ++q) ly += grid_.dy_at(i, q);
      grad_x_[c] = lx > 0.0 ? (terrain_(ir, j, 0) - terrain_(il, j, 0)) / lx : 0.0;
      grad_y_[c] = ly > 0.0 ? (terrain_(i, jr, 0) - terrain_(i, jl, 0)) / ly : 0.0;
    }
  }

  // Regime table after balancing (severity-1 fractions) and severity.
  spec_ = params_.regimes;
  double total1 = 0.0;
  for (const auto& s : spec_) total1 += s.mean_days;
  std::array<double, kRegimeCount> f1{};
  for (int r = 0; r < kRegimeCount; ++r) f1[r] = spec_[r].mean_days / total1;
  RegimeSpec& st = spec_[2];
  const RegimeSpec &v = spec_[0], &tr = spec_[1];
  st.t_anomaly_k = -(f1[0] * v.t_anomaly_k + f1[1] * tr.t_anomaly_k) / f1[2];
  st.rh_anomaly = -(f1[0] * v.rh_anomaly + f1[1] * tr.rh_anomaly) / f1[2] - 0.5 * st.rh_trend;
  st.slp_anomaly_pa = -(f1[0] * v.slp_anomaly_pa + f1[1] * tr.slp_anomaly_pa) / f1[2];
  st.sunshine_factor = (1.0 - f1[0] * v.sunshine_factor - f1[1] * tr.sunshine_factor) / f1[2];
  st.diurnal_factor = (1.0 - f1[0] * v.diurnal_factor - f1[1] * tr.diurnal_factor) / f1[2];
  st.precip_weight = (1.0 - f1[0] * v.precip_weight - f1[1] * tr.precip_weight) / f1[2];
  if (!(st.sunshine_factor > 0.0 && st.diurnal_factor > 0.0 && st.precip_weight >= 0.0)) {
    throw UsageError(
        "synthetic winter: the ventilation and transition factors leave no positive balancing "
        "sunshine, diurnal-range or precipitation factor for stagnation");
  }
  const double s = params_.severity;
  const double weak = 1.0 / std::sqrt(s);
  for (int r = 1; r < kRegimeCount; ++r) {  // transition and stagnation
    spec_[r].pbl_day_m *= weak;
    spec_[r].pbl_night_m *= weak;
    spec_[r].bl_speed *= weak;
  }
  const double scale[kRegimeCount] = {1.0 / s, 1.0 / s, s};
  double total = 0.0;
  for (int r = 0; r < kRegimeCount; ++r) {
    spec_[r].mean_days *= scale[r];
    spec_[r].min_days *= scale[r];
    spec_[r].max_days *= scale[r];
    total += spec_[r].mean_days;
  }
  for (int r = 0; r < kRegimeCount; ++r) fraction_[r] = spec_[r].mean_days / total;
}

int SyntheticWinter::season_of(TimePoint t) {
  const year_month_day ymd{std::chrono::floor<days>(t)};
  const int y = static_cast<int>(ymd.year());
  const unsigned m = static_cast<unsigned>(ymd.month());
  if (m >= 9) return y;
  if (m <= 4) return y - 1;
  throw UsageError("synthetic winter: " + format_iso(t) +
                   " lies outside the winter half-year the generator covers (1 September to 30 "
                   "April)");
}

std::vector<RegimeEpisode> SyntheticWinter::episodes(int year) const {
  std::vector<RegimeEpisode> ep;
  season(year, ep);
  return ep;
}

const std::vector<RegimeEpisode>& SyntheticWinter::season(int year,
                                                          std::vector<RegimeEpisode>& ep) const {
  ep.clear();
  const double t0 = month_start(year, -1), t1 = month_start(year, 7);
  Stream rng(hash3(params_.seed, static_cast<std::uint64_t>(year), 0x5EA50ULL));
  // Severity-1 draws, scaled afterwards: the same seed gives the same sequence of
  // random numbers at every severity, so severity changes durations monotonically.
  auto draw = [&](int r) {
    const RegimeSpec& base = params_.regimes[r];
    const double g = rng.gamma(base.shape) * base.mean_days / base.shape;
    const double scale = spec_[r].mean_days / base.mean_days;
    return std::clamp(g, base.min_days, base.max_days) * scale * kDay;
  };
  const double u0 = rng.uniform();
  int r = 0;
  double acc = 0.0;
  for (r = 0; r < kRegimeCount - 1; ++r) {
    acc += fraction_[r];
    if (u0 < acc) break;
  }
  double d = draw(r);
  double start = t0 - rng.uniform() * d;
  for (;;) {
    RegimeEpisode e;
    e.regime = static_cast<Regime>(r);
    e.start_s = start;
    e.end_s = start + d;
    e.intensity = 1.0 + params_.regimes[r].intensity_spread * (2.0 * rng.uniform() - 1.0);
    ep.push_back(e);
    if (e.end_s >= t1) break;
    start = e.end_s;
    r = (r + 1) % kRegimeCount;
    d = draw(r);
  }
  return ep;
}

namespace {

// The regime parameters as a vector, for blending.
enum Comp {
  kPblDay,
  kPblNight,
  kBlU,
  kBlV,
  kFaU,
  kFaV,
  kTAnom,
  kRhAnom,
  kSlpAnom,
  kSun,
  kDiurnal,
  kInversion,
  kStag,
  kNComp
};
using Vec = std::array<double, kNComp>;

Vec episode_vector(const RegimeSpec& s, const RegimeEpisode& e, double t) {
  Vec p{};
  const double x = std::clamp((t - e.start_s) / (e.end_s - e.start_s), 0.0, 1.0);
  const double trend = s.trend_start + (s.trend_end - s.trend_start) * x;
  const bool vent = e.regime == Regime::kVentilation;
  // Stronger episodes: deeper mixing and stronger wind in ventilation, shallower
  // and calmer in the others.
  const double depth = (vent ? e.intensity : 1.0 / e.intensity) * trend;
  const double wind = (vent ? e.intensity : 1.0 / e.intensity) * trend;
  p[kPblDay] = s.pbl_day_m * depth;
  p[kPblNight] = s.pbl_night_m * depth;
  const double bd = s.bl_dir_deg * kDeg, fd = s.fa_dir_deg * kDeg;
  // Meteorological direction (from): u = -V sin(dir), v = -V cos(dir).
  p[kBlU] = -s.bl_speed * wind * std::sin(bd);
  p[kBlV] = -s.bl_speed * wind * std::cos(bd);
  p[kFaU] = -s.fa_speed * std::sin(fd);
  p[kFaV] = -s.fa_speed * std::cos(fd);
  p[kTAnom] = s.t_anomaly_k;
  p[kRhAnom] = s.rh_anomaly + s.rh_trend * x;
  p[kSlpAnom] = s.slp_anomaly_pa;
  p[kSun] = s.sunshine_factor;
  p[kDiurnal] = s.diurnal_factor;
  p[kInversion] = s.inversion_k * (e.regime == Regime::kStagnation ? e.intensity : 1.0);
  p[kStag] = e.regime == Regime::kStagnation ? 1.0 : 0.0;
  return p;
}

std::size_t find_episode(const std::vector<RegimeEpisode>& ep, double t) {
  auto it = std::upper_bound(ep.begin(), ep.end(), t,
                             [](double v, const RegimeEpisode& e) { return v < e.start_s; });
  return it == ep.begin() ? 0 : static_cast<std::size_t>(it - ep.begin() - 1);
}

}  // namespace

RegimeState SyntheticWinter::state(TimePoint tp) const {
  std::vector<RegimeEpisode> ep;
  season(season_of(tp), ep);
  const double t = seconds_of(tp);
  const std::size_t m = find_episode(ep, t);
  auto vec = [&](std::size_t b) {
    return episode_vector(spec_[static_cast<int>(ep[b].regime)], ep[b], t);
  };
  Vec p = vec(m);
  // Telescoping blend: p = P_0 + Σ_b (P_b - P_{b-1}) S_b(t); inside episode m all
  // S_b with b <= m are 1 and the later ones 0, so only boundaries whose
  // transition window contains t add a correction.
  const std::size_t lo = m > 10 ? m - 10 : 1;
  const std::size_t hi = std::min(ep.size() - 1, m + 10);
  for (std::size_t b = std::max<std::size_t>(lo, 1); b <= hi; ++b) {
    const double tau =
        (ep[b].regime == Regime::kVentilation ? params_.front_hours : params_.change_hours) *
        3600.0;
    const double x = (t - ep[b].start_s + tau) / (2.0 * tau);
    if (x <= 0.0 && b > m) continue;
    if (x >= 1.0 && b <= m) continue;
    const double sb = smootherstep01(x);
    const double expect = b <= m ? 1.0 : 0.0;
    const Vec pb = vec(b), pa = vec(b - 1);
    for (int c = 0; c < kNComp; ++c) p[c] += (pb[c] - pa[c]) * (sb - expect);
  }
  RegimeState s;
  s.regime = ep[m].regime;
  s.pbl_day_m = p[kPblDay];
  s.pbl_night_m = p[kPblNight];
  s.bl_u = p[kBlU];
  s.bl_v = p[kBlV];
  s.fa_u = p[kFaU];
  s.fa_v = p[kFaV];
  s.t_anomaly_k = p[kTAnom];
  s.rh_anomaly = p[kRhAnom];
  s.slp_anomaly_pa = p[kSlpAnom];
  s.sunshine_factor = p[kSun];
  s.diurnal_factor = p[kDiurnal];
  s.inversion_k = p[kInversion];
  s.stagnation_weight = p[kStag];
  return s;
}

Regime SyntheticWinter::regime_at(TimePoint tp) const {
  std::vector<RegimeEpisode> ep;
  season(season_of(tp), ep);
  return ep[find_episode(ep, seconds_of(tp))].regime;
}

// ---- precipitation -----------------------------------------------------------

bool SyntheticWinter::day_spell(long long day, double& start_s, double& end_s,
                                double& rate_mm_h) const {
  const year_month_day ymd{sys_days(days(day))};
  const unsigned month = static_cast<unsigned>(ymd.month());
  if (month >= 5 && month <= 8) return false;
  // October = 0 ... March = 5; September counts as October, April as March.
  const int idx =
      std::clamp(month >= 9 ? static_cast<int>(month) - 10 : static_cast<int>(month) + 2, 0, 5);
  const double ndays = static_cast<double>((sys_days(ymd.year() / ymd.month() / std::chrono::last) -
                                            sys_days(ymd.year() / ymd.month() / 1))
                                               .count() +
                                           1);
  // The regime at local noon (12:00 Beijing time = 04 UTC) sets the chance.
  const TimePoint noon{std::chrono::seconds(day * 86400LL + 4 * 3600LL)};
  const Regime r = regime_at(noon);
  const double p = std::min(1.0, kWetDays[idx] / ndays * spec_[static_cast<int>(r)].precip_weight);
  Stream rng(hash3(params_.seed, static_cast<std::uint64_t>(day), 0x9A1ULL));
  if (rng.uniform() >= p) return false;
  // Amount: 0.1 mm plus an exponential remainder, mean = monthly total / wet days.
  const double mean = kPrecipMm[idx] / kWetDays[idx];
  const double amount = 0.1 + (mean - 0.1) * -std::log(1.0 - rng.uniform());
  // A spell of 1-4 three-hour blocks inside the UTC day.
  const int blocks = 1 + static_cast<int>(rng.uniform() * 4.0);
  const int first = static_cast<int>(rng.uniform() * (8 - blocks + 1));
  start_s = static_cast<double>(day) * kDay + first * 10800.0;
  end_s = start_s + blocks * 10800.0;
  rate_mm_h = amount / (3.0 * blocks);
  return true;
}

double SyntheticWinter::precipitation_mm(TimePoint t0, TimePoint t1) const {
  const double a = seconds_of(t0), b = seconds_of(t1);
  if (!(b > a)) return 0.0;
  const long long d0 = static_cast<long long>(std::floor(a / kDay));
  const long long d1 = static_cast<long long>(std::floor(b / kDay));
  double sum = 0.0;
  for (long long d = d0; d <= d1; ++d) {
    double s0, s1, rate;
    if (!day_spell(d, s0, s1, rate)) continue;
    const double lo = std::max(a, s0), hi = std::min(b, s1);
    if (hi > lo) sum += rate * (hi - lo) / 3600.0;
  }
  return sum;
}

double SyntheticWinter::precipitation_rate(TimePoint t) const {
  return precipitation_mm(t - std::chrono::hours(3), t) / 3.0;
}

bool SyntheticWinter::raining(TimePoint t) const {
  const double ts = seconds_of(t);
  double s0, s1, rate;
  if (!day_spell(static_cast<long long>(std::floor(ts / kDay)), s0, s1, rate)) return false;
  return ts >= s0 && ts < s1;
}

// ---- the record -----------------------------------------------------------------

namespace {

// Thermodynamics exactly as the WRF reader derives it (met/wrf_reader.hpp:
// WRF's constants, Bolton's saturation vapour pressure, moist-air density), so
// that a record written as wrfout and read back gives the same values.
constexpr double kRd = WrfConstants::r_d;
constexpr double kG = WrfConstants::g;
constexpr double kEps = WrfConstants::eps;

// Water-vapour mixing ratio [kg kg-1] at relative humidity rh [1] (over water),
// given e_s(T) [Pa]: e = rh e_s, q = eps e / (p - e), the inverse of
// relative_humidity().
double mixing_ratio(double rh, double es_pa, double p_pa) {
  const double e = rh * es_pa;
  return kEps * e / std::max(p_pa - e, 1.0);
}

}  // namespace

MetRecord SyntheticWinter::record(TimePoint t) const {
  MetRecord r;
  record(t, r);
  return r;
}

void SyntheticWinter::record(TimePoint t, MetRecord& out) const {
  const int nx = grid_.nx(), ny = grid_.ny(), nz = vgrid_.nz();
  const int year = season_of(t);
  if (out.nx != nx || out.ny != ny || out.nz != nz || out.u.nx() != nx + 1)
    out.allocate(nx, ny, nz);
  out.time = t;

  const RegimeState st = state(t);
  const auto curves = season_curves(year);
  const double ts = seconds_of(t);
  const double tmean_k = curves[0].at(ts) + st.t_anomaly_k + 273.15;  // reference station
  const double range_k = curves[1].at(ts) * st.diurnal_factor;
  const double rh_clim = curves[2].at(ts) + st.rh_anomaly;
  const bool rain = raining(t);
  double rain_rate = 0.0;
  if (rain) {
    double s0, s1;
    day_spell(static_cast<long long>(std::floor(ts / kDay)), s0, s1, rain_rate);
  }
  const double sunshine = rain ? 0.0 : std::clamp(curves[3].at(ts) * st.sunshine_factor, 0.0, 1.0);
  const double precip = precipitation_rate(t);
  const Sun sun = sun_at(ts);
  double utc_h = std::fmod(ts / 3600.0, 24.0);
  if (utc_h < 0.0) utc_h += 24.0;
  const SyntheticParams& P = params_;
  // The afternoon maximum at a fixed local solar time: pbl_peak_hour_bt at Xi'an.
  const double peak_lst = P.pbl_peak_hour_bt - 8.0 + P.reference_lon_deg / 15.0 + sun.eot_h;
  const double z0 = P.roughness_m;
  const double slp = P.sea_level_pressure_pa + st.slp_anomaly_pa;
  const double bl_speed = std::hypot(st.bl_u, st.bl_v);
  const double calm = std::clamp(1.0 - bl_speed / 5.0, 0.0, 1.0);
  const double cc_rate = 0.0727;  // dln(e_s)/dT at 0 °C = L / (R_v T^2) [K-1]

  // First-guess wind at cell centres (grid axes) [m s-1].
  const std::size_t ncell = static_cast<std::size_t>(nx) * ny * nz;
  std::vector<double> uc(ncell), vc(ncell);

  auto column = [&](int i, int j) {
    const std::size_t c = grid_.mass(i, j);
    const double h = terrain_(i, j, 0);
    const double lat = grid_.lat(i, j), lon = grid_.lon(i, j);
    const double latr = lat * kDeg;
    const double lst = utc_h + lon / 15.0 + sun.eot_h;
    const double ws = sunset_angle(latr, sun.decl);
    const double sunrise = 12.0 - ws / kDeg / 15.0, sunset = 12.0 + ws / kDeg / 15.0;
    const Diurnal dn = diurnal(lst, sunrise, std::max(sunset, peak_lst + 0.5),
                               std::clamp(peak_lst, sunrise + 2.0, 23.0));
    const double cosz = std::sin(latr) * std::sin(sun.decl) +
                        std::cos(latr) * std::cos(sun.decl) * std::cos((lst - 12.0) * 15.0 * kDeg);
    const double sw =
        cosz > 0.0 ? kSolarConstant * sun.e0 * cosz * (P.angstrom_a + P.angstrom_b * sunshine)
                   : 0.0;

    const double rise = h - ref_elev_;
    const double tfa_h = tmean_k - P.lapse_rate_k_per_m * rise -
                         P.lat_gradient_k_per_deg * (lat - P.reference_lat_deg);
    const double t2 = tfa_h + range_k * (dn.g - dn.gmean);
    const double rh_s =
        std::clamp(rh_clim - P.rh_temperature_coeff * cc_rate * rh_clim * (t2 - tfa_h) -
                       P.rh_altitude_per_m * std::clamp(rise, 0.0, P.rh_altitude_max_rise_m),
                   0.1, 1.0);
    const double gain = 1.0 + P.mountain_pbl_gain * std::clamp(rise / 1000.0, 0.0, 1.0);
    const double pblh = (st.pbl_night_m + (st.pbl_day_m - st.pbl_night_m) * dn.pbl) * gain;
    const double htop = st.pbl_day_m * gain;
    const double psfc = slp * std::exp(-kG * h / (kRd * (tfa_h + 0.5 * P.lapse_rate_k_per_m * h)));

    out.terrain(i, j, 0) = h;
    out.t2(i, j, 0) = t2;
    out.pblh(i, j, 0) = pblh;
    out.psfc(i, j, 0) = psfc;
    out.swdown(i, j, 0) = sw;
    out.precip(i, j, 0) = precip;

    const double d_sfc = std::max(50.0, 0.5 * pblh);
    const double hmoist = std::max(pblh, 0.7 * htop);
    const double cloud_q = rain ? 5e-5 + 2e-4 * std::min(1.0, rain_rate) : 0.0;
    double p_w = psfc;
    for (int k = 0; k <= nz; ++k) out.z_interface(i, j, k) = vgrid_.z_w(i, j, k);
    for (int k = 0; k < nz; ++k) {
      const double zw = vgrid_.z_w(i, j, k), z = vgrid_.z_mid(i, j, k), dz = vgrid_.dz(i, j, k);
      const double tfa = std::max(tfa_h - P.lapse_rate_k_per_m * z, P.tropopause_k);
      const double inv = st.inversion_k * smoothstep01((z - htop) / 300.0) *
                         std::exp(-std::max(0.0, z - htop - 300.0) / 2500.0);
      const double temp = tfa + (t2 - tfa_h) * std::exp(-z / d_sfc) + inv;
      const double rh_fa =
          P.free_rh +
          0.25 * st.stagnation_weight * std::exp(-((z - 2500.0) / 700.0) * ((z - 2500.0) / 700.0));
      double rh = z <= hmoist ? rh_s : rh_fa + (rh_s - rh_fa) * std::exp(-(z - hmoist) / 300.0);
      double cloud = 0.0;
      if (rain && z >= 1000.0 && z <= 3500.0) {
        rh = std::max(rh, 0.99);
        cloud = cloud_q;
      }
      rh = std::min(rh, 1.0);
      // Hydrostatic pressure with the virtual temperature (q first estimated at
      // the interface below, then at the mass point).
      const double es = saturation_vapour_pressure(temp);
      double q = mixing_ratio(rh, es, p_w);
      double tv = temp * (1.0 + q / kEps) / (1.0 + q);
      const double pm = p_w * std::exp(-kG * (z - zw) / (kRd * tv));
      q = mixing_ratio(rh, es, pm);
      tv = temp * (1.0 + q / kEps) / (1.0 + q);
      out.temperature(i, j, k) = temp;
      out.pressure(i, j, k) = pm;
      out.qvapor(i, j, k) = q;
      out.rel_humidity(i, j, k) = rh;
      out.cloud_water(i, j, k) = cloud;
      out.density(i, j, k) = pm / (kRd * tv);
      p_w *= std::exp(-kG * dz / (kRd * tv));
    }

    // First-guess wind: boundary-layer wind (log profile below 100 m) turning
    // into the free-atmosphere wind across the top of the momentum layer,
    // rotated to grid axes, plus slope winds, then channelled.
    const double hd = std::max(st.pbl_day_m, 100.0);
    const double gmag = std::hypot(grad_x_[c], grad_y_[c]);
    const double s_t = 1.0 - 1.5 * dn.pbl;  // +1 night (downslope) .. -0.5 afternoon (upslope)
    const double slope_amp = gmag > 0.0 ? P.slope_wind * std::tanh(gmag / 0.05) * s_t * calm : 0.0;
    const double sdx = gmag > 0.0 ? -grad_x_[c] / gmag : 0.0,
                 sdy = gmag > 0.0 ? -grad_y_[c] / gmag : 0.0;
    const double nxg = north_x_[c], nyg = north_y_[c];
    for (int k = 0; k < nz; ++k) {
      const double z = vgrid_.z_mid(i, j, k);
      const double beta = smoothstep01((z - 0.5 * hd) / hd);
      const double gl =
          z < 100.0 ? std::max(0.0, std::log(std::max(z, z0) / z0) / std::log(100.0 / z0)) : 1.0;
      const double ue = (st.bl_u * (1.0 - beta) + st.fa_u * beta) * gl;
      const double ve = (st.bl_v * (1.0 - beta) + st.fa_v * beta) * gl;
      double ug = ue * nyg + ve * nxg;  // east = (north_y, -north_x)
      double vg = -ue * nxg + ve * nyg;
      const double sl = slope_amp * std::exp(-z / P.slope_depth_m);
      ug += sl * sdx;
      vg += sl * sdy;
      channel_wind(channels_, i, j, z, ug, vg);
      const std::size_t idx = (static_cast<std::size_t>(k) * ny + j) * nx + i;
      uc[idx] = ug;
      vc[idx] = vg;
    }
  };

  // Serial: a record of the full Fenwei grid takes ~40 ms; the wrfout series
  // writer overlaps generation with compression on a second thread instead.
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) column(i, j);
  }

  // Centre winds to faces (the edge cell's value on the domain edges), adjust.
  auto cidx = [&](int i, int j, int k) { return (static_cast<std::size_t>(k) * ny + j) * nx + i; };
  for (int k = 0; k < nz; ++k) {
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i <= nx; ++i) {
        const int a = std::max(i - 1, 0), b = std::min(i, nx - 1);
        out.u(i, j, k) = 0.5 * (uc[cidx(a, j, k)] + uc[cidx(b, j, k)]);
      }
    }
    for (int j = 0; j <= ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        const int a = std::max(j - 1, 0), b = std::min(j, ny - 1);
        out.v(i, j, k) = 0.5 * (vc[cidx(i, a, k)] + vc[cidx(i, b, k)]);
      }
    }
  }
  adjust_wind(grid_, out.density, out.z_interface, out.u, out.v, P.adjust);
  Field fx, fy, fz;
  face_mass_fluxes(grid_, out.density, out.z_interface, out.u, out.v, fx, fy, fz);
  vertical_velocity(grid_, out.density, out.z_interface, terrain_, out.u, out.v, fz, out.w);

  // Surface layer from the lowest model level (neutral log law).
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      const double z1 = std::max(vgrid_.z_mid(i, j, 0), 2.0 * z0);
      const double f10 = std::log(10.0 / z0) / std::log(z1 / z0);
      const double u1 = 0.5 * (out.u(i, j, 0) + out.u(i + 1, j, 0));
      const double v1 = 0.5 * (out.v(i, j, 0) + out.v(i, j + 1, 0));
      out.u10(i, j, 0) = u1 * f10;
      out.v10(i, j, 0) = v1 * f10;
      const double s10 = std::hypot(out.u10(i, j, 0), out.v10(i, j, 0));
      out.ustar(i, j, 0) = std::max(0.05, kKarman * s10 / std::log(10.0 / z0));
      out.hfx(i, j, 0) =
          P.hfx_sw_fraction * out.swdown(i, j, 0) - (P.hfx_night_base + P.hfx_night_per_wind * s10);
    }
  }
  fill_kz(out, P.kz);
}

}  // namespace fwaq

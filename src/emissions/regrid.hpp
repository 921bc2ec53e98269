#pragma once
// Conservative (area-weighted) regridding of emissions from a regular latitude-longitude
// grid onto the model grid.
//
// Method: every source cell is cut into N x N sub-cells of EQUAL AREA on the sphere
// (equal steps in longitude and in sin(latitude)); the centre of each sub-cell is mapped
// through the model projection (HorizontalGrid::index_of) into a model cell. The
// overlap fraction of source cell s with model cell m is then
//     w(s, m) = (number of sub-cells of s whose centre lies in m) / N^2,
// an estimate of area(s ∩ m) / area(s) with an error O(1/N) along model-cell edges
// that does not change totals. A source cell wholly inside the model domain has
// sum_m w(s, m) = 1 (renormalised exactly: w = count / total count), so its mass is
// distributed exactly; the part of a source cell that falls outside the domain
// (sub-cells outside) is dropped and reported by apply(). Values are extensive
// (kg s-1 per cell), so  sum_m target(m) = sum_s w_in(s) source(s)  to rounding.
//
// Cost: N^2 projections per source cell within the domain's bounding box (cells whose
// box misses the domain's box are skipped and count as wholly outside).
#include <cstddef>
#include <span>
#include <vector>

#include "emissions/inventory_reader.hpp"

namespace fwaq {
class HorizontalGrid;
}

namespace fwaq::emissions {

class ConservativeRegridder {
 public:
  /// Weights from `source` to `target` with `subsamples` x `subsamples` sub-cells per
  /// source cell (>= 1; 10 gives overlap fractions good to about 1/10 of a source cell
  /// along the edges). Throws UsageError for subsamples < 1.
  ConservativeRegridder(const LatLonGridSpec& source, const HorizontalGrid& target,
                        int subsamples = 10);

  /// Maps extensive source values [per source cell, row-major, rows south to north] to
  /// the model grid [per model cell, j * nx + i]. `dropped` (optional) receives the sum
  /// of the parts that fall outside the model domain (same unit).
  std::vector<double> apply(std::span<const double> source, double* dropped = nullptr) const;

  /// Fraction [0, 1] of source cell `s` (flat index) inside the model domain.
  double inside_fraction(std::size_t s) const { return inside_[s]; }
  std::size_t source_size() const { return inside_.size(); }
  std::size_t target_size() const { return target_size_; }
  /// Sparse weights of source cell s: pairs (model cell, weight) in [begin, end).
  std::size_t begin(std::size_t s) const { return offset_[s]; }
  std::size_t end(std::size_t s) const { return offset_[s + 1]; }
  std::size_t target_cell(std::size_t k) const { return cell_[k]; }
  double weight(std::size_t k) const { return weight_[k]; }

 private:
  std::size_t target_size_ = 0;
  std::vector<std::size_t> offset_;  // CSR row pointers, size source + 1
  std::vector<std::size_t> cell_;    // model cell of each weight
  std::vector<double> weight_;       // overlap fraction
  std::vector<double> inside_;       // per source cell
};

}  // namespace fwaq::emissions

#include "parallel/decomposition.hpp"

#include <string>

#include "core/error.hpp"

namespace fwaq {

std::array<int, 2> Decomposition::split(int n, int parts, int coord) {
  const int base = n / parts;
  const int rem = n % parts;
  const int count = base + (coord < rem ? 1 : 0);
  const int start = coord * base + (coord < rem ? coord : rem);
  return {start, count};
}

Decomposition::Decomposition(MPI_Comm comm, int nx_global, int ny_global, int nz, bool periodic_x,
                             bool periodic_y, int min_cells, int px, int py)
    : nxg_(nx_global), nyg_(ny_global), nz_(nz) {
  int nranks = 1;
  MPI_Comm_size(comm, &nranks);
  if (nx_global <= 0 || ny_global <= 0 || nz <= 0) {
    throw UsageError("grid extents must be positive, got " + std::to_string(nx_global) + " x " +
                     std::to_string(ny_global) + " x " + std::to_string(nz));
  }
  dims_ = {px, py};
  if (px == 0 && py == 0) {
    // Prefer the split that keeps every rank at least min_cells wide: try all
    // factorisations and take the most square one that fits.
    int best_px = 0;
    double best_score = 1e300;
    for (int p = 1; p <= nranks; ++p) {
      if (nranks % p != 0) continue;
      const int q = nranks / p;
      if ((p > 1 && nx_global / p < min_cells) || (q > 1 && ny_global / q < min_cells)) continue;
      const double ax = static_cast<double>(nx_global) / p, ay = static_cast<double>(ny_global) / q;
      const double score = ax > ay ? ax / ay : ay / ax;
      if (score < best_score) {
        best_score = score;
        best_px = p;
      }
    }
    if (best_px == 0) {
      throw UsageError("cannot decompose a " + std::to_string(nx_global) + " x " +
                       std::to_string(ny_global) + " grid over " + std::to_string(nranks) +
                       " ranks with at least " + std::to_string(min_cells) +
                       " cells per rank in each direction; use fewer ranks");
    }
    dims_ = {best_px, nranks / best_px};
  } else {
    MPI_Dims_create(nranks, 2, dims_.data());
  }
  if (dims_[0] * dims_[1] != nranks) {
    throw UsageError("process grid " + std::to_string(dims_[0]) + " x " + std::to_string(dims_[1]) +
                     " does not match " + std::to_string(nranks) + " ranks");
  }
  if ((dims_[0] > 1 && nx_global / dims_[0] < min_cells) ||
      (dims_[1] > 1 && ny_global / dims_[1] < min_cells)) {
    throw UsageError("process grid " + std::to_string(dims_[0]) + " x " + std::to_string(dims_[1]) +
                     " leaves fewer than " + std::to_string(min_cells) + " cells per rank for a " +
                     std::to_string(nx_global) + " x " + std::to_string(ny_global) + " grid");
  }
  periodic_ = {periodic_x ? 1 : 0, periodic_y ? 1 : 0};
  // MPI's Cartesian ordering is row-major over dims (x slowest); keep ranks in
  // that order (no reordering) so rank numbering is reproducible.
  MPI_Cart_create(comm, 2, dims_.data(), periodic_.data(), 0, &cart_);
  MPI_Comm_rank(cart_, &rank_);
  MPI_Comm_size(cart_, &size_);
  int coords[2] = {0, 0};
  MPI_Cart_coords(cart_, rank_, 2, coords);
  const auto sx = split(nx_global, dims_[0], coords[0]);
  const auto sy = split(ny_global, dims_[1], coords[1]);
  i0_ = sx[0];
  nx_ = sx[1];
  j0_ = sy[0];
  ny_ = sy[1];
  MPI_Cart_shift(cart_, 0, 1, &west_, &east_);
  MPI_Cart_shift(cart_, 1, 1, &south_, &north_);
}

Decomposition::~Decomposition() {
  if (cart_ != MPI_COMM_NULL) MPI_Comm_free(&cart_);
}

}  // namespace fwaq

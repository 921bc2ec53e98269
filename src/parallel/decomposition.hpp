#pragma once
// 2-D domain decomposition of the horizontal grid over a Cartesian communicator.
#include <mpi.h>

#include <array>

namespace fwaq {

/// Splits an nx × ny grid over px × py ranks (any factors, uneven remainders
/// allowed: the first nx % px ranks in x get one cell more). Columns are whole
/// on each rank. Periodic axes wrap; on the others the outer neighbours are
/// MPI_PROC_NULL and halos are filled by boundary conditions.
class Decomposition {
 public:
  /// @param comm  communicator to decompose over (duplicated; the caller keeps its own)
  /// @param px,py process grid; 0 lets MPI_Dims_create choose
  /// @param min_cells smallest number of cells a rank may hold along each axis (halo width)
  Decomposition(MPI_Comm comm, int nx_global, int ny_global, int nz, bool periodic_x,
                bool periodic_y, int min_cells, int px = 0, int py = 0);
  ~Decomposition();
  Decomposition(const Decomposition&) = delete;
  Decomposition& operator=(const Decomposition&) = delete;

  MPI_Comm comm() const { return cart_; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  int px() const { return dims_[0]; }
  int py() const { return dims_[1]; }
  int nx_global() const { return nxg_; }
  int ny_global() const { return nyg_; }
  int nz() const { return nz_; }
  /// Local extents and the global index of the first local cell.
  int nx() const { return nx_; }
  int ny() const { return ny_; }
  int i0() const { return i0_; }
  int j0() const { return j0_; }
  bool periodic_x() const { return periodic_[0] != 0; }
  bool periodic_y() const { return periodic_[1] != 0; }
  /// Neighbour ranks (MPI_PROC_NULL outside a non-periodic domain).
  int west() const { return west_; }
  int east() const { return east_; }
  int south() const { return south_; }
  int north() const { return north_; }
  /// True where this rank's edge is the edge of the domain (non-periodic).
  bool at_west_boundary() const { return west_ == MPI_PROC_NULL; }
  bool at_east_boundary() const { return east_ == MPI_PROC_NULL; }
  bool at_south_boundary() const { return south_ == MPI_PROC_NULL; }
  bool at_north_boundary() const { return north_ == MPI_PROC_NULL; }

  /// Start and count of block `coord` of `n` cells split `parts` ways.
  static std::array<int, 2> split(int n, int parts, int coord);

 private:
  MPI_Comm cart_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
  std::array<int, 2> dims_{1, 1};
  std::array<int, 2> periodic_{0, 0};
  int nxg_, nyg_, nz_;
  int nx_ = 0, ny_ = 0, i0_ = 0, j0_ = 0;
  int west_, east_, south_, north_;
};

}  // namespace fwaq

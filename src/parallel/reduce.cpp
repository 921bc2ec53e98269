#include "parallel/reduce.hpp"

#include <mpi.h>

#include <bit>
#include <limits>

namespace fwaq {

namespace {
// SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
std::uint64_t mix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t hash_name(const std::string& s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a offset basis
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}
}  // namespace

std::vector<double> gather_global(const Field& f, const Decomposition& d) {
  const int nx = f.nx(), ny = f.ny(), nz = f.nz();
  std::vector<double> local(static_cast<std::size_t>(nx) * ny * nz);
  std::size_t p = 0;
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) local[p++] = f(i, j, k);
  const int n = static_cast<int>(local.size());
  std::vector<int> counts(d.size()), displs(d.size());
  MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, d.comm());
  std::vector<double> all;
  if (d.rank() == 0) {
    int total = 0;
    for (int r = 0; r < d.size(); ++r) {
      displs[r] = total;
      total += counts[r];
    }
    all.resize(total);
  }
  MPI_Gatherv(local.data(), n, MPI_DOUBLE, all.data(), counts.data(), displs.data(), MPI_DOUBLE, 0,
              d.comm());
  if (d.rank() != 0) return {};
  // Reorder the per-rank blocks into global order.
  std::vector<double> global(static_cast<std::size_t>(d.nx_global()) * d.ny_global() * nz);
  for (int r = 0; r < d.size(); ++r) {
    int coords[2];
    MPI_Cart_coords(d.comm(), r, 2, coords);
    const auto sx = Decomposition::split(d.nx_global(), d.px(), coords[0]);
    const auto sy = Decomposition::split(d.ny_global(), d.py(), coords[1]);
    std::size_t q = displs[r];
    for (int k = 0; k < nz; ++k)
      for (int j = 0; j < sy[1]; ++j)
        for (int i = 0; i < sx[1]; ++i)
          global[(static_cast<std::size_t>(k) * d.ny_global() + sy[0] + j) * d.nx_global() + sx[0] +
                 i] = all[q++];
  }
  return global;
}

double global_sum(const Field& a, const Field* b, const Decomposition& d) {
  Field prod("product", "", a.nx(), a.ny(), a.nz(), 0);
  for (int k = 0; k < a.nz(); ++k)
    for (int j = 0; j < a.ny(); ++j)
      for (int i = 0; i < a.nx(); ++i) prod(i, j, k) = b ? a(i, j, k) * (*b)(i, j, k) : a(i, j, k);
  const std::vector<double> g = gather_global(prod, d);
  double s = 0.0;
  for (double v : g) s += v;
  MPI_Bcast(&s, 1, MPI_DOUBLE, 0, d.comm());
  return s;
}

void global_min_max(const Field& f, const Decomposition& d, double& min, double& max) {
  double v[2] = {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
  for (int k = 0; k < f.nz(); ++k)
    for (int j = 0; j < f.ny(); ++j)
      for (int i = 0; i < f.nx(); ++i) {
        v[0] = std::min(v[0], f(i, j, k));
        v[1] = std::min(v[1], -f(i, j, k));
      }
  MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_DOUBLE, MPI_MIN, d.comm());
  min = v[0];
  max = -v[1];
}

std::uint64_t state_hash(const std::vector<const Field*>& fields, const Decomposition& d) {
  std::uint64_t h = 0;
  for (const Field* f : fields) {
    const std::uint64_t fh = hash_name(f->name());
    for (int k = 0; k < f->nz(); ++k)
      for (int j = 0; j < f->ny(); ++j)
        for (int i = 0; i < f->nx(); ++i) {
          const std::uint64_t gidx =
              (static_cast<std::uint64_t>(k) * d.ny_global() + (d.j0() + j)) * d.nx_global() +
              (d.i0() + i);
          const double v = (*f)(i, j, k) + 0.0;  // +0.0 maps -0.0 to +0.0
          h += mix64(fh ^ mix64(gidx ^ mix64(std::bit_cast<std::uint64_t>(v))));
        }
  }
  MPI_Allreduce(MPI_IN_PLACE, &h, 1, MPI_UINT64_T, MPI_SUM, d.comm());
  return h;
}

}  // namespace fwaq

#include "parallel/halo.hpp"

#include <stdexcept>

namespace fwaq {

namespace {
// Visits the block of cells a halo message covers. side 0: low, 1: high;
// interior=true gives the cells sent, false the halo cells received.
template <class F>
void for_block(const Field& f, Axis axis, int width, int side, bool interior, F&& fn) {
  const int nz = f.nz();
  if (axis == Axis::X) {
    const int i_begin = interior ? (side == 0 ? 0 : f.nx() - width) : (side == 0 ? -width : f.nx());
    for (int k = 0; k < nz; ++k)
      for (int j = 0; j < f.ny(); ++j)
        for (int i = i_begin; i < i_begin + width; ++i) fn(f.index(i, j, k));
  } else {
    const int j_begin = interior ? (side == 0 ? 0 : f.ny() - width) : (side == 0 ? -width : f.ny());
    for (int k = 0; k < nz; ++k)
      for (int j = j_begin; j < j_begin + width; ++j)
        for (int i = 0; i < f.nx(); ++i) fn(f.index(i, j, k));
  }
}
}  // namespace

HaloExchange::~HaloExchange() {
  if (active_) MPI_Waitall(4, requests_, MPI_STATUSES_IGNORE);
}

void HaloExchange::pack(int side, std::vector<double>& buf) const {
  buf.clear();
  for (const Field* f : fields_) {
    const double* d = f->data();
    for_block(*f, axis_, width_, side, true, [&](std::ptrdiff_t n) { buf.push_back(d[n]); });
  }
}

void HaloExchange::unpack(int side, const std::vector<double>& buf) {
  std::size_t p = 0;
  for (Field* f : fields_) {
    double* d = f->data();
    for_block(*f, axis_, width_, side, false, [&](std::ptrdiff_t n) { d[n] = buf[p++]; });
  }
}

void HaloExchange::start(const std::vector<Field*>& fields, Axis axis, int width) {
  if (active_) throw std::logic_error("HaloExchange::start while an exchange is in flight");
  if (fields.empty()) return;
  fields_ = fields;
  axis_ = axis;
  width_ = width;
  const int low = axis == Axis::X ? decomp_.west() : decomp_.south();
  const int high = axis == Axis::X ? decomp_.east() : decomp_.north();
  std::size_t count = 0;
  for (const Field* f : fields) {
    if (f->halo() < width) throw std::logic_error("HaloExchange: halo narrower than requested");
    if ((axis == Axis::X ? f->nx() : f->ny()) < width) {
      throw std::logic_error("HaloExchange: a rank holds fewer cells than the halo width");
    }
    count += static_cast<std::size_t>(width) * f->nz() * (axis == Axis::X ? f->ny() : f->nx());
  }
  for (int s = 0; s < 2; ++s) recv_[s].resize(count);
  pack(0, send_[0]);
  pack(1, send_[1]);
  const MPI_Comm comm = decomp_.comm();
  const int n = static_cast<int>(count);
  // Tag 0: data travelling to the high side; tag 1: to the low side.
  MPI_Irecv(recv_[0].data(), n, MPI_DOUBLE, low, 0, comm, &requests_[0]);
  MPI_Irecv(recv_[1].data(), n, MPI_DOUBLE, high, 1, comm, &requests_[1]);
  MPI_Isend(send_[1].data(), n, MPI_DOUBLE, high, 0, comm, &requests_[2]);
  MPI_Isend(send_[0].data(), n, MPI_DOUBLE, low, 1, comm, &requests_[3]);
  active_ = true;
}

void HaloExchange::finish() {
  if (!active_) return;
  MPI_Waitall(4, requests_, MPI_STATUSES_IGNORE);
  active_ = false;
  const int low = axis_ == Axis::X ? decomp_.west() : decomp_.south();
  const int high = axis_ == Axis::X ? decomp_.east() : decomp_.north();
  if (low != MPI_PROC_NULL) unpack(0, recv_[0]);
  if (high != MPI_PROC_NULL) unpack(1, recv_[1]);
}

}  // namespace fwaq

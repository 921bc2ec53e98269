#pragma once
// Split-phase halo exchange: start() packs and posts the messages, the caller
// computes the interior, finish() waits and unpacks, the caller computes the rim.
#include <mpi.h>

#include <vector>

#include "field/field.hpp"
#include "parallel/decomposition.hpp"

namespace fwaq {

enum class Axis { X, Y };

class HaloExchange {
 public:
  explicit HaloExchange(const Decomposition& decomp) : decomp_(decomp) {}
  HaloExchange(const HaloExchange&) = delete;
  HaloExchange& operator=(const HaloExchange&) = delete;
  ~HaloExchange();

  /// Posts the exchange of `width` halo cells along `axis` for all `fields`
  /// (all of the same shape). Halos along the other axis are not touched.
  void start(const std::vector<Field*>& fields, Axis axis, int width);
  /// Waits for the messages of the last start() and writes the halos.
  void finish();
  /// start() followed by finish().
  void exchange(const std::vector<Field*>& fields, Axis axis, int width) {
    start(fields, axis, width);
    finish();
  }

 private:
  void pack(int side, std::vector<double>& buf) const;
  void unpack(int side, const std::vector<double>& buf);

  const Decomposition& decomp_;
  std::vector<Field*> fields_;
  Axis axis_ = Axis::X;
  int width_ = 0;
  bool active_ = false;
  std::vector<double> send_[2], recv_[2];  // [0]: low side (west/south), [1]: high side
  MPI_Request requests_[4];
};

}  // namespace fwaq

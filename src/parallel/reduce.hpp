#pragma once
// Reductions whose results do not depend on the number of ranks or threads.
#include <cstdint>
#include <vector>

#include "field/field.hpp"
#include "parallel/decomposition.hpp"

namespace fwaq {

/// Gathers the interior of `f` in global order (x fastest, then y, then z) on
/// rank 0 of the decomposition; other ranks get an empty vector.
std::vector<double> gather_global(const Field& f, const Decomposition& d);

/// Σ a·b over all interior cells (b may be null: Σ a), summed in global index
/// order so the result is identical for every decomposition. Collective;
/// every rank gets the result.
double global_sum(const Field& a, const Field* b, const Decomposition& d);

/// Global minimum and maximum over the interior of `f`. Collective.
void global_min_max(const Field& f, const Decomposition& d, double& min, double& max);

/// Hash of the interior values of the given fields, identical for every
/// decomposition: each value's bits are mixed with its field's name and its
/// global index, and the mixes are summed modulo 2^64 (an order-free combination
/// in which every cell still counts at its own global position). Collective.
std::uint64_t state_hash(const std::vector<const Field*>& fields, const Decomposition& d);

}  // namespace fwaq

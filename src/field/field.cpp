#include "field/field.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace fwaq {

Field::Field(std::string name, std::string units, int nx, int ny, int nz, int halo, double value)
    : name_(std::move(name)),
      units_(std::move(units)),
      nx_(nx),
      ny_(ny),
      nz_(nz),
      halo_(halo),
      sx_(nx + 2 * halo),
      sxy_(static_cast<std::ptrdiff_t>(nx + 2 * halo) * (ny + 2 * halo)) {
  if (nx <= 0 || ny <= 0 || nz <= 0 || halo < 0) {
    throw std::invalid_argument("Field '" + name_ + "': non-positive extent");
  }
  data_.assign(static_cast<std::size_t>(sxy_) * nz, value);
}

void Field::fill(double value) {
  std::fill(data_.begin(), data_.end(), value);
}

void Field::swap_data(Field& other) {
  if (other.size() != size()) throw std::logic_error("Field::swap_data: shapes differ");
  data_.swap(other.data_);
}

Field* State::find(const std::string& name) {
  if (air_mass.name() == name) return &air_mass;
  for (auto& f : tracers) {
    if (f.name() == name) return &f;
  }
  return nullptr;
}

}  // namespace fwaq

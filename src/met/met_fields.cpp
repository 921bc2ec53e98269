#include "met/met_fields.hpp"

namespace fwaq {

void MetRecord::allocate(int nx_, int ny_, int nz_) {
  nx = nx_;
  ny = ny_;
  nz = nz_;
  auto f3 = [&](const char* name, const char* units, int ex, int ey, int ez) {
    return Field(name, units, nx + ex, ny + ey, nz + ez, 0);
  };
  auto f2 = [&](const char* name, const char* units) { return Field(name, units, nx, ny, 1, 0); };
  temperature = f3("temperature", "K", 0, 0, 0);
  pressure = f3("pressure", "Pa", 0, 0, 0);
  density = f3("air_density", "kg m-3", 0, 0, 0);
  qvapor = f3("qvapor", "kg kg-1", 0, 0, 0);
  rel_humidity = f3("relative_humidity", "1", 0, 0, 0);
  cloud_water = f3("cloud_water", "kg kg-1", 0, 0, 0);
  z_interface = f3("z_interface", "m", 0, 0, 1);
  u = f3("u", "m s-1", 1, 0, 0);
  v = f3("v", "m s-1", 0, 1, 0);
  w = f3("w", "m s-1", 0, 0, 1);
  kz = f3("kz", "m2 s-1", 0, 0, 1);
  terrain = f2("terrain", "m");
  pblh = f2("pblh", "m");
  ustar = f2("ustar", "m s-1");
  hfx = f2("hfx", "W m-2");
  t2 = f2("t2", "K");
  u10 = f2("u10", "m s-1");
  v10 = f2("v10", "m s-1");
  psfc = f2("psfc", "Pa");
  swdown = f2("swdown", "W m-2");
  precip = f2("precip", "mm h-1");
}

}  // namespace fwaq

#pragma once
// Lateral and top boundary conditions for transport.
#include <functional>

namespace fwaq {

/// Sides of the domain. Low/high along x are west/east, along y south/north.
enum class Side { West = 0, East = 1, South = 2, North = 3, Top = 4 };

/// Boundary values for the tracers. Where air flows into the domain the halo
/// cells take the inflow mixing ratio; where it flows out they copy the edge
/// cell (zero gradient), so the outflow flux is set by the interior alone.
/// Periodic axes are handled by the decomposition and never ask for values.
struct BoundaryConditions {
  /// Inflow mixing ratio [tracer units] for (tracer, side, level k, global index
  /// along the side (j for west/east, i for south/north, and for the top the
  /// global cell index j*nx+i)). Empty: zero-gradient everywhere (also for inflow).
  std::function<double(int tracer, Side side, int k, int along)> inflow;
};

}  // namespace fwaq

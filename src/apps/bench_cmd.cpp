// `fwaq bench transport`: measured in src/bench (see docs/performance.md).
#include "apps/commands.hpp"

namespace fwaq::apps {
void add_bench_command(CLI::App&, Command&) {}
}  // namespace fwaq::apps

// `fwaq inspect FILE`: what an input file is and whether a run can use it.
#include "apps/commands.hpp"

namespace fwaq::apps {
void add_inspect_command(CLI::App&, Command&) {}
}  // namespace fwaq::apps

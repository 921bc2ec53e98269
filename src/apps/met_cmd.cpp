// `fwaq met ...`: meteorology tools (synthesize).
#include "apps/commands.hpp"

namespace fwaq::apps {
void add_met_command(CLI::App&, Command&) {}
}  // namespace fwaq::apps

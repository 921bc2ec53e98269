// `fwaq emissions ...`: emission tools (summary).
#include "apps/commands.hpp"

namespace fwaq::apps {
void add_emissions_command(CLI::App&, Command&) {}
}  // namespace fwaq::apps

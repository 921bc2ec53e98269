// `fwaq prepare ...`: derive the built-in case's input files (domain, terrain, masks).
#include "apps/commands.hpp"

namespace fwaq::apps {
void add_prepare_command(CLI::App&, Command&) {}
}  // namespace fwaq::apps

// anyserial CLI — the command registry and the lazily loaded plugin host.
#include "command.hpp"

namespace anyserial::cli {
namespace {

std::vector<Command> &registry() {
    static std::vector<Command> commands;  // filled during static initialisation
    return commands;
}

}  // namespace

Registration::Registration(std::string name, std::string summary, CommandFn run) {
    registry().push_back({std::move(name), std::move(summary), run});
}

const std::vector<Command> &commands() {
    return registry();
}

PluginHost &Context::host() {
    if (!host_) {
        host_ = std::make_unique<PluginHost>();
        host_->load_default(plugin_dirs);
    }
    return *host_;
}

Context::~Context() = default;

}  // namespace anyserial::cli

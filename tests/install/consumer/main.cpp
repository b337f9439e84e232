// Links the installed libanyserial: loads the installed plugins and one extra directory,
// prints "<version> <plugins> <refused>".
#include <anyserial/plugin_host.hpp>
#include <anyserial/version.hpp>
#include <iostream>

int main(int argc, char **argv) {
    anyserial::PluginHost host;
    std::vector<std::filesystem::path> extra;
    for (int i = 1; i < argc; ++i)
        extra.emplace_back(argv[i]);
    host.load_default(extra);
    std::cout << anyserial::version() << ' ' << host.plugins().size() << ' '
              << host.refused().size() << '\n';
    return host.backend_for("echo://x") != nullptr ? 0 : 1;
}

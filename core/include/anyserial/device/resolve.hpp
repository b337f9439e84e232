// anyserial — what a DeviceOptions::protocol string and address mean against the loaded
// plugins, checked before any I/O (async_open_device runs these first; a CLI can run them
// to fail with exit 2 before opening anything).
#pragma once

#include <anyserial/device/errors.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace anyserial {
class PluginHost;
class LoadedProtocol;
}  // namespace anyserial

namespace anyserial::device {

struct ProtocolChoice {
    // One protocol (an id or FAMILY:MODE), or AUTO's ladder in probe order.
    std::vector<const LoadedProtocol *> candidates;
    bool automatic = false;
    std::string family;  // AUTO's family ("" over several); the chosen protocol's otherwise
};

// `protocol`: a loaded plugin id | FAMILY:MODE | FAMILY:auto | auto (AUTO over `family`,
// or over every loaded family, by name, when `family` is empty). Throws ValidationError naming
// what is loaded when nothing matches.
ProtocolChoice resolve_protocol(const PluginHost &host, std::string_view protocol,
                                std::string_view family = {});

// The canonical text of `address` in the protocol's declared syntax ("" = its default).
// A protocol without addresses ignores it and gives "". Throws ValidationError quoting
// the syntax.
std::string normalise_address(const LoadedProtocol &protocol, std::string_view address);

// "acme-flow (acme:ascii), acme-stream (acme:stream)": every loaded protocol, for messages.
std::string describe_loaded_protocols(const PluginHost &host);

}  // namespace anyserial::device

// anyserial CLI — what --protocol and --address name, checked against the loaded protocol
// plugins before any I/O. Nothing here knows a device: protocols, their addresses and
// commands are what the plugins declare.
//
//   --protocol ID           a loaded protocol plugin id ("acme-flow-rtu")
//   --protocol FAMILY:MODE  the protocol of that mode in that family
//   --protocol FAMILY:auto  AUTO over the family's protocols
//   --protocol auto         AUTO over every loaded family (the core's resolve_protocol)
//   --protocol MODE         shorthand: the one loaded protocol with that mode
#pragma once

#include <anyserial/device/models.hpp>
#include <anyserial/plugin_host.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anyserial::cli {

// One loaded protocol's declarations, as models.
struct ProtocolInfo {
    const LoadedProtocol *loaded = nullptr;
    std::string id, family, mode;
    bool broadcast = false;
    bool simulator = false;  // ships the simulator/2 extension
    device::AddressSyntax address;
    std::vector<device::CommandInfo> commands;
    const device::CommandInfo *command(std::string_view id) const noexcept;
};

ProtocolInfo describe_protocol(const LoadedProtocol &p);

// What --protocol resolved to.
struct ProtocolChoice {
    std::string text;        // as given
    std::string option;      // for DeviceOptions::protocol (a bare MODE becomes its id)
    std::string family;      // for DeviceOptions::family when AUTO
    bool automatic = false;  // AUTO over `candidates`
    std::vector<ProtocolInfo> candidates;  // the one protocol, or AUTO's
    const ProtocolInfo &only() const { return candidates.front(); }
};

// Resolves `text`; a UsageError (exit 2) lists what is loaded when it names nothing.
ProtocolChoice resolve_protocol(const PluginHost &host, std::string_view text);
// The same, but one protocol (not AUTO): simulate, decode, command --list.
ProtocolChoice resolve_one_protocol(const PluginHost &host, std::string_view text,
                                    std::string_view why_one);

// "--protocol must be ...: loaded: a (fam:mode), ...; families: ..." for errors.
std::string loaded_protocols(const PluginHost &host);

// The declared description ("slave id 1..247"), or what the kind and range say when the
// plugin gave no text.
std::string syntax_text(const device::AddressSyntax &a);

// The canonical text of --address (`given` nullopt or empty = the protocol's default: "").
// Checked against every candidate's declared syntax; a UsageError names the option, the
// value and the syntax. A protocol without addresses refuses one.
std::string checked_address(const ProtocolChoice &choice, const std::optional<std::string> &given,
                            std::string_view option = "--address");

}  // namespace anyserial::cli

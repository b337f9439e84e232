// anyserial CLI — --protocol and --address against the loaded protocol plugins.
#include "protocols.hpp"

#include <anyserial/sdk/ext/simulator.h>
#include <fmt/format.h>

#include <anyserial/device/errors.hpp>
#include <anyserial/device/resolve.hpp>

#include "command.hpp"

namespace anyserial::cli {
namespace {

[[noreturn]] void refuse(const PluginHost &host, std::string_view text, std::string_view why) {
    throw UsageError(fmt::format("--protocol '{}': {}; {}", text, why, loaded_protocols(host)));
}

}  // namespace

std::string syntax_text(const device::AddressSyntax &a) {
    if (!a.description.empty()) return a.description;
    if (a.kind == device::AddressSyntax::Kind::letter)
        return fmt::format("one letter {}..{}", static_cast<char>(a.min), static_cast<char>(a.max));
    return fmt::format("a whole number {}..{}", a.min, a.max);
}

const device::CommandInfo *ProtocolInfo::command(std::string_view want) const noexcept {
    for (const auto &c : commands)
        if (c.id == want) return &c;
    return nullptr;
}

ProtocolInfo describe_protocol(const LoadedProtocol &p) {
    const ProtocolModel &m = p.model();
    ProtocolInfo r;
    r.loaded = &p;
    r.id = m.id;
    r.family = m.family;
    r.mode = m.mode;
    r.broadcast = m.broadcast;
    r.simulator = p.extension(ANYSERIAL_EXT_SIMULATOR_ID) != nullptr;
    r.address = m.address;
    r.commands = m.commands;
    return r;
}

std::string loaded_protocols(const PluginHost &host) {
    if (host.protocols().empty()) return "no protocol plugin is loaded (see `anyserial plugins`)";
    return "loaded: " + device::describe_loaded_protocols(host);
}

// The core's resolve_protocol (the one the device open runs), plus the CLI's shorthand: a
// bare MODE names the one loaded protocol that has it. Refusals are usage errors (exit 2).
ProtocolChoice resolve_protocol(const PluginHost &host, std::string_view text) {
    ProtocolChoice c;
    c.text = std::string(text);
    c.option = c.text;
    if (text != "auto" && text.find(':') == std::string_view::npos &&
        host.protocol(text) == nullptr) {
        std::vector<const LoadedProtocol *> same_mode;
        for (const LoadedProtocol *p : host.protocols())
            if (p->model().mode == text) same_mode.push_back(p);
        if (same_mode.size() > 1) refuse(host, text, "several loaded protocols have this mode");
        if (same_mode.empty()) refuse(host, text, "no such protocol");
        c.option = same_mode.front()->id();
    }
    device::ProtocolChoice core;
    try {
        core = device::resolve_protocol(host, c.option);
    } catch (const device::DeviceError &e) {
        throw UsageError(fmt::format("--protocol '{}': {}", text, e.message()));
    }
    c.automatic = core.automatic;
    c.family = core.family;
    for (const LoadedProtocol *p : core.candidates)
        if (!c.automatic || p->model().probe_kind != ANYSERIAL_PROBE_NONE)
            c.candidates.push_back(describe_protocol(*p));
    if (c.candidates.empty()) refuse(host, text, "no loaded protocol takes part in AUTO");
    return c;
}

ProtocolChoice resolve_one_protocol(const PluginHost &host, std::string_view text,
                                    std::string_view why_one) {
    ProtocolChoice c = resolve_protocol(host, text);
    if (c.automatic) refuse(host, text, fmt::format("{} needs one protocol, not AUTO", why_one));
    return c;
}

std::string checked_address(const ProtocolChoice &choice, const std::optional<std::string> &given,
                            std::string_view option) {
    if (!given || given->empty()) return {};
    // AUTO over several families (as the core's open): the address need only suit one.
    const bool several = choice.automatic && choice.family.empty();
    std::string canonical, refusal;
    bool any = false;
    for (const ProtocolInfo &p : choice.candidates) {
        if (p.address.kind == device::AddressSyntax::Kind::none) continue;
        any = true;
        const auto n = p.address.normalise(*given);
        if (!n && refusal.empty())
            refusal = fmt::format("{} '{}' is not an address of {}: {}", option, *given, p.id,
                                  syntax_text(p.address));
        if (!n && !several) throw UsageError(refusal);
        if (n && canonical.empty()) canonical = *n;
    }
    if (!any)
        throw UsageError(fmt::format(
            "{} '{}': {} takes no address", option, *given,
            choice.automatic
                ? "no protocol of " + (several ? std::string("any loaded family") : choice.family)
                : choice.only().id));
    if (canonical.empty()) throw UsageError(refusal);
    return canonical;
}

}  // namespace anyserial::cli

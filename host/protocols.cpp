// anyserial CLI — --protocol and --address against the loaded protocol plugins.
#include "protocols.hpp"

#include <anyserial/sdk/ext/simulator.h>
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "command.hpp"

namespace anyserial::cli {
namespace {

std::string text_of(const char *s) {
    return s != nullptr ? std::string(s) : std::string();
}

device::ValueType value_type_of(std::uint32_t t) {
    switch (t) {
        case ANYSERIAL_VALUE_NUMBER:
            return device::ValueType::number;
        case ANYSERIAL_VALUE_TEXT:
            return device::ValueType::text;
        case ANYSERIAL_VALUE_INTEGER:
            return device::ValueType::integer;
        default:
            return device::ValueType::absent;
    }
}

device::Safety safety_of(std::uint32_t s) {
    switch (s) {
        case ANYSERIAL_SAFETY_READ_ONLY:
            return device::Safety::read_only;
        case ANYSERIAL_SAFETY_STATE_CHANGING:
            return device::Safety::state_changing;
        default:
            return device::Safety::destructive;  // an unknown tier is gated like the worst
    }
}

device::AddressSyntax address_of(const anyserial_address_syntax_t *a) {
    device::AddressSyntax s;
    if (a == nullptr || a->kind == ANYSERIAL_ADDRESS_NONE) return s;
    s.kind = a->kind == ANYSERIAL_ADDRESS_LETTER ? device::AddressSyntax::Kind::letter
                                                 : device::AddressSyntax::Kind::integer;
    s.min = a->min;
    s.max = a->max;
    s.default_address = text_of(a->default_address);
    s.description = text_of(a->description);
    return s;
}

device::ArgInfo arg_of(const anyserial_arg_info_t &a) {
    device::ArgInfo r;
    r.id = text_of(a.id);
    r.summary = text_of(a.summary);
    r.type = value_type_of(a.value_type);
    r.unit = text_of(a.unit);
    r.optional = a.optional;
    if (a.has_range) {
        r.min = a.min;
        r.max = a.max;
    }
    for (std::uint32_t i = 0; i < a.choice_count && a.choices != nullptr; ++i)
        r.choices.push_back(text_of(a.choices[i]));
    r.max_length = a.max_length;
    return r;
}

device::CommandInfo command_of(const anyserial_command_info_t &c) {
    device::CommandInfo r;
    r.id = text_of(c.id);
    r.summary = text_of(c.summary);
    r.safety = safety_of(c.safety);
    for (std::uint32_t i = 0; i < c.arg_count && c.args != nullptr; ++i)
        if (c.args[i] != nullptr) r.args.push_back(arg_of(*c.args[i]));
    return r;
}

// "acme-flow-rtu (acme-flow:rtu)".
std::string label(const LoadedProtocol &p) {
    const auto &d = p.descriptor();
    return fmt::format("{} ({}:{})", text_of(d.id), text_of(d.device_family), text_of(d.mode));
}

std::vector<std::string> families(const PluginHost &host) {
    std::set<std::string> f;
    for (const LoadedProtocol *p : host.protocols())
        f.insert(text_of(p->descriptor().device_family));
    return {f.begin(), f.end()};
}

// AUTO's rungs in a family: the protocols AUTO tries (probe_kind != NONE), in its order.
std::vector<ProtocolInfo> auto_candidates(const PluginHost &host, const std::string &family) {
    std::vector<ProtocolInfo> out;
    for (const LoadedProtocol *p : host.protocols_in_family(family))
        if (p->descriptor().probe_kind != ANYSERIAL_PROBE_NONE)
            out.push_back(describe_protocol(*p));
    return out;
}

}  // namespace

std::string syntax_text(const device::AddressSyntax &a) {
    if (!a.description.empty()) return a.description;
    if (a.kind == device::AddressSyntax::Kind::letter)
        return fmt::format("one letter {}..{}", static_cast<char>(a.min), static_cast<char>(a.max));
    return fmt::format("a whole number {}..{}", a.min, a.max);
}

namespace {

[[noreturn]] void refuse(const PluginHost &host, std::string_view text, std::string_view why) {
    throw UsageError(fmt::format("--protocol '{}': {}; {}", text, why, loaded_protocols(host)));
}

}  // namespace

const device::CommandInfo *ProtocolInfo::command(std::string_view want) const noexcept {
    for (const auto &c : commands)
        if (c.id == want) return &c;
    return nullptr;
}

ProtocolInfo describe_protocol(const LoadedProtocol &p) {
    const auto &d = p.descriptor();
    ProtocolInfo r;
    r.loaded = &p;
    r.id = text_of(d.id);
    r.family = text_of(d.device_family);
    r.mode = text_of(d.mode);
    r.broadcast = d.traffic == ANYSERIAL_TRAFFIC_BROADCAST;
    r.simulator = p.extension(ANYSERIAL_EXT_SIMULATOR_ID) != nullptr;
    r.address = address_of(d.address);
    for (std::uint32_t i = 0; i < d.command_count && d.commands != nullptr; ++i)
        if (d.commands[i] != nullptr) r.commands.push_back(command_of(*d.commands[i]));
    return r;
}

std::string loaded_protocols(const PluginHost &host) {
    std::string ids;
    for (const LoadedProtocol *p : host.protocols())
        ids += (ids.empty() ? "" : ", ") + label(*p);
    if (ids.empty()) return "no protocol plugin is loaded (see `anyserial plugins`)";
    std::string fams;
    for (const auto &f : families(host))
        fams += (fams.empty() ? "" : ", ") + f + ":auto";
    return "loaded: " + ids + "; or " + fams + ", auto";
}

ProtocolChoice resolve_protocol(const PluginHost &host, std::string_view text) {
    ProtocolChoice c;
    c.text = std::string(text);
    c.option = c.text;
    if (text == "auto") {
        const auto fams = families(host);
        if (fams.empty()) refuse(host, text, "nothing to detect");
        if (fams.size() > 1)
            refuse(host, text,
                   "several device families are loaded, say which: --protocol FAMILY:auto");
        c.automatic = true;
        c.family = fams.front();
        c.candidates = auto_candidates(host, c.family);
        if (c.candidates.empty())
            refuse(host, text, "no protocol of " + c.family + " takes part in AUTO");
        return c;
    }
    if (const LoadedProtocol *p = host.protocol(text)) {
        c.candidates.push_back(describe_protocol(*p));
        return c;
    }
    if (const auto colon = text.find(':'); colon != std::string_view::npos) {
        const std::string family(text.substr(0, colon));
        const std::string_view mode = text.substr(colon + 1);
        if (host.protocols_in_family(family).empty())
            refuse(host, text, "no loaded protocol of family '" + family + "'");
        if (mode == "auto") {
            c.automatic = true;
            c.family = family;
            c.option = "auto";
            c.candidates = auto_candidates(host, family);
            if (c.candidates.empty())
                refuse(host, text, "no protocol of " + family + " takes part in AUTO");
            return c;
        }
        for (const LoadedProtocol *p : host.protocols_in_family(family))
            if (text_of(p->descriptor().mode) == mode) {
                c.candidates.push_back(describe_protocol(*p));
                c.option = c.candidates.front().id;
                return c;
            }
        refuse(host, text, "family '" + family + "' has no mode '" + std::string(mode) + "'");
    }
    // A bare mode names the one loaded protocol that has it.
    std::vector<const LoadedProtocol *> same_mode;
    for (const LoadedProtocol *p : host.protocols())
        if (text_of(p->descriptor().mode) == text) same_mode.push_back(p);
    if (same_mode.size() == 1) {
        c.candidates.push_back(describe_protocol(*same_mode.front()));
        c.option = c.candidates.front().id;
        return c;
    }
    if (same_mode.size() > 1) refuse(host, text, "several loaded protocols have this mode");
    refuse(host, text, "no such protocol");
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
    std::string canonical;
    bool any = false;
    for (const ProtocolInfo &p : choice.candidates) {
        if (p.address.kind == device::AddressSyntax::Kind::none) continue;
        any = true;
        const auto n = p.address.normalise(*given);
        if (!n)
            throw UsageError(fmt::format("{} '{}' is not an address of {}: {}", option, *given,
                                         p.id, syntax_text(p.address)));
        if (canonical.empty()) canonical = *n;
    }
    if (!any)
        throw UsageError(
            fmt::format("{} '{}': {} takes no address", option, *given,
                        choice.automatic ? "no protocol of " + choice.family : choice.only().id));
    return canonical;
}

}  // namespace anyserial::cli

// anyserial — protocol strings and addresses against the loaded plugins (resolve.hpp).
#include <anyserial/device/resolve.hpp>
#include <anyserial/plugin_host.hpp>

namespace anyserial::device {
namespace {

[[noreturn]] void refuse(const PluginHost &host, const std::string &what) {
    throw_device_error(errc::validation, what + " (loaded: " + describe_loaded_protocols(host) +
                                             "; see `anyserial plugins`)");
}

ProtocolChoice automatic(const PluginHost &host, std::string family) {
    ProtocolChoice c;
    c.automatic = true;
    c.family = family;
    if (family.empty()) {
        // Plain AUTO: every loaded family, by name, each in its probe order.
        const std::vector<std::string> all = host.families();
        if (all.empty()) refuse(host, "AUTO: no protocol plugin with a device family is loaded");
        if (all.size() == 1) c.family = all.front();
        for (const std::string &f : all)
            for (const LoadedProtocol *p : host.protocols_in_family(f))
                c.candidates.push_back(p);
        return c;
    }
    c.candidates = host.protocols_in_family(family);
    if (c.candidates.empty()) refuse(host, "no loaded protocol of family '" + family + "'");
    return c;
}

}  // namespace

std::string describe_loaded_protocols(const PluginHost &host) {
    std::string out;
    for (const LoadedProtocol *p : host.protocols()) {
        if (!out.empty()) out += ", ";
        out += p->id();
        if (!p->model().family.empty())
            out += " (" + p->model().family + ":" + p->model().mode + ")";
    }
    return out.empty() ? "none" : out;
}

ProtocolChoice resolve_protocol(const PluginHost &host, std::string_view protocol,
                                std::string_view family) {
    if (protocol.empty() || protocol == "auto") return automatic(host, std::string(family));
    if (const auto colon = protocol.find(':'); colon != std::string_view::npos) {
        const std::string fam(protocol.substr(0, colon));
        const std::string mode(protocol.substr(colon + 1));
        if (mode == "auto") return automatic(host, fam);
        const LoadedProtocol *p = host.protocol_by_mode(fam, mode);
        if (p == nullptr && host.protocols_in_family(fam).empty())
            refuse(host, "no loaded protocol of family '" + fam + "'");
        if (p == nullptr) refuse(host, "family '" + fam + "' has no mode '" + mode + "'");
        return {{p}, false, fam};
    }
    const LoadedProtocol *p = host.protocol(protocol);
    if (p == nullptr) refuse(host, "protocol '" + std::string(protocol) + "' is not loaded");
    return {{p}, false, p->model().family};
}

std::string normalise_address(const LoadedProtocol &protocol, std::string_view address) {
    const AddressSyntax &s = protocol.address_syntax();
    // A protocol without addresses (one talker per line) ignores one, as AUTO over a
    // family mixing both kinds must.
    if (s.kind == AddressSyntax::Kind::none) return {};
    if (auto canonical = s.normalise(address)) return *canonical;
    ErrorContext c;
    c.protocol = protocol.id();
    throw_device_error(errc::validation,
                       "address '" + std::string(address) + "' is not valid for " + protocol.id() +
                           " (" +
                           (s.description.empty() ? "see its address syntax" : s.description) + ")",
                       c);
}

}  // namespace anyserial::device

// anyserial plugins [--json] — loaded plugins and every refused plugin with its reason.
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <ostream>

#include "command.hpp"
#include "device_output.hpp"
#include "protocols.hpp"
#include "table.hpp"

namespace po = boost::program_options;
namespace json = boost::json;
using anyserial::PluginKind;
using anyserial::PluginRecord;

namespace {

json::object to_json(const anyserial::PluginHost &host, const PluginRecord &r) {
    json::object o;
    o["id"] = r.id;
    o["kind"] = r.kind == PluginKind::backend ? "backend" : "protocol";
    o["name"] = r.name;
    o["version"] = r.version;
    o["abi"] = r.abi;
    o["path"] = r.path.string();
    json::array claims;
    for (const auto &c : r.claims)
        claims.emplace_back(c);
    o["claims"] = std::move(claims);
    o["vendor"] = r.vendor;
    o["description"] = r.description;
    if (r.kind == PluginKind::backend) {
        o["backend_kind"] = r.backend_kind;
        o["platform"] = r.platform;
    } else {
        o["device_family"] = r.device_family;
        o["mode"] = r.mode;
        // What the protocol declares: how it talks, its addresses, its commands.
        if (const anyserial::LoadedProtocol *p = host.protocol(r.id)) {
            const anyserial::cli::ProtocolInfo info = anyserial::cli::describe_protocol(*p);
            o["traffic"] = info.broadcast ? "broadcast" : "request-response";
            o["simulator"] = info.simulator;
            o["address"] = info.address.kind == anyserial::device::AddressSyntax::Kind::none
                               ? json::value(nullptr)
                               : json::value(json::object{
                                     {"syntax", anyserial::cli::syntax_text(info.address)},
                                     {"default", info.address.default_address}});
            json::array cmds;
            for (const auto &c : info.commands)
                cmds.push_back(anyserial::cli::command_json(c));
            o["commands"] = std::move(cmds);
        }
    }
    return o;
}

std::string join(const std::vector<std::string> &items) {
    std::string s;
    for (const auto &i : items)
        s += (s.empty() ? "" : " ") + i;
    return s;
}

// What a row shows in the CLAIMS/MODE column: claims for backends, family/mode else.
std::string detail(const PluginRecord &r) {
    if (r.kind == PluginKind::backend) return join(r.claims);
    return r.device_family.empty() ? r.mode : r.device_family + ":" + r.mode;
}

void print_table(std::ostream &out, const anyserial::PluginHost &host) {
    const std::vector<std::string> head{"ID",  "KIND",        "TYPE", "VERSION",
                                        "ABI", "CLAIMS/MODE", "PATH"};
    std::vector<std::vector<std::string>> rows;
    for (const auto &r : host.plugins())
        rows.push_back({r.id, r.kind == PluginKind::backend ? "backend" : "protocol",
                        r.kind == PluginKind::backend ? r.backend_kind : "sans-io", r.version,
                        r.abi, detail(r), r.path.string()});
    if (rows.empty()) {
        out << "no plugins loaded (searched:";
        for (const auto &d : host.searched_directories())
            out << ' ' << d.string();
        out << ")\n";
    } else {
        anyserial::cli::print_columns(out, head, rows);
    }
    if (!host.refused().empty()) {
        out << "\nrefused:\n";
        for (const auto &r : host.refused())
            out << "  " << r.path.string() << ": " << r.reason << '\n';
    }
}

int run(anyserial::cli::Context &ctx) {
    po::options_description opts("anyserial plugins [--json]");
    opts.add_options()("json", "machine-readable output")("help,h", "show this help");
    po::variables_map vm;
    if (!anyserial::cli::parse_options(ctx, opts, vm)) return anyserial::cli::exit_ok;
    const anyserial::PluginHost &host = ctx.host();
    if (vm.count("json") != 0) {
        json::array plugins;
        for (const auto &r : host.plugins())
            plugins.emplace_back(to_json(host, r));
        json::array refused;
        for (const auto &r : host.refused())
            refused.emplace_back(json::object{{"path", r.path.string()}, {"reason", r.reason}});
        json::object doc;
        doc["plugins"] = std::move(plugins);
        doc["refused"] = std::move(refused);
        ctx.out << json::serialize(doc) << '\n';
    } else {
        print_table(ctx.out, host);
    }
    return anyserial::cli::exit_ok;
}

}  // namespace

static const anyserial::cli::Registration reg{"plugins", "list loaded plugins and refused ones",
                                              &run};

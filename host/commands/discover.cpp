// anyserial discover [--port P ...] [--address N] [--timeout S] [--json]
// Runs AUTO on every discovered port (or the given ones) and lists which analysers answer,
// in which mode, at which address. AUTO only probes (Modbus loopback) and listens: it never
// changes a device's state.
#include <anyserial/device/sync.hpp>
#include <anyserial/discovery.hpp>
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <ostream>

#include "command.hpp"
#include "device_options.hpp"

namespace po = boost::program_options;
namespace dev = anyserial::device;

namespace {

int run(anyserial::cli::Context &ctx) {
    po::options_description opts(
        "anyserial discover [--port P ...] [--address N] [--timeout S] [--json]");
    opts.add_options()("port", po::value<std::vector<std::string>>()->composing(),
                       "port to try (repeatable; default: every discovered port)")(
        "address", anyserial::cli::address_value()->default_value(1),
        "Modbus address to probe 1..247")("timeout", anyserial::cli::timeout_value(),
                                          anyserial::cli::kBudgetHelpPerPort)(
        "json", "machine-readable output")("help,h", "show this help");
    po::variables_map vm;
    if (!anyserial::cli::parse_options(ctx, opts, vm)) return anyserial::cli::exit_ok;
    dev::DeviceOptions o = anyserial::cli::device_options(vm);
    o.budget = anyserial::cli::timeout_option(vm);  // a ceiling per port
    std::vector<std::string> ports;
    if (vm.count("port") != 0) {
        ports = vm["port"].as<std::vector<std::string>>();
    } else {
        for (const anyserial::PortInfo &p : anyserial::list_serial_ports(ctx.host()))
            ports.push_back(p.device);
    }
    const bool json = vm.count("json") != 0;
    boost::json::array results;
    std::size_t found = 0;
    for (const std::string &port : ports) {
        boost::json::object r{{"port", port}};
        try {
            auto anz = anyserial::sync::Analyzer::open(ctx.host(), port, o);
            ++found;
            const bool bc = anz.protocol() == dev::ProtocolKind::continuous;
            r["found"] = true;
            r["protocol"] = dev::to_string(anz.protocol());
            r["address"] = bc ? boost::json::value(nullptr) : boost::json::value(o.address);
            r["error"] = nullptr;
            if (!json) {
                ctx.out << port << ": " << dev::to_string(anz.protocol());
                if (!bc) ctx.out << " at address " << o.address;
                ctx.out << '\n';
            }
            anz.close();
        } catch (const dev::DeviceError &e) {
            r["found"] = false;
            r["protocol"] = nullptr;
            r["address"] = nullptr;
            r["error"] = e.what();
            if (!json) ctx.out << port << ": no analyser (" << e.message() << ")\n";
        }
        results.push_back(std::move(r));
    }
    if (json) {
        ctx.out << boost::json::serialize(results) << '\n';
    } else {
        ctx.out << found << " analyser(s) on " << ports.size() << " port(s)\n";
    }
    return anyserial::cli::exit_ok;
}

}  // namespace

static const anyserial::cli::Registration reg{"discover", "find analysers on serial ports", &run};

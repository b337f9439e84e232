// anyserial discover [--port P ...] [--protocol ID] [--address A] [--timeout S] [--json]
// Opens every discovered port (or the given ones) with --protocol (default AUTO over the
// loaded family) and lists which devices answer, with which protocol, at which address.
// AUTO only probes and listens: it never changes a device's state.
#include <anyserial/device/session.hpp>
#include <anyserial/discovery.hpp>
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <ostream>

#include "command.hpp"
#include "device_options.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC 12 + Asio awaitable frames
#endif

namespace po = boost::program_options;
namespace asio = boost::asio;
namespace dev = anyserial::device;
namespace cli = anyserial::cli;

namespace {

asio::awaitable<int> discover(cli::Context &ctx, std::vector<std::string> ports,
                              dev::DeviceOptions o, bool json) {
    boost::json::array results;
    std::size_t found = 0;
    for (const std::string &port : ports) {
        boost::json::object r{{"port", port}};
        try {
            dev::Device d = co_await cli::open_device(ctx.host(), port, o);
            ++found;
            r["found"] = true;
            r["protocol"] = d.protocol_id();
            r["mode"] = d.mode();
            r["address"] =
                d.address().empty() ? boost::json::value(nullptr) : boost::json::value(d.address());
            r["error"] = nullptr;
            if (!json) ctx.out << port << ": " << cli::device_label(d) << '\n';
            d.close();
        } catch (const dev::DeviceError &e) {
            r["found"] = false;
            r["protocol"] = nullptr;
            r["mode"] = nullptr;
            r["address"] = nullptr;
            r["error"] = e.what();
            if (!json) ctx.out << port << ": no device (" << e.message() << ")\n";
        }
        results.push_back(std::move(r));
    }
    if (json) {
        ctx.out << boost::json::serialize(results) << '\n';
    } else {
        ctx.out << found << " device(s) on " << ports.size() << " port(s)\n";
    }
    co_return cli::exit_ok;
}

int run(cli::Context &ctx) {
    po::options_description opts(
        "anyserial discover [--port P ...] [--protocol ID] [--address A] [--timeout S] [--json]");
    opts.add_options()("port", po::value<std::vector<std::string>>()->composing(),
                       "port to try (repeatable; default: every discovered port)")(
        "timeout", cli::timeout_value(), cli::kBudgetHelpPerPort)(
        "json", "machine-readable output")("help,h", "show this help");
    cli::add_device_options(opts);
    po::variables_map vm;
    if (!cli::parse_options(ctx, opts, vm)) return cli::exit_ok;
    dev::DeviceOptions o = cli::device_options(cli::protocol_option(ctx.host(), vm), vm);
    o.budget = cli::timeout_option(vm);  // a ceiling per port
    std::vector<std::string> ports;
    if (vm.count("port") != 0) {
        ports = vm["port"].as<std::vector<std::string>>();
    } else {
        for (const anyserial::PortInfo &p : anyserial::list_serial_ports(ctx.host()))
            ports.push_back(p.device);
    }
    return cli::run_to_completion(
        ctx, "discover", discover(ctx, std::move(ports), std::move(o), vm.count("json") != 0));
}

}  // namespace

static const cli::Registration reg{"discover", "find devices on serial ports", &run};

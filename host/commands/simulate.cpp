// anyserial simulate --protocol ID --link PATH [--address A]... [--interval S]
// A virtual device on a pty, for any protocol plugin that ships a simulator
// (anyserial.protocol.simulator/2): PATH is a symlink to the pty's follower, any program
// can open it. Serves until SIGINT/SIGTERM, then removes the link (if it still points to
// its pty) and prints what it saw. An existing PATH is refused, except a dangling symlink
// (a stale link whose pty is gone). --interval: seconds between broadcast frames, 0
// (silent) to a day; broadcast protocols only. Several --address: one unit per address on
// the same line (a multidrop bus: every unit hears every byte, the addressed one answers).
#include <algorithm>
#include <anyserial/plugin_host.hpp>
#include <anyserial/sim/simulator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/program_options.hpp>
#include <cmath>
#include <csignal>
#include <ostream>
#include <string>
#include <vector>

#include "command.hpp"
#include "device_options.hpp"

namespace po = boost::program_options;
namespace cli = anyserial::cli;

namespace {

// The longest broadcast interval: a day (its nanoseconds are far from int64's limit).
constexpr double max_interval_s = 86400;

int run(cli::Context &ctx) {
    po::options_description opts(
        "anyserial simulate --protocol ID --link PATH [--address A]... [--interval S]");
    opts.add_options()("protocol", po::value<std::string>()->value_name("ID"),
                       "the protocol to simulate: a loaded plugin id or FAMILY:MODE whose "
                       "plugin ships a simulator")(
        "link", po::value<std::string>()->value_name("PATH"),
        "symlink to create to the pty (an existing path is refused, a dangling link replaced)")(
        "address", po::value<std::vector<std::string>>()->value_name("A"),
        "the device's address in the protocol's syntax (default: the protocol's); repeat "
        "for several units on one line")(
        "interval", cli::real_value(0, cli::max_timeout_s, true)->value_name("S"),
        "broadcast interval in seconds, 0 (silent) to 86400 (broadcast protocols)")(
        "help,h", "show this help");
    po::variables_map vm;
    if (!cli::parse_options(ctx, opts, vm)) return cli::exit_ok;
    if (vm.count("protocol") == 0) throw cli::UsageError("--protocol is required");
    if (vm.count("link") == 0) throw cli::UsageError("--link PATH is required");
    const cli::ProtocolChoice choice =
        cli::resolve_one_protocol(ctx.host(), vm["protocol"].as<std::string>(), "simulate");
    const cli::ProtocolInfo &proto = choice.only();
    if (!proto.simulator)
        throw cli::UsageError("--protocol " + proto.id + ": the plugin ships no simulator");
    anyserial::sim::PtyOptions po_;
    std::vector<std::string> addresses;  // canonical
    if (vm.count("address") != 0) {
        for (const std::string &a : vm["address"].as<std::vector<std::string>>()) {
            std::string c = cli::checked_address(choice, a);
            if (c.empty()) throw cli::UsageError("--address must not be empty");
            if (std::find(addresses.begin(), addresses.end(), c) != addresses.end())
                throw cli::UsageError("--address '" + a + "' is given twice (as '" + c + "')");
            addresses.push_back(std::move(c));
        }
    }
    if (addresses.empty()) {
        po_.address = proto.address.default_address;
    } else {
        po_.address = addresses.front();
        po_.more_addresses.assign(addresses.begin() + 1, addresses.end());
    }
    if (vm.count("interval") != 0) {
        const double s = vm["interval"].as<double>();
        if (!(s >= 0 && s <= max_interval_s))  // also refuses nan and inf
            throw cli::UsageError("--interval must be a number of seconds from 0 to " +
                                  std::to_string(static_cast<int>(max_interval_s)));
        po_.interval = std::chrono::nanoseconds(std::llround(s * 1e9));
    }
    po_.link = vm["link"].as<std::string>();
    if (po_.interval && !proto.broadcast) {
        ctx.err << "anyserial simulate: --interval ignored: " << proto.id
                << " only answers requests\n";
        po_.interval.reset();
    }

    boost::asio::io_context io;
    try {
        anyserial::sim::PtySimulator sim(io.get_executor(), *proto.loaded, po_);
        boost::asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&](boost::system::error_code ec, int) {
            if (!ec) sim.stop();
        });
        sim.start();
        ctx.out << "simulating " << proto.id;
        if (!po_.address.empty()) ctx.out << " at address " << po_.address;
        for (const std::string &a : po_.more_addresses)
            ctx.out << ", " << a;
        ctx.out << " on " << sim.path() << " (link " << po_.link->string() << ")" << std::endl;
        io.run();
        sim.stop();
        for (const auto &unit : sim.simulators()) {
            const auto c = unit->counters();
            ctx.err << "simulate: ";
            if (sim.simulators().size() > 1) ctx.err << "address " << unit->address() << ": ";
            ctx.err << c.requests << " requests, " << c.replies << " replies, " << c.frames
                    << " frames\n";
        }
    } catch (const std::exception &e) {
        ctx.err << "anyserial simulate: " << e.what() << '\n';
        return cli::exit_failure;
    }
    return cli::exit_ok;
}

}  // namespace

static const cli::Registration reg{"simulate", "a virtual device on a pty", &run};

// anyserial simulate --protocol continuous|modbus-rtu|modbus-ascii --link PATH [--address N]
//                    [--interval S]
// A virtual analyser on a pty: PATH is a symlink to the pty's follower, any program can open
// it. Serves until SIGINT/SIGTERM, then removes the link (if it still points to its pty).
// An existing PATH is refused, except a dangling symlink (a stale link whose pty is gone).
// --interval: seconds between broadcast frames, 0 (silent) to max_interval_s.
#include <anyserial/device/models.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/sim/simulator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/program_options.hpp>
#include <cmath>
#include <csignal>
#include <ostream>

#include "command.hpp"
#include "device_options.hpp"

namespace po = boost::program_options;
namespace dev = anyserial::device;

namespace {

// The longest broadcast interval: a day (its nanoseconds are far from int64's limit).
constexpr double max_interval_s = 86400;

int run(anyserial::cli::Context &ctx) {
    po::options_description opts(
        "anyserial simulate --protocol continuous|modbus-rtu|modbus-ascii --link PATH "
        "[--address N] [--interval S]");
    opts.add_options()("protocol", po::value<std::string>(), "wire protocol to simulate")(
        "link", po::value<std::string>()->value_name("PATH"),
        "symlink to create to the pty (an existing path is refused, a dangling link replaced)")(
        "address", anyserial::cli::address_value()->default_value(1), "device address 1..247")(
        "interval",
        anyserial::cli::real_value(0, anyserial::cli::max_timeout_s, true)->value_name("S"),
        "broadcast interval in seconds, 0 (silent) to 86400 (continuous)")("help,h",
                                                                           "show this help");
    po::variables_map vm;
    if (!anyserial::cli::parse_options(ctx, opts, vm)) return anyserial::cli::exit_ok;
    if (vm.count("protocol") == 0) throw anyserial::cli::UsageError("--protocol is required");
    if (vm.count("link") == 0) throw anyserial::cli::UsageError("--link PATH is required");
    const auto kind = dev::parse_protocol_kind(vm["protocol"].as<std::string>());
    if (!kind || *kind == dev::ProtocolKind::auto_detect)
        throw anyserial::cli::UsageError(
            "--protocol must be continuous, modbus-rtu or modbus-ascii");
    anyserial::sim::PtyOptions po_;
    po_.address = anyserial::cli::checked_address(vm["address"].as<unsigned>());
    if (vm.count("interval") != 0) {
        const double s = vm["interval"].as<double>();
        if (!(s >= 0 && s <= max_interval_s))  // also refuses nan and inf
            throw anyserial::cli::UsageError("--interval must be a number of seconds from 0 to " +
                                             std::to_string(static_cast<int>(max_interval_s)));
        po_.interval = std::chrono::nanoseconds(std::llround(s * 1e9));
    }
    po_.link = vm["link"].as<std::string>();

    const std::string_view id = dev::protocol_plugin_id(*kind);
    const anyserial::LoadedProtocol *proto = ctx.host().protocol(id);
    if (proto == nullptr) {
        ctx.err << "anyserial simulate: protocol plugin " << id
                << " is not loaded; see `anyserial plugins`\n";
        return anyserial::cli::exit_failure;
    }

    if (po_.interval && proto->descriptor().traffic != ANYSERIAL_TRAFFIC_BROADCAST) {
        ctx.err << "anyserial simulate: --interval ignored: " << dev::to_string(*kind)
                << " only answers requests\n";
        po_.interval.reset();
    }

    boost::asio::io_context io;
    try {
        anyserial::sim::PtySimulator sim(io.get_executor(), *proto, po_);
        boost::asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&](boost::system::error_code ec, int) {
            if (!ec) sim.stop();
        });
        sim.start();
        ctx.out << "simulating " << dev::to_string(*kind) << " at address " << po_.address << " on "
                << sim.path() << " (link " << po_.link->string() << ")" << std::endl;
        io.run();
        sim.stop();
        const auto c = sim.simulator().counters();
        ctx.err << "simulate: " << c.requests << " requests, " << c.replies << " replies, "
                << c.frames << " frames\n";
    } catch (const std::exception &e) {
        ctx.err << "anyserial simulate: " << e.what() << '\n';
        return anyserial::cli::exit_failure;
    }
    return anyserial::cli::exit_ok;
}

}  // namespace

static const anyserial::cli::Registration reg{"simulate", "a virtual analyser on a pty", &run};

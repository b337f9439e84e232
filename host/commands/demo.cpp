// anyserial demo [--seconds S] — no hardware needed: a simulated analyser (Modbus RTU) on a
// kernel pty, opened with AUTO like a real one, live readings for a few seconds, a summary.
#include <anyserial/device/analyzer.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/sim/simulator.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/program_options.hpp>
#include <cstdio>
#include <ostream>

#include "command.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC 12 + Asio awaitable frames
#endif

namespace po = boost::program_options;
namespace asio = boost::asio;
namespace dev = anyserial::device;

namespace {

std::string line_of(const dev::Frame &f) {
    std::string s;
    for (const dev::Reading &r : f.readings) {
        if (!r.name && !r.value) continue;
        char v[32] = "--";
        if (r.value) std::snprintf(v, sizeof v, "%.3f", *r.value);
        if (!s.empty()) s += " | ";
        s += r.channel + " " + r.name.value_or("-") + " " + v + " " + r.unit.text;
    }
    return s;
}

asio::awaitable<int> demo(anyserial::cli::Context &ctx, anyserial::sim::PtySimulator &sim,
                          std::chrono::nanoseconds duration) {
    auto ex = co_await asio::this_coro::executor;
    dev::DeviceOptions o;
    o.address = 1;
    auto [ec, anz] = co_await dev::async_open_device(ex, ctx.host(), sim.path(), o,
                                                     asio::as_tuple(asio::use_awaitable));
    if (ec) {
        try {
            anz.throw_last_error();
        } catch (const std::exception &e) {
            ctx.err << "anyserial demo: " << e.what() << '\n';
        }
        co_return anyserial::cli::exit_failure;
    }
    ctx.out << "AUTO on " << sim.path() << ":";
    for (const auto &a : anz.detection())
        ctx.out << " " << a.mode << (a.recognised ? " (recognised)" : " (no)");
    ctx.out << " -> " << dev::to_string(anz.protocol()) << " at address " << anz.address() << "\n";
    if (anz.info()) ctx.out << "device: " << anz.info()->model << "\n\n";

    const auto start = std::chrono::steady_clock::now();
    std::size_t polls = 0, errors = 0;
    double latency_sum = 0;
    asio::steady_timer timer(ex);
    for (auto next = start; std::chrono::steady_clock::now() - start < duration;) {
        const auto t0 = std::chrono::steady_clock::now();
        auto [pec, frame] = co_await anz.async_poll(false, asio::as_tuple(asio::use_awaitable));
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        char stamp[32];
        std::snprintf(stamp, sizeof stamp, "t=%5.2fs ",
                      std::chrono::duration<double>(t0 - start).count());
        if (pec) {
            ++errors;
            try {
                anz.throw_last_error();
            } catch (const std::exception &e) {
                ctx.out << stamp << "error: " << e.what() << '\n';
            }
        } else {
            ++polls;
            latency_sum += ms;
            ctx.out << stamp << line_of(frame) << '\n';
        }
        ctx.out.flush();
        next += std::chrono::milliseconds(500);  // an absolute schedule, no drift
        timer.expires_at(next);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    const auto c = sim.simulator().counters();
    char summary[256];
    std::snprintf(summary, sizeof summary,
                  "\nsummary: %zu polls, %zu errors, mean poll %.1f ms, %llu requests answered "
                  "by the simulator, %llu dropped frames\n",
                  polls, errors, polls ? latency_sum / static_cast<double>(polls) : 0.0,
                  static_cast<unsigned long long>(c.replies),
                  static_cast<unsigned long long>(anz.dropped_frames()));
    ctx.out << summary;
    anz.close();
    co_return errors == 0 && polls > 0 ? anyserial::cli::exit_ok : anyserial::cli::exit_failure;
}

int run(anyserial::cli::Context &ctx) {
    po::options_description opts("anyserial demo [--seconds S]");
    opts.add_options()("seconds", po::value<double>()->default_value(3.0), "how long to read")(
        "help,h", "show this help");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(ctx.args).options(opts).run(), vm);
        po::notify(vm);
    } catch (const po::error &e) {
        throw anyserial::cli::UsageError(e.what());
    }
    if (vm.count("help") != 0) {
        ctx.out << opts;
        return anyserial::cli::exit_ok;
    }
    const double secs = vm["seconds"].as<double>();
    if (!(secs > 0)) throw anyserial::cli::UsageError("--seconds must be > 0");

    const std::string_view id = dev::protocol_plugin_id(dev::ProtocolKind::modbus_rtu);
    const anyserial::LoadedProtocol *proto = ctx.host().protocol(id);
    if (proto == nullptr) {
        ctx.err << "anyserial demo: protocol plugin " << id
                << " is not loaded; see `anyserial plugins`\n";
        return anyserial::cli::exit_failure;
    }
    asio::io_context io;
    int rc = anyserial::cli::exit_failure;
    try {
        anyserial::sim::PtySimulator sim(io.get_executor(), *proto, {});
        sim.start();
        ctx.out << "simulated analyser (modbus-rtu, address 1) on " << sim.path() << "\n";
        asio::co_spawn(
            io, demo(ctx, sim, std::chrono::nanoseconds(static_cast<std::int64_t>(secs * 1e9))),
            [&](std::exception_ptr e, int r) {
                rc = e ? anyserial::cli::exit_failure : r;
                sim.stop();
            });
        io.run();
    } catch (const std::exception &e) {
        ctx.err << "anyserial demo: " << e.what() << '\n';
        return anyserial::cli::exit_failure;
    }
    return rc;
}

}  // namespace

static const anyserial::cli::Registration reg{
    "demo", "a simulated analyser, read live (no hardware)", &run};

// anyserial diag jitter --port P [--protocol ID] [--address A] [--rate HZ] [--duration S]
//                       [--json]
// Interval statistics of what arrives: a broadcasting device's frames (passive), or the
// replies of a poll loop at --rate (the drift-free recorder) for a request/response device. Reports
// count, mean, p50, p99, max, min and standard deviation of the inter-arrival intervals (ms), from
// the receive loop's monotonic timestamps.
#include <algorithm>
#include <anyserial/device/session.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/record/recorder.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <ostream>

#include "device_options.hpp"
#include "diag.hpp"
#include "interrupt.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC 12 + Asio awaitable frames
#endif

namespace po = boost::program_options;
namespace asio = boost::asio;
namespace dev = anyserial::device;
namespace rec = anyserial::record;

namespace anyserial::cli::diag {

namespace {

struct JitterOptions {
    std::string port;
    dev::DeviceOptions device;
    double rate = 2.0;
    double duration = 5.0;
    bool json = false;
};

struct Measured {
    std::string protocol, mode;
    std::vector<std::int64_t> arrivals_ns;  // one per frame (or per answered tick)
    std::uint64_t bad = 0, lost = 0, late = 0;
};

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const auto rank =
        static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
    return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

asio::awaitable<void> measure(Context &ctx, const JitterOptions &o, Measured &m) {
    auto ex = co_await asio::this_coro::executor;
    // Installed first: a SIGINT from the moment the banner is out must end it cleanly.
    bool stopping = false;
    asio::steady_timer timer(ex);
    std::optional<dev::Subscription> sub;
    std::optional<rec::Recording> recording;
    auto stop = [&] {
        stopping = true;
        if (sub) sub->close();
        if (recording) recording->stop();
    };
    Interrupt interrupt(ex);
    interrupt.on_signal(stop);
    dev::Device anz = co_await open_device(ctx.host(), o.port, o.device);
    m.protocol = anz.protocol_id();
    m.mode = anz.broadcast() ? "broadcast" : "poll";
    ctx.err << "measuring " << m.protocol << " (" << m.mode << ") on " << o.port << " for "
            << o.duration << " s" << std::endl;

    timer.expires_after(std::chrono::nanoseconds(static_cast<std::int64_t>(o.duration * 1e9)));
    timer.async_wait([&](boost::system::error_code e) {
        if (!e) stop();
    });

    if (anz.broadcast()) {
        sub.emplace(anz.subscribe(1024));
        if (stopping) sub->close();
        for (;;) {
            auto [rec_ec, s] = co_await sub->async_receive(asio::as_tuple(asio::use_awaitable));
            if (rec_ec) break;
            if (s.error) {
                ++m.bad;
                continue;
            }
            if (m.arrivals_ns.empty() || m.arrivals_ns.back() != s.monotonic_ns)
                m.arrivals_ns.push_back(s.monotonic_ns);
        }
        m.lost = sub->lost();
    } else {
        rec::RecordOptions ro;
        ro.rate_hz = o.rate;
        ro.device = o.port;
        recording.emplace(rec::record(ex, rec::PollSource::ref(anz), ro));
        if (stopping) recording->stop();
        for (;;) {
            auto [rec_ec, batch] =
                co_await recording->async_next_batch(asio::as_tuple(asio::use_awaitable));
            if (rec_ec) break;
            auto ok = std::find_if(batch.begin(), batch.end(),
                                   [](const dev::Sample &s) { return !s.error; });
            if (ok == batch.end()) {
                ++m.bad;
                continue;
            }
            m.arrivals_ns.push_back(ok->monotonic_ns);
        }
        m.late = recording->summary().samples_late;
    }
    timer.cancel();
    // A timer handler the cancel queued runs before this frame, which it refers to, goes.
    co_await asio::post(ex, asio::use_awaitable);
    if (!stopping) {
        std::string why = "the line was lost";
        if (auto e = anz.last_error()) {
            why = describe(e);
        } else if (recording && !recording->error_message().empty()) {
            why = recording->error_message();
        }
        anz.close();
        throw std::runtime_error(why);
    }
    anz.close();
}

}  // namespace

int run_jitter(Context &ctx, const std::vector<std::string> &args) {
    JitterOptions o;
    po::options_description opts(
        "anyserial diag jitter --port P [--protocol ID] [--address A] [--baud B] [--rate HZ] "
        "[--duration S] [--json]");
    opts.add_options()("port", po::value(&o.port)->value_name("P"), "device port")(
        "baud", baud_value(), "baud rate")("rate", rate_value(&o.rate)->default_value(2.0),
                                           "poll rate (request/response protocols)")(
        "duration", duration_value(&o.duration)->default_value(5.0), "seconds")(
        "json", "machine-readable output")("help,h", "show this help");
    add_device_options(opts);
    po::variables_map vm;
    if (!parse_options(ctx, args, opts, vm)) return exit_ok;
    if (o.port.empty()) throw UsageError("--port is required");
    o.device = device_options(protocol_option(ctx.host(), vm), vm);
    (void)positive_option(vm, "rate", max_rate_hz);
    (void)positive_option(vm, "duration");
    o.json = vm.count("json") != 0;

    Measured m;
    asio::io_context io;
    std::string error;
    asio::co_spawn(io, measure(ctx, o, m), [&](std::exception_ptr e) {
        if (e) error = describe(e);
    });
    io.run();

    std::vector<double> iv;
    for (std::size_t i = 1; i < m.arrivals_ns.size(); ++i)
        iv.push_back(static_cast<double>(m.arrivals_ns[i] - m.arrivals_ns[i - 1]) / 1e6);
    const double mean =
        iv.empty() ? 0.0
                   : std::accumulate(iv.begin(), iv.end(), 0.0) / static_cast<double>(iv.size());
    double var = 0.0;
    for (double x : iv)
        var += (x - mean) * (x - mean);
    const double stddev = iv.size() > 1 ? std::sqrt(var / static_cast<double>(iv.size() - 1)) : 0.0;
    const double mn = iv.empty() ? 0.0 : *std::min_element(iv.begin(), iv.end());

    if (o.json) {
        boost::json::object doc{{"port", o.port},
                                {"protocol", m.protocol},
                                {"mode", m.mode},
                                {"frames", m.arrivals_ns.size()},
                                {"count", iv.size()},
                                {"mean_ms", mean},
                                {"p50_ms", percentile(iv, 50)},
                                {"p99_ms", percentile(iv, 99)},
                                {"max_ms", percentile(iv, 100)},
                                {"min_ms", mn},
                                {"stddev_ms", stddev},
                                {"bad", m.bad},
                                {"lost", m.lost},
                                {"late", m.late}};
        if (m.mode == "poll") doc["expected_ms"] = 1000.0 / o.rate;
        if (!error.empty()) doc["error"] = error;
        ctx.out << boost::json::serialize(doc) << '\n';
    } else if (!m.mode.empty()) {
        char line[320];
        std::snprintf(line, sizeof line,
                      "%s (%s) on %s: %zu frames, %zu intervals: mean %.3f ms, p50 %.3f, p99 "
                      "%.3f, max %.3f, min %.3f, stddev %.3f ms; %llu bad, %llu lost, %llu late\n",
                      m.protocol.c_str(), m.mode.c_str(), o.port.c_str(), m.arrivals_ns.size(),
                      iv.size(), mean, percentile(iv, 50), percentile(iv, 99), percentile(iv, 100),
                      mn, stddev, static_cast<unsigned long long>(m.bad),
                      static_cast<unsigned long long>(m.lost),
                      static_cast<unsigned long long>(m.late));
        ctx.out << line;
    }
    if (!error.empty()) {
        ctx.err << "anyserial diag jitter: " << error << '\n';
        return exit_failure;
    }
    return exit_ok;
}

}  // namespace anyserial::cli::diag

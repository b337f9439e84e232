// stream_cpu_percent, the library path: a device::Device opened on the continuous peer's pty
// with the servomex-continuous plugin, one Subscription consuming every sample for
// --iters milliseconds, printing nothing per sample. bench/compare reads this process's CPU
// time from /proc; the program prints the frames and samples it received.
//
//     bench-stream-device stream --iters MS PATH
#include <anyserial/device/session.hpp>
#include <anyserial/plugin_host.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>

#include "harness.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC 12 + Asio awaitable frames
#endif

namespace asio = boost::asio;
namespace dev = anyserial::device;

namespace {
struct Counts {
    std::uint64_t samples = 0, frames = 0, errors = 0, lost = 0;
    std::exception_ptr failure;
};

asio::awaitable<void> consume(anyserial::PluginHost &host, const std::string &path, long ms,
                              Counts &n) {
    auto ex = co_await asio::this_coro::executor;
    dev::DeviceOptions o;
    o.protocol = "servomex-continuous";
    o.baudrate = 115200;
    auto [ec, d] = co_await dev::async_open_device(ex, host, path, std::move(o),
                                                   asio::as_tuple(asio::use_awaitable));
    if (ec) {
        n.failure = d.last_error();
        co_return;
    }
    dev::Subscription sub = d.subscribe();
    asio::steady_timer timer(ex, std::chrono::milliseconds(ms));
    timer.async_wait([&](boost::system::error_code e) {
        if (!e) sub.close();
    });
    std::int64_t last = -1;
    for (;;) {
        auto [e, s] = co_await sub.async_receive(asio::as_tuple(asio::use_awaitable));
        if (e) break;
        ++n.samples;
        if (s.error) ++n.errors;
        if (s.monotonic_ns != last) ++n.frames;  // a frame's samples share one monotonic_ns
        last = s.monotonic_ns;
    }
    timer.cancel();
    n.lost = sub.lost();
    d.close();
}
}  // namespace

int main(int argc, char **argv) try {
    const bench::Args a = bench::parse(argc, argv);
    if (a.mode != "stream" || a.paths.size() != 1)
        throw bench::Failure("usage: bench-stream-device stream --iters MS PATH");
    anyserial::PluginHost host;
    host.load_default();
    asio::io_context io;
    Counts n;
    asio::co_spawn(io, consume(host, a.paths[0], a.iters, n), [&](std::exception_ptr e) {
        if (e) n.failure = e;
    });
    io.run();
    if (n.failure) std::rethrow_exception(n.failure);
    std::printf("{\"frames\":%llu,\"samples\":%llu,\"error_samples\":%llu,\"lost\":%llu}\n",
                static_cast<unsigned long long>(n.frames),
                static_cast<unsigned long long>(n.samples),
                static_cast<unsigned long long>(n.errors), static_cast<unsigned long long>(n.lost));
    return 0;
} catch (const std::exception &e) {
    bench::print_error(e.what());
    return 1;
}

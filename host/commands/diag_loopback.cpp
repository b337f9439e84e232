// anyserial diag loopback --port P [--peer Q] [--count N] [--size B] [--timeout S] [--json]
//
// Sends N patterned messages on P and waits for each echo, verifying it byte for byte.
// Stale input on either port is discarded first; each message is written while its echo
// is read, so any --size works. By default the far end echoes (a loopback plug, a pySerial
// echo peer); with --peer Q the CLI itself echoes on Q (e.g. --port mock://x/a --peer
// mock://x/b).
// Prints {"sent","ok","mismatched","timeouts","rtt_us":{"p50","p99","max"}}; exit 1 when
// any message was lost or corrupted.
#include <algorithm>
#include <anyserial/serial_port.hpp>
#include <anyserial/timeout.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <chrono>
#include <optional>
#include <ostream>
#include <vector>

#include "command.hpp"
#include "diag.hpp"
#include "options.hpp"

namespace po = boost::program_options;
namespace json = boost::json;
namespace asio = boost::asio;
using anyserial::SerialPort;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

struct Options {
    std::string port;
    std::optional<std::string> peer;
    unsigned count = 10;
    unsigned size = 64;
    double timeout_s = 1.0;
    std::uint32_t baud = 115200;
    bool json = false;
};

struct Report {
    unsigned sent = 0, ok = 0, mismatched = 0, timeouts = 0;
    std::vector<double> rtt_us;
    std::string error;
};

asio::awaitable<SerialPort> open(anyserial::PluginHost &host, const std::string &path,
                                 std::uint32_t baud) {
    auto ex = co_await asio::this_coro::executor;
    auto [ec, port] = co_await anyserial::async_open_serial_port(
        ex, host, path, anyserial::SerialConfig{}.with_baudrate(baud),
        asio::as_tuple(asio::use_awaitable));
    if (ec) port.throw_error(ec, "open " + path);
    co_return std::move(port);
}

// The echo's bytes between receive and send: a ring, so that it can keep receiving while a
// send waits. Sized for a whole message and then some, it never has to stop receiving
// while the loopback waits for an echo: an echo that stops receiving while its send waits
// deadlocks any relay that forwards one direction at a time (socat blocked in a write
// towards the peer, which is blocked in a write towards socat).
class EchoRing {
  public:
    explicit EchoRing(std::size_t capacity) : buf_(capacity) {}
    bool full() const { return count_ == buf_.size(); }
    bool empty() const { return count_ == 0; }
    asio::mutable_buffer free_space() {  // the contiguous free part after the data
        const std::size_t tail = (head_ + count_) % buf_.size();
        const std::size_t len =
            tail >= head_ && count_ < buf_.size() ? buf_.size() - tail : head_ - tail;
        return asio::buffer(buf_.data() + tail, len);
    }
    asio::const_buffer data() const {  // the contiguous data from the head
        return asio::buffer(buf_.data() + head_, std::min(count_, buf_.size() - head_));
    }
    void produced(std::size_t n) { count_ += n; }
    void consumed(std::size_t n) {
        head_ = (head_ + n) % buf_.size();
        count_ -= n;
    }

  private:
    std::vector<unsigned char> buf_;
    std::size_t head_ = 0, count_ = 0;
};

// A wake-up between the echo's two halves (one thread: a check, then a wait, cannot miss
// a notify in between). notify() ends a pending wait early; a cancellation of the echo
// ends it too, and the caller tells the two apart by its cancellation state.
struct Wakeup {
    explicit Wakeup(const asio::any_io_executor &ex)
        : timer(ex, asio::steady_timer::time_point::max()) {}
    asio::awaitable<bool> wait() {  // false: the echo was cancelled
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        timer.expires_at(asio::steady_timer::time_point::max());
        auto cs = co_await asio::this_coro::cancellation_state;
        co_return cs.cancelled() == asio::cancellation_type::none;
    }
    void notify() { timer.cancel(); }
    asio::steady_timer timer;
};

struct Echo {
    SerialPort &peer;
    std::string &error;
    EchoRing ring;
    Wakeup data_ready, space_ready;

    asio::awaitable<void> receive() {
        for (;;) {
            // The loopback's end may be signalled while no operation is pending (a read
            // that completed, its handler not yet run): the state remembers it, the next
            // read would not, and would wait forever for bytes that no longer come.
            auto cs = co_await asio::this_coro::cancellation_state;
            if (cs.cancelled() != asio::cancellation_type::none) co_return;
            if (ring.full()) {
                if (!co_await space_ready.wait()) co_return;
                continue;
            }
            auto [ec, n] = co_await peer.async_read_some(ring.free_space(),
                                                         asio::as_tuple(asio::use_awaitable));
            if (ec == asio::error::operation_aborted) co_return;
            if (ec) {
                error = "peer receive: " + ec.message();
                co_return;
            }
            ring.produced(n);
            data_ready.notify();
        }
    }

    asio::awaitable<void> send() {
        for (;;) {
            auto cs = co_await asio::this_coro::cancellation_state;
            if (cs.cancelled() != asio::cancellation_type::none) co_return;
            if (ring.empty()) {
                if (!co_await data_ready.wait()) co_return;
                continue;
            }
            auto [ec, n] =
                co_await peer.async_write_some(ring.data(), asio::as_tuple(asio::use_awaitable));
            if (ec == asio::error::operation_aborted) co_return;
            if (ec) {
                error = "peer send: " + ec.message();
                co_return;
            }
            ring.consumed(n);
            space_ready.notify();
        }
    }
};

// Echoes everything until cancelled or the port fails, receiving and sending at once. Run
// only as a child of the loopback below (operator||), which outlives it and owns the port:
// the echo is always finished before the port goes away. Either half ending (a failure)
// cancels the other.
asio::awaitable<void> echo(SerialPort &peer, std::size_t message_size, std::string &error) {
    auto ex = co_await asio::this_coro::executor;
    Echo e{peer, error, EchoRing(message_size + 64 * 1024), Wakeup(ex), Wakeup(ex)};
    co_await (e.receive() || e.send());
}

// A timeout in seconds as a timer duration, saturated: a huge value waits (practically)
// forever instead of overflowing into the past.
std::chrono::nanoseconds timer_duration(double seconds) {
    constexpr double max_s = 100.0 * 365 * 24 * 3600;  // 100 years, far below int64 ns
    if (!(seconds < max_s)) seconds = max_s;
    return std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9));
}

using ErrorCode = boost::system::error_code;

asio::awaitable<ErrorCode> send_all(SerialPort &port, asio::const_buffer b,
                                    std::chrono::nanoseconds timeout) {
    auto ex = co_await asio::this_coro::executor;
    auto [ec, n] = co_await port.async_send(
        b, anyserial::with_timeout(ex, timeout, asio::as_tuple(asio::use_awaitable)));
    co_return ec;
}

asio::awaitable<ErrorCode> receive_all(SerialPort &port, asio::mutable_buffer b,
                                       std::chrono::nanoseconds timeout) {
    auto ex = co_await asio::this_coro::executor;
    auto [ec, n] = co_await asio::async_read(
        port, b, anyserial::with_timeout(ex, timeout, asio::as_tuple(asio::use_awaitable)));
    co_return ec;
}

// Sends the messages and checks each echo. Writing and reading run concurrently, so a
// message larger than the kernel's buffers comes back while it is still being sent.
asio::awaitable<void> exchange(SerialPort &port, const Options &o, Report &r) {
    const auto timeout = timer_duration(o.timeout_s);
    std::vector<unsigned char> out(o.size), in(o.size);
    for (unsigned i = 0; i < o.count; ++i) {
        auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none) co_return;  // the echo failed
        for (unsigned k = 0; k < o.size; ++k)
            out[k] = static_cast<unsigned char>((i * 131u + k * 7u + 1u) & 0xffu);
        const auto t0 = std::chrono::steady_clock::now();
        auto [wec, rec] = co_await (send_all(port, asio::buffer(out), timeout) &&
                                    receive_all(port, asio::buffer(in), timeout));
        ++r.sent;
        if (wec == anyserial::errc::timeout || rec == anyserial::errc::timeout) {
            ++r.timeouts;
            ErrorCode ignored;
            port.reset_input_buffer(ignored);  // a late echo must not shift the next comparison
            continue;
        }
        if (wec || rec) {
            r.error = wec ? "send: " + wec.message() : "receive: " + rec.message();
            co_return;
        }
        const auto t1 = std::chrono::steady_clock::now();
        r.rtt_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        if (std::equal(in.begin(), in.end(), out.begin()))
            ++r.ok;
        else
            ++r.mismatched;
    }
}

// Runs a child to its end; an exception becomes its error text.
asio::awaitable<void> guarded(asio::awaitable<void> child, std::string &error) {
    try {
        co_await std::move(child);
    } catch (const std::exception &e) {
        if (error.empty()) error = e.what();
    }
}

asio::awaitable<void> loopback(anyserial::PluginHost &host, const Options &o, Report &r) {
    SerialPort port = co_await open(host, o.port, o.baud);
    // Bytes left over from an earlier run would shift every comparison.
    port.reset_input_buffer();
    if (!o.peer) {
        co_await exchange(port, o, r);
        co_return;
    }
    SerialPort peer = co_await open(host, *o.peer, o.baud);
    peer.reset_input_buffer();
    std::string echo_error;
    // Structured: whichever side ends first cancels the other, and both have finished
    // before the ports (owned by this frame) are closed. Neither side may throw: operator||
    // would then wait for the other to succeed, and the echo never ends by itself.
    co_await (guarded(exchange(port, o, r), r.error) || echo(peer, o.size, echo_error));
    if (!echo_error.empty()) r.error = echo_error;  // the echo failing is the root cause
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const auto idx = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(idx, v.size() - 1)];
}

int run_loopback(anyserial::cli::Context &ctx, const std::vector<std::string> &args) {
    Options o;
    po::options_description opts(
        "anyserial diag loopback --port P [--peer Q] [--count N] [--size B] [--timeout S] "
        "[--json]");
    opts.add_options()("port", po::value(&o.port)->value_name("P"), "port to test")(
        "peer", po::value<std::string>()->value_name("Q"), "echo on this port ourselves")(
        "count",
        anyserial::cli::whole_value(1u, 1'000'000u, &o.count)->value_name("N")->default_value(10),
        "messages")(
        "size",
        anyserial::cli::whole_value(1u, 1u << 24, &o.size)->value_name("B")->default_value(64),
        "bytes per message")("timeout",
                             anyserial::cli::timeout_value(&o.timeout_s)->default_value(1.0),
                             "seconds to wait for each echo")(
        "baud", anyserial::cli::baud_value(&o.baud)->default_value(115200), "baud rate")(
        "json", "machine-readable output")("help,h", "show this help");
    po::variables_map vm;
    if (!anyserial::cli::parse_options(ctx, args, opts, vm)) return anyserial::cli::exit_ok;
    if (o.port.empty()) throw anyserial::cli::UsageError("--port is required");
    if (o.size == 0 || o.count == 0)
        throw anyserial::cli::UsageError("--count and --size must be > 0");
    if (!(o.timeout_s > 0)) throw anyserial::cli::UsageError("--timeout must be > 0");
    if (vm.count("peer") != 0) o.peer = vm["peer"].as<std::string>();
    o.json = vm.count("json") != 0;

    Report r;
    asio::io_context io;
    std::exception_ptr failure;
    asio::co_spawn(io, loopback(ctx.host(), o, r), [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure) r.error = anyserial::cli::describe(failure);
    json::object doc;
    doc["sent"] = r.sent;
    doc["ok"] = r.ok;
    doc["mismatched"] = r.mismatched;
    doc["timeouts"] = r.timeouts;
    doc["rtt_us"] = json::object{{"p50", percentile(r.rtt_us, 50)},
                                 {"p99", percentile(r.rtt_us, 99)},
                                 {"max", percentile(r.rtt_us, 100)}};
    if (!r.error.empty()) doc["error"] = r.error;
    if (o.json) {
        ctx.out << json::serialize(doc) << '\n';
    } else {
        ctx.out << "port " << o.port << (o.peer ? " (echo on " + *o.peer + ")" : "") << ": sent "
                << r.sent << ", ok " << r.ok << ", mismatched " << r.mismatched << ", timeouts "
                << r.timeouts << "; rtt p50 " << percentile(r.rtt_us, 50) << " us, p99 "
                << percentile(r.rtt_us, 99) << " us, max " << percentile(r.rtt_us, 100) << " us\n";
        if (!r.error.empty()) ctx.err << "anyserial diag loopback: " << r.error << '\n';
    }
    const bool good = r.error.empty() && r.ok == o.count;
    return good ? anyserial::cli::exit_ok : anyserial::cli::exit_failure;
}

int run(anyserial::cli::Context &ctx) {
    if (ctx.args.empty() || ctx.args[0] == "--help" || ctx.args[0] == "-h") {
        ctx.out
            << "anyserial diag loopback --port P [--peer Q] [--count N] [--size B] "
               "[--timeout S] [--json]\n"
               "anyserial diag tap --port P [--duration S] [--baud B] [--output FILE [--overwrite] "
               "[--follow-symlinks]]\n"
               "anyserial diag jitter --port P [--protocol ...] [--address N] [--rate HZ] "
               "[--duration S] [--json]\n";
        return ctx.args.empty() ? anyserial::cli::exit_usage : anyserial::cli::exit_ok;
    }
    const std::string sub = ctx.args[0];
    const std::vector<std::string> rest(ctx.args.begin() + 1, ctx.args.end());
    if (sub == "loopback") return run_loopback(ctx, rest);
    if (sub == "tap") return anyserial::cli::diag::run_tap(ctx, rest);
    if (sub == "jitter") return anyserial::cli::diag::run_jitter(ctx, rest);
    throw anyserial::cli::UsageError("unknown diag subcommand '" + sub +
                                     "' (known: loopback, tap, jitter)");
}

}  // namespace

static const anyserial::cli::Registration reg{"diag", "serial diagnostics: loopback, tap, jitter",
                                              &run};

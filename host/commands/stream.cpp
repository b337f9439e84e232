// anyserial stream --port P [--protocol ID] [--address A] [--baud B] [--rate HZ] [--duration S]
//                  [--json]
// One line (or one JSON object, the long-format row) per sample as it arrives: a passive
// subscription for a broadcasting device, timed polls at --rate for a request/response one. Runs
// until
// --duration, SIGINT/SIGTERM, or the line is lost. The "streaming ..." banner and the final
// count go to stderr, so stdout carries samples only.
#include <anyserial/device/session.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/record/stream.hpp>
#include <anyserial/record/summary.hpp>
#include <anyserial/sinks/sink.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/program_options.hpp>
#include <cstdio>
#include <ostream>

#include "command.hpp"
#include "device_options.hpp"
#include "device_output.hpp"
#include "interrupt.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC 12 + Asio awaitable frames
#endif

namespace po = boost::program_options;
namespace asio = boost::asio;
namespace dev = anyserial::device;
namespace rec = anyserial::record;

namespace {

struct Options {
    std::string port;
    dev::DeviceOptions device;
    std::optional<double> rate;
    std::optional<double> duration;
    bool json = false;
};

// One JSON object per sample (the long-format row), built in a stack buffer and serialised
// straight into `out`: at a fast broadcast this runs for every sample, so no heap object,
// no intermediate string.
void write_sample_json(std::ostream &out, const dev::Sample &s) {
    const auto row = anyserial::sinks::to_row(s);
    unsigned char mem[4096];
    boost::json::monotonic_resource mr(mem, sizeof mem);
    boost::json::object o(anyserial::sinks::column_count, &mr);
    for (std::size_t i = 0; i < anyserial::sinks::column_count; ++i) {
        boost::json::value &v = o.emplace(anyserial::sinks::columns()[i], nullptr).first->value();
        const auto &c = row[i];
        if (const auto *n = std::get_if<std::int64_t>(&c))
            v = *n;
        else if (const auto *d = std::get_if<double>(&c))
            v = *d;
        else if (const auto *t = std::get_if<std::string>(&c))
            v = boost::json::string_view(*t);
    }
    boost::json::serializer sr;
    sr.reset(&o);
    char text[1024];
    while (!sr.done()) {
        const auto part = sr.read(text, sizeof text);
        out.write(part.data(), static_cast<std::streamsize>(part.size()));
    }
    out << '\n';
}

std::string sample_text(const dev::Sample &s) {
    std::string line = rec::format_utc(s.received_at) + " " + s.device;
    if (s.error) return line + " error: " + *s.error;
    if (!s.reading) return line;
    const dev::Reading &r = *s.reading;
    line += " " + r.channel + " " + r.name.value_or("-") + " " + anyserial::cli::value_text(r);
    if (!r.unit.empty()) line += " " + r.unit;
    line += " " + anyserial::cli::flags_text(r.flags);
    return line;
}

asio::awaitable<int> stream(anyserial::cli::Context &ctx, const Options &o) {
    auto ex = co_await asio::this_coro::executor;
    // Installed first: a SIGINT from the moment the banner is out must end it cleanly.
    bool stopped = false;  // by the user or the duration: a normal end
    rec::StreamingSession session;
    anyserial::cli::Interrupt interrupt(ex);
    interrupt.on_signal([&] {
        stopped = true;
        session.close();
    });
    dev::Device anz;
    try {
        anz = co_await anyserial::cli::open_device(ctx.host(), o.port, o.device);
    } catch (const std::exception &e) {
        ctx.err << "anyserial stream: " << e.what() << '\n';
        co_return anyserial::cli::exit_code_of(e);
    }
    try {
        session = anz.stream(std::nullopt, o.rate);
        if (stopped) session.close();
    } catch (const dev::DeviceError &e) {
        ctx.err << "anyserial stream: " << e.what() << '\n';
        co_return anyserial::cli::exit_usage;
    }
    if (o.rate && session.mode() == rec::StreamMode::autoprint)
        ctx.err << "note: --rate is ignored: " << anz.protocol_id()
                << " broadcasts on the device's own cadence\n";
    ctx.err << "streaming " << anyserial::cli::device_label(anz) << " ("
            << rec::to_string(session.mode()) << ") from " << o.port << std::endl;

    asio::steady_timer timer(ex);
    if (o.duration) {
        timer.expires_after(std::chrono::nanoseconds(static_cast<std::int64_t>(*o.duration * 1e9)));
        timer.async_wait([&](boost::system::error_code e) {
            if (e) return;
            stopped = true;
            session.close();
        });
    }

    std::uint64_t samples = 0, errors = 0;
    // A frame's (or poll tick's) samples arrive together with one monotonic_ns: count the
    // changes (a set of every stamp seen grew without bound over a long stream).
    std::uint64_t frames = 0;
    std::int64_t last_frame = -1;
    boost::system::error_code end;
    for (;;) {
        auto [rec_ec, s] = co_await session.async_receive(asio::as_tuple(asio::use_awaitable));
        if (rec_ec) {
            end = rec_ec;
            break;
        }
        ++samples;
        if (s.error) ++errors;
        if (s.monotonic_ns != last_frame) ++frames;
        last_frame = s.monotonic_ns;
        if (o.json)
            write_sample_json(ctx.out, s);
        else
            ctx.out << sample_text(s) << '\n';
        ctx.out.flush();
    }
    timer.cancel();
    // A timer handler the cancel queued runs before this frame, which it refers to, goes.
    co_await asio::post(ex, asio::use_awaitable);
    ctx.err << "stream: " << samples << " samples in " << frames << " frames/ticks, " << errors
            << " error samples, " << session.lost() << " lost, " << anz.dropped_frames()
            << " bad frames\n";
    if (!stopped) {
        std::string why = end.message();
        if (auto e = anz.last_error()) why = anyserial::cli::describe(e);
        ctx.err << "anyserial stream: ended: " << why << '\n';
        anz.close();
        co_return anyserial::cli::exit_failure;
    }
    anz.close();
    co_return anyserial::cli::exit_ok;
}

int run(anyserial::cli::Context &ctx) {
    po::options_description opts(
        "anyserial stream --port P [--protocol ID] [--address A] [--baud B] [--rate HZ] "
        "[--duration S] [--json]");
    opts.add_options()("port", po::value<std::string>()->value_name("P"), "device port")(
        "baud", anyserial::cli::baud_value(), "baud rate (default: the protocol's)")(
        "rate", anyserial::cli::rate_value(), "poll rate of a request/response device (default 1)")(
        "duration", anyserial::cli::duration_value(), "stop after S seconds")(
        "timeout", anyserial::cli::timeout_value(), "per-call timeout in seconds")(
        "json", "one JSON object per sample")("help,h", "show this help");
    anyserial::cli::add_device_options(opts);
    po::variables_map vm;
    if (!anyserial::cli::parse_options(ctx, opts, vm)) return anyserial::cli::exit_ok;
    if (vm.count("port") == 0) throw anyserial::cli::UsageError("--port is required");
    Options o;
    o.port = vm["port"].as<std::string>();
    o.device = anyserial::cli::device_options(anyserial::cli::protocol_option(ctx.host(), vm), vm);
    o.rate = anyserial::cli::positive_option(vm, "rate", anyserial::cli::max_rate_hz);
    o.duration = anyserial::cli::positive_option(vm, "duration");
    o.json = vm.count("json") != 0;

    return anyserial::cli::run_to_completion(ctx, "stream", stream(ctx, o));
}

}  // namespace

static const anyserial::cli::Registration reg{"stream",
                                              "stream samples from a device as they arrive", &run};

// anyserial diag tap --port P [--duration S] [--baud B] [--output FILE [--overwrite]
//                   [--follow-symlinks]]
// Raw bytes as they arrive, with the wall-clock time of each read, as the hex/ASCII log
// that `anyserial decode` reads back (docs/recording.md):
//     # anyserial diag tap /dev/ttyUSB0 19200 baud
//     2024-05-01T12:00:00.123456Z 20 30 36 2d 31 30  | 06-10|
// At most 32 bytes per line (a longer read continues on the next line, same time). Runs
// until --duration, SIGINT/SIGTERM or the port fails; the byte count goes to stderr.
// --output is checked before the port is opened and written after (appended to an
// earlier tap log; anything else is refused unless --overwrite; no symlink followed
// unless --follow-symlinks): a run that cannot open its port changes no file.
#include <anyserial/record/summary.hpp>
#include <anyserial/serial_port.hpp>
#include <anyserial/sinks/output_file.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/program_options.hpp>
#include <filesystem>
#include <optional>
#include <ostream>

#include "device_options.hpp"
#include "diag.hpp"
#include "interrupt.hpp"
#include "output_options.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC 12 + Asio awaitable frames
#endif

namespace po = boost::program_options;
namespace asio = boost::asio;

namespace anyserial::cli::diag {

namespace {

constexpr std::size_t kPerLine = 32;

void append_line(std::string &line, const std::string &stamp, const std::uint8_t *p,
                 std::size_t n) {
    static const char *hex = "0123456789abcdef";
    line += stamp;
    std::string ascii;
    for (std::size_t i = 0; i < n; ++i) {
        line += ' ';
        line += hex[p[i] >> 4];
        line += hex[p[i] & 0xF];
        ascii += (p[i] >= 0x20 && p[i] < 0x7F) ? static_cast<char>(p[i]) : '.';
    }
    line += "  |" + ascii + "|\n";
}

// Where the log goes: the --output file (opened once the port is) or stdout.
struct LogOut {
    std::ostream &out;
    sinks::OutputFile *file = nullptr;
    void write(const std::string &text) {
        if (file) {
            file->write(text);
            file->flush();
        } else {
            out << text << std::flush;
        }
    }
};

struct Tap {
    std::string port;
    std::uint32_t baud = 19200;
    std::optional<double> duration;
    std::uint64_t bytes = 0, reads = 0;
    bool opened = false;  // a summary only follows a tap that started
    std::string error;
};

asio::awaitable<void> tap(Context &ctx, LogOut out, Tap &t) {
    auto ex = co_await asio::this_coro::executor;
    // Installed first: a SIGINT from the moment the banner is out must end it cleanly.
    bool stopping = false;
    std::optional<SerialPort> open_port;
    Interrupt interrupt(ex);
    interrupt.on_signal([&] {
        stopping = true;
        if (open_port) open_port->close();  // the pending read completes with errc::closed
    });
    SerialSettings settings;
    settings.baudrate = t.baud;
    settings.unsupported_policy = UnsupportedPolicy::ignore;
    // A symlink (`simulate --link`, /dev/serial/by-id) is resolved by the one open path.
    auto [ec, port] = co_await async_open_serial_port(
        ex, ctx.host(), t.port, SerialConfig(settings), asio::as_tuple(asio::use_awaitable));
    if (ec) port.throw_error(ec, "open " + t.port);
    open_port.emplace(std::move(port));
    SerialPort &p = *open_port;
    if (stopping) p.close();
    if (out.file) out.file->open();  // the port is open: only now is the file touched
    out.write("# anyserial diag tap " + t.port + ' ' + std::to_string(t.baud) + " baud\n");
    t.opened = true;
    ctx.err << "tapping " << t.port << " at " << t.baud << " baud" << std::endl;

    asio::steady_timer timer(ex);
    if (t.duration) {
        timer.expires_after(std::chrono::nanoseconds(static_cast<std::int64_t>(*t.duration * 1e9)));
        timer.async_wait([&](boost::system::error_code e) {
            if (e) return;
            stopping = true;
            p.close();
        });
    }
    std::array<std::uint8_t, 4096> buf;
    for (;;) {
        auto [rec, n] =
            co_await p.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
        if (n > 0) {
            const std::string stamp = record::format_utc(std::chrono::system_clock::now());
            std::string text;
            for (std::size_t off = 0; off < n; off += kPerLine)
                append_line(text, stamp, buf.data() + off, std::min(kPerLine, n - off));
            out.write(text);
            t.bytes += n;
            ++t.reads;
        }
        if (rec) {
            if (!stopping)
                t.error = p.last_error().message.empty() ? rec.message() : p.last_error().message;
            break;
        }
    }
    timer.cancel();
    // A timer handler the cancel queued runs before this frame, which it refers to, goes.
    co_await asio::post(ex, asio::use_awaitable);
    p.close();
}

}  // namespace

int run_tap(Context &ctx, const std::vector<std::string> &args) {
    Tap t;
    std::string output;
    po::options_description opts(
        "anyserial diag tap --port P [--duration S] [--baud B] [--output FILE [--overwrite] "
        "[--follow-symlinks]]");
    opts.add_options()("port", po::value(&t.port)->value_name("P"), "port to listen on")(
        "duration", duration_value(), "stop after S seconds")(
        "baud", baud_value(&t.baud)->default_value(19200), "baud rate")(
        "output", po::value(&output)->value_name("FILE"),
        "write the log here, not stdout (an earlier tap log is appended to)")("help,h",
                                                                              "show this help");
    add_output_options(opts);
    po::variables_map vm;
    if (!parse_options(ctx, args, opts, vm)) return exit_ok;
    if (t.port.empty()) throw UsageError("--port is required");
    t.duration = positive_option(vm, "duration");
    std::optional<sinks::OutputFile> file;
    if (!output.empty()) {
        file.emplace("tap log", output, output_options(vm), [](std::string_view first) {
            return first.rfind("# anyserial diag tap", 0) == 0;
        });
        try {
            file->check();
        } catch (const sinks::SinkRefusedError &e) {
            throw UsageError(e.what());
        } catch (const sinks::SinkError &e) {
            ctx.err << "anyserial diag tap: " << e.what() << '\n';
            return exit_failure;
        }
    }
    asio::io_context io;
    std::exception_ptr failure;
    asio::co_spawn(io, tap(ctx, LogOut{ctx.out, file ? &*file : nullptr}, t),
                   [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (file) {
        try {
            file->close();
        } catch (...) {
            if (!failure) failure = std::current_exception();
        }
    }
    if (failure) t.error = anyserial::cli::describe(failure);
    if (t.opened) ctx.err << "tap: " << t.bytes << " bytes in " << t.reads << " reads\n";
    if (!t.error.empty()) {
        ctx.err << "anyserial diag tap: " << t.error << '\n';
        // A refusal (the file changed since the check) or a refused configuration: exit 2.
        return exit_code_of(failure);
    }
    return exit_ok;
}

}  // namespace anyserial::cli::diag

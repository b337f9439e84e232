// anyserial demo [--protocol ID] [--seconds S] [--sink KIND:FILE] — no hardware needed: a
// simulated device on a kernel pty (any protocol plugin that ships a simulator), opened like
// a real one, recorded at 2 Hz for a few seconds with live readings, into a sink (default: a CSV
// file in a new temporary directory), then a summary that says where the recording is. The options
// (and the sink's file) are checked before anything starts; the temporary directory is kept only
// when the demo completes, removed on every other exit (a failure, SIGINT/SIGTERM: 130).
#include <stdlib.h>

#include <anyserial/device/session.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/record/recorder.hpp>
#include <anyserial/sim/simulator.hpp>
#include <anyserial/sinks/sink.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <ostream>

#include "command.hpp"
#include "default_device.hpp"
#include "device_options.hpp"
#include "device_output.hpp"
#include "interrupt.hpp"
#include "output_options.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC 12 + Asio awaitable frames
#endif

namespace po = boost::program_options;
namespace asio = boost::asio;
namespace dev = anyserial::device;

namespace {

constexpr int exit_interrupted = 130;  // SIGINT/SIGTERM: not completed

// The default device (default_device.hpp); any protocol with a simulator can be given.
using anyserial::cli::kDefaultDevice;
// A broadcaster's simulated frame interval: one fresh frame per 2 Hz tick.
constexpr auto kFrameInterval = std::chrono::milliseconds(500);

std::string line_of(const anyserial::record::Batch &batch) {
    std::string s;
    for (const dev::Sample &smp : batch) {
        if (smp.error) return "error: " + *smp.error;
        if (!smp.reading) continue;
        const dev::Reading &r = *smp.reading;
        if (!r.name && !r.value && !r.text) continue;
        if (!s.empty()) s += " | ";
        s += r.channel + " " + r.name.value_or("-") + " " + anyserial::cli::value_text(r);
        if (!r.unit.empty()) s += " " + r.unit;
    }
    return s;
}

asio::awaitable<int> demo(anyserial::cli::Context &ctx, anyserial::sim::PtySimulator &sim,
                          const std::string &protocol, double seconds,
                          anyserial::sinks::Sink &sink) {
    auto ex = co_await asio::this_coro::executor;
    // Listening before the first line is out: an interrupt always ends it cleanly.
    anyserial::cli::Interrupt interrupt(ex);
    ctx.out << "simulated device (" << protocol << ") on " << sim.path() << "\n";
    dev::DeviceOptions o;
    o.protocol = protocol;
    dev::Device anz;
    try {
        anz = co_await anyserial::cli::open_device(ctx.host(), sim.path(), o);
    } catch (const std::exception &e) {
        ctx.err << "anyserial demo: " << e.what() << '\n';
        co_return anyserial::cli::exit_failure;
    }
    ctx.out << "opened " << anyserial::cli::device_label(anz) << "\n";
    if (anz.info() && !anz.info()->model.empty()) ctx.out << "model: " << anz.info()->model << "\n";
    ctx.out << "recording at 2 Hz for " << seconds << " s into " << sink.describe() << "\n\n";

    // The drift-free recorder polls; every tick is shown and written to the sink.
    anyserial::record::RecordOptions ro;
    ro.rate_hz = 2.0;
    ro.duration = std::chrono::duration<double>(seconds);
    ro.device = anz.port();  // the name its data rows carry, so error rows match
    anyserial::record::Recording recording =
        anyserial::record::record(ex, anyserial::record::PollSource::ref(anz), ro);
    interrupt.on_signal([&recording] { recording.stop(); });  // ends after the tick in flight
    std::size_t ticks = 0, errors = 0, rows = 0;
    // Each line is stamped with when its tick asked (relative to the first) and how long
    // the reply took: the schedule stays on 0.5 s steps whatever the latency.
    std::optional<dev::Clock::time_point> first_request;
    sink.open();
    for (;;) {
        auto [bec, batch] =
            co_await recording.async_next_batch(asio::as_tuple(asio::use_awaitable));
        if (bec) break;
        ++ticks;
        if (!batch.empty() && batch.front().error) ++errors;
        char stamp[48] = "";
        if (!batch.empty() && batch.front().requested_at) {
            const dev::Sample &f = batch.front();
            if (!first_request) first_request = f.requested_at;
            std::snprintf(stamp, sizeof stamp, "t=%5.2fs (reply %5.1f ms) ",
                          std::chrono::duration<double>(*f.requested_at - *first_request).count(),
                          f.latency_s.value_or(0.0) * 1e3);
        }
        ctx.out << stamp << line_of(batch) << '\n';
        ctx.out.flush();
        sink.write(batch);
        rows += batch.size();
    }
    sink.close();
    const auto &s = recording.summary();
    const auto c = sim.simulator().counters();
    char summary[320];
    std::snprintf(summary, sizeof summary,
                  "\nsummary: %zu ticks (%llu late, max drift %.1f ms, poll p50 %.1f ms), %zu "
                  "errors, the simulator sent %llu replies and %llu frames, %llu dropped frames\n",
                  ticks, static_cast<unsigned long long>(s.samples_late), s.max_drift_ms,
                  s.tick_duration_ms_p50, errors, static_cast<unsigned long long>(c.replies),
                  static_cast<unsigned long long>(c.frames),
                  static_cast<unsigned long long>(anz.dropped_frames()));
    ctx.out << summary << "recorded " << rows << " rows into " << sink.describe() << '\n';
    anz.close();
    interrupt.on_signal({});  // the action refers to this frame's recording
    if (recording.error()) {
        ctx.err << "anyserial demo: " << recording.error_message() << '\n';
        co_return anyserial::cli::exit_failure;
    }
    if (interrupt.requested()) {
        ctx.err << "anyserial demo: interrupted\n";
        co_return exit_interrupted;
    }
    co_return errors == 0 && ticks > 0 ? anyserial::cli::exit_ok : anyserial::cli::exit_failure;
}

// The default sink's new private directory (/tmp/anyserial-demo-XXXXXX, mode 0700): removed
// with its demo.csv when the demo ends any other way than completed (keep()).
class TempDir {
  public:
    TempDir() {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "anyserial-demo-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr)
            throw std::runtime_error("cannot create a temporary directory from " + tmpl + ": " +
                                     std::strerror(errno));
        dir_ = tmpl;
    }
    ~TempDir() {
        if (keep_) return;
        std::error_code ec;
        std::filesystem::remove(file(), ec);  // never recursive: only what the demo made
        std::filesystem::remove(dir_, ec);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    std::filesystem::path file() const { return dir_ / "demo.csv"; }
    void keep() { keep_ = true; }

  private:
    std::filesystem::path dir_;
    bool keep_ = false;
};

int run(anyserial::cli::Context &ctx) {
    po::options_description opts(
        "anyserial demo [--protocol ID] [--seconds S] [--sink KIND:FILE [--overwrite] "
        "[--follow-symlinks]]");
    opts.add_options()("protocol",
                       po::value<std::string>()->value_name("ID")->default_value(kDefaultDevice),
                       "the device to simulate: a protocol plugin id or FAMILY:MODE whose plugin "
                       "ships a simulator")(
        "seconds", anyserial::cli::duration_value()->default_value(3.0), "how long to record, > 0")(
        "sink", po::value<std::string>()->value_name("KIND:FILE"),
        "csv:F, jsonl:F or sqlite:F (default: a CSV in a new temporary directory, kept only "
        "when the demo completes)")("help,h", "show this help");
    anyserial::cli::add_output_options(opts);
    po::variables_map vm;
    if (!anyserial::cli::parse_options(ctx, opts, vm)) return anyserial::cli::exit_ok;
    // Everything is checked before anything starts: no directory, pty or file made yet.
    const double secs = *anyserial::cli::positive_option(vm, "seconds");
    std::unique_ptr<anyserial::sinks::Sink> sink;
    if (vm.count("sink") != 0) {
        try {
            const std::string spec = vm["sink"].as<std::string>();
            const std::string kind = anyserial::sinks::parse_sink_spec(spec).kind;
            // The demo writes a file one can open afterwards; fleets use `record`.
            if (kind != "csv" && kind != "jsonl" && kind != "sqlite")
                throw std::invalid_argument(
                    "demo records into a file: csv:F, jsonl:F or "
                    "sqlite:F, not '" +
                    spec + "' (use record)");
            sink = anyserial::sinks::make_sink(spec, anyserial::cli::output_options(vm));
            sink->check();
        } catch (const std::invalid_argument &e) {
            throw anyserial::cli::UsageError(e.what());
        } catch (const anyserial::sinks::SinkRefusedError &e) {
            throw anyserial::cli::UsageError(e.what());
        } catch (const std::exception &e) {
            ctx.err << "anyserial demo: " << e.what() << '\n';
            return anyserial::cli::exit_failure;
        }
    }
    const anyserial::cli::ProtocolChoice choice =
        anyserial::cli::resolve_one_protocol(ctx.host(), vm["protocol"].as<std::string>(), "demo");
    const anyserial::cli::ProtocolInfo &proto = choice.only();
    if (!proto.simulator)
        throw anyserial::cli::UsageError("--protocol " + proto.id +
                                         ": the plugin ships no simulator");
    asio::io_context io;
    int rc = anyserial::cli::exit_failure;
    std::optional<TempDir> tmp;
    try {
        if (!sink) {
            tmp.emplace();
            sink = anyserial::sinks::make_csv_sink(tmp->file());
        }
        anyserial::sim::PtyOptions po_;
        po_.address = proto.address.default_address;
        if (proto.broadcast) po_.interval = kFrameInterval;
        anyserial::sim::PtySimulator sim(io.get_executor(), *proto.loaded, po_);
        sim.start();
        asio::co_spawn(io, demo(ctx, sim, proto.id, secs, *sink), [&](std::exception_ptr e, int r) {
            rc = r;
            if (e) {
                ctx.err << "anyserial demo: " << anyserial::cli::describe(e) << '\n';
                rc = anyserial::cli::exit_failure;
            }
            sim.stop();
        });
        io.run();
    } catch (const std::exception &e) {
        ctx.err << "anyserial demo: " << e.what() << '\n';
        return anyserial::cli::exit_failure;  // ~TempDir removes it
    }
    if (tmp && rc == anyserial::cli::exit_ok) tmp->keep();  // the summary named the file
    return rc;
}

}  // namespace

static const anyserial::cli::Registration reg{"demo", "a simulated device, read live (no hardware)",
                                              &run};

// anyserial record --port P [--port Q ...] [--protocol ID] [--address A ...] [--baud B]
//                  [--rate HZ] [--duration S] --sink SINK [--sink SINK ...] [--spool PATH]
//                  [--overflow block|drop-newest|drop-oldest] [--buffer N] [--reconnect] [--json]
//                  [--sink-thread] [--realtime [PRIO]] [--timer-slack-us US] [--lock-memory]
// Drift-free timed polling into a sink. One --port (and at most one --address): one
// device, AUTO allowed. Several --port entries (each with its --address, or one --address
// for all; or one --port with several --address, all on that line): a Manager of peers of one
// request/response protocol with addresses, the same path shared as one multidrop line. A live
// progress line on a terminal, then a summary (with
// --json:
// {"summary":{...},"sink":"..."}). SIGINT/SIGTERM end it with everything acquired flushed.
// A broadcasting device is recorded frame by frame (as --passive) unless
// --rate asks for timed samples. --passive: every frame as it arrives, one batch per frame,
// no polls; --frames N ends it after N frames. The sink is checked before the port is
// opened and created (or appended to) after: a run that cannot start changes no file.
#include <unistd.h>

#include <algorithm>
#include <anyserial/device/session.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/record/manager.hpp>
#include <anyserial/record/recorder.hpp>
#include <anyserial/sinks/pump.hpp>
#include <anyserial/sinks/sink.hpp>
#include <anyserial/sinks/writer_thread.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <ostream>
#include <set>
#include <string_view>
#include <utility>

#include "command.hpp"
#include "device_options.hpp"
#include "interrupt.hpp"
#include "output_options.hpp"
#include "realtime_options.hpp"
#include "record_verb.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC 12 + Asio awaitable frames
#endif

namespace po = boost::program_options;
namespace asio = boost::asio;
namespace dev = anyserial::device;
namespace rec = anyserial::record;

namespace {

using namespace anyserial::cli::record_verb;

// What is recorded: one device or a manager; rebuilt whole after a disconnect.
struct Source {
    std::shared_ptr<dev::Device> device;
    std::shared_ptr<rec::Manager> manager;
    rec::PollSource poll_source() const {
        return device ? rec::PollSource::shared(device) : rec::PollSource::shared(manager);
    }
    void close() {
        if (device) device->close();
        if (manager) manager->close();
    }
};

asio::awaitable<Source> open_source(anyserial::PluginHost &host, const Options &o) {
    auto ex = co_await asio::this_coro::executor;
    Source s;
    if (!o.manager) {
        dev::DeviceOptions d = o.device;
        d.address = o.entries.front().address;
        s.device = std::make_shared<dev::Device>(
            co_await anyserial::cli::open_device(host, o.entries.front().port, d));
        co_return s;
    }
    s.manager = std::make_shared<rec::Manager>(ex, host);
    try {
        for (const Entry &e : o.entries) {
            dev::DeviceOptions d = o.device;
            d.address = e.address;
            co_await s.manager->async_add(e.port + "@" + d.address, e.line, d, asio::use_awaitable);
        }
    } catch (...) {
        s.manager->close();
        throw;
    }
    co_return s;
}

std::unique_ptr<anyserial::sinks::Sink> make_sinks(const Options &o, SinkList &each) {
    std::vector<std::unique_ptr<anyserial::sinks::Sink>> sinks;
    std::set<std::string> targets;
    for (const auto &spec : o.sinks) {
        sinks.push_back(anyserial::sinks::make_sink(anyserial::sinks::parse_sink_spec(spec),
                                                    o.sink_options, {.spool = o.spool}));
        // Two sinks on one target would interleave a file or deliver a spool twice.
        if (!targets.insert(sinks.back()->describe()).second)
            throw std::invalid_argument("--sink " + sinks.back()->describe() + " is given twice");
        each.push_back(sinks.back().get());
    }
    return anyserial::sinks::make_fanout_sink(std::move(sinks));
}

// Whether the device is recorded frame by frame: --passive, or a broadcaster without
// --rate. Prints why not and returns nullopt when that cannot be.
std::optional<bool> frame_by_frame(anyserial::cli::Context &ctx, const Options &o,
                                   const Source &source) {
    const bool broadcast = source.device && source.device->broadcast();
    if (o.passive && !broadcast) {
        ctx.err << "anyserial record: --passive needs a broadcasting device; "
                << o.entries.front().port << " speaks " << source.device->protocol_id()
                << " (poll it with --rate)\n";
        return std::nullopt;
    }
    if (o.passive || !broadcast || o.rate_given) return o.passive;
    if (!o.poll_only.empty()) {  // AUTO found a broadcaster: these options had no meaning
        ctx.err << "anyserial record: " << o.entries.front().port
                << " broadcasts: without --rate every frame is recorded, and --"
                << o.poll_only.front() << " applies only to timed samples; give --rate HZ\n";
        return std::nullopt;
    }
    return true;
}

asio::awaitable<int> record(anyserial::cli::Context &ctx, Options o,
                            std::unique_ptr<anyserial::sinks::Sink> sink, SinkList each) {
    auto ex = co_await asio::this_coro::executor;

    // Installed first: a SIGINT from the moment the banner is out must end it cleanly. A
    // second one while the acquired ticks are written leaves at once (what is committed
    // stays).
    anyserial::cli::Interrupt interrupt(ex, /*second_exits=*/true);
    auto current = std::make_shared<Source>();
    try {
        *current = co_await open_source(ctx.host(), o);
    } catch (...) {
        // A configuration the serial layer refuses is the user's to fix (exit 2), as in read.
        ctx.err << "anyserial record: " << anyserial::cli::describe(std::current_exception())
                << '\n';
        co_return anyserial::cli::exit_code_of(std::current_exception());
    }
    const auto passive = frame_by_frame(ctx, o, *current);
    if (!passive) {
        current->close();
        co_return anyserial::cli::exit_failure;
    }
    o.passive = *passive;
    anyserial::cli::apply_realtime_options(o.tuning, ctx.err, "record");
    try {
        sink->open();  // only now is the file created, appended to or truncated
    } catch (const anyserial::sinks::SinkRefusedError &e) {  // it changed since the check
        current->close();
        ctx.err << "anyserial record: " << e.what() << '\n';
        co_return anyserial::cli::exit_usage;
    } catch (...) {
        current->close();
        ctx.err << "anyserial record: " << anyserial::cli::describe(std::current_exception())
                << '\n';
        co_return anyserial::cli::exit_failure;
    }
    if (o.passive) {
        ctx.err << "recording " << o.entries.front().port << " (" << current->device->protocol_id()
                << ") passively: every frame into " << sink->describe() << std::endl;
        Passive r;
        co_await record_passive(ctx, o, *current->device, *sink, interrupt, r);
        current->close();
        co_return report_passive(ctx, o, *sink, each, r, interrupt.requested());
    }
    if (!o.manager) o.record.device = o.entries.front().port;
    if (o.record.auto_reconnect) {
        anyserial::PluginHost *host = &ctx.host();
        o.record.reconnect_factory = [current, host, o, ex](rec::ReconnectHandler h) {
            current->close();  // release the dead port first (an exclusive lock would block)
            asio::co_spawn(ex, open_source(*host, o),
                           [current, h = std::move(h)](std::exception_ptr e, Source s) mutable {
                               if (e) {
                                   auto ec = dev::error_code_of(e);
                                   if (!ec) ec = dev::make_error_code(dev::errc::connection);
                                   std::move(h)(ec, rec::PollSource{});
                                   return;
                               }
                               *current = std::move(s);
                               std::move(h)(boost::system::error_code{}, current->poll_source());
                           });
        };
    }
    rec::Recording recording = rec::record(ex, current->poll_source(), o.record);
    interrupt.on_signal([&recording, &ctx] {
        recording.stop();  // the pump still writes everything acquired
        ctx.err << "anyserial record: stopping after the tick in flight; interrupt again to quit "
                   "at once"
                << std::endl;
    });
    std::string what =
        o.manager ? std::to_string(o.entries.size()) + " devices" : o.entries[0].port;
    if (current->device) what += " (" + anyserial::cli::device_label(*current->device) + ")";
    ctx.err << "recording " << what << " at " << o.record.rate_hz << " Hz into " << sink->describe()
            << std::endl;

    // The pump runs beside this loop, which prints the live progress line on a terminal.
    const bool live = !o.json && ::isatty(STDOUT_FILENO) == 1;
    asio::steady_timer ticker(ex);
    bool pumped = false;
    std::exception_ptr err;
    anyserial::sinks::PumpResult written;  // counted as it goes: right after a failure too
    anyserial::sinks::PumpOptions pump;
    pump.writer_thread = o.tuning.sink_thread;
    anyserial::sinks::async_record_to_sink(recording, *sink, written, pump,
                                           [&](std::exception_ptr e, anyserial::sinks::PumpResult) {
                                               err = e;
                                               pumped = true;
                                               ticker.cancel();
                                           });
    while (!pumped) {
        if (live) {
            const auto &p = recording.summary();
            char line[160];
            std::snprintf(line, sizeof line,
                          "\rrecording: emitted %llu, late %llu, max drift %.1f ms ",
                          static_cast<unsigned long long>(p.samples_emitted),
                          static_cast<unsigned long long>(p.samples_late), p.max_drift_ms);
            ctx.out << line << std::flush;
            ticker.expires_after(std::chrono::milliseconds(250));
        } else {
            ticker.expires_at(asio::steady_timer::time_point::max());
        }
        co_await ticker.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (live) ctx.out << '\n';
    current->close();

    const rec::AcquisitionSummary &s = recording.summary();
    const std::string error = err ? anyserial::cli::describe(err) : std::string();
    if (o.json) {
        boost::json::object doc;
        doc["summary"] = boost::json::parse(rec::to_json(s));
        doc["sink"] = sink->describe();
        doc["rows"] = written.rows;
        if (!error.empty()) doc["error"] = error;
        report_delivery(ctx, each, &doc);
        ctx.out << boost::json::serialize(doc) << '\n';
    } else {
        char line[256];
        std::snprintf(line, sizeof line,
                      "recorded %llu ticks (%llu late, drift max %.2f ms p99 %.2f ms, tick p50 "
                      "%.1f ms p99 %.1f ms, %llu disconnects)%s into ",
                      static_cast<unsigned long long>(s.samples_emitted),
                      static_cast<unsigned long long>(s.samples_late), s.max_drift_ms,
                      s.drift_ms_p99, s.tick_duration_ms_p50, s.tick_duration_ms_p99,
                      static_cast<unsigned long long>(s.disconnects),
                      interrupt.requested() ? ", interrupted" : "");
        ctx.out << line << sink->describe() << " (" << written.rows << " rows)\n";
        report_delivery(ctx, each, nullptr);
    }
    if (!error.empty()) {
        ctx.err << "anyserial record: " << without_verb(error) << '\n';
        co_return anyserial::cli::exit_failure;
    }
    co_return anyserial::cli::exit_ok;
}

// Frame by frame or timed samples: --passive, --frames, and a broadcaster without --rate.
void frame_options(const po::variables_map &vm, const anyserial::cli::ProtocolChoice &proto,
                   Options &o) {
    const bool explicit_passive = vm.count("passive") != 0;
    bool any_broadcast = false;
    for (const auto &c : proto.candidates)
        any_broadcast = any_broadcast || c.broadcast;
    const bool broadcaster = !proto.automatic && proto.only().broadcast;
    // A broadcasting device: without --rate each of its frames is recorded.
    o.passive = explicit_passive || (broadcaster && !o.rate_given);
    for (const char *name : {"overflow", "buffer", "reconnect", "timeout"})
        if (vm.count(name) != 0 && !vm[name].defaulted()) o.poll_only.emplace_back(name);
    if (vm.count("frames") != 0) {
        if (!o.passive)
            throw anyserial::cli::UsageError(
                "--frames needs --passive (or a broadcasting protocol without --rate)");
        o.frames = vm["frames"].as<std::uint64_t>();
        if (*o.frames == 0) throw anyserial::cli::UsageError("--frames must be at least 1");
    }
    if (explicit_passive) {
        if (o.manager) throw anyserial::cli::UsageError("--passive records one device");
        if (!any_broadcast)
            throw anyserial::cli::UsageError("--passive needs a broadcasting device; " +
                                             proto.text + " only answers requests");
        if (o.rate_given) throw anyserial::cli::UsageError("--rate is not used with --passive");
    }
    if (o.passive && !o.poll_only.empty())
        throw anyserial::cli::UsageError(
            "--" + o.poll_only.front() +
            (explicit_passive ? std::string(" is not used with --passive")
                              : " is not used when every frame of a broadcasting device is "
                                "recorded (no --rate); give --rate HZ to sample it"));
}

// --port and --address: one device per (line, address); a path and a link to it name the
// same line. Addresses are checked against the protocol's syntax. One --port with several
// --address: every address on that line (a multidrop bus).
std::vector<Entry> entries(const po::variables_map &vm,
                           const anyserial::cli::ProtocolChoice &proto) {
    auto ports = vm["port"].as<std::vector<std::string>>();
    std::vector<std::string> addresses{""};
    if (vm.count("address") != 0) addresses = vm["address"].as<std::vector<std::string>>();
    if (ports.size() == 1 && addresses.size() > 1) ports.resize(addresses.size(), ports.front());
    for (const std::string &a : addresses)  // a bad one is named first, whatever the count
        (void)anyserial::cli::checked_address(proto, a);
    if (addresses.size() != 1 && addresses.size() != ports.size())
        throw anyserial::cli::UsageError(
            "give one --address for all ports, one --address per --port, or one --port with "
            "several --address");
    std::vector<Entry> out;
    std::set<std::pair<std::string, std::string>> seen;
    for (std::size_t i = 0; i < ports.size(); ++i) {
        Entry e{ports[i], ports[i],
                anyserial::cli::checked_address(
                    proto, addresses.size() == 1 ? addresses[0] : addresses[i])};
        // Explicit, so two ports without --address are one (line, address) pair.
        if (e.address.empty() && !proto.automatic) e.address = proto.only().address.default_address;
        std::error_code fs_ec;
        const auto canonical = std::filesystem::weakly_canonical(e.port, fs_ec);
        e.line = fs_ec || e.port.find("://") != std::string::npos ? e.port : canonical.string();
        if (!seen.emplace(e.line, e.address).second)
            throw anyserial::cli::UsageError(
                "--port " + e.port +
                (e.address.empty() ? std::string() : " with --address " + e.address) +
                " is given twice");
        out.push_back(std::move(e));
    }
    return out;
}

int run(anyserial::cli::Context &ctx) {
    po::options_description opts(
        "anyserial record --port P [--port Q ...] [--protocol ID] [--address A ...] [--rate HZ] "
        "[--duration S] --sink SINK [--sink SINK ...] [--spool PATH] [--overwrite] "
        "[--follow-symlinks] [--overflow block|drop-newest|drop-oldest] [--buffer N] "
        "[--reconnect] [--passive [--frames N]] [--sink-thread] [--realtime [PRIO]] "
        "[--timer-slack-us US] [--lock-memory] [--json]");
    opts.add_options()("port", po::value<std::vector<std::string>>()->value_name("P"),
                       "device port (repeat for a manager)")(
        "protocol", po::value<std::string>()->value_name("ID")->default_value("auto"),
        anyserial::cli::kProtocolHelp)(
        "address", po::value<std::vector<std::string>>()->value_name("A"),
        "device address in the protocol's syntax (one for all ports, or one per --port)")(
        "baud", anyserial::cli::baud_value(), "baud rate (default: the protocol's)")(
        "rate", anyserial::cli::rate_value(),
        "ticks per second (default 1); a broadcasting device without --rate is recorded "
        "frame by frame, with it sampled")("duration", anyserial::cli::duration_value(),
                                           "seconds (default: until SIGINT)")(
        "sink", po::value<std::vector<std::string>>()->value_name("SINK"),
        "csv:F, jsonl:F, sqlite:F, influx:F|-, postgresql://…, mqtt://… (repeatable); an "
        "existing file is appended to when it has the same columns")(
        "spool", po::value<std::string>()->value_name("PATH"),
        "network sinks' spool (SQLite), default ./anyserial-spool.db")(
        "overflow", po::value<std::string>()->default_value("block"),
        "block, drop-newest or drop-oldest")(
        "buffer",
        anyserial::cli::whole_value<std::size_t>(1, rec::max_buffer_size)->default_value(64),
        "queue capacity in ticks, 1..1000000 (grows as ticks wait)")(
        "timeout", anyserial::cli::timeout_value(), "per-poll timeout in seconds")(
        "reconnect", "absorb disconnects: back off, reopen, continue")(
        "passive",
        "every broadcast frame as it arrives, no polling (the default for a broadcasting "
        "device without --rate)")(
        "frames", anyserial::cli::whole_value<std::uint64_t>(1, UINT64_MAX)->value_name("N"),
        "frame by frame (--passive, or a broadcaster without --rate): end after N frames")(
        "json", "final summary as JSON")("help,h", "show this help");
    anyserial::cli::add_output_options(opts);
    anyserial::cli::add_realtime_options(opts);
    po::variables_map vm;
    if (!anyserial::cli::parse_options(ctx, opts, vm)) return anyserial::cli::exit_ok;
    if (vm.count("port") == 0) throw anyserial::cli::UsageError("--port is required");
    if (vm.count("sink") == 0) throw anyserial::cli::UsageError("--sink is required");
    Options o;
    const anyserial::cli::ProtocolChoice proto = anyserial::cli::protocol_option(ctx.host(), vm);
    o.entries = entries(vm, proto);
    o.manager = o.entries.size() > 1;
    if (o.manager && (proto.automatic || proto.only().broadcast ||
                      proto.only().address.kind == dev::AddressSyntax::Kind::none))
        throw anyserial::cli::UsageError(
            "recording several devices needs one request/response protocol with addresses "
            "(multidrop peers), not " +
            proto.text);
    o.device.protocol = proto.option;
    if (proto.automatic) o.device.family = proto.family;
    o.device.identify = false;
    if (vm.count("baud") != 0) o.device.baudrate = vm["baud"].as<std::uint32_t>();
    o.record.timeout = anyserial::cli::timeout_option(vm);
    o.rate_given = vm.count("rate") != 0;
    o.record.rate_hz =
        anyserial::cli::positive_option(vm, "rate", anyserial::cli::max_rate_hz).value_or(1.0);
    if (const auto d = anyserial::cli::positive_option(vm, "duration"))
        o.record.duration = std::chrono::duration<double>(*d);
    const auto overflow = rec::parse_overflow_policy(vm["overflow"].as<std::string>());
    if (!overflow)
        throw anyserial::cli::UsageError("--overflow must be block, drop-newest or drop-oldest");
    o.record.overflow = *overflow;
    o.record.buffer_size = vm["buffer"].as<std::size_t>();
    if (o.record.buffer_size < 1 || o.record.buffer_size > rec::max_buffer_size)
        throw anyserial::cli::UsageError("--buffer must be 1.." +
                                         std::to_string(rec::max_buffer_size) + " ticks");
    o.record.auto_reconnect = vm.count("reconnect") != 0;
    try {
        rec::validate(o.record);
        for (const auto &spec : vm["sink"].as<std::vector<std::string>>())
            (void)anyserial::sinks::parse_sink_spec(spec);
    } catch (const std::invalid_argument &e) {
        throw anyserial::cli::UsageError(e.what());
    }
    o.sinks = vm["sink"].as<std::vector<std::string>>();
    if (vm.count("spool") != 0) o.spool = vm["spool"].as<std::string>();
    o.sink_options = anyserial::cli::output_options(vm);
    o.json = vm.count("json") != 0;
    o.tuning = anyserial::cli::realtime_options(vm);
    frame_options(vm, proto, o);

    // The sinks' files are looked at now, before any port is opened, and created later.
    std::unique_ptr<anyserial::sinks::Sink> sink;
    SinkList each;
    try {
        sink = make_sinks(o, each);
        sink->check();
    } catch (const std::invalid_argument &e) {
        throw anyserial::cli::UsageError(e.what());
    } catch (const anyserial::sinks::SinkRefusedError &e) {
        throw anyserial::cli::UsageError(e.what());
    } catch (const anyserial::sinks::SinkError &e) {
        ctx.err << "anyserial record: " << e.what() << '\n';
        return anyserial::cli::exit_failure;
    }
    const bool stdout_taken = std::any_of(
        each.begin(), each.end(), [](const auto *k) { return k->describe() == "influx:-"; });
    if (stdout_taken) {
        // influx:- owns stdout (Telegraf's execd reads it): the summary goes to stderr.
        anyserial::cli::Context quiet(ctx.err, ctx.err);
        quiet.verb = ctx.verb;
        quiet.args = ctx.args;
        quiet.plugin_dirs = ctx.plugin_dirs;
        return anyserial::cli::run_to_completion(
            quiet, "record", record(quiet, std::move(o), std::move(sink), each));
    }
    return anyserial::cli::run_to_completion(ctx, "record",
                                             record(ctx, std::move(o), std::move(sink), each));
}

}  // namespace

static const anyserial::cli::Registration reg{
    "record", "record a device (or several) into files, PostgreSQL, MQTT or line protocol", &run};

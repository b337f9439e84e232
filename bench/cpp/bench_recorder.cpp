// recorder_max_drift_ms: `bench-recorder record --iters HZ --bytes MS` runs record() at HZ
// for MS milliseconds against the mock backend (the harness's shared flags, reused).
// The poll source is one request/echo round trip on mock://bench-rec/a; the far end
// (mock://bench-rec/b) echoes on the same io_context. No analyser protocol is involved:
// this measures the recorder's schedule (start + n / rate) and the port underneath.
// `--impl` is a comma-separated list of what the acquisition user can reach for
// (record/realtime.hpp, sinks/writer_thread.hpp), each applied to this (the loop) thread:
//   timerslack=NS   PR_SET_TIMERSLACK (Linux defaults to 50 us)
//   fifo=PRIO       SCHED_FIFO at PRIO
//   mlock           mlockall
//   sink=sqlite     every batch into a SQLite sink (a fresh file, removed after) through
//                   pump_to_sink, on the loop ...
//   sink-thread     ... or on the sink's writer thread
// Without sink=, batches are consumed and dropped.
//
// Two references measured on the same machine, CPU and load, for what no code there avoids:
//   `bench-recorder floor --iters HZ --bytes MS [--impl timerslack=,fifo=,mlock]`: a bare
//     clock_nanosleep(TIMER_ABSTIME) loop on the same schedule, no Asio, no I/O — the
//     drift this machine gives any sleeping thread (late ticks as the recorder's);
//   `bench-recorder offcpu --bytes MS`: a SCHED_FIFO thread that only reads the clock, in
//     windows of 0.7 s over MS (an RT task may run 950 ms of each second before the kernel
//     throttles it); the largest jump between two reads is the longest the CPU was taken
//     from a thread nothing in the guest may preempt (interrupts aside): the hypervisor's.
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <anyserial/plugin_host.hpp>
#include <anyserial/record/realtime.hpp>
#include <anyserial/record/recorder.hpp>
#include <anyserial/serial_port.hpp>
#include <anyserial/sinks/pump.hpp>
#include <array>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <cerrno>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <sstream>

#include "harness.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC 12 + Asio awaitable frames
#endif

namespace asio = boost::asio;
namespace record = anyserial::record;
using anyserial::SerialPort;

namespace {

struct EchoSource {
    SerialPort &port;
    std::array<unsigned char, 1> tx{{'p'}};
    std::array<unsigned char, 1> rx{};

    void async_poll_samples(record::PollTimeout, record::PollSource::Handler h) {
        asio::async_write(port, asio::buffer(tx),
                          [this, h = std::move(h)](bench::error_code ec, std::size_t) mutable {
                              if (ec) return std::move(h)(ec, record::Batch{});
                              asio::async_read(
                                  port, asio::buffer(rx),
                                  [h = std::move(h)](bench::error_code ec2, std::size_t) mutable {
                                      record::Batch batch;
                                      if (!ec2) {
                                          record::Sample s;
                                          s.device = "mock";
                                          s.channel = "echo";
                                          batch.push_back(std::move(s));
                                      }
                                      std::move(h)(ec2, std::move(batch));
                                  });
                          });
    }
};

// The far end: echo whatever arrives, until the port closes.
struct Echo {
    SerialPort &port;
    std::array<unsigned char, 64> buf{};
    void start() {
        port.async_read_some(asio::buffer(buf), [this](bench::error_code ec, std::size_t n) {
            if (ec) return;
            asio::async_write(port, asio::buffer(buf.data(), n),
                              [this](bench::error_code ec2, std::size_t) {
                                  if (!ec2) start();
                              });
        });
    }
};

SerialPort open(asio::io_context &io, anyserial::PluginHost &host, const std::string &path) {
    std::optional<SerialPort> port;
    std::string failure;
    anyserial::async_open_serial_port(io.get_executor(), host, path, anyserial::SerialConfig{},
                                      [&](bench::error_code ec, SerialPort p) {
                                          if (ec)
                                              failure =
                                                  "open " + path + ": " + p.last_error().message;
                                          port.emplace(std::move(p));
                                      });
    io.run();
    io.restart();
    if (!failure.empty()) throw bench::Failure(failure);
    return std::move(*port);
}

struct Variant {
    anyserial::record::RealtimeOptions realtime;
    bool sqlite = false;
    bool sink_thread = false;
};

Variant parse_variant(const std::string &impl) {
    Variant v;
    std::istringstream in(impl);
    for (std::string item; std::getline(in, item, ',');) {
        if (item.rfind("timerslack=", 0) == 0) {
            v.realtime.timer_slack = std::chrono::nanoseconds(std::stol(item.substr(11)));
        } else if (item.rfind("fifo=", 0) == 0) {
            v.realtime.fifo_priority = std::stoi(item.substr(5));
        } else if (item == "mlock") {
            v.realtime.lock_memory = true;
        } else if (item == "sink=sqlite") {
            v.sqlite = true;
        } else if (item == "sink-thread") {
            v.sink_thread = true;
        } else if (!item.empty() && item != "none") {
            throw std::invalid_argument("unknown --impl item '" + item +
                                        "' (timerslack=NS, fifo=PRIO, mlock, sink=sqlite, "
                                        "sink-thread, none)");
        }
    }
    if (v.sink_thread && !v.sqlite) throw std::invalid_argument("sink-thread needs sink=sqlite");
    return v;
}

// Consumes every batch and drops it; closes the echo's port at the end.
void drop_batches(record::Recording &rec, SerialPort &echo_end) {
    auto next = std::make_shared<std::function<void()>>();
    *next = [&rec, &echo_end, next] {
        rec.async_next_batch([&rec, &echo_end, next](bench::error_code ec, record::Batch) {
            if (ec) {
                echo_end.close();
                *next = nullptr;  // breaks the cycle
                return;
            }
            (*next)();
        });
    };
    (*next)();
}

std::string sched_name() {
    int policy = 0;
    sched_param param{};
    ::pthread_getschedparam(::pthread_self(), &policy, &param);
    return policy == SCHED_FIFO ? "SCHED_FIFO " + std::to_string(param.sched_priority)
                                : std::string("SCHED_OTHER");
}

std::int64_t monotonic_ns() {
    timespec t{};
    ::clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

// The recorder's definitions: drift = start - due (early counts as 0); a tick that wakes
// after its whole slot has passed is late, skipped and left out of max and p99; p99 by
// nearest rank, as the summary's.
int floor_loop(double rate, double seconds) {
    const auto ticks =
        std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(rate * seconds)));
    const double period_ns = 1e9 / rate;
    std::vector<std::int64_t> drift;
    drift.reserve(ticks);
    std::size_t late = 0;
    const std::int64_t start = monotonic_ns();
    auto due_of = [&](std::size_t n) {
        return start + std::llround(static_cast<double>(n) * period_ns);
    };
    for (std::size_t n = 0; n < ticks; ++n) {
        const std::int64_t due = due_of(n);
        const timespec t{static_cast<time_t>(due / 1'000'000'000),
                         static_cast<long>(due % 1'000'000'000)};
        while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, nullptr) == EINTR) {
        }
        const std::int64_t now = monotonic_ns();
        if (now >= due_of(n + 1)) {
            ++late;
            continue;
        }
        drift.push_back(std::max<std::int64_t>(0, now - due));
    }
    if (drift.empty()) throw bench::Failure("every tick of the floor was late");
    std::sort(drift.begin(), drift.end());
    const auto rank = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(drift.size()))));
    std::cout << boost::json::serialize(boost::json::object{
                     {"max_drift_ms", static_cast<double>(drift.back()) / 1e6},
                     {"drift_p99_ms", static_cast<double>(drift[rank - 1]) / 1e6},
                     {"timer_slack_ns", ::prctl(PR_GET_TIMERSLACK)},
                     {"sched", sched_name()},
                     {"emitted", drift.size()},
                     {"late", late}})
              << std::endl;
    return 0;
}

int offcpu(double seconds) {
    record::RealtimeOptions rt;
    rt.fifo_priority = 10;
    const record::RealtimeReport applied = record::apply_realtime(rt);
    if (!applied.warnings.empty()) throw bench::Failure(applied.warnings.front());
    constexpr std::int64_t window = 700'000'000;
    const auto windows = std::max<long>(1, std::lround(seconds));  // one 0.7 s window per second
    std::int64_t max_gap = 0;
    long over_500us = 0, over_1ms = 0;
    for (long w = 0; w < windows; ++w) {
        std::int64_t prev = monotonic_ns();
        const std::int64_t end = prev + window;
        while (prev < end) {
            const std::int64_t now = monotonic_ns();
            const std::int64_t gap = now - prev;
            max_gap = std::max(max_gap, gap);
            over_500us += gap > 500'000;
            over_1ms += gap > 1'000'000;
            prev = now;
        }
        ::usleep(300'000);  // lets the kernel's RT throttling window pass unused
    }
    std::cout << boost::json::serialize(
                     boost::json::object{{"max_offcpu_ms", static_cast<double>(max_gap) / 1e6},
                                         {"gaps_over_0_5_ms", over_500us},
                                         {"gaps_over_1_ms", over_1ms},
                                         {"spun_s", static_cast<double>(windows) * 0.7},
                                         {"sched", sched_name()}})
              << std::endl;
    return 0;
}

}  // namespace

int main(int argc, char **argv) try {
    bench::Args a = bench::parse(argc, argv);
    if (a.iters <= 0 || a.bytes <= 0 || a.bytes > 3'600'000)
        throw std::invalid_argument("record needs --iters HZ > 0 and --bytes MS in (0, 3600000]");
    const double rate = static_cast<double>(a.iters);
    const double seconds = static_cast<double>(a.bytes) / 1000.0;
    if (a.mode == "offcpu") return offcpu(seconds);
    const Variant variant = parse_variant(a.impl);
    if (a.mode != "record" && a.mode != "floor")
        throw std::invalid_argument("mode must be record, floor or offcpu");
    if (a.mode == "floor" && variant.sqlite)
        throw std::invalid_argument("the floor has no sink: sink= is for record");
    const record::RealtimeReport applied = record::apply_realtime(variant.realtime);
    if (!applied.warnings.empty()) throw bench::Failure(applied.warnings.front());
    if (a.mode == "floor") return floor_loop(rate, seconds);
    anyserial::PluginHost host;
    host.load_default();
    asio::io_context io(1);
    SerialPort a_end = open(io, host, "mock://bench-rec/a");
    SerialPort b_end = open(io, host, "mock://bench-rec/b");
    Echo echo{b_end};
    echo.start();
    EchoSource source{a_end};
    record::RecordOptions opts;
    opts.rate_hz = rate;
    opts.duration = std::chrono::duration<double>(seconds);
    opts.timeout = std::chrono::seconds(1);
    opts.device = "mock";
    record::Recording rec =
        record::record(io.get_executor(), record::PollSource::ref(source), opts);
    std::unique_ptr<anyserial::sinks::Sink> sink;
    std::filesystem::path dir;
    std::exception_ptr sink_failure;
    if (variant.sqlite) {
        char tmpl[] = "/tmp/anyserial-bench-rec-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) throw bench::Failure("mkdtemp failed");
        dir = tmpl;
        sink = anyserial::sinks::make_sink("sqlite:" + (dir / "rec.db").string());
        anyserial::sinks::PumpResult progress;
        anyserial::sinks::PumpOptions pump;
        pump.writer_thread = variant.sink_thread;
        anyserial::sinks::async_record_to_sink(
            rec, *sink, progress, pump, [&](std::exception_ptr e, anyserial::sinks::PumpResult) {
                sink_failure = e;
                b_end.close();
            });
    } else {
        drop_batches(rec, b_end);
    }
    io.run();
    if (!dir.empty()) std::filesystem::remove_all(dir);
    if (sink_failure) std::rethrow_exception(sink_failure);
    if (!rec.error_message().empty())
        throw bench::Failure("recording failed: " + rec.error_message());
    const record::AcquisitionSummary &s = rec.summary();
    std::cout << boost::json::serialize(
                     boost::json::object{{"max_drift_ms", s.max_drift_ms},
                                         {"drift_p99_ms", s.drift_ms_p99},
                                         {"timer_slack_ns", ::prctl(PR_GET_TIMERSLACK)},
                                         {"sched", sched_name()},
                                         {"emitted", s.samples_emitted},
                                         {"late", s.samples_late},
                                         {"tick_p99_ms", s.tick_duration_ms_p99}})
              << std::endl;
    return 0;
} catch (const std::exception &e) {
    bench::print_error(e.what());
    return 1;
}

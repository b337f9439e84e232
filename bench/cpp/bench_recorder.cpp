// recorder_max_drift_ms: `bench-recorder record --iters HZ --bytes MS` runs record() at HZ
// for MS milliseconds against the mock backend (the harness's shared flags, reused).
// The poll source is one request/echo round trip on mock://bench-rec/a; the far end
// (mock://bench-rec/b) echoes on the same io_context. No analyser protocol is involved:
// this measures the recorder's schedule (start + n / rate) and the port underneath.
// `--impl timerslack=NS` first sets this thread's timer slack (prctl PR_SET_TIMERSLACK; Linux
// defaults to 50 us): how much of the drift is the kernel coalescing our timer wake-ups.
#include <sys/prctl.h>

#include <anyserial/plugin_host.hpp>
#include <anyserial/record/recorder.hpp>
#include <anyserial/serial_port.hpp>
#include <array>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <functional>
#include <iostream>
#include <optional>

#include "harness.hpp"

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

}  // namespace

int main(int argc, char **argv) try {
    bench::Args a = bench::parse(argc, argv);
    if (a.iters <= 0 || a.bytes <= 0 || a.bytes > 3'600'000)
        throw std::invalid_argument("record needs --iters HZ > 0 and --bytes MS in (0, 3600000]");
    const double rate = static_cast<double>(a.iters);
    const double seconds = static_cast<double>(a.bytes) / 1000.0;
    long slack_ns = -1;  // unchanged
    if (a.impl.rfind("timerslack=", 0) == 0) {
        slack_ns = std::stol(a.impl.substr(11));
        if (slack_ns <= 0 || ::prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(slack_ns)) != 0)
            throw std::invalid_argument("--impl timerslack=NS needs NS > 0 (prctl failed)");
    } else if (!a.impl.empty()) {
        throw std::invalid_argument("unknown --impl '" + a.impl + "' (timerslack=NS or none)");
    }
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
    std::uint64_t batches = 0;
    bench::error_code end;
    std::function<void()> next = [&] {
        rec.async_next_batch([&](bench::error_code ec, record::Batch) {
            if (ec) {
                end = ec;
                b_end.close();
                return;
            }
            ++batches;
            next();
        });
    };
    next();
    io.run();
    if (!rec.error_message().empty())
        throw bench::Failure("recording failed: " + rec.error_message());
    const record::AcquisitionSummary &s = rec.summary();
    std::cout << boost::json::serialize(
                     boost::json::object{{"max_drift_ms", s.max_drift_ms},
                                         {"drift_p99_ms", s.drift_ms_p99},
                                         {"timer_slack_ns", ::prctl(PR_GET_TIMERSLACK)},
                                         {"emitted", s.samples_emitted},
                                         {"late", s.samples_late},
                                         {"tick_p99_ms", s.tick_duration_ms_p99}})
              << std::endl;
    return 0;
} catch (const std::exception &e) {
    bench::print_error(e.what());
    return 1;
}

// bench-sinks SINK [--rows R] [--batches N] [--latency-batches L] [--spool PATH]
// Prints one JSON object: rows/s of N back-to-back batches of R rows until the sink has
// delivered them all (a network sink's close() drains its spool), and the p50/p99 latency
// of L batches written one at a time, from write() to delivered (network sinks) or to
// write() returning (file sinks).
#include <algorithm>
#include <anyserial/sinks/sink.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

namespace sinks = anyserial::sinks;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<anyserial::device::Sample> batch_of(std::size_t rows, std::uint64_t tick) {
    std::vector<anyserial::device::Sample> b(rows);
    for (std::size_t i = 0; i < rows; ++i) {
        auto &s = b[i];
        s.device = "bench";
        s.channel = "C" + std::to_string(i);
        anyserial::device::Reading r;
        r.channel = s.channel;
        r.value = 20.0 + static_cast<double>(i) / 1000.0;
        r.unit = "%";
        s.reading = r;
        s.protocol = "bench-protocol";
        s.monotonic_ns = static_cast<std::int64_t>(tick);
        s.received_at = std::chrono::system_clock::now();
        s.latency_s = 0.01;
    }
    return b;
}

double ms(Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        std::cerr << "usage: bench-sinks SINK [--rows R] [--batches N] [--latency-batches L] "
                     "[--spool PATH]\n";
        return 2;
    }
    std::string spec = argv[1], spool = "bench-sinks-spool.db";
    std::size_t rows = 20, batches = 500, latency_batches = 100;
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        const auto v = std::strtoull(argv[i + 1], nullptr, 10);
        if (k == "--rows")
            rows = v;
        else if (k == "--batches")
            batches = v;
        else if (k == "--latency-batches")
            latency_batches = v;
        else if (k == "--spool")
            spool = argv[i + 1];
    }
    const auto parsed = sinks::parse_sink_spec(spec);
    std::uint64_t tick = 0;

    // Latency: one batch at a time, until the server has it.
    std::vector<double> lat;
    {
        auto sink = sinks::make_sink(parsed, {.spool = spool});
        sink->open();
        for (std::size_t n = 0; n < latency_batches; ++n) {
            const auto b = batch_of(rows, tick++);
            const auto t0 = Clock::now();
            sink->write(b);
            if (const auto d = sink->delivery()) {
                while (sink->delivery()->delivered <= d->delivered)
                    std::this_thread::sleep_for(std::chrono::microseconds(50));
            }
            lat.push_back(ms(Clock::now() - t0));
        }
        sink->close();
    }
    std::sort(lat.begin(), lat.end());
    auto q = [&](double p) {
        return lat.empty()
                   ? 0.0
                   : lat[std::min(lat.size() - 1, static_cast<std::size_t>(p * lat.size()))];
    };

    // Throughput: N batches back to back, then close (drains the spool).
    auto sink = sinks::make_sink(parsed, {.spool = spool});
    sink->open();
    std::vector<std::vector<anyserial::device::Sample>> data;
    for (std::size_t n = 0; n < batches; ++n)
        data.push_back(batch_of(rows, tick++));
    const auto t0 = Clock::now();
    for (const auto &b : data)
        sink->write(b);
    const auto written = Clock::now();
    sink->close();
    const auto done = Clock::now();
    const auto d = sink->delivery();

    boost::json::object out{
        {"bench", "sinks"},
        {"sink", parsed.kind},
        {"rows_per_batch", rows},
        {"batches", batches},
        {"rows_per_s", static_cast<double>(rows * batches) / (ms(done - t0) / 1000.0)},
        {"write_rows_per_s", static_cast<double>(rows * batches) / (ms(written - t0) / 1000.0)},
        {"batch_latency_ms_p50", q(0.5)},
        {"batch_latency_ms_p99", q(0.99)}};
    if (d) {
        out["delivered"] = d->delivered;
        out["pending"] = d->pending;
    }
    std::cout << boost::json::serialize(out) << '\n';
    return d && d->pending ? 1 : 0;
}

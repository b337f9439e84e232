// Test doubles for the recorder: a poll source whose poll duration and failures are
// scripted on a ManualClock, and a driver that runs the io_context and advances the
// clock to the next deadline whenever nothing else is ready.
#pragma once

#include <anyserial/errors.hpp>
#include <anyserial/record/recorder.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>
#include <functional>
#include <memory>
#include <vector>

namespace fakes {

namespace asio = boost::asio;
using anyserial::record::Batch;
using anyserial::record::ManualClock;
using anyserial::record::PollTimeout;
using anyserial::record::Sample;
using anyserial::record::SteadyClock;
using anyserial::record::Timer;
using boost::system::error_code;

inline Batch make_batch(std::size_t tick, const std::string &device = "fake") {
    Sample s;
    s.device = device;
    s.channel = "I1";
    anyserial::device::Reading r;
    r.channel = "I1";
    r.value = static_cast<double>(tick);
    r.unit = "%";
    s.reading = r;
    s.monotonic_ns = static_cast<std::int64_t>(tick);
    return Batch{s};
}

// Tick index carried by make_batch.
inline std::size_t tick_of(const Batch &b) {
    return static_cast<std::size_t>(b.at(0).monotonic_ns);
}

struct FakeSource {
    FakeSource(asio::io_context &io, ManualClock &c, std::string dev = "fake")
        : ioc(io), clock(c), device(std::move(dev)) {}

    asio::io_context &ioc;
    ManualClock &clock;
    std::string device;
    std::vector<SteadyClock::time_point> poll_starts;
    std::function<SteadyClock::duration(std::size_t)> delay;  // fake poll duration
    std::function<error_code(std::size_t)> fail;              // error of poll n
    std::vector<std::unique_ptr<Timer>> timers;
    // What PollSource::protocol() reports, as a Device would.
    std::string protocol_id() const { return "acme-flow"; }

    template <class Handler>
    void async_poll_samples(PollTimeout, Handler &&handler) {
        const std::size_t n = poll_starts.size();
        poll_starts.push_back(clock.now());
        const error_code ec = fail ? fail(n) : error_code{};
        Batch batch = ec ? Batch{} : make_batch(n, device);
        const auto d = delay ? delay(n) : SteadyClock::duration::zero();
        if (d == SteadyClock::duration::zero()) {
            asio::post(ioc, asio::append(std::forward<Handler>(handler), ec, std::move(batch)));
            return;
        }
        timers.push_back(clock.make_timer(ioc.get_executor()));
        timers.back()->async_wait_until(
            clock.now() + d, [h = std::forward<Handler>(handler), ec, b = std::move(batch)](
                                 error_code) mutable { std::move(h)(ec, std::move(b)); });
    }
};

// Runs ready handlers; when none are left and `done` is false, jumps the clock to the
// next deadline. Fails the test if nothing can make progress.
template <class Pred>
void run_until(asio::io_context &ioc, ManualClock &clock, Pred done, int max_steps = 1'000'000) {
    for (int i = 0; i < max_steps; ++i) {
        ioc.restart();
        ioc.poll();
        if (done()) return;
        auto next = clock.next_deadline();
        if (!next) {
            BOOST_FAIL("stalled: no pending deadline and the condition is not met");
            return;
        }
        clock.advance_to(*next);
    }
    BOOST_FAIL("run_until: step limit reached");
}

inline void run_ready(asio::io_context &ioc) {
    ioc.restart();
    ioc.poll();
}

// Drains a recording: every batch until the stream ends, plus the final error code.
struct Drain {
    std::vector<Batch> batches;
    error_code end;
    bool done = false;
    // A slow consumer: called after each batch with the step that asks for the next one.
    std::function<void(std::function<void()>)> between;
    void start(anyserial::record::Recording &rec) {
        rec.async_next_batch([this, &rec](error_code ec, Batch b) {
            if (ec) {
                end = ec;
                done = true;
                return;
            }
            batches.push_back(std::move(b));
            if (between)
                between([this, &rec] { start(rec); });
            else
                start(rec);
        });
    }
};

}  // namespace fakes

// The sink's writer thread: the recorder keeps its schedule while a write blocks, batches
// reach the sink in order on the writer thread, open/flush/close stay on the loop, and a
// write that fails there stops the recording and is reported like any sink failure.
#define BOOST_TEST_MODULE record_writer_thread
#include <pthread.h>
#include <sched.h>

#include <anyserial/record/realtime.hpp>
#include <anyserial/sinks/pump.hpp>
#include <anyserial/sinks/writer_thread.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/test/unit_test.hpp>
#include <future>
#include <mutex>
#include <thread>

#include "fakes.hpp"

using namespace anyserial::sinks;
namespace rec = anyserial::record;

namespace {

// Records where each call ran; the first write waits until the test opens the gate.
struct GateSink final : Sink {
    std::string path_ = "gate";
    std::shared_future<void> gate;
    mutable std::mutex m;
    std::vector<std::size_t> ticks;  // tick of each written batch, in order
    std::vector<std::thread::id> write_threads;
    std::vector<int> write_policies;
    std::thread::id open_thread, flush_thread, close_thread;
    int fail_on = 0;  // 1-based write that throws; 0: none

    std::string_view kind() const noexcept override { return "gate"; }
    const std::string &path() const noexcept override { return path_; }
    void open() override { open_thread = std::this_thread::get_id(); }
    void write(std::span<const Sample> b) override {
        std::unique_lock lock(m);
        write_threads.push_back(std::this_thread::get_id());
        int policy = -1;
        sched_param p{};
        ::pthread_getschedparam(::pthread_self(), &policy, &p);
        write_policies.push_back(policy);
        if (static_cast<int>(write_threads.size()) == fail_on)
            throw SinkError("gate", path_, "disk on fire");
        if (write_threads.size() == 1 && gate.valid()) {
            lock.unlock();
            gate.wait();
            lock.lock();
        }
        ticks.push_back(static_cast<std::size_t>(b[0].monotonic_ns));
    }
    void flush() override { flush_thread = std::this_thread::get_id(); }
    void close() override { close_thread = std::this_thread::get_id(); }
    std::size_t written() const {
        std::lock_guard lock(m);
        return ticks.size();
    }
};

// A pump started on a recording: what it reported when it completed.
struct Pump {
    PumpResult progress;
    std::exception_ptr failure;
    bool done = false;
    void start(rec::Recording &recording, Sink &sink, PumpOptions options) {
        async_record_to_sink(recording, sink, progress, options,
                             [this](std::exception_ptr e, PumpResult) {
                                 failure = e;
                                 done = true;
                             });
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_schedule_holds_while_a_write_blocks_and_every_batch_arrives_in_order) {
    rec::ManualClock clock;
    boost::asio::io_context ioc;
    fakes::FakeSource source{ioc, clock};
    rec::RecordOptions o;
    o.rate_hz = 1.0;
    o.duration = std::chrono::seconds(6);
    auto recording = rec::record(ioc.get_executor(), rec::PollSource::ref(source), o, clock);
    std::promise<void> open_gate;
    GateSink sink;
    sink.gate = open_gate.get_future().share();
    Pump pump;
    pump.start(recording, sink, PumpOptions{true, 2});
    // The first write is stuck on the writer thread; the recorder still takes every tick.
    fakes::run_until(ioc, clock, [&] { return recording.finished(); });
    BOOST_TEST(recording.summary().samples_emitted == 6u);
    BOOST_TEST(recording.summary().samples_late == 0u);
    BOOST_TEST(recording.summary().max_drift_ms == 0.0);
    BOOST_TEST(sink.written() == 0u);
    BOOST_TEST(!pump.done);

    open_gate.set_value();
    ioc.restart();
    ioc.run();  // returns once the pump has written everything and closed the sink
    BOOST_REQUIRE(pump.done);
    BOOST_TEST(!pump.failure);
    BOOST_TEST(sink.ticks == (std::vector<std::size_t>{0, 1, 2, 3, 4, 5}),
               boost::test_tools::per_element());
    BOOST_TEST(pump.progress.batches == 6u);
    BOOST_TEST(pump.progress.rows == 6u);
    const auto loop = std::this_thread::get_id();
    for (const auto &id : sink.write_threads)
        BOOST_TEST((id != loop));
    BOOST_TEST((sink.open_thread == loop));
    BOOST_TEST((sink.flush_thread == loop));
    BOOST_TEST((sink.close_thread == loop));
}

BOOST_AUTO_TEST_CASE(a_write_failure_on_the_writer_thread_stops_the_recording_and_is_reported) {
    rec::ManualClock clock;
    boost::asio::io_context ioc;
    fakes::FakeSource source{ioc, clock};
    rec::RecordOptions o;
    o.rate_hz = 1.0;    // unlimited: only the failure ends it
    o.buffer_size = 1;  // the recorder soon waits for the writer
    auto recording = rec::record(ioc.get_executor(), rec::PollSource::ref(source), o, clock);
    GateSink sink;
    sink.fail_on = 3;
    Pump pump;
    pump.start(recording, sink, PumpOptions{true, 4});
    // The writer thread runs in real time, the clock in none: when the recorder waits for
    // queue room (no deadline left), block until the writer hands the loop something.
    for (int step = 0; !pump.done; ++step) {
        BOOST_REQUIRE(step < 10'000);
        ioc.restart();
        ioc.poll();
        if (pump.done) break;
        if (const auto next = clock.next_deadline()) {
            clock.advance_to(*next);
        } else {
            ioc.restart();
            ioc.run_one();
        }
    }
    BOOST_REQUIRE(pump.failure);
    BOOST_CHECK_EXCEPTION(std::rethrow_exception(pump.failure), SinkError, [](const SinkError &e) {
        return e.sink() == "gate" &&
               std::string(e.what()).find("disk on fire") != std::string::npos;
    });
    BOOST_TEST(sink.ticks == (std::vector<std::size_t>{0, 1}), boost::test_tools::per_element());
    BOOST_TEST(pump.progress.batches == 2u);  // what the sink holds
    BOOST_TEST((sink.close_thread == std::this_thread::get_id()));
    // Stopped: what is queued is delivered, then the stream ends (no tick starts any more).
    fakes::Drain rest;
    rest.start(recording);
    fakes::run_until(ioc, clock, [&] { return rest.done; });
    BOOST_TEST(rest.end == anyserial::errc::end_of_stream);
    BOOST_TEST(rest.batches.size() <= 2u);          // the queued batch and the one waiting for room
    BOOST_TEST(recording.error_message().empty());  // stopped, not failed: the sink failed
}

BOOST_AUTO_TEST_CASE(a_writer_needs_room_for_one_batch) {
    boost::asio::io_context ioc;
    GateSink sink;
    BOOST_CHECK_THROW(SinkWriterThread(sink, ioc.get_executor(), 0), std::invalid_argument);
    // Through the pump: refused before the sink is opened, and the recording is stopped.
    rec::ManualClock clock;
    fakes::FakeSource source{ioc, clock};
    rec::RecordOptions o;
    o.rate_hz = 1.0;
    auto recording = rec::record(ioc.get_executor(), rec::PollSource::ref(source), o, clock);
    Pump pump;
    pump.start(recording, sink, PumpOptions{true, 0});
    fakes::run_until(ioc, clock, [&] { return pump.done && recording.finished(); });
    BOOST_REQUIRE(pump.failure);
    BOOST_CHECK_THROW(std::rethrow_exception(pump.failure), std::invalid_argument);
    BOOST_TEST((sink.open_thread == std::thread::id{}));  // never opened
}

// The loop thread made SCHED_FIFO must not pass its priority on to the sink's disk and
// network waits: the writer runs at normal priority. Needs CAP_SYS_NICE (CI runs as root).
BOOST_AUTO_TEST_CASE(the_writer_does_not_inherit_the_loops_realtime_priority) {
    GateSink sink;
    int loop_policy = -1;
    std::vector<std::string> refused;
    std::thread([&] {
        rec::RealtimeOptions rt;
        rt.fifo_priority = 10;
        refused = rec::apply_realtime(rt).warnings;
        sched_param p{};
        ::pthread_getschedparam(::pthread_self(), &loop_policy, &p);
        boost::asio::io_context ioc;
        SinkWriterThread writer(sink, ioc.get_executor());
        boost::asio::co_spawn(
            ioc,
            [&]() -> boost::asio::awaitable<void> {
                co_await writer.push(fakes::make_batch(0));
                co_await writer.drain();
            },
            boost::asio::detached);
        ioc.run();
    }).join();
    BOOST_REQUIRE_MESSAGE(refused.empty(), "SCHED_FIFO was refused: needs CAP_SYS_NICE");
    BOOST_TEST(loop_policy == SCHED_FIFO);
    BOOST_REQUIRE(sink.write_policies.size() == 1u);
    BOOST_TEST(sink.write_policies[0] == SCHED_OTHER);
}

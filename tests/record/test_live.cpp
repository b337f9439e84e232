// Streaming and recording against the protocol plugins' simulators on mock pairs:
// Analyzer::stream in AUTOPRINT (every broadcast frame captured, counted against the
// simulator's own frame counter) and POLL (the recorder) modes, the wrong mode refused;
// a recording that survives the mock backend's disconnect fault through auto_reconnect.
#include <anyserial/sdk/ext/mock_faults.h>

#include <anyserial/record/recorder.hpp>
#include <anyserial/record/stream.hpp>
#include <set>

#include "../device/fixture.hpp"

using namespace test;
namespace rec = anyserial::record;
using namespace std::chrono_literals;

namespace {

dev::DeviceOptions explicit_options(std::string protocol_id, std::string label = {}) {
    dev::DeviceOptions o;
    o.protocol = std::move(protocol_id);
    o.identify = false;
    o.idle_gap = std::chrono::milliseconds(1);
    o.device = std::move(label);
    return o;
}

struct Received {
    bool done = false;
    ec_t ec;
    dev::Sample sample;
};

Received receive(asio::io_context &io, rec::StreamingSession &s) {
    Received r;
    s.async_receive([&](ec_t ec, dev::Sample smp) {
        r.ec = ec;
        r.sample = std::move(smp);
        r.done = true;
    });
    run_until(io, [&] { return r.done; });
    return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(live)

BOOST_AUTO_TEST_CASE(autoprint_stream_captures_every_broadcast_frame) {
    asio::io_context io;
    // The simulator is not started until the stream is subscribed: every frame it will
    // ever send must reach the stream.
    auto sim = std::make_shared<anyserial::sim::Simulator>(protocol("servomex-continuous"));
    sim->set_interval(5ms);
    anyserial::sim::SimulatorPump<anyserial::SerialPort> pump(open_port(io, "mock://live-auto/b"),
                                                              sim);
    auto opened = open_device(io, "mock://live-auto/a", explicit_options("servomex-continuous"));
    BOOST_TEST_REQUIRE(!opened.ec);
    dev::Device &anz = opened.anz;
    rec::StreamingSession stream = anz.stream();
    BOOST_TEST((stream.mode() == rec::StreamMode::autoprint));
    pump.start();

    // Read until 20 frames arrived, then stop the device: the socket delivers everything
    // sent before its EOF, and the lost line ends the stream once it is drained.
    std::set<std::int64_t> frames;
    std::size_t samples = 0;
    for (;;) {
        Received r = receive(io, stream);
        if (r.ec) {
            BOOST_TEST((r.ec == dev::errc::closed), r.ec.message());
            break;
        }
        BOOST_TEST(!r.sample.error.has_value());
        BOOST_TEST(!r.sample.requested_at.has_value());  // passive: nobody asked
        frames.insert(r.sample.monotonic_ns);
        ++samples;
        if (r.sample.channel == "I1")
            BOOST_TEST(r.sample.reading->value.value_or(0) == 20.376,
                       boost::test_tools::tolerance(1e-6));
        if (frames.size() == 20 && pump.running()) pump.stop();
    }
    const auto sent = sim->counters().frames;
    BOOST_TEST(sent >= 20u);
    BOOST_TEST(frames.size() == sent);
    BOOST_TEST(samples % frames.size() == 0u);  // whole frames
    BOOST_TEST(stream.lost() == 0u);
    BOOST_TEST(anz.dropped_frames() == 0u);
}

BOOST_AUTO_TEST_CASE(poll_stream_runs_the_recorder_for_modbus) {
    asio::io_context io;
    MockDevice device(io, "mock://live-poll", "servomex-modbus-rtu");
    auto opened = open_device(io, "mock://live-poll/a", explicit_options("servomex-modbus-rtu"));
    BOOST_TEST_REQUIRE(!opened.ec);
    rec::StreamingSession stream = opened.anz.stream(std::nullopt, 50.0);
    BOOST_TEST((stream.mode() == rec::StreamMode::poll));
    std::size_t i1 = 0;
    while (i1 < 3) {
        Received r = receive(io, stream);
        BOOST_TEST_REQUIRE(!r.ec, r.ec.message());
        BOOST_TEST(r.sample.requested_at.has_value());  // polled: requested and latency
        BOOST_TEST(r.sample.latency_s.has_value());
        if (r.sample.channel == "I1") {
            ++i1;
            BOOST_TEST(r.sample.reading->value.value_or(0) == 20.376,
                       boost::test_tools::tolerance(1e-6));
        }
    }
    BOOST_TEST_REQUIRE(stream.summary() != nullptr);
    BOOST_TEST(stream.summary()->samples_emitted >= 3u);
    stream.close();
    // The rest of the stream ends cleanly.
    for (;;) {
        Received r = receive(io, stream);
        if (r.ec) {
            BOOST_TEST((r.ec == anyserial::errc::end_of_stream), r.ec.message());
            break;
        }
    }
}

BOOST_AUTO_TEST_CASE(the_wrong_stream_mode_is_a_validation_error) {
    asio::io_context io;
    MockDevice modbus(io, "mock://live-mode-m", "servomex-modbus-rtu");
    auto m = open_device(io, "mock://live-mode-m/a", explicit_options("servomex-modbus-rtu"));
    BOOST_TEST_REQUIRE(!m.ec);
    BOOST_CHECK_EXCEPTION(m.anz.stream(rec::StreamMode::autoprint), dev::ValidationError,
                          [](const dev::ValidationError &e) {
                              return e.message().find("POLL") != std::string::npos &&
                                     e.context().port.value_or("") == "mock://live-mode-m/a";
                          });
    BOOST_CHECK_THROW(m.anz.stream(rec::StreamMode::poll, 0.0), dev::ValidationError);
    MockDevice cont(io, "mock://live-mode-c", "servomex-continuous");
    auto c = open_device(io, "mock://live-mode-c/a", explicit_options("servomex-continuous"));
    BOOST_TEST_REQUIRE(!c.ec);
    BOOST_CHECK_EXCEPTION(c.anz.stream(rec::StreamMode::poll), dev::ValidationError,
                          [](const dev::ValidationError &e) {
                              return e.message().find("AUTOPRINT") != std::string::npos;
                          });
}

BOOST_AUTO_TEST_CASE(recording_survives_a_disconnect_through_auto_reconnect) {
    asio::io_context io;
    MockDevice first(io, "mock://live-rc1", "servomex-modbus-rtu");
    MockDevice second(io, "mock://live-rc2", "servomex-modbus-rtu");
    auto opened =
        open_device(io, "mock://live-rc1/a", explicit_options("servomex-modbus-rtu", "rc1"));
    BOOST_TEST_REQUIRE(!opened.ec);
    auto anz = std::make_shared<dev::Device>(std::move(opened.anz));

    // The factory re-opens the analyser where the device came back (another pair).
    std::shared_ptr<dev::Device> rebuilt;
    int factory_calls = 0;
    rec::RecordOptions o;
    o.rate_hz = 50;
    o.auto_reconnect = true;
    o.reconnect_backoff_initial = 1ms;
    o.reconnect_backoff_max = 4ms;
    o.reconnect_factory = [&](rec::ReconnectHandler h) {
        ++factory_calls;
        dev::async_open_device(io.get_executor(), plugins(), "mock://live-rc2/a",
                               explicit_options("servomex-modbus-rtu", "rc2"),
                               [&, h = std::move(h)](ec_t ec, dev::Device a) mutable {
                                   if (ec) return std::move(h)(ec, rec::PollSource{});
                                   rebuilt = std::make_shared<dev::Device>(std::move(a));
                                   std::move(h)(ec, rec::PollSource::shared(rebuilt));
                               });
    };
    rec::Recording recording = rec::record(io.get_executor(), rec::PollSource::shared(anz), o);

    std::vector<rec::Batch> batches;
    bool faulted = false;
    std::size_t from_second = 0;
    while (from_second < 3) {
        bool done = false;
        ec_t ec;
        recording.async_next_batch([&](ec_t e, rec::Batch b) {
            ec = e;
            batches.push_back(std::move(b));
            done = true;
        });
        run_until(io, [&] { return done; });
        BOOST_TEST_REQUIRE(!ec, ec.message());
        const rec::Batch &b = batches.back();
        BOOST_TEST_REQUIRE(!b.empty());
        if (b.front().device == "rc2") ++from_second;
        if (batches.size() == 3 && !faulted) {
            // The device vanishes: pending and later I/O fail with DISCONNECTED.
            const anyserial::SerialPort *port = anz->serial_port();
            BOOST_TEST_REQUIRE(port != nullptr);
            auto *faults = static_cast<const anyserial_mock_faults_ext_t *>(
                port->backend_extension(ANYSERIAL_EXT_MOCK_FAULTS_ID));
            BOOST_TEST_REQUIRE(faults != nullptr);
            BOOST_TEST(faults->disconnect(port->backend_handle()) == ANYSERIAL_OK);
            faulted = true;
        }
    }
    recording.stop();
    for (;;) {  // queued batches are still delivered, then end_of_stream
        bool done = false;
        ec_t ec;
        rec::Batch b;
        recording.async_next_batch([&](ec_t e, rec::Batch x) {
            ec = e;
            b = std::move(x);
            done = true;
        });
        run_until(io, [&] { return done; });
        if (ec) {
            BOOST_TEST((ec == anyserial::errc::end_of_stream), ec.message());
            break;
        }
        batches.push_back(std::move(b));
    }
    BOOST_TEST(recording.summary().disconnects == 1u);
    BOOST_TEST(recording.summary().samples_late >= 1u);  // the reconnect gap
    BOOST_TEST(factory_calls == 1);
    BOOST_TEST(recording.error() == ec_t{});
    // Before the fault: the first device; after: the rebuilt one, both with the bench bank.
    std::size_t first_count = 0, second_count = 0;
    for (const rec::Batch &b : batches) {
        if (b.front().error) continue;  // the tick that hit the fault, if it was data
        (b.front().device == "rc1" ? first_count : second_count)++;
        for (const dev::Sample &s : b)
            if (s.channel == "I1")
                BOOST_TEST(s.reading->value.value_or(0) == 20.376,
                           boost::test_tools::tolerance(1e-6));
    }
    BOOST_TEST(first_count >= 3u);
    BOOST_TEST(second_count >= 3u);
}

BOOST_AUTO_TEST_SUITE_END()

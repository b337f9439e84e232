// The blocking facades: sync::Manager (two multidrop peers on one mock line plus a
// taken-over sync::Analyzer) and sync::record over the shared loop thread. The simulators
// run on this test's own io_context in a thread of the test (the library starts none but
// the shared loop).
#include <anyserial/device/sync_analyzer.hpp>
#include <anyserial/record/sync.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <set>
#include <thread>

#include "../device/fixture.hpp"
#include "bus.hpp"

using namespace test;
namespace rec = anyserial::record;
using namespace std::chrono_literals;

namespace {

// Simulators on their own loop thread for the duration of a test.
struct SimThread {
    asio::io_context io;
    std::unique_ptr<Bus> bus;
    std::unique_ptr<MockDevice> solo;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::thread thread;

    void start() {
        // run_until() may have left `io` stopped (it ran out of work once a port was
        // open); run() on a stopped context returns at once and the simulators never run.
        io.restart();
        work.emplace(io.get_executor());
        thread = std::thread([this] { io.run(); });
    }
    ~SimThread() {
        if (thread.joinable()) {
            asio::post(io, [this] {
                if (bus) bus->stop();
                if (solo) solo->pump->stop();
                work.reset();
            });
            thread.join();
        }
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(sync_facade)

BOOST_AUTO_TEST_CASE(sync_manager_polls_and_records_multidrop_peers) {
    SimThread sims;
    std::vector<Bus::Device> devices;
    for (unsigned a : {1u, 2u})
        devices.push_back({a, std::make_shared<anyserial::sim::Simulator>(
                                  protocol("servomex-modbus-rtu"), std::to_string(a))});
    sims.bus = std::make_unique<Bus>(open_port(sims.io, "mock://sy-bus/b"), std::move(devices));
    sims.bus->start();
    sims.solo = std::make_unique<MockDevice>(sims.io, "mock://sy-solo", "servomex-modbus-rtu");
    sims.start();

    anyserial::sync::Manager mgr(plugins());
    mgr.add("a1", "mock://sy-bus/a", bus_rtu("1"));
    mgr.add("a2", "mock://sy-bus/a", bus_rtu("2"));
    auto solo = anyserial::sync::Analyzer::open(plugins(), "mock://sy-solo/a", bus_rtu("1"));
    mgr.add("solo", std::move(solo.device()));
    BOOST_TEST((mgr.names() == std::vector<std::string>{"a1", "a2", "solo"}));
    BOOST_CHECK_THROW(mgr.add("a1", "mock://sy-bus/a", bus_rtu("3")), dev::ValidationError);
    // Text addresses are compared in canonical form: "002" is "2", taken.
    BOOST_CHECK_THROW(mgr.add("a3", "mock://sy-bus/a", bus_rtu("002")), dev::ValidationError);
    BOOST_CHECK_THROW(mgr.add("a3", "mock://sy-bus/a", bus_rtu("x")), dev::ValidationError);
    BOOST_CHECK_THROW(mgr.add("a3", "mock://sy-bus/a", bus_rtu("248")), dev::ValidationError);

    auto frames = mgr.poll();
    BOOST_TEST_REQUIRE(frames.size() == 3u);
    for (auto &[name, r] : frames) {
        BOOST_TEST_REQUIRE(r.ok(), name);
        BOOST_TEST(r.value->channel("I1")->value.value_or(0) == 20.376,
                   boost::test_tools::tolerance(1e-6));
    }
    auto samples = mgr.poll_samples({"a2"});
    BOOST_TEST(!samples.empty());
    for (const auto &s : samples)
        BOOST_TEST(s.device == "a2");

    // A recording of the manager: exactly duration * rate ticks, every peer in each.
    rec::RecordOptions o;
    o.rate_hz = 20;
    o.duration = std::chrono::duration<double>(0.25);
    auto recording = anyserial::sync::record(mgr, o);
    std::size_t ticks = 0;
    while (auto batch = recording.next(5s)) {
        ++ticks;
        std::set<std::string> devices_seen;
        for (const auto &s : *batch)
            devices_seen.insert(s.device);
        BOOST_TEST((devices_seen == std::set<std::string>{"a1", "a2", "mock://sy-solo/a"}));
    }
    BOOST_TEST(ticks == 5u);
    const rec::AcquisitionSummary summary = recording.summary();
    BOOST_TEST(summary.samples_emitted + summary.samples_late == 5u);
    BOOST_TEST(summary.samples_emitted == ticks);
    BOOST_TEST(summary.finished_at.has_value());
    BOOST_TEST(recording.finished());

    mgr.remove("a1");
    // A recording still running when the manager is closed from this thread: the manager
    // it shares is not freed under it; its next poll fails (errc::closed, or a lost
    // connection when the close caught a poll in flight) and next() reports that after the
    // batches before it.
    rec::RecordOptions endless = o;
    endless.duration.reset();
    auto running = anyserial::sync::record(mgr, endless);
    BOOST_TEST(running.next(5s).has_value());
    mgr.close();
    bool ended_with_error = false;
    try {
        while (running.next(5s)) {
        }
    } catch (const anyserial::SerialError &e) {
        const std::string what = e.what();
        ended_with_error = what.find("closed") != std::string::npos ||
                           what.find("connection") != std::string::npos;
    }
    BOOST_TEST(ended_with_error);
    BOOST_CHECK_THROW(anyserial::sync::record(mgr, o), dev::DeviceError);
    BOOST_CHECK_THROW(mgr.poll(), dev::DeviceError);
    BOOST_CHECK_THROW(mgr.remove("a2"), dev::DeviceError);
    BOOST_TEST(mgr.names().empty());
}

BOOST_AUTO_TEST_CASE(sync_record_of_one_analyser_and_invalid_options) {
    SimThread sims;
    sims.solo = std::make_unique<MockDevice>(sims.io, "mock://sy-one", "servomex-modbus-rtu");
    sims.start();
    auto anz = anyserial::sync::Analyzer::open(plugins(), "mock://sy-one/a", bus_rtu("1"));
    // The blocking face: calibration is a declared command behind the confirmation gate.
    BOOST_CHECK_THROW(anz.start_calibration(1), dev::ConfirmationRequiredError);
    BOOST_CHECK_THROW(anz.stop_calibration(), dev::ConfirmationRequiredError);
    BOOST_TEST(anz.calibration_status(1).active == false);
    BOOST_TEST((anz.protocol() == dev::ProtocolKind::modbus_rtu));
    rec::RecordOptions bad;
    bad.rate_hz = 0;
    BOOST_CHECK_THROW(anyserial::sync::record(anz.device(), bad), std::invalid_argument);
    rec::RecordOptions o;
    o.rate_hz = 50;
    auto recording = anyserial::sync::record(anz.device(), o);  // until stop()
    std::size_t got = 0;
    while (got < 3) {
        auto b = recording.next(5s);
        BOOST_TEST_REQUIRE(b.has_value());
        BOOST_TEST(b->front().device == "mock://sy-one/a");
        BOOST_TEST(!b->front().error.has_value(), b->front().error.value_or(""));
        ++got;
    }
    recording.stop();
    while (recording.next(5s)) {
    }
    BOOST_TEST(recording.finished());
    BOOST_TEST(recording.rate_hz() == 50.0);
}

BOOST_AUTO_TEST_SUITE_END()

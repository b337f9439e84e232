// The transaction engine against the simulator's faults: silence (timeout after every
// retry), exception replies, a dropped request recovered by a retry, bad checksums.
#include "fixture.hpp"

using namespace test;

namespace {

struct Bench {
    asio::io_context io;
    MockDevice device;
    dev::Analyzer anz;
    explicit Bench(const std::string &pair) : device(io, pair, dev::ProtocolKind::modbus_rtu) {
        dev::DeviceOptions o;
        o.protocol = dev::ProtocolKind::modbus_rtu;
        o.identify = false;
        o.response_timeout = std::chrono::milliseconds(30);
        o.idle_gap = std::chrono::milliseconds(1);
        auto r = open_device(io, pair + "/a", o);
        BOOST_TEST_REQUIRE(!r.ec);
        anz = std::move(r.anz);
    }
    Op<dev::Frame> poll() {
        Op<dev::Frame> op;
        anz.async_poll(false, op.handler());
        run_until(io, [&] { return op.done; });
        return op;
    }
    std::uint64_t requests() { return device.sim().counters().requests; }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(engine)

BOOST_AUTO_TEST_CASE(poll_reads_the_bench_bank) {
    Bench b("mock://eng-ok");
    auto op = b.poll();
    BOOST_TEST_REQUIRE(!op.ec);
    BOOST_TEST(op.value.readings.size() >= 5u);
    BOOST_TEST(op.value.channel("I2")->value.value_or(0) == 0.084,
               boost::test_tools::tolerance(1e-4));
    BOOST_TEST(!op.value.channel("E1")->name);
    BOOST_TEST(b.anz.snapshot().has_value());
    BOOST_TEST(b.anz.info().has_value());  // names cached on the first poll
}

BOOST_AUTO_TEST_CASE(silence_times_out_after_the_retries) {
    Bench b("mock://eng-silence");
    b.device.sim().set_fault(ANYSERIAL_SIM_FAULT_SILENCE);
    const auto before = b.requests();
    auto op = b.poll();
    BOOST_TEST((op.ec == dev::errc::timeout));
    const auto &e = error_of(b.anz);
    BOOST_TEST(e.message().find("3 attempts") != std::string::npos);
    BOOST_TEST(e.context().function_code.has_value());
    BOOST_TEST(!e.context().request.empty());
    BOOST_TEST(b.requests() - before == 3u);  // the first send + 2 retries
}

BOOST_AUTO_TEST_CASE(exception_reply_is_a_modbus_error) {
    Bench b("mock://eng-exc");
    b.device.sim().set_fault(ANYSERIAL_SIM_FAULT_EXCEPTION, 2);
    auto op = b.poll();
    BOOST_TEST((op.ec == dev::errc::modbus_exception));
    BOOST_CHECK_THROW(b.anz.throw_last_error(), dev::ModbusError);
    const auto &e = error_of(b.anz);
    BOOST_TEST(e.context().exception_code.value_or(0) == 2u);
    BOOST_TEST(e.context().function_code.has_value());
    BOOST_TEST(e.context().port.value() == "mock://eng-exc/a");
}

BOOST_AUTO_TEST_CASE(dropped_request_succeeds_on_retry) {
    Bench b("mock://eng-drop");
    b.device.sim().set_fault(ANYSERIAL_SIM_FAULT_DROP_REQUESTS, 1);
    const auto before = b.requests();
    auto op = b.poll();
    BOOST_TEST_REQUIRE(!op.ec);
    BOOST_TEST(op.value.channel("I1")->value.value_or(0) == 20.376,
               boost::test_tools::tolerance(1e-4));
    BOOST_TEST(b.requests() - before >= 2u);  // one dropped, then answered
}

BOOST_AUTO_TEST_CASE(bad_checksums_fail_as_checksum_errors) {
    Bench b("mock://eng-crc");
    b.device.sim().set_fault(ANYSERIAL_SIM_FAULT_BAD_CHECKSUM);
    auto op = b.poll();
    BOOST_TEST((op.ec == dev::errc::checksum));
    BOOST_CHECK_THROW(b.anz.throw_last_error(), dev::ChecksumError);
    BOOST_TEST(!error_of(b.anz).context().response.empty());
    // Cleared: the next poll works again.
    b.device.sim().set_fault(ANYSERIAL_SIM_FAULT_NONE);
    BOOST_TEST(!b.poll().ec);
}

BOOST_AUTO_TEST_CASE(calibration_pulses_reach_the_device) {
    Bench b("mock://eng-cal");
    VoidOp start;
    b.anz.async_start_calibration(2, true, start.handler());
    run_until(b.io, [&] { return start.done; });
    BOOST_TEST_REQUIRE(!start.ec);
    BOOST_TEST(b.device.sim().cal_group(2).calibrating);
    Op<dev::CalibrationProgress> st;
    b.anz.async_calibration_status(2, st.handler());
    run_until(b.io, [&] { return st.done; });
    BOOST_TEST_REQUIRE(!st.ec);
    BOOST_TEST(st.value.active);
    VoidOp stop;
    b.anz.async_stop_calibration(true, stop.handler());
    run_until(b.io, [&] { return stop.done; });
    BOOST_TEST_REQUIRE(!stop.ec);
    BOOST_TEST(!b.device.sim().cal_group(2).calibrating);
}

BOOST_AUTO_TEST_SUITE_END()

// The transaction engine against the simulator's faults: silence (timeout after every
// retry), exception replies, a dropped request recovered by a retry, bad checksums.
#include "fixture.hpp"

using namespace test;

namespace {

struct Bench {
    asio::io_context io;
    MockDevice device;
    dev::Device anz;
    explicit Bench(const std::string &pair) : device(io, pair, rtu) {
        dev::DeviceOptions o;
        o.protocol = rtu;
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
    BOOST_TEST(!b.anz.channels().empty());  // the table is known after the first frame
    BOOST_TEST(op.value.protocol == rtu);
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

BOOST_AUTO_TEST_CASE(exception_reply_is_an_exception_error) {
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

BOOST_AUTO_TEST_CASE(declared_commands_reach_the_device) {
    Bench b("mock://eng-cal");
    auto run = [&](const std::string &id, std::vector<dev::ArgValue> args) {
        Op<dev::CommandResult> op;
        b.anz.async_command(id, std::move(args), true, op.handler());
        run_until(b.io, [&] { return op.done; });
        BOOST_TEST_REQUIRE(!op.ec, id << ": " << op.ec.message());
        return op.value;
    };
    run("calibration.start", {dev::ArgValue::of_integer(2)});
    BOOST_TEST(b.device.sim().field("cal_group.2.calibrating").number == 1.0);
    const dev::CommandResult st = run("calibration.status", {dev::ArgValue::of_integer(2)});
    BOOST_TEST(st.command == "calibration.status");
    BOOST_REQUIRE(st.fields.size() >= 2u);
    BOOST_TEST(dev::find_field(st.fields, "active")->number == 1.0);
    BOOST_TEST(dev::find_field(st.fields, "group")->number == 2.0);
    run("calibration.stop", {});
    BOOST_TEST(b.device.sim().field("cal_group.2.calibrating").number == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()

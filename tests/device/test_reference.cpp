// Issue 13 through the generic session with the Servomex plugins: an external input's
// `invalid` flag (FAULT) makes the reading not ok wherever its status is shown, an empty
// slot still reads by id, a range-limited map is read block by block, a calibration start
// that does not latch is a typed error, and device ports open exclusively under
// UnsupportedPolicy::raise.
#include <anyserial/device/abi.hpp>
#include <anyserial/device/json.hpp>
#include <anyserial/sim/simulator.hpp>

#include "fixture.hpp"

using namespace test;

namespace {

// The Servomex Modbus simulators' own faults (plugins/protocols/common: modbus_simulator.hpp).
constexpr std::uint32_t kSimFaultBlockReadsOnly = 0x100;
constexpr std::uint32_t kSimFaultCoilsStuck = 0x101;

struct ModbusBench {
    asio::io_context io;
    MockDevice device;
    dev::Device anz;
    explicit ModbusBench(const std::string &pair, bool identify = false) : device(io, pair, rtu) {
        dev::DeviceOptions o;
        o.protocol = rtu;
        o.identify = identify;
        o.response_timeout = std::chrono::milliseconds(200);
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
    Op<dev::Reading> read(const std::string &id) {
        Op<dev::Reading> op;
        anz.async_read_channel(id, op.handler());
        run_until(io, [&] { return op.done; });
        return op;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(reference)

// item 1
BOOST_AUTO_TEST_CASE(invalid_is_a_fault_flag_of_the_reading) {
    ModbusBench b("mock://ref-invalid");
    b.device.sim().set_reading("E1", 3.2, flag_bits(rtu, {"invalid"}));
    auto op = b.poll();
    BOOST_TEST_REQUIRE(!op.ec);
    const dev::Reading *e1 = op.value.channel("E1");
    BOOST_TEST_REQUIRE(e1 != nullptr);
    BOOST_TEST(e1->flags.has("invalid"));
    BOOST_TEST(e1->flags.any(dev::Severity::fault));
    BOOST_TEST(!e1->flags.ok());
    BOOST_TEST(op.value.channel("E2")->flags.ok());

    const auto json = dev::json::to_json(*e1);
    BOOST_TEST(json.at("status").at("severity").as_string() == "fault");
    BOOST_TEST(!json.at("status").at("ok").as_bool());
}

// item 4: the simulator presents a Modbus slot named "||||||"; the session reads no name.
BOOST_AUTO_TEST_CASE(modbus_pipes_name_reads_unlabelled) {
    ModbusBench b("mock://ref-pipes", true);
    b.device.sim().set_label("E2", "||||||", "MA");
    auto op = b.poll();
    BOOST_TEST_REQUIRE(!op.ec);
    const dev::Reading *e2 = op.value.channel("E2");
    BOOST_TEST_REQUIRE(e2 != nullptr);
    BOOST_TEST(!e2->name);
    BOOST_TEST(e2->unit == "mA");  // item 3: "MA" is mA
}

// item 7
BOOST_AUTO_TEST_CASE(read_channel_of_an_empty_slot_still_reads_it) {
    ModbusBench b("mock://ref-empty", true);
    BOOST_TEST_REQUIRE(b.anz.info().has_value());
    for (const auto &c : b.anz.info()->channels)
        BOOST_TEST(c.channel != "I4");  // identify found it empty
    auto op = b.read("I4");
    BOOST_TEST_REQUIRE(!op.ec, (op.ec ? error_of(b.anz).what() : ""));
    BOOST_TEST(op.value.channel == "I4");
    BOOST_TEST(!op.value.name);
    BOOST_TEST(op.value.value.value_or(-1) == 0.0);
    // A poll still lists the populated slots only.
    auto frame = b.poll();
    BOOST_TEST_REQUIRE(!frame.ec);
    BOOST_TEST(frame.value.channel("I4") == nullptr);
    BOOST_TEST(frame.value.readings.size() == 5u);
}

// item 5
BOOST_AUTO_TEST_CASE(range_limited_map_is_read_block_by_block) {
    ModbusBench b("mock://ref-narrow");
    b.device.sim().set_fault(kSimFaultBlockReadsOnly);
    b.device.sim().set_reading("I2", 0.5, flag_bits(rtu, {"alarm2"}));
    for (int round = 0; round < 2; ++round) {
        auto op = b.poll();
        BOOST_TEST_REQUIRE(!op.ec, (op.ec ? error_of(b.anz).what() : ""));
        BOOST_TEST(op.value.readings.size() == 5u);
        BOOST_TEST(op.value.channel("I1")->value.value_or(0) == 20.376,
                   boost::test_tools::tolerance(1e-9));
        BOOST_TEST(op.value.channel("I2")->flags.has("alarm2"));
    }
}

// item 6
BOOST_AUTO_TEST_CASE(a_calibration_start_that_did_not_latch_is_typed) {
    ModbusBench b("mock://ref-latch");
    auto start = [&](int group) {
        Op<dev::CommandResult> op;
        b.anz.async_command("calibration.start", {dev::ArgValue::of_integer(group)}, true,
                            op.handler());
        run_until(b.io, [&] { return op.done; });
        return op.ec;
    };
    BOOST_TEST_REQUIRE(!start(1));
    BOOST_TEST(b.device.sim().field("cal_group.1.calibrating").number == 1.0);

    b.device.sim().set_fault(kSimFaultCoilsStuck);
    BOOST_TEST((start(2) == dev::errc::not_latched));
    BOOST_CHECK_THROW(std::rethrow_exception(b.anz.last_error()), dev::NotLatchedError);
    BOOST_TEST(error_of(b.anz).message().find("did not latch") != std::string::npos);
    BOOST_TEST(b.device.sim().field("cal_group.2.calibrating").number == 0.0);
}

// item 9
BOOST_AUTO_TEST_CASE(device_ports_are_exclusive_under_raise_by_default) {
    ModbusBench b("mock://ref-defaults");
    const anyserial::SerialPort *p = b.anz.serial_port();
    BOOST_TEST_REQUIRE(p != nullptr);
    BOOST_TEST(p->config().exclusive());
    BOOST_TEST((p->config().unsupported_policy() == anyserial::UnsupportedPolicy::raise));
}

BOOST_AUTO_TEST_CASE(caller_settings_are_used_as_given) {
    asio::io_context io;
    MockDevice device(io, "mock://ref-caller", rtu);
    dev::DeviceOptions o;
    o.protocol = rtu;
    o.identify = false;
    o.serial = anyserial::SerialConfig(anyserial::SerialSettings{
        .baudrate = 19200, .unsupported_policy = anyserial::UnsupportedPolicy::ignore});
    auto r = open_device(io, "mock://ref-caller/a", o);
    BOOST_TEST_REQUIRE(!r.ec);
    BOOST_TEST(!r.anz.serial_port()->config().exclusive());
    BOOST_TEST((r.anz.serial_port()->config().unsupported_policy() ==
                anyserial::UnsupportedPolicy::ignore));
}

BOOST_AUTO_TEST_CASE(a_second_exclusive_open_of_a_device_pty_is_refused,
                     *boost::unit_test::precondition([](auto) {
                         return plugins().backend_for("/dev/pts/0") != nullptr;
                     })) {
    asio::io_context io;
    anyserial::sim::PtySimulator sim(io.get_executor(), protocol(rtu), {});
    sim.start();
    dev::DeviceOptions o;
    o.protocol = rtu;
    o.identify = false;
    auto r = open_device(io, sim.path(), o);
    BOOST_TEST_REQUIRE(!r.ec);

    std::optional<ec_t> second;
    anyserial::async_open_serial_port(
        io.get_executor(), plugins(), sim.path(),
        anyserial::SerialConfig(anyserial::SerialSettings{.baudrate = 19200, .exclusive = true}),
        [&](ec_t e, anyserial::SerialPort) { second = e; });
    run_until(io, [&] { return second.has_value(); });
    BOOST_TEST((*second == anyserial::errc::port_busy), second->message());
    r.anz.close();
    sim.stop();
}

BOOST_AUTO_TEST_SUITE_END()

// Models, ABI conversion and the error hierarchy.
#include <anyserial/device/abi.hpp>
#include <anyserial/device/errors.hpp>
#include <anyserial/device/models.hpp>
#include <boost/test/unit_test.hpp>

namespace dev = anyserial::device;

BOOST_AUTO_TEST_SUITE(models)

BOOST_AUTO_TEST_CASE(protocol_names_round_trip) {
    for (auto k : {dev::ProtocolKind::auto_detect, dev::ProtocolKind::continuous,
                   dev::ProtocolKind::modbus_rtu, dev::ProtocolKind::modbus_ascii})
        BOOST_TEST((dev::parse_protocol_kind(dev::to_string(k)) == k));
    BOOST_TEST(!dev::parse_protocol_kind("modbus"));
    BOOST_TEST(dev::protocol_plugin_id(dev::ProtocolKind::modbus_ascii) == "servomex-modbus-ascii");
}

BOOST_AUTO_TEST_CASE(channel_registry) {
    BOOST_TEST((dev::channel_kind_of("I4") == dev::ChannelKind::transducer));
    BOOST_TEST((dev::channel_kind_of("D1") == dev::ChannelKind::derived));
    BOOST_TEST((dev::channel_kind_of("E2") == dev::ChannelKind::external));
    BOOST_TEST(!dev::channel_kind_of("E3"));
    BOOST_TEST(!dev::channel_kind_of("I5"));
    BOOST_TEST(!dev::channel_kind_of("i1"));
    BOOST_TEST(dev::channel_ids().size() == 10u);
}

BOOST_AUTO_TEST_CASE(status_bits_round_trip) {
    const std::uint32_t bits =
        ANYSERIAL_STATUS_MAINTENANCE | ANYSERIAL_STATUS_ALARM3 | ANYSERIAL_STATUS_INHERITED;
    const dev::ChannelStatus s = dev::status_from_bits(bits);
    BOOST_TEST(s.maintenance);
    BOOST_TEST(!s.fault);
    BOOST_TEST(s.alarms[2]);
    BOOST_TEST(s.inherited);
    BOOST_TEST(!s.ok());
    BOOST_TEST(dev::status_to_bits(s) == bits);
    BOOST_TEST(dev::status_from_bits(0).ok());
}

BOOST_AUTO_TEST_CASE(frame_copied_from_abi_honours_struct_size) {
    anyserial_reading_t r[2] = {};
    for (auto &x : r)
        x.struct_size = sizeof x;
    r[0].channel = "I1";
    r[0].kind = ANYSERIAL_CHANNEL_TRANSDUCER;
    r[0].unit_kind = ANYSERIAL_UNIT_PERCENT;
    r[0].unit = "%";
    r[0].name = "Oxygen";
    r[0].has_value = true;
    r[0].value = 20.376;
    r[1].channel = "E1";
    r[1].kind = ANYSERIAL_CHANNEL_EXTERNAL;
    r[1].unit_kind = ANYSERIAL_UNIT_MILLIAMP;
    r[1].unit = "mA";
    r[1].status = ANYSERIAL_STATUS_INVALID | ANYSERIAL_STATUS_FAULT;
    anyserial_frame_t f{};
    f.struct_size = sizeof f;
    f.reading_count = 2;
    f.readings = r;
    f.has_checksum = true;
    f.checksum = 0x2A1D;
    f.has_analyser = true;
    f.analyser.struct_size = sizeof f.analyser;
    f.analyser.cal_group_count = 1;
    f.analyser.cal_groups[0] = {sizeof(anyserial_cal_group_t), 1, true, 2, {}};
    f.analyser.clock = "06-10-20 02:54:12";
    const dev::Frame m = dev::frame_from_abi(f, dev::ProtocolKind::continuous, {}, 7);
    BOOST_TEST_REQUIRE(m.readings.size() == 2u);
    BOOST_TEST(m.readings[0].name.value() == "Oxygen");
    BOOST_TEST(m.readings[0].value.value() == 20.376);
    BOOST_TEST((m.readings[0].unit.kind == dev::UnitKind::percent));
    BOOST_TEST(!m.readings[1].name);
    BOOST_TEST(!m.readings[1].value);
    BOOST_TEST(m.readings[1].status.invalid);
    BOOST_TEST(m.checksum.value() == 0x2A1Du);
    BOOST_TEST(m.analyser.cal_groups.at(0).calibrating);
    BOOST_TEST(m.analyser.cal_groups.at(0).cal_gas == 2);
    BOOST_TEST(m.analyser.clock.value() == "06-10-20 02:54:12");
    BOOST_TEST(m.monotonic_ns == 7);

    // A plugin built against an older, shorter frame struct: newer fields read as absent.
    anyserial_frame_t old = f;
    old.struct_size = offsetof(anyserial_frame_t, has_analyser);
    const dev::Frame o = dev::frame_from_abi(old, dev::ProtocolKind::continuous, {}, 0);
    BOOST_TEST(o.readings.size() == 2u);
    BOOST_TEST(!o.checksum);
    BOOST_TEST(o.analyser.cal_groups.empty());
}

BOOST_AUTO_TEST_CASE(samples_fan_out) {
    dev::Frame f;
    f.protocol = dev::ProtocolKind::modbus_rtu;
    f.monotonic_ns = 42;
    f.readings.resize(3);
    f.readings[1].channel = "I2";
    const auto s = dev::as_samples(f, "bench");
    BOOST_TEST(s.size() == 3u);
    BOOST_TEST(s[1].channel == "I2");
    BOOST_TEST(s[1].device == "bench");
    BOOST_TEST(s[1].monotonic_ns == 42);
    BOOST_TEST(!s[1].error);
}

BOOST_AUTO_TEST_CASE(errors_carry_context_and_codes) {
    dev::ErrorContext c;
    c.port = "/dev/pts/3";
    c.protocol = "modbus-rtu";
    c.address = 1;
    c.function_code = 4;
    c.register_address = 30001;
    c.request = {0x01, 0x04, 0x00, 0x00, 0x00, 0x46};
    try {
        dev::throw_device_error(dev::errc::timeout, "no response", c);
        BOOST_FAIL("must throw");
    } catch (const dev::TimeoutError &e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("no response") != std::string::npos);
        BOOST_TEST(what.find("/dev/pts/3") != std::string::npos);
        BOOST_TEST(what.find("FC 4") != std::string::npos);
        BOOST_TEST(what.find("register 30001") != std::string::npos);
        BOOST_TEST(what.find("01 04 00 00 00 46") != std::string::npos);
        BOOST_TEST((e.code() == dev::errc::timeout));
        BOOST_TEST(e.context().address.value() == 1u);
    }
    auto p = dev::make_device_error(dev::errc::confirmation_required, "confirm");
    BOOST_TEST((dev::error_code_of(p) == dev::errc::confirmation_required));
    BOOST_CHECK_THROW(std::rethrow_exception(p), dev::ConfigurationError);
    BOOST_CHECK_THROW(dev::throw_device_error(dev::errc::modbus_exception, "x"),
                      dev::ProtocolError);
    BOOST_CHECK_THROW(dev::throw_device_error(dev::errc::protocol_unsupported, "x"),
                      dev::ProtocolUnsupportedError);
    BOOST_CHECK_THROW(dev::throw_device_error(dev::errc::connection, "x"), dev::TransportError);
    BOOST_TEST(!dev::error_code_of(nullptr));
}

BOOST_AUTO_TEST_SUITE_END()

#define BOOST_TEST_MODULE anyserial_port_config
#include <anyserial/capabilities.hpp>
#include <anyserial/config.hpp>
#include <anyserial/errors.hpp>
#include <boost/test/unit_test.hpp>
#include <string>

using namespace anyserial;

namespace {

// The error message of constructing settings s ("" when valid).
std::string rejection(const SerialSettings &s) {
    try {
        SerialConfig c(s);
        return {};
    } catch (const ConfigurationError &e) {
        BOOST_TEST(e.code() == errc::invalid_configuration);
        return e.what();
    }
}

bool mentions(const std::string &msg, const char *field) {
    return msg.find(field) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(defaults_are_valid_115200_8n1) {
    SerialConfig c;
    BOOST_TEST(c.baudrate() == 115200u);
    BOOST_TEST(c.describe() == "115200 8N1");
    BOOST_TEST(!SerialConfig::validate(SerialSettings{}));
}

BOOST_AUTO_TEST_CASE(validation_names_the_field) {
    BOOST_TEST(mentions(rejection({.baudrate = 0}), "baudrate"));
    BOOST_TEST(mentions(rejection({.read_chunk_size = 63}), "read_chunk_size"));
    BOOST_TEST(rejection({.read_chunk_size = 64}).empty());
    BOOST_TEST(mentions(rejection({.byte_size = static_cast<ByteSize>(9)}), "byte_size"));
    BOOST_TEST(
        mentions(rejection({.flow_control = {.rts_cts = true, .dtr_dsr = true}}), "flow_control"));
    BOOST_TEST(
        mentions(rejection({.flow_control = {.rts_cts = true}, .rs485 = RS485Config{}}), "rs485"));
    // Disabled RS-485 settings do not conflict with RTS/CTS.
    BOOST_TEST(
        rejection({.flow_control = {.rts_cts = true}, .rs485 = RS485Config{.enabled = false}})
            .empty());
    BOOST_TEST(mentions(rejection({.stop_bits = StopBits::one_point_five}), "stop_bits"));
    BOOST_TEST(
        rejection({.byte_size = ByteSize::five, .stop_bits = StopBits::one_point_five}).empty());
    BOOST_TEST(mentions(
        rejection({.rs485 = RS485Config{.delay_before_send = std::chrono::microseconds(-1)}}),
        "rs485"));
    std::string why;
    BOOST_TEST(SerialConfig::validate({.baudrate = 0}, &why) == errc::invalid_configuration);
    BOOST_TEST(mentions(why, "baudrate"));
}

BOOST_AUTO_TEST_CASE(with_copies_validate_and_leave_the_original) {
    const SerialConfig base;
    const SerialConfig c =
        base.with_baudrate(9600).with_parity(Parity::even).with_stop_bits(StopBits::two);
    BOOST_TEST(base.baudrate() == 115200u);
    BOOST_TEST(c.describe() == "9600 8E2");
    BOOST_CHECK_THROW(base.with_baudrate(0), ConfigurationError);
    BOOST_CHECK_THROW(base.with_read_chunk_size(1), ConfigurationError);
    BOOST_TEST(base.with_collect_stats(true).collect_stats());
    BOOST_TEST(base.with_exclusive(true).exclusive());
    BOOST_TEST(!base.with_hangup_on_close(false).hangup_on_close());
}

BOOST_AUTO_TEST_CASE(conversion_to_the_abi) {
    const SerialConfig c(
        SerialSettings{.baudrate = 19200,
                       .byte_size = ByteSize::seven,
                       .parity = Parity::mark,
                       .stop_bits = StopBits::two,
                       .flow_control = {.xon_xoff = true, .dtr_dsr = true},
                       .exclusive = true,
                       .low_latency = true,
                       .read_chunk_size = 128,
                       .rs485 = RS485Config{.delay_after_send = std::chrono::microseconds(50)},
                       .unsupported_policy = UnsupportedPolicy::warn});
    const anyserial_serial_config_t a = c.to_c();
    BOOST_TEST(a.struct_size == sizeof a);
    BOOST_TEST(a.baudrate == 19200u);
    BOOST_TEST(a.byte_size == 7);
    BOOST_TEST(a.parity == ANYSERIAL_PARITY_MARK);
    BOOST_TEST(a.stop_bits == ANYSERIAL_STOP_BITS_TWO);
    BOOST_TEST(a.flow_control == (ANYSERIAL_FLOW_XON_XOFF | ANYSERIAL_FLOW_DTR_DSR));
    BOOST_TEST(a.exclusive);
    BOOST_TEST(a.hangup_on_close);
    BOOST_TEST(a.low_latency);
    BOOST_TEST(a.rs485_enabled);
    BOOST_TEST(a.rs485.struct_size == sizeof a.rs485);
    BOOST_TEST(a.rs485.rts_on_send);
    BOOST_TEST(a.rs485.delay_after_send_us == 50u);
    BOOST_TEST(a.unsupported_policy == ANYSERIAL_POLICY_WARN);
    BOOST_TEST(a.read_chunk_size == 128u);
}

BOOST_AUTO_TEST_CASE(parse_and_print_enums) {
    BOOST_TEST((parse_parity("even") == Parity::even));
    BOOST_TEST((parse_parity("O") == Parity::odd));
    BOOST_TEST(!parse_parity("bogus").has_value());
    BOOST_TEST((parse_stop_bits("1.5") == StopBits::one_point_five));
    BOOST_TEST(to_string(UnsupportedPolicy::ignore) == "ignore");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(capabilities)

BOOST_AUTO_TEST_CASE(tri_state_from_the_abi_and_resolution) {
    anyserial_capabilities_t c{};
    c.struct_size = sizeof c;
    c.custom_baudrate = ANYSERIAL_CAP_SUPPORTED;
    c.rs485 = ANYSERIAL_CAP_UNKNOWN;
    c.low_latency = ANYSERIAL_CAP_UNSUPPORTED;
    auto platform = SerialCapabilities::from_c(c, "linux", "linux");
    BOOST_TEST(to_string(platform.custom_baudrate) == "supported");
    BOOST_TEST(to_string(platform.rs485) == "unknown");
    BOOST_TEST(to_string(platform.low_latency) == "unsupported");
    BOOST_TEST(platform.features().size() == 14u);
    BOOST_TEST(platform.features()[0].first == "custom_baudrate");

    anyserial_capabilities_t d{};
    d.struct_size = sizeof d;
    d.rs485 = ANYSERIAL_CAP_UNSUPPORTED;        // the driver says no
    d.custom_baudrate = ANYSERIAL_CAP_UNKNOWN;  // keeps the platform's answer
    d.low_latency = ANYSERIAL_CAP_SUPPORTED;    // the platform's "no" is final
    auto r = resolve_capabilities(platform, SerialCapabilities::from_c(d, "", ""));
    BOOST_TEST(r.platform == "linux");
    BOOST_TEST((r.rs485 == Capability::unsupported));
    BOOST_TEST((r.custom_baudrate == Capability::supported));
    BOOST_TEST((r.low_latency == Capability::unsupported));
}

BOOST_AUTO_TEST_SUITE_END()

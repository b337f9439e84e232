// Generic models (flag sets, fields, address syntax, argument parsing), ABI conversion with
// its run-time checks, and the error hierarchy.
#include <anyserial/device/abi.hpp>
#include <anyserial/device/errors.hpp>
#include <anyserial/device/json.hpp>
#include <anyserial/device/models.hpp>
#include <anyserial/errors.hpp>
#include <boost/test/unit_test.hpp>

namespace dev = anyserial::device;

namespace {

std::shared_ptr<const dev::FlagTable> flags() {
    return std::make_shared<const dev::FlagTable>(dev::FlagTable{
        {"HLD", "Valve hold", dev::Severity::info, ""},
        {"OVR", "Over range", dev::Severity::warning, ""},
        {"ERR", "Error", dev::Severity::fault, ""},
    });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(models)

BOOST_AUTO_TEST_CASE(flag_sets_follow_the_declaration) {
    const dev::FlagSet none(0, flags());
    BOOST_TEST(none.ok());
    BOOST_TEST(none.ids().empty());
    const dev::FlagSet hold(0b001, flags());
    BOOST_TEST(hold.ok());  // info only
    BOOST_TEST(hold.has("HLD"));
    BOOST_TEST(!hold.has("nope"));
    const dev::FlagSet bad(0b110, flags());
    BOOST_TEST(!bad.ok());
    BOOST_TEST(bad.ids() == "OVR,ERR");
    BOOST_TEST(bad.any(dev::Severity::fault));
    const auto j = dev::json::to_json(bad);
    BOOST_TEST(j.at("severity").as_string() == "fault");
    BOOST_TEST(j.at("flags").as_array().size() == 2u);
}

BOOST_AUTO_TEST_CASE(address_syntax_normalises) {
    dev::AddressSyntax letter{dev::AddressSyntax::Kind::letter, 'A', 'D', "A", "unit A..D"};
    BOOST_TEST(letter.normalise("b").value_or("") == "B");
    BOOST_TEST(letter.normalise("").value_or("") == "A");
    BOOST_TEST(!letter.normalise("E"));
    BOOST_TEST(!letter.normalise("AB"));
    dev::AddressSyntax number{dev::AddressSyntax::Kind::integer, 1, 247, "1", "id 1..247"};
    BOOST_TEST(number.normalise("007").value_or("") == "7");
    BOOST_TEST(!number.normalise("0"));
    BOOST_TEST(!number.normalise("248"));
    BOOST_TEST(!number.normalise("-1"));
    BOOST_TEST(!number.normalise("1.0"));
}

BOOST_AUTO_TEST_CASE(arguments_parse_against_the_declaration) {
    dev::ArgInfo value{"value", "setpoint", dev::ValueType::number, "SCCM", false, 0.0, 10.0,
                       {},      0};
    std::string why;
    BOOST_TEST(dev::parse_arg(value, "2.5", why)->number == 2.5);
    BOOST_TEST(!dev::parse_arg(value, "20", why));
    BOOST_TEST(why == "20 is above 10 SCCM");
    BOOST_TEST(!dev::parse_arg(value, "abc", why));
    BOOST_TEST(why == "'abc' is not a number");
    dev::ArgInfo group{"group", "", dev::ValueType::integer, "", false, 1.0, 4.0, {}, 0};
    BOOST_TEST(!dev::parse_arg(group, "1.5", why));
    BOOST_TEST((dev::parse_arg(group, "3", why)->type == dev::ValueType::integer));
    dev::ArgInfo gas{"gas", "", dev::ValueType::text, "", false, {}, {}, {"Air", "Ar"}, 3};
    BOOST_TEST(dev::parse_arg(gas, "Ar", why)->text == "Ar");
    BOOST_TEST(!dev::parse_arg(gas, "N2", why));
}

BOOST_AUTO_TEST_CASE(frame_copied_from_abi_with_the_channel_table) {
    anyserial_reading_t r[2] = {};
    for (auto &x : r)
        x.struct_size = sizeof x;
    r[0].channel = "mass_flow";
    r[0].value_type = ANYSERIAL_VALUE_NUMBER;
    r[0].number = 12.5;
    r[0].flags = 0b010;
    r[1].channel = "gas";
    r[1].value_type = ANYSERIAL_VALUE_TEXT;
    r[1].text = "Ar";
    r[1].unlisted = true;
    const anyserial_reading_t *rs[] = {&r[0], &r[1]};
    anyserial_field_t clock{
        sizeof(anyserial_field_t), ANYSERIAL_VALUE_TEXT, "clock", 0, "12:00", nullptr};
    const anyserial_field_t *fs[] = {&clock};
    anyserial_frame_t f{};
    f.struct_size = sizeof f;
    f.reading_count = 2;
    f.readings = rs;
    f.device_flags = 0b100;
    f.field_count = 1;
    f.fields = fs;
    const std::vector<dev::ChannelInfo> table = {
        {"mass_flow", std::string("Mass Flow"), "flow", "SCCM", dev::ValueType::number}};
    dev::AbiContext ctx{"acme-flow", flags(), &table, {}, 7};
    const dev::Frame m = dev::frame_from_abi(f, ctx);
    BOOST_REQUIRE_EQUAL(m.readings.size(), 1u);
    BOOST_TEST(m.readings[0].name.value_or("") == "Mass Flow");
    BOOST_TEST(m.readings[0].unit == "SCCM");
    BOOST_TEST(m.readings[0].kind == "flow");
    BOOST_TEST(m.readings[0].flags.ids() == "OVR");
    BOOST_TEST(m.readings[0].protocol == "acme-flow");
    BOOST_TEST(m.unlisted_channel("gas")->text.value_or("") == "Ar");
    BOOST_TEST(m.device_flags.has("ERR"));
    BOOST_TEST(m.field("clock")->text == "12:00");
    BOOST_TEST(m.monotonic_ns == 7);

    // What the ABI forbids is a PluginError naming the protocol.
    r[0].flags = std::uint64_t{1} << 5;  // beyond the 3 declared flags
    BOOST_CHECK_EXCEPTION(
        dev::frame_from_abi(f, ctx), anyserial::PluginError, [](const anyserial::PluginError &e) {
            return std::string(e.what()).find("acme-flow") != std::string::npos &&
                   std::string(e.what()).find("beyond the 3 declared") != std::string::npos;
        });
    r[0].flags = 0;
    r[0].channel = "";
    BOOST_CHECK_THROW(dev::frame_from_abi(f, ctx), anyserial::PluginError);
    r[0].channel = nullptr;
    BOOST_CHECK_THROW(dev::frame_from_abi(f, ctx), anyserial::PluginError);
    r[0].channel = "mass_flow";
    r[1].text = nullptr;  // TEXT without text
    BOOST_CHECK_THROW(dev::frame_from_abi(f, ctx), anyserial::PluginError);
    r[1].text = "Ar";
    f.readings = nullptr;  // a count with no list
    BOOST_CHECK_THROW(dev::frame_from_abi(f, ctx), anyserial::PluginError);
}

BOOST_AUTO_TEST_CASE(frame_fan_out) {
    dev::Frame f;
    f.protocol = "acme-flow";
    f.monotonic_ns = 42;
    f.readings.resize(3);
    f.readings[1].channel = "CH2";
    const auto s = dev::as_samples(f, "bench");
    BOOST_TEST(s.size() == 3u);
    BOOST_TEST(s[1].channel == "CH2");
    BOOST_TEST(s[1].device == "bench");
    BOOST_TEST(s[1].protocol == "acme-flow");
    BOOST_TEST(s[1].monotonic_ns == 42);
    BOOST_TEST(!s[1].error);
}

BOOST_AUTO_TEST_CASE(errors_carry_context_and_codes) {
    dev::ErrorContext c;
    c.port = "/dev/pts/3";
    c.protocol = "acme-flow";
    c.address = "B";
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
        BOOST_TEST(e.context().address.value() == "B");
        BOOST_TEST(what.find("address B") != std::string::npos);
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

// The Servomex face's models, read out of generic values by the plugins' naming contract
// (P14: flags, units, status fields, calibration.status result fields, protocol ids).
#define BOOST_TEST_MODULE servomex_face
#include <anyserial/device/servomex.hpp>
#include <boost/test/unit_test.hpp>
#include <memory>

namespace dev = anyserial::device;
using dev::Field;
using dev::FlagSet;
using dev::FlagTable;
using dev::Severity;
using dev::ValueType;

namespace {

// The Servomex plugins' declaration, in the contract's order.
std::shared_ptr<const FlagTable> servomex_flags() {
    static const auto t = std::make_shared<const FlagTable>(FlagTable{
        {"fault", "Fault", Severity::fault, ""},
        {"maintenance", "Maintenance", Severity::info, ""},
        {"calibrating", "Calibrating", Severity::info, ""},
        {"warming_up", "Warming up", Severity::info, ""},
        {"alarm1", "Alarm 1", Severity::warning, ""},
        {"alarm2", "Alarm 2", Severity::warning, ""},
        {"alarm3", "Alarm 3", Severity::warning, ""},
        {"alarm4", "Alarm 4", Severity::warning, ""},
        {"invalid", "Invalid", Severity::fault, ""},
        {"inherited", "Inherited", Severity::info, ""},
    });
    return t;
}

std::uint64_t bit(std::size_t i) {
    return std::uint64_t{1} << i;
}

Field integer(std::string id, double v) {
    Field f;
    f.id = std::move(id);
    f.type = ValueType::integer;
    f.number = v;
    return f;
}
Field text(std::string id, std::string v) {
    Field f;
    f.id = std::move(id);
    f.type = ValueType::text;
    f.text = std::move(v);
    return f;
}

}  // namespace

BOOST_AUTO_TEST_CASE(protocol_kinds_name_the_plugins_and_the_family) {
    using dev::ProtocolKind;
    BOOST_TEST(dev::protocol_plugin_id(ProtocolKind::modbus_rtu) == "servomex-modbus-rtu");
    BOOST_TEST(dev::protocol_plugin_id(ProtocolKind::modbus_ascii) == "servomex-modbus-ascii");
    BOOST_TEST(dev::protocol_plugin_id(ProtocolKind::continuous) == "servomex-continuous");
    BOOST_TEST(dev::protocol_plugin_id(ProtocolKind::auto_detect).empty());
    BOOST_TEST(dev::protocol_option(ProtocolKind::modbus_rtu) == "servomex-4100:modbus-rtu");
    BOOST_TEST(dev::protocol_option(ProtocolKind::auto_detect) == "servomex-4100:auto");
    for (auto k : {ProtocolKind::auto_detect, ProtocolKind::continuous, ProtocolKind::modbus_rtu,
                   ProtocolKind::modbus_ascii}) {
        BOOST_TEST((dev::parse_protocol_kind(dev::to_string(k)) == k));
    }
    BOOST_TEST((dev::protocol_kind_of("servomex-modbus-ascii") == ProtocolKind::modbus_ascii));
    BOOST_TEST((dev::protocol_kind_of("continuous") == ProtocolKind::continuous));
    BOOST_TEST(!dev::protocol_kind_of("alicat").has_value());
    BOOST_TEST(!dev::parse_protocol_kind("modbus-tcp").has_value());
}

BOOST_AUTO_TEST_CASE(channel_status_comes_from_the_declared_flags_by_id) {
    const auto t = servomex_flags();
    BOOST_TEST(dev::channel_status_of(FlagSet(0, t)).ok());
    const auto s = dev::channel_status_of(FlagSet(bit(1) | bit(3) | bit(5) | bit(9), t));
    BOOST_TEST(!s.fault);
    BOOST_TEST(s.maintenance);
    BOOST_TEST(!s.calibrating);
    BOOST_TEST(s.warming_up);
    BOOST_TEST((s.alarms == std::array<bool, 4>{false, true, false, false}));
    BOOST_TEST(!s.invalid);
    BOOST_TEST(s.inherited);
    BOOST_TEST(!s.ok());  // an alarm
    const auto f = dev::channel_status_of(FlagSet(bit(0) | bit(2) | bit(8), t));
    BOOST_TEST(f.fault);
    BOOST_TEST(f.calibrating);
    BOOST_TEST(f.invalid);
    BOOST_TEST(!f.ok());
    BOOST_TEST(dev::channel_status_of(FlagSet(bit(1) | bit(2) | bit(3) | bit(9), t)).ok());

    // By id, not by bit: a table in another order gives the same status.
    const auto shuffled = std::make_shared<const FlagTable>(
        FlagTable{{"alarm4", "", Severity::warning, ""}, {"fault", "", Severity::fault, ""}});
    const auto r = dev::channel_status_of(FlagSet(bit(0), shuffled));
    BOOST_TEST(r.alarms[3]);
    BOOST_TEST(!r.fault);
    // Another family's flags are none of the analyser's.
    const auto other = std::make_shared<const FlagTable>(
        FlagTable{{"HLD", "", Severity::info, ""}, {"OVR", "", Severity::warning, ""}});
    BOOST_TEST(dev::channel_status_of(FlagSet(bit(0) | bit(1), other)).ok());
}

BOOST_AUTO_TEST_CASE(unit_and_channel_kinds_from_text) {
    BOOST_TEST((dev::unit_kind_of("%") == dev::UnitKind::percent));
    BOOST_TEST((dev::unit_kind_of("vpm") == dev::UnitKind::vpm));
    BOOST_TEST((dev::unit_kind_of("ppm") == dev::UnitKind::ppm));
    BOOST_TEST((dev::unit_kind_of("mA") == dev::UnitKind::milliamp));
    BOOST_TEST((dev::unit_kind_of("%O2") == dev::UnitKind::unknown));  // raw text
    BOOST_TEST((dev::unit_kind_of("") == dev::UnitKind::unknown));
    BOOST_TEST((dev::channel_kind_of("derived") == dev::ChannelKind::derived));
    BOOST_TEST((dev::channel_kind_of("external") == dev::ChannelKind::external));
    BOOST_TEST(!dev::channel_kind_of("setpoint").has_value());
}

BOOST_AUTO_TEST_CASE(analyser_status_comes_from_device_flags_and_fields) {
    dev::DeviceStatus st;
    st.flags = FlagSet(bit(1), servomex_flags());  // maintenance
    st.fields = {text("clock", "12:34:56"),
                 integer("cal_group_count", 3),
                 integer("cal_group.1.calibrating", 0),
                 integer("cal_group.1.gas", 1),
                 integer("cal_group.2.calibrating", 1),
                 integer("cal_group.2.gas", 2),
                 integer("cal_group.3.calibrating", 0),
                 integer("cal_group.3.gas", 2)};
    const auto a = dev::analyser_status_of(st);
    BOOST_TEST(!a.fault);
    BOOST_TEST(a.maintenance);
    BOOST_REQUIRE(a.clock.has_value());
    BOOST_TEST(*a.clock == "12:34:56");
    BOOST_REQUIRE_EQUAL(a.cal_groups.size(), 3u);
    BOOST_TEST(a.cal_groups[0].group == 1);
    BOOST_TEST(!a.cal_groups[0].calibrating);
    BOOST_TEST(a.cal_groups[1].calibrating);
    BOOST_TEST(a.cal_groups[1].cal_gas == 2);
    BOOST_TEST(a.cal_groups[2].group == 3);
    BOOST_TEST(a.cal_groups[2].cal_gas == 2);

    dev::Frame f;  // a broadcaster's frame: flags and fields travel with it
    f.device_flags = FlagSet(bit(0), servomex_flags());
    const auto b = dev::analyser_status_of(f);
    BOOST_TEST(b.fault);
    BOOST_TEST(!b.clock.has_value());  // the device sent none
    BOOST_TEST(b.cal_groups.empty());
}

BOOST_AUTO_TEST_CASE(calibration_progress_from_the_result_fields) {
    dev::CommandResult r;
    r.command = "calibration.status";
    r.fields = {integer("group", 2), integer("active", 1), text("phase", "gas2")};
    std::string why;
    const auto p = dev::calibration_progress_of(r, why);
    BOOST_REQUIRE(p.has_value());
    BOOST_TEST(p->group == 2);
    BOOST_TEST(p->active);
    BOOST_TEST((p->phase == dev::CalPhase::gas2));

    r.fields[2] = text("phase", "purge");  // outside the contract
    BOOST_TEST(!dev::calibration_progress_of(r, why).has_value());
    BOOST_TEST(why.find("phase") != std::string::npos);
    r.fields = {integer("group", 1), text("phase", "idle")};  // no 'active'
    BOOST_TEST(!dev::calibration_progress_of(r, why).has_value());
    BOOST_TEST(why.find("active") != std::string::npos);
}

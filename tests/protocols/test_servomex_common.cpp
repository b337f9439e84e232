// Shared 4100 decoding: display charset, units, the channel registry, status flags, and
// the simulated bank's Modbus image.
#define BOOST_TEST_MODULE servomex_common
#include <anyserial/sdk/cpp/error.hpp>
#include <anyserial/servomex/bank.hpp>
#include <anyserial/servomex/charset.hpp>
#include <anyserial/servomex/registry.hpp>
#include <anyserial/servomex/status.hpp>
#include <anyserial/servomex/units.hpp>
#include <array>
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <string>
#include <vector>

using namespace anyserial::servomex;

namespace anyserial::servomex {
std::ostream &operator<<(std::ostream &os, ChannelKind k) {
    return os << static_cast<int>(k);
}
}  // namespace anyserial::servomex

namespace {
std::string rom(std::initializer_list<uint8_t> bytes) {
    const std::vector<uint8_t> v(bytes);
    return decode_display_text(v);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(charset)

BOOST_AUTO_TEST_CASE(subscript_two_from_the_display_rom) {
    BOOST_TEST(rom({0x43, 0x4F, 0x82}) == "CO\xE2\x82\x82");  // "CO₂"
}

BOOST_AUTO_TEST_CASE(other_bytes_are_latin1_and_never_fail) {
    BOOST_TEST(rom({'O', 'x'}) == "Ox");
    BOOST_TEST(rom({0xB0}) == "\xC2\xB0");                // degree sign
    BOOST_TEST(rom({0xE9}) == "\xC3\xA9");                // é
    BOOST_TEST(rom({0x80, 0x81}) == "\xC2\x80\xC2\x81");  // C1 controls still decode
    BOOST_TEST(rom({0x00}) == std::string(1, '\0'));
    std::vector<uint8_t> all(256);
    for (int i = 0; i < 256; ++i)
        all[static_cast<std::size_t>(i)] = static_cast<uint8_t>(i);
    BOOST_TEST(decode_display_text(all).size() == 128u + 127u * 2u + 3u);
}

BOOST_AUTO_TEST_CASE(encode_round_trips_through_the_rom) {
    std::array<uint8_t, 6> out{};
    BOOST_TEST(encode_display_text("CO\u2082", NameEncoding::display_rom, out) == 3u);
    const std::array<uint8_t, 6> want = {0x43, 0x4F, 0x82, 0x20, 0x20, 0x20};
    BOOST_TEST(out == want);
    BOOST_TEST(decode_display_text(trim_field(std::span<const uint8_t>(out))) == "CO\u2082");
    encode_display_text("CO\u2082", NameEncoding::plain_ascii, out);
    BOOST_TEST(std::string(out.begin(), out.end()) == "CO2   ");
    encode_display_text("\u20AC\xC3\xA9", NameEncoding::display_rom, out);  // € has no byte
    BOOST_TEST(out[0] == '?');
    BOOST_TEST(out[1] == 0xE9);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(units_known_and_unknown) {
    BOOST_TEST((parse_unit(" % ").kind == UnitKind::percent));
    BOOST_TEST(parse_unit(" % ").text == "%");
    BOOST_TEST((parse_unit("vpm").kind == UnitKind::vpm));
    BOOST_TEST((parse_unit("ppm").kind == UnitKind::ppm));
    BOOST_TEST((parse_unit(std::string_view("mA\0", 3)).kind == UnitKind::milliamp));
    const ParsedUnit odd = parse_unit(" mg ");
    BOOST_TEST((odd.kind == UnitKind::unknown));
    BOOST_TEST(odd.text == "mg");
    BOOST_TEST((parse_unit("   ").kind == UnitKind::unknown));
    BOOST_TEST(parse_unit("   ").text.empty());
}

BOOST_AUTO_TEST_CASE(registry_matches_the_spec_table) {
    const uint32_t values[] = {30001, 30008, 30015, 30022, 30029,
                               30036, 30043, 30050, 30057, 30064};
    const uint32_t discretes[] = {10001, 10009, 10017, 10025, 10033,
                                  10041, 10049, 10057, 10065, 10073};
    for (std::size_t i = 0; i < kSlotCount; ++i) {
        BOOST_TEST(kSlots[i].value_register + kInputRegisterBase == values[i]);
        BOOST_TEST(kSlots[i].name_register + kInputRegisterBase == values[i] + 2);
        BOOST_TEST(kSlots[i].unit_register + kInputRegisterBase == values[i] + 5);
        BOOST_TEST(kSlots[i].discrete + kDiscreteInputBase == discretes[i]);
    }
    BOOST_TEST(find_slot("I2")->kind == ChannelKind::transducer);
    BOOST_TEST(find_slot("D3")->kind == ChannelKind::derived);
    BOOST_TEST(find_slot("D3")->parent == 2);
    BOOST_TEST(find_slot("E1")->kind == ChannelKind::external);
    BOOST_TEST(find_slot("X9") == nullptr);
    BOOST_TEST(kInputRegisterCount == 70);
    BOOST_TEST(kChannelDiscreteCount == 80);
}

BOOST_AUTO_TEST_SUITE(status)

BOOST_AUTO_TEST_CASE(transducer_bits_map_one_to_one) {
    BOOST_TEST(decode_channel_status(ChannelKind::transducer, 0x01) == kFlagFault);
    BOOST_TEST(decode_channel_status(ChannelKind::transducer, 0x0E) ==
               (kFlagMaintenance | kFlagCalibrating | kFlagWarmingUp));
    BOOST_TEST(decode_channel_status(ChannelKind::transducer, 0xF0) ==
               (kFlagAlarm1 | kFlagAlarm2 | kFlagAlarm3 | kFlagAlarm4));
}

BOOST_AUTO_TEST_CASE(external_bit0_is_invalid_and_bits_1_to_3_are_reserved) {
    // Invalid is the reading's fault (the reference driver): FAULT with INVALID beside it.
    BOOST_TEST(decode_channel_status(ChannelKind::external, 0x01) == (kFlagFault | kFlagInvalid));
    BOOST_TEST(decode_channel_status(ChannelKind::external, 0x0E) == 0ull);
    BOOST_TEST(decode_channel_status(ChannelKind::external, 0x10) == kFlagAlarm1);
}

BOOST_AUTO_TEST_CASE(derived_low_bits_are_marked_inherited) {
    BOOST_TEST(decode_channel_status(ChannelKind::derived, 0x01) == (kFlagFault | kFlagInherited));
    BOOST_TEST(decode_channel_status(ChannelKind::derived, 0x20) == kFlagAlarm2);
}

BOOST_AUTO_TEST_CASE(encode_is_the_inverse) {
    for (unsigned bits = 0; bits < 256; ++bits) {
        const auto b = static_cast<uint8_t>(bits);
        BOOST_TEST(encode_channel_status(ChannelKind::transducer,
                                         decode_channel_status(ChannelKind::transducer, b)) == b);
    }
    BOOST_TEST(encode_channel_status(ChannelKind::external, kFlagInvalid) == 0x01);
}

BOOST_AUTO_TEST_CASE(analyser_discretes_and_cal_groups) {
    AnalyserState s;
    // fault, group 2 calibrating on gas 2, group 4 calibrating on gas 1
    decode_analyser_discretes(0x0001 | (0x3u << 10) | (0x1u << 14), s);
    BOOST_TEST(s.fault);
    BOOST_TEST(!s.maintenance);
    BOOST_TEST(s.cal_group_count == 4u);
    BOOST_TEST(!s.groups[0].calibrating);
    BOOST_TEST(s.groups[1].calibrating);
    BOOST_TEST(s.groups[1].gas == 2);
    BOOST_TEST(s.groups[3].calibrating);
    BOOST_TEST(s.groups[3].gas == 1);
    BOOST_TEST(encode_analyser_discretes(s) == (0x0001 | (0x3u << 10) | (0x1u << 14)));
}

BOOST_AUTO_TEST_CASE(flags_are_declared_in_the_contract_order) {
    const char *ids[] = {"fault",  "maintenance", "calibrating", "warming_up", "alarm1",
                         "alarm2", "alarm3",      "alarm4",      "invalid",    "inherited"};
    const uint32_t severities[] = {ANYSERIAL_SEVERITY_FAULT,   ANYSERIAL_SEVERITY_INFO,
                                   ANYSERIAL_SEVERITY_INFO,    ANYSERIAL_SEVERITY_INFO,
                                   ANYSERIAL_SEVERITY_WARNING, ANYSERIAL_SEVERITY_WARNING,
                                   ANYSERIAL_SEVERITY_WARNING, ANYSERIAL_SEVERITY_WARNING,
                                   ANYSERIAL_SEVERITY_FAULT,   ANYSERIAL_SEVERITY_INFO};
    BOOST_TEST(kFlags.size() == 10u);
    for (uint32_t i = 0; i < kFlags.size(); ++i) {
        BOOST_TEST(std::string(kFlags.data()[i]->id) == ids[i]);
        BOOST_TEST(kFlags.data()[i]->severity == severities[i]);
        BOOST_TEST(kFlags.data()[i]->struct_size == sizeof(anyserial_flag_info_t));
        BOOST_TEST(kFlags.bit(ids[i]) == (uint64_t{1} << i));
    }
}

BOOST_AUTO_TEST_CASE(status_fields_and_device_flags) {
    AnalyserState s;
    decode_analyser_discretes(0x0002 | (0x3u << 10), s);  // maintenance, group 2 gas 2
    BOOST_TEST(device_flags(s) == kFlagMaintenance);
    anyserial::sdk::FieldList fields;
    add_status_fields(fields, s);
    BOOST_TEST(fields.size() == 9u);
    const anyserial_field_t *const *f = fields.data();
    BOOST_TEST(std::string(f[0]->id) == "cal_group_count");
    BOOST_TEST(f[0]->value_type == ANYSERIAL_VALUE_INTEGER);
    BOOST_TEST(f[0]->number == 4.0);
    BOOST_TEST(std::string(f[3]->id) == "cal_group.2.calibrating");
    BOOST_TEST(f[3]->number == 1.0);
    BOOST_TEST(std::string(f[4]->id) == "cal_group.2.gas");
    BOOST_TEST(f[4]->number == 2.0);
    BOOST_TEST(std::string(f[8]->id) == "cal_group.4.gas");
    BOOST_TEST(f[8]->number == 1.0);
}

BOOST_AUTO_TEST_CASE(autocal_field) {
    AnalyserState s;
    BOOST_TEST(parse_autocal("S1C2S1C1", s));
    BOOST_TEST(!s.groups[0].calibrating);
    BOOST_TEST(s.groups[1].calibrating);
    BOOST_TEST(s.groups[1].gas == 2);
    BOOST_TEST(s.groups[3].calibrating);
    char text[8];
    format_autocal(s, text);
    BOOST_TEST(std::string(text, 8) == "S1C2S1C1");
    BOOST_TEST(parse_autocal("S1S1C2", s));  // fewer groups: the rest idle
    BOOST_TEST(s.groups[2].calibrating);
    BOOST_TEST(!s.groups[3].calibrating);
    BOOST_TEST(!parse_autocal("S1S1S", s));       // odd
    BOOST_TEST(!parse_autocal("S1S1S1S1S1", s));  // more than four groups
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bank)

BOOST_AUTO_TEST_CASE(bench_unit_register_image) {
    const Bank b = Bank::bench();
    std::array<uint16_t, kInputRegisterCount> regs{};
    b.input_registers(regs);
    uint32_t bits = (uint32_t{regs[0]} << 16) | regs[1];
    float v;
    std::memcpy(&v, &bits, sizeof v);
    BOOST_TEST(v == 20.376f);
    // I3 name registers 30017..30019: 43 4F 82 20 20 20
    BOOST_TEST(regs[16] == 0x434F);
    BOOST_TEST(regs[17] == 0x8220);
    BOOST_TEST(regs[18] == 0x2020);
    // E1 (30057): unlabelled, unit "mA" + NUL
    BOOST_TEST(regs[58] == 0x2020);
    BOOST_TEST(regs[61] == 0x6D41);
    BOOST_TEST(regs[62] == 0x2000);
    // I4 unpopulated: all zero
    for (std::size_t i = 21; i < 28; ++i)
        BOOST_TEST(regs[i] == 0);
}

BOOST_AUTO_TEST_CASE(coil_pulse_starts_and_coil_9_stops) {
    Bank b = Bank::bench();
    b.write_coil(1, true);
    BOOST_TEST(b.calibrating(2));
    BOOST_TEST((b.channel_bits(*find_slot("I2")) & 0x04) != 0);
    BOOST_TEST((b.channel_bits(*find_slot("D2")) & 0x04) != 0);  // parent copy
    BOOST_TEST((b.channel_bits(*find_slot("I1")) & 0x04) == 0);
    b.write_coil(1, true);  // no edge: nothing new
    b.write_coil(1, false);
    BOOST_TEST(b.calibrating(2));
    b.write_coil(kStopCalibrationCoil, true);
    BOOST_TEST(!b.calibrating(2));
}

BOOST_AUTO_TEST_CASE(labels_are_checked) {
    Bank b;
    BOOST_CHECK_THROW(b.set_label("Z1", "x", "%"), anyserial::sdk::Error);
    BOOST_CHECK_THROW(b.set_label("I1", "Oxygen7", "%"), anyserial::sdk::Error);
    BOOST_CHECK_THROW(b.set_label("I1", "O2", "ppmv"), anyserial::sdk::Error);
    b.set_label("I1", "CO\u2082 in", "%");  // 6 characters, 8 bytes
    BOOST_TEST(b.populated(*find_slot("I1")));
}

BOOST_AUTO_TEST_SUITE_END()

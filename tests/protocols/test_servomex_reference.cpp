// The Servomex plugins against the reference driver's semantics (issue 13), written from
// the spec (../shared/spec/servomex-4100.md) and the servomexlib seed, not from the
// simulator: continuous frames are built here with the spec's checksum rule, and the
// Modbus device is a small RTU slave written here from the spec's register map (its own
// CRC, its own PDUs), so no decoding path is shared with the plugin.
#define BOOST_TEST_MODULE servomex_reference
#include <anyserial/modbus/pdu.hpp>
#include <anyserial/sdk/cpp/error.hpp>
#include <anyserial/servomex/continuous_decoder.hpp>
#include <anyserial/servomex/modbus_session.hpp>
#include <anyserial/servomex/status.hpp>
#include <anyserial/servomex/units.hpp>
#include <boost/test/unit_test.hpp>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "frame_view.hpp"

using namespace anyserial::servomex;
namespace sdk = anyserial::sdk;

namespace {

// ---- continuous frames ---------------------------------------------------------------

struct Block {
    std::string id, name = "||||||", value = "   0.0", unit = " mA", alarms = "    ", fm = "  ",
                    cal = " ", warm = " ";
};

// " header;blocks;CCCC;\r\n" with N as given and the spec's checksum (sum of every byte
// after the start space up to the ';' before the checksum, & 0xFFFF).
std::string frame(const std::vector<Block> &blocks, std::string n = "",
                  std::string autocal = "S1S1S1S1", std::string date = "06-10-20",
                  std::string time = "02:54:12") {
    if (n.empty()) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%02zu", blocks.size());
        n = buf;
    }
    std::string body = date + ";" + time + ";  ;" + autocal + ";" + n + ";";
    for (const Block &b : blocks)
        body += b.id + ";" + b.name + ";" + b.value + ";" + b.unit + ";" + b.alarms + ";" + b.fm +
                ";" + b.cal + ";" + b.warm + ";";
    unsigned sum = 0;
    for (char c : body)
        sum += static_cast<uint8_t>(c);
    char check[8];
    std::snprintf(check, sizeof check, "%04X", sum & 0xFFFFu);
    return " " + body + check + ";\r\n";
}

// Decode one frame; fails the test unless it is a checksum-valid FRAME event.
const anyserial_frame_t &decode(ContinuousDecoder &d, const std::string &wire) {
    const auto bytes = std::span(reinterpret_cast<const uint8_t *>(wire.data()), wire.size());
    const ContinuousEvent e = d.feed(bytes);
    BOOST_TEST_REQUIRE((e.type == ContinuousEventType::frame),
                       "not a frame: " << (e.reason != nullptr ? e.reason : "need more"));
    return *e.frame;
}

const anyserial_reading_t *reading(const anyserial_frame_t &f, std::string_view id) {
    for (uint32_t i = 0; i < f.reading_count; ++i)
        if (f.readings[i]->channel == id) return f.readings[i];
    return nullptr;
}

// ---- a Modbus RTU slave from the spec ----------------------------------------------------

uint16_t crc16(const uint8_t *p, std::size_t n) {
    uint16_t crc = 0xFFFF;
    for (std::size_t i = 0; i < n; ++i) {
        crc ^= p[i];
        for (int b = 0; b < 8; ++b)
            crc = (crc & 1) ? static_cast<uint16_t>((crc >> 1) ^ 0xA001) : crc >> 1;
    }
    return crc;
}

struct SpecSlave {
    std::vector<uint16_t> ir = std::vector<uint16_t>(70, 0);
    std::vector<bool> di = std::vector<bool>(1016, false);
    std::vector<bool> coils = std::vector<bool>(9, false);
    bool latch = true;  // false: coil writes are acknowledged but never stick
    // Which reads the device accepts (the rest answer exception 02); default: the spec's map.
    std::function<bool(uint8_t fc, uint16_t addr, uint16_t count)> accepts =
        [](uint8_t fc, uint16_t a, uint16_t c) {
            if (fc == 4) return a + c <= 70;
            if (fc == 2) return a + c <= 80 || (a >= 1000 && a + c <= 1016);
            return a + c <= 9;
        };
    std::vector<std::vector<uint8_t>> requests;  // PDUs seen

    // Slot i: value float32 high word first, 6 name bytes, 3 unit chars + NUL.
    void slot(int i, float value, const char name[6], const char *unit) {
        uint16_t *b = &ir[static_cast<std::size_t>(i) * 7];
        uint32_t bits;
        std::memcpy(&bits, &value, 4);
        b[0] = static_cast<uint16_t>(bits >> 16);
        b[1] = static_cast<uint16_t>(bits & 0xFFFF);
        for (int k = 0; k < 3; ++k)
            b[2 + k] = static_cast<uint16_t>((static_cast<uint8_t>(name[2 * k]) << 8) |
                                             static_cast<uint8_t>(name[2 * k + 1]));
        char u[4] = {' ', ' ', ' ', 0};
        std::memcpy(u, unit, std::min<std::size_t>(std::strlen(unit), 3));
        b[5] =
            static_cast<uint16_t>((static_cast<uint8_t>(u[0]) << 8) | static_cast<uint8_t>(u[1]));
        b[6] =
            static_cast<uint16_t>((static_cast<uint8_t>(u[2]) << 8) | static_cast<uint8_t>(u[3]));
    }
    static SpecSlave bench() {
        SpecSlave s;
        s.slot(0, 20.376f, "Oxygen", "%");
        s.slot(1, 0.084f, "CO    ", "%");
        s.slot(8, 0.0f, "      ", "mA");
        s.slot(9, 0.0f, "      ", "mA");
        return s;
    }

    std::vector<uint8_t> answer(const std::vector<uint8_t> &adu) {
        BOOST_TEST_REQUIRE(adu.size() >= 4u);
        BOOST_TEST_REQUIRE(crc16(adu.data(), adu.size() - 2) ==
                           (adu[adu.size() - 2] | (adu[adu.size() - 1] << 8)));
        const std::vector<uint8_t> pdu(adu.begin() + 1, adu.end() - 2);
        requests.push_back(pdu);
        const uint8_t fc = pdu[0];
        const auto a = static_cast<uint16_t>((pdu[1] << 8) | pdu[2]);
        const auto c = static_cast<uint16_t>((pdu[3] << 8) | pdu[4]);
        std::vector<uint8_t> out = {adu[0], fc};
        auto exception = [&](uint8_t code) {
            out = {adu[0], static_cast<uint8_t>(fc | 0x80), code};
        };
        switch (fc) {
            case 4:
                if (!accepts(fc, a, c)) {
                    exception(2);
                    break;
                }
                out.push_back(static_cast<uint8_t>(2 * c));
                for (uint16_t i = 0; i < c; ++i) {
                    out.push_back(static_cast<uint8_t>(ir[a + i] >> 8));
                    out.push_back(static_cast<uint8_t>(ir[a + i] & 0xFF));
                }
                break;
            case 1:
            case 2: {
                if (!accepts(fc, a, c)) {
                    exception(2);
                    break;
                }
                const std::vector<bool> &bits = fc == 1 ? coils : di;
                const auto bytes = static_cast<uint8_t>((c + 7) / 8);
                out.push_back(bytes);
                for (uint8_t k = 0; k < bytes; ++k) {
                    uint8_t v = 0;
                    for (int j = 0; j < 8 && k * 8 + j < c; ++j)
                        if (bits[a + k * 8 + j]) v |= static_cast<uint8_t>(1u << j);
                    out.push_back(v);
                }
                break;
            }
            case 5:
                if (latch) coils[a] = pdu[3] == 0xFF;
                out.assign(adu.begin(), adu.end() - 2);  // echo
                break;
            default:
                exception(1);
        }
        const uint16_t crc = crc16(out.data(), out.size());
        out.push_back(static_cast<uint8_t>(crc & 0xFF));
        out.push_back(static_cast<uint8_t>(crc >> 8));
        return out;
    }
};

struct Outcome {
    bool done = false;
    anyserial_status_t failure = ANYSERIAL_OK;
    std::string why;
    anyserial_protocol_result_t result{};
};

constexpr uint32_t kStart = 0x100, kStop = 0x101;  // run()'s calibration commands

ModbusSession rtu_session() {
    anyserial_protocol_options_t o{};
    o.struct_size = sizeof o;
    o.retries = 0;
    return ModbusSession(anyserial::modbus::Framing::rtu, o);
}

// One operation of `s` against `dev`, as the core's transaction loop runs it.
Outcome run(ModbusSession &s, SpecSlave &dev, uint32_t op, uint32_t group = 0) {
    Outcome out;
    try {
        // The calibration commands as OP_COMMAND with their `group` argument.
        const anyserial_arg_value_t arg{sizeof arg, ANYSERIAL_VALUE_INTEGER,
                                        static_cast<double>(group), nullptr};
        const anyserial_arg_value_t *args[] = {&arg};
        anyserial_protocol_request_t req{};
        req.struct_size = sizeof req;
        req.op = op;
        if (op == kStart || op == kStop) {
            req.op = ANYSERIAL_OP_COMMAND;
            req.command = op == kStart ? "calibration.start" : "calibration.stop";
            req.arg_count = op == kStart ? 1 : 0;
            req.args = args;
        }
        s.begin(req);
        for (;;) {
            anyserial_transaction_t tx{};
            tx.struct_size = sizeof tx;
            if (s.next_transaction(tx) == ANYSERIAL_DONE) break;
            const std::vector<uint8_t> reply =
                dev.answer(std::vector<uint8_t>(tx.data, tx.data + tx.len));
            anyserial_protocol_event_t ev{};
            ev.struct_size = sizeof ev;
            const uint32_t used = s.feed(reply, ev);
            BOOST_TEST_REQUIRE(used == reply.size());
            if (ev.type == ANYSERIAL_EVENT_EXCEPTION) {
                out.failure = ANYSERIAL_E_PROTOCOL;
                out.why = ev.reason != nullptr ? ev.reason : "";
                return out;
            }
            BOOST_TEST_REQUIRE(ev.type == ANYSERIAL_EVENT_RESPONSE);
        }
        out.result.struct_size = sizeof out.result;
        s.result(out.result);
        out.done = true;
    } catch (const sdk::Error &e) {
        out.failure = e.status();
        out.why = e.what();
    }
    return out;
}

const anyserial_reading_t *reading(const Outcome &o, std::string_view id) {
    return o.result.frame != nullptr ? reading(*o.result.frame, id) : nullptr;
}

}  // namespace

// ---- item 1: Modbus E1/E2 bit 0 = Invalid is the reading's fault --------------------------

BOOST_AUTO_TEST_CASE(item1_modbus_invalid_external_input_is_a_fault) {
    SpecSlave dev = SpecSlave::bench();
    dev.di[64] = true;  // 10065: E1 bit 0, Invalid
    ModbusSession s = rtu_session();
    const Outcome o = run(s, dev, ANYSERIAL_OP_READ_FRAME);
    BOOST_TEST_REQUIRE(o.done, o.why);
    const anyserial_reading_t *e1 = reading(o, "E1");
    BOOST_TEST_REQUIRE(e1 != nullptr);
    BOOST_TEST((e1->flags & kFlagFault) != 0u);
    BOOST_TEST((e1->flags & kFlagInvalid) != 0u);
    BOOST_TEST(reading(o, "E2")->flags == 0u);
    BOOST_TEST((decode_channel_status(ChannelKind::external, 0x01) & kFlagFault) != 0u);
}

// ---- item 2: continuous letters mean what they say for every kind --------------------

BOOST_AUTO_TEST_CASE(item2_continuous_external_letters_are_real) {
    ContinuousDecoder d;
    Block i1{"I1", "Oxygen", "20.376", " % "};
    Block d1{"D1", "Deriv ", "  1.0", " % ", "    ", "F ", " ", " "};
    Block e1{"E1"};
    e1.fm = "FM";
    e1.cal = "C";
    e1.warm = "W";
    Block e2{"E2"};
    const auto &f = decode(d, frame({i1, d1, e1, e2}));
    const anyserial_reading_t *r = reading(f, "E1");
    BOOST_TEST_REQUIRE(r != nullptr);
    BOOST_TEST(r->flags == (kFlagFault | kFlagMaintenance | kFlagCalibrating | kFlagWarmingUp));
    // D bits are copies of the parent only in the Modbus map: here F is D1's own fault.
    BOOST_TEST(reading(f, "D1")->flags == kFlagFault);
}

BOOST_AUTO_TEST_CASE(item2_continuous_only_the_letters_set_flags) {
    ContinuousDecoder d;
    Block i1{"I1", "Oxygen", "20.376", " % "};
    i1.fm = "xy";
    i1.cal = "-";
    i1.warm = "?";
    const auto &f = decode(d, frame({i1, Block{"E1"}, Block{"E2"}}));
    BOOST_TEST(reading(f, "I1")->flags == 0u);
}

// ---- item 3: units whatever their case ---------------------------------------------------

BOOST_AUTO_TEST_CASE(item3_units_ignore_case_in_both_modes) {
    BOOST_TEST((parse_unit("MA").kind == UnitKind::milliamp));
    BOOST_TEST(parse_unit("MA").text == "mA");
    BOOST_TEST((parse_unit(" VPM").kind == UnitKind::vpm));
    BOOST_TEST((parse_unit("Ppm").kind == UnitKind::ppm));
    BOOST_TEST(parse_unit(" VPM").text == "vpm");

    ContinuousDecoder d;
    Block e1{"E1"};
    e1.unit = " MA";
    const auto &f = decode(d, frame({Block{"I1", "Oxygen", "20.376", " % "}, e1, Block{"E2"}}));
    BOOST_TEST(std::string(reading(f, "E1")->unit) == "mA");

    SpecSlave dev = SpecSlave::bench();
    dev.slot(8, 4.0f, "      ", "MA");
    ModbusSession s = rtu_session();
    const Outcome o = run(s, dev, ANYSERIAL_OP_READ_FRAME);
    BOOST_TEST_REQUIRE(o.done, o.why);
    BOOST_TEST(std::string(reading(o, "E1")->unit) == "mA");
}

// ---- item 4: a Modbus slot named |||||| is unlabelled -----------------------------------

BOOST_AUTO_TEST_CASE(item4_modbus_pipes_name_is_absent) {
    SpecSlave dev = SpecSlave::bench();
    dev.slot(8, 0.0f, "||||||", "mA");
    ModbusSession s = rtu_session();
    for (uint32_t op : {ANYSERIAL_OP_READ_FRAME, ANYSERIAL_OP_IDENTIFY}) {
        const Outcome o = run(s, dev, op);
        BOOST_TEST_REQUIRE(o.done, o.why);
        const anyserial_reading_t *e1 = reading(o, "E1");
        BOOST_TEST_REQUIRE(e1 != nullptr);
        BOOST_TEST(e1->name == nullptr);
        BOOST_TEST(std::string(reading(o, "I1")->name) == "Oxygen");
    }
}

// ---- item 5: exception 02 to the coalesced reads: block by block, remembered -----------

BOOST_AUTO_TEST_CASE(item5_range_limited_map_is_read_block_by_block) {
    SpecSlave dev = SpecSlave::bench();
    dev.di[2 * 8 + 4] = false;
    dev.di[1 * 8 + 4] = true;  // I2 alarm 1
    dev.di[64] = true;         // E1 Invalid
    // Only reads inside one populated block are in the map (I1, I2, E1, E2).
    dev.accepts = [](uint8_t fc, uint16_t a, uint16_t c) {
        const int stride = fc == 4 ? 7 : 8;
        if (fc == 2 && a >= 1000) return a + c <= 1016;
        const int slot = a / stride;
        const bool populated = slot == 0 || slot == 1 || slot == 8 || slot == 9;
        return a % stride == 0 && c <= stride && populated;
    };
    ModbusSession s = rtu_session();
    const Outcome first = run(s, dev, ANYSERIAL_OP_READ_FRAME);
    BOOST_TEST_REQUIRE(first.done, first.why);
    BOOST_TEST(first.result.frame->reading_count == 4u);
    BOOST_TEST(reading(first, "I1")->number == 20.376, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(reading(first, "I2")->flags == kFlagAlarm1);
    BOOST_TEST((reading(first, "E1")->flags & kFlagInvalid) != 0u);
    BOOST_TEST(reading(first, "I3") == nullptr);

    // The narrower plan is kept: no coalesced read is tried again, and only the blocks
    // that answered are read (4 register blocks, 4 flag blocks, the analyser status).
    dev.requests.clear();
    const Outcome second = run(s, dev, ANYSERIAL_OP_READ_FRAME);
    BOOST_TEST_REQUIRE(second.done, second.why);
    BOOST_TEST(dev.requests.size() == 9u);
    for (const auto &pdu : dev.requests) {
        const int count = (pdu[3] << 8) | pdu[4];
        BOOST_TEST(count <= 16);
    }
    BOOST_TEST(second.result.frame->reading_count == 4u);
    const Outcome id = run(s, dev, ANYSERIAL_OP_IDENTIFY);
    BOOST_TEST_REQUIRE(id.done, id.why);
    BOOST_TEST(id.result.frame->reading_count == 4u);
}

BOOST_AUTO_TEST_CASE(item5_a_device_refusing_every_block_still_fails) {
    SpecSlave dev = SpecSlave::bench();
    dev.accepts = [](uint8_t, uint16_t, uint16_t) { return false; };
    ModbusSession s = rtu_session();
    const Outcome o = run(s, dev, ANYSERIAL_OP_READ_FRAME);
    BOOST_TEST(!o.done);
    BOOST_TEST(o.why.find("02") != std::string::npos, o.why);
}

// ---- item 6: calibration pulses are confirmed ---------------------------------------------

BOOST_AUTO_TEST_CASE(item6_calibration_pulse_is_read_back) {
    SpecSlave dev = SpecSlave::bench();
    ModbusSession s = rtu_session();
    const Outcome o = run(s, dev, kStart, 2);
    BOOST_TEST_REQUIRE(o.done, o.why);
    // FC05 coil 1 ON, FC01 coil 1 read back, FC05 coil 1 OFF.
    BOOST_TEST_REQUIRE(dev.requests.size() == 3u);
    BOOST_TEST(dev.requests[0][0] == 5);
    BOOST_TEST(dev.requests[1] == (std::vector<uint8_t>{1, 0, 1, 0, 1}));
    BOOST_TEST(dev.requests[2][0] == 5);
    BOOST_TEST(dev.requests[2][3] == 0x00);
    BOOST_TEST(!dev.coils[1]);
}

BOOST_AUTO_TEST_CASE(item6_a_start_that_did_not_latch_is_an_error) {
    SpecSlave dev = SpecSlave::bench();
    dev.latch = false;
    ModbusSession s = rtu_session();
    const Outcome o = run(s, dev, kStart, 3);
    BOOST_TEST(!o.done);
    BOOST_TEST(o.failure == ANYSERIAL_E_STATE);
    BOOST_TEST(o.why.find("cal-group 3 did not latch") != std::string::npos, o.why);
    BOOST_TEST(o.why.find("coil 3") != std::string::npos, o.why);
    const Outcome stop = run(s, dev, kStop);
    BOOST_TEST(stop.failure == ANYSERIAL_E_STATE);
    BOOST_TEST(stop.why.find("coil 9") != std::string::npos, stop.why);
}

// ---- item 7: an empty slot is still read (marked), identify leaves it out ---------------

BOOST_AUTO_TEST_CASE(item7_sweep_carries_empty_slots_marked) {
    SpecSlave dev = SpecSlave::bench();
    ModbusSession s = rtu_session();
    const Outcome o = run(s, dev, ANYSERIAL_OP_READ_FRAME);
    BOOST_TEST_REQUIRE(o.done, o.why);
    const anyserial_reading_t *i4 = reading(o, "I4");
    BOOST_TEST_REQUIRE(i4 != nullptr);
    BOOST_TEST(i4->unlisted);
    BOOST_TEST(i4->name == nullptr);
    BOOST_TEST(i4->value_type == ANYSERIAL_VALUE_NUMBER);
    BOOST_TEST(i4->number == 0.0);
    BOOST_TEST(!reading(o, "I1")->unlisted);
    const Outcome id = run(s, dev, ANYSERIAL_OP_IDENTIFY);
    BOOST_TEST(reading(id, "I4") == nullptr);
}

// ---- item 8: liberal continuous parsing of checksum-valid frames -----------------------

BOOST_AUTO_TEST_CASE(item8_fewer_cal_groups_rest_idle) {
    ContinuousDecoder d;
    const auto &f = decode(d, frame({Block{"E1"}, Block{"E2"}}, "", "C2S1"));
    BOOST_TEST(frame_view::number(f, "cal_group_count") == 4.0);
    BOOST_TEST(frame_view::calibrating(f, 1) == 1.0);
    BOOST_TEST(frame_view::gas(f, 1) == 2.0);
    BOOST_TEST(frame_view::calibrating(f, 2) == 0.0);
    BOOST_TEST(frame_view::calibrating(f, 3) == 0.0);
    BOOST_TEST(frame_view::calibrating(f, 4) == 0.0);
    BOOST_TEST(frame_view::gas(f, 4) == 1.0);
}

BOOST_AUTO_TEST_CASE(item8_leading_plus_and_short_n) {
    ContinuousDecoder d;
    const auto &f =
        decode(d, frame({Block{"I1", "Oxygen", "+20.376", " % "}, Block{"E1"}, Block{"E2"}}, "3"));
    BOOST_TEST_REQUIRE(f.reading_count == 3u);
    BOOST_TEST(reading(f, "I1")->value_type == ANYSERIAL_VALUE_NUMBER);
    BOOST_TEST(reading(f, "I1")->number == 20.376, boost::test_tools::tolerance(1e-12));
    const auto &empty = decode(d, frame({}, "00"));
    BOOST_TEST(empty.reading_count == 0u);
    BOOST_TEST(frame_view::number(empty, "cal_group_count") == 4.0);
}

BOOST_AUTO_TEST_CASE(item8_unreal_clock_is_absent) {
    ContinuousDecoder d;
    const auto &good = decode(d, frame({Block{"E1"}, Block{"E2"}}));
    BOOST_TEST_REQUIRE(frame_view::field(good, "clock") != nullptr);
    BOOST_TEST(frame_view::text(good, "clock") == "06-10-20 02:54:12");
    for (const auto &[date, time] :
         std::vector<std::pair<std::string, std::string>>{{"00-00-00", "00:00:00"},
                                                          {"31-02-21", "02:54:12"},
                                                          {"06-10-20", "25:61:00"},
                                                          {"--/--/--", "--:--:--"},
                                                          {"        ", "        "}}) {
        const auto &f = decode(d, frame({Block{"E1"}, Block{"E2"}}, "", "S1S1S1S1", date, time));
        BOOST_TEST(frame_view::field(f, "clock") == nullptr, date << " " << time);
    }
    const auto &leap = decode(d, frame({Block{"E1"}, Block{"E2"}}, "", "S1S1S1S1", "29-02-24"));
    BOOST_TEST(frame_view::field(leap, "clock") != nullptr);
}

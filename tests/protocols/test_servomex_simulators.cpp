// The simulators through the C ABI with hand-built wire bytes (bitwise CRC/LRC written
// here, independent of the codec), and the continuous plugin's session.
#define BOOST_TEST_MODULE servomex_simulators
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "plugin_fixture.hpp"

using test::drain;
using test::Plugin;
using Bytes = std::vector<uint8_t>;

namespace {

Bytes with_crc(Bytes adu) {
    unsigned crc = 0xFFFF;
    for (uint8_t b : adu) {
        crc ^= b;
        for (int k = 0; k < 8; ++k)
            crc = (crc & 1u) ? (crc >> 1) ^ 0xA001u : crc >> 1;
    }
    adu.push_back(static_cast<uint8_t>(crc & 0xFF));
    adu.push_back(static_cast<uint8_t>(crc >> 8));
    return adu;
}

std::string ascii_frame(const Bytes &adu) {
    std::string s = ":";
    unsigned sum = 0;
    char hex[3];
    for (uint8_t b : adu) {
        std::snprintf(hex, sizeof hex, "%02X", b);
        s += hex;
        sum += b;
    }
    std::snprintf(hex, sizeof hex, "%02X", (0x100 - (sum & 0xFF)) & 0xFF);
    return s + hex + "\r\n";
}

Bytes ask(anyserial_simulator_t *sim, const Bytes &wire) {
    static uint64_t now = 0;
    now += 1'000'000'000;
    BOOST_REQUIRE(sim->vtable->feed(sim, now, wire.data(), static_cast<uint32_t>(wire.size())) ==
                  ANYSERIAL_OK);
    return drain(sim, now);
}

std::string ask(anyserial_simulator_t *sim, const std::string &wire) {
    const Bytes b = ask(sim, Bytes(wire.begin(), wire.end()));
    return std::string(b.begin(), b.end());
}

struct RtuSim {
    Plugin plugin{"anyserial-servomex-modbus-rtu"};
    anyserial_simulator_t *sim = plugin.simulator(nullptr);  // NULL options: slave 1
    ~RtuSim() { sim->vtable->destroy(sim); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(rtu_simulator_answers_and_refuses) {
    RtuSim r;
    // FC04 of I1's value: 20.376f = 0x41A3020C, high word first
    BOOST_TEST(ask(r.sim, with_crc({0x01, 0x04, 0x00, 0x00, 0x00, 0x02})) ==
                   with_crc({0x01, 0x04, 0x04, 0x41, 0xA3, 0x02, 0x0C}),
               boost::test_tools::per_element());
    // I3 name: 43 4F 82 20 20 20
    BOOST_TEST(ask(r.sim, with_crc({0x01, 0x04, 0x00, 0x10, 0x00, 0x03})) ==
                   with_crc({0x01, 0x04, 0x06, 0x43, 0x4F, 0x82, 0x20, 0x20, 0x20}),
               boost::test_tools::per_element());
    // unknown function → exception 01; out of the map → 02; bad count → 03
    BOOST_TEST(
        ask(r.sim, with_crc({0x01, 0x03, 0x00, 0x00, 0x00, 0x01})) == with_crc({0x01, 0x83, 0x01}),
        boost::test_tools::per_element());
    BOOST_TEST(
        ask(r.sim, with_crc({0x01, 0x04, 0x00, 0x45, 0x00, 0x02})) == with_crc({0x01, 0x84, 0x02}),
        boost::test_tools::per_element());
    BOOST_TEST(
        ask(r.sim, with_crc({0x01, 0x02, 0x00, 0x4E, 0x00, 0x04})) == with_crc({0x01, 0x82, 0x02}),
        boost::test_tools::per_element());  // 78..81 straddles the end of the map
    BOOST_TEST(
        ask(r.sim, with_crc({0x01, 0x02, 0x00, 0x00, 0x00, 0x00})) == with_crc({0x01, 0x82, 0x03}),
        boost::test_tools::per_element());
    // bad CRC, other slave: silence
    Bytes bad = with_crc({0x01, 0x08, 0x00, 0x00, 0x12, 0x34});
    bad.back() ^= 0xFF;
    BOOST_TEST(ask(r.sim, bad).empty());
    BOOST_TEST(ask(r.sim, with_crc({0x02, 0x08, 0x00, 0x00, 0x12, 0x34})).empty());
    // FC15 pulse on coil 1 via a broadcast: acts, no answer; read back with FC01
    BOOST_TEST(ask(r.sim, with_crc({0x00, 0x0F, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01})).empty());
    BOOST_TEST(ask(r.sim, with_crc({0x01, 0x01, 0x00, 0x00, 0x00, 0x09})) ==
                   with_crc({0x01, 0x01, 0x02, 0x01, 0x00}),
               boost::test_tools::per_element());
    BOOST_TEST(test::sim_field(r.sim, "cal_group.1.calibrating") == 1.0);
    BOOST_TEST(test::sim_field(r.sim, "cal_group.1.gas") == 1.0);
    // discretes 1008..1015: group 1 calibrating, gas 1
    BOOST_TEST(ask(r.sim, with_crc({0x01, 0x02, 0x03, 0xF0, 0x00, 0x08})) ==
                   with_crc({0x01, 0x02, 0x01, 0x01}),
               boost::test_tools::per_element());
    // Calibration bit of I1 (10003)
    BOOST_TEST(ask(r.sim, with_crc({0x01, 0x02, 0x00, 0x00, 0x00, 0x08})) ==
                   with_crc({0x01, 0x02, 0x01, 0x04}),
               boost::test_tools::per_element());
    uint64_t rq = 0, rp = 0, fr = 9;
    BOOST_REQUIRE(r.sim->vtable->counters(r.sim, &rq, &rp, &fr) == ANYSERIAL_OK);
    BOOST_TEST(rq == 10u);  // bad CRC and other-slave frames are not requests to us
    BOOST_TEST(rp == 9u);   // the broadcast got no reply
    BOOST_TEST(fr == 0u);
}

BOOST_AUTO_TEST_CASE(ascii_simulator_answers) {
    Plugin plugin("anyserial-servomex-modbus-ascii");
    anyserial_protocol_options_t o{};
    o.struct_size = sizeof o;
    o.address = "17";  // 0x11
    anyserial_simulator_t *sim = plugin.simulator(&o);
    BOOST_TEST(ask(sim, ascii_frame({0x11, 0x08, 0x00, 0x00, 0xA5, 0x5A})) ==
               ascii_frame({0x11, 0x08, 0x00, 0x00, 0xA5, 0x5A}));
    BOOST_TEST(ask(sim, ascii_frame({0x11, 0x2B, 0x0E, 0x01, 0x00})) ==
               ascii_frame({0x11, 0xAB, 0x01}));
    BOOST_TEST(ask(sim, std::string(":110800000000E8\r\n")).empty());  // LRC should be E7
    BOOST_TEST(ask(sim, std::string(":110800000000E7\r\n")) == ":110800000000E7\r\n");
    sim->vtable->destroy(sim);
}

BOOST_AUTO_TEST_CASE(continuous_session_decodes_its_simulator) {
    Plugin plugin("anyserial-servomex-continuous");
    anyserial_protocol_session_t *s = plugin.session(nullptr);
    anyserial_simulator_t *sim = plugin.simulator(nullptr);

    const test::Request read(ANYSERIAL_OP_READ_FRAME, 0);
    BOOST_TEST(s->vtable->begin(s, &read.req) == ANYSERIAL_E_NOT_SUPPORTED);
    BOOST_TEST(test::session_error(s).find("request channel") != std::string::npos);
    const test::Request start(test::kOpStartCalibration, 1);
    BOOST_TEST(s->vtable->begin(s, &start.req) == ANYSERIAL_E_NOT_SUPPORTED);
    BOOST_TEST(s->vtable->channel_count(s) == 0u);  // no frame yet

    auto next_event = [&](const Bytes &wire, std::size_t &off) {
        anyserial_protocol_event_t ev{};
        ev.struct_size = sizeof ev;
        while (off < wire.size()) {
            uint32_t used = 0;
            BOOST_REQUIRE(s->vtable->feed(s, wire.data() + off,
                                          static_cast<uint32_t>(wire.size() - off), &used,
                                          &ev) == ANYSERIAL_OK);
            off += used;
            if (ev.type != ANYSERIAL_EVENT_NEED_MORE) break;
        }
        return ev;
    };

    Bytes wire = drain(sim, 1'000'000'000);
    std::size_t off = 0;
    anyserial_protocol_event_t ev = next_event(wire, off);
    BOOST_REQUIRE(ev.type == ANYSERIAL_EVENT_FRAME);
    BOOST_TEST(off == wire.size());
    BOOST_REQUIRE(ev.frame != nullptr);
    BOOST_TEST(ev.frame->checksum_ok);
    BOOST_TEST(ev.frame->checksum == 0x2A1Du);
    BOOST_TEST(std::string(ev.frame->readings[0]->name) == "Oxygen");
    BOOST_TEST(std::fabs(ev.frame->readings[0]->number - 20.376) < 1e-9);
    BOOST_TEST(std::string(ev.frame->readings[2]->name) == "CO2");
    BOOST_TEST(ev.frame->readings[3]->name == nullptr);
    const std::vector<std::string> table = {"I1:transducer:%:Oxygen", "I2:transducer:%:CO",
                                            "I3:transducer:%:CO2", "E1:external:mA:(none)",
                                            "E2:external:mA:(none)"};
    BOOST_TEST(test::channel_table(s) == table, boost::test_tools::per_element());
    anyserial_channel_info_t info{};
    info.struct_size = sizeof info;
    BOOST_TEST(s->vtable->get_channel(s, 5, &info) == ANYSERIAL_E_NOT_FOUND);

    // nothing until the next tick; then a corrupted checksum is a BAD_FRAME with the frame
    BOOST_TEST(drain(sim, 2'000'000'000).empty());
    BOOST_REQUIRE(sim->vtable->set_fault(sim, ANYSERIAL_SIM_FAULT_BAD_CHECKSUM, 0) == ANYSERIAL_OK);
    BOOST_REQUIRE(test::set_reading(sim, "I1", true, 21.0, 0) == ANYSERIAL_OK);
    wire = drain(sim, 3'000'000'000);
    off = 0;
    ev = next_event(wire, off);
    BOOST_REQUIRE(ev.type == ANYSERIAL_EVENT_BAD_FRAME);
    BOOST_TEST(ev.bad_frame_reason == ANYSERIAL_BAD_FRAME_CHECKSUM);
    BOOST_TEST(std::string(ev.reason).find("checksum mismatch") != std::string::npos);
    BOOST_REQUIRE(ev.frame != nullptr);
    BOOST_TEST(!ev.frame->checksum_ok);
    BOOST_TEST(ev.frame->readings[0]->number == 21.0);
    BOOST_TEST(ev.raw_len + 2u == wire.size());

    BOOST_TEST(sim->vtable->set_fault(sim, ANYSERIAL_SIM_FAULT_EXCEPTION, 1) ==
               ANYSERIAL_E_NOT_SUPPORTED);
    BOOST_REQUIRE(sim->vtable->set_interval(sim, 0) == ANYSERIAL_OK);
    uint8_t buf[8];
    uint32_t n = 9;
    uint64_t next = 0;
    BOOST_REQUIRE(sim->vtable->poll_output(sim, 9'000'000'000, buf, sizeof buf, &n, &next) ==
                  ANYSERIAL_OK);
    BOOST_TEST(n == 0u);
    BOOST_TEST(next == UINT64_MAX);
    s->vtable->destroy(s);
    sim->vtable->destroy(sim);
}

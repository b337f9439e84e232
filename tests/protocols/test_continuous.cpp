// Continuous ASCII mode: the decoder against the spec's frame, split feeding, resync,
// bad checksums, LF-only captures; and the simulator's encoder against the same frame.
#define BOOST_TEST_MODULE servomex_continuous
#include <algorithm>
#include <anyserial/servomex/bank.hpp>
#include <anyserial/servomex/continuous_decoder.hpp>
#include <anyserial/servomex/continuous_encoder.hpp>
#include <anyserial/servomex/continuous_simulator.hpp>
#include <boost/test/unit_test.hpp>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "alloc_counter.hpp"
#include "frame_view.hpp"

using namespace anyserial::servomex;
using namespace frame_view;

namespace {

// The real frame of the spec (bench 4100D), without terminator.
const std::string kSpecFrame =
    " 06-10-20;02:54:12;  ;S1S1S1S1;05;I1;Oxygen;20.376; % ;    ;  ; ; ;I2;CO    ; 0.084; % "
    ";    ;  ; ; ;I3;CO2   ; 0.250; % ;    ;  ; ; ;E1;||||||;   0.0; mA;    ;  ; ; ;E2;||||||;"
    "   0.0; mA;    ;  ; ; ;2A1D;";

std::span<const uint8_t> span_of(const std::string &s) {
    return {reinterpret_cast<const uint8_t *>(s.data()), s.size()};
}

struct Collected {
    std::vector<ContinuousEvent> events;
    std::vector<std::string> raws, reasons, names;  // names: "I1=Oxygen" of good frames
    std::vector<double> first_values;
};

// Feed everything in pieces of `piece` bytes, collecting every event.
Collected feed_all(ContinuousDecoder &d, const std::string &wire, std::size_t piece) {
    Collected c;
    for (std::size_t off = 0; off < wire.size(); off += piece) {
        auto chunk = span_of(wire).subspan(off, std::min(piece, wire.size() - off));
        while (!chunk.empty()) {
            const ContinuousEvent e = d.feed(chunk);
            chunk = chunk.subspan(e.consumed);
            if (e.type == ContinuousEventType::need_more) break;
            c.events.push_back(e);
            c.raws.emplace_back(e.raw.begin(), e.raw.end());
            c.reasons.emplace_back(e.reason != nullptr ? e.reason : "");
            if (e.frame != nullptr && e.frame->reading_count > 0) {
                const anyserial_reading_t &r = reading(*e.frame, 0);
                c.names.push_back(std::string(r.channel) + "=" + (r.name ? r.name : "(null)"));
                c.first_values.push_back(r.number);
            }
            c.events.back().frame = nullptr;  // only valid until the next feed
        }
    }
    return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(spec_frame_decodes) {
    ContinuousDecoder d;
    const std::string wire = kSpecFrame + "\r\n";
    const ContinuousEvent e = d.feed(span_of(wire));
    BOOST_REQUIRE(e.type == ContinuousEventType::frame);
    BOOST_TEST(e.consumed == wire.size());
    const anyserial_frame_t &f = *e.frame;
    BOOST_TEST(f.has_checksum);
    BOOST_TEST(f.checksum_ok);
    BOOST_TEST(f.checksum == 0x2A1Du);
    BOOST_TEST(std::string(reinterpret_cast<const char *>(f.raw), f.raw_len) == kSpecFrame);
    BOOST_REQUIRE(f.reading_count == 5u);
    const anyserial_reading_t &i1 = reading(f, 0);
    BOOST_TEST(std::string(i1.channel) == "I1");
    BOOST_TEST(std::string(i1.name) == "Oxygen");
    BOOST_TEST(has_value(i1));
    BOOST_TEST(i1.number == 20.376);
    BOOST_TEST(std::string(i1.unit) == "%");
    BOOST_TEST(i1.flags == 0u);
    BOOST_TEST(!i1.unlisted);
    BOOST_TEST(std::string(reading(f, 1).name) == "CO");
    BOOST_TEST(reading(f, 1).number == 0.084);
    BOOST_TEST(std::string(reading(f, 2).name) == "CO2");
    const anyserial_reading_t &e1 = reading(f, 3);
    BOOST_TEST(std::string(e1.channel) == "E1");
    BOOST_TEST(e1.name == nullptr);
    BOOST_TEST(e1.number == 0.0);
    BOOST_TEST(std::string(e1.unit) == "mA");
    BOOST_TEST(f.device_flags == 0u);
    BOOST_TEST(number(f, "cal_group_count") == 4.0);
    BOOST_TEST(calibrating(f, 1) == 0.0);
    BOOST_TEST(gas(f, 1) == 1.0);
    BOOST_TEST(field(f, "clock")->value_type == ANYSERIAL_VALUE_TEXT);
    BOOST_TEST(text(f, "clock") == "06-10-20 02:54:12");
    // the channel table: ids, kinds, units, names of the frame
    const anyserial::sdk::ChannelTable &t = d.channels();
    BOOST_REQUIRE(t.size() == 5u);
    anyserial_channel_info_t info{};
    t.get(0, info);
    BOOST_TEST(std::string(info.id) == "I1");
    BOOST_TEST(std::string(info.kind) == "transducer");
    BOOST_TEST(std::string(info.name) == "Oxygen");
    BOOST_TEST(std::string(info.unit) == "%");
    t.get(3, info);
    BOOST_TEST(std::string(info.id) == "E1");
    BOOST_TEST(std::string(info.kind) == "external");
    BOOST_TEST(info.name == nullptr);
    BOOST_TEST(std::string(info.unit) == "mA");
}

BOOST_AUTO_TEST_CASE(a_frame_without_a_real_clock_has_no_clock_field) {
    ContinuousDecoder d;
    std::string line = kSpecFrame;
    line.replace(1, 8, "00-00-00");
    // re-sum: the checksum covers the header
    unsigned sum = 0;
    const std::size_t end = line.size() - 5;  // "2A1D;"
    for (std::size_t i = 1; i < end; ++i)
        sum += static_cast<uint8_t>(line[i]);
    char hex[5];
    std::snprintf(hex, sizeof hex, "%04X", sum & 0xFFFFu);
    line.replace(end, 4, hex);
    const std::string wire = line + "\r\n";
    const ContinuousEvent e = d.feed(span_of(wire));
    BOOST_REQUIRE(e.type == ContinuousEventType::frame);
    BOOST_TEST(field(*e.frame, "clock") == nullptr);
    BOOST_TEST(number(*e.frame, "cal_group_count") == 4.0);
}

BOOST_AUTO_TEST_CASE(decoding_allocates_nothing_per_frame) {
    ContinuousDecoder d;  // sized for a full frame when built
    std::string bad = kSpecFrame;
    bad.replace(bad.find("20.376"), 6, "20.377");
    const std::string wire = kSpecFrame + "\r\n" + bad + "\r\n" + "noise\n";
    const std::size_t before = anyserial_test_allocations();
    std::size_t frames = 0;
    for (int round = 0; round < 20; ++round) {
        std::span<const uint8_t> rest = span_of(wire);
        while (!rest.empty()) {
            const ContinuousEvent e = d.feed(rest);
            rest = rest.subspan(e.consumed);
            if (e.type == ContinuousEventType::frame) ++frames;
        }
    }
    BOOST_TEST(anyserial_test_allocations() == before);
    BOOST_TEST(frames == 20u);
}

BOOST_AUTO_TEST_CASE(one_byte_pieces_equal_whole) {
    const std::string wire = kSpecFrame + "\r\n" + kSpecFrame + "\r\n";
    ContinuousDecoder whole, bytewise;
    const Collected a = feed_all(whole, wire, wire.size());
    const Collected b = feed_all(bytewise, wire, 1);
    BOOST_REQUIRE(a.events.size() == 2u);
    BOOST_REQUIRE(b.events.size() == 2u);
    BOOST_TEST(a.raws == b.raws, boost::test_tools::per_element());
    BOOST_TEST(a.names == b.names, boost::test_tools::per_element());
    BOOST_TEST(a.first_values == b.first_values, boost::test_tools::per_element());
    for (const auto &e : b.events)
        BOOST_TEST((e.type == ContinuousEventType::frame));
}

BOOST_AUTO_TEST_CASE(garbage_then_frame_resyncs) {
    ContinuousDecoder d;
    // a partial frame (joined mid-line), raw noise, then good frames with LF only
    const std::string wire = kSpecFrame.substr(40) + "\r\n" + "\x01\xFFnoise\n\n" + kSpecFrame +
                             "\n" + kSpecFrame + "\n";
    const Collected c = feed_all(d, wire, 7);
    BOOST_REQUIRE(c.events.size() == 4u);
    BOOST_TEST((c.events[0].type == ContinuousEventType::bad_frame));
    BOOST_TEST(c.raws[0] == kSpecFrame.substr(40));
    BOOST_TEST(!c.reasons[0].empty());
    BOOST_TEST((c.events[1].type == ContinuousEventType::bad_frame));
    BOOST_TEST(c.reasons[1] == "frame does not start with a space");
    BOOST_TEST((c.events[2].type == ContinuousEventType::frame));
    BOOST_TEST((c.events[3].type == ContinuousEventType::frame));
    BOOST_TEST(c.names.back() == "I1=Oxygen");
}

BOOST_AUTO_TEST_CASE(bad_checksum_is_a_bad_frame_with_the_decoded_frame) {
    ContinuousDecoder d;
    std::string bad = kSpecFrame;
    bad.replace(bad.find("20.376"), 6, "20.377");  // one digit flipped
    const std::string wire = bad + "\r\n";
    const ContinuousEvent e = d.feed(span_of(wire));
    BOOST_REQUIRE(e.type == ContinuousEventType::bad_frame);
    BOOST_TEST(std::string(e.reason) == "checksum mismatch: frame says 2A1D, computed 2A1E");
    BOOST_TEST(e.bad_reason == ANYSERIAL_BAD_FRAME_CHECKSUM);
    BOOST_REQUIRE(e.frame != nullptr);
    BOOST_TEST(!e.frame->checksum_ok);
    BOOST_TEST(reading(*e.frame, 0).number == 20.377);
    BOOST_TEST(d.channels().size() == 0u);  // a bad frame does not set the channel table
    BOOST_TEST(std::string(e.raw.begin(), e.raw.end()) == bad);
}

BOOST_AUTO_TEST_CASE(structural_failures_name_the_reason) {
    auto reason_of = [](const std::string &line) {
        ContinuousDecoder d;
        const std::string wire = line + "\n";
        const ContinuousEvent e = d.feed(span_of(wire));
        BOOST_TEST((e.type == ContinuousEventType::bad_frame));
        BOOST_TEST(e.bad_reason == ANYSERIAL_BAD_FRAME_STRUCTURE);
        BOOST_TEST(e.frame == nullptr);
        return std::string(e.reason != nullptr ? e.reason : "");
    };
    std::string s = kSpecFrame;
    BOOST_TEST(reason_of(s.substr(0, s.size() - 1)) == "frame does not end with ';'");
    std::string n = kSpecFrame;
    n.replace(n.find(";05;"), 4, ";06;");
    BOOST_TEST(reason_of(n).find("expected 54 for 6 channels") != std::string::npos);
    std::string id = kSpecFrame;
    id.replace(id.find("I2;"), 2, "X2");
    BOOST_TEST(reason_of(id).find("unknown channel id 'X2'") != std::string::npos);
    std::string cs = kSpecFrame;
    cs.replace(cs.find("2A1D"), 4, "2A1G");
    BOOST_TEST(reason_of(cs).find("not 4 hex digits") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_alicat_stream_line_is_never_a_frame) {
    // Under plain AUTO this listener hears Alicat streaming frames too (CR-terminated, the id
    // slot empty, so they also start with a space): never a frame, with CR LF or CR alone.
    const std::string alicat = " +014.70 +025.00 +000.00 +000.00 +012.50     N2 HLD";
    ContinuousDecoder d;
    const ContinuousEvent e = d.feed(span_of(alicat + "\r\n"));
    BOOST_TEST((e.type == ContinuousEventType::bad_frame));
    BOOST_TEST(e.bad_reason == ANYSERIAL_BAD_FRAME_STRUCTURE);
    BOOST_TEST(e.frame == nullptr);
    ContinuousDecoder cr;
    std::string wire;
    for (int i = 0; i < 100; ++i)
        wire += alicat + "\r";
    for (std::span<const uint8_t> rest = span_of(wire); !rest.empty();) {
        const ContinuousEvent x = cr.feed(rest);
        BOOST_TEST((x.type != ContinuousEventType::frame));
        BOOST_TEST_REQUIRE(x.consumed > 0u);
        rest = rest.subspan(x.consumed);
    }
}

BOOST_AUTO_TEST_CASE(non_numeric_value_and_flags) {
    // Build a frame with the encoder: over-range I2, flags on I1 and E1.
    Bank bank = Bank::bench();
    bank.set_reading("I2", false, 0, 0);
    bank.set_reading("I1", true, 20.376, kFlagFault | kFlagWarmingUp | kFlagAlarm3);
    bank.set_reading("E1", true, 4.0, kFlagInvalid);
    bank.set_device_flags(kFlagFault | kFlagMaintenance);
    bank.write_coil(2, true);  // cal-group 3
    std::string wire;
    format_continuous_frame(bank, ContinuousClock{}, wire);
    ContinuousDecoder d;
    const ContinuousEvent e = d.feed(span_of(wire));
    BOOST_REQUIRE(e.type == ContinuousEventType::frame);
    const anyserial_frame_t &f = *e.frame;
    BOOST_TEST(reading(f, 0).flags == (kFlagFault | kFlagWarmingUp | kFlagAlarm3));
    BOOST_TEST(!has_value(reading(f, 1)));
    BOOST_TEST(reading(f, 1).value_type == ANYSERIAL_VALUE_ABSENT);
    BOOST_TEST(reading(f, 2).flags == kFlagCalibrating);
    // A continuous frame has letters only: the simulated Invalid E1 shows as its F.
    BOOST_TEST(reading(f, 3).flags == kFlagFault);
    BOOST_TEST(reading(f, 3).number == 4.0);
    BOOST_TEST(f.device_flags == (kFlagFault | kFlagMaintenance));
    BOOST_TEST(calibrating(f, 3) == 1.0);
}

BOOST_AUTO_TEST_CASE(over_long_line_is_capped_and_resyncs) {
    ContinuousDecoder d;
    const std::string wire = std::string(10000, 'x') + "\n" + kSpecFrame + "\r\n";
    const Collected c = feed_all(d, wire, 333);
    BOOST_REQUIRE(c.events.size() == 2u);
    BOOST_TEST((c.events[0].type == ContinuousEventType::bad_frame));
    BOOST_TEST(c.raws[0].size() == ContinuousDecoder::kMaxLine);
    BOOST_TEST((c.events[1].type == ContinuousEventType::frame));
}

BOOST_AUTO_TEST_CASE(encoder_reproduces_the_spec_frame) {
    std::string wire;
    format_continuous_frame(Bank::bench(), clock_after(0), wire);
    BOOST_TEST(wire == kSpecFrame + "\r\n");
    const ContinuousClock later = clock_after(86400 * 30 + 3600 + 61);
    BOOST_TEST(std::string(later.date, 8) == "05-11-20");
    BOOST_TEST(std::string(later.time, 8) == "03:55:13");
}

BOOST_AUTO_TEST_CASE(simulator_broadcasts_on_its_interval) {
    anyserial_protocol_options_t opts{};
    ContinuousSimulator sim(opts);
    std::vector<uint8_t> buf(64);
    std::string got;
    uint64_t next = 0;
    const uint64_t t0 = 5'000'000'000;
    // the first frame at the first poll, handed out in 64-byte pieces
    for (uint32_t n = sim.poll_output(t0, buf, next);; n = sim.poll_output(t0, buf, next)) {
        got.append(buf.begin(), buf.begin() + n);
        if (n < buf.size()) break;
        BOOST_TEST(next == t0);
    }
    BOOST_TEST(got == kSpecFrame + "\r\n");
    BOOST_TEST(next == t0 + ContinuousSimulator::kDefaultInterval);
    BOOST_TEST(sim.poll_output(t0 + 1, buf, next) == 0u);  // nothing before the next tick
    sim.set_interval(1'000'000'000);
    BOOST_TEST(next == t0 + ContinuousSimulator::kDefaultInterval);
    sim.poll_output(t0 + 1, buf, next);
    BOOST_TEST(next == t0 + 1'000'000'000);
    sim.set_fault(ANYSERIAL_SIM_FAULT_SILENCE, 0);
    BOOST_TEST(sim.poll_output(t0 + 1'000'000'000, buf, next) == 0u);
    sim.set_fault(ANYSERIAL_SIM_FAULT_BAD_CHECKSUM, 0);
    std::string bad;
    for (uint32_t n = sim.poll_output(t0 + 2'000'000'000, buf, next);;
         n = sim.poll_output(t0 + 2'000'000'000, buf, next)) {
        bad.append(buf.begin(), buf.begin() + n);
        if (n < buf.size()) break;
    }
    ContinuousDecoder d;
    const ContinuousEvent e = d.feed(span_of(bad));
    BOOST_TEST((e.type == ContinuousEventType::bad_frame));
    BOOST_TEST(bad.substr(10, 8) == "02:54:14");  // clock advanced 2 s
    uint64_t rq = 9, rp = 9, fr = 0;
    sim.counters(rq, rp, fr);
    BOOST_TEST(fr == 2u);
    BOOST_TEST(rq == 0u);
}

namespace {

// kSpecFrame with `from` replaced by `to` and the checksum recomputed.
std::string edited(const std::string &from, const std::string &to) {
    std::string line = kSpecFrame;
    line.replace(line.find(from), from.size(), to);
    unsigned sum = 0;
    const std::size_t end = line.size() - 5;  // "XXXX;"
    for (std::size_t i = 1; i < end; ++i)
        sum += static_cast<uint8_t>(line[i]);
    char hex[5];
    std::snprintf(hex, sizeof hex, "%04X", sum & 0xFFFFu);
    line.replace(end, 4, hex);
    return line;
}

std::string table_of(const ContinuousDecoder &d) {
    std::string s;
    for (uint32_t i = 0; i < d.channels().size(); ++i) {
        anyserial_channel_info_t c{};
        d.channels().get(i, c);
        s += std::string(c.id) + "/" + (c.name ? c.name : "-") + "/" + c.kind + "/" + c.unit + ";";
    }
    return s;
}

}  // namespace

// The decoder scans whole reads at once and copies only what a line needs: a frame cut at
// any byte (including inside CR LF, and across an over-long line) gives the same events.
BOOST_AUTO_TEST_CASE(every_two_piece_split_equals_whole) {
    std::string bad = kSpecFrame;
    bad.replace(bad.find("20.376"), 6, "20.377");
    const std::string wire = kSpecFrame + "\r\n" + bad + "\r\n" + std::string(4100, 'x') + "\n" +
                             edited("CO    ", "CO\x82   ") + "\n\n" + kSpecFrame + "\r\n";
    ContinuousDecoder ref;
    const Collected whole = feed_all(ref, wire, wire.size());
    BOOST_REQUIRE(whole.events.size() == 5u);  // frame, checksum, over-long, frame, frame
    for (std::size_t cut = 1; cut < wire.size(); ++cut) {
        ContinuousDecoder d;
        Collected c;
        std::size_t consumed = 0;
        for (const auto &[off, len] : {std::pair{std::size_t{0}, cut}, {cut, wire.size() - cut}}) {
            auto chunk = span_of(wire).subspan(off, len);
            while (!chunk.empty()) {
                const ContinuousEvent e = d.feed(chunk);
                BOOST_REQUIRE(e.consumed <= chunk.size());
                consumed += e.consumed;
                chunk = chunk.subspan(e.consumed);
                if (e.type == ContinuousEventType::need_more) break;
                c.events.push_back(e);
                c.raws.emplace_back(e.raw.begin(), e.raw.end());
                c.reasons.emplace_back(e.reason != nullptr ? e.reason : "");
            }
        }
        BOOST_TEST_REQUIRE(consumed == wire.size());
        BOOST_TEST_REQUIRE(c.raws == whole.raws);
        BOOST_TEST_REQUIRE(c.reasons == whole.reasons);
        BOOST_TEST_REQUIRE(table_of(d) == table_of(ref));
    }
}

// The channel table is the last checksum-valid frame's: a renamed channel updates it, a
// frame with a bad checksum does not, and a repeated frame leaves it as it is.
BOOST_AUTO_TEST_CASE(channel_table_follows_the_last_good_frame) {
    ContinuousDecoder d;
    auto feed = [&](const std::string &line) { return d.feed(span_of(line + "\r\n")).type; };
    BOOST_REQUIRE(feed(kSpecFrame) == ContinuousEventType::frame);
    const std::string spec_table = table_of(d);
    BOOST_TEST(spec_table.find("I2/CO/transducer/%;") != std::string::npos);
    // a name of the same length: only the bytes differ
    BOOST_REQUIRE(feed(edited("Oxygen", "Nitrog")) == ContinuousEventType::frame);
    BOOST_TEST(table_of(d).find("I1/Nitrog/transducer/%;") != std::string::npos);
    BOOST_REQUIRE(feed(edited("CO    ", "CO\x82   ")) == ContinuousEventType::frame);
    BOOST_TEST(table_of(d).find("I2/CO\u2082/transducer/%;") != std::string::npos);
    BOOST_REQUIRE(feed(edited(" % ;    ;  ; ; ;I2", " VPM;    ;  ; ; ;I2")) ==
                  ContinuousEventType::frame);
    BOOST_TEST(table_of(d).find("I1/Oxygen/transducer/vpm;I2/CO/") != std::string::npos);
    std::string bad = edited("Oxygen", "Argon ");
    bad.replace(bad.size() - 5, 4, "0000");
    BOOST_REQUIRE(feed(bad) == ContinuousEventType::bad_frame);
    BOOST_TEST(table_of(d).find("I1/Oxygen/transducer/vpm;") != std::string::npos);
    BOOST_REQUIRE(feed(kSpecFrame) == ContinuousEventType::frame);
    BOOST_TEST(table_of(d) == spec_table);
    BOOST_REQUIRE(feed(kSpecFrame) == ContinuousEventType::frame);
    BOOST_TEST(table_of(d) == spec_table);
}

// Plain decimals take a fast path; its result is the very double std::from_chars gives.
BOOST_AUTO_TEST_CASE(values_equal_from_chars_exactly) {
    for (const char *text : {"20.376", "-0.5", "+1.25", "0.1", "-273.15", "123456789012345.6",
                             "1234567890123456.7", "1e3", "7", "-0", "0.000000000000001"}) {
        const std::string v(text);
        const std::string line = edited("20.376", v);
        ContinuousDecoder d;
        const ContinuousEvent e = d.feed(span_of(line + "\r\n"));
        BOOST_REQUIRE(e.type == ContinuousEventType::frame);
        const anyserial_reading_t &r = reading(*e.frame, 0);
        BOOST_REQUIRE(r.value_type == ANYSERIAL_VALUE_NUMBER);
        double want = 0.0;
        const char *first = v.data() + (v[0] == '+' ? 1 : 0);
        std::from_chars(first, v.data() + v.size(), want);
        BOOST_TEST(std::memcmp(&r.number, &want, sizeof want) == 0, text);
    }
}

// The decoder scans a line 16 bytes at a time: frames of every length modulo 16 (the value
// field padded with 0..31 spaces, the checksum recomputed from the spec's rule) decode to the
// same reading, whole and split at every point of the last 16-byte block.
BOOST_AUTO_TEST_CASE(every_line_length_modulo_16_decodes_the_same) {
    const std::string head = kSpecFrame.substr(0, kSpecFrame.find("20.376"));
    const std::string tail_with_sum = kSpecFrame.substr(kSpecFrame.find("20.376") + 6);
    const std::string tail = tail_with_sum.substr(0, tail_with_sum.size() - 5);  // "2A1D;"
    std::vector<std::size_t> remainders;
    for (std::size_t pad = 0; pad < 32; ++pad) {
        std::string body = head + std::string(pad, ' ') + "20.376" + tail;  // ends with ';'
        unsigned sum = 0;
        for (std::size_t i = 1; i < body.size(); ++i)  // after the start space, to the last ';'
            sum += static_cast<unsigned char>(body[i]);
        char hex[8];
        std::snprintf(hex, sizeof hex, "%04X;", sum & 0xFFFFu);
        const std::string wire = body + hex + "\r\n";
        remainders.push_back(wire.size() % 16);
        for (std::size_t cut :
             {std::size_t{0}, wire.size() - 17, wire.size() - 9, wire.size() - 2}) {
            ContinuousDecoder d;
            const Collected c = cut == 0 ? feed_all(d, wire, wire.size()) : [&] {
                Collected both = feed_all(d, wire.substr(0, cut), cut);
                Collected rest = feed_all(d, wire.substr(cut), wire.size() - cut);
                both.events.insert(both.events.end(), rest.events.begin(), rest.events.end());
                both.first_values.insert(both.first_values.end(), rest.first_values.begin(),
                                         rest.first_values.end());
                return both;
            }();
            BOOST_TEST_CONTEXT("pad " << pad << ", length " << wire.size() << ", cut " << cut) {
                BOOST_REQUIRE(c.events.size() == 1u);
                BOOST_TEST((c.events[0].type == ContinuousEventType::frame));
                BOOST_REQUIRE(c.first_values.size() == 1u);
                BOOST_TEST(c.first_values[0] == 20.376);
            }
        }
    }
    std::sort(remainders.begin(), remainders.end());
    remainders.erase(std::unique(remainders.begin(), remainders.end()), remainders.end());
    BOOST_TEST(remainders.size() == 16u);  // every length modulo 16 was seen
}

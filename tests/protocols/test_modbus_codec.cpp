// The internal Modbus codec: checksums against published vectors, PDU builders, the
// client response decoder (RTU and ASCII) and the server-side framer and PDU server.
#define BOOST_TEST_MODULE modbus_codec
#include <anyserial/modbus/checksum.hpp>
#include <anyserial/modbus/framing.hpp>
#include <anyserial/modbus/pdu.hpp>
#include <anyserial/modbus/server.hpp>
#include <array>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

using namespace anyserial::modbus;
using Bytes = std::vector<uint8_t>;

namespace anyserial::modbus {
std::ostream &operator<<(std::ostream &os, DecodeStatus s) {
    return os << static_cast<int>(s);
}
}  // namespace anyserial::modbus

namespace {

Bytes bytes(std::string_view s) {
    return Bytes(s.begin(), s.end());
}

// RTU ADU by hand (CRC appended low byte first).
Bytes rtu(Bytes adu) {
    const uint16_t crc = crc16(adu);
    adu.push_back(static_cast<uint8_t>(crc & 0xFF));
    adu.push_back(static_cast<uint8_t>(crc >> 8));
    return adu;
}

// Feed one byte at a time; return the first non-need_more result and how many bytes it took.
DecodeResult feed_bytewise(ResponseDecoder &d, const Bytes &wire, std::size_t &fed) {
    fed = 0;
    for (uint8_t b : wire) {
        const DecodeResult r = d.feed(std::span<const uint8_t>(&b, 1));
        ++fed;
        BOOST_TEST(r.consumed == 1u);
        if (r.status != DecodeStatus::need_more) return r;
    }
    return {};
}

std::string text(const char *s) {
    return s != nullptr ? s : "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(checksums)

BOOST_AUTO_TEST_CASE(crc16_published_vectors) {
    // Modbus over Serial Line guide example: 11 03 00 6B 00 03 → CRC 0x8776 (sent 76 87)
    BOOST_TEST(crc16(Bytes{0x11, 0x03, 0x00, 0x6B, 0x00, 0x03}) == 0x8776);
    // The classic read of 10 holding registers: 01 03 00 00 00 0A → C5 CD on the wire
    BOOST_TEST(crc16(Bytes{0x01, 0x03, 0x00, 0x00, 0x00, 0x0A}) == 0xCDC5);
    // Check value of CRC-16/MODBUS over "123456789"
    BOOST_TEST(crc16(bytes("123456789")) == 0x4B37);
    // A frame with its CRC appended checks to zero
    BOOST_TEST(crc16(rtu({0x01, 0x04, 0x00, 0x00, 0x00, 0x46})) == 0);
}

BOOST_AUTO_TEST_CASE(lrc_published_vectors) {
    // Modbus ASCII example ":F7031389000A60"
    BOOST_TEST(lrc(Bytes{0xF7, 0x03, 0x13, 0x89, 0x00, 0x0A}) == 0x60);
    BOOST_TEST(lrc(Bytes{0x01, 0x03, 0x00, 0x00, 0x00, 0x0A}) == 0xF2);
    BOOST_TEST(lrc(Bytes{}) == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(client)

BOOST_AUTO_TEST_CASE(encode_requests) {
    std::array<uint8_t, kMaxAsciiChars> out{};
    const Pdu fc04 = read_request(kReadInputRegisters, 0, 70);
    std::size_t n = encode_adu(Framing::rtu, 1, fc04.view(), out);
    BOOST_TEST(Bytes(out.begin(), out.begin() + n) ==
                   (Bytes{0x01, 0x04, 0x00, 0x00, 0x00, 0x46, 0x71, 0xF8}),
               boost::test_tools::per_element());
    n = encode_adu(Framing::ascii, 1, fc04.view(), out);
    BOOST_TEST(std::string(out.begin(), out.begin() + n) == ":010400000046B5\r\n");
    BOOST_TEST(n == wire_length(Framing::ascii, fc04.size));
    BOOST_TEST(encode_adu(Framing::rtu, 1, fc04.view(), std::span<uint8_t>(out).first(5)) == 0u);

    BOOST_TEST(expected_response_pdu_len(fc04.view()) == 142u);
    BOOST_TEST(expected_response_pdu_len(read_request(kReadDiscreteInputs, 0, 80).view()) == 12u);
    BOOST_TEST(expected_response_pdu_len(read_request(kReadDiscreteInputs, 1000, 16).view()) == 4u);
    BOOST_TEST(expected_response_pdu_len(write_single_coil(8, true).view()) == 5u);
    BOOST_TEST(expected_response_pdu_len(diagnostic_echo(0x1234).view()) == 5u);
    const bool bits[10] = {true, false, true, false, false, false, false, false, false, true};
    const Pdu fc15 = write_multiple_coils(0, bits);
    BOOST_TEST(Bytes(fc15.bytes.begin(), fc15.bytes.begin() + static_cast<long>(fc15.size)) ==
                   (Bytes{0x0F, 0x00, 0x00, 0x00, 0x0A, 0x02, 0x05, 0x02}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(float_high_word_first) {
    const auto regs = registers_from_float(20.376f);
    BOOST_TEST(regs[0] == 0x41A3);  // 20.376f = 0x41A3020C
    BOOST_TEST(float_from_registers(regs[0], regs[1]) == 20.376f);
}

BOOST_AUTO_TEST_CASE(float_readings_are_their_shortest_decimal) {
    // What the analyser displays, not the widened float (20.375999450683594).
    BOOST_TEST(decimal_from_float(20.376f) == 20.376);
    BOOST_TEST(decimal_from_float(0.084f) == 0.084);
    BOOST_TEST(decimal_from_float(-12.5f) == -12.5);
    BOOST_TEST(static_cast<double>(20.376f) != 20.376);  // why the conversion exists
    // Nothing is lost: every value converts back to the same float, extremes included.
    for (float f : {20.376f, 0.1f, 1e-30f, 1.17549435e-38f, 1.4e-45f, 3.4028235e38f, -7.25e5f,
                    16777217.0f, 0.0f, -0.0f}) {
        BOOST_TEST_CONTEXT("float " << f) {
            const double d = decimal_from_float(f);
            BOOST_TEST(static_cast<float>(d) == f);
            BOOST_TEST(std::signbit(d) == std::signbit(f));
        }
    }
}

BOOST_AUTO_TEST_CASE(rtu_response_bytewise) {
    ResponseDecoder d(Framing::rtu);
    d.expect({1, kReadInputRegisters, 4});
    std::size_t fed = 0;
    const Bytes wire = rtu({0x01, 0x04, 0x02, 0x12, 0x34});
    const DecodeResult r = feed_bytewise(d, wire, fed);
    BOOST_TEST(fed == wire.size());
    BOOST_REQUIRE(r.status == DecodeStatus::response);
    BOOST_TEST(Bytes(r.pdu.begin(), r.pdu.end()) == (Bytes{0x04, 0x02, 0x12, 0x34}),
               boost::test_tools::per_element());
    BOOST_TEST(r.raw.size() == wire.size());
}

BOOST_AUTO_TEST_CASE(rtu_stops_at_the_end_of_the_frame) {
    ResponseDecoder d(Framing::rtu);
    d.expect({1, kWriteSingleCoil, 5});
    Bytes wire = rtu({0x01, 0x05, 0x00, 0x08, 0xFF, 0x00});
    wire.push_back(0xEE);  // next bytes are not ours
    const DecodeResult r = d.feed(wire);
    BOOST_TEST(r.status == DecodeStatus::response);
    BOOST_TEST(r.consumed == wire.size() - 1);
}

BOOST_AUTO_TEST_CASE(rtu_exception_bad_crc_wrong_address_wrong_fc) {
    ResponseDecoder d(Framing::rtu);
    d.expect({1, kReadInputRegisters, 142});
    DecodeResult r = d.feed(rtu({0x01, 0x84, 0x02}));
    BOOST_REQUIRE(r.status == DecodeStatus::exception);
    BOOST_TEST(r.exception_code == 2);
    BOOST_TEST(text(r.reason).find("illegal data address") != std::string::npos);

    d.expect({1, kReadInputRegisters, 4});
    Bytes bad = rtu({0x01, 0x04, 0x02, 0x12, 0x34});
    bad.back() ^= 0x01;
    r = d.feed(bad);
    BOOST_REQUIRE(r.status == DecodeStatus::bad_frame);
    BOOST_TEST(text(r.reason).find("CRC mismatch") != std::string::npos);
    BOOST_TEST((r.bad == BadFrame::checksum));
    BOOST_TEST(r.raw.size() == bad.size());

    d.expect({1, kReadInputRegisters, 4});
    r = d.feed(rtu({0x02, 0x04, 0x02, 0x12, 0x34}));
    BOOST_REQUIRE(r.status == DecodeStatus::bad_frame);
    BOOST_TEST(text(r.reason).find("slave 2") != std::string::npos);
    BOOST_TEST((r.bad == BadFrame::address));

    d.expect({1, kReadInputRegisters, 4});
    const Bytes wrong_fc = rtu({0x01, 0x03, 0x02, 0x12, 0x34});
    r = d.feed(wrong_fc);
    BOOST_REQUIRE(r.status == DecodeStatus::bad_frame);
    BOOST_TEST(r.consumed == 2u);  // known at once: no length rule for an unasked function
    BOOST_TEST(text(r.reason).find("function code 0x03") != std::string::npos);
    BOOST_TEST((r.bad == BadFrame::unexpected));
}

BOOST_AUTO_TEST_CASE(rtu_byte_count_must_match_the_request) {
    ResponseDecoder d(Framing::rtu);
    d.expect({1, kReadInputRegisters, 6});
    const DecodeResult r = d.feed(rtu({0x01, 0x04, 0x02, 0x12, 0x34}));
    BOOST_REQUIRE(r.status == DecodeStatus::bad_frame);
    BOOST_TEST(text(r.reason).find("expected 6") != std::string::npos);
    BOOST_TEST((r.bad == BadFrame::structure));
}

BOOST_AUTO_TEST_CASE(ascii_response_exception_and_failures) {
    ResponseDecoder d(Framing::ascii);
    d.expect({1, kReadInputRegisters, 4});
    std::size_t fed = 0;
    const Bytes wire = bytes("xx:0104021234B3\r\n");  // noise before ':' is skipped
    DecodeResult r = feed_bytewise(d, wire, fed);
    BOOST_REQUIRE(r.status == DecodeStatus::response);
    BOOST_TEST(fed == wire.size());
    BOOST_TEST(Bytes(r.pdu.begin(), r.pdu.end()) == (Bytes{0x04, 0x02, 0x12, 0x34}),
               boost::test_tools::per_element());

    d.expect({1, kReadInputRegisters, 4});
    r = d.feed(bytes(":0104021234b3\r\n"));  // lowercase hex is tolerated
    BOOST_TEST(r.status == DecodeStatus::response);

    d.expect({1, kReadInputRegisters, 4});
    r = d.feed(bytes(":01840279\r\n"));
    BOOST_REQUIRE(r.status == DecodeStatus::exception);
    BOOST_TEST(r.exception_code == 2);

    d.expect({1, kReadInputRegisters, 4});
    r = d.feed(bytes(":0104021234B4\r\n"));
    BOOST_REQUIRE(r.status == DecodeStatus::bad_frame);
    BOOST_TEST(text(r.reason).find("LRC mismatch") != std::string::npos);
    BOOST_TEST((r.bad == BadFrame::checksum));

    d.expect({1, kReadInputRegisters, 4});
    r = d.feed(bytes(":0104021234B3\n"));
    BOOST_REQUIRE(r.status == DecodeStatus::bad_frame);
    BOOST_TEST(text(r.reason).find("CR LF") != std::string::npos);
    BOOST_TEST((r.bad == BadFrame::structure));

    d.expect({1, kReadInputRegisters, 4});
    r = d.feed(bytes(":01040G1234B3\r\n"));
    BOOST_REQUIRE(r.status == DecodeStatus::bad_frame);
    BOOST_TEST(text(r.reason).find("hex") != std::string::npos);
    BOOST_TEST((r.bad == BadFrame::structure));

    d.expect({1, kReadInputRegisters, 4});
    r = d.feed(bytes(":0204021234B2\r\n"));
    BOOST_REQUIRE(r.status == DecodeStatus::bad_frame);
    BOOST_TEST(text(r.reason).find("slave 2") != std::string::npos);
    BOOST_TEST((r.bad == BadFrame::address));
}

BOOST_AUTO_TEST_CASE(timing) {
    BOOST_TEST(rtu_char_time_ns(19200) == 572916u);
    BOOST_TEST(rtu_t35_ns(9600) == 4010415u);
    BOOST_TEST(rtu_t35_ns(115200) == 1750000u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(server)

namespace {

struct TestModel final : ServerModel {
    std::array<bool, 9> coils{};
    std::vector<uint16_t> writes;
    bool has(Table t, uint16_t a, uint16_t c) const noexcept override {
        const unsigned end = unsigned{a} + c;
        return t == Table::coils ? end <= 9 : t == Table::input_registers ? end <= 70 : end <= 80;
    }
    bool read_bit(Table t, uint16_t a) const noexcept override {
        return t == Table::coils ? coils[a] : a % 3 == 0;
    }
    uint16_t read_register(uint16_t a) const noexcept override {
        return static_cast<uint16_t>(a * 257);
    }
    void write_coil(uint16_t a, bool v) noexcept override {
        coils[a] = v;
        writes.push_back(a);
    }
};

Bytes serve(ServerModel &m, Bytes req) {
    const Pdu p = serve_request(req, m);
    return Bytes(p.bytes.begin(), p.bytes.begin() + static_cast<long>(p.size));
}

}  // namespace

BOOST_AUTO_TEST_CASE(reads_and_exceptions) {
    TestModel m;
    BOOST_TEST(
        serve(m, {0x04, 0x00, 0x01, 0x00, 0x02}) == (Bytes{0x04, 0x04, 0x01, 0x01, 0x02, 0x02}),
        boost::test_tools::per_element());
    BOOST_TEST(serve(m, {0x02, 0x00, 0x00, 0x00, 0x0A}) == (Bytes{0x02, 0x02, 0x49, 0x02}),
               boost::test_tools::per_element());
    BOOST_TEST(serve(m, {0x04, 0x00, 0x45, 0x00, 0x02}) == (Bytes{0x84, 0x02}),
               boost::test_tools::per_element());
    BOOST_TEST(serve(m, {0x04, 0x00, 0x00, 0x00, 0x00}) == (Bytes{0x84, 0x03}),
               boost::test_tools::per_element());
    BOOST_TEST(serve(m, {0x03, 0x00, 0x00, 0x00, 0x01}) == (Bytes{0x83, 0x01}),
               boost::test_tools::per_element());
    BOOST_TEST(serve(m, {0x2B, 0x0E, 0x01, 0x00}) == (Bytes{0xAB, 0x01}),
               boost::test_tools::per_element());
    BOOST_TEST(serve(m, {0x08, 0x00, 0x00, 0xA5, 0x5A}) == (Bytes{0x08, 0x00, 0x00, 0xA5, 0x5A}),
               boost::test_tools::per_element());
    BOOST_TEST(serve(m, {0x08, 0x00, 0x01, 0x00, 0x00}) == (Bytes{0x88, 0x01}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(coil_writes) {
    TestModel m;
    BOOST_TEST(serve(m, {0x05, 0x00, 0x08, 0xFF, 0x00}) == (Bytes{0x05, 0x00, 0x08, 0xFF, 0x00}),
               boost::test_tools::per_element());
    BOOST_TEST(m.coils[8]);
    BOOST_TEST(serve(m, {0x05, 0x00, 0x08, 0x12, 0x34}) == (Bytes{0x85, 0x03}),
               boost::test_tools::per_element());
    BOOST_TEST(serve(m, {0x05, 0x00, 0x09, 0xFF, 0x00}) == (Bytes{0x85, 0x02}),
               boost::test_tools::per_element());
    m.writes.clear();
    BOOST_TEST(serve(m, {0x0F, 0x00, 0x00, 0x00, 0x03, 0x01, 0x05}) ==
                   (Bytes{0x0F, 0x00, 0x00, 0x00, 0x03}),
               boost::test_tools::per_element());
    BOOST_TEST(m.writes == (std::vector<uint16_t>{0, 1, 2}), boost::test_tools::per_element());
    BOOST_TEST(m.coils[0]);
    BOOST_TEST(!m.coils[1]);
    BOOST_TEST(m.coils[2]);
    BOOST_TEST(serve(m, {0x0F, 0x00, 0x00, 0x00, 0x03, 0x02, 0x05, 0x00}) == (Bytes{0x8F, 0x03}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(rtu_request_framer) {
    RequestFramer f(Framing::rtu, rtu_t35_ns(19200));
    std::vector<Bytes> pdus;
    std::vector<bool> ok;
    auto collect = [&](const RequestFrame &fr) {
        pdus.emplace_back(fr.pdu.begin(), fr.pdu.end());
        ok.push_back(fr.checksum_ok);
    };
    Bytes two = rtu({0x01, 0x04, 0x00, 0x00, 0x00, 0x46});
    const Bytes fc15 = rtu({0x01, 0x0F, 0x00, 0x00, 0x00, 0x0A, 0x02, 0x05, 0x02});
    two.insert(two.end(), fc15.begin(), fc15.end());
    f.feed(0, two, collect);
    BOOST_REQUIRE(pdus.size() == 2u);
    BOOST_TEST(ok[0]);
    BOOST_TEST(ok[1]);
    BOOST_TEST(pdus[1].size() == 8u);

    // A partial frame followed by silence longer than t3.5 is dropped.
    pdus.clear();
    const Bytes req = rtu({0x01, 0x02, 0x00, 0x00, 0x00, 0x50});
    f.feed(1'000'000, Bytes{0x01, 0x04, 0x00}, collect);
    f.feed(1'000'000 + rtu_t35_ns(19200) + 1, req, collect);
    BOOST_REQUIRE(pdus.size() == 1u);
    BOOST_TEST(pdus[0][0] == 0x02);

    // Unknown function code: the rest of the chunk is the frame.
    pdus.clear();
    ok.clear();
    f.feed(10'000'000'000, rtu({0x01, 0x2B, 0x0E, 0x01, 0x00}), collect);
    BOOST_REQUIRE(pdus.size() == 1u);
    BOOST_TEST(ok[0]);
    BOOST_TEST(pdus[0][0] == 0x2B);
}

BOOST_AUTO_TEST_CASE(ascii_request_framer) {
    RequestFramer f(Framing::ascii, 0);
    std::vector<Bytes> pdus;
    std::vector<bool> ok;
    std::vector<uint8_t> addr;
    auto collect = [&](const RequestFrame &fr) {
        pdus.emplace_back(fr.pdu.begin(), fr.pdu.end());
        ok.push_back(fr.checksum_ok);
        addr.push_back(fr.address);
    };
    f.feed(0, bytes("junk:010400000046B5\r\n:010400000046B6\r\n:F7031389000A60\r\n"), collect);
    BOOST_REQUIRE(pdus.size() == 3u);
    BOOST_TEST(ok[0]);
    BOOST_TEST(!ok[1]);
    BOOST_TEST(ok[2]);
    BOOST_TEST(addr[2] == 0xF7);
    BOOST_TEST(pdus[0] == (Bytes{0x04, 0x00, 0x00, 0x00, 0x46}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

#include "anyserial/modbus/framing.hpp"

#include "anyserial/modbus/checksum.hpp"
#include "hex.hpp"

namespace anyserial::modbus {

std::size_t encode_adu(Framing f, uint8_t address, std::span<const uint8_t> pdu,
                       std::span<uint8_t> out) noexcept {
    if (pdu.empty() || pdu.size() > kMaxPdu || out.size() < wire_length(f, pdu.size())) return 0;
    if (f == Framing::rtu) {
        out[0] = address;
        for (std::size_t i = 0; i < pdu.size(); ++i)
            out[1 + i] = pdu[i];
        const uint16_t crc = crc16(out.first(1 + pdu.size()));
        out[1 + pdu.size()] = static_cast<uint8_t>(crc & 0xFF);
        out[2 + pdu.size()] = static_cast<uint8_t>(crc >> 8);
        return 3 + pdu.size();
    }
    std::size_t n = 0;
    auto put = [&](uint8_t b) {
        out[n++] = static_cast<uint8_t>(detail::kHexDigits[b >> 4]);
        out[n++] = static_cast<uint8_t>(detail::kHexDigits[b & 0xF]);
    };
    unsigned sum = address;
    out[n++] = ':';
    put(address);
    for (uint8_t b : pdu) {
        put(b);
        sum += b;
    }
    put(static_cast<uint8_t>(-sum & 0xFFu));
    out[n++] = '\r';
    out[n++] = '\n';
    return n;
}

uint64_t rtu_char_time_ns(uint32_t baudrate) noexcept {
    if (baudrate == 0) baudrate = 19200;
    return 11ull * 1'000'000'000ull / baudrate;
}

uint64_t rtu_t35_ns(uint32_t baudrate) noexcept {
    if (baudrate == 0 || baudrate > 19200) return 1'750'000;
    return rtu_char_time_ns(baudrate) * 7 / 2;
}

}  // namespace anyserial::modbus

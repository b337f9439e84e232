// Modbus checksums: RTU CRC-16 (poly 0xA001 reflected, init 0xFFFF, sent low byte first)
// and ASCII LRC (two's complement of the byte sum).
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace anyserial::modbus {

namespace detail {
constexpr std::array<uint16_t, 256> make_crc_table() {
    std::array<uint16_t, 256> t{};
    for (unsigned i = 0; i < 256; ++i) {
        unsigned c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1u) ? (c >> 1) ^ 0xA001u : c >> 1;
        t[i] = static_cast<uint16_t>(c);
    }
    return t;
}
inline constexpr std::array<uint16_t, 256> kCrcTable = make_crc_table();
}  // namespace detail

// CRC-16/MODBUS of data. On the wire: low byte, then high byte.
constexpr uint16_t crc16(std::span<const uint8_t> data, uint16_t crc = 0xFFFF) noexcept {
    for (uint8_t b : data)
        crc = static_cast<uint16_t>((crc >> 8) ^ detail::kCrcTable[(crc ^ b) & 0xFFu]);
    return crc;
}

// LRC of data: the byte that makes the sum of data + LRC zero modulo 256.
constexpr uint8_t lrc(std::span<const uint8_t> data) noexcept {
    unsigned sum = 0;
    for (uint8_t b : data)
        sum += b;
    return static_cast<uint8_t>(-sum & 0xFFu);
}

}  // namespace anyserial::modbus

// Hex helpers of the ASCII framing (internal).
#pragma once

#include <cstdint>
#include <span>

namespace anyserial::modbus::detail {

inline constexpr char kHexDigits[] = "0123456789ABCDEF";

// Value of a hex digit (either case), -1 if not one.
constexpr int hex_value(uint8_t c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// Decode pairs of hex digits into out; returns bytes written or -1 on a bad digit / odd
// count / overflow. *bad_char gets the offending character.
inline long decode_hex(std::span<const uint8_t> hex, std::span<uint8_t> out,
                       uint8_t *bad_char) noexcept {
    if (hex.size() % 2 != 0 || hex.size() / 2 > out.size()) return -1;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            *bad_char = hi < 0 ? hex[i] : hex[i + 1];
            return -1;
        }
        out[i / 2] = static_cast<uint8_t>(hi * 16 + lo);
    }
    return static_cast<long>(hex.size() / 2);
}

}  // namespace anyserial::modbus::detail

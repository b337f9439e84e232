// The analyser's display character ROM: byte 0x82 is a subscript two (CO₂ over Modbus
// comes back as 43 4F 82 20 20 20); every other byte is Latin-1. Decoding never fails.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace anyserial::servomex {

// Append the UTF-8 text of display-ROM bytes to out (never fails, never throws beyond
// allocation; reuses out's capacity).
void append_display_text(std::string &out, std::span<const uint8_t> rom);

// UTF-8 text of display-ROM bytes.
std::string decode_display_text(std::span<const uint8_t> rom);

// How a UTF-8 name becomes device bytes (the simulator side).
enum class NameEncoding {
    display_rom,  // Modbus: "₂" → 0x82, Latin-1 as is
    plain_ascii,  // continuous: "₂" → '2', Latin-1 as is
};

// Encode UTF-8 text into exactly out.size() bytes, padded with `pad`. Characters with no
// device byte become '?'; text longer than the field is cut. Returns the bytes used
// before padding.
std::size_t encode_display_text(std::string_view utf8, NameEncoding encoding,
                                std::span<uint8_t> out, uint8_t pad = ' ');

// Trim ASCII spaces and NULs from both ends of a device text field.
std::span<const uint8_t> trim_field(std::span<const uint8_t> field);
std::string_view trim_field(std::string_view field);

}  // namespace anyserial::servomex

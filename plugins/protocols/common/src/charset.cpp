#include "anyserial/servomex/charset.hpp"

#include <algorithm>

namespace anyserial::servomex {

namespace {

constexpr uint8_t kRomSubscriptTwo = 0x82;

void append_code_point(std::string &out, uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// Next code point of UTF-8 text; malformed sequences yield U+FFFD and skip one byte.
uint32_t next_code_point(std::string_view s, std::size_t &i) {
    const auto b0 = static_cast<uint8_t>(s[i]);
    auto cont = [&](std::size_t k) -> int {
        if (i + k >= s.size()) return -1;
        const auto b = static_cast<uint8_t>(s[i + k]);
        return (b & 0xC0) == 0x80 ? (b & 0x3F) : -1;
    };
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    if ((b0 & 0xE0) == 0xC0) {
        const int c1 = cont(1);
        if (c1 >= 0) {
            i += 2;
            return ((b0 & 0x1Fu) << 6) | static_cast<uint32_t>(c1);
        }
    } else if ((b0 & 0xF0) == 0xE0) {
        const int c1 = cont(1), c2 = cont(2);
        if (c1 >= 0 && c2 >= 0) {
            i += 3;
            return ((b0 & 0x0Fu) << 12) | (static_cast<uint32_t>(c1) << 6) |
                   static_cast<uint32_t>(c2);
        }
    } else if ((b0 & 0xF8) == 0xF0) {
        const int c1 = cont(1), c2 = cont(2), c3 = cont(3);
        if (c1 >= 0 && c2 >= 0 && c3 >= 0) {
            i += 4;
            return 0x10000;  // outside the ROM either way
        }
    }
    ++i;
    return 0xFFFD;
}

}  // namespace

void append_display_text(std::string &out, std::span<const uint8_t> rom) {
    for (uint8_t b : rom) {
        if (b == kRomSubscriptTwo)
            append_code_point(out, 0x2082);
        else
            append_code_point(out, b);
    }
}

std::string decode_display_text(std::span<const uint8_t> rom) {
    std::string out;
    out.reserve(rom.size() * 2);
    append_display_text(out, rom);
    return out;
}

std::size_t encode_display_text(std::string_view utf8, NameEncoding encoding,
                                std::span<uint8_t> out, uint8_t pad) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < utf8.size() && n < out.size();) {
        const uint32_t cp = next_code_point(utf8, i);
        uint8_t byte = '?';
        if (cp == 0x2082)
            byte = encoding == NameEncoding::display_rom ? kRomSubscriptTwo : '2';
        else if (cp < 0x100 && !(encoding == NameEncoding::display_rom && cp == kRomSubscriptTwo))
            byte = static_cast<uint8_t>(cp);
        out[n++] = byte;
    }
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(n), out.end(), pad);
    return n;
}

std::span<const uint8_t> trim_field(std::span<const uint8_t> field) {
    auto blank = [](uint8_t b) { return b == ' ' || b == 0; };
    std::size_t b = 0, e = field.size();
    while (b < e && blank(field[b]))
        ++b;
    while (e > b && blank(field[e - 1]))
        --e;
    return field.subspan(b, e - b);
}

std::string_view trim_field(std::string_view field) {
    auto blank = [](char c) { return c == ' ' || c == '\0'; };
    std::size_t b = 0, e = field.size();
    while (b < e && blank(field[b]))
        ++b;
    while (e > b && blank(field[e - 1]))
        --e;
    return field.substr(b, e - b);
}

}  // namespace anyserial::servomex

// anyserial SDK C++ helpers — the one validator for text that reaches a terminal, a log or
// JSON from outside the program (sysfs attributes, plugin strings, discovery records).
//
// Clean text is well-formed UTF-8 (RFC 3629: no overlong form, no surrogate, nothing above
// U+10FFFF) without C0 or C1 control characters, DEL, or the bidirectional embeddings,
// overrides and isolates (U+202A..U+202E, U+2066..U+2069) that make a terminal show
// something else than what is there. The core and the plugins share this header, so a
// string is judged the same way on both sides of the ABI.
//
//     if (!sdk::text::is_clean(s)) ...;          // refuse
//     std::string shown = sdk::text::escape(s);  // or show it escaped: \xNN, \u{NNNN}
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace anyserial::sdk::text {

enum class Problem {
    none,
    control,    // C0, DEL or C1 (U+0080..U+009F)
    bidi,       // U+202A..U+202E, U+2066..U+2069
    malformed,  // a stray continuation byte, an invalid lead, a truncated sequence
    overlong,   // a code point encoded in more bytes than needed (C0/C1 leads included)
    surrogate,  // U+D800..U+DFFF
    too_large,  // above U+10FFFF
};

inline const char *problem_name(Problem p) noexcept {
    switch (p) {
        case Problem::none:
            return "clean";
        case Problem::control:
            return "control character";
        case Problem::bidi:
            return "bidirectional override";
        case Problem::malformed:
            return "malformed UTF-8";
        case Problem::overlong:
            return "overlong UTF-8 form";
        case Problem::surrogate:
            return "UTF-16 surrogate";
        case Problem::too_large:
            return "code point above U+10FFFF";
    }
    return "?";
}

// One decoded unit: a code point and its byte length, or the problem with the bytes
// that make it up (1 for a malformed byte).
struct Unit {
    char32_t code_point = 0;
    std::size_t length = 1;
    Problem problem = Problem::none;
};

inline Unit decode(std::string_view s, std::size_t i) noexcept {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) return {c, 1, c < 0x20 || c == 0x7f ? Problem::control : Problem::none};
    if (c < 0xc0) return {0, 1, Problem::malformed};  // continuation byte without a lead
    std::size_t extra = 0;
    char32_t cp = 0;
    if (c < 0xe0) {
        extra = 1;
        cp = c & 0x1fu;
    } else if (c < 0xf0) {
        extra = 2;
        cp = c & 0x0fu;
    } else if (c < 0xf8) {
        extra = 3;
        cp = c & 0x07u;
    } else {
        return {0, 1, Problem::malformed};
    }
    if (i + extra >= s.size()) return {0, 1, Problem::malformed};
    for (std::size_t k = 1; k <= extra; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xc0u) != 0x80u) return {0, 1, Problem::malformed};
        cp = (cp << 6) | (b & 0x3fu);
    }
    const std::size_t len = extra + 1;
    static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra]) return {cp, len, Problem::overlong};
    if (cp > 0x10ffff) return {cp, len, Problem::too_large};
    if (cp >= 0xd800 && cp <= 0xdfff) return {cp, len, Problem::surrogate};
    if (cp <= 0x9f) return {cp, len, Problem::control};
    if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
        return {cp, len, Problem::bidi};
    return {cp, len, Problem::none};
}

// The first problem in s, Problem::none when s is clean.
inline Problem check(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size();) {
        const Unit u = decode(s, i);
        if (u.problem != Problem::none) return u.problem;
        i += u.length;
    }
    return Problem::none;
}

inline bool is_clean(std::string_view s) noexcept {
    return check(s) == Problem::none;
}

// s with every problem made visible: a bad code point as \u{NNNN}, a byte that is not
// UTF-8 (or an overlong, surrogate or too-large form) as \xNN per byte, a backslash as
// itself. Clean text comes back unchanged.
inline std::string escape(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const Unit u = decode(s, i);
        if (u.problem == Problem::none) {
            out.append(s.substr(i, u.length));
        } else if (u.problem == Problem::control || u.problem == Problem::bidi) {
            out += "\\u{";
            bool started = false;
            for (int shift = 20; shift >= 0; shift -= 4) {
                const unsigned digit = (u.code_point >> shift) & 0xfu;
                if (digit != 0 || started || shift < 16) {
                    out += kHex[digit];
                    started = true;
                }
            }
            out += '}';
        } else {
            for (std::size_t k = 0; k < u.length; ++k) {
                const auto b = static_cast<unsigned char>(s[i + k]);
                out += "\\x";
                out += kHex[b >> 4];
                out += kHex[b & 0xfu];
            }
        }
        i += u.length;
    }
    return out;
}

// What a plugin object's last_error(self, buf, cap) says, read the way the host reads it:
// bounded by a 512-byte buffer, by the first NUL and by the length it reports (none of them
// is trusted alone), and escaped so that it cannot drive a terminal.
template <class Obj>
std::string last_error_of(std::uint32_t (*fn)(const Obj *, char *, std::uint32_t), const Obj *obj) {
    if (fn == nullptr || obj == nullptr) return {};
    char buf[512] = {};
    const std::uint32_t len = fn(obj, buf, sizeof buf);
    buf[sizeof buf - 1] = '\0';
    std::size_t n = 0;
    while (n < len && buf[n] != '\0')
        ++n;
    return escape(std::string_view(buf, n));
}

}  // namespace anyserial::sdk::text

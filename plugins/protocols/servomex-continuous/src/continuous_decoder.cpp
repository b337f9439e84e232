#include "anyserial/servomex/continuous_decoder.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "anyserial/servomex/charset.hpp"
#include "anyserial/servomex/status.hpp"
#include "anyserial/servomex/units.hpp"

namespace anyserial::servomex {

namespace {

// slot_of() reads a slot's index off its id: I1..I4, D1..D4, E1, E2 in this order.
constexpr bool slots_in_id_order() {
    constexpr char kLetters[kSlotCount] = {'I', 'I', 'I', 'I', 'D', 'D', 'D', 'D', 'E', 'E'};
    for (std::size_t i = 0; i < kSlotCount; ++i)
        if (kSlots[i].id.size() != 2 || kSlots[i].id[0] != kLetters[i] ||
            kSlots[i].id[1] != static_cast<char>('1' + i % 4) || kSlots[i].index != i)
            return false;
    return true;
}
static_assert(slots_in_id_order());

// find_slot(), from the id's shape: every id of the map is a letter and a digit 1..4.
const ChannelSlot *slot_of(std::string_view id) noexcept {
    if (id.size() != 2) return nullptr;
    const unsigned d = static_cast<unsigned>(id[1] - '1');
    if (d > 3) return nullptr;
    const unsigned slot = id[0] == 'I' ? d : id[0] == 'D' ? 4 + d : id[0] == 'E' ? 8 + d : ~0u;
    return slot < kSlotCount ? &kSlots[slot] : nullptr;
}

// Hex digit values; -1 for other bytes.
constexpr std::array<int8_t, 256> kHexDigit = [] {
    std::array<int8_t, 256> t{};
    for (int c = 0; c < 256; ++c)
        t[c] = static_cast<int8_t>(c >= '0' && c <= '9'   ? c - '0'
                                   : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                                          : -1);
    return t;
}();

int parse_hex4(std::string_view s) noexcept {
    if (s.size() != 4) return -1;
    const auto hex = [&](std::size_t i) { return kHexDigit[static_cast<uint8_t>(s[i])]; };
    const int a = hex(0), b = hex(1), c = hex(2), d = hex(3);
    if ((a | b | c | d) < 0) return -1;
    return a << 12 | b << 8 | c << 4 | d;
}

// Two decimal digits at s[i], or -1.
int two_digits(std::string_view s, std::size_t i) {
    if (i + 2 > s.size() || s[i] < '0' || s[i] > '9' || s[i + 1] < '0' || s[i + 1] > '9') return -1;
    return (s[i] - '0') * 10 + (s[i + 1] - '0');
}

// The analyser clock is operator-set and may be unset or garbage: only a real calendar
// date DD-MM-YY (20YY) and a real time HH:MM:SS count as a clock.
bool real_clock(std::string_view date, std::string_view time) {
    if (date.size() != 8 || time.size() != 8 || date[2] != '-' || date[5] != '-' ||
        time[2] != ':' || time[5] != ':')
        return false;
    const int d = two_digits(date, 0), m = two_digits(date, 3), y = two_digits(date, 6);
    const int hh = two_digits(time, 0), mm = two_digits(time, 3), ss = two_digits(time, 6);
    if (y < 0 || m < 1 || m > 12 || d < 1 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 ||
        ss > 59)
        return false;
    static constexpr int kDays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = y % 4 == 0;  // 2000..2099
    return d <= (m == 2 && !leap ? 28 : kDays[m - 1]);
}

// A plain decimal ("-12.345": at most 15 digits, so the mantissa and the power of ten are
// exact doubles and one division rounds correctly, exactly as from_chars would); false
// for anything else, which from_chars then decides.
bool parse_plain_decimal(std::string_view t, double &v) noexcept {
    static constexpr double kPow10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                          1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    const char *p = t.data();
    const char *const end = p + t.size();
    const bool negative = p != end && *p == '-';
    if (negative) ++p;
    uint64_t m = 0;
    const char *const int_start = p;
    for (unsigned d; p != end && (d = static_cast<unsigned>(*p - '0')) < 10; ++p)
        m = m * 10 + d;
    if (p == int_start) return false;
    std::size_t digits = static_cast<std::size_t>(p - int_start), frac = 0;
    if (p != end && *p == '.') {
        const char *const frac_start = ++p;
        for (unsigned d; p != end && (d = static_cast<unsigned>(*p - '0')) < 10; ++p)
            m = m * 10 + d;
        frac = static_cast<std::size_t>(p - frac_start);
        if (frac == 0) return false;
        digits += frac;
    }
    if (p != end || digits > 15) return false;
    const double x = static_cast<double>(m) / kPow10[frac];
    v = negative ? -x : x;
    return true;
}

// A value field: a number, optionally with a leading '+' (liberal, as the reference);
// anything else is over-range/invalid.
bool parse_value(std::string_view text, double &v) noexcept {
    if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+')
        text.remove_prefix(1);
    if (text.empty()) return false;
    if (parse_plain_decimal(text, v)) return true;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    return ec == std::errc() && end == text.data() + text.size() && std::isfinite(v);
}

// trim_field(), inline: blanks are spaces and NULs.
inline std::string_view trim(std::string_view f) noexcept {
    const char *b = f.data(), *e = b + f.size();
    while (b != e && (*b == ' ' || *b == '\0'))
        ++b;
    while (e != b && (e[-1] == ' ' || e[-1] == '\0'))
        --e;
    return {b, static_cast<std::size_t>(e - b)};
}

// parse_unit(), inline: the literal of a known unit (case-insensitive), else empty.
std::string_view known_unit(std::string_view t) noexcept {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    auto is = [&](std::string_view want) {
        for (std::size_t i = 0; i < want.size(); ++i)
            if (lower(t[i]) != lower(want[i])) return false;
        return true;
    };
    using namespace std::string_view_literals;
    if (t.size() == 1) return t[0] == '%' ? "%"sv : ""sv;
    if (t.size() == 2) return is("mA") ? "mA"sv : ""sv;
    if (t.size() == 3) return is("vpm") ? "vpm"sv : is("ppm") ? "ppm"sv : ""sv;
    return {};
}

// A name is shown unless blank or all '|' (the analyser's unlabelled slot).
bool has_name(std::string_view name) noexcept {
    for (char c : name)
        if (c != '|') return true;
    return false;
}

// One pass over the body: the byte sum (for the checksum) and the offset of every ';'
// into sep. Stops early once there are more than `cap` (sep has room for cap + 16); the
// return value is the count. Reads whole 16-byte blocks: body[n .. n + 15] must exist.
std::size_t scan_body(const uint8_t *body, std::size_t n, uint16_t *sep, std::size_t cap,
                      unsigned &sum) noexcept {
    std::size_t count = 0;
#if defined(__SSE2__)
    // Bytes past the end are masked to zero: no ';', nothing added.
    alignas(16) static constexpr uint8_t kKeep[32] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                                      0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                                      0xFF, 0xFF, 0xFF, 0xFF};
    const __m128i semi = _mm_set1_epi8(';'), zero = _mm_setzero_si128();
    __m128i total = zero;
    for (std::size_t i = 0; i < n; i += 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(body + i));
        if (n - i < 16)
            v = _mm_and_si128(
                v, _mm_loadu_si128(reinterpret_cast<const __m128i *>(kKeep + 16 - (n - i))));
        total = _mm_add_epi64(total, _mm_sad_epu8(v, zero));  // two 64-bit partial sums
        for (auto m = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, semi))); m != 0;
             m &= m - 1)
            sep[count++] = static_cast<uint16_t>(i + static_cast<unsigned>(__builtin_ctz(m)));
        if (count > cap) return count;
    }
    sum = static_cast<unsigned>(_mm_cvtsi128_si32(total) +
                                _mm_cvtsi128_si32(_mm_unpackhi_epi64(total, total)));
#else
    unsigned total = 0;
    for (std::size_t i = 0; i < n; ++i) {
        total += body[i];
        if (body[i] == ';') {
            if (count > cap) return count;
            sep[count++] = static_cast<uint16_t>(i);
        }
    }
    sum = total;
#endif
    return count;
}

}  // namespace

ContinuousDecoder::ContinuousDecoder() {
    // Size the channel table for a full frame now, so decoding never allocates (a name or
    // unit beyond 64 bytes would, once).
    const std::string wide(64, ' ');
    for (std::size_t i = 0; i < kSlotCount; ++i)
        channels_.add(wide, wide.c_str(), wide, wide);
    channels_.clear();
    sep_[0] = 0xFFFF;
    for (std::size_t i = 0; i < kSlotCount; ++i) {
        readings_[i] = sdk::init_struct<anyserial_reading_t>();
        reading_ptrs_[i] = &readings_[i];
    }
    // The fields of add_status_fields(), in its order, after the clock; a frame without a
    // clock starts at the second.
    auto init_field = [&](std::size_t k, const char *id, uint32_t type) {
        fields_[k] = sdk::init_struct<anyserial_field_t>();
        fields_[k].id = id;
        fields_[k].value_type = type;
        field_ptrs_[k] = &fields_[k];
    };
    init_field(0, "clock", ANYSERIAL_VALUE_TEXT);
    fields_[0].text = clock_;
    init_field(1, "cal_group_count", ANYSERIAL_VALUE_INTEGER);
    for (uint32_t g = 1; g <= kCalGroupCount; ++g) {
        init_field(2 * g, cal_group_calibrating_id(g), ANYSERIAL_VALUE_INTEGER);
        init_field(2 * g + 1, cal_group_gas_id(g), ANYSERIAL_VALUE_INTEGER);
    }
}

void ContinuousDecoder::reset() noexcept {
    len_ = 0;
    discarding_ = false;
    clear_on_feed_ = false;
}

ContinuousEvent ContinuousDecoder::bad(const char *fmt, ...) noexcept {
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(reason_, sizeof reason_, fmt, args);
    va_end(args);
    ContinuousEvent e;
    e.type = ContinuousEventType::bad_frame;
    e.reason = reason_;
    e.bad_reason = bad_reason_;
    bad_reason_ = ANYSERIAL_BAD_FRAME_STRUCTURE;
    e.raw = {line_.data(), len_};
    return e;
}

ContinuousEvent ContinuousDecoder::feed(std::span<const uint8_t> data) noexcept {
    if (clear_on_feed_) {
        len_ = 0;
        clear_on_feed_ = false;
    }
    const uint8_t *const p = data.data();
    const std::size_t n = data.size();
    std::size_t used = 0;
    while (used < n) {
        // One memchr for the terminator, one memcpy of the line's bytes.
        const auto *nl = static_cast<const uint8_t *>(std::memchr(p + used, '\n', n - used));
        const std::size_t end = nl != nullptr ? static_cast<std::size_t>(nl - p) : n;
        if (discarding_) {
            used = end;
            if (nl == nullptr) break;
            ++used;
            discarding_ = false;
            len_ = 0;
            continue;
        }
        const std::size_t take = end - used;
        if (take > kMaxLine - len_) {
            const std::size_t fit = kMaxLine - len_;
            std::memcpy(line_.data() + len_, p + used, fit);
            len_ = kMaxLine;
            ContinuousEvent e = bad("line longer than %zu bytes without a terminator", kMaxLine);
            discarding_ = true;
            clear_on_feed_ = true;
            e.consumed = used + fit;  // the next byte belongs to the rest of the long line
            return e;
        }
        if (take > 0) std::memcpy(line_.data() + len_, p + used, take);
        len_ += take;
        used = end;
        if (nl == nullptr) break;
        ++used;
        if (len_ > 0 && line_[len_ - 1] == '\r') --len_;
        ContinuousEvent e = parse_line();
        if (e.type == ContinuousEventType::need_more) {
            len_ = 0;
            continue;
        }
        clear_on_feed_ = true;
        e.consumed = used;
        return e;
    }
    ContinuousEvent e;
    e.consumed = used;
    return e;
}

inline std::string_view ContinuousDecoder::field(std::size_t k) const noexcept {
    const auto begin = static_cast<uint16_t>(sep_[k] + 1u);
    return {reinterpret_cast<const char *>(line_.data()) + 1 + begin,
            static_cast<std::size_t>(sep_[k + 1] - begin)};
}

ContinuousEvent ContinuousDecoder::parse_line() noexcept {
    if (len_ == 0) return {};
    if (line_[0] != ' ') return bad("frame does not start with a space");
    if (len_ == 1 || line_[len_ - 1] != ';') return bad("frame does not end with ';'");

    unsigned sum = 0;
    const std::size_t count =
        scan_body(line_.data() + 1, len_ - 1, sep_.data() + 1, kMaxFields, sum);
    if (count > kMaxFields) return bad("more than %zu fields", kMaxFields);
    if (count < kHeaderFields + 1) return bad("only %zu fields, a header needs 5", count);
    // N: two digits on the wire; one digit and 00 (no channel blocks) are accepted too.
    const std::string_view n_field = field(4), n_text = trim(n_field);
    const auto digit = [&](std::size_t i) { return static_cast<unsigned>(n_text[i] - '0'); };
    const bool one = n_text.size() == 1 && digit(0) < 10;
    if (!one && !(n_text.size() == 2 && digit(0) < 10 && digit(1) < 10))
        return bad("channel count '%.*s' is not 1 or 2 digits", static_cast<int>(n_field.size()),
                   n_field.data());
    const unsigned blocks = one ? digit(0) : 10 * digit(0) + digit(1);
    if (blocks > kSlotCount)
        return bad("channel count %u out of range 0..%u", blocks, unsigned{kSlotCount});
    const std::size_t want = kHeaderFields + kBlockFields * blocks + 1;
    if (count != want) return bad("%zu fields, expected %zu for %u channels", count, want, blocks);

    const std::string_view check_text = field(count - 1);
    const int sent = parse_hex4(check_text);
    if (sent < 0)
        return bad("checksum '%.*s' is not 4 hex digits", static_cast<int>(check_text.size()),
                   check_text.data());
    // The checksum covers the body up to the ';' before it.
    unsigned check_sum = ';';
    for (char c : check_text)
        check_sum += static_cast<uint8_t>(c);
    return build(blocks, static_cast<unsigned>(sent), (sum - check_sum) & 0xFFFFu);
}

inline const char *ContinuousDecoder::keep(std::string_view s) noexcept {
    char *const out = text_.data() + text_used_;
    char *o = out;
    for (char c : s)
        *o++ = c;
    *o++ = '\0';
    text_used_ += static_cast<std::size_t>(o - out);
    return out;
}

inline const char *ContinuousDecoder::keep_display(std::string_view s) noexcept {
    char *const out = text_.data() + text_used_;
    char *o = out;
    for (char c : s) {
        const auto b = static_cast<uint8_t>(c);
        if (b < 0x80) {
            *o++ = c;
        } else if (b == 0x82) {  // the display ROM's subscript two: U+2082
            *o++ = '\xE2';
            *o++ = '\x82';
            *o++ = '\x82';
        } else {  // Latin-1
            *o++ = static_cast<char>(0xC0 | (b >> 6));
            *o++ = static_cast<char>(0x80 | (b & 0x3F));
        }
    }
    *o++ = '\0';
    text_used_ += static_cast<std::size_t>(o - out);
    return out;
}

void ContinuousDecoder::set_fields(const AnalyserState &analyser) noexcept {
    // fields_ holds the ids (constructor): only the values change.
    const uint32_t groups = std::min(analyser.cal_group_count, kCalGroupCount);
    fields_[1].number = analyser.cal_group_count;
    for (uint32_t g = 0; g < groups; ++g) {
        fields_[2 + 2 * g].number = analyser.groups[g].calibrating ? 1 : 0;
        fields_[3 + 2 * g].number = analyser.groups[g].gas;
    }
    const bool clock = clock_[0] != '\0';
    frame_.fields = field_ptrs_.data() + (clock ? 0 : 1);
    frame_.field_count = (clock ? 2 : 1) + 2 * groups;
}

void ContinuousDecoder::update_channels(unsigned count, uint32_t named) noexcept {
    // The table is a function of the slots, which names are present and text_ (names and
    // units in reading order): compare those with the last table's instead of strings.
    if (table_valid_ && count == table_count_ && named == table_named_ &&
        text_used_ == table_text_len_ &&
        std::equal(slots_.begin(), slots_.begin() + count, table_slots_.begin()) &&
        std::memcmp(text_.data(), table_text_.data(), text_used_) == 0)
        return;
    table_valid_ = false;
    try {
        channels_.clear();
        for (unsigned i = 0; i < count; ++i)
            channels_.add(readings_[i].channel, readings_[i].name, kind_tag(slots_[i]->kind),
                          readings_[i].unit);
    } catch (...) {  // out of memory (a name wider than the table was sized for)
        channels_.clear();
        return;
    }
    table_valid_ = true;
    table_count_ = count;
    table_named_ = named;
    table_slots_ = slots_;
    table_text_len_ = text_used_;
    std::memcpy(table_text_.data(), text_.data(), text_used_);
}

inline void ContinuousDecoder::read_block(unsigned i, const ChannelSlot &slot) noexcept {
    // The block's fields, all read before anything is written (a char store may alias sep_).
    std::array<std::string_view, kBlockFields> b;
    for (std::size_t k = 0; k < kBlockFields; ++k)
        b[k] = field(kHeaderFields + kBlockFields * i + k);
    slots_[i] = &slot;
    anyserial_reading_t &r = readings_[i];  // the other members stay as the constructor set
    r.channel = slot.id.data();             // a NUL-terminated literal
    const std::string_view name = trim(b[1]);
    r.name = has_name(name) ? keep_display(name) : nullptr;
    double v = 0.0;
    const bool number = parse_value(trim(b[2]), v);
    r.value_type = number ? ANYSERIAL_VALUE_NUMBER : ANYSERIAL_VALUE_ABSENT;
    r.number = number ? v : 0.0;
    // As parse_unit(): a known unit's canonical text, else the trimmed text. Copied
    // either way: text_ then describes the channel table (update_channels).
    const std::string_view unit = trim(b[3]), known = known_unit(unit);
    r.unit = keep(known.empty() ? unit : known);
    // The letters mean what they say for every kind: the Modbus map's per-kind
    // exceptions (E bits 1-3 reserved, D bits copied) do not apply here.
    r.flags = continuous_status(b[4], b[5], b[6], b[7]);
}

ContinuousEvent ContinuousDecoder::build(unsigned blocks, unsigned sent,
                                         unsigned computed) noexcept {
    AnalyserState analyser;
    const std::string_view fm = field(2), autocal = field(3);
    analyser.fault = !fm.empty() && fm[0] == 'F';
    analyser.maintenance = fm.size() > 1 && fm[1] == 'M';
    if (!parse_autocal(autocal, analyser))
        return bad("autocal field '%.*s' is not up to 4 cal-groups of 2 characters",
                   static_cast<int>(autocal.size()), autocal.data());
    const std::string_view date = trim(field(0)), time = trim(field(1));
    clock_[0] = '\0';
    if (real_clock(date, time)) {  // "DD-MM-YY HH:MM:SS"
        std::memcpy(clock_, date.data(), 8);
        clock_[8] = ' ';
        std::memcpy(clock_ + 9, time.data(), 8);
        clock_[17] = '\0';
    }

    text_used_ = 0;
    unsigned seen = 0;
    uint32_t named = 0;
    for (unsigned i = 0; i < blocks; ++i) {
        const std::string_view id = field(kHeaderFields + kBlockFields * i);
        const ChannelSlot *slot = slot_of(id);
        if (slot == nullptr)
            return bad("unknown channel id '%.*s' in block %u", static_cast<int>(id.size()),
                       id.data(), i + 1);
        if (seen & (1u << slot->index)) return bad("channel %s appears twice", slot->id.data());
        seen |= 1u << slot->index;
        read_block(i, *slot);
        named |= readings_[i].name != nullptr ? 1u << i : 0u;
    }
    frame_ = sdk::init_struct<anyserial_frame_t>();
    frame_.device_flags = device_flags(analyser);
    frame_.has_checksum = true;
    frame_.checksum = sent;
    frame_.checksum_ok = sent == computed;
    frame_.raw = line_.data();
    frame_.raw_len = static_cast<uint32_t>(len_);
    frame_.reading_count = blocks;
    frame_.readings = blocks == 0 ? nullptr : reading_ptrs_.data();
    set_fields(analyser);

    ContinuousEvent e;
    if (!frame_.checksum_ok) {
        bad_reason_ = ANYSERIAL_BAD_FRAME_CHECKSUM;
        e = bad("checksum mismatch: frame says %04X, computed %04X", sent, computed);
    } else {
        e.type = ContinuousEventType::frame;
        e.raw = {line_.data(), len_};
        update_channels(blocks, named);  // a checksum-valid frame sets the table
    }
    e.frame = &frame_;
    return e;
}

}  // namespace anyserial::servomex

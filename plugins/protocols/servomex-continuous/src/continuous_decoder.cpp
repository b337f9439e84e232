#include "anyserial/servomex/continuous_decoder.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <utility>

#include "anyserial/servomex/charset.hpp"
#include "anyserial/servomex/status.hpp"
#include "anyserial/servomex/units.hpp"

namespace anyserial::servomex {

namespace {

constexpr std::size_t kHeaderFields = 5;
constexpr std::size_t kBlockFields = 8;
constexpr std::size_t kMaxFields = kHeaderFields + kBlockFields * kSlotCount + 1;

bool active(std::string_view field, std::size_t i) {
    return i < field.size() && field[i] != ' ';
}

int parse_hex4(std::string_view s) {
    if (s.size() != 4) return -1;
    int v = 0;
    for (char c : s) {
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    return v;
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
    std::size_t i = 0;
    const bool negative = !t.empty() && t[0] == '-';
    if (negative) ++i;
    uint64_t m = 0;
    unsigned digits = 0, frac = 0;
    const std::size_t int_start = i;
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, ++digits)
        m = m * 10 + static_cast<unsigned>(t[i] - '0');
    if (i == int_start) return false;
    if (i < t.size() && t[i] == '.') {
        const std::size_t frac_start = ++i;
        for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, ++digits)
            m = m * 10 + static_cast<unsigned>(t[i] - '0');
        frac = static_cast<unsigned>(i - frac_start);
        if (frac == 0) return false;
    }
    if (i != t.size() || digits > 15) return false;
    const double x = static_cast<double>(m) / kPow10[frac];
    v = negative ? -x : x;
    return true;
}

// A value field: a number, optionally with a leading '+' (liberal, as the reference);
// anything else is over-range/invalid.
bool parse_value(std::string_view text, double &v) {
    if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+')
        text.remove_prefix(1);
    if (text.empty()) return false;
    if (parse_plain_decimal(text, v)) return true;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    return ec == std::errc() && end == text.data() + text.size() && std::isfinite(v);
}

// trim_field(), inline: blanks are spaces and NULs.
std::string_view trim(std::string_view f) noexcept {
    std::size_t b = 0, e = f.size();
    while (b < e && (f[b] == ' ' || f[b] == '\0'))
        ++b;
    while (e > b && (f[e - 1] == ' ' || f[e - 1] == '\0'))
        --e;
    return f.substr(b, e - b);
}

// parse_unit(), inline: the literal of a known unit (case-insensitive), else nullptr.
const char *known_unit(std::string_view t) noexcept {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    auto is = [&](std::string_view want) {
        for (std::size_t i = 0; i < want.size(); ++i)
            if (lower(t[i]) != lower(want[i])) return false;
        return true;
    };
    if (t.size() == 1) return t[0] == '%' ? "%" : nullptr;
    if (t.size() == 2) return is("mA") ? "mA" : nullptr;
    if (t.size() == 3) return is("vpm") ? "vpm" : is("ppm") ? "ppm" : nullptr;
    return nullptr;
}

// find_slot() with a direct guess from the id's shape first.
const ChannelSlot *slot_of(std::string_view id) noexcept {
    if (id.size() == 2 && id[1] >= '1' && id[1] <= '4') {
        const int d = id[1] - '1';
        const int guess = id[0] == 'I' ? d : id[0] == 'D' ? 4 + d : id[0] == 'E' ? 8 + d : -1;
        if (guess >= 0 && guess < static_cast<int>(kSlotCount) && kSlots[guess].id == id)
            return &kSlots[guess];
    }
    return find_slot(id);
}

// One pass over the body: the byte sum (for the checksum) and the offset of every ';'
// (up to `cap` of them; the return value counts all), eight bytes at a time.
std::size_t split_and_sum(std::string_view body, uint16_t *semis, std::size_t cap,
                          unsigned &sum) noexcept {
    constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL, kBytes = 0x00FF00FF00FF00FFULL;
    constexpr uint64_t kSemis = 0x3B3B3B3B3B3B3B3BULL;  // ';'
    std::size_t count = 0, i = 0;
    uint64_t total = 0;
    const std::size_t n = body.size();
    while (i + 8 <= n) {
        // Lanes of 16 bits: at most 512 words of 2 * 255 each, below 2^18; summed at the end
        // in 64-bit lanes, so flush before a lane can overflow (every 128 words).
        uint64_t lanes = 0;
        const std::size_t stop = std::min(n - n % 8, i + 8 * 128);
        for (; i < stop; i += 8) {
            uint64_t w;
            std::memcpy(&w, body.data() + i, 8);
            lanes += (w & kBytes) + ((w >> 8) & kBytes);
            // Exact zero-byte test of w ^ ';' (no false positives).
            const uint64_t x = w ^ kSemis;
            uint64_t hit = ~(((x & kLow7) + kLow7) | x | kLow7);
            while (hit != 0) {
                const auto at = static_cast<std::size_t>(__builtin_ctzll(hit) / 8);
                if (count < cap) semis[count] = static_cast<uint16_t>(i + at);
                ++count;
                hit &= hit - 1;
            }
        }
        total +=
            (lanes & 0xFFFF) + ((lanes >> 16) & 0xFFFF) + ((lanes >> 32) & 0xFFFF) + (lanes >> 48);
    }
    for (; i < n; ++i) {
        total += static_cast<uint8_t>(body[i]);
        if (body[i] == ';') {
            if (count < cap) semis[count] = static_cast<uint16_t>(i);
            ++count;
        }
    }
    sum = static_cast<unsigned>(total);
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

ContinuousEvent ContinuousDecoder::parse_line() noexcept {
    if (len_ == 0) return {};
    const std::string_view line(reinterpret_cast<const char *>(line_.data()), len_);
    if (line[0] != ' ') return bad("frame does not start with a space");
    const std::string_view body = line.substr(1);
    if (body.empty() || body.back() != ';') return bad("frame does not end with ';'");

    uint16_t semis[kMaxFields];
    unsigned sum = 0;
    const std::size_t count = split_and_sum(body, semis, kMaxFields, sum);
    if (count > kMaxFields) return bad("more than %zu fields", kMaxFields);
    static_assert(kMaxFields == std::tuple_size_v<decltype(fields_text_)>);
    std::array<std::string_view, kMaxFields> &f = fields_text_;
    for (std::size_t i = 0, start = 0; i < count; start = semis[i] + 1u, ++i)
        f[i] = std::string_view(body.data() + start, semis[i] - start);
    if (count < kHeaderFields + 1) return bad("only %zu fields, a header needs 5", count);
    // N: two digits on the wire; one digit and 00 (no channel blocks) are accepted too.
    const std::string_view n_text = trim_field(f[4]);
    unsigned blocks = 0;
    if (n_text.empty() || n_text.size() > 2 ||
        std::from_chars(n_text.data(), n_text.data() + n_text.size(), blocks).ptr !=
            n_text.data() + n_text.size())
        return bad("channel count '%.*s' is not 1 or 2 digits", static_cast<int>(f[4].size()),
                   f[4].data());
    if (blocks > kSlotCount)
        return bad("channel count %u out of range 0..%u", blocks, unsigned{kSlotCount});
    const std::size_t want = kHeaderFields + kBlockFields * blocks + 1;
    if (count != want) return bad("%zu fields, expected %zu for %u channels", count, want, blocks);

    const std::string_view check_text = f[count - 1];
    const int sent = parse_hex4(check_text);
    if (sent < 0)
        return bad("checksum '%.*s' is not 4 hex digits", static_cast<int>(check_text.size()),
                   check_text.data());
    // The checksum covers the body up to the ';' before it.
    unsigned check_sum = ';';
    for (char c : check_text)
        check_sum += static_cast<uint8_t>(c);
    return build(std::span(f).first(count), blocks, (sum - check_sum) & 0xFFFFu);
}

const char *ContinuousDecoder::keep(std::string_view s, bool display) noexcept {
    char *const out = text_.data() + text_used_;
    char *o = out;
    for (char c : s) {
        const auto b = static_cast<uint8_t>(c);
        if (!display || b < 0x80) {
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

anyserial_field_t &ContinuousDecoder::add_field(const char *id, uint32_t type) noexcept {
    anyserial_field_t &fd = fields_[frame_.field_count++];
    fd = sdk::init_struct<anyserial_field_t>();
    fd.id = id;
    fd.value_type = type;
    return fd;
}

void ContinuousDecoder::add_fields(const AnalyserState &analyser) noexcept {
    // The fields of add_status_fields(), in its order, with static ids.
    if (clock_[0] != '\0') add_field("clock", ANYSERIAL_VALUE_TEXT).text = clock_;
    add_field("cal_group_count", ANYSERIAL_VALUE_INTEGER).number = analyser.cal_group_count;
    for (uint32_t g = 1; g <= analyser.cal_group_count && g <= kCalGroupCount; ++g) {
        add_field(cal_group_calibrating_id(g), ANYSERIAL_VALUE_INTEGER).number =
            analyser.groups[g - 1].calibrating ? 1 : 0;
        add_field(cal_group_gas_id(g), ANYSERIAL_VALUE_INTEGER).number = analyser.groups[g - 1].gas;
    }
    for (uint32_t i = 0; i < frame_.field_count; ++i)
        field_ptrs_[i] = &fields_[i];
    frame_.fields = field_ptrs_.data();
}

void ContinuousDecoder::update_channels(unsigned count) noexcept {
    // The table is a function of the slots, which names are present and text_ (names and
    // units in reading order): compare those with the last table's instead of strings.
    uint32_t named = 0;
    for (unsigned i = 0; i < count; ++i)
        named |= readings_[i].name != nullptr ? 1u << i : 0u;
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

ContinuousEvent ContinuousDecoder::build(std::span<const std::string_view> f, unsigned blocks,
                                         unsigned computed) noexcept {
    const int sent = parse_hex4(f.back());

    AnalyserState analyser;
    analyser.fault = active(f[2], 0) && f[2][0] == 'F';
    analyser.maintenance = active(f[2], 1) && f[2][1] == 'M';
    if (!parse_autocal(f[3], analyser))
        return bad("autocal field '%.*s' is not up to 4 cal-groups of 2 characters",
                   static_cast<int>(f[3].size()), f[3].data());
    const std::string_view date = trim(f[0]), time = trim(f[1]);
    clock_[0] = '\0';
    if (real_clock(date, time)) {  // "DD-MM-YY HH:MM:SS"
        std::memcpy(clock_, date.data(), 8);
        clock_[8] = ' ';
        std::memcpy(clock_ + 9, time.data(), 8);
        clock_[17] = '\0';
    }

    frame_ = sdk::init_struct<anyserial_frame_t>();
    text_used_ = 0;
    unsigned seen = 0;
    for (unsigned i = 0; i < blocks; ++i) {
        const std::string_view *b = &f[kHeaderFields + kBlockFields * i];
        const ChannelSlot *slot = slot_of(b[0]);
        if (slot == nullptr)
            return bad("unknown channel id '%.*s' in block %u", static_cast<int>(b[0].size()),
                       b[0].data(), i + 1);
        if (seen & (1u << slot->index)) return bad("channel %s appears twice", slot->id.data());
        seen |= 1u << slot->index;

        slots_[i] = slot;
        anyserial_reading_t &r = readings_[i];
        r = sdk::init_struct<anyserial_reading_t>();
        r.value_type = ANYSERIAL_VALUE_ABSENT;
        r.channel = slot->id.data();  // a NUL-terminated literal
        const std::string_view name = trim(b[1]);
        if (!name.empty() && name.find_first_not_of('|') != std::string_view::npos)
            r.name = keep(name, true);
        double v = 0.0;
        if (parse_value(trim(b[2]), v)) {
            r.value_type = ANYSERIAL_VALUE_NUMBER;
            r.number = v;
        }
        // As parse_unit(): a known unit's canonical text, else the trimmed text. Copied
        // either way: text_ then describes the channel table (update_channels).
        const std::string_view unit_raw = trim(b[3]);
        const char *known = known_unit(unit_raw);
        r.unit = keep(known != nullptr ? std::string_view(known) : unit_raw, false);
        // The letters mean what they say for every kind: the Modbus map's per-kind
        // exceptions (E bits 1-3 reserved, D bits copied) do not apply here.
        r.flags = continuous_status(b[4], b[5], b[6], b[7]);
        reading_ptrs_[i] = &r;
    }
    frame_.struct_size = sizeof(anyserial_frame_t);
    frame_.device_flags = device_flags(analyser);
    frame_.has_checksum = true;
    frame_.checksum = static_cast<uint32_t>(sent);
    frame_.checksum_ok = static_cast<unsigned>(sent) == computed;
    frame_.raw = line_.data();
    frame_.raw_len = static_cast<uint32_t>(len_);
    frame_.reading_count = blocks;
    frame_.readings = blocks == 0 ? nullptr : reading_ptrs_.data();
    add_fields(analyser);

    ContinuousEvent e;
    if (!frame_.checksum_ok) {
        bad_reason_ = ANYSERIAL_BAD_FRAME_CHECKSUM;
        e = bad("checksum mismatch: frame says %04X, computed %04X", static_cast<unsigned>(sent),
                computed);
    } else {
        e.type = ContinuousEventType::frame;
        e.raw = {line_.data(), len_};
        update_channels(blocks);  // a checksum-valid frame sets the table
    }
    e.frame = &frame_;
    return e;
}

}  // namespace anyserial::servomex

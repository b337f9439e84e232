#include "anyserial/servomex/continuous_decoder.hpp"

#include <charconv>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <utility>

#include "anyserial/servomex/charset.hpp"
#include "anyserial/servomex/status.hpp"
#include "anyserial/servomex/units.hpp"

namespace anyserial::servomex {

namespace {

constexpr std::size_t kHeaderFields = 5;
constexpr std::size_t kBlockFields = 8;
constexpr std::size_t kMaxFields = kHeaderFields + kBlockFields * kSlotCount + 1;

std::span<const uint8_t> bytes_of(std::string_view s) {
    return {reinterpret_cast<const uint8_t *>(s.data()), s.size()};
}

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

// A value field: a number, optionally with a leading '+' (liberal, as the reference);
// anything else is over-range/invalid.
bool parse_value(std::string_view text, double &v) {
    if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+')
        text.remove_prefix(1);
    if (text.empty()) return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    return ec == std::errc() && end == text.data() + text.size() && std::isfinite(v);
}

}  // namespace

ContinuousDecoder::ContinuousDecoder() {
    // Size every buffer for a full frame now, so decoding never allocates (a name or unit
    // beyond 64 bytes would, once).
    const std::string wide(64, ' ');
    name_.reserve(3 * 64);
    for (const ChannelSlot &slot : kSlots) {
        frame_.add_reading(wide);
        (void)frame_.text(wide);
        (void)frame_.text(wide);
        channels_.add(wide, wide.c_str(), wide, wide);
        pending_.add(wide, wide.c_str(), wide, wide);
        (void)slot;
    }
    for (int i = 0; i < 12; ++i)
        frame_.fields().add_text(wide, wide);
    (void)frame_.frame();
    frame_.clear();
    channels_.clear();
    pending_.clear();
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
    std::size_t used = 0;
    while (used < data.size()) {
        const uint8_t b = data[used++];
        if (b == '\n') {
            if (discarding_) {
                discarding_ = false;
                len_ = 0;
                continue;
            }
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
        if (discarding_) continue;
        if (len_ == line_.size()) {
            ContinuousEvent e = bad("line longer than %zu bytes without a terminator", kMaxLine);
            discarding_ = true;
            clear_on_feed_ = true;
            e.consumed = used - 1;  // this byte belongs to the rest of the long line
            return e;
        }
        line_[len_++] = b;
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

    std::array<std::string_view, kMaxFields> f{};
    std::size_t count = 0;
    for (std::size_t start = 0; start < body.size();) {
        const std::size_t semi = body.find(';', start);
        if (count == kMaxFields) return bad("more than %zu fields", kMaxFields);
        f[count++] = body.substr(start, semi - start);
        start = semi + 1;
    }
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
    return build(std::span(f).first(count), blocks);
}

ContinuousEvent ContinuousDecoder::build(std::span<const std::string_view> f,
                                         unsigned blocks) noexcept {
    const std::string_view check_text = f.back();
    const int sent = parse_hex4(check_text);
    const std::string_view body(reinterpret_cast<const char *>(line_.data()) + 1, len_ - 1);
    unsigned computed = 0;
    for (uint8_t b : bytes_of(body.substr(0, body.size() - check_text.size() - 1)))
        computed += b;
    computed &= 0xFFFFu;

    AnalyserState analyser;
    analyser.fault = active(f[2], 0) && f[2][0] == 'F';
    analyser.maintenance = active(f[2], 1) && f[2][1] == 'M';
    if (!parse_autocal(f[3], analyser))
        return bad("autocal field '%.*s' is not up to 4 cal-groups of 2 characters",
                   static_cast<int>(f[3].size()), f[3].data());
    const std::string_view date = trim_field(f[0]), time = trim_field(f[1]);
    clock_[0] = '\0';
    if (real_clock(date, time))
        std::snprintf(clock_, sizeof clock_, "%.8s %.8s", date.data(), time.data());

    try {
        frame_.clear();
        pending_.clear();
        unsigned seen = 0;
        for (unsigned i = 0; i < blocks; ++i) {
            const std::string_view *b = &f[kHeaderFields + kBlockFields * i];
            const ChannelSlot *slot = find_slot(b[0]);
            if (slot == nullptr)
                return bad("unknown channel id '%.*s' in block %u", static_cast<int>(b[0].size()),
                           b[0].data(), i + 1);
            if (seen & (1u << slot->index)) return bad("channel %s appears twice", slot->id.data());
            seen |= 1u << slot->index;

            anyserial_reading_t &r = frame_.add_reading(slot->id);
            const std::string_view name = trim_field(b[1]);
            if (!name.empty() && name.find_first_not_of('|') != std::string_view::npos) {
                name_.clear();
                append_display_text(name_, bytes_of(name));
                r.name = frame_.text(name_);
            }
            double v = 0.0;
            if (parse_value(trim_field(b[2]), v)) {
                r.value_type = ANYSERIAL_VALUE_NUMBER;
                r.number = v;
            }
            r.unit = frame_.text(parse_unit(b[3]).text);
            // The letters mean what they say for every kind: the Modbus map's per-kind
            // exceptions (E bits 1-3 reserved, D bits copied) do not apply here.
            r.flags = continuous_status(b[4], b[5], b[6], b[7]);
            pending_.add(slot->id, r.name, kind_tag(slot->kind), r.unit);
        }
        anyserial_frame_t &h = frame_.header();
        h.device_flags = device_flags(analyser);
        h.has_checksum = true;
        h.checksum = static_cast<uint32_t>(sent);
        h.checksum_ok = static_cast<unsigned>(sent) == computed;
        h.raw = line_.data();
        h.raw_len = static_cast<uint32_t>(len_);
        if (clock_[0] != '\0') frame_.fields().add_text("clock", clock_);
        add_status_fields(frame_.fields(), analyser);
    } catch (...) {  // out of memory: this line is lost, the decoder goes on
        return bad("out of memory while decoding a frame");
    }

    const anyserial_frame_t &frame = frame_.frame();
    ContinuousEvent e;
    if (!frame.checksum_ok) {
        bad_reason_ = ANYSERIAL_BAD_FRAME_CHECKSUM;
        e = bad("checksum mismatch: frame says %04X, computed %04X", static_cast<unsigned>(sent),
                computed);
    } else {
        e.type = ContinuousEventType::frame;
        e.raw = {line_.data(), len_};
        std::swap(channels_, pending_);  // a checksum-valid frame sets the table
    }
    e.frame = &frame;
    return e;
}

}  // namespace anyserial::servomex

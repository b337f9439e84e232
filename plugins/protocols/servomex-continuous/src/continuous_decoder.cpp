#include "anyserial/servomex/continuous_decoder.hpp"

#include <charconv>
#include <cmath>
#include <cstdarg>
#include <cstdio>

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

}  // namespace

ContinuousDecoder::ContinuousDecoder() {
    for (std::size_t i = 0; i < kSlotCount; ++i) {
        names_[i].reserve(3 * 64);
        units_[i].reserve(64);
    }
    clock_.reserve(64);
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
    const std::string_view n_text = f[4];
    unsigned blocks = 0;
    if (n_text.size() != 2 ||
        std::from_chars(n_text.data(), n_text.data() + 2, blocks).ptr != n_text.data() + 2)
        return bad("channel count '%.*s' is not 2 digits", static_cast<int>(n_text.size()),
                   n_text.data());
    if (blocks == 0 || blocks > kSlotCount)
        return bad("channel count %u out of range 1..%u", blocks, unsigned{kSlotCount});
    const std::size_t want = kHeaderFields + kBlockFields * blocks + 1;
    if (count != want) return bad("%zu fields, expected %zu for %u channels", count, want, blocks);

    const std::string_view check_text = f[count - 1];
    const int sent = parse_hex4(check_text);
    if (sent < 0)
        return bad("checksum '%.*s' is not 4 hex digits", static_cast<int>(check_text.size()),
                   check_text.data());
    unsigned computed = 0;
    for (uint8_t b : bytes_of(body.substr(0, body.size() - check_text.size() - 1)))
        computed += b;
    computed &= 0xFFFFu;

    anyserial_analyser_status_t analyser = idle_analyser_status();
    analyser.fault = active(f[2], 0) && f[2][0] == 'F';
    analyser.maintenance = active(f[2], 1) && f[2][1] == 'M';
    if (!parse_autocal(f[3], analyser))
        return bad("autocal field '%.*s' is not 8 characters", static_cast<int>(f[3].size()),
                   f[3].data());
    const std::string_view date = trim_field(f[0]), time = trim_field(f[1]);
    clock_.clear();
    if (!date.empty() || !time.empty()) {
        clock_.append(date);
        if (!date.empty() && !time.empty()) clock_.push_back(' ');
        clock_.append(time);
    }
    analyser.clock = clock_.empty() ? nullptr : clock_.c_str();

    unsigned seen = 0;
    for (unsigned i = 0; i < blocks; ++i) {
        const std::string_view *b = &f[kHeaderFields + kBlockFields * i];
        const ChannelSlot *slot = find_slot(b[0]);
        if (slot == nullptr)
            return bad("unknown channel id '%.*s' in block %u", static_cast<int>(b[0].size()),
                       b[0].data(), i + 1);
        if (seen & (1u << slot->index)) return bad("channel %s appears twice", slot->id.data());
        seen |= 1u << slot->index;

        anyserial_reading_t &r = readings_[i];
        r = anyserial_reading_t{};
        r.struct_size = sizeof r;
        r.channel = slot->id.data();
        r.kind = static_cast<uint32_t>(slot->kind);

        const std::string_view name = trim_field(b[1]);
        names_[i].clear();
        if (!name.empty() && name.find_first_not_of('|') != std::string_view::npos) {
            append_display_text(names_[i], bytes_of(name));
            r.name = names_[i].c_str();
        }
        const std::string_view value = trim_field(b[2]);
        double v = 0.0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
        r.has_value = !value.empty() && ec == std::errc() && end == value.data() + value.size() &&
                      std::isfinite(v);
        r.value = r.has_value ? v : 0.0;
        const ParsedUnit unit = parse_unit(b[3]);
        units_[i].assign(unit.text);
        r.unit_kind = unit.kind;
        r.unit = units_[i].c_str();

        unsigned bits = 0;
        for (std::size_t k = 0; k < 4; ++k)
            if (active(b[4], k)) bits |= 1u << (kBitAlarm1 + k);
        if (active(b[5], 0)) bits |= 1u << kBitFault;
        if (active(b[5], 1)) bits |= 1u << kBitMaintenance;
        if (active(b[6], 0)) bits |= 1u << kBitCalibration;
        if (active(b[7], 0)) bits |= 1u << kBitWarmingUp;
        r.status = decode_channel_status(slot->kind, static_cast<uint8_t>(bits));
    }

    frame_ = anyserial_frame_t{};
    frame_.struct_size = sizeof frame_;
    frame_.reading_count = blocks;
    frame_.readings = readings_.data();
    frame_.has_analyser = true;
    frame_.analyser = analyser;
    frame_.has_checksum = true;
    frame_.checksum = static_cast<uint32_t>(sent);
    frame_.checksum_ok = static_cast<unsigned>(sent) == computed;
    frame_.raw = line_.data();
    frame_.raw_len = static_cast<uint32_t>(len_);

    ContinuousEvent e;
    if (!frame_.checksum_ok) {
        e = bad("checksum mismatch: frame says %04X, computed %04X", static_cast<unsigned>(sent),
                computed);
    } else {
        e.type = ContinuousEventType::frame;
        e.raw = {line_.data(), len_};
    }
    e.frame = &frame_;
    return e;
}

}  // namespace anyserial::servomex

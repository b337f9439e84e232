// Continuous ASCII mode: incremental frame decoder. Bytes arrive in arbitrary pieces;
// every terminator (LF, optionally preceded by CR) ends a line, and each non-empty line
// is one frame: SP header(5 fields) block(8 fields){N} checksum ';'. Malformed lines and
// checksum mismatches are reported with the reason and raw bytes; decoding resumes with
// the next line. Lines are capped so garbage cannot grow memory.
#pragma once

#include <anyserial/sdk/protocol.h>

#include <anyserial/sdk/cpp/frame.hpp>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "anyserial/servomex/registry.hpp"
#include "anyserial/servomex/status.hpp"

namespace anyserial::servomex {

enum class ContinuousEventType : uint8_t { need_more, frame, bad_frame };

struct ContinuousEvent {
    ContinuousEventType type = ContinuousEventType::need_more;
    std::size_t consumed = 0;  // bytes of this feed() call used
    // frame: the decoded frame; bad_frame: the decoded frame when only the checksum was
    // wrong (checksum_ok false), else nullptr
    const anyserial_frame_t *frame = nullptr;
    const char *reason = nullptr;  // bad_frame
    uint32_t bad_reason = 0;       // bad_frame: ANYSERIAL_BAD_FRAME_* (CHECKSUM or STRUCTURE)
    std::span<const uint8_t> raw;  // the line (start space .. checksum ';')
};

class ContinuousDecoder {
  public:
    static constexpr std::size_t kMaxLine = 4096;

    ContinuousDecoder();
    ContinuousDecoder(const ContinuousDecoder &) = delete;
    ContinuousDecoder &operator=(const ContinuousDecoder &) = delete;

    // Consume bytes until one event or the end of data. Pointers in the event stay valid
    // until the next feed() or reset(). Never allocates: the frame's storage is fixed and
    // reused (the channel table is sized up front).
    ContinuousEvent feed(std::span<const uint8_t> data) noexcept;
    // The channel table of the last checksum-valid frame.
    const sdk::ChannelTable &channels() const noexcept { return channels_; }
    // Forget a partial line.
    void reset() noexcept;

  private:
    static constexpr std::size_t kHeaderFields = 5, kBlockFields = 8;
    static constexpr std::size_t kMaxFields = kHeaderFields + kBlockFields * kSlotCount + 1;
    // The whole line is scanned 16 bytes at a time: the buffer has room for the last load.
    static constexpr std::size_t kScanPad = 16;
    // clock, cal_group_count, two per cal-group
    static constexpr std::size_t kMaxFrameFields = 2 + 2 * kCalGroupCount;

    // Parse line_[0..len_); returns need_more for an empty line.
    ContinuousEvent parse_line() noexcept;
    // Field k of the line's body (between the k-th and (k+1)-th ';'), from sep_.
    std::string_view field(std::size_t k) const noexcept;
    // computed: the checksum the body adds up to; sent: the frame's.
    ContinuousEvent build(unsigned blocks, unsigned sent, unsigned computed) noexcept;
    // Block i's name, value, unit and status into readings_[i].
    [[gnu::always_inline]] void read_block(unsigned i, const ChannelSlot &slot) noexcept;
    ContinuousEvent bad(const char *fmt, ...) noexcept __attribute__((format(printf, 2, 3)));
    // A NUL-terminated copy of s in text_; keep_display: the display text of the ROM bytes.
    [[gnu::always_inline]] const char *keep(std::string_view s) noexcept;
    [[gnu::always_inline]] const char *keep_display(std::string_view s) noexcept;
    // frame_'s fields: the clock (when real) and the cal-group status.
    void set_fields(const AnalyserState &analyser) noexcept;
    // After a checksum-valid frame: the channel table, rebuilt only when it changed.
    void update_channels(unsigned count, uint32_t named) noexcept;

    // The line being assembled: bytes are copied here with one memcpy per piece (the
    // event's raw bytes must outlive the caller's buffer until the next feed()).
    std::array<uint8_t, kMaxLine + kScanPad> line_{};
    std::size_t len_ = 0;
    // sep_[k + 1]: the body offset of its k-th ';'; sep_[0] = 0xFFFF, so that field k
    // starts at sep_[k] + 1 (mod 2^16). Room for one 16-byte block beyond kMaxFields.
    std::array<uint16_t, 1 + kMaxFields + kScanPad> sep_{};
    bool discarding_ = false;  // inside an over-long line: skip to the terminator
    bool clear_on_feed_ = false;

    // The frame handed out: fixed storage sized for the largest frame, reused for every
    // frame, so decoding never allocates. Ids point at static strings; names and units at
    // text_ (a display name is at most 3 bytes per line byte). Readings and fields are
    // initialised once: a frame writes only what it decodes.
    anyserial_frame_t frame_{};
    std::array<anyserial_reading_t, kSlotCount> readings_{};
    std::array<const anyserial_reading_t *, kSlotCount> reading_ptrs_{};
    std::array<const ChannelSlot *, kSlotCount> slots_{};
    std::array<anyserial_field_t, kMaxFrameFields> fields_{};
    std::array<const anyserial_field_t *, kMaxFrameFields> field_ptrs_{};
    std::array<char, 3 * kMaxLine + 2 * kSlotCount> text_{};
    std::size_t text_used_ = 0;

    sdk::ChannelTable channels_;  // the last good frame's
    // What channels_ was built from (update_channels skips an unchanged table).
    bool table_valid_ = false;
    unsigned table_count_ = 0;
    uint32_t table_named_ = 0;
    std::array<const ChannelSlot *, kSlotCount> table_slots_{};
    std::array<char, 3 * kMaxLine + 2 * kSlotCount> table_text_{};
    std::size_t table_text_len_ = 0;
    char clock_[20] = {};
    uint32_t bad_reason_ = ANYSERIAL_BAD_FRAME_STRUCTURE;  // of the next bad()
    char reason_[192] = {};
};

}  // namespace anyserial::servomex

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
    // until the next feed() or reset(). Allocation-free once the first frames have sized
    // the builders (the frame's storage is reused).
    ContinuousEvent feed(std::span<const uint8_t> data) noexcept;
    // The channel table of the last checksum-valid frame.
    const sdk::ChannelTable &channels() const noexcept { return channels_; }
    // Forget a partial line.
    void reset() noexcept;

  private:
    // Parse line_[0..len_); returns need_more for an empty line.
    ContinuousEvent parse_line() noexcept;
    ContinuousEvent build(std::span<const std::string_view> f, unsigned blocks) noexcept;
    ContinuousEvent bad(const char *fmt, ...) noexcept __attribute__((format(printf, 2, 3)));

    std::array<uint8_t, kMaxLine> line_{};
    std::size_t len_ = 0;
    bool discarding_ = false;  // inside an over-long line: skip to the terminator
    bool clear_on_feed_ = false;

    sdk::FrameBuilder frame_;
    sdk::ChannelTable channels_, pending_;  // the last good frame's; the one being built
    std::string name_;                      // scratch for display text
    char clock_[20] = {};
    uint32_t bad_reason_ = ANYSERIAL_BAD_FRAME_STRUCTURE;  // of the next bad()
    char reason_[192] = {};
};

}  // namespace anyserial::servomex

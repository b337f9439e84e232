// anyserial — offline/streaming decoder over a broadcast protocol plugin (the continuous
// mode): bytes in arbitrary pieces in, one DecodedFrame per frame or bad frame out.
// Used by `anyserial decode` and by the Analyzer's broadcast receive loop.
#pragma once

#include <anyserial/sdk/protocol.h>

#include <anyserial/device/models.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace anyserial {
class LoadedProtocol;
}

namespace anyserial::device {
namespace detail {
class ProtocolSession;
}

struct DecodedFrame {
    bool ok = false;             // well-formed with a valid checksum
    std::string error;           // why not, when !ok
    std::optional<Frame> frame;  // decoded readings (also for a bad checksum when decodable)
    std::vector<std::uint8_t> raw;
};

class FrameDecoder {
  public:
    // options nullptr = the plugin's defaults. Throws when the plugin cannot create a session.
    explicit FrameDecoder(const LoadedProtocol &protocol,
                          const anyserial_protocol_options_t *options = nullptr);
    ~FrameDecoder();
    FrameDecoder(FrameDecoder &&) noexcept;
    FrameDecoder &operator=(FrameDecoder &&) noexcept;

    // Feeds every byte; calls on_frame once per FRAME or BAD_FRAME event, in order.
    void feed(std::span<const std::uint8_t> bytes,
              const std::function<void(DecodedFrame &&)> &on_frame);
    // Forget a partial frame.
    void reset();

    ProtocolKind protocol() const noexcept { return kind_; }
    std::uint64_t frames() const noexcept { return frames_; }
    std::uint64_t dropped() const noexcept { return dropped_; }

  private:
    std::unique_ptr<detail::ProtocolSession> session_;
    ProtocolKind kind_ = ProtocolKind::continuous;
    std::uint64_t frames_ = 0;
    std::uint64_t dropped_ = 0;
};

}  // namespace anyserial::device

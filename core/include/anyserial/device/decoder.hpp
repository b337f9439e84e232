// anyserial — offline/streaming decoder over any broadcast protocol plugin: bytes in
// arbitrary pieces in, one DecodedFrame per frame or bad frame out. Used by
// `anyserial decode`.
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

namespace anyserial::plugin_detail {
class SessionProxy;
}

namespace anyserial::device {

struct DecodedFrame {
    bool ok = false;    // well-formed with a valid checksum
    std::string error;  // why not, when !ok
    // Why not, as the plugin's ANYSERIAL_BAD_FRAME_* code (CHECKSUM for a FRAME whose
    // checksum failed); 0 when ok.
    std::uint32_t bad_frame_reason = 0;
    std::optional<Frame> frame;  // decoded readings (also for a bad checksum when decodable)
    std::vector<std::uint8_t> raw;
};

class FrameDecoder {
  public:
    // options nullptr = the plugin's defaults. Throws DeviceError(validation) for a
    // request/response protocol, PluginError when the plugin cannot create a session.
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

    const std::string &protocol() const noexcept { return protocol_; }  // plugin id
    std::uint64_t frames() const noexcept { return frames_; }
    std::uint64_t dropped() const noexcept { return dropped_; }

  private:
    void emit(const anyserial_protocol_event_t &ev,
              const std::function<void(DecodedFrame &&)> &on_frame);
    std::unique_ptr<plugin_detail::SessionProxy> session_;
    std::string protocol_;
    std::vector<ChannelInfo> channels_;
    std::uint64_t frames_ = 0;
    std::uint64_t dropped_ = 0;
};

}  // namespace anyserial::device

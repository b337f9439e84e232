// anyserial — FrameDecoder: feeds a broadcast protocol session, copies its frames out.
#include <anyserial/device/abi.hpp>
#include <anyserial/device/decoder.hpp>
#include <anyserial/device/errors.hpp>

#include "device/protocol_session.hpp"

namespace anyserial::device {

FrameDecoder::FrameDecoder(const LoadedProtocol &protocol,
                           const anyserial_protocol_options_t *options) {
    anyserial_protocol_options_t o{};
    if (options != nullptr) {
        o = *options;
    } else {
        o.retries = UINT32_MAX;
        o.baudrate = protocol.descriptor().default_serial.baudrate;
    }
    o.struct_size = sizeof o;
    session_ = std::make_unique<detail::ProtocolSession>(protocol, o);
    kind_ = protocol_kind_of(protocol.descriptor());
}

FrameDecoder::~FrameDecoder() = default;
FrameDecoder::FrameDecoder(FrameDecoder &&) noexcept = default;
FrameDecoder &FrameDecoder::operator=(FrameDecoder &&) noexcept = default;

void FrameDecoder::reset() {
    session_->reset_receive();
}

void FrameDecoder::feed(std::span<const std::uint8_t> bytes,
                        const std::function<void(DecodedFrame &&)> &on_frame) {
    while (!bytes.empty()) {
        std::uint32_t consumed = 0;
        anyserial_protocol_event_t ev;
        const std::int32_t st = session_->feed(bytes, consumed, ev);
        if (st < 0)
            throw_device_error(errc::protocol, "protocol plugin " +
                                                   std::string(session_->descriptor().id) +
                                                   " refused input: " + session_->last_error());
        // A plugin that consumes nothing without an event would spin: take it as done.
        if (consumed == 0 && ev.type == ANYSERIAL_EVENT_NEED_MORE) break;
        bytes = bytes.subspan(consumed <= bytes.size() ? consumed : bytes.size());
        if (ev.type != ANYSERIAL_EVENT_FRAME && ev.type != ANYSERIAL_EVENT_BAD_FRAME) continue;

        const auto now = Clock::now();
        DecodedFrame out;
        if (ev.frame != nullptr)
            out.frame = frame_from_abi(*ev.frame, kind_, now, monotonic_now_ns());
        if (ev.raw != nullptr && ev.raw_len > 0) {
            out.raw.assign(ev.raw, ev.raw + ev.raw_len);
        } else if (out.frame) {
            out.raw = out.frame->raw;
        }
        if (ev.type == ANYSERIAL_EVENT_FRAME) {
            const bool bad_sum =
                ev.frame != nullptr && ev.frame->has_checksum && !ev.frame->checksum_ok;
            out.ok = !bad_sum;
            if (bad_sum) out.error = "checksum mismatch";
        } else {
            out.ok = false;
            out.error = ev.reason != nullptr ? ev.reason : "bad frame";
        }
        if (out.ok) {
            ++frames_;
        } else {
            ++dropped_;
        }
        on_frame(std::move(out));
    }
}

}  // namespace anyserial::device

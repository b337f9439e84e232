// anyserial — FrameDecoder: feeds a broadcast protocol session, copies its frames out.
#include <anyserial/device/abi.hpp>
#include <anyserial/device/decoder.hpp>
#include <anyserial/device/errors.hpp>

#include "plugin/session_proxy.hpp"

namespace anyserial::device {

FrameDecoder::FrameDecoder(const LoadedProtocol &protocol,
                           const anyserial_protocol_options_t *options)
    : protocol_(protocol.id()) {
    if (!protocol.model().broadcast)
        throw_device_error(errc::validation,
                           "protocol " + protocol_ +
                               " is request/response: only a broadcast protocol decodes a "
                               "captured stream");
    anyserial_protocol_options_t o{};
    if (options != nullptr) {
        o = *options;
    } else {
        o.retries = UINT32_MAX;
        o.baudrate = protocol.default_serial().baudrate;
    }
    o.struct_size = sizeof o;
    session_ = std::make_unique<plugin_detail::SessionProxy>(protocol, o);
}

FrameDecoder::~FrameDecoder() = default;
FrameDecoder::FrameDecoder(FrameDecoder &&) noexcept = default;
FrameDecoder &FrameDecoder::operator=(FrameDecoder &&) noexcept = default;

void FrameDecoder::reset() {
    session_->reset_receive();
}

void FrameDecoder::emit(const anyserial_protocol_event_t &ev,
                        const std::function<void(DecodedFrame &&)> &on_frame) {
    DecodedFrame out;
    if (ev.frame != nullptr) {
        auto table = session_->channels();
        if (!table.empty()) channels_ = std::move(table);
        AbiContext ctx{protocol_, session_->protocol().flag_table(),
                       channels_.empty() ? nullptr : &channels_, Clock::now(), monotonic_now_ns()};
        out.frame = frame_from_abi(*ev.frame, ctx);
    }
    if (ev.raw != nullptr && ev.raw_len > 0) {
        out.raw.assign(ev.raw, ev.raw + ev.raw_len);
    } else if (out.frame) {
        out.raw = out.frame->raw;
    }
    if (ev.type == ANYSERIAL_EVENT_FRAME) {
        const bool bad_sum = ev.frame->has_checksum && !ev.frame->checksum_ok;
        out.ok = !bad_sum;
        if (bad_sum) {
            out.error = "checksum mismatch";
            out.bad_frame_reason = ANYSERIAL_BAD_FRAME_CHECKSUM;
        }
    } else {
        out.error = ev.reason != nullptr ? ev.reason : "bad frame";
        out.bad_frame_reason = ev.bad_frame_reason;
    }
    ++(out.ok ? frames_ : dropped_);
    on_frame(std::move(out));
}

void FrameDecoder::feed(std::span<const std::uint8_t> bytes,
                        const std::function<void(DecodedFrame &&)> &on_frame) {
    while (!bytes.empty()) {
        std::uint32_t consumed = 0;
        anyserial_protocol_event_t ev;
        const std::int32_t st = session_->feed(bytes, consumed, ev);
        if (st < 0)
            throw_device_error(errc::protocol, "protocol plugin " + protocol_ +
                                                   " refused input: " + session_->last_error());
        // A plugin that consumes nothing without an event would spin: take it as done.
        if (consumed == 0 && ev.type == ANYSERIAL_EVENT_NEED_MORE) break;
        bytes = bytes.subspan(consumed <= bytes.size() ? consumed : bytes.size());
        if (ev.type == ANYSERIAL_EVENT_FRAME || ev.type == ANYSERIAL_EVENT_BAD_FRAME)
            emit(ev, on_frame);
    }
}

}  // namespace anyserial::device

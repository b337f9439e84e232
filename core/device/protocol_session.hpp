// anyserial — core-internal C++ face of one protocol plugin session (the C vtable).
#pragma once

#include <anyserial/sdk/protocol.h>

#include <anyserial/plugin_host.hpp>
#include <cstdint>
#include <span>
#include <string>

namespace anyserial::device::detail {

class ProtocolSession {
  public:
    ProtocolSession() = default;
    ProtocolSession(const LoadedProtocol &proto, const anyserial_protocol_options_t &options)
        : proto_(&proto), handle_(proto.create_session(&options)) {}

    const LoadedProtocol &protocol() const noexcept { return *proto_; }
    const anyserial_protocol_descriptor_t &descriptor() const noexcept {
        return proto_->descriptor();
    }
    bool valid() const noexcept { return handle_ != nullptr; }

    std::int32_t begin(std::uint32_t op, std::uint32_t group = 0) noexcept {
        anyserial_protocol_request_t req{};
        req.struct_size = sizeof req;
        req.op = op;
        req.group = group;
        return vt().begin(handle_.get(), &req);
    }
    std::int32_t next_transaction(anyserial_transaction_t &tx) noexcept {
        tx = {};
        tx.struct_size = sizeof tx;
        return vt().next_transaction(handle_.get(), &tx);
    }
    // One event; `consumed` bytes of `data` were used.
    std::int32_t feed(std::span<const std::uint8_t> data, std::uint32_t &consumed,
                      anyserial_protocol_event_t &ev) noexcept {
        ev = {};
        ev.struct_size = sizeof ev;
        consumed = 0;
        return vt().feed(handle_.get(), data.data(), static_cast<std::uint32_t>(data.size()),
                         &consumed, &ev);
    }
    void reset_receive() noexcept { vt().reset_receive(handle_.get()); }
    std::int32_t result(anyserial_protocol_result_t &r) noexcept {
        r = {};
        r.struct_size = sizeof r;
        return vt().result(handle_.get(), &r);
    }
    std::string last_error() const {
        char buf[512];
        buf[0] = '\0';
        const std::uint32_t n = vt().last_error(handle_.get(), buf, sizeof buf);
        return std::string(buf, n < sizeof buf ? n : sizeof buf - 1);
    }

  private:
    const anyserial_protocol_session_vtable_t &vt() const noexcept { return *handle_->vtable; }

    const LoadedProtocol *proto_ = nullptr;
    ProtocolSessionHandle handle_;
};

}  // namespace anyserial::device::detail

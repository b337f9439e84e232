// anyserial — the C++ proxy of one protocol session (anyserial_protocol_session_vtable_t).
//
// Checks what crosses the ABI at run time and throws anyserial::PluginError naming the
// plugin for anything the contract forbids (a consumed count beyond the input, an unknown
// event type or bad-frame reason, a FRAME event without a frame, a transaction without
// data, a channel table with bad ids). Errors the protocol reports through its status
// codes are returned, not thrown: the device session turns them into DeviceErrors.
#pragma once

#include <anyserial/sdk/protocol.h>

#include <anyserial/device/models.hpp>
#include <anyserial/plugin_host.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace anyserial::plugin_detail {

class SessionProxy {
  public:
    SessionProxy() = default;
    SessionProxy(const LoadedProtocol &proto, const anyserial_protocol_options_t &options);

    const LoadedProtocol &protocol() const noexcept { return *proto_; }
    const ProtocolModel &model() const noexcept { return proto_->model(); }
    const std::string &id() const noexcept { return proto_->id(); }
    bool valid() const noexcept { return handle_ != nullptr; }

    // op: ANYSERIAL_OP_*; for OP_COMMAND the command id and its arguments in declared order.
    std::int32_t begin(std::uint32_t op, const std::string *command = nullptr,
                       std::span<const device::ArgValue> args = {});
    std::int32_t next_transaction(anyserial_transaction_t &tx);
    // One event; `consumed` bytes of `data` were used.
    std::int32_t feed(std::span<const std::uint8_t> data, std::uint32_t &consumed,
                      anyserial_protocol_event_t &ev);
    void reset_receive();
    std::int32_t result(anyserial_protocol_result_t &r);
    // The session's channel table as the plugin knows it now (validated).
    std::vector<device::ChannelInfo> channels() const;
    std::string last_error() const;
    // Throws PluginError "protocol 'ID' (PATH): why".
    [[noreturn]] void fail(const std::string &why) const;

  private:
    const anyserial_protocol_session_vtable_t &vt() const noexcept { return *handle_->vtable; }

    const LoadedProtocol *proto_ = nullptr;
    ProtocolSessionHandle handle_;
};

// Why a session the plugin created is unusable (struct sizes, NULL functions), or nullopt.
std::optional<std::string> check_protocol_session(const anyserial_protocol_session_t *s);

}  // namespace anyserial::plugin_detail

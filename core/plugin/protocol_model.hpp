// anyserial — validating an "anyserial.protocol/2" descriptor before the host trusts it,
// and copying it into the C++ ProtocolModel.
#pragma once

#include <anyserial/sdk/protocol.h>

#include <anyserial/plugin_host.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace anyserial::plugin_detail {

// Why the descriptor is unusable (struct sizes, ids, UTF-8, flags, commands, arguments,
// address syntax, serial defaults), or nullopt when it is fine.
std::optional<std::string> check_protocol_descriptor(const anyserial_protocol_descriptor_t *d);
// A copy of a descriptor check_protocol_descriptor() accepted.
ProtocolModel model_of(const anyserial_protocol_descriptor_t &d);

// An id the ABI accepts: 1..64 bytes of [A-Za-z0-9._-] ("servomex-modbus-rtu", "I1",
// "cal_group.1.gas", "setpoint.set").
bool valid_id(std::string_view id) noexcept;
// Why `s` is not clean UTF-8 text (sdk/cpp/text.hpp), or nullopt. NULL is fine when
// `nullable`.
std::optional<std::string> check_text(const char *s, std::string_view what, bool nullable);

}  // namespace anyserial::plugin_detail

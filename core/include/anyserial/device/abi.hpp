// anyserial — copying what a protocol plugin decoded (C ABI structs, valid only until the
// next call on its session) into the C++ models.
//
// Every reader honours struct_size (a member the plugin's older struct does not have reads
// as absent) and checks what the ABI forbids: a reading without a channel id, flag bits
// beyond the declared flags, a TEXT value without text, a field without an id. Those throw
// anyserial::PluginError naming the protocol.
#pragma once

#include <anyserial/sdk/protocol.h>

#include <anyserial/device/models.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace anyserial::device {

// Whose frame it is and what it is read against.
struct AbiContext {
    std::string protocol;                                // plugin id, for Reading/Frame and errors
    std::shared_ptr<const FlagTable> flags;              // the protocol's declared flags
    const std::vector<ChannelInfo> *channels = nullptr;  // the session's table, if known
    Clock::time_point received_at{};
    std::int64_t monotonic_ns = 0;
};

Frame frame_from_abi(const anyserial_frame_t &f, const AbiContext &ctx);
std::vector<Field> fields_from_abi(std::uint32_t count, const anyserial_field_t *const *fields,
                                   const std::string &protocol);
// The flag bits, checked against the declared count.
FlagSet flags_from_abi(std::uint64_t bits, const AbiContext &ctx, const char *what);

// Steady clock in nanoseconds (the clock the core's timers and the simulators use).
std::int64_t monotonic_now_ns() noexcept;

// An argument value as the ABI carries it; its text points into `v` (keep `v` alive).
anyserial_arg_value_t arg_to_abi(const ArgValue &v) noexcept;

}  // namespace anyserial::device

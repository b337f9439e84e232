// anyserial — copying what a protocol plugin decoded (C ABI structs, valid only until the
// next call on its session) into the C++ models.
//
// Every reader honours struct_size: a field the plugin's (older) struct does not have
// reads as absent, and the readings array is walked with the plugin's element size.
#pragma once

#include <anyserial/sdk/protocol.h>

#include <anyserial/device/models.hpp>
#include <cstdint>

namespace anyserial::device {

ChannelStatus status_from_bits(std::uint32_t bits) noexcept;
std::uint32_t status_to_bits(const ChannelStatus &status) noexcept;
Unit unit_from_abi(std::uint32_t unit_kind, const char *text);

Reading reading_from_abi(const anyserial_reading_t &r, ProtocolKind protocol,
                         Clock::time_point received_at, std::int64_t monotonic_ns);
AnalyserStatus analyser_from_abi(const anyserial_analyser_status_t &a);
// received_at/monotonic_ns stamp the frame and each reading.
Frame frame_from_abi(const anyserial_frame_t &f, ProtocolKind protocol,
                     Clock::time_point received_at, std::int64_t monotonic_ns);

// The i-th reading of a frame, stepping by the plugin's struct size.
const anyserial_reading_t *frame_reading_at(const anyserial_frame_t &f, std::uint32_t i) noexcept;

// ProtocolKind of a protocol descriptor's mode ("modbus-rtu" -> modbus_rtu); continuous
// for broadcast modes it does not know, modbus_rtu for request/response ones.
ProtocolKind protocol_kind_of(const anyserial_protocol_descriptor_t &d) noexcept;

// Steady clock in nanoseconds (the clock the core's timers and the simulators use).
std::int64_t monotonic_now_ns() noexcept;

}  // namespace anyserial::device

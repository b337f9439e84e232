// anyserial — protocol-neutral analyser models (seed 004: Reading, Frame, Sample, ...).
//
// Values are plain copyable structs: the device session copies what a protocol plugin
// decoded into these before the plugin call returns.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anyserial::device {

// Which communication mode the analyser speaks. auto_detect only at open time.
enum class ProtocolKind { auto_detect, continuous, modbus_rtu, modbus_ascii };
std::string_view to_string(ProtocolKind) noexcept;  // "auto", "continuous", "modbus-rtu", ...
std::optional<ProtocolKind> parse_protocol_kind(std::string_view) noexcept;
// The protocol plugin id for a kind ("servomex-modbus-rtu"); empty for auto_detect.
std::string_view protocol_plugin_id(ProtocolKind) noexcept;

enum class ChannelKind { transducer, derived, external };
std::string_view to_string(ChannelKind) noexcept;  // "transducer" | "derived" | "external"

// The 4100's channel slots I1-I4, D1-D4, E1-E2 (the registry the session validates
// channel arguments against before any I/O). nullopt for an id that is not a slot.
std::optional<ChannelKind> channel_kind_of(std::string_view id) noexcept;
// Every slot id, in map order.
const std::vector<std::string_view> &channel_ids();

enum class UnitKind { unknown, percent, vpm, ppm, milliamp };
std::string_view to_string(UnitKind) noexcept;  // "unknown" | "percent" | "vpm" | "ppm" | "mA"

struct Unit {
    UnitKind kind = UnitKind::unknown;
    std::string text;  // canonical ("%", "vpm", "ppm", "mA") or the raw text when unknown
};

struct ChannelStatus {
    bool fault = false;  // also set when an external input reports Invalid
    bool maintenance = false;
    bool calibrating = false;
    bool warming_up = false;
    std::array<bool, 4> alarms{};
    bool invalid = false;    // external input reports Invalid
    bool inherited = false;  // derived channel: flags are copies of the parent's
    // No fault and no active alarm.
    bool ok() const noexcept;
};

using Clock = std::chrono::system_clock;

struct Reading {
    std::string channel;  // "I1"
    ChannelKind kind = ChannelKind::transducer;
    std::optional<std::string> name;  // UTF-8 display name; nullopt when unlabelled
    std::optional<double> value;      // nullopt on over-range / invalid
    Unit unit;
    ChannelStatus status;
    ProtocolKind protocol = ProtocolKind::continuous;
    Clock::time_point received_at{};
    std::int64_t monotonic_ns = 0;
};

struct CalGroupState {
    int group = 1;  // 1-based
    bool calibrating = false;
    int cal_gas = 1;  // 1 or 2
};

struct AnalyserStatus {
    bool fault = false;
    bool maintenance = false;
    std::vector<CalGroupState> cal_groups;
    std::optional<std::string> clock;  // the analyser's own clock text, if it sends one
};

// One continuous frame or one Modbus sweep: a timestamped channel set.
struct Frame {
    std::vector<Reading> readings;
    AnalyserStatus analyser;
    ProtocolKind protocol = ProtocolKind::continuous;
    Clock::time_point received_at{};
    std::int64_t monotonic_ns = 0;
    std::vector<std::uint8_t> raw;
    std::optional<std::uint32_t> checksum;
    // Slots the device reported empty (identify leaves them out) but read anyway: not
    // part of `readings`, found by unpopulated_channel() for a read of that channel by id.
    std::vector<Reading> unpopulated;
    // The reading of one channel, or nullptr when the frame has none.
    const Reading *channel(std::string_view id) const noexcept;
    // The reading of a slot read although empty, or nullptr.
    const Reading *unpopulated_channel(std::string_view id) const noexcept;
};

enum class CalPhase { idle, gas1, gas2 };
std::string_view to_string(CalPhase) noexcept;  // "idle" | "gas1" | "gas2"

struct CalibrationProgress {
    int group = 1;
    bool active = false;
    CalPhase phase = CalPhase::idle;
};

struct ChannelInfo {
    std::string channel;
    ChannelKind kind = ChannelKind::transducer;
    std::optional<std::string> name;
    Unit unit;
};

struct DeviceInfo {
    std::string model;
    std::vector<ChannelInfo> channels;
    ProtocolKind protocol = ProtocolKind::continuous;
    unsigned address = 0;
    std::string port;
    unsigned baudrate = 19200;
};

// Long-format row: one channel reading with provenance, or an error sample for a
// dropped/corrupt frame (then reading is nullopt and channel empty).
struct Sample {
    std::string device;
    std::string channel;
    std::optional<Reading> reading;
    ProtocolKind protocol = ProtocolKind::continuous;
    std::int64_t monotonic_ns = 0;
    Clock::time_point received_at{};
    std::optional<Clock::time_point> requested_at;  // nullopt in passive mode
    std::optional<double> latency_s;
    std::optional<std::string> error;
};

// Frame -> one Sample per reading.
std::vector<Sample> as_samples(const Frame &frame, std::string_view device);

}  // namespace anyserial::device

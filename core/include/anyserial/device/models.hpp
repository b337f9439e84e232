// anyserial — the device-neutral models (seed 004's Reading, Frame, Sample, ... made generic).
//
// Nothing here knows a device: channel ids, units, kinds, flags and commands are what the
// protocol plugin declared (sdk/device.h). Values are plain copyable structs: the device
// session copies what a plugin decoded into these before the plugin call returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anyserial::device {

using Clock = std::chrono::system_clock;

enum class ValueType { absent, number, text, integer };
std::string_view to_string(ValueType) noexcept;  // "absent" | "number" | "text" | "integer"

enum class Severity { info, warning, fault };
std::string_view to_string(Severity) noexcept;  // "info" | "warning" | "fault"

enum class Safety { read_only, state_changing, destructive };
std::string_view to_string(Safety) noexcept;  // "read-only" | "state-changing" | "destructive"

// One declared status flag (anyserial_flag_info_t).
struct FlagInfo {
    std::string id;  // "overrange", "HLD"
    std::string name;
    Severity severity = Severity::info;
    std::string description;
};

// A protocol's flag declaration, shared (immutable) by every flag set of its sessions.
using FlagTable = std::vector<FlagInfo>;

// A set of declared flags: bit i is the i-th flag of `table`.
class FlagSet {
  public:
    FlagSet() = default;
    FlagSet(std::uint64_t bits, std::shared_ptr<const FlagTable> table) noexcept
        : bits_(bits), table_(std::move(table)) {}

    std::uint64_t bits() const noexcept { return bits_; }
    const std::shared_ptr<const FlagTable> &table() const noexcept { return table_; }
    bool empty() const noexcept { return bits_ == 0; }
    // Whether the flag with this declared id is set (false for an id not declared).
    bool has(std::string_view id) const noexcept;
    // Whether any set flag has this severity.
    bool any(Severity severity) const noexcept;
    // No flag of severity warning or fault is set.
    bool ok() const noexcept { return !any(Severity::warning) && !any(Severity::fault); }
    // The set flags, in declared order.
    std::vector<const FlagInfo *> set() const;
    // Ids of the set flags joined by ',' ("" when none): the sinks' `flags` column.
    std::string ids() const;
    friend bool operator==(const FlagSet &a, const FlagSet &b) noexcept {
        return a.bits_ == b.bits_;
    }

  private:
    std::uint64_t bits_ = 0;
    std::shared_ptr<const FlagTable> table_;
};

// A named value: identify's model/serial/firmware, what a command read back, device state.
struct Field {
    std::string id;
    ValueType type = ValueType::absent;
    double number = 0.0;  // number / integer
    std::string text;     // text
    std::string unit;     // "" when none
    // The value as text ("12.5", "Ar", "" when absent).
    std::string to_string() const;
};
// The field with this id, or nullptr.
const Field *find_field(const std::vector<Field> &fields, std::string_view id) noexcept;

// One entry of a session's channel table (anyserial_channel_info_t).
struct ChannelInfo {
    std::string channel;              // "CH1", "mass_flow"
    std::optional<std::string> name;  // display name; nullopt when unlabelled
    std::string kind;                 // the plugin's tag: "transducer", "setpoint"
    std::string unit;                 // "%", "SCCM", "°C"; "" when none
    ValueType type = ValueType::number;
};

struct Reading {
    std::string channel;  // "CH1", "mass_flow"
    std::string kind;     // from the channel table
    std::optional<std::string> name;
    std::optional<double> value;      // number channels; nullopt on over-range / invalid / "--"
    std::optional<std::string> text;  // text channels ("Ar")
    std::string unit;
    FlagSet flags;
    std::string protocol;  // plugin id: "acme-flow"
    Clock::time_point received_at{};
    std::int64_t monotonic_ns = 0;
};

// One broadcast frame or one request/response sweep: a timestamped channel set.
struct Frame {
    std::vector<Reading> readings;
    FlagSet device_flags;       // flags of the device as a whole
    std::vector<Field> fields;  // device state besides readings
    std::string protocol;
    Clock::time_point received_at{};
    std::int64_t monotonic_ns = 0;
    std::vector<std::uint8_t> raw;
    std::optional<std::uint32_t> checksum;
    // Slots the device reported empty (anyserial_reading_t.unlisted) but read anyway: not
    // part of `readings`, found by unlisted_channel() for a read of that channel by id.
    std::vector<Reading> unlisted;
    // The reading of one channel, or nullptr when the frame has none.
    const Reading *channel(std::string_view id) const noexcept;
    const Reading *unlisted_channel(std::string_view id) const noexcept;
    const Field *field(std::string_view id) const noexcept { return find_field(fields, id); }
};

// OP_READ_STATUS: the device's flags and state fields.
struct DeviceStatus {
    FlagSet flags;
    std::vector<Field> fields;
};

// What OP_IDENTIFY (and opening) learnt.
struct DeviceInfo {
    std::string model;          // the "model" field, "" when the device does not say
    std::vector<Field> fields;  // every identify field (model, serial_number, firmware, ...)
    std::vector<ChannelInfo> channels;
    std::string protocol;  // plugin id
    std::string mode;      // the protocol's mode within its family
    std::string family;
    std::string address;  // "" when the protocol has none
    std::string port;
    unsigned baudrate = 0;
};

// A declared command argument (anyserial_arg_info_t).
struct ArgInfo {
    std::string id;
    std::string summary;
    ValueType type = ValueType::number;
    std::string unit;
    bool optional = false;
    std::optional<double> min, max;
    std::vector<std::string> choices;  // empty = free
    std::uint32_t max_length = 0;      // text: 0 = no limit
};

// A declared command (anyserial_command_info_t).
struct CommandInfo {
    std::string id;  // "calibration.start", "setpoint.set"
    std::string summary;
    Safety safety = Safety::read_only;
    std::vector<ArgInfo> args;
};

// The address syntax a protocol declares (anyserial_address_syntax_t).
struct AddressSyntax {
    enum class Kind { none, integer, letter } kind = Kind::none;
    std::uint32_t min = 0, max = 0;
    std::string default_address;  // "1", "A"; "" for none
    std::string description;
    // The canonical form of `text` ("A" for "a", "7" for "007"), or nullopt when it is not
    // in the syntax; an empty text gives the default.
    std::optional<std::string> normalise(std::string_view text) const;
};

// A command argument as given (anyserial_arg_value_t). Built from text against the
// declaration by parse_arg(); the session checks every one again before sending.
struct ArgValue {
    ValueType type = ValueType::absent;  // absent: an omitted optional argument
    double number = 0.0;
    std::string text;
    static ArgValue of(double v) { return {ValueType::number, v, {}}; }
    static ArgValue of_integer(double v) { return {ValueType::integer, v, {}}; }
    static ArgValue of(std::string v) { return {ValueType::text, 0.0, std::move(v)}; }
};
// The value of `text` for argument `arg` (a decimal for number/integer, choices matched
// exactly), or nullopt with `why` set ("'abc' is not a number", "20 is above 10 SLPM").
std::optional<ArgValue> parse_arg(const ArgInfo &arg, std::string_view text, std::string &why);

// What a command read back.
struct CommandResult {
    std::string command;
    std::vector<Field> fields;
    std::optional<Frame> frame;
};

// Long-format row: one channel reading with provenance, or an error sample for a
// dropped/corrupt frame (then reading is nullopt and channel empty).
struct Sample {
    std::string device;
    std::string channel;
    std::optional<Reading> reading;
    std::string protocol;  // plugin id
    std::int64_t monotonic_ns = 0;
    Clock::time_point received_at{};
    std::optional<Clock::time_point> requested_at;  // nullopt in passive mode
    std::optional<double> latency_s;
    std::optional<std::string> error;
};

// Frame -> one Sample per reading.
std::vector<Sample> as_samples(const Frame &frame, std::string_view device);

}  // namespace anyserial::device

// anyserial — the Servomex 4100 face: the seed's analyser models (ProtocolKind,
// ChannelStatus, UnitKind, AnalyserStatus, CalibrationProgress) read out of the generic
// models by the Servomex plugins' naming contract (docs/protocol-plugins.md):
//   family "servomex-4100", modes continuous / modbus-rtu / modbus-ascii;
//   flags fault, maintenance, calibrating, warming_up, alarm1..alarm4, invalid, inherited;
//   channel kinds transducer / derived / external; units "%", "vpm", "ppm", "mA";
//   status fields clock, cal_group_count, cal_group.N.calibrating, cal_group.N.gas;
//   commands calibration.start(group), calibration.stop, calibration.status(group).
// Everything here is a pure function of generic values: no I/O, no plugin access.
#pragma once

#include <anyserial/device/models.hpp>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anyserial::device {

namespace servomex {
inline constexpr std::string_view family = "servomex-4100";
}  // namespace servomex

// Which communication mode the analyser speaks. auto_detect only at open time.
enum class ProtocolKind { auto_detect, continuous, modbus_rtu, modbus_ascii };
// "auto" | "continuous" | "modbus-rtu" | "modbus-ascii"
std::string_view to_string(ProtocolKind) noexcept;
// The inverse of to_string (also "auto_detect", "modbus_rtu", "modbus_ascii"); nullopt else.
std::optional<ProtocolKind> parse_protocol_kind(std::string_view) noexcept;
// The protocol plugin id ("servomex-modbus-rtu"); empty for auto_detect.
std::string_view protocol_plugin_id(ProtocolKind) noexcept;
// DeviceOptions::protocol for a kind: "servomex-4100:modbus-rtu", "servomex-4100:auto".
std::string protocol_option(ProtocolKind);
// The kind of a Servomex plugin id or mode ("servomex-modbus-rtu", "modbus-rtu"); nullopt
// for anything else.
std::optional<ProtocolKind> protocol_kind_of(std::string_view plugin_id_or_mode) noexcept;

enum class ChannelKind { transducer, derived, external };
std::string_view to_string(ChannelKind) noexcept;  // "transducer" | "derived" | "external"
// The kind named by a reading's kind tag; nullopt for a tag that is not one of the three.
std::optional<ChannelKind> channel_kind_of(std::string_view kind) noexcept;

enum class UnitKind { unknown, percent, vpm, ppm, milliamp };
std::string_view to_string(UnitKind) noexcept;  // "unknown" | "percent" | "vpm" | "ppm" | "mA"
// "%" -> percent, "vpm", "ppm", "mA"; anything else (the raw text the device sent) unknown.
UnitKind unit_kind_of(std::string_view unit) noexcept;

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
// The status flags of a reading (its FlagSet, by declared flag id).
ChannelStatus channel_status_of(const FlagSet &flags);
inline ChannelStatus channel_status_of(const Reading &r) {
    return channel_status_of(r.flags);
}

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
// From the device flags and the state fields (clock, cal_group_count, cal_group.N.*).
AnalyserStatus analyser_status_of(const FlagSet &device_flags, const std::vector<Field> &fields);
inline AnalyserStatus analyser_status_of(const DeviceStatus &s) {
    return analyser_status_of(s.flags, s.fields);
}
inline AnalyserStatus analyser_status_of(const Frame &f) {
    return analyser_status_of(f.device_flags, f.fields);
}

enum class CalPhase { idle, gas1, gas2 };
std::string_view to_string(CalPhase) noexcept;  // "idle" | "gas1" | "gas2"
std::optional<CalPhase> parse_cal_phase(std::string_view) noexcept;

struct CalibrationProgress {
    int group = 1;
    bool active = false;
    CalPhase phase = CalPhase::idle;
};
// From calibration.status's result fields (group, active, phase); nullopt with `why` set
// when one is missing or has a value outside the contract.
std::optional<CalibrationProgress> calibration_progress_of(const CommandResult &r,
                                                           std::string &why);

// The declared command ids.
namespace servomex {
inline constexpr std::string_view calibration_start = "calibration.start";
inline constexpr std::string_view calibration_stop = "calibration.stop";
inline constexpr std::string_view calibration_status = "calibration.status";
}  // namespace servomex

}  // namespace anyserial::device

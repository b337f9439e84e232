// Status flags: the 4100's flag declaration (the naming contract of every Servomex plugin),
// a channel's 8 discrete bits (Fault, Maintenance, Calibration, Warming-up, Alarm 1–4)
// with the two per-kind exceptions, the analyser status discretes, and the continuous
// frame's autocal field.
//
// Decisions:
//  - External inputs (E1/E2): bit 0 means Invalid. As in the reference driver, Invalid is
//    the reading's fault: it maps to `fault` | `invalid`, so every status shown or stored
//    says "not ok" (`invalid` tells it apart from a transducer fault); bits 1–3 are
//    reserved and ignored.
//  - Derived channels (D1–D4): bits 0–3 are copies of the parent transducer's flags; they
//    are reported as is and `inherited` is set whenever any of them is, so the core does
//    not count the parent's fault twice.
#pragma once

#include <anyserial/sdk/cpp/device.hpp>
#include <anyserial/sdk/cpp/frame.hpp>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "registry.hpp"

namespace anyserial::servomex {

// The declared flags, in this order (bit i = the i-th): readings use all of them, the
// device flags `fault` and `maintenance`.
inline constexpr anyserial::sdk::Table kFlags{
    anyserial::sdk::flag(ANYSERIAL_SEVERITY_FAULT, "fault", "Fault"),
    anyserial::sdk::flag(ANYSERIAL_SEVERITY_INFO, "maintenance", "Maintenance"),
    anyserial::sdk::flag(ANYSERIAL_SEVERITY_INFO, "calibrating", "Calibrating"),
    anyserial::sdk::flag(ANYSERIAL_SEVERITY_INFO, "warming_up", "Warming up"),
    anyserial::sdk::flag(ANYSERIAL_SEVERITY_WARNING, "alarm1", "Alarm 1"),
    anyserial::sdk::flag(ANYSERIAL_SEVERITY_WARNING, "alarm2", "Alarm 2"),
    anyserial::sdk::flag(ANYSERIAL_SEVERITY_WARNING, "alarm3", "Alarm 3"),
    anyserial::sdk::flag(ANYSERIAL_SEVERITY_WARNING, "alarm4", "Alarm 4"),
    anyserial::sdk::flag(ANYSERIAL_SEVERITY_FAULT, "invalid", "Invalid",
                         "external input signal invalid"),
    anyserial::sdk::flag(ANYSERIAL_SEVERITY_INFO, "inherited", "Inherited",
                         "derived channel: flags copied from its parent transducer"),
};
inline constexpr uint64_t kFlagFault = kFlags.bit("fault");
inline constexpr uint64_t kFlagMaintenance = kFlags.bit("maintenance");
inline constexpr uint64_t kFlagCalibrating = kFlags.bit("calibrating");
inline constexpr uint64_t kFlagWarmingUp = kFlags.bit("warming_up");
inline constexpr uint64_t kFlagAlarm1 = kFlags.bit("alarm1");
inline constexpr uint64_t kFlagAlarm2 = kFlags.bit("alarm2");
inline constexpr uint64_t kFlagAlarm3 = kFlags.bit("alarm3");
inline constexpr uint64_t kFlagAlarm4 = kFlags.bit("alarm4");
inline constexpr uint64_t kFlagInvalid = kFlags.bit("invalid");
inline constexpr uint64_t kFlagInherited = kFlags.bit("inherited");
static_assert(kFlagFault == 1 && kFlagAlarm1 == 16 && kFlagInherited == 512);

// Bit offsets inside a channel's discrete block.
inline constexpr unsigned kBitFault = 0, kBitMaintenance = 1, kBitCalibration = 2,
                          kBitWarmingUp = 3, kBitAlarm1 = 4;

struct CalGroupState {
    bool calibrating = false;
    uint32_t gas = 1;  // 1 or 2
};

// Analyser-wide state: device flags and cal-groups.
struct AnalyserState {
    bool fault = false, maintenance = false;
    uint32_t cal_group_count = kCalGroupCount;
    std::array<CalGroupState, kCalGroupCount> groups{};
};

// The device flags (`fault`, `maintenance`) of an analyser state.
uint64_t device_flags(const AnalyserState &s) noexcept;

// Field ids of group g (1-based): "cal_group.<g>.calibrating", "cal_group.<g>.gas".
const char *cal_group_calibrating_id(uint32_t group) noexcept;
const char *cal_group_gas_id(uint32_t group) noexcept;

// Append the status fields: `cal_group_count` and per group `cal_group.N.calibrating`
// (0/1) and `cal_group.N.gas` (1/2).
void add_status_fields(anyserial::sdk::FieldList &fields, const AnalyserState &s);

// Flags of a channel from its 8 Modbus discrete bits (bit i = offset i). The per-kind
// exceptions belong to the Modbus discrete map only: a continuous frame's status letters
// mean what they say for every kind (see continuous_status).
uint64_t decode_channel_status(ChannelKind kind, uint8_t bits) noexcept;

// The discrete bits a device sends for flags (the simulator side).
// External: `fault` or `invalid` → bit 0; `inherited` is ignored.
uint8_t encode_channel_status(ChannelKind kind, uint64_t flags) noexcept;

// Fill analyser state from the 16 discretes at PDU 1000 (bit i = discrete 1000+i):
// fault, maintenance, and 4 cal-groups × (calibrating, gas 2).
void decode_analyser_discretes(uint16_t bits, AnalyserState &out) noexcept;

// The inverse (the simulator side).
uint16_t encode_analyser_discretes(const AnalyserState &status) noexcept;

// Flags of a continuous-frame channel block from its alarm field (one char per alarm;
// space = clear, anything else = active) and its FM, cal and warm-up fields, where only
// the letters F, M, C, W set a flag. The same for every channel kind.
// Inline: the continuous decoder calls it for every channel of every frame.
inline uint64_t continuous_status(std::string_view alarms, std::string_view fm,
                                  std::string_view cal, std::string_view warm_up) noexcept {
    constexpr uint64_t kAlarmFlags[4] = {kFlagAlarm1, kFlagAlarm2, kFlagAlarm3, kFlagAlarm4};
    auto letter = [](std::string_view f, std::size_t i, char c) {
        return i < f.size() && f[i] == c;
    };
    uint64_t status = 0;
    if (std::endian::native == std::endian::little && alarms.size() >= 4) {
        // All four at once: the high bit of each byte that is not ' '.
        uint32_t w;
        std::memcpy(&w, alarms.data(), 4);
        const uint32_t x = w ^ 0x20202020u;
        const uint32_t set = (((x & 0x7F7F7F7Fu) + 0x7F7F7F7Fu) | x) & 0x80808080u;
        const uint32_t alarm_bits =
            (set >> 7 & 1u) | (set >> 14 & 2u) | (set >> 21 & 4u) | (set >> 28 & 8u);
        static_assert(kFlagAlarm2 == kFlagAlarm1 << 1 && kFlagAlarm3 == kFlagAlarm1 << 2 &&
                      kFlagAlarm4 == kFlagAlarm1 << 3);
        status = static_cast<uint64_t>(alarm_bits) * kFlagAlarm1;
    } else {
        for (std::size_t i = 0; i < 4 && i < alarms.size(); ++i)
            if (alarms[i] != ' ') status |= kAlarmFlags[i];
    }
    if (letter(fm, 0, 'F')) status |= kFlagFault;
    if (letter(fm, 1, 'M')) status |= kFlagMaintenance;
    if (letter(cal, 0, 'C')) status |= kFlagCalibrating;
    if (letter(warm_up, 0, 'W')) status |= kFlagWarmingUp;
    return status;
}

// Parse the continuous autocal field ("S1S1S1S1": S/C then 1/2 per group) into
// out.groups. Liberal: trailing spaces are ignored and fewer than four groups are
// accepted (the rest idle). Returns false for an odd length or more than four groups; any
// char other than 'C' reads as sampling, other than '2' as gas 1.
bool parse_autocal(std::string_view field, AnalyserState &out) noexcept;

// Format 4 cal-groups as the autocal field (exactly 8 chars written to out).
void format_autocal(const AnalyserState &status, char out[8]) noexcept;

}  // namespace anyserial::servomex

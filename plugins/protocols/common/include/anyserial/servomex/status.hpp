// Status flags: a channel's 8 discrete bits (Fault, Maintenance, Calibration, Warming-up,
// Alarm 1–4) with the two per-kind exceptions, the analyser status discretes, and the
// continuous frame's autocal field.
//
// Decisions:
//  - External inputs (E1/E2): bit 0 means Invalid. As in the reference driver, Invalid is
//    the reading's fault: it maps to ANYSERIAL_STATUS_FAULT | ANYSERIAL_STATUS_INVALID, so
//    every status shown or stored says "not ok" (INVALID tells it apart from a transducer
//    fault); bits 1–3 are reserved and ignored.
//  - Derived channels (D1–D4): bits 0–3 are copies of the parent transducer's flags; they
//    are reported as is and ANYSERIAL_STATUS_INHERITED is set whenever any of them is, so
//    the core does not count the parent's fault twice.
#pragma once

#include <anyserial/sdk/protocol.h>

#include <cstdint>
#include <string_view>

#include "registry.hpp"

namespace anyserial::servomex {

// Bit offsets inside a channel's discrete block.
inline constexpr unsigned kBitFault = 0, kBitMaintenance = 1, kBitCalibration = 2,
                          kBitWarmingUp = 3, kBitAlarm1 = 4;

// ANYSERIAL_STATUS_* of a channel from its 8 Modbus discrete bits (bit i = offset i). The
// per-kind exceptions belong to the Modbus discrete map only: a continuous frame's status
// letters mean what they say for every kind (see continuous_status).
uint32_t decode_channel_status(ChannelKind kind, uint8_t bits) noexcept;

// The discrete bits a device sends for ANYSERIAL_STATUS_* flags (the simulator side).
// External: FAULT or INVALID → bit 0; INHERITED is ignored.
uint8_t encode_channel_status(ChannelKind kind, uint32_t status) noexcept;

// Fill analyser status from the 16 discretes at PDU 1000 (bit i = discrete 1000+i):
// fault, maintenance, and 4 cal-groups × (calibrating, gas 2). Leaves clock untouched.
void decode_analyser_discretes(uint16_t bits, anyserial_analyser_status_t &out) noexcept;

// The inverse (the simulator side). cal_groups[i] describes group i+1.
uint16_t encode_analyser_discretes(const anyserial_analyser_status_t &status) noexcept;

// Cal-group state from its two discretes.
anyserial_cal_group_t decode_cal_group(uint32_t group, bool calibrating, bool gas2) noexcept;

// ANYSERIAL_STATUS_* of a continuous-frame channel block from its alarm field (one char
// per alarm; space = clear, anything else = active) and its FM, cal and warm-up fields,
// where only the letters F, M, C, W set a flag. The same for every channel kind.
uint32_t continuous_status(std::string_view alarms, std::string_view fm, std::string_view cal,
                           std::string_view warm_up) noexcept;

// Parse the continuous autocal field ("S1S1S1S1": S/C then 1/2 per group) into
// out.cal_groups. Liberal: trailing spaces are ignored and fewer than four groups are
// accepted (the rest idle). Returns false for an odd length or more than four groups; any
// char other than 'C' reads as sampling, other than '2' as gas 1.
bool parse_autocal(std::string_view field, anyserial_analyser_status_t &out) noexcept;

// Format 4 cal-groups as the autocal field (exactly 8 chars written to out).
void format_autocal(const anyserial_analyser_status_t &status, char out[8]) noexcept;

// An analyser status with struct sizes set and 4 idle cal-groups on gas 1.
anyserial_analyser_status_t idle_analyser_status() noexcept;

}  // namespace anyserial::servomex

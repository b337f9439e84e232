// Status flags: a channel's 8 discrete bits (Fault, Maintenance, Calibration, Warming-up,
// Alarm 1–4) with the two per-kind exceptions, the analyser status discretes, and the
// continuous frame's autocal field.
//
// Decisions:
//  - External inputs (E1/E2): bit 0 means Invalid, so it maps to ANYSERIAL_STATUS_INVALID
//    only (not FAULT: an unplugged 4–20 mA loop is not an analyser fault); bits 1–3 are
//    reserved and ignored.
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

// ANYSERIAL_STATUS_* of a channel from its 8 discrete bits (bit i = offset i).
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

// Parse the continuous autocal field ("S1S1S1S1": S/C then 1/2 per group) into
// out.cal_groups. Returns false when it is not 8 characters; any char other than 'C'
// reads as sampling, other than '2' as gas 1.
bool parse_autocal(std::string_view field, anyserial_analyser_status_t &out) noexcept;

// Format 4 cal-groups as the autocal field (exactly 8 chars written to out).
void format_autocal(const anyserial_analyser_status_t &status, char out[8]) noexcept;

// An analyser status with struct sizes set and 4 idle cal-groups on gas 1.
anyserial_analyser_status_t idle_analyser_status() noexcept;

}  // namespace anyserial::servomex

// Descriptors of the three 4100 protocol plugins (one device family, one AUTO ladder:
// Modbus RTU probe first, then Modbus ASCII, then listen for continuous frames).
#pragma once

#include <anyserial/sdk/protocol.h>

namespace anyserial::servomex {

enum class Mode { continuous, modbus_rtu, modbus_ascii };

inline constexpr const char *kDeviceFamily = "servomex-4100";

// Command ids (Modbus modes only; continuous declares none).
inline constexpr const char *kCmdCalibrationStart = "calibration.start";  // arg group
inline constexpr const char *kCmdCalibrationStop = "calibration.stop";
inline constexpr const char *kCmdCalibrationStatus = "calibration.status";  // arg group

// Built once per mode; lives for the process (static storage). Flags: status.hpp.
const anyserial_protocol_descriptor_t &descriptor(Mode mode) noexcept;

}  // namespace anyserial::servomex

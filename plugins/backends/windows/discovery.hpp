// Port discovery through SetupAPI (extension "anyserial.backend.discovery/1"): every
// present device of the Ports and Modem classes that has a "PortName", with its friendly
// name, hardware id, manufacturer, location and, for USB devices, VID/PID and serial
// number parsed from the device instance id (as pySerial's list_ports_windows does).
#pragma once

#include <anyserial/sdk/ext/discovery.h>

#include <cstdint>
#include <string>

namespace anyserial::windows_backend {

const anyserial_discovery_ext_t &discovery_extension() noexcept;

// From a device instance id such as "USB\VID_0403&PID_6001\A12345" or
// "FTDIBUS\VID_0403+PID_6001+A12345A\0000": vid/pid (-1 when absent) and the serial
// number (empty when the id carries none, e.g. "USB\VID_…&PID_…\5&2A1B…&0&2").
struct UsbIds {
    int32_t vid = -1;
    int32_t pid = -1;
    std::string serial;
};
UsbIds parse_instance_id(const std::string &instance_id);

}  // namespace anyserial::windows_backend

// Linux port discovery from sysfs, like pySerial's list_ports_linux: every tty under
// <sysfs>/class/tty with a device behind it, USB metadata from the interface/device
// ancestors. No port is opened; every symlink must resolve inside the sysfs root; attribute
// text is validated (bounded, clean UTF-8 by sdk/cpp/text.hpp: no C0/C1 controls, no bidi
// overrides, no overlong/surrogate/out-of-range forms; newline stripped) or treated as
// unknown.
#pragma once

#include <anyserial/sdk/ext/discovery.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace anyserial::linux_backend {

struct PortRecord {
    std::string device;  // "/dev/ttyUSB0"
    std::string name;    // "ttyUSB0"
    std::optional<std::string> description, hwid, serial_number, manufacturer, product, location,
        interface;
    int vid = -1, pid = -1;
};

// Scan sysfs_root ("/sys") for ports; a device is listed only when dev_root/<name> exists
// (dev_root empty: no such check). Sorted by name.
std::vector<PortRecord> scan_sysfs(const std::filesystem::path &sysfs_root,
                                   const std::filesystem::path &dev_root);

// One sysfs attribute, validated; nullopt when missing, unreadable or not clean text.
std::optional<std::string> read_attribute(const std::filesystem::path &file);

// The "anyserial.backend.discovery/1" table of the linux backend (scans /sys and /dev).
const anyserial_discovery_ext_t &discovery_extension() noexcept;

}  // namespace anyserial::linux_backend

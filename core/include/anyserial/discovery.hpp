// anyserial — port discovery through the backends' "anyserial.backend.discovery/1"
// extension. Lists ports without opening any; always live, never cached.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anyserial {

class PluginHost;

struct PortInfo {
    std::string device;  // "/dev/ttyUSB0"
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<std::string> hwid;
    std::optional<std::uint16_t> vid;
    std::optional<std::uint16_t> pid;
    std::optional<std::string> serial_number;
    std::optional<std::string> manufacturer;
    std::optional<std::string> product;
    std::optional<std::string> location;
    std::optional<std::string> interface;
    std::string backend;  // id of the backend that reported it
};

// Every port of every loaded backend that offers discovery, sorted by device.
std::vector<PortInfo> list_serial_ports(const PluginHost &host);

// What find_serial_port matches on: every field that is set must equal the port's (text
// exactly); fields left unset match anything. An empty filter matches the first port.
struct PortFilter {
    std::optional<std::uint16_t> vid;
    std::optional<std::uint16_t> pid;
    std::optional<std::string> serial_number;
    std::optional<std::string> manufacturer;
    std::optional<std::string> product;
    std::optional<std::string> location;
    std::optional<std::string> interface;
    bool matches(const PortInfo &port) const noexcept;
};

// The first port (in list_serial_ports order, i.e. by device) matching the filter, or
// nullopt (seed §23: find_serial_port(vid=0x0403, pid=0x6001)). Live, never cached.
std::optional<PortInfo> find_serial_port(const PluginHost &host, const PortFilter &filter);
std::optional<PortInfo> find_serial_port(const PluginHost &host, std::optional<std::uint16_t> vid,
                                         std::optional<std::uint16_t> pid = std::nullopt,
                                         std::optional<std::string> serial_number = std::nullopt);

// The discovery record of one device path (symlinks resolved), if any backend knows it.
std::optional<PortInfo> find_port_info(const PluginHost &host, std::string_view device);

}  // namespace anyserial

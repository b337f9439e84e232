// anyserial CLI — the analyser options several verbs share (--protocol, --address, --baud,
// --timeout), read from a parsed variables_map. Bad values throw UsageError naming the option.
#pragma once

#include <anyserial/device/models.hpp>
#include <anyserial/device/options.hpp>
#include <boost/program_options/variables_map.hpp>
#include <chrono>
#include <optional>
#include <string_view>

namespace anyserial::cli {

inline constexpr std::string_view kAllProtocols = "auto, continuous, modbus-rtu or modbus-ascii";

// --protocol (which must be present); `accepted` lists the valid names in the error.
device::ProtocolKind protocol_option(const boost::program_options::variables_map &vm,
                                     std::string_view accepted = kAllProtocols);

// A Modbus address, checked to be 1..247.
unsigned checked_address(unsigned address);

// --timeout S in seconds (> 0), nullopt when not given.
std::optional<std::chrono::nanoseconds> timeout_option(
    const boost::program_options::variables_map &vm);

// Options for opening one analyser: identify off (the CLI prints what the frame carries),
// plus whichever of --protocol, --address (unsigned), --baud and --timeout the verb declares.
device::DeviceOptions device_options(const boost::program_options::variables_map &vm,
                                     std::string_view accepted_protocols = kAllProtocols);

}  // namespace anyserial::cli

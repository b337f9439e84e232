// anyserial CLI — the analyser options several verbs share (--protocol, --address, --baud,
// --timeout), read from a parsed variables_map. Bad values throw UsageError naming the option.
#pragma once

#include <anyserial/device/analyzer.hpp>
#include <anyserial/device/models.hpp>
#include <anyserial/device/options.hpp>
#include <anyserial/plugin_host.hpp>
#include <boost/asio/awaitable.hpp>
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

// The fastest tick or poll rate the CLI accepts.
inline constexpr double max_rate_hz = 1e4;

// A numeric option that must be a finite number in (0, max]; nullopt when not given.
std::optional<double> positive_option(const boost::program_options::variables_map &vm,
                                      const char *name, double max = 1e9);

// --timeout S in seconds (> 0), nullopt when not given.
std::optional<std::chrono::nanoseconds> timeout_option(
    const boost::program_options::variables_map &vm);

// Options for opening one analyser: identify off (the CLI prints what the frame carries),
// plus whichever of --protocol, --address (unsigned), --baud and --timeout the verb declares.
device::DeviceOptions device_options(const boost::program_options::variables_map &vm,
                                     std::string_view accepted_protocols = kAllProtocols);

// Opens one analyser from a coroutine. A failure throws the session's DeviceError, which
// names the port, the protocol and why (a bare error code from use_awaitable would not).
boost::asio::awaitable<device::Analyzer> open_analyzer(PluginHost &host, std::string port,
                                                       device::DeviceOptions options);

}  // namespace anyserial::cli

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

#include "options.hpp"

namespace anyserial::cli {

inline constexpr std::string_view kAllProtocols = "auto, continuous, modbus-rtu or modbus-ascii";

// --timeout of a one-shot verb: a ceiling for the whole command, AUTO included.
inline constexpr const char *kBudgetHelp =
    "seconds for the whole command: opening, AUTO and the request (default: each step's own "
    "timeout). AUTO splits it: each active probe (modbus-rtu, then modbus-ascii) may use an "
    "equal share of what is left for the rungs still to run, passive listening (continuous) "
    "gets the rest, the request what AUTO left";
inline constexpr const char *kBudgetHelpPerPort =
    "seconds per port, AUTO included (default: each step's own timeout; about 10 s on a "
    "silent port). AUTO splits it: each active probe (modbus-rtu, then modbus-ascii) may use "
    "an equal share of what is left for the rungs still to run, passive listening "
    "(continuous) gets the rest";

// --protocol (which must be present); `accepted` lists the valid names in the error.
device::ProtocolKind protocol_option(const boost::program_options::variables_map &vm,
                                     std::string_view accepted = kAllProtocols);

// A Modbus address, checked to be 1..247.
unsigned checked_address(unsigned address);

// A numeric option's value, nullopt when not given. Its range was checked when it was parsed
// (declared with real_value / rate_value / duration_value, options.hpp).
std::optional<double> positive_option(const boost::program_options::variables_map &vm,
                                      const char *name, double max = max_duration_s);

// --timeout S in seconds, nullopt when not given.
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

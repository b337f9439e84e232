// anyserial CLI — the device options several verbs share (--protocol, --address, --baud,
// --timeout), read from a parsed variables_map and checked against the loaded protocol
// plugins before any I/O. Bad values throw UsageError naming the option.
#pragma once

#include <anyserial/device/models.hpp>
#include <anyserial/device/options.hpp>
#include <anyserial/device/session.hpp>
#include <anyserial/plugin_host.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "options.hpp"
#include "protocols.hpp"

namespace anyserial::cli {

// Help of --protocol and --address, the same in every verb.
inline constexpr const char *kProtocolHelp =
    "a loaded protocol plugin id, FAMILY:MODE, FAMILY:auto or auto (AUTO over the only "
    "loaded device family); see `anyserial plugins`";
inline constexpr const char *kAddressHelp =
    "device address, text in the protocol's declared syntax (default: the protocol's)";

// --timeout of a one-shot verb: a ceiling for the whole command, AUTO included.
inline constexpr const char *kBudgetHelp =
    "seconds for the whole command: opening, AUTO and the request (default: each step's own "
    "timeout). AUTO splits it: each active probe may use an equal share of what is left for "
    "the rungs still to run, passive listening gets the rest, the request what AUTO left";
inline constexpr const char *kBudgetHelpPerPort =
    "seconds per port, AUTO included (default: each step's own timeout). AUTO splits it: "
    "each active probe may use an equal share of what is left for the rungs still to run, "
    "passive listening gets the rest";

// Adds --protocol (default auto) and --address (text) to a verb's options.
void add_device_options(boost::program_options::options_description &opts);

// A numeric option's value, nullopt when not given. Its range was checked when it was parsed
// (declared with real_value / rate_value / duration_value, options.hpp).
std::optional<double> positive_option(const boost::program_options::variables_map &vm,
                                      const char *name, double max = max_duration_s);

// --timeout S in seconds, nullopt when not given.
std::optional<std::chrono::nanoseconds> timeout_option(
    const boost::program_options::variables_map &vm);

// --protocol resolved against the loaded plugins (default "auto").
ProtocolChoice protocol_option(const PluginHost &host,
                               const boost::program_options::variables_map &vm);

// Options for opening one device: identify off (the CLI prints what the frame carries),
// the resolved protocol, --address checked against its syntax, and whichever of --baud and
// --timeout the verb declares.
device::DeviceOptions device_options(const ProtocolChoice &choice,
                                     const boost::program_options::variables_map &vm);

// Opens one device from a coroutine. A failure throws the session's DeviceError, which
// names the port, the protocol and why (a bare error code from use_awaitable would not).
boost::asio::awaitable<device::Device> open_device(PluginHost &host, std::string port,
                                                   device::DeviceOptions options);

// "acme-flow-rtu at address 1" / "acme-flow-broadcast".
std::string device_label(const device::Device &dev);

}  // namespace anyserial::cli

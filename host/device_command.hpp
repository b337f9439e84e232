// anyserial CLI — running a device's declared commands (`command`, and `calibrate` as its
// shorthand). Everything the declaration lets the CLI check is checked before the port
// opens: the command exists, its confirmation, its arguments (device::parse_arg). The
// session checks them all again before a byte is sent.
#pragma once

#include <anyserial/device/models.hpp>
#include <anyserial/device/options.hpp>
#include <string>
#include <vector>

#include "command.hpp"
#include "protocols.hpp"

namespace anyserial::cli {

struct CommandCall {
    std::string id;
    std::vector<device::ArgValue> args;
};

// The call of `id` with `words` parsed against its declaration by every protocol the
// choice may open (one, or AUTO's). UsageError: no such command (naming the declared ones),
// a state-changing or destructive one without `confirm`, a missing, extra or bad argument
// (naming it; `arg_option` "--group" names an option instead of a position).
CommandCall prepare_command(const ProtocolChoice &choice, const std::string &id,
                            const std::vector<std::string> &words, bool confirm,
                            const std::vector<std::string> &arg_options = {});

// Opens `port` and runs `calls` in order on one session; prints each result (text, or one
// JSON document {"port","protocol","address","results":[...]}). The exit code.
int run_commands(Context &ctx, const std::string &verb, const std::string &port,
                 device::DeviceOptions options, const std::vector<CommandCall> &calls, bool confirm,
                 bool json);

}  // namespace anyserial::cli

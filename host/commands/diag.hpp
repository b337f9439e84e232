// anyserial CLI — the `diag` verb's subcommands. diag_loopback.cpp registers the verb and
// dispatches; each subcommand lives in its own file and parses its own arguments.
#pragma once

#include <string>
#include <vector>

#include "command.hpp"

namespace anyserial::cli::diag {

// diag tap --port P [--duration S] [--baud B] [--output FILE]
int run_tap(Context &ctx, const std::vector<std::string> &args);
// diag jitter --port P [--protocol ...] [--address N] [--rate HZ] [--duration S] [--json]
int run_jitter(Context &ctx, const std::vector<std::string> &args);

}  // namespace anyserial::cli::diag

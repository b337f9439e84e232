// anyserial plugin-check — a conformance checker for plugin shared objects, after
// clap-validator: named tests, each in its own child process with a time limit, selectable
// by name, reproducible with a seed. It calls the plugin's raw C ABI (never through the
// core's validating proxies) so that it sees what the plugin really does.
//
//     anyserial plugin-check PATH.so [--only TEST...] [--skip TEST...] [--seed N] [--json]
//                                    [--list] [--timeout SEC] [--time-scale N]
//
// Exit status: 0 when no test failed, 1 when one did, 2 for a usage error.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace anyserial::checker {

struct Options {
    std::string plugin;                 // path of the .so
    std::vector<std::string> only;      // test names or prefixes ("backend." selects a group)
    std::vector<std::string> skip;      // test names or prefixes
    std::optional<std::uint64_t> seed;  // none: a fresh one, printed
    bool json = false;
    bool list = false;
    bool help = false;
    unsigned timeout_s = 10;  // per test; the child is killed after it
    unsigned time_scale = 1;  // multiplies the time limits a test checks (sanitizers, valgrind)
    std::optional<std::string> run_one;  // hidden: run one test in this process (debugging)
};

// Parses argv-style arguments (without the program or verb name). Throws
// std::invalid_argument with a message naming the bad option.
Options parse_options(const std::vector<std::string> &args);

// Runs the selected tests and writes the report; returns the exit status (0 / 1 / 2).
// Forks one child per test: call it before the process starts any thread.
int run_checks(const Options &options, std::ostream &out, std::ostream &err);

// The verb: parse_options + run_checks, usage errors reported on err with exit 2.
int run(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);
int run(int argc, char **argv);

}  // namespace anyserial::checker

// anyserial CLI — the command registry. Each verb lives in its own file under
// host/commands/ and registers itself:
//
//     namespace { int run(anyserial::cli::Context &ctx); }
//     static const anyserial::cli::Registration reg{"plugins", "list loaded plugins", &run};
//
// A command parses its own options from ctx.args with Boost.ProgramOptions (parse_options)
// and returns the process exit code: 0 ok, 1 runtime failure, 2 usage error (throw UsageError).
#pragma once

#include <anyserial/plugin_host.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/program_options/options_description.hpp>
#include <boost/program_options/positional_options.hpp>
#include <boost/program_options/variables_map.hpp>
#include <exception>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace anyserial::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;

// Thrown by a command for bad arguments; main prints it with the verb's usage, exit 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Context {
    std::string verb;
    std::vector<std::string> args;                   // everything after the verb
    std::vector<std::filesystem::path> plugin_dirs;  // --plugin-dir, repeatable
    std::ostream &out;
    std::ostream &err;
    // The plugin host, loaded on first use with the default search + plugin_dirs.
    PluginHost &host();

    Context(std::ostream &o, std::ostream &e) : out(o), err(e) {}
    ~Context();

  private:
    std::unique_ptr<PluginHost> host_;
};

using CommandFn = int (*)(Context &);

struct Command {
    std::string name;
    std::string summary;
    CommandFn run;
};

struct Registration {
    Registration(std::string name, std::string summary, CommandFn run);
};

const std::vector<Command> &commands();

// The message of a caught exception, for "anyserial VERB: ..." lines.
std::string describe(const std::exception_ptr &e);

// The exit code of a failure: exit_usage when the caller's input was refused (a DeviceError
// of condition configuration or validation, such as settings the serial layer rejects),
// else exit_failure.
int exit_code_of(const std::exception_ptr &e);
int exit_code_of(const std::exception &e);

// Runs a verb's coroutine on a fresh io_context until it finishes: its exit code, or
// exit_failure with "anyserial VERB: what" on ctx.err when it threw.
int run_to_completion(Context &ctx, std::string_view verb, boost::asio::awaitable<int> main);

// Parses `args` into `vm` (a Boost.ProgramOptions error becomes a UsageError). Returns false
// when --help was given: the options were printed to ctx.out and the command should return
// exit_ok.
bool parse_options(Context &ctx, const std::vector<std::string> &args,
                   const boost::program_options::options_description &opts,
                   boost::program_options::variables_map &vm,
                   const boost::program_options::positional_options_description *pos = nullptr);
// The same for the verb's own arguments, ctx.args.
bool parse_options(Context &ctx, const boost::program_options::options_description &opts,
                   boost::program_options::variables_map &vm,
                   const boost::program_options::positional_options_description *pos = nullptr);

}  // namespace anyserial::cli

// anyserial CLI — global options, then one verb from the command registry.
//
//     anyserial [--log-level L] [--plugin-dir DIR]... VERB [verb options]
//
// Global options come before the verb; --plugin-dir and --log-level are also accepted
// after it. Exit codes: 0 ok, 1 runtime failure, 2 usage error.
#include <algorithm>
#include <anyserial/log.hpp>
#include <anyserial/version.hpp>
#include <boost/program_options.hpp>
#include <exception>
#include <iomanip>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"

namespace po = boost::program_options;
using namespace anyserial;

namespace {

constexpr std::string_view kLogLevels = "trace|debug|info|warn|error|off";

po::options_description global_options() {
    po::options_description d("Global options");
    d.add_options()("help,h", "show this help")("version", "print the version and exit")(
        "log-level", po::value<std::string>()->value_name("LEVEL")->default_value("warn"),
        "trace|debug|info|warn|error|off (log to stderr)")(
        "plugin-dir", po::value<std::vector<std::string>>()->value_name("DIR")->composing(),
        "also load plugins from DIR (repeatable)");
    return d;
}

void print_usage(std::ostream &os) {
    os << "usage: anyserial [global options] <command> [options]\n\n" << global_options();
    os << "\nCommands:\n";
    std::vector<cli::Command> cmds = cli::commands();
    std::sort(cmds.begin(), cmds.end(), [](auto &a, auto &b) { return a.name < b.name; });
    std::size_t width = 0;
    for (const auto &c : cmds)
        width = std::max(width, c.name.size());
    for (const auto &c : cmds)
        os << "  " << std::left << std::setw(static_cast<int>(width) + 2) << c.name << c.summary
           << '\n';
    os << "\nRun 'anyserial <command> --help' for the options of one command.\n";
}

bool takes_value(std::string_view opt) {
    return opt == "--log-level" || opt == "--plugin-dir";
}

bool set_log_level(const std::string &text) {
    const auto lvl = log::parse_level(text);
    if (!lvl || *lvl == log::Level::critical) return false;
    log::set_level(*lvl);
    return true;
}

struct Split {
    std::vector<std::string> global;  // tokens before the verb
    std::optional<std::string> verb;
    std::vector<std::string> rest;  // tokens after the verb
};

Split split_arguments(int argc, char **argv) {
    Split s;
    int i = 1;
    for (; i < argc; ++i) {
        const std::string_view tok = argv[i];
        if (tok == "--" || !tok.starts_with("-")) break;
        s.global.emplace_back(tok);
        if (takes_value(tok) && i + 1 < argc) s.global.emplace_back(argv[++i]);
    }
    if (i < argc && std::string_view(argv[i]) == "--") ++i;
    if (i < argc) s.verb = argv[i++];
    for (; i < argc; ++i)
        s.rest.emplace_back(argv[i]);
    return s;
}

// Pulls --plugin-dir DIR / --plugin-dir=DIR and --log-level out of a verb's arguments.
std::vector<std::string> extract_globals(const std::vector<std::string> &args,
                                         std::vector<std::string> &globals) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        if (a == "--") {
            out.insert(out.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
            break;
        }
        if (takes_value(a)) {
            // Without a value it still goes to the global parser, which says it is missing.
            globals.push_back(a);
            if (i + 1 < args.size()) globals.push_back(args[++i]);
        } else if (a.starts_with("--plugin-dir=") || a.starts_with("--log-level=")) {
            globals.push_back(a);
        } else {
            out.push_back(a);
        }
    }
    return out;
}

int run(int argc, char **argv) {
    Split split = split_arguments(argc, argv);
    cli::Context ctx(std::cout, std::cerr);
    ctx.args = extract_globals(split.rest, split.global);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(split.global).options(global_options()).run(), vm);
        po::notify(vm);
    } catch (const po::error &e) {
        std::cerr << "anyserial: " << e.what() << "\n\n";
        print_usage(std::cerr);
        return cli::exit_usage;
    }
    if (!set_log_level(vm["log-level"].as<std::string>())) {
        std::cerr << "anyserial: invalid --log-level '" << vm["log-level"].as<std::string>()
                  << "' (expected " << kLogLevels << ")\n";
        return cli::exit_usage;
    }
    if (vm.count("version") != 0) {
        std::cout << "anyserial " << version() << " (plugin ABI " << abi_version_string() << ")\n";
        return cli::exit_ok;
    }
    if (vm.count("help") != 0) {
        print_usage(std::cout);
        return cli::exit_ok;
    }
    if (vm.count("plugin-dir") != 0)
        for (const auto &d : vm["plugin-dir"].as<std::vector<std::string>>())
            ctx.plugin_dirs.emplace_back(d);
    if (!split.verb) {
        std::cerr << "anyserial: no command given\n\n";
        print_usage(std::cerr);
        return cli::exit_usage;
    }
    const auto &cmds = cli::commands();
    const auto cmd = std::find_if(cmds.begin(), cmds.end(),
                                  [&](const cli::Command &c) { return c.name == *split.verb; });
    if (cmd == cmds.end()) {
        std::cerr << "anyserial: unknown command '" << *split.verb << "'\n\n";
        print_usage(std::cerr);
        return cli::exit_usage;
    }
    ctx.verb = cmd->name;
    try {
        return cmd->run(ctx);
    } catch (const cli::UsageError &e) {
        std::cerr << "anyserial " << ctx.verb << ": " << e.what() << '\n'
                  << "Run 'anyserial " << ctx.verb << " --help' for its options.\n";
        return cli::exit_usage;
    } catch (const po::error &e) {
        std::cerr << "anyserial " << ctx.verb << ": " << e.what() << '\n'
                  << "Run 'anyserial " << ctx.verb << " --help' for its options.\n";
        return cli::exit_usage;
    }
}

}  // namespace

int main(int argc, char **argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception &e) {
        std::cerr << "anyserial: error: " << e.what() << '\n';
    } catch (...) {
        std::cerr << "anyserial: error: unknown exception\n";
    }
    return cli::exit_failure;
}

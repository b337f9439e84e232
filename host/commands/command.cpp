// anyserial command --port P --protocol ID [--address A] [--list | NAME [ARG...]] [--confirm]
//                   [--json] [--baud B] [--timeout S]
// The commands a protocol plugin declares: --list shows them (id, safety tier, arguments
// with type, range or choices, unit; no port needed), NAME runs one with its arguments in
// declared order. Everything the declaration allows is checked before the port opens: the
// command, --confirm for a state-changing or destructive one, every argument.
#include "command.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <ostream>

#include "device_command.hpp"
#include "device_options.hpp"
#include "device_output.hpp"

namespace po = boost::program_options;
namespace cli = anyserial::cli;

namespace {

int list(cli::Context &ctx, const cli::ProtocolChoice &choice, bool json) {
    if (json) {
        boost::json::array protocols;
        for (const cli::ProtocolInfo &p : choice.candidates) {
            boost::json::array cmds;
            for (const auto &c : p.commands)
                cmds.push_back(cli::command_json(c));
            protocols.push_back(boost::json::object{{"protocol", p.id}, {"commands", cmds}});
        }
        ctx.out << boost::json::serialize(boost::json::object{{"protocols", protocols}}) << '\n';
        return cli::exit_ok;
    }
    for (const cli::ProtocolInfo &p : choice.candidates) {
        if (choice.candidates.size() > 1) ctx.out << p.id << ":\n";
        if (p.commands.empty()) ctx.out << p.id << " declares no commands\n";
        for (const auto &c : p.commands)
            cli::print_command(ctx.out, c);
    }
    return cli::exit_ok;
}

int run(cli::Context &ctx) {
    po::options_description opts(
        "anyserial command --port P --protocol ID [--address A] [--list | NAME [ARG...]] "
        "[--confirm] [--json]\n(a negative ARG goes after --: `command ... NAME -- -5`)");
    opts.add_options()("port", po::value<std::string>()->value_name("P"), "device port")(
        "list", "list the commands the protocol declares (no port needed)")(
        "confirm", "confirm a state-changing or destructive command")(
        "baud", cli::baud_value(), "baud rate (default: the protocol's)")(
        "timeout", cli::timeout_value(), cli::kBudgetHelp)("json", "machine-readable output")(
        "help,h", "show this help");
    cli::add_device_options(opts);
    po::options_description hidden;
    hidden.add_options()("name", po::value<std::string>())("arg",
                                                           po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(opts).add(hidden);
    po::positional_options_description pos;
    pos.add("name", 1).add("arg", -1);
    for (const std::string &a : ctx.args)
        if (a == "--") {
            break;
        } else if (a == "--help" || a == "-h") {  // the visible options only
            ctx.out << opts;
            return cli::exit_ok;
        }
    po::variables_map vm;
    if (!cli::parse_options(ctx, ctx.args, all, vm, &pos)) return cli::exit_ok;
    const bool json = vm.count("json") != 0;
    const bool listing = vm.count("list") != 0;
    if (listing && vm.count("name") != 0)
        throw cli::UsageError("give --list or a command NAME, not both");
    if (!listing && vm.count("name") == 0)
        throw cli::UsageError("a command NAME (or --list) is required");
    const cli::ProtocolChoice choice = cli::protocol_option(ctx.host(), vm);
    if (listing) return list(ctx, choice, json);

    const bool confirm = vm.count("confirm") != 0;
    std::vector<std::string> words;
    if (vm.count("arg") != 0) words = vm["arg"].as<std::vector<std::string>>();
    const cli::CommandCall call =
        cli::prepare_command(choice, vm["name"].as<std::string>(), words, confirm);
    anyserial::device::DeviceOptions o = cli::device_options(choice, vm);
    o.budget = cli::timeout_option(vm);  // a ceiling for the whole command
    if (vm.count("port") == 0) throw cli::UsageError("--port is required");
    return cli::run_commands(ctx, "command", vm["port"].as<std::string>(), std::move(o), {call},
                             confirm, json);
}

}  // namespace

static const cli::Registration reg{"command", "list or run the commands a device declares", &run};

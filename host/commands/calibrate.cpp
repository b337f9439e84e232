// anyserial calibrate start|stop|status --port P --group N [--confirm] [--protocol ID]
//                     [--address A] [--json]
// A shorthand over the declared commands calibration.start, calibration.stop and
// calibration.status (`anyserial command`), for a device that declares them; start and
// stop are followed by a status of the group. --group is checked against the declared
// argument, and start/stop without --confirm are refused (exit 2), before the port opens.
#include <boost/program_options.hpp>

#include "command.hpp"
#include "device_command.hpp"
#include "device_options.hpp"

namespace po = boost::program_options;
namespace cli = anyserial::cli;

namespace {

int run(cli::Context &ctx) {
    po::options_description opts(
        "anyserial calibrate start|stop|status --port P --group N [--confirm] [--protocol ID] "
        "[--address A] [--json]");
    opts.add_options()("action", po::value<std::string>(), "start | stop | status")(
        "port", po::value<std::string>()->value_name("P"), "device port")(
        "group", po::value<std::string>()->value_name("N"),
        "calibration group, as the device declares it (see `anyserial command --list`)")(
        "confirm", "confirm a state-changing action (start, stop)")(
        "timeout", cli::timeout_value(), cli::kBudgetHelp)("json", "machine-readable output")(
        "help,h", "show this help");
    cli::add_device_options(opts);
    po::positional_options_description pos;
    pos.add("action", 1);
    po::variables_map vm;
    if (!cli::parse_options(ctx, opts, vm, &pos)) return cli::exit_ok;
    if (vm.count("action") == 0) throw cli::UsageError("start, stop or status is required");
    const std::string action = vm["action"].as<std::string>();
    if (action != "start" && action != "stop" && action != "status")
        throw cli::UsageError("action must be start, stop or status, not '" + action + "'");
    const bool confirm = vm.count("confirm") != 0;
    if (vm.count("group") == 0 && action != "stop") throw cli::UsageError("--group is required");
    const std::string group = vm.count("group") != 0 ? vm["group"].as<std::string>() : "";
    const cli::ProtocolChoice choice = cli::protocol_option(ctx.host(), vm);

    // The device's declaration decides: the commands, their safety tier, --group's range.
    std::vector<cli::CommandCall> calls;
    if (action == "start")
        calls.push_back(
            cli::prepare_command(choice, "calibration.start", {group}, confirm, {"--group"}));
    if (action == "stop")
        calls.push_back(cli::prepare_command(choice, "calibration.stop", {}, confirm));
    if (!group.empty())
        calls.push_back(
            cli::prepare_command(choice, "calibration.status", {group}, confirm, {"--group"}));
    anyserial::device::DeviceOptions o = cli::device_options(choice, vm);
    o.budget = cli::timeout_option(vm);  // a ceiling for the whole command
    if (vm.count("port") == 0) throw cli::UsageError("--port is required");
    return cli::run_commands(ctx, "calibrate", vm["port"].as<std::string>(), std::move(o), calls,
                             confirm, vm.count("json") != 0);
}

}  // namespace

static const cli::Registration reg{
    "calibrate", "start, stop or query a device's calibration (calibration.* commands)", &run};

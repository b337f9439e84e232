// anyserial calibrate start|stop|status --port P --group N [--confirm] [--protocol ...]
//                     [--address N] [--json]
// Autocalibration of a cal-group (Modbus modes). Starting or stopping changes the
// analyser's state: without --confirm it is refused (exit 2) before the port is opened.
#include <anyserial/device/sync.hpp>
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <ostream>

#include "command.hpp"
#include "device_options.hpp"

namespace po = boost::program_options;
namespace dev = anyserial::device;

namespace {

int run(anyserial::cli::Context &ctx) {
    po::options_description opts(
        "anyserial calibrate start|stop|status --port P --group N [--confirm] "
        "[--protocol auto|modbus-rtu|modbus-ascii] [--address N] [--json]");
    opts.add_options()("action", po::value<std::string>(), "start | stop | status")(
        "port", po::value<std::string>()->value_name("P"), "analyser port")(
        "group", anyserial::cli::whole_value(1, 4)->value_name("N"), "cal-group 1..4")(
        "confirm", "confirm a state-changing action (start, stop)")(
        "protocol", po::value<std::string>()->default_value("auto"), "wire protocol or auto")(
        "address", anyserial::cli::address_value()->default_value(1), "Modbus address 1..247")(
        "timeout", anyserial::cli::timeout_value(), anyserial::cli::kBudgetHelp)(
        "json", "machine-readable output")("help,h", "show this help");
    po::positional_options_description pos;
    pos.add("action", 1);
    po::variables_map vm;
    if (!anyserial::cli::parse_options(ctx, opts, vm, &pos)) return anyserial::cli::exit_ok;
    if (vm.count("action") == 0)
        throw anyserial::cli::UsageError("start, stop or status is required");
    const std::string action = vm["action"].as<std::string>();
    if (action != "start" && action != "stop" && action != "status")
        throw anyserial::cli::UsageError("action must be start, stop or status, not '" + action +
                                         "'");
    const bool confirm = vm.count("confirm") != 0;
    // The safety gate comes first: nothing is opened without --confirm.
    if (action != "status" && !confirm)
        throw anyserial::cli::UsageError("'calibrate " + action +
                                         "' changes the analyser's state: pass --confirm to do it");
    if (vm.count("port") == 0) throw anyserial::cli::UsageError("--port is required");
    int group = 1;
    if (vm.count("group") != 0) {
        group = vm["group"].as<int>();
    } else if (action != "stop") {
        throw anyserial::cli::UsageError("--group is required");
    }
    if (group < 1 || group > 4) throw anyserial::cli::UsageError("--group must be 1..4");
    dev::DeviceOptions o = anyserial::cli::device_options(vm, "auto, modbus-rtu or modbus-ascii");
    o.budget = anyserial::cli::timeout_option(vm);  // a ceiling for the whole command
    const std::string port = vm["port"].as<std::string>();

    try {
        auto anz = anyserial::sync::Analyzer::open(ctx.host(), port, o);
        if (action == "start") {
            anz.start_calibration(group, confirm);
        } else if (action == "stop") {
            anz.stop_calibration(confirm);
        }
        const dev::CalibrationProgress p = anz.calibration_status(group);
        if (vm.count("json") != 0) {
            ctx.out << boost::json::serialize(
                           boost::json::object{{"action", action},
                                               {"group", p.group},
                                               {"active", p.active},
                                               {"phase", dev::to_string(p.phase)}})
                    << '\n';
        } else {
            ctx.out << "cal-group " << p.group << ": " << (p.active ? "calibrating" : "idle")
                    << " (phase " << dev::to_string(p.phase) << ")\n";
        }
        anz.close();
    } catch (const dev::DeviceError &e) {
        ctx.err << "anyserial calibrate: " << e.what() << '\n';
        return anyserial::cli::exit_code_of(e);
    }
    return anyserial::cli::exit_ok;
}

}  // namespace

static const anyserial::cli::Registration reg{
    "calibrate", "start, stop or query analyser autocalibration", &run};

// anyserial read --port P [--protocol auto|continuous|modbus-rtu|modbus-ascii] [--address N]
//                [--baud B] [--channel ID] [--timeout S] [--json]
// One frame (or one channel) from an analyser, as a table or JSON.
#include <anyserial/device/json.hpp>
#include <anyserial/device/sync.hpp>
#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <ostream>

#include "command.hpp"
#include "device_options.hpp"

namespace po = boost::program_options;
namespace dev = anyserial::device;

namespace {

// Pads UTF-8 text to `width` columns (a code point is one column: "CO₂" is 3).
std::string pad(const std::string &s, std::size_t width) {
    std::size_t cols = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++cols;
    return cols >= width ? s + " " : s + std::string(width - cols, ' ');
}

std::string flags(const dev::ChannelStatus &s) {
    std::string out;
    auto add = [&out](const char *f) {
        if (!out.empty()) out += ',';
        out += f;
    };
    if (s.fault) add(s.invalid ? "invalid" : "fault");
    if (s.maintenance) add("maintenance");
    if (s.calibrating) add("calibrating");
    if (s.warming_up) add("warming-up");
    for (std::size_t i = 0; i < s.alarms.size(); ++i)
        if (s.alarms[i]) add(("alarm" + std::to_string(i + 1)).c_str());
    return out.empty() ? "ok" : out;
}

void print_table(std::ostream &out, const dev::Frame &f, const std::string &port,
                 const std::string &mode, unsigned address) {
    out << "protocol " << mode << " on " << port;
    if (f.protocol != dev::ProtocolKind::continuous) out << " (address " << address << ")";
    out << "\n\n"
        << pad("CH", 4) << pad("NAME", 8) << pad("VALUE", 11) << pad("UNIT", 6) << "STATUS\n";
    for (const dev::Reading &r : f.readings) {
        char value[32] = "--";
        if (r.value) std::snprintf(value, sizeof value, "%.3f", *r.value);
        out << pad(r.channel, 4) << pad(r.name.value_or("-"), 8) << pad(value, 11)
            << pad(r.unit.text.empty() ? "-" : r.unit.text, 6) << flags(r.status) << '\n';
    }
    out << "\nanalyser: " << (f.analyser.fault ? "FAULT" : "no fault")
        << (f.analyser.maintenance ? ", maintenance" : "");
    for (const dev::CalGroupState &g : f.analyser.cal_groups)
        if (g.calibrating)
            out << ", cal-group " << g.group << " calibrating (gas " << g.cal_gas << ")";
    if (f.analyser.clock) out << ", clock " << *f.analyser.clock;
    out << '\n';
}

int run(anyserial::cli::Context &ctx) {
    po::options_description opts(
        "anyserial read --port P [--protocol auto|continuous|modbus-rtu|modbus-ascii] "
        "[--address N] [--baud B] [--channel ID] [--timeout S] [--json]");
    opts.add_options()("port", po::value<std::string>()->value_name("P"), "analyser port")(
        "protocol", po::value<std::string>()->default_value("auto"), "wire protocol or auto")(
        "address", anyserial::cli::address_value()->default_value(1), "Modbus address 1..247")(
        "baud", anyserial::cli::baud_value(), "baud rate (default: the protocol's, 19200)")(
        "channel", po::value<std::string>()->value_name("ID"), "one channel (I1..I4 D1..D4 E1 E2)")(
        "timeout", anyserial::cli::timeout_value(), anyserial::cli::kBudgetHelp)(
        "json", "machine-readable output")("help,h", "show this help");
    po::variables_map vm;
    if (!anyserial::cli::parse_options(ctx, opts, vm)) return anyserial::cli::exit_ok;
    if (vm.count("port") == 0) throw anyserial::cli::UsageError("--port is required");
    dev::DeviceOptions o = anyserial::cli::device_options(vm);
    o.budget = anyserial::cli::timeout_option(vm);  // a ceiling for the whole read
    std::optional<std::string> channel;
    if (vm.count("channel") != 0) {
        channel = vm["channel"].as<std::string>();
        if (!dev::channel_kind_of(*channel))
            throw anyserial::cli::UsageError("--channel must be one of I1..I4, D1..D4, E1, E2");
    }
    const std::string port = vm["port"].as<std::string>();
    const bool json = vm.count("json") != 0;

    try {
        auto anz = anyserial::sync::Analyzer::open(ctx.host(), port, o);
        dev::Frame f = anz.poll();
        if (channel) {
            const dev::Reading *r = f.channel(*channel);
            if (r == nullptr) r = f.unpopulated_channel(*channel);  // read although empty
            if (r == nullptr) {
                ctx.err << "anyserial read: channel " << *channel << " is not populated on the "
                        << "analyser at " << port << '\n';
                return anyserial::cli::exit_failure;
            }
            f.readings = {*r};
        }
        const std::string mode = std::string(dev::to_string(anz.protocol()));
        if (json) {
            ctx.out << boost::json::serialize(dev::json::to_json(f)) << '\n';
        } else {
            print_table(ctx.out, f, port, mode, o.address);
        }
        anz.close();
    } catch (const dev::DeviceError &e) {
        ctx.err << "anyserial read: " << e.what() << '\n';
        return anyserial::cli::exit_code_of(e);
    }
    return anyserial::cli::exit_ok;
}

}  // namespace

static const anyserial::cli::Registration reg{"read",
                                              "read one frame (or channel) from an analyser", &run};

// anyserial ports [--json] — serial ports found by the backends' discovery extensions.
// Nothing is opened. JSON: an array of objects with device, name, description, hwid, vid,
// pid, serial_number, manufacturer, product, location, interface (null when unknown).
#include <anyserial/discovery.hpp>
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <cstdio>
#include <ostream>

#include "command.hpp"
#include "table.hpp"

namespace po = boost::program_options;
namespace json = boost::json;
using anyserial::PortInfo;

namespace {

json::value opt(const std::optional<std::string> &s) {
    return s ? json::value(*s) : json::value(nullptr);
}
json::value opt(const std::optional<std::uint16_t> &v) {
    return v ? json::value(*v) : json::value(nullptr);
}

json::object to_json(const PortInfo &p) {
    json::object o;
    o["device"] = p.device;
    o["name"] = opt(p.name);
    o["description"] = opt(p.description);
    o["hwid"] = opt(p.hwid);
    o["vid"] = opt(p.vid);
    o["pid"] = opt(p.pid);
    o["serial_number"] = opt(p.serial_number);
    o["manufacturer"] = opt(p.manufacturer);
    o["product"] = opt(p.product);
    o["location"] = opt(p.location);
    o["interface"] = opt(p.interface);
    return o;
}

std::string vid_pid(const PortInfo &p) {
    if (!p.vid || !p.pid) return "-";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04x:%04x", *p.vid, *p.pid);
    return buf;
}

void print_table(std::ostream &out, const std::vector<PortInfo> &ports) {
    if (ports.empty()) {
        out << "no serial ports found\n";
        return;
    }
    const std::vector<std::string> head{"DEVICE", "VID:PID", "SERIAL", "LOCATION", "DESCRIPTION"};
    std::vector<std::vector<std::string>> rows;
    for (const PortInfo &p : ports)
        rows.push_back({p.device, vid_pid(p), p.serial_number.value_or("-"),
                        p.location.value_or("-"), p.description.value_or("-")});
    anyserial::cli::print_columns(out, head, rows);
}

int run(anyserial::cli::Context &ctx) {
    po::options_description opts("anyserial ports [--json]");
    opts.add_options()("json", "machine-readable output (a JSON array)")("help,h",
                                                                         "show this help");
    po::variables_map vm;
    if (!anyserial::cli::parse_options(ctx, opts, vm)) return anyserial::cli::exit_ok;
    const std::vector<PortInfo> ports = anyserial::list_serial_ports(ctx.host());
    if (vm.count("json") != 0) {
        json::array arr;
        for (const PortInfo &p : ports)
            arr.emplace_back(to_json(p));
        ctx.out << json::serialize(arr) << '\n';
    } else {
        print_table(ctx.out, ports);
    }
    return anyserial::cli::exit_ok;
}

}  // namespace

static const anyserial::cli::Registration reg{"ports", "list serial ports (nothing is opened)",
                                              &run};

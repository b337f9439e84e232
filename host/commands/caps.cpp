// anyserial caps --port P [--json] — the resolved capabilities of one port: platform level
// from the backend plugin, refined by the device after opening it.
#include <anyserial/serial_port.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <iomanip>
#include <optional>
#include <ostream>

#include "command.hpp"

namespace po = boost::program_options;
namespace json = boost::json;

namespace {

int run(anyserial::cli::Context &ctx) {
    po::options_description opts("anyserial caps --port P [--json]");
    opts.add_options()("port", po::value<std::string>()->value_name("P"), "port to inspect")(
        "json", "machine-readable output")("help,h", "show this help");
    po::variables_map vm;
    if (!anyserial::cli::parse_options(ctx, opts, vm)) return anyserial::cli::exit_ok;
    if (vm.count("port") == 0) throw anyserial::cli::UsageError("--port is required");
    const std::string path = vm["port"].as<std::string>();

    boost::asio::io_context io;
    std::optional<anyserial::SerialPort> port;
    boost::system::error_code ec;
    anyserial::async_open_serial_port(io.get_executor(), ctx.host(), path,
                                      anyserial::SerialConfig{},
                                      [&](boost::system::error_code e, anyserial::SerialPort p) {
                                          ec = e;
                                          port.emplace(std::move(p));
                                      });
    io.run();
    if (ec) {
        ctx.err << "anyserial caps: cannot open " << path << ": " << ec.message();
        if (!port->last_error().message.empty()) ctx.err << " — " << port->last_error().message;
        ctx.err << '\n';
        return anyserial::cli::exit_failure;
    }
    const anyserial::SerialCapabilities &caps = port->capabilities();
    if (vm.count("json") != 0) {
        json::object o;
        o["port"] = path;
        o["platform"] = caps.platform;
        o["backend"] = caps.backend;
        for (const auto &[name, value] : caps.features())
            o[name] = std::string(anyserial::to_string(value));
        ctx.out << json::serialize(o) << '\n';
    } else {
        ctx.out << "port      " << path << "\nplatform  " << caps.platform << "\nbackend   "
                << caps.backend << "\n\n";
        for (const auto &[name, value] : caps.features())
            ctx.out << std::left << std::setw(26) << name << anyserial::to_string(value) << '\n';
    }
    port->close();
    return anyserial::cli::exit_ok;
}

}  // namespace

static const anyserial::cli::Registration reg{"caps", "capabilities of one port", &run};

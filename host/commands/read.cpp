// anyserial read --port P [--protocol ID] [--address A] [--baud B] [--channel ID]
//                [--timeout S] [--json]
// One frame (or one channel) from a device, as a table or JSON. Channel ids, names, units
// and flags are the device's; --channel takes one of its channel ids.
#include <anyserial/device/session.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <ostream>

#include "command.hpp"
#include "device_options.hpp"
#include "device_output.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC 12 + Asio awaitable frames
#endif

namespace po = boost::program_options;
namespace asio = boost::asio;
namespace dev = anyserial::device;
namespace cli = anyserial::cli;

namespace {

struct Request {
    std::string port;
    dev::DeviceOptions options;
    std::optional<std::string> channel;
    bool json = false;
};

std::string channel_ids(const dev::Device &d, const dev::Frame &f) {
    std::string s;
    for (const dev::ChannelInfo &c : d.channels())
        s += (s.empty() ? "" : ", ") + c.channel;
    if (s.empty())
        for (const dev::Reading &r : f.readings)
            s += (s.empty() ? "" : ", ") + r.channel;
    return s;
}

asio::awaitable<int> read(cli::Context &ctx, Request q) {
    dev::Device d = co_await cli::open_device(ctx.host(), q.port, q.options);
    auto [ec, f] = co_await d.async_poll(false, asio::as_tuple(asio::use_awaitable));
    if (ec) d.throw_last_error();
    if (q.channel) {
        const dev::Reading *r = f.channel(*q.channel);
        if (r == nullptr) r = f.unlisted_channel(*q.channel);  // read although empty
        if (r == nullptr) {
            ctx.err << "anyserial read: the device at " << q.port << " has no channel "
                    << *q.channel << " (its channels: " << channel_ids(d, f) << ")\n";
            d.close();
            co_return cli::exit_usage;
        }
        f.readings = {*r};
    }
    if (q.json) {
        boost::json::object o = cli::frame_json(f);
        o["protocol"] = d.protocol_id();
        o["family"] = d.family();
        o["mode"] = d.mode();
        o["port"] = q.port;
        o["address"] =
            d.address().empty() ? boost::json::value(nullptr) : boost::json::value(d.address());
        ctx.out << boost::json::serialize(o) << '\n';
    } else {
        ctx.out << cli::device_label(d) << " on " << q.port << "\n\n";
        cli::print_frame(ctx.out, f);
    }
    d.close();
    co_return cli::exit_ok;
}

int run(cli::Context &ctx) {
    po::options_description opts(
        "anyserial read --port P [--protocol ID] [--address A] [--baud B] [--channel ID] "
        "[--timeout S] [--json]");
    opts.add_options()("port", po::value<std::string>()->value_name("P"), "device port")(
        "baud", cli::baud_value(), "baud rate (default: the protocol's)")(
        "channel", po::value<std::string>()->value_name("ID"),
        "one channel, by the id the device gives it")(
        "timeout", cli::timeout_value(), cli::kBudgetHelp)("json", "machine-readable output")(
        "help,h", "show this help");
    cli::add_device_options(opts);
    po::variables_map vm;
    if (!cli::parse_options(ctx, opts, vm)) return cli::exit_ok;
    if (vm.count("port") == 0) throw cli::UsageError("--port is required");
    Request q;
    q.options = cli::device_options(cli::protocol_option(ctx.host(), vm), vm);
    q.options.budget = cli::timeout_option(vm);  // a ceiling for the whole read
    if (vm.count("channel") != 0) {
        q.channel = vm["channel"].as<std::string>();
        if (q.channel->empty()) throw cli::UsageError("--channel must name a channel");
    }
    q.port = vm["port"].as<std::string>();
    q.json = vm.count("json") != 0;
    return cli::run_to_completion(ctx, "read", read(ctx, std::move(q)));
}

}  // namespace

static const cli::Registration reg{"read", "read one frame (or channel) from a device", &run};

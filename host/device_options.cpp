// anyserial CLI — the shared device options.
#include "device_options.hpp"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/program_options/value_semantic.hpp>
#include <cstdint>
#include <string>

#include "command.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC 12 + Asio awaitable frames
#endif

namespace po = boost::program_options;
namespace asio = boost::asio;

namespace anyserial::cli {

void add_device_options(po::options_description &opts) {
    opts.add_options()(
        "protocol", po::value<std::string>()->value_name("ID")->default_value("auto"),
        kProtocolHelp)("address", po::value<std::string>()->value_name("A"), kAddressHelp);
}

std::optional<double> positive_option(const po::variables_map &vm, const char *name, double max) {
    if (vm.count(name) == 0) return std::nullopt;
    const double v = vm[name].as<double>();
    // A guard for an option declared without real_value(): the same rule, the same exit code.
    if (!(v > 0 && v <= max))  // also refuses nan and inf
        throw UsageError(fmt::format("--{} must be a number > 0 and at most {:g}", name, max));
    return v;
}

std::optional<std::chrono::nanoseconds> timeout_option(const po::variables_map &vm) {
    const auto s = positive_option(vm, "timeout", max_timeout_s);
    if (!s) return std::nullopt;
    return std::chrono::nanoseconds(static_cast<std::int64_t>(*s * 1e9));
}

ProtocolChoice protocol_option(const PluginHost &host, const po::variables_map &vm) {
    const std::string text = vm.count("protocol") != 0 ? vm["protocol"].as<std::string>() : "auto";
    return resolve_protocol(host, text);
}

device::DeviceOptions device_options(const ProtocolChoice &choice, const po::variables_map &vm) {
    device::DeviceOptions o;
    o.identify = false;
    o.protocol = choice.option;
    if (choice.automatic) o.family = choice.family;
    std::optional<std::string> address;
    if (vm.count("address") != 0) address = vm["address"].as<std::string>();
    o.address = checked_address(choice, address);
    if (vm.count("baud") != 0) o.baudrate = vm["baud"].as<std::uint32_t>();
    if (const auto t = timeout_option(vm)) o.timeout = *t;
    return o;
}

asio::awaitable<device::Device> open_device(PluginHost &host, std::string port,
                                            device::DeviceOptions options) {
    auto ex = co_await asio::this_coro::executor;
    auto [ec, dev] = co_await device::async_open_device(
        ex, host, std::move(port), std::move(options), asio::as_tuple(asio::use_awaitable));
    if (ec) dev.throw_last_error();
    co_return std::move(dev);
}

std::string device_label(const device::Device &dev) {
    if (dev.address().empty()) return dev.protocol_id();
    return dev.protocol_id() + " at address " + dev.address();
}

}  // namespace anyserial::cli

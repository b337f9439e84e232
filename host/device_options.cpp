// anyserial CLI — the shared analyser options.
#include "device_options.hpp"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>
#include <string>

#include "command.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC 12 + Asio awaitable frames
#endif

namespace po = boost::program_options;
namespace asio = boost::asio;

namespace anyserial::cli {

device::ProtocolKind protocol_option(const po::variables_map &vm, std::string_view accepted) {
    const auto kind = device::parse_protocol_kind(vm["protocol"].as<std::string>());
    if (!kind) throw UsageError("--protocol must be " + std::string(accepted));
    return *kind;
}

unsigned checked_address(unsigned address) {
    if (address < 1 || address > 247) throw UsageError("--address must be 1..247");
    return address;
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

device::DeviceOptions device_options(const po::variables_map &vm,
                                     std::string_view accepted_protocols) {
    device::DeviceOptions o;
    o.identify = false;
    if (vm.count("protocol") != 0) o.protocol = protocol_option(vm, accepted_protocols);
    if (vm.count("address") != 0) o.address = checked_address(vm["address"].as<unsigned>());
    if (vm.count("baud") != 0) o.baudrate = vm["baud"].as<std::uint32_t>();
    if (const auto t = timeout_option(vm)) o.timeout = *t;
    return o;
}

asio::awaitable<device::Analyzer> open_analyzer(PluginHost &host, std::string port,
                                                device::DeviceOptions options) {
    auto ex = co_await asio::this_coro::executor;
    auto [ec, anz] = co_await device::async_open_device(
        ex, host, std::move(port), std::move(options), asio::as_tuple(asio::use_awaitable));
    if (ec) anz.throw_last_error();
    co_return std::move(anz);
}

}  // namespace anyserial::cli

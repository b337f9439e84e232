// anyserial — the blocking device facade, over the sync facade's one shared background
// loop thread. Every call blocks the caller and throws the DeviceError subclass (with its
// ErrorContext) on failure; `timeout` bounds one call (nullopt = the session default).
//
//     anyserial::PluginHost host; host.load_default();
//     auto dev = anyserial::sync::Device::open(host, "/dev/ttyUSB0",
//                                              {.protocol = "acme-flow", .address = "A"});
//     auto flow = dev.read_channel("mass_flow");
//     dev.command("setpoint.set", {device::ArgValue::of(20.0)}, /*confirm=*/true);
#pragma once

#include <anyserial/device/session.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace anyserial {
class PluginHost;
}

namespace anyserial::sync {

using device::Timeout;

namespace detail {
struct DeviceAccess;  // core-internal: the sync manager and recorder reach the session
}

class Device {
  public:
    // Opens (AUTO by default) and returns the session; throws DeviceError.
    static Device open(PluginHost &host, std::string port, device::DeviceOptions options = {});

    Device(Device &&) noexcept;
    Device &operator=(Device &&) noexcept;
    ~Device();  // closes

    device::Frame poll(bool wait_fresh = false, Timeout timeout = {});
    device::Reading read_channel(const std::string &id, Timeout timeout = {});
    std::map<std::string, device::Reading> read_all(Timeout timeout = {});
    device::DeviceInfo identify(Timeout timeout = {});
    device::DeviceStatus read_status(Timeout timeout = {});
    // The gates of device::Device::async_command (confirmation, capability, arguments).
    device::CommandResult command(const std::string &id, std::vector<device::ArgValue> args = {},
                                  bool confirm = false, Timeout timeout = {});
    std::vector<device::Sample> poll_samples(Timeout timeout = {});

    std::optional<device::Frame> snapshot() const;
    std::optional<device::DeviceInfo> info() const;
    std::uint64_t dropped_frames() const;
    std::string protocol_id() const;
    std::string mode() const;
    std::string family() const;
    std::string address() const;
    std::uint32_t capabilities() const;
    std::shared_ptr<const device::FlagTable> flag_table() const;
    std::vector<device::CommandInfo> commands() const;
    std::vector<device::ChannelInfo> channels() const;
    std::vector<device::ProbeAttempt> detection() const;
    void close();

  private:
    friend struct detail::DeviceAccess;
    struct Impl;
    explicit Device(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace anyserial::sync

// anyserial — sync::Analyzer: the blocking Servomex face over sync::Device. Every call
// blocks the caller and throws the DeviceError subclass (with its ErrorContext) on
// failure; `timeout` bounds one call (nullopt = the session default).
//
//     anyserial::PluginHost host; host.load_default();
//     auto anz = anyserial::sync::Analyzer::open(host, "/dev/ttyUSB0", {.address = "1"});
//     auto o2 = anz.read_channel("I1");
//     anz.start_calibration(1, /*confirm=*/true);
#pragma once

#include <anyserial/device/servomex.hpp>
#include <anyserial/device/sync.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace anyserial::sync {

class Analyzer {
  public:
    // Opens the analyser (options.protocol "auto": AUTO over the servomex-4100 family);
    // throws DeviceError.
    static Analyzer open(PluginHost &host, std::string port, device::DeviceOptions options = {});
    explicit Analyzer(Device &&device) noexcept : dev_(std::move(device)) {}
    Analyzer(Analyzer &&) noexcept = default;
    Analyzer &operator=(Analyzer &&) noexcept = default;

    // The generic session under the face (sync::record, sync::Manager::add, commands).
    Device &device() noexcept { return dev_; }
    const Device &device() const noexcept { return dev_; }

    device::Frame poll(bool wait_fresh = false, Timeout timeout = {});
    device::Reading read_channel(const std::string &id, Timeout timeout = {});
    std::map<std::string, device::Reading> read_all(Timeout timeout = {});
    device::DeviceInfo identify(Timeout timeout = {});
    device::ChannelStatus status(const std::string &id, Timeout timeout = {});
    device::AnalyserStatus analyser_status(Timeout timeout = {});
    // State-changing: ConfirmationRequiredError unless confirm is true.
    void start_calibration(int group, bool confirm = false, Timeout timeout = {});
    void stop_calibration(bool confirm = false, Timeout timeout = {});
    device::CalibrationProgress calibration_status(int group = 1, Timeout timeout = {});
    std::vector<device::Sample> poll_samples(Timeout timeout = {});

    std::optional<device::Frame> snapshot() const;
    std::optional<device::DeviceInfo> info() const;
    std::uint64_t dropped_frames() const;
    device::ProtocolKind protocol() const;
    std::string protocol_id() const;
    std::uint32_t capabilities() const;
    std::vector<device::ProbeAttempt> detection() const;
    void close();

  private:
    Device dev_;
};

}  // namespace anyserial::sync

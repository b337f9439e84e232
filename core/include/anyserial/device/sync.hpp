// anyserial — the blocking analyser facade, over the sync facade's one shared background
// loop thread. Every call blocks the caller and throws the DeviceError subclass (with its
// ErrorContext) on failure; `timeout` bounds one call (nullopt = the session default).
//
//     anyserial::PluginHost host; host.load_default();
//     auto anz = anyserial::sync::Analyzer::open(host, "/dev/ttyUSB0", {.address = 1});
//     auto o2 = anz.read_channel("I1");
#pragma once

#include <anyserial/device/analyzer.hpp>
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
struct AnalyzerAccess;  // core-internal: the sync manager and recorder reach the session
}

class Analyzer {
  public:
    // Opens (AUTO by default) and returns the session; throws DeviceError.
    static Analyzer open(PluginHost &host, std::string port, device::DeviceOptions options = {});

    Analyzer(Analyzer &&) noexcept;
    Analyzer &operator=(Analyzer &&) noexcept;
    ~Analyzer();  // closes

    device::Frame poll(bool wait_fresh = false, Timeout timeout = {});
    device::Reading read_channel(const std::string &id, Timeout timeout = {});
    std::map<std::string, device::Reading> read_all(Timeout timeout = {});
    device::DeviceInfo identify(Timeout timeout = {});
    device::ChannelStatus status(const std::string &id, Timeout timeout = {});
    device::AnalyserStatus analyser_status(Timeout timeout = {});
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
    friend struct detail::AnalyzerAccess;
    struct Impl;
    explicit Analyzer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace anyserial::sync

// anyserial — sync::Analyzer: the Servomex face over the blocking sync::Device.
#include <anyserial/device/errors.hpp>
#include <anyserial/device/sync_analyzer.hpp>

namespace anyserial::sync {

using namespace anyserial::device;

Analyzer Analyzer::open(PluginHost &host, std::string port, device::DeviceOptions options) {
    if (options.protocol == "auto" && options.family.empty())
        options.family = std::string(servomex::family);
    return Analyzer(Device::open(host, std::move(port), std::move(options)));
}

Frame Analyzer::poll(bool wait_fresh, Timeout timeout) {
    return dev_.poll(wait_fresh, timeout);
}
Reading Analyzer::read_channel(const std::string &id, Timeout timeout) {
    return dev_.read_channel(id, timeout);
}
std::map<std::string, Reading> Analyzer::read_all(Timeout timeout) {
    return dev_.read_all(timeout);
}
DeviceInfo Analyzer::identify(Timeout timeout) {
    return dev_.identify(timeout);
}
ChannelStatus Analyzer::status(const std::string &id, Timeout timeout) {
    return channel_status_of(dev_.read_channel(id, timeout).flags);
}
AnalyserStatus Analyzer::analyser_status(Timeout timeout) {
    return analyser_status_of(dev_.read_status(timeout));
}
void Analyzer::start_calibration(int group, bool confirm, Timeout timeout) {
    (void)dev_.command(std::string(servomex::calibration_start), {ArgValue::of_integer(group)},
                       confirm, timeout);
}
void Analyzer::stop_calibration(bool confirm, Timeout timeout) {
    (void)dev_.command(std::string(servomex::calibration_stop), {}, confirm, timeout);
}
CalibrationProgress Analyzer::calibration_status(int group, Timeout timeout) {
    const CommandResult r = dev_.command(std::string(servomex::calibration_status),
                                         {ArgValue::of_integer(group)}, false, timeout);
    std::string why;
    if (auto p = calibration_progress_of(r, why)) return *p;
    ErrorContext ctx;
    ctx.protocol = dev_.protocol_id();
    throw DeviceError(errc::frame, why, ctx);
}
std::vector<Sample> Analyzer::poll_samples(Timeout timeout) {
    return dev_.poll_samples(timeout);
}

std::optional<Frame> Analyzer::snapshot() const {
    return dev_.snapshot();
}
std::optional<DeviceInfo> Analyzer::info() const {
    return dev_.info();
}
std::uint64_t Analyzer::dropped_frames() const {
    return dev_.dropped_frames();
}
ProtocolKind Analyzer::protocol() const {
    return protocol_kind_of(dev_.protocol_id()).value_or(ProtocolKind::auto_detect);
}
std::string Analyzer::protocol_id() const {
    return dev_.protocol_id();
}
std::uint32_t Analyzer::capabilities() const {
    return dev_.capabilities();
}
std::vector<ProbeAttempt> Analyzer::detection() const {
    return dev_.detection();
}
void Analyzer::close() {
    dev_.close();
}

}  // namespace anyserial::sync

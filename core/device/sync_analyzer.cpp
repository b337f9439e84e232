// anyserial — sync::Analyzer: each call runs the async operation on the shared loop
// thread and waits; failures rethrow the session's DeviceError.
#include <anyserial/device/sync.hpp>
#include <anyserial/plugin_host.hpp>
#include <boost/asio/post.hpp>
#include <future>

#include "device/sync_access.hpp"
#include "sync/shared_loop.hpp"

namespace anyserial::sync {

namespace asio = boost::asio;
using boost::system::error_code;

struct Analyzer::Impl {
    std::shared_ptr<detail::SharedLoop> loop;
    device::Analyzer anz;  // touched on the loop thread only

    // The session's own error when it matches, else one made from the code.
    std::exception_ptr error_for(error_code ec) const {
        if (auto e = anz.last_error(); e && device::error_code_of(e) == ec) return e;
        return device::make_device_error(device::errc::transport, ec.message());
    }

    template <class F>
    auto call(F f) const -> decltype(f()) {
        return detail::call_on_loop(*loop, std::move(f));
    }

    // start(analyzer, handler) with handler(ec, T...) -> T (or void).
    template <class T, class Start>
    T run(Start start) {
        std::promise<T> p;
        auto fut = p.get_future();
        asio::post(loop->io(), [&] {
            if constexpr (std::is_void_v<T>) {
                start(anz, [&](error_code ec) {
                    if (ec)
                        p.set_exception(error_for(ec));
                    else
                        p.set_value();
                });
            } else {
                start(anz, [&](error_code ec, T v) {
                    if (ec)
                        p.set_exception(error_for(ec));
                    else
                        p.set_value(std::move(v));
                });
            }
        });
        return fut.get();
    }
};

Analyzer::Analyzer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Analyzer::Analyzer(Analyzer &&) noexcept = default;
Analyzer &Analyzer::operator=(Analyzer &&) noexcept = default;
Analyzer::~Analyzer() {
    if (impl_) close();
}

Analyzer Analyzer::open(PluginHost &host, std::string port, device::DeviceOptions options) {
    auto impl = std::make_unique<Impl>();
    impl->loop = detail::SharedLoop::acquire();
    std::promise<void> p;
    auto fut = p.get_future();
    Impl *raw = impl.get();
    asio::post(raw->loop->io(), [&] {
        device::async_open_device(raw->loop->io().get_executor(), host, std::move(port),
                                  std::move(options), [&](error_code ec, device::Analyzer a) {
                                      raw->anz = std::move(a);
                                      if (ec)
                                          p.set_exception(raw->error_for(ec));
                                      else
                                          p.set_value();
                                  });
    });
    fut.get();
    return Analyzer(std::move(impl));
}

device::Frame Analyzer::poll(bool wait_fresh, Timeout t) {
    return impl_->run<device::Frame>(
        [&](device::Analyzer &a, auto h) { a.async_poll(wait_fresh, t, std::move(h)); });
}
device::Reading Analyzer::read_channel(const std::string &id, Timeout t) {
    return impl_->run<device::Reading>(
        [&](device::Analyzer &a, auto h) { a.async_read_channel(id, t, std::move(h)); });
}
std::map<std::string, device::Reading> Analyzer::read_all(Timeout t) {
    return impl_->run<std::map<std::string, device::Reading>>(
        [&](device::Analyzer &a, auto h) { a.async_read_all(t, std::move(h)); });
}
device::DeviceInfo Analyzer::identify(Timeout t) {
    return impl_->run<device::DeviceInfo>(
        [&](device::Analyzer &a, auto h) { a.async_identify(t, std::move(h)); });
}
device::ChannelStatus Analyzer::status(const std::string &id, Timeout t) {
    return impl_->run<device::ChannelStatus>(
        [&](device::Analyzer &a, auto h) { a.async_status(id, t, std::move(h)); });
}
device::AnalyserStatus Analyzer::analyser_status(Timeout t) {
    return impl_->run<device::AnalyserStatus>(
        [&](device::Analyzer &a, auto h) { a.async_analyser_status(t, std::move(h)); });
}
void Analyzer::start_calibration(int group, bool confirm, Timeout t) {
    impl_->run<void>([&](device::Analyzer &a, auto h) {
        a.async_start_calibration(group, confirm, t, std::move(h));
    });
}
void Analyzer::stop_calibration(bool confirm, Timeout t) {
    impl_->run<void>(
        [&](device::Analyzer &a, auto h) { a.async_stop_calibration(confirm, t, std::move(h)); });
}
device::CalibrationProgress Analyzer::calibration_status(int group, Timeout t) {
    return impl_->run<device::CalibrationProgress>(
        [&](device::Analyzer &a, auto h) { a.async_calibration_status(group, t, std::move(h)); });
}
std::vector<device::Sample> Analyzer::poll_samples(Timeout t) {
    return impl_->run<std::vector<device::Sample>>(
        [&](device::Analyzer &a, auto h) { a.async_poll_samples(t, std::move(h)); });
}

std::optional<device::Frame> Analyzer::snapshot() const {
    return impl_->call([&] { return impl_->anz.snapshot(); });
}
std::optional<device::DeviceInfo> Analyzer::info() const {
    return impl_->call([&] { return impl_->anz.info(); });
}
std::uint64_t Analyzer::dropped_frames() const {
    return impl_->call([&] { return impl_->anz.dropped_frames(); });
}
device::ProtocolKind Analyzer::protocol() const {
    return impl_->call([&] { return impl_->anz.protocol(); });
}
std::string Analyzer::protocol_id() const {
    return impl_->call([&] { return impl_->anz.protocol_id(); });
}
std::uint32_t Analyzer::capabilities() const {
    return impl_->call([&] { return impl_->anz.capabilities(); });
}
std::vector<device::ProbeAttempt> Analyzer::detection() const {
    return impl_->call([&] { return impl_->anz.detection(); });
}
void Analyzer::close() {
    impl_->call([&] { impl_->anz.close(); });
}

}  // namespace anyserial::sync

namespace anyserial::sync::detail {

device::Analyzer &AnalyzerAccess::session(sync::Analyzer &a) {
    if (!a.impl_) throw std::logic_error("anyserial::sync::Analyzer: moved-from handle");
    return a.impl_->anz;
}
std::shared_ptr<SharedLoop> AnalyzerAccess::loop(const sync::Analyzer &a) {
    if (!a.impl_) throw std::logic_error("anyserial::sync::Analyzer: moved-from handle");
    return a.impl_->loop;
}

}  // namespace anyserial::sync::detail

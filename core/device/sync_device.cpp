// anyserial — sync::Device: each call runs the async operation on the shared loop
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

struct Device::Impl {
    std::shared_ptr<detail::SharedLoop> loop;
    device::Device dev;  // touched on the loop thread only

    // The session's own error when it matches, else one made from the code.
    std::exception_ptr error_for(error_code ec) const {
        if (auto e = dev.last_error(); e && device::error_code_of(e) == ec) return e;
        return device::make_device_error(device::errc::transport, ec.message());
    }

    template <class F>
    auto call(F f) const -> decltype(f()) {
        return detail::call_on_loop(*loop, std::move(f));
    }

    // start(device, handler) with handler(ec, T...) -> T (or void).
    template <class T, class Start>
    T run(Start start) {
        std::promise<T> p;
        auto fut = p.get_future();
        asio::post(loop->io(), [&] {
            if constexpr (std::is_void_v<T>) {
                start(dev, [&](error_code ec) {
                    if (ec)
                        p.set_exception(error_for(ec));
                    else
                        p.set_value();
                });
            } else {
                start(dev, [&](error_code ec, T v) {
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

Device::Device(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Device::Device(Device &&) noexcept = default;
Device &Device::operator=(Device &&) noexcept = default;
Device::~Device() {
    if (impl_) close();
}

Device Device::open(PluginHost &host, std::string port, device::DeviceOptions options) {
    auto impl = std::make_unique<Impl>();
    impl->loop = detail::SharedLoop::acquire();
    std::promise<void> p;
    auto fut = p.get_future();
    Impl *raw = impl.get();
    asio::post(raw->loop->io(), [&] {
        device::async_open_device(raw->loop->io().get_executor(), host, std::move(port),
                                  std::move(options), [&](error_code ec, device::Device a) {
                                      raw->dev = std::move(a);
                                      if (ec)
                                          p.set_exception(raw->error_for(ec));
                                      else
                                          p.set_value();
                                  });
    });
    fut.get();
    return Device(std::move(impl));
}

device::Frame Device::poll(bool wait_fresh, Timeout t) {
    return impl_->run<device::Frame>(
        [&](device::Device &a, auto h) { a.async_poll(wait_fresh, t, std::move(h)); });
}
device::Reading Device::read_channel(const std::string &id, Timeout t) {
    return impl_->run<device::Reading>(
        [&](device::Device &a, auto h) { a.async_read_channel(id, t, std::move(h)); });
}
std::map<std::string, device::Reading> Device::read_all(Timeout t) {
    return impl_->run<std::map<std::string, device::Reading>>(
        [&](device::Device &a, auto h) { a.async_read_all(t, std::move(h)); });
}
device::DeviceInfo Device::identify(Timeout t) {
    return impl_->run<device::DeviceInfo>(
        [&](device::Device &a, auto h) { a.async_identify(t, std::move(h)); });
}
device::DeviceStatus Device::read_status(Timeout t) {
    return impl_->run<device::DeviceStatus>(
        [&](device::Device &a, auto h) { a.async_read_status(t, std::move(h)); });
}

device::CommandResult Device::command(const std::string &id, std::vector<device::ArgValue> args,
                                      bool confirm, Timeout t) {
    return impl_->run<device::CommandResult>([&](device::Device &a, auto h) {
        a.async_command(id, std::move(args), confirm, t, std::move(h));
    });
}

std::vector<device::Sample> Device::poll_samples(Timeout t) {
    return impl_->run<std::vector<device::Sample>>(
        [&](device::Device &a, auto h) { a.async_poll_samples(t, std::move(h)); });
}

std::optional<device::Frame> Device::snapshot() const {
    return impl_->call([&] { return impl_->dev.snapshot(); });
}
std::optional<device::DeviceInfo> Device::info() const {
    return impl_->call([&] { return impl_->dev.info(); });
}
std::uint64_t Device::dropped_frames() const {
    return impl_->call([&] { return impl_->dev.dropped_frames(); });
}
std::string Device::mode() const {
    return impl_->call([&] { return impl_->dev.mode(); });
}

std::string Device::family() const {
    return impl_->call([&] { return impl_->dev.family(); });
}

std::string Device::address() const {
    return impl_->call([&] { return impl_->dev.address(); });
}

std::shared_ptr<const device::FlagTable> Device::flag_table() const {
    return impl_->call([&] { return impl_->dev.flag_table(); });
}

std::vector<device::CommandInfo> Device::commands() const {
    return impl_->call([&] { return impl_->dev.commands(); });
}

std::vector<device::ChannelInfo> Device::channels() const {
    return impl_->call([&] { return impl_->dev.channels(); });
}

std::string Device::protocol_id() const {
    return impl_->call([&] { return impl_->dev.protocol_id(); });
}
std::uint32_t Device::capabilities() const {
    return impl_->call([&] { return impl_->dev.capabilities(); });
}
std::vector<device::ProbeAttempt> Device::detection() const {
    return impl_->call([&] { return impl_->dev.detection(); });
}
void Device::close() {
    impl_->call([&] { impl_->dev.close(); });
}

}  // namespace anyserial::sync

namespace anyserial::sync::detail {

device::Device &DeviceAccess::session(sync::Device &a) {
    if (!a.impl_) throw std::logic_error("anyserial::sync::Device: moved-from handle");
    return a.impl_->dev;
}
std::shared_ptr<SharedLoop> DeviceAccess::loop(const sync::Device &a) {
    if (!a.impl_) throw std::logic_error("anyserial::sync::Device: moved-from handle");
    return a.impl_->loop;
}

}  // namespace anyserial::sync::detail

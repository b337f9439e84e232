// anyserial — sync::Manager and sync::record: each call runs on the shared loop thread and
// the caller waits on a future.
#include <anyserial/errors.hpp>
#include <anyserial/record/sync.hpp>
#include <boost/asio/post.hpp>
#include <future>

#include "device/sync_access.hpp"
#include "sync/shared_loop.hpp"

// GCC 12 false positive on Asio's awaitable frame allocator.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace anyserial::sync {

namespace asio = boost::asio;
using boost::system::error_code;
using Loop = std::shared_ptr<detail::SharedLoop>;

namespace {

template <class F>
auto on_loop(const Loop &loop, F f) -> decltype(f()) {
    return detail::call_on_loop(*loop, std::move(f));
}

// start(handler) on the loop thread; the handler's (exception_ptr, T) becomes the result.
template <class T, class Start>
T wait_for(const Loop &loop, Start start) {
    if (loop->on_loop_thread())
        throw std::logic_error("anyserial::sync: a blocking call from the loop thread");
    std::promise<T> p;
    auto fut = p.get_future();
    asio::post(loop->io(), [&] {
        try {
            start([&](std::exception_ptr e, T v) {
                if (e)
                    p.set_exception(e);
                else
                    p.set_value(std::move(v));
            });
        } catch (...) {
            p.set_exception(std::current_exception());
        }
    });
    return fut.get();
}

}  // namespace

// ---- Manager ------------------------------------------------------------------------------

struct Manager::Impl {
    Loop loop;
    record::ErrorPolicy policy;
    // Created, used and dropped on the loop thread. Each operation holds its own reference,
    // so close() from another thread never frees a manager an operation still runs on.
    std::shared_ptr<record::Manager> mgr;

    // The manager, on the loop thread; errc::closed once close() ran.
    std::shared_ptr<record::Manager> open_manager() const {
        if (!mgr)
            throw device::DeviceError(device::errc::closed, "anyserial::sync::Manager: closed");
        return mgr;
    }
};

Manager::Manager(PluginHost &host, record::ErrorPolicy policy) : impl_(std::make_unique<Impl>()) {
    impl_->loop = detail::SharedLoop::acquire();
    impl_->policy = policy;
    on_loop(impl_->loop, [&] {
        impl_->mgr =
            std::make_shared<record::Manager>(impl_->loop->io().get_executor(), host, policy);
    });
}
Manager::Manager(Manager &&) noexcept = default;
Manager &Manager::operator=(Manager &&other) noexcept {
    if (this != &other) {
        close();
        impl_ = std::move(other.impl_);
    }
    return *this;
}
Manager::~Manager() {
    close();
}

void Manager::add(const std::string &name, const std::string &port_path,
                  device::DeviceOptions options) {
    Impl &im = *impl_;
    wait_for<device::Device *>(im.loop, [&](auto h) {
        auto m = im.open_manager();
        m->async_add(name, port_path, std::move(options),
                     [m, h = std::move(h)](std::exception_ptr e, device::Device *a) mutable {
                         std::move(h)(e, a);
                     });
    });
}

void Manager::add(const std::string &name, Device &&device) {
    if (detail::DeviceAccess::loop(device) != impl_->loop)
        throw std::logic_error("anyserial::sync::Manager: the device runs on another loop");
    on_loop(impl_->loop, [&] {
        impl_->open_manager()->add(name, std::move(detail::DeviceAccess::session(device)));
    });
}

void Manager::remove(const std::string &name) {
    on_loop(impl_->loop, [&] { impl_->open_manager()->remove(name); });
}

std::vector<std::string> Manager::names() const {
    return on_loop(impl_->loop,
                   [&] { return impl_->mgr ? impl_->mgr->names() : std::vector<std::string>{}; });
}

record::ErrorPolicy Manager::error_policy() const {
    return impl_->policy;
}

std::map<std::string, record::DeviceResult<device::Frame>> Manager::poll(
    std::vector<std::string> names, Timeout timeout) {
    using R = std::map<std::string, record::DeviceResult<device::Frame>>;
    Impl &im = *impl_;
    return wait_for<R>(im.loop, [&](auto h) {
        auto m = im.open_manager();
        m->async_poll(std::move(names), timeout,
                      [m, h = std::move(h)](std::exception_ptr e, R r) mutable {
                          std::move(h)(e, std::move(r));
                      });
    });
}

std::map<std::string, record::DeviceResult<device::Frame>> Manager::poll_each(
    std::vector<std::string> names, Timeout timeout) {
    using R = std::map<std::string, record::DeviceResult<device::Frame>>;
    Impl &im = *impl_;
    return wait_for<R>(im.loop, [&](auto h) {
        auto m = im.open_manager();
        m->async_execute_each(
            [timeout](device::Device &a) -> asio::awaitable<device::Frame> {
                auto [ec, f] =
                    co_await a.async_poll(false, timeout, asio::as_tuple(asio::use_awaitable));
                if (ec) record::Manager::rethrow_device_error(a, ec);
                co_return f;
            },
            std::move(names),
            [m, h = std::move(h)](std::exception_ptr e, R r) mutable {
                std::move(h)(e, std::move(r));
            });
    });
}

std::vector<device::Sample> Manager::poll_samples(std::vector<std::string> names, Timeout timeout) {
    Impl &im = *impl_;
    return wait_for<record::Batch>(im.loop, [&](auto h) {
        auto m = im.open_manager();
        m->async_poll_samples(names, timeout,
                              [m, h = std::move(h)](error_code ec, record::Batch b) mutable {
                                  std::exception_ptr e;
                                  if (ec)
                                      e = std::make_exception_ptr(
                                          SerialError(std::error_code(ec), "manager poll failed"));
                                  std::move(h)(e, std::move(b));
                              });
    });
}

void Manager::close() {
    if (!impl_) return;
    on_loop(impl_->loop, [&] {
        if (!impl_->mgr) return;
        impl_->mgr->close();  // operations in flight finish on the devices they hold
        impl_->mgr.reset();
    });
}

// ---- Recording ----------------------------------------------------------------------------

struct Recording::Impl {
    Loop loop;
    std::optional<record::Recording> rec;  // used and destroyed on the loop thread
    struct Next {
        error_code ec;
        record::Batch batch;
    };
    std::optional<std::future<Next>> pending;  // a next() that timed out, still running
};

Recording::Recording(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Recording::Recording(Recording &&) noexcept = default;
Recording &Recording::operator=(Recording &&other) noexcept {
    if (this != &other) {
        if (impl_) {
            stop();
            on_loop(impl_->loop, [&] { impl_->rec.reset(); });
        }
        impl_ = std::move(other.impl_);
    }
    return *this;
}
Recording::~Recording() {
    if (!impl_) return;
    on_loop(impl_->loop, [&] { impl_->rec.reset(); });  // stops it
}

std::optional<record::Batch> Recording::next(Timeout timeout) {
    auto &im = *impl_;
    if (im.loop->on_loop_thread())
        throw std::logic_error("anyserial::sync::Recording::next from the loop thread");
    if (!im.pending) {
        auto p = std::make_shared<std::promise<Impl::Next>>();
        im.pending = p->get_future();
        asio::post(im.loop->io(), [&im, p] {
            im.rec->async_next_batch([p](error_code ec, record::Batch b) {
                p->set_value(Impl::Next{ec, std::move(b)});
            });
        });
    }
    if (timeout && im.pending->wait_for(*timeout) != std::future_status::ready)
        throw SerialTimeoutError(std::error_code(make_error_code(errc::timeout)),
                                 "recording: no batch within the timeout");
    Impl::Next n = im.pending->get();
    im.pending.reset();
    if (n.ec == errc::end_of_stream) return std::nullopt;
    if (n.ec) {
        const std::string msg = on_loop(im.loop, [&] { return im.rec->error_message(); });
        throw SerialError(std::error_code(n.ec), msg.empty() ? "recording failed" : msg);
    }
    return std::move(n.batch);
}

void Recording::stop() {
    on_loop(impl_->loop, [&] { impl_->rec->stop(); });
}
record::AcquisitionSummary Recording::summary() const {
    return on_loop(impl_->loop, [&] { return impl_->rec->summary(); });
}
bool Recording::finished() const {
    return on_loop(impl_->loop, [&] { return impl_->rec->finished(); });
}
double Recording::rate_hz() const {
    return on_loop(impl_->loop, [&] { return impl_->rec->rate_hz(); });
}

namespace {
template <class Make>
Recording start(const Loop &loop, record::RecordOptions options, Make source) {
    record::validate(options);
    auto impl = std::make_unique<Recording::Impl>();
    impl->loop = loop;
    Recording::Impl *raw = impl.get();
    on_loop(loop, [&] {
        raw->rec.emplace(record::record(loop->io().get_executor(), source(), std::move(options)));
    });
    return Recording(std::move(impl));
}
}  // namespace

Recording record(Device &device, record::RecordOptions options) {
    auto loop = detail::DeviceAccess::loop(device);
    device::Device *a = &detail::DeviceAccess::session(device);
    if (options.device.empty()) options.device = a->port();
    return start(loop, std::move(options), [a] { return record::PollSource::ref(*a); });
}

Recording record(Manager &manager, record::RecordOptions options) {
    // The recording shares the manager: closing the sync::Manager meanwhile ends its polls
    // with errc::closed instead of freeing what they use.
    record::validate(options);  // before taking a reference that must not drop here
    auto m = on_loop(manager.impl_->loop, [&] { return manager.impl_->open_manager(); });
    return start(manager.impl_->loop, std::move(options),
                 [m] { return record::PollSource::shared(m); });
}

}  // namespace anyserial::sync

// anyserial — the blocking SerialPort facade: every call runs on the shared loop thread
// and the caller waits for its result. Zero duplicated I/O code: pure delegation.
#include <anyserial/serial_port.hpp>
#include <anyserial/sync.hpp>
#include <anyserial/timeout.hpp>
#include <boost/asio/post.hpp>
#include <future>

#include "sync/shared_loop.hpp"

namespace anyserial::sync {

namespace asio = boost::asio;
using boost::system::error_code;

struct SerialPort::Impl {
    std::shared_ptr<detail::SharedLoop> loop;
    std::string path;
    std::optional<anyserial::SerialPort> port;  // touched on the loop thread only

    struct Result {
        error_code ec;
        std::size_t n = 0;
        ErrorDetail detail;
    };

    // Runs f on the loop thread and returns its value (exceptions are carried over).
    void ensure_open() const {
        if (!loop) throw_serial_error(make_error_code(errc::closed), "port is closed", path);
    }

    template <class F>
    auto call(F f) -> decltype(f()) {
        using R = decltype(f());
        ensure_open();
        if (loop->on_loop_thread()) return f();
        auto p = std::make_shared<std::promise<R>>();
        auto fut = p->get_future();
        asio::post(loop->io(), [p, &f] {
            try {
                if constexpr (std::is_void_v<R>) {
                    f();
                    p->set_value();
                } else {
                    p->set_value(f());
                }
            } catch (...) {
                p->set_exception(std::current_exception());
            }
        });
        return fut.get();
    }

    // Starts an async operation on the loop (start(handler)) and waits for it, with an
    // optional timeout. Throws the matching SerialError on failure.
    template <class Start>
    std::size_t run(const char *what, Timeout timeout, Start start) {
        ensure_open();
        auto p = std::make_shared<std::promise<Result>>();
        auto fut = p->get_future();
        asio::post(loop->io(), [this, p, timeout, start = std::move(start)]() mutable {
            if (!port) {
                p->set_value({make_error_code(errc::closed), 0, {}});
                return;
            }
            auto handler = [this, p](error_code ec, std::size_t n = 0) {
                Result r{ec, n, {}};
                if (ec && port) r.detail = port->last_error();
                p->set_value(std::move(r));
            };
            try {
                if (timeout)
                    start(*port,
                          with_timeout(loop->io().get_executor(), *timeout, std::move(handler)));
                else
                    start(*port, std::move(handler));
            } catch (...) {
                p->set_exception(std::current_exception());
            }
        });
        Result r = fut.get();
        if (r.ec) {
            std::string msg = std::string(what) + " failed";
            if (r.detail.code == r.ec && !r.detail.message.empty()) msg += ": " + r.detail.message;
            throw_serial_error(r.ec, std::move(msg), path,
                               r.detail.code == r.ec ? r.detail.os_error : 0);
        }
        return r.n;
    }
};

SerialPort::SerialPort(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SerialPort::Impl &SerialPort::impl() const {
    if (!impl_) throw_serial_error(make_error_code(errc::closed), "port was moved from");
    return *impl_;
}
SerialPort::SerialPort(SerialPort &&) noexcept = default;
SerialPort &SerialPort::operator=(SerialPort &&o) noexcept {
    if (this != &o) {
        try {
            close();
        } catch (...) {
        }
        impl_ = std::move(o.impl_);
    }
    return *this;
}
SerialPort::~SerialPort() {
    try {
        close();
    } catch (...) {
    }
}

SerialPort SerialPort::open(PluginHost &host, std::string path, SerialConfig config) {
    auto impl = std::make_unique<Impl>();
    impl->loop = detail::SharedLoop::acquire();
    impl->path = path;
    auto p = std::make_shared<std::promise<Impl::Result>>();
    auto fut = p->get_future();
    Impl *ip = impl.get();
    asio::post(impl->loop->io(), [ip, p, &host, path, config]() mutable {
        async_open_serial_port(ip->loop->io().get_executor(), host, path, std::move(config),
                               [ip, p](error_code ec, anyserial::SerialPort port) {
                                   Impl::Result r{ec, 0, {}};
                                   if (ec)
                                       r.detail = port.last_error();
                                   else
                                       ip->port.emplace(std::move(port));
                                   p->set_value(std::move(r));
                               });
    });
    Impl::Result r = fut.get();
    if (r.ec)
        throw_serial_error(r.ec, "cannot open serial port: " + r.detail.message, path,
                           r.detail.os_error);
    return SerialPort(std::move(impl));
}

std::size_t SerialPort::read_some(asio::mutable_buffer buffer, Timeout timeout) {
    return impl().run("read_some", timeout, [buffer](auto &port, auto &&h) {
        port.async_read_some(buffer, std::forward<decltype(h)>(h));
    });
}
void SerialPort::write(asio::const_buffer data, Timeout timeout) {
    impl().run("write", timeout, [data](auto &port, auto &&h) {
        port.async_send(data, std::forward<decltype(h)>(h));
    });
}
std::size_t SerialPort::receive_available(asio::mutable_buffer buffer, Timeout timeout) {
    return impl().run("receive_available", timeout, [buffer](auto &port, auto &&h) {
        port.async_receive_available(buffer, std::forward<decltype(h)>(h));
    });
}
void SerialPort::drain(Timeout timeout) {
    impl().run("drain", timeout,
               [](auto &port, auto &&h) { port.async_drain(std::forward<decltype(h)>(h)); });
}
void SerialPort::drain_exact(Timeout timeout) {
    impl().run("drain_exact", timeout,
               [](auto &port, auto &&h) { port.async_drain_exact(std::forward<decltype(h)>(h)); });
}
void SerialPort::send_eof(Timeout timeout) {
    impl().run("send_eof", timeout,
               [](auto &port, auto &&h) { port.async_send_eof(std::forward<decltype(h)>(h)); });
}
void SerialPort::send_break(std::chrono::nanoseconds duration, Timeout timeout) {
    impl().run("send_break", timeout, [duration](auto &port, auto &&h) {
        port.async_send_break(duration, std::forward<decltype(h)>(h));
    });
}
void SerialPort::configure(SerialConfig config, Timeout timeout) {
    impl().run("configure", timeout, [config](auto &port, auto &&h) {
        port.async_configure(config, std::forward<decltype(h)>(h));
    });
}

namespace {

template <class T, class F>
T checked(SerialPort::Impl &impl, F f) {
    return impl.call([&]() -> T {
        if (!impl.port)
            throw_serial_error(make_error_code(errc::closed), "port is closed", impl.path);
        return f(*impl.port);
    });
}

}  // namespace

void SerialPort::reset_input_buffer() {
    checked<void>(impl(), [](auto &p) { p.reset_input_buffer(); });
}
void SerialPort::reset_output_buffer() {
    checked<void>(impl(), [](auto &p) { p.reset_output_buffer(); });
}
ModemLines SerialPort::modem_lines() {
    return checked<ModemLines>(impl(), [](auto &p) { return p.modem_lines(); });
}
void SerialPort::set_control_lines(std::optional<bool> rts, std::optional<bool> dtr) {
    checked<void>(impl(), [&](auto &p) { p.set_control_lines(rts, dtr); });
}
std::size_t SerialPort::input_waiting() {
    return checked<std::size_t>(impl(), [](auto &p) { return p.input_waiting(); });
}
std::size_t SerialPort::output_waiting() {
    return checked<std::size_t>(impl(), [](auto &p) { return p.output_waiting(); });
}

void SerialPort::close() {
    if (!impl_ || !impl_->loop) return;
    impl_->call([this] {
        if (impl_->port) {
            impl_->port->close();
            impl_->port.reset();
        }
    });
    impl_->loop.reset();  // the last port to let go stops the loop thread
}

bool SerialPort::is_open() const {
    return impl_ && impl_->loop &&
           impl_->call([this] { return impl_->port && impl_->port->is_open(); });
}
const std::string &SerialPort::path() const {
    static const std::string empty;
    return impl_ ? impl_->path : empty;
}
SerialConfig SerialPort::config() const {
    return impl().call([this] { return impl_->port ? impl_->port->config() : SerialConfig{}; });
}
SerialCapabilities SerialPort::capabilities() const {
    return impl().call(
        [this] { return impl_->port ? impl_->port->capabilities() : SerialCapabilities{}; });
}
SerialStats SerialPort::stats() const {
    return impl().call([this] { return impl_->port ? impl_->port->stats() : SerialStats{}; });
}

std::size_t shared_loop_users() noexcept {
    return detail::SharedLoop::users();
}

}  // namespace anyserial::sync

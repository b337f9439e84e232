// anyserial — the blocking SerialPort facade. read_some, write and receive_available run on
// the caller's thread (sync/direct_io); open, close, drain, break, configure and the
// control calls run on the shared loop thread, where the async port they delegate to lives.
#include <anyserial/serial_port.hpp>
#include <anyserial/sync.hpp>
#include <anyserial/timeout.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <mutex>

#include "sync/direct_io.hpp"
#include "sync/shared_loop.hpp"

namespace anyserial::sync {

namespace asio = boost::asio;
using boost::system::error_code;

struct SerialPort::Impl {
    std::shared_ptr<detail::SharedLoop> loop;
    std::string path;
    std::optional<anyserial::SerialPort> port;  // touched on the loop thread only
    detail::DirectIo io;                        // the hot path, on the caller's thread
    std::mutex close_mutex;

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
    anyserial_backend_t *raw = nullptr;
    std::string plugin;
    bool collect = false;
    asio::post(impl->loop->io(), [ip, p, &host, path, config, &raw, &plugin, &collect]() mutable {
        async_open_serial_port(
            ip->loop->io().get_executor(), host, path, std::move(config),
            [ip, p, &raw, &plugin, &collect](error_code ec, anyserial::SerialPort port) {
                Impl::Result r{ec, 0, {}};
                if (ec) {
                    r.detail = port.last_error();
                } else {
                    raw = port.backend_handle();
                    plugin = port.backend_name();
                    collect = port.config().collect_stats();
                    ip->port.emplace(std::move(port));
                }
                p->set_value(std::move(r));
            });
    });
    Impl::Result r = fut.get();
    if (r.ec)
        throw_serial_error(r.ec, "cannot open serial port: " + r.detail.message, path,
                           r.detail.os_error);
    try {
        impl->io.attach(raw, path, std::move(plugin), collect);
    } catch (...) {
        impl->call([ip] { ip->port.reset(); });  // closes it, on the loop
        throw;
    }
    return SerialPort(std::move(impl));
}

namespace {

// The per-call timeout as an absolute deadline (saturating: a huge timeout never overflows).
detail::DirectIo::Deadline deadline_of(const Timeout &timeout) {
    if (!timeout) return std::nullopt;
    using clock = std::chrono::steady_clock;
    const auto now = clock::now();
    const auto room =
        std::chrono::duration_cast<std::chrono::nanoseconds>(clock::time_point::max() - now);
    if (*timeout >= room) return std::nullopt;
    return now + std::chrono::duration_cast<clock::duration>(*timeout);
}

// A write-side operation that runs on the loop holds the facade's write guard meanwhile.
template <class Start>
void write_side(SerialPort::Impl &impl, const char *what, Timeout timeout, Start start) {
    impl.io.lock_writer(what);
    struct Unlock {
        detail::DirectIo &io;
        ~Unlock() { io.unlock_writer(); }
    } unlock{impl.io};
    impl.run(what, timeout, std::move(start));
}

}  // namespace

std::size_t SerialPort::read_some(asio::mutable_buffer buffer, Timeout timeout) {
    return impl().io.read(buffer, deadline_of(timeout), detail::ReadMode::some, "read_some");
}
void SerialPort::write(asio::const_buffer data, Timeout timeout) {
    impl().io.write(data, deadline_of(timeout), "write");
}
std::size_t SerialPort::receive_available(asio::mutable_buffer buffer, Timeout timeout) {
    return impl().io.read(buffer, deadline_of(timeout), detail::ReadMode::available,
                          "receive_available");
}
void SerialPort::drain(Timeout timeout) {
    write_side(impl(), "drain", timeout,
               [](auto &port, auto &&h) { port.async_drain(std::forward<decltype(h)>(h)); });
}
void SerialPort::drain_exact(Timeout timeout) {
    write_side(impl(), "drain_exact", timeout,
               [](auto &port, auto &&h) { port.async_drain_exact(std::forward<decltype(h)>(h)); });
}
void SerialPort::send_eof(Timeout timeout) {
    write_side(impl(), "send_eof", timeout,
               [](auto &port, auto &&h) { port.async_send_eof(std::forward<decltype(h)>(h)); });
}
void SerialPort::send_break(std::chrono::nanoseconds duration, Timeout timeout) {
    write_side(impl(), "send_break", timeout, [duration](auto &port, auto &&h) {
        port.async_send_break(duration, std::forward<decltype(h)>(h));
    });
}
void SerialPort::configure(SerialConfig config, Timeout timeout) {
    const bool collect = config.collect_stats();
    impl().run("configure", timeout, [config](auto &port, auto &&h) {
        port.async_configure(config, std::forward<decltype(h)>(h));
    });
    impl().io.set_collect_stats(collect);
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
    if (!impl_) return;
    std::lock_guard lock(impl_->close_mutex);
    if (!impl_->loop) return;
    impl_->io.close();  // wakes blocked calls and waits until they left the backend
    impl_->call([this] {
        if (impl_->port) {
            impl_->port->close();
            impl_->port.reset();
        }
    });
    impl_->loop.reset();  // the last port to let go stops the loop thread
}

bool SerialPort::is_open() const {
    return impl_ && !impl_->io.closed() && impl_->loop &&
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
    // The loop-side operations' counts plus the caller-thread hot path's.
    SerialStats s =
        impl().call([this] { return impl_->port ? impl_->port->stats() : SerialStats{}; });
    const SerialStats d = impl_->io.stats();
    s.bytes_read += d.bytes_read;
    s.bytes_written += d.bytes_written;
    s.read_calls += d.read_calls;
    s.write_calls += d.write_calls;
    s.readiness_waits += d.readiness_waits;
    s.would_block += d.would_block;
    s.interrupted += d.interrupted;
    return s;
}

std::size_t shared_loop_users() noexcept {
    return detail::SharedLoop::users();
}

}  // namespace anyserial::sync

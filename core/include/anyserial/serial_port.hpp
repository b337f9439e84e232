// anyserial — SerialPort: async serial I/O on Boost.Asio over either backend kind.
//
// Models Asio's AsyncReadStream and AsyncWriteStream, so asio::async_read, async_write and
// async_read_until work on it. Every operation takes any completion token (callbacks,
// use_awaitable, use_future, deferred, as_tuple) and never runs its handler from inside the
// initiating call. One reader and one writer at a time (a second one completes with
// errc::busy); reading and writing run concurrently. Like every Asio I/O object, a port is
// used from its executor (a single-threaded io_context or a strand). See docs/serial-port.md.
#pragma once

#include <anyserial/capabilities.hpp>
#include <anyserial/config.hpp>
#include <anyserial/detail/io_op.hpp>
#include <anyserial/detail/port_core.hpp>
#include <anyserial/discovery.hpp>
#include <anyserial/errors.hpp>
#include <anyserial/modem_lines.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/stats.hpp>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace anyserial {

class SerialPort;

namespace detail {
using ErrorHandler = boost::asio::any_completion_handler<void(boost::system::error_code)>;
using OpenHandler =
    boost::asio::any_completion_handler<void(boost::system::error_code, SerialPort)>;
void start_drain(std::shared_ptr<PortCore> core, ErrorHandler h);
void start_drain_exact(std::shared_ptr<PortCore> core, ErrorHandler h);
void start_send_eof(std::shared_ptr<PortCore> core, ErrorHandler h);
void start_send_break(std::shared_ptr<PortCore> core, std::chrono::nanoseconds d, ErrorHandler h);
void start_configure(std::shared_ptr<PortCore> core, SerialConfig config, ErrorHandler h);
void start_open(boost::asio::any_io_executor ex, PluginHost &host, std::string path,
                SerialConfig config, OpenHandler h);
struct OpenInitiation {
    boost::asio::any_io_executor ex;
    PluginHost *host;
    std::string path;
    SerialConfig config;
    boost::asio::any_io_executor get_executor() const noexcept { return ex; }
    void operator()(OpenHandler h) && {
        start_open(std::move(ex), *host, std::move(path), std::move(config), std::move(h));
    }
};
// Text for errc::no_backend: the path and what the loaded backends claim.
std::string describe_no_backend(const PluginHost &host, std::string_view path);
}  // namespace detail

class SerialPort {
  public:
    using executor_type = boost::asio::any_io_executor;
    using error_code = boost::system::error_code;

    // A port that is not open (what a failed open hands back; its last_error() says why).
    explicit SerialPort(executor_type ex);
    SerialPort(executor_type ex, std::shared_ptr<detail::PortCore> core);
    SerialPort(SerialPort &&) noexcept;
    SerialPort &operator=(SerialPort &&) noexcept;
    SerialPort(const SerialPort &) = delete;
    SerialPort &operator=(const SerialPort &) = delete;
    ~SerialPort();  // closes: pending operations complete with errc::closed

    executor_type get_executor() const noexcept { return ex_; }

    // Completes with (error_code, bytes): at least one byte, or an error. EOF or EIO after
    // readiness is errc::disconnected; an empty buffer completes at once with 0 bytes.
    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers &buffers, Token &&token) {
        return io<detail::Dir::read, detail::IoMode::some>(buffers, std::forward<Token>(token));
    }
    // Completes with (error_code, bytes) after writing at least one byte.
    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers &buffers, Token &&token) {
        return io<detail::Dir::write, detail::IoMode::some>(buffers, std::forward<Token>(token));
    }
    // The whole buffer sequence, holding the write guard throughout.
    template <class ConstBuffers, class Token>
    auto async_send(const ConstBuffers &buffers, Token &&token) {
        return io<detail::Dir::write, detail::IoMode::all>(buffers, std::forward<Token>(token));
    }
    // One readiness wake-up, then one read of what is queued (at most the buffer).
    template <class MutableBuffers, class Token>
    auto async_receive_available(const MutableBuffers &buffers, Token &&token) {
        return io<detail::Dir::read, detail::IoMode::available>(buffers,
                                                                std::forward<Token>(token));
    }

    // Waits until the kernel output queue is empty (polls output_waiting on a timer).
    template <class Token>
    auto async_drain(Token &&token) {
        return initiate_ec(std::forward<Token>(token), [](auto core, detail::ErrorHandler h) {
            detail::start_drain(std::move(core), std::move(h));
        });
    }
    // Waits until the UART has sent everything (backend drain_blocking on a worker thread).
    template <class Token>
    auto async_drain_exact(Token &&token) {
        return initiate_ec(std::forward<Token>(token), [](auto core, detail::ErrorHandler h) {
            detail::start_drain_exact(std::move(core), std::move(h));
        });
    }
    // Serial has no half-close (seed §14.4): drains pending output like async_drain and logs
    // so at debug level. Idempotent (a second call has nothing left to drain and sends
    // nothing), signals nothing to the device and does not close: async_send and reads keep
    // working. A real shutdown is async_drain, then close().
    template <class Token>
    auto async_send_eof(Token &&token) {
        return initiate_ec(std::forward<Token>(token), [](auto core, detail::ErrorHandler h) {
            detail::start_send_eof(std::move(core), std::move(h));
        });
    }
    // Break on, wait, break off; off is guaranteed even when cancelled or closed.
    template <class Token>
    auto async_send_break(std::chrono::nanoseconds duration, Token &&token) {
        return initiate_ec(std::forward<Token>(token),
                           [duration](auto core, detail::ErrorHandler h) {
                               detail::start_send_break(std::move(core), duration, std::move(h));
                           });
    }
    // Applies a whole configuration atomically; UnsupportedPolicy decides about features
    // the device cannot do.
    template <class Token>
    auto async_configure(SerialConfig config, Token &&token) {
        return initiate_ec(std::forward<Token>(token), [config = std::move(config)](
                                                           auto core, detail::ErrorHandler h) {
            detail::start_configure(std::move(core), std::move(config), std::move(h));
        });
    }

    // Fast control calls (microseconds), run inline. The throwing forms throw the
    // SerialError subclass with the path and OS error; the error_code forms do not throw.
    void reset_input_buffer();
    void reset_input_buffer(error_code &ec) noexcept;
    void reset_output_buffer();
    void reset_output_buffer(error_code &ec) noexcept;
    ModemLines modem_lines();
    ModemLines modem_lines(error_code &ec) noexcept;
    void set_control_lines(std::optional<bool> rts, std::optional<bool> dtr);
    void set_control_lines(std::optional<bool> rts, std::optional<bool> dtr,
                           error_code &ec) noexcept;
    std::size_t input_waiting();
    std::size_t input_waiting(error_code &ec) noexcept;
    std::size_t output_waiting();
    std::size_t output_waiting(error_code &ec) noexcept;

    // Idempotent: wakes every pending operation (errc::closed), then closes the backend.
    void close() noexcept;

    bool is_open() const noexcept;
    const std::string &path() const noexcept;
    const SerialConfig &config() const noexcept;
    const SerialCapabilities &capabilities() const noexcept;
    std::optional<int> native_handle() const noexcept;  // sync-fd backends only
    std::optional<PortInfo> port_info() const;          // when discovery knows the device
    SerialStats stats() const noexcept;                 // zeros unless config.collect_stats
    const ErrorDetail &last_error() const noexcept;
    // The backend instance and its per-instance extensions (e.g. mock faults).
    anyserial_backend_t *backend_handle() const noexcept;
    // "backend 'id' (file)": the plugin behind this port, for messages.
    std::string backend_name() const;
    const void *backend_extension(const char *id) const noexcept;

    // Throws the SerialError subclass for ec, with this port's path and last OS error.
    [[noreturn]] void throw_error(error_code ec, std::string_view what) const;

  private:
    template <detail::Dir D, detail::IoMode M, class Buffers, class Token>
    auto io(const Buffers &buffers, Token &&token) {
        using Op = detail::IoOp<D, M, Buffers>;
        return boost::asio::async_initiate<Token, void(error_code, std::size_t)>(
            detail::IoInitiation<Op>{core_, core_ ? executor_type() : ex_, buffers}, token);
    }

    // An initiation that exposes its executor, so with_timeout() finds the I/O executor.
    template <class Start>
    struct EcInitiation {
        executor_type ex;
        std::shared_ptr<detail::PortCore> core;
        Start start;
        executor_type get_executor() const noexcept { return ex; }
        void operator()(detail::ErrorHandler h) && {
            if (!core) return post_closed(ex, std::move(h));
            std::move(start)(std::move(core), std::move(h));
        }
    };

    template <class Token, class Start>
    auto initiate_ec(Token &&token, Start start) {
        return boost::asio::async_initiate<Token, void(error_code)>(
            EcInitiation<Start>{ex_, core_, std::move(start)}, token);
    }
    static void post_closed(const executor_type &ex, detail::ErrorHandler h);

    executor_type ex_;
    std::shared_ptr<detail::PortCore> core_;
};

// Opens `path` with the backend that claims it: validates, creates the backend, opens it
// on the worker pool, completes with (error_code, SerialPort). On failure the port handed
// back is not open and its last_error() names the path, the backend and the OS error.
template <class Token>
auto async_open_serial_port(boost::asio::any_io_executor ex, PluginHost &host, std::string path,
                            SerialConfig config, Token &&token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, SerialPort)>(
        detail::OpenInitiation{std::move(ex), &host, std::move(path), std::move(config)}, token);
}

}  // namespace anyserial

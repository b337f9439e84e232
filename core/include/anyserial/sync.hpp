// anyserial — blocking facade for scripts and test benches (seed §7.5).
//
//     auto port = anyserial::sync::SerialPort::open(host, "/dev/ttyUSB0", cfg);
//     port.write(std::string_view("ping\n"));
//     std::array<char, 256> buf;
//     std::size_t n = port.read_some(boost::asio::buffer(buf), std::chrono::seconds(1));
//
// What runs where: read_some, write and receive_available run on the CALLING thread, with
// no hand-off and no heap allocation: a sync-fd backend (Linux, POSIX, mock) is read and
// written non-blocking and waited for in poll(2) on the port's fd plus an eventfd that
// close() signals; an async-completion backend's completion wakes the calling thread
// directly. open, close, drain, drain_exact, send_break, configure and the control calls
// run on ONE background io_context thread shared by every sync port in the process
// (started with the first port, stopped when the last one is gone): the timers behind
// drain and break live there. Calls may come from any thread. Failures throw the
// SerialError subclass (SerialTimeoutError for a timeout, SerialClosedError once closed)
// carrying the path and the OS error. One reader and one writer at a time, from two
// threads at once if wanted (full duplex); a second concurrent read, or a write during
// drain/break, fails with SerialBusyError. close() from another thread wakes a blocked
// call, which then throws SerialClosedError.
#pragma once

#include <anyserial/capabilities.hpp>
#include <anyserial/config.hpp>
#include <anyserial/modem_lines.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/stats.hpp>
#include <boost/asio/buffer.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace anyserial::sync {

using Timeout = std::optional<std::chrono::nanoseconds>;

class SerialPort {
  public:
    // Opens on the shared loop; throws PortNotFoundError, PortBusyError, PluginError, ...
    // (Opening is not cancellable, so it takes no timeout.)
    static SerialPort open(PluginHost &host, std::string path, SerialConfig config = {});

    SerialPort(SerialPort &&) noexcept;
    SerialPort &operator=(SerialPort &&) noexcept;
    SerialPort(const SerialPort &) = delete;
    SerialPort &operator=(const SerialPort &) = delete;
    ~SerialPort();  // closes

    // At least one byte (blocks until then, or the timeout).
    std::size_t read_some(boost::asio::mutable_buffer buffer, Timeout timeout = std::nullopt);
    // The whole buffer.
    void write(boost::asio::const_buffer data, Timeout timeout = std::nullopt);
    // One wake-up, then everything queued that fits.
    std::size_t receive_available(boost::asio::mutable_buffer buffer,
                                  Timeout timeout = std::nullopt);
    void drain(Timeout timeout = std::nullopt);
    void drain_exact(Timeout timeout = std::nullopt);
    void send_break(std::chrono::nanoseconds duration = std::chrono::milliseconds(250),
                    Timeout timeout = std::nullopt);
    void configure(SerialConfig config, Timeout timeout = std::nullopt);
    void reset_input_buffer();
    void reset_output_buffer();
    ModemLines modem_lines();
    void set_control_lines(std::optional<bool> rts, std::optional<bool> dtr);
    std::size_t input_waiting();
    std::size_t output_waiting();
    void close();

    bool is_open() const;
    const std::string &path() const;
    SerialConfig config() const;
    SerialCapabilities capabilities() const;
    SerialStats stats() const;

    struct Impl;

  private:
    explicit SerialPort(std::unique_ptr<Impl> impl);
    Impl &impl() const;
    std::unique_ptr<Impl> impl_;
};

// Number of live sync ports (and so whether the shared loop thread runs): for tests.
std::size_t shared_loop_users() noexcept;

}  // namespace anyserial::sync

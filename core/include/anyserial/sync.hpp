// anyserial — blocking facade for scripts and test benches (seed §7.5).
//
//     auto port = anyserial::sync::SerialPort::open(host, "/dev/ttyUSB0", cfg);
//     port.write(std::string_view("ping\n"));
//     std::array<char, 256> buf;
//     std::size_t n = port.read_some(boost::asio::buffer(buf), std::chrono::seconds(1));
//
// Every sync port in the process shares ONE background io_context thread, started with the
// first port and stopped when the last one is gone. Calls may come from any thread; the
// work runs on that loop. Failures throw the SerialError subclass (SerialTimeoutError for a
// timeout) carrying the path and the OS error. Reads and writes on one port may run from
// two threads at once (full duplex); two concurrent reads fail with SerialBusyError.
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
    // Drains; idempotent; does not close (seed §14.4, SerialPort::async_send_eof).
    void send_eof(Timeout timeout = std::nullopt);
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

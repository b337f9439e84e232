// anyserial — Transport: one serial line shared by several request/response devices
// (RS-485 multidrop, units on one ASCII line).
//
//     auto [ec, bus] = co_await device::async_open_transport(ex, host, "/dev/ttyUSB0",
//                                                            {.protocol = "acme-flow"},
//                                                            as_tuple(use_awaitable));
//     auto [e1, a1] = co_await device::async_open_device(bus, {.protocol = "acme-flow",
//                                                              .address = "A"}, ...);
//     auto [e2, a2] = co_await device::async_open_device(bus, {... .address = "B"}, ...);
//
// The line has one receive loop and a bus lock: a device holds the lock for a whole
// operation (all transactions of a poll), so peers never interleave on the wire; bytes
// are routed to the holder and discarded between operations. The idle gap before a
// request counts every peer's traffic. Only request/response protocols can share a line
// (a broadcaster is a single talker; AUTO needs the line to itself): both are refused
// with errc::validation before anything is sent.
//
// A Transport is a cheap shared handle. Devices on it keep the line alive; close()
// closes the port for everybody (their pending and later operations fail with
// errc::connection), and so does dropping the last handle and the last device.
// Closing a device only detaches it. Everything on one line runs on
// the line's executor (a strand for an opened transport; the port's own executor for an
// adopted port, which must be single-threaded or a strand). Call close(), and drop
// handles, from that executor too (dispatch onto it from another thread), as for any
// Asio I/O object.
#pragma once

#include <anyserial/device/options.hpp>
#include <anyserial/device/session.hpp>
#include <anyserial/serial_port.hpp>
#include <cstdint>
#include <memory>
#include <string>

namespace anyserial::device {

class Transport;

namespace detail {
struct SharedLine;
void start_open_transport(boost::asio::any_io_executor ex, PluginHost &host, std::string path,
                          DeviceOptions options, Handler<Transport> h);
}  // namespace detail

class Transport {
  public:
    using executor_type = boost::asio::any_io_executor;

    Transport() = default;
    // Adopts an open port (ownership passes to the transport). `host` supplies the
    // protocol plugins of the devices opened on it and must outlive them.
    Transport(SerialPort port, PluginHost &host);

    explicit operator bool() const noexcept { return line_ != nullptr; }
    bool is_open() const noexcept;
    const std::string &path() const noexcept;
    executor_type get_executor() const;
    // The port itself (e.g. its backend_extension); use it from the line's executor only.
    SerialPort &port() const;
    std::size_t devices() const noexcept;             // attached, still open
    std::uint64_t bus_acquisitions() const noexcept;  // operations that held the bus
    // Why async_open_transport failed (DeviceError with the port), else null.
    std::exception_ptr last_error() const noexcept;
    // Closes the port; idempotent. Attached devices fail with errc::connection.
    void close() noexcept;

    explicit Transport(std::shared_ptr<detail::SharedLine> l);
    const std::shared_ptr<detail::SharedLine> &line() const noexcept { return line_; }

  private:
    std::shared_ptr<detail::SharedLine> line_;
    std::shared_ptr<void> guard_;  // the last handle (or device) to go closes the line
};

// Opens `path` for sharing. The serial settings are options.serial, else the default of
// options.protocol's plugin (19200 8N1 when it names none), with options.baudrate.
// Completes with (error_code in device_category(), Transport); a failed Transport is
// empty-ported but its last_error() says why.
template <class Token>
auto async_open_transport(boost::asio::any_io_executor ex, PluginHost &host, std::string path,
                          DeviceOptions options, Token &&token) {
    return boost::asio::async_initiate<Token, void(detail::ec_t, Transport)>(
        [](auto h, boost::asio::any_io_executor e, PluginHost *hp, std::string p, DeviceOptions o) {
            detail::start_open_transport(std::move(e), *hp, std::move(p), std::move(o),
                                         detail::Handler<Transport>(std::move(h)));
        },
        token, std::move(ex), &host, std::move(path), std::move(options));
}

// A device on a shared transport: options.protocol must name a request/response protocol
// and options.address its bus address (text in its syntax). Completes with
// (error_code, Device).
template <class Token>
auto async_open_device(const Transport &transport, DeviceOptions options, Token &&token) {
    return boost::asio::async_initiate<Token, void(detail::ec_t, Device)>(
        [](auto h, std::shared_ptr<detail::SharedLine> l, DeviceOptions o) {
            detail::start_open_on(std::move(l), std::move(o),
                                  detail::Handler<Device>(std::move(h)));
        },
        token, transport.line(), std::move(options));
}

}  // namespace anyserial::device

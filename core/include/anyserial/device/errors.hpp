// anyserial — device session errors (seed 004's error hierarchy, device-neutral).
//
// Every failure of the device layer is a DeviceError: a std::system_error whose code is a
// device::errc in device_category() (so `e.code() == device::errc::timeout` works, and
// error_code_of() turns any exception_ptr the async operations complete with into an
// error code), plus an ErrorContext saying where it happened: port, protocol, address,
// channel, register, function code, the request and response bytes, the elapsed time.
//
// The async operations of Device complete with (std::exception_ptr, T): with
// use_awaitable and use_future the concrete subclass below is what gets thrown.
#pragma once

#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/is_error_code_enum.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

namespace anyserial::device {

enum class errc {
    ok = 0,
    configuration = 1,      // bad arguments or options, refused before any I/O
    confirmation_required,  // a state-changing operation without confirm = true
    validation,             // a request argument failed validation (channel, address, arg)
    capability,             // the device cannot do this
    protocol_unsupported,   // the active protocol cannot do this (a command in a listen-only mode)
    protocol,               // any other protocol-level failure
    checksum,               // checksum / CRC / LRC mismatch
    frame,                  // structural frame error
    parse,                  // a field could not be parsed
    modbus_exception,       // the device refused the request (an exception response)
    transport,              // I/O error from the serial port
    connection,             // could not open / lost the port / no recognised protocol
    timeout,                // no (complete) answer in time
    closed,                 // the device session was closed
    not_latched,            // a state-changing command did not take (its read-back differs)
};

const boost::system::error_category &device_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), device_category()};
}

// Best-effort structured context; absent fields are simply not known.
struct ErrorContext {
    std::optional<std::string> port;
    std::optional<std::string> protocol;  // the plugin id, e.g. "acme-flow"
    std::optional<std::string> address;   // as text, canonical ("7", "A")
    std::optional<std::string> channel;
    std::optional<std::uint32_t> register_address;  // data-model number (30001)
    std::optional<std::uint32_t> function_code;
    std::optional<std::uint32_t> exception_code;
    std::vector<std::uint8_t> request;
    std::vector<std::uint8_t> response;
    std::optional<std::chrono::nanoseconds> elapsed;

    // Fields of `over` that are set replace these.
    ErrorContext merged(const ErrorContext &over) const;
    // "port /dev/pts/3, protocol acme-flow, address 1, FC 4, register 30001,
    //  request 01 04 00 00 00 46 .., after 0.612 s"; empty when nothing is known.
    std::string describe() const;
};

// "01 04 00 00" (at most `max` bytes, then "..").
std::string hex_bytes(std::span<const std::uint8_t> bytes, std::size_t max = 32);

class DeviceError : public std::system_error {
  public:
    DeviceError(errc code, std::string message, ErrorContext context = {});
    const ErrorContext &context() const noexcept { return context_; }
    // The message without the context suffix.
    const std::string &message() const noexcept { return message_; }
    errc condition() const noexcept { return static_cast<errc>(code().value()); }

  private:
    std::string message_;
    ErrorContext context_;
};

class ConfigurationError : public DeviceError {
    using DeviceError::DeviceError;
};
class ConfirmationRequiredError : public ConfigurationError {
    using ConfigurationError::ConfigurationError;
};
class ValidationError : public ConfigurationError {
    using ConfigurationError::ConfigurationError;
};
class CapabilityError : public DeviceError {
    using DeviceError::DeviceError;
};
class ProtocolError : public DeviceError {
    using DeviceError::DeviceError;
};
class ProtocolUnsupportedError : public ProtocolError {
    using ProtocolError::ProtocolError;
};
class ChecksumError : public ProtocolError {
    using ProtocolError::ProtocolError;
};
class FrameError : public ProtocolError {
    using ProtocolError::ProtocolError;
};
class ParseError : public ProtocolError {
    using ProtocolError::ProtocolError;
};
class ModbusError : public ProtocolError {
    using ProtocolError::ProtocolError;
};
// The device acknowledged a state-changing command but reading it back shows it did not
// take effect.
class NotLatchedError : public ProtocolError {
    using ProtocolError::ProtocolError;
};
class TransportError : public DeviceError {
    using DeviceError::DeviceError;
};
class ConnectionError : public TransportError {
    using TransportError::TransportError;
};
class TimeoutError : public TransportError {
    using TransportError::TransportError;
};

// Builds and throws the subclass matching `code`.
[[noreturn]] void throw_device_error(errc code, std::string message, ErrorContext context = {});
std::exception_ptr make_device_error(errc code, std::string message, ErrorContext context = {});

// Rethrows `e` as a DeviceError with `extra` merged into its context (keeps the subclass);
// other exceptions (SerialError from the port, ...) become TransportError/ConnectionError.
[[noreturn]] void rethrow_with_context(std::exception_ptr e, const ErrorContext &extra);

// The error code of an exception_ptr: DeviceError and SerialError keep theirs; anything
// else is errc::protocol. A null pointer gives success.
boost::system::error_code error_code_of(const std::exception_ptr &e) noexcept;
// The DeviceError inside `e`, if it is one (the pointer stays valid while `e` lives).
const DeviceError *device_error_of(const std::exception_ptr &e) noexcept;

}  // namespace anyserial::device

template <>
struct std::is_error_code_enum<anyserial::device::errc> : std::true_type {};

namespace boost::system {
template <>
struct is_error_code_enum<anyserial::device::errc> : std::true_type {};
}  // namespace boost::system

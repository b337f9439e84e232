// anyserial — error codes and exceptions.
//
// Every failure is an anyserial::errc in serial_category(). The category is a
// Boost.System category that also converts to std::error_category, so both
//     std::error_code ec = anyserial::errc::busy;
//     boost::system::error_code bec = anyserial::errc::busy;   // what Asio handlers get
// compare equal to anyserial::errc::busy. The throwing paths use SerialError and its
// subclasses (seed §10), which carry the code, the port path and the original OS error.
#pragma once

#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/is_error_code_enum.hpp>
#include <string>
#include <system_error>

namespace anyserial {

enum class errc {
    ok = 0,
    port_not_found = 1,         // ENOENT, ENODEV, ENXIO on open; no such mock pair
    port_busy,                  // EBUSY, exclusive lock held by someone else
    permission_denied,          // EACCES, EPERM
    unsupported_feature,        // optional feature the platform/driver cannot do
    unsupported_configuration,  // the driver/device rejects this configuration
    invalid_configuration,      // the SerialConfig is internally invalid
    closed,                     // operation on a port closed locally
    disconnected,               // device vanished: EIO, HUP, EOF after readiness
    busy,                       // a second concurrent operation in one direction
    end_of_stream,              // peer closed cleanly
    timeout,
    protocol,          // device protocol failure (bad frame, exception reply)
    io_error,          // any other OS I/O failure (errno kept alongside)
    no_backend,        // no loaded backend plugin claims this port name
    plugin_error,      // a plugin misbehaved (threw, broke the ABI contract)
    invalid_argument,  // bad argument to an API call, refused before any I/O
    not_supported,     // operation not available on this backend kind
};

const boost::system::error_category &serial_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), serial_category()};
}

// errno (as seen in `context`) -> errc, following seed §10.1.
enum class ErrnoContext { open, io, ioctl_feature, ioctl_configuration, lock };
errc errc_from_errno(int os_errno, ErrnoContext context) noexcept;

// SDK status (ANYSERIAL_E_*) -> errc.
errc errc_from_status(int status) noexcept;

// Base of every anyserial exception: std::system_error with the port path and the
// original OS error (0 when none).
class SerialError : public std::system_error {
  public:
    SerialError(std::error_code code, std::string what, std::string path = {}, int os_error = 0);
    const std::string &path() const noexcept { return path_; }
    int os_error() const noexcept { return os_error_; }

  private:
    std::string path_;
    int os_error_;
};

class ConfigurationError : public SerialError {
    using SerialError::SerialError;
};
class PortNotFoundError : public SerialError {
    using SerialError::SerialError;
};
class PortBusyError : public SerialError {
    using SerialError::SerialError;
};
class UnsupportedFeatureError : public SerialError {
    using SerialError::SerialError;
};
class UnsupportedConfigurationError : public SerialError {
    using SerialError::SerialError;
};
class SerialClosedError : public SerialError {
    using SerialError::SerialError;
};
class SerialDisconnectedError : public SerialError {
    using SerialError::SerialError;
};
class SerialBusyError : public SerialError {
    using SerialError::SerialError;
};
class SerialTimeoutError : public SerialError {
    using SerialError::SerialError;
};
class PluginError : public SerialError {
    using SerialError::SerialError;
};

// Throws the SerialError subclass that matches code (a SerialError for the rest).
// `what` says what failed; the path and OS error are appended to the message.
[[noreturn]] void throw_serial_error(std::error_code code, std::string what, std::string path = {},
                                     int os_error = 0);

}  // namespace anyserial

template <>
struct std::is_error_code_enum<anyserial::errc> : std::true_type {};

namespace boost::system {
template <>
struct is_error_code_enum<anyserial::errc> : std::true_type {};
}  // namespace boost::system

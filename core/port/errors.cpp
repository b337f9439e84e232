// anyserial — error category, errno/status mapping and exceptions.
#include <anyserial/sdk/status.h>

#include <anyserial/errors.hpp>
#include <cerrno>
#include <cstring>

namespace anyserial {
namespace {

class SerialCategory final : public boost::system::error_category {
  public:
    // A fixed id keeps the category unique even if two copies of the library load.
    constexpr SerialCategory() noexcept : error_category(0x616e797365726961ULL) {}
    const char *name() const noexcept override { return "anyserial"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::ok:
                return "success";
            case errc::port_not_found:
                return "port not found";
            case errc::port_busy:
                return "port is busy or locked by another process";
            case errc::permission_denied:
                return "permission denied";
            case errc::unsupported_feature:
                return "feature not supported";
            case errc::unsupported_configuration:
                return "configuration not supported";
            case errc::invalid_configuration:
                return "invalid configuration";
            case errc::closed:
                return "port is closed";
            case errc::disconnected:
                return "device disconnected";
            case errc::busy:
                return "another operation in this direction is in progress";
            case errc::end_of_stream:
                return "end of stream";
            case errc::timeout:
                return "operation timed out";
            case errc::protocol:
                return "protocol error";
            case errc::io_error:
                return "input/output error";
            case errc::no_backend:
                return "no backend plugin claims this port";
            case errc::plugin_error:
                return "plugin error";
            case errc::invalid_argument:
                return "invalid argument";
            case errc::not_supported:
                return "operation not supported";
        }
        return "unknown anyserial error " + std::to_string(ev);
    }
};

const SerialCategory kCategory;

std::string compose(const std::string &what, const std::string &path, int os_error) {
    std::string s = what;
    if (!path.empty()) s += " [port " + path + "]";
    if (os_error != 0) {
        s += " (";
        s += std::strerror(os_error);
        s += ", errno " + std::to_string(os_error) + ")";
    }
    return s;
}

}  // namespace

const boost::system::error_category &serial_category() noexcept {
    return kCategory;
}

errc errc_from_errno(int e, ErrnoContext context) noexcept {
    switch (e) {
        case 0:
            return errc::ok;
        case ENOENT:
        case ENODEV:
        case ENXIO:
            return context == ErrnoContext::open ? errc::port_not_found : errc::disconnected;
        case EISDIR:
        case ENOTDIR:
        case ELOOP:
            // A directory (or a path through a file) is no port: say what open said.
            return context == ErrnoContext::open ? errc::port_not_found : errc::io_error;
        case EBUSY:
            return errc::port_busy;
        case EWOULDBLOCK:
            return context == ErrnoContext::lock ? errc::port_busy : errc::io_error;
        case EACCES:
        case EPERM:
            return errc::permission_denied;
        case EINVAL:
        case ENOTTY:
        case EOPNOTSUPP:
            if (context == ErrnoContext::ioctl_feature) return errc::unsupported_feature;
            if (context == ErrnoContext::ioctl_configuration)
                return errc::unsupported_configuration;
            return context == ErrnoContext::open ? errc::port_not_found : errc::io_error;
        case EIO:
        case EPIPE:
        case ESHUTDOWN:
        case ECONNRESET:
            return errc::disconnected;
        case ETIMEDOUT:
            return errc::timeout;
        default:
            return errc::io_error;
    }
}

errc errc_from_status(int status) noexcept {
    switch (status) {
        case ANYSERIAL_OK:
            return errc::ok;
        case ANYSERIAL_E_NOT_SUPPORTED:
            return errc::unsupported_feature;
        case ANYSERIAL_E_TIMEOUT:
            return errc::timeout;
        case ANYSERIAL_E_DISCONNECTED:
            return errc::disconnected;
        case ANYSERIAL_E_BUSY:
            return errc::port_busy;
        case ANYSERIAL_E_NOT_FOUND:
            return errc::port_not_found;
        case ANYSERIAL_E_INVALID_ARGUMENT:
            return errc::invalid_argument;
        case ANYSERIAL_E_UNSUPPORTED_CONFIG:
            return errc::unsupported_configuration;
        case ANYSERIAL_E_PERMISSION:
            return errc::permission_denied;
        case ANYSERIAL_E_CLOSED:
            return errc::closed;
        case ANYSERIAL_E_PROTOCOL:
            return errc::protocol;
        case ANYSERIAL_E_INTERNAL:
        case ANYSERIAL_E_VERSION:
            return errc::plugin_error;
        case ANYSERIAL_E_STATE:
            return errc::not_supported;
        default:
            return errc::io_error;
    }
}

SerialError::SerialError(std::error_code code, std::string what, std::string path, int os_error)
    : std::system_error(code, compose(what, path, os_error)),
      path_(std::move(path)),
      os_error_(os_error) {}

void throw_serial_error(std::error_code code, std::string what, std::string path, int os_error) {
    if (code.category() == static_cast<const std::error_category &>(serial_category())) {
        switch (static_cast<errc>(code.value())) {
            case errc::invalid_configuration:
            case errc::invalid_argument:
                throw ConfigurationError(code, std::move(what), std::move(path), os_error);
            case errc::port_not_found:
                throw PortNotFoundError(code, std::move(what), std::move(path), os_error);
            case errc::port_busy:
                throw PortBusyError(code, std::move(what), std::move(path), os_error);
            case errc::unsupported_feature:
            case errc::not_supported:
                throw UnsupportedFeatureError(code, std::move(what), std::move(path), os_error);
            case errc::unsupported_configuration:
                throw UnsupportedConfigurationError(code, std::move(what), std::move(path),
                                                    os_error);
            case errc::closed:
                throw SerialClosedError(code, std::move(what), std::move(path), os_error);
            case errc::disconnected:
            case errc::end_of_stream:
                throw SerialDisconnectedError(code, std::move(what), std::move(path), os_error);
            case errc::busy:
                throw SerialBusyError(code, std::move(what), std::move(path), os_error);
            case errc::timeout:
                throw SerialTimeoutError(code, std::move(what), std::move(path), os_error);
            case errc::plugin_error:
            case errc::no_backend:
                throw PluginError(code, std::move(what), std::move(path), os_error);
            default:
                break;
        }
    }
    throw SerialError(code, std::move(what), std::move(path), os_error);
}

}  // namespace anyserial

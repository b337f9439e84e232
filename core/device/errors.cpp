// anyserial — device error category, context formatting and the exception factory.
#include <anyserial/device/errors.hpp>
#include <anyserial/errors.hpp>
#include <boost/system/system_error.hpp>
#include <cstdio>

namespace anyserial::device {
namespace {

class DeviceCategory final : public boost::system::error_category {
  public:
    constexpr DeviceCategory() noexcept : error_category(0x616e792d64657669ULL) {}
    const char *name() const noexcept override { return "anyserial.device"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::ok:
                return "success";
            case errc::configuration:
                return "configuration error";
            case errc::confirmation_required:
                return "confirmation required";
            case errc::validation:
                return "validation failed";
            case errc::capability:
                return "not available on this device";
            case errc::protocol_unsupported:
                return "not supported by the active protocol";
            case errc::protocol:
                return "protocol error";
            case errc::checksum:
                return "checksum mismatch";
            case errc::frame:
                return "malformed frame";
            case errc::parse:
                return "unparsable field";
            case errc::modbus_exception:
                return "exception response";
            case errc::transport:
                return "transport error";
            case errc::connection:
                return "connection error";
            case errc::timeout:
                return "timed out";
            case errc::closed:
                return "device session closed";
            case errc::not_latched:
                return "command did not latch";
        }
        return "unknown device error " + std::to_string(ev);
    }
};

const DeviceCategory kCategory;

std::string compose(const std::string &message, const ErrorContext &ctx) {
    const std::string where = ctx.describe();
    return where.empty() ? message : message + " [" + where + "]";
}

}  // namespace

const boost::system::error_category &device_category() noexcept {
    return kCategory;
}

std::string hex_bytes(std::span<const std::uint8_t> bytes, std::size_t max) {
    std::string out;
    const std::size_t n = bytes.size() < max ? bytes.size() : max;
    out.reserve(n * 3 + 3);
    char buf[4];
    for (std::size_t i = 0; i < n; ++i) {
        std::snprintf(buf, sizeof buf, "%02X", bytes[i]);
        if (i != 0) out += ' ';
        out += buf;
    }
    if (bytes.size() > n) out += " ..";
    return out;
}

ErrorContext ErrorContext::merged(const ErrorContext &over) const {
    ErrorContext c = *this;
    if (over.port) c.port = over.port;
    if (over.protocol) c.protocol = over.protocol;
    if (over.address) c.address = over.address;
    if (over.channel) c.channel = over.channel;
    if (over.register_address) c.register_address = over.register_address;
    if (over.function_code) c.function_code = over.function_code;
    if (over.exception_code) c.exception_code = over.exception_code;
    if (!over.request.empty()) c.request = over.request;
    if (!over.response.empty()) c.response = over.response;
    if (over.elapsed) c.elapsed = over.elapsed;
    return c;
}

std::string ErrorContext::describe() const {
    std::string s;
    auto add = [&s](const std::string &part) {
        if (!s.empty()) s += ", ";
        s += part;
    };
    if (port) add("port " + *port);
    if (protocol) add("protocol " + *protocol);
    if (address) add("address " + *address);
    if (channel) add("channel " + *channel);
    if (function_code) add("FC " + std::to_string(*function_code));
    if (register_address) add("register " + std::to_string(*register_address));
    if (exception_code) add("exception code " + std::to_string(*exception_code));
    if (!request.empty()) add("request " + hex_bytes(request));
    if (!response.empty()) add("response " + hex_bytes(response));
    if (elapsed) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "after %.3f s",
                      std::chrono::duration<double>(*elapsed).count());
        add(buf);
    }
    return s;
}

DeviceError::DeviceError(errc code, std::string message, ErrorContext context)
    : std::system_error(make_error_code(code), compose(message, context)),
      message_(std::move(message)),
      context_(std::move(context)) {}

std::exception_ptr make_device_error(errc code, std::string message, ErrorContext ctx) {
    try {
        throw_device_error(code, std::move(message), std::move(ctx));
    } catch (...) {
        return std::current_exception();
    }
}

void throw_device_error(errc code, std::string m, ErrorContext c) {
    switch (code) {
        case errc::configuration:
            throw ConfigurationError(code, std::move(m), std::move(c));
        case errc::confirmation_required:
            throw ConfirmationRequiredError(code, std::move(m), std::move(c));
        case errc::validation:
            throw ValidationError(code, std::move(m), std::move(c));
        case errc::capability:
            throw CapabilityError(code, std::move(m), std::move(c));
        case errc::protocol_unsupported:
            throw ProtocolUnsupportedError(code, std::move(m), std::move(c));
        case errc::protocol:
            throw ProtocolError(code, std::move(m), std::move(c));
        case errc::checksum:
            throw ChecksumError(code, std::move(m), std::move(c));
        case errc::frame:
            throw FrameError(code, std::move(m), std::move(c));
        case errc::parse:
            throw ParseError(code, std::move(m), std::move(c));
        case errc::modbus_exception:
            throw ModbusError(code, std::move(m), std::move(c));
        case errc::transport:
            throw TransportError(code, std::move(m), std::move(c));
        case errc::connection:
        case errc::closed:
            throw ConnectionError(code, std::move(m), std::move(c));
        case errc::timeout:
            throw TimeoutError(code, std::move(m), std::move(c));
        case errc::not_latched:
            throw NotLatchedError(code, std::move(m), std::move(c));
        case errc::ok:
            break;
    }
    throw DeviceError(code, std::move(m), std::move(c));
}

void rethrow_with_context(std::exception_ptr e, const ErrorContext &extra) {
    try {
        std::rethrow_exception(e);
    } catch (const DeviceError &d) {
        throw_device_error(d.condition(), d.message(), d.context().merged(extra));
    } catch (const PluginError &p) {
        // A plugin broke the ABI (core/plugin's checks): a protocol failure naming it.
        throw_device_error(errc::protocol, p.what(), extra);
    } catch (const SerialError &s) {
        errc code = errc::transport;
        if (s.code() == anyserial::errc::timeout) code = errc::timeout;
        // Settings the serial layer refused are the caller's to fix, not a line failure.
        if (s.code() == anyserial::errc::invalid_configuration ||
            s.code() == anyserial::errc::unsupported_configuration ||
            s.code() == anyserial::errc::invalid_argument)
            code = errc::configuration;
        if (s.code() == anyserial::errc::port_not_found || s.code() == anyserial::errc::port_busy ||
            s.code() == anyserial::errc::permission_denied ||
            s.code() == anyserial::errc::disconnected || s.code() == anyserial::errc::closed ||
            s.code() == anyserial::errc::no_backend)
            code = errc::connection;
        throw_device_error(code, s.what(), extra);
    }
    std::rethrow_exception(e);  // unreachable: both handlers throw
}

boost::system::error_code error_code_of(const std::exception_ptr &e) noexcept {
    if (!e) return {};
    try {
        std::rethrow_exception(e);
    } catch (const DeviceError &d) {
        return make_error_code(d.condition());
    } catch (const boost::system::system_error &s) {
        return s.code();
    } catch (const std::system_error &s) {
        if (s.code().category() == static_cast<const std::error_category &>(serial_category()))
            return {s.code().value(), serial_category()};
        return make_error_code(errc::transport);
    } catch (...) {
        return make_error_code(errc::protocol);
    }
}

const DeviceError *device_error_of(const std::exception_ptr &e) noexcept {
    if (!e) return nullptr;
    try {
        std::rethrow_exception(e);
    } catch (const DeviceError &d) {
        return &d;  // the exception object lives as long as `e`
    } catch (...) {
        return nullptr;
    }
}

}  // namespace anyserial::device

// anyserial — SerialPort: lifetime, introspection and the inline control calls.
#include <anyserial/sdk/status.h>

#include <anyserial/serial_port.hpp>
#include <boost/asio/post.hpp>

#include "log/logger.hpp"

namespace anyserial {
namespace {

const std::string kEmpty;
const SerialConfig kDefaultConfig;
const SerialCapabilities kNoCaps;
const ErrorDetail kNotOpen{make_error_code(errc::closed), 0, "port is not open"};

}  // namespace

SerialPort::SerialPort(executor_type ex) : ex_(std::move(ex)) {}
SerialPort::SerialPort(executor_type ex, std::shared_ptr<detail::PortCore> core)
    : ex_(std::move(ex)), core_(std::move(core)) {}
SerialPort::SerialPort(SerialPort &&o) noexcept : ex_(o.ex_), core_(std::move(o.core_)) {}
SerialPort &SerialPort::operator=(SerialPort &&o) noexcept {
    if (this != &o) {
        close();
        ex_ = o.ex_;
        core_ = std::move(o.core_);
    }
    return *this;
}
SerialPort::~SerialPort() {
    close();
}

void SerialPort::close() noexcept {
    if (core_) core_->close();
}

bool SerialPort::is_open() const noexcept {
    return core_ && core_->open && !core_->closed;
}
const std::string &SerialPort::path() const noexcept {
    return core_ ? core_->path : kEmpty;
}
const SerialConfig &SerialPort::config() const noexcept {
    return core_ ? core_->config : kDefaultConfig;
}
const SerialCapabilities &SerialPort::capabilities() const noexcept {
    return core_ ? core_->caps : kNoCaps;
}
std::optional<int> SerialPort::native_handle() const noexcept {
    if (!is_open() || !core_->sync_fd) return std::nullopt;
    const int fd = core_->raw->sync_fd->fileno(core_->raw);
    if (fd < 0) return std::nullopt;
    return fd;
}
std::optional<PortInfo> SerialPort::port_info() const {
    if (!core_ || core_->host == nullptr) return std::nullopt;
    return find_port_info(*core_->host, core_->path);
}
SerialStats SerialPort::stats() const noexcept {
    return core_ ? core_->stats : SerialStats{};
}
const ErrorDetail &SerialPort::last_error() const noexcept {
    return core_ ? core_->last_error : kNotOpen;
}
anyserial_backend_t *SerialPort::backend_handle() const noexcept {
    return core_ ? core_->raw : nullptr;
}
std::string SerialPort::backend_name() const {
    return core_ ? core_->plugin_name() : std::string("backend");
}
const void *SerialPort::backend_extension(const char *id) const noexcept {
    if (!core_ || core_->raw == nullptr || core_->raw->control->get_extension == nullptr)
        return nullptr;
    return core_->raw->control->get_extension(core_->raw, id);
}

void SerialPort::post_closed(const executor_type &ex, detail::ErrorHandler h) {
    boost::asio::post(
        ex, [h = std::move(h)]() mutable { std::move(h)(make_error_code(errc::closed)); });
}

void SerialPort::throw_error(error_code ec, std::string_view what) const {
    const ErrorDetail &d = last_error();
    std::string msg(what);
    if (d.code == ec && !d.message.empty()) msg += ": " + d.message;
    throw_serial_error(ec, std::move(msg), path(), d.code == ec ? d.os_error : 0);
}

// ---- control calls ------------------------------------------------------------------

namespace {

// Runs one control-table call with the closed check and error capture.
template <class F>
void control_call(detail::PortCore *c, boost::system::error_code &ec, const char *what,
                  ErrnoContext ctx, F f) noexcept {
    ec.clear();
    if (c == nullptr || c->closed || !c->open) {
        ec = make_error_code(errc::closed);
        return;
    }
    const std::int32_t rc = f(c->raw);
    if (rc != ANYSERIAL_OK) ec = c->backend_error(rc, ctx, what);
}

}  // namespace

void SerialPort::reset_input_buffer(error_code &ec) noexcept {
    control_call(core_.get(), ec, "reset_input_buffer", ErrnoContext::io,
                 [](anyserial_backend_t *b) { return b->control->reset_input(b); });
}
void SerialPort::reset_output_buffer(error_code &ec) noexcept {
    control_call(core_.get(), ec, "reset_output_buffer", ErrnoContext::io,
                 [](anyserial_backend_t *b) { return b->control->reset_output(b); });
}
ModemLines SerialPort::modem_lines(error_code &ec) noexcept {
    std::uint32_t bits = 0;
    control_call(core_.get(), ec, "modem_lines", ErrnoContext::ioctl_feature,
                 [&](anyserial_backend_t *b) { return b->control->modem_lines(b, &bits); });
    return ec ? ModemLines{} : ModemLines::from_bits(bits);
}
void SerialPort::set_control_lines(std::optional<bool> rts, std::optional<bool> dtr,
                                   error_code &ec) noexcept {
    auto tri = [](std::optional<bool> v) {
        return !v ? ANYSERIAL_LINE_UNCHANGED : (*v ? ANYSERIAL_LINE_ON : ANYSERIAL_LINE_OFF);
    };
    control_call(core_.get(), ec, "set_control_lines", ErrnoContext::ioctl_feature,
                 [&](anyserial_backend_t *b) {
                     return b->control->set_control_lines(b, tri(rts), tri(dtr));
                 });
}
std::size_t SerialPort::input_waiting(error_code &ec) noexcept {
    std::uint32_t n = 0;
    control_call(core_.get(), ec, "input_waiting", ErrnoContext::ioctl_feature,
                 [&](anyserial_backend_t *b) { return b->control->input_waiting(b, &n); });
    return n;
}
std::size_t SerialPort::output_waiting(error_code &ec) noexcept {
    std::uint32_t n = 0;
    control_call(core_.get(), ec, "output_waiting", ErrnoContext::ioctl_feature,
                 [&](anyserial_backend_t *b) { return b->control->output_waiting(b, &n); });
    return n;
}

#define ANYSERIAL_THROWING(ret, name, params, args) \
    ret SerialPort::name params {                   \
        error_code ec;                              \
        auto result = [&] { return name args; }();  \
        if (ec) throw_error(ec, #name);             \
        return result;                              \
    }
#define ANYSERIAL_THROWING_VOID(name, params, args) \
    void SerialPort::name params {                  \
        error_code ec;                              \
        name args;                                  \
        if (ec) throw_error(ec, #name);             \
    }
ANYSERIAL_THROWING_VOID(reset_input_buffer, (), (ec))
ANYSERIAL_THROWING_VOID(reset_output_buffer, (), (ec))
ANYSERIAL_THROWING(ModemLines, modem_lines, (), (ec))
ANYSERIAL_THROWING_VOID(set_control_lines, (std::optional<bool> rts, std::optional<bool> dtr),
                        (rts, dtr, ec))
ANYSERIAL_THROWING(std::size_t, input_waiting, (), (ec))
ANYSERIAL_THROWING(std::size_t, output_waiting, (), (ec))
#undef ANYSERIAL_THROWING
#undef ANYSERIAL_THROWING_VOID

}  // namespace anyserial

// ---- send_eof (seed §14.4) ----------------------------------------------------------------

namespace anyserial::detail {

void start_send_eof(std::shared_ptr<PortCore> core, ErrorHandler h) {
    log::logger("anyserial.port")
        .debug("{}: serial has no true half-close; send_eof drains output", core->path);
    start_drain(std::move(core), std::move(h));
}

}  // namespace anyserial::detail

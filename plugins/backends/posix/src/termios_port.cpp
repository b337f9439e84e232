// TermiosPort: open/close, verified configuration and the control table over plain termios.
#include <fcntl.h>
#include <sys/file.h>
#include <termios.h>
#include <unistd.h>

#include <anyserial/posix/io.hpp>
#include <anyserial/posix/termios_port.hpp>
#include <cerrno>
#include <cstring>
#include <tuple>

namespace anyserial::posix {

namespace {

anyserial_status_t open_status(int err) noexcept {
    switch (err) {
        case ENOENT:
        case ENODEV:
        case ENXIO:
        case ENOTDIR:
            return ANYSERIAL_E_NOT_FOUND;
        case EBUSY:
            return ANYSERIAL_E_BUSY;
        case EACCES:
        case EPERM:
            return ANYSERIAL_E_PERMISSION;
        default:
            return ANYSERIAL_E_IO;
    }
}

bool not_supported_errno(int err) noexcept {
    return err == ENOTTY || err == EINVAL || err == ENOSYS || err == EOPNOTSUPP;
}

}  // namespace

std::string strip_scheme(const char *name, const char *scheme) {
    std::string s = name != nullptr ? name : "";
    if (scheme == nullptr) return s;
    const std::string prefix = std::string(scheme) + "://";
    if (s.compare(0, prefix.size(), prefix) == 0) return s.substr(prefix.size());
    return s;
}

TermiosPort::TermiosPort(const PlatformTable &table, const char *logger) noexcept
    : table_(table), logger_(logger) {}

TermiosPort::~TermiosPort() {
    // The trampoline's destroy() closes first; this is the safety net for direct use.
    const int fd = fd_.exchange(-1);
    if (fd >= 0) ::close(fd);
}

void TermiosPort::throw_os(anyserial_status_t status, const std::string &what, int err) const {
    throw sdk::Error(status, what + " on " + path_ + ": " + std::strerror(err), err);
}

int TermiosPort::require_fd(const char *operation) const {
    const int fd = fileno();
    if (fd < 0) throw sdk::Error(ANYSERIAL_E_CLOSED, std::string(operation) + ": port is closed");
    return fd;
}

void TermiosPort::report_unsupported(const anyserial_serial_config_t &config, uint32_t feature,
                                     anyserial_status_t status, const std::string &message,
                                     sdk::ConfigReport &report) {
    if (config.unsupported_policy == ANYSERIAL_POLICY_RAISE) throw sdk::Error(status, message);
    report.unsupported(feature, message);
    sdk::log(ANYSERIAL_LOG_DEBUG, logger_, "best effort: ", message);
}

void TermiosPort::open(const char *path, const anyserial_serial_config_t &config,
                       sdk::ConfigReport &report) {
    if (fileno() >= 0) throw sdk::Error(ANYSERIAL_E_STATE, "open: " + path_ + " is already open");
    const anyserial_backend_descriptor_t *d = descriptor();
    std::string p = strip_scheme(path, d != nullptr ? d->id : nullptr);
    const int fd = ::open(p.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        std::string msg = "open " + p + ": " + std::strerror(err);
        if (err == EACCES) msg += " (is the user in the dialout/uucp group?)";
        throw sdk::Error(open_status(err), msg, err);
    }
    path_ = std::move(p);
    fd_.store(fd, std::memory_order_release);
    try {
        if (::isatty(fd) == 0) {
            const int err = errno;
            throw sdk::Error(ANYSERIAL_E_INVALID_ARGUMENT,
                             path_ + " is not a terminal device: " + std::strerror(err), err);
        }
        set_exclusive(config, report);
        apply_config(config, nullptr, report);
        device_caps_ = probe_capabilities();
        config_ = config;
    } catch (...) {
        restore_extras();
        release_exclusive();
        ::close(fd_.exchange(-1));
        throw;
    }
    sdk::log(ANYSERIAL_LOG_DEBUG, logger_, "opened ", path_, " at ", config.baudrate, " baud");
}

void TermiosPort::close() {
    if (fileno() < 0) return;
    restore_extras();
    release_exclusive();
    const int fd = fd_.exchange(-1);
    if (fd >= 0) ::close(fd);
    sdk::log(ANYSERIAL_LOG_DEBUG, logger_, "closed ", path_);
}

void TermiosPort::configure(const anyserial_serial_config_t &config, sdk::ConfigReport &report) {
    require_fd("configure");
    if (config.exclusive != config_.exclusive) {
        if (config.exclusive)
            set_exclusive(config, report);
        else
            release_exclusive();
    }
    apply_config(config, &config_, report);
    config_ = config;
}

void TermiosPort::set_exclusive(const anyserial_serial_config_t &config,
                                sdk::ConfigReport &report) {
    if (!config.exclusive) return;
    const int fd = require_fd("exclusive");
    // flock also stops root and other fds of this process; TIOCEXCL stops later opens by
    // anyone without CAP_SYS_ADMIN, including programs that do not flock.
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        if (err == EWOULDBLOCK)
            throw sdk::Error(ANYSERIAL_E_BUSY,
                             path_ + " is locked by another process (flock LOCK_EX)", err);
        report_unsupported(config, ANYSERIAL_FEATURE_EXCLUSIVE_ACCESS, ANYSERIAL_E_NOT_SUPPORTED,
                           "exclusive access on " + path_ + ": flock: " + std::strerror(err),
                           report);
    } else {
        flocked_ = true;
    }
    if (const int err = xioctl(fd, table_.tiocexcl); err != 0)
        report_unsupported(config, ANYSERIAL_FEATURE_EXCLUSIVE_ACCESS, ANYSERIAL_E_NOT_SUPPORTED,
                           "exclusive access on " + path_ + ": TIOCEXCL: " + std::strerror(err),
                           report);
    else
        tiocexcl_ = true;
}

void TermiosPort::release_exclusive() noexcept {
    const int fd = fileno();
    if (fd < 0) return;
    if (tiocexcl_) (void)xioctl(fd, table_.tiocnxcl);
    if (flocked_) (void)::flock(fd, LOCK_UN);
    tiocexcl_ = flocked_ = false;
}

void TermiosPort::apply_config(const anyserial_serial_config_t &config,
                               const anyserial_serial_config_t *previous,
                               sdk::ConfigReport &report) {
    require_fd("configure");
    const TermiosBits before = get_attrs();
    const Composition c = compose_termios(before, config, table_);
    if (!c.invalid.empty())
        throw sdk::Error(ANYSERIAL_E_INVALID_ARGUMENT,
                         "invalid configuration for " + path_ + ": " + c.invalid);
    if (c.unsupported != 0)
        report_unsupported(config, c.unsupported, ANYSERIAL_E_NOT_SUPPORTED,
                           path_ + ": " + c.message, report);
    auto restore = [&]() noexcept {
        try {
            set_attrs(before);
        } catch (...) {
            // The original failure is the one worth reporting.
        }
    };
    try {
        set_attrs(c.bits);
        if (c.plan.kind == BaudPlan::Kind::custom &&
            c.plan.mechanism == CustomBaud::darwin_iossiospeed)
            set_custom_rate(c.plan);
    } catch (const sdk::Error &e) {
        restore();
        if (e.os_error() == EINVAL)
            throw sdk::Error(ANYSERIAL_E_UNSUPPORTED_CONFIG,
                             "the driver rejected the configuration (baudrate " +
                                 std::to_string(config.baudrate) + "): " + e.what(),
                             EINVAL);
        throw;
    }
    const Readback rb = verify_readback(c, get_attrs(), table_);
    if (!rb.core.empty() ||
        (rb.features != 0 && config.unsupported_policy == ANYSERIAL_POLICY_RAISE)) {
        restore();
        std::string why = rb.core;
        if (!rb.message.empty()) why += (why.empty() ? "" : "; ") + rb.message;
        throw sdk::Error(ANYSERIAL_E_UNSUPPORTED_CONFIG, path_ + ": " + why);
    }
    if (rb.features != 0) {
        report.unsupported(rb.features, path_ + ": " + rb.message);
        sdk::log(ANYSERIAL_LOG_DEBUG, logger_, "best effort: ", rb.message);
    }
    try {
        apply_extras(config, previous, report);
    } catch (...) {
        restore();
        throw;
    }
}

TermiosBits TermiosPort::get_attrs() {
    ::termios t{};
    if (::tcgetattr(require_fd("tcgetattr"), &t) != 0) throw_os(ANYSERIAL_E_IO, "tcgetattr", errno);
    return from_native(t, table_);
}

void TermiosPort::set_attrs(const TermiosBits &bits) {
    const int fd = require_fd("tcsetattr");
    ::termios t{};
    if (::tcgetattr(fd, &t) != 0) throw_os(ANYSERIAL_E_IO, "tcgetattr", errno);
    if (!to_native(bits, table_, t))
        throw sdk::Error(ANYSERIAL_E_UNSUPPORTED_CONFIG,
                         "baudrate " + std::to_string(bits.ospeed) +
                             " cannot be expressed with termios on " + path_,
                         EINVAL);
    if (::tcsetattr(fd, TCSANOW, &t) != 0) throw_os(ANYSERIAL_E_IO, "tcsetattr", errno);
}

void TermiosPort::set_custom_rate(const BaudPlan &plan) {
    throw sdk::Error(ANYSERIAL_E_NOT_SUPPORTED, "custom baudrate " + std::to_string(plan.rate) +
                                                    " is not supported on " + path_);
}

void TermiosPort::apply_extras(const anyserial_serial_config_t &config,
                               const anyserial_serial_config_t *, sdk::ConfigReport &report) {
    // Plain termios has neither low latency nor RS-485.
    if (config.low_latency)
        report_unsupported(config, ANYSERIAL_FEATURE_LOW_LATENCY, ANYSERIAL_E_NOT_SUPPORTED,
                           "low latency is not supported by backend '" + std::string(table_.name) +
                               "' on " + path_,
                           report);
    if (config.rs485_enabled && config.rs485.enabled)
        report_unsupported(
            config, ANYSERIAL_FEATURE_RS485, ANYSERIAL_E_NOT_SUPPORTED,
            "RS-485 is not supported by backend '" + std::string(table_.name) + "' on " + path_,
            report);
}

anyserial_capabilities_t TermiosPort::probe_capabilities() {
    anyserial_capabilities_t caps = sdk::Backend::capabilities();
    const int fd = require_fd("capabilities");
    int value = 0;
    caps.modem_lines = xioctl(fd, table_.tiocmget, &value) == 0 ? ANYSERIAL_CAP_SUPPORTED
                                                                : ANYSERIAL_CAP_UNSUPPORTED;
    caps.input_waiting = xioctl(fd, table_.tiocinq, &value) == 0 ? ANYSERIAL_CAP_SUPPORTED
                                                                 : ANYSERIAL_CAP_UNSUPPORTED;
    caps.output_waiting = xioctl(fd, table_.tiocoutq, &value) == 0 ? ANYSERIAL_CAP_SUPPORTED
                                                                   : ANYSERIAL_CAP_UNSUPPORTED;
    return caps;
}

anyserial_capabilities_t TermiosPort::capabilities() {
    if (fileno() >= 0) return device_caps_;
    return sdk::Backend::capabilities();
}

void TermiosPort::reset_input() {
    if (::tcflush(require_fd("reset_input"), TCIFLUSH) != 0)
        throw_os(ANYSERIAL_E_IO, "tcflush(TCIFLUSH)", errno);
}

void TermiosPort::reset_output() {
    if (::tcflush(require_fd("reset_output"), TCOFLUSH) != 0)
        throw_os(ANYSERIAL_E_IO, "tcflush(TCOFLUSH)", errno);
}

void TermiosPort::set_break(bool on) {
    const int fd = require_fd("set_break");
    if (const int err = xioctl(fd, on ? table_.tiocsbrk : table_.tioccbrk); err != 0)
        throw_os(not_supported_errno(err) ? ANYSERIAL_E_NOT_SUPPORTED : io_status(err),
                 on ? "break on (TIOCSBRK)" : "break off (TIOCCBRK)", err);
}

void TermiosPort::drain_blocking() {
    const int fd = require_fd("drain");
    while (::tcdrain(fd) != 0) {
        if (errno != EINTR) throw_os(io_status(errno), "tcdrain", errno);
    }
}

uint32_t TermiosPort::modem_lines() {
    int m = 0;
    if (const int err = xioctl(require_fd("modem_lines"), table_.tiocmget, &m); err != 0)
        throw_os(not_supported_errno(err) ? ANYSERIAL_E_NOT_SUPPORTED : io_status(err),
                 "modem lines (TIOCMGET)", err);
    return lines_from_tiocm(m, table_);
}

void TermiosPort::set_control_lines(int32_t rts, int32_t dtr) {
    const int fd = require_fd("set_control_lines");
    int on = 0, off = 0;
    auto pick = [&](int32_t value, std::uint32_t bit) {
        if (value == ANYSERIAL_LINE_ON) on |= static_cast<int>(bit);
        if (value == ANYSERIAL_LINE_OFF) off |= static_cast<int>(bit);
    };
    pick(rts, table_.tiocm_rts);
    pick(dtr, table_.tiocm_dtr);
    for (auto [mask, req, name] : {std::tuple{on, table_.tiocmbis, "TIOCMBIS"},
                                   std::tuple{off, table_.tiocmbic, "TIOCMBIC"}}) {
        if (mask == 0) continue;
        if (const int err = xioctl(fd, req, &mask); err != 0)
            throw_os(not_supported_errno(err) ? ANYSERIAL_E_NOT_SUPPORTED : io_status(err),
                     std::string("control lines (") + name + ")", err);
    }
}

uint32_t TermiosPort::input_waiting() {
    int n = 0;
    if (const int err = xioctl(require_fd("input_waiting"), table_.tiocinq, &n); err != 0)
        throw_os(not_supported_errno(err) ? ANYSERIAL_E_NOT_SUPPORTED : io_status(err),
                 "input queue (TIOCINQ)", err);
    return static_cast<uint32_t>(n);
}

uint32_t TermiosPort::output_waiting() {
    int n = 0;
    if (const int err = xioctl(require_fd("output_waiting"), table_.tiocoutq, &n); err != 0)
        throw_os(not_supported_errno(err) ? ANYSERIAL_E_NOT_SUPPORTED : io_status(err),
                 "output queue (TIOCOUTQ)", err);
    return static_cast<uint32_t>(n);
}

anyserial_status_t TermiosPort::read_nonblocking(std::span<uint8_t> buf, uint32_t &n) {
    const int fd = fileno();
    if (fd < 0) return fail(ANYSERIAL_E_CLOSED, "read: port is closed");
    int err = 0;
    const anyserial_status_t st = read_some(fd, buf, n, err);
    if (st == ANYSERIAL_OK || st == ANYSERIAL_E_WOULD_BLOCK || st == ANYSERIAL_E_INTERRUPTED)
        return st;
    return fail_errno(st, "read", err);
}

anyserial_status_t TermiosPort::write_nonblocking(std::span<const uint8_t> data, uint32_t &n) {
    const int fd = fileno();
    if (fd < 0) return fail(ANYSERIAL_E_CLOSED, "write: port is closed");
    int err = 0;
    const anyserial_status_t st = write_some(fd, data, n, err);
    if (st == ANYSERIAL_OK || st == ANYSERIAL_E_WOULD_BLOCK || st == ANYSERIAL_E_INTERRUPTED)
        return st;
    return fail_errno(st, "write", err);
}

}  // namespace anyserial::posix

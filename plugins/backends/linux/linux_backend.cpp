// LinuxBackend: termios2 transport and the low-latency / RS-485 extras.
#include "linux_backend.hpp"

#include <cerrno>
#include <cstring>

#include "termios2.hpp"

namespace anyserial::linux_backend {

namespace {

bool driver_lacks_it(int err) noexcept {
    return err == ENOTTY || err == EINVAL;
}

}  // namespace

LinuxBackend::LinuxBackend() noexcept : TermiosPort(posix::linux_table(), "anyserial.linux") {}

const anyserial_backend_descriptor_t &LinuxBackend::describe() noexcept {
    static const char *const prefixes[] = {"/dev/", nullptr};
    static const anyserial_capabilities_t caps = [] {
        anyserial_capabilities_t c = posix::platform_capabilities(posix::linux_table());
        c.low_latency = ANYSERIAL_CAP_UNKNOWN;  // the driver decides (TIOCSSERIAL)
        c.rs485 = ANYSERIAL_CAP_UNKNOWN;        // the driver decides (TIOCSRS485)
        c.port_discovery = ANYSERIAL_CAP_SUPPORTED;
        return c;
    }();
    static const anyserial_backend_descriptor_t d = {
        sizeof d,
        "linux",
        "Linux tty",
        "anyserial",
        "0.1.0",
        "Linux serial ports: termios2 custom baud, low latency, RS-485, sysfs discovery",
        "linux",
        ANYSERIAL_BACKEND_KIND_SYNC_FD,
        0,
        prefixes,
        nullptr,
        &caps};
    return d;
}

posix::TermiosBits LinuxBackend::get_attrs() {
    posix::TermiosBits bits;
    if (const int err = tcgets2(require_fd("TCGETS2"), bits); err != 0)
        throw_os(err == ENOTTY ? ANYSERIAL_E_INVALID_ARGUMENT : ANYSERIAL_E_IO, "TCGETS2", err);
    return bits;
}

void LinuxBackend::set_attrs(const posix::TermiosBits &bits) {
    if (const int err = tcsets2(require_fd("TCSETS2"), bits); err != 0)
        throw_os(err == EINVAL ? ANYSERIAL_E_UNSUPPORTED_CONFIG : ANYSERIAL_E_IO, "TCSETS2", err);
}

std::string LinuxBackend::tty_name() const {
    std::error_code ec;
    const std::filesystem::path real = std::filesystem::canonical(path(), ec);
    return ec ? std::filesystem::path(path()).filename().string() : real.filename().string();
}

void LinuxBackend::apply_extras(const anyserial_serial_config_t &config,
                                const anyserial_serial_config_t *, sdk::ConfigReport &report) {
    apply_low_latency(config, report);
    apply_rs485(config, report);
}

void LinuxBackend::apply_low_latency(const anyserial_serial_config_t &config,
                                     sdk::ConfigReport &report) {
    const int fd = require_fd("low_latency");
    if (!config.low_latency) {
        // Turning it off again restores what the device had before us.
        if (saved_low_latency_) {
            (void)set_low_latency(fd, *saved_low_latency_);
            saved_low_latency_.reset();
        }
        if (saved_latency_timer_ && latency_timer_file_) {
            (void)write_latency_timer(*latency_timer_file_, *saved_latency_timer_);
            saved_latency_timer_.reset();
        }
        return;
    }
    bool current = false;
    if (const int err = get_low_latency(fd, current); err != 0) {
        report_unsupported(config, ANYSERIAL_FEATURE_LOW_LATENCY, ANYSERIAL_E_NOT_SUPPORTED,
                           "low latency is not supported by the driver of " + path() +
                               " (TIOCGSERIAL: " + std::strerror(err) + ")",
                           report);
        return;
    }
    if (!current) {
        if (const int err = set_low_latency(fd, true); err != 0) {
            report_unsupported(config, ANYSERIAL_FEATURE_LOW_LATENCY, ANYSERIAL_E_NOT_SUPPORTED,
                               "low latency on " + path() +
                                   ": TIOCSSERIAL ASYNC_LOW_LATENCY: " + std::strerror(err),
                               report);
            return;
        }
        if (!saved_low_latency_) saved_low_latency_ = current;
    }
    // FTDI adapters buffer for latency_timer ms (16 by default) regardless of the flag.
    if (!latency_timer_file_) latency_timer_file_ = latency_timer_path("/sys", tty_name());
    if (latency_timer_file_) {
        int original = 0;
        int err = read_latency_timer(*latency_timer_file_, original);
        if (err == 0 && original != 1) err = write_latency_timer(*latency_timer_file_, 1);
        if (err != 0) {
            report_unsupported(
                config, ANYSERIAL_FEATURE_LOW_LATENCY, ANYSERIAL_E_NOT_SUPPORTED,
                "FTDI latency timer " + latency_timer_file_->string() + ": " + std::strerror(err),
                report);
        } else if (original != 1 && !saved_latency_timer_) {
            saved_latency_timer_ = original;
        }
    }
}

void LinuxBackend::apply_rs485(const anyserial_serial_config_t &config, sdk::ConfigReport &report) {
    const int fd = require_fd("rs485");
    const bool want = config.rs485_enabled && config.rs485.enabled;
    if (!want) {
        if (saved_rs485_) {
            (void)set_rs485(fd, *saved_rs485_);
            saved_rs485_.reset();
        }
        return;
    }
    Rs485State current;
    int err = get_rs485(fd, current);
    if (err == 0) err = set_rs485(fd, rs485_from_config(config.rs485, current));
    if (err != 0) {
        report_unsupported(config, ANYSERIAL_FEATURE_RS485,
                           driver_lacks_it(err) ? ANYSERIAL_E_NOT_SUPPORTED : ANYSERIAL_E_IO,
                           "RS-485 is not supported by the driver of " + path() +
                               " (TIOCSRS485: " + std::strerror(err) + ")",
                           report);
        return;
    }
    if (!saved_rs485_) saved_rs485_ = current;
}

void LinuxBackend::restore_extras() noexcept {
    const int fd = fileno();
    if (fd >= 0) {
        if (saved_rs485_) (void)set_rs485(fd, *saved_rs485_);
        if (saved_low_latency_) (void)set_low_latency(fd, *saved_low_latency_);
    }
    if (saved_latency_timer_ && latency_timer_file_)
        (void)write_latency_timer(*latency_timer_file_, *saved_latency_timer_);
    saved_rs485_.reset();
    saved_low_latency_.reset();
    saved_latency_timer_.reset();
    latency_timer_file_.reset();
}

anyserial_capabilities_t LinuxBackend::probe_capabilities() {
    anyserial_capabilities_t caps = TermiosPort::probe_capabilities();
    const int fd = require_fd("capabilities");
    bool ll = false;
    caps.low_latency =
        get_low_latency(fd, ll) == 0 ? ANYSERIAL_CAP_SUPPORTED : ANYSERIAL_CAP_UNSUPPORTED;
    // TIOCGRS485 answers on every UART; only TIOCSRS485 tells whether the driver does it.
    Rs485State rs;
    caps.rs485 = get_rs485(fd, rs) == 0 ? ANYSERIAL_CAP_UNKNOWN : ANYSERIAL_CAP_UNSUPPORTED;
    return caps;
}

}  // namespace anyserial::linux_backend

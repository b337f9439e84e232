// Linux serial-driver extras beyond termios: ASYNC_LOW_LATENCY (TIOCGSERIAL/TIOCSSERIAL),
// kernel RS-485 (TIOCGRS485/TIOCSRS485) and the FTDI latency timer in sysfs. Every call
// returns 0 or an errno; ENOTTY/EINVAL mean "this driver does not do it" (e.g. a pty).
#pragma once

#include <anyserial/sdk/serial_config.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace anyserial::linux_backend {

int get_low_latency(int fd, bool &on) noexcept;
int set_low_latency(int fd, bool on) noexcept;

// A struct serial_rs485 kept opaque (its padding/addresses are restored byte for byte).
struct Rs485State {
    std::array<std::uint8_t, 32> raw{};
};
int get_rs485(int fd, Rs485State &out) noexcept;
int set_rs485(int fd, const Rs485State &state) noexcept;
// The state for a config: SER_RS485_ENABLED plus the RTS/RX flags, delays rounded up to ms.
Rs485State rs485_from_config(const anyserial_rs485_config_t &config,
                             const Rs485State &base) noexcept;
std::uint32_t rs485_flags(const Rs485State &state) noexcept;

// The FTDI latency_timer file of a tty ("ttyUSB0") under sysfs_root, if the driver has one.
std::optional<std::filesystem::path> latency_timer_path(const std::filesystem::path &sysfs_root,
                                                        const std::string &tty_name);
// Read / write the timer in milliseconds; 0 or errno.
int read_latency_timer(const std::filesystem::path &file, int &ms) noexcept;
int write_latency_timer(const std::filesystem::path &file, int ms) noexcept;

}  // namespace anyserial::linux_backend

// anyserial posix — the SYNC_FD backend every POSIX plugin builds on.
//
// TermiosPort owns one O_NONBLOCK tty fd and implements the whole control table with
// plain termios through a PlatformTable. A platform plugin derives from it to swap the
// termios transport (Linux: TCGETS2/TCSETS2), set a custom rate (Darwin: IOSSIOSPEED) and
// add device extras (Linux: low latency, RS-485) through the protected hooks.
//
// Configuration is verified: after applying, the attributes are read back and compared with
// the request; what the driver dropped is reported per the config's unsupported_policy
// (RAISE restores the previous attributes and fails with UNSUPPORTED_CONFIG).
#pragma once

#include <anyserial/posix/builders.hpp>
#include <anyserial/posix/platform_table.hpp>
#include <anyserial/sdk/cpp/backend.hpp>
#include <atomic>
#include <string>

namespace anyserial::posix {

class TermiosPort : public sdk::Backend {
  public:
    // read_nonblocking/write_nonblocking are read(2)/write(2) on the fd and nothing else:
    // the core may do them itself (ANYSERIAL_SYNC_FD_PLAIN_IO).
    static constexpr bool plain_fd_io = true;

    TermiosPort(const PlatformTable &table, const char *logger) noexcept;
    ~TermiosPort() override;

    void open(const char *path, const anyserial_serial_config_t &config,
              sdk::ConfigReport &report) override;
    void close() override;
    void configure(const anyserial_serial_config_t &config, sdk::ConfigReport &report) override;
    void reset_input() override;
    void reset_output() override;
    void set_break(bool on) override;
    void drain_blocking() override;
    uint32_t modem_lines() override;
    void set_control_lines(int32_t rts, int32_t dtr) override;
    uint32_t input_waiting() override;
    uint32_t output_waiting() override;
    anyserial_capabilities_t capabilities() override;

    int fileno() const noexcept override { return fd_.load(std::memory_order_acquire); }
    anyserial_status_t read_nonblocking(std::span<uint8_t> buf, uint32_t &n) override;
    anyserial_status_t write_nonblocking(std::span<const uint8_t> data, uint32_t &n) override;

    const std::string &path() const noexcept { return path_; }
    const PlatformTable &table() const noexcept { return table_; }

  protected:
    // Current attributes of the open fd (default: tcgetattr).
    virtual TermiosBits get_attrs();
    // Apply attributes atomically (default: tcsetattr TCSANOW).
    virtual void set_attrs(const TermiosBits &bits);
    // A custom rate that set_attrs cannot carry (Darwin IOSSIOSPEED); default: unsupported.
    virtual void set_custom_rate(const BaudPlan &plan);
    // Device features beyond termios, on open and on every configure (low latency, RS-485).
    // `previous` is nullptr on open. Must report per policy through report_unsupported().
    virtual void apply_extras(const anyserial_serial_config_t &config,
                              const anyserial_serial_config_t *previous, sdk::ConfigReport &report);
    // Undo apply_extras on close; never throws.
    virtual void restore_extras() noexcept {}
    // Device-level capabilities, called once after a successful open.
    virtual anyserial_capabilities_t probe_capabilities();

    // RAISE → throw Error(status, message); WARN/IGNORE → report it and go on.
    void report_unsupported(const anyserial_serial_config_t &config, uint32_t feature,
                            anyserial_status_t status, const std::string &message,
                            sdk::ConfigReport &report);
    // "<what> on <path>: <strerror>" with the errno kept.
    [[noreturn]] void throw_os(anyserial_status_t status, const std::string &what, int err) const;
    int require_fd(const char *operation) const;
    const char *logger() const noexcept { return logger_; }

  private:
    void apply_config(const anyserial_serial_config_t &config,
                      const anyserial_serial_config_t *previous, sdk::ConfigReport &report);
    void set_exclusive(const anyserial_serial_config_t &config, sdk::ConfigReport &report);
    void release_exclusive() noexcept;

    const PlatformTable &table_;
    const char *logger_;
    std::atomic<int> fd_{-1};
    std::string path_;
    anyserial_serial_config_t config_{};
    anyserial_capabilities_t device_caps_{};
    bool flocked_ = false;
    bool tiocexcl_ = false;
};

// The port path inside a "<scheme>://<path>" name ("posix:///dev/pts/3" → "/dev/pts/3");
// other names unchanged.
std::string strip_scheme(const char *name, const char *scheme);

}  // namespace anyserial::posix

namespace anyserial::posix {

// Platform-level capabilities a table implies (before any device is opened): custom baud
// from the mechanism, mark/space from CMSPAR, flow flags, break ioctls; exclusive access
// through flock; low latency, RS-485 and discovery unsupported (a plugin raises them).
anyserial_capabilities_t platform_capabilities(const PlatformTable &table) noexcept;

}  // namespace anyserial::posix

// The Linux platform backend: TermiosPort over TCGETS2/TCSETS2 (standard, extended and
// custom rates through BOTHER), plus low latency (ASYNC_LOW_LATENCY, FTDI latency timer)
// and kernel RS-485, each saved on first change and restored on close.
#pragma once

#include <anyserial/posix/termios_port.hpp>
#include <filesystem>
#include <optional>

#include "serial_extras.hpp"

namespace anyserial::linux_backend {

class LinuxBackend final : public posix::TermiosPort {
  public:
    LinuxBackend() noexcept;

    static const anyserial_backend_descriptor_t &describe() noexcept;
    // Backend-level extensions: discovery.
    static const void *factory_extension(const char *extension_id) noexcept;

  protected:
    posix::TermiosBits get_attrs() override;
    void set_attrs(const posix::TermiosBits &bits) override;
    void apply_extras(const anyserial_serial_config_t &config,
                      const anyserial_serial_config_t *previous,
                      sdk::ConfigReport &report) override;
    void restore_extras() noexcept override;
    anyserial_capabilities_t probe_capabilities() override;

  private:
    void apply_low_latency(const anyserial_serial_config_t &config, sdk::ConfigReport &report);
    void apply_rs485(const anyserial_serial_config_t &config, sdk::ConfigReport &report);
    std::string tty_name() const;

    // Originals, present only while this object changed them.
    std::optional<bool> saved_low_latency_;
    std::optional<std::filesystem::path> latency_timer_file_;
    std::optional<int> saved_latency_timer_;
    std::optional<Rs485State> saved_rs485_;
};

}  // namespace anyserial::linux_backend

// The Windows platform backend (async-completion kind): a COM port opened with
// FILE_FLAG_OVERLAPPED, configured through a DCB, its I/O run by an AsyncPort whose
// packets come back through the plugin-wide I/O completion port.
#pragma once

#include <windows.h>

#include <anyserial/sdk/cpp/backend.hpp>
#include <memory>
#include <optional>
#include <string>

#include "async_port.hpp"

namespace anyserial::windows_backend {

// "COM5" and "com5" → "\\.\COM5"; "\\.\NAME" unchanged. Anything else: nullopt.
std::optional<std::string> device_path(const std::string &name);

class WindowsBackend final : public sdk::Backend {
  public:
    WindowsBackend() = default;
    ~WindowsBackend() override;

    static const anyserial_backend_descriptor_t &describe() noexcept;
    static const void *factory_extension(const char *extension_id) noexcept;

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

    void start_read(std::span<uint8_t> buf, sdk::Completion done) override;
    void start_write(std::span<const uint8_t> data, sdk::Completion done) override;
    void cancel(uint32_t directions) override;

  private:
    HANDLE require_open(const char *operation) const;
    [[noreturn]] void fail(const char *operation, DWORD err) const;
    COMSTAT comm_status(const char *operation);
    void apply(const anyserial_serial_config_t &config, sdk::ConfigReport &report);
    void report_unsupported(const anyserial_serial_config_t &config, uint32_t feature,
                            const std::string &message, sdk::ConfigReport &report);

    HANDLE com_ = INVALID_HANDLE_VALUE;
    std::string name_;  // as given ("COM5")
    std::shared_ptr<AsyncPort> io_;
    COMMTIMEOUTS saved_timeouts_{};
    bool rts_ = true, dtr_ = true;  // what this backend last set (DCB: *_CONTROL_ENABLE)
};

}  // namespace anyserial::windows_backend

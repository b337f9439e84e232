// anyserial — the anyserial_host_t services a plugin receives in init(), and status names.
#pragma once

#include <anyserial/sdk/host.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace anyserial::plugin_detail {

// One per plugin file (it carries the version negotiated with that file); host_data
// points back at this object, so it must not move: always held by unique_ptr.
class HostServices {
  public:
    HostServices(std::uint32_t major, std::uint32_t minor, std::uint32_t patch);
    HostServices(const HostServices &) = delete;
    HostServices &operator=(const HostServices &) = delete;

    const anyserial_host_t &c() const noexcept { return c_; }

    // While capturing, the last warn-or-worse message the plugin logs is kept so a
    // failing init() can be explained by the plugin's own words.
    void start_capture();
    std::string stop_capture();

  private:
    static void log_cb(const anyserial_host_t *host, int32_t level, const char *logger,
                       const char *msg);
    static int32_t log_enabled_cb(const anyserial_host_t *host, int32_t level, const char *logger);
    static uint64_t monotonic_ns_cb(const anyserial_host_t *host);
    static const void *get_extension_cb(const anyserial_host_t *host, const char *id);

    anyserial_host_t c_{};
    std::atomic<bool> capturing_{false};
    std::mutex mutex_;
    std::string captured_;
};

// "ANYSERIAL_E_IO (-5)"
std::string status_text(std::int32_t status);

}  // namespace anyserial::plugin_detail

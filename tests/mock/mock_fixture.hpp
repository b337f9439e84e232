// Shared helpers of the mock tests: the plugin loaded with dlopen, a port handle, and a
// completion recorder for the async kind.
#pragma once

#include <anyserial/sdk/sdk.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace mocktest {

// The loaded plugin (dlopen + init once per process).
const anyserial_backend_factory_t &factory();

// One backend instance; destroyed (closing first) with the object.
class Port {
  public:
    explicit Port(const char *backend_id);
    ~Port();
    Port(const Port &) = delete;
    Port &operator=(const Port &) = delete;

    int32_t open(const std::string &url, anyserial_serial_config_t *config = nullptr,
                 anyserial_config_report_t *report = nullptr);
    void open_ok(const std::string &url);
    void close() { h->control->close(h); }
    std::string last_error() const;
    const anyserial_mock_faults_ext_t &faults() const;

    // Sync kind: write everything / read exactly n bytes, waiting for readiness with poll().
    void write_all(const std::string &data);
    std::string read_exact(std::size_t n);
    // Wait until the fd polls readable (a guard timeout fails the test).
    bool wait_readable(int timeout_ms = 10000) const;
    int fd() const { return h->sync_fd->fileno(h); }
    uint32_t lines() const;

    anyserial_backend_t *h = nullptr;
};

anyserial_serial_config_t default_config();

// Records async completions; wait() blocks on a condition variable.
class Completions {
  public:
    struct Event {
        int32_t status;
        uint32_t n;
    };
    static void callback(void *user, int32_t status, uint32_t n);
    // Wait until at least count completions arrived (false after the guard timeout).
    bool wait(std::size_t count, int timeout_ms = 10000);
    std::vector<Event> events() const;
    std::size_t size() const;

  private:
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<Event> events_;
};

}  // namespace mocktest

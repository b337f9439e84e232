// anyserial — blocking facades for the manager and for recording, over the sync facade's
// one shared background loop thread (the same one sync::SerialPort and sync::Device use).
//
//     anyserial::sync::Manager mgr(host);
//     mgr.add("f1", "/dev/ttyUSB0", {.protocol = "acme-flow", .address = "A"});
//     mgr.add("f2", "/dev/ttyUSB0", {.protocol = "acme-flow", .address = "B"});
//     auto rec = anyserial::sync::record(mgr, {.rate_hz = 2, .duration = 10s});
//     while (auto batch = rec.next()) { ... }          // nullopt: the recording ended
//     auto summary = rec.summary();
//
// Calls block the caller and may come from any thread (not from the loop thread itself).
// Failures throw: DeviceError with its context (add), ManagerError (poll_each under
// ErrorPolicy::raise), SerialError (a recording that ended with an error), and
// SerialTimeoutError (next() timed out; that batch is delivered by the next next()).
#pragma once

#include <anyserial/device/sync.hpp>
#include <anyserial/record/manager.hpp>
#include <anyserial/record/recorder.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace anyserial::sync {

class Recording;

class Manager {
  public:
    explicit Manager(PluginHost &host, record::ErrorPolicy policy = record::ErrorPolicy::raise);
    Manager(Manager &&) noexcept;
    Manager &operator=(Manager &&) noexcept;
    ~Manager();  // closes

    // Opens (or reuses) the shared transport for port_path; multidrop peers of a
    // request/response protocol with addresses only.
    void add(const std::string &name, const std::string &port_path, device::DeviceOptions options);
    // Takes over an opened device (the handle is left empty); any protocol.
    void add(const std::string &name, Device &&device);
    void remove(const std::string &name);
    std::vector<std::string> names() const;
    record::ErrorPolicy error_policy() const;

    // One frame per (named) device, always a complete mapping (failures inside).
    std::map<std::string, record::DeviceResult<device::Frame>> poll(
        std::vector<std::string> names = {}, Timeout timeout = {});
    // As poll, but under the manager's ErrorPolicy: raise throws ManagerError after all
    // devices finished when any failed.
    std::map<std::string, record::DeviceResult<device::Frame>> poll_each(
        std::vector<std::string> names = {}, Timeout timeout = {});
    // Flat samples of every device that answered.
    std::vector<device::Sample> poll_samples(std::vector<std::string> names = {},
                                             Timeout timeout = {});
    void close();

    struct Impl;

  private:
    friend Recording record(Manager &, record::RecordOptions);
    std::unique_ptr<Impl> impl_;
};

// A running recording (record() started it). Destroying it stops it.
class Recording {
  public:
    Recording(Recording &&) noexcept;
    Recording &operator=(Recording &&) noexcept;
    ~Recording();

    // The next per-tick batch; nullopt once the recording ended normally and every
    // batch was delivered. Throws SerialError when it ended with an error (after the
    // batches before it), SerialTimeoutError when `timeout` passed first.
    std::optional<record::Batch> next(Timeout timeout = {});
    void stop();  // no new tick; queued batches are still delivered. Idempotent.
    record::AcquisitionSummary summary() const;  // a live copy
    bool finished() const;
    double rate_hz() const;

    struct Impl;
    explicit Recording(std::unique_ptr<Impl> impl);

  private:
    std::unique_ptr<Impl> impl_;
};

// Validates (std::invalid_argument) and starts recording on the shared loop. The source
// must outlive the Recording.
Recording record(Device &device, record::RecordOptions options);
Recording record(Manager &manager, record::RecordOptions options);

}  // namespace anyserial::sync

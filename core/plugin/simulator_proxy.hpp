// anyserial — the C++ proxy of a protocol's simulator extension
// ("anyserial.protocol.simulator/2": the ext table and the simulator vtable), checked.
#pragma once

#include <anyserial/sdk/ext/simulator.h>

#include <anyserial/device/models.hpp>
#include <anyserial/plugin_host.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace anyserial::plugin_detail {

struct SimulatorDeleter {
    void operator()(anyserial_simulator_t *s) const noexcept {
        if (s != nullptr && s->vtable != nullptr && s->vtable->destroy != nullptr)
            s->vtable->destroy(s);
    }
};

class SimulatorProxy {
  public:
    // The protocol's simulator extension table, checked; nullptr when it has none. Throws
    // PluginError when the table is malformed.
    static const anyserial_simulator_ext_t *extension(const LoadedProtocol &p);
    // A new simulator; throws PluginError naming the plugin when create fails or returns
    // a malformed instance.
    SimulatorProxy(const LoadedProtocol &p, const anyserial_simulator_ext_t &ext,
                   const anyserial_protocol_options_t &options);

    // Every call returns the plugin's status; ABI violations throw PluginError.
    std::int32_t feed(std::uint64_t now, std::span<const std::uint8_t> data);
    std::int32_t poll_output(std::uint64_t now, std::span<std::uint8_t> buf, std::uint32_t &n,
                             std::uint64_t &next_ns);
    std::int32_t set_reading(const std::string &channel, const device::ArgValue &value,
                             std::uint64_t flags);
    std::int32_t set_label(const std::string &channel, const char *name, const std::string &unit);
    std::int32_t set_device_flags(std::uint64_t flags);
    std::int32_t set_fault(std::uint32_t fault, std::uint32_t param);
    std::int32_t set_interval(std::uint64_t interval_ns);
    std::int32_t get_field(const std::string &id, device::Field &out);
    std::int32_t counters(std::uint64_t &requests, std::uint64_t &replies, std::uint64_t &frames);
    std::string last_error() const;
    [[noreturn]] void fail(const std::string &why) const;
    anyserial_simulator_t *get() noexcept { return handle_.get(); }

  private:
    const anyserial_simulator_vtable_t &vt() const noexcept { return *handle_->vtable; }
    const LoadedProtocol *proto_;
    std::unique_ptr<anyserial_simulator_t, SimulatorDeleter> handle_;
};

}  // namespace anyserial::plugin_detail

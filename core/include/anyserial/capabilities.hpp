// anyserial — tri-state capabilities (seed §9).
//
// Platform level comes from the backend plugin's descriptor (known before any device is
// opened); device level from the opened instance. `unknown` means "the platform can, the
// driver or device decides".
#pragma once

#include <anyserial/sdk/serial_config.h>

#include <array>
#include <string>
#include <string_view>
#include <utility>

namespace anyserial {

enum class Capability { supported, unsupported, unknown };

std::string_view to_string(Capability c) noexcept;
Capability capability_from_c(std::uint8_t v) noexcept;

struct SerialCapabilities {
    std::string platform;  // "linux", "darwin", "freebsd", "any"
    std::string backend;   // backend id: "linux", "mock", "mock-async", ...
    Capability custom_baudrate = Capability::unknown;
    Capability mark_space_parity = Capability::unknown;
    Capability one_point_five_stop_bits = Capability::unknown;
    Capability xon_xoff = Capability::unknown;
    Capability rts_cts = Capability::unknown;
    Capability dtr_dsr = Capability::unknown;
    Capability modem_lines = Capability::unknown;
    Capability break_signal = Capability::unknown;
    Capability exclusive_access = Capability::unknown;
    Capability low_latency = Capability::unknown;
    Capability rs485 = Capability::unknown;
    Capability input_waiting = Capability::unknown;
    Capability output_waiting = Capability::unknown;
    Capability port_discovery = Capability::unknown;

    static SerialCapabilities from_c(const anyserial_capabilities_t &c, std::string platform,
                                     std::string backend);
    // Every feature as (name, value), in seed order: for tables and JSON.
    std::array<std::pair<std::string_view, Capability>, 14> features() const;
    bool operator==(const SerialCapabilities &) const = default;
};

// Device-level knowledge refines the platform level: a definite answer from the device
// wins; `unknown` from the device keeps the platform's answer.
SerialCapabilities resolve_capabilities(const SerialCapabilities &platform,
                                        const SerialCapabilities &device);

}  // namespace anyserial

// anyserial — options of async_open_device.
#pragma once

#include <anyserial/config.hpp>
#include <anyserial/device/models.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace anyserial::device {

// Per-call I/O ceiling; nullopt = the session's default. Broadcast protocols: how long to
// wait for a frame (default DeviceOptions::timeout, at least twice the frame interval).
// Request/response protocols: the response timeout of each transaction (default: the
// plugin's), never one deadline for a whole multi-transaction sweep.
using Timeout = std::optional<std::chrono::nanoseconds>;

struct DeviceOptions {
    // Which protocol: a loaded plugin id ("acme-flow"), "FAMILY:MODE" ("acme:ascii"),
    // "FAMILY:auto" or "auto" (AUTO over `family`). Checked against the loaded plugins
    // before any I/O.
    std::string protocol = "auto";
    // The family AUTO runs over when `protocol` is "auto"; empty = every loaded family
    // (listening over all of them first, then each family's probes, families by name).
    std::string family;
    // Device address as text in the protocol's declared syntax ("1".."247", "A".."Z");
    // empty = the protocol's default. Validated before any I/O.
    std::string address;
    // Serial settings; default: the protocol descriptor's default_serial (19200 8N1),
    // opened exclusively, unsupported features under UnsupportedPolicy::raise. When set,
    // used exactly as given (its own exclusive flag and policy).
    std::optional<SerialConfig> serial;
    // Shortcut: the default serial settings with this baud rate.
    std::optional<std::uint32_t> baudrate;
    // Default per-call timeout, the first-frame wait and AUTO's passive-listen floor.
    std::chrono::nanoseconds timeout = std::chrono::seconds(1);
    // A ceiling for the whole session, counted from the start of opening: the port, the AUTO
    // ladder, identify and every later call end by then (a wait past it fails with
    // errc::timeout). AUTO shares it among its rungs: each active probe may use an equal
    // share of the time left for the rungs still to run, passive listening gets all that is
    // left. nullopt: no ceiling beyond each step's own timeout. For one-shot tools
    // (`anyserial read --timeout`), not for a long-running session.
    std::optional<std::chrono::nanoseconds> budget;
    // Cache DeviceInfo while opening (continuous: waits for the first frame).
    bool identify = true;
    // Transaction tuning for request/response protocols; nullopt = the plugin's default
    // (spec: 50 ms idle before each transaction, 2 retries). idle_gap 0: no gap at all.
    std::optional<std::chrono::nanoseconds> response_timeout;
    std::optional<std::chrono::nanoseconds> idle_gap;
    std::optional<unsigned> retries;
    // Label put on Samples; default: the port name.
    std::string device;
};

// One rung of the AUTO ladder, kept on the Device (and in the error when none matched).
struct ProbeAttempt {
    std::string protocol_id;  // "acme-flow"
    std::string mode;         // "ascii"
    bool active = false;      // probed (true) or listened (false)
    bool recognised = false;
    std::string detail;  // what happened: "answered FC 8", "no answer within ..."
};

}  // namespace anyserial::device

// anyserial — logging. Every message goes through named spdlog loggers ("anyserial",
// "anyserial.plugin", "anyserial.linux", ...) created on demand and writing to stderr.
// One global threshold (default warn) applies to all of them; the CLI sets it from
// --log-level. Payload bytes are only ever logged at trace/debug.
//
// This header does not expose spdlog (a private dependency of libanyserial); core code
// that wants fmt-style formatting includes core/log/logger.hpp instead.
#pragma once

#include <optional>
#include <string_view>

namespace anyserial::log {

// Same order and values as spdlog's levels and the SDK's ANYSERIAL_LOG_*.
enum class Level { trace = 0, debug, info, warn, error, critical, off };

// Threshold for every anyserial logger, existing and future. Thread-safe.
void set_level(Level level) noexcept;
Level level() noexcept;
// True when a message at `lvl` would be emitted (cheap: no logger lookup).
bool enabled(Level lvl) noexcept;

// "trace" | "debug" | "info" | "warn" (or "warning") | "error" | "critical" | "off".
std::optional<Level> parse_level(std::string_view text) noexcept;
std::string_view to_string(Level lvl) noexcept;

// Emit one message on the named logger (created on demand). Never throws.
void write(std::string_view logger, Level lvl, std::string_view message) noexcept;

}  // namespace anyserial::log

// anyserial — optional per-port I/O counters (SerialConfig::collect_stats). When off the
// hot path pays one predictable branch and nothing else.
#pragma once

#include <cstdint>

namespace anyserial {

struct SerialStats {
    std::uint64_t bytes_read = 0;
    std::uint64_t bytes_written = 0;
    std::uint64_t read_calls = 0;       // read primitives (syscalls) or start_read calls
    std::uint64_t write_calls = 0;      // write primitives or start_write calls
    std::uint64_t readiness_waits = 0;  // descriptor waits started (sync-fd backends)
    std::uint64_t would_block = 0;      // EAGAIN / WOULD_BLOCK results
    std::uint64_t interrupted = 0;      // EINTR / INTERRUPTED results
    bool operator==(const SerialStats &) const = default;
};

}  // namespace anyserial

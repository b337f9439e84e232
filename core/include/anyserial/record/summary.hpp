// anyserial — AcquisitionSummary and OverflowPolicy (seed 004).
#pragma once

#include <anyserial/record/clock.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace anyserial::record {

// What record() does when the bounded batch queue is full.
enum class OverflowPolicy {
    block,        // wait for the consumer (default): acquisition never drops silently
    drop_newest,  // drop the batch about to be queued; counted late
    drop_oldest,  // evict the oldest queued batch, queue the newest; each eviction is late
};
std::string_view to_string(OverflowPolicy) noexcept;  // "block" | "drop-newest" | "drop-oldest"
// Accepts "block", "drop-newest"/"drop_newest", "drop-oldest"/"drop_oldest".
std::optional<OverflowPolicy> parse_overflow_policy(std::string_view) noexcept;

// Per-run summary. The recorder is the only writer and updates it live; the consumer
// reads it. finished_at and the percentiles are set when the recording ends.
struct AcquisitionSummary {
    WallClock::time_point started_at{};                // wall clock at the first scheduled tick
    std::optional<WallClock::time_point> finished_at;  // nullopt while running
    std::uint64_t samples_emitted = 0;  // per-tick batches queued (an all-failed tick counts)
    std::uint64_t samples_late = 0;     // ticks that missed their slot: overrun, drop, gap
    double max_drift_ms = 0.0;          // largest positive start drift of an emitted tick
    double drift_ms_p99 = 0.0;          // start drift 99th percentile, emitted ticks (at end)
    double tick_duration_ms_p50 = 0.0;  // poll duration median (set at the end)
    double tick_duration_ms_p99 = 0.0;  // poll duration 99th percentile (set at the end)
    std::uint64_t disconnects = 0;      // connection errors absorbed under auto_reconnect
};

// ISO-8601 UTC with microseconds: "2024-05-01T12:00:00.000000Z".
std::string format_utc(WallClock::time_point t);

// {"started_at": "...", "finished_at": "..."|null, "samples_emitted": n, ...} as JSON text.
std::string to_json(const AcquisitionSummary &summary);

}  // namespace anyserial::record

// anyserial — OverflowPolicy names, UTC formatting and the summary's JSON form.
#include <fmt/format.h>

#include <anyserial/record/summary.hpp>
#include <ctime>

namespace anyserial::record {

std::string_view to_string(OverflowPolicy p) noexcept {
    switch (p) {
        case OverflowPolicy::block:
            return "block";
        case OverflowPolicy::drop_newest:
            return "drop-newest";
        case OverflowPolicy::drop_oldest:
            return "drop-oldest";
    }
    return "block";
}

std::optional<OverflowPolicy> parse_overflow_policy(std::string_view text) noexcept {
    if (text == "block") return OverflowPolicy::block;
    if (text == "drop-newest" || text == "drop_newest") return OverflowPolicy::drop_newest;
    if (text == "drop-oldest" || text == "drop_oldest") return OverflowPolicy::drop_oldest;
    return std::nullopt;
}

std::string format_utc(WallClock::time_point t) {
    using namespace std::chrono;
    const auto us = duration_cast<microseconds>(t.time_since_epoch()).count();
    auto secs = static_cast<std::time_t>(us / 1'000'000);
    auto frac = us % 1'000'000;
    if (frac < 0) {  // before 1970: keep the fraction positive
        frac += 1'000'000;
        --secs;
    }
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

std::string to_json(const AcquisitionSummary &s) {
    const std::string finished =
        s.finished_at ? fmt::format("\"{}\"", format_utc(*s.finished_at)) : "null";
    return fmt::format(
        "{{\"started_at\":\"{}\",\"finished_at\":{},\"samples_emitted\":{},"
        "\"samples_late\":{},\"max_drift_ms\":{},\"drift_ms_p99\":{},\"tick_duration_ms_p50\":{},"
        "\"tick_duration_ms_p99\":{},\"disconnects\":{}}}",
        format_utc(s.started_at), finished, s.samples_emitted, s.samples_late, s.max_drift_ms,
        s.drift_ms_p99, s.tick_duration_ms_p50, s.tick_duration_ms_p99, s.disconnects);
}

}  // namespace anyserial::record

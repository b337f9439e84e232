// Per-tick poll durations in constant memory, for the summary's p50/p99.
//
// A recording may run until SIGINT for months; keeping every duration would grow without
// bound and reallocate on the hot path. Instead a Boost.Histogram with log-spaced bins
// 0.2 % wide from 1 ns to ~2.8 h (allocated once, 120 KiB) counts them. A quantile is
// the nearest rank's bin reported by its upper edge clamped to the longest duration seen
// (HdrHistogram's "highest equivalent value"): at most 0.2 % high, exact for the longest
// tick, for 0 ns and whenever every tick took the same time.
#pragma once

#include <boost/histogram.hpp>
#include <chrono>
#include <cstdint>
#include <tuple>

namespace anyserial::record::detail {

class TickDurations {
  public:
    TickDurations();
    void add(std::chrono::nanoseconds d);
    std::uint64_t count() const noexcept { return count_; }
    // Nearest-rank quantile in milliseconds, q in (0, 1]; 0 when nothing was added.
    double quantile_ms(double q) const;

  private:
    using Axis = boost::histogram::axis::regular<double, boost::histogram::axis::transform::log>;
    boost::histogram::histogram<std::tuple<Axis>, boost::histogram::dense_storage<std::uint64_t>>
        hist_;
    std::uint64_t count_ = 0;
    std::int64_t max_ns_ = 0;
};

}  // namespace anyserial::record::detail

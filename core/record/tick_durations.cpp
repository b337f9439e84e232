#include "tick_durations.hpp"

#include <algorithm>
#include <cmath>

namespace anyserial::record::detail {

namespace {
// ln(1e13) / 15000 bins = 0.1996 % per bin.
constexpr unsigned bins = 15000;
constexpr double lowest_ns = 1.0;
constexpr double highest_ns = 1e13;
}  // namespace

TickDurations::TickDurations()
    : hist_(boost::histogram::make_histogram_with(boost::histogram::dense_storage<std::uint64_t>(),
                                                  Axis(bins, lowest_ns, highest_ns))) {}

void TickDurations::add(std::chrono::nanoseconds d) {
    const std::int64_t ns = std::max<std::int64_t>(0, d.count());
    // 0 ns lands in the underflow bin (below 1 ns), which therefore holds only zeros.
    hist_(static_cast<double>(ns));
    ++count_;
    max_ns_ = std::max(max_ns_, ns);
}

double TickDurations::quantile_ms(double q) const {
    if (count_ == 0) return 0.0;
    const auto rank = std::clamp<std::uint64_t>(
        static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))), 1, count_);
    const Axis &axis = hist_.axis();
    std::uint64_t seen = 0;
    for (int i = -1; i <= axis.size(); ++i) {  // underflow, the bins, overflow
        seen += hist_.at(i);
        if (seen < rank) continue;
        if (i < 0) return 0.0;
        const double upper = i < axis.size() ? axis.value(i + 1) : static_cast<double>(max_ns_);
        return std::min(upper, static_cast<double>(max_ns_)) / 1e6;
    }
    return static_cast<double>(max_ns_) / 1e6;  // unreachable: the bins hold count_ values
}

}  // namespace anyserial::record::detail

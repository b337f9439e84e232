#include "anyserial/servomex/continuous_simulator.hpp"

#include <algorithm>

#include "anyserial/servomex/continuous_encoder.hpp"
#include "anyserial/servomex/registry.hpp"

namespace anyserial::servomex {

ContinuousSimulator::ContinuousSimulator(const anyserial_protocol_options_t &) {
    out_.reserve(1024);
}

void ContinuousSimulator::feed(uint64_t, std::span<const uint8_t>) {
    // Continuous mode has no request channel: the analyser ignores what it receives.
}

uint32_t ContinuousSimulator::poll_output(uint64_t now_ns, std::span<uint8_t> buf,
                                          uint64_t &next_ns) {
    if (out_pos_ == out_.size() && interval_ != 0) {
        if (!started_) {
            started_ = true;
            first_ns_ = next_tick_ = now_ns;
        }
        if (now_ns >= next_tick_) {
            out_.clear();
            out_pos_ = 0;
            if (fault_ != ANYSERIAL_SIM_FAULT_SILENCE) {
                const ContinuousClock clock = clock_after((now_ns - first_ns_) / 1'000'000'000u);
                format_continuous_frame(bank_, clock, out_,
                                        fault_ == ANYSERIAL_SIM_FAULT_BAD_CHECKSUM ? 1 : 0);
                ++frames_;
            }
            // Drift-free schedule; ticks missed while nobody polled are skipped.
            next_tick_ += interval_;
            if (next_tick_ <= now_ns)
                next_tick_ = now_ns + interval_ - (now_ns - next_tick_) % interval_;
        }
    }
    const std::size_t n = std::min(buf.size(), out_.size() - out_pos_);
    std::copy_n(out_.data() + out_pos_, n, buf.data());
    out_pos_ += n;
    if (out_pos_ < out_.size())
        next_ns = now_ns;
    else
        next_ns = interval_ == 0 ? UINT64_MAX : next_tick_;
    return static_cast<uint32_t>(n);
}

void ContinuousSimulator::set_fault(uint32_t fault, uint32_t) {
    if (fault != ANYSERIAL_SIM_FAULT_NONE && fault != ANYSERIAL_SIM_FAULT_BAD_CHECKSUM &&
        fault != ANYSERIAL_SIM_FAULT_SILENCE)
        throw sdk::Error(ANYSERIAL_E_NOT_SUPPORTED,
                         "continuous mode has no requests: only the BAD_CHECKSUM and SILENCE "
                         "faults apply (got " +
                             std::to_string(fault) + ")");
    fault_ = fault;
}

void ContinuousSimulator::set_interval(uint64_t interval_ns) {
    if (started_ && interval_ns != 0) {
        // Re-anchor on the last tick so a shorter interval takes effect at once.
        const uint64_t last = interval_ != 0 ? next_tick_ - interval_ : next_tick_;
        next_tick_ = last + interval_ns;
    }
    interval_ = interval_ns;
}

void ContinuousSimulator::counters(uint64_t &requests, uint64_t &replies, uint64_t &frames) {
    requests = 0;
    replies = 0;
    frames = frames_;
}

}  // namespace anyserial::servomex

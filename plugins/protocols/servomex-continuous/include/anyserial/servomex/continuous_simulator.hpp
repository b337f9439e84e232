// Continuous ASCII mode, device side: broadcasts the bank as a frame on every tick of the
// interval (default 2 s; the first frame at the first poll). Sans-I/O: the host passes the
// time in. Nothing the master sends changes it. Faults: BAD_CHECKSUM, SILENCE.
#pragma once

#include <cstdint>
#include <string>

#include "anyserial/servomex/bank_simulator.hpp"

namespace anyserial::servomex {

class ContinuousSimulator final : public BankSimulator {
  public:
    static constexpr uint64_t kDefaultInterval = 2'000'000'000;

    explicit ContinuousSimulator(const anyserial_protocol_options_t &options);

    void feed(uint64_t now_ns, std::span<const uint8_t> data) override;
    uint32_t poll_output(uint64_t now_ns, std::span<uint8_t> buf, uint64_t &next_ns) override;
    void set_fault(uint32_t fault, uint32_t param) override;
    void set_interval(uint64_t interval_ns) override;
    void counters(uint64_t &requests, uint64_t &replies, uint64_t &frames) override;

  private:
    uint64_t interval_ = kDefaultInterval;
    bool started_ = false;
    uint64_t first_ns_ = 0, next_tick_ = 0;
    uint32_t fault_ = ANYSERIAL_SIM_FAULT_NONE;
    std::string out_;          // frame being sent
    std::size_t out_pos_ = 0;  // bytes of out_ already handed out
    uint64_t frames_ = 0;
};

}  // namespace anyserial::servomex

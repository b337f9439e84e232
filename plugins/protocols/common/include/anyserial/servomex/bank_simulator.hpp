// The part of a simulated 4100 every mode shares: the Bank the readings, labels, device
// flags and cal-groups are set on and read from (simulator fields
// `cal_group.N.calibrating`, `cal_group.N.gas`). Modes add the wire side
// (feed/poll_output), faults, interval and counters.
#pragma once

#include <anyserial/sdk/cpp/simulator.hpp>
#include <cstdint>
#include <string_view>

#include "anyserial/servomex/bank.hpp"

namespace anyserial::servomex {

class BankSimulator : public sdk::SimulatorSession {
  public:
    // value: NUMBER or INTEGER, ABSENT = over-range; flags over the declared flags.
    void set_reading(std::string_view channel, const anyserial_arg_value_t &value,
                     uint64_t flags) override;
    void set_label(std::string_view channel, const char *name, std::string_view unit) override;
    void set_device_flags(uint64_t flags) override;
    void get_field(std::string_view id, anyserial_field_t &out) override;

    Bank &bank() noexcept { return bank_; }

  protected:
    Bank bank_ = Bank::bench();
};

}  // namespace anyserial::servomex

// The part of a simulated 4100 every mode shares: the Bank the readings, labels, analyser
// flags and cal-groups are set on and read from. Modes add the wire side (feed/poll_output),
// faults, interval and counters.
#pragma once

#include <anyserial/sdk/cpp/simulator.hpp>
#include <cstdint>
#include <string_view>

#include "anyserial/servomex/bank.hpp"

namespace anyserial::servomex {

class BankSimulator : public sdk::Simulator {
  public:
    void set_reading(std::string_view channel, bool has_value, double value,
                     uint32_t status) override;
    void set_label(std::string_view channel, const char *name, std::string_view unit) override;
    void set_analyser(bool fault, bool maintenance) override;
    void cal_group(uint32_t group, bool &calibrating, uint32_t &cal_gas) override;

    Bank &bank() noexcept { return bank_; }

  protected:
    Bank bank_ = Bank::bench();
};

}  // namespace anyserial::servomex

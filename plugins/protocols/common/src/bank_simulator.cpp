#include "anyserial/servomex/bank_simulator.hpp"

#include <string>

#include "anyserial/servomex/registry.hpp"

namespace anyserial::servomex {

void BankSimulator::set_reading(std::string_view channel, bool has_value, double value,
                                uint32_t status) {
    bank_.set_reading(channel, has_value, value, status);
}

void BankSimulator::set_label(std::string_view channel, const char *name, std::string_view unit) {
    const std::string u(unit);
    bank_.set_label(channel, name, u.c_str());
}

void BankSimulator::set_analyser(bool fault, bool maintenance) {
    bank_.set_analyser(fault, maintenance);
}

void BankSimulator::cal_group(uint32_t group, bool &calibrating, uint32_t &cal_gas) {
    if (group < 1 || group > kCalGroupCount)
        throw sdk::Error(ANYSERIAL_E_INVALID_ARGUMENT,
                         "cal-group " + std::to_string(group) + " out of range 1..4");
    calibrating = bank_.calibrating(group);
    cal_gas = bank_.cal_gas(group);
}

}  // namespace anyserial::servomex

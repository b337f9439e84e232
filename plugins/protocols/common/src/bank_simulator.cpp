#include "anyserial/servomex/bank_simulator.hpp"

#include <string>

#include "anyserial/servomex/registry.hpp"
#include "anyserial/servomex/status.hpp"

namespace anyserial::servomex {

void BankSimulator::set_reading(std::string_view channel, const anyserial_arg_value_t &value,
                                uint64_t flags) {
    const bool number =
        value.value_type == ANYSERIAL_VALUE_NUMBER || value.value_type == ANYSERIAL_VALUE_INTEGER;
    if (!number && value.value_type != ANYSERIAL_VALUE_ABSENT)
        throw sdk::Error(ANYSERIAL_E_INVALID_ARGUMENT,
                         "channel " + std::string(channel) + " takes a number (or absent)");
    bank_.set_reading(channel, number, value.number, flags);
}

void BankSimulator::set_label(std::string_view channel, const char *name, std::string_view unit) {
    const std::string u(unit);
    bank_.set_label(channel, name, u.c_str());
}

void BankSimulator::set_device_flags(uint64_t flags) {
    bank_.set_device_flags(flags);
}

void BankSimulator::get_field(std::string_view id, anyserial_field_t &out) {
    for (uint32_t g = 1; g <= kCalGroupCount; ++g) {
        if (id == cal_group_calibrating_id(g))
            return sdk::set_integer(out, bank_.calibrating(g) ? 1 : 0);
        if (id == cal_group_gas_id(g)) return sdk::set_integer(out, bank_.cal_gas(g));
    }
    if (id == "cal_group_count") return sdk::set_integer(out, kCalGroupCount);
    sdk::SimulatorSession::get_field(id, out);  // NOT_FOUND
}

}  // namespace anyserial::servomex

#include "anyserial/servomex/modbus_simulator.hpp"

#include <algorithm>
#include <string>

#include "anyserial/servomex/descriptors.hpp"
#include "anyserial/servomex/registry.hpp"

namespace anyserial::servomex {

namespace mb = anyserial::modbus;

ModbusSimulator::ModbusSimulator(mb::Framing framing, const anyserial_protocol_options_t &o)
    : framing_(framing),
      address_(static_cast<uint8_t>(sdk::parse_address(
          *descriptor(framing == mb::Framing::rtu ? Mode::modbus_rtu : Mode::modbus_ascii).address,
          o.address))),
      framer_(framing, mb::rtu_t35_ns(o.baudrate)) {
    out_.reserve(2 * mb::kMaxAsciiChars);
}

void ModbusSimulator::feed(uint64_t now_ns, std::span<const uint8_t> data) {
    framer_.feed(now_ns, data, [this](const mb::RequestFrame &f) { handle(f); });
}

void ModbusSimulator::handle(const mb::RequestFrame &f) {
    if (!f.checksum_ok || f.pdu.empty()) {  // a real slave stays silent: the master times out
        ++bad_requests_;
        return;
    }
    const bool broadcast = f.address == 0;
    if (!broadcast && f.address != address_) return;
    ++requests_;
    if (fault_ == ANYSERIAL_SIM_FAULT_DROP_REQUESTS) {
        if (fault_param_ > 0 && --fault_param_ > 0) return;
        fault_ = ANYSERIAL_SIM_FAULT_NONE;  // the last dropped request ends the fault
        return;
    }
    if (fault_ == ANYSERIAL_SIM_FAULT_SILENCE) return;

    bank_.input_registers(registers_);
    const mb::Pdu response =
        fault_ == ANYSERIAL_SIM_FAULT_EXCEPTION
            ? mb::exception_response(f.pdu[0], static_cast<uint8_t>(fault_param_))
            : mb::serve_request(f.pdu, *this);
    if (broadcast) return;
    std::array<uint8_t, mb::kMaxAsciiChars> adu{};
    const std::size_t n = mb::encode_adu(framing_, address_, response.view(), adu);
    if (n == 0) return;
    if (fault_ == ANYSERIAL_SIM_FAULT_BAD_CHECKSUM) {
        if (framing_ == mb::Framing::rtu) {
            adu[n - 1] ^= 0x5A;  // CRC high byte
        } else {
            // LRC digits sit before CR LF: swap to a different valid hex digit.
            uint8_t &digit = adu[n - 3];
            digit = digit == '0' ? '1' : '0';
        }
    }
    out_.insert(out_.end(), adu.begin(), adu.begin() + static_cast<std::ptrdiff_t>(n));
    ++replies_;
}

uint32_t ModbusSimulator::poll_output(uint64_t now_ns, std::span<uint8_t> buf, uint64_t &next_ns) {
    const std::size_t n = std::min(buf.size(), out_.size() - out_pos_);
    std::copy_n(out_.begin() + static_cast<std::ptrdiff_t>(out_pos_), n, buf.begin());
    out_pos_ += n;
    if (out_pos_ == out_.size()) {
        out_.clear();
        out_pos_ = 0;
        next_ns = UINT64_MAX;
    } else {
        next_ns = now_ns;
    }
    return static_cast<uint32_t>(n);
}

bool ModbusSimulator::has(mb::Table table, uint16_t address, uint16_t count) const noexcept {
    const uint32_t end = uint32_t{address} + count;
    if (fault_ == kSimFaultBlockReadsOnly) {
        auto inside_block = [&](uint16_t stride) {
            const uint16_t slot = address / stride;
            return slot < kSlotCount && count >= 1 && address % stride == 0 && count <= stride &&
                   bank_.populated(kSlots[slot]);
        };
        if (table == mb::Table::input_registers) return inside_block(kRegistersPerSlot);
        if (table == mb::Table::discrete_inputs && address < kChannelDiscreteCount)
            return inside_block(kDiscretesPerSlot);
    }
    switch (table) {
        case mb::Table::coils:
            return end <= kCoilCount;
        case mb::Table::input_registers:
            return end <= kInputRegisterCount;
        case mb::Table::discrete_inputs:
            return end <= kChannelDiscreteCount ||
                   (address >= kAnalyserFaultDiscrete &&
                    end <= uint32_t{kAnalyserFaultDiscrete} + kAnalyserDiscreteCount);
    }
    return false;
}

bool ModbusSimulator::read_bit(mb::Table table, uint16_t address) const noexcept {
    if (table == mb::Table::coils) return bank_.coil(address);
    if (address < kChannelDiscreteCount) {
        const ChannelSlot &slot = kSlots[address / kDiscretesPerSlot];
        return bank_.populated(slot) &&
               ((bank_.channel_bits(slot) >> (address % kDiscretesPerSlot)) & 1u) != 0;
    }
    const unsigned bit = address - kAnalyserFaultDiscrete;
    return bit < 16 && ((bank_.analyser_bits() >> bit) & 1u) != 0;
}

uint16_t ModbusSimulator::read_register(uint16_t address) const noexcept {
    return address < registers_.size() ? registers_[address] : 0;
}

void ModbusSimulator::write_coil(uint16_t address, bool value) noexcept {
    if (fault_ == kSimFaultCoilsStuck) return;  // acknowledged, never latched
    bank_.write_coil(address, value);
}

void ModbusSimulator::set_fault(uint32_t fault, uint32_t param) {
    switch (fault) {
        case ANYSERIAL_SIM_FAULT_NONE:
        case ANYSERIAL_SIM_FAULT_BAD_CHECKSUM:
        case ANYSERIAL_SIM_FAULT_SILENCE:
        case kSimFaultBlockReadsOnly:
        case kSimFaultCoilsStuck:
            break;
        case ANYSERIAL_SIM_FAULT_EXCEPTION:
            if (param < 1 || param > 255)
                throw sdk::Error(
                    ANYSERIAL_E_INVALID_ARGUMENT,
                    "exception code " + std::to_string(param) + " out of range 1..255");
            break;
        case ANYSERIAL_SIM_FAULT_DROP_REQUESTS:
            if (param == 0) {
                fault = ANYSERIAL_SIM_FAULT_NONE;  // dropping nothing
            }
            break;
        default:
            throw sdk::Error(ANYSERIAL_E_NOT_SUPPORTED,
                             "unknown simulator fault " + std::to_string(fault));
    }
    fault_ = fault;
    fault_param_ = param;
}

void ModbusSimulator::set_interval(uint64_t) {
    throw sdk::Error(ANYSERIAL_E_NOT_SUPPORTED,
                     "a Modbus slave never speaks unasked: there is no broadcast interval");
}

void ModbusSimulator::counters(uint64_t &requests, uint64_t &replies, uint64_t &frames) {
    requests = requests_;
    replies = replies_;
    frames = 0;
}

}  // namespace anyserial::servomex

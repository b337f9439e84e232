#include "anyserial/modbus/pdu.hpp"

#include <bit>
#include <charconv>

namespace anyserial::modbus {

Pdu read_request(uint8_t function, uint16_t address, uint16_t count) noexcept {
    Pdu p;
    p.push(function);
    p.push16(address);
    p.push16(count);
    return p;
}

Pdu write_single_coil(uint16_t address, bool on) noexcept {
    Pdu p;
    p.push(kWriteSingleCoil);
    p.push16(address);
    p.push16(on ? kCoilOn : kCoilOff);
    return p;
}

Pdu write_multiple_coils(uint16_t address, std::span<const bool> values) noexcept {
    Pdu p;
    const std::size_t n = values.size() < kMaxWriteCoils ? values.size() : kMaxWriteCoils;
    p.push(kWriteMultipleCoils);
    p.push16(address);
    p.push16(static_cast<uint16_t>(n));
    const std::size_t bytes = (n + 7) / 8;
    p.push(static_cast<uint8_t>(bytes));
    for (std::size_t i = 0; i < bytes; ++i) {
        unsigned byte = 0;
        for (std::size_t k = 0; k < 8 && i * 8 + k < n; ++k)
            if (values[i * 8 + k]) byte |= 1u << k;
        p.push(static_cast<uint8_t>(byte));
    }
    return p;
}

Pdu diagnostic_echo(uint16_t data) noexcept {
    Pdu p;
    p.push(kDiagnostics);
    p.push16(kDiagReturnQueryData);
    p.push16(data);
    return p;
}

std::size_t expected_response_pdu_len(std::span<const uint8_t> request) noexcept {
    if (request.empty()) return 0;
    switch (request[0]) {
        case kReadCoils:
        case kReadDiscreteInputs:
            if (request.size() < 5) return 0;
            return 2 + (get_u16(request, 3) + 7u) / 8u;
        case kReadHoldingRegisters:
        case kReadInputRegisters:
            if (request.size() < 5) return 0;
            return 2 + 2u * get_u16(request, 3);
        case kWriteSingleCoil:
        case kWriteSingleRegister:
        case kWriteMultipleCoils:
        case kWriteMultipleRegisters:
            return 5;
        case kDiagnostics:
            return request.size();  // sub-function 0 echoes everything
        default:
            return 0;
    }
}

float float_from_registers(uint16_t high, uint16_t low) noexcept {
    return std::bit_cast<float>((static_cast<uint32_t>(high) << 16) | low);
}

std::array<uint16_t, 2> registers_from_float(float value) noexcept {
    const auto bits = std::bit_cast<uint32_t>(value);
    return {static_cast<uint16_t>(bits >> 16), static_cast<uint16_t>(bits & 0xFFFF)};
}

double decimal_from_float(float value) noexcept {
    std::array<char, 32> text{};  // the shortest float repr is at most 15 characters
    const auto printed = std::to_chars(text.data(), text.data() + text.size(), value);
    double d = static_cast<double>(value);
    std::from_chars(text.data(), printed.ptr, d);
    // Parsed as a double then narrowed, a decimal could in principle round to a neighbour
    // float; then the exact widening is the honest value.
    return static_cast<float>(d) == value ? d : static_cast<double>(value);
}

const char *exception_name(uint8_t code) noexcept {
    switch (code) {
        case kIllegalFunction:
            return "illegal function";
        case kIllegalDataAddress:
            return "illegal data address";
        case kIllegalDataValue:
            return "illegal data value";
        case kServerDeviceFailure:
            return "server device failure";
        case 0x05:
            return "acknowledge";
        case 0x06:
            return "server device busy";
        case 0x08:
            return "memory parity error";
        case 0x0A:
            return "gateway path unavailable";
        case 0x0B:
            return "gateway target device failed to respond";
        default:
            return "unknown exception";
    }
}

}  // namespace anyserial::modbus

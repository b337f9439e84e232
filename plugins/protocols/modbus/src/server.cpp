#include "anyserial/modbus/server.hpp"

namespace anyserial::modbus {

Pdu exception_response(uint8_t function, uint8_t code) noexcept {
    Pdu p;
    p.push(static_cast<uint8_t>(function | kExceptionFlag));
    p.push(code);
    return p;
}

namespace {

Pdu read_bits(uint8_t fc, Table table, std::span<const uint8_t> req, ServerModel &m) noexcept {
    const uint16_t address = get_u16(req, 1), count = get_u16(req, 3);
    if (count == 0 || count > kMaxReadBits) return exception_response(fc, kIllegalDataValue);
    if (!m.has(table, address, count)) return exception_response(fc, kIllegalDataAddress);
    Pdu p;
    p.push(fc);
    const std::size_t bytes = (count + 7u) / 8u;
    p.push(static_cast<uint8_t>(bytes));
    for (std::size_t i = 0; i < bytes; ++i) {
        unsigned byte = 0;
        for (unsigned k = 0; k < 8 && i * 8 + k < count; ++k)
            if (m.read_bit(table, static_cast<uint16_t>(address + i * 8 + k))) byte |= 1u << k;
        p.push(static_cast<uint8_t>(byte));
    }
    return p;
}

Pdu read_input_registers(std::span<const uint8_t> req, ServerModel &m) noexcept {
    const uint16_t address = get_u16(req, 1), count = get_u16(req, 3);
    const uint8_t fc = kReadInputRegisters;
    if (count == 0 || count > kMaxReadRegisters) return exception_response(fc, kIllegalDataValue);
    if (!m.has(Table::input_registers, address, count))
        return exception_response(fc, kIllegalDataAddress);
    Pdu p;
    p.push(fc);
    p.push(static_cast<uint8_t>(2 * count));
    for (uint16_t i = 0; i < count; ++i)
        p.push16(m.read_register(static_cast<uint16_t>(address + i)));
    return p;
}

Pdu write_single(std::span<const uint8_t> req, ServerModel &m) noexcept {
    const uint16_t address = get_u16(req, 1), value = get_u16(req, 3);
    const uint8_t fc = kWriteSingleCoil;
    if (value != kCoilOn && value != kCoilOff) return exception_response(fc, kIllegalDataValue);
    if (!m.has(Table::coils, address, 1)) return exception_response(fc, kIllegalDataAddress);
    m.write_coil(address, value == kCoilOn);
    Pdu p;
    for (std::size_t i = 0; i < 5; ++i)
        p.push(req[i]);
    return p;
}

Pdu write_multiple(std::span<const uint8_t> req, ServerModel &m) noexcept {
    const uint8_t fc = kWriteMultipleCoils;
    if (req.size() < 6) return exception_response(fc, kIllegalDataValue);
    const uint16_t address = get_u16(req, 1), count = get_u16(req, 3);
    const uint8_t bytes = req[5];
    if (count == 0 || count > kMaxWriteCoils || bytes != (count + 7u) / 8u ||
        req.size() != 6u + bytes)
        return exception_response(fc, kIllegalDataValue);
    if (!m.has(Table::coils, address, count)) return exception_response(fc, kIllegalDataAddress);
    const auto packed = req.subspan(6);
    for (uint16_t i = 0; i < count; ++i)
        m.write_coil(static_cast<uint16_t>(address + i), get_bit(packed, i));
    Pdu p;
    for (std::size_t i = 0; i < 5; ++i)
        p.push(req[i]);
    return p;
}

}  // namespace

Pdu serve_request(std::span<const uint8_t> req, ServerModel &model) noexcept {
    if (req.empty()) return exception_response(0, kIllegalFunction);
    const uint8_t fc = req[0];
    const bool known = fc == kReadCoils || fc == kReadDiscreteInputs || fc == kReadInputRegisters ||
                       fc == kWriteSingleCoil || fc == kDiagnostics || fc == kWriteMultipleCoils;
    if (!known) return exception_response(fc, kIllegalFunction);
    if (req.size() < 5) return exception_response(fc, kIllegalDataValue);
    switch (fc) {
        case kReadCoils:
            return read_bits(fc, Table::coils, req, model);
        case kReadDiscreteInputs:
            return read_bits(fc, Table::discrete_inputs, req, model);
        case kReadInputRegisters:
            return read_input_registers(req, model);
        case kWriteSingleCoil:
            return write_single(req, model);
        case kWriteMultipleCoils:
            return write_multiple(req, model);
        default:
            break;
    }
    // FC08: only sub-function 0 (return query data) echoes the request.
    if (get_u16(req, 1) != kDiagReturnQueryData) return exception_response(fc, kIllegalFunction);
    Pdu p;
    for (uint8_t b : req)
        p.push(b);
    return p;
}

}  // namespace anyserial::modbus

// Server side of the PDU layer (the simulators): validate a request PDU against a data
// model and build the response PDU. Supports FC01, FC02, FC04, FC05, FC08 sub-function 0
// and FC15; any other function answers exception 01.
#pragma once

#include <cstdint>
#include <span>

#include "pdu.hpp"

namespace anyserial::modbus {

enum class Table : uint8_t { coils, discrete_inputs, input_registers };

// What the server reads and writes. Calls happen only inside serve_request().
class ServerModel {
  public:
    virtual ~ServerModel() = default;
    // Does every address of [address, address + count) exist in the table?
    virtual bool has(Table table, uint16_t address, uint16_t count) const noexcept = 0;
    virtual bool read_bit(Table table, uint16_t address) const noexcept = 0;
    virtual uint16_t read_register(uint16_t address) const noexcept = 0;
    // A coil write (FC05, or each coil of FC15 in address order).
    virtual void write_coil(uint16_t address, bool value) noexcept = 0;
};

Pdu exception_response(uint8_t function, uint8_t code) noexcept;

// Response PDU to a request PDU (normal or exception).
Pdu serve_request(std::span<const uint8_t> request, ServerModel &model) noexcept;

}  // namespace anyserial::modbus

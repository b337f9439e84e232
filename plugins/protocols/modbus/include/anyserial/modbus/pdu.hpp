// Modbus PDUs (function code + data): request builders for the client, response length
// rules, and the byte helpers both sides use. Addresses here are PDU addresses (0-based).
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace anyserial::modbus {

inline constexpr std::size_t kMaxPdu = 253;
inline constexpr std::size_t kMaxAdu = kMaxPdu + 3;  // address + PDU + CRC

enum FunctionCode : uint8_t {
    kReadCoils = 0x01,
    kReadDiscreteInputs = 0x02,
    kReadHoldingRegisters = 0x03,
    kReadInputRegisters = 0x04,
    kWriteSingleCoil = 0x05,
    kWriteSingleRegister = 0x06,
    kDiagnostics = 0x08,
    kWriteMultipleCoils = 0x0F,
    kWriteMultipleRegisters = 0x10,
};

inline constexpr uint8_t kExceptionFlag = 0x80;

enum ExceptionCode : uint8_t {
    kIllegalFunction = 0x01,
    kIllegalDataAddress = 0x02,
    kIllegalDataValue = 0x03,
    kServerDeviceFailure = 0x04,
};

inline constexpr uint16_t kCoilOn = 0xFF00;
inline constexpr uint16_t kCoilOff = 0x0000;
inline constexpr uint16_t kDiagReturnQueryData = 0x0000;
inline constexpr uint16_t kMaxReadBits = 2000;
inline constexpr uint16_t kMaxReadRegisters = 125;
inline constexpr uint16_t kMaxWriteCoils = 1968;

// A PDU in a fixed buffer (no allocation).
struct Pdu {
    std::array<uint8_t, kMaxPdu> bytes{};
    std::size_t size = 0;

    std::span<const uint8_t> view() const noexcept { return {bytes.data(), size}; }
    void push(uint8_t b) noexcept {
        if (size < bytes.size()) bytes[size++] = b;
    }
    void push16(uint16_t v) noexcept {
        push(static_cast<uint8_t>(v >> 8));
        push(static_cast<uint8_t>(v & 0xFF));
    }
};

// FC01/02/03/04 read request.
Pdu read_request(uint8_t function, uint16_t address, uint16_t count) noexcept;
// FC05: on → FF00, off → 0000.
Pdu write_single_coil(uint16_t address, bool on) noexcept;
// FC15 with bit values (at most kMaxWriteCoils).
Pdu write_multiple_coils(uint16_t address, std::span<const bool> values) noexcept;
// FC08 sub-function 0, one data word echoed back.
Pdu diagnostic_echo(uint16_t data) noexcept;

// Length of the normal response PDU (function code included) to a request PDU, or 0 when
// it cannot be known from the request.
std::size_t expected_response_pdu_len(std::span<const uint8_t> request) noexcept;

inline constexpr std::size_t kExceptionPduLen = 2;

// Big-endian 16-bit at offset (caller checks bounds).
constexpr uint16_t get_u16(std::span<const uint8_t> b, std::size_t offset) noexcept {
    return static_cast<uint16_t>((b[offset] << 8) | b[offset + 1]);
}

// Bit i of an LSB-first packed bit field (FC01/02 response data, FC15 request data).
constexpr bool get_bit(std::span<const uint8_t> packed, std::size_t i) noexcept {
    return i / 8 < packed.size() && ((packed[i / 8] >> (i % 8)) & 1u) != 0;
}

// IEEE-754 float32 from two registers, high word first (the 4100's order).
float float_from_registers(uint16_t high, uint16_t low) noexcept;
// And back: {high, low}.
std::array<uint16_t, 2> registers_from_float(float value) noexcept;
// The double a float32 reading stands for: its shortest round-trip decimal (20.376f ->
// 20.376, not the widened 20.375999450683594), so a Modbus reading equals what the
// analyser displays and what its ASCII output carries. Converting back gives the same
// float. Finite values only.
double decimal_from_float(float value) noexcept;

// Human name of an exception code ("illegal data address"), never NULL.
const char *exception_name(uint8_t code) noexcept;

}  // namespace anyserial::modbus

// The 4100 as a Modbus slave (RTU or ASCII framing) answering from a Bank. Sans-I/O: the
// host feeds what the master sent and polls what the slave says. Frames addressed to
// another slave, or with a bad CRC/LRC, get no answer; address 0 (broadcast) writes act
// without an answer. Shares only the checksum/hex primitives and the PDU byte helpers with
// the client path: requests are framed by modbus::RequestFramer, answered by
// modbus::serve_request.
#pragma once

#include <anyserial/modbus/framing.hpp>
#include <anyserial/modbus/server.hpp>
#include <array>
#include <cstdint>
#include <vector>

#include "bank_simulator.hpp"

namespace anyserial::servomex {

// Faults of the Servomex Modbus simulators beyond the SDK's ANYSERIAL_SIM_FAULT_* (same
// set_fault call; param unused):
//  - a range-limited map: a read must stay inside one populated slot's block (7 input
//    registers or 8 discretes; the analyser discretes 1000.. as usual), anything else,
//    the coalesced 70-register / 80-bit sweeps included, answers exception 02;
inline constexpr uint32_t kSimFaultBlockReadsOnly = 0x100;
//  - coils that do not latch: FC05 is acknowledged but the coil reads back OFF and
//    nothing starts.
inline constexpr uint32_t kSimFaultCoilsStuck = 0x101;

class ModbusSimulator : public BankSimulator, private modbus::ServerModel {
  public:
    ModbusSimulator(modbus::Framing framing, const anyserial_protocol_options_t &options);

    void feed(uint64_t now_ns, std::span<const uint8_t> data) override;
    uint32_t poll_output(uint64_t now_ns, std::span<uint8_t> buf, uint64_t &next_ns) override;
    void set_fault(uint32_t fault, uint32_t param) override;
    void set_interval(uint64_t interval_ns) override;
    void counters(uint64_t &requests, uint64_t &replies, uint64_t &frames) override;

    uint64_t bad_checksum_requests() const noexcept { return bad_requests_; }

  private:
    void handle(const modbus::RequestFrame &frame);
    // modbus::ServerModel
    bool has(modbus::Table table, uint16_t address, uint16_t count) const noexcept override;
    bool read_bit(modbus::Table table, uint16_t address) const noexcept override;
    uint16_t read_register(uint16_t address) const noexcept override;
    void write_coil(uint16_t address, bool value) noexcept override;

    modbus::Framing framing_;
    uint8_t address_;
    modbus::RequestFramer framer_;
    std::array<uint16_t, kInputRegisterCount> registers_{};  // refreshed per request

    uint32_t fault_ = ANYSERIAL_SIM_FAULT_NONE, fault_param_ = 0;
    std::vector<uint8_t> out_;
    std::size_t out_pos_ = 0;
    uint64_t requests_ = 0, replies_ = 0, bad_requests_ = 0;
};

}  // namespace anyserial::servomex

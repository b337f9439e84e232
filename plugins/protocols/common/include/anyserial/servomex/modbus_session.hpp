// The 4100 over Modbus (RTU or ASCII framing): one session turns each high-level
// operation into transactions on the register map and decodes the responses.
//
//   PROBE                 FC08 sub 0 echo of one data word (the echo is checked)
//   READ_FRAME            FC04 0..70 (values, names, units), FC02 0..80 (channel flags),
//                         FC02 1000..1016 (device flags, cal-group fields). Every slot
//                         comes back; empty ones are `unlisted` (value as read) so a read
//                         of that channel by id still answers.
//   IDENTIFY              FC04 0..70; populated slots are those whose name or unit
//                         registers are not all zero/space: the channel table; field model
//   READ_STATUS           FC02 1000..1016
//   calibration.status g  FC02 1008+2(g-1), 2 bits: fields group, active, phase
//   calibration.start g   FC05 coil g-1 ON, FC01 read it back (must be ON, else the start
//                         did not latch: ANYSERIAL_E_STATE), FC05 OFF (the action fires
//                         on the 0→1 edge)
//   calibration.stop      the same pulse on coil 8 (data-model 9)
//
// A device that answers exception 02 (illegal data address) to the coalesced FC04 0..70
// or FC02 0..80 is read block by block instead (7 registers / 8 discretes per slot; a
// block answering 02 is an absent slot), and that narrower plan is kept for the session.
// A response from another slave address or with another function code is a BAD_FRAME
// (reason ADDRESS / UNEXPECTED; CRC/LRC: CHECKSUM; the rest STRUCTURE); other exception
// replies are EXCEPTION events and fail the operation.
#pragma once

#include <anyserial/modbus/framing.hpp>
#include <anyserial/modbus/pdu.hpp>
#include <anyserial/sdk/cpp/frame.hpp>
#include <anyserial/sdk/cpp/protocol.hpp>
#include <array>
#include <cstdint>
#include <string>

#include "registry.hpp"

namespace anyserial::servomex {

class ModbusSession : public sdk::ProtocolSession {
  public:
    static constexpr uint64_t kDefaultResponseTimeout = 1'000'000'000;
    static constexpr uint64_t kDefaultIdleGap = 50'000'000;
    static constexpr uint32_t kDefaultRetries = 2;
    static constexpr uint16_t kProbeData = 0xA55A;

    ModbusSession(modbus::Framing framing, const anyserial_protocol_options_t &options);

    void begin(const anyserial_protocol_request_t &request) override;
    anyserial_status_t next_transaction(anyserial_transaction_t &tx) override;
    uint32_t feed(std::span<const uint8_t> data, anyserial_protocol_event_t &event) override;
    void reset_receive() override;
    void result(anyserial_protocol_result_t &out) override;

  private:
    enum class Step : uint8_t {
        probe,
        read_registers,      // FC04 0..70
        read_channel_flags,  // FC02 0..80
        read_analyser,
        read_cal_group,
        coil_on,
        coil_verify,  // FC01 of the coil just written
        coil_off,
        slot_registers,  // narrow plan: FC04 of one slot's 7 registers
        slot_flags,      // narrow plan: FC02 of one slot's 8 discretes
        plan_slot_flags  // expands into slot_flags of the populated slots
    };
    struct Planned {
        Step step;
        uint8_t slot = 0;
    };
    static constexpr std::size_t kMaxSteps = 2 * kSlotCount + 4;

    std::string where() const;
    modbus::Pdu request_for(Planned step) const noexcept;
    uint32_t data_model_address(Step step) const noexcept;
    void plan(Planned step);
    // Replace the current step with `steps` (which may be none).
    void replace_current(std::span<const Planned> steps);
    void plan_registers();
    void plan_flags();
    // An exception 02 the narrow plan absorbs; false when it must fail the operation.
    bool narrow_on_illegal_address();
    // Take a response PDU for the current step; false (with why_) when its content is wrong.
    bool apply(std::span<const uint8_t> pdu);
    bool populated(const ChannelSlot &slot) const noexcept;
    void decode_readings(bool identify);
    const anyserial_protocol_descriptor_t &descriptor() const noexcept;
    void copy_raw(std::span<const uint8_t> raw) noexcept;

    modbus::Framing framing_;
    uint8_t address_;
    uint64_t timeout_ns_, idle_ns_;
    uint32_t retries_;

    // current operation (op_: ANYSERIAL_OP_*; command_: which, for OP_COMMAND)
    enum class Command : uint8_t { none, start, stop, status };
    uint32_t op_ = 0, group_ = 0;
    Command command_ = Command::none;
    std::array<Planned, kMaxSteps> steps_{};
    std::size_t step_count_ = 0, next_step_ = 0;
    bool awaiting_ = false, failed_ = false, done_ = false;
    anyserial_status_t failure_code_ = ANYSERIAL_E_PROTOCOL;
    std::string failure_;

    // The read plan, kept for the session once the device refused a coalesced read.
    bool narrow_registers_ = false, narrow_flags_ = false;
    uint16_t register_slots_ = (1u << kSlotCount) - 1;  // blocks that answered (narrow)

    modbus::Pdu request_;
    std::array<uint8_t, modbus::kMaxAsciiChars> tx_buf_{};
    std::size_t tx_len_ = 0;
    modbus::ResponseDecoder decoder_;
    std::array<uint8_t, modbus::kMaxAsciiChars> raw_{};
    std::size_t raw_len_ = 0;
    char why_[160] = {};

    // decoded state
    std::array<uint16_t, kInputRegisterCount> registers_{};
    std::array<uint8_t, kChannelDiscreteCount / 8> channel_flags_{};
    uint16_t analyser_bits_ = 0;
    bool cal_bits_[2] = {false, false};

    sdk::ResultBuilder result_;
    std::string text_;  // scratch for display-ROM text
};

}  // namespace anyserial::servomex

// The 4100 over Modbus (RTU or ASCII framing): one session turns each high-level
// operation into transactions on the register map and decodes the responses.
//
//   PROBE                 FC08 sub 0 echo of one data word (the echo is checked)
//   READ_FRAME            FC04 0..70 (values, names, units), FC02 0..80 (channel flags),
//                         FC02 1000..1016 (analyser status, cal-groups)
//   IDENTIFY              FC04 0..70; populated slots are those whose name or unit
//                         registers are not all zero/space
//   READ_ANALYSER_STATUS  FC02 1000..1016
//   READ_CAL_STATUS g     FC02 1008+2(g-1), 2 bits
//   START_CALIBRATION g   FC05 coil g-1 ON, then OFF (the action fires on the 0→1 edge)
//   STOP_CALIBRATION      FC05 coil 8 (data-model 9) ON, then OFF
//
// A response from another slave address or with another function code is a BAD_FRAME;
// exception replies are EXCEPTION events and fail the operation.
#pragma once

#include <anyserial/modbus/framing.hpp>
#include <anyserial/modbus/pdu.hpp>
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
        read_registers,
        read_channel_flags,
        read_analyser,
        read_cal_group,
        coil_on,
        coil_off
    };

    std::string where() const;
    modbus::Pdu request_for(Step step) const noexcept;
    uint32_t data_model_address(Step step) const noexcept;
    // Take a response PDU for the current step; false (with why_) when its content is wrong.
    bool apply(std::span<const uint8_t> pdu);
    void decode_readings(bool with_flags);
    void copy_raw(std::span<const uint8_t> raw) noexcept;

    modbus::Framing framing_;
    uint8_t address_;
    uint64_t timeout_ns_, idle_ns_;
    uint32_t retries_;

    // current operation
    uint32_t op_ = 0, group_ = 0;
    std::array<Step, 3> steps_{};
    std::size_t step_count_ = 0, next_step_ = 0;
    bool awaiting_ = false, failed_ = false, done_ = false;
    std::string failure_;

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

    anyserial_frame_t frame_{};
    std::array<anyserial_reading_t, kSlotCount> readings_{};
    std::array<std::string, kSlotCount> names_, units_;
};

}  // namespace anyserial::servomex

#include "anyserial/servomex/modbus_session.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "anyserial/servomex/charset.hpp"
#include "anyserial/servomex/descriptors.hpp"
#include "anyserial/servomex/status.hpp"
#include "anyserial/servomex/units.hpp"

namespace anyserial::servomex {

namespace mb = anyserial::modbus;

namespace {

bool blank(std::span<const uint8_t> bytes) noexcept {
    return trim_field(bytes).empty();
}

// `||||||` is the analyser's mark of an unlabelled slot (name absent), as in continuous.
bool unlabelled(std::span<const uint8_t> name) noexcept {
    const std::span<const uint8_t> t = trim_field(name);
    return std::all_of(t.begin(), t.end(), [](uint8_t b) { return b == '|'; });
}

uint32_t bad_frame_reason(mb::BadFrame b) noexcept {
    switch (b) {
        case mb::BadFrame::checksum:
            return ANYSERIAL_BAD_FRAME_CHECKSUM;
        case mb::BadFrame::address:
            return ANYSERIAL_BAD_FRAME_ADDRESS;
        case mb::BadFrame::unexpected:
            return ANYSERIAL_BAD_FRAME_UNEXPECTED;
        case mb::BadFrame::none:
        case mb::BadFrame::structure:
            break;
    }
    return ANYSERIAL_BAD_FRAME_STRUCTURE;
}

void register_bytes(std::span<const uint16_t> regs, std::span<uint8_t> out) noexcept {
    for (std::size_t i = 0; i < regs.size() && 2 * i + 1 < out.size(); ++i) {
        out[2 * i] = static_cast<uint8_t>(regs[i] >> 8);
        out[2 * i + 1] = static_cast<uint8_t>(regs[i] & 0xFF);
    }
}

}  // namespace

ModbusSession::ModbusSession(mb::Framing framing, const anyserial_protocol_options_t &o)
    : framing_(framing),
      address_(1),
      timeout_ns_(o.response_timeout_ns != 0 ? o.response_timeout_ns : kDefaultResponseTimeout),
      idle_ns_(o.idle_gap_ns != 0 ? o.idle_gap_ns : kDefaultIdleGap),
      retries_(o.retries == UINT32_MAX ? kDefaultRetries : o.retries),
      decoder_(framing) {
    address_ = static_cast<uint8_t>(sdk::parse_address(*descriptor().address, o.address));
}

const anyserial_protocol_descriptor_t &ModbusSession::descriptor() const noexcept {
    return servomex::descriptor(framing_ == mb::Framing::rtu ? Mode::modbus_rtu
                                                             : Mode::modbus_ascii);
}

std::string ModbusSession::where() const {
    return std::string(framing_ == mb::Framing::rtu ? "servomex-modbus-rtu"
                                                    : "servomex-modbus-ascii") +
           " slave " + std::to_string(address_);
}

void ModbusSession::plan(Planned step) {
    steps_[step_count_++] = step;
}

void ModbusSession::replace_current(std::span<const Planned> steps) {
    std::array<Planned, kMaxSteps> plan{};
    std::size_t n = 0;
    for (std::size_t i = 0; i < next_step_; ++i)
        plan[n++] = steps_[i];
    for (const Planned &p : steps)
        plan[n++] = p;
    for (std::size_t i = next_step_ + 1; i < step_count_; ++i)
        plan[n++] = steps_[i];
    steps_ = plan;
    step_count_ = n;
}

void ModbusSession::plan_registers() {
    if (!narrow_registers_) return plan({Step::read_registers});
    registers_.fill(0);  // blocks not read stay empty
    for (const ChannelSlot &slot : kSlots)
        if (register_slots_ & (1u << slot.index))
            plan({Step::slot_registers, static_cast<uint8_t>(slot.index)});
}

void ModbusSession::plan_flags() {
    channel_flags_.fill(0);
    plan({narrow_flags_ ? Step::plan_slot_flags : Step::read_channel_flags});
}

void ModbusSession::begin(const anyserial_protocol_request_t &req) {
    step_count_ = next_step_ = 0;
    awaiting_ = failed_ = done_ = false;
    failure_code_ = ANYSERIAL_E_PROTOCOL;
    decoder_.reset();
    op_ = 0;
    group_ = 0;
    command_ = Command::none;
    auto pulse = [&] {
        plan({Step::coil_on});
        plan({Step::coil_verify});
        plan({Step::coil_off});
    };
    switch (req.op) {
        case ANYSERIAL_OP_PROBE:
            plan({Step::probe});
            break;
        case ANYSERIAL_OP_READ_FRAME:
            plan_registers();
            plan_flags();
            plan({Step::read_analyser});
            break;
        case ANYSERIAL_OP_IDENTIFY:
            plan_registers();
            break;
        case ANYSERIAL_OP_READ_STATUS:
            plan({Step::read_analyser});
            break;
        case ANYSERIAL_OP_COMMAND: {
            // The core validated the arguments; check again so a bad call never reaches
            // the wire (a group outside 1..4 is refused here too).
            const anyserial_command_info_t &cmd = sdk::find_command(descriptor(), req);
            try {
                sdk::check_args(cmd, req);
            } catch (const sdk::Error &e) {
                throw sdk::Error(e.status(), where() + ": " + e.what());
            }
            if (cmd.arg_count > 0) group_ = static_cast<uint32_t>(sdk::arg(req, 0).number);
            if (sdk::is_command(req, kCmdCalibrationStart)) {
                command_ = Command::start;
                pulse();
            } else if (sdk::is_command(req, kCmdCalibrationStop)) {
                command_ = Command::stop;
                group_ = 0;
                pulse();
            } else {
                command_ = Command::status;
                plan({Step::read_cal_group});
            }
            break;
        }
        default:
            throw sdk::Error(ANYSERIAL_E_NOT_SUPPORTED,
                             where() + ": unknown operation " + std::to_string(req.op));
    }
    op_ = req.op;
}

mb::Pdu ModbusSession::request_for(Planned planned) const noexcept {
    const uint16_t coil = group_ == 0 ? kStopCalibrationCoil : static_cast<uint16_t>(group_ - 1);
    const ChannelSlot &slot = kSlots[planned.slot];
    switch (planned.step) {
        case Step::probe:
            return mb::diagnostic_echo(kProbeData);
        case Step::read_registers:
            return mb::read_request(mb::kReadInputRegisters, 0, kInputRegisterCount);
        case Step::read_channel_flags:
            return mb::read_request(mb::kReadDiscreteInputs, 0, kChannelDiscreteCount);
        case Step::read_analyser:
            return mb::read_request(mb::kReadDiscreteInputs, kAnalyserFaultDiscrete,
                                    kAnalyserDiscreteCount);
        case Step::read_cal_group:
            return mb::read_request(mb::kReadDiscreteInputs,
                                    static_cast<uint16_t>(kCalGroupDiscrete + 2 * (group_ - 1)), 2);
        case Step::coil_on:
            return mb::write_single_coil(coil, true);
        case Step::coil_verify:
            return mb::read_request(mb::kReadCoils, coil, 1);
        case Step::coil_off:
            return mb::write_single_coil(coil, false);
        case Step::slot_registers:
            return mb::read_request(mb::kReadInputRegisters, slot.value_register,
                                    kRegistersPerSlot);
        case Step::slot_flags:
            return mb::read_request(mb::kReadDiscreteInputs, slot.discrete, kDiscretesPerSlot);
        case Step::plan_slot_flags:
            break;
    }
    return {};
}

uint32_t ModbusSession::data_model_address(Step step) const noexcept {
    if (step == Step::probe) return 0;
    const uint16_t pdu_address = mb::get_u16(request_.view(), 1);
    switch (request_.bytes[0]) {
        case mb::kReadInputRegisters:
            return kInputRegisterBase + pdu_address;
        case mb::kReadDiscreteInputs:
            return kDiscreteInputBase + pdu_address;
        case mb::kReadCoils:
        default:
            return kCoilBase + pdu_address;
    }
}

anyserial_status_t ModbusSession::next_transaction(anyserial_transaction_t &tx) {
    if (failed_) throw sdk::Error(failure_code_, failure_);
    if (op_ == 0) throw sdk::Error(ANYSERIAL_E_STATE, where() + ": no operation begun");
    if (next_step_ < step_count_ && steps_[next_step_].step == Step::plan_slot_flags) {
        std::array<Planned, kSlotCount> per_slot{};
        std::size_t n = 0;
        for (const ChannelSlot &slot : kSlots)
            if (populated(slot))
                per_slot[n++] = {Step::slot_flags, static_cast<uint8_t>(slot.index)};
        replace_current(std::span(per_slot).first(n));
    }
    if (next_step_ == step_count_) {
        done_ = true;
        return ANYSERIAL_DONE;
    }
    const Step step = steps_[next_step_].step;
    request_ = request_for(steps_[next_step_]);
    tx_len_ = mb::encode_adu(framing_, address_, request_.view(), tx_buf_);
    const std::size_t response_pdu = mb::expected_response_pdu_len(request_.view());
    decoder_.expect({address_, request_.bytes[0], response_pdu});
    awaiting_ = true;

    tx.len = static_cast<uint32_t>(tx_len_);
    tx.data = tx_buf_.data();
    tx.response_timeout_ns = timeout_ns_;
    tx.idle_before_ns = idle_ns_;
    tx.expected_response_len = static_cast<uint32_t>(mb::wire_length(framing_, response_pdu));
    tx.retries = retries_;
    tx.expects_response = true;
    tx.function_code = request_.bytes[0];
    tx.register_address = data_model_address(step);
    return ANYSERIAL_OK;
}

void ModbusSession::copy_raw(std::span<const uint8_t> raw) noexcept {
    raw_len_ = std::min(raw.size(), raw_.size());
    std::memcpy(raw_.data(), raw.data(), raw_len_);
}

uint32_t ModbusSession::feed(std::span<const uint8_t> data, anyserial_protocol_event_t &ev) {
    if (!awaiting_) {
        // The analyser never speaks unasked: whatever arrives now is line noise.
        if (data.empty()) return 0;
        copy_raw(data);
        ev.type = ANYSERIAL_EVENT_BAD_FRAME;
        ev.bad_frame_reason = ANYSERIAL_BAD_FRAME_UNEXPECTED;
        ev.reason = "bytes received with no request outstanding";
        ev.raw = raw_.data();
        ev.raw_len = static_cast<uint32_t>(raw_len_);
        return static_cast<uint32_t>(data.size());
    }
    const mb::DecodeResult r = decoder_.feed(data);
    switch (r.status) {
        case mb::DecodeStatus::need_more:
            break;
        case mb::DecodeStatus::bad_frame:
            ev.type = ANYSERIAL_EVENT_BAD_FRAME;
            ev.bad_frame_reason = bad_frame_reason(r.bad);
            ev.reason = r.reason;
            break;
        case mb::DecodeStatus::exception:
            if (r.exception_code == mb::kIllegalDataAddress && narrow_on_illegal_address()) {
                ev.type = ANYSERIAL_EVENT_RESPONSE;  // absorbed: the plan goes on
                awaiting_ = false;
                break;
            }
            ev.type = ANYSERIAL_EVENT_EXCEPTION;
            ev.reason = r.reason;
            ev.function_code = request_.bytes[0];
            ev.exception_code = r.exception_code;
            failed_ = true;
            awaiting_ = false;
            failure_ = where() + ": " + r.reason;
            break;
        case mb::DecodeStatus::response:
            if (apply(r.pdu)) {
                ev.type = ANYSERIAL_EVENT_RESPONSE;
                awaiting_ = false;
                ++next_step_;
            } else {
                ev.type = ANYSERIAL_EVENT_BAD_FRAME;
                ev.bad_frame_reason = ANYSERIAL_BAD_FRAME_UNEXPECTED;
                ev.reason = why_;
                decoder_.reset();
            }
            break;
    }
    if (r.status != mb::DecodeStatus::need_more) {
        ev.raw = r.raw.data();
        ev.raw_len = static_cast<uint32_t>(r.raw.size());
    }
    return static_cast<uint32_t>(r.consumed);
}

void ModbusSession::reset_receive() {
    decoder_.reset();
}

bool ModbusSession::narrow_on_illegal_address() {
    const Planned current = steps_[next_step_];
    switch (current.step) {
        case Step::read_registers: {
            // The device refuses the coalesced read: one block per slot from now on.
            narrow_registers_ = true;
            register_slots_ = (1u << kSlotCount) - 1;
            registers_.fill(0);
            std::array<Planned, kSlotCount> per_slot{};
            for (const ChannelSlot &slot : kSlots)
                per_slot[slot.index] = {Step::slot_registers, static_cast<uint8_t>(slot.index)};
            replace_current(per_slot);
            return true;
        }
        case Step::read_channel_flags:
            narrow_flags_ = true;
            channel_flags_.fill(0);
            steps_[next_step_] = {Step::plan_slot_flags};
            return true;
        case Step::slot_registers:
            register_slots_ &= static_cast<uint16_t>(~(1u << current.slot));  // absent slot
            if (register_slots_ == 0) return false;  // the device answers no block at all
            ++next_step_;
            return true;
        case Step::slot_flags:
            ++next_step_;  // its flags read clear
            return true;
        default:
            return false;
    }
}

bool ModbusSession::apply(std::span<const uint8_t> pdu) {
    const Planned planned = steps_[next_step_];
    const Step step = planned.step;
    switch (step) {
        case Step::coil_verify:
            if (!mb::get_bit(pdu.subspan(2), 0)) {
                failed_ = true;
                failure_code_ = ANYSERIAL_E_STATE;
                const uint32_t coil = data_model_address(step);
                failure_ = where() + ": coil " + std::to_string(coil) +
                           " read back OFF after it was switched ON: " +
                           (group_ == 0 ? std::string("the stop of autocalibration")
                                        : "the start of cal-group " + std::to_string(group_)) +
                           " did not latch";
            }
            return true;
        case Step::slot_registers:
            for (std::size_t i = 0; i < kRegistersPerSlot; ++i)
                registers_[kSlots[planned.slot].value_register + i] = mb::get_u16(pdu, 2 + 2 * i);
            return true;
        case Step::slot_flags:
            channel_flags_[planned.slot] = pdu[2];
            return true;
        case Step::plan_slot_flags:
            return false;
        case Step::probe:
        case Step::coil_on:
        case Step::coil_off:
            if (!std::equal(pdu.begin(), pdu.end(), request_.bytes.begin(),
                            request_.bytes.begin() + static_cast<std::ptrdiff_t>(request_.size)) ||
                pdu.size() != request_.size) {
                std::snprintf(why_, sizeof why_, "%s echo does not match the request",
                              step == Step::probe ? "loopback (FC08)" : "coil write (FC05)");
                return false;
            }
            return true;
        case Step::read_registers:
            for (std::size_t i = 0; i < kInputRegisterCount; ++i)
                registers_[i] = mb::get_u16(pdu, 2 + 2 * i);
            return true;
        case Step::read_channel_flags:
            std::copy_n(pdu.begin() + 2, channel_flags_.size(), channel_flags_.begin());
            return true;
        case Step::read_analyser:
            analyser_bits_ = static_cast<uint16_t>(pdu[2] | (pdu[3] << 8));
            return true;
        case Step::read_cal_group:
            cal_bits_[0] = mb::get_bit(pdu.subspan(2), 0);
            cal_bits_[1] = mb::get_bit(pdu.subspan(2), 1);
            return true;
    }
    return false;
}

bool ModbusSession::populated(const ChannelSlot &slot) const noexcept {
    std::array<uint8_t, kNameBytes> name{};
    std::array<uint8_t, kUnitBytes> unit{};
    register_bytes(std::span(registers_).subspan(slot.name_register, 3), name);
    register_bytes(std::span(registers_).subspan(slot.unit_register, 2), unit);
    return !blank(name) || !blank(unit);
}

void ModbusSession::decode_readings(bool identify) {
    sdk::FrameBuilder &frame = result_.frame();
    sdk::ChannelTable &table = channels();
    table.clear();
    for (const ChannelSlot &slot : kSlots) {
        const bool present = populated(slot);
        // identify lists populated slots; a sweep carries empty ones too (unlisted),
        // except blocks the narrow plan found absent.
        if (!present && (identify || !(register_slots_ & (1u << slot.index)))) continue;
        std::array<uint8_t, kNameBytes> name{};
        std::array<uint8_t, kUnitBytes> unit{};
        register_bytes(std::span(registers_).subspan(slot.name_register, 3), name);
        register_bytes(std::span(registers_).subspan(slot.unit_register, 2), unit);

        anyserial_reading_t &r = frame.add_reading(slot.id);
        text_.clear();
        const char *name_text = nullptr;
        if (!blank(name) && !unlabelled(name)) {
            append_display_text(text_, trim_field(std::span<const uint8_t>(name)));
            name_text = r.name = frame.text(text_);
        }
        text_.clear();
        append_display_text(text_, trim_field(std::span<const uint8_t>(unit)));
        const ParsedUnit parsed = parse_unit(text_);
        r.unit = frame.text(parsed.kind != UnitKind::unknown ? parsed.text : text_);
        const float v = mb::float_from_registers(registers_[slot.value_register],
                                                 registers_[slot.value_register + 1u]);
        if (std::isfinite(v)) {
            r.value_type = ANYSERIAL_VALUE_NUMBER;
            r.number = mb::decimal_from_float(v);
        }
        if (!identify)
            r.flags = decode_channel_status(slot.kind, channel_flags_[slot.discrete / 8]);
        r.unlisted = !present;
        if (present) table.add(slot.id, name_text, kind_tag(slot.kind), r.unit);
    }
}

void ModbusSession::result(anyserial_protocol_result_t &out) {
    if (!done_) throw sdk::Error(ANYSERIAL_E_STATE, where() + ": no finished operation");
    result_.clear();
    AnalyserState analyser;
    decode_analyser_discretes(analyser_bits_, analyser);
    switch (op_) {
        case ANYSERIAL_OP_READ_FRAME:
        case ANYSERIAL_OP_READ_STATUS: {
            if (op_ == ANYSERIAL_OP_READ_FRAME) decode_readings(false);
            sdk::FrameBuilder &frame = result_.frame();
            frame.header().device_flags = device_flags(analyser);
            add_status_fields(frame.fields(), analyser);
            break;
        }
        case ANYSERIAL_OP_IDENTIFY:
            decode_readings(true);
            result_.fields().add_text(ANYSERIAL_FIELD_MODEL, descriptor().name);
            break;
        case ANYSERIAL_OP_COMMAND:
            if (command_ == Command::status) {
                result_.fields().add_integer("group", group_);
                result_.fields().add_integer("active", cal_bits_[0] ? 1 : 0);
                result_.fields().add_text("phase", !cal_bits_[0]  ? "idle"
                                                   : cal_bits_[1] ? "gas2"
                                                                  : "gas1");
            } else if (command_ == Command::start) {
                result_.fields().add_integer("group", group_);
            }
            break;
        default:
            break;
    }
    result_.fill(out, op_);
}

}  // namespace anyserial::servomex

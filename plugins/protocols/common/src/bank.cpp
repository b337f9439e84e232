#include "anyserial/servomex/bank.hpp"

#include <anyserial/sdk/cpp/error.hpp>
#include <bit>
#include <limits>

#include "anyserial/servomex/charset.hpp"
#include "anyserial/servomex/status.hpp"

namespace anyserial::servomex {

namespace {

const ChannelSlot &slot_or_throw(std::string_view id) {
    const ChannelSlot *s = find_slot(id);
    if (s == nullptr)
        throw sdk::Error(ANYSERIAL_E_NOT_FOUND, "unknown channel '" + std::string(id) +
                                                    "' (expected I1-I4, D1-D4, E1-E2)");
    return *s;
}

std::size_t code_points(std::string_view utf8) noexcept {
    std::size_t n = 0;
    for (char c : utf8)
        if ((static_cast<uint8_t>(c) & 0xC0) != 0x80) ++n;
    return n;
}

}  // namespace

Bank Bank::bench() {
    Bank b;
    b.set_label("I1", "Oxygen", "%");
    b.set_reading("I1", true, 20.376, 0);
    b.set_label("I2", "CO", "%");
    b.set_reading("I2", true, 0.084, 0);
    b.set_label("I3", "CO\u2082", "%");
    b.set_reading("I3", true, 0.250, 0);
    b.set_label("E1", nullptr, "mA");
    b.set_reading("E1", true, 0.0, 0);
    b.set_label("E2", nullptr, "mA");
    b.set_reading("E2", true, 0.0, 0);
    return b;
}

void Bank::set_reading(std::string_view channel, bool has_value, double value, uint64_t flags) {
    BankChannel &c = channels_[slot_or_throw(channel).index];
    c.has_value = has_value;
    c.value = has_value ? value : 0.0;
    c.flags = flags;
}

void Bank::set_label(std::string_view channel, const char *name, const char *unit) {
    const ChannelSlot &slot = slot_or_throw(channel);
    const std::string_view n = name != nullptr ? name : "";
    const std::string_view u = unit != nullptr ? unit : "";
    if (code_points(n) > kNameBytes)
        throw sdk::Error(ANYSERIAL_E_INVALID_ARGUMENT, "name '" + std::string(n) + "' of " +
                                                           std::string(channel) +
                                                           " is longer than 6 characters");
    if (u.size() > kUnitBytes - 1)
        throw sdk::Error(ANYSERIAL_E_INVALID_ARGUMENT, "unit '" + std::string(u) + "' of " +
                                                           std::string(channel) +
                                                           " is longer than 3 characters");
    BankChannel &c = channels_[slot.index];
    c.labelled = name != nullptr && !trim_field(n).empty();
    c.name = c.labelled ? std::string(n) : std::string();
    c.unit = std::string(trim_field(u));
}

void Bank::set_device_flags(uint64_t flags) noexcept {
    fault_ = (flags & kFlagFault) != 0;
    maintenance_ = (flags & kFlagMaintenance) != 0;
}

bool Bank::populated(const ChannelSlot &slot) const noexcept {
    const BankChannel &c = channels_[slot.index];
    return slot.kind == ChannelKind::external || c.labelled || !c.unit.empty();
}

uint8_t Bank::channel_bits(const ChannelSlot &slot) const noexcept {
    unsigned bits = encode_channel_status(slot.kind, channels_[slot.index].flags);
    const uint32_t group = cal_group_of(slot);
    if (group != 0 && calibrating_[group - 1]) bits |= 1u << kBitCalibration;
    if (slot.kind == ChannelKind::derived) {
        const unsigned parent = channel_bits(kSlots[static_cast<std::size_t>(slot.parent)]);
        bits = (bits & 0xF0u) | (parent & 0x0Fu);
    }
    return static_cast<uint8_t>(bits);
}

AnalyserState Bank::analyser() const noexcept {
    AnalyserState s;
    s.fault = fault_;
    s.maintenance = maintenance_;
    for (uint32_t g = 0; g < kCalGroupCount; ++g) {
        s.groups[g].calibrating = calibrating_[g];
        s.groups[g].gas = gas_[g];
    }
    return s;
}

uint16_t Bank::analyser_bits() const noexcept {
    return encode_analyser_discretes(analyser());
}

void Bank::write_coil(uint16_t address, bool value) noexcept {
    if (address >= kCoilCount) return;
    const bool rising = value && !coils_[address];
    coils_[address] = value;
    if (!rising) return;
    if (address < kCalGroupCount) {
        calibrating_[address] = true;
        gas_[address] = 1;
    } else if (address == kStopCalibrationCoil) {
        calibrating_.fill(false);
        gas_.fill(1);
    }
}

bool Bank::coil(uint16_t address) const noexcept {
    return address < kCoilCount && coils_[address];
}

bool Bank::calibrating(uint32_t group) const noexcept {
    return group >= 1 && group <= kCalGroupCount && calibrating_[group - 1];
}

uint32_t Bank::cal_gas(uint32_t group) const noexcept {
    return group >= 1 && group <= kCalGroupCount ? gas_[group - 1] : 1;
}

void Bank::input_registers(std::span<uint16_t, kInputRegisterCount> out) const noexcept {
    for (const ChannelSlot &slot : kSlots) {
        const BankChannel &c = channels_[slot.index];
        const bool present = populated(slot);
        const float v = !present      ? 0.0f
                        : c.has_value ? static_cast<float>(c.value)
                                      : std::numeric_limits<float>::quiet_NaN();
        const auto bits = std::bit_cast<uint32_t>(v);  // high word first
        out[slot.value_register] = static_cast<uint16_t>(bits >> 16);
        out[slot.value_register + 1] = static_cast<uint16_t>(bits & 0xFFFF);
        std::array<uint8_t, kNameBytes> name{};
        std::array<uint8_t, kUnitBytes> unit{};
        if (present) {
            encode_display_text(c.labelled ? std::string_view(c.name) : std::string_view(),
                                NameEncoding::display_rom, name, ' ');
            encode_display_text(c.unit, NameEncoding::display_rom,
                                std::span<uint8_t>(unit).first(kUnitBytes - 1), ' ');
        }
        for (std::size_t i = 0; i < 3; ++i)
            out[slot.name_register + i] =
                static_cast<uint16_t>((name[2 * i] << 8) | name[2 * i + 1]);
        for (std::size_t i = 0; i < 2; ++i)
            out[slot.unit_register + i] =
                static_cast<uint16_t>((unit[2 * i] << 8) | unit[2 * i + 1]);
    }
}

}  // namespace anyserial::servomex

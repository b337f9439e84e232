// The simulated analyser's state, shared by the three simulators: per-slot readings,
// labels and flags, analyser fault/maintenance, cal-groups and the coils that pulse them.
// Preloaded as the bench unit. Pure data: each simulator renders it in its own wire form.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "registry.hpp"
#include "status.hpp"

namespace anyserial::servomex {

struct BankChannel {
    bool has_value = false;  // false: over-range
    double value = 0.0;
    uint64_t flags = 0;  // declared flags (status.hpp) set by the user
    bool labelled = false;
    std::string name;  // UTF-8 display name (when labelled)
    std::string unit;  // "%", "mA", ... ("" = none)
};

class Bank {
  public:
    // Every slot unpopulated, analyser idle.
    Bank() = default;
    // The bench 4100D: I1 Oxygen 20.376 %, I2 CO 0.084 %, I3 CO₂ 0.250 %, E1/E2
    // unlabelled 0.0 mA; I4 and D1–D4 unpopulated.
    static Bank bench();

    // Throw sdk::Error(NOT_FOUND) for an unknown channel id, (INVALID_ARGUMENT) for a
    // label that does not fit the device (name > 6 characters, unit > 3 bytes).
    void set_reading(std::string_view channel, bool has_value, double value, uint64_t flags);
    void set_label(std::string_view channel, const char *name, const char *unit);
    // Device flags: `fault` and `maintenance` (others are ignored).
    void set_device_flags(uint64_t flags) noexcept;

    const BankChannel &channel(const ChannelSlot &slot) const noexcept {
        return channels_[slot.index];
    }
    // A slot the device reports: labelled or with a unit. E1 and E2 always are.
    bool populated(const ChannelSlot &slot) const noexcept;

    // The 8 discrete bits the device shows for a slot: the user's flags, the Calibration
    // bit of its cal-group, and for a derived slot bits 0–3 copied from its parent.
    uint8_t channel_bits(const ChannelSlot &slot) const noexcept;
    // Discretes 1000..1015 (fault, maintenance, cal-groups).
    uint16_t analyser_bits() const noexcept;
    AnalyserState analyser() const noexcept;

    // Coils 0..8 (PDU): a 0→1 edge on 0..3 starts that cal-group on gas 1, on 8 stops all.
    void write_coil(uint16_t address, bool value) noexcept;
    bool coil(uint16_t address) const noexcept;
    bool calibrating(uint32_t group) const noexcept;  // group 1..4
    uint32_t cal_gas(uint32_t group) const noexcept;

    // The 70 input registers (values float32 high word first, names in the display ROM,
    // units 3 chars + NUL).
    void input_registers(std::span<uint16_t, kInputRegisterCount> out) const noexcept;

  private:
    std::array<BankChannel, kSlotCount> channels_{};
    bool fault_ = false, maintenance_ = false;
    std::array<bool, kCalGroupCount> calibrating_{};
    std::array<uint8_t, kCalGroupCount> gas_{1, 1, 1, 1};
    std::array<bool, kCoilCount> coils_{};
};

}  // namespace anyserial::servomex

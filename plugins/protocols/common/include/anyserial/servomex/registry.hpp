// The 4100's channel registry: ten slots (I1–I4, D1–D4, E1–E2) and where each lives in
// the Modbus map. Generated from the stride pattern of the spec (7 input registers and
// 8 discrete inputs per slot, slots in order) and checked against the spec's table at
// compile time.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace anyserial::servomex {

enum class ChannelKind : uint32_t { transducer, derived, external };

// The channel kind tag the plugins declare (anyserial_channel_info_t.kind).
constexpr const char *kind_tag(ChannelKind k) noexcept {
    switch (k) {
        case ChannelKind::transducer:
            return "transducer";
        case ChannelKind::derived:
            return "derived";
        case ChannelKind::external:
            return "external";
    }
    return "";
}

// Data-model bases (1-based numbers = PDU address + base).
inline constexpr uint32_t kInputRegisterBase = 30001;
inline constexpr uint32_t kDiscreteInputBase = 10001;
inline constexpr uint32_t kCoilBase = 1;

inline constexpr uint16_t kSlotCount = 10;
inline constexpr uint16_t kRegistersPerSlot = 7;  // value 2, name 3, unit 2
inline constexpr uint16_t kDiscretesPerSlot = 8;  // fault .. alarm 4
inline constexpr uint16_t kInputRegisterCount = kSlotCount * kRegistersPerSlot;    // 70
inline constexpr uint16_t kChannelDiscreteCount = kSlotCount * kDiscretesPerSlot;  // 80
inline constexpr std::size_t kNameBytes = 6;
inline constexpr std::size_t kUnitBytes = 4;  // 3 chars + NUL

// Analyser status discretes (PDU addresses).
inline constexpr uint16_t kAnalyserFaultDiscrete = 1000;
inline constexpr uint16_t kAnalyserMaintenanceDiscrete = 1001;
inline constexpr uint16_t kCalGroupDiscrete = 1008;     // 2 bits per group
inline constexpr uint16_t kAnalyserDiscreteCount = 16;  // 1000..1015
inline constexpr uint32_t kCalGroupCount = 4;

// Coils (PDU addresses): 0..3 start cal-group 1..4, 8 stops all.
inline constexpr uint16_t kStopCalibrationCoil = 8;
inline constexpr uint16_t kCoilCount = 9;

struct ChannelSlot {
    std::string_view id;  // "I1"
    ChannelKind kind;
    uint16_t index;           // 0..9, the slot's position in the map
    uint16_t value_register;  // PDU address of the float32 (2 registers)
    uint16_t name_register;   // 3 registers
    uint16_t unit_register;   // 2 registers
    uint16_t discrete;        // PDU address of bit 0 (Fault)
    int16_t parent;           // derived: index of the parent transducer, else -1
};

namespace detail {
inline constexpr std::array<std::string_view, kSlotCount> kIds = {"I1", "I2", "I3", "I4", "D1",
                                                                  "D2", "D3", "D4", "E1", "E2"};
constexpr std::array<ChannelSlot, kSlotCount> make_slots() {
    std::array<ChannelSlot, kSlotCount> slots{};
    for (uint16_t i = 0; i < kSlotCount; ++i) {
        const ChannelKind kind = i < 4   ? ChannelKind::transducer
                                 : i < 8 ? ChannelKind::derived
                                         : ChannelKind::external;
        const auto base = static_cast<uint16_t>(i * kRegistersPerSlot);
        slots[i] = ChannelSlot{kIds[i],
                               kind,
                               i,
                               base,
                               static_cast<uint16_t>(base + 2),
                               static_cast<uint16_t>(base + 5),
                               static_cast<uint16_t>(i * kDiscretesPerSlot),
                               static_cast<int16_t>(kind == ChannelKind::derived ? i - 4 : -1)};
    }
    return slots;
}
}  // namespace detail

inline constexpr std::array<ChannelSlot, kSlotCount> kSlots = detail::make_slots();

// The spec's table, checked once.
static_assert(kSlots[0].value_register + kInputRegisterBase == 30001);
static_assert(kSlots[0].name_register + kInputRegisterBase == 30003);
static_assert(kSlots[0].unit_register + kInputRegisterBase == 30006);
static_assert(kSlots[1].value_register + kInputRegisterBase == 30008);
static_assert(kSlots[1].name_register + kInputRegisterBase == 30010);
static_assert(kSlots[1].unit_register + kInputRegisterBase == 30013);
static_assert(kSlots[2].value_register + kInputRegisterBase == 30015);
static_assert(kSlots[3].unit_register + kInputRegisterBase == 30027);
static_assert(kSlots[4].value_register + kInputRegisterBase == 30029);
static_assert(kSlots[7].value_register + kInputRegisterBase == 30050);
static_assert(kSlots[8].value_register + kInputRegisterBase == 30057);
static_assert(kSlots[9].value_register + kInputRegisterBase == 30064);
static_assert(kSlots[9].unit_register + 2 == kInputRegisterCount);
static_assert(kSlots[1].discrete + kDiscreteInputBase == 10009);
static_assert(kSlots[4].discrete + kDiscreteInputBase == 10033);
static_assert(kSlots[8].discrete + kDiscreteInputBase == 10065);
static_assert(kSlots[9].discrete + kDiscreteInputBase == 10073);
static_assert(kAnalyserFaultDiscrete + kDiscreteInputBase == 11001);
static_assert(kCalGroupDiscrete + kDiscreteInputBase == 11009);
static_assert(kSlots[6].parent == 2 && kSlots[8].parent == -1);

// Slot by wire id ("I1"), nullptr when unknown.
constexpr const ChannelSlot *find_slot(std::string_view id) noexcept {
    for (const ChannelSlot &s : kSlots)
        if (s.id == id) return &s;
    return nullptr;
}

// Which cal-group a slot belongs to (1..4) in the simulator's model: group g covers
// transducer Ig and its derived channel Dg; external inputs are never calibrated.
constexpr uint32_t cal_group_of(const ChannelSlot &s) noexcept {
    if (s.kind == ChannelKind::transducer) return s.index + 1u;
    if (s.kind == ChannelKind::derived) return static_cast<uint32_t>(s.parent) + 1u;
    return 0;
}

}  // namespace anyserial::servomex

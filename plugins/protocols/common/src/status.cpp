#include "anyserial/servomex/status.hpp"

namespace anyserial::servomex {

namespace {
constexpr uint64_t kLowFlags[4] = {kFlagFault, kFlagMaintenance, kFlagCalibrating, kFlagWarmingUp};
constexpr uint64_t kAlarms[4] = {kFlagAlarm1, kFlagAlarm2, kFlagAlarm3, kFlagAlarm4};
// Static ids: building the status fields allocates nothing per frame.
constexpr const char *kCalibratingIds[kCalGroupCount] = {
    "cal_group.1.calibrating", "cal_group.2.calibrating", "cal_group.3.calibrating",
    "cal_group.4.calibrating"};
constexpr const char *kGasIds[kCalGroupCount] = {"cal_group.1.gas", "cal_group.2.gas",
                                                 "cal_group.3.gas", "cal_group.4.gas"};
}  // namespace

uint64_t device_flags(const AnalyserState &s) noexcept {
    return (s.fault ? kFlagFault : 0) | (s.maintenance ? kFlagMaintenance : 0);
}

const char *cal_group_calibrating_id(uint32_t group) noexcept {
    return group >= 1 && group <= kCalGroupCount ? kCalibratingIds[group - 1] : "";
}

const char *cal_group_gas_id(uint32_t group) noexcept {
    return group >= 1 && group <= kCalGroupCount ? kGasIds[group - 1] : "";
}

void add_status_fields(sdk::FieldList &fields, const AnalyserState &s) {
    fields.add_integer("cal_group_count", s.cal_group_count);
    for (uint32_t g = 1; g <= s.cal_group_count && g <= kCalGroupCount; ++g) {
        fields.add_integer(kCalibratingIds[g - 1], s.groups[g - 1].calibrating ? 1 : 0);
        fields.add_integer(kGasIds[g - 1], s.groups[g - 1].gas);
    }
}

uint64_t decode_channel_status(ChannelKind kind, uint8_t bits) noexcept {
    uint64_t status = 0;
    for (unsigned i = 0; i < 4; ++i)
        if (bits & (1u << (kBitAlarm1 + i))) status |= kAlarms[i];
    if (kind == ChannelKind::external) {
        if (bits & (1u << kBitFault)) status |= kFlagFault | kFlagInvalid;
        return status;  // bits 1–3 reserved
    }
    for (unsigned i = 0; i < 4; ++i)
        if (bits & (1u << i)) status |= kLowFlags[i];
    if (kind == ChannelKind::derived && (bits & 0x0Fu) != 0) status |= kFlagInherited;
    return status;
}

uint8_t encode_channel_status(ChannelKind kind, uint64_t flags) noexcept {
    unsigned bits = 0;
    for (unsigned i = 0; i < 4; ++i)
        if (flags & kAlarms[i]) bits |= 1u << (kBitAlarm1 + i);
    if (kind == ChannelKind::external) {
        if (flags & (kFlagInvalid | kFlagFault)) bits |= 1u << kBitFault;
    } else {
        for (unsigned i = 0; i < 4; ++i)
            if (flags & kLowFlags[i]) bits |= 1u << i;
    }
    return static_cast<uint8_t>(bits);
}

void decode_analyser_discretes(uint16_t bits, AnalyserState &out) noexcept {
    out.fault = (bits & 0x1u) != 0;
    out.maintenance = (bits & 0x2u) != 0;
    out.cal_group_count = kCalGroupCount;
    const unsigned first = kCalGroupDiscrete - kAnalyserFaultDiscrete;
    for (uint32_t g = 0; g < kCalGroupCount; ++g) {
        const unsigned b = first + 2 * g;
        out.groups[g].calibrating = ((bits >> b) & 1u) != 0;
        out.groups[g].gas = ((bits >> (b + 1)) & 1u) != 0 ? 2 : 1;
    }
}

uint16_t encode_analyser_discretes(const AnalyserState &status) noexcept {
    unsigned bits = (status.fault ? 1u : 0u) | (status.maintenance ? 2u : 0u);
    const unsigned first = kCalGroupDiscrete - kAnalyserFaultDiscrete;
    for (uint32_t g = 0; g < kCalGroupCount && g < status.cal_group_count; ++g) {
        const unsigned b = first + 2 * g;
        if (status.groups[g].calibrating) bits |= 1u << b;
        if (status.groups[g].gas == 2) bits |= 1u << (b + 1);
    }
    return static_cast<uint16_t>(bits);
}

bool parse_autocal(std::string_view field, AnalyserState &out) noexcept {
    while (!field.empty() && field.back() == ' ')
        field.remove_suffix(1);
    if (field.size() % 2 != 0 || field.size() > 2 * kCalGroupCount) return false;
    out.cal_group_count = kCalGroupCount;
    for (uint32_t g = 0; g < kCalGroupCount; ++g) {
        const bool sent = 2 * g < field.size();
        out.groups[g].calibrating = sent && field[2 * g] == 'C';
        out.groups[g].gas = sent && field[2 * g + 1] == '2' ? 2 : 1;
    }
    return true;
}

void format_autocal(const AnalyserState &status, char out[8]) noexcept {
    for (uint32_t g = 0; g < kCalGroupCount; ++g) {
        const bool known = g < status.cal_group_count;
        out[2 * g] = known && status.groups[g].calibrating ? 'C' : 'S';
        out[2 * g + 1] = known && status.groups[g].gas == 2 ? '2' : '1';
    }
}

}  // namespace anyserial::servomex

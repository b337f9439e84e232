#include "anyserial/servomex/status.hpp"

namespace anyserial::servomex {

namespace {
constexpr uint32_t kLowFlags[4] = {ANYSERIAL_STATUS_FAULT, ANYSERIAL_STATUS_MAINTENANCE,
                                   ANYSERIAL_STATUS_CALIBRATING, ANYSERIAL_STATUS_WARMING_UP};
constexpr uint32_t kAlarms[4] = {ANYSERIAL_STATUS_ALARM1, ANYSERIAL_STATUS_ALARM2,
                                 ANYSERIAL_STATUS_ALARM3, ANYSERIAL_STATUS_ALARM4};
}  // namespace

uint32_t decode_channel_status(ChannelKind kind, uint8_t bits) noexcept {
    uint32_t status = 0;
    for (unsigned i = 0; i < 4; ++i)
        if (bits & (1u << (kBitAlarm1 + i))) status |= kAlarms[i];
    if (kind == ChannelKind::external) {
        if (bits & (1u << kBitFault)) status |= ANYSERIAL_STATUS_FAULT | ANYSERIAL_STATUS_INVALID;
        return status;  // bits 1–3 reserved
    }
    for (unsigned i = 0; i < 4; ++i)
        if (bits & (1u << i)) status |= kLowFlags[i];
    if (kind == ChannelKind::derived && (bits & 0x0Fu) != 0) status |= ANYSERIAL_STATUS_INHERITED;
    return status;
}

uint8_t encode_channel_status(ChannelKind kind, uint32_t status) noexcept {
    unsigned bits = 0;
    for (unsigned i = 0; i < 4; ++i)
        if (status & kAlarms[i]) bits |= 1u << (kBitAlarm1 + i);
    if (kind == ChannelKind::external) {
        if (status & (ANYSERIAL_STATUS_INVALID | ANYSERIAL_STATUS_FAULT)) bits |= 1u << kBitFault;
    } else {
        for (unsigned i = 0; i < 4; ++i)
            if (status & kLowFlags[i]) bits |= 1u << i;
    }
    return static_cast<uint8_t>(bits);
}

anyserial_cal_group_t decode_cal_group(uint32_t group, bool calibrating, bool gas2) noexcept {
    anyserial_cal_group_t g{};
    g.struct_size = sizeof g;
    g.group = group;
    g.calibrating = calibrating;
    g.cal_gas = gas2 ? 2 : 1;
    return g;
}

void decode_analyser_discretes(uint16_t bits, anyserial_analyser_status_t &out) noexcept {
    out.fault = (bits & 0x1u) != 0;
    out.maintenance = (bits & 0x2u) != 0;
    out.cal_group_count = kCalGroupCount;
    const unsigned first = kCalGroupDiscrete - kAnalyserFaultDiscrete;
    for (uint32_t g = 0; g < kCalGroupCount; ++g) {
        const unsigned b = first + 2 * g;
        out.cal_groups[g] = decode_cal_group(g + 1, (bits >> b) & 1u, (bits >> (b + 1)) & 1u);
    }
}

uint16_t encode_analyser_discretes(const anyserial_analyser_status_t &status) noexcept {
    unsigned bits = (status.fault ? 1u : 0u) | (status.maintenance ? 2u : 0u);
    const unsigned first = kCalGroupDiscrete - kAnalyserFaultDiscrete;
    for (uint32_t g = 0; g < kCalGroupCount && g < status.cal_group_count; ++g) {
        const unsigned b = first + 2 * g;
        if (status.cal_groups[g].calibrating) bits |= 1u << b;
        if (status.cal_groups[g].cal_gas == 2) bits |= 1u << (b + 1);
    }
    return static_cast<uint16_t>(bits);
}

uint32_t continuous_status(std::string_view alarms, std::string_view fm, std::string_view cal,
                           std::string_view warm_up) noexcept {
    auto letter = [](std::string_view f, std::size_t i, char c) {
        return i < f.size() && f[i] == c;
    };
    uint32_t status = 0;
    for (std::size_t i = 0; i < 4; ++i)
        if (i < alarms.size() && alarms[i] != ' ') status |= kAlarms[i];
    if (letter(fm, 0, 'F')) status |= ANYSERIAL_STATUS_FAULT;
    if (letter(fm, 1, 'M')) status |= ANYSERIAL_STATUS_MAINTENANCE;
    if (letter(cal, 0, 'C')) status |= ANYSERIAL_STATUS_CALIBRATING;
    if (letter(warm_up, 0, 'W')) status |= ANYSERIAL_STATUS_WARMING_UP;
    return status;
}

bool parse_autocal(std::string_view field, anyserial_analyser_status_t &out) noexcept {
    while (!field.empty() && field.back() == ' ')
        field.remove_suffix(1);
    if (field.size() % 2 != 0 || field.size() > 2 * kCalGroupCount) return false;
    out.cal_group_count = kCalGroupCount;
    for (uint32_t g = 0; g < kCalGroupCount; ++g) {
        const bool sent = 2 * g < field.size();
        out.cal_groups[g] =
            decode_cal_group(g + 1, sent && field[2 * g] == 'C', sent && field[2 * g + 1] == '2');
    }
    return true;
}

void format_autocal(const anyserial_analyser_status_t &status, char out[8]) noexcept {
    for (uint32_t g = 0; g < kCalGroupCount; ++g) {
        const bool known = g < status.cal_group_count;
        out[2 * g] = known && status.cal_groups[g].calibrating ? 'C' : 'S';
        out[2 * g + 1] = known && status.cal_groups[g].cal_gas == 2 ? '2' : '1';
    }
}

anyserial_analyser_status_t idle_analyser_status() noexcept {
    anyserial_analyser_status_t s{};
    s.struct_size = sizeof s;
    s.cal_group_count = kCalGroupCount;
    for (uint32_t g = 0; g < kCalGroupCount; ++g)
        s.cal_groups[g] = decode_cal_group(g + 1, false, false);
    return s;
}

}  // namespace anyserial::servomex

// anyserial — ABI structs -> models (copied before the plugin call returns).
#include <anyserial/device/abi.hpp>
#include <cstddef>
#include <cstring>

namespace anyserial::device {
namespace {

// True when the plugin's struct (of struct_size bytes) contains the member ending at `end`.
constexpr bool has(std::uint32_t struct_size, std::size_t end) noexcept {
    return struct_size >= end;
}
#define ANYSERIAL_HAS(s, T, m) has((s).struct_size, offsetof(T, m) + sizeof(((T *)nullptr)->m))

}  // namespace

ChannelStatus status_from_bits(std::uint32_t bits) noexcept {
    ChannelStatus s;
    // Invalid (an external input's bit 0) is the reading's fault, as in the reference:
    // whatever shows or stores a status then says "not ok".
    s.fault = (bits & (ANYSERIAL_STATUS_FAULT | ANYSERIAL_STATUS_INVALID)) != 0;
    s.maintenance = (bits & ANYSERIAL_STATUS_MAINTENANCE) != 0;
    s.calibrating = (bits & ANYSERIAL_STATUS_CALIBRATING) != 0;
    s.warming_up = (bits & ANYSERIAL_STATUS_WARMING_UP) != 0;
    s.alarms = {(bits & ANYSERIAL_STATUS_ALARM1) != 0, (bits & ANYSERIAL_STATUS_ALARM2) != 0,
                (bits & ANYSERIAL_STATUS_ALARM3) != 0, (bits & ANYSERIAL_STATUS_ALARM4) != 0};
    s.invalid = (bits & ANYSERIAL_STATUS_INVALID) != 0;
    s.inherited = (bits & ANYSERIAL_STATUS_INHERITED) != 0;
    return s;
}

std::uint32_t status_to_bits(const ChannelStatus &s) noexcept {
    std::uint32_t b = 0;
    if (s.fault) b |= ANYSERIAL_STATUS_FAULT;
    if (s.maintenance) b |= ANYSERIAL_STATUS_MAINTENANCE;
    if (s.calibrating) b |= ANYSERIAL_STATUS_CALIBRATING;
    if (s.warming_up) b |= ANYSERIAL_STATUS_WARMING_UP;
    if (s.alarms[0]) b |= ANYSERIAL_STATUS_ALARM1;
    if (s.alarms[1]) b |= ANYSERIAL_STATUS_ALARM2;
    if (s.alarms[2]) b |= ANYSERIAL_STATUS_ALARM3;
    if (s.alarms[3]) b |= ANYSERIAL_STATUS_ALARM4;
    if (s.invalid) b |= ANYSERIAL_STATUS_INVALID;
    if (s.inherited) b |= ANYSERIAL_STATUS_INHERITED;
    return b;
}

Unit unit_from_abi(std::uint32_t unit_kind, const char *text) {
    Unit u;
    switch (unit_kind) {
        case ANYSERIAL_UNIT_PERCENT:
            u.kind = UnitKind::percent;
            break;
        case ANYSERIAL_UNIT_VPM:
            u.kind = UnitKind::vpm;
            break;
        case ANYSERIAL_UNIT_PPM:
            u.kind = UnitKind::ppm;
            break;
        case ANYSERIAL_UNIT_MILLIAMP:
            u.kind = UnitKind::milliamp;
            break;
        default:
            u.kind = UnitKind::unknown;
            break;
    }
    if (text != nullptr) u.text = text;
    return u;
}

Reading reading_from_abi(const anyserial_reading_t &r, ProtocolKind protocol,
                         Clock::time_point received_at, std::int64_t monotonic_ns) {
    Reading out;
    out.protocol = protocol;
    out.received_at = received_at;
    out.monotonic_ns = monotonic_ns;
    if (ANYSERIAL_HAS(r, anyserial_reading_t, channel) && r.channel != nullptr)
        out.channel = r.channel;
    if (ANYSERIAL_HAS(r, anyserial_reading_t, kind)) {
        switch (r.kind) {
            case ANYSERIAL_CHANNEL_DERIVED:
                out.kind = ChannelKind::derived;
                break;
            case ANYSERIAL_CHANNEL_EXTERNAL:
                out.kind = ChannelKind::external;
                break;
            default:
                out.kind = ChannelKind::transducer;
                break;
        }
    }
    if (ANYSERIAL_HAS(r, anyserial_reading_t, name) && r.name != nullptr) out.name = r.name;
    if (ANYSERIAL_HAS(r, anyserial_reading_t, unit)) out.unit = unit_from_abi(r.unit_kind, r.unit);
    if (ANYSERIAL_HAS(r, anyserial_reading_t, status)) out.status = status_from_bits(r.status);
    if (ANYSERIAL_HAS(r, anyserial_reading_t, value) && r.has_value) out.value = r.value;
    return out;
}

AnalyserStatus analyser_from_abi(const anyserial_analyser_status_t &a) {
    AnalyserStatus out;
    if (ANYSERIAL_HAS(a, anyserial_analyser_status_t, maintenance)) {
        out.fault = a.fault;
        out.maintenance = a.maintenance;
    }
    if (ANYSERIAL_HAS(a, anyserial_analyser_status_t, cal_groups)) {
        const std::uint32_t n = a.cal_group_count < ANYSERIAL_MAX_CAL_GROUPS
                                    ? a.cal_group_count
                                    : ANYSERIAL_MAX_CAL_GROUPS;
        out.cal_groups.reserve(n);
        for (std::uint32_t i = 0; i < n; ++i) {
            const anyserial_cal_group_t &g = a.cal_groups[i];
            CalGroupState s;
            s.group = g.group != 0 ? static_cast<int>(g.group) : static_cast<int>(i + 1);
            s.calibrating = g.calibrating;
            s.cal_gas = g.cal_gas == 2 ? 2 : 1;
            out.cal_groups.push_back(s);
        }
    }
    if (ANYSERIAL_HAS(a, anyserial_analyser_status_t, clock) && a.clock != nullptr)
        out.clock = a.clock;
    return out;
}

const anyserial_reading_t *frame_reading_at(const anyserial_frame_t &f, std::uint32_t i) noexcept {
    if (f.readings == nullptr || i >= f.reading_count) return nullptr;
    // Step by the plugin's element size; never less than the fields we always read.
    std::size_t stride = f.readings[0].struct_size;
    if (stride < offsetof(anyserial_reading_t, status) + sizeof(std::uint32_t))
        stride = sizeof(anyserial_reading_t);
    const auto *base = reinterpret_cast<const unsigned char *>(f.readings);
    return reinterpret_cast<const anyserial_reading_t *>(base + stride * i);
}

Frame frame_from_abi(const anyserial_frame_t &f, ProtocolKind protocol,
                     Clock::time_point received_at, std::int64_t monotonic_ns) {
    Frame out;
    out.protocol = protocol;
    out.received_at = received_at;
    out.monotonic_ns = monotonic_ns;
    if (ANYSERIAL_HAS(f, anyserial_frame_t, readings)) {
        out.readings.reserve(f.reading_count);
        for (std::uint32_t i = 0; i < f.reading_count; ++i) {
            const anyserial_reading_t *r = frame_reading_at(f, i);
            if (r == nullptr) continue;
            Reading reading = reading_from_abi(*r, protocol, received_at, monotonic_ns);
            const bool empty_slot = ANYSERIAL_HAS(*r, anyserial_reading_t, status) &&
                                    (r->status & ANYSERIAL_STATUS_UNPOPULATED) != 0;
            (empty_slot ? out.unpopulated : out.readings).push_back(std::move(reading));
        }
    }
    if (ANYSERIAL_HAS(f, anyserial_frame_t, analyser) && f.has_analyser)
        out.analyser = analyser_from_abi(f.analyser);
    if (ANYSERIAL_HAS(f, anyserial_frame_t, checksum) && f.has_checksum) out.checksum = f.checksum;
    if (ANYSERIAL_HAS(f, anyserial_frame_t, raw_len) && f.raw != nullptr && f.raw_len > 0)
        out.raw.assign(f.raw, f.raw + f.raw_len);
    return out;
}

ProtocolKind protocol_kind_of(const anyserial_protocol_descriptor_t &d) noexcept {
    if (d.mode != nullptr) {
        if (auto k = parse_protocol_kind(d.mode); k && *k != ProtocolKind::auto_detect) return *k;
    }
    return d.traffic == ANYSERIAL_TRAFFIC_BROADCAST ? ProtocolKind::continuous
                                                    : ProtocolKind::modbus_rtu;
}

std::int64_t monotonic_now_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace anyserial::device

// anyserial — model helpers (names, the 4100 channel registry, frame fan-out).
#include <anyserial/device/models.hpp>
#include <anyserial/device/options.hpp>

namespace anyserial::device {

std::string_view to_string(ProtocolKind kind) noexcept {
    switch (kind) {
        case ProtocolKind::auto_detect:
            return "auto";
        case ProtocolKind::continuous:
            return "continuous";
        case ProtocolKind::modbus_rtu:
            return "modbus-rtu";
        case ProtocolKind::modbus_ascii:
            return "modbus-ascii";
    }
    return "unknown";
}

std::optional<ProtocolKind> parse_protocol_kind(std::string_view text) noexcept {
    if (text == "auto" || text == "auto-detect") return ProtocolKind::auto_detect;
    if (text == "continuous" || text == "continuous-ascii") return ProtocolKind::continuous;
    if (text == "modbus-rtu" || text == "rtu") return ProtocolKind::modbus_rtu;
    if (text == "modbus-ascii" || text == "ascii") return ProtocolKind::modbus_ascii;
    return std::nullopt;
}

std::string_view protocol_plugin_id(ProtocolKind kind) noexcept {
    switch (kind) {
        case ProtocolKind::auto_detect:
            return {};
        case ProtocolKind::continuous:
            return "servomex-continuous";
        case ProtocolKind::modbus_rtu:
            return "servomex-modbus-rtu";
        case ProtocolKind::modbus_ascii:
            return "servomex-modbus-ascii";
    }
    return {};
}

std::string_view to_string(ChannelKind kind) noexcept {
    switch (kind) {
        case ChannelKind::transducer:
            return "transducer";
        case ChannelKind::derived:
            return "derived";
        case ChannelKind::external:
            return "external";
    }
    return "unknown";
}

std::string_view to_string(UnitKind kind) noexcept {
    switch (kind) {
        case UnitKind::unknown:
            return "unknown";
        case UnitKind::percent:
            return "percent";
        case UnitKind::vpm:
            return "vpm";
        case UnitKind::ppm:
            return "ppm";
        case UnitKind::milliamp:
            return "mA";
    }
    return "unknown";
}

std::string_view to_string(CalPhase phase) noexcept {
    switch (phase) {
        case CalPhase::idle:
            return "idle";
        case CalPhase::gas1:
            return "gas1";
        case CalPhase::gas2:
            return "gas2";
    }
    return "idle";
}

std::optional<ChannelKind> channel_kind_of(std::string_view id) noexcept {
    if (id.size() != 2) return std::nullopt;
    const char n = id[1];
    switch (id[0]) {
        case 'I':
            if (n >= '1' && n <= '4') return ChannelKind::transducer;
            break;
        case 'D':
            if (n >= '1' && n <= '4') return ChannelKind::derived;
            break;
        case 'E':
            if (n == '1' || n == '2') return ChannelKind::external;
            break;
        default:
            break;
    }
    return std::nullopt;
}

const std::vector<std::string_view> &channel_ids() {
    static const std::vector<std::string_view> ids = {"I1", "I2", "I3", "I4", "D1",
                                                      "D2", "D3", "D4", "E1", "E2"};
    return ids;
}

bool ChannelStatus::ok() const noexcept {
    if (fault || invalid) return false;
    for (bool a : alarms)
        if (a) return false;
    return true;
}

const Reading *Frame::channel(std::string_view id) const noexcept {
    for (const Reading &r : readings)
        if (r.channel == id) return &r;
    return nullptr;
}

const Reading *Frame::unpopulated_channel(std::string_view id) const noexcept {
    for (const Reading &r : unpopulated)
        if (r.channel == id) return &r;
    return nullptr;
}

std::vector<Sample> as_samples(const Frame &frame, std::string_view device) {
    std::vector<Sample> out;
    out.reserve(frame.readings.size());
    for (const Reading &r : frame.readings) {
        Sample s;
        s.device = std::string(device);
        s.channel = r.channel;
        s.reading = r;
        s.protocol = frame.protocol;
        s.monotonic_ns = frame.monotonic_ns;
        s.received_at = frame.received_at;
        out.push_back(std::move(s));
    }
    return out;
}

std::string DeviceOptions::explicit_protocol_id() const {
    if (!protocol_id.empty()) return protocol_id;
    if (protocol == ProtocolKind::auto_detect) return {};
    return std::string(protocol_plugin_id(protocol));
}

}  // namespace anyserial::device

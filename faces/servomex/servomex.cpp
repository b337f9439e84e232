// anyserial — the Servomex face's models read out of the generic ones (the naming contract
// in servomex.hpp), and the Analyzer members that are not templates.
#include <anyserial/device/analyzer.hpp>
#include <anyserial/device/errors.hpp>
#include <anyserial/device/servomex.hpp>
#include <anyserial/record/stream.hpp>
#include <cmath>
#include <stdexcept>

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
    return "auto";
}

std::optional<ProtocolKind> parse_protocol_kind(std::string_view text) noexcept {
    if (text == "auto" || text == "auto-detect" || text == "auto_detect")
        return ProtocolKind::auto_detect;
    if (text == "continuous" || text == "continuous-ascii") return ProtocolKind::continuous;
    if (text == "modbus-rtu" || text == "modbus_rtu" || text == "rtu")
        return ProtocolKind::modbus_rtu;
    if (text == "modbus-ascii" || text == "modbus_ascii" || text == "ascii")
        return ProtocolKind::modbus_ascii;
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

std::string protocol_option(ProtocolKind kind) {
    return std::string(servomex::family) + ":" + std::string(to_string(kind));
}

std::optional<ProtocolKind> protocol_kind_of(std::string_view id) noexcept {
    for (auto k : {ProtocolKind::continuous, ProtocolKind::modbus_rtu, ProtocolKind::modbus_ascii})
        if (id == protocol_plugin_id(k) || id == to_string(k)) return k;
    return std::nullopt;
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
    return "transducer";
}

std::optional<ChannelKind> channel_kind_of(std::string_view kind) noexcept {
    for (auto k : {ChannelKind::transducer, ChannelKind::derived, ChannelKind::external})
        if (kind == to_string(k)) return k;
    return std::nullopt;
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

UnitKind unit_kind_of(std::string_view unit) noexcept {
    if (unit == "%") return UnitKind::percent;
    if (unit == "vpm") return UnitKind::vpm;
    if (unit == "ppm") return UnitKind::ppm;
    if (unit == "mA") return UnitKind::milliamp;
    return UnitKind::unknown;
}

bool ChannelStatus::ok() const noexcept {
    if (fault || invalid) return false;
    for (bool a : alarms)
        if (a) return false;
    return true;
}

ChannelStatus channel_status_of(const FlagSet &flags) {
    ChannelStatus s;
    s.fault = flags.has("fault");
    s.maintenance = flags.has("maintenance");
    s.calibrating = flags.has("calibrating");
    s.warming_up = flags.has("warming_up");
    for (std::size_t i = 0; i < s.alarms.size(); ++i)
        s.alarms[i] = flags.has("alarm" + std::to_string(i + 1));
    s.invalid = flags.has("invalid");
    s.inherited = flags.has("inherited");
    return s;
}

namespace {
// An INTEGER/NUMBER field's value as an int, nullopt when absent or not integral.
std::optional<int> int_field(const std::vector<Field> &fields, const std::string &id) {
    const Field *f = find_field(fields, id);
    if (!f || (f->type != ValueType::integer && f->type != ValueType::number)) return std::nullopt;
    if (!std::isfinite(f->number) || std::trunc(f->number) != f->number) return std::nullopt;
    return static_cast<int>(f->number);
}
}  // namespace

AnalyserStatus analyser_status_of(const FlagSet &device_flags, const std::vector<Field> &fields) {
    AnalyserStatus s;
    s.fault = device_flags.has("fault");
    s.maintenance = device_flags.has("maintenance");
    if (const Field *clock = find_field(fields, "clock"); clock && clock->type != ValueType::absent)
        s.clock = clock->to_string();
    const int groups = int_field(fields, "cal_group_count").value_or(0);
    for (int g = 1; g <= groups; ++g) {
        const std::string prefix = "cal_group." + std::to_string(g) + ".";
        CalGroupState st;
        st.group = g;
        st.calibrating = int_field(fields, prefix + "calibrating").value_or(0) != 0;
        st.cal_gas = int_field(fields, prefix + "gas").value_or(1);
        s.cal_groups.push_back(st);
    }
    return s;
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

std::optional<CalPhase> parse_cal_phase(std::string_view text) noexcept {
    for (auto p : {CalPhase::idle, CalPhase::gas1, CalPhase::gas2})
        if (text == to_string(p)) return p;
    return std::nullopt;
}

std::optional<CalibrationProgress> calibration_progress_of(const CommandResult &r,
                                                           std::string &why) {
    CalibrationProgress p;
    const auto group = int_field(r.fields, "group");
    const auto active = int_field(r.fields, "active");
    const Field *phase = find_field(r.fields, "phase");
    if (!group || *group < 1) {
        why = "calibration.status: no valid 'group' field in the result";
        return std::nullopt;
    }
    if (!active || (*active != 0 && *active != 1)) {
        why = "calibration.status: no valid 'active' field (0/1) in the result";
        return std::nullopt;
    }
    const auto ph =
        phase && phase->type == ValueType::text ? parse_cal_phase(phase->text) : std::nullopt;
    if (!ph) {
        why = "calibration.status: no valid 'phase' field (idle, gas1, gas2) in the result";
        return std::nullopt;
    }
    p.group = *group;
    p.active = *active == 1;
    p.phase = *ph;
    return p;
}

namespace detail {

ErrorContext context_of(const Device &dev) {
    ErrorContext c;
    if (!dev.port().empty()) c.port = dev.port();
    if (!dev.protocol_id().empty()) c.protocol = dev.protocol_id();
    if (!dev.address().empty()) c.address = dev.address();
    return c;
}

ec_t face_error(std::exception_ptr &slot, const ErrorContext &ctx, const std::string &why) {
    slot = std::make_exception_ptr(DeviceError(errc::frame, why, ctx));
    return make_error_code(errc::frame);
}

}  // namespace detail

ProtocolKind Analyzer::protocol() const noexcept {
    return protocol_kind_of(dev_.protocol_id()).value_or(ProtocolKind::auto_detect);
}

record::StreamingSession Analyzer::stream(std::optional<record::StreamMode> mode,
                                          std::optional<double> rate_hz, std::size_t capacity) {
    return dev_.stream(mode, rate_hz, capacity);
}

void Analyzer::throw_last_error() const {
    if (auto e = last_error()) std::rethrow_exception(e);
    throw std::logic_error("anyserial::device::Analyzer: no error to throw");
}

}  // namespace anyserial::device

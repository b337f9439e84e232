// anyserial — capability conversion and resolution.
#include <anyserial/capabilities.hpp>
#include <anyserial/modem_lines.hpp>

namespace anyserial {

std::string_view to_string(Capability c) noexcept {
    switch (c) {
        case Capability::supported:
            return "supported";
        case Capability::unsupported:
            return "unsupported";
        case Capability::unknown:
            return "unknown";
    }
    return "unknown";
}

Capability capability_from_c(std::uint8_t v) noexcept {
    switch (v) {
        case ANYSERIAL_CAP_SUPPORTED:
            return Capability::supported;
        case ANYSERIAL_CAP_UNSUPPORTED:
            return Capability::unsupported;
        default:
            return Capability::unknown;
    }
}

SerialCapabilities SerialCapabilities::from_c(const anyserial_capabilities_t &c,
                                              std::string platform, std::string backend) {
    SerialCapabilities s;
    s.platform = std::move(platform);
    s.backend = std::move(backend);
    s.custom_baudrate = capability_from_c(c.custom_baudrate);
    s.mark_space_parity = capability_from_c(c.mark_space_parity);
    s.one_point_five_stop_bits = capability_from_c(c.one_point_five_stop_bits);
    s.xon_xoff = capability_from_c(c.xon_xoff);
    s.rts_cts = capability_from_c(c.rts_cts);
    s.dtr_dsr = capability_from_c(c.dtr_dsr);
    s.modem_lines = capability_from_c(c.modem_lines);
    s.break_signal = capability_from_c(c.break_signal);
    s.exclusive_access = capability_from_c(c.exclusive_access);
    s.low_latency = capability_from_c(c.low_latency);
    s.rs485 = capability_from_c(c.rs485);
    s.input_waiting = capability_from_c(c.input_waiting);
    s.output_waiting = capability_from_c(c.output_waiting);
    s.port_discovery = capability_from_c(c.port_discovery);
    return s;
}

std::array<std::pair<std::string_view, Capability>, 14> SerialCapabilities::features() const {
    return {{{"custom_baudrate", custom_baudrate},
             {"mark_space_parity", mark_space_parity},
             {"one_point_five_stop_bits", one_point_five_stop_bits},
             {"xon_xoff", xon_xoff},
             {"rts_cts", rts_cts},
             {"dtr_dsr", dtr_dsr},
             {"modem_lines", modem_lines},
             {"break_signal", break_signal},
             {"exclusive_access", exclusive_access},
             {"low_latency", low_latency},
             {"rs485", rs485},
             {"input_waiting", input_waiting},
             {"output_waiting", output_waiting},
             {"port_discovery", port_discovery}}};
}

SerialCapabilities resolve_capabilities(const SerialCapabilities &platform,
                                        const SerialCapabilities &device) {
    auto pick = [](Capability p, Capability d) {
        // The platform saying "no" is final; otherwise a definite device answer wins.
        if (p == Capability::unsupported) return p;
        return d == Capability::unknown ? p : d;
    };
    SerialCapabilities r = platform;
    if (!device.platform.empty()) r.platform = device.platform;
    if (!device.backend.empty()) r.backend = device.backend;
    r.custom_baudrate = pick(platform.custom_baudrate, device.custom_baudrate);
    r.mark_space_parity = pick(platform.mark_space_parity, device.mark_space_parity);
    r.one_point_five_stop_bits =
        pick(platform.one_point_five_stop_bits, device.one_point_five_stop_bits);
    r.xon_xoff = pick(platform.xon_xoff, device.xon_xoff);
    r.rts_cts = pick(platform.rts_cts, device.rts_cts);
    r.dtr_dsr = pick(platform.dtr_dsr, device.dtr_dsr);
    r.modem_lines = pick(platform.modem_lines, device.modem_lines);
    r.break_signal = pick(platform.break_signal, device.break_signal);
    r.exclusive_access = pick(platform.exclusive_access, device.exclusive_access);
    r.low_latency = pick(platform.low_latency, device.low_latency);
    r.rs485 = pick(platform.rs485, device.rs485);
    r.input_waiting = pick(platform.input_waiting, device.input_waiting);
    r.output_waiting = pick(platform.output_waiting, device.output_waiting);
    r.port_discovery = pick(platform.port_discovery, device.port_discovery);
    return r;
}

ModemLines ModemLines::from_bits(std::uint32_t b) noexcept {
    ModemLines m;
    m.cts = (b & ANYSERIAL_LINE_CTS) != 0;
    m.dsr = (b & ANYSERIAL_LINE_DSR) != 0;
    m.ri = (b & ANYSERIAL_LINE_RI) != 0;
    m.cd = (b & ANYSERIAL_LINE_CD) != 0;
    m.rts = (b & ANYSERIAL_LINE_RTS) != 0;
    m.dtr = (b & ANYSERIAL_LINE_DTR) != 0;
    return m;
}

}  // namespace anyserial

// anyserial — SerialConfig validation and conversion to the ABI form.
#include <fmt/format.h>

#include <anyserial/config.hpp>
#include <anyserial/errors.hpp>
#include <cctype>

namespace anyserial {
namespace {

boost::system::error_code invalid(std::string *why, std::string text) {
    if (why != nullptr) *why = std::move(text);
    return make_error_code(errc::invalid_configuration);
}

}  // namespace

boost::system::error_code SerialConfig::validate(const SerialSettings &s, std::string *why) {
    const int bs = static_cast<int>(s.byte_size);
    if (s.baudrate == 0) return invalid(why, "baudrate: must be > 0");
    if (bs < 5 || bs > 8) return invalid(why, fmt::format("byte_size: {} is not 5..8", bs));
    if (static_cast<unsigned>(s.parity) > static_cast<unsigned>(Parity::space))
        return invalid(why, "parity: unknown value");
    if (static_cast<unsigned>(s.stop_bits) > static_cast<unsigned>(StopBits::two))
        return invalid(why, "stop_bits: unknown value");
    // POSIX (and the 8250/16550 UART) only produce 1.5 stop bits with 5 data bits: CSTOPB
    // means 1.5 there and 2 otherwise.
    if (s.stop_bits == StopBits::one_point_five && s.byte_size != ByteSize::five)
        return invalid(why, fmt::format("stop_bits: 1.5 stop bits need byte_size 5 (got {})", bs));
    if (s.flow_control.rts_cts && s.flow_control.dtr_dsr)
        return invalid(why, "flow_control: rts_cts and dtr_dsr cannot both be enabled");
    if (s.read_chunk_size < min_read_chunk_size || s.read_chunk_size > max_read_chunk_size)
        return invalid(why, fmt::format("read_chunk_size: {} is outside {}..{}", s.read_chunk_size,
                                        min_read_chunk_size, max_read_chunk_size));
    if (s.unsupported_policy != UnsupportedPolicy::raise &&
        s.unsupported_policy != UnsupportedPolicy::warn &&
        s.unsupported_policy != UnsupportedPolicy::ignore)
        return invalid(why, "unsupported_policy: unknown value");
    if (s.rs485 && s.rs485->enabled) {
        // RS-485 drives RTS as the transmitter enable; hardware handshaking cannot share it.
        if (s.flow_control.rts_cts)
            return invalid(why, "rs485: cannot be combined with rts_cts flow control");
        if (s.rs485->delay_before_send.count() < 0 || s.rs485->delay_after_send.count() < 0)
            return invalid(why, "rs485: delays must not be negative");
        constexpr auto max_delay = std::chrono::seconds(1);
        if (s.rs485->delay_before_send > max_delay || s.rs485->delay_after_send > max_delay)
            return invalid(why, "rs485: delays above 1 s are not meaningful");
    }
    return {};
}

SerialConfig::SerialConfig(const SerialSettings &settings) : s_(settings) {
    std::string why;
    if (auto ec = validate(s_, &why))
        throw_serial_error(ec, "invalid serial configuration: " + why);
}

#define ANYSERIAL_WITH(name, type, field)           \
    SerialConfig SerialConfig::name(type v) const { \
        SerialSettings s = s_;                      \
        s.field = std::move(v);                     \
        return SerialConfig(s);                     \
    }
ANYSERIAL_WITH(with_baudrate, std::uint32_t, baudrate)
ANYSERIAL_WITH(with_byte_size, ByteSize, byte_size)
ANYSERIAL_WITH(with_parity, Parity, parity)
ANYSERIAL_WITH(with_stop_bits, StopBits, stop_bits)
ANYSERIAL_WITH(with_flow_control, FlowControl, flow_control)
ANYSERIAL_WITH(with_exclusive, bool, exclusive)
ANYSERIAL_WITH(with_hangup_on_close, bool, hangup_on_close)
ANYSERIAL_WITH(with_low_latency, bool, low_latency)
ANYSERIAL_WITH(with_read_chunk_size, std::uint32_t, read_chunk_size)
ANYSERIAL_WITH(with_rs485, std::optional<RS485Config>, rs485)
ANYSERIAL_WITH(with_unsupported_policy, UnsupportedPolicy, unsupported_policy)
ANYSERIAL_WITH(with_collect_stats, bool, collect_stats)
#undef ANYSERIAL_WITH

anyserial_serial_config_t SerialConfig::to_c() const noexcept {
    anyserial_serial_config_t c{};
    c.struct_size = sizeof c;
    c.baudrate = s_.baudrate;
    c.byte_size = static_cast<std::uint8_t>(s_.byte_size);
    switch (s_.parity) {
        case Parity::none:
            c.parity = ANYSERIAL_PARITY_NONE;
            break;
        case Parity::odd:
            c.parity = ANYSERIAL_PARITY_ODD;
            break;
        case Parity::even:
            c.parity = ANYSERIAL_PARITY_EVEN;
            break;
        case Parity::mark:
            c.parity = ANYSERIAL_PARITY_MARK;
            break;
        case Parity::space:
            c.parity = ANYSERIAL_PARITY_SPACE;
            break;
    }
    switch (s_.stop_bits) {
        case StopBits::one:
            c.stop_bits = ANYSERIAL_STOP_BITS_ONE;
            break;
        case StopBits::one_point_five:
            c.stop_bits = ANYSERIAL_STOP_BITS_ONE_POINT_FIVE;
            break;
        case StopBits::two:
            c.stop_bits = ANYSERIAL_STOP_BITS_TWO;
            break;
    }
    c.flow_control =
        static_cast<std::uint8_t>((s_.flow_control.xon_xoff ? ANYSERIAL_FLOW_XON_XOFF : 0u) |
                                  (s_.flow_control.rts_cts ? ANYSERIAL_FLOW_RTS_CTS : 0u) |
                                  (s_.flow_control.dtr_dsr ? ANYSERIAL_FLOW_DTR_DSR : 0u));
    c.exclusive = s_.exclusive;
    c.hangup_on_close = s_.hangup_on_close;
    c.low_latency = s_.low_latency;
    switch (s_.unsupported_policy) {
        case UnsupportedPolicy::raise:
            c.unsupported_policy = ANYSERIAL_POLICY_RAISE;
            break;
        case UnsupportedPolicy::warn:
            c.unsupported_policy = ANYSERIAL_POLICY_WARN;
            break;
        case UnsupportedPolicy::ignore:
            c.unsupported_policy = ANYSERIAL_POLICY_IGNORE;
            break;
    }
    c.read_chunk_size = s_.read_chunk_size;
    c.rs485.struct_size = sizeof c.rs485;
    if (s_.rs485) {
        c.rs485_enabled = s_.rs485->enabled;
        c.rs485.enabled = s_.rs485->enabled;
        c.rs485.rts_on_send = s_.rs485->rts_on_send;
        c.rs485.rts_after_send = s_.rs485->rts_after_send;
        c.rs485.rx_during_tx = s_.rs485->rx_during_tx;
        c.rs485.delay_before_send_us =
            static_cast<std::uint32_t>(s_.rs485->delay_before_send.count());
        c.rs485.delay_after_send_us =
            static_cast<std::uint32_t>(s_.rs485->delay_after_send.count());
    }
    return c;
}

std::string SerialConfig::describe() const {
    static constexpr char parity_letter[] = {'N', 'O', 'E', 'M', 'S'};
    std::string s =
        fmt::format("{} {}{}{}", s_.baudrate, static_cast<int>(s_.byte_size),
                    parity_letter[static_cast<int>(s_.parity)], to_string(s_.stop_bits));
    if (s_.flow_control.xon_xoff) s += " xon/xoff";
    if (s_.flow_control.rts_cts) s += " rts/cts";
    if (s_.flow_control.dtr_dsr) s += " dtr/dsr";
    if (s_.rs485 && s_.rs485->enabled) s += " rs485";
    return s;
}

std::string_view to_string(Parity p) noexcept {
    switch (p) {
        case Parity::none:
            return "none";
        case Parity::odd:
            return "odd";
        case Parity::even:
            return "even";
        case Parity::mark:
            return "mark";
        case Parity::space:
            return "space";
    }
    return "?";
}

std::string_view to_string(StopBits s) noexcept {
    switch (s) {
        case StopBits::one:
            return "1";
        case StopBits::one_point_five:
            return "1.5";
        case StopBits::two:
            return "2";
    }
    return "?";
}

std::string_view to_string(UnsupportedPolicy p) noexcept {
    switch (p) {
        case UnsupportedPolicy::raise:
            return "raise";
        case UnsupportedPolicy::warn:
            return "warn";
        case UnsupportedPolicy::ignore:
            return "ignore";
    }
    return "?";
}

std::optional<Parity> parse_parity(std::string_view s) noexcept {
    for (auto p : {Parity::none, Parity::odd, Parity::even, Parity::mark, Parity::space})
        if (to_string(p) == s ||
            (s.size() == 1 && std::toupper(s[0]) == std::toupper(to_string(p)[0])))
            return p;
    return std::nullopt;
}

std::optional<StopBits> parse_stop_bits(std::string_view s) noexcept {
    for (auto b : {StopBits::one, StopBits::one_point_five, StopBits::two})
        if (to_string(b) == s) return b;
    return std::nullopt;
}

}  // namespace anyserial

// Pure termios builders: data in, data out, no syscalls.
#include <anyserial/posix/builders.hpp>
#include <string>

namespace anyserial::posix {

namespace {

constexpr std::uint32_t kDarwinPlaceholderRate = 38400;

Step ok_step(const TermiosBits &bits) noexcept {
    return Step{bits, 0, false, nullptr};
}

Step unsupported_step(const TermiosBits &bits, std::uint32_t feature, const char *why) noexcept {
    return Step{bits, feature, false, why};
}

Step invalid_step(const TermiosBits &bits, const char *why) noexcept {
    return Step{bits, 0, true, why};
}

void append(std::string &text, std::string_view part) {
    if (!text.empty()) text += "; ";
    text += part;
}

}  // namespace

const char *feature_name(std::uint32_t feature) noexcept {
    switch (feature) {
        case ANYSERIAL_FEATURE_CUSTOM_BAUDRATE:
            return "custom baudrate";
        case ANYSERIAL_FEATURE_MARK_SPACE_PARITY:
            return "mark/space parity";
        case ANYSERIAL_FEATURE_ONE_POINT_FIVE_STOP_BITS:
            return "1.5 stop bits";
        case ANYSERIAL_FEATURE_XON_XOFF:
            return "XON/XOFF flow control";
        case ANYSERIAL_FEATURE_RTS_CTS:
            return "RTS/CTS flow control";
        case ANYSERIAL_FEATURE_DTR_DSR:
            return "DTR/DSR flow control";
        case ANYSERIAL_FEATURE_EXCLUSIVE_ACCESS:
            return "exclusive access";
        case ANYSERIAL_FEATURE_LOW_LATENCY:
            return "low latency";
        case ANYSERIAL_FEATURE_RS485:
            return "RS-485";
        case ANYSERIAL_FEATURE_HANGUP_ON_CLOSE:
            return "hangup on close";
        case ANYSERIAL_FEATURE_BYTE_SIZE:
            return "byte size";
        case ANYSERIAL_FEATURE_PARITY:
            return "parity";
        default:
            return "feature";
    }
}

TermiosBits apply_raw_mode(TermiosBits bits, const PlatformTable &t) noexcept {
    bits.iflag &= ~(t.ignbrk | t.brkint | t.parmrk | t.istrip | t.inlcr | t.igncr | t.icrnl |
                    t.iuclc | t.ixon | t.ixoff | t.ixany | t.imaxbel | t.inpck);
    bits.oflag &= ~(t.opost | t.olcuc | t.onlcr | t.ocrnl | t.onocr | t.onlret);
    bits.lflag &= ~(t.echo | t.echoe | t.echok | t.echonl | t.echoctl | t.echoke | t.icanon |
                    t.isig | t.iexten);
    bits.cflag &= ~(t.csize | t.parenb | t.parodd | t.cmspar);
    bits.cflag |= t.cs8 | t.cread | t.clocal;
    bits.cc[t.vmin] = 1;
    bits.cc[t.vtime] = 0;
    return bits;
}

BaudStep apply_baudrate(TermiosBits bits, std::uint32_t rate, const PlatformTable &t) noexcept {
    BaudStep out;
    out.plan.rate = rate;
    if (rate == 0) {
        // B0 means "hang up", never a line rate.
        out.step = invalid_step(bits, "baudrate must be > 0");
        return out;
    }
    // Linux keeps the output (and optionally input) speed code inside c_cflag; clearing
    // CIBAUD makes the input rate follow the output rate.
    auto set_code = [&](std::uint64_t code) {
        if (t.cbaud != 0) bits.cflag = (bits.cflag & ~(t.cbaud | t.cibaud)) | code;
    };
    if (const BaudEntry *e = find_baud(t, rate)) {
        set_code(e->code);
        bits.ispeed = bits.ospeed = rate;
        out.plan.kind = BaudPlan::Kind::standard;
        out.plan.code = e->code;
        out.step = ok_step(bits);
        return out;
    }
    out.plan.mechanism = t.custom_baud;
    switch (t.custom_baud) {
        case CustomBaud::linux_termios2:
            set_code(t.bother);
            bits.ispeed = bits.ospeed = rate;
            out.plan.kind = BaudPlan::Kind::custom;
            out.plan.code = t.bother;
            out.step = ok_step(bits);
            return out;
        case CustomBaud::bsd_passthrough:
            bits.ispeed = bits.ospeed = rate;
            out.plan.kind = BaudPlan::Kind::custom;
            out.plan.code = rate;
            out.step = ok_step(bits);
            return out;
        case CustomBaud::darwin_iossiospeed:
            // tcsetattr cannot carry the rate: a standard placeholder (as pySerial does), then
            // IOSSIOSPEED sets the real rate after tcsetattr.
            bits.ispeed = bits.ospeed = kDarwinPlaceholderRate;
            out.plan.kind = BaudPlan::Kind::custom;
            out.plan.code = rate;
            out.step = ok_step(bits);
            return out;
        case CustomBaud::none:
            break;
    }
    out.plan.kind = BaudPlan::Kind::unsupported;
    out.step = unsupported_step(bits, ANYSERIAL_FEATURE_CUSTOM_BAUDRATE,
                                "not a standard rate and this platform has no custom-baud "
                                "mechanism");
    return out;
}

Step apply_byte_size(TermiosBits bits, std::uint8_t byte_size, const PlatformTable &t) noexcept {
    std::uint64_t cs = 0;
    switch (byte_size) {
        case 5:
            cs = t.cs5;
            break;
        case 6:
            cs = t.cs6;
            break;
        case 7:
            cs = t.cs7;
            break;
        case 8:
            cs = t.cs8;
            break;
        default:
            return invalid_step(bits, "byte size must be 5, 6, 7 or 8");
    }
    bits.cflag = (bits.cflag & ~t.csize) | cs;
    return ok_step(bits);
}

Step apply_parity(TermiosBits bits, std::uint8_t parity, const PlatformTable &t) noexcept {
    bits.cflag &= ~(t.parenb | t.parodd | t.cmspar);
    bits.iflag &= ~(t.inpck | t.istrip);
    switch (parity) {
        case ANYSERIAL_PARITY_NONE:
            return ok_step(bits);
        case ANYSERIAL_PARITY_ODD:
            bits.cflag |= t.parenb | t.parodd;
            break;
        case ANYSERIAL_PARITY_EVEN:
            bits.cflag |= t.parenb;
            break;
        case ANYSERIAL_PARITY_MARK:
        case ANYSERIAL_PARITY_SPACE:
            if (t.cmspar == 0)
                return unsupported_step(bits, ANYSERIAL_FEATURE_MARK_SPACE_PARITY,
                                        "this platform's termios has no CMSPAR");
            // With CMSPAR, PARODD selects mark (1) and its absence space (0).
            bits.cflag |= t.parenb | t.cmspar | (parity == ANYSERIAL_PARITY_MARK ? t.parodd : 0);
            break;
        default:
            return invalid_step(bits, "parity must be none, odd, even, mark or space");
    }
    // Check parity on input; never ISTRIP, which would eat the 8th data bit.
    bits.iflag |= t.inpck;
    return ok_step(bits);
}

Step apply_stop_bits(TermiosBits bits, std::uint8_t stop_bits, const PlatformTable &t) noexcept {
    switch (stop_bits) {
        case ANYSERIAL_STOP_BITS_ONE:
            bits.cflag &= ~t.cstopb;
            return ok_step(bits);
        case ANYSERIAL_STOP_BITS_TWO:
            bits.cflag |= t.cstopb;
            return ok_step(bits);
        case ANYSERIAL_STOP_BITS_ONE_POINT_FIVE:
            // UARTs send 1.5 stop bits for CSTOPB with 5 data bits; POSIX has no other way.
            bits.cflag |= t.cstopb;
            if ((bits.cflag & t.csize) == t.cs5) return ok_step(bits);
            return unsupported_step(bits, ANYSERIAL_FEATURE_ONE_POINT_FIVE_STOP_BITS,
                                    "termios expresses 1.5 stop bits only with 5 data bits "
                                    "(2 stop bits used instead)");
        default:
            return invalid_step(bits, "stop bits must be 1, 1.5 or 2");
    }
}

Step apply_flow_control(TermiosBits bits, std::uint8_t flow, const PlatformTable &t) noexcept {
    if ((flow & ~(ANYSERIAL_FLOW_XON_XOFF | ANYSERIAL_FLOW_RTS_CTS | ANYSERIAL_FLOW_DTR_DSR)) != 0)
        return invalid_step(bits, "unknown flow-control bits");
    bits.iflag &= ~(t.ixon | t.ixoff | t.ixany);
    bits.cflag &= ~(t.crtscts | t.cdtrdsr);
    Step out = ok_step(bits);
    if ((flow & ANYSERIAL_FLOW_XON_XOFF) != 0) out.bits.iflag |= t.ixon | t.ixoff;
    if ((flow & ANYSERIAL_FLOW_RTS_CTS) != 0) {
        if (t.crtscts != 0) {
            out.bits.cflag |= t.crtscts;
        } else {
            out.unsupported |= ANYSERIAL_FEATURE_RTS_CTS;
            out.reason = "this platform's termios has no RTS/CTS flag";
        }
    }
    if ((flow & ANYSERIAL_FLOW_DTR_DSR) != 0) {
        if (t.cdtrdsr != 0) {
            out.bits.cflag |= t.cdtrdsr;
        } else {
            out.unsupported |= ANYSERIAL_FEATURE_DTR_DSR;
            out.reason = "this platform's termios has no DTR/DSR flow control";
        }
    }
    return out;
}

TermiosBits apply_hangup(TermiosBits bits, bool hangup_on_close, const PlatformTable &t) noexcept {
    if (hangup_on_close)
        bits.cflag |= t.hupcl;
    else
        bits.cflag &= ~t.hupcl;
    return bits;
}

Composition compose_termios(const TermiosBits &base, const anyserial_serial_config_t &config,
                            const PlatformTable &table) {
    Composition c;
    c.stop_bits = config.stop_bits;
    TermiosBits bits = apply_raw_mode(base, table);
    auto take = [&](const Step &s) {
        bits = s.bits;
        if (s.invalid) append(c.invalid, s.reason);
        for (std::uint32_t f = 1; f != 0 && f <= s.unsupported; f <<= 1) {
            if ((s.unsupported & f) == 0) continue;
            c.unsupported |= f;
            append(c.message, std::string(feature_name(f)) + ": " + s.reason);
        }
    };
    BaudStep baud = apply_baudrate(bits, config.baudrate, table);
    c.plan = baud.plan;
    take(baud.step);
    take(apply_byte_size(bits, config.byte_size, table));
    take(apply_parity(bits, config.parity, table));
    take(apply_stop_bits(bits, config.stop_bits, table));
    take(apply_flow_control(bits, config.flow_control, table));
    bits = apply_hangup(bits, config.hangup_on_close, table);
    c.bits = bits;
    return c;
}

Readback verify_readback(const Composition &req, const TermiosBits &actual, const PlatformTable &t,
                         bool verify_speed) {
    Readback r;
    const TermiosBits &want = req.bits;
    auto differs = [&](std::uint64_t want_v, std::uint64_t got_v, std::uint64_t mask) {
        return (want_v & mask) != (got_v & mask);
    };
    auto feature = [&](std::uint32_t f, std::string_view field) {
        r.features |= f;
        append(r.message, std::string(field) + " not kept by the driver (" + feature_name(f) + ")");
    };
    auto core = [&](std::string_view field) {
        append(r.core, std::string(field) + " not kept by the driver");
    };

    if (verify_speed && req.plan.kind != BaudPlan::Kind::unsupported &&
        !(req.plan.kind == BaudPlan::Kind::custom &&
          req.plan.mechanism == CustomBaud::darwin_iossiospeed) &&
        (actual.ospeed != req.plan.rate || actual.ispeed != req.plan.rate)) {
        const std::string what = "baudrate " + std::to_string(req.plan.rate) + " (read back " +
                                 std::to_string(actual.ospeed) + ")";
        if (req.plan.kind == BaudPlan::Kind::custom)
            feature(ANYSERIAL_FEATURE_CUSTOM_BAUDRATE, what);
        else
            core(what);
    }
    if (differs(want.cflag, actual.cflag, t.csize)) feature(ANYSERIAL_FEATURE_BYTE_SIZE, "CSIZE");
    if (differs(want.cflag, actual.cflag, t.parenb | t.parodd))
        feature(ANYSERIAL_FEATURE_PARITY, "PARENB/PARODD");
    if (t.cmspar != 0 && differs(want.cflag, actual.cflag, t.cmspar))
        feature(ANYSERIAL_FEATURE_MARK_SPACE_PARITY, "CMSPAR");
    if (differs(want.cflag, actual.cflag, t.cstopb)) {
        if (req.stop_bits == ANYSERIAL_STOP_BITS_ONE_POINT_FIVE)
            feature(ANYSERIAL_FEATURE_ONE_POINT_FIVE_STOP_BITS, "CSTOPB");
        else
            core("CSTOPB (stop bits)");
    }
    if (t.crtscts != 0 && differs(want.cflag, actual.cflag, t.crtscts))
        feature(ANYSERIAL_FEATURE_RTS_CTS, "RTS/CTS flag");
    if (t.cdtrdsr != 0 && differs(want.cflag, actual.cflag, t.cdtrdsr))
        feature(ANYSERIAL_FEATURE_DTR_DSR, "DTR/DSR flag");
    if (differs(want.iflag, actual.iflag, t.ixon | t.ixoff))
        feature(ANYSERIAL_FEATURE_XON_XOFF, "IXON/IXOFF");
    if (differs(want.cflag, actual.cflag, t.hupcl))
        feature(ANYSERIAL_FEATURE_HANGUP_ON_CLOSE, "HUPCL");
    if (differs(want.cflag, actual.cflag, t.cread | t.clocal)) core("CREAD/CLOCAL");
    return r;
}

const BaudEntry *find_baud(const PlatformTable &table, std::uint32_t rate) noexcept {
    for (const BaudEntry &e : table.bauds)
        if (e.rate == rate) return &e;
    return nullptr;
}

std::uint32_t rate_for_code(const PlatformTable &table, std::uint64_t code) noexcept {
    for (const BaudEntry &e : table.bauds)
        if (e.code == code) return e.rate;
    return 0;
}

}  // namespace anyserial::posix

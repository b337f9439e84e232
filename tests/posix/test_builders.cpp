// Unit tests of the pure termios builders against every platform table (Linux, Darwin,
// FreeBSD, NetBSD, OpenBSD, generic POSIX): in-memory bits, no kernel involved.
#define BOOST_TEST_MODULE posix_builders
#include <anyserial/posix/builders.hpp>
#include <anyserial/posix/termios_port.hpp>
#include <boost/test/unit_test.hpp>
#include <vector>

namespace px = anyserial::posix;

namespace {

std::vector<const px::PlatformTable *> all_tables() {
    return {&px::linux_table(),  &px::darwin_table(),  &px::freebsd_table(),
            &px::netbsd_table(), &px::openbsd_table(), &px::generic_posix_table()};
}

// A "cooked" starting point like a fresh tty: canonical, echo, output processing, XON.
px::TermiosBits cooked(const px::PlatformTable &t) {
    px::TermiosBits b;
    b.iflag = t.icrnl | t.ixon | t.brkint | t.imaxbel | t.istrip;
    b.oflag = t.opost | t.onlcr;
    b.cflag = t.cs7 | t.parenb | t.cread | t.hupcl;
    b.lflag = t.icanon | t.echo | t.echoe | t.echok | t.isig | t.iexten;
    b.cc[t.vmin] = 0;
    b.cc[t.vtime] = 7;
    b.ispeed = b.ospeed = 9600;
    return b;
}

anyserial_serial_config_t base_config() {
    anyserial_serial_config_t c{};
    c.struct_size = sizeof c;
    c.baudrate = 115200;
    c.byte_size = 8;
    c.parity = ANYSERIAL_PARITY_NONE;
    c.stop_bits = ANYSERIAL_STOP_BITS_ONE;
    c.hangup_on_close = true;
    c.read_chunk_size = 65536;
    return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(raw_mode_clears_cooking_and_sets_8n1_cread_clocal) {
    for (const auto *t : all_tables()) {
        BOOST_TEST_CONTEXT("table " << t->name) {
            const px::TermiosBits b = px::apply_raw_mode(cooked(*t), *t);
            BOOST_TEST((b.lflag & (t->icanon | t->echo | t->isig | t->iexten)) == 0u);
            BOOST_TEST((b.oflag & t->opost) == 0u);
            BOOST_TEST((b.iflag & (t->icrnl | t->ixon | t->istrip | t->brkint)) == 0u);
            BOOST_TEST((b.cflag & t->csize) == t->cs8);
            BOOST_TEST((b.cflag & t->parenb) == 0u);
            BOOST_TEST((b.cflag & (t->cread | t->clocal)) == (t->cread | t->clocal));
            BOOST_TEST(b.cc[t->vmin] == 1);
            BOOST_TEST(b.cc[t->vtime] == 0);
            BOOST_TEST((b.cflag & t->hupcl) == t->hupcl);  // raw mode leaves hangup alone
        }
    }
}

BOOST_AUTO_TEST_CASE(standard_rates_use_the_table_constant) {
    for (const auto *t : all_tables()) {
        BOOST_TEST_CONTEXT("table " << t->name) {
            for (const px::BaudEntry &e : t->bauds) {
                const px::BaudStep s = px::apply_baudrate(cooked(*t), e.rate, *t);
                BOOST_TEST(s.step.ok());
                BOOST_TEST((s.plan.kind == px::BaudPlan::Kind::standard));
                BOOST_TEST(s.plan.code == e.code);
                BOOST_TEST(s.step.bits.ospeed == e.rate);
                BOOST_TEST(s.step.bits.ispeed == e.rate);
                if (t->cbaud != 0) {
                    BOOST_TEST((s.step.bits.cflag & t->cbaud) == e.code);
                    BOOST_TEST((s.step.bits.cflag & t->cibaud) == 0u);
                }
            }
            BOOST_TEST(px::find_baud(*t, 9600) != nullptr);
            BOOST_TEST(px::find_baud(*t, 115200) != nullptr);
        }
    }
}

BOOST_AUTO_TEST_CASE(linux_extended_and_custom_rates) {
    const auto &t = px::linux_table();
    const px::BaudStep ext = px::apply_baudrate(cooked(t), 4000000, t);
    BOOST_TEST((ext.plan.kind == px::BaudPlan::Kind::standard));
    BOOST_TEST((ext.step.bits.cflag & t.cbaud) == 010017u);
    const px::BaudStep custom = px::apply_baudrate(cooked(t), 250000, t);
    BOOST_TEST(custom.step.ok());
    BOOST_TEST((custom.plan.kind == px::BaudPlan::Kind::custom));
    BOOST_TEST((custom.plan.mechanism == px::CustomBaud::linux_termios2));
    BOOST_TEST((custom.step.bits.cflag & t.cbaud) == t.bother);
    BOOST_TEST(custom.step.bits.ospeed == 250000u);
    BOOST_TEST(custom.step.bits.ispeed == 250000u);
}

BOOST_AUTO_TEST_CASE(darwin_custom_rate_goes_through_iossiospeed) {
    const auto &t = px::darwin_table();
    BOOST_TEST(px::find_baud(t, 460800) == nullptr);  // Darwin's table stops at 230400
    const px::BaudStep s = px::apply_baudrate(cooked(t), 460800, t);
    BOOST_TEST(s.step.ok());
    BOOST_TEST((s.plan.mechanism == px::CustomBaud::darwin_iossiospeed));
    BOOST_TEST(s.plan.rate == 460800u);
    BOOST_TEST(s.step.bits.ospeed == 38400u);  // placeholder until IOSSIOSPEED
    BOOST_TEST(t.iossiospeed == 0x80085402UL);
}

BOOST_AUTO_TEST_CASE(bsd_custom_rates_pass_through) {
    for (const auto *t : {&px::freebsd_table(), &px::netbsd_table(), &px::openbsd_table()}) {
        BOOST_TEST_CONTEXT("table " << t->name) {
            const px::BaudStep s = px::apply_baudrate(cooked(*t), 250000, *t);
            BOOST_TEST(s.step.ok());
            BOOST_TEST((s.plan.kind == px::BaudPlan::Kind::custom));
            BOOST_TEST(s.plan.code == 250000u);
            BOOST_TEST(s.step.bits.ospeed == 250000u);
        }
    }
}

BOOST_AUTO_TEST_CASE(generic_posix_refuses_custom_and_zero_rates) {
    const auto &t = px::generic_posix_table();
    const px::BaudStep s = px::apply_baudrate(cooked(t), 250000, t);
    BOOST_TEST(!s.step.ok());
    BOOST_TEST(s.step.unsupported == ANYSERIAL_FEATURE_CUSTOM_BAUDRATE);
    BOOST_TEST((s.plan.kind == px::BaudPlan::Kind::unsupported));
    BOOST_TEST((s.step.bits == cooked(t)));  // best effort: unchanged
    for (const auto *tt : all_tables()) {
        BOOST_TEST_CONTEXT("table " << tt->name) {
            BOOST_TEST(px::apply_baudrate(cooked(*tt), 0, *tt).step.invalid);
        }
    }
}

BOOST_AUTO_TEST_CASE(byte_sizes) {
    for (const auto *t : all_tables()) {
        BOOST_TEST_CONTEXT("table " << t->name) {
            const std::uint64_t cs[] = {t->cs5, t->cs6, t->cs7, t->cs8};
            for (std::uint8_t n = 5; n <= 8; ++n) {
                const px::Step s = px::apply_byte_size(cooked(*t), n, *t);
                BOOST_TEST(s.ok());
                BOOST_TEST((s.bits.cflag & t->csize) == cs[n - 5]);
                BOOST_TEST((s.bits.cflag & t->cread) == t->cread);  // other bits untouched
            }
            BOOST_TEST(px::apply_byte_size(cooked(*t), 9, *t).invalid);
            BOOST_TEST(px::apply_byte_size(cooked(*t), 4, *t).invalid);
        }
    }
}

BOOST_AUTO_TEST_CASE(parity_none_odd_even) {
    for (const auto *t : all_tables()) {
        BOOST_TEST_CONTEXT("table " << t->name) {
            px::Step s = px::apply_parity(cooked(*t), ANYSERIAL_PARITY_NONE, *t);
            BOOST_TEST(s.ok());
            BOOST_TEST((s.bits.cflag & (t->parenb | t->parodd)) == 0u);
            BOOST_TEST((s.bits.iflag & (t->inpck | t->istrip)) == 0u);
            s = px::apply_parity(cooked(*t), ANYSERIAL_PARITY_ODD, *t);
            BOOST_TEST((s.bits.cflag & (t->parenb | t->parodd)) == (t->parenb | t->parodd));
            BOOST_TEST((s.bits.iflag & t->inpck) == t->inpck);
            BOOST_TEST((s.bits.iflag & t->istrip) == 0u);  // never strip the 8th bit
            s = px::apply_parity(cooked(*t), ANYSERIAL_PARITY_EVEN, *t);
            BOOST_TEST((s.bits.cflag & (t->parenb | t->parodd)) == t->parenb);
            BOOST_TEST(px::apply_parity(cooked(*t), 9, *t).invalid);
        }
    }
}

BOOST_AUTO_TEST_CASE(mark_space_parity_needs_cmspar) {
    const auto &l = px::linux_table();
    px::Step mark = px::apply_parity(cooked(l), ANYSERIAL_PARITY_MARK, l);
    BOOST_TEST(mark.ok());
    BOOST_TEST((mark.bits.cflag & (l.parenb | l.parodd | l.cmspar)) ==
               (l.parenb | l.parodd | l.cmspar));
    px::Step space = px::apply_parity(cooked(l), ANYSERIAL_PARITY_SPACE, l);
    BOOST_TEST((space.bits.cflag & (l.parenb | l.parodd | l.cmspar)) == (l.parenb | l.cmspar));
    for (const auto *t :
         {&px::darwin_table(), &px::freebsd_table(), &px::netbsd_table(), &px::openbsd_table()}) {
        BOOST_TEST_CONTEXT("table " << t->name) {
            BOOST_TEST(t->cmspar == 0u);
            for (std::uint8_t p : {ANYSERIAL_PARITY_MARK, ANYSERIAL_PARITY_SPACE}) {
                const px::Step s = px::apply_parity(cooked(*t), p, *t);
                BOOST_TEST(s.unsupported == ANYSERIAL_FEATURE_MARK_SPACE_PARITY);
                BOOST_TEST(!s.invalid);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(stop_bits_and_one_point_five_only_with_cs5) {
    for (const auto *t : all_tables()) {
        BOOST_TEST_CONTEXT("table " << t->name) {
            px::TermiosBits b = cooked(*t);
            b.cflag |= t->cstopb;
            BOOST_TEST(
                (px::apply_stop_bits(b, ANYSERIAL_STOP_BITS_ONE, *t).bits.cflag & t->cstopb) == 0u);
            BOOST_TEST((px::apply_stop_bits(cooked(*t), ANYSERIAL_STOP_BITS_TWO, *t).bits.cflag &
                        t->cstopb) == t->cstopb);
            const px::TermiosBits five = px::apply_byte_size(cooked(*t), 5, *t).bits;
            const px::Step ok15 = px::apply_stop_bits(five, ANYSERIAL_STOP_BITS_ONE_POINT_FIVE, *t);
            BOOST_TEST(ok15.ok());
            BOOST_TEST((ok15.bits.cflag & t->cstopb) == t->cstopb);
            const px::TermiosBits eight = px::apply_byte_size(cooked(*t), 8, *t).bits;
            const px::Step bad15 =
                px::apply_stop_bits(eight, ANYSERIAL_STOP_BITS_ONE_POINT_FIVE, *t);
            BOOST_TEST(bad15.unsupported == ANYSERIAL_FEATURE_ONE_POINT_FIVE_STOP_BITS);
            BOOST_TEST((bad15.bits.cflag & t->cstopb) == t->cstopb);  // best effort: 2
            BOOST_TEST(px::apply_stop_bits(cooked(*t), 7, *t).invalid);
        }
    }
}

BOOST_AUTO_TEST_CASE(flow_control_flags_per_table) {
    for (const auto *t : all_tables()) {
        BOOST_TEST_CONTEXT("table " << t->name) {
            px::Step s = px::apply_flow_control(cooked(*t), 0, *t);
            BOOST_TEST(s.ok());
            BOOST_TEST((s.bits.iflag & (t->ixon | t->ixoff)) == 0u);
            s = px::apply_flow_control(cooked(*t), ANYSERIAL_FLOW_XON_XOFF, *t);
            BOOST_TEST((s.bits.iflag & (t->ixon | t->ixoff)) == (t->ixon | t->ixoff));
            s = px::apply_flow_control(cooked(*t), ANYSERIAL_FLOW_RTS_CTS, *t);
            if (t->crtscts != 0) {
                BOOST_TEST(s.ok());
                BOOST_TEST((s.bits.cflag & t->crtscts) == t->crtscts);
            } else {
                BOOST_TEST(s.unsupported == ANYSERIAL_FEATURE_RTS_CTS);
            }
            s = px::apply_flow_control(cooked(*t), ANYSERIAL_FLOW_DTR_DSR, *t);
            if (t->cdtrdsr != 0) {
                BOOST_TEST(s.ok());
                BOOST_TEST((s.bits.cflag & t->cdtrdsr) == t->cdtrdsr);
            } else {
                BOOST_TEST(s.unsupported == ANYSERIAL_FEATURE_DTR_DSR);
            }
            BOOST_TEST(px::apply_flow_control(cooked(*t), 0x80, *t).invalid);
        }
    }
    // The platform flags themselves (Linux CRTSCTS; BSD CCTS_OFLOW|CRTS_IFLOW).
    BOOST_TEST(px::linux_table().crtscts == 020000000000u);
    BOOST_TEST(px::darwin_table().crtscts == 0x30000u);
    BOOST_TEST(px::freebsd_table().crtscts == 0x30000u);
    BOOST_TEST(px::netbsd_table().crtscts == 0x10000u);
    BOOST_TEST(px::openbsd_table().crtscts == 0x10000u);
    BOOST_TEST(px::darwin_table().cdtrdsr == 0xC0000u);
    BOOST_TEST(px::linux_table().cdtrdsr == 0u);
}

BOOST_AUTO_TEST_CASE(hangup_on_close) {
    for (const auto *t : all_tables()) {
        BOOST_TEST_CONTEXT("table " << t->name) {
            BOOST_TEST((px::apply_hangup(cooked(*t), false, *t).cflag & t->hupcl) == 0u);
            px::TermiosBits b = cooked(*t);
            b.cflag &= ~t->hupcl;
            BOOST_TEST((px::apply_hangup(b, true, *t).cflag & t->hupcl) == t->hupcl);
        }
    }
}

BOOST_AUTO_TEST_CASE(compose_collects_unsupported_and_invalid) {
    anyserial_serial_config_t c = base_config();
    c.parity = ANYSERIAL_PARITY_MARK;
    c.flow_control = ANYSERIAL_FLOW_DTR_DSR;
    const px::Composition lin =
        px::compose_termios(cooked(px::linux_table()), c, px::linux_table());
    BOOST_TEST(lin.invalid.empty());
    BOOST_TEST(lin.unsupported == ANYSERIAL_FEATURE_DTR_DSR);
    BOOST_TEST(lin.message.find("DTR/DSR") != std::string::npos);
    const px::Composition dar =
        px::compose_termios(cooked(px::darwin_table()), c, px::darwin_table());
    BOOST_TEST(dar.unsupported == ANYSERIAL_FEATURE_MARK_SPACE_PARITY);
    c.byte_size = 9;
    BOOST_TEST(
        !px::compose_termios(cooked(px::linux_table()), c, px::linux_table()).invalid.empty());
}

BOOST_AUTO_TEST_CASE(readback_reports_what_the_driver_dropped) {
    const auto &t = px::linux_table();
    anyserial_serial_config_t c = base_config();
    c.byte_size = 7;
    c.parity = ANYSERIAL_PARITY_EVEN;
    c.flow_control = ANYSERIAL_FLOW_RTS_CTS;
    const px::Composition req = px::compose_termios(cooked(t), c, t);
    BOOST_TEST(px::verify_readback(req, req.bits, t).ok());
    // A pty forces CS8 and clears PARENB (drivers/tty/pty.c).
    px::TermiosBits pty = req.bits;
    pty.cflag = (pty.cflag & ~(t.csize | t.parenb)) | t.cs8;
    const px::Readback rb = px::verify_readback(req, pty, t);
    BOOST_TEST(rb.features == (ANYSERIAL_FEATURE_BYTE_SIZE | ANYSERIAL_FEATURE_PARITY));
    BOOST_TEST(rb.core.empty());
    // A dropped CRTSCTS is an optional feature; a wrong standard rate is a core failure.
    px::TermiosBits no_rts = req.bits;
    no_rts.cflag &= ~t.crtscts;
    BOOST_TEST(px::verify_readback(req, no_rts, t).features == ANYSERIAL_FEATURE_RTS_CTS);
    px::TermiosBits slow = req.bits;
    slow.ospeed = 9600;
    BOOST_TEST(!px::verify_readback(req, slow, t).core.empty());
    // A custom rate the driver rounded is the custom-baud feature.
    c.baudrate = 250000;
    const px::Composition custom = px::compose_termios(cooked(t), c, t);
    px::TermiosBits rounded = custom.bits;
    rounded.ospeed = rounded.ispeed = 250100;
    BOOST_TEST(px::verify_readback(custom, rounded, t).features ==
               ANYSERIAL_FEATURE_CUSTOM_BAUDRATE);
}

BOOST_AUTO_TEST_CASE(platform_capabilities_follow_the_tables) {
    const auto lin = px::platform_capabilities(px::linux_table());
    BOOST_TEST(lin.custom_baudrate == ANYSERIAL_CAP_SUPPORTED);
    BOOST_TEST(lin.mark_space_parity == ANYSERIAL_CAP_UNKNOWN);
    BOOST_TEST(lin.dtr_dsr == ANYSERIAL_CAP_UNSUPPORTED);
    const auto dar = px::platform_capabilities(px::darwin_table());
    BOOST_TEST(dar.mark_space_parity == ANYSERIAL_CAP_UNSUPPORTED);
    BOOST_TEST(dar.dtr_dsr == ANYSERIAL_CAP_UNKNOWN);
    BOOST_TEST(dar.low_latency == ANYSERIAL_CAP_UNSUPPORTED);
    const auto gen = px::platform_capabilities(px::generic_posix_table());
    BOOST_TEST(gen.custom_baudrate == ANYSERIAL_CAP_UNSUPPORTED);
}

BOOST_AUTO_TEST_CASE(bsd_ioctl_numbers_are_the_4_4bsd_encodings) {
    for (const auto *t :
         {&px::darwin_table(), &px::freebsd_table(), &px::netbsd_table(), &px::openbsd_table()}) {
        BOOST_TEST_CONTEXT("table " << t->name) {
            BOOST_TEST(t->tiocsbrk == 0x2000747bUL);
            BOOST_TEST(t->tioccbrk == 0x2000747aUL);
            BOOST_TEST(t->tiocmget == 0x4004746aUL);
            BOOST_TEST(t->tiocmbis == 0x8004746cUL);
            BOOST_TEST(t->tiocmbic == 0x8004746bUL);
            BOOST_TEST(t->tiocoutq == 0x40047473UL);
            BOOST_TEST(t->tiocinq == 0x4004667fUL);
            BOOST_TEST(t->vmin == 16);
            BOOST_TEST(t->vtime == 17);
        }
    }
}

#if defined(__linux__)
BOOST_AUTO_TEST_CASE(generic_table_on_linux_matches_the_linux_flags) {
    const auto &g = px::generic_posix_table();
    const auto &l = px::linux_table();
    BOOST_TEST(g.crtscts == l.crtscts);
    BOOST_TEST(g.cmspar == l.cmspar);
    BOOST_TEST(g.tiocsbrk == l.tiocsbrk);
    BOOST_TEST(g.tiocinq == l.tiocinq);
    BOOST_TEST(g.bauds.size() == l.bauds.size());
}
#endif

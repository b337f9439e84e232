// The linux and posix backend plugins through their C ABI on real kernel ptys.
#define BOOST_TEST_MODULE posix_backend_abi
#include <anyserial/sdk/ext/discovery.h>
#include <poll.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <memory>

#include "pty_fixture.hpp"
#include "termios2.hpp"

using namespace anyserial::test;
namespace px = anyserial::posix;

namespace {

const PluginModule &linux_plugin() {
    static PluginModule m(ANYSERIAL_TEST_PLUGIN_DIR "/anyserial-linux.so");
    return m;
}
const PluginModule &posix_plugin() {
    static PluginModule m(ANYSERIAL_TEST_PLUGIN_DIR "/anyserial-posix.so");
    return m;
}

px::TermiosBits kernel_attrs(int fd) {
    px::TermiosBits b;
    BOOST_REQUIRE(anyserial::linux_backend::tcgets2(fd, b) == 0);
    return b;
}

}  // namespace

BOOST_AUTO_TEST_CASE(descriptors_and_claims) {
    const auto &f = linux_plugin().factory();
    BOOST_REQUIRE(f.count() == 1u);
    const anyserial_backend_descriptor_t *d = f.get_descriptor(0);
    BOOST_TEST(std::string(d->id) == "linux");
    BOOST_TEST(std::string(d->platform) == "linux");
    BOOST_TEST(d->kind == ANYSERIAL_BACKEND_KIND_SYNC_FD);
    BOOST_TEST(std::string(d->path_prefixes[0]) == "/dev/");
    BOOST_TEST(d->capabilities->custom_baudrate == ANYSERIAL_CAP_SUPPORTED);
    BOOST_TEST(d->capabilities->port_discovery == ANYSERIAL_CAP_SUPPORTED);
    const anyserial_backend_descriptor_t *p = posix_plugin().factory().get_descriptor(0);
    BOOST_TEST(std::string(p->id) == "posix");
    BOOST_TEST(p->path_prefixes == nullptr);  // no claim that could clash with linux
    BOOST_TEST(std::string(p->url_schemes[0]) == "posix");
    BOOST_TEST(p->capabilities->custom_baudrate == ANYSERIAL_CAP_UNSUPPORTED);
}

BOOST_AUTO_TEST_CASE(open_errors_are_typed_and_name_the_path) {
    Backend b(linux_plugin(), "linux");
    BOOST_TEST(b.open("/dev/does-not-exist-h4", default_config()) == ANYSERIAL_E_NOT_FOUND);
    BOOST_TEST(b.last_error().find("/dev/does-not-exist-h4") != std::string::npos);
    BOOST_TEST(b.ctl().last_os_error(b.get()) == ENOENT);
    BOOST_TEST(b.open("/dev/null", default_config()) == ANYSERIAL_E_INVALID_ARGUMENT);
    BOOST_TEST(b.last_error().find("not a terminal device") != std::string::npos);
    BOOST_TEST(b.fd() == -1);
}

BOOST_AUTO_TEST_CASE(open_configure_close_on_a_pty) {
    PtyPair pty;
    Backend b(linux_plugin(), "linux");
    auto report = empty_report();
    BOOST_REQUIRE_MESSAGE(b.open(pty.path(), default_config(), &report) == ANYSERIAL_OK,
                          b.last_error());
    BOOST_TEST(report.unsupported == 0u);
    BOOST_TEST(b.fd() >= 0);
    const px::TermiosBits k = kernel_attrs(b.fd());
    const auto &t = px::linux_table();
    BOOST_TEST(k.ospeed == 115200u);
    BOOST_TEST((k.lflag & (t.icanon | t.echo)) == 0u);
    BOOST_TEST((k.cflag & (t.cread | t.clocal | t.hupcl)) == (t.cread | t.clocal | t.hupcl));
    // Values that do round-trip on a pty: CSTOPB, CRTSCTS, HUPCL off.
    auto cfg = default_config();
    cfg.stop_bits = ANYSERIAL_STOP_BITS_TWO;
    cfg.flow_control = ANYSERIAL_FLOW_RTS_CTS;
    cfg.hangup_on_close = false;
    BOOST_REQUIRE_MESSAGE(b.ctl().configure(b.get(), &cfg, &report) == ANYSERIAL_OK,
                          b.last_error());
    const px::TermiosBits k2 = kernel_attrs(b.fd());
    BOOST_TEST((k2.cflag & t.cstopb) == t.cstopb);
    BOOST_TEST((k2.cflag & t.crtscts) == t.crtscts);
    BOOST_TEST((k2.cflag & t.hupcl) == 0u);
    b.close();
    BOOST_TEST(b.fd() == -1);
    b.close();  // idempotent
    BOOST_TEST(b.ctl().reset_input(b.get()) == ANYSERIAL_E_CLOSED);
}

BOOST_AUTO_TEST_CASE(one_byte_and_bulk_transfers_both_ways) {
    PtyPair pty;
    Backend b(linux_plugin(), "linux");
    BOOST_REQUIRE(b.open(pty.path(), default_config()) == ANYSERIAL_OK);
    b.write_all({0x5a});
    BOOST_TEST(pty.read_exact(1) == std::vector<std::uint8_t>{0x5a});
    pty.write_all({0xa5});
    BOOST_TEST(b.read_exact(1) == std::vector<std::uint8_t>{0xa5});

    // 256 KiB is more than the pty buffers: fill until the kernel refuses (WOULD_BLOCK,
    // after a partial write), then pump both ends until everything arrived byte-exact.
    const auto out = pattern(256 * 1024, 7);
    std::size_t off = 0;
    bool saw_would_block = false;
    while (!saw_would_block && off < out.size()) {
        uint32_t n = 0;
        const int32_t st = b.get()->sync_fd->write_nonblocking(
            b.get(), out.data() + off, static_cast<uint32_t>(out.size() - off), &n);
        if (st == ANYSERIAL_OK)
            off += n;
        else if (st == ANYSERIAL_E_WOULD_BLOCK)
            saw_would_block = true;
        else
            BOOST_FAIL("write_nonblocking: " << b.last_error());
    }
    BOOST_TEST(saw_would_block);
    BOOST_TEST(off < out.size());
    std::vector<std::uint8_t> got;
    while (got.size() < out.size()) {
        if (off < out.size()) {
            uint32_t n = 0;
            const int32_t st = b.get()->sync_fd->write_nonblocking(
                b.get(), out.data() + off, static_cast<uint32_t>(out.size() - off), &n);
            if (st == ANYSERIAL_OK) off += n;
            BOOST_REQUIRE(st == ANYSERIAL_OK || st == ANYSERIAL_E_WOULD_BLOCK);
        }
        std::uint8_t buf[8192];
        const ssize_t r = ::read(pty.controller(), buf, sizeof buf);
        if (r > 0)
            got.insert(got.end(), buf, buf + r);
        else
            BOOST_REQUIRE(wait_fd(pty.controller(), POLLIN) != 0);
    }
    BOOST_TEST((got == out));

    // And the other way, pumping the controller's writes against the backend's reads.
    const auto in = pattern(100000, 9);
    std::size_t sent = 0;
    std::vector<std::uint8_t> recv;
    while (recv.size() < in.size()) {
        if (sent < in.size()) {
            const ssize_t w = ::write(pty.controller(), in.data() + sent, in.size() - sent);
            if (w > 0) sent += static_cast<std::size_t>(w);
        }
        std::uint8_t buf[8192];
        uint32_t n = 0;
        const int32_t st = b.get()->sync_fd->read_nonblocking(b.get(), buf, sizeof buf, &n);
        if (st == ANYSERIAL_OK && n > 0)
            recv.insert(recv.end(), buf, buf + n);
        else if (st == ANYSERIAL_E_WOULD_BLOCK)
            BOOST_REQUIRE(wait_fd(b.fd(), POLLIN) != 0);
        else
            BOOST_FAIL("read_nonblocking: " << st << " " << b.last_error());
    }
    BOOST_TEST((recv == in));
}

BOOST_AUTO_TEST_CASE(input_waiting_and_reset_against_the_kernel_queue) {
    PtyPair pty;
    Backend b(linux_plugin(), "linux");
    BOOST_REQUIRE(b.open(pty.path(), default_config()) == ANYSERIAL_OK);
    uint32_t n = 99;
    BOOST_TEST(b.ctl().input_waiting(b.get(), &n) == ANYSERIAL_OK);
    BOOST_TEST(n == 0u);
    pty.write_all(pattern(100));
    // The pty moves data to the line discipline asynchronously: wait until all 100 are
    // queued (poll for readability each round; bounded by wait_fd's deadline).
    for (int round = 0; round < 1000 && n != 100; ++round) {
        BOOST_REQUIRE(wait_fd(b.fd(), POLLIN) != 0);
        BOOST_REQUIRE(b.ctl().input_waiting(b.get(), &n) == ANYSERIAL_OK);
    }
    BOOST_TEST(n == 100u);
    BOOST_TEST(b.ctl().reset_input(b.get()) == ANYSERIAL_OK);
    BOOST_TEST(b.ctl().input_waiting(b.get(), &n) == ANYSERIAL_OK);
    BOOST_TEST(n == 0u);
    uint32_t out = 99;
    BOOST_TEST(b.ctl().output_waiting(b.get(), &out) == ANYSERIAL_OK);
    BOOST_TEST(b.ctl().reset_output(b.get()) == ANYSERIAL_OK);
    BOOST_TEST(b.ctl().drain_blocking(b.get()) == ANYSERIAL_OK);
    BOOST_TEST(b.ctl().set_break(b.get(), true) == ANYSERIAL_OK);
    BOOST_TEST(b.ctl().set_break(b.get(), false) == ANYSERIAL_OK);
}

BOOST_AUTO_TEST_CASE(exclusive_second_open_is_busy) {
    PtyPair pty;
    Backend first(linux_plugin(), "linux"), second(linux_plugin(), "linux");
    auto cfg = default_config();
    cfg.exclusive = true;
    BOOST_REQUIRE_MESSAGE(first.open(pty.path(), cfg) == ANYSERIAL_OK, first.last_error());
    // As root TIOCEXCL does not stop the open, flock does; as a user, open gets EBUSY.
    BOOST_TEST(second.open(pty.path(), cfg) == ANYSERIAL_E_BUSY);
    BOOST_TEST(second.last_error().find(pty.path()) != std::string::npos);
    BOOST_TEST(second.fd() == -1);
    first.close();
    BOOST_TEST(second.open(pty.path(), cfg) == ANYSERIAL_OK);
}

BOOST_AUTO_TEST_CASE(custom_baud_250000_through_termios2_reads_back_exactly) {
    PtyPair pty;
    Backend b(linux_plugin(), "linux");
    auto cfg = default_config();
    cfg.baudrate = 250000;
    BOOST_REQUIRE_MESSAGE(b.open(pty.path(), cfg) == ANYSERIAL_OK, b.last_error());
    const px::TermiosBits k = kernel_attrs(pty.follower());
    BOOST_TEST(k.ospeed == 250000u);
    BOOST_TEST(k.ispeed == 250000u);
    BOOST_TEST((k.cflag & px::linux_table().cbaud) == px::linux_table().bother);
    // Back to a standard rate clears BOTHER.
    cfg.baudrate = 9600;
    BOOST_REQUIRE(b.ctl().configure(b.get(), &cfg, nullptr) == ANYSERIAL_OK);
    BOOST_TEST((kernel_attrs(b.fd()).cflag & px::linux_table().cbaud) == 015u);
}

BOOST_AUTO_TEST_CASE(readback_catches_the_pty_normalising_cs7_and_parity) {
    PtyPair pty;
    Backend b(linux_plugin(), "linux");
    BOOST_REQUIRE(b.open(pty.path(), default_config()) == ANYSERIAL_OK);
    const px::TermiosBits before = kernel_attrs(b.fd());
    auto cfg = default_config();
    cfg.byte_size = 7;
    cfg.parity = ANYSERIAL_PARITY_EVEN;
    cfg.baudrate = 57600;
    auto report = empty_report();
    // RAISE: refused, nothing changed.
    BOOST_TEST(b.ctl().configure(b.get(), &cfg, &report) == ANYSERIAL_E_UNSUPPORTED_CONFIG);
    BOOST_TEST(b.last_error().find("CSIZE") != std::string::npos);
    BOOST_TEST((kernel_attrs(b.fd()) == before));
    // WARN: applied best effort, reported.
    cfg.unsupported_policy = ANYSERIAL_POLICY_WARN;
    report = empty_report();
    BOOST_TEST(b.ctl().configure(b.get(), &cfg, &report) == ANYSERIAL_OK);
    BOOST_TEST(report.unsupported == (ANYSERIAL_FEATURE_BYTE_SIZE | ANYSERIAL_FEATURE_PARITY));
    BOOST_TEST(std::string(report.message).find("PARENB") != std::string::npos);
    BOOST_TEST(kernel_attrs(b.fd()).ospeed == 57600u);
    // The same on open.
    Backend c(linux_plugin(), "linux");
    cfg.unsupported_policy = ANYSERIAL_POLICY_RAISE;
    BOOST_TEST(c.open(pty.path(), cfg) == ANYSERIAL_E_UNSUPPORTED_CONFIG);
    BOOST_TEST(c.fd() == -1);
}

BOOST_AUTO_TEST_CASE(pty_has_no_low_latency_rs485_or_modem_lines) {
    PtyPair pty;
    Backend b(linux_plugin(), "linux");
    auto cfg = default_config();
    cfg.low_latency = true;
    BOOST_TEST(b.open(pty.path(), cfg) == ANYSERIAL_E_NOT_SUPPORTED);
    BOOST_TEST(b.last_error().find("low latency") != std::string::npos);
    cfg.low_latency = false;
    cfg.rs485_enabled = true;
    cfg.rs485.enabled = true;
    BOOST_TEST(b.open(pty.path(), cfg) == ANYSERIAL_E_NOT_SUPPORTED);
    BOOST_TEST(b.last_error().find("RS-485") != std::string::npos);
    cfg.low_latency = true;
    cfg.unsupported_policy = ANYSERIAL_POLICY_IGNORE;
    auto report = empty_report();
    BOOST_REQUIRE(b.open(pty.path(), cfg, &report) == ANYSERIAL_OK);
    BOOST_TEST(report.unsupported == (ANYSERIAL_FEATURE_LOW_LATENCY | ANYSERIAL_FEATURE_RS485));
    anyserial_capabilities_t caps{};
    caps.struct_size = sizeof caps;
    BOOST_REQUIRE(b.ctl().capabilities(b.get(), &caps) == ANYSERIAL_OK);
    BOOST_TEST(caps.low_latency == ANYSERIAL_CAP_UNSUPPORTED);
    BOOST_TEST(caps.rs485 == ANYSERIAL_CAP_UNSUPPORTED);
    BOOST_TEST(caps.custom_baudrate == ANYSERIAL_CAP_SUPPORTED);
    BOOST_TEST(caps.input_waiting == ANYSERIAL_CAP_SUPPORTED);
    uint32_t lines = 0;
    const int32_t st = b.ctl().modem_lines(b.get(), &lines);
    BOOST_TEST((st == ANYSERIAL_E_NOT_SUPPORTED) ==
               (caps.modem_lines == ANYSERIAL_CAP_UNSUPPORTED));
}

BOOST_AUTO_TEST_CASE(peer_hangup_is_eof_then_disconnected) {
    auto pty = std::make_unique<PtyPair>();
    Backend b(linux_plugin(), "linux");
    BOOST_REQUIRE(b.open(pty->path(), default_config()) == ANYSERIAL_OK);
    pty->close_controller();
    BOOST_TEST((wait_fd(b.fd(), POLLIN) & (POLLIN | POLLHUP)) != 0);
    std::uint8_t buf[16];
    uint32_t n = 99;
    const int32_t rs = b.get()->sync_fd->read_nonblocking(b.get(), buf, sizeof buf, &n);
    BOOST_TEST(((rs == ANYSERIAL_OK && n == 0) || rs == ANYSERIAL_E_DISCONNECTED));
    const int32_t ws = b.get()->sync_fd->write_nonblocking(b.get(), buf, 1, &n);
    BOOST_TEST(ws == ANYSERIAL_E_DISCONNECTED);
    BOOST_TEST(b.ctl().last_os_error(b.get()) == EIO);
}

BOOST_AUTO_TEST_CASE(posix_backend_by_url_standard_rates_only) {
    PtyPair pty;
    Backend b(posix_plugin(), "posix");
    auto cfg = default_config();
    cfg.baudrate = 250000;
    BOOST_TEST(b.open("posix://" + pty.path(), cfg) == ANYSERIAL_E_NOT_SUPPORTED);
    BOOST_TEST(b.last_error().find("custom baudrate") != std::string::npos);
    cfg.baudrate = 38400;
    BOOST_REQUIRE_MESSAGE(b.open("posix://" + pty.path(), cfg) == ANYSERIAL_OK, b.last_error());
    BOOST_TEST(kernel_attrs(b.fd()).ospeed == 38400u);
    b.write_all(pattern(3000, 3));
    BOOST_TEST((pty.read_exact(3000) == pattern(3000, 3)));
    pty.write_all({1, 2, 3});
    BOOST_TEST((b.read_exact(3) == std::vector<std::uint8_t>{1, 2, 3}));
    cfg.low_latency = true;
    BOOST_TEST(b.ctl().configure(b.get(), &cfg, nullptr) == ANYSERIAL_E_NOT_SUPPORTED);
}

BOOST_AUTO_TEST_CASE(socat_pair_carries_bytes_between_two_backends) {
    SocatPair pair;
    Backend a(linux_plugin(), "linux"), b(linux_plugin(), "linux");
    BOOST_REQUIRE_MESSAGE(a.open(pair.a(), default_config()) == ANYSERIAL_OK, a.last_error());
    BOOST_REQUIRE_MESSAGE(b.open(pair.b(), default_config()) == ANYSERIAL_OK, b.last_error());
    const auto data = pattern(5000, 11);
    a.write_all(data);
    BOOST_TEST((b.read_exact(data.size()) == data));
}

BOOST_AUTO_TEST_CASE(discovery_extension_lists_without_opening) {
    const auto *ext = static_cast<const anyserial_discovery_ext_t *>(
        linux_plugin().factory().get_extension("linux", ANYSERIAL_EXT_DISCOVERY_ID));
    BOOST_REQUIRE(ext != nullptr);
    BOOST_TEST(posix_plugin().factory().get_extension("posix", ANYSERIAL_EXT_DISCOVERY_ID) ==
               nullptr);
    std::vector<std::string> devices;
    const int32_t st = ext->list_ports(
        [](void *user, const anyserial_port_info_t *info) -> int32_t {
            static_cast<std::vector<std::string> *>(user)->push_back(info->device);
            return 0;
        },
        &devices);
    BOOST_TEST(st == ANYSERIAL_OK);
    for (const auto &d : devices) {
        BOOST_TEST(d.rfind("/dev/", 0) == 0u);
        BOOST_TEST(d.find("/dev/tty0") != 0u);  // virtual consoles are never listed
    }
}

// anyserial::SerialPort over the linux backend on real kernel ptys (seed §27.2).
#define BOOST_TEST_MODULE posix_serial_port
#include <poll.h>
#include <unistd.h>

#include <anyserial/plugin_host.hpp>
#include <anyserial/serial_port.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>
#include <optional>

#include "../port/fixture.hpp"  // plugins(), Loop, IoResult: shared with the mock port tests
#include "pty_fixture.hpp"
#include "termios2.hpp"

namespace asio = boost::asio;
using namespace anyserial;
using anyserial::test::IoResult;
using anyserial::test::Loop;
using anyserial::test::pattern;
using anyserial::test::plugins;
using anyserial::test::PtyPair;
using anyserial::test::wait_fd;

namespace {

struct Opened {
    boost::system::error_code ec;
    std::optional<SerialPort> port;
    std::string message;
};

Opened try_open(Loop &loop, const std::string &path, SerialConfig cfg = {}) {
    Opened r;
    bool done = false;
    async_open_serial_port(loop.io.get_executor(), plugins(), path, cfg,
                           [&](boost::system::error_code ec, SerialPort p) {
                               r.ec = ec;
                               r.message = p.last_error().message;
                               r.port.emplace(std::move(p));
                               done = true;
                           });
    loop.run_until([&] { return done; });
    return r;
}

SerialPort open_ok(Loop &loop, const std::string &path, SerialConfig cfg = {}) {
    Opened r = try_open(loop, path, cfg);
    BOOST_REQUIRE_MESSAGE(!r.ec, "open " << path << ": " << r.ec.message() << " — " << r.message);
    return std::move(*r.port);
}

// The controller end driven by Asio on the same io_context as the port.
struct Controller {
    asio::posix::stream_descriptor sd;
    Controller(Loop &loop, PtyPair &pty) : sd(loop.io, ::dup(pty.controller())) {}
};

}  // namespace

BOOST_AUTO_TEST_CASE(open_reports_linux_backend_and_device_capabilities) {
    Loop loop;
    PtyPair pty;
    SerialPort port = open_ok(loop, pty.path());
    BOOST_TEST(port.is_open());
    const SerialCapabilities &caps = port.capabilities();
    BOOST_TEST(caps.backend == "linux");
    BOOST_TEST(caps.platform == "linux");
    BOOST_TEST((caps.custom_baudrate == Capability::supported));
    BOOST_TEST((caps.low_latency == Capability::unsupported));  // a pty has none
    BOOST_TEST((caps.rs485 == Capability::unsupported));
    BOOST_TEST(port.native_handle().has_value());
    port.close();
    BOOST_TEST(!port.is_open());
}

BOOST_AUTO_TEST_CASE(one_byte_bulk_and_full_duplex) {
    Loop loop;
    PtyPair pty;
    SerialPort port = open_ok(loop, pty.path());
    Controller ctl(loop, pty);

    // One byte each way.
    const unsigned char one = 0x42;
    IoResult w1, r1;
    unsigned char got1 = 0;
    port.async_send(asio::buffer(&one, 1), w1.handler());
    asio::async_read(ctl.sd, asio::buffer(&got1, 1), r1.handler());
    loop.run_until([&] { return w1.done && r1.done; });
    BOOST_TEST(!w1.ec);
    BOOST_TEST(got1 == 0x42);

    // 256 KiB both ways at once: the port's send goes through partial writes while the
    // controller drains; the port's reads run concurrently with its writes.
    const auto out = pattern(256 * 1024, 5);
    const auto in = pattern(256 * 1024, 6);
    std::vector<unsigned char> at_ctl(out.size()), at_port(in.size());
    IoResult send, ctl_read, ctl_write, port_read;
    port.async_send(asio::buffer(out), send.handler());
    asio::async_read(ctl.sd, asio::buffer(at_ctl), ctl_read.handler());
    asio::async_write(ctl.sd, asio::buffer(in), ctl_write.handler());
    asio::async_read(port, asio::buffer(at_port), port_read.handler());
    loop.run_until([&] { return send.done && ctl_read.done && ctl_write.done && port_read.done; });
    BOOST_TEST(!send.ec, send.ec.message());
    BOOST_TEST(send.n == out.size());
    BOOST_TEST(!port_read.ec, port_read.ec.message());
    BOOST_TEST((at_ctl == out));
    BOOST_TEST((at_port == in));
}

BOOST_AUTO_TEST_CASE(second_reader_is_busy_cancel_then_reuse) {
    Loop loop;
    PtyPair pty;
    SerialPort port = open_ok(loop, pty.path());
    char b1[16], b2[16];
    IoResult r1, r2;
    asio::cancellation_signal cancel;
    port.async_read_some(asio::buffer(b1),
                         asio::bind_cancellation_slot(cancel.slot(), r1.handler()));
    port.async_read_some(asio::buffer(b2), r2.handler());
    loop.run_until([&] { return r2.done; });
    BOOST_TEST(r2.ec == errc::busy);
    BOOST_TEST(!r1.done);
    cancel.emit(asio::cancellation_type::terminal);
    loop.run_until([&] { return r1.done; });
    BOOST_TEST(r1.ec == asio::error::operation_aborted, r1.ec.message());
    // The port is still usable.
    pty.write_all({'o', 'k'});
    IoResult r3;
    asio::async_read(port, asio::buffer(b1, 2), r3.handler());
    loop.run_until([&] { return r3.done; });
    BOOST_TEST(!r3.ec);
    BOOST_TEST(std::string(b1, 2) == "ok");
}

BOOST_AUTO_TEST_CASE(close_while_receiving_completes_with_closed) {
    Loop loop;
    PtyPair pty;
    SerialPort port = open_ok(loop, pty.path());
    char buf[8];
    IoResult r;
    port.async_read_some(asio::buffer(buf), r.handler());
    loop.io.poll();
    BOOST_REQUIRE(!r.done);
    port.close();
    loop.run_until([&] { return r.done; });
    BOOST_TEST(r.ec == errc::closed, r.ec.message());
}

BOOST_AUTO_TEST_CASE(reset_drain_and_receive_available_against_the_kernel_queue) {
    Loop loop;
    PtyPair pty;
    SerialPort port = open_ok(loop, pty.path());
    const auto data = pattern(300, 2);
    pty.write_all(data);
    // The pty hands data to the line discipline asynchronously: wait until all is queued.
    for (int i = 0; i < 1000 && port.input_waiting() < data.size(); ++i)
        BOOST_REQUIRE(wait_fd(*port.native_handle(), POLLIN) != 0);
    BOOST_TEST(port.input_waiting() == data.size());
    std::vector<unsigned char> buf(4096);
    IoResult r;
    port.async_receive_available(asio::buffer(buf), r.handler());
    loop.run_until([&] { return r.done; });
    BOOST_TEST(!r.ec);
    BOOST_TEST(r.n == data.size());
    BOOST_TEST((std::vector<unsigned char>(buf.begin(), buf.begin() + r.n) == data));

    pty.write_all(pattern(50, 3));
    for (int i = 0; i < 1000 && port.input_waiting() < 50; ++i)
        BOOST_REQUIRE(wait_fd(*port.native_handle(), POLLIN) != 0);
    port.reset_input_buffer();
    BOOST_TEST(port.input_waiting() == 0u);
    port.reset_output_buffer();
    bool drained = false;
    boost::system::error_code dec;
    port.async_drain([&](boost::system::error_code ec) {
        dec = ec;
        drained = true;
    });
    loop.run_until([&] { return drained; });
    BOOST_TEST(!dec, dec.message());
}

BOOST_AUTO_TEST_CASE(exclusive_second_open_is_port_busy) {
    Loop loop;
    PtyPair pty;
    const SerialConfig cfg = SerialConfig().with_exclusive(true);
    SerialPort first = open_ok(loop, pty.path(), cfg);
    Opened second = try_open(loop, pty.path(), cfg);
    BOOST_TEST(second.ec == errc::port_busy, second.ec.message());
    BOOST_TEST(second.message.find(pty.path()) != std::string::npos);
    first.close();
    BOOST_TEST(!try_open(loop, pty.path(), cfg).ec);
}

BOOST_AUTO_TEST_CASE(custom_baud_250000_reads_back_exactly) {
    Loop loop;
    PtyPair pty;
    SerialPort port = open_ok(loop, pty.path(), SerialConfig().with_baudrate(250000));
    anyserial::posix::TermiosBits k;
    BOOST_REQUIRE(anyserial::linux_backend::tcgets2(pty.follower(), k) == 0);
    BOOST_TEST(k.ospeed == 250000u);
    BOOST_TEST(k.ispeed == 250000u);
    // Reconfigure at runtime to another custom rate.
    bool done = false;
    boost::system::error_code ec;
    port.async_configure(port.config().with_baudrate(31250), [&](boost::system::error_code e) {
        ec = e;
        done = true;
    });
    loop.run_until([&] { return done; });
    BOOST_TEST(!ec, ec.message());
    BOOST_REQUIRE(anyserial::linux_backend::tcgets2(pty.follower(), k) == 0);
    BOOST_TEST(k.ospeed == 31250u);
}

BOOST_AUTO_TEST_CASE(readback_catches_pty_normalisation_per_policy) {
    Loop loop;
    PtyPair pty;
    const SerialConfig seven_even =
        SerialConfig().with_byte_size(ByteSize::seven).with_parity(Parity::even);
    Opened raised = try_open(loop, pty.path(), seven_even);
    BOOST_TEST(raised.ec == errc::unsupported_configuration, raised.ec.message());
    BOOST_TEST(raised.message.find("CSIZE") != std::string::npos);
    SerialPort warned =
        open_ok(loop, pty.path(), seven_even.with_unsupported_policy(UnsupportedPolicy::warn));
    anyserial::posix::TermiosBits k;
    BOOST_REQUIRE(anyserial::linux_backend::tcgets2(pty.follower(), k) == 0);
    BOOST_TEST((k.cflag & 060u) == 060u);  // the pty kept CS8
}

BOOST_AUTO_TEST_CASE(peer_hangup_is_disconnected) {
    Loop loop;
    auto pty = std::make_unique<PtyPair>();
    SerialPort port = open_ok(loop, pty->path());
    char buf[8];
    IoResult r;
    port.async_read_some(asio::buffer(buf), r.handler());
    loop.io.poll();
    BOOST_REQUIRE(!r.done);
    pty->close_controller();
    loop.run_until([&] { return r.done; });
    BOOST_TEST(r.ec == errc::disconnected, r.ec.message());
}

// The linux backend declares ANYSERIAL_SYNC_FD_PLAIN_IO: without statistics the port reads
// through Asio's own reactive read on the fd, with them through the plugin. Both paths give
// the same bytes and the same errors: data already queued, data that arrives while the
// read waits, a per-operation cancel, a close and a hang-up.
BOOST_AUTO_TEST_CASE(reads_behave_the_same_with_and_without_the_plain_fd_path) {
    for (const bool stats : {false, true}) {
        BOOST_TEST_CONTEXT("collect_stats " << stats) {
            Loop loop;
            auto pty = std::make_unique<PtyPair>();
            SerialPort port = open_ok(loop, pty->path(), SerialConfig{}.with_collect_stats(stats));
            char buf[64];

            pty->write_all({'q', 'u', 'e', 'u', 'e', 'd'});
            std::string got;
            while (got.size() < 6) {
                IoResult r;
                port.async_read_some(asio::buffer(buf), r.handler());
                loop.run_until([&] { return r.done; });
                BOOST_REQUIRE(!r.ec);
                got.append(buf, r.n);
            }
            BOOST_TEST(got == "queued");

            IoResult later;
            port.async_read_some(asio::buffer(buf), later.handler());
            loop.io.poll();
            BOOST_REQUIRE(!later.done);
            pty->write_all({'x'});
            loop.run_until([&] { return later.done; });
            BOOST_TEST(!later.ec);
            BOOST_TEST((later.n == 1 && buf[0] == 'x'));

            asio::cancellation_signal cancel;
            IoResult cut;
            port.async_read_some(asio::buffer(buf),
                                 asio::bind_cancellation_slot(cancel.slot(), cut.handler()));
            loop.io.poll();
            BOOST_REQUIRE(!cut.done);
            cancel.emit(asio::cancellation_type::terminal);
            loop.run_until([&] { return cut.done; });
            BOOST_TEST(cut.ec == asio::error::operation_aborted, cut.ec.message());

            IoResult hung;
            port.async_read_some(asio::buffer(buf), hung.handler());
            loop.io.poll();
            pty->close_controller();
            loop.run_until([&] { return hung.done; });
            BOOST_TEST(hung.ec == errc::disconnected, hung.ec.message());
            BOOST_TEST(port.last_error().message.find("read") != std::string::npos,
                       port.last_error().message);
        }
    }
}

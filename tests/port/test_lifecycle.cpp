// Guards, close, cancellation, disconnects and the lifetime rules, over both kinds.
#include <fcntl.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/error.hpp>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <vector>

#include "fixture.hpp"

namespace asio = boost::asio;
namespace data = boost::unit_test::data;
using namespace anyserial;
using namespace anyserial::test;
using namespace std::chrono_literals;

namespace {
// Starts an async_send big enough that it cannot complete while nobody reads, and runs
// the loop until the writer has parked.
void park_writer(Loop &loop, SerialPort &port, std::vector<unsigned char> &big, IoResult &w) {
    big.assign(64u << 20, 0x55);
    port.async_send(asio::buffer(big), w.handler());
    loop.poll();
    loop.poll();
}
}  // namespace

BOOST_AUTO_TEST_SUITE(lifecycle)

BOOST_DATA_TEST_CASE(second_reader_and_writer_are_busy, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    char b1[8], b2[8];
    IoResult r1, r2;
    b.async_read_some(asio::buffer(b1), r1.handler());
    b.async_read_some(asio::buffer(b2), r2.handler());
    BOOST_TEST(!r2.done);  // even an immediate failure is not delivered inline
    loop.run_until([&] { return r2.done; });
    BOOST_TEST(r2.ec == errc::busy);
    BOOST_TEST(!r1.done);
    // Writing on the same port while it reads is fine (full duplex).
    IoResult w;
    b.async_send(asio::buffer("hi", 2), w.handler());
    loop.run_until([&] { return w.done; });
    BOOST_TEST(!w.ec);
    // Two writers: the second is busy.
    std::vector<unsigned char> big;
    IoResult pw, w2;
    park_writer(loop, a, big, pw);
    BOOST_REQUIRE(!pw.done);
    a.async_write_some(asio::buffer("x", 1), w2.handler());
    loop.run_until([&] { return w2.done; });
    BOOST_TEST(w2.ec == errc::busy);
    // The first reader is still served.
    loop.run_until([&] { return r1.done; });
    BOOST_TEST(!r1.ec);
    BOOST_TEST(b1[0] == 0x55);
    a.close();
    loop.run_until([&] { return pw.done; });
}

BOOST_DATA_TEST_CASE(close_completes_pending_read_and_write, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    char buf[8];
    IoResult r, w;
    std::vector<unsigned char> big;
    a.async_read_some(asio::buffer(buf), r.handler());
    park_writer(loop, a, big, w);
    BOOST_REQUIRE(!r.done);
    BOOST_REQUIRE(!w.done);
    a.close();
    a.close();  // idempotent
    BOOST_TEST(!a.is_open());
    loop.run_until([&] { return r.done && w.done; });
    BOOST_TEST(r.ec == errc::closed, r.ec.message());
    BOOST_TEST(w.ec == errc::closed, w.ec.message());
    // Later operations complete with closed too, never inline.
    IoResult r2;
    a.async_read_some(asio::buffer(buf), r2.handler());
    BOOST_TEST(!r2.done);
    loop.run_until([&] { return r2.done; });
    BOOST_TEST(r2.ec == errc::closed);
    boost::system::error_code ec;
    a.input_waiting(ec);
    BOOST_TEST(ec == errc::closed);
    BOOST_CHECK_THROW(a.input_waiting(), SerialClosedError);
}

BOOST_DATA_TEST_CASE(destroying_a_port_completes_its_operations, data::make(kKinds), kind) {
    Loop loop;
    auto pair = open_pair(loop, kind);
    std::optional<int> fd = pair.a.native_handle();
    char buf[8];
    IoResult r;
    {
        SerialPort moved = std::move(pair.a);  // ops follow the moved port
        moved.async_read_some(asio::buffer(buf), r.handler());
        loop.poll();
    }
    loop.run_until([&] { return r.done; });
    BOOST_TEST(r.ec == errc::closed);
    if (fd) BOOST_TEST(::fcntl(*fd, F_GETFD) == -1);  // the backend closed its fd
}

BOOST_DATA_TEST_CASE(cancel_then_reuse, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    asio::cancellation_signal sig;
    char buf[16];
    IoResult r;
    b.async_read_some(asio::buffer(buf), asio::bind_cancellation_slot(sig.slot(), r.handler()));
    loop.poll();
    BOOST_REQUIRE(!r.done);
    sig.emit(asio::cancellation_type::terminal);
    loop.run_until([&] { return r.done; });
    BOOST_TEST(r.ec == asio::error::operation_aborted, r.ec.message());
    BOOST_TEST(b.is_open());
    // Reading again works, and nothing was lost.
    IoResult w, r2;
    a.async_send(asio::buffer("abc", 3), w.handler());
    b.async_read_some(asio::buffer(buf), r2.handler());
    loop.run_until([&] { return w.done && r2.done; });
    BOOST_TEST(!r2.ec);
    BOOST_TEST(std::string(buf, r2.n) == std::string("abc").substr(0, r2.n));

    // A parked writer can be cancelled too and the port keeps writing afterwards.
    asio::cancellation_signal wsig;
    std::vector<unsigned char> big(64u << 20, 0x11);
    IoResult pw;
    a.async_send(asio::buffer(big), asio::bind_cancellation_slot(wsig.slot(), pw.handler()));
    loop.poll();
    loop.poll();
    BOOST_REQUIRE(!pw.done);
    wsig.emit(asio::cancellation_type::terminal);
    loop.run_until([&] { return pw.done; });
    BOOST_TEST(pw.ec == asio::error::operation_aborted);
    BOOST_TEST(pw.n < big.size());
    b.reset_input_buffer();  // make room: the peer never read the parked bytes
    IoResult w3;
    a.async_write_some(asio::buffer("z", 1), w3.handler());
    loop.run_until([&] { return w3.done; });
    BOOST_TEST(!w3.ec);
}

BOOST_DATA_TEST_CASE(disconnect_mid_read, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    char buf[8];
    IoResult r;
    b.async_read_some(asio::buffer(buf), r.handler());
    loop.poll();
    BOOST_REQUIRE(!r.done);
    BOOST_TEST(faults(b).disconnect(b.backend_handle()) == ANYSERIAL_OK);
    loop.run_until([&] { return r.done; });
    BOOST_TEST(r.ec == errc::disconnected, r.ec.message());
    BOOST_TEST(!b.last_error().message.empty());
}

BOOST_DATA_TEST_CASE(disconnect_mid_write, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    std::vector<unsigned char> big;
    IoResult w;
    park_writer(loop, a, big, w);
    BOOST_REQUIRE(!w.done);
    BOOST_TEST(faults(a).disconnect(a.backend_handle()) == ANYSERIAL_OK);
    loop.run_until([&] { return w.done; });
    BOOST_TEST(w.ec == errc::disconnected, w.ec.message());
}

BOOST_DATA_TEST_CASE(break_is_deasserted_after_cancel, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    const auto &f = faults(a);
    asio::cancellation_signal sig;
    EcResult br;
    a.async_send_break(3600s, asio::bind_cancellation_slot(sig.slot(), br.handler()));
    loop.poll();
    std::int32_t on = 0;
    std::uint32_t count = 0;
    BOOST_TEST(f.break_state(a.backend_handle(), &on, &count) == ANYSERIAL_OK);
    BOOST_TEST(on == 1);
    sig.emit(asio::cancellation_type::terminal);
    loop.run_until([&] { return br.done; });
    BOOST_TEST(br.ec == asio::error::operation_aborted);
    BOOST_TEST(f.break_state(a.backend_handle(), &on, &count) == ANYSERIAL_OK);
    BOOST_TEST(on == 0);
    BOOST_TEST(count == 1u);
    // A break that runs to its end.
    EcResult br2;
    a.async_send_break(1ms, br2.handler());
    loop.run_until([&] { return br2.done; });
    BOOST_TEST(!br2.ec);
    BOOST_TEST(f.break_state(a.backend_handle(), &on, &count) == ANYSERIAL_OK);
    BOOST_TEST(on == 0);
    BOOST_TEST(count == 2u);
}

BOOST_DATA_TEST_CASE(break_is_deasserted_by_close, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    EcResult br;
    a.async_send_break(3600s, br.handler());
    loop.poll();
    BOOST_REQUIRE(!br.done);
    // The peer sees the line state through the null-modem wiring only while open, so
    // check the flag the backend recorded just before the close.
    const auto &f = faults(a);
    anyserial_backend_t *raw = a.backend_handle();
    a.close();
    std::int32_t on = 1;
    std::uint32_t count = 0;
    BOOST_TEST(f.break_state(raw, &on, &count) == ANYSERIAL_OK);
    BOOST_TEST(on == 0);
    loop.run_until([&] { return br.done; });
    BOOST_TEST(br.ec == errc::closed);
}

BOOST_DATA_TEST_CASE(configure_while_read_pending, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    char buf[8];
    IoResult r;
    b.async_read_some(asio::buffer(buf), r.handler());
    EcResult c;
    b.async_configure(SerialConfig{}.with_baudrate(9600).with_parity(Parity::even), c.handler());
    BOOST_TEST(!c.done);
    loop.run_until([&] { return c.done; });
    BOOST_TEST(!c.ec, c.ec.message());
    BOOST_TEST(b.config().baudrate() == 9600u);
    BOOST_TEST(!r.done);
    IoResult w;
    a.async_send(asio::buffer("q", 1), w.handler());
    loop.run_until([&] { return r.done && w.done; });
    BOOST_TEST(!r.ec);
    BOOST_TEST(buf[0] == 'q');
    // Under RAISE an unsupported optional feature fails and changes nothing.
    EcResult c2;
    b.async_configure(SerialConfig{}.with_low_latency(true), c2.handler());
    loop.run_until([&] { return c2.done; });
    BOOST_TEST(c2.ec == errc::unsupported_configuration, c2.ec.message());
    BOOST_TEST(b.config().baudrate() == 9600u);
    // Under WARN it applies best effort.
    EcResult c3;
    b.async_configure(
        SerialConfig{}.with_low_latency(true).with_unsupported_policy(UnsupportedPolicy::warn),
        c3.handler());
    loop.run_until([&] { return c3.done; });
    BOOST_TEST(!c3.ec);
    BOOST_TEST(b.config().low_latency());
}

BOOST_AUTO_TEST_CASE(no_backend_names_the_path_and_claims) {
    Loop loop;
    std::optional<std::pair<boost::system::error_code, SerialPort>> r;
    async_open_serial_port(
        loop.io.get_executor(), plugins(), "nothing://x", SerialConfig{},
        [&](boost::system::error_code ec, SerialPort p) { r.emplace(ec, std::move(p)); });
    BOOST_TEST(!r.has_value());
    loop.run_until([&] { return r.has_value(); });
    BOOST_TEST(r->first == errc::no_backend);
    const std::string msg = r->second.last_error().message;
    BOOST_TEST(msg.find("nothing://x") != std::string::npos, msg);
    BOOST_TEST(msg.find("mock") != std::string::npos, msg);
    BOOST_TEST(!r->second.is_open());
}

BOOST_DATA_TEST_CASE(missing_pair_end_is_port_not_found, data::make(kKinds), kind) {
    Loop loop;
    std::optional<boost::system::error_code> r;
    async_open_serial_port(loop.io.get_executor(), plugins(), unique_pair(kind) + "/zzz",
                           SerialConfig{},
                           [&](boost::system::error_code ec, SerialPort) { r = ec; });
    loop.run_until([&] { return r.has_value(); });
    BOOST_TEST(*r != errc::ok);
}

BOOST_AUTO_TEST_SUITE_END()

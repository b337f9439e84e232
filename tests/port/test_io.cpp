// Data transfer over both backend kinds: plain bytes, Asio composed algorithms, full duplex,
// and the fault injections (EAGAIN storms, EINTR bursts, short writes).
#include <anyserial/timeout.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <numeric>
#include <vector>

#include "fixture.hpp"

namespace asio = boost::asio;
namespace data = boost::unit_test::data;
using namespace anyserial;
using namespace anyserial::test;
using namespace std::chrono_literals;

namespace {

std::vector<unsigned char> pattern(std::size_t n, unsigned seed) {
    std::vector<unsigned char> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = static_cast<unsigned char>((i * 131 + seed) % 251);
    return v;
}

// Sends `out` from `from` and reads exactly out.size() bytes on `to`.
std::vector<unsigned char> transfer(Loop &loop, SerialPort &from, SerialPort &to,
                                    const std::vector<unsigned char> &out) {
    std::vector<unsigned char> in(out.size());
    IoResult w, r;
    from.async_send(asio::buffer(out), w.handler());
    asio::async_read(to, asio::buffer(in), r.handler());
    loop.run_until([&] { return w.done && r.done; });
    BOOST_TEST(!w.ec, w.ec.message());
    BOOST_TEST(!r.ec, r.ec.message());
    BOOST_TEST(w.n == out.size());
    BOOST_TEST(r.n == out.size());
    return in;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(io)

BOOST_DATA_TEST_CASE(bytes_both_ways, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    BOOST_TEST(a.is_open());
    BOOST_TEST(a.capabilities().backend == kind);
    auto ab = pattern(1000, 1), ba = pattern(777, 2);
    BOOST_TEST(transfer(loop, a, b, ab) == ab);
    BOOST_TEST(transfer(loop, b, a, ba) == ba);
}

BOOST_DATA_TEST_CASE(read_some_and_write_some, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    const std::string msg = "ping\n";
    IoResult w, r;
    char buf[64];
    b.async_read_some(asio::buffer(buf), r.handler());
    a.async_write_some(asio::buffer(msg), w.handler());
    BOOST_TEST(!w.done);  // never completed inline
    loop.run_until([&] { return w.done && r.done; });
    BOOST_TEST(!w.ec);
    BOOST_TEST(w.n >= 1u);
    BOOST_TEST(!r.ec);
    BOOST_TEST(r.n >= 1u);
    BOOST_TEST(std::string(buf, r.n) == msg.substr(0, r.n));
}

BOOST_DATA_TEST_CASE(async_read_until_lines, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    const std::string text = "first line\nsecond line\n";
    IoResult w, r1;
    a.async_send(asio::buffer(text), w.handler());
    std::string store;
    asio::async_read_until(b, asio::dynamic_buffer(store), '\n', r1.handler());
    loop.run_until([&] { return w.done && r1.done; });
    BOOST_TEST(!r1.ec, r1.ec.message());
    BOOST_TEST(store.substr(0, r1.n) == "first line\n");
    store.erase(0, r1.n);
    IoResult r2;
    asio::async_read_until(b, asio::dynamic_buffer(store), '\n', r2.handler());
    loop.run_until([&] { return r2.done; });
    BOOST_TEST(store.substr(0, r2.n) == "second line\n");
}

BOOST_DATA_TEST_CASE(full_duplex_one_mib, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    const std::size_t size = 1u << 20;
    auto ab = pattern(size, 7), ba = pattern(size, 11);
    std::vector<unsigned char> at_b(size), at_a(size);
    IoResult wa, wb, ra, rb;
    // All four directions at once: both ports read and write concurrently.
    a.async_send(asio::buffer(ab), wa.handler());
    b.async_send(asio::buffer(ba), wb.handler());
    asio::async_read(b, asio::buffer(at_b), rb.handler());
    asio::async_read(a, asio::buffer(at_a), ra.handler());
    loop.run_until([&] { return wa.done && wb.done && ra.done && rb.done; });
    BOOST_TEST(!wa.ec);
    BOOST_TEST(!wb.ec);
    BOOST_TEST(!ra.ec, ra.ec.message());
    BOOST_TEST(!rb.ec, rb.ec.message());
    BOOST_TEST((at_b == ab));
    BOOST_TEST((at_a == ba));
}

BOOST_DATA_TEST_CASE(eagain_storm_and_eintr_burst, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind, SerialConfig{}.with_collect_stats(true));
    const auto &fa = faults(a);
    const auto &fb = faults(b);
    BOOST_TEST(fa.eagain_storm(a.backend_handle(), 40) == ANYSERIAL_OK);
    BOOST_TEST(fb.eagain_storm(b.backend_handle(), 40) == ANYSERIAL_OK);
    BOOST_TEST(fa.eintr_burst(a.backend_handle(), 30) == ANYSERIAL_OK);
    BOOST_TEST(fb.eintr_burst(b.backend_handle(), 30) == ANYSERIAL_OK);
    auto out = pattern(64 * 1024, 3);
    BOOST_TEST(transfer(loop, a, b, out) == out);
    if (kind == "mock") {
        // The sync-fd loop saw them and went back to waiting each time.
        BOOST_TEST(a.stats().would_block + b.stats().would_block >= 40u);
        BOOST_TEST(a.stats().interrupted + b.stats().interrupted >= 30u);
        BOOST_TEST(b.stats().readiness_waits >= 1u);
    }
    BOOST_TEST(a.stats().bytes_written == out.size());
    BOOST_TEST(b.stats().bytes_read == out.size());
}

BOOST_DATA_TEST_CASE(short_writes_are_completed, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind, SerialConfig{}.with_collect_stats(true));
    BOOST_TEST(faults(a).short_writes(a.backend_handle(), 7) == ANYSERIAL_OK);
    auto out = pattern(10000, 5);
    BOOST_TEST(transfer(loop, a, b, out) == out);
    BOOST_TEST(a.stats().write_calls >= 10000u / 7u);
    // async_write_some reports the short count instead of hiding it.
    IoResult w;
    a.async_write_some(asio::buffer(out), w.handler());
    loop.run_until([&] { return w.done; });
    BOOST_TEST(!w.ec);
    BOOST_TEST(w.n == 7u);
}

BOOST_DATA_TEST_CASE(receive_available_reads_what_is_queued, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    auto out = pattern(300, 9);
    IoResult w;
    a.async_send(asio::buffer(out), w.handler());
    loop.run_until([&] { return w.done; });
    // Wait until everything is queued at b (the async kind delivers from its own thread).
    loop.spin_until([&] { return b.input_waiting() == out.size(); });
    std::vector<unsigned char> in(1000);
    IoResult r;
    b.async_receive_available(asio::buffer(in), r.handler());
    loop.run_until([&] { return r.done; });
    BOOST_TEST(!r.ec);
    BOOST_TEST(r.n == out.size());
    in.resize(r.n);
    BOOST_TEST((in == out));
    // Limited by the buffer when more is queued.
    a.async_send(asio::buffer(out), w.handler());
    w.done = false;
    loop.run_until([&] { return w.done; });
    loop.spin_until([&] { return b.input_waiting() == out.size(); });
    std::vector<unsigned char> small(100);
    IoResult r2;
    b.async_receive_available(asio::buffer(small), r2.handler());
    loop.run_until([&] { return r2.done; });
    BOOST_TEST(r2.n == 100u);
}

BOOST_DATA_TEST_CASE(timeout_helper, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    char buf[16];
    IoResult r;
    // Nothing is ever sent: the timer must win.
    b.async_read_some(asio::buffer(buf), with_timeout(20ms, r.handler()));
    loop.run_until([&] { return r.done; });
    BOOST_TEST(r.ec == errc::timeout, r.ec.message());
    // The port stays usable, and data that is there beats the timer.
    const std::string msg = "x";
    IoResult w, r2;
    a.async_send(asio::buffer(msg), w.handler());
    b.async_read_some(asio::buffer(buf), with_timeout(60s, r2.handler()));
    loop.run_until([&] { return w.done && r2.done; });
    BOOST_TEST(!r2.ec);
    BOOST_TEST(r2.n == 1u);
    // Works on the control-path operations too.
    EcResult br;
    a.async_send_break(60s, with_timeout(10ms, br.handler()));
    loop.run_until([&] { return br.done; });
    BOOST_TEST(br.ec == errc::timeout);
}

BOOST_AUTO_TEST_SUITE_END()

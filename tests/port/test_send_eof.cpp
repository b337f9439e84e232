// send_eof (serial seed §14.4): serial has no half-close, so it drains pending output, is
// idempotent, signals nothing to the device and does not close: send and receive keep
// working. Async over both mock kinds, and the sync facade.
#include <anyserial/sync.hpp>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <string>

#include "fixture.hpp"

namespace asio = boost::asio;
namespace data = boost::unit_test::data;
using namespace anyserial;
using namespace anyserial::test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(send_eof)

BOOST_DATA_TEST_CASE(drains_is_idempotent_and_does_not_close, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    IoResult w;
    a.async_send(asio::buffer("abcdef", 6), w.handler());
    loop.run_until([&] { return w.done; });
    EcResult e1, e2;
    a.async_send_eof(e1.handler());
    loop.run_until([&] { return e1.done; });
    BOOST_TEST(!e1.ec, e1.ec.message());
    BOOST_TEST(a.output_waiting() == 0u);  // drained
    a.async_send_eof(e2.handler());        // twice: nothing left, nothing happens
    loop.run_until([&] { return e2.done; });
    BOOST_TEST(!e2.ec, e2.ec.message());
    BOOST_TEST(a.is_open());
    BOOST_TEST(b.is_open());

    // Both directions still work after it.
    IoResult w2;
    a.async_send(asio::buffer("gh", 2), w2.handler());
    loop.run_until([&] { return w2.done; });
    BOOST_TEST(!w2.ec);
    std::string got;
    while (got.size() < 8) {
        char buf[16];
        IoResult r;
        b.async_read_some(asio::buffer(buf), r.handler());
        loop.run_until([&] { return r.done; });
        BOOST_TEST_REQUIRE(!r.ec, r.ec.message());
        got.append(buf, r.n);
    }
    BOOST_TEST(got == "abcdefgh");
    IoResult back;
    b.async_send(asio::buffer("ok", 2), back.handler());
    loop.run_until([&] { return back.done; });
    char in[4];
    IoResult r;
    a.async_read_some(asio::buffer(in), r.handler());
    loop.run_until([&] { return r.done; });
    BOOST_TEST(!r.ec);
    BOOST_TEST(std::string(in, r.n).front() == 'o');
}

BOOST_DATA_TEST_CASE(on_a_closed_port_it_says_closed, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    a.close();
    EcResult e;
    a.async_send_eof(e.handler());
    loop.run_until([&] { return e.done; });
    BOOST_TEST(e.ec == errc::closed);
}

BOOST_AUTO_TEST_CASE(sync_facade_send_eof) {
    const std::string base = unique_pair("mock");
    auto a = sync::SerialPort::open(plugins(), base + "/a");
    auto b = sync::SerialPort::open(plugins(), base + "/b");
    a.write(asio::buffer(std::string_view("ping")));
    a.send_eof(5s);
    a.send_eof(5s);
    BOOST_TEST(a.output_waiting() == 0u);
    a.write(asio::buffer(std::string_view("!")));
    std::string got;
    char buf[16];
    while (got.size() < 5)
        got.append(buf, b.read_some(asio::buffer(buf), 10s));
    BOOST_TEST(got == "ping!");
    a.close();
    BOOST_CHECK_THROW(a.send_eof(), SerialClosedError);
}

BOOST_AUTO_TEST_SUITE_END()

// The control path: lines, queues, drain, drain_exact, introspection, tokens.
#include <anyserial/connectable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <vector>

#include "fixture.hpp"

namespace asio = boost::asio;
namespace data = boost::unit_test::data;
using namespace anyserial;
using namespace anyserial::test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(control)

BOOST_DATA_TEST_CASE(modem_lines_cross_like_a_null_modem, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    a.set_control_lines(false, std::nullopt);
    ModemLines la = a.modem_lines(), lb = b.modem_lines();
    BOOST_TEST(!la.rts);
    BOOST_TEST(la.dtr);  // unchanged
    BOOST_TEST(!lb.cts);
    BOOST_TEST(lb.dsr);
    a.set_control_lines(true, false);
    la = a.modem_lines();
    lb = b.modem_lines();
    BOOST_TEST(la.rts);
    BOOST_TEST(!la.dtr);
    BOOST_TEST(lb.cts);
    BOOST_TEST(!lb.dsr);
}

BOOST_DATA_TEST_CASE(queues_and_reset, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    IoResult w;
    a.async_send(asio::buffer("0123456789", 10), w.handler());
    loop.run_until([&] { return w.done; });
    loop.spin_until([&] { return b.input_waiting() == 10u; });
    BOOST_TEST(a.output_waiting() == 0u);
    b.reset_input_buffer();
    BOOST_TEST(b.input_waiting() == 0u);
    a.reset_output_buffer();
}

BOOST_DATA_TEST_CASE(drain_and_drain_exact, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    IoResult w;
    a.async_send(asio::buffer("abc", 3), w.handler());
    EcResult d1, d2;
    a.async_drain(d1.handler());
    loop.run_until([&] { return w.done && d1.done; });
    BOOST_TEST(d1.ec == errc::busy);  // the send still holds the write side
    a.async_drain(d2.handler());
    loop.run_until([&] { return d2.done; });
    BOOST_TEST(!d2.ec);
    EcResult d3;
    a.async_drain_exact(d3.handler());
    loop.run_until([&] { return d3.done; });
    BOOST_TEST(!d3.ec, d3.ec.message());
}

BOOST_DATA_TEST_CASE(introspection, data::make(kKinds), kind) {
    Loop loop;
    auto cfg = SerialConfig{}.with_baudrate(57600);
    auto [a, b] = open_pair(loop, kind, cfg);
    BOOST_TEST((a.config() == cfg));
    BOOST_TEST(a.path().rfind(kind + "://", 0) == 0u);
    BOOST_TEST(a.capabilities().backend == kind);
    BOOST_TEST((a.capabilities().break_signal == Capability::supported));
    BOOST_TEST(a.native_handle().has_value() == (kind == "mock"));
    BOOST_TEST((a.stats() == SerialStats{}));  // collection is off by default
    IoResult w;
    a.async_send(asio::buffer("abc", 3), w.handler());
    loop.run_until([&] { return w.done; });
    BOOST_TEST((a.stats() == SerialStats{}));
}

BOOST_DATA_TEST_CASE(completion_tokens, data::make(kKinds), kind) {
    Loop loop;
    auto [a, b] = open_pair(loop, kind);
    // deferred + as_tuple
    auto op = a.async_send(asio::buffer("ab", 2), asio::as_tuple(asio::deferred));
    bool sent = false;
    std::move(op)([&](std::tuple<boost::system::error_code, std::size_t> t) {
        sent = !std::get<0>(t) && std::get<1>(t) == 2u;
    });
    loop.run_until([&] { return sent; });
    // use_awaitable in a coroutine
    std::string got;
    bool done = false;
    asio::co_spawn(
        loop.io,
        [&]() -> asio::awaitable<void> {
            char buf[2];
            std::size_t n = 0;
            while (n < 2)
                n += co_await b.async_read_some(asio::buffer(buf + n, 2 - n), asio::use_awaitable);
            got.assign(buf, 2);
            auto [ec] = co_await b.async_drain(asio::as_tuple(asio::use_awaitable));
            BOOST_TEST(!ec);
            done = true;
        },
        asio::detached);
    loop.run_until([&] { return done; });
    BOOST_TEST(got == "ab");
    // use_future, with the loop on this thread
    std::future<std::size_t> f = a.async_write_some(asio::buffer("c", 1), asio::use_future);
    loop.run_until([&] { return f.wait_for(0s) == std::future_status::ready; });
    BOOST_TEST(f.get() == 1u);
}

// A port on a strand runs every handler in the strand; a plain port hands a handler bound
// to a strand to that strand (the I/O operation's two executor paths).
BOOST_DATA_TEST_CASE(strand_executors, data::make(kKinds), kind) {
    Loop loop;
    auto strand = asio::make_strand(loop.io);
    const std::string base = unique_pair(kind);
    std::optional<SerialPort> a, b;
    for (auto [path, port] : {std::pair{base + "/a", &a}, std::pair{base + "/b", &b}}) {
        async_open_serial_port(strand, plugins(), path, {},
                               [&, port = port](boost::system::error_code ec, SerialPort p) {
                                   BOOST_TEST(!ec);
                                   port->emplace(std::move(p));
                               });
    }
    loop.run_until([&] { return a && b; });
    int in_strand = 0;
    std::size_t sent = 0, got = 0;
    char buf[3] = {};
    a->async_send(asio::buffer("xyz", 3), [&](boost::system::error_code ec, std::size_t n) {
        BOOST_TEST(!ec);
        sent = n;
        in_strand += strand.running_in_this_thread();
    });
    asio::async_read(*b, asio::buffer(buf), [&](boost::system::error_code ec, std::size_t n) {
        BOOST_TEST(!ec);
        got = n;
        in_strand += strand.running_in_this_thread();
    });
    loop.run_until([&] { return sent == 3u && got == 3u; });
    BOOST_TEST(std::string(buf, 3) == "xyz");
    BOOST_TEST(in_strand == 2);

    auto [c, d] = open_pair(loop, kind);
    auto bound = asio::make_strand(loop.io);
    bool done = false, in_bound = false;
    c.async_write_some(asio::buffer("q", 1),
                       asio::bind_executor(bound, [&](boost::system::error_code ec, std::size_t n) {
                           BOOST_TEST(!ec);
                           BOOST_TEST(n == 1u);
                           in_bound = bound.running_in_this_thread();
                           done = true;
                       }));
    loop.run_until([&] { return done; });
    BOOST_TEST(in_bound);
}

BOOST_DATA_TEST_CASE(connectable_opens_later, data::make(kKinds), kind) {
    Loop loop;
    const std::string base = unique_pair(kind);
    SerialConnectable ca{base + "/a", SerialConfig{}.with_baudrate(19200)};
    SerialConnectable cb{base + "/b"};
    std::optional<SerialPort> a, b;
    ca.async_connect(loop.io.get_executor(), plugins(),
                     [&](boost::system::error_code ec, SerialPort p) {
                         BOOST_TEST(!ec);
                         a.emplace(std::move(p));
                     });
    cb.async_connect(loop.io.get_executor(), plugins(),
                     [&](boost::system::error_code ec, SerialPort p) {
                         BOOST_TEST(!ec);
                         b.emplace(std::move(p));
                     });
    loop.run_until([&] { return a && b; });
    BOOST_TEST(a->config().baudrate() == 19200u);
    BOOST_TEST(b->is_open());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(open_without_work_guard)

// io.run() alone must not return before the open (which runs on the worker pool) is done.
BOOST_AUTO_TEST_CASE(run_waits_for_the_open) {
    for (const std::string &kind : kKinds) {
        boost::asio::io_context io;
        std::optional<SerialPort> port;
        boost::system::error_code ec;
        async_open_serial_port(io.get_executor(), plugins(), unique_pair(kind) + "/a",
                               SerialConfig{}, [&](boost::system::error_code e, SerialPort p) {
                                   ec = e;
                                   port.emplace(std::move(p));
                               });
        io.run();
        BOOST_REQUIRE(port.has_value());
        BOOST_TEST(!ec);
        BOOST_TEST(port->is_open());
    }
}

BOOST_AUTO_TEST_SUITE_END()

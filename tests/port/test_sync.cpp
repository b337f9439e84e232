#define BOOST_TEST_MODULE anyserial_port_sync
// The blocking facade: one shared loop thread, several user threads at once, timeouts and
// exceptions.
#include <anyserial/sync.hpp>
#include <boost/test/unit_test.hpp>
#include <thread>
#include <vector>

#include "fixture.hpp"

using namespace anyserial;
using namespace anyserial::test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(sync_facade)

BOOST_AUTO_TEST_CASE(round_trip_and_errors) {
    for (const std::string &kind : kKinds) {
        const std::string base = unique_pair(kind);
        auto a = sync::SerialPort::open(plugins(), base + "/a");
        auto b = sync::SerialPort::open(plugins(), base + "/b");
        BOOST_TEST(sync::shared_loop_users() >= 1u);
        a.write(boost::asio::buffer(std::string_view("hello")));
        std::string got;
        char buf[16];
        while (got.size() < 5)
            got.append(buf, b.read_some(boost::asio::buffer(buf), 10s));
        BOOST_TEST(got == "hello");
        // Nothing to read: the timeout fires and says so.
        BOOST_CHECK_THROW(b.read_some(boost::asio::buffer(buf), 10ms), SerialTimeoutError);
        b.configure(SerialConfig{}.with_baudrate(9600));
        BOOST_TEST(b.config().baudrate() == 9600u);
        a.send_break(1ms);
        a.drain();
        a.set_control_lines(true, true);
        BOOST_TEST(b.modem_lines().cts);
        BOOST_TEST(a.input_waiting() == 0u);
        a.close();
        BOOST_CHECK_THROW(a.write(boost::asio::buffer(std::string_view("x"))), SerialClosedError);
    }
    BOOST_CHECK_THROW(sync::SerialPort::open(plugins(), "nothing://x"), PluginError);
}

BOOST_AUTO_TEST_CASE(many_threads_share_one_loop) {
    constexpr int threads = 4, messages = 200;
    std::vector<std::thread> pool;
    std::atomic<int> ok{0};
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([t, &ok] {
            const std::string base = unique_pair(kKinds[t % 2]);
            auto a = sync::SerialPort::open(plugins(), base + "/a");
            auto b = sync::SerialPort::open(plugins(), base + "/b");
            // b echoes from its own thread while a writes and reads on this one.
            std::thread echo([&] {
                char buf[256];
                std::size_t total = 0;
                while (total < std::size_t(messages) * 8) {
                    std::size_t n = b.read_some(boost::asio::buffer(buf), 20s);
                    b.write(boost::asio::buffer(buf, n), 20s);
                    total += n;
                }
            });
            int good = 0;
            for (int i = 0; i < messages; ++i) {
                char msg[9];
                std::snprintf(msg, sizeof msg, "%02d:%05d", t, i);
                a.write(boost::asio::buffer(msg, 8), 20s);
                std::string back;
                char buf[8];
                while (back.size() < 8)
                    back.append(buf, a.read_some(boost::asio::buffer(buf, 8 - back.size()), 20s));
                good += back == std::string(msg, 8);
            }
            echo.join();
            if (good == messages) ++ok;
        });
    }
    for (auto &th : pool)
        th.join();
    BOOST_TEST(ok.load() == threads);
    // Every port is gone: the loop thread has ended.
    BOOST_TEST(sync::shared_loop_users() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

#define BOOST_TEST_MODULE anyserial_port_sync
// The blocking facade: one shared loop thread, several user threads at once, timeouts and
// exceptions.
#include <sys/syscall.h>
#include <unistd.h>

#include <anyserial/sync.hpp>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "fixture.hpp"

using namespace anyserial;
using namespace anyserial::test;
using namespace std::chrono_literals;

namespace {

// The scheduler state of one thread of this process ('S' = asleep in a blocking call).
char thread_state(long tid) {
    std::ifstream f("/proc/self/task/" + std::to_string(tid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const auto paren = stat.rfind(')');
    return paren == std::string::npos || paren + 2 >= stat.size() ? '?' : stat[paren + 2];
}

// A read_some started on its own thread; blocked() holds once it sleeps inside the call.
struct BlockedRead {
    sync::SerialPort &port;
    std::atomic<long> tid{0};
    std::atomic<int> outcome{0};  // 1 closed, 2 other error, 3 returned data
    std::string error;
    std::thread thread;

    explicit BlockedRead(sync::SerialPort &p) : port(p) {
        thread = std::thread([this] {
            char buf[8];
            tid = static_cast<long>(::syscall(SYS_gettid));
            try {
                port.read_some(boost::asio::buffer(buf));  // no timeout
                outcome = 3;
            } catch (const SerialClosedError &) {
                outcome = 1;
            } catch (const std::exception &e) {
                error = e.what();
                outcome = 2;
            }
        });
    }
    // Polls the thread's state (no sleep): asleep after it announced itself means it is
    // parked in the read (there is nothing else it could wait for).
    void wait_until_blocked() {
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (tid.load() == 0 || thread_state(tid.load()) != 'S') {
            BOOST_REQUIRE_MESSAGE(outcome.load() == 0, "the read returned early: " << error);
            BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline,
                                  "the read never blocked");
            std::this_thread::yield();
        }
    }
    ~BlockedRead() {
        if (thread.joinable()) thread.join();
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(sync_facade)

BOOST_AUTO_TEST_CASE(close_from_another_thread_wakes_a_blocked_read) {
    for (const std::string &kind : kKinds) {
        BOOST_TEST_CONTEXT(kind) {
            const std::string base = unique_pair(kind);
            auto a = sync::SerialPort::open(plugins(), base + "/a");
            auto b = sync::SerialPort::open(plugins(), base + "/b");
            BlockedRead r(a);
            r.wait_until_blocked();
            // One reader at a time: a second read fails at once, the first stays parked.
            char buf[4];
            BOOST_CHECK_THROW(a.read_some(boost::asio::buffer(buf), 10s), SerialBusyError);
            BOOST_TEST(r.outcome.load() == 0);
            a.close();
            r.thread.join();
            BOOST_TEST(r.outcome.load() == 1, "outcome " << r.outcome.load() << " " << r.error);
            BOOST_TEST(!a.is_open());
            BOOST_CHECK_THROW(a.read_some(boost::asio::buffer(buf), 10ms), SerialClosedError);
        }
    }
}

BOOST_AUTO_TEST_CASE(timeouts_are_per_call_and_leave_the_port_usable) {
    for (const std::string &kind : kKinds) {
        BOOST_TEST_CONTEXT(kind) {
            const std::string base = unique_pair(kind);
            auto a = sync::SerialPort::open(plugins(), base + "/a");
            auto b = sync::SerialPort::open(plugins(), base + "/b");
            char buf[16];
            try {
                (void)b.read_some(boost::asio::buffer(buf), 5ms);
                BOOST_FAIL("read_some returned with nothing sent");
            } catch (const SerialTimeoutError &e) {
                BOOST_TEST(e.code() == make_error_code(errc::timeout));
                BOOST_TEST(std::string(e.what()).find("read_some") != std::string::npos);
            }
            BOOST_CHECK_THROW(b.receive_available(boost::asio::buffer(buf), 0ms),
                              SerialTimeoutError);
            // The timed-out reads left nothing behind: the next bytes arrive whole.
            a.write(boost::asio::buffer(std::string_view("abc")), 10s);
            std::string got;
            while (got.size() < 3)
                got.append(buf, b.receive_available(boost::asio::buffer(buf), 10s));
            BOOST_TEST(got == "abc");
        }
    }
}

BOOST_AUTO_TEST_CASE(end_of_file_is_a_disconnect) {
    for (const std::string &kind : kKinds) {
        BOOST_TEST_CONTEXT(kind) {
            const std::string base = unique_pair(kind);
            auto a = sync::SerialPort::open(plugins(), base + "/a");
            auto b = sync::SerialPort::open(plugins(), base + "/b");
            b.close();  // the peer end goes away
            char buf[4];
            BOOST_CHECK_THROW(a.read_some(boost::asio::buffer(buf), 10s), SerialDisconnectedError);
        }
    }
}

BOOST_AUTO_TEST_CASE(stats_count_the_direct_calls) {
    for (const std::string &kind : kKinds) {
        BOOST_TEST_CONTEXT(kind) {
            const std::string base = unique_pair(kind);
            auto a = sync::SerialPort::open(plugins(), base + "/a",
                                            SerialConfig{}.with_collect_stats(true));
            auto b = sync::SerialPort::open(plugins(), base + "/b");
            a.write(boost::asio::buffer(std::string_view("12345")), 10s);
            char buf[8];
            std::size_t got = 0;
            while (got < 5)
                got += b.read_some(boost::asio::buffer(buf), 10s);
            BOOST_TEST(a.stats().bytes_written == 5u);
            BOOST_TEST(a.stats().write_calls >= 1u);
            BOOST_TEST(b.stats().bytes_written == 0u);  // b does not collect
        }
    }
}

// A read right after a write waits for the answer before it reads (as pySerial polls
// first): one read call, no read(2) that only says EAGAIN. Sync-fd kind only (the mock
// pair's sockets; an async-completion port has no such call).
BOOST_AUTO_TEST_CASE(a_read_after_a_write_polls_before_it_reads) {
    const std::string base = unique_pair("mock");
    auto a =
        sync::SerialPort::open(plugins(), base + "/a", SerialConfig{}.with_collect_stats(true));
    auto b = sync::SerialPort::open(plugins(), base + "/b");
    char buf[8];
    for (int round = 0; round < 20; ++round) {
        std::thread peer([&] {  // answers each request once it has it
            char req[1];
            (void)b.read_some(boost::asio::buffer(req), 10s);
            b.write(boost::asio::buffer(std::string_view("a")), 10s);
        });
        const auto before = a.stats();
        a.write(boost::asio::buffer(std::string_view("q")), 10s);
        BOOST_TEST(a.read_some(boost::asio::buffer(buf), 10s) == 1u);
        peer.join();
        const auto after = a.stats();
        BOOST_TEST(after.read_calls - before.read_calls == 1u);
        BOOST_TEST(after.would_block - before.would_block == 0u);
    }
    // With nothing written first (a stream), the read tries at once: queued bytes cost no poll.
    b.write(boost::asio::buffer(std::string_view("t")), 10s);
    const auto before = a.stats();
    while (a.input_waiting() == 0)
        std::this_thread::yield();
    BOOST_TEST(a.read_some(boost::asio::buffer(buf), 10s) == 1u);
    BOOST_TEST(a.stats().readiness_waits - before.readiness_waits == 0u);
}

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

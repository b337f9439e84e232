// mock-async://NAME/a|b: the same pairs served through start_read/start_write/cancel by the
// plugin's worker thread. Every wait is on a condition variable, never a sleep.
#include <boost/test/unit_test.hpp>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mock_fixture.hpp"

using mocktest::Completions;
using mocktest::Port;

namespace {

struct AsyncPair {
    Port a{"mock-async"}, b{"mock-async"};
    explicit AsyncPair(const std::string &name) {
        a.open_ok("mock-async://" + name + "/a");
        b.open_ok("mock-async://" + name + "/b");
    }
};

int32_t start_read(Port &p, uint8_t *buf, uint32_t len, Completions &c) {
    return p.h->async_io->start_read(p.h, buf, len, &Completions::callback, &c);
}
// data must outlive the completion: pass literals or strings that stay alive.
int32_t start_write(Port &p, std::string_view data, Completions &c) {
    return p.h->async_io->start_write(p.h, reinterpret_cast<const uint8_t *>(data.data()),
                                      static_cast<uint32_t>(data.size()), &Completions::callback,
                                      &c);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mock_async)

BOOST_AUTO_TEST_CASE(instances_use_the_async_table) {
    Port p("mock-async");
    BOOST_TEST(p.h->async_io != nullptr);
    BOOST_TEST(p.h->sync_fd == nullptr);
    BOOST_TEST(p.h->control->get_extension(p.h, ANYSERIAL_EXT_MOCK_FAULTS_ID) != nullptr);
    uint8_t buf[1];
    Completions c;
    BOOST_TEST(start_read(p, buf, 1, c) == ANYSERIAL_E_CLOSED);
}

BOOST_AUTO_TEST_CASE(round_trip_completes_once_each) {
    AsyncPair p("rt");
    uint8_t buf[32] = {};
    Completions rd, wr;
    BOOST_REQUIRE_EQUAL(start_read(p.b, buf, sizeof buf, rd), ANYSERIAL_OK);
    const std::string msg = "ping over async";
    BOOST_REQUIRE_EQUAL(start_write(p.a, msg, wr), ANYSERIAL_OK);
    BOOST_REQUIRE(wr.wait(1));
    BOOST_REQUIRE(rd.wait(1));
    BOOST_TEST(wr.events()[0].status == ANYSERIAL_OK);
    BOOST_TEST(wr.events()[0].n == msg.size());
    BOOST_TEST(rd.events()[0].status == ANYSERIAL_OK);
    BOOST_TEST(std::string(reinterpret_cast<char *>(buf), rd.events()[0].n) == msg);

    // and back the other way
    Completions rd2, wr2;
    BOOST_REQUIRE_EQUAL(start_read(p.a, buf, sizeof buf, rd2), ANYSERIAL_OK);
    BOOST_REQUIRE_EQUAL(start_write(p.b, "pong", wr2), ANYSERIAL_OK);
    BOOST_REQUIRE(rd2.wait(1));
    BOOST_TEST(std::string(reinterpret_cast<char *>(buf), rd2.events()[0].n) == "pong");
    BOOST_REQUIRE(wr2.wait(1));

    p.a.close();  // every outstanding completion is delivered by now: counts are final
    p.b.close();
    BOOST_TEST(rd.size() == 1u);
    BOOST_TEST(wr.size() == 1u);
    BOOST_TEST(rd2.size() == 1u);
    BOOST_TEST(wr2.size() == 1u);
}

BOOST_AUTO_TEST_CASE(second_outstanding_read_is_busy_without_completion) {
    AsyncPair p("busy");
    uint8_t buf[4];
    Completions first, second;
    BOOST_REQUIRE_EQUAL(start_read(p.a, buf, sizeof buf, first), ANYSERIAL_OK);
    BOOST_TEST(start_read(p.a, buf, sizeof buf, second) == ANYSERIAL_E_BUSY);
    p.a.close();
    BOOST_TEST(first.size() == 1u);
    BOOST_TEST(first.events()[0].status == ANYSERIAL_E_CANCELLED);
    BOOST_TEST(second.size() == 0u);
}

BOOST_AUTO_TEST_CASE(cancel_completes_exactly_once_with_cancelled) {
    AsyncPair p("cancel");
    uint8_t buf[4];
    Completions c;
    BOOST_REQUIRE_EQUAL(start_read(p.a, buf, sizeof buf, c), ANYSERIAL_OK);
    BOOST_REQUIRE_EQUAL(p.a.h->async_io->cancel(p.a.h, ANYSERIAL_DIRECTION_READ), ANYSERIAL_OK);
    BOOST_REQUIRE(c.wait(1));
    BOOST_TEST(c.events()[0].status == ANYSERIAL_E_CANCELLED);
    // Cancelling again, or with nothing outstanding, is harmless and completes nothing.
    BOOST_TEST(p.a.h->async_io->cancel(
                   p.a.h, ANYSERIAL_DIRECTION_READ | ANYSERIAL_DIRECTION_WRITE) == ANYSERIAL_OK);
    // A new read after the cancel is not affected by it.
    Completions next;
    BOOST_REQUIRE_EQUAL(start_read(p.a, buf, sizeof buf, next), ANYSERIAL_OK);
    Completions wr;
    BOOST_REQUIRE_EQUAL(start_write(p.b, "k", wr), ANYSERIAL_OK);
    BOOST_REQUIRE(next.wait(1));
    BOOST_TEST(next.events()[0].status == ANYSERIAL_OK);
    BOOST_TEST(buf[0] == 'k');
    BOOST_REQUIRE(wr.wait(1));  // its completion must not outlive wr
    p.a.close();
    BOOST_TEST(c.size() == 1u);
    BOOST_TEST(next.size() == 1u);
}

BOOST_AUTO_TEST_CASE(close_delivers_outstanding_completions_before_returning) {
    AsyncPair p("close");
    uint8_t buf[4];
    Completions rd;
    BOOST_REQUIRE_EQUAL(start_read(p.a, buf, sizeof buf, rd), ANYSERIAL_OK);
    p.a.close();
    BOOST_REQUIRE_EQUAL(rd.size(), 1u);  // no waiting: close() promised it
    BOOST_TEST(rd.events()[0].status == ANYSERIAL_E_CANCELLED);
}

BOOST_AUTO_TEST_CASE(cancel_racing_completion_yields_exactly_one) {
    AsyncPair p("race");
    std::string received;
    int cancelled = 0;
    constexpr int rounds = 300;
    for (int i = 0; i < rounds; ++i) {
        Completions wr;
        const std::string byte(1, static_cast<char>('a' + i % 26));
        BOOST_REQUIRE_EQUAL(start_write(p.b, byte, wr), ANYSERIAL_OK);
        BOOST_REQUIRE(wr.wait(1));
        // Read until this round's byte arrived, cancelling each read straight away.
        for (;;) {
            uint8_t buf[8];
            Completions rd;
            BOOST_REQUIRE_EQUAL(start_read(p.a, buf, sizeof buf, rd), ANYSERIAL_OK);
            BOOST_REQUIRE_EQUAL(p.a.h->async_io->cancel(p.a.h, ANYSERIAL_DIRECTION_READ),
                                ANYSERIAL_OK);
            BOOST_REQUIRE(rd.wait(1));
            const auto ev = rd.events();
            BOOST_REQUIRE_EQUAL(ev.size(), 1u);
            if (ev[0].status == ANYSERIAL_E_CANCELLED) {
                ++cancelled;
                continue;
            }
            BOOST_REQUIRE_EQUAL(ev[0].status, ANYSERIAL_OK);
            received.append(reinterpret_cast<char *>(buf), ev[0].n);
            if (received.size() == static_cast<std::size_t>(i + 1)) break;
        }
    }
    // No byte lost or duplicated, whichever side of each race won.
    BOOST_REQUIRE_EQUAL(received.size(), static_cast<std::size_t>(rounds));
    for (int i = 0; i < rounds; ++i)
        BOOST_TEST(received[i] == static_cast<char>('a' + i % 26));
    BOOST_TEST_MESSAGE("cancel won " << cancelled << " races");
}

BOOST_AUTO_TEST_CASE(peer_close_completes_read_with_disconnected) {
    AsyncPair p("eof");
    uint8_t buf[4];
    Completions rd;
    BOOST_REQUIRE_EQUAL(start_read(p.a, buf, sizeof buf, rd), ANYSERIAL_OK);
    p.b.close();
    BOOST_REQUIRE(rd.wait(1));
    BOOST_TEST(rd.events()[0].status == ANYSERIAL_E_DISCONNECTED);
    BOOST_TEST(p.a.last_error().find("peer end closed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(disconnect_fault_fails_pending_and_later_io) {
    AsyncPair p("gone");
    uint8_t buf[4];
    Completions rd;
    BOOST_REQUIRE_EQUAL(start_read(p.a, buf, sizeof buf, rd), ANYSERIAL_OK);
    BOOST_REQUIRE_EQUAL(p.a.faults().disconnect(p.a.h), ANYSERIAL_OK);
    BOOST_REQUIRE(rd.wait(1));
    BOOST_TEST(rd.events()[0].status == ANYSERIAL_E_DISCONNECTED);
    Completions later;
    BOOST_TEST(start_read(p.a, buf, sizeof buf, later) == ANYSERIAL_E_DISCONNECTED);
    BOOST_TEST(start_write(p.a, "x", later) == ANYSERIAL_E_DISCONNECTED);
    // The peer sees EOF.
    Completions peer;
    BOOST_REQUIRE_EQUAL(start_read(p.b, buf, sizeof buf, peer), ANYSERIAL_OK);
    BOOST_REQUIRE(peer.wait(1));
    BOOST_TEST(peer.events()[0].status == ANYSERIAL_E_DISCONNECTED);
    p.a.close();
    BOOST_TEST(later.size() == 0u);
    BOOST_TEST(rd.size() == 1u);
}

BOOST_AUTO_TEST_CASE(faults_apply_to_async_primitives) {
    AsyncPair p("faults");
    BOOST_REQUIRE_EQUAL(p.a.faults().short_writes(p.a.h, 4), ANYSERIAL_OK);
    BOOST_REQUIRE_EQUAL(p.a.faults().eagain_storm(p.a.h, 5), ANYSERIAL_OK);
    BOOST_REQUIRE_EQUAL(p.a.faults().eintr_burst(p.a.h, 5), ANYSERIAL_OK);
    BOOST_REQUIRE_EQUAL(p.a.faults().added_latency(p.a.h, 1'000'000), ANYSERIAL_OK);
    Completions wr;
    BOOST_REQUIRE_EQUAL(start_write(p.a, "0123456789", wr), ANYSERIAL_OK);
    BOOST_REQUIRE(wr.wait(1));
    BOOST_TEST(wr.events()[0].status == ANYSERIAL_OK);
    BOOST_TEST(wr.events()[0].n == 4u);  // short write, after the storm and the latency
    uint8_t buf[16];
    Completions rd;
    BOOST_REQUIRE_EQUAL(start_read(p.b, buf, sizeof buf, rd), ANYSERIAL_OK);
    BOOST_REQUIRE(rd.wait(1));
    BOOST_TEST(std::string(reinterpret_cast<char *>(buf), rd.events()[0].n) == "0123");
}

BOOST_AUTO_TEST_CASE(close_from_inside_a_completion) {
    AsyncPair p("inside");
    struct Ctx {
        anyserial_backend_t *h;
        Completions done;
    } ctx{p.a.h, {}};
    uint8_t buf[4];
    auto cb = [](void *user, int32_t status, uint32_t n) {
        auto *c = static_cast<Ctx *>(user);
        c->h->control->close(c->h);  // on the worker thread
        Completions::callback(&c->done, status, n);
    };
    BOOST_REQUIRE_EQUAL(p.a.h->async_io->start_read(p.a.h, buf, sizeof buf, cb, &ctx),
                        ANYSERIAL_OK);
    Completions wr;
    BOOST_REQUIRE_EQUAL(start_write(p.b, "z", wr), ANYSERIAL_OK);
    BOOST_REQUIRE(ctx.done.wait(1));
    BOOST_REQUIRE(wr.wait(1));
    BOOST_TEST(ctx.done.events()[0].status == ANYSERIAL_OK);
    Completions none;
    BOOST_TEST(start_read(p.a, buf, sizeof buf, none) == ANYSERIAL_E_CLOSED);
}

BOOST_AUTO_TEST_CASE(control_lines_cross_between_async_ends) {
    AsyncPair p("lines");
    BOOST_REQUIRE_EQUAL(
        p.a.h->control->set_control_lines(p.a.h, ANYSERIAL_LINE_OFF, ANYSERIAL_LINE_ON),
        ANYSERIAL_OK);
    BOOST_TEST(p.b.lines() ==
               (ANYSERIAL_LINE_DSR | ANYSERIAL_LINE_CD | ANYSERIAL_LINE_RTS | ANYSERIAL_LINE_DTR));
}

BOOST_AUTO_TEST_SUITE_END()

// mock://NAME/a|b through the C ABI: loopback, pair rules, control lines, faults.
#include <poll.h>

#include <boost/test/unit_test.hpp>
#include <cstring>
#include <future>
#include <string>
#include <thread>

#include "mock_fixture.hpp"

using mocktest::Port;

namespace {

bool contains(const std::string &s, const std::string &part) {
    return s.find(part) != std::string::npos;
}

struct Pair {
    Port a{"mock"}, b{"mock"};
    explicit Pair(const std::string &name) {
        a.open_ok("mock://" + name + "/a");
        b.open_ok("mock://" + name + "/b");
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(mock_sync)

BOOST_AUTO_TEST_CASE(factory_describes_both_kinds) {
    const anyserial_backend_factory_t &f = mocktest::factory();
    BOOST_REQUIRE_EQUAL(f.count(), 2u);
    const anyserial_backend_descriptor_t *s = f.get_descriptor(0);
    const anyserial_backend_descriptor_t *a = f.get_descriptor(1);
    BOOST_TEST(std::string(s->id) == "mock");
    BOOST_TEST(s->kind == ANYSERIAL_BACKEND_KIND_SYNC_FD);
    BOOST_TEST(s->path_prefixes == nullptr);
    BOOST_TEST(std::string(s->url_schemes[0]) == "mock");
    BOOST_TEST(s->url_schemes[1] == nullptr);
    BOOST_TEST(std::string(s->platform) == "any");
    BOOST_TEST(std::string(a->id) == "mock-async");
    BOOST_TEST(a->kind == ANYSERIAL_BACKEND_KIND_ASYNC_COMPLETION);
    BOOST_TEST(a->path_prefixes == nullptr);
    BOOST_TEST(std::string(a->url_schemes[0]) == "mock-async");
    BOOST_TEST(a->url_schemes[1] == nullptr);
    BOOST_TEST(f.get_descriptor(2) == nullptr);
}

BOOST_AUTO_TEST_CASE(capabilities_are_the_mocks) {
    Port p("mock");
    anyserial_capabilities_t c{};
    c.struct_size = sizeof c;
    BOOST_REQUIRE_EQUAL(p.h->control->capabilities(p.h, &c), ANYSERIAL_OK);
    BOOST_TEST(c.custom_baudrate == ANYSERIAL_CAP_SUPPORTED);
    BOOST_TEST(c.mark_space_parity == ANYSERIAL_CAP_SUPPORTED);
    BOOST_TEST(c.modem_lines == ANYSERIAL_CAP_SUPPORTED);
    BOOST_TEST(c.break_signal == ANYSERIAL_CAP_SUPPORTED);
    BOOST_TEST(c.exclusive_access == ANYSERIAL_CAP_SUPPORTED);
    BOOST_TEST(c.low_latency == ANYSERIAL_CAP_UNSUPPORTED);
    BOOST_TEST(c.rs485 == ANYSERIAL_CAP_UNSUPPORTED);
    BOOST_TEST(c.input_waiting == ANYSERIAL_CAP_SUPPORTED);
    BOOST_TEST(c.output_waiting == ANYSERIAL_CAP_SUPPORTED);
    BOOST_TEST(c.port_discovery == ANYSERIAL_CAP_UNSUPPORTED);
}

BOOST_AUTO_TEST_CASE(pair_round_trip_both_ways) {
    Pair p("roundtrip");
    BOOST_TEST(p.a.fd() >= 0);
    p.a.write_all("hello from a");
    BOOST_TEST(p.b.read_exact(12) == "hello from a");
    p.b.write_all("and back from b");
    BOOST_TEST(p.a.read_exact(15) == "and back from b");
    uint8_t buf[8];
    uint32_t n = 99;
    BOOST_TEST(p.a.h->sync_fd->read_nonblocking(p.a.h, buf, sizeof buf, &n) ==
               ANYSERIAL_E_WOULD_BLOCK);
}

BOOST_AUTO_TEST_CASE(bytes_written_before_the_peer_opens_wait_for_it) {
    Port a("mock");
    a.open_ok("mock://early/a");
    a.write_all("queued");
    Port b("mock");
    b.open_ok("mock://early/b");
    BOOST_TEST(b.read_exact(6) == "queued");
}

BOOST_AUTO_TEST_CASE(second_open_of_one_end_is_busy) {
    Port a1("mock"), a2("mock"), b("mock");
    a1.open_ok("mock://busy/a");
    BOOST_TEST(a2.open("mock://busy/a") == ANYSERIAL_E_BUSY);
    BOOST_TEST(contains(a2.last_error(), "mock://busy/a is already open"));
    b.open_ok("mock://busy/b");
    // A spent end cannot come back while its peer stays open...
    a1.close();
    BOOST_TEST(a2.open("mock://busy/a") == ANYSERIAL_E_BUSY);
    BOOST_TEST(contains(a2.last_error(), "close that end too"));
    // ...but once both ends closed the pair is gone and a new one starts.
    b.close();
    a2.open_ok("mock://busy/a");
    a1.open_ok("mock://busy/b");
    a2.write_all("x");
    BOOST_TEST(a1.read_exact(1) == "x");
}

BOOST_AUTO_TEST_CASE(open_twice_on_one_instance_is_a_state_error) {
    Port a("mock");
    a.open_ok("mock://twice/a");
    BOOST_TEST(a.open("mock://twice/b") == ANYSERIAL_E_STATE);
}

BOOST_AUTO_TEST_CASE(bad_urls_name_the_accepted_form) {
    for (const char *url : {"mock://", "mock://x", "mock://x/", "mock://x/c", "mock:///a",
                            "mock-async://x/a", "/dev/ttyS0", "mock://x/a/b"}) {
        Port p("mock");
        BOOST_TEST_CONTEXT(url) {
            BOOST_TEST(p.open(url) == ANYSERIAL_E_NOT_FOUND);
            BOOST_TEST(contains(p.last_error(), "mock://NAME/a or mock://NAME/b"));
            BOOST_TEST(contains(p.last_error(), url));
        }
    }
}

BOOST_AUTO_TEST_CASE(invalid_and_unsupported_configs) {
    Port p("mock");
    anyserial_serial_config_t c = mocktest::default_config();
    c.byte_size = 9;
    BOOST_TEST(p.open("mock://cfg/a", &c) == ANYSERIAL_E_INVALID_ARGUMENT);
    BOOST_TEST(contains(p.last_error(), "byte_size"));

    c = mocktest::default_config();
    c.low_latency = true;
    anyserial_config_report_t report{};
    report.struct_size = sizeof report;
    BOOST_TEST(p.open("mock://cfg/a", &c, &report) == ANYSERIAL_E_UNSUPPORTED_CONFIG);
    BOOST_TEST(report.unsupported == ANYSERIAL_FEATURE_LOW_LATENCY);
    BOOST_TEST(contains(report.message, "low_latency"));

    c.unsupported_policy = ANYSERIAL_POLICY_WARN;
    c.parity = ANYSERIAL_PARITY_MARK;
    c.baudrate = 123457;  // custom rates are fine
    BOOST_REQUIRE_EQUAL(p.open("mock://cfg/a", &c, &report), ANYSERIAL_OK);
    BOOST_TEST(report.unsupported == ANYSERIAL_FEATURE_LOW_LATENCY);

    // configure under RAISE changes nothing on failure; read_chunk_size caps reads.
    c = mocktest::default_config();
    c.rs485_enabled = true;
    BOOST_TEST(p.h->control->configure(p.h, &c, nullptr) == ANYSERIAL_E_UNSUPPORTED_CONFIG);
    c = mocktest::default_config();
    c.read_chunk_size = 2;
    BOOST_REQUIRE_EQUAL(p.h->control->configure(p.h, &c, nullptr), ANYSERIAL_OK);
    Port b("mock");
    b.open_ok("mock://cfg/b");
    b.write_all("abcde");
    BOOST_REQUIRE(p.wait_readable());
    uint8_t buf[16];
    uint32_t n = 0;
    BOOST_REQUIRE_EQUAL(p.h->sync_fd->read_nonblocking(p.h, buf, sizeof buf, &n), ANYSERIAL_OK);
    BOOST_TEST(n == 2u);
}

BOOST_AUTO_TEST_CASE(peer_close_reads_as_eof) {
    Pair p("eof");
    p.b.write_all("last");
    p.b.close();
    BOOST_TEST(p.a.read_exact(4) == "last");
    BOOST_REQUIRE(p.a.wait_readable());
    uint8_t buf[8];
    uint32_t n = 99;
    BOOST_TEST(p.a.h->sync_fd->read_nonblocking(p.a.h, buf, sizeof buf, &n) == ANYSERIAL_OK);
    BOOST_TEST(n == 0u);
    // Writing into a closed peer reports the disconnect instead of raising SIGPIPE.
    const uint8_t x = 1;
    BOOST_TEST(p.a.h->sync_fd->write_nonblocking(p.a.h, &x, 1, &n) == ANYSERIAL_E_DISCONNECTED);
    BOOST_TEST(contains(p.a.last_error(), "write(mock://eof/a)"));
    BOOST_TEST(p.a.h->control->last_os_error(p.a.h) == EPIPE);
}

BOOST_AUTO_TEST_CASE(eagain_storm_then_data) {
    Pair p("storm");
    p.b.write_all("data");
    BOOST_REQUIRE(p.a.wait_readable());
    BOOST_REQUIRE_EQUAL(p.a.faults().eagain_storm(p.a.h, 3), ANYSERIAL_OK);
    uint8_t buf[8];
    uint32_t n = 0;
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(p.a.h->sync_fd->read_nonblocking(p.a.h, buf, sizeof buf, &n) ==
                   ANYSERIAL_E_WOULD_BLOCK);
    BOOST_REQUIRE_EQUAL(p.a.h->sync_fd->read_nonblocking(p.a.h, buf, sizeof buf, &n), ANYSERIAL_OK);
    BOOST_TEST(std::string(reinterpret_cast<char *>(buf), n) == "data");

    // Writes share the same budget.
    BOOST_REQUIRE_EQUAL(p.a.faults().eagain_storm(p.a.h, 1), ANYSERIAL_OK);
    BOOST_TEST(p.a.h->sync_fd->write_nonblocking(p.a.h, buf, 1, &n) == ANYSERIAL_E_WOULD_BLOCK);
    BOOST_TEST(p.a.h->sync_fd->write_nonblocking(p.a.h, buf, 1, &n) == ANYSERIAL_OK);
}

BOOST_AUTO_TEST_CASE(eintr_burst_then_data) {
    Pair p("eintr");
    p.b.write_all("zz");
    BOOST_REQUIRE(p.a.wait_readable());
    BOOST_REQUIRE_EQUAL(p.a.faults().eintr_burst(p.a.h, 2), ANYSERIAL_OK);
    uint8_t buf[8];
    uint32_t n = 0;
    BOOST_TEST(p.a.h->sync_fd->read_nonblocking(p.a.h, buf, sizeof buf, &n) ==
               ANYSERIAL_E_INTERRUPTED);
    BOOST_TEST(p.a.h->sync_fd->write_nonblocking(p.a.h, buf, 1, &n) == ANYSERIAL_E_INTERRUPTED);
    BOOST_TEST(p.a.h->sync_fd->read_nonblocking(p.a.h, buf, sizeof buf, &n) == ANYSERIAL_OK);
    BOOST_TEST(n == 2u);
}

BOOST_AUTO_TEST_CASE(short_writes_cap_each_call) {
    Pair p("short");
    BOOST_REQUIRE_EQUAL(p.a.faults().short_writes(p.a.h, 3), ANYSERIAL_OK);
    const std::string msg = "0123456789";
    uint32_t n = 0;
    BOOST_REQUIRE_EQUAL(p.a.h->sync_fd->write_nonblocking(
                            p.a.h, reinterpret_cast<const uint8_t *>(msg.data()), 10, &n),
                        ANYSERIAL_OK);
    BOOST_TEST(n == 3u);
    p.a.write_all(msg.substr(3));  // the rest, 3 bytes at a time
    BOOST_TEST(p.b.read_exact(10) == msg);
    BOOST_REQUIRE_EQUAL(p.a.faults().short_writes(p.a.h, 0), ANYSERIAL_OK);
    BOOST_REQUIRE_EQUAL(p.a.h->sync_fd->write_nonblocking(
                            p.a.h, reinterpret_cast<const uint8_t *>(msg.data()), 10, &n),
                        ANYSERIAL_OK);
    BOOST_TEST(n == 10u);
}

BOOST_AUTO_TEST_CASE(disconnect_wakes_a_parked_reader_and_fails_io) {
    Pair p("gone");
    // A reader parked on the fd, as the core's reactor would be.
    std::promise<short> woke;
    std::thread reader([&] {
        pollfd pfd{p.a.fd(), POLLIN, 0};
        const int r = ::poll(&pfd, 1, 10000);
        woke.set_value(r == 1 ? pfd.revents : 0);
    });
    BOOST_REQUIRE_EQUAL(p.a.faults().disconnect(p.a.h), ANYSERIAL_OK);
    auto fut = woke.get_future();
    const short revents = fut.get();
    reader.join();
    BOOST_TEST((revents & POLLIN) != 0);
    uint8_t buf[4];
    uint32_t n = 0;
    BOOST_TEST(p.a.h->sync_fd->read_nonblocking(p.a.h, buf, sizeof buf, &n) ==
               ANYSERIAL_E_DISCONNECTED);
    BOOST_TEST(contains(p.a.last_error(), "disconnected"));
    BOOST_TEST(p.a.h->sync_fd->write_nonblocking(p.a.h, buf, 1, &n) == ANYSERIAL_E_DISCONNECTED);
    // The other end sees the device vanish as EOF.
    BOOST_REQUIRE(p.b.wait_readable());
    BOOST_TEST(p.b.h->sync_fd->read_nonblocking(p.b.h, buf, sizeof buf, &n) == ANYSERIAL_OK);
    BOOST_TEST(n == 0u);
}

BOOST_AUTO_TEST_CASE(control_lines_are_crossed_like_a_null_modem) {
    Pair p("lines");
    const uint32_t all_in = ANYSERIAL_LINE_CTS | ANYSERIAL_LINE_DSR | ANYSERIAL_LINE_CD;
    const uint32_t all_out = ANYSERIAL_LINE_RTS | ANYSERIAL_LINE_DTR;
    BOOST_TEST(p.a.lines() == (all_in | all_out));  // open asserts RTS and DTR on both ends

    BOOST_REQUIRE_EQUAL(
        p.b.h->control->set_control_lines(p.b.h, ANYSERIAL_LINE_OFF, ANYSERIAL_LINE_UNCHANGED),
        ANYSERIAL_OK);
    BOOST_TEST(p.a.lines() == (ANYSERIAL_LINE_DSR | ANYSERIAL_LINE_CD | all_out));
    BOOST_TEST(p.b.lines() == (all_in | ANYSERIAL_LINE_DTR));

    BOOST_REQUIRE_EQUAL(
        p.b.h->control->set_control_lines(p.b.h, ANYSERIAL_LINE_ON, ANYSERIAL_LINE_OFF),
        ANYSERIAL_OK);
    BOOST_TEST(p.a.lines() == (ANYSERIAL_LINE_CTS | all_out));

    BOOST_REQUIRE_EQUAL(
        p.a.h->control->set_control_lines(p.a.h, ANYSERIAL_LINE_OFF, ANYSERIAL_LINE_OFF),
        ANYSERIAL_OK);
    BOOST_TEST(p.b.lines() == ANYSERIAL_LINE_RTS);

    p.b.close();  // closing drops the peer's lines
    BOOST_TEST(p.a.lines() == 0u);
}

BOOST_AUTO_TEST_CASE(break_state_and_counter) {
    Pair p("brk");
    const anyserial_mock_faults_ext_t &f = p.a.faults();
    int32_t on = -1;
    uint32_t count = 99;
    BOOST_REQUIRE_EQUAL(f.break_state(p.a.h, &on, &count), ANYSERIAL_OK);
    BOOST_TEST(on == 0);
    BOOST_TEST(count == 0u);
    BOOST_REQUIRE_EQUAL(p.a.h->control->set_break(p.a.h, true), ANYSERIAL_OK);
    BOOST_REQUIRE_EQUAL(p.a.h->control->set_break(p.a.h, true), ANYSERIAL_OK);  // still one
    BOOST_REQUIRE_EQUAL(f.break_state(p.a.h, &on, &count), ANYSERIAL_OK);
    BOOST_TEST(on == 1);
    BOOST_TEST(count == 1u);
    BOOST_REQUIRE_EQUAL(p.a.h->control->set_break(p.a.h, false), ANYSERIAL_OK);
    BOOST_REQUIRE_EQUAL(p.a.h->control->set_break(p.a.h, true), ANYSERIAL_OK);
    BOOST_REQUIRE_EQUAL(f.break_state(p.a.h, &on, &count), ANYSERIAL_OK);
    BOOST_TEST(count == 2u);
}

BOOST_AUTO_TEST_CASE(input_waiting_reset_input_and_output_side) {
    Pair p("queue");
    p.b.write_all("seven!!");
    BOOST_REQUIRE(p.a.wait_readable());
    uint32_t waiting = 0;
    BOOST_REQUIRE_EQUAL(p.a.h->control->input_waiting(p.a.h, &waiting), ANYSERIAL_OK);
    BOOST_TEST(waiting == 7u);
    BOOST_REQUIRE_EQUAL(p.a.h->control->reset_input(p.a.h), ANYSERIAL_OK);
    BOOST_REQUIRE_EQUAL(p.a.h->control->input_waiting(p.a.h, &waiting), ANYSERIAL_OK);
    BOOST_TEST(waiting == 0u);
    BOOST_REQUIRE_EQUAL(p.a.h->control->output_waiting(p.a.h, &waiting), ANYSERIAL_OK);
    BOOST_TEST(waiting == 0u);
    BOOST_TEST(p.a.h->control->reset_output(p.a.h) == ANYSERIAL_OK);
    BOOST_TEST(p.a.h->control->drain_blocking(p.a.h) == ANYSERIAL_OK);
}

BOOST_AUTO_TEST_CASE(added_latency_keeps_byte_order_and_drains) {
    Pair p("slow");
    BOOST_REQUIRE_EQUAL(p.a.faults().added_latency(p.a.h, 2'000'000), ANYSERIAL_OK);
    p.a.write_all("abc");
    BOOST_REQUIRE_EQUAL(p.a.faults().added_latency(p.a.h, 0), ANYSERIAL_OK);
    p.a.write_all("def");  // queued behind "abc", never overtakes it
    BOOST_REQUIRE_EQUAL(p.a.h->control->drain_blocking(p.a.h), ANYSERIAL_OK);
    uint32_t held = 99;
    BOOST_REQUIRE_EQUAL(p.a.h->control->output_waiting(p.a.h, &held), ANYSERIAL_OK);
    BOOST_TEST(held == 0u);
    BOOST_TEST(p.b.read_exact(6) == "abcdef");
    p.a.write_all("g");  // latency off and queue empty: direct again
    BOOST_TEST(p.b.read_exact(1) == "g");
}

BOOST_AUTO_TEST_CASE(closed_instance_refuses_io) {
    Port p("mock");
    uint8_t buf[2];
    uint32_t n = 0;
    BOOST_TEST(p.fd() == -1);
    BOOST_TEST(p.h->sync_fd->read_nonblocking(p.h, buf, 2, &n) == ANYSERIAL_E_CLOSED);
    BOOST_TEST(p.h->control->reset_input(p.h) == ANYSERIAL_E_CLOSED);
    p.close();  // idempotent
    p.close();
}

BOOST_AUTO_TEST_SUITE_END()

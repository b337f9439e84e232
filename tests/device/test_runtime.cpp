// The device session against a static fixture protocol that says what the test tells it:
// a bad frame is classified by its bad_frame_reason code alone (a STRUCTURE reason whose
// text says "CRC checksum" is still errc::frame), and what a plugin hands back at run time
// against the ABI (flag bits beyond its declaration, a reading without a channel id) fails
// the operation with a ProtocolError carrying the PluginError's text that names the plugin.
//
// Wire format of "lie-proto": the request is "?\r"; the peer answers one line whose first
// letter decides the event: R = response (a frame with one reading), C = bad frame
// CHECKSUM, S = bad frame STRUCTURE (text "CRC checksum LRC"), F = response whose reading
// carries undeclared flag bits, N = response whose reading has no channel id.
#include <anyserial/sdk/entry.h>

#include <anyserial/errors.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

#include "fixture.hpp"

using namespace test;

namespace {

struct Lie {
    anyserial_protocol_session_t base{};
    std::string line;
    char verdict = 0;
    bool sent = false;
    anyserial_reading_t reading{};
    const anyserial_reading_t *readings[1] = {&reading};
    anyserial_frame_t frame{};
};

Lie *self_of(anyserial_protocol_session_t *s) {
    return static_cast<Lie *>(s->impl);
}

const anyserial_flag_info_t kHold = {sizeof(anyserial_flag_info_t), ANYSERIAL_SEVERITY_INFO, "HLD",
                                     "hold", nullptr};
const anyserial_flag_info_t *const kFlags[] = {&kHold};
const anyserial_serial_config_t kSerial = {
    sizeof(anyserial_serial_config_t), 19200, 8, 0, 0, 0, true, false, false, false, 0, {}, 0, {}};
const anyserial_protocol_descriptor_t kDesc = {sizeof(anyserial_protocol_descriptor_t),
                                               ANYSERIAL_TRAFFIC_REQUEST_RESPONSE,
                                               "lie-proto",
                                               "Lie",
                                               "tests",
                                               "1",
                                               "",
                                               "lie",
                                               "ascii",
                                               ANYSERIAL_PCAP_READ_FRAME,
                                               ANYSERIAL_PROBE_NONE,
                                               0,
                                               0,
                                               0,
                                               nullptr,
                                               &kSerial,
                                               1,
                                               0,
                                               kFlags,
                                               nullptr};

std::int32_t begin(anyserial_protocol_session_t *s, const anyserial_protocol_request_t *) {
    self_of(s)->sent = false;
    self_of(s)->verdict = 0;
    self_of(s)->line.clear();
    return ANYSERIAL_OK;
}
std::int32_t next(anyserial_protocol_session_t *s, anyserial_transaction_t *tx) {
    Lie *l = self_of(s);
    if (l->sent) return ANYSERIAL_DONE;
    l->sent = true;
    static const std::uint8_t req[] = {'?', '\r'};
    tx->len = 2;
    tx->data = req;
    tx->response_timeout_ns = 5'000'000'000;  // a bound, never reached: the peer answers
    tx->expects_response = true;
    tx->retries = 0;
    return ANYSERIAL_OK;
}
std::int32_t feed(anyserial_protocol_session_t *s, const std::uint8_t *d, std::uint32_t len,
                  std::uint32_t *consumed, anyserial_protocol_event_t *ev) {
    Lie *l = self_of(s);
    std::uint32_t i = 0;
    while (i < len && d[i] != '\r')
        l->line.push_back(static_cast<char>(d[i++]));
    *consumed = i < len ? i + 1 : i;
    if (i == len) return ANYSERIAL_OK;  // NEED_MORE
    const char v = l->line.empty() ? '?' : l->line[0];
    l->verdict = v;
    if (v == 'C' || v == 'S') {
        ev->type = ANYSERIAL_EVENT_BAD_FRAME;
        ev->bad_frame_reason =
            v == 'C' ? ANYSERIAL_BAD_FRAME_CHECKSUM : ANYSERIAL_BAD_FRAME_STRUCTURE;
        ev->reason = v == 'C' ? "sum 12 != 34" : "CRC checksum LRC: the text lies";
        return ANYSERIAL_OK;
    }
    ev->type = ANYSERIAL_EVENT_RESPONSE;
    return ANYSERIAL_OK;
}
void reset(anyserial_protocol_session_t *s) {
    self_of(s)->line.clear();
}
std::int32_t result(anyserial_protocol_session_t *s, anyserial_protocol_result_t *r) {
    Lie *l = self_of(s);
    l->reading = {};
    l->reading.struct_size = sizeof l->reading;
    l->reading.channel = l->verdict == 'N' ? nullptr : "level";
    l->reading.value_type = ANYSERIAL_VALUE_NUMBER;
    l->reading.number = 1.5;
    l->reading.flags = l->verdict == 'F' ? 0b100 : 0b1;
    l->frame = {};
    l->frame.struct_size = sizeof l->frame;
    l->frame.reading_count = 1;
    l->frame.readings = l->readings;
    r->frame = &l->frame;
    return ANYSERIAL_OK;
}
std::uint32_t channel_count(const anyserial_protocol_session_t *) {
    return 0;
}
std::int32_t get_channel(const anyserial_protocol_session_t *, std::uint32_t,
                         anyserial_channel_info_t *) {
    return ANYSERIAL_E_NOT_FOUND;
}
std::uint32_t last_error(const anyserial_protocol_session_t *, char *buf, std::uint32_t cap) {
    if (cap > 0) buf[0] = '\0';
    return 0;
}
void destroy(anyserial_protocol_session_t *s) {
    delete self_of(s);
}
const anyserial_protocol_session_vtable_t kVtable = {sizeof(anyserial_protocol_session_vtable_t),
                                                     begin,
                                                     next,
                                                     feed,
                                                     reset,
                                                     result,
                                                     channel_count,
                                                     get_channel,
                                                     last_error,
                                                     destroy};

std::uint32_t count(const anyserial_protocol_factory_t *) {
    return 1;
}
const anyserial_protocol_descriptor_t *get(const anyserial_protocol_factory_t *, std::uint32_t i) {
    return i == 0 ? &kDesc : nullptr;
}
// The options the core handed to the last session it created.
anyserial_protocol_options_t g_created_with{};
std::int32_t create(const anyserial_protocol_factory_t *, const char *,
                    const anyserial_protocol_options_t *o, anyserial_protocol_session_t **out) {
    g_created_with = *o;
    auto *l = new Lie;
    l->base = {sizeof(anyserial_protocol_session_t), l, &kDesc, &kVtable};
    *out = &l->base;
    return ANYSERIAL_OK;
}
const anyserial_protocol_factory_t kFactory = {sizeof(anyserial_protocol_factory_t), count, get,
                                               create, nullptr};
std::int32_t init(const anyserial_host_t *) {
    return ANYSERIAL_OK;
}
void deinit() {}
const void *get_factory(const char *id) {
    return std::strcmp(id, ANYSERIAL_PROTOCOL_FACTORY_ID) == 0 ? &kFactory : nullptr;
}
const anyserial_plugin_entry_t kEntry = {ANYSERIAL_SDK_VERSION_MAJOR,
                                         ANYSERIAL_SDK_VERSION_MINOR,
                                         ANYSERIAL_SDK_VERSION_PATCH,
                                         init,
                                         deinit,
                                         get_factory};

// One poll answered by the peer with `line`.
Op<dev::Frame> poll_answered(asio::io_context &io, const std::string &pair, const std::string &line,
                             dev::Device &out) {
    plugins().add_static(kEntry, "lie");
    auto peer = open_port(io, pair + "/b");
    dev::DeviceOptions o;
    o.protocol = "lie-proto";
    o.identify = false;
    auto r = open_device(io, pair + "/a", o);
    if (r.ec) BOOST_FAIL("open: " << error_of(r.anz).what());
    Op<dev::Frame> op;
    r.anz.async_poll(false, op.handler());
    run_until(io, [&] { return peer.input_waiting() >= 2u; });  // the request is there
    bool written = false;
    asio::async_write(peer, asio::buffer(line), [&](ec_t, std::size_t) { written = true; });
    run_until(io, [&] { return op.done && written; });
    out = std::move(r.anz);
    return op;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(runtime_abi)

BOOST_AUTO_TEST_CASE(bad_frame_reason_checksum_is_errc_checksum) {
    asio::io_context io;
    dev::Device d;
    auto op = poll_answered(io, "mock://rt-c", "C\r", d);
    BOOST_TEST((op.ec == dev::errc::checksum));
    BOOST_CHECK_THROW(d.throw_last_error(), dev::ChecksumError);
}

BOOST_AUTO_TEST_CASE(bad_frame_reason_structure_is_errc_frame_whatever_the_text) {
    asio::io_context io;
    dev::Device d;
    auto op = poll_answered(io, "mock://rt-s", "S\r", d);
    BOOST_TEST((op.ec == dev::errc::frame));
    BOOST_CHECK_THROW(d.throw_last_error(), dev::FrameError);
    BOOST_TEST(error_of(d).message().find("CRC checksum") != std::string::npos);
}

// protocol.h: idle_gap_ns 0 means "the plugin's default" (50 ms for the 4100). An explicit
// DeviceOptions::idle_gap of 0 asks for no gap: it must not reach the plugin as that default.
BOOST_AUTO_TEST_CASE(an_explicit_idle_gap_of_zero_is_not_the_plugin_default) {
    plugins().add_static(kEntry, "lie");
    asio::io_context io;
    auto peer = open_port(io, "mock://rt-gap/b");
    dev::DeviceOptions o;
    o.protocol = "lie-proto";
    o.identify = false;
    o.idle_gap = std::chrono::nanoseconds(0);
    auto r = open_device(io, "mock://rt-gap/a", o);
    BOOST_TEST_REQUIRE(!r.ec);
    BOOST_TEST(g_created_with.idle_gap_ns != 0u);  // not the default's sentinel
    BOOST_TEST(g_created_with.idle_gap_ns <= 1u);  // and no real gap
    o.idle_gap.reset();                            // nullopt: the plugin's default
    auto peer2 = open_port(io, "mock://rt-gap2/b");
    auto d = open_device(io, "mock://rt-gap2/a", o);
    BOOST_TEST_REQUIRE(!d.ec);
    BOOST_TEST(g_created_with.idle_gap_ns == 0u);
}

BOOST_AUTO_TEST_CASE(a_good_response_reads) {
    asio::io_context io;
    dev::Device d;
    auto op = poll_answered(io, "mock://rt-r", "R\r", d);
    BOOST_TEST_REQUIRE(!op.ec, op.ec.message());
    BOOST_TEST(op.value.channel("level")->value.value_or(0) == 1.5);
    BOOST_TEST(op.value.channel("level")->flags.ids() == "HLD");
    // The table is made from the frame when the plugin reports none.
    BOOST_REQUIRE_EQUAL(d.channels().size(), 1u);
    BOOST_TEST(d.channels()[0].channel == "level");
}

BOOST_AUTO_TEST_CASE(undeclared_flag_bits_are_a_plugin_error) {
    asio::io_context io;
    dev::Device d;
    auto op = poll_answered(io, "mock://rt-f", "F\r", d);
    BOOST_TEST(op.ec.failed());
    BOOST_TEST((op.ec == dev::errc::protocol));
    BOOST_CHECK_EXCEPTION(d.throw_last_error(), dev::ProtocolError,
                          [](const dev::ProtocolError &e) {
                              const std::string w = e.what();
                              return w.find("lie-proto") != std::string::npos &&
                                     w.find("beyond the 1 declared flags") != std::string::npos;
                          });
}

BOOST_AUTO_TEST_CASE(a_reading_without_a_channel_id_is_a_plugin_error) {
    asio::io_context io;
    dev::Device d;
    auto op = poll_answered(io, "mock://rt-n", "N\r", d);
    BOOST_TEST(op.ec.failed());
    BOOST_TEST((op.ec == dev::errc::protocol));
    BOOST_CHECK_EXCEPTION(
        d.throw_last_error(), dev::ProtocolError, [](const dev::ProtocolError &e) {
            return std::string(e.what()).find("NULL or empty channel id") != std::string::npos;
        });
}

BOOST_AUTO_TEST_SUITE_END()

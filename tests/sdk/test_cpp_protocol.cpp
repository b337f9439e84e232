// The protocol and simulator helpers seen from the C side: a tiny line protocol ("PING\n"
// answered by "PONG\n") and its simulator, driven only through the C tables.
#include <anyserial/sdk/cpp/protocol.hpp>
#include <boost/test/unit_test.hpp>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

namespace sdk = anyserial::sdk;

namespace {

class PingSim final : public sdk::Simulator {
  public:
    explicit PingSim(const anyserial_protocol_options_t &opts) : address_(opts.address) {
        if (opts.address == 99) throw sdk::Error(ANYSERIAL_E_INVALID_ARGUMENT, "bad address");
    }
    void feed(uint64_t, std::span<const uint8_t> data) override {
        for (uint8_t b : data)
            if (b == '\n') {
                ++requests_;
                pending_ += "PONG\n";
            }
    }
    uint32_t poll_output(uint64_t, std::span<uint8_t> buf, uint64_t &next_ns) override {
        const std::size_t n = std::min(buf.size(), pending_.size());
        std::memcpy(buf.data(), pending_.data(), n);
        pending_.erase(0, n);
        if (n > 0) ++replies_;
        next_ns = UINT64_MAX;
        return static_cast<uint32_t>(n);
    }
    void counters(uint64_t &requests, uint64_t &replies, uint64_t &frames) override {
        requests = requests_;
        replies = replies_;
        frames = address_;
    }

  private:
    uint32_t address_;
    std::string pending_;
    uint64_t requests_ = 0, replies_ = 0;
};

class PingProtocol final : public sdk::ProtocolSession {
  public:
    using simulator_type = PingSim;

    static const anyserial_protocol_descriptor_t &describe() noexcept {
        static const anyserial_protocol_descriptor_t d = [] {
            anyserial_protocol_descriptor_t x = sdk::init_struct<anyserial_protocol_descriptor_t>();
            x.id = "ping";
            x.name = "Ping";
            x.vendor = "anyserial";
            x.version = "0.1.0";
            x.description = "helper test protocol";
            x.device_family = "test";
            x.mode = "ping";
            x.traffic = ANYSERIAL_TRAFFIC_REQUEST_RESPONSE;
            x.capabilities = ANYSERIAL_PCAP_IDENTIFY;
            x.probe_kind = ANYSERIAL_PROBE_ACTIVE;
            x.default_serial = sdk::init_struct<anyserial_serial_config_t>();
            x.default_serial.baudrate = 19200;
            x.default_serial.byte_size = 8;
            return x;
        }();
        return d;
    }

    explicit PingProtocol(const anyserial_protocol_options_t &opts) : opts_(opts) {}

    void begin(const anyserial_protocol_request_t &req) override {
        if (req.op == ANYSERIAL_OP_START_CALIBRATION)
            throw sdk::Error(ANYSERIAL_E_NOT_SUPPORTED, "ping cannot calibrate");
        if (req.op == ANYSERIAL_OP_READ_CAL_STATUS) throw std::bad_alloc();
        op_ = req.op;
        sent_ = false;
        done_ = false;
    }
    anyserial_status_t next_transaction(anyserial_transaction_t &tx) override {
        if (done_) return ANYSERIAL_DONE;
        if (sent_) throw sdk::Error(ANYSERIAL_E_STATE, "next_transaction before the response");
        sent_ = true;
        tx.data = reinterpret_cast<const uint8_t *>(request_);
        tx.len = 5;
        tx.expects_response = true;
        tx.expected_response_len = 5;
        tx.response_timeout_ns = opts_.response_timeout_ns;
        tx.retries = opts_.retries;
        return ANYSERIAL_OK;
    }
    uint32_t feed(std::span<const uint8_t> data, anyserial_protocol_event_t &ev) override {
        uint32_t used = 0;
        for (uint8_t b : data) {
            ++used;
            if (b == '!') throw std::runtime_error("line noise");
            rx_.push_back(static_cast<char>(b));
            if (b == '\n') {
                ev.type = rx_ == "PONG\n" ? ANYSERIAL_EVENT_RESPONSE : ANYSERIAL_EVENT_BAD_FRAME;
                ev.reason = rx_ == "PONG\n" ? nullptr : "not a PONG";
                rx_.clear();
                done_ = ev.type == ANYSERIAL_EVENT_RESPONSE;
                break;
            }
        }
        return used;
    }
    void reset_receive() override { rx_.clear(); }
    void result(anyserial_protocol_result_t &out) override {
        if (!done_) throw sdk::Error(ANYSERIAL_E_STATE, "no result yet");
        out.op = op_;
        out.model = "PING-1";
    }

    anyserial_protocol_options_t opts_;

  private:
    const char request_[6] = "PING\n";
    std::string rx_;
    uint32_t op_ = 0;
    bool sent_ = false, done_ = false;
};

using Factory = sdk::ProtocolFactory<PingProtocol>;

struct Session {
    anyserial_protocol_session_t *s = nullptr;
    explicit Session(const anyserial_protocol_options_t *opts = nullptr) {
        BOOST_REQUIRE_EQUAL(Factory::get()->create_session("ping", opts, &s), ANYSERIAL_OK);
    }
    ~Session() { s->vtable->destroy(s); }
    std::string last_error() const {
        char buf[256];
        s->vtable->last_error(s, buf, sizeof buf);
        return buf;
    }
    PingProtocol &impl() const {
        return *static_cast<PingProtocol *>(sdk::ProtocolSession::from(s));
    }
};

anyserial_protocol_request_t request(uint32_t op) {
    anyserial_protocol_request_t r = sdk::init_struct<anyserial_protocol_request_t>();
    r.op = op;
    return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(protocol_helpers)

BOOST_AUTO_TEST_CASE(factory_lists_and_creates_with_default_options) {
    const anyserial_protocol_factory_t *f = Factory::get();
    BOOST_TEST(f->struct_size == sizeof(anyserial_protocol_factory_t));
    BOOST_TEST(f->count() == 1u);
    BOOST_TEST(std::string(f->get_descriptor(0)->id) == "ping");
    BOOST_TEST(f->get_descriptor(1) == nullptr);
    anyserial_protocol_session_t *s = nullptr;
    BOOST_TEST(f->create_session("pong", nullptr, &s) == ANYSERIAL_E_NOT_FOUND);
    BOOST_TEST(s == nullptr);

    Session sess;
    BOOST_TEST(sess.s->struct_size == sizeof(anyserial_protocol_session_t));
    BOOST_TEST(sess.s->descriptor == &PingProtocol::describe());
    BOOST_TEST(sess.impl().opts_.retries == UINT32_MAX);
    BOOST_TEST(sess.impl().opts_.baudrate == 19200u);

    anyserial_protocol_options_t opts = sdk::init_struct<anyserial_protocol_options_t>();
    opts.address = 7;
    opts.retries = 2;
    opts.baudrate = 9600;
    Session explicit_opts(&opts);
    BOOST_TEST(explicit_opts.impl().opts_.address == 7u);
    BOOST_TEST(explicit_opts.impl().opts_.retries == 2u);
    BOOST_TEST(explicit_opts.impl().opts_.baudrate == 9600u);
}

BOOST_AUTO_TEST_CASE(a_transaction_runs_through_the_c_table) {
    Session sess;
    const anyserial_protocol_session_vtable_t *v = sess.s->vtable;
    const anyserial_protocol_request_t req = request(ANYSERIAL_OP_PROBE);
    BOOST_REQUIRE_EQUAL(v->begin(sess.s, &req), ANYSERIAL_OK);
    anyserial_transaction_t tx{};
    tx.struct_size = sizeof tx;
    BOOST_REQUIRE_EQUAL(v->next_transaction(sess.s, &tx), ANYSERIAL_OK);
    BOOST_TEST(std::string(reinterpret_cast<const char *>(tx.data), tx.len) == "PING\n");
    BOOST_TEST(tx.expects_response);
    BOOST_TEST(tx.struct_size == sizeof tx);

    const std::string reply = "PONG\nextra";
    const auto *bytes = reinterpret_cast<const uint8_t *>(reply.data());
    uint32_t consumed = 0;
    anyserial_protocol_event_t ev{};
    ev.struct_size = sizeof ev;
    BOOST_REQUIRE_EQUAL(v->feed(sess.s, bytes, 3, &consumed, &ev), ANYSERIAL_OK);
    BOOST_TEST(consumed == 3u);
    BOOST_TEST(ev.type == ANYSERIAL_EVENT_NEED_MORE);
    BOOST_REQUIRE_EQUAL(v->feed(sess.s, bytes + 3, 7, &consumed, &ev), ANYSERIAL_OK);
    BOOST_TEST(consumed == 2u);  // stops at the first event
    BOOST_TEST(ev.type == ANYSERIAL_EVENT_RESPONSE);

    BOOST_REQUIRE_EQUAL(v->next_transaction(sess.s, &tx), ANYSERIAL_DONE);
    anyserial_protocol_result_t r{};
    r.struct_size = sizeof r;
    BOOST_REQUIRE_EQUAL(v->result(sess.s, &r), ANYSERIAL_OK);
    BOOST_TEST(r.op == ANYSERIAL_OP_PROBE);
    BOOST_TEST(std::string(r.model) == "PING-1");
}

BOOST_AUTO_TEST_CASE(exceptions_become_statuses_with_text) {
    Session sess;
    const anyserial_protocol_session_vtable_t *v = sess.s->vtable;
    const anyserial_protocol_request_t cal = request(ANYSERIAL_OP_START_CALIBRATION);
    BOOST_TEST(v->begin(sess.s, &cal) == ANYSERIAL_E_NOT_SUPPORTED);
    BOOST_TEST(sess.last_error() == "ping cannot calibrate");
    const anyserial_protocol_request_t oom = request(ANYSERIAL_OP_READ_CAL_STATUS);
    BOOST_TEST(v->begin(sess.s, &oom) == ANYSERIAL_E_NO_MEMORY);

    const anyserial_protocol_request_t probe = request(ANYSERIAL_OP_PROBE);
    BOOST_REQUIRE_EQUAL(v->begin(sess.s, &probe), ANYSERIAL_OK);
    anyserial_transaction_t tx{};
    BOOST_REQUIRE_EQUAL(v->next_transaction(sess.s, &tx), ANYSERIAL_OK);
    BOOST_TEST(v->next_transaction(sess.s, &tx) == ANYSERIAL_E_STATE);
    BOOST_TEST(sess.last_error() == "next_transaction before the response");

    const uint8_t noise[] = {'P', '!', 'X'};
    uint32_t consumed = 99;
    anyserial_protocol_event_t ev{};
    BOOST_TEST(v->feed(sess.s, noise, sizeof noise, &consumed, &ev) == ANYSERIAL_E_INTERNAL);
    BOOST_TEST(consumed == 0u);
    BOOST_TEST(sess.last_error() == "line noise");

    anyserial_protocol_result_t r{};
    BOOST_TEST(v->result(sess.s, &r) == ANYSERIAL_E_STATE);
    BOOST_TEST(v->feed(sess.s, noise, 1, nullptr, &ev) == ANYSERIAL_E_INVALID_ARGUMENT);
    BOOST_TEST(v->begin(sess.s, nullptr) == ANYSERIAL_E_INVALID_ARGUMENT);
}

BOOST_AUTO_TEST_CASE(simulator_extension_is_served_and_works) {
    const auto *ext = static_cast<const anyserial_simulator_ext_t *>(
        Factory::get()->get_extension("ping", ANYSERIAL_EXT_SIMULATOR_ID));
    BOOST_REQUIRE(ext != nullptr);
    BOOST_TEST(Factory::get()->get_extension("ping", "other/1") == nullptr);
    BOOST_TEST(Factory::get()->get_extension("pong", ANYSERIAL_EXT_SIMULATOR_ID) == nullptr);

    anyserial_protocol_options_t opts = sdk::init_struct<anyserial_protocol_options_t>();
    opts.address = 99;
    anyserial_simulator_t *sim = nullptr;
    BOOST_TEST(ext->create(&opts, &sim) == ANYSERIAL_E_INVALID_ARGUMENT);
    BOOST_TEST(sim == nullptr);

    opts.address = 5;
    BOOST_REQUIRE_EQUAL(ext->create(&opts, &sim), ANYSERIAL_OK);
    const anyserial_simulator_vtable_t *v = sim->vtable;
    const uint8_t ping[] = {'P', 'I', 'N', 'G', '\n'};
    BOOST_REQUIRE_EQUAL(v->feed(sim, 0, ping, sizeof ping), ANYSERIAL_OK);
    uint8_t out[3];
    uint32_t n = 0;
    uint64_t next = 0;
    BOOST_REQUIRE_EQUAL(v->poll_output(sim, 1, out, sizeof out, &n, &next), ANYSERIAL_OK);
    BOOST_TEST(n == 3u);  // == cap: call again
    BOOST_REQUIRE_EQUAL(v->poll_output(sim, 1, out, sizeof out, &n, &next), ANYSERIAL_OK);
    BOOST_TEST(n == 2u);
    BOOST_TEST(next == UINT64_MAX);
    uint64_t requests = 0, replies = 0, frames = 0;
    BOOST_REQUIRE_EQUAL(v->counters(sim, &requests, &replies, &frames), ANYSERIAL_OK);
    BOOST_TEST(requests == 1u);
    BOOST_TEST(replies == 2u);
    BOOST_TEST(frames == 5u);

    BOOST_TEST(v->set_label(sim, "I1", "Oxygen", "%") == ANYSERIAL_E_NOT_SUPPORTED);
    char buf[128];
    v->last_error(sim, buf, sizeof buf);
    BOOST_TEST(std::string(buf) == "set_label is not supported by this simulator");
    BOOST_TEST(v->set_reading(sim, nullptr, true, 1.0, 0) == ANYSERIAL_E_INVALID_ARGUMENT);
    v->destroy(sim);
}

BOOST_AUTO_TEST_SUITE_END()

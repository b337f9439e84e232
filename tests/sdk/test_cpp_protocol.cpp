// The protocol and simulator helpers seen from the C side: a tiny line protocol ("PING\n"
// answered by "PONG\n") and its simulator, driven only through the C tables; and the
// declaration tables, argument checks, address syntax and frame builders on their own.
#include <anyserial/sdk/cpp/protocol.hpp>
#include <boost/test/unit_test.hpp>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "alloc_counter.hpp"

namespace sdk = anyserial::sdk;

namespace {

// The declarations, as a plugin writes them.
constexpr sdk::Table kFlags{
    sdk::flag(ANYSERIAL_SEVERITY_FAULT, "lost", "Link lost"),
    sdk::flag(ANYSERIAL_SEVERITY_WARNING, "slow", "Slow answer", "over 100 ms"),
    sdk::flag(ANYSERIAL_SEVERITY_INFO, "idle", "Idle"),
};
static_assert(kFlags.bit("slow") == 2 && kFlags.bit("idle") == 4 && kFlags.bit("nope") == 0);
static_assert(kFlags.has("lost") && !kFlags.has("nope") && kFlags.index_of("idle") == 2);
constexpr sdk::Table kModes{"echo", "mute"};
constexpr sdk::Table kCountArgs{sdk::arg_integer("count", "pings to send", 1, 10),
                                sdk::arg_number("delay", "between pings", 0.0, 2.5, "s", true)};
constexpr sdk::Table kModeArgs{sdk::arg_choice("mode", "answer mode", kModes),
                               sdk::arg_text("note", "free text", 4, true)};
constexpr sdk::Table kCommands{
    sdk::command(ANYSERIAL_SAFETY_READ_ONLY, "ping.many", "Ping several times", kCountArgs),
    sdk::command(ANYSERIAL_SAFETY_STATE_CHANGING, "mode.set", "Set the answer mode", kModeArgs),
    sdk::command(ANYSERIAL_SAFETY_DESTRUCTIVE, "reset", "Reset the device"),
};
constexpr anyserial_address_syntax_t kAddress = sdk::address_integer(1, 99, "1", "ping id 1..99");
constexpr anyserial_address_syntax_t kLetter = sdk::address_letter('A', 'Z', "A", "unit A..Z");

class PingSim final : public sdk::SimulatorSession {
  public:
    explicit PingSim(const anyserial_protocol_options_t &opts)
        : address_(sdk::parse_address(kAddress, opts.address)) {}
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
    void set_reading(std::string_view channel, const anyserial_arg_value_t &value,
                     uint64_t flags) override {
        if (channel != "rtt")
            throw sdk::Error(ANYSERIAL_E_NOT_FOUND, "no channel " + std::string(channel));
        rtt_ = value;
        rtt_flags_ = flags;
    }
    void set_device_flags(uint64_t flags) override { device_flags_ = flags; }
    void get_field(std::string_view id, anyserial_field_t &out) override {
        if (id == "rtt") return sdk::set_number(out, rtt_.number, "ms");
        if (id == "flags")
            return sdk::set_integer(out, static_cast<double>(device_flags_ | rtt_flags_));
        if (id == "name") return sdk::set_text(out, keep_text("ping-" + std::to_string(address_)));
        sdk::SimulatorSession::get_field(id, out);
    }

  private:
    uint32_t address_;
    anyserial_arg_value_t rtt_{};
    uint64_t rtt_flags_ = 0, device_flags_ = 0;
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
            static const anyserial_serial_config_t serial = [] {
                auto c = sdk::init_struct<anyserial_serial_config_t>();
                c.baudrate = 19200;
                c.byte_size = 8;
                return c;
            }();
            x.default_serial = &serial;
            x.address = &kAddress;
            sdk::declare(x, kFlags, kCommands);
            return x;
        }();
        return d;
    }

    explicit PingProtocol(const anyserial_protocol_options_t &opts)
        : opts_(opts), address_(sdk::parse_address(kAddress, opts.address)) {}

    void begin(const anyserial_protocol_request_t &req) override {
        if (req.op == ANYSERIAL_OP_COMMAND) {
            sdk::check_args(sdk::find_command(describe(), req), req);
            if (sdk::is_command(req, "reset"))
                throw sdk::Error(ANYSERIAL_E_NOT_SUPPORTED, "ping cannot reset");
            if (sdk::is_command(req, "mode.set")) throw std::bad_alloc();
            count_ = static_cast<uint32_t>(sdk::arg(req, 0).number);
        }
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
        result_.clear();
        result_.fields().add_text(ANYSERIAL_FIELD_MODEL, "PING-1");
        if (op_ == ANYSERIAL_OP_COMMAND) result_.fields().add_integer("count", count_);
        if (op_ == ANYSERIAL_OP_READ_FRAME) {
            sdk::FrameBuilder &f = result_.frame();
            anyserial_reading_t &r = f.add_reading("rtt");
            r.value_type = ANYSERIAL_VALUE_NUMBER;
            r.number = 1.5;
            r.flags = kFlags.bit("slow");
            f.header().device_flags = kFlags.bit("idle");
        }
        result_.fill(out, op_);
        channels().clear();
        channels().add("rtt", "Round trip", "timing", "ms");
        channels().add("peer", nullptr, "id", "", ANYSERIAL_VALUE_TEXT);
    }

    anyserial_protocol_options_t opts_;
    uint32_t address_;

  private:
    const char request_[6] = "PING\n";
    std::string rx_;
    uint32_t op_ = 0, count_ = 0;
    bool sent_ = false, done_ = false;
    sdk::ResultBuilder result_;
};

using Factory = sdk::ProtocolFactory<PingProtocol>;

struct Session {
    anyserial_protocol_session_t *s = nullptr;
    explicit Session(const anyserial_protocol_options_t *opts = nullptr) {
        BOOST_REQUIRE_EQUAL(Factory::get()->create_session(Factory::get(), "ping", opts, &s),
                            ANYSERIAL_OK);
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
    BOOST_TEST(f->count(f) == 1u);
    BOOST_TEST(std::string(f->get_descriptor(f, 0)->id) == "ping");
    BOOST_TEST(f->get_descriptor(f, 1) == nullptr);
    anyserial_protocol_session_t *s = nullptr;
    BOOST_TEST(f->create_session(f, "pong", nullptr, &s) == ANYSERIAL_E_NOT_FOUND);
    BOOST_TEST(s == nullptr);

    Session sess;
    BOOST_TEST(sess.s->struct_size == sizeof(anyserial_protocol_session_t));
    BOOST_TEST(sess.s->descriptor == &PingProtocol::describe());
    BOOST_TEST(sess.impl().opts_.retries == UINT32_MAX);
    BOOST_TEST(sess.impl().opts_.baudrate == 19200u);
    BOOST_TEST(sess.impl().opts_.address == nullptr);
    BOOST_TEST(sess.impl().address_ == 1u);  // the declared default

    anyserial_protocol_options_t opts = sdk::init_struct<anyserial_protocol_options_t>();
    opts.address = "07";
    opts.retries = 2;
    opts.baudrate = 9600;
    Session explicit_opts(&opts);
    BOOST_TEST(explicit_opts.impl().address_ == 7u);
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
    BOOST_TEST(r.frame == nullptr);
    BOOST_REQUIRE(r.field_count == 1u);
    BOOST_TEST(std::string(r.fields[0]->id) == "model");
    BOOST_TEST(std::string(r.fields[0]->text) == "PING-1");
    BOOST_TEST(r.fields[0]->value_type == ANYSERIAL_VALUE_TEXT);

    // the channel table through the C table
    BOOST_REQUIRE(v->channel_count(sess.s) == 2u);
    anyserial_channel_info_t c{};
    c.struct_size = sizeof c;
    BOOST_REQUIRE_EQUAL(v->get_channel(sess.s, 0, &c), ANYSERIAL_OK);
    BOOST_TEST(std::string(c.id) == "rtt");
    BOOST_TEST(std::string(c.name) == "Round trip");
    BOOST_TEST(std::string(c.kind) == "timing");
    BOOST_TEST(std::string(c.unit) == "ms");
    BOOST_TEST(c.value_type == ANYSERIAL_VALUE_NUMBER);
    BOOST_REQUIRE_EQUAL(v->get_channel(sess.s, 1, &c), ANYSERIAL_OK);
    BOOST_TEST(c.name == nullptr);
    BOOST_TEST(c.value_type == ANYSERIAL_VALUE_TEXT);
    BOOST_TEST(v->get_channel(sess.s, 2, &c) == ANYSERIAL_E_NOT_FOUND);
    BOOST_TEST(v->get_channel(sess.s, 0, nullptr) == ANYSERIAL_E_INVALID_ARGUMENT);
}

BOOST_AUTO_TEST_CASE(exceptions_become_statuses_with_text) {
    Session sess;
    const anyserial_protocol_session_vtable_t *v = sess.s->vtable;
    anyserial_protocol_request_t reset = request(ANYSERIAL_OP_COMMAND);
    reset.command = "reset";
    BOOST_TEST(v->begin(sess.s, &reset) == ANYSERIAL_E_NOT_SUPPORTED);
    BOOST_TEST(sess.last_error() == "ping cannot reset");
    anyserial_protocol_request_t oom = request(ANYSERIAL_OP_COMMAND);
    const anyserial_arg_value_t mode = sdk::text_value("echo");
    const anyserial_arg_value_t *mode_args[] = {&mode};
    oom.command = "mode.set";
    oom.arg_count = 1;
    oom.args = mode_args;
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
        Factory::get()->get_extension(Factory::get(), "ping", ANYSERIAL_EXT_SIMULATOR_ID));
    BOOST_REQUIRE(ext != nullptr);
    BOOST_TEST(Factory::get()->get_extension(Factory::get(), "ping", "other/1") == nullptr);
    BOOST_TEST(Factory::get()->get_extension(Factory::get(), "pong", ANYSERIAL_EXT_SIMULATOR_ID) ==
               nullptr);

    anyserial_protocol_options_t opts = sdk::init_struct<anyserial_protocol_options_t>();
    opts.address = "100";
    anyserial_simulator_t *sim = nullptr;
    BOOST_TEST(ext->create(ext, &opts, &sim) == ANYSERIAL_E_INVALID_ARGUMENT);
    BOOST_TEST(sim == nullptr);

    opts.address = "5";
    BOOST_REQUIRE_EQUAL(ext->create(ext, &opts, &sim), ANYSERIAL_OK);
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
    const anyserial_arg_value_t rtt = sdk::number_value(2.5);
    BOOST_TEST(v->set_reading(sim, nullptr, &rtt, 0) == ANYSERIAL_E_INVALID_ARGUMENT);
    BOOST_TEST(v->set_reading(sim, "rtt", nullptr, 0) == ANYSERIAL_E_INVALID_ARGUMENT);
    BOOST_TEST(v->set_reading(sim, "jitter", &rtt, 0) == ANYSERIAL_E_NOT_FOUND);
    BOOST_REQUIRE_EQUAL(v->set_reading(sim, "rtt", &rtt, kFlags.bit("slow")), ANYSERIAL_OK);
    BOOST_REQUIRE_EQUAL(v->set_device_flags(sim, kFlags.bit("lost")), ANYSERIAL_OK);
    anyserial_field_t f{};
    f.struct_size = sizeof f;
    BOOST_REQUIRE_EQUAL(v->get_field(sim, "rtt", &f), ANYSERIAL_OK);
    BOOST_TEST(std::string(f.id) == "rtt");
    BOOST_TEST(f.value_type == ANYSERIAL_VALUE_NUMBER);
    BOOST_TEST(f.number == 2.5);
    BOOST_TEST(std::string(f.unit) == "ms");
    BOOST_REQUIRE_EQUAL(v->get_field(sim, "flags", &f), ANYSERIAL_OK);
    BOOST_TEST(f.number == 3.0);
    BOOST_REQUIRE_EQUAL(v->get_field(sim, "name", &f), ANYSERIAL_OK);
    BOOST_TEST(std::string(f.text) == "ping-5");
    BOOST_TEST(v->get_field(sim, "nope", &f) == ANYSERIAL_E_NOT_FOUND);
    v->last_error(sim, buf, sizeof buf);
    BOOST_TEST(std::string(buf) == "this simulator has no field 'nope'");
    BOOST_TEST(v->set_interval(sim, 1) == ANYSERIAL_E_NOT_SUPPORTED);
    v->destroy(sim);
}

BOOST_AUTO_TEST_CASE(declarations_are_tables_of_pointers) {
    const anyserial_protocol_descriptor_t &d = PingProtocol::describe();
    BOOST_REQUIRE(d.flag_count == 3u);
    BOOST_TEST(std::string(d.flags[1]->id) == "slow");
    BOOST_TEST(d.flags[1]->severity == ANYSERIAL_SEVERITY_WARNING);
    BOOST_TEST(std::string(d.flags[1]->description) == "over 100 ms");
    BOOST_TEST(d.flags[0]->description == nullptr);
    BOOST_TEST(d.flags[2]->struct_size == sizeof(anyserial_flag_info_t));
    BOOST_REQUIRE(d.command_count == 3u);
    const anyserial_command_info_t &many = *d.commands[0];
    BOOST_TEST(std::string(many.id) == "ping.many");
    BOOST_TEST(many.safety == ANYSERIAL_SAFETY_READ_ONLY);
    BOOST_REQUIRE(many.arg_count == 2u);
    BOOST_TEST(many.args[0]->value_type == ANYSERIAL_VALUE_INTEGER);
    BOOST_TEST(many.args[0]->has_range);
    BOOST_TEST(many.args[0]->min == 1.0);
    BOOST_TEST(many.args[0]->max == 10.0);
    BOOST_TEST(!many.args[0]->optional);
    BOOST_TEST(many.args[1]->value_type == ANYSERIAL_VALUE_NUMBER);
    BOOST_TEST(std::string(many.args[1]->unit) == "s");
    BOOST_TEST(many.args[1]->optional);
    const anyserial_command_info_t &set = *d.commands[1];
    BOOST_TEST(set.safety == ANYSERIAL_SAFETY_STATE_CHANGING);
    BOOST_REQUIRE(set.args[0]->choice_count == 2u);
    BOOST_TEST(std::string(set.args[0]->choices[1]) == "mute");
    BOOST_TEST(set.args[1]->max_length == 4u);
    const anyserial_command_info_t &reset = *d.commands[2];
    BOOST_TEST(reset.safety == ANYSERIAL_SAFETY_DESTRUCTIVE);
    BOOST_TEST(reset.arg_count == 0u);
    BOOST_TEST(reset.args == nullptr);
    BOOST_REQUIRE(d.address != nullptr);
    BOOST_TEST(d.address->kind == ANYSERIAL_ADDRESS_INTEGER);
    BOOST_TEST(d.address->max == 99u);
    BOOST_TEST(std::string(d.address->default_address) == "1");
}

BOOST_AUTO_TEST_CASE(arguments_are_checked_against_the_declaration) {
    const anyserial_command_info_t &many = *PingProtocol::describe().commands[0];
    const anyserial_command_info_t &set = *PingProtocol::describe().commands[1];
    auto problem = [](const anyserial_command_info_t &cmd,
                      std::vector<anyserial_arg_value_t> values) -> std::string {
        std::vector<const anyserial_arg_value_t *> ptrs;
        for (const auto &v : values)
            ptrs.push_back(&v);
        anyserial_protocol_request_t req = sdk::init_struct<anyserial_protocol_request_t>();
        req.op = ANYSERIAL_OP_COMMAND;
        req.command = cmd.id;
        req.arg_count = static_cast<uint32_t>(ptrs.size());
        req.args = ptrs.data();
        try {
            sdk::check_args(cmd, req);
            return "";
        } catch (const sdk::Error &e) {
            BOOST_TEST(e.status() == ANYSERIAL_E_INVALID_ARGUMENT);
            return e.what();
        }
    };
    BOOST_TEST(problem(many, {sdk::integer_value(3)}) == "");
    BOOST_TEST(problem(many, {sdk::integer_value(3), sdk::number_value(2.5)}) == "");
    BOOST_TEST(problem(many, {sdk::number_value(10)}) == "");  // a whole NUMBER is fine
    BOOST_TEST(problem(many, {sdk::integer_value(11)}) ==
               "ping.many: argument 'count' 11 is outside 1..10");
    BOOST_TEST(problem(many, {sdk::integer_value(0)}) ==
               "ping.many: argument 'count' 0 is outside 1..10");
    BOOST_TEST(problem(many, {sdk::number_value(2.5)}) ==
               "ping.many: argument 'count' must be a whole number");
    BOOST_TEST(problem(many, {sdk::text_value("3")}) ==
               "ping.many: argument 'count' must be a number");
    BOOST_TEST(problem(many, {}) == "ping.many: argument 'count' is missing");
    BOOST_TEST(problem(many, {sdk::integer_value(3), sdk::number_value(2.6)}) ==
               "ping.many: argument 'delay' 2.6 is outside 0..2.5");
    BOOST_TEST(problem(many, {sdk::integer_value(1), sdk::absent_value()}) == "");
    BOOST_TEST(problem(many, {sdk::integer_value(1), sdk::absent_value(), sdk::integer_value(1)}) ==
               "ping.many: 3 arguments given, 2 declared");
    BOOST_TEST(problem(set, {sdk::text_value("mute")}) == "");
    BOOST_TEST(problem(set, {sdk::text_value("loud")}) ==
               "mode.set: argument 'mode' 'loud' is not one of the declared choices");
    BOOST_TEST(problem(set, {sdk::text_value("echo"), sdk::text_value("abcde")}) ==
               "mode.set: argument 'note' is too long");

    anyserial_protocol_request_t unknown = sdk::init_struct<anyserial_protocol_request_t>();
    unknown.op = ANYSERIAL_OP_COMMAND;
    unknown.command = "explode";
    BOOST_CHECK_THROW(sdk::find_command(PingProtocol::describe(), unknown), sdk::Error);
    BOOST_TEST(!sdk::is_command(unknown, "reset"));
    BOOST_TEST(sdk::is_command(unknown, "explode"));
    BOOST_TEST(sdk::arg(unknown, 0).value_type == ANYSERIAL_VALUE_ABSENT);
}

BOOST_AUTO_TEST_CASE(addresses_follow_their_syntax) {
    BOOST_TEST(sdk::parse_address(kAddress, nullptr) == 1u);
    BOOST_TEST(sdk::parse_address(kAddress, "") == 1u);
    BOOST_TEST(sdk::parse_address(kAddress, "99") == 99u);
    BOOST_TEST(sdk::parse_address(kAddress, "007") == 7u);
    for (const char *bad : {"0", "100", "-1", "1a", " 1", "9999999999"})
        BOOST_CHECK_THROW(sdk::parse_address(kAddress, bad), sdk::Error);
    try {
        sdk::parse_address(kAddress, "100");
    } catch (const sdk::Error &e) {
        BOOST_TEST(e.status() == ANYSERIAL_E_INVALID_ARGUMENT);
        BOOST_TEST(std::string(e.what()) == "address '100' is not valid: ping id 1..99");
    }
    BOOST_TEST(sdk::parse_address(kLetter, nullptr) == uint32_t{'A'});
    BOOST_TEST(sdk::parse_address(kLetter, "b") == uint32_t{'B'});
    BOOST_TEST(sdk::parse_address(kLetter, "Z") == uint32_t{'Z'});
    for (const char *bad : {"AB", "1", "@", "["})
        BOOST_CHECK_THROW(sdk::parse_address(kLetter, bad), sdk::Error);
    const anyserial_address_syntax_t none = sdk::init_struct<anyserial_address_syntax_t>();
    BOOST_TEST(sdk::parse_address(none, "anything") == 0u);
}

BOOST_AUTO_TEST_CASE(frame_builder_reuses_its_storage) {
    sdk::FrameBuilder b;
    auto build = [&](int n) {
        b.clear();
        for (int i = 0; i < n; ++i) {
            anyserial_reading_t &r = b.add_reading(i % 2 ? "I1" : "mass_flow");
            r.value_type = ANYSERIAL_VALUE_NUMBER;
            r.number = i;
            r.name = b.text("a display name longer than SSO");
            r.unit = b.text("SCCM");
        }
        b.fields().add_integer("cal_group_count", 4);
        b.fields().add_text("clock", "06-10-20 02:54:12 and more");
        b.header().device_flags = 5;
        return &b.frame();
    };
    const anyserial_frame_t *f = build(10);
    BOOST_REQUIRE(f->reading_count == 10u);
    BOOST_TEST(std::string(f->readings[3]->channel) == "I1");
    BOOST_TEST(f->readings[9]->number == 9.0);
    BOOST_TEST(std::string(f->readings[9]->name) == "a display name longer than SSO");
    BOOST_TEST(f->readings[0]->struct_size == sizeof(anyserial_reading_t));
    BOOST_REQUIRE(f->field_count == 2u);
    BOOST_TEST(std::string(f->fields[1]->text) == "06-10-20 02:54:12 and more");
    BOOST_TEST(f->device_flags == 5u);
    // Steady state: the same (or a smaller) frame again allocates nothing.
    build(10);
    const std::size_t before = anyserial_test_allocations();
    for (int round = 0; round < 50; ++round)
        f = build(round % 10 + 1);
    BOOST_TEST(anyserial_test_allocations() == before);
    BOOST_TEST(f->reading_count == 10u);

    sdk::ResultBuilder r;
    anyserial_protocol_result_t out = sdk::init_struct<anyserial_protocol_result_t>();
    r.fields().add_integer("group", 2);
    r.fill(out, ANYSERIAL_OP_COMMAND);
    BOOST_TEST(out.frame == nullptr);
    BOOST_TEST(out.field_count == 1u);
    r.clear();
    r.frame().header().device_flags = 1;  // a frame with flags only (READ_STATUS)
    r.fill(out, ANYSERIAL_OP_READ_STATUS);
    BOOST_REQUIRE(out.frame != nullptr);
    BOOST_TEST(out.frame->reading_count == 0u);
    BOOST_TEST(out.frame->readings == nullptr);
    BOOST_TEST(out.field_count == 0u);
    BOOST_TEST(out.fields == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()

// Test helpers: load a protocol plugin with dlopen (independent of the core's PluginHost),
// and drive one operation of a session against a simulator through the C ABI, as the
// core's transaction loop would (sans timers: "no bytes" stands for a timeout).
#pragma once

#include <anyserial/sdk/entry.h>
#include <anyserial/sdk/ext/simulator.h>
#include <anyserial/sdk/protocol.h>
#include <dlfcn.h>

#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "frame_view.hpp"

namespace test {

// run_op's names for the declared calibration commands (OP_COMMAND with a group argument).
inline constexpr uint32_t kOpStartCalibration = 0x100;
inline constexpr uint32_t kOpStopCalibration = 0x101;
inline constexpr uint32_t kOpReadCalStatus = 0x102;

inline const anyserial_host_t &test_host() {
    static const anyserial_host_t host = {sizeof(anyserial_host_t),
                                          1,
                                          0,
                                          0,
                                          "test",
                                          "0",
                                          nullptr,
                                          nullptr,
                                          nullptr,
                                          nullptr,
                                          nullptr};
    return host;
}

struct Plugin {
    void *handle = nullptr;
    const anyserial_plugin_entry_t *entry = nullptr;
    const anyserial_protocol_factory_t *factory = nullptr;

    explicit Plugin(const std::string &name) {
        const std::string path = std::string(ANYSERIAL_PLUGIN_DIR) + "/" + name + ".so";
        handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        BOOST_REQUIRE_MESSAGE(handle != nullptr, "dlopen " << path << ": " << ::dlerror());
        entry =
            static_cast<const anyserial_plugin_entry_t *>(::dlsym(handle, ANYSERIAL_ENTRY_SYMBOL));
        BOOST_REQUIRE(entry != nullptr);
        BOOST_REQUIRE(entry->abi_major == 1u);
        BOOST_REQUIRE(entry->init(&test_host()) == ANYSERIAL_OK);
        factory = static_cast<const anyserial_protocol_factory_t *>(
            entry->get_factory(ANYSERIAL_PROTOCOL_FACTORY_ID));
        BOOST_REQUIRE(factory != nullptr);
    }
    ~Plugin() {
        if (entry != nullptr) entry->deinit();
        if (handle != nullptr) ::dlclose(handle);
    }
    Plugin(const Plugin &) = delete;
    Plugin &operator=(const Plugin &) = delete;

    const anyserial_protocol_descriptor_t &descriptor() const {
        BOOST_REQUIRE(factory->count(factory) == 1u);
        return *factory->get_descriptor(factory, 0);
    }
    anyserial_protocol_session_t *session(const anyserial_protocol_options_t *o) const {
        anyserial_protocol_session_t *s = nullptr;
        BOOST_REQUIRE(factory->create_session(factory, descriptor().id, o, &s) == ANYSERIAL_OK);
        return s;
    }
    anyserial_simulator_t *simulator(const anyserial_protocol_options_t *o) const {
        const auto *ext = static_cast<const anyserial_simulator_ext_t *>(
            factory->get_extension(factory, descriptor().id, ANYSERIAL_EXT_SIMULATOR_ID));
        BOOST_REQUIRE(ext != nullptr);
        anyserial_simulator_t *sim = nullptr;
        BOOST_REQUIRE(ext->create(ext, o, &sim) == ANYSERIAL_OK);
        return sim;
    }
};

inline std::string session_error(anyserial_protocol_session_t *s) {
    char buf[512];
    s->vtable->last_error(s, buf, sizeof buf);
    return buf;
}

inline std::string sim_error(anyserial_simulator_t *s) {
    char buf[512];
    s->vtable->last_error(s, buf, sizeof buf);
    return buf;
}

// Everything the device says right now.
inline std::vector<uint8_t> drain(anyserial_simulator_t *sim, uint64_t now) {
    std::vector<uint8_t> out;
    uint8_t buf[97];  // odd size: exercises the "call again while n == cap" rule
    for (;;) {
        uint32_t n = 0;
        uint64_t next = 0;
        BOOST_REQUIRE(sim->vtable->poll_output(sim, now, buf, sizeof buf, &n, &next) ==
                      ANYSERIAL_OK);
        out.insert(out.end(), buf, buf + n);
        if (n < sizeof buf) return out;
    }
}

struct EventRecord {
    uint32_t type;
    std::string reason;
    uint32_t function_code, exception_code;
    uint32_t bad_frame_reason;
};

// The request of an operation: generic ops as is; the calibration commands (kOp*) as
// OP_COMMAND with `group` as its INTEGER argument (none for stop). Owns its argument.
struct Request {
    anyserial_arg_value_t arg{};
    const anyserial_arg_value_t *args[1] = {&arg};
    anyserial_protocol_request_t req{};
    Request(uint32_t op, uint32_t group) {
        arg = {sizeof arg, ANYSERIAL_VALUE_INTEGER, static_cast<double>(group), nullptr};
        req.struct_size = sizeof req;
        req.op = op;
        const char *command = op == kOpStartCalibration  ? "calibration.start"
                              : op == kOpStopCalibration ? "calibration.stop"
                              : op == kOpReadCalStatus   ? "calibration.status"
                                                         : nullptr;
        if (command != nullptr) {
            req.op = ANYSERIAL_OP_COMMAND;
            req.command = command;
            req.arg_count = op == kOpStopCalibration ? 0 : 1;
            req.args = args;
        }
    }
    Request(const Request &) = delete;
};

struct OpOutcome {
    int32_t begin_status = 0;
    int32_t final_status = 0;  // DONE, or the failing status of next_transaction
    std::vector<EventRecord> events;
    uint32_t transactions = 0;     // requests sent, retries included
    uint32_t silent_attempts = 0;  // attempts that got no byte back (the core's timeout)
    anyserial_protocol_result_t result{};
};

// Run one operation. piece = bytes per feed() call (1 exercises incremental decoding).
inline OpOutcome run_op(anyserial_protocol_session_t *s, anyserial_simulator_t *sim, uint32_t op,
                        uint32_t group = 0, std::size_t piece = 1u << 20) {
    OpOutcome out;
    static uint64_t now = 1'000'000'000;
    const Request request(op, group);
    out.begin_status = s->vtable->begin(s, &request.req);
    if (out.begin_status != ANYSERIAL_OK) return out;
    for (;;) {
        anyserial_transaction_t tx{};
        tx.struct_size = sizeof tx;
        const int32_t st = s->vtable->next_transaction(s, &tx);
        if (st != ANYSERIAL_OK) {
            out.final_status = st;
            break;
        }
        bool answered = false;
        for (uint32_t attempt = 0; attempt <= tx.retries && !answered; ++attempt) {
            ++out.transactions;
            now += tx.idle_before_ns + 10'000'000;
            BOOST_REQUIRE(sim->vtable->feed(sim, now, tx.data, tx.len) == ANYSERIAL_OK);
            const std::vector<uint8_t> reply = drain(sim, now);
            if (reply.empty()) ++out.silent_attempts;
            bool retry = false;
            for (std::size_t off = 0; off < reply.size() && !answered && !retry;) {
                const std::size_t len = std::min(piece, reply.size() - off);
                uint32_t used = 0;
                anyserial_protocol_event_t ev{};
                ev.struct_size = sizeof ev;
                BOOST_REQUIRE(s->vtable->feed(s, reply.data() + off, static_cast<uint32_t>(len),
                                              &used, &ev) == ANYSERIAL_OK);
                off += used;
                if (ev.type == ANYSERIAL_EVENT_NEED_MORE) {
                    BOOST_REQUIRE(used == len);
                    continue;
                }
                out.events.push_back({ev.type, ev.reason != nullptr ? ev.reason : "",
                                      ev.function_code, ev.exception_code, ev.bad_frame_reason});
                if (ev.type == ANYSERIAL_EVENT_RESPONSE) answered = true;
                if (ev.type == ANYSERIAL_EVENT_EXCEPTION) {
                    answered = true;  // the operation fails at next_transaction
                }
                if (ev.type == ANYSERIAL_EVENT_BAD_FRAME) retry = true;
            }
            if (!answered) s->vtable->reset_receive(s);
        }
        if (!answered) {
            out.final_status = ANYSERIAL_E_TIMEOUT;
            return out;
        }
    }
    if (out.final_status == ANYSERIAL_DONE) {
        out.result.struct_size = sizeof out.result;
        BOOST_REQUIRE(s->vtable->result(s, &out.result) == ANYSERIAL_OK);
    }
    return out;
}

inline const anyserial_reading_t *find_reading(const anyserial_frame_t *f, const char *id) {
    for (uint32_t i = 0; f != nullptr && i < f->reading_count; ++i)
        if (std::string(f->readings[i]->channel) == id) return f->readings[i];
    return nullptr;
}

// The Servomex naming contract: flags in order with severities; the Modbus modes'
// three calibration commands with their typed `group` argument; continuous none.
inline void check_declarations(const anyserial_protocol_descriptor_t &d) {
    const char *ids[] = {"fault",  "maintenance", "calibrating", "warming_up", "alarm1",
                         "alarm2", "alarm3",      "alarm4",      "invalid",    "inherited"};
    const uint32_t sev[] = {ANYSERIAL_SEVERITY_FAULT,   ANYSERIAL_SEVERITY_INFO,
                            ANYSERIAL_SEVERITY_INFO,    ANYSERIAL_SEVERITY_INFO,
                            ANYSERIAL_SEVERITY_WARNING, ANYSERIAL_SEVERITY_WARNING,
                            ANYSERIAL_SEVERITY_WARNING, ANYSERIAL_SEVERITY_WARNING,
                            ANYSERIAL_SEVERITY_FAULT,   ANYSERIAL_SEVERITY_INFO};
    BOOST_REQUIRE(d.flag_count == 10u);
    for (uint32_t i = 0; i < d.flag_count; ++i) {
        BOOST_TEST(std::string(d.flags[i]->id) == ids[i]);
        BOOST_TEST(d.flags[i]->severity == sev[i]);
        BOOST_TEST(d.flags[i]->name != nullptr);
    }
    if (std::string(d.mode) == "continuous") {
        BOOST_TEST(d.command_count == 0u);
        BOOST_TEST(d.address == nullptr);
        return;
    }
    BOOST_REQUIRE(d.command_count == 3u);
    struct Want {
        const char *id;
        uint32_t safety, args;
    };
    const Want want[] = {{"calibration.start", ANYSERIAL_SAFETY_STATE_CHANGING, 1},
                         {"calibration.stop", ANYSERIAL_SAFETY_STATE_CHANGING, 0},
                         {"calibration.status", ANYSERIAL_SAFETY_READ_ONLY, 1}};
    for (uint32_t i = 0; i < 3; ++i) {
        const anyserial_command_info_t &c = *d.commands[i];
        BOOST_TEST(c.struct_size == sizeof c);
        BOOST_TEST(std::string(c.id) == want[i].id);
        BOOST_TEST(c.safety == want[i].safety);
        BOOST_REQUIRE(c.arg_count == want[i].args);
        if (c.arg_count == 0) continue;
        const anyserial_arg_info_t &a = *c.args[0];
        BOOST_TEST(std::string(a.id) == "group");
        BOOST_TEST(a.value_type == ANYSERIAL_VALUE_INTEGER);
        BOOST_TEST(a.has_range);
        BOOST_TEST(a.min == 1.0);
        BOOST_TEST(a.max == 4.0);
        BOOST_TEST(!a.optional);
        BOOST_TEST(a.choice_count == 0u);
    }
}

// The session's channel table as "id:kind:unit:name" strings.
inline std::vector<std::string> channel_table(anyserial_protocol_session_t *s) {
    std::vector<std::string> out;
    const uint32_t n = s->vtable->channel_count(s);
    for (uint32_t i = 0; i < n; ++i) {
        anyserial_channel_info_t c{};
        c.struct_size = sizeof c;
        BOOST_REQUIRE(s->vtable->get_channel(s, i, &c) == ANYSERIAL_OK);
        out.push_back(std::string(c.id) + ":" + c.kind + ":" + c.unit + ":" +
                      (c.name != nullptr ? c.name : "(none)"));
    }
    return out;
}

// A simulator field's number, -1 when it fails.
inline double sim_field(anyserial_simulator_t *sim, const std::string &id) {
    anyserial_field_t f{};
    f.struct_size = sizeof f;
    if (sim->vtable->get_field(sim, id.c_str(), &f) != ANYSERIAL_OK) return -1.0;
    return f.number;
}

// set_reading with a number (has_value false: ABSENT).
inline int32_t set_reading(anyserial_simulator_t *sim, const char *channel, bool has_value,
                           double value, uint64_t flags) {
    const anyserial_arg_value_t v{
        sizeof v, has_value ? ANYSERIAL_VALUE_NUMBER : ANYSERIAL_VALUE_ABSENT, value, nullptr};
    return sim->vtable->set_reading(sim, channel, &v, flags);
}

}  // namespace test

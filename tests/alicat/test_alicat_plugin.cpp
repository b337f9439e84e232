// The built anyserial-alicat module through the C ABI (dlopen): descriptors as the naming
// contract says, and a session driven against the plugin's own simulator extension.
#define BOOST_TEST_MODULE alicat_plugin
#include <anyserial/sdk/entry.h>
#include <anyserial/sdk/ext/simulator.h>
#include <anyserial/sdk/protocol.h>
#include <dlfcn.h>

#include <boost/test/unit_test.hpp>
#include <map>
#include <string>
#include <vector>

namespace {

struct Module {
    void *lib = nullptr;
    const anyserial_protocol_factory_t *factory = nullptr;
    anyserial_host_t host{};
    Module() {
        const std::string path = std::string(ANYSERIAL_PLUGIN_DIR) + "/anyserial-alicat.so";
        lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        BOOST_TEST_REQUIRE(lib != nullptr, dlerror());
        const auto *entry =
            static_cast<const anyserial_plugin_entry_t *>(dlsym(lib, ANYSERIAL_ENTRY_SYMBOL));
        BOOST_TEST_REQUIRE(entry != nullptr);
        host.struct_size = sizeof host;
        BOOST_TEST_REQUIRE(entry->init(&host) == ANYSERIAL_OK);
        BOOST_TEST(entry->get_factory("anyserial.protocol/1") == nullptr);
        factory = static_cast<const anyserial_protocol_factory_t *>(
            entry->get_factory(ANYSERIAL_PROTOCOL_FACTORY_ID));
        BOOST_TEST_REQUIRE(factory != nullptr);
    }
};

const anyserial_protocol_descriptor_t *descriptor(const Module &m, const std::string &id) {
    for (uint32_t i = 0; i < m.factory->count(m.factory); ++i) {
        const auto *d = m.factory->get_descriptor(m.factory, i);
        if (d != nullptr && id == d->id) return d;
    }
    return nullptr;
}

// Run one request through the vtables against the simulator; returns the result's fields.
std::map<std::string, double> run(anyserial_protocol_session_t *s, anyserial_simulator_t *sim,
                                  const anyserial_protocol_request_t &req, int32_t &status) {
    std::map<std::string, double> out;
    const auto &v = *s->vtable;
    status = v.begin(s, &req);
    if (status != ANYSERIAL_OK) return out;
    uint64_t now = 0;
    for (;;) {
        anyserial_transaction_t tx{};
        tx.struct_size = sizeof tx;
        status = v.next_transaction(s, &tx);
        if (status == ANYSERIAL_DONE) break;
        if (status != ANYSERIAL_OK) return out;
        sim->vtable->feed(sim, now, tx.data, tx.len);
        if (!tx.expects_response) continue;
        std::string bytes;
        uint8_t buf[512];
        uint32_t n = 0;
        uint64_t next = 0;
        do {
            sim->vtable->poll_output(sim, now, buf, sizeof buf, &n, &next);
            bytes.append(reinterpret_cast<const char *>(buf), n);
        } while (n == sizeof buf);
        bool done = false;
        std::size_t off = 0;
        while (!done && off < bytes.size()) {
            anyserial_protocol_event_t ev{};
            ev.struct_size = sizeof ev;
            uint32_t used = 0;
            v.feed(s, reinterpret_cast<const uint8_t *>(bytes.data()) + off,
                   static_cast<uint32_t>(bytes.size() - off), &used, &ev);
            off += used;
            if (ev.type == ANYSERIAL_EVENT_RESPONSE) done = true;
            BOOST_TEST_REQUIRE(
                (ev.type == ANYSERIAL_EVENT_NEED_MORE || ev.type == ANYSERIAL_EVENT_RESPONSE));
        }
        if (!done && tx.end_on_silence_ns != 0) {
            anyserial_protocol_event_t ev{};
            ev.struct_size = sizeof ev;
            uint32_t used = 0;
            v.feed(s, nullptr, 0, &used, &ev);
            done = ev.type == ANYSERIAL_EVENT_RESPONSE;
        }
        BOOST_TEST_REQUIRE(done);
        now += 10'000'000;
    }
    anyserial_protocol_result_t r{};
    r.struct_size = sizeof r;
    status = v.result(s, &r);
    for (uint32_t i = 0; i < r.field_count; ++i)
        out[r.fields[i]->id] = r.fields[i]->number;
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(descriptors_follow_the_naming_contract) {
    Module m;
    BOOST_TEST(m.factory->count(m.factory) == 2u);
    const auto *a = descriptor(m, "alicat");
    const auto *st = descriptor(m, "alicat-stream");
    BOOST_TEST_REQUIRE(a != nullptr);
    BOOST_TEST_REQUIRE(st != nullptr);
    BOOST_TEST(std::string(a->device_family) == "alicat");
    BOOST_TEST(std::string(a->mode) == "ascii");
    BOOST_TEST(a->traffic == ANYSERIAL_TRAFFIC_REQUEST_RESPONSE);
    BOOST_TEST(std::string(st->mode) == "stream");
    BOOST_TEST(st->traffic == ANYSERIAL_TRAFFIC_BROADCAST);
    // a broadcaster's reads come from the core's cached frames: begin() accepts no
    // operation, so no PCAP bit is declared (protocol.h)
    BOOST_TEST(st->capabilities == 0u);
    BOOST_TEST_REQUIRE(a->address != nullptr);
    BOOST_TEST(a->address->kind == ANYSERIAL_ADDRESS_LETTER);
    BOOST_TEST(a->address->min == uint32_t{'A'});
    BOOST_TEST(a->address->max == uint32_t{'Z'});
    BOOST_TEST(std::string(a->address->default_address) == "A");
    BOOST_TEST(a->flag_count == 15u);
    BOOST_TEST(std::string(a->flags[2]->id) == "HLD");
    std::map<std::string, uint32_t> safety;
    for (uint32_t i = 0; i < a->command_count; ++i)
        safety[a->commands[i]->id] = a->commands[i]->safety;
    BOOST_TEST(safety.size() == 11u);
    BOOST_TEST(safety.at("setpoint.get") == ANYSERIAL_SAFETY_READ_ONLY);
    BOOST_TEST(safety.at("setpoint.set") == ANYSERIAL_SAFETY_STATE_CHANGING);
    BOOST_TEST(safety.at("valve.close") == ANYSERIAL_SAFETY_DESTRUCTIVE);
    BOOST_TEST(safety.at("streaming.start") == ANYSERIAL_SAFETY_DESTRUCTIVE);
    BOOST_TEST(safety.at("streaming.stop") == ANYSERIAL_SAFETY_STATE_CHANGING);
}

BOOST_AUTO_TEST_CASE(session_and_simulator_through_the_abi) {
    Module m;
    anyserial_protocol_options_t o{};
    o.struct_size = sizeof o;
    o.address = "B";
    o.retries = UINT32_MAX;
    const auto *ext = static_cast<const anyserial_simulator_ext_t *>(
        m.factory->get_extension(m.factory, "alicat", ANYSERIAL_EXT_SIMULATOR_ID));
    BOOST_TEST_REQUIRE(ext != nullptr);
    anyserial_simulator_t *sim = nullptr;
    BOOST_TEST_REQUIRE(ext->create(ext, &o, &sim) == ANYSERIAL_OK);
    anyserial_protocol_session_t *s = nullptr;
    BOOST_TEST_REQUIRE(m.factory->create_session(m.factory, "alicat", &o, &s) == ANYSERIAL_OK);
    anyserial_protocol_options_t bad = o;
    bad.address = "AB";
    anyserial_protocol_session_t *none = nullptr;
    BOOST_TEST(m.factory->create_session(m.factory, "alicat", &bad, &none) ==
               ANYSERIAL_E_INVALID_ARGUMENT);
    // no operation finished yet: nothing to give
    anyserial_protocol_result_t early{};
    early.struct_size = sizeof early;
    BOOST_TEST(s->vtable->result(s, &early) == ANYSERIAL_E_STATE);

    anyserial_protocol_request_t req{};
    req.struct_size = sizeof req;
    req.op = ANYSERIAL_OP_IDENTIFY;
    int32_t st = 0;
    (void)run(s, sim, req, st);
    BOOST_TEST_REQUIRE(st == ANYSERIAL_OK);
    BOOST_TEST(s->vtable->channel_count(s) == 6u);
    anyserial_channel_info_t c{};
    c.struct_size = sizeof c;
    BOOST_TEST(s->vtable->get_channel(s, 3, &c) == ANYSERIAL_OK);
    BOOST_TEST(std::string(c.id) == "mass_flow");
    BOOST_TEST(std::string(c.unit) == "SCCM");

    anyserial_arg_value_t v{};
    v.struct_size = sizeof v;
    v.value_type = ANYSERIAL_VALUE_NUMBER;
    v.number = 20;
    const anyserial_arg_value_t *args[] = {&v};
    req.op = ANYSERIAL_OP_COMMAND;
    req.command = "setpoint.set";
    req.arg_count = 1;
    req.args = args;
    const auto fields = run(s, sim, req, st);
    BOOST_TEST_REQUIRE(st == ANYSERIAL_OK);
    BOOST_TEST(fields.at("setpoint") == 20.0);
    anyserial_field_t f{};
    f.struct_size = sizeof f;
    BOOST_TEST(sim->vtable->get_field(sim, "setpoint", &f) == ANYSERIAL_OK);
    BOOST_TEST(f.number == 20.0);
    BOOST_TEST(sim->vtable->get_field(sim, "streaming", &f) == ANYSERIAL_OK);
    BOOST_TEST(f.number == 0.0);
    BOOST_TEST(sim->vtable->get_field(sim, "nope", &f) == ANYSERIAL_E_NOT_FOUND);

    req.command = "no.such";
    req.arg_count = 0;
    BOOST_TEST(s->vtable->begin(s, &req) == ANYSERIAL_E_NOT_SUPPORTED);
    char text[256];
    s->vtable->last_error(s, text, sizeof text);
    BOOST_TEST(std::string(text).find("no.such") != std::string::npos);
    s->vtable->destroy(s);
    sim->vtable->destroy(sim);
}

BOOST_AUTO_TEST_CASE(stream_simulator_streams_at_its_interval_from_any_clock) {
    Module m;
    const auto *ext = static_cast<const anyserial_simulator_ext_t *>(
        m.factory->get_extension(m.factory, "alicat-stream", ANYSERIAL_EXT_SIMULATOR_ID));
    BOOST_TEST_REQUIRE(ext != nullptr);
    anyserial_simulator_t *sim = nullptr;
    BOOST_TEST_REQUIRE(ext->create(ext, nullptr, &sim) == ANYSERIAL_OK);
    BOOST_TEST(sim->vtable->set_interval(sim, 100'000'000u) == ANYSERIAL_OK);
    const uint64_t t0 = 5'000'000'000'000u;  // a host clock far from 0
    uint8_t buf[512];
    uint32_t n = 0;
    uint64_t next = 0;
    BOOST_TEST(sim->vtable->poll_output(sim, t0, buf, sizeof buf, &n, &next) == ANYSERIAL_OK);
    BOOST_TEST(n > 0u);
    BOOST_TEST(buf[0] == ' ');  // 10v20 style: the id slot left empty
    BOOST_TEST(buf[n - 1] == '\r');
    BOOST_TEST(next == t0 + 100'000'000u);
    BOOST_TEST(sim->vtable->poll_output(sim, t0 + 1, buf, sizeof buf, &n, &next) == ANYSERIAL_OK);
    BOOST_TEST(n == 0u);  // no burst to catch up with the clock
    BOOST_TEST(sim->vtable->poll_output(sim, next, buf, sizeof buf, &n, &next) == ANYSERIAL_OK);
    BOOST_TEST(n > 0u);
    uint64_t rq = 0, rp = 0, fr = 0;
    sim->vtable->counters(sim, &rq, &rp, &fr);
    BOOST_TEST(fr == 2u);
    anyserial_field_t f{};
    f.struct_size = sizeof f;
    BOOST_TEST(sim->vtable->get_field(sim, "streaming", &f) == ANYSERIAL_OK);
    BOOST_TEST(f.number == 1.0);
    BOOST_TEST(sim->vtable->set_interval(sim, 0) == ANYSERIAL_OK);  // 0 = off
    BOOST_TEST(sim->vtable->get_field(sim, "streaming", &f) == ANYSERIAL_OK);
    BOOST_TEST(f.number == 0.0);
    sim->vtable->destroy(sim);
}

// The three plugins through the C ABI (dlopen): descriptors, and each session driven
// against its own simulator — reads, faults, calibration pulses.
#define BOOST_TEST_MODULE servomex_plugins
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "plugin_fixture.hpp"

using test::find_reading;
using test::Plugin;
using test::run_op;

namespace bdata = boost::unit_test::data;

namespace {

// The declared flag bits (the naming contract's order).
constexpr uint64_t kFault = 1u << 0, kCalibrating = 1u << 2, kAlarm2 = 1u << 5, kInvalid = 1u << 8,
                   kInherited = 1u << 9;

const char *const kModbusPlugins[] = {"anyserial-servomex-modbus-rtu",
                                      "anyserial-servomex-modbus-ascii"};

anyserial_protocol_options_t options(const char *address) {
    anyserial_protocol_options_t o{};
    o.struct_size = sizeof o;
    o.address = address;
    o.baudrate = 19200;
    o.retries = UINT32_MAX;
    return o;
}

// A session and a simulator of one plugin, destroyed together.
struct Pair {
    Plugin plugin;
    anyserial_protocol_session_t *s;
    anyserial_simulator_t *sim;
    Pair(const char *name, const char *session_address = "1", const char *sim_address = "1")
        : plugin(name) {
        const auto so = options(session_address), mo = options(sim_address);
        s = plugin.session(&so);
        sim = plugin.simulator(&mo);
    }
    ~Pair() {
        s->vtable->destroy(s);
        sim->vtable->destroy(sim);
    }
    void counters(uint64_t &rq, uint64_t &rp) {
        uint64_t fr = 0;
        BOOST_REQUIRE(sim->vtable->counters(sim, &rq, &rp, &fr) == ANYSERIAL_OK);
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(descriptors) {
    struct Want {
        const char *plugin, *id, *mode;
        uint32_t traffic, probe_kind, rank, min_addr, max_addr, caps;
    };
    const uint32_t all = 0x0F;
    const Want wants[] = {
        {"anyserial-servomex-modbus-rtu", "servomex-modbus-rtu", "modbus-rtu",
         ANYSERIAL_TRAFFIC_REQUEST_RESPONSE, ANYSERIAL_PROBE_ACTIVE, 10, 1, 247, all},
        {"anyserial-servomex-modbus-ascii", "servomex-modbus-ascii", "modbus-ascii",
         ANYSERIAL_TRAFFIC_REQUEST_RESPONSE, ANYSERIAL_PROBE_ACTIVE, 20, 1, 247, all},
        {"anyserial-servomex-continuous", "servomex-continuous", "continuous",
         ANYSERIAL_TRAFFIC_BROADCAST, ANYSERIAL_PROBE_PASSIVE, 30, 0, 0,
         0x00},  // begin() runs nothing: no PCAP bit
    };
    for (const Want &w : wants) {
        Plugin p(w.plugin);
        const anyserial_protocol_descriptor_t &d = p.descriptor();
        BOOST_TEST(d.struct_size == sizeof d);
        BOOST_TEST(std::string(d.id) == w.id);
        BOOST_TEST(std::string(d.mode) == w.mode);
        BOOST_TEST(std::string(d.device_family) == "servomex-4100");
        BOOST_TEST(d.traffic == w.traffic);
        BOOST_TEST(d.probe_kind == w.probe_kind);
        BOOST_TEST(d.probe_rank == w.rank);
        if (w.max_addr == 0) {
            BOOST_TEST(d.address == nullptr);
        } else {
            BOOST_REQUIRE(d.address != nullptr);
            BOOST_TEST(d.address->kind == ANYSERIAL_ADDRESS_INTEGER);
            BOOST_TEST(d.address->min == w.min_addr);
            BOOST_TEST(d.address->max == w.max_addr);
            BOOST_TEST(std::string(d.address->default_address) == "1");
            BOOST_TEST(std::string(d.address->description) == "Modbus slave id 1..247");
        }
        BOOST_TEST(d.capabilities == w.caps);
        BOOST_TEST(d.frame_interval_ns == (w.rank == 30 ? 2'000'000'000u : 0u));
        BOOST_REQUIRE(d.default_serial != nullptr);
        BOOST_TEST(d.default_serial->baudrate == 19200u);
        BOOST_TEST(d.default_serial->byte_size == 8);
        BOOST_TEST(d.default_serial->parity == ANYSERIAL_PARITY_NONE);
        BOOST_TEST(d.default_serial->stop_bits == ANYSERIAL_STOP_BITS_ONE);
        BOOST_TEST(d.default_serial->flow_control == 0);
        test::check_declarations(d);
        anyserial_protocol_session_t *s = nullptr;
        BOOST_TEST(p.factory->create_session(p.factory, "nope", nullptr, &s) ==
                   ANYSERIAL_E_NOT_FOUND);
        BOOST_TEST(p.factory->get_extension(p.factory, w.id, "anyserial.nothing/1") == nullptr);
    }
}

BOOST_DATA_TEST_CASE(probe_and_read_frame, bdata::make(kModbusPlugins), name) {
    Pair p(name);
    const auto probe = run_op(p.s, p.sim, ANYSERIAL_OP_PROBE);
    BOOST_TEST(probe.final_status == ANYSERIAL_DONE);
    BOOST_TEST(probe.result.op == ANYSERIAL_OP_PROBE);

    for (std::size_t piece : {std::size_t{1} << 20, std::size_t{1}}) {
        const auto r = run_op(p.s, p.sim, ANYSERIAL_OP_READ_FRAME, 0, piece);
        BOOST_REQUIRE(r.final_status == ANYSERIAL_DONE);
        BOOST_TEST(r.transactions == 3u);
        const anyserial_frame_t *f = r.result.frame;
        BOOST_REQUIRE(f != nullptr);
        BOOST_TEST(f->reading_count == 10u);  // 5 populated + 5 empty slots, unlisted
        const anyserial_reading_t *i1 = find_reading(f, "I1");
        BOOST_REQUIRE(i1 != nullptr);
        BOOST_TEST(std::string(i1->name) == "Oxygen");
        BOOST_TEST(i1->value_type == ANYSERIAL_VALUE_NUMBER);
        BOOST_TEST(i1->number == 20.376);  // the shortest decimal of the float32 register
        BOOST_TEST(std::string(i1->unit) == "%");
        BOOST_TEST(i1->flags == 0u);
        const anyserial_reading_t *i3 = find_reading(f, "I3");
        BOOST_REQUIRE(i3 != nullptr);
        BOOST_TEST(std::string(i3->name) == "CO\xE2\x82\x82");  // CO₂ from ROM byte 0x82
        BOOST_TEST(std::fabs(i3->number - 0.25) < 1e-3);
        const anyserial_reading_t *e1 = find_reading(f, "E1");
        BOOST_REQUIRE(e1 != nullptr);
        BOOST_TEST(e1->name == nullptr);
        BOOST_TEST(std::string(e1->unit) == "mA");
        for (const char *empty : {"I4", "D1"}) {
            BOOST_REQUIRE(find_reading(f, empty) != nullptr);
            BOOST_TEST(find_reading(f, empty)->unlisted);
        }
        BOOST_TEST(!e1->unlisted);
        BOOST_TEST(f->device_flags == 0u);
        BOOST_TEST(frame_view::number(*f, "cal_group_count") == 4.0);
        BOOST_TEST(frame_view::calibrating(*f, 4) == 0.0);
        BOOST_TEST(frame_view::gas(*f, 4) == 1.0);
        BOOST_TEST(frame_view::field(*f, "clock") == nullptr);  // Modbus sends no clock
        // the channel table: the populated slots with their kinds and units
        const std::vector<std::string> want = {"I1:transducer:%:Oxygen", "I2:transducer:%:CO",
                                               "I3:transducer:%:CO\xE2\x82\x82",
                                               "E1:external:mA:(none)", "E2:external:mA:(none)"};
        BOOST_TEST(test::channel_table(p.s) == want, boost::test_tools::per_element());
    }
}

BOOST_DATA_TEST_CASE(identify_lists_populated_slots, bdata::make(kModbusPlugins), name) {
    Pair p(name);
    const auto r = run_op(p.s, p.sim, ANYSERIAL_OP_IDENTIFY);
    BOOST_REQUIRE(r.final_status == ANYSERIAL_DONE);
    BOOST_TEST(r.transactions == 1u);
    const anyserial_frame_t *f = r.result.frame;
    BOOST_REQUIRE(f->reading_count == 5u);
    const char *ids[] = {"I1", "I2", "I3", "E1", "E2"};
    for (uint32_t i = 0; i < 5; ++i)
        BOOST_TEST(std::string(f->readings[i]->channel) == ids[i]);
    BOOST_TEST(std::string(f->readings[1]->name) == "CO");
    BOOST_TEST(frame_view::text(r.result, "model") == p.plugin.descriptor().name);
    BOOST_TEST(frame_view::field(r.result, "model")->value_type == ANYSERIAL_VALUE_TEXT);
    BOOST_TEST(test::channel_table(p.s).size() == 5u);
    BOOST_TEST(test::channel_table(p.s)[3] == "E1:external:mA:(none)");
}

BOOST_DATA_TEST_CASE(status_flags_and_over_range, bdata::make(kModbusPlugins), name) {
    Pair p(name);
    auto *v = p.sim->vtable;
    BOOST_REQUIRE(test::set_reading(p.sim, "I2", false, 0, kAlarm2) == ANYSERIAL_OK);
    BOOST_REQUIRE(test::set_reading(p.sim, "E2", true, 21.5, kInvalid) == ANYSERIAL_OK);
    BOOST_REQUIRE(test::set_reading(p.sim, "I1", true, 20.9, kFault) == ANYSERIAL_OK);
    BOOST_REQUIRE(v->set_label(p.sim, "D1", "O2 cor", "vpm") == ANYSERIAL_OK);
    BOOST_REQUIRE(v->set_device_flags(p.sim, kFault) == ANYSERIAL_OK);
    BOOST_TEST(test::set_reading(p.sim, "Q7", true, 1, 0) == ANYSERIAL_E_NOT_FOUND);
    BOOST_TEST(test::sim_error(p.sim).find("Q7") != std::string::npos);
    const auto r = run_op(p.s, p.sim, ANYSERIAL_OP_READ_FRAME);
    BOOST_REQUIRE(r.final_status == ANYSERIAL_DONE);
    const anyserial_frame_t *f = r.result.frame;
    BOOST_TEST(f->reading_count == 10u);
    BOOST_TEST(find_reading(f, "I2")->value_type == ANYSERIAL_VALUE_ABSENT);
    BOOST_TEST(find_reading(f, "I2")->flags == kAlarm2);
    BOOST_TEST(find_reading(f, "E2")->flags == (kFault | kInvalid));
    BOOST_TEST(std::fabs(find_reading(f, "E2")->number - 21.5) < 1e-3);
    BOOST_TEST(find_reading(f, "I1")->flags == kFault);
    const anyserial_reading_t *d1 = find_reading(f, "D1");
    BOOST_REQUIRE(d1 != nullptr);
    BOOST_TEST(!d1->unlisted);
    BOOST_TEST(d1->flags == (kFault | kInherited));
    BOOST_TEST(std::string(d1->unit) == "vpm");
    BOOST_TEST(f->device_flags == kFault);
    BOOST_TEST(test::channel_table(p.s)[3] == "D1:derived:vpm:O2 cor");
}

BOOST_DATA_TEST_CASE(exception_fault, bdata::make(kModbusPlugins), name) {
    Pair p(name);
    BOOST_REQUIRE(p.sim->vtable->set_fault(p.sim, ANYSERIAL_SIM_FAULT_EXCEPTION, 3) ==
                  ANYSERIAL_OK);
    const auto r = run_op(p.s, p.sim, ANYSERIAL_OP_READ_FRAME);
    BOOST_REQUIRE(r.events.size() == 1u);
    BOOST_TEST(r.events[0].type == ANYSERIAL_EVENT_EXCEPTION);
    BOOST_TEST(r.events[0].function_code == 4u);
    BOOST_TEST(r.events[0].exception_code == 3u);
    BOOST_TEST(r.final_status == ANYSERIAL_E_PROTOCOL);
    BOOST_TEST(test::session_error(p.s).find("illegal data value") != std::string::npos);

    // Exception 02 to everything: the coalesced read falls back to the 10 blocks, and when
    // every block refuses too, the operation fails with the device's exception.
    Pair q(name);
    BOOST_REQUIRE(q.sim->vtable->set_fault(q.sim, ANYSERIAL_SIM_FAULT_EXCEPTION, 2) ==
                  ANYSERIAL_OK);
    const auto all = run_op(q.s, q.sim, ANYSERIAL_OP_READ_FRAME);
    BOOST_REQUIRE(all.events.size() == 11u);
    BOOST_TEST(all.events.back().type == ANYSERIAL_EVENT_EXCEPTION);
    BOOST_TEST(all.events.back().exception_code == 2u);
    BOOST_TEST(all.final_status == ANYSERIAL_E_PROTOCOL);
    BOOST_TEST(test::session_error(q.s).find("illegal data address") != std::string::npos);
}

BOOST_DATA_TEST_CASE(silence_fault_sends_nothing, bdata::make(kModbusPlugins), name) {
    Pair p(name);
    BOOST_REQUIRE(p.sim->vtable->set_fault(p.sim, ANYSERIAL_SIM_FAULT_SILENCE, 0) == ANYSERIAL_OK);
    const auto r = run_op(p.s, p.sim, ANYSERIAL_OP_PROBE);
    BOOST_TEST(r.final_status == ANYSERIAL_E_TIMEOUT);
    BOOST_TEST(r.transactions == 3u);  // 1 + 2 default retries
    BOOST_TEST(r.silent_attempts == 3u);
    uint64_t rq = 0, rp = 0;
    p.counters(rq, rp);
    BOOST_TEST(rq == 3u);
    BOOST_TEST(rp == 0u);
}

BOOST_DATA_TEST_CASE(bad_checksum_is_bad_frame, bdata::make(kModbusPlugins), name) {
    Pair p(name);
    BOOST_REQUIRE(p.sim->vtable->set_fault(p.sim, ANYSERIAL_SIM_FAULT_BAD_CHECKSUM, 0) ==
                  ANYSERIAL_OK);
    const auto r = run_op(p.s, p.sim, ANYSERIAL_OP_PROBE);
    BOOST_TEST(r.final_status == ANYSERIAL_E_TIMEOUT);
    BOOST_REQUIRE(r.events.size() == 3u);
    for (const auto &e : r.events) {
        BOOST_TEST(e.type == ANYSERIAL_EVENT_BAD_FRAME);
        BOOST_TEST(e.bad_frame_reason == ANYSERIAL_BAD_FRAME_CHECKSUM);
        BOOST_TEST((e.reason.find("CRC mismatch") != std::string::npos ||
                    e.reason.find("LRC mismatch") != std::string::npos),
                   e.reason);
    }
    // cleared: the same session recovers
    BOOST_REQUIRE(p.sim->vtable->set_fault(p.sim, ANYSERIAL_SIM_FAULT_NONE, 0) == ANYSERIAL_OK);
    BOOST_TEST(run_op(p.s, p.sim, ANYSERIAL_OP_PROBE).final_status == ANYSERIAL_DONE);
}

BOOST_DATA_TEST_CASE(dropped_requests_are_retried, bdata::make(kModbusPlugins), name) {
    Pair p(name);
    BOOST_REQUIRE(p.sim->vtable->set_fault(p.sim, ANYSERIAL_SIM_FAULT_DROP_REQUESTS, 2) ==
                  ANYSERIAL_OK);
    const auto r = run_op(p.s, p.sim, ANYSERIAL_OP_IDENTIFY);
    BOOST_TEST(r.final_status == ANYSERIAL_DONE);
    BOOST_TEST(r.transactions == 3u);
    BOOST_TEST(r.silent_attempts == 2u);
}

BOOST_DATA_TEST_CASE(other_address_is_silent, bdata::make(kModbusPlugins), name) {
    Pair p(name, "5", "1");
    const auto r = run_op(p.s, p.sim, ANYSERIAL_OP_PROBE);
    BOOST_TEST(r.final_status == ANYSERIAL_E_TIMEOUT);
    BOOST_TEST(r.silent_attempts == 3u);
    uint64_t rq = 9, rp = 9;
    p.counters(rq, rp);
    BOOST_TEST(rq == 0u);
    BOOST_TEST(rp == 0u);
    Pair q(name, "17", "17");
    BOOST_TEST(run_op(q.s, q.sim, ANYSERIAL_OP_PROBE).final_status == ANYSERIAL_DONE);
}

BOOST_DATA_TEST_CASE(calibration_pulse, bdata::make(kModbusPlugins), name) {
    using test::kOpReadCalStatus;
    Pair p(name);
    auto cal = run_op(p.s, p.sim, kOpReadCalStatus, 2);
    BOOST_REQUIRE(cal.final_status == ANYSERIAL_DONE);
    BOOST_TEST(cal.result.op == ANYSERIAL_OP_COMMAND);
    BOOST_TEST(cal.result.frame == nullptr);
    BOOST_TEST(frame_view::number(cal.result, "active") == 0.0);
    BOOST_TEST(frame_view::text(cal.result, "phase") == "idle");

    const auto start = run_op(p.s, p.sim, test::kOpStartCalibration, 2);
    BOOST_REQUIRE(start.final_status == ANYSERIAL_DONE);
    BOOST_TEST(start.transactions == 3u);  // ON, read back (FC01), OFF
    BOOST_TEST(test::sim_field(p.sim, "cal_group.2.calibrating") == 1.0);
    BOOST_TEST(test::sim_field(p.sim, "cal_group.2.gas") == 1.0);
    BOOST_TEST(test::sim_field(p.sim, "cal_group.1.calibrating") == 0.0);
    BOOST_TEST(test::sim_field(p.sim, "cal_group.9.gas") == -1.0);  // NOT_FOUND

    cal = run_op(p.s, p.sim, kOpReadCalStatus, 2);
    BOOST_TEST(frame_view::number(cal.result, "group") == 2.0);
    BOOST_TEST(frame_view::field(cal.result, "group")->value_type == ANYSERIAL_VALUE_INTEGER);
    BOOST_TEST(frame_view::number(cal.result, "active") == 1.0);
    BOOST_TEST(frame_view::text(cal.result, "phase") == "gas1");
    const auto frame = run_op(p.s, p.sim, ANYSERIAL_OP_READ_FRAME);
    BOOST_TEST(find_reading(frame.result.frame, "I2")->flags == kCalibrating);
    BOOST_TEST(find_reading(frame.result.frame, "I1")->flags == 0u);
    BOOST_TEST(frame_view::calibrating(*frame.result.frame, 2) == 1.0);
    const auto status = run_op(p.s, p.sim, ANYSERIAL_OP_READ_STATUS);
    BOOST_REQUIRE(status.result.frame != nullptr);
    BOOST_TEST(status.result.op == ANYSERIAL_OP_READ_STATUS);
    BOOST_TEST(status.result.frame->reading_count == 0u);
    BOOST_TEST(frame_view::calibrating(*status.result.frame, 2) == 1.0);
    BOOST_TEST(frame_view::calibrating(*status.result.frame, 1) == 0.0);

    BOOST_TEST(run_op(p.s, p.sim, test::kOpStopCalibration).final_status == ANYSERIAL_DONE);
    cal = run_op(p.s, p.sim, kOpReadCalStatus, 2);
    BOOST_TEST(frame_view::number(cal.result, "active") == 0.0);
    BOOST_TEST(test::sim_field(p.sim, "cal_group.2.calibrating") == 0.0);
}

// The core validates a command's arguments against the declaration first; the plugin
// refuses them too, before any byte (begin fails, no transaction).
BOOST_DATA_TEST_CASE(invalid_arguments, bdata::make(kModbusPlugins), name) {
    Pair p(name);
    for (uint32_t op : {test::kOpStartCalibration, test::kOpReadCalStatus}) {
        for (uint32_t group : {0u, 5u}) {
            const auto r = run_op(p.s, p.sim, op, group);
            BOOST_TEST(r.begin_status == ANYSERIAL_E_INVALID_ARGUMENT);
            BOOST_TEST(r.transactions == 0u);
            BOOST_TEST(test::session_error(p.s).find("argument 'group' " + std::to_string(group) +
                                                     " is outside 1..4") != std::string::npos,
                       test::session_error(p.s));
        }
    }
    uint64_t rq = 9, rp = 9;
    p.counters(rq, rp);
    BOOST_TEST(rq == 0u);  // the simulator saw no request
    // a missing, a text or a fractional group
    anyserial_protocol_request_t req{};
    req.struct_size = sizeof req;
    req.op = ANYSERIAL_OP_COMMAND;
    req.command = "calibration.start";
    BOOST_TEST(p.s->vtable->begin(p.s, &req) == ANYSERIAL_E_INVALID_ARGUMENT);
    BOOST_TEST(test::session_error(p.s).find("missing") != std::string::npos);
    anyserial_arg_value_t v{sizeof v, ANYSERIAL_VALUE_TEXT, 0.0, "2"};
    const anyserial_arg_value_t *args[] = {&v};
    req.arg_count = 1;
    req.args = args;
    BOOST_TEST(p.s->vtable->begin(p.s, &req) == ANYSERIAL_E_INVALID_ARGUMENT);
    v = {sizeof v, ANYSERIAL_VALUE_INTEGER, 2.5, nullptr};
    BOOST_TEST(p.s->vtable->begin(p.s, &req) == ANYSERIAL_E_INVALID_ARGUMENT);
    req.command = "calibration.explode";
    BOOST_TEST(p.s->vtable->begin(p.s, &req) == ANYSERIAL_E_NOT_SUPPORTED);
    BOOST_TEST(run_op(p.s, p.sim, 99).begin_status == ANYSERIAL_E_NOT_SUPPORTED);
    anyserial_protocol_result_t res{};
    res.struct_size = sizeof res;
    BOOST_TEST(p.s->vtable->result(p.s, &res) == ANYSERIAL_E_STATE);
    for (const char *bad_address : {"248", "0", "x1", "1.5", ""}) {
        const auto bad = options(bad_address);
        anyserial_protocol_session_t *s = nullptr;
        const int32_t st =
            p.plugin.factory->create_session(p.plugin.factory, p.plugin.descriptor().id, &bad, &s);
        if (*bad_address == '\0') {  // empty: the default address 1
            BOOST_TEST(st == ANYSERIAL_OK);
            s->vtable->destroy(s);
        } else {
            BOOST_TEST(st == ANYSERIAL_E_INVALID_ARGUMENT, bad_address);
        }
    }
    BOOST_TEST(p.sim->vtable->set_interval(p.sim, 1'000'000'000) == ANYSERIAL_E_NOT_SUPPORTED);
    BOOST_TEST(p.sim->vtable->set_fault(p.sim, ANYSERIAL_SIM_FAULT_EXCEPTION, 0) ==
               ANYSERIAL_E_INVALID_ARGUMENT);
}

BOOST_DATA_TEST_CASE(transaction_timing_defaults_and_overrides, bdata::make(kModbusPlugins), name) {
    Plugin plugin(name);
    anyserial_protocol_session_t *s = plugin.session(nullptr);
    const test::Request read(ANYSERIAL_OP_READ_FRAME, 0);
    BOOST_REQUIRE(s->vtable->begin(s, &read.req) == ANYSERIAL_OK);
    anyserial_transaction_t tx{};
    tx.struct_size = sizeof tx;
    BOOST_REQUIRE(s->vtable->next_transaction(s, &tx) == ANYSERIAL_OK);
    BOOST_TEST(tx.response_timeout_ns == 1'000'000'000u);
    BOOST_TEST(tx.idle_before_ns == 50'000'000u);
    BOOST_TEST(tx.retries == 2u);
    BOOST_TEST(tx.expects_response);
    BOOST_TEST(tx.function_code == 4u);
    BOOST_TEST(tx.register_address == 30001u);
    const bool rtu = std::string(name).find("rtu") != std::string::npos;
    BOOST_TEST(tx.expected_response_len == (rtu ? 1u + 142u + 2u : 1u + 2u * 144u + 2u));
    BOOST_TEST(tx.len == (rtu ? 8u : 17u));
    BOOST_TEST(tx.data[0] == (rtu ? 0x01 : ':'));
    s->vtable->destroy(s);

    anyserial_protocol_options_t o = options("3");
    o.response_timeout_ns = 250'000'000;
    o.idle_gap_ns = 5'000'000;
    o.retries = 0;
    s = plugin.session(&o);
    const test::Request start(test::kOpStartCalibration, 4);
    BOOST_REQUIRE(s->vtable->begin(s, &start.req) == ANYSERIAL_OK);
    BOOST_REQUIRE(s->vtable->next_transaction(s, &tx) == ANYSERIAL_OK);
    BOOST_TEST(tx.response_timeout_ns == 250'000'000u);
    BOOST_TEST(tx.idle_before_ns == 5'000'000u);
    BOOST_TEST(tx.retries == 0u);
    BOOST_TEST(tx.function_code == 5u);
    BOOST_TEST(tx.register_address == 4u);  // coil 4 = cal-group 4
    s->vtable->destroy(s);
}

// The C ABI binding (anyserial.protocol/2 and anyserial.protocol.simulator/2) of the Alicat
// session and simulator. Only the SDK's C headers and its header-only C++ helpers.
#include "alicat/session.hpp"
#include "alicat/simulator.hpp"

#include <anyserial/sdk/cpp/abi.hpp>
#include <anyserial/sdk/cpp/error.hpp>
#include <anyserial/sdk/cpp/plugin.hpp>
#include <anyserial/sdk/entry.h>
#include <anyserial/sdk/ext/simulator.h>
#include <anyserial/sdk/protocol.h>

#include <array>
#include <cctype>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace sdk = anyserial::sdk;
using anyserial::alicat::Session;
using anyserial::alicat::Simulator;

namespace {

constexpr const char *kRequestId = "alicat";
constexpr const char *kStreamId = "alicat-stream";

// ---- static tables ------------------------------------------------------------------------

const anyserial_address_syntax_t kAddress = {sizeof(anyserial_address_syntax_t),
                                             ANYSERIAL_ADDRESS_LETTER,
                                             'A',
                                             'Z',
                                             "A",
                                             "Alicat unit id A..Z"};

anyserial_serial_config_t default_serial() {
    anyserial_serial_config_t c = sdk::init_struct<anyserial_serial_config_t>();
    c.baudrate = 19200;  // factory default; 115200 is common (§2)
    c.byte_size = 8;
    c.parity = ANYSERIAL_PARITY_NONE;
    c.stop_bits = ANYSERIAL_STOP_BITS_ONE;
    c.rs485 = sdk::init_struct<anyserial_rs485_config_t>();
    return c;
}
const anyserial_serial_config_t kSerial = default_serial();

struct Tables {
    std::vector<anyserial_flag_info_t> flags;
    std::vector<const anyserial_flag_info_t *> flag_ptrs;
    std::vector<anyserial_arg_info_t> args;
    std::vector<anyserial_command_info_t> commands;
    std::vector<const anyserial_command_info_t *> command_ptrs;
    std::array<const anyserial_arg_info_t *, 1> value_arg{}, gas_arg{}, interval_arg{};
    anyserial_protocol_descriptor_t request{}, stream{};

    Tables() {
        for (const auto &f : anyserial::alicat::flag_table())
            flags.push_back({sizeof(anyserial_flag_info_t), f.severity, f.id, f.name, nullptr});
        for (const auto &f : flags)
            flag_ptrs.push_back(&f);
        args.resize(3);
        auto arg = [](anyserial_arg_info_t &a, uint32_t type, const char *id, const char *summary) {
            a = sdk::init_struct<anyserial_arg_info_t>();
            a.value_type = type;
            a.id = id;
            a.summary = summary;
        };
        arg(args[0], ANYSERIAL_VALUE_NUMBER, "value",
            "setpoint in the unit of the frame's setpoint column (setpoint.get shows it)");
        args[0].has_range = true;
        args[0].min = 0;
        args[0].max = 1e6;
        arg(args[1], ANYSERIAL_VALUE_TEXT, "gas", "gas code 0..255 or short name (N2, Ar, Air, ...)");
        args[1].max_length = 8;
        arg(args[2], ANYSERIAL_VALUE_INTEGER, "interval_ms",
            "streaming interval in ms, 0 = as fast as possible (NCS, 10v05+)");
        args[2].optional = true;
        args[2].has_range = true;
        args[2].min = 0;
        args[2].max = 65535;
        value_arg[0] = &args[0];
        gas_arg[0] = &args[1];
        interval_arg[0] = &args[2];
        for (const auto &c : anyserial::alicat::command_table()) {
            anyserial_command_info_t ci = sdk::init_struct<anyserial_command_info_t>();
            ci.safety = c.safety;
            ci.id = c.id;
            ci.summary = c.summary;
            const std::string id = c.id;
            if (id == "setpoint.set") ci.args = value_arg.data();
            if (id == "gas.set") ci.args = gas_arg.data();
            if (id == "streaming.start") ci.args = interval_arg.data();
            ci.arg_count = ci.args != nullptr ? 1 : 0;
            commands.push_back(ci);
        }
        for (const auto &c : commands)
            command_ptrs.push_back(&c);

        request = sdk::init_struct<anyserial_protocol_descriptor_t>();
        request.traffic = ANYSERIAL_TRAFFIC_REQUEST_RESPONSE;
        request.id = kRequestId;
        request.name = "Alicat serial ASCII (request/response)";
        request.vendor = "anyserial";
        request.version = "0.1.0";
        request.description =
            "Alicat flow and pressure meters and controllers: data frames laid out by the "
            "unit's own ??D* table, unit ids A..Z on one line, setpoint, gas, tare, valves";
        request.device_family = "alicat";
        request.mode = "ascii";
        request.capabilities = ANYSERIAL_PCAP_READ_FRAME | ANYSERIAL_PCAP_READ_STATUS |
                               ANYSERIAL_PCAP_IDENTIFY | ANYSERIAL_PCAP_PROBE;
        request.probe_kind = ANYSERIAL_PROBE_ACTIVE;
        request.probe_rank = 0;
        request.address = &kAddress;
        request.default_serial = &kSerial;
        request.flag_count = static_cast<uint32_t>(flag_ptrs.size());
        request.flags = flag_ptrs.data();
        request.command_count = static_cast<uint32_t>(command_ptrs.size());
        request.commands = command_ptrs.data();

        stream = request;
        stream.traffic = ANYSERIAL_TRAFFIC_BROADCAST;
        stream.id = kStreamId;
        stream.name = "Alicat streaming mode (broadcast)";
        stream.description = "frames of an Alicat unit in streaming mode (id `@` or a leading space)";
        stream.mode = "stream";
        stream.capabilities = 0;
        stream.probe_kind = ANYSERIAL_PROBE_PASSIVE;
        stream.probe_rank = 1;
        stream.frame_interval_ns = 50'000'000;  // default streaming interval (§6)
        stream.address = nullptr;
        stream.command_count = 0;
        stream.commands = nullptr;
    }
};

const Tables &tables() {
    static const Tables t;
    return t;
}

// ---- session vtable ---------------------------------------------------------------------------

struct SessionBox {
    anyserial_protocol_session_t handle{};
    std::unique_ptr<Session> session;
    sdk::LastError error;
};

SessionBox &box(const anyserial_protocol_session_t *h) {
    return *static_cast<SessionBox *>(h->impl);
}

int32_t with_error(SessionBox &b, int32_t st) {
    if (st < 0) b.error.set(b.session->error());
    return st;
}

int32_t s_begin(anyserial_protocol_session_t *h, const anyserial_protocol_request_t *req) {
    if (req == nullptr) return ANYSERIAL_E_INVALID_ARGUMENT;
    SessionBox &b = box(h);
    const anyserial_protocol_request_t r = sdk::read_struct(req);
    return sdk::guarded(b.error, [&] { return with_error(b, b.session->begin(r)); });
}
int32_t s_next(anyserial_protocol_session_t *h, anyserial_transaction_t *out) {
    if (out == nullptr) return ANYSERIAL_E_INVALID_ARGUMENT;
    SessionBox &b = box(h);
    anyserial_transaction_t tx = sdk::init_struct<anyserial_transaction_t>();
    const int32_t st = sdk::guarded(b.error, [&] { return with_error(b, b.session->next_transaction(tx)); });
    if (st == ANYSERIAL_OK) sdk::write_struct(out, tx);
    return st;
}
int32_t s_feed(anyserial_protocol_session_t *h, const uint8_t *data, uint32_t len, uint32_t *consumed,
               anyserial_protocol_event_t *event) {
    if (consumed == nullptr || event == nullptr || (data == nullptr && len > 0))
        return ANYSERIAL_E_INVALID_ARGUMENT;
    SessionBox &b = box(h);
    anyserial_protocol_event_t ev = sdk::init_struct<anyserial_protocol_event_t>();
    *consumed = 0;
    const int32_t st = sdk::guarded(b.error, [&] {
        *consumed = b.session->feed({data, len}, ev);
    });
    sdk::write_struct(event, ev);
    return st;
}
void s_reset(anyserial_protocol_session_t *h) {
    SessionBox &b = box(h);
    (void)sdk::guarded(b.error, [&] { b.session->reset_receive(); });
}
int32_t s_result(anyserial_protocol_session_t *h, anyserial_protocol_result_t *out) {
    if (out == nullptr) return ANYSERIAL_E_INVALID_ARGUMENT;
    SessionBox &b = box(h);
    anyserial_protocol_result_t r = sdk::init_struct<anyserial_protocol_result_t>();
    const int32_t st = sdk::guarded(b.error, [&] { return with_error(b, b.session->result(r)); });
    if (st == ANYSERIAL_OK) sdk::write_struct(out, r);
    return st;
}
uint32_t s_channel_count(const anyserial_protocol_session_t *h) {
    return box(h).session->channel_count();
}
int32_t s_get_channel(const anyserial_protocol_session_t *h, uint32_t index, anyserial_channel_info_t *out) {
    if (out == nullptr) return ANYSERIAL_E_INVALID_ARGUMENT;
    anyserial_channel_info_t c = sdk::init_struct<anyserial_channel_info_t>();
    const int32_t st = box(h).session->get_channel(index, c);
    if (st == ANYSERIAL_OK) sdk::write_struct(out, c);
    return st;
}
uint32_t s_last_error(const anyserial_protocol_session_t *h, char *buf, uint32_t cap) {
    return box(h).error.copy(buf, cap);
}
void s_destroy(anyserial_protocol_session_t *h) { delete &box(h); }

const anyserial_protocol_session_vtable_t kSessionVtable = {
    sizeof(anyserial_protocol_session_vtable_t),
    &s_begin,
    &s_next,
    &s_feed,
    &s_reset,
    &s_result,
    &s_channel_count,
    &s_get_channel,
    &s_last_error,
    &s_destroy,
};

// ---- simulator ------------------------------------------------------------------------------

struct SimBox {
    anyserial_simulator_t handle{};
    Simulator sim;
    sdk::LastError error;
    std::string field_text;
    explicit SimBox(char uid) : sim(uid) {}
};
SimBox &sbox(const anyserial_simulator_t *h) { return *static_cast<SimBox *>(h->impl); }

int32_t sim_feed(anyserial_simulator_t *h, uint64_t now, const uint8_t *data, uint32_t len) {
    if (data == nullptr && len > 0) return ANYSERIAL_E_INVALID_ARGUMENT;
    sbox(h).sim.feed(now, std::string_view(reinterpret_cast<const char *>(data), len));
    return ANYSERIAL_OK;
}
int32_t sim_poll(anyserial_simulator_t *h, uint64_t now, uint8_t *buf, uint32_t cap, uint32_t *n,
                 uint64_t *next_ns) {
    if (n == nullptr || next_ns == nullptr || (buf == nullptr && cap > 0)) return ANYSERIAL_E_INVALID_ARGUMENT;
    *n = static_cast<uint32_t>(sbox(h).sim.poll_output(now, reinterpret_cast<char *>(buf), cap, *next_ns));
    return ANYSERIAL_OK;
}
int32_t sim_set_reading(anyserial_simulator_t *h, const char *channel, const anyserial_arg_value_t *value,
                        uint64_t flags) {
    if (channel == nullptr || value == nullptr) return ANYSERIAL_E_INVALID_ARGUMENT;
    SimBox &b = sbox(h);
    const anyserial_arg_value_t v = sdk::read_struct(value);
    if (std::strcmp(channel, "gas") == 0) {
        int code = v.value_type == ANYSERIAL_VALUE_TEXT && v.text != nullptr
                       ? anyserial::alicat::gas_code(v.text)
                       : static_cast<int>(v.number);
        if (!b.sim.set_gas(code)) return ANYSERIAL_E_INVALID_ARGUMENT;
    } else {
        std::optional<double> x;
        if (v.value_type == ANYSERIAL_VALUE_NUMBER || v.value_type == ANYSERIAL_VALUE_INTEGER) x = v.number;
        if (!b.sim.set_value(channel, x)) {
            b.error.set(std::string("the simulated controller has no channel '") + channel + "'");
            return ANYSERIAL_E_NOT_FOUND;
        }
    }
    if (flags != 0) b.sim.set_status(flags);
    return ANYSERIAL_OK;
}
int32_t sim_set_label(anyserial_simulator_t *h, const char *, const char *, const char *) {
    sbox(h).error.set("the Alicat simulator's names and units come from its fixed ??D* table");
    return ANYSERIAL_E_NOT_SUPPORTED;
}
int32_t sim_set_device_flags(anyserial_simulator_t *h, uint64_t flags) {
    sbox(h).sim.set_status(flags);
    return ANYSERIAL_OK;
}
int32_t sim_set_fault(anyserial_simulator_t *h, uint32_t fault, uint32_t param) {
    if (fault > ANYSERIAL_SIM_FAULT_DROP_REQUESTS) return ANYSERIAL_E_NOT_SUPPORTED;
    sbox(h).sim.set_fault(fault, param);
    return ANYSERIAL_OK;
}
int32_t sim_set_interval(anyserial_simulator_t *h, uint64_t interval_ns) {
    sbox(h).sim.set_interval_ms(static_cast<uint32_t>(interval_ns / 1'000'000u));
    return ANYSERIAL_OK;
}
int32_t sim_get_field(anyserial_simulator_t *h, const char *id, anyserial_field_t *out) {
    if (id == nullptr || out == nullptr) return ANYSERIAL_E_INVALID_ARGUMENT;
    SimBox &b = sbox(h);
    anyserial_field_t f = sdk::init_struct<anyserial_field_t>();
    f.id = id;
    const std::string key = id;
    if (key == "setpoint") {
        f.value_type = ANYSERIAL_VALUE_NUMBER;
        f.number = b.sim.setpoint();
        f.unit = "SCCM";
    } else if (key == "gas") {
        f.value_type = ANYSERIAL_VALUE_INTEGER;
        f.number = b.sim.gas();
        b.field_text = anyserial::alicat::gas_short_name(b.sim.gas());
        f.text = b.field_text.c_str();
    } else if (key == "streaming") {
        f.value_type = ANYSERIAL_VALUE_INTEGER;
        f.number = b.sim.streaming() ? 1 : 0;
    } else {
        b.error.set("the Alicat simulator has no field '" + key + "' (setpoint, gas, streaming)");
        return ANYSERIAL_E_NOT_FOUND;
    }
    sdk::write_struct(out, f);
    return ANYSERIAL_OK;
}
int32_t sim_counters(anyserial_simulator_t *h, uint64_t *req, uint64_t *rep, uint64_t *frames) {
    const Simulator &s = sbox(h).sim;
    if (req != nullptr) *req = s.requests();
    if (rep != nullptr) *rep = s.replies();
    if (frames != nullptr) *frames = s.frames();
    return ANYSERIAL_OK;
}
uint32_t sim_last_error(const anyserial_simulator_t *h, char *buf, uint32_t cap) {
    return sbox(h).error.copy(buf, cap);
}
void sim_destroy(anyserial_simulator_t *h) { delete &sbox(h); }

const anyserial_simulator_vtable_t kSimVtable = {
    sizeof(anyserial_simulator_vtable_t), &sim_feed,         &sim_poll,         &sim_set_reading,
    &sim_set_label,                       &sim_set_device_flags, &sim_set_fault, &sim_set_interval,
    &sim_get_field,                       &sim_counters,     &sim_last_error,   &sim_destroy,
};

int32_t sim_create(const anyserial_simulator_ext_t *, const anyserial_protocol_options_t *options,
                   anyserial_simulator_t **out) {
    if (out == nullptr) return ANYSERIAL_E_INVALID_ARGUMENT;
    *out = nullptr;
    const anyserial_protocol_options_t o = sdk::read_struct(options);
    char uid = 'A';
    if (o.address != nullptr && o.address[0] != '\0') {
        uid = static_cast<char>(std::toupper(static_cast<unsigned char>(o.address[0])));
        if (o.address[1] != '\0' || uid < 'A' || uid > 'Z') return ANYSERIAL_E_INVALID_ARGUMENT;
    }
    try {
        auto b = std::make_unique<SimBox>(uid);
        b->handle.struct_size = sizeof(anyserial_simulator_t);
        b->handle.impl = b.get();
        b->handle.vtable = &kSimVtable;
        *out = &b->handle;
        (void)b.release();
        return ANYSERIAL_OK;
    } catch (...) {
        return ANYSERIAL_E_NO_MEMORY;
    }
}

const anyserial_simulator_ext_t kSimExt = {sizeof(anyserial_simulator_ext_t), &sim_create};

// ---- factory ------------------------------------------------------------------------------

uint32_t f_count(const anyserial_protocol_factory_t *) { return 2; }
const anyserial_protocol_descriptor_t *f_descriptor(const anyserial_protocol_factory_t *, uint32_t i) {
    return i == 0 ? &tables().request : i == 1 ? &tables().stream : nullptr;
}
int32_t f_create(const anyserial_protocol_factory_t *, const char *id,
                 const anyserial_protocol_options_t *options, anyserial_protocol_session_t **out) {
    if (out == nullptr || id == nullptr) return ANYSERIAL_E_INVALID_ARGUMENT;
    *out = nullptr;
    const bool stream = std::strcmp(id, kStreamId) == 0;
    if (!stream && std::strcmp(id, kRequestId) != 0) return ANYSERIAL_E_NOT_FOUND;
    anyserial_protocol_options_t o = sdk::read_struct(options);
    if (options == nullptr) o.retries = UINT32_MAX;
    sdk::LastError err;
    std::unique_ptr<SessionBox> b;
    const int32_t st = sdk::guarded(err, [&] {
        b = std::make_unique<SessionBox>();
        b->session = std::make_unique<Session>(stream, o);
    });
    if (st != ANYSERIAL_OK) {
        sdk::log(ANYSERIAL_LOG_ERROR, "anyserial.alicat", "create session: ", err.message());
        return st == ANYSERIAL_E_INTERNAL ? ANYSERIAL_E_INVALID_ARGUMENT : st;
    }
    b->handle.struct_size = sizeof(anyserial_protocol_session_t);
    b->handle.impl = b.get();
    b->handle.descriptor = stream ? &tables().stream : &tables().request;
    b->handle.vtable = &kSessionVtable;
    *out = &b->handle;
    (void)b.release();
    return ANYSERIAL_OK;
}
const void *f_extension(const anyserial_protocol_factory_t *, const char *id, const char *ext) {
    if (id == nullptr || ext == nullptr) return nullptr;
    // One simulated device serves both ids (it streams after `@ @`).
    if ((std::strcmp(id, kRequestId) == 0 || std::strcmp(id, kStreamId) == 0) &&
        std::strcmp(ext, ANYSERIAL_EXT_SIMULATOR_ID) == 0)
        return &kSimExt;
    return nullptr;
}

const anyserial_protocol_factory_t kFactory = {sizeof(anyserial_protocol_factory_t), &f_count,
                                               &f_descriptor, &f_create, &f_extension};

const void *get_factory(const char *id) noexcept {
    return sdk::lookup_factory(id, {{ANYSERIAL_PROTOCOL_FACTORY_ID, &kFactory}});
}

}  // namespace

ANYSERIAL_DEFINE_PLUGIN_ENTRY(sdk::init_host, sdk::deinit_host, get_factory);

// The C ABI binding (anyserial.protocol/2 and anyserial.protocol.simulator/2) of the Alicat
// session and simulator, through the SDK's header-only C++ helpers (sdk::ProtocolFactory,
// sdk::SimulatorSession): the declaration tables below, two thin classes, the entry.
#include <anyserial/sdk/entry.h>
#include <anyserial/sdk/ext/simulator.h>
#include <anyserial/sdk/protocol.h>

#include <algorithm>
#include <anyserial/sdk/cpp/protocol.hpp>
#include <anyserial/sdk/cpp/simulator.hpp>
#include <array>
#include <cctype>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "alicat/session.hpp"
#include "alicat/simulator.hpp"

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
        arg(args[1], ANYSERIAL_VALUE_TEXT, "gas",
            "gas code 0..255 or short name (N2, Ar, Air, ...)");
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
        stream.description =
            "frames of an Alicat unit in streaming mode (id `@` or a leading space)";
        stream.mode = "stream";
        // Reads come from the frames the core caches; nothing is ever sent, so begin()
        // accepts no operation and no PCAP bit is declared (protocol.h).
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

// ---- the protocol classes (sdk::ProtocolFactory binds them) ----------------------------------

int32_t checked(int32_t st, const Session &s) {
    if (st < 0) throw sdk::Error(st, s.error());
    return st;
}

// The device side of both ids: one simulated controller (it streams after `@ @`; for
// alicat-stream it starts streaming).
template <bool Streaming>
class AlicatSim final : public sdk::SimulatorSession {
  public:
    explicit AlicatSim(const anyserial_protocol_options_t &o)
        : sim_(static_cast<char>(sdk::parse_address(kAddress, Streaming ? nullptr : o.address))) {
        if (Streaming) sim_.start_streaming();
    }
    void feed(uint64_t now, std::span<const uint8_t> data) override {
        sim_.feed(now, std::string_view(reinterpret_cast<const char *>(data.data()), data.size()));
    }
    uint32_t poll_output(uint64_t now, std::span<uint8_t> buf, uint64_t &next_ns) override {
        return static_cast<uint32_t>(
            sim_.poll_output(now, reinterpret_cast<char *>(buf.data()), buf.size(), next_ns));
    }
    void set_reading(std::string_view channel, const anyserial_arg_value_t &v,
                     uint64_t flags) override {
        if (channel == "gas") {
            const int code = v.value_type == ANYSERIAL_VALUE_TEXT && v.text != nullptr
                                 ? anyserial::alicat::gas_code(v.text)
                                 : static_cast<int>(v.number);
            if (!sim_.set_gas(code))
                throw sdk::Error(ANYSERIAL_E_INVALID_ARGUMENT, "unknown gas for the simulator");
        } else {
            std::optional<double> x;
            if (v.value_type == ANYSERIAL_VALUE_NUMBER || v.value_type == ANYSERIAL_VALUE_INTEGER)
                x = v.number;
            if (!sim_.set_value(channel, x))
                throw sdk::Error(
                    ANYSERIAL_E_NOT_FOUND,
                    "the simulated controller has no channel '" + std::string(channel) + "'");
        }
        if (flags != 0) sim_.set_status(flags);
    }
    void set_device_flags(uint64_t flags) override { sim_.set_status(flags); }
    void set_fault(uint32_t fault, uint32_t param) override {
        if (fault > ANYSERIAL_SIM_FAULT_DROP_REQUESTS)
            throw sdk::Error(ANYSERIAL_E_NOT_SUPPORTED, "unknown fault");
        sim_.set_fault(fault, param);
    }
    // 0 = off (simulator.h); otherwise the streaming period, streaming if not already.
    void set_interval(uint64_t ns) override {
        if (ns == 0) return sim_.stop_streaming();
        sim_.set_interval_ms(static_cast<uint32_t>(std::max<uint64_t>(ns / 1'000'000u, 1)));
        if (Streaming && !sim_.streaming()) sim_.start_streaming();
    }
    void get_field(std::string_view id, anyserial_field_t &out) override {
        if (id == "setpoint") return sdk::set_number(out, sim_.setpoint(), "SCCM");
        if (id == "gas") {
            sdk::set_integer(out, sim_.gas());
            out.text = keep_text(anyserial::alicat::gas_short_name(sim_.gas()));
            return;
        }
        if (id == "streaming") return sdk::set_integer(out, sim_.streaming() ? 1 : 0);
        throw sdk::Error(ANYSERIAL_E_NOT_FOUND, "the Alicat simulator has no field '" +
                                                    std::string(id) +
                                                    "' (setpoint, gas, streaming)");
    }
    void counters(uint64_t &requests, uint64_t &replies, uint64_t &frames) override {
        requests = sim_.requests();
        replies = sim_.replies();
        frames = sim_.frames();
    }

  private:
    Simulator sim_;
};

template <bool Streaming>
class AlicatProtocol final : public sdk::ProtocolSession {
  public:
    using simulator_type = AlicatSim<Streaming>;
    static const anyserial_protocol_descriptor_t &describe() noexcept {
        return Streaming ? tables().stream : tables().request;
    }
    explicit AlicatProtocol(const anyserial_protocol_options_t &o)
        : session_(Streaming, with_address(o)) {}

    void begin(const anyserial_protocol_request_t &req) override {
        checked(session_.begin(req), session_);
    }
    anyserial_status_t next_transaction(anyserial_transaction_t &tx) override {
        return checked(session_.next_transaction(tx), session_);
    }
    uint32_t feed(std::span<const uint8_t> data, anyserial_protocol_event_t &ev) override {
        return session_.feed(data, ev);
    }
    void reset_receive() override { session_.reset_receive(); }
    void result(anyserial_protocol_result_t &out) override {
        checked(session_.result(out), session_);
    }
    uint32_t channel_count() const override { return session_.channel_count(); }
    void get_channel(uint32_t index, anyserial_channel_info_t &out) const override {
        checked(session_.get_channel(index, out), session_);
    }

  private:
    // Refuse a bad address with the syntax's description before the session exists.
    static anyserial_protocol_options_t with_address(const anyserial_protocol_options_t &o) {
        if (!Streaming) (void)sdk::parse_address(kAddress, o.address);
        return o;
    }
    Session session_;
};

const void *get_factory(const char *id) noexcept {
    return sdk::lookup_factory(
        id, {{ANYSERIAL_PROTOCOL_FACTORY_ID,
              sdk::ProtocolFactory<AlicatProtocol<false>, AlicatProtocol<true>>::get()}});
}

}  // namespace

ANYSERIAL_DEFINE_PLUGIN_ENTRY(sdk::init_host, sdk::deinit_host, get_factory);

#include "alicat/session.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace anyserial::alicat {

namespace {

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kTableSilenceNs = 100 * kMs;  // §6: a table ends after ~100 ms quiet
constexpr uint64_t kIdleNs = 20 * kMs;           // §6: ~20 ms after a rejection

}  // namespace

const std::vector<CommandDef> &command_table() {
    static const std::vector<CommandDef> table = {
        {"setpoint.get",
         "read the setpoint in force (LS on 9v+, the frame's setpoint column below)",
         ANYSERIAL_SAFETY_READ_ONLY},
        {"setpoint.set", "set the setpoint, in the setpoint column's unit (LS on 9v+, S below)",
         ANYSERIAL_SAFETY_STATE_CHANGING},
        {"gas.get", "read the selected gas (GS on 10v05+, the frame's gas column below)",
         ANYSERIAL_SAFETY_READ_ONLY},
        {"gas.set", "select the gas by code 0..255 or short name, volatile (GS / G)",
         ANYSERIAL_SAFETY_STATE_CHANGING},
        {"tare.flow", "tare the flow reading (T); only with no flow",
         ANYSERIAL_SAFETY_STATE_CHANGING},
        {"tare.pressure", "tare gauge pressure (TP); only with the line vented",
         ANYSERIAL_SAFETY_STATE_CHANGING},
        {"valve.hold", "hold the valves at their present position (HP)",
         ANYSERIAL_SAFETY_STATE_CHANGING},
        {"valve.close", "close the valves: stops the flow (HC)", ANYSERIAL_SAFETY_DESTRUCTIVE},
        {"valve.release", "release a valve hold, back to closed-loop control (C)",
         ANYSERIAL_SAFETY_STATE_CHANGING},
        {"streaming.start",
         "start streaming mode (@ @): the unit talks unasked and answers nothing else",
         ANYSERIAL_SAFETY_DESTRUCTIVE},
        {"streaming.stop", "stop streaming mode (@@ <id>)", ANYSERIAL_SAFETY_STATE_CHANGING},
    };
    return table;
}

std::string format_arg(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4f", v);
    std::string s(buf);
    while (!s.empty() && s.back() == '0')
        s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    if (s == "-0") s = "0";
    return s;
}

Session::Session(bool streaming, const anyserial_protocol_options_t &o)
    : streaming_protocol_(streaming),
      line_timeout_ns_(o.response_timeout_ns != 0 ? o.response_timeout_ns : 500 * kMs),
      table_timeout_ns_(o.response_timeout_ns != 0
                            ? std::max<uint64_t>(o.response_timeout_ns, 1000 * kMs)
                            : 1000 * kMs),
      retries_(o.retries == UINT32_MAX ? 1 : o.retries) {
    if (o.address != nullptr && o.address[0] != '\0') {
        const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(o.address[0])));
        if (o.address[1] != '\0' || c < 'A' || c > 'Z')
            throw std::invalid_argument(
                std::string("Alicat unit id must be one letter A..Z, not '") + o.address + "'");
        uid_ = c;
    }
    table_ = FormatParser(uid_);
}

int32_t Session::fail(int32_t status, std::string text) {
    error_ = std::move(text);
    active_ = false;
    done_ = false;
    steps_.clear();
    return status;
}

// ---- begin / plan ----------------------------------------------------------------------

int32_t Session::begin(const anyserial_protocol_request_t &req) {
    steps_.clear();
    active_ = false;
    done_ = false;
    step_sent_ = step_done_ = false;
    field_store_.clear();
    have_frame_ = false;
    line_.clear();
    req_ = req;
    command_.clear();
    args_.clear();
    arg_texts_.clear();
    const std::string unit = std::string("unit ") + uid_;
    if (streaming_protocol_)
        return fail(ANYSERIAL_E_NOT_SUPPORTED,
                    "alicat-stream only listens to a streaming unit; use protocol `alicat` for "
                    "requests");
    if (req.op == ANYSERIAL_OP_COMMAND) {
        if (req.command == nullptr)
            return fail(ANYSERIAL_E_INVALID_ARGUMENT, "command without an id");
        command_ = req.command;
        const auto &t = command_table();
        if (std::none_of(t.begin(), t.end(), [&](const CommandDef &c) { return command_ == c.id; }))
            return fail(ANYSERIAL_E_NOT_SUPPORTED, "unknown Alicat command '" + command_ + "'");
        for (uint32_t i = 0; i < req.arg_count && req.args != nullptr; ++i) {
            anyserial_arg_value_t a{};
            if (req.args[i] != nullptr)
                std::memcpy(&a, req.args[i],
                            std::min<std::size_t>(req.args[i]->struct_size, sizeof a));
            arg_texts_.push_back(a.value_type == ANYSERIAL_VALUE_TEXT && a.text != nullptr ? a.text
                                                                                           : "");
            args_.push_back(a);
        }
    } else if (req.op < ANYSERIAL_OP_PROBE || req.op > ANYSERIAL_OP_READ_STATUS) {
        return fail(ANYSERIAL_E_NOT_SUPPORTED,
                    "operation " + std::to_string(req.op) + " is not supported");
    }
    if (unit_streaming_ && command_ != "streaming.stop")
        return fail(ANYSERIAL_E_STATE, unit +
                                           " is streaming: only streaming.stop may be sent "
                                           "(or listen with protocol alicat-stream)");
    active_ = true;
    const bool stop = command_ == "streaming.stop";
    const bool need_identity =
        req.op == ANYSERIAL_OP_IDENTIFY || (req.op == ANYSERIAL_OP_COMMAND && !stop);
    const bool need_format =
        need_identity || req.op == ANYSERIAL_OP_READ_FRAME || req.op == ANYSERIAL_OP_READ_STATUS;
    if (req.op == ANYSERIAL_OP_IDENTIFY) {  // identify always reads the device again
        m_done_ = ve_done_ = have_format_ = false;
        identity_ = Identity{};
        firmware_ = Firmware{};
        kind_ = Kind::unknown;
    }
    const bool known = (!need_identity || (m_done_ && (firmware_.known || ve_done_))) &&
                       (!need_format || have_format_);
    // Everything known: plan (and gate) now, before any byte.
    if (known) return plan_op();
    if (need_identity && !m_done_) steps_.push_back({Expect::m_table, "??M*"});
    if (need_identity) steps_.push_back({Expect::plan, "ve"});  // VE only when ??M* gave none
    if (need_format && !have_format_) steps_.push_back({Expect::d_table, "??D*"});
    steps_.push_back({Expect::plan, "op"});
    return ANYSERIAL_OK;
}

int32_t Session::plan_op() {
    switch (req_.op) {
        case ANYSERIAL_OP_PROBE:
            steps_.push_back({Expect::probe, ""});
            return ANYSERIAL_OK;
        case ANYSERIAL_OP_READ_FRAME:
        case ANYSERIAL_OP_READ_STATUS:
            steps_.push_back({Expect::frame, ""});
            return ANYSERIAL_OK;
        case ANYSERIAL_OP_IDENTIFY:
            return ANYSERIAL_OK;
        default:
            return plan_command();
    }
}

int32_t Session::setpoint_column() const noexcept {
    for (std::size_t i = 0; i < format_.columns.size(); ++i)
        if (!format_.columns[i].conditional && is_setpoint_stat(format_.columns[i].stat))
            return static_cast<int>(i);
    return -1;
}

std::string Session::who() const {
    return std::string("Alicat unit ") + uid_ + " (" +
           (identity_.model.empty() ? "model unknown" : identity_.model) + ", " + kind_name(kind_) +
           ", firmware " + (firmware_.known ? firmware_.text : "unknown") + ")";
}

// Why this unit cannot run command_, or "" when it can: decided from the generation and the
// kind learnt at identify, never from a reply (§5).
std::string Session::refusal() const {
    const bool gp = firmware_.gp;
    const bool controller =
        is_controller(kind_) || (kind_ == Kind::unknown && setpoint_column() >= 0);
    const bool flow = is_flow(kind_) || (kind_ == Kind::unknown && format_.find_stat(5) >= 0);
    const std::string &c = command_;
    if (!firmware_.known) return "its firmware generation is unknown (VE and ??M* gave none)";
    if (c.rfind("setpoint.", 0) == 0) {
        if (!controller) return "a meter has no setpoint";
        if (setpoint_column() < 0) return "its data frame has no setpoint column";
        if (c == "setpoint.set" && gp) return "GP setpoint writes are not documented";
    }
    if (c.rfind("gas.", 0) == 0) {
        if (!flow) return "only flow units select a gas";
        if (c == "gas.get" && !firmware_.at_least(10, 5) && format_.find_stat(703) < 0)
            return "below 10v05 the gas is read from the frame, which has no gas column";
    }
    if (c == "tare.flow" && !flow) return "a pressure unit has no flow to tare";
    if (c.rfind("valve.", 0) == 0) {
        if (!controller) return "a meter has no valves";
        if (gp) return "GP valve commands are not documented";
        if (c != "valve.release" && !firmware_.at_least(5, 7)) return "HP/HC need 5v07 or later";
    }
    if (c == "streaming.start") {
        if (gp) return "GP units do not stream";
        const bool interval = !args_.empty() && args_[0].value_type != ANYSERIAL_VALUE_ABSENT;
        if (interval && !firmware_.at_least(10, 5))
            return "NCS (the streaming interval) needs 10v05";
    }
    return {};
}

// gas.set's argument as a code: digits, an INTEGER value, or a standard short name; -1 if none.
int Session::gas_arg_code() const {
    const std::string g = arg_texts_.empty() ? "" : arg_texts_[0];
    if (all_digits(g)) return g.size() <= 3 ? std::atoi(g.c_str()) : 256;
    if (args_.size() == 1 && args_[0].value_type == ANYSERIAL_VALUE_INTEGER)
        return static_cast<int>(args_[0].number);
    return gas_code(g);
}

int32_t Session::plan_command() {
    // The stop is sent blind: the unit is streaming, so nothing could be learnt first.
    const std::string why = command_ == "streaming.stop" ? std::string() : refusal();
    if (!why.empty())
        return fail(ANYSERIAL_E_NOT_SUPPORTED,
                    command_ + " is not supported by " + who() + ": " + why);
    const std::string gp = firmware_.gp ? "$$" : "";
    const std::string &c = command_;
    if (c == "setpoint.get") {
        steps_.push_back(firmware_.at_least(9, 0) ? Step{Expect::ls, "LS"}
                                                  : Step{Expect::frame, ""});
    } else if (c == "setpoint.set") {
        if (args_.empty() || args_[0].value_type != ANYSERIAL_VALUE_NUMBER ||
            !std::isfinite(args_[0].number))
            return fail(ANYSERIAL_E_INVALID_ARGUMENT, "setpoint.set needs a number `value`");
        const std::string v = format_arg(args_[0].number);
        steps_.push_back(firmware_.at_least(9, 0) ? Step{Expect::ls, "LS " + v}
                                                  : Step{Expect::frame, "S " + v});
    } else if (c == "gas.get") {
        steps_.push_back(firmware_.at_least(10, 5) ? Step{Expect::gs, "GS"}
                                                   : Step{Expect::frame, ""});
    } else if (c == "gas.set") {
        const int code = gas_arg_code();
        if (code < 0 || code > 255)
            return fail(ANYSERIAL_E_INVALID_ARGUMENT,
                        "gas '" + (arg_texts_.empty() ? std::string() : arg_texts_[0]) +
                            "' is neither a code 0..255 nor a known short name (Air, Ar, CH4, CO, "
                            "CO2, C2H6, H2, He, N2, N2O, Ne, O2)");
        const std::string n = std::to_string(code);
        steps_.push_back(firmware_.at_least(10, 5) ? Step{Expect::gs, "GS " + n}
                                                   : Step{Expect::frame, gp + "G " + n});
    } else if (c == "tare.flow" || c == "tare.pressure") {
        const std::string token = c == "tare.flow" ? "T" : "TP";
        // GP answers tares with silence (§1): a write with no reply.
        steps_.push_back(firmware_.gp ? Step{Expect::none, "$$" + token}
                                      : Step{Expect::frame, token});
    } else if (c == "valve.hold" || c == "valve.close" || c == "valve.release") {
        steps_.push_back({Expect::frame, c == "valve.hold"    ? "HP"
                                         : c == "valve.close" ? "HC"
                                                              : "C"});
    } else if (c == "streaming.start") {
        if (!args_.empty() && args_[0].value_type != ANYSERIAL_VALUE_ABSENT) {
            const double ms = args_[0].number;
            if (!(ms >= 0 && ms <= 65535))
                return fail(ANYSERIAL_E_INVALID_ARGUMENT, "interval_ms must be 0..65535");
            steps_.push_back({Expect::ncs, "NCS " + std::to_string(static_cast<long>(ms))});
        }
        steps_.push_back({Expect::none, "@ @"});
    } else if (c == "streaming.stop") {
        steps_.push_back({Expect::none, std::string("@@ ") + uid_, true});
    } else {
        return fail(ANYSERIAL_E_NOT_SUPPORTED, "unknown Alicat command '" + c + "'");
    }
    return ANYSERIAL_OK;
}

// ---- transactions ------------------------------------------------------------------------

int32_t Session::next_transaction(anyserial_transaction_t &tx) {
    if (!active_) return error_.empty() ? ANYSERIAL_E_STATE : ANYSERIAL_E_PROTOCOL;
    if (step_sent_) {
        if (!step_done_) return fail(ANYSERIAL_E_STATE, "next_transaction before the response");
        steps_.pop_front();
        step_sent_ = step_done_ = false;
    }
    while (!steps_.empty() && steps_.front().expect == Expect::plan) {
        const Step s = steps_.front();
        steps_.pop_front();
        if (s.body == "ve") {
            if (!firmware_.known && !ve_done_) {
                steps_.push_front({Expect::ve, "VE"});
                break;
            }
            continue;
        }
        const int32_t st = plan_op();  // the gate, now that the device is known
        if (st != ANYSERIAL_OK) return st;
    }
    if (steps_.empty()) {
        active_ = false;
        done_ = true;
        return ANYSERIAL_DONE;
    }
    const Step &s = steps_.front();
    tx_bytes_ = s.raw ? s.body : std::string(1, uid_) + s.body;
    tx_bytes_.push_back('\r');
    tx.len = static_cast<uint32_t>(tx_bytes_.size());
    tx.data = reinterpret_cast<const uint8_t *>(tx_bytes_.data());
    tx.expects_response = s.expect != Expect::none;
    tx.response_timeout_ns = s.expect == Expect::d_table || s.expect == Expect::m_table
                                 ? table_timeout_ns_
                                 : line_timeout_ns_;
    // Before ??D* and after one (its tail may still be coming), wait for a quiet line.
    tx.idle_before_ns = s.expect == Expect::d_table || drain_ ? kTableSilenceNs : kIdleNs;
    drain_ = false;
    tx.end_on_silence_ns = s.expect == Expect::d_table ? kTableSilenceNs : 0;
    tx.retries = s.expect == Expect::none ? 0 : retries_;
    step_sent_ = true;
    step_done_ = s.expect == Expect::none;
    if (s.expect == Expect::d_table) table_ = FormatParser(uid_);
    if (s.expect == Expect::m_table) m_first_ = -1;
    if (s.expect == Expect::none) {
        if (s.body == "@ @") unit_streaming_ = true;
        if (s.raw) unit_streaming_ = false;
        field_store_.clear();
        add_field_number("streaming", unit_streaming_ ? 1 : 0, "", true);
    }
    line_.clear();
    return ANYSERIAL_OK;
}

}  // namespace anyserial::alicat

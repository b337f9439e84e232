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
constexpr std::size_t kMaxLine = 512;

bool is_setpoint_stat(int stat) noexcept {
    return stat == 37 || stat == 36 || stat == 34 || stat == 38 || stat == 39 || stat == 345;
}

// Which reading an over-range mnemonic concerns (by statistic code).
uint64_t reading_flags(int stat, uint64_t frame_flags) {
    auto bit = [](const char *m) { return uint64_t{1} << flag_bit(m); };
    uint64_t mask = 0;
    if (stat == 5) mask = bit("MOV");
    if (stat == 4) mask = bit("VOV");
    if (stat == 2 || stat == 6 || stat == 7 || stat == 15 || stat == 344) mask = bit("POV");
    if (stat == 3) mask = bit("TOV");
    return frame_flags & mask;
}

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
    steps_.clear();
    return status;
}

// ---- begin / plan ----------------------------------------------------------------------

int32_t Session::begin(const anyserial_protocol_request_t &req) {
    steps_.clear();
    active_ = false;
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

int32_t Session::plan_command() {
    const std::string who = std::string("Alicat unit ") + uid_ + " (" +
                            (identity_.model.empty() ? "model unknown" : identity_.model) + ", " +
                            kind_name(kind_) + ", firmware " +
                            (firmware_.known ? firmware_.text : "unknown") + ")";
    auto unsupported = [&](const std::string &why) {
        return fail(ANYSERIAL_E_NOT_SUPPORTED,
                    command_ + " is not supported by " + who + ": " + why);
    };
    const bool numeric = firmware_.known && !firmware_.gp;
    const bool controller =
        is_controller(kind_) || (kind_ == Kind::unknown && setpoint_column() >= 0);
    const bool flow = is_flow(kind_) || (kind_ == Kind::unknown && format_.find_stat(5) >= 0);
    if (!firmware_.known)
        return unsupported("its firmware generation is unknown (VE and ??M* gave none)");
    const std::string gp = firmware_.gp ? "$$" : "";

    if (command_ == "setpoint.get" || command_ == "setpoint.set") {
        if (!controller) return unsupported("a meter has no setpoint");
        if (setpoint_column() < 0) return unsupported("its data frame has no setpoint column");
        if (command_ == "setpoint.get") {
            steps_.push_back(firmware_.at_least(9, 0) ? Step{Expect::ls, "LS"}
                                                      : Step{Expect::frame, ""});
            return ANYSERIAL_OK;
        }
        if (args_.empty() || args_[0].value_type != ANYSERIAL_VALUE_NUMBER ||
            !std::isfinite(args_[0].number))
            return fail(ANYSERIAL_E_INVALID_ARGUMENT, "setpoint.set needs a number `value`");
        const std::string v = format_arg(args_[0].number);
        if (firmware_.at_least(9, 0))
            steps_.push_back({Expect::ls, "LS " + v});
        else if (numeric)
            steps_.push_back({Expect::frame, "S " + v});
        else
            return unsupported("GP setpoint writes are not documented");
        return ANYSERIAL_OK;
    }
    if (command_ == "gas.get" || command_ == "gas.set") {
        if (!flow) return unsupported("only flow units select a gas");
        if (command_ == "gas.get") {
            if (firmware_.at_least(10, 5))
                steps_.push_back({Expect::gs, "GS"});
            else if (format_.find_stat(703) >= 0)
                steps_.push_back({Expect::frame, ""});
            else
                return unsupported(
                    "below 10v05 the gas is read from the frame, which has no gas column");
            return ANYSERIAL_OK;
        }
        const std::string g = arg_texts_.empty() ? "" : arg_texts_[0];
        int code = -1;
        if (!g.empty() && std::all_of(g.begin(), g.end(), [](char c) {
                return std::isdigit(static_cast<unsigned char>(c));
            }))
            code = g.size() <= 3 ? std::atoi(g.c_str()) : 256;
        else if (args_.size() == 1 && args_[0].value_type == ANYSERIAL_VALUE_INTEGER)
            code = static_cast<int>(args_[0].number);
        else
            code = gas_code(g);
        if (code < 0 || code > 255)
            return fail(ANYSERIAL_E_INVALID_ARGUMENT,
                        "gas '" + g +
                            "' is neither a code 0..255 nor a known short name (Air, Ar, CH4, CO, "
                            "CO2, C2H6, H2, He, N2, N2O, Ne, O2)");
        if (firmware_.at_least(10, 5))
            steps_.push_back({Expect::gs, "GS " + std::to_string(code)});
        else
            steps_.push_back({Expect::frame, gp + "G " + std::to_string(code)});
        return ANYSERIAL_OK;
    }
    if (command_ == "tare.flow" || command_ == "tare.pressure") {
        if (command_ == "tare.flow" && !flow)
            return unsupported("a pressure unit has no flow to tare");
        const std::string token = command_ == "tare.flow" ? "T" : "TP";
        // GP answers tares with silence (§1): a write with no reply.
        steps_.push_back(firmware_.gp ? Step{Expect::none, "$$" + token}
                                      : Step{Expect::frame, token});
        return ANYSERIAL_OK;
    }
    if (command_ == "valve.hold" || command_ == "valve.close" || command_ == "valve.release") {
        if (!controller) return unsupported("a meter has no valves");
        if (!numeric) return unsupported("GP valve commands are not documented");
        if (command_ != "valve.release" && !firmware_.at_least(5, 7))
            return unsupported("HP/HC need firmware 5v07 or later");
        const char *tok = command_ == "valve.hold" ? "HP" : command_ == "valve.close" ? "HC" : "C";
        steps_.push_back({Expect::frame, tok});
        return ANYSERIAL_OK;
    }
    if (command_ == "streaming.start") {
        if (!numeric) return unsupported("GP units do not stream");
        if (!args_.empty() && args_[0].value_type != ANYSERIAL_VALUE_ABSENT) {
            if (!firmware_.at_least(10, 5))
                return unsupported("NCS (the streaming interval) needs 10v05");
            const double ms = args_[0].number;
            if (!(ms >= 0 && ms <= 65535))
                return fail(ANYSERIAL_E_INVALID_ARGUMENT, "interval_ms must be 0..65535");
            steps_.push_back({Expect::ncs, "NCS " + std::to_string(static_cast<long>(ms))});
        }
        steps_.push_back({Expect::none, "@ @"});
        return ANYSERIAL_OK;
    }
    if (command_ == "streaming.stop") {
        steps_.push_back({Expect::none, std::string("@@ ") + uid_, true});
        return ANYSERIAL_OK;
    }
    return unsupported("unknown command");
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
    tx.idle_before_ns = s.expect == Expect::d_table ? kTableSilenceNs : kIdleNs;
    tx.end_on_silence_ns = s.expect == Expect::d_table ? kTableSilenceNs : 0;
    tx.retries = s.expect == Expect::none ? 0 : retries_;
    step_sent_ = true;
    step_done_ = s.expect == Expect::none;
    if (s.expect == Expect::d_table) table_ = FormatParser(uid_);
    if (s.expect == Expect::none) {
        if (s.body == "@ @") unit_streaming_ = true;
        if (s.raw) unit_streaming_ = false;
        field_store_.clear();
        add_field_number("streaming", unit_streaming_ ? 1 : 0, "", true);
    }
    line_.clear();
    return ANYSERIAL_OK;
}

// ---- receive -------------------------------------------------------------------------------

void Session::reset_receive() {
    line_.clear();
    table_ = FormatParser(uid_);
    if (!steps_.empty() && steps_.front().expect == Expect::m_table) identity_ = Identity{};
}

uint32_t Session::bad(anyserial_protocol_event_t &ev, uint32_t reason, std::string text) {
    event_text_ = std::move(text);
    ev.type = ANYSERIAL_EVENT_BAD_FRAME;
    ev.bad_frame_reason = reason;
    ev.reason = event_text_.c_str();
    ev.raw = reinterpret_cast<const uint8_t *>(event_raw_.data());
    ev.raw_len = static_cast<uint32_t>(event_raw_.size());
    return 0;
}

uint32_t Session::response(anyserial_protocol_event_t &ev) {
    step_done_ = true;
    ev.type = ANYSERIAL_EVENT_RESPONSE;
    ev.raw = reinterpret_cast<const uint8_t *>(event_raw_.data());
    ev.raw_len = static_cast<uint32_t>(event_raw_.size());
    return 0;
}

uint32_t Session::feed(std::span<const uint8_t> data, anyserial_protocol_event_t &ev) {
    if (data.empty()) {
        // End of input: the silence after a table.
        if (!streaming_protocol_ && step_sent_ && !step_done_ && !steps_.empty() &&
            steps_.front().expect == Expect::d_table) {
            line_.clear();
            Format f;
            const std::string why = table_.finish(f);
            event_raw_.clear();
            if (!why.empty()) return bad(ev, ANYSERIAL_BAD_FRAME_STRUCTURE, why);
            format_ = std::move(f);
            have_format_ = true;
            build_channels();
            return response(ev);
        }
        return 0;
    }
    for (std::size_t i = 0; i < data.size(); ++i) {
        const char c = static_cast<char>(data[i]);
        if (c == '\n') continue;
        if (c != '\r') {
            if (line_.size() >= kMaxLine) {
                event_raw_ = line_;
                line_.clear();
                bad(ev, ANYSERIAL_BAD_FRAME_STRUCTURE, "line longer than 512 bytes without a CR");
                return static_cast<uint32_t>(i + 1);
            }
            line_.push_back(c);
            continue;
        }
        std::string line;
        line.swap(line_);
        event_raw_ = line + '\r';
        handle_line(line, ev);
        if (ev.type != ANYSERIAL_EVENT_NEED_MORE) return static_cast<uint32_t>(i + 1);
    }
    return static_cast<uint32_t>(data.size());
}

uint32_t Session::handle_line(std::string_view raw_line, anyserial_protocol_event_t &ev) {
    if (has_high_bytes(raw_line))
        return bad(ev, ANYSERIAL_BAD_FRAME_STRUCTURE,
                   "byte >= 0x80 in a reply: line dropped as noise");
    const std::string clean = strip_backspaces(raw_line);
    const std::string_view line = clean;
    const auto t = split_spaces(line);

    if (streaming_protocol_) {
        if (t.empty()) return 0;
        if (!have_format_) choose_stream_format(line);
        Decoded d;
        std::string why;
        if (decode_frame(line, format_, 0, d, &why, true) != FrameError::none)
            return bad(ev, ANYSERIAL_BAD_FRAME_STRUCTURE, why);
        build_frame(d, event_raw_);
        event_frame_ = frame_;
        ev.type = ANYSERIAL_EVENT_FRAME;
        ev.frame = &event_frame_;
        return 0;
    }
    if (!step_sent_ || step_done_ || steps_.empty())
        return bad(ev, ANYSERIAL_BAD_FRAME_UNEXPECTED, "unsolicited line '" + clean + "'");
    if (t.empty()) return 0;  // the empty line before a 6v21 rejection
    const Expect expect = steps_.front().expect;
    const std::string sent = tx_bytes_.substr(0, tx_bytes_.size() - 1);
    if (is_rejection(line)) {
        if (t.size() == 2 && std::toupper(static_cast<unsigned char>(t[0][0])) != uid_)
            return bad(ev, ANYSERIAL_BAD_FRAME_ADDRESS,
                       "rejection from unit '" + std::string(t[0]) + "', expected '" + uid_ + "'");
        if (expect == Expect::m_table) {  // older units refuse ??M*: fall back on VE (§1)
            m_done_ = true;
            return response(ev);
        }
        event_text_ =
            std::string("Alicat unit ") + uid_ + " rejected '" + sent + "' (" + clean + ")";
        ev.type = ANYSERIAL_EVENT_EXCEPTION;
        ev.reason = event_text_.c_str();
        ev.raw = reinterpret_cast<const uint8_t *>(event_raw_.data());
        ev.raw_len = static_cast<uint32_t>(event_raw_.size());
        return 0;
    }
    const bool ours = t[0].size() == 1 && std::toupper(static_cast<unsigned char>(t[0][0])) == uid_;
    if (!ours)
        return bad(ev, ANYSERIAL_BAD_FRAME_ADDRESS,
                   "reply from unit '" + std::string(t[0]) + "', expected '" + uid_ + "'");
    switch (expect) {
        case Expect::probe:
            return response(ev);
        case Expect::m_table: {
            bool gp = false;
            const int code = apply_m_line(line, identity_, gp);
            if (code < 0)
                return bad(ev, ANYSERIAL_BAD_FRAME_STRUCTURE, "not a ??M* line: '" + clean + "'");
            if ((!gp && code == 9) || (gp && code == 8)) {
                m_done_ = true;
                kind_ = kind_from_model(identity_.model);
                firmware_ = parse_firmware(identity_.software);
                return response(ev);
            }
            return 0;
        }
        case Expect::ve: {
            const Firmware f = parse_firmware(line.substr(1));
            if (!f.known)
                return bad(ev, ANYSERIAL_BAD_FRAME_UNEXPECTED,
                           "VE reply without a version: '" + clean + "'");
            firmware_ = f;
            ve_done_ = true;
            return response(ev);
        }
        case Expect::d_table: {
            const std::string why = table_.add_line(line);
            if (!why.empty()) return bad(ev, ANYSERIAL_BAD_FRAME_STRUCTURE, why);
            return 0;
        }
        case Expect::frame: {
            Decoded d;
            std::string why;
            const FrameError e = decode_frame(line, format_, uid_, d, &why);
            if (e != FrameError::none)
                return bad(ev,
                           e == FrameError::address ? ANYSERIAL_BAD_FRAME_ADDRESS
                                                    : ANYSERIAL_BAD_FRAME_STRUCTURE,
                           why);
            build_frame(d, event_raw_);
            last_frame_ = d;
            field_store_.clear();
            if (command_ == "setpoint.get" || command_ == "setpoint.set") {
                const int col = setpoint_column();
                std::size_t k = 0;
                for (int i = 0; i < col; ++i)
                    k += format_.columns[static_cast<std::size_t>(i)].conditional ? 0 : 1;
                const Value &v = d.values[k];
                if (!v.absent)
                    add_field_number("setpoint", v.number,
                                     format_.columns[static_cast<std::size_t>(col)].unit);
            }
            if (command_.rfind("gas.", 0) == 0) {
                const int col = format_.find_stat(703);
                if (col >= 0) {
                    std::size_t k = 0;
                    for (int i = 0; i < col; ++i)
                        k += format_.columns[static_cast<std::size_t>(i)].conditional ? 0 : 1;
                    add_field_text("gas", d.values[k].text);
                    const int code = gas_code(d.values[k].text);
                    if (code >= 0) add_field_number("gas_code", code, "", true);
                }
            }
            if (command_.rfind("valve.", 0) == 0)
                add_field_number("valve_hold", (d.flags >> flag_bit("HLD")) & 1u, "", true);
            return response(ev);
        }
        case Expect::ls: {
            // <uid> <setpoint in force> <requested> <unit-code> <label>
            double in_force = 0, requested = 0;
            if (t.size() < 4 || !parse_number(t[1], in_force) || !parse_number(t[2], requested))
                return bad(ev, ANYSERIAL_BAD_FRAME_UNEXPECTED, "not an LS reply: '" + clean + "'");
            field_store_.clear();
            const std::string label = t.size() >= 5 ? std::string(t[4]) : "";
            add_field_number("setpoint", in_force, label);
            add_field_number("setpoint_requested", requested, label);
            return response(ev);
        }
        case Expect::gs: {
            // <uid> <code> <short> <long…>
            double code = 0;
            if (t.size() < 3 || !parse_number(t[1], code))
                return bad(ev, ANYSERIAL_BAD_FRAME_UNEXPECTED, "not a GS reply: '" + clean + "'");
            field_store_.clear();
            add_field_text("gas", std::string(t[2]));
            add_field_number("gas_code", code, "", true);
            std::string long_name;
            for (std::size_t i = 3; i < t.size(); ++i)
                long_name += (long_name.empty() ? "" : " ") + std::string(t[i]);
            if (!long_name.empty()) add_field_text("gas_name", long_name);
            return response(ev);
        }
        case Expect::ncs: {
            double ms = 0;
            if (t.size() != 2 || !parse_number(t[1], ms))
                return bad(ev, ANYSERIAL_BAD_FRAME_UNEXPECTED, "not an NCS reply: '" + clean + "'");
            return response(ev);
        }
        default:
            return bad(ev, ANYSERIAL_BAD_FRAME_UNEXPECTED, "unexpected line '" + clean + "'");
    }
}

// ---- channels, frames, results ---------------------------------------------------------------

void Session::build_channels() {
    channels_.clear();
    for (const Column &c : format_.columns) {
        if (c.conditional || c.stat == 700 || (&c == &format_.columns[0])) continue;
        ChannelStore s;
        s.id = c.id;
        s.name = c.name;
        s.unit = c.unit;
        s.text = c.text;
        s.kind = c.stat == 703              ? "gas"
                 : is_setpoint_stat(c.stat) ? "setpoint"
                 : c.text                   ? "text"
                                            : "measurement";
        channels_.push_back(std::move(s));
    }
}

void Session::choose_stream_format(std::string_view line) {
    // A streamed frame carries no layout: take the 10v20 controller's (or meter's) default
    // columns by the count of leading numbers, else number them (units unknown: §10).
    auto t = split_spaces(line);
    if (!line.empty() && line[0] != ' ' && !t.empty()) t.erase(t.begin());
    std::size_t numbers = 0;
    double v = 0;
    while (numbers < t.size() && (parse_number(t[numbers], v) || is_absent_token(t[numbers])))
        ++numbers;
    const bool gas = numbers < t.size() && flag_bit(t[numbers]) < 0;
    Format f;
    f.layout = Layout::default_layout;
    f.columns.push_back({700, "Unit ID", "unit_id", true, false, "", ""});
    if (numbers == 5 || numbers == 4) {
        const int stats[] = {2, 3, 4, 5, 37};
        const char *names[] = {"Abs Press", "Flow Temp", "Volu Flow", "Mass Flow",
                               "Mass Flow Setpt"};
        for (std::size_t i = 0; i < numbers; ++i)
            f.columns.push_back({stats[i], names[i], stat_id(stats[i]), false, false, "", ""});
    } else {
        for (std::size_t i = 0; i < numbers; ++i)
            f.columns.push_back({0, "Value " + std::to_string(i + 1),
                                 "value_" + std::to_string(i + 1), false, false, "", ""});
    }
    if (gas) f.columns.push_back({703, "Gas", "gas", true, false, "", ""});
    for (const FlagDef &d : flag_table())
        f.columns.push_back({702, "Status", "status", true, true, "", d.id});
    format_ = std::move(f);
    have_format_ = true;
    build_channels();
}

void Session::build_frame(const Decoded &d, std::string_view raw) {
    reading_store_.clear();
    std::size_t k = 0;
    for (const Column &c : format_.columns) {
        if (c.conditional) continue;
        const Value &v = d.values[k];
        if (k++ == 0) continue;  // the unit id
        ReadingStore r;
        r.channel = c.id;
        r.type = v.absent ? ANYSERIAL_VALUE_ABSENT
                 : c.text ? ANYSERIAL_VALUE_TEXT
                          : ANYSERIAL_VALUE_NUMBER;
        r.number = v.number;
        r.text = v.text;
        r.flags = reading_flags(c.stat, d.flags);
        reading_store_.push_back(std::move(r));
    }
    readings_.clear();
    for (const ReadingStore &r : reading_store_) {
        anyserial_reading_t x{};
        x.struct_size = sizeof x;
        x.value_type = r.type;
        x.channel = r.channel.c_str();
        x.number = r.number;
        x.text = r.type == ANYSERIAL_VALUE_TEXT ? r.text.c_str() : nullptr;
        x.flags = r.flags;
        readings_.push_back(x);
    }
    reading_ptrs_.clear();
    for (const anyserial_reading_t &x : readings_)
        reading_ptrs_.push_back(&x);
    frame_raw_ = std::string(raw);
    frame_ = anyserial_frame_t{};
    frame_.struct_size = sizeof frame_;
    frame_.reading_count = static_cast<uint32_t>(readings_.size());
    frame_.readings = reading_ptrs_.data();
    frame_.device_flags = d.flags;
    frame_.raw = reinterpret_cast<const uint8_t *>(frame_raw_.data());
    frame_.raw_len = static_cast<uint32_t>(frame_raw_.size());
    have_frame_ = true;
}

void Session::add_field_number(const char *id, double v, const std::string &unit, bool integer) {
    field_store_.push_back(
        {id, "", unit, integer ? ANYSERIAL_VALUE_INTEGER : ANYSERIAL_VALUE_NUMBER, v});
}

void Session::add_field_text(const char *id, const std::string &text) {
    field_store_.push_back({id, text, "", ANYSERIAL_VALUE_TEXT, 0});
}

int32_t Session::result(anyserial_protocol_result_t &out) {
    if (active_) return fail(ANYSERIAL_E_STATE, "result before the operation finished");
    out.op = req_.op;
    if (req_.op == ANYSERIAL_OP_IDENTIFY) {
        field_store_.clear();
        add_field_text(ANYSERIAL_FIELD_MANUFACTURER, identity_.manufacturer);
        add_field_text(ANYSERIAL_FIELD_MODEL, identity_.model);
        add_field_text(ANYSERIAL_FIELD_SERIAL_NUMBER, identity_.serial);
        add_field_text(ANYSERIAL_FIELD_FIRMWARE,
                       firmware_.known ? firmware_.text : identity_.software);
        add_field_text("kind", kind_name(kind_));
        add_field_text("layout", format_.layout == Layout::legacy ? "legacy" : "default");
    }
    fields_.clear();
    for (const FieldStore &f : field_store_) {
        anyserial_field_t x{};
        x.struct_size = sizeof x;
        x.value_type = f.type;
        x.id = f.id.c_str();
        x.number = f.number;
        x.text = f.type == ANYSERIAL_VALUE_TEXT ? f.text.c_str() : nullptr;
        x.unit = f.unit.empty() ? nullptr : f.unit.c_str();
        fields_.push_back(x);
    }
    field_ptrs_.clear();
    for (const anyserial_field_t &x : fields_)
        field_ptrs_.push_back(&x);
    out.field_count = static_cast<uint32_t>(fields_.size());
    out.fields = field_ptrs_.empty() ? nullptr : field_ptrs_.data();
    out.frame = have_frame_ && req_.op != ANYSERIAL_OP_PROBE && req_.op != ANYSERIAL_OP_IDENTIFY
                    ? &frame_
                    : nullptr;
    return ANYSERIAL_OK;
}

int32_t Session::get_channel(uint32_t index, anyserial_channel_info_t &out) const {
    if (index >= channels_.size()) return ANYSERIAL_E_NOT_FOUND;
    const ChannelStore &c = channels_[index];
    out.value_type = c.text ? ANYSERIAL_VALUE_TEXT : ANYSERIAL_VALUE_NUMBER;
    out.id = c.id.c_str();
    out.name = c.name.c_str();
    out.kind = c.kind.c_str();
    out.unit = c.unit.c_str();
    return ANYSERIAL_OK;
}

}  // namespace anyserial::alicat

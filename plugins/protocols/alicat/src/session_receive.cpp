// The receiving half of the Alicat session: lines in, events out, and the frames, fields
// and channel table they fill.
#include <algorithm>
#include <cctype>
#include <cstring>

#include "alicat/session.hpp"

namespace anyserial::alicat {

namespace {

constexpr std::size_t kMaxLine = 512;

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

// A gas short name as the poll frame prints it ("N2", "CO2", "C-25", "He-25"): a letter,
// then letters, digits, '-', '+', '_' or '.'.
bool gas_name_shape(std::string_view t) noexcept {
    if (t.empty() || std::isalpha(static_cast<unsigned char>(t[0])) == 0) return false;
    return std::all_of(t.begin(), t.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '+' ||
               c == '_' || c == '.';
    });
}

// A streamed frame carries no layout, so without the unit's ??D* table it is recognised by
// its shape alone (§10): the id slot (`@` or empty), one or more numbers, at most one gas
// name, then status mnemonics only. Anything else (another protocol's line) is not a frame.
std::string stream_shape_error(std::string_view line) {
    auto t = split_spaces(line);
    if (!line.empty() && line[0] != ' ') {
        if (t.empty() || t[0] != "@") return "streamed frame without `@` or a leading space";
        t.erase(t.begin());
    }
    std::size_t i = 0;
    double v = 0;
    while (i < t.size() && (parse_number(t[i], v) || is_absent_token(t[i])))
        ++i;
    if (i == 0) return "streamed frame without a leading number";
    if (i < t.size() && flag_bit(t[i]) < 0) {
        if (!gas_name_shape(t[i]))
            return "token '" + std::string(t[i]) + "' is neither a number nor a gas name";
        ++i;
    }
    for (; i < t.size(); ++i)
        if (flag_bit(t[i]) < 0)
            return "token '" + std::string(t[i]) + "' after the values is not a status mnemonic";
    return {};
}

}  // namespace

// ---- receive -------------------------------------------------------------------------------

void Session::reset_receive() {
    line_.clear();
    table_ = FormatParser(uid_);
    if (!steps_.empty() && steps_.front().expect == Expect::m_table) {
        identity_ = Identity{};
        m_first_ = -1;
    }
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
        // End of input: the silence after a table (transaction.end_on_silence_ns).
        if (!streaming_protocol_ && step_sent_ && !step_done_ && !steps_.empty() &&
            steps_.front().expect == Expect::d_table) {
            line_.clear();
            event_raw_.clear();
            return finish_table(ev);
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
    if (streaming_protocol_) return t.empty() ? 0 : on_stream_line(line, ev);
    if (!step_sent_ || step_done_ || steps_.empty())
        return bad(ev, ANYSERIAL_BAD_FRAME_UNEXPECTED, "unsolicited line '" + clean + "'");
    if (t.empty()) return 0;  // the empty line before a 6v21 rejection
    const Expect expect = steps_.front().expect;
    if (is_rejection(line)) return on_rejection(t, clean, ev);
    const bool ours = t[0].size() == 1 && std::toupper(static_cast<unsigned char>(t[0][0])) == uid_;
    if (!ours)
        return bad(ev, ANYSERIAL_BAD_FRAME_ADDRESS,
                   "reply from unit '" + std::string(t[0]) + "', expected '" + uid_ + "'");
    switch (expect) {
        case Expect::probe:
            return response(ev);
        case Expect::m_table:
            return on_m_line(line, ev);
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
            // Rows come in frame order and conditional columns trail the frame, so the first
            // conditional row means every channel is known: done, without waiting for the
            // silence that ends the table (the next request waits out its tail).
            return table_.last_conditional() ? finish_table(ev) : 0;
        }
        case Expect::frame:
            return on_frame(line, ev);
        default:
            return on_short_reply(expect, t, clean, ev);
    }
}

uint32_t Session::finish_table(anyserial_protocol_event_t &ev) {
    Format f;
    const std::string why = table_.finish(f);
    if (!why.empty()) return bad(ev, ANYSERIAL_BAD_FRAME_STRUCTURE, why);
    format_ = std::move(f);
    have_format_ = true;
    drain_ = true;
    build_channels();
    return response(ev);
}

uint32_t Session::on_stream_line(std::string_view line, anyserial_protocol_event_t &ev) {
    // The layout is guessed from the first well-shaped line, never from a foreign one.
    std::string why = stream_shape_error(line);
    if (!why.empty()) return bad(ev, ANYSERIAL_BAD_FRAME_STRUCTURE, why);
    if (!have_format_) choose_stream_format(line);
    Decoded d;
    if (decode_frame(line, format_, 0, d, &why, true) != FrameError::none)
        return bad(ev, ANYSERIAL_BAD_FRAME_STRUCTURE, why);
    build_frame(d, event_raw_);
    event_frame_ = frame_;
    ev.type = ANYSERIAL_EVENT_FRAME;
    ev.frame = &event_frame_;
    return 0;
}

uint32_t Session::on_rejection(const std::vector<std::string_view> &t, const std::string &clean,
                               anyserial_protocol_event_t &ev) {
    if (t.size() == 2 && std::toupper(static_cast<unsigned char>(t[0][0])) != uid_)
        return bad(ev, ANYSERIAL_BAD_FRAME_ADDRESS,
                   "rejection from unit '" + std::string(t[0]) + "', expected '" + uid_ + "'");
    if (steps_.front().expect == Expect::m_table) {  // older units refuse ??M*: VE next (§1)
        m_done_ = true;
        return response(ev);
    }
    const std::string sent = tx_bytes_.substr(0, tx_bytes_.size() - 1);
    event_text_ = std::string("Alicat unit ") + uid_ + " rejected '" + sent + "' (" + clean + ")";
    ev.type = ANYSERIAL_EVENT_EXCEPTION;
    ev.reason = event_text_.c_str();
    ev.raw = reinterpret_cast<const uint8_t *>(event_raw_.data());
    ev.raw_len = static_cast<uint32_t>(event_raw_.size());
    return 0;
}

uint32_t Session::on_m_line(std::string_view line, anyserial_protocol_event_t &ev) {
    bool gp = false;
    int code = apply_m_line(line, identity_, gp, m_first_ == 1);
    if (m_first_ < 0 && code == 1) code = apply_m_line(line, identity_, gp, true);
    if (code < 0)
        return bad(ev, ANYSERIAL_BAD_FRAME_STRUCTURE,
                   "not a ??M* line: '" + std::string(line) + "'");
    if (m_first_ < 0) m_first_ = code;
    // Last line: M09, GP's M8, or M10 when the unit numbers them M01..M10 (§7).
    if ((gp && code == 8) || (!gp && code == (m_first_ == 1 ? 10 : 9))) {
        m_done_ = true;
        kind_ = kind_from_model(identity_.model);
        firmware_ = parse_firmware(identity_.software);
        return response(ev);
    }
    return 0;
}

std::size_t Session::value_index(int column) const noexcept {
    std::size_t k = 0;
    for (int i = 0; i < column; ++i)
        k += format_.columns[static_cast<std::size_t>(i)].conditional ? 0 : 1;
    return k;
}

uint32_t Session::on_frame(std::string_view line, anyserial_protocol_event_t &ev) {
    Decoded d;
    std::string why;
    const FrameError e = decode_frame(line, format_, uid_, d, &why);
    if (e != FrameError::none)
        return bad(
            ev,
            e == FrameError::address ? ANYSERIAL_BAD_FRAME_ADDRESS : ANYSERIAL_BAD_FRAME_STRUCTURE,
            why);
    build_frame(d, event_raw_);
    field_store_.clear();
    // What the command reads back from the frame (below 9v/10v05 there is no query).
    if (command_ == "setpoint.get" || command_ == "setpoint.set") {
        const int col = setpoint_column();
        const Value &v = d.values[value_index(col)];
        if (!v.absent)
            add_field_number("setpoint", v.number,
                             format_.columns[static_cast<std::size_t>(col)].unit);
    }
    const int gas_col = format_.find_stat(703);
    if (command_.rfind("gas.", 0) == 0 && gas_col >= 0) {
        const std::string &gas = d.values[value_index(gas_col)].text;
        add_field_text("gas", gas);
        if (gas_code(gas) >= 0) add_field_number("gas_code", gas_code(gas), "", true);
    }
    if (command_.rfind("valve.", 0) == 0)
        add_field_number("valve_hold", (d.flags >> flag_bit("HLD")) & 1u, "", true);
    return response(ev);
}

uint32_t Session::on_short_reply(Expect expect, const std::vector<std::string_view> &t,
                                 const std::string &clean, anyserial_protocol_event_t &ev) {
    double a = 0, b = 0;
    field_store_.clear();
    if (expect == Expect::ls) {
        // <uid> <setpoint in force> <requested> <unit-code> <label>; a data frame here would
        // also start with two numbers: the unit code tells them apart.
        if (t.size() != 5 || !parse_number(t[1], a) || !parse_number(t[2], b) || !all_digits(t[3]))
            return bad(ev, ANYSERIAL_BAD_FRAME_UNEXPECTED, "not an LS reply: '" + clean + "'");
        add_field_number("setpoint", a, std::string(t[4]));
        add_field_number("setpoint_requested", b, std::string(t[4]));
        return response(ev);
    }
    if (expect == Expect::gs) {
        // <uid> <code> <short> <long…>
        if (t.size() < 3 || !all_digits(t[1]) || !parse_number(t[1], a))
            return bad(ev, ANYSERIAL_BAD_FRAME_UNEXPECTED, "not a GS reply: '" + clean + "'");
        add_field_text("gas", std::string(t[2]));
        add_field_number("gas_code", a, "", true);
        std::string long_name;
        for (std::size_t i = 3; i < t.size(); ++i)
            long_name += (long_name.empty() ? "" : " ") + std::string(t[i]);
        if (!long_name.empty()) add_field_text("gas_name", long_name);
        return response(ev);
    }
    if (expect == Expect::ncs && t.size() == 2 && all_digits(t[1])) return response(ev);
    return bad(ev, ANYSERIAL_BAD_FRAME_UNEXPECTED, "unexpected reply '" + clean + "'");
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
    // Leftover tokens that are no known mnemonic, kept raw (§8.2 step 3).
    unknown_status_.clear();
    for (const std::string &u : d.unknown)
        unknown_status_ += (unknown_status_.empty() ? "" : " ") + u;
    unknown_field_ = anyserial_field_t{};
    unknown_field_.struct_size = sizeof unknown_field_;
    unknown_field_.value_type = ANYSERIAL_VALUE_TEXT;
    unknown_field_.id = "unknown_status";
    unknown_field_.text = unknown_status_.c_str();
    unknown_field_ptr_ = &unknown_field_;
    frame_.field_count = unknown_status_.empty() ? 0 : 1;
    frame_.fields = unknown_status_.empty() ? nullptr : &unknown_field_ptr_;
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
    if (!done_) return fail(ANYSERIAL_E_STATE, "result without a finished operation");
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

#include "alicat/simulator.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace anyserial::alicat {

namespace {

// ANYSERIAL_SIM_FAULT_* (ext/simulator.h), kept numeric so this file needs no C header.
constexpr uint32_t kFaultCorrupt = 1, kFaultSilence = 2, kFaultException = 3, kFaultDrop = 4;

// The mnemonics a 10v20 controller advertises (thirteen status rows, §8.3) besides ADC.
constexpr const char *kStatusRows[] = {"EXH", "HLD", "LCK", "MOV", "VOV", "POV", "TOV",
                                       "OPL", "OVR", "TMF", "P2O", "COM", "GTA"};

std::string pad_right(std::string s, std::size_t n) {
    if (s.size() < n) s.append(n - s.size(), ' ');
    return s;
}
std::string pad_left(std::string s, std::size_t n) {
    if (s.size() < n) s.insert(0, n - s.size(), ' ');
    return s;
}

std::string number_or_dashes(const std::optional<double> &v) {
    return v ? format_number(*v, 7, 2, true) : std::string("--");
}

}  // namespace

Simulator::Simulator(char uid) : uid_(uid) {
    settle();
}

void Simulator::settle() {
    // Closed loop: the flow follows the setpoint; a hold freezes it; HC stops it.
    if (closed_)
        mass_flow_ = 0.0;
    else if (!hold_)
        mass_flow_ = setpoint_;
    if (mass_flow_) volu_flow_ = *mass_flow_ * 1.02;  // at 23.5 °C and 14.6 PSIA
}

bool Simulator::set_value(std::string_view channel, std::optional<double> v) {
    if (channel == "abs_press")
        abs_press_ = v;
    else if (channel == "flow_temp")
        flow_temp_ = v;
    else if (channel == "volu_flow")
        volu_flow_ = v;
    else if (channel == "mass_flow")
        mass_flow_ = v;
    else if (channel == "mass_flow_setpt" && v)
        setpoint_ = *v;
    else
        return false;
    return true;
}

bool Simulator::set_gas(int code) {
    if (gas_short_name(code).empty()) return false;
    gas_ = code;
    return true;
}

std::string Simulator::frame_line(bool streamed) const {
    std::string s = streamed ? std::string(" ") : std::string(1, uid_) + " ";
    s += number_or_dashes(abs_press_) + " " + number_or_dashes(flow_temp_) + " " +
         number_or_dashes(volu_flow_) + " " + number_or_dashes(mass_flow_) + " " +
         format_number(setpoint_, 7, 2, true) + " " + pad_left(gas_short_name(gas_), 6);
    uint64_t flags = status_;
    if (hold_ || closed_) flags |= uint64_t{1} << flag_bit("HLD");
    for (const char *m : kStatusRows)  // only what the table advertises (§8.3)
        if ((flags >> flag_bit(m)) & 1u) s += std::string(" ") + m;
    if ((flags >> flag_bit("ADC")) & 1u) s += " ADC";
    return s;
}

std::vector<std::string> Simulator::table_lines() const {
    const std::string u(1, uid_);
    std::vector<std::string> out;
    out.push_back(u +
                  " D00 ID_ NAME______________________ TYPE_______ WIDTH NOTES___________________");
    auto row = [&](int n, const char *stat, const char *name, const char *type, const char *width,
                   const std::string &notes) {
        char pos[8];
        std::snprintf(pos, sizeof pos, "D%02d", n);
        std::string line = u + " " + pos + " " + stat + " " + pad_right(name, 26) + " " +
                           pad_right(type, 11) + " " + pad_left(width, 5);
        if (!notes.empty()) line += " " + notes;
        out.push_back(line);
    };
    row(1, "700", "Unit ID", "string", "1", "");
    row(2, "002", "Abs Press", "s decimal", "7/2", "010 02 PSIA");
    row(3, "003", "Flow Temp", "s decimal", "7/2", "002 02 `C");
    row(4, "004", "Volu Flow", "s decimal", "7/2", "012 02 CCM");
    row(5, "005", "Mass Flow", "s decimal", "7/2", "012 02 SCCM");
    row(6, "037", "Mass Flow Setpt", "s decimal", "7/2", "012 02 SCCM");
    row(7, "703", "Gas", "string", "6", "");
    row(8, "701", "*Error", "string", "3", "ADC");
    int n = 9;
    for (const char *m : kStatusRows)
        row(n++, "702", "*Status", "string", "3", m);
    return out;
}

std::vector<std::string> Simulator::m_table_lines() const {
    const char *lines[] = {"M00 ALICAT SCIENTIFIC",
                           "M01 www.alicat.com",
                           "M02 Ph   520-290-6060",
                           "M03 info@alicat.com",
                           "M04 Model Number MC-100SCCM-D   ",
                           "M05 Serial Number 123456",
                           "M06 Date Manufactured 01/15/2025",
                           "M07 Date Calibrated   01/16/2025",
                           "M08 Calibrated By     AS",
                           "M09 Software Revision 10v20.0-R24"};
    std::vector<std::string> out;
    for (const char *l : lines)
        out.push_back(std::string(1, uid_) + "  " + l);  // two spaces after the id (§7)
    return out;
}

void Simulator::reply(std::string_view line) {
    if (fault_ == kFaultSilence) return;
    std::string s(line);
    if (fault_ == kFaultCorrupt && !s.empty()) s[s.size() / 2] = static_cast<char>(0xB0);  // noise
    tx_ += s;
    tx_ += '\r';
    ++replies_;
}

void Simulator::feed(uint64_t now_ns, std::string_view bytes) {
    for (char c : bytes) {
        if (c == '\n') continue;
        if (c != '\r') {
            if (rx_.size() < 256) rx_.push_back(c);
            continue;
        }
        std::string line;
        line.swap(rx_);
        handle(now_ns, line);
    }
}

void Simulator::handle(uint64_t now_ns, std::string_view line) {
    // Stop streaming: prefix-less `@@ <id>`, the id becoming the unit's (§10).
    if (line.substr(0, 2) == "@@") {
        const auto t = split_spaces(line.substr(2));
        if (streaming_ && t.size() == 1 && t[0].size() == 1 &&
            std::isalpha(static_cast<unsigned char>(t[0][0]))) {
            ++requests_;
            streaming_ = false;
            uid_ = static_cast<char>(std::toupper(static_cast<unsigned char>(t[0][0])));
        }
        return;
    }
    if (streaming_ || line.empty()) return;
    if (std::toupper(static_cast<unsigned char>(line[0])) != uid_) return;  // another unit's
    ++requests_;
    if (fault_ == kFaultDrop && fault_param_ > 0) {
        --fault_param_;
        return;
    }
    const std::string u(1, uid_);
    if (fault_ == kFaultException) return reply(u + " ?");
    std::string body(line.substr(1));
    for (char &c : body)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const auto t = split_spaces(body);
    const std::string_view cmd = t.empty() ? std::string_view{} : t[0];
    const std::size_t nargs = t.empty() ? 0 : t.size() - 1;

    if (body.empty()) return reply(frame_line());
    if (cmd == "VE" && nargs == 0) return reply(u + "   10v20.0-R24 Nov  5 2024,10:31:07");
    if (cmd == "??M*") {
        for (const std::string &l : m_table_lines())
            reply(l);
        return;
    }
    if (cmd == "??D*") {
        for (const std::string &l : table_lines())
            reply(l);
        return;
    }
    if ((cmd == "LS" || cmd == "GS" || cmd == "NCS") && nargs <= 2) return answer_setting(t);
    if ((cmd == "T" || cmd == "TP") && nargs <= 1) {
        if (cmd == "T" && nargs == 0 && !hold_ && !closed_ && setpoint_ == 0) mass_flow_ = 0.0;
        return reply(frame_line());
    }
    if (cmd == "HP" && nargs == 0) {
        hold_ = true;
        return reply(frame_line());
    }
    if (cmd == "HC" && nargs == 0) {
        closed_ = true;
        settle();
        return reply(frame_line());
    }
    if (cmd == "C" && nargs == 0) {
        hold_ = closed_ = false;
        settle();
        return reply(frame_line());
    }
    if (cmd == "@" && nargs == 1 && t[1] == "@") {
        streaming_ = true;
        next_frame_ns_ = now_ns;
        return;
    }
    // Everything else, including the pre-9v `S` and pre-10v05 `G` this generation does
    // not use: a rejection, so a client that picks the wrong token is caught.
    reply(u + " ?");
}

// The query and set forms of LS, GS and NCS (reply: the value in force, or `<id> ?`).
void Simulator::answer_setting(const std::vector<std::string_view> &t) {
    const std::string u(1, uid_);
    const std::string_view cmd = t[0];
    const std::size_t nargs = t.size() - 1;
    double v = 0;
    if (cmd == "LS") {
        if (nargs > 1) return reply(u + " ?");
        if (nargs == 1) {
            if (!parse_number(t[1], v) || v < 0 || v > full_scale) return reply(u + " ?");
            setpoint_ = v;
            settle();
        }
        return reply(u + " " + format_number(setpoint_, 7, 2, true) + " " +
                     format_number(setpoint_, 7, 2, true) + " 12 SCCM");
    }
    if (cmd == "GS") {
        if (nargs >= 1) {
            if (!parse_number(t[1], v) || v != static_cast<int>(v) || !set_gas(static_cast<int>(v)))
                return reply(u + " ?");
        }
        return reply(u + " " + std::to_string(gas_) + " " + gas_short_name(gas_) + " " +
                     gas_long_name(gas_));
    }
    if (cmd == "NCS") {
        if (nargs > 1) return reply(u + " ?");
        if (nargs == 1) {
            if (!parse_number(t[1], v) || v < 0 || v > 65535) return reply(u + " ?");
            interval_ms_ = static_cast<uint32_t>(v);
        }
        return reply(u + " " + std::to_string(interval_ms_));
    }
    reply(u + " ?");
}

std::size_t Simulator::poll_output(uint64_t now_ns, char *buf, std::size_t cap, uint64_t &next_ns) {
    if (streaming_ && now_ns >= next_frame_ns_ && fault_ != kFaultSilence) {
        tx_ += frame_line(true);
        tx_ += '\r';
        ++frames_;
        const uint64_t step = uint64_t{std::max<uint32_t>(interval_ms_, 1)} * 1'000'000u;
        // Fixed rate; after a gap (or a start at time 0) resume from now, never a burst.
        next_frame_ns_ += step;
        if (next_frame_ns_ <= now_ns) next_frame_ns_ = now_ns + step;
    }
    const std::size_t n = std::min(cap, tx_.size());
    std::memcpy(buf, tx_.data(), n);
    tx_.erase(0, n);
    next_ns = !tx_.empty() ? now_ns : streaming_ ? next_frame_ns_ : UINT64_MAX;
    return n;
}

}  // namespace anyserial::alicat

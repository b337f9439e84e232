#include "alicat/codec.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace anyserial::alicat {

std::vector<std::string_view> split_spaces(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && line[i] == ' ')
            ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ')
            ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

std::string strip_backspaces(std::string_view line) {
    std::string out;
    out.reserve(line.size());
    for (char c : line)
        if (c != '\b') out.push_back(c);
    return out;
}

bool has_high_bytes(std::string_view line) noexcept {
    return std::any_of(line.begin(), line.end(),
                       [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

bool is_rejection(std::string_view line) noexcept {
    const auto t = split_spaces(line);
    if (t.size() == 1) return t[0] == "?";
    return t.size() == 2 && t[0].size() == 1 && std::isalpha(static_cast<unsigned char>(t[0][0])) &&
           t[1] == "?";
}

bool parse_number(std::string_view token, double &out) noexcept {
    if (token.empty()) return false;
    std::size_t i = 0;
    bool neg = false;
    if (token[0] == '+' || token[0] == '-') {
        neg = token[0] == '-';
        i = 1;
    }
    bool digit = false;
    for (std::size_t k = i; k < token.size(); ++k) {
        const char c = token[k];
        if (std::isdigit(static_cast<unsigned char>(c)))
            digit = true;
        else if (c != '.')
            return false;
    }
    if (!digit || std::count(token.begin(), token.end(), '.') > 1) return false;
    const std::string s(token.substr(i));
    char *end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end == nullptr || *end != '\0') return false;
    out = neg ? -v : v;
    return true;
}

bool all_digits(std::string_view token) noexcept {
    return !token.empty() &&
           std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_setpoint_stat(int stat) noexcept {
    return stat == 37 || stat == 36 || stat == 34 || stat == 38 || stat == 39 || stat == 345;
}

bool is_absent_token(std::string_view token) noexcept {
    return token.size() >= 2 &&
           std::all_of(token.begin(), token.end(), [](char c) { return c == '-'; });
}

// ---- flags ---------------------------------------------------------------------------------

const std::vector<FlagDef> &flag_table() {
    static const std::vector<FlagDef> table = {
        {"ADC", "Internal ADC / communication error", 3},
        {"EXH", "Exhaust override (valves venting)", 2},
        {"HLD", "Valve hold (control suspended)", 1},
        {"LCK", "Front panel locked", 1},
        {"MOV", "Mass flow over range", 2},
        {"VOV", "Volumetric flow over range", 2},
        {"POV", "Pressure over range", 2},
        {"TOV", "Temperature over range", 2},
        {"OPL", "Over-pressure limit engaged", 2},
        {"OVR", "Totalizer rolled over or stopped", 1},
        {"TMF", "Totalizer missed flow", 2},
        {"P2O", "Second pressure over range", 2},
        {"COM", "Communication fault", 3},
        {"GTA", "GTA status", 1},
        {"VTM", "VTM status", 2},
    };
    return table;
}

int flag_bit(std::string_view mnemonic) noexcept {
    const auto &t = flag_table();
    for (std::size_t i = 0; i < t.size(); ++i)
        if (mnemonic == t[i].id) return static_cast<int>(i);
    return -1;
}

// ---- format ----------------------------------------------------------------------------------

std::size_t Format::non_conditional() const noexcept {
    return static_cast<std::size_t>(std::count_if(columns.begin(), columns.end(),
                                                  [](const Column &c) { return !c.conditional; }));
}

int Format::find_stat(int stat) const noexcept {
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (columns[i].stat == stat) return static_cast<int>(i);
    return -1;
}

bool Format::has_mnemonic(std::string_view m) const noexcept {
    return std::any_of(columns.begin(), columns.end(),
                       [&](const Column &c) { return c.conditional && c.mnemonic == m; });
}

std::string snake_case(std::string_view name) {
    std::string out;
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u)) {
            out.push_back(static_cast<char>(std::tolower(u)));
        } else if (!out.empty() && out.back() != '_') {
            out.push_back('_');
        }
    }
    while (!out.empty() && out.back() == '_')
        out.pop_back();
    return out.empty() ? "column" : out;
}

std::string stat_id(int stat) {
    switch (stat) {
        case 2:
            return "abs_press";
        case 3:
            return "flow_temp";
        case 4:
            return "volu_flow";
        case 5:
            return "mass_flow";
        case 37:
            return "mass_flow_setpt";
        case 700:
            return "unit_id";
        case 703:
            return "gas";
        default:
            return "";
    }
}

namespace {

std::string unit_label(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '`')
            out += "\xC2\xB0";  // the backtick stands for the degree sign (§8.1)
        else
            out.push_back(c);
    }
    return out;
}

std::string join(const std::vector<std::string_view> &t, std::size_t from, std::size_t to) {
    std::string out;
    for (std::size_t i = from; i < to && i < t.size(); ++i) {
        if (!out.empty()) out.push_back(' ');
        out.append(t[i]);
    }
    return out;
}

bool is_d_code(std::string_view t) {
    return t.size() >= 2 && t[0] == 'D' && std::all_of(t.begin() + 1, t.end(), [](char c) {
               return std::isdigit(static_cast<unsigned char>(c));
           });
}

int legacy_stat(std::string_view name) {
    struct M {
        const char *name;
        int stat;
    };
    static const std::array<M, 9> map{{{"Unit ID", 700},
                                       {"Pressure", 2},
                                       {"Temperature", 3},
                                       {"Volumetric", 4},
                                       {"Mass", 5},
                                       {"SetPoint", 37},
                                       {"Gas", 703},
                                       {"Error", 701},
                                       {"Status", 702}}};
    for (const M &m : map)
        if (name == m.name) return m.stat;
    return 0;
}

}  // namespace

std::string FormatParser::add_line(std::string_view line) {
    const auto t = split_spaces(line);
    if (t.empty()) return "empty line in the ??D* table";
    if (t[0].size() != 1 || std::toupper(static_cast<unsigned char>(t[0][0])) != uid_)
        return "??D* line from unit '" + std::string(t[0]) + "', expected '" +
               std::string(1, uid_) + "'";
    if (t.size() < 3 || !is_d_code(t[1])) return "not a ??D* line: '" + std::string(line) + "'";
    if (format_.layout == Layout::unknown) {
        // The header picks the layout by its third token (§8.1).
        if (t[1] != "D00") return "??D* table without its D00 header";
        if (t[2].substr(0, 3) == "ID_")
            format_.layout = Layout::default_layout;
        else if (t[2].substr(0, 4) == "NAME")
            format_.layout = Layout::legacy;
        else
            return "unknown ??D* header '" + std::string(t[2]) + "'";
        return {};
    }
    if (format_.columns.size() >= 64) return "??D* table longer than 64 rows";
    return format_.layout == Layout::default_layout ? add_default(t) : add_legacy(t);
}

std::string FormatParser::add_default(const std::vector<std::string_view> &t) {
    // <uid> D<nn> <stat> <name…> <type> <width> [<unit-code> <nn> <label> | <mnemonic>]
    std::size_t type_at = 0;
    for (std::size_t i = 4; i < t.size(); ++i)
        if (t[i] == "string" || t[i] == "decimal") {
            type_at = i;
            break;
        }
    if (type_at == 0 || type_at + 1 >= t.size() || t[2].size() != 3)
        return "malformed ??D* row '" + join(t, 0, t.size()) + "'";
    Column c;
    c.stat = std::atoi(std::string(t[2]).c_str());
    const bool is_signed = t[type_at] == "decimal" && t[type_at - 1] == "s";
    std::string name = join(t, 3, is_signed ? type_at - 1 : type_at);
    if (!name.empty() && name[0] == '*') {
        c.conditional = true;
        name.erase(0, 1);
    }
    c.name = name;
    c.text = t[type_at] == "string";
    const std::size_t notes = type_at + 2;
    if (c.conditional) {
        if (notes < t.size()) c.mnemonic = std::string(t[notes]);
    } else if (!c.text && notes + 2 < t.size()) {
        c.unit = unit_label(join(t, notes + 2, t.size()));
    }
    const std::string canonical = stat_id(c.stat);
    c.id = canonical.empty() ? snake_case(c.name) : canonical;
    format_.columns.push_back(std::move(c));
    return {};
}

std::string FormatParser::add_legacy(const std::vector<std::string_view> &t) {
    // <uid> D<nn> <name…> <type> <min> <max> <units>
    if (t.size() < 7) return "malformed legacy ??D* row '" + join(t, 0, t.size()) + "'";
    const std::size_t n = t.size();
    Column c;
    c.name = join(t, 2, n - 4);
    c.stat = legacy_stat(c.name);
    const std::string_view type = t[n - 4];
    c.text = type == "string" || type == "char" || c.stat == 700 || c.stat == 703;
    if (c.stat == 701 || c.stat == 702) {
        c.conditional = true;
        c.text = true;
        c.mnemonic = std::string(t[n - 2]);
    }
    if (!c.text && t[n - 1] != "na") c.unit = unit_label(t[n - 1]);
    const std::string canonical = stat_id(c.stat);
    c.id = canonical.empty() ? snake_case(c.name) : canonical;
    format_.columns.push_back(std::move(c));
    return {};
}

std::string FormatParser::finish(Format &out) const {
    if (format_.layout == Layout::unknown) return "??D* reply without a header";
    if (format_.columns.empty()) return "??D* table without rows";
    if (format_.columns[0].conditional || !format_.columns[0].text)
        return "??D* table: the first column is not the unit id";
    out = format_;
    // Channel ids stay unique within the session.
    for (std::size_t i = 1; i < out.columns.size(); ++i) {
        int n = 1;
        const std::string base = out.columns[i].id;
        for (std::size_t j = 0; j < i; ++j)
            if (out.columns[j].id == out.columns[i].id) {
                out.columns[i].id = base + "_" + std::to_string(++n);
                j = static_cast<std::size_t>(-1);
            }
    }
    return {};
}

// ---- frames ----------------------------------------------------------------------------------

FrameError decode_frame(std::string_view line, const Format &format, char expect_uid, Decoded &out,
                        std::string *why, bool streaming) {
    auto fail = [&](FrameError e, std::string text) {
        if (why != nullptr) *why = std::move(text);
        return e;
    };
    out = Decoded{};
    if (has_high_bytes(line)) return fail(FrameError::structure, "byte >= 0x80 in the line");
    std::vector<std::string_view> t = split_spaces(line);
    static constexpr std::string_view at = "@";
    if (streaming) {
        // The id slot holds `@` or is empty (a leading space): substitute it (§10).
        if (!line.empty() && line[0] == ' ')
            t.insert(t.begin(), at);
        else if (t.empty() || t[0] != "@")
            return fail(FrameError::structure, "streamed frame without `@` or a leading space");
    }
    if (t.empty()) return fail(FrameError::structure, "empty line");
    if (!streaming) {
        if (t[0].size() != 1 || !std::isalpha(static_cast<unsigned char>(t[0][0])))
            return fail(FrameError::structure,
                        "no unit id at the start of '" + std::string(line) + "'");
        const char uid = static_cast<char>(std::toupper(static_cast<unsigned char>(t[0][0])));
        if (expect_uid != 0 && uid != expect_uid)
            return fail(FrameError::address, std::string("frame from unit '") + uid +
                                                 "', expected '" + expect_uid + "'");
        out.uid = uid;
    } else {
        out.uid = '@';
    }
    const std::size_t need = format.non_conditional();
    if (t.size() < need)
        return fail(FrameError::structure, "truncated frame: " + std::to_string(t.size()) +
                                               " columns, the format has " + std::to_string(need));
    std::size_t k = 0;
    for (const Column &c : format.columns) {
        if (c.conditional) continue;
        Value v;
        const std::string_view tok = t[k++];
        if (k == 1) {
            v.text = std::string(1, out.uid);
        } else if (is_absent_token(tok)) {
            v.absent = true;
        } else if (c.text) {
            v.text = std::string(tok);
        } else if (!parse_number(tok, v.number)) {
            return fail(FrameError::structure,
                        "column '" + c.name + "': '" + std::string(tok) + "' is not a number");
        }
        out.values.push_back(std::move(v));
    }
    for (; k < t.size(); ++k) {
        const int bit = flag_bit(t[k]);
        if (bit >= 0) {
            out.status.emplace_back(t[k]);
            out.flags |= uint64_t{1} << bit;
        } else {
            out.unknown.emplace_back(t[k]);
        }
    }
    return FrameError::none;
}

std::string format_number(double v, int width, int decimals, bool is_signed) {
    char digits[64];
    std::snprintf(digits, sizeof digits, "%.*f", decimals, std::fabs(v));
    std::string body(digits);
    const int room = width - (is_signed ? 1 : 0);
    if (static_cast<int>(body.size()) < room)
        body.insert(0, static_cast<std::size_t>(room) - body.size(), '0');
    if (!is_signed) return body;
    return std::string(1, v < 0 ? '-' : '+') + body;
}

}  // namespace anyserial::alicat

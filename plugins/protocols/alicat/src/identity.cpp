// Identification (§7) and the gas list (§9): VE and ??M* lines, the kind of a model.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "alicat/codec.hpp"

namespace anyserial::alicat {

// ---- identification --------------------------------------------------------------------------

Firmware parse_firmware(std::string_view text) {
    Firmware f;
    for (std::string_view tok : split_spaces(text)) {
        if (tok.substr(0, 2) == "GP") {
            f.known = f.gp = true;
            f.text = std::string(tok);
            return f;
        }
        std::size_t i = 0;
        while (i < tok.size() && std::isdigit(static_cast<unsigned char>(tok[i])))
            ++i;
        if (i == 0 || i >= tok.size() || (tok[i] != 'v' && tok[i] != 'V')) continue;
        std::size_t j = i + 1;
        while (j < tok.size() && std::isdigit(static_cast<unsigned char>(tok[j])))
            ++j;
        if (j == i + 1) continue;
        std::from_chars(tok.data(), tok.data() + i, f.major);
        std::from_chars(tok.data() + i + 1, tok.data() + j, f.minor);
        f.known = true;
        f.text = std::string(tok);
        return f;
    }
    return f;
}

Kind kind_from_model(std::string_view model) {
    struct P {
        const char *prefix;
        Kind kind;
    };
    // Longest matching prefix wins (§1).
    static const std::array<P, 46> table{{
        {"M-", Kind::gas_flow_meter},
        {"MS-", Kind::gas_flow_meter},
        {"MQ-", Kind::gas_flow_meter},
        {"MW-", Kind::gas_flow_meter},
        {"MB-", Kind::gas_flow_meter},
        {"MBS-", Kind::gas_flow_meter},
        {"MWB-", Kind::gas_flow_meter},
        {"B-", Kind::gas_flow_meter},
        {"MC", Kind::gas_flow_controller},
        {"SFF-", Kind::gas_flow_controller},
        {"BC-", Kind::gas_flow_controller},
        {"P-", Kind::pressure_meter},
        {"PB-", Kind::pressure_meter},
        {"PS-", Kind::pressure_meter},
        {"EP-", Kind::pressure_meter},
        {"PC-", Kind::pressure_controller},
        {"PCS-", Kind::pressure_controller},
        {"PCD-", Kind::pressure_controller},
        {"PCRD-", Kind::pressure_controller},
        {"PC3-", Kind::pressure_controller},
        {"PCH-", Kind::pressure_controller},
        {"PCP-", Kind::pressure_controller},
        {"PCR-", Kind::pressure_controller},
        {"PCAS-", Kind::pressure_controller},
        {"EPC-", Kind::pressure_controller},
        {"EPCD-", Kind::pressure_controller},
        {"IVC-", Kind::pressure_controller},
        {"PCS", Kind::pressure_controller},
        {"EPCS-", Kind::pressure_controller},
        {"IVCS-", Kind::pressure_controller},
        {"L-", Kind::liquid_meter},
        {"LB-", Kind::liquid_meter},
        {"LC-", Kind::liquid_controller},
        {"LCR-", Kind::liquid_controller},
        {"LCS-", Kind::liquid_controller},
        {"K-", Kind::coda_meter},
        {"KM-", Kind::coda_meter},
        {"KC-", Kind::coda_controller},
        {"KF-", Kind::coda_controller},
        {"KG-", Kind::coda_controller},
        {"MCR", Kind::gas_flow_controller},
        {"MCD", Kind::gas_flow_controller},
        {"MCS", Kind::gas_flow_controller},
        {"MCQ", Kind::gas_flow_controller},
        {"MCW", Kind::gas_flow_controller},
        {"MCV", Kind::gas_flow_controller},
    }};
    Kind best = Kind::unknown;
    std::size_t best_len = 0;
    for (const P &p : table) {
        const std::string_view pre(p.prefix);
        if (model.substr(0, pre.size()) == pre && pre.size() > best_len) {
            best = p.kind;
            best_len = pre.size();
        }
    }
    return best;
}

bool is_controller(Kind k) noexcept {
    return k == Kind::gas_flow_controller || k == Kind::pressure_controller ||
           k == Kind::liquid_controller || k == Kind::coda_controller;
}

bool is_flow(Kind k) noexcept {
    return k != Kind::pressure_meter && k != Kind::pressure_controller && k != Kind::unknown;
}

const char *kind_name(Kind k) noexcept {
    switch (k) {
        case Kind::gas_flow_meter:
            return "gas flow meter";
        case Kind::gas_flow_controller:
            return "gas flow controller";
        case Kind::pressure_meter:
            return "pressure meter";
        case Kind::pressure_controller:
            return "pressure controller";
        case Kind::liquid_meter:
            return "liquid flow meter";
        case Kind::liquid_controller:
            return "liquid flow controller";
        case Kind::coda_meter:
            return "CODA meter";
        case Kind::coda_controller:
            return "CODA controller";
        default:
            return "unknown kind";
    }
}

namespace {

std::string trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    return std::string(s);
}

// Strip `label` (and the spaces after it) from a payload when it starts with it.
std::string after_label(std::string_view payload, std::string_view label) {
    const std::string p = trim(payload);
    if (p.size() >= label.size() && std::string_view(p).substr(0, label.size()) == label)
        return trim(std::string_view(p).substr(label.size()));
    return p;
}

}  // namespace

int apply_m_line(std::string_view line, Identity &id, bool &gp_style, bool one_based) {
    const auto t = split_spaces(line);
    if (t.size() < 2 || t[1].size() < 2 || t[1][0] != 'M') return -1;
    int code = 0;
    const auto digits = t[1].substr(1);
    const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code);
    if (ec != std::errc{} || p != digits.data() + digits.size()) return -1;
    const std::size_t at = line.find(t[1]) + t[1].size();
    const std::string_view payload = line.substr(std::min(at, line.size()));
    gp_style = digits.size() == 1;
    if (!gp_style) {
        // By label, so both numberings (M00..M09, older M01..M10) read the same (§7).
        const std::string text = trim(payload);
        if (code == (one_based ? 1 : 0)) id.manufacturer = text;
        if (text.rfind("Model Number", 0) == 0) id.model = after_label(text, "Model Number");
        if (text.rfind("Serial Number", 0) == 0) id.serial = after_label(text, "Serial Number");
        if (text.rfind("Software Revision", 0) == 0)
            id.software = after_label(text, "Software Revision");
    } else {
        // GP: M0..M8 with short labels.
        const std::string p2 = trim(payload);
        if (code == 0) id.manufacturer = p2;
        if (p2.rfind("Mdl", 0) == 0) id.model = after_label(p2, "Mdl");
        if (p2.rfind("Serial No.", 0) == 0) id.serial = after_label(p2, "Serial No.");
        if (p2.rfind("Software", 0) == 0) id.software = after_label(p2, "Software");
    }
    return code;
}

// ---- gases -----------------------------------------------------------------------------------

namespace {
struct Gas {
    const char *short_name;
    const char *long_name;
};
const std::array<Gas, 12> kGases{{{"Air", "Air"},
                                  {"Ar", "Argon"},
                                  {"CH4", "Methane"},
                                  {"CO", "Carbon Monoxide"},
                                  {"CO2", "Carbon Dioxide"},
                                  {"C2H6", "Ethane"},
                                  {"H2", "Hydrogen"},
                                  {"He", "Helium"},
                                  {"N2", "Nitrogen"},
                                  {"N2O", "Nitrous Oxide"},
                                  {"Ne", "Neon"},
                                  {"O2", "Oxygen"}}};
}  // namespace

std::string gas_short_name(int code) {
    return code >= 0 && code < static_cast<int>(kGases.size()) ? kGases[code].short_name : "";
}
std::string gas_long_name(int code) {
    return code >= 0 && code < static_cast<int>(kGases.size()) ? kGases[code].long_name : "";
}
int gas_code(std::string_view short_name) {
    for (std::size_t i = 0; i < kGases.size(); ++i) {
        const std::string_view n(kGases[i].short_name);
        if (n.size() == short_name.size() &&
            std::equal(n.begin(), n.end(), short_name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
            }))
            return static_cast<int>(i);
    }
    return -1;
}

}  // namespace anyserial::alicat

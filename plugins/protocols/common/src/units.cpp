#include "anyserial/servomex/units.hpp"

#include "anyserial/servomex/charset.hpp"

namespace anyserial::servomex {

namespace {
bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}
}  // namespace

ParsedUnit parse_unit(std::string_view raw) noexcept {
    const std::string_view t = trim_field(raw);
    for (uint32_t kind : {ANYSERIAL_UNIT_PERCENT, ANYSERIAL_UNIT_VPM, ANYSERIAL_UNIT_PPM,
                          ANYSERIAL_UNIT_MILLIAMP}) {
        if (equal_ignoring_case(t, unit_text(kind))) return {kind, unit_text(kind)};
    }
    return {ANYSERIAL_UNIT_UNKNOWN, t};
}

std::string_view unit_text(uint32_t kind) noexcept {
    switch (kind) {
        case ANYSERIAL_UNIT_PERCENT:
            return "%";
        case ANYSERIAL_UNIT_VPM:
            return "vpm";
        case ANYSERIAL_UNIT_PPM:
            return "ppm";
        case ANYSERIAL_UNIT_MILLIAMP:
            return "mA";
        default:
            return "";
    }
}

}  // namespace anyserial::servomex

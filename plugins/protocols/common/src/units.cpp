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
    for (UnitKind kind : {UnitKind::percent, UnitKind::vpm, UnitKind::ppm, UnitKind::milliamp}) {
        if (equal_ignoring_case(t, unit_text(kind))) return {kind, unit_text(kind)};
    }
    return {UnitKind::unknown, t};
}

std::string_view unit_text(UnitKind kind) noexcept {
    switch (kind) {
        case UnitKind::percent:
            return "%";
        case UnitKind::vpm:
            return "vpm";
        case UnitKind::ppm:
            return "ppm";
        case UnitKind::milliamp:
            return "mA";
        case UnitKind::unknown:
            break;
    }
    return "";
}

}  // namespace anyserial::servomex

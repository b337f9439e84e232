// Unit text of a channel: "%", "vpm", "ppm", "mA"; anything else is "unknown" with the
// raw trimmed text kept, so an odd unit never fails a frame. Matching ignores ASCII case
// ("MA" is mA, "VPM" is vpm); a known unit comes back in its canonical spelling.
#pragma once

#include <cstdint>
#include <string_view>

namespace anyserial::servomex {

// The units the 4100 knows; the ABI carries units as text only.
enum class UnitKind : uint32_t { unknown, percent, vpm, ppm, milliamp };

struct ParsedUnit {
    UnitKind kind = UnitKind::unknown;
    std::string_view text;  // canonical text for known units, else the trimmed input
};

// Parse unit text as sent by the device (spaces/NULs around it are ignored). For an
// unknown unit, text views into `raw`.
ParsedUnit parse_unit(std::string_view raw) noexcept;

// Canonical text of a known unit kind ("" for unknown).
std::string_view unit_text(UnitKind kind) noexcept;

}  // namespace anyserial::servomex

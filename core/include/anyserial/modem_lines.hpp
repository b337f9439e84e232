// anyserial — modem and control line state (seed §20).
#pragma once

#include <cstdint>

namespace anyserial {

struct ModemLines {
    bool cts = false;  // inputs
    bool dsr = false;
    bool ri = false;
    bool cd = false;
    bool rts = false;  // outputs as last set
    bool dtr = false;
    static ModemLines from_bits(std::uint32_t bits) noexcept;
    bool operator==(const ModemLines &) const = default;
};

}  // namespace anyserial

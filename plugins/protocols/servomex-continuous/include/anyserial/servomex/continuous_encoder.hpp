// Continuous ASCII mode, device side: render the bank as one frame line. Used by the
// simulator only; shares no code with the decoder beyond the registry and status bits.
#pragma once

#include <cstdint>
#include <string>

#include "anyserial/servomex/bank.hpp"

namespace anyserial::servomex {

// Wall-clock text of the analyser, "DD-MM-YY" and "HH:MM:SS".
struct ContinuousClock {
    char date[9] = "06-10-20";
    char time[9] = "02:54:12";
};

// The clock `elapsed_s` seconds after 2020-10-06 02:54:12 (the spec frame's stamp).
ContinuousClock clock_after(uint64_t elapsed_s) noexcept;

// Render the populated slots of the bank as one frame, CR LF included, replacing out's
// contents (reusing its capacity). checksum_delta is added to the checksum (0 = correct).
void format_continuous_frame(const Bank &bank, const ContinuousClock &clock, std::string &out,
                             uint16_t checksum_delta = 0);

}  // namespace anyserial::servomex

#include "anyserial/servomex/continuous_encoder.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "anyserial/servomex/charset.hpp"
#include "anyserial/servomex/status.hpp"

namespace anyserial::servomex {

namespace {

// Value field: 6 chars right-justified; mA with 1 decimal, gas units with 3, fewer when
// the number is too wide; over-range as non-numeric text.
void append_value(std::string &out, const BankChannel &c) {
    char text[64];
    if (c.has_value && std::isfinite(c.value)) {
        for (int decimals = c.unit == "mA" ? 1 : 3; decimals >= 0; --decimals) {
            const int n = std::snprintf(text, sizeof text, "%6.*f", decimals, c.value);
            if (n == 6) {
                out.append(text, 6);
                return;
            }
        }
    }
    out.append("******");
}

void append_unit(std::string &out, const std::string &unit) {
    if (unit.size() == 1) {  // "%" is centred: " % "
        out.push_back(' ');
        out.append(unit);
        out.push_back(' ');
    } else {
        out.append(3 - unit.size(), ' ');
        out.append(unit);
    }
}

}  // namespace

ContinuousClock clock_after(uint64_t elapsed_s) noexcept {
    using namespace std::chrono;
    const sys_seconds base =
        sys_days{year{2020} / October / 6} + hours{2} + minutes{54} + seconds{12};
    const sys_seconds t =
        base + seconds{static_cast<long long>(elapsed_s % (100ull * 365 * 86400))};
    const sys_days day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss hms{t - day};
    // Unsigned pieces already in range; a wide scratch buffer keeps -Wformat-truncation quiet.
    const unsigned parts[6] = {static_cast<unsigned>(ymd.day()),
                               static_cast<unsigned>(ymd.month()),
                               static_cast<unsigned>(static_cast<int>(ymd.year()) % 100),
                               static_cast<unsigned>(hms.hours().count()) % 100u,
                               static_cast<unsigned>(hms.minutes().count()) % 100u,
                               static_cast<unsigned>(hms.seconds().count()) % 100u};
    char text[64];
    ContinuousClock c;
    std::snprintf(text, sizeof text, "%02u-%02u-%02u", parts[0], parts[1], parts[2]);
    std::memcpy(c.date, text, 8);
    std::snprintf(text, sizeof text, "%02u:%02u:%02u", parts[3], parts[4], parts[5]);
    std::memcpy(c.time, text, 8);
    return c;
}

void format_continuous_frame(const Bank &bank, const ContinuousClock &clock, std::string &out,
                             uint16_t checksum_delta) {
    out.clear();
    out.push_back(' ');
    const AnalyserState a = bank.analyser();
    out.append(clock.date, 8).push_back(';');
    out.append(clock.time, 8).push_back(';');
    out.push_back(a.fault ? 'F' : ' ');
    out.push_back(a.maintenance ? 'M' : ' ');
    out.push_back(';');
    char autocal[8];
    format_autocal(a, autocal);
    out.append(autocal, 8).push_back(';');

    unsigned blocks = 0;
    for (const ChannelSlot &s : kSlots)
        blocks += bank.populated(s) ? 1 : 0;
    char count[4];
    std::snprintf(count, sizeof count, "%02u", blocks);
    out.append(count, 2).push_back(';');

    for (const ChannelSlot &s : kSlots) {
        if (!bank.populated(s)) continue;
        const BankChannel &c = bank.channel(s);
        uint8_t bits = bank.channel_bits(s);
        if (s.kind == ChannelKind::external) {
            // In a continuous frame an external input's F, M, C, W are real letters (the
            // Modbus map's reserved bits do not apply); its Invalid shows as F.
            uint64_t flags = c.flags;
            if (flags & kFlagInvalid) flags |= kFlagFault;
            bits = encode_channel_status(ChannelKind::transducer, flags);
        }
        out.append(s.id).push_back(';');
        if (c.labelled) {
            uint8_t name[kNameBytes];
            encode_display_text(c.name, NameEncoding::plain_ascii, name, ' ');
            out.append(reinterpret_cast<const char *>(name), kNameBytes);
        } else {
            out.append("||||||");
        }
        out.push_back(';');
        append_value(out, c);
        out.push_back(';');
        append_unit(out, c.unit);
        out.push_back(';');
        for (unsigned k = 0; k < 4; ++k)
            out.push_back((bits >> (kBitAlarm1 + k)) & 1u ? static_cast<char>('1' + k) : ' ');
        out.push_back(';');
        out.push_back((bits >> kBitFault) & 1u ? 'F' : ' ');
        out.push_back((bits >> kBitMaintenance) & 1u ? 'M' : ' ');
        out.push_back(';');
        out.push_back((bits >> kBitCalibration) & 1u ? 'C' : ' ');
        out.push_back(';');
        out.push_back((bits >> kBitWarmingUp) & 1u ? 'W' : ' ');
        out.push_back(';');
    }
    unsigned sum = 0;
    for (std::size_t i = 1; i < out.size(); ++i)
        sum += static_cast<uint8_t>(out[i]);
    char check[8];
    std::snprintf(check, sizeof check, "%04X", (sum + checksum_delta) & 0xFFFFu);
    out.append(check, 4).append(";\r\n");
}

}  // namespace anyserial::servomex

// libFuzzer target: the continuous-mode frame decoder. Input = bytes on the wire.
// Invariants: feeding the input whole, one byte at a time or in any other piece size yields
// the same events (frames, fields, bad-frame reasons, the channel table); every
// pointer in an event is readable; consumption always makes progress.
#include <anyserial/servomex/continuous_decoder.hpp>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace {

using anyserial::servomex::ContinuousDecoder;
using anyserial::servomex::ContinuousEvent;
using anyserial::servomex::ContinuousEventType;

void check(bool ok) {
    if (!ok) std::abort();
}

// One event flattened to a string so two runs can be compared.
std::string describe(const ContinuousEvent &e) {
    std::string s(1, static_cast<char>('0' + static_cast<int>(e.type)));
    s.append(e.raw.begin(), e.raw.end());
    if (e.reason != nullptr) s.append("|").append(e.reason);
    if (e.type == ContinuousEventType::bad_frame) {
        // CHECKSUM only for a decoded frame whose checksum failed
        check(e.bad_reason == ANYSERIAL_BAD_FRAME_CHECKSUM ||
              e.bad_reason == ANYSERIAL_BAD_FRAME_STRUCTURE);
        check((e.bad_reason == ANYSERIAL_BAD_FRAME_CHECKSUM) ==
              (e.frame != nullptr && !e.frame->checksum_ok));
        s.append("|r").append(std::to_string(e.bad_reason));
    }
    if (e.frame != nullptr) {
        const anyserial_frame_t &f = *e.frame;
        check(f.reading_count <= anyserial::servomex::kSlotCount);
        s.append("|").append(std::to_string(f.checksum)).append(f.checksum_ok ? "ok" : "bad");
        s.append("|d").append(std::to_string(f.device_flags));
        for (uint32_t i = 0; i < f.field_count; ++i) {
            const anyserial_field_t &fd = *f.fields[i];
            s.append("|").append(fd.id).append("=");
            if (fd.value_type == ANYSERIAL_VALUE_TEXT)
                s.append(fd.text);
            else
                s.append(std::to_string(fd.number));
        }
        for (uint32_t i = 0; i < f.reading_count; ++i) {
            const anyserial_reading_t &r = *f.readings[i];
            s.append("|").append(r.channel);
            if (r.name != nullptr) s.append(r.name);
            s.append(r.unit).append(std::to_string(r.flags));
            if (r.value_type == ANYSERIAL_VALUE_NUMBER) s.append(std::to_string(r.number));
        }
    }
    return s;
}

std::vector<std::string> run(const uint8_t *data, std::size_t size, std::size_t piece) {
    ContinuousDecoder d;
    std::vector<std::string> events;
    for (std::size_t off = 0; off < size; off += piece) {  // same events for any split
        std::span<const uint8_t> chunk(data + off, std::min(piece, size - off));
        while (!chunk.empty()) {
            const ContinuousEvent e = d.feed(chunk);
            check(e.consumed <= chunk.size());
            if (e.type == ContinuousEventType::need_more) {
                check(e.consumed == chunk.size());
                break;
            }
            // and the channel table it leaves (the last checksum-valid frame's)
            std::string s = describe(e);
            for (uint32_t i = 0; i < d.channels().size(); ++i) {
                anyserial_channel_info_t c{};
                d.channels().get(i, c);
                s.append("|t").append(c.id).append(c.name != nullptr ? c.name : "-");
                s.append(c.kind).append(c.unit);
            }
            events.push_back(std::move(s));
            chunk = chunk.subspan(e.consumed);
        }
    }
    return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size) {
    // Split invariance: the same events for any split of the input (whole, bytewise and a
    // piece size the input chooses).
    const auto whole = run(data, size, size == 0 ? 1 : size);
    check(whole == run(data, size, 1));
    const std::size_t piece = size == 0 ? 1 : 2 + data[0] % 61;
    check(whole == run(data, size, piece));
    return 0;
}

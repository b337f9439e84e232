// libFuzzer target: the continuous-mode frame decoder. Input = bytes on the wire.
// Invariants: feeding the input whole or one byte at a time yields the same events; every
// pointer in an event is readable; consumption always makes progress.
#include <anyserial/servomex/continuous_decoder.hpp>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
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
    if (e.frame != nullptr) {
        const anyserial_frame_t &f = *e.frame;
        check(f.reading_count <= anyserial::servomex::kSlotCount);
        s.append("|").append(std::to_string(f.checksum)).append(f.checksum_ok ? "ok" : "bad");
        if (f.analyser.clock != nullptr) s.append(f.analyser.clock);
        for (uint32_t i = 0; i < f.reading_count; ++i) {
            const anyserial_reading_t &r = f.readings[i];
            s.append("|").append(r.channel);
            if (r.name != nullptr) s.append(r.name);
            s.append(r.unit).append(std::to_string(r.status));
            if (r.has_value) s.append(std::to_string(r.value));
        }
    }
    return s;
}

std::vector<std::string> run(const uint8_t *data, std::size_t size, std::size_t piece) {
    ContinuousDecoder d;
    std::vector<std::string> events;
    for (std::size_t off = 0; off < size; off += piece) {
        std::span<const uint8_t> chunk(data + off, std::min(piece, size - off));
        while (!chunk.empty()) {
            const ContinuousEvent e = d.feed(chunk);
            check(e.consumed <= chunk.size());
            if (e.type == ContinuousEventType::need_more) {
                check(e.consumed == chunk.size());
                break;
            }
            events.push_back(describe(e));
            chunk = chunk.subspan(e.consumed);
        }
    }
    return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size) {
    const auto whole = run(data, size, size == 0 ? 1 : size);
    const auto bytewise = run(data, size, 1);
    check(whole == bytewise);
    return 0;
}

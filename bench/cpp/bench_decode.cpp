// continuous_decode_mib_s: a long stream of Servomex continuous-mode frames (the spec's
// example frame, repeated) fed through the servomex-continuous protocol plugin's C ABI
// session, exactly as the core's broadcast loop feeds it, in 4 KiB reads.
// Fails when the decoder allocates while decoding (the goal is none per frame).
// `instr` mode: the same, with a callgrind window around the whole feed loop (the first
// `--warmup` bytes are fed before it opens); prints the frames decoded inside it.
#include <anyserial/sdk/protocol.h>
#include <anyserial/sdk/status.h>

#include <anyserial/plugin_host.hpp>
#include <string>

#include "harness.hpp"

namespace {
const std::string kSpecFrame =
    " 06-10-20;02:54:12;  ;S1S1S1S1;05;I1;Oxygen;20.376; % ;    ;  ; ; ;I2;CO    ; 0.084; % "
    ";    ;  ; ; ;I3;CO2   ; 0.250; % ;    ;  ; ; ;E1;||||||;   0.0; mA;    ;  ; ; ;E2;||||||;"
    "   0.0; mA;    ;  ; ; ;2A1D;\r\n";
}

int main(int argc, char **argv) try {
    const bench::Args a = bench::parse(argc, argv);
    anyserial::PluginHost host;
    host.load_default();
    const anyserial::LoadedProtocol *proto = nullptr;
    for (const anyserial::LoadedProtocol *p : host.protocols())
        if (p->record().mode == "continuous") proto = p;
    if (proto == nullptr) throw bench::Failure("no protocol plugin with mode 'continuous' loaded");
    anyserial_protocol_options_t opts{};
    opts.struct_size = sizeof opts;
    opts.baudrate = 9600;
    opts.retries = UINT32_MAX;
    auto session = proto->create_session(&opts);

    std::string stream;
    while (static_cast<long>(stream.size()) < a.bytes)
        stream += kSpecFrame;
    const auto *data = reinterpret_cast<const std::uint8_t *>(stream.data());
    const std::size_t frames_expected = stream.size() / kSpecFrame.size();
    std::size_t frames = 0;
    const bool instr = a.mode == "instr";
    // Whole 4 KiB reads of warm-up, so the window always starts on a read boundary.
    const std::size_t warm_end =
        instr ? std::min<std::size_t>(stream.size(), static_cast<std::size_t>(a.warmup) * 4096) : 0;
    std::size_t frames_warm = 0;
    // The decoder allocates nothing per frame: checked over the whole run (the session's
    // storage was sized when it was created).
    const std::uint64_t allocs0 = bench::allocations();
    const double t0 = bench::now_us();
    for (std::size_t off = 0; off < stream.size(); off += 4096) {
        if (instr && off == warm_end) {
            frames_warm = frames;
            bench::instr_begin();
        }
        const std::size_t chunk = std::min<std::size_t>(4096, stream.size() - off);
        std::size_t used = 0;
        while (used < chunk) {
            anyserial_protocol_event_t ev{};
            ev.struct_size = sizeof ev;
            std::uint32_t consumed = 0;
            const std::int32_t st =
                session->vtable->feed(session.get(), data + off + used,
                                      static_cast<std::uint32_t>(chunk - used), &consumed, &ev);
            if (st != ANYSERIAL_OK)
                throw bench::Failure("feed failed with status " + std::to_string(st));
            used += consumed;
            if (ev.type == ANYSERIAL_EVENT_FRAME) ++frames;
            if (ev.type == ANYSERIAL_EVENT_BAD_FRAME)
                throw bench::Failure("bad frame in a clean stream");
        }
    }
    if (instr) bench::instr_end();
    const double dt = (bench::now_us() - t0) / 1e6;
    if (const std::uint64_t n = bench::allocations() - allocs0; n != 0)
        throw bench::Failure("the decoder allocated " + std::to_string(n) + " times in " +
                             std::to_string(frames) + " frames");
    if (frames != frames_expected)
        throw bench::Failure("decoded " + std::to_string(frames) + " frames, expected " +
                             std::to_string(frames_expected));
    if (instr) {
        bench::print_value("iters", static_cast<double>(frames - frames_warm));
        return 0;
    }
    bench::print_value("mib_s", static_cast<double>(stream.size()) / (1024.0 * 1024.0) / dt);
    return 0;
} catch (const std::exception &e) {
    bench::print_error(e.what());
    return 1;
}

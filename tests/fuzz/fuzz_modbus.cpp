// libFuzzer target: one Modbus framing (FUZZ_FRAMING = rtu or ascii), both directions.
// Input = bytes on the wire. The client decoder is armed for each request the 4100 session
// sends and fed the input whole and one byte at a time (same events required); the same
// bytes go to the simulator (request framer + PDU server + bank), whose replies must
// decode as complete frames of the same framing.
#include <anyserial/modbus/framing.hpp>
#include <anyserial/servomex/modbus_simulator.hpp>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace mb = anyserial::modbus;

namespace {

constexpr mb::Framing kFraming = mb::Framing::FUZZ_FRAMING;

void check(bool ok) {
    if (!ok) std::abort();
}

std::vector<std::string> run(const mb::ExpectedResponse &exp, const uint8_t *data, std::size_t size,
                             std::size_t piece) {
    mb::ResponseDecoder d(kFraming);
    d.expect(exp);
    std::vector<std::string> events;
    for (std::size_t off = 0; off < size; off += piece) {
        std::span<const uint8_t> chunk(data + off, std::min(piece, size - off));
        while (!chunk.empty()) {
            const mb::DecodeResult r = d.feed(chunk);
            check(r.consumed <= chunk.size());
            if (r.status == mb::DecodeStatus::need_more) {
                check(r.consumed == chunk.size());
                break;
            }
            std::string e(1, static_cast<char>('0' + static_cast<int>(r.status)));
            e.append(r.raw.begin(), r.raw.end()).append("|").append(r.pdu.begin(), r.pdu.end());
            if (r.reason != nullptr) e.append(r.reason);
            e.append("|b").append(std::to_string(static_cast<int>(r.bad)));
            check((r.status == mb::DecodeStatus::bad_frame) == (r.bad != mb::BadFrame::none));
            if (r.status == mb::DecodeStatus::response) check(r.pdu.size() == exp.pdu_len);
            events.push_back(std::move(e));
            chunk = chunk.subspan(r.consumed);
            d.expect(exp);  // the next response to the same request
        }
    }
    return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size) {
    // The requests a 4100 session sends, and what their responses look like.
    const mb::Pdu requests[] = {
        mb::read_request(mb::kReadInputRegisters, 0, 70),
        mb::read_request(mb::kReadInputRegisters, 0, 2),
        mb::read_request(mb::kReadDiscreteInputs, 0, 80),
        mb::read_request(mb::kReadDiscreteInputs, 1000, 16),
        mb::read_request(mb::kReadCoils, 0, 9),
        mb::write_single_coil(8, true),
        mb::diagnostic_echo(0xA55A),
    };
    for (const mb::Pdu &req : requests) {
        const mb::ExpectedResponse exp{1, req.bytes[0], mb::expected_response_pdu_len(req.view())};
        // the same events for any split of the input
        const auto whole = run(exp, data, size, size == 0 ? 1 : size);
        check(whole == run(exp, data, size, 1));
        check(whole == run(exp, data, size, size == 0 ? 1 : 2 + data[0] % 31));
    }

    // Server side: whatever the master sends, the slave's replies are well-formed frames.
    anyserial_protocol_options_t o{};
    o.struct_size = sizeof o;
    o.address = "1";
    o.baudrate = 19200;
    anyserial::servomex::ModbusSimulator sim(kFraming, o);
    sim.feed(0, {data, size});
    std::vector<uint8_t> out(512);
    uint64_t next = 0;
    std::vector<uint8_t> reply;
    for (uint32_t n = sim.poll_output(0, out, next);; n = sim.poll_output(0, out, next)) {
        reply.insert(reply.end(), out.begin(), out.begin() + n);
        if (n < out.size()) break;
    }
    if (kFraming == mb::Framing::ascii) {
        check(reply.empty() || (reply.front() == ':' && reply.back() == '\n'));
    } else {
        check(reply.empty() || reply.size() >= 5);
    }
    return 0;
}

// Modbus ADU framing over a serial line: RTU (binary + CRC-16) and ASCII (':' + hex +
// LRC + CR LF). The client side encodes requests and decodes responses incrementally,
// knowing what it asked for; the server side (RequestFramer, server.hpp) is a separate
// path so a client bug and a server bug cannot cancel out.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "pdu.hpp"

namespace anyserial::modbus {

enum class Framing : uint8_t { rtu, ascii };

inline constexpr std::size_t kMaxAsciiChars = 1 + 2 * (kMaxAdu - 1) + 2;  // ':' hex.. CR LF

// Bytes on the wire for an ADU carrying a PDU of pdu_len bytes.
constexpr std::size_t wire_length(Framing f, std::size_t pdu_len) noexcept {
    return f == Framing::rtu ? 1 + pdu_len + 2 : 1 + 2 * (1 + pdu_len + 1) + 2;
}

// Encode address + PDU as an ADU into out (needs wire_length bytes). Returns bytes written,
// 0 if out is too small or the PDU is empty/too long.
std::size_t encode_adu(Framing f, uint8_t address, std::span<const uint8_t> pdu,
                       std::span<uint8_t> out) noexcept;

// RTU character time (start + 8 data + parity/stop = 11 bits) and t3.5 at a baud rate;
// above 19200 baud the Modbus spec fixes t3.5 at 1.75 ms.
uint64_t rtu_char_time_ns(uint32_t baudrate) noexcept;
uint64_t rtu_t35_ns(uint32_t baudrate) noexcept;

// What the client expects back.
struct ExpectedResponse {
    uint8_t address = 1;
    uint8_t function = 0;
    std::size_t pdu_len = 0;  // normal response PDU length incl. function code
};

enum class DecodeStatus : uint8_t { need_more, response, exception, bad_frame };

// Why a frame was bad (the protocol ABI's ANYSERIAL_BAD_FRAME_* in codec terms).
enum class BadFrame : uint8_t {
    none,
    checksum,   // CRC / LRC mismatch
    structure,  // malformed, truncated, over-long, wrong length
    address,    // from another slave
    unexpected  // another function code than the request's
};

struct DecodeResult {
    DecodeStatus status = DecodeStatus::need_more;
    std::size_t consumed = 0;       // bytes of this feed() call used
    std::span<const uint8_t> pdu;   // response / exception: PDU incl. function code
    std::span<const uint8_t> raw;   // response / exception / bad frame: bytes received
    uint8_t exception_code = 0;     // exception
    const char *reason = nullptr;   // bad frame / exception: NUL-terminated text
    BadFrame bad = BadFrame::none;  // bad frame: why
};

// Incremental client-side response decoder. Spans in a result stay valid until the next
// feed(), expect() or reset().
class ResponseDecoder {
  public:
    explicit ResponseDecoder(Framing f) noexcept : framing_(f) {}

    Framing framing() const noexcept { return framing_; }
    // Arm for one response (forgets anything received).
    void expect(const ExpectedResponse &e) noexcept;
    // Forget partially received bytes.
    void reset() noexcept;
    // Consume bytes until one event (or all bytes used → need_more).
    DecodeResult feed(std::span<const uint8_t> data) noexcept;

  private:
    DecodeResult feed_rtu(std::span<const uint8_t> data) noexcept;
    DecodeResult feed_ascii(std::span<const uint8_t> data) noexcept;
    // Check a complete binary ADU (address..end, checksum already removed).
    DecodeResult finish(std::span<const uint8_t> adu, std::span<const uint8_t> raw) noexcept;
    DecodeResult bad(BadFrame kind, std::span<const uint8_t> raw, const char *fmt, unsigned a,
                     unsigned b) noexcept;

    Framing framing_;
    ExpectedResponse expected_{};
    bool clear_on_feed_ = false;
    bool in_frame_ = false;  // ASCII: ':' seen
    std::size_t need_ = 0;   // RTU: total bytes of the frame, 0 = not known yet
    std::size_t len_ = 0;
    std::array<uint8_t, kMaxAsciiChars + 1> buf_{};  // raw bytes of the frame
    std::array<uint8_t, kMaxAdu> adu_{};             // ASCII: hex-decoded ADU
    char reason_[160] = {};
};

// One request as the server side received it.
struct RequestFrame {
    uint8_t address = 0;
    std::span<const uint8_t> pdu;  // function code + data
    std::span<const uint8_t> raw;  // wire bytes
    bool checksum_ok = false;
};

// Server-side request framer (the simulator). RTU frames end by the length the function
// code implies (FC01–06, FC08 with one data word, FC15/16 by their byte count); for an
// unknown function code the rest of the fed chunk is the frame. A silence longer than t3.5
// between chunks drops a partial frame. ASCII frames run from ':' to CR LF.
class RequestFramer {
  public:
    RequestFramer(Framing f, uint64_t t35_ns) noexcept : framing_(f), t35_ns_(t35_ns) {}

    // Feed bytes received at now_ns; on_frame(const RequestFrame&) is called for each
    // complete frame, with its checksum verdict.
    template <class F>
    void feed(uint64_t now_ns, std::span<const uint8_t> data, F &&on_frame) {
        if (len_ > 0 && framing_ == Framing::rtu && now_ns > last_ns_ &&
            now_ns - last_ns_ > t35_ns_)
            len_ = 0;
        last_ns_ = now_ns;
        std::size_t i = 0;
        while (i < data.size()) {
            RequestFrame frame;
            i += step(data.subspan(i), frame);
            if (frame.raw.data() != nullptr) on_frame(frame);
        }
    }
    void reset() noexcept { len_ = 0; }

  private:
    // Consume bytes of data; fills frame (raw non-null) when one completes.
    std::size_t step(std::span<const uint8_t> data, RequestFrame &frame) noexcept;
    std::size_t rtu_request_len() const noexcept;

    Framing framing_;
    uint64_t t35_ns_;
    uint64_t last_ns_ = 0;
    std::size_t len_ = 0;
    bool in_frame_ = false;
    std::array<uint8_t, kMaxAsciiChars + 1> buf_{};
    std::array<uint8_t, kMaxAdu> adu_{};
};

}  // namespace anyserial::modbus

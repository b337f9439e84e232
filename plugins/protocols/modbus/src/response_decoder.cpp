// Client side: decode the response to the request in flight.
#include <cstdio>

#include "anyserial/modbus/checksum.hpp"
#include "anyserial/modbus/framing.hpp"
#include "hex.hpp"

namespace anyserial::modbus {

namespace {
bool is_read(uint8_t fc) noexcept {
    return fc == kReadCoils || fc == kReadDiscreteInputs || fc == kReadHoldingRegisters ||
           fc == kReadInputRegisters;
}
}  // namespace

void ResponseDecoder::expect(const ExpectedResponse &e) noexcept {
    expected_ = e;
    reset();
}

void ResponseDecoder::reset() noexcept {
    clear_on_feed_ = false;
    in_frame_ = false;
    need_ = 0;
    len_ = 0;
}

DecodeResult ResponseDecoder::feed(std::span<const uint8_t> data) noexcept {
    if (clear_on_feed_) reset();
    return framing_ == Framing::rtu ? feed_rtu(data) : feed_ascii(data);
}

DecodeResult ResponseDecoder::bad(BadFrame kind, std::span<const uint8_t> raw, const char *fmt,
                                  unsigned a, unsigned b) noexcept {
    std::snprintf(reason_, sizeof reason_, fmt, a, b);
    clear_on_feed_ = true;
    DecodeResult r;
    r.status = DecodeStatus::bad_frame;
    r.raw = raw;
    r.reason = reason_;
    r.bad = kind;
    return r;
}

DecodeResult ResponseDecoder::feed_rtu(std::span<const uint8_t> data) noexcept {
    std::size_t used = 0;
    const auto expected_fc = expected_.function;
    while (used < data.size()) {
        buf_[len_++] = data[used++];
        const std::span<const uint8_t> raw(buf_.data(), len_);
        if (len_ == 2) {
            const uint8_t fc = buf_[1];
            if (fc == (expected_fc | kExceptionFlag)) {
                need_ = 5;
            } else if (fc != expected_fc) {
                auto r = bad(BadFrame::unexpected, raw,
                             "unexpected function code 0x%02X in response (expected 0x%02X)", fc,
                             expected_fc);
                r.consumed = used;
                return r;
            } else if (!is_read(fc)) {
                need_ = 1 + expected_.pdu_len + 2;
            }
        } else if (len_ == 3 && need_ == 0) {
            need_ = 3 + buf_[2] + 2u;  // read response: by its byte count
        }
        if ((need_ != 0 && len_ == need_) || len_ == kMaxAdu) {
            DecodeResult r;
            const uint16_t computed = crc16(raw.first(len_ - 2));
            const auto sent = static_cast<uint16_t>(buf_[len_ - 2] | (buf_[len_ - 1] << 8));
            if (computed != sent)
                r = bad(BadFrame::checksum, raw, "CRC mismatch: frame has 0x%04X, computed 0x%04X",
                        sent, computed);
            else
                r = finish(raw.first(len_ - 2), raw);
            r.consumed = used;
            return r;
        }
    }
    DecodeResult r;
    r.consumed = used;
    return r;
}

DecodeResult ResponseDecoder::feed_ascii(std::span<const uint8_t> data) noexcept {
    std::size_t used = 0;
    while (used < data.size()) {
        const uint8_t c = data[used++];
        if (c == ':') {  // always starts a new frame
            in_frame_ = true;
            len_ = 0;
        } else if (!in_frame_) {
            continue;  // noise between frames
        }
        if (len_ == buf_.size()) {
            auto r = bad(BadFrame::structure, {buf_.data(), len_},
                         "ASCII frame longer than %u characters%.0u",
                         static_cast<unsigned>(buf_.size()), 0);
            r.consumed = used;
            return r;
        }
        buf_[len_++] = c;
        if (c != '\n') continue;
        const std::span<const uint8_t> raw(buf_.data(), len_);
        DecodeResult r;
        uint8_t bad_char = 0;
        const long n = (len_ >= 3 && buf_[len_ - 2] == '\r')
                           ? detail::decode_hex(raw.subspan(1, len_ - 3), adu_, &bad_char)
                           : -2;
        if (n == -2) {
            r = bad(BadFrame::structure, raw, "ASCII frame not terminated by CR LF%.0u%.0u", 0, 0);
        } else if (n < 0) {
            r = bad_char != 0 ? bad(BadFrame::structure, raw,
                                    "invalid hex character 0x%02X in ASCII frame%.0u", bad_char, 0)
                              : bad(BadFrame::structure, raw,
                                    "odd number of hex digits (%u) in ASCII frame%.0u",
                                    static_cast<unsigned>(len_ - 3), 0);
        } else if (n < 3) {
            r = bad(BadFrame::structure, raw, "ASCII frame too short (%u bytes)%.0u",
                    static_cast<unsigned>(n), 0);
        } else {
            const auto body =
                std::span<const uint8_t>(adu_.data(), static_cast<std::size_t>(n - 1));
            const uint8_t computed = lrc(body);
            if (computed != adu_[n - 1])
                r = bad(BadFrame::checksum, raw, "LRC mismatch: frame has 0x%02X, computed 0x%02X",
                        adu_[n - 1], computed);
            else
                r = finish(body, raw);
        }
        r.consumed = used;
        return r;
    }
    DecodeResult r;
    r.consumed = used;
    return r;
}

DecodeResult ResponseDecoder::finish(std::span<const uint8_t> adu,
                                     std::span<const uint8_t> raw) noexcept {
    const uint8_t address = adu[0], fc = adu[1];
    const uint8_t expected_fc = expected_.function;
    if (fc != expected_fc && fc != (expected_fc | kExceptionFlag))
        return bad(BadFrame::unexpected, raw,
                   "unexpected function code 0x%02X in response (expected 0x%02X)", fc,
                   expected_fc);
    if (address != expected_.address)
        return bad(BadFrame::address, raw, "response from slave %u, expected slave %u", address,
                   expected_.address);
    DecodeResult r;
    r.raw = raw;
    r.pdu = adu.subspan(1);
    clear_on_feed_ = true;
    if (fc != expected_fc) {
        if (r.pdu.size() != kExceptionPduLen)
            return bad(BadFrame::structure, raw, "exception response PDU is %u bytes, expected %u",
                       static_cast<unsigned>(r.pdu.size()), kExceptionPduLen);
        r.status = DecodeStatus::exception;
        r.exception_code = r.pdu[1];
        std::snprintf(reason_, sizeof reason_, "exception 0x%02X (%s) to function 0x%02X",
                      r.exception_code, exception_name(r.exception_code), expected_fc);
        r.reason = reason_;
        return r;
    }
    if (r.pdu.size() != expected_.pdu_len)
        return bad(BadFrame::structure, raw, "response PDU is %u bytes, expected %u",
                   static_cast<unsigned>(r.pdu.size()), static_cast<unsigned>(expected_.pdu_len));
    r.status = DecodeStatus::response;
    return r;
}

}  // namespace anyserial::modbus

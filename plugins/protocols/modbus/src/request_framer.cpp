// Server side: find request frames in what the master sent. Deliberately independent of
// ResponseDecoder (shares only the checksum and hex primitives).
#include <limits>

#include "anyserial/modbus/checksum.hpp"
#include "anyserial/modbus/framing.hpp"
#include "hex.hpp"

namespace anyserial::modbus {

namespace {
constexpr std::size_t kUnknownLength = std::numeric_limits<std::size_t>::max();
}

std::size_t RequestFramer::rtu_request_len() const noexcept {
    if (len_ < 2) return 0;
    switch (buf_[1]) {
        case kReadCoils:
        case kReadDiscreteInputs:
        case kReadHoldingRegisters:
        case kReadInputRegisters:
        case kWriteSingleCoil:
        case kWriteSingleRegister:
        case kDiagnostics:
            return 8;  // FC08: sub-function + one data word
        case kWriteMultipleCoils:
        case kWriteMultipleRegisters:
            return len_ < 7 ? 0 : 9u + buf_[6];
        default:
            return kUnknownLength;
    }
}

std::size_t RequestFramer::step(std::span<const uint8_t> data, RequestFrame &frame) noexcept {
    std::size_t used = 0;
    if (framing_ == Framing::rtu) {
        bool complete = false;
        while (used < data.size() && !complete) {
            buf_[len_++] = data[used++];
            const std::size_t need = rtu_request_len();
            if (need == kUnknownLength) {
                // No length rule: the rest of this chunk (one write of the master) is it.
                while (used < data.size() && len_ < kMaxAdu)
                    buf_[len_++] = data[used++];
                used = data.size();
                complete = true;
            } else {
                complete = (need != 0 && len_ >= need) || len_ >= kMaxAdu;
            }
        }
        if (!complete) return used;
        frame.raw = {buf_.data(), len_};
        frame.address = buf_[0];
        if (len_ >= 4) {
            const auto sent = static_cast<uint16_t>(buf_[len_ - 2] | (buf_[len_ - 1] << 8));
            frame.checksum_ok = crc16(frame.raw.first(len_ - 2)) == sent;
            frame.pdu = frame.raw.subspan(1, len_ - 3);
        }
        len_ = 0;
        return used;
    }
    while (used < data.size()) {
        const uint8_t c = data[used++];
        if (c == ':') {
            in_frame_ = true;
            len_ = 0;
        } else if (!in_frame_) {
            continue;
        }
        if (len_ == buf_.size()) {  // runaway line: drop it
            in_frame_ = false;
            len_ = 0;
            continue;
        }
        buf_[len_++] = c;
        if (c != '\n') continue;
        in_frame_ = false;
        frame.raw = {buf_.data(), len_};
        uint8_t bad_char = 0;
        const long n = (len_ >= 3 && buf_[len_ - 2] == '\r')
                           ? detail::decode_hex(frame.raw.subspan(1, len_ - 3), adu_, &bad_char)
                           : -1;
        len_ = 0;
        if (n >= 3) {
            const std::span<const uint8_t> body(adu_.data(), static_cast<std::size_t>(n - 1));
            frame.address = adu_[0];
            frame.checksum_ok = lrc(body) == adu_[n - 1];
            frame.pdu = body.subspan(1);
        }
        return used;
    }
    return used;
}

}  // namespace anyserial::modbus

// anyserial-servomex-continuous: the broadcast mode of the 4100. The session only decodes
// (FRAME / BAD_FRAME events); every request-based operation is NOT_SUPPORTED, which tells
// the core to use its receive loop. The channel table is the last checksum-valid frame's.
#include <anyserial/sdk/cpp/protocol.hpp>

#include "anyserial/servomex/continuous_decoder.hpp"
#include "anyserial/servomex/continuous_simulator.hpp"
#include "anyserial/servomex/descriptors.hpp"

namespace sdk = anyserial::sdk;

namespace anyserial::servomex {
namespace {

class ContinuousSession final : public sdk::ProtocolSession {
  public:
    using simulator_type = ContinuousSimulator;

    static const anyserial_protocol_descriptor_t &describe() noexcept {
        return servomex::descriptor(Mode::continuous);
    }

    explicit ContinuousSession(const anyserial_protocol_options_t &) {}

    void begin(const anyserial_protocol_request_t &req) override {
        throw sdk::Error(ANYSERIAL_E_NOT_SUPPORTED,
                         "servomex-continuous: operation " + std::to_string(req.op) +
                             " needs a request channel; continuous mode only broadcasts "
                             "(use the receive loop)");
    }

    anyserial_status_t next_transaction(anyserial_transaction_t &) override {
        throw sdk::Error(ANYSERIAL_E_STATE, "servomex-continuous: no request/response operations");
    }

    uint32_t feed(std::span<const uint8_t> data, anyserial_protocol_event_t &ev) override {
        const ContinuousEvent e = decoder_.feed(data);
        switch (e.type) {
            case ContinuousEventType::frame:
                ev.type = ANYSERIAL_EVENT_FRAME;
                break;
            case ContinuousEventType::bad_frame:
                ev.type = ANYSERIAL_EVENT_BAD_FRAME;
                break;
            default:
                ev.type = ANYSERIAL_EVENT_NEED_MORE;
                break;
        }
        ev.frame = e.frame;
        ev.reason = e.reason;
        ev.bad_frame_reason = e.type == ContinuousEventType::bad_frame ? e.bad_reason : 0;
        ev.raw = e.raw.data();
        ev.raw_len = static_cast<uint32_t>(e.raw.size());
        return static_cast<uint32_t>(e.consumed);
    }

    void reset_receive() override { decoder_.reset(); }

    uint32_t channel_count() const override { return decoder_.channels().size(); }
    void get_channel(uint32_t index, anyserial_channel_info_t &out) const override {
        decoder_.channels().get(index, out);
    }

    void result(anyserial_protocol_result_t &) override {
        throw sdk::Error(ANYSERIAL_E_STATE, "servomex-continuous: no operation has a result");
    }

  private:
    ContinuousDecoder decoder_;
};

const void *get_factory(const char *id) noexcept {
    return sdk::lookup_factory(
        id, {{ANYSERIAL_PROTOCOL_FACTORY_ID, sdk::ProtocolFactory<ContinuousSession>::get()}});
}

}  // namespace
}  // namespace anyserial::servomex

ANYSERIAL_DEFINE_PLUGIN_ENTRY(sdk::init_host, sdk::deinit_host, anyserial::servomex::get_factory);

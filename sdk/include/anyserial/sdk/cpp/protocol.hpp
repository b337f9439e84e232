// anyserial SDK C++ helpers — expose a C++ class as a protocol session, and a list of such
// classes as the "anyserial.protocol/2" factory. Sans-I/O: never read, write or sleep.
//
//     class EchoProtocol final : public sdk::ProtocolSession {
//     public:
//         using simulator_type = EchoSim;  // optional: serves "anyserial.protocol.simulator/2"
//         static const anyserial_protocol_descriptor_t &describe() noexcept { ... }
//         explicit EchoProtocol(const anyserial_protocol_options_t &opts)
//             : address_(sdk::parse_address(*describe().address, opts.address)) {}
//
//         void begin(const anyserial_protocol_request_t &req) override {
//             if (req.op == ANYSERIAL_OP_COMMAND) {                     // declared commands
//                 sdk::check_args(sdk::find_command(describe(), req), req);
//                 ...
//             } else if (req.op != ANYSERIAL_OP_PROBE)
//                 throw sdk::Error(ANYSERIAL_E_NOT_SUPPORTED, "echo only probes");
//             sent_ = false;
//         }
//         anyserial_status_t next_transaction(anyserial_transaction_t &tx) override {
//             if (sent_) return ANYSERIAL_DONE;
//             sent_ = true;
//             tx.data = ping_; tx.len = sizeof ping_; tx.expects_response = true;
//             return ANYSERIAL_OK;
//         }
//         uint32_t feed(std::span<const uint8_t> data, anyserial_protocol_event_t &ev) override {
//             ... ev.type = ANYSERIAL_EVENT_RESPONSE; return consumed;
//             // a bad frame: ev.type = BAD_FRAME, ev.bad_frame_reason = ANYSERIAL_BAD_FRAME_*
//         }
//         void reset_receive() override { ... }
//         void result(anyserial_protocol_result_t &r) override {
//             result_.clear();                          // sdk::ResultBuilder member (frame.hpp)
//             result_.fields().add_text("model", "echo");
//             result_.fill(r, ANYSERIAL_OP_IDENTIFY);
//             channels().clear();                       // the session's channel table
//             channels().add("ping", nullptr, "echo", "");
//         }
//     };
//     // plugin entry: sdk::ProtocolFactory<EchoProtocol>::get() for ANYSERIAL_PROTOCOL_FACTORY_ID
//
// The output structs handed to next_transaction/feed/result arrive zeroed with struct_size
// set (event.type = NEED_MORE); pointers placed in them must stay valid until the next call
// on the session (sdk::FrameBuilder / ResultBuilder own them for you). Fail by throwing
// sdk::Error. channel_count/get_channel answer from channels() unless overridden.
//
// Requirements on a listed class P: derives from sdk::ProtocolSession, constructible from
// `const anyserial_protocol_options_t &` (NULL options arrive with defaults: address NULL,
// the descriptor's default baudrate, timeouts 0, retries UINT32_MAX),
// `static const anyserial_protocol_descriptor_t &describe() noexcept`. Optional:
// `using simulator_type = S;` (S derives from sdk::SimulatorSession) and/or
// `static const void *factory_extension(const char *extension_id) noexcept`.
#pragma once

#include <anyserial/sdk/protocol.h>

#include <anyserial/sdk/cpp/abi.hpp>
#include <anyserial/sdk/cpp/device.hpp>
#include <anyserial/sdk/cpp/error.hpp>
#include <anyserial/sdk/cpp/frame.hpp>
#include <anyserial/sdk/cpp/plugin.hpp>
#include <anyserial/sdk/cpp/simulator.hpp>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <type_traits>

namespace anyserial::sdk {

template <class... Protocols>
struct ProtocolFactory;

class ProtocolSession {
  public:
    ProtocolSession() = default;
    ProtocolSession(const ProtocolSession &) = delete;
    ProtocolSession &operator=(const ProtocolSession &) = delete;
    virtual ~ProtocolSession() = default;

    // Start an operation (abandoning any in progress).
    virtual void begin(const anyserial_protocol_request_t &request) = 0;
    // ANYSERIAL_OK with tx filled, or ANYSERIAL_DONE when the result is ready.
    virtual anyserial_status_t next_transaction(anyserial_transaction_t &tx) = 0;
    // Consume bytes up to the first event; returns how many were consumed.
    virtual uint32_t feed(std::span<const uint8_t> data, anyserial_protocol_event_t &event) = 0;
    // Forget partially received bytes.
    virtual void reset_receive() = 0;
    // Result of the finished operation.
    virtual void result(anyserial_protocol_result_t &out) = 0;
    // The channel table as known now; by default channels().
    virtual uint32_t channel_count() const { return channels_.size(); }
    // Fill out (zeroed, struct_size set) for index < channel_count().
    virtual void get_channel(uint32_t index, anyserial_channel_info_t &out) const {
        channels_.get(index, out);
    }

    static ProtocolSession *from(anyserial_protocol_session_t *self) noexcept {
        return self != nullptr ? static_cast<ProtocolSession *>(self->impl) : nullptr;
    }
    anyserial_protocol_session_t *handle() noexcept { return &handle_; }
    const anyserial_protocol_descriptor_t *descriptor() const noexcept {
        return handle_.descriptor;
    }
    LastError &errors() noexcept { return error_; }
    const LastError &errors() const noexcept { return error_; }
    // The channel table channel_count/get_channel answer from.
    ChannelTable &channels() noexcept { return channels_; }
    const ChannelTable &channels() const noexcept { return channels_; }

  private:
    template <class... Protocols>
    friend struct ProtocolFactory;

    LastError error_;
    ChannelTable channels_;
    anyserial_protocol_session_t handle_{};
};

namespace detail {

struct ProtocolTrampolines {
    static ProtocolSession &self(anyserial_protocol_session_t *h) noexcept {
        return *static_cast<ProtocolSession *>(h->impl);
    }
    static int32_t invalid(anyserial_protocol_session_t *h, const char *msg) noexcept {
        self(h).errors().set(msg);
        return ANYSERIAL_E_INVALID_ARGUMENT;
    }

    static int32_t begin(anyserial_protocol_session_t *h,
                         const anyserial_protocol_request_t *req) noexcept {
        if (req == nullptr) return invalid(h, "begin: NULL request");
        const anyserial_protocol_request_t r = read_struct(req);
        return guarded(self(h).errors(), [&] { self(h).begin(r); });
    }
    static int32_t next_transaction(anyserial_protocol_session_t *h,
                                    anyserial_transaction_t *out) noexcept {
        if (out == nullptr) return invalid(h, "next_transaction: NULL output");
        anyserial_transaction_t tx = init_struct<anyserial_transaction_t>();
        const int32_t st = guarded(self(h).errors(), [&] { return self(h).next_transaction(tx); });
        if (st == ANYSERIAL_OK) write_struct(out, tx);
        return st;
    }
    static int32_t feed(anyserial_protocol_session_t *h, const uint8_t *data, uint32_t len,
                        uint32_t *consumed, anyserial_protocol_event_t *event) noexcept {
        if (consumed == nullptr || event == nullptr || (data == nullptr && len > 0))
            return invalid(h, "feed: NULL argument");
        *consumed = 0;
        anyserial_protocol_event_t ev = init_struct<anyserial_protocol_event_t>();
        ev.type = ANYSERIAL_EVENT_NEED_MORE;
        const int32_t st = guarded(self(h).errors(), [&] {
            const uint32_t n = self(h).feed({data, len}, ev);
            if (n > len) throw Error(ANYSERIAL_E_INTERNAL, "feed consumed more bytes than given");
            *consumed = n;
        });
        write_struct(event, ev);
        return st;
    }
    static void reset_receive(anyserial_protocol_session_t *h) noexcept {
        (void)guarded(self(h).errors(), [&] { self(h).reset_receive(); });
    }
    static int32_t result(anyserial_protocol_session_t *h,
                          anyserial_protocol_result_t *out) noexcept {
        if (out == nullptr) return invalid(h, "result: NULL output");
        anyserial_protocol_result_t r = init_struct<anyserial_protocol_result_t>();
        const int32_t st = guarded(self(h).errors(), [&] { self(h).result(r); });
        if (st == ANYSERIAL_OK) write_struct(out, r);
        return st;
    }
    static const ProtocolSession &cself(const anyserial_protocol_session_t *h) noexcept {
        return *static_cast<const ProtocolSession *>(h->impl);
    }
    static uint32_t channel_count(const anyserial_protocol_session_t *h) noexcept {
        try {
            return cself(h).channel_count();
        } catch (...) {
            return 0;
        }
    }
    static int32_t get_channel(const anyserial_protocol_session_t *h, uint32_t index,
                               anyserial_channel_info_t *out) noexcept {
        auto &s = const_cast<ProtocolSession &>(cself(h));  // errors() is the mutable part
        if (out == nullptr) {
            s.errors().set("get_channel: NULL output");
            return ANYSERIAL_E_INVALID_ARGUMENT;
        }
        anyserial_channel_info_t info = init_struct<anyserial_channel_info_t>();
        const int32_t st = guarded(s.errors(), [&] { cself(h).get_channel(index, info); });
        if (st == ANYSERIAL_OK) write_struct(out, info);
        return st;
    }
    static uint32_t last_error(const anyserial_protocol_session_t *h, char *buf,
                               uint32_t cap) noexcept {
        return static_cast<const ProtocolSession *>(h->impl)->errors().copy(buf, cap);
    }
    static void destroy(anyserial_protocol_session_t *h) noexcept {
        delete static_cast<ProtocolSession *>(h->impl);
    }

    static constexpr anyserial_protocol_session_vtable_t vtable = {
        sizeof(anyserial_protocol_session_vtable_t),
        &begin,
        &next_transaction,
        &feed,
        &reset_receive,
        &result,
        &channel_count,
        &get_channel,
        &last_error,
        &destroy,
    };
};

template <class P>
concept HasProtocolFactoryExtension = requires(const char *id) {
    { P::factory_extension(id) } -> std::convertible_to<const void *>;
};
template <class P>
concept HasSimulator = requires {
    typename P::simulator_type;
};

}  // namespace detail

// The anyserial_protocol_factory_t of a list of ProtocolSession classes.
template <class... Protocols>
struct ProtocolFactory {
    static_assert(sizeof...(Protocols) > 0, "list at least one protocol");
    static_assert((std::is_base_of_v<ProtocolSession, Protocols> && ...),
                  "protocols derive from sdk::ProtocolSession");

    static uint32_t count(const anyserial_protocol_factory_t * /*self*/) noexcept {
        return sizeof...(Protocols);
    }

    static const anyserial_protocol_descriptor_t *get_descriptor(
        const anyserial_protocol_factory_t * /*self*/, uint32_t index) noexcept {
        const anyserial_protocol_descriptor_t *const all[] = {&Protocols::describe()...};
        return index < sizeof...(Protocols) ? all[index] : nullptr;
    }

    static int32_t create_session(const anyserial_protocol_factory_t * /*self*/,
                                  const char *protocol_id,
                                  const anyserial_protocol_options_t *options,
                                  anyserial_protocol_session_t **out) noexcept {
        if (out == nullptr || protocol_id == nullptr) return ANYSERIAL_E_INVALID_ARGUMENT;
        *out = nullptr;
        int32_t status = ANYSERIAL_E_NOT_FOUND;
        (void)((matches<Protocols>(protocol_id) ? (status = make<Protocols>(options, out), true)
                                                : false) ||
               ...);
        return status;
    }

    static const void *get_extension(const anyserial_protocol_factory_t * /*self*/,
                                     const char *protocol_id, const char *extension_id) noexcept {
        if (protocol_id == nullptr || extension_id == nullptr) return nullptr;
        const void *found = nullptr;
        (void)((matches<Protocols>(protocol_id) ? (found = extension<Protocols>(extension_id), true)
                                                : false) ||
               ...);
        return found;
    }

    static constexpr anyserial_protocol_factory_t table = {sizeof(anyserial_protocol_factory_t),
                                                           &count, &get_descriptor, &create_session,
                                                           &get_extension};
    static const anyserial_protocol_factory_t *get() noexcept { return &table; }

  private:
    template <class P>
    static bool matches(const char *id) noexcept {
        const char *mine = P::describe().id;
        return mine != nullptr && std::strcmp(mine, id) == 0;
    }

    template <class P>
    static const void *extension(const char *extension_id) noexcept {
        if constexpr (detail::HasProtocolFactoryExtension<P>) {
            if (const void *e = P::factory_extension(extension_id)) return e;
        }
        if constexpr (detail::HasSimulator<P>) {
            if (std::strcmp(extension_id, ANYSERIAL_EXT_SIMULATOR_ID) == 0)
                return SimulatorExtension<typename P::simulator_type>::get();
        }
        return nullptr;
    }

    template <class P>
    static int32_t make(const anyserial_protocol_options_t *options,
                        anyserial_protocol_session_t **out) noexcept {
        const anyserial_protocol_descriptor_t &d = P::describe();
        const anyserial_protocol_options_t opts =
            protocol_options(options, d.default_serial != nullptr ? d.default_serial->baudrate : 0);
        LastError err;
        std::unique_ptr<P> p;
        const int32_t st = guarded(err, [&] { p = std::make_unique<P>(opts); });
        if (st != ANYSERIAL_OK) {
            char text[LastError::capacity];
            err.copy(text, sizeof text);
            log(ANYSERIAL_LOG_ERROR, nullptr, "create session of protocol '", d.id,
                "' failed: ", static_cast<const char *>(text));
            return st;
        }
        anyserial_protocol_session_t &h = p->handle_;
        h.struct_size = sizeof(anyserial_protocol_session_t);
        h.impl = static_cast<ProtocolSession *>(p.get());
        h.descriptor = &d;
        h.vtable = &detail::ProtocolTrampolines::vtable;
        *out = &h;
        (void)p.release();
        return ANYSERIAL_OK;
    }
};

}  // namespace anyserial::sdk

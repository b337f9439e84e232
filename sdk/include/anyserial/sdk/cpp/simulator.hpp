// anyserial SDK C++ helpers — expose a C++ class as an anyserial_simulator_t (the device
// side of a protocol, extension "anyserial.protocol.simulator/2").
//
//     class EchoSim final : public sdk::SimulatorSession {
//     public:
//         explicit EchoSim(const anyserial_protocol_options_t &opts)
//             : address_(sdk::parse_address(kAddress, opts.address)) {}
//         void feed(uint64_t, std::span<const uint8_t> data) override {
//             pending_.insert(pending_.end(), data.begin(), data.end());
//             ++requests_;
//         }
//         uint32_t poll_output(uint64_t, std::span<uint8_t> buf, uint64_t &next_ns) override {
//             const std::size_t n = std::min(buf.size(), pending_.size());
//             std::copy_n(pending_.begin(), n, buf.begin());
//             pending_.erase(pending_.begin(), pending_.begin() + n);
//             next_ns = UINT64_MAX;  // only after the next feed
//             return static_cast<uint32_t>(n);
//         }
//         void set_reading(std::string_view channel, const anyserial_arg_value_t &value,
//                          uint64_t flags) override { ... }   // value_type ABSENT = over-range
//         void get_field(std::string_view id, anyserial_field_t &out) override {
//             if (id == "setpoint") return sdk::set_number(out, setpoint_);
//             if (id == "gas") return sdk::set_text(out, keep_text(gas_));
//             throw sdk::Error(ANYSERIAL_E_NOT_FOUND, "no field " + std::string(id));
//         }
//         ...
//     };
//     // In the protocol class: `using simulator_type = EchoSim;` and ProtocolFactory serves
//     // the extension; or return sdk::SimulatorExtension<EchoSim>::get() yourself.
//
// Unimplemented optional calls answer ANYSERIAL_E_NOT_SUPPORTED. Throw sdk::Error to fail
// (NOT_FOUND for a channel or field the device does not have).
#pragma once

#include <anyserial/sdk/ext/simulator.h>

#include <anyserial/sdk/cpp/abi.hpp>
#include <anyserial/sdk/cpp/device.hpp>
#include <anyserial/sdk/cpp/error.hpp>
#include <anyserial/sdk/cpp/plugin.hpp>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace anyserial::sdk {

// Protocol options with the defaults of a NULL options pointer filled in.
inline anyserial_protocol_options_t protocol_options(const anyserial_protocol_options_t *in,
                                                     uint32_t default_baudrate = 0) noexcept {
    anyserial_protocol_options_t o = read_struct(in);
    if (in == nullptr) {
        o.baudrate = default_baudrate;
        o.retries = UINT32_MAX;
    }
    return o;
}

namespace detail {
struct SimulatorTrampolines;
}

class SimulatorSession {
  public:
    SimulatorSession() = default;
    SimulatorSession(const SimulatorSession &) = delete;
    SimulatorSession &operator=(const SimulatorSession &) = delete;
    virtual ~SimulatorSession() = default;

    // Bytes the master sent, received at now_ns.
    virtual void feed(uint64_t now_ns, std::span<const uint8_t> data) = 0;
    // Bytes the device sends at now_ns, at most buf.size(); returns how many were written
    // and sets next_ns (UINT64_MAX = only after the next feed).
    virtual uint32_t poll_output(uint64_t now_ns, std::span<uint8_t> buf, uint64_t &next_ns) = 0;
    // One channel's value (a full-size copy; ABSENT = over-range / invalid) and the flags
    // it carries (bits over the protocol's declared flags).
    virtual void set_reading(std::string_view /*channel*/, const anyserial_arg_value_t & /*value*/,
                             uint64_t /*flags*/) {
        unsupported("set_reading");
    }
    // name may be nullptr (unlabelled).
    virtual void set_label(std::string_view /*channel*/, const char * /*name*/,
                           std::string_view /*unit*/) {
        unsupported("set_label");
    }
    // The flags of the device as a whole.
    virtual void set_device_flags(uint64_t /*flags*/) { unsupported("set_device_flags"); }
    virtual void set_fault(uint32_t /*fault*/, uint32_t /*param*/) { unsupported("set_fault"); }
    virtual void set_interval(uint64_t /*interval_ns*/) { unsupported("set_interval"); }
    // The device's state by field id: fill out (zeroed, struct_size set; id is filled in
    // for you). Strings must stay valid until the next call: keep_text() holds one.
    virtual void get_field(std::string_view id, anyserial_field_t & /*out*/) {
        throw Error(ANYSERIAL_E_NOT_FOUND, "this simulator has no field '" + std::string(id) + "'");
    }
    virtual void counters(uint64_t & /*requests*/, uint64_t & /*replies*/, uint64_t & /*frames*/) {
        unsupported("counters");
    }

    static SimulatorSession *from(anyserial_simulator_t *self) noexcept {
        return self != nullptr ? static_cast<SimulatorSession *>(self->impl) : nullptr;
    }
    anyserial_simulator_t *handle() noexcept { return &handle_; }
    LastError &errors() noexcept { return error_; }
    const LastError &errors() const noexcept { return error_; }

  protected:
    // A copy of s valid until the next call on the simulator (for get_field's strings).
    const char *keep_text(std::string_view s) {
        field_text_.assign(s.data(), s.size());
        return field_text_.c_str();
    }

  private:
    template <class S>
    friend struct SimulatorExtension;
    friend struct detail::SimulatorTrampolines;

    [[noreturn]] static void unsupported(const char *what) {
        throw Error(ANYSERIAL_E_NOT_SUPPORTED,
                    std::string(what) + " is not supported by this simulator");
    }

    LastError error_;
    anyserial_simulator_t handle_{};
    std::string field_text_;
    std::string field_id_;
};

// Field value setters for get_field.
inline void set_integer(anyserial_field_t &out, double v, const char *unit = nullptr) noexcept {
    out.value_type = ANYSERIAL_VALUE_INTEGER;
    out.number = v;
    out.unit = unit;
}
inline void set_number(anyserial_field_t &out, double v, const char *unit = nullptr) noexcept {
    out.value_type = ANYSERIAL_VALUE_NUMBER;
    out.number = v;
    out.unit = unit;
}
inline void set_text(anyserial_field_t &out, const char *text) noexcept {
    out.value_type = ANYSERIAL_VALUE_TEXT;
    out.text = text;
}

namespace detail {

struct SimulatorTrampolines {
    static SimulatorSession &self(anyserial_simulator_t *h) noexcept {
        return *static_cast<SimulatorSession *>(h->impl);
    }
    static int32_t invalid(anyserial_simulator_t *h, const char *msg) noexcept {
        self(h).errors().set(msg);
        return ANYSERIAL_E_INVALID_ARGUMENT;
    }

    static int32_t feed(anyserial_simulator_t *h, uint64_t now, const uint8_t *data,
                        uint32_t len) noexcept {
        if (data == nullptr && len > 0) return invalid(h, "feed: NULL data");
        return guarded(self(h).errors(), [&] { self(h).feed(now, {data, len}); });
    }
    static int32_t poll_output(anyserial_simulator_t *h, uint64_t now, uint8_t *buf, uint32_t cap,
                               uint32_t *n, uint64_t *next_ns) noexcept {
        if (n == nullptr || next_ns == nullptr || (buf == nullptr && cap > 0))
            return invalid(h, "poll_output: NULL argument");
        *n = 0;
        *next_ns = UINT64_MAX;
        return guarded(self(h).errors(), [&] {
            *n = self(h).poll_output(now, {buf, cap}, *next_ns);
        });
    }
    static int32_t set_reading(anyserial_simulator_t *h, const char *channel,
                               const anyserial_arg_value_t *value, uint64_t flags) noexcept {
        if (channel == nullptr || value == nullptr) return invalid(h, "set_reading: NULL argument");
        const anyserial_arg_value_t v = read_struct(value);
        return guarded(self(h).errors(), [&] { self(h).set_reading(channel, v, flags); });
    }
    static int32_t set_label(anyserial_simulator_t *h, const char *channel, const char *name,
                             const char *unit) noexcept {
        if (channel == nullptr) return invalid(h, "set_label: NULL channel");
        return guarded(self(h).errors(),
                       [&] { self(h).set_label(channel, name, unit != nullptr ? unit : ""); });
    }
    static int32_t set_device_flags(anyserial_simulator_t *h, uint64_t flags) noexcept {
        return guarded(self(h).errors(), [&] { self(h).set_device_flags(flags); });
    }
    static int32_t set_fault(anyserial_simulator_t *h, uint32_t fault, uint32_t param) noexcept {
        return guarded(self(h).errors(), [&] { self(h).set_fault(fault, param); });
    }
    static int32_t set_interval(anyserial_simulator_t *h, uint64_t ns) noexcept {
        return guarded(self(h).errors(), [&] { self(h).set_interval(ns); });
    }
    static int32_t get_field(anyserial_simulator_t *h, const char *id,
                             anyserial_field_t *out) noexcept {
        if (id == nullptr || out == nullptr) return invalid(h, "get_field: NULL argument");
        anyserial_field_t f = init_struct<anyserial_field_t>();
        const int32_t st = guarded(self(h).errors(), [&] {
            SimulatorSession &s = self(h);
            s.field_id_.assign(id);
            s.get_field(s.field_id_, f);
            f.id = s.field_id_.c_str();
        });
        if (st == ANYSERIAL_OK) write_struct(out, f);
        return st;
    }
    static int32_t counters(anyserial_simulator_t *h, uint64_t *requests, uint64_t *replies,
                            uint64_t *frames) noexcept {
        uint64_t rq = 0, rp = 0, fr = 0;
        const int32_t st = guarded(self(h).errors(), [&] { self(h).counters(rq, rp, fr); });
        if (requests != nullptr) *requests = rq;
        if (replies != nullptr) *replies = rp;
        if (frames != nullptr) *frames = fr;
        return st;
    }
    static uint32_t last_error(const anyserial_simulator_t *h, char *buf, uint32_t cap) noexcept {
        return static_cast<const SimulatorSession *>(h->impl)->errors().copy(buf, cap);
    }
    static void destroy(anyserial_simulator_t *h) noexcept {
        delete static_cast<SimulatorSession *>(h->impl);
    }

    static constexpr anyserial_simulator_vtable_t vtable = {
        sizeof(anyserial_simulator_vtable_t),
        &feed,
        &poll_output,
        &set_reading,
        &set_label,
        &set_device_flags,
        &set_fault,
        &set_interval,
        &get_field,
        &counters,
        &last_error,
        &destroy,
    };
};

}  // namespace detail

// The anyserial_simulator_ext_t for a SimulatorSession class S constructible from
// `const anyserial_protocol_options_t &` (NULL options arrive with defaults filled in).
template <class S>
struct SimulatorExtension {
    static_assert(std::is_base_of_v<SimulatorSession, S>, "S derives from sdk::SimulatorSession");

    static int32_t create(const anyserial_simulator_ext_t * /*self*/,
                          const anyserial_protocol_options_t *options,
                          anyserial_simulator_t **out) noexcept {
        if (out == nullptr) return ANYSERIAL_E_INVALID_ARGUMENT;
        *out = nullptr;
        const anyserial_protocol_options_t opts = protocol_options(options);
        LastError err;
        std::unique_ptr<S> sim;
        const int32_t st = guarded(err, [&] { sim = std::make_unique<S>(opts); });
        if (st != ANYSERIAL_OK) {
            char text[LastError::capacity];
            err.copy(text, sizeof text);
            log(ANYSERIAL_LOG_ERROR, nullptr,
                "create simulator failed: ", static_cast<const char *>(text));
            return st;
        }
        anyserial_simulator_t &h = sim->handle_;
        h.struct_size = sizeof(anyserial_simulator_t);
        h.impl = static_cast<SimulatorSession *>(sim.get());
        h.vtable = &detail::SimulatorTrampolines::vtable;
        *out = &h;
        (void)sim.release();
        return ANYSERIAL_OK;
    }

    static constexpr anyserial_simulator_ext_t table = {sizeof(anyserial_simulator_ext_t), &create};
    static const anyserial_simulator_ext_t *get() noexcept { return &table; }
};

}  // namespace anyserial::sdk

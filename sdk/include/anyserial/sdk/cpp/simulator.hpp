// anyserial SDK C++ helpers — expose a C++ class as an anyserial_simulator_t (the device
// side of a protocol, extension "anyserial.protocol.simulator/1").
//
//     class EchoSim final : public sdk::Simulator {
//     public:
//         explicit EchoSim(const anyserial_protocol_options_t &opts) : address_(opts.address) {}
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
//         ...
//     };
//     // In the protocol class: `using simulator_type = EchoSim;` and ProtocolFactory serves
//     // the extension; or return sdk::SimulatorExtension<EchoSim>::get() yourself.
//
// Unimplemented optional calls answer ANYSERIAL_E_NOT_SUPPORTED. Throw sdk::Error to fail.
#pragma once

#include <anyserial/sdk/ext/simulator.h>

#include <anyserial/sdk/cpp/abi.hpp>
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

class Simulator {
  public:
    Simulator() = default;
    Simulator(const Simulator &) = delete;
    Simulator &operator=(const Simulator &) = delete;
    virtual ~Simulator() = default;

    // Bytes the master sent, received at now_ns.
    virtual void feed(uint64_t now_ns, std::span<const uint8_t> data) = 0;
    // Bytes the device sends at now_ns, at most buf.size(); returns how many were written
    // and sets next_ns (UINT64_MAX = only after the next feed).
    virtual uint32_t poll_output(uint64_t now_ns, std::span<uint8_t> buf, uint64_t &next_ns) = 0;
    virtual void set_reading(std::string_view /*channel*/, bool /*has_value*/, double /*value*/,
                             uint32_t /*status*/) {
        unsupported("set_reading");
    }
    // name may be nullptr (unlabelled).
    virtual void set_label(std::string_view /*channel*/, const char * /*name*/,
                           std::string_view /*unit*/) {
        unsupported("set_label");
    }
    virtual void set_analyser(bool /*fault*/, bool /*maintenance*/) { unsupported("set_analyser"); }
    virtual void set_fault(uint32_t /*fault*/, uint32_t /*param*/) { unsupported("set_fault"); }
    virtual void set_interval(uint64_t /*interval_ns*/) { unsupported("set_interval"); }
    virtual void cal_group(uint32_t /*group*/, bool & /*calibrating*/, uint32_t & /*cal_gas*/) {
        unsupported("cal_group");
    }
    virtual void counters(uint64_t & /*requests*/, uint64_t & /*replies*/, uint64_t & /*frames*/) {
        unsupported("counters");
    }

    static Simulator *from(anyserial_simulator_t *self) noexcept {
        return self != nullptr ? static_cast<Simulator *>(self->impl) : nullptr;
    }
    anyserial_simulator_t *handle() noexcept { return &handle_; }
    LastError &errors() noexcept { return error_; }
    const LastError &errors() const noexcept { return error_; }

  private:
    template <class S>
    friend struct SimulatorExtension;

    [[noreturn]] static void unsupported(const char *what) {
        throw Error(ANYSERIAL_E_NOT_SUPPORTED,
                    std::string(what) + " is not supported by this simulator");
    }

    LastError error_;
    anyserial_simulator_t handle_{};
};

namespace detail {

struct SimulatorTrampolines {
    static Simulator &self(anyserial_simulator_t *h) noexcept {
        return *static_cast<Simulator *>(h->impl);
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
    static int32_t set_reading(anyserial_simulator_t *h, const char *channel, bool has_value,
                               double value, uint32_t status) noexcept {
        if (channel == nullptr) return invalid(h, "set_reading: NULL channel");
        return guarded(self(h).errors(),
                       [&] { self(h).set_reading(channel, has_value, value, status); });
    }
    static int32_t set_label(anyserial_simulator_t *h, const char *channel, const char *name,
                             const char *unit) noexcept {
        if (channel == nullptr) return invalid(h, "set_label: NULL channel");
        return guarded(self(h).errors(),
                       [&] { self(h).set_label(channel, name, unit != nullptr ? unit : ""); });
    }
    static int32_t set_analyser(anyserial_simulator_t *h, bool fault, bool maint) noexcept {
        return guarded(self(h).errors(), [&] { self(h).set_analyser(fault, maint); });
    }
    static int32_t set_fault(anyserial_simulator_t *h, uint32_t fault, uint32_t param) noexcept {
        return guarded(self(h).errors(), [&] { self(h).set_fault(fault, param); });
    }
    static int32_t set_interval(anyserial_simulator_t *h, uint64_t ns) noexcept {
        return guarded(self(h).errors(), [&] { self(h).set_interval(ns); });
    }
    static int32_t cal_group(anyserial_simulator_t *h, uint32_t group, bool *calibrating,
                             uint32_t *cal_gas) noexcept {
        if (calibrating == nullptr || cal_gas == nullptr)
            return invalid(h, "cal_group: NULL output");
        return guarded(self(h).errors(), [&] { self(h).cal_group(group, *calibrating, *cal_gas); });
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
        return static_cast<const Simulator *>(h->impl)->errors().copy(buf, cap);
    }
    static void destroy(anyserial_simulator_t *h) noexcept {
        delete static_cast<Simulator *>(h->impl);
    }

    static constexpr anyserial_simulator_vtable_t vtable = {
        sizeof(anyserial_simulator_vtable_t),
        &feed,
        &poll_output,
        &set_reading,
        &set_label,
        &set_analyser,
        &set_fault,
        &set_interval,
        &cal_group,
        &counters,
        &last_error,
        &destroy,
    };
};

}  // namespace detail

// The anyserial_simulator_ext_t for a Simulator class S constructible from
// `const anyserial_protocol_options_t &` (NULL options arrive with defaults filled in).
template <class S>
struct SimulatorExtension {
    static_assert(std::is_base_of_v<Simulator, S>, "S derives from sdk::Simulator");

    static int32_t create(const anyserial_protocol_options_t *options,
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
        h.impl = static_cast<Simulator *>(sim.get());
        h.vtable = &detail::SimulatorTrampolines::vtable;
        *out = &h;
        (void)sim.release();
        return ANYSERIAL_OK;
    }

    static constexpr anyserial_simulator_ext_t table = {sizeof(anyserial_simulator_ext_t), &create};
    static const anyserial_simulator_ext_t *get() noexcept { return &table; }
};

}  // namespace anyserial::sdk

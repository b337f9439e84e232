// anyserial SDK C++ helpers — expose a C++ class as an anyserial_backend_t.
//
// Derive from sdk::Backend, override what the backend does (the rest answers
// ANYSERIAL_E_NOT_SUPPORTED), describe it with a static describe(), and list it in an
// sdk::BackendFactory. Fail by throwing sdk::Error (see error.hpp); every trampoline is
// noexcept and turns exceptions into statuses plus last_error()/last_os_error() text.
//
//     class EchoBackend final : public sdk::Backend {
//     public:
//         static const anyserial_backend_descriptor_t &describe() noexcept {
//             static const char *const schemes[] = {"echo", nullptr};
//             static const anyserial_capabilities_t caps = sdk::make_capabilities(
//                 ANYSERIAL_CAP_UNSUPPORTED);
//             static const anyserial_backend_descriptor_t d = {
//                 sizeof d, "echo", "Echo", "me", "0.1.0", "bytes written come back", "any",
//                 ANYSERIAL_BACKEND_KIND_SYNC_FD, 0, nullptr, schemes, &caps};
//             return d;
//         }
//         void open(const char *path, const anyserial_serial_config_t &,
//                   sdk::ConfigReport &) override {
//             if (::pipe2(fds_, O_NONBLOCK | O_CLOEXEC) != 0) sdk::throw_errno("pipe2");
//         }
//         void close() override { /* close fds_, idempotent */ }
//         int fileno() const noexcept override { return fds_[0]; }
//         anyserial_status_t read_nonblocking(std::span<uint8_t> buf, uint32_t &n) override {
//             ssize_t r = ::read(fds_[0], buf.data(), buf.size());
//             if (r < 0) return fail_errno("read(echo)", errno);  // no allocation
//             n = static_cast<uint32_t>(r);
//             return ANYSERIAL_OK;
//         }
//         // write_nonblocking likewise
//     private:
//         int fds_[2] = {-1, -1};
//     };
//     // plugin entry: sdk::BackendFactory<EchoBackend>::get() (see plugin.hpp)
//
// Requirements on a listed class B: derives from sdk::Backend, default-constructible,
// `static const anyserial_backend_descriptor_t &describe() noexcept`. Optional:
// `static const void *factory_extension(const char *extension_id) noexcept` (backend-level
// extensions such as discovery); `static constexpr bool plain_fd_io = true;` when the
// sync-fd primitives are exactly read(2)/write(2) on fileno() (ANYSERIAL_SYNC_FD_PLAIN_IO).
// Per-instance extensions: override extension(); their C functions get the anyserial_backend_t* and
// reach the object with Backend::from(self).
#pragma once

#include <anyserial/sdk/backend.h>

#include <algorithm>
#include <anyserial/sdk/cpp/abi.hpp>
#include <anyserial/sdk/cpp/error.hpp>
#include <anyserial/sdk/cpp/plugin.hpp>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace anyserial::sdk {

// Capabilities with every feature set to one tri-state value.
inline anyserial_capabilities_t make_capabilities(uint8_t all = ANYSERIAL_CAP_UNKNOWN) noexcept {
    anyserial_capabilities_t c = init_struct<anyserial_capabilities_t>();
    c.custom_baudrate = c.mark_space_parity = c.one_point_five_stop_bits = c.xon_xoff = all;
    c.rts_cts = c.dtr_dsr = c.modem_lines = c.break_signal = c.exclusive_access = all;
    c.low_latency = c.rs485 = c.input_waiting = c.output_waiting = c.port_discovery = all;
    return c;
}

// What open()/configure() could not apply. Append with unsupported(); the trampoline copies
// it into the caller's report (if any).
class ConfigReport {
  public:
    void unsupported(uint32_t feature, std::string_view why) noexcept {
        report_.unsupported |= feature;
        char *msg = report_.message;
        const std::size_t cap = sizeof report_.message - 1;  // room for the NUL
        std::size_t len = 0;
        while (len < cap && msg[len] != '\0')
            ++len;
        auto append = [&](std::string_view text) {
            for (char c : text) {
                if (len >= cap) break;
                msg[len++] = c;
            }
        };
        if (len > 0) append("; ");
        append(why);
        msg[len] = '\0';
    }
    uint32_t features() const noexcept { return report_.unsupported; }
    std::string_view message() const noexcept { return report_.message; }
    const anyserial_config_report_t &raw() const noexcept { return report_; }

  private:
    anyserial_config_report_t report_ = init_struct<anyserial_config_report_t>();
};

// An async completion callback with its user pointer.
struct Completion {
    anyserial_completion_fn fn = nullptr;
    void *user = nullptr;

    explicit operator bool() const noexcept { return fn != nullptr; }
    // Deliver and forget, so a completion cannot be delivered twice through this object.
    void complete(anyserial_status_t status, uint32_t transferred) noexcept {
        anyserial_completion_fn f = fn;
        fn = nullptr;
        if (f != nullptr) f(user, status, transferred);
    }
};

template <class... Backends>
struct BackendFactory;

class Backend {
  public:
    Backend() = default;
    Backend(const Backend &) = delete;
    Backend &operator=(const Backend &) = delete;
    virtual ~Backend() = default;

    // ---- control table (see backend.h for semantics and thread tags) -------------------
    virtual void open(const char *path, const anyserial_serial_config_t &config,
                      ConfigReport &report) = 0;
    virtual void close() = 0;  // idempotent
    virtual void configure(const anyserial_serial_config_t &, ConfigReport &) {
        unsupported("configure");
    }
    virtual void reset_input() { unsupported("reset_input"); }
    virtual void reset_output() { unsupported("reset_output"); }
    virtual void set_break(bool) { unsupported("set_break"); }
    virtual void drain_blocking() { unsupported("drain_blocking"); }
    virtual uint32_t modem_lines() { unsupported("modem_lines"); }
    virtual void set_control_lines(int32_t /*rts*/, int32_t /*dtr*/) {
        unsupported("set_control_lines");
    }
    virtual uint32_t input_waiting() { unsupported("input_waiting"); }
    virtual uint32_t output_waiting() { unsupported("output_waiting"); }
    // Default: the descriptor's platform-level capabilities.
    virtual anyserial_capabilities_t capabilities() {
        const anyserial_backend_descriptor_t *d = descriptor();
        return d != nullptr && d->capabilities != nullptr ? read_struct(d->capabilities)
                                                          : make_capabilities();
    }
    // Per-instance extension by id, nullptr when not provided.
    virtual const void *extension(std::string_view /*id*/) noexcept { return nullptr; }

    // ---- SYNC_FD kind: must never block; no allocation on success --------------------
    virtual int fileno() const noexcept { return -1; }
    virtual anyserial_status_t read_nonblocking(std::span<uint8_t> /*buf*/, uint32_t & /*n*/) {
        unsupported("read_nonblocking");
    }
    virtual anyserial_status_t write_nonblocking(std::span<const uint8_t> /*data*/,
                                                 uint32_t & /*n*/) {
        unsupported("write_nonblocking");
    }

    // ---- ASYNC_COMPLETION kind: returning normally promises exactly one completion ----
    virtual void start_read(std::span<uint8_t> /*buf*/, Completion /*done*/) {
        unsupported("start_read");
    }
    virtual void start_write(std::span<const uint8_t> /*data*/, Completion /*done*/) {
        unsupported("start_write");
    }
    virtual void cancel(uint32_t /*directions*/) { unsupported("cancel"); }

    // ---- services ----------------------------------------------------------------------
    // The object behind a C handle created by BackendFactory (nullptr for a foreign one).
    static Backend *from(anyserial_backend_t *self) noexcept {
        return self != nullptr ? static_cast<Backend *>(self->impl) : nullptr;
    }
    anyserial_backend_t *handle() noexcept { return &handle_; }
    const anyserial_backend_descriptor_t *descriptor() const noexcept { return handle_.descriptor; }
    LastError &errors() noexcept { return error_; }
    const LastError &errors() const noexcept { return error_; }

    // Record a failure without throwing (hot path): "<what>: <strerror(err)>", no allocation.
    anyserial_status_t fail_errno(std::string_view what, int err) noexcept {
        return fail_errno(status_from_errno(err), what, err);
    }
    anyserial_status_t fail_errno(anyserial_status_t status, std::string_view what,
                                  int err) noexcept {
        char buf[LastError::capacity];
        const char *reason = std::strerror(err);
        const std::size_t wl = std::min(what.size(), sizeof buf - 1);
        if (wl > 0) std::memcpy(buf, what.data(), wl);
        std::size_t len = wl;
        for (const char *p : {": ", reason})
            for (; *p != '\0' && len < sizeof buf - 1; ++p)
                buf[len++] = *p;
        error_.set(std::string_view(buf, len), err);
        return status;
    }
    anyserial_status_t fail(anyserial_status_t status, std::string_view message,
                            int os_error = 0) noexcept {
        error_.set(message, os_error);
        return status;
    }

  private:
    template <class... Backends>
    friend struct BackendFactory;

    [[noreturn]] void unsupported(const char *what) const {
        const anyserial_backend_descriptor_t *d = descriptor();
        throw Error(ANYSERIAL_E_NOT_SUPPORTED,
                    std::string(what) + " is not supported by backend '" +
                        (d != nullptr && d->id != nullptr ? d->id : "?") + "'");
    }

    LastError error_;
    anyserial_backend_t handle_{};
};

namespace detail {

struct BackendTrampolines {
    static Backend &self(anyserial_backend_t *h) noexcept {
        return *static_cast<Backend *>(h->impl);
    }
    static const Backend &self(const anyserial_backend_t *h) noexcept {
        return *static_cast<const Backend *>(h->impl);
    }

    static int32_t open(anyserial_backend_t *h, const char *path,
                        const anyserial_serial_config_t *config,
                        anyserial_config_report_t *report) noexcept {
        Backend &b = self(h);
        if (path == nullptr || config == nullptr)
            return b.fail(ANYSERIAL_E_INVALID_ARGUMENT, "open: path and config are required");
        ConfigReport r;
        const anyserial_serial_config_t cfg = read_struct(config);
        const int32_t st = guarded(b.errors(), [&] { b.open(path, cfg, r); });
        write_struct(report, r.raw());
        return st;
    }
    static void close(anyserial_backend_t *h) noexcept {
        Backend &b = self(h);
        (void)guarded(b.errors(), [&] { b.close(); });
    }
    static int32_t configure(anyserial_backend_t *h, const anyserial_serial_config_t *config,
                             anyserial_config_report_t *report) noexcept {
        Backend &b = self(h);
        if (config == nullptr)
            return b.fail(ANYSERIAL_E_INVALID_ARGUMENT, "configure: config is required");
        ConfigReport r;
        const anyserial_serial_config_t cfg = read_struct(config);
        const int32_t st = guarded(b.errors(), [&] { b.configure(cfg, r); });
        write_struct(report, r.raw());
        return st;
    }
    static int32_t reset_input(anyserial_backend_t *h) noexcept {
        return guarded(self(h).errors(), [&] { self(h).reset_input(); });
    }
    static int32_t reset_output(anyserial_backend_t *h) noexcept {
        return guarded(self(h).errors(), [&] { self(h).reset_output(); });
    }
    static int32_t set_break(anyserial_backend_t *h, bool on) noexcept {
        return guarded(self(h).errors(), [&] { self(h).set_break(on); });
    }
    static int32_t drain_blocking(anyserial_backend_t *h) noexcept {
        return guarded(self(h).errors(), [&] { self(h).drain_blocking(); });
    }
    static int32_t modem_lines(anyserial_backend_t *h, uint32_t *lines) noexcept {
        if (lines == nullptr)
            return self(h).fail(ANYSERIAL_E_INVALID_ARGUMENT, "modem_lines: NULL output");
        return guarded(self(h).errors(), [&] { *lines = self(h).modem_lines(); });
    }
    static int32_t set_control_lines(anyserial_backend_t *h, int32_t rts, int32_t dtr) noexcept {
        auto valid = [](int32_t v) {
            return v == ANYSERIAL_LINE_UNCHANGED || v == ANYSERIAL_LINE_OFF ||
                   v == ANYSERIAL_LINE_ON;
        };
        if (!valid(rts) || !valid(dtr))
            return self(h).fail(ANYSERIAL_E_INVALID_ARGUMENT,
                                "set_control_lines: rts/dtr must be -1, 0 or 1");
        return guarded(self(h).errors(), [&] { self(h).set_control_lines(rts, dtr); });
    }
    static int32_t input_waiting(anyserial_backend_t *h, uint32_t *count) noexcept {
        if (count == nullptr)
            return self(h).fail(ANYSERIAL_E_INVALID_ARGUMENT, "input_waiting: NULL output");
        return guarded(self(h).errors(), [&] { *count = self(h).input_waiting(); });
    }
    static int32_t output_waiting(anyserial_backend_t *h, uint32_t *count) noexcept {
        if (count == nullptr)
            return self(h).fail(ANYSERIAL_E_INVALID_ARGUMENT, "output_waiting: NULL output");
        return guarded(self(h).errors(), [&] { *count = self(h).output_waiting(); });
    }
    static int32_t capabilities(anyserial_backend_t *h, anyserial_capabilities_t *out) noexcept {
        if (out == nullptr)
            return self(h).fail(ANYSERIAL_E_INVALID_ARGUMENT, "capabilities: NULL output");
        return guarded(self(h).errors(), [&] { write_struct(out, self(h).capabilities()); });
    }
    static uint32_t last_error(const anyserial_backend_t *h, char *buf, uint32_t cap) noexcept {
        return self(h).errors().copy(buf, cap);
    }
    static int32_t last_os_error(const anyserial_backend_t *h) noexcept {
        return self(h).errors().os_error();
    }
    static const void *get_extension(anyserial_backend_t *h, const char *id) noexcept {
        return id != nullptr ? self(h).extension(id) : nullptr;
    }

    static int32_t fileno(const anyserial_backend_t *h) noexcept { return self(h).fileno(); }
    static int32_t read_nonblocking(anyserial_backend_t *h, uint8_t *buf, uint32_t len,
                                    uint32_t *n) noexcept {
        Backend &b = self(h);
        if (n == nullptr || (buf == nullptr && len > 0))
            return b.fail(ANYSERIAL_E_INVALID_ARGUMENT, "read_nonblocking: NULL buffer");
        *n = 0;
        return guarded(b.errors(), [&] { return b.read_nonblocking({buf, len}, *n); });
    }
    static int32_t write_nonblocking(anyserial_backend_t *h, const uint8_t *data, uint32_t len,
                                     uint32_t *n) noexcept {
        Backend &b = self(h);
        if (n == nullptr || (data == nullptr && len > 0))
            return b.fail(ANYSERIAL_E_INVALID_ARGUMENT, "write_nonblocking: NULL buffer");
        *n = 0;
        return guarded(b.errors(), [&] { return b.write_nonblocking({data, len}, *n); });
    }

    static int32_t start_read(anyserial_backend_t *h, uint8_t *buf, uint32_t len,
                              anyserial_completion_fn done, void *user) noexcept {
        Backend &b = self(h);
        if (done == nullptr || buf == nullptr || len == 0)
            return b.fail(ANYSERIAL_E_INVALID_ARGUMENT,
                          "start_read: buffer, length and completion are required");
        return guarded(b.errors(), [&] { b.start_read({buf, len}, Completion{done, user}); });
    }
    static int32_t start_write(anyserial_backend_t *h, const uint8_t *data, uint32_t len,
                               anyserial_completion_fn done, void *user) noexcept {
        Backend &b = self(h);
        if (done == nullptr || data == nullptr || len == 0)
            return b.fail(ANYSERIAL_E_INVALID_ARGUMENT,
                          "start_write: data, length and completion are required");
        return guarded(b.errors(), [&] { b.start_write({data, len}, Completion{done, user}); });
    }
    static int32_t cancel(anyserial_backend_t *h, uint32_t directions) noexcept {
        return guarded(self(h).errors(), [&] { self(h).cancel(directions); });
    }

    static void destroy(anyserial_backend_t *h) noexcept {
        Backend *b = static_cast<Backend *>(h->impl);
        (void)guarded(b->errors(), [&] { b->close(); });
        delete b;  // destructors must not throw (they are noexcept by default)
    }

    static constexpr anyserial_backend_control_t control = {
        sizeof(anyserial_backend_control_t),
        &open,
        &close,
        &configure,
        &reset_input,
        &reset_output,
        &set_break,
        &drain_blocking,
        &modem_lines,
        &set_control_lines,
        &input_waiting,
        &output_waiting,
        &capabilities,
        &last_error,
        &last_os_error,
        &get_extension,
    };
    static constexpr anyserial_sync_fd_io_t sync_fd = {sizeof(anyserial_sync_fd_io_t), &fileno,
                                                       &read_nonblocking, &write_nonblocking, 0};
    static constexpr anyserial_sync_fd_io_t sync_fd_plain = {
        sizeof(anyserial_sync_fd_io_t), &fileno, &read_nonblocking, &write_nonblocking,
        ANYSERIAL_SYNC_FD_PLAIN_IO};
    static constexpr anyserial_async_io_t async_io = {sizeof(anyserial_async_io_t), &start_read,
                                                      &start_write, &cancel};
};

template <class B>
concept HasFactoryExtension = requires(const char *id) {
    { B::factory_extension(id) } -> std::convertible_to<const void *>;
};

// `static constexpr bool plain_fd_io = true;` in a sync-fd class: its read_nonblocking and
// write_nonblocking are exactly read(2)/write(2) on fileno() (ANYSERIAL_SYNC_FD_PLAIN_IO).
template <class B>
constexpr bool plain_fd_io() {
    if constexpr (requires { B::plain_fd_io; })
        return B::plain_fd_io;
    else
        return false;
}

}  // namespace detail

// The anyserial_backend_factory_t of a list of Backend classes. Use get() in the plugin's
// get_factory for ANYSERIAL_BACKEND_FACTORY_ID.
template <class... Backends>
struct BackendFactory {
    static_assert(sizeof...(Backends) > 0, "list at least one backend");
    static_assert((std::is_base_of_v<Backend, Backends> && ...),
                  "backends derive from sdk::Backend");

    static uint32_t count() noexcept { return sizeof...(Backends); }

    static const anyserial_backend_descriptor_t *get_descriptor(uint32_t index) noexcept {
        const anyserial_backend_descriptor_t *const all[] = {&Backends::describe()...};
        return index < sizeof...(Backends) ? all[index] : nullptr;
    }

    static int32_t create(const char *backend_id, anyserial_backend_t **out) noexcept {
        if (out == nullptr || backend_id == nullptr) return ANYSERIAL_E_INVALID_ARGUMENT;
        *out = nullptr;
        int32_t status = ANYSERIAL_E_NOT_FOUND;
        // The first listed class whose descriptor id matches builds the instance.
        (void)((matches<Backends>(backend_id) ? (status = make<Backends>(out), true) : false) ||
               ...);
        return status;
    }

    static const void *get_extension(const char *backend_id, const char *extension_id) noexcept {
        if (backend_id == nullptr || extension_id == nullptr) return nullptr;
        const void *found = nullptr;
        (void)((matches<Backends>(backend_id)
                    ? (found = factory_extension<Backends>(extension_id), true)
                    : false) ||
               ...);
        return found;
    }

    static constexpr anyserial_backend_factory_t table = {
        sizeof(anyserial_backend_factory_t), &count, &get_descriptor, &create, &get_extension};

    static const anyserial_backend_factory_t *get() noexcept { return &table; }

  private:
    template <class B>
    static bool matches(const char *id) noexcept {
        const char *mine = B::describe().id;
        return mine != nullptr && std::strcmp(mine, id) == 0;
    }

    template <class B>
    static const void *factory_extension(const char *extension_id) noexcept {
        if constexpr (detail::HasFactoryExtension<B>)
            return B::factory_extension(extension_id);
        else
            return nullptr;
    }

    template <class B>
    static int32_t make(anyserial_backend_t **out) noexcept {
        LastError err;  // create has no object to report through: the host log gets it
        std::unique_ptr<B> b;
        const int32_t st = guarded(err, [&] { b = std::make_unique<B>(); });
        if (st != ANYSERIAL_OK) {
            char text[LastError::capacity];
            err.copy(text, sizeof text);
            log(ANYSERIAL_LOG_ERROR, nullptr, "create backend '", B::describe().id,
                "' failed: ", static_cast<const char *>(text));
            return st;
        }
        const anyserial_backend_descriptor_t &d = B::describe();
        anyserial_backend_t &h = b->handle_;
        h.struct_size = sizeof(anyserial_backend_t);
        h.descriptor = &d;
        h.control = &detail::BackendTrampolines::control;
        const anyserial_sync_fd_io_t *io = detail::plain_fd_io<B>()
                                               ? &detail::BackendTrampolines::sync_fd_plain
                                               : &detail::BackendTrampolines::sync_fd;
        h.sync_fd = d.kind == ANYSERIAL_BACKEND_KIND_SYNC_FD ? io : nullptr;
        h.async_io = d.kind == ANYSERIAL_BACKEND_KIND_ASYNC_COMPLETION
                         ? &detail::BackendTrampolines::async_io
                         : nullptr;
        h.destroy = &detail::BackendTrampolines::destroy;
        h.impl = static_cast<Backend *>(b.get());
        *out = &h;
        (void)b.release();
        return ANYSERIAL_OK;
    }
};

}  // namespace anyserial::sdk

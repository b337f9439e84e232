// anyserial SDK C++ helpers — plugin-wide services: the host pointer, logging, the clock,
// and the entry's get_factory dispatch. Header-only, C++20, only the SDK's C headers + std.
//
// Usage (one translation unit of a plugin):
//
//     #include <anyserial/sdk/cpp/backend.hpp>
//     namespace sdk = anyserial::sdk;
//
//     static const void *get_factory(const char *id) noexcept {
//         return sdk::lookup_factory(id, {
//             {ANYSERIAL_BACKEND_FACTORY_ID, sdk::BackendFactory<EchoBackend>::get()},
//         });
//     }
//     ANYSERIAL_DEFINE_PLUGIN_ENTRY(sdk::init_host, sdk::deinit_host, get_factory);
//
//     // anywhere later:
//     sdk::log(ANYSERIAL_LOG_DEBUG, "anyserial.echo", "opened ", path, " at ", baud);
//     std::uint64_t now = sdk::monotonic_ns();
//
// A plugin with its own init calls sdk::init_host(host) first and returns its status.
#pragma once

#include <anyserial/sdk/entry.h>
#include <anyserial/sdk/host.h>
#include <anyserial/sdk/status.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

namespace anyserial::sdk {

namespace detail {
// One slot per plugin module (plugins build with hidden visibility, so every module has
// its own copy of this inline function's static).
inline std::atomic<const anyserial_host_t *> &host_slot() noexcept {
    static std::atomic<const anyserial_host_t *> slot{nullptr};
    return slot;
}

// Does a host struct of this size contain the member that ends at `end`?
inline bool host_has(const anyserial_host_t *h, std::size_t end) noexcept {
    return h != nullptr && h->struct_size >= end;
}
}  // namespace detail

// The host given to init(), or nullptr before init / after deinit.
inline const anyserial_host_t *host() noexcept {
    return detail::host_slot().load(std::memory_order_acquire);
}

// Entry init helper: remembers the host. Repeated calls are harmless (the ABI allows them).
inline int32_t init_host(const anyserial_host_t *h) noexcept {
    if (h == nullptr || h->struct_size < sizeof(uint32_t)) return ANYSERIAL_E_INVALID_ARGUMENT;
    detail::host_slot().store(h, std::memory_order_release);
    return ANYSERIAL_OK;
}

// Entry deinit helper: forgets the host.
inline void deinit_host() noexcept {
    detail::host_slot().store(nullptr, std::memory_order_release);
}

// True when a message at this level for this logger (nullptr = "anyserial.plugin") would
// be emitted. False without a host.
inline bool log_enabled(int32_t level, const char *logger = nullptr) noexcept {
    const anyserial_host_t *h = host();
    if (!detail::host_has(h, offsetof(anyserial_host_t, log) + sizeof(h->log)) || h->log == nullptr)
        return false;
    if (!detail::host_has(h, offsetof(anyserial_host_t, log_enabled) + sizeof(h->log_enabled)) ||
        h->log_enabled == nullptr)
        return true;
    return h->log_enabled(h, level, logger) != 0;
}

// Log one message; the parts are streamed (operator<<) only when the level is enabled, so
// a disabled level costs one call. Never throws; never pass payload bytes at INFO+.
template <class... Parts>
void log(int32_t level, const char *logger, const Parts &...parts) noexcept {
    if (!log_enabled(level, logger)) return;
    const anyserial_host_t *h = host();
    try {
        if constexpr (sizeof...(Parts) == 1 &&
                      (std::is_convertible_v<const Parts &, const char *> && ...)) {
            (h->log(h, level, logger, static_cast<const char *>(parts)), ...);
        } else {
            std::ostringstream out;
            (out << ... << parts);
            const std::string text = out.str();
            h->log(h, level, logger, text.c_str());
        }
    } catch (...) {
        // Logging must never take the plugin down (e.g. bad_alloc while formatting).
    }
}

// The host's monotonic clock in nanoseconds (steady_clock before init, for unit tests).
inline uint64_t monotonic_ns() noexcept {
    const anyserial_host_t *h = host();
    if (detail::host_has(h, offsetof(anyserial_host_t, monotonic_ns) + sizeof(h->monotonic_ns)) &&
        h->monotonic_ns != nullptr)
        return h->monotonic_ns(h);
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
}

// A host extension by id, nullptr when not provided (or before init).
inline const void *host_extension(const char *id) noexcept {
    const anyserial_host_t *h = host();
    if (!detail::host_has(h,
                          offsetof(anyserial_host_t, get_extension) + sizeof(h->get_extension)) ||
        h->get_extension == nullptr || id == nullptr)
        return nullptr;
    return h->get_extension(h, id);
}

// One row of a plugin's factory table.
struct FactoryEntry {
    const char *id;       // e.g. ANYSERIAL_BACKEND_FACTORY_ID
    const void *factory;  // e.g. sdk::BackendFactory<...>::get()
};

// get_factory dispatch: the factory whose id equals `id`, nullptr otherwise.
inline const void *lookup_factory(const char *id,
                                  std::initializer_list<FactoryEntry> table) noexcept {
    if (id == nullptr) return nullptr;
    for (const FactoryEntry &e : table)
        if (e.id != nullptr && std::strcmp(e.id, id) == 0) return e.factory;
    return nullptr;
}

}  // namespace anyserial::sdk

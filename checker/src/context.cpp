// plugin-check: loading the plugin in the child, the host struct it gets, text helpers.
#include <dlfcn.h>

#include <chrono>
#include <cstdio>
#include <cstring>

#include "check.hpp"

namespace anyserial::checker {

namespace {

void host_log(const anyserial_host_t *, int32_t, const char *, const char *) {}
int32_t host_log_enabled(const anyserial_host_t *, int32_t, const char *) {
    return 0;
}
uint64_t host_now(const anyserial_host_t *) {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
}
const void *host_extension(const anyserial_host_t *, const char *) {
    return nullptr;
}

const anyserial_host_t g_host = {sizeof(anyserial_host_t),
                                 ANYSERIAL_SDK_VERSION_MAJOR,
                                 ANYSERIAL_SDK_VERSION_MINOR,
                                 ANYSERIAL_SDK_VERSION_PATCH,
                                 "anyserial-plugin-check",
                                 "0.1.0",
                                 nullptr,
                                 host_log,
                                 host_log_enabled,
                                 host_now,
                                 host_extension};

}  // namespace

const anyserial_host_t *checker_host() {
    return &g_host;
}

Plugin &Context::loaded() {
    if (plugin_.entry != nullptr) return plugin_;
    plugin_.path = path;
    step("dlopen(RTLD_NOW)");
    plugin_.handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (plugin_.handle == nullptr)
        throw Skipped("the plugin does not load (see loading.rtld_now): " + std::string(dlerror()));
    plugin_.entry = static_cast<const anyserial_plugin_entry_t *>(
        dlsym(plugin_.handle, ANYSERIAL_ENTRY_SYMBOL));
    if (plugin_.entry == nullptr) throw Skipped("no entry symbol (see loading.entry_symbol)");
    if (plugin_.entry->abi_major != ANYSERIAL_SDK_VERSION_MAJOR)
        throw Skipped("ABI major " + std::to_string(plugin_.entry->abi_major) +
                      " is not this checker's (see loading.abi_version)");
    if (plugin_.entry->init == nullptr || plugin_.entry->get_factory == nullptr)
        throw Skipped("the entry lacks init or get_factory (see loading.entry_symbol)");
    step("entry->init");
    int32_t st = ANYSERIAL_E_INTERNAL;
    try {
        st = plugin_.entry->init(&g_host);
    } catch (...) {
        throw Skipped("init() throws (see loading.init_idempotent)");
    }
    if (st != ANYSERIAL_OK)
        throw Skipped("init() returned " + status_name(st) + " (see loading.init_idempotent)");
    step("entry->get_factory");
    plugin_.backends = static_cast<const anyserial_backend_factory_t *>(
        plugin_.entry->get_factory(ANYSERIAL_BACKEND_FACTORY_ID));
    plugin_.protocols = static_cast<const anyserial_protocol_factory_t *>(
        plugin_.entry->get_factory(ANYSERIAL_PROTOCOL_FACTORY_ID));
    return plugin_;
}

Plugin &Context::plugin() {
    if (loaded_) return plugin_;
    loaded();
    if (plugin_.backends != nullptr &&
        (plugin_.backends->struct_size < sizeof(anyserial_backend_factory_t) ||
         plugin_.backends->count == nullptr || plugin_.backends->get_descriptor == nullptr ||
         plugin_.backends->create == nullptr))
        throw Skipped("the backend factory is malformed (see descriptors.factories)");
    if (plugin_.protocols != nullptr &&
        (plugin_.protocols->struct_size < sizeof(anyserial_protocol_factory_t) ||
         plugin_.protocols->count == nullptr || plugin_.protocols->get_descriptor == nullptr ||
         plugin_.protocols->create_session == nullptr))
        throw Skipped("the protocol factory is malformed (see descriptors.factories)");
    loaded_ = true;
    return plugin_;
}

std::vector<const anyserial_backend_descriptor_t *> Context::backends(std::uint32_t kind) {
    Plugin &p = plugin();
    if (p.backends == nullptr) throw Skipped("the plugin provides no backend");
    step("backend factory->count");
    const uint32_t n = p.backends->count();
    if (n > kMaxProviders)
        throw Skipped("backend count() is out of range (see descriptors.factories)");
    std::vector<const anyserial_backend_descriptor_t *> out;
    for (uint32_t i = 0; i < n; ++i) {
        step("backend factory->get_descriptor(" + std::to_string(i) + ")");
        const auto *d = p.backends->get_descriptor(i);
        // malformed ones are descriptors.backend's to report
        if (d != nullptr && d->id != nullptr && d->id[0] != '\0' && d->kind == kind)
            out.push_back(d);
    }
    if (out.empty())
        throw Skipped(std::string("the plugin provides no (well-formed) ") +
                      (kind == ANYSERIAL_BACKEND_KIND_SYNC_FD ? "sync-fd" : "async-completion") +
                      " backend");
    return out;
}

std::vector<const anyserial_protocol_descriptor_t *> Context::protocols() {
    Plugin &p = plugin();
    if (p.protocols == nullptr)
        throw Skipped("the plugin provides no anyserial.protocol/2 factory");
    step("protocol factory->count");
    const uint32_t n = p.protocols->count(p.protocols);
    if (n > kMaxProviders)
        throw Skipped("protocol count() is out of range (see descriptors.factories)");
    std::vector<const anyserial_protocol_descriptor_t *> out;
    for (uint32_t i = 0; i < n; ++i) {
        step("protocol factory->get_descriptor(" + std::to_string(i) + ")");
        const auto *d = p.protocols->get_descriptor(p.protocols, i);
        if (d == nullptr || d->id == nullptr || d->id[0] == '\0')
            throw Skipped("protocol descriptor " + std::to_string(i) +
                          " is malformed (see descriptors.protocol)");
        out.push_back(d);
    }
    if (out.empty()) throw Skipped("the protocol factory lists no protocol");
    return out;
}

std::string quote(std::string_view s) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size() && i < 80; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    if (s.size() > 80) out += "...";
    return out + "\"";
}

bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        uint32_t cp = 0;
        if (c < 0x80) {
            cp = c;
        } else if ((c & 0xe0) == 0xc0) {
            n = 1, cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n >= s.size() && n > 0) return false;
        for (std::size_t k = 1; k <= n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3f);
        }
        // overlong forms, surrogates and values past U+10FFFF
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
            return false;
        i += n + 1;
    }
    return true;
}

std::string status_name(std::int32_t st) {
    static const char *const names[] = {"OK",
                                        "E_NOT_SUPPORTED",
                                        "E_WOULD_BLOCK",
                                        "E_INTERRUPTED",
                                        "E_TIMEOUT",
                                        "E_IO",
                                        "E_DISCONNECTED",
                                        "E_BUSY",
                                        "E_NOT_FOUND",
                                        "E_INVALID_ARGUMENT",
                                        "E_UNSUPPORTED_CONFIG",
                                        "E_PERMISSION",
                                        "E_CLOSED",
                                        "E_CANCELLED",
                                        "E_NO_MEMORY",
                                        "E_PROTOCOL",
                                        "E_INTERNAL",
                                        "E_VERSION",
                                        "E_STATE",
                                        "E_BUFFER_TOO_SMALL"};
    if (st == ANYSERIAL_DONE) return "DONE (1)";
    if (st <= 0 && st >= -19) return std::string(names[-st]) + " (" + std::to_string(st) + ")";
    return "unknown status " + std::to_string(st);
}

std::string backend_error(const anyserial_backend_t *b) {
    if (b == nullptr || b->control == nullptr || b->control->last_error == nullptr) return "";
    char buf[512] = {};
    b->control->last_error(b, buf, sizeof buf);
    buf[sizeof buf - 1] = '\0';
    return buf;
}

std::string session_error(const anyserial_protocol_session_t *s) {
    if (s == nullptr || s->vtable == nullptr || s->vtable->last_error == nullptr) return "";
    char buf[512] = {};
    s->vtable->last_error(s, buf, sizeof buf);
    buf[sizeof buf - 1] = '\0';
    return buf;
}

const std::vector<Test> &all_tests() {
    static const std::vector<Test> tests = [] {
        std::vector<Test> t;
        add_loading_tests(t);
        add_descriptor_tests(t);
        add_backend_tests(t);
        add_async_tests(t);
        add_protocol_tests(t);
        add_robustness_tests(t);
        return t;
    }();
    return tests;
}

}  // namespace anyserial::checker

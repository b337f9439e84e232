// plugin-check, group "loading": the entry symbol and what a host does first with it.
#include <dlfcn.h>

#include <chrono>

#include "check.hpp"

namespace anyserial::checker {

namespace {

struct Handle {
    void *h = nullptr;
    ~Handle() {
        if (h != nullptr) dlclose(h);
    }
};

void *open_now(const std::string &path) {
    step("dlopen(RTLD_NOW)");
    void *h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) throw Failed("dlopen(RTLD_NOW) failed: " + std::string(dlerror()));
    return h;
}

const anyserial_plugin_entry_t *entry_of(void *h) {
    const auto *e = static_cast<const anyserial_plugin_entry_t *>(dlsym(h, ANYSERIAL_ENTRY_SYMBOL));
    if (e == nullptr)
        throw Skipped("no entry symbol '" ANYSERIAL_ENTRY_SYMBOL "' (see loading.entry_symbol)");
    return e;
}

void rtld_now(Context &ctx) {
    Handle h{open_now(ctx.path)};
}

void entry_symbol(Context &ctx) {
    Handle h{open_now(ctx.path)};
    const auto *e =
        static_cast<const anyserial_plugin_entry_t *>(dlsym(h.h, ANYSERIAL_ENTRY_SYMBOL));
    if (e == nullptr) throw Failed("the plugin exports no symbol '" ANYSERIAL_ENTRY_SYMBOL "'");
    if (e->abi_major != ANYSERIAL_SDK_VERSION_MAJOR) return;  // loading.abi_version says it
    if (e->init == nullptr) throw Failed("entry->init is NULL");
    if (e->deinit == nullptr) throw Failed("entry->deinit is NULL");
    if (e->get_factory == nullptr) throw Failed("entry->get_factory is NULL");
}

void abi_version(Context &ctx) {
    Handle h{open_now(ctx.path)};
    const auto *e = entry_of(h.h);
    // Only the three version fields may be read before the major is known.
    if (e->abi_major != ANYSERIAL_SDK_VERSION_MAJOR)
        throw Failed("the entry declares ABI major " + std::to_string(e->abi_major) + " (version " +
                     std::to_string(e->abi_major) + "." + std::to_string(e->abi_minor) + "." +
                     std::to_string(e->abi_patch) + "); this host speaks major " +
                     std::to_string(ANYSERIAL_SDK_VERSION_MAJOR));
}

void init_idempotent(Context &ctx) {
    Handle h{open_now(ctx.path)};
    const auto *e = entry_of(h.h);
    if (e->abi_major != ANYSERIAL_SDK_VERSION_MAJOR || e->init == nullptr || e->deinit == nullptr)
        throw Skipped("the entry is not usable (see loading.entry_symbol, loading.abi_version)");
    for (int round = 1; round <= 2; ++round) {
        step("entry->init (call " + std::to_string(round) + ")");
        int32_t st = ANYSERIAL_E_INTERNAL;
        try {
            st = e->init(checker_host());
        } catch (const std::exception &x) {
            throw Failed("init() let a C++ exception escape across the C ABI: " +
                         std::string(x.what()));
        } catch (...) {
            throw Failed("init() let a C++ exception escape across the C ABI");
        }
        if (st != ANYSERIAL_OK)
            throw Failed("init() call " + std::to_string(round) + " returned " + status_name(st));
    }
    step("entry->deinit (call 1)");
    e->deinit();
    step("entry->deinit (call 2)");
    e->deinit();
    step("entry->init after deinit");
    const int32_t st = e->init(checker_host());
    if (st != ANYSERIAL_OK) throw Failed("init() after deinit() returned " + status_name(st));
    e->deinit();
}

void get_factory_ids(Context &ctx) {
    Plugin &p = ctx.loaded();
    static const char *const bad[] = {"",
                                      "anyserial.nothing/1",
                                      "anyserial.backend",
                                      "anyserial.backend/",
                                      "anyserial.backend/1x",
                                      "anyserial.backend/1 ",
                                      "anyserial.backend/10",
                                      "ANYSERIAL.BACKEND/1",
                                      "anyserial.protocol/2\n",
                                      "anyserial.protocol/22",
                                      "anyserial.protocol"};
    for (const char *id : bad) {
        step("entry->get_factory(" + quote(id) + ")");
        if (p.entry->get_factory(id) != nullptr)
            throw Failed("get_factory(" + quote(id) +
                         ") returned a factory; unknown and "
                         "malformed ids must give NULL");
    }
    if (p.backends == nullptr && p.protocols == nullptr) {
        step("entry->get_factory(\"anyserial.protocol/1\")");
        if (p.entry->get_factory("anyserial.protocol/1") != nullptr)
            throw Failed(
                "the plugin offers only anyserial.protocol/1, which is no longer "
                "supported; provide " ANYSERIAL_PROTOCOL_FACTORY_ID);
        throw Failed("the plugin provides neither " ANYSERIAL_BACKEND_FACTORY_ID
                     " nor " ANYSERIAL_PROTOCOL_FACTORY_ID);
    }
}

void scan_time(Context &ctx) {
    // What `anyserial plugins` does for every file at start-up: load, init, read every
    // descriptor, deinit. The tool's contract: under 100 ms.
    const auto start = std::chrono::steady_clock::now();
    Handle h{open_now(ctx.path)};
    const auto *e = entry_of(h.h);
    if (e->abi_major != ANYSERIAL_SDK_VERSION_MAJOR || e->init == nullptr ||
        e->get_factory == nullptr || e->deinit == nullptr)
        throw Skipped("the entry is not usable (see loading.entry_symbol)");
    step("entry->init");
    if (e->init(checker_host()) != ANYSERIAL_OK)
        throw Skipped("init() fails (see loading.init_idempotent)");
    step("scanning descriptors");
    const auto *b = static_cast<const anyserial_backend_factory_t *>(
        e->get_factory(ANYSERIAL_BACKEND_FACTORY_ID));
    if (b != nullptr && b->struct_size >= sizeof *b && b->count && b->get_descriptor) {
        const uint32_t n = b->count();
        for (uint32_t i = 0; i < n && i < 256; ++i)
            b->get_descriptor(i);
    }
    const auto *p = static_cast<const anyserial_protocol_factory_t *>(
        e->get_factory(ANYSERIAL_PROTOCOL_FACTORY_ID));
    if (p != nullptr && p->struct_size >= sizeof *p && p->count && p->get_descriptor) {
        const uint32_t n = p->count(p);
        for (uint32_t i = 0; i < n && i < 256; ++i)
            p->get_descriptor(p, i);
    }
    step("entry->deinit");
    e->deinit();
    const auto ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const double limit = 100.0 * ctx.time_scale;  // --time-scale: slow builds (ASan, valgrind)
    if (ms > limit)
        throw Failed("loading, init and the descriptor scan took " + std::to_string(ms) +
                     " ms; the limit is " + std::to_string(static_cast<unsigned>(limit)) +
                     " ms (do the slow work in create/open)");
}

}  // namespace

void add_loading_tests(std::vector<Test> &out) {
    out.push_back(
        {"loading.rtld_now", "dlopen with RTLD_NOW succeeds (no unresolved symbols)", rtld_now});
    out.push_back({"loading.entry_symbol",
                   "exports anyserial_plugin_entry with init, deinit and get_factory",
                   entry_symbol});
    out.push_back({"loading.abi_version", "the entry's ABI major is the host's", abi_version});
    out.push_back({"loading.init_idempotent",
                   "init succeeds twice, deinit tolerates a repeat, init works again after it",
                   init_idempotent});
    out.push_back({"loading.get_factory_ids",
                   "get_factory gives NULL for unknown, empty and malformed ids; a known factory "
                   "is provided",
                   get_factory_ids});
    out.push_back(
        {"loading.scan_time", "load + init + descriptor scan + deinit under 100 ms", scan_time});
}

}  // namespace anyserial::checker

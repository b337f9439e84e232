// plugin-check, group "descriptors": what a plugin declares, statically and against the
// tables its instances carry.
#include <anyserial/sdk/ext/discovery.h>
#include <anyserial/sdk/ext/simulator.h>

#include <anyserial/sdk/cpp/abi.hpp>
#include <cstdio>
#include <set>

#include "check.hpp"

namespace anyserial::checker {

namespace {

std::string hex32(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", static_cast<unsigned>(v));
    return buf;
}

constexpr std::size_t kMaxList = 64;

// ids: 1..64 bytes of [A-Za-z0-9._-], starting with a letter or digit
}  // namespace

void check_id(const std::string &what, const char *id) {
    if (id == nullptr) throw Failed(what + " id is NULL");
    const std::string_view s(id);
    if (s.empty()) throw Failed(what + " has an empty id");
    if (s.size() > 64) throw Failed(what + " id " + quote(s) + " is longer than 64 bytes");
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok) throw Failed(what + " id " + quote(s) + " has a character outside [A-Za-z0-9._-]");
    }
    if (s[0] == '.' || s[0] == '-' || s[0] == '_')
        throw Failed(what + " id " + quote(s) + " does not start with a letter or digit");
}

void check_text(const std::string &what, const char *s, bool required) {
    if (s == nullptr) {
        if (required) throw Failed(what + " is NULL");
        return;
    }
    if (!valid_utf8(s)) throw Failed(what + " " + quote(s) + " is not valid UTF-8");
    for (const char *c = s; *c; ++c)
        if (static_cast<unsigned char>(*c) < 0x20)
            throw Failed(what + " " + quote(s) + " contains a control character");
}

namespace {

void check_unique(std::set<std::string> &seen, const std::string &what, const char *id) {
    if (!seen.insert(id).second) throw Failed(what + " id " + quote(id) + " is not unique");
}

void factories(Context &ctx) {
    Plugin &p = ctx.loaded();
    if (p.backends != nullptr) {
        const auto *f = p.backends;
        if (f->struct_size < sizeof *f)
            throw Failed("the " ANYSERIAL_BACKEND_FACTORY_ID " factory's struct_size is " +
                         std::to_string(f->struct_size) + ", below the version's minimum " +
                         std::to_string(sizeof *f));
        if (!f->count || !f->get_descriptor || !f->create)
            throw Failed("the backend factory has a NULL count, get_descriptor or create");
        const uint32_t n = f->count();
        if (n > kMaxProviders)
            throw Failed("backend count() returned " + std::to_string(n) + ", more than the " +
                         std::to_string(kMaxProviders) + " a plugin may provide");
        for (uint32_t i = 0; i < n; ++i) {
            step("backend factory->get_descriptor(" + std::to_string(i) + ")");
            if (f->get_descriptor(i) == nullptr)
                throw Failed("backend count() is " + std::to_string(n) + " but get_descriptor(" +
                             std::to_string(i) + ") is NULL");
        }
    }
    if (p.protocols != nullptr) {
        const auto *f = p.protocols;
        if (f->struct_size < sizeof *f)
            throw Failed("the " ANYSERIAL_PROTOCOL_FACTORY_ID " factory's struct_size is " +
                         std::to_string(f->struct_size) + ", below the version's minimum " +
                         std::to_string(sizeof *f));
        if (!f->count || !f->get_descriptor || !f->create_session)
            throw Failed(
                "the protocol factory has a NULL count, get_descriptor or "
                "create_session");
        const uint32_t n = f->count(f);
        if (n > kMaxProviders)
            throw Failed("protocol count() returned " + std::to_string(n) + ", more than the " +
                         std::to_string(kMaxProviders) + " a plugin may provide");
        for (uint32_t i = 0; i < n; ++i)
            if (f->get_descriptor(f, i) == nullptr)
                throw Failed("protocol count() is " + std::to_string(n) + " but get_descriptor(" +
                             std::to_string(i) + ") is NULL");
        step("protocol factory->get_descriptor(count)");
        if (f->get_descriptor(f, n) != nullptr)
            throw Failed("protocol get_descriptor(" + std::to_string(n) +
                         ") (out of range) is not NULL");
    }
}

void backend_descriptors(Context &ctx) {
    Plugin &p = ctx.plugin();
    if (p.backends == nullptr) throw Skipped("the plugin provides no backend");
    std::set<std::string> ids;
    const uint32_t n = p.backends->count();
    for (uint32_t i = 0; i < n && i < kMaxProviders; ++i) {
        const auto *d = p.backends->get_descriptor(i);
        const std::string what = "backend descriptor #" + std::to_string(i);
        if (d == nullptr) throw Failed(what + " is NULL");
        if (d->struct_size < sizeof *d)
            throw Failed(what + " struct_size " + std::to_string(d->struct_size) + " < " +
                         std::to_string(sizeof *d));
        check_id(what, d->id);
        check_unique(ids, "backend", d->id);
        const std::string w = "backend " + quote(d->id);
        check_text(w + " name", d->name, true);
        check_text(w + " vendor", d->vendor, false);
        check_text(w + " version", d->version, true);
        check_text(w + " description", d->description, false);
        check_text(w + " platform", d->platform, true);
        if (d->kind != ANYSERIAL_BACKEND_KIND_SYNC_FD &&
            d->kind != ANYSERIAL_BACKEND_KIND_ASYNC_COMPLETION)
            throw Failed(w + " kind " + std::to_string(d->kind) +
                         " is neither SYNC_FD (1) nor ASYNC_COMPLETION (2)");
        for (const auto *list : {d->path_prefixes, d->url_schemes}) {
            std::size_t k = 0;
            for (; list != nullptr && list[k] != nullptr && k <= kMaxList; ++k)
                check_text(w + " claim", list[k], true);
            if (k > kMaxList) throw Failed(w + " claims more than 64 prefixes or schemes");
        }
        if (d->capabilities != nullptr) {
            if (d->capabilities->struct_size < sizeof(uint32_t))
                throw Failed(w + " capabilities struct_size " +
                             std::to_string(d->capabilities->struct_size) +
                             " cannot hold even itself");
            // As the host reads them: UNKNOWN beyond the plugin's struct_size.
            const anyserial_capabilities_t caps = sdk::read_struct(d->capabilities);
            const auto *c = &caps.custom_baudrate;
            for (int k = 0; k < 14; ++k)
                if (c[k] > ANYSERIAL_CAP_UNSUPPORTED)
                    throw Failed(w + " capability field " + std::to_string(k) + " is " +
                                 std::to_string(c[k]) + ", not UNKNOWN/SUPPORTED/UNSUPPORTED");
        }
    }
}

void backend_tables(Context &ctx) {
    Plugin &p = ctx.plugin();
    if (p.backends == nullptr) throw Skipped("the plugin provides no backend");
    const uint32_t n = p.backends->count();
    for (uint32_t i = 0; i < n && i < kMaxProviders; ++i) {
        const auto *d = p.backends->get_descriptor(i);
        // descriptors.backend reports these
        if (d == nullptr || d->id == nullptr || d->id[0] == '\0' ||
            (d->kind != ANYSERIAL_BACKEND_KIND_SYNC_FD &&
             d->kind != ANYSERIAL_BACKEND_KIND_ASYNC_COMPLETION))
            continue;
        const std::string w = "backend " + quote(d->id);
        anyserial_backend_t *b = nullptr;
        step("backend factory->create(" + quote(d->id) + ")");
        const int32_t st = p.backends->create(d->id, &b);
        if (st != ANYSERIAL_OK || b == nullptr)
            throw Failed("create(" + quote(d->id) + ") of a listed backend returned " +
                         status_name(st));
        struct Destroy {
            anyserial_backend_t *b;
            ~Destroy() {
                if (b->destroy) b->destroy(b);
            }
        } guard{b};
        if (b->struct_size < sizeof *b) throw Failed(w + " instance struct_size too small");
        if (b->destroy == nullptr) throw Failed(w + " instance has no destroy");
        if (b->descriptor != d) throw Failed(w + " instance descriptor is not the listed one");
        const auto *c = b->control;
        if (c == nullptr) throw Failed(w + " instance has no control table");
        if (c->struct_size < sizeof *c) throw Failed(w + " control table struct_size too small");
        if (!c->open || !c->close || !c->configure || !c->reset_input || !c->reset_output ||
            !c->set_break || !c->drain_blocking || !c->modem_lines || !c->set_control_lines ||
            !c->input_waiting || !c->output_waiting || !c->capabilities || !c->last_error ||
            !c->last_os_error)
            throw Failed(w +
                         " control table has a NULL function (only get_extension may be "
                         "NULL)");
        if (d->kind == ANYSERIAL_BACKEND_KIND_SYNC_FD) {
            const auto *s = b->sync_fd;
            if (s == nullptr) throw Failed(w + " is SYNC_FD but its instance has no sync_fd table");
            // As the host reads it: up to write_nonblocking; io_flags (SDK 1.2) may be absent.
            if (auto why = sdk::check_prefix(s, "sync_fd table",
                                             &anyserial_sync_fd_io_t::write_nonblocking))
                throw Failed(w + " " + *why);
            if (!s->fileno || !s->read_nonblocking || !s->write_nonblocking)
                throw Failed(w + " sync_fd table has a NULL function");
            if (sdk::has_member(*s, &anyserial_sync_fd_io_t::io_flags) &&
                (s->io_flags & ~ANYSERIAL_SYNC_FD_KNOWN_FLAGS) != 0)
                throw Failed(w + " sync_fd io_flags has bits the host does not know (" +
                             hex32(s->io_flags & ~ANYSERIAL_SYNC_FD_KNOWN_FLAGS) +
                             "): it refuses the instance");
        }
        if (d->kind == ANYSERIAL_BACKEND_KIND_ASYNC_COMPLETION) {
            const auto *a = b->async_io;
            if (a == nullptr)
                throw Failed(w + " is ASYNC_COMPLETION but its instance has no async_io table");
            if (auto why = sdk::check_prefix(a, "async_io table", &anyserial_async_io_t::cancel))
                throw Failed(w + " " + *why);
            if (!a->start_read || !a->start_write || !a->cancel)
                throw Failed(w + " async_io table has a NULL function");
        }
        // A declared feature has its function; an absent one is not declared.
        const bool has_discovery =
            p.backends->get_extension != nullptr &&
            p.backends->get_extension(d->id, ANYSERIAL_EXT_DISCOVERY_ID) != nullptr;
        if (d->capabilities != nullptr) {
            const auto declared = sdk::read_struct(d->capabilities).port_discovery;
            if (declared == ANYSERIAL_CAP_SUPPORTED && !has_discovery)
                throw Failed(w + " declares port_discovery SUPPORTED but provides no " +
                             ANYSERIAL_EXT_DISCOVERY_ID + " extension");
            if (declared == ANYSERIAL_CAP_UNSUPPORTED && has_discovery)
                throw Failed(w + " provides discovery but declares port_discovery UNSUPPORTED");
        }
        if (has_discovery) {
            const auto *x = static_cast<const anyserial_discovery_ext_t *>(
                p.backends->get_extension(d->id, ANYSERIAL_EXT_DISCOVERY_ID));
            if (x->struct_size < sizeof *x || x->list_ports == nullptr)
                throw Failed(w + " discovery extension is short or list_ports is NULL");
        }
    }
}

}  // namespace

void check_protocol_descriptor(const anyserial_protocol_descriptor_t *d);  // protocol_desc.cpp

namespace {

void protocol_descriptors(Context &ctx) {
    std::set<std::string> ids;
    for (const auto *d : ctx.protocols()) {
        check_protocol_descriptor(d);
        check_unique(ids, "protocol", d->id);
    }
}

}  // namespace

void add_descriptor_tests(std::vector<Test> &out) {
    out.push_back({"descriptors.factories",
                   "factory struct_size at least the version's, no NULL function, count() sane "
                   "and every index has a descriptor",
                   factories});
    out.push_back({"descriptors.backend",
                   "backend descriptors: struct_size, ids unique and well-formed, UTF-8 text, "
                   "valid kind, claims, capability values",
                   backend_descriptors});
    out.push_back({"descriptors.backend_tables",
                   "every listed backend creates; its instance carries full tables for its kind; "
                   "declared discovery matches the extension",
                   backend_tables});
    out.push_back({"descriptors.protocol",
                   "protocol descriptors: ids, text, traffic, probe, flags (<= 64, unique), "
                   "commands and args, address syntax, default serial settings",
                   protocol_descriptors});
}

}  // namespace anyserial::checker

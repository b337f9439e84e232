// anyserial — structural validation of factories, descriptors and instances.
#include "plugin/validate.hpp"

#include <cctype>
#include <string_view>

namespace anyserial::plugin_detail {
namespace {

// A NULL-terminated claim list longer than this is taken as unterminated.
constexpr std::size_t kMaxClaims = 64;

std::string size_problem(std::string_view what, std::uint32_t got, std::size_t need) {
    return std::string(what) + " struct_size " + std::to_string(got) + " is smaller than v1's " +
           std::to_string(need);
}

std::string null_fn(std::string_view table, std::string_view fn) {
    return std::string(table) + "." + std::string(fn) + " is NULL";
}

bool valid_scheme(std::string_view s) {
    if (s.empty() || std::isalpha(static_cast<unsigned char>(s[0])) == 0) return false;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) == 0 && ch != '+' && ch != '-' && ch != '.') return false;
    }
    return true;
}

std::optional<std::string> check_claim_list(const char *const *list, std::string_view what,
                                            bool scheme) {
    if (list == nullptr) return std::nullopt;
    for (std::size_t i = 0; list[i] != nullptr; ++i) {
        if (i >= kMaxClaims)
            return std::string(what) + " list has more than " + std::to_string(kMaxClaims) +
                   " entries (missing NULL terminator?)";
        const std::string_view claim = list[i];
        if (claim.empty()) return "empty " + std::string(what) + " claim";
        if (scheme && !valid_scheme(claim))
            return "invalid URL scheme claim '" + std::string(claim) +
                   "' (give the scheme without \"://\")";
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> check_backend_factory(const anyserial_backend_factory_t &f) {
    constexpr auto need = ANYSERIAL_V1_SIZE(anyserial_backend_factory_t, get_extension);
    if (f.struct_size < need) return size_problem("backend factory", f.struct_size, need);
    if (f.count == nullptr) return null_fn("backend factory", "count");
    if (f.get_descriptor == nullptr) return null_fn("backend factory", "get_descriptor");
    if (f.create == nullptr) return null_fn("backend factory", "create");
    return std::nullopt;  // get_extension may be NULL: no extensions
}

std::optional<std::string> check_protocol_factory(const anyserial_protocol_factory_t &f) {
    constexpr auto need = ANYSERIAL_V1_SIZE(anyserial_protocol_factory_t, get_extension);
    if (f.struct_size < need) return size_problem("protocol factory", f.struct_size, need);
    if (f.count == nullptr) return null_fn("protocol factory", "count");
    if (f.get_descriptor == nullptr) return null_fn("protocol factory", "get_descriptor");
    if (f.create_session == nullptr) return null_fn("protocol factory", "create_session");
    return std::nullopt;
}

std::optional<std::string> check_backend_descriptor(const anyserial_backend_descriptor_t *d) {
    if (d == nullptr) return "get_descriptor returned NULL";
    constexpr auto need = ANYSERIAL_V1_SIZE(anyserial_backend_descriptor_t, capabilities);
    if (d->struct_size < need) return size_problem("descriptor", d->struct_size, need);
    if (d->id == nullptr || d->id[0] == '\0') return std::string("descriptor id is NULL or empty");
    if (d->kind != ANYSERIAL_BACKEND_KIND_SYNC_FD &&
        d->kind != ANYSERIAL_BACKEND_KIND_ASYNC_COMPLETION)
        return "descriptor kind " + std::to_string(d->kind) +
               " is invalid (expected 1 = sync-fd or 2 = async-completion)";
    if (auto r = check_claim_list(d->path_prefixes, "path prefix", false)) return r;
    if (auto r = check_claim_list(d->url_schemes, "URL scheme", true)) return r;
    return std::nullopt;
}

std::optional<std::string> check_protocol_descriptor(const anyserial_protocol_descriptor_t *d) {
    if (d == nullptr) return "get_descriptor returned NULL";
    constexpr auto need = ANYSERIAL_V1_SIZE(anyserial_protocol_descriptor_t, default_serial);
    if (d->struct_size < need) return size_problem("descriptor", d->struct_size, need);
    if (d->id == nullptr || d->id[0] == '\0') return std::string("descriptor id is NULL or empty");
    if (d->traffic != ANYSERIAL_TRAFFIC_BROADCAST &&
        d->traffic != ANYSERIAL_TRAFFIC_REQUEST_RESPONSE)
        return "descriptor traffic " + std::to_string(d->traffic) +
               " is invalid (expected 1 = broadcast or 2 = request/response)";
    return std::nullopt;
}

std::optional<std::string> check_backend_instance(const anyserial_backend_t *b,
                                                  std::uint32_t kind) {
    if (b == nullptr) return "create returned OK but no instance";
    constexpr auto need = ANYSERIAL_V1_SIZE(anyserial_backend_t, destroy);
    if (b->struct_size < need) return size_problem("instance", b->struct_size, need);
    if (b->destroy == nullptr) return null_fn("instance", "destroy");
    const anyserial_backend_control_t *c = b->control;
    if (c == nullptr) return std::string("instance has no control table");
    constexpr auto cneed = ANYSERIAL_V1_SIZE(anyserial_backend_control_t, get_extension);
    if (c->struct_size < cneed) return size_problem("control table", c->struct_size, cneed);
    const std::pair<const void *, const char *> control_fns[] = {
        {reinterpret_cast<const void *>(c->open), "open"},
        {reinterpret_cast<const void *>(c->close), "close"},
        {reinterpret_cast<const void *>(c->configure), "configure"},
        {reinterpret_cast<const void *>(c->reset_input), "reset_input"},
        {reinterpret_cast<const void *>(c->reset_output), "reset_output"},
        {reinterpret_cast<const void *>(c->set_break), "set_break"},
        {reinterpret_cast<const void *>(c->drain_blocking), "drain_blocking"},
        {reinterpret_cast<const void *>(c->modem_lines), "modem_lines"},
        {reinterpret_cast<const void *>(c->set_control_lines), "set_control_lines"},
        {reinterpret_cast<const void *>(c->input_waiting), "input_waiting"},
        {reinterpret_cast<const void *>(c->output_waiting), "output_waiting"},
        {reinterpret_cast<const void *>(c->capabilities), "capabilities"},
        {reinterpret_cast<const void *>(c->last_error), "last_error"},
        {reinterpret_cast<const void *>(c->last_os_error), "last_os_error"},
    };
    for (const auto &[fn, name] : control_fns)
        if (fn == nullptr) return null_fn("control", name);
    if (kind == ANYSERIAL_BACKEND_KIND_SYNC_FD) {
        const anyserial_sync_fd_io_t *io = b->sync_fd;
        if (io == nullptr) return std::string("sync-fd backend instance has no sync_fd table");
        constexpr auto ineed = ANYSERIAL_V1_SIZE(anyserial_sync_fd_io_t, write_nonblocking);
        if (io->struct_size < ineed) return size_problem("sync_fd table", io->struct_size, ineed);
        if (io->fileno == nullptr) return null_fn("sync_fd", "fileno");
        if (io->read_nonblocking == nullptr) return null_fn("sync_fd", "read_nonblocking");
        if (io->write_nonblocking == nullptr) return null_fn("sync_fd", "write_nonblocking");
    } else {
        const anyserial_async_io_t *io = b->async_io;
        if (io == nullptr)
            return std::string("async-completion backend instance has no async_io table");
        constexpr auto ineed = ANYSERIAL_V1_SIZE(anyserial_async_io_t, cancel);
        if (io->struct_size < ineed) return size_problem("async_io table", io->struct_size, ineed);
        if (io->start_read == nullptr) return null_fn("async_io", "start_read");
        if (io->start_write == nullptr) return null_fn("async_io", "start_write");
        if (io->cancel == nullptr) return null_fn("async_io", "cancel");
    }
    return std::nullopt;
}

std::optional<std::string> check_protocol_session(const anyserial_protocol_session_t *s) {
    if (s == nullptr) return "create_session returned OK but no session";
    constexpr auto need = ANYSERIAL_V1_SIZE(anyserial_protocol_session_t, vtable);
    if (s->struct_size < need) return size_problem("session", s->struct_size, need);
    const anyserial_protocol_session_vtable_t *v = s->vtable;
    if (v == nullptr) return std::string("session has no vtable");
    constexpr auto vneed = ANYSERIAL_V1_SIZE(anyserial_protocol_session_vtable_t, destroy);
    if (v->struct_size < vneed) return size_problem("session vtable", v->struct_size, vneed);
    const std::pair<const void *, const char *> fns[] = {
        {reinterpret_cast<const void *>(v->begin), "begin"},
        {reinterpret_cast<const void *>(v->next_transaction), "next_transaction"},
        {reinterpret_cast<const void *>(v->feed), "feed"},
        {reinterpret_cast<const void *>(v->reset_receive), "reset_receive"},
        {reinterpret_cast<const void *>(v->result), "result"},
        {reinterpret_cast<const void *>(v->last_error), "last_error"},
        {reinterpret_cast<const void *>(v->destroy), "destroy"},
    };
    for (const auto &[fn, name] : fns)
        if (fn == nullptr) return null_fn("session", name);
    return std::nullopt;
}

std::vector<std::string> url_schemes(const anyserial_backend_descriptor_t &d) {
    std::vector<std::string> out;
    for (std::size_t i = 0; d.url_schemes != nullptr && d.url_schemes[i] != nullptr; ++i) {
        std::string s = d.url_schemes[i];
        for (char &ch : s)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<std::string> path_prefixes(const anyserial_backend_descriptor_t &d) {
    std::vector<std::string> out;
    for (std::size_t i = 0; d.path_prefixes != nullptr && d.path_prefixes[i] != nullptr; ++i)
        out.emplace_back(d.path_prefixes[i]);
    return out;
}

std::optional<std::string> check_provider_count(const char *kind, std::uint32_t n) {
    if (n <= kMaxProviders) return std::nullopt;
    return std::string(kind) + " factory count() returned " + std::to_string(n) +
           ", more than the " + std::to_string(kMaxProviders) + " a plugin may provide";
}

const char *backend_kind_name(std::uint32_t kind) noexcept {
    return kind == ANYSERIAL_BACKEND_KIND_SYNC_FD ? "sync-fd" : "async-completion";
}

}  // namespace anyserial::plugin_detail

// anyserial — structural validation of factories, descriptors and instances.
#include "plugin/validate.hpp"

#include <fmt/format.h>

#include <cctype>
#include <string_view>

#include "plugin/struct_size.hpp"

namespace anyserial::plugin_detail {
namespace {

// A NULL-terminated claim list longer than this is taken as unterminated.
constexpr std::size_t kMaxClaims = 64;

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
    if (auto r = check_prefix(&f, "backend factory", &anyserial_backend_factory_t::get_extension))
        return r;
    if (f.count == nullptr) return null_fn("backend factory", "count");
    if (f.get_descriptor == nullptr) return null_fn("backend factory", "get_descriptor");
    if (f.create == nullptr) return null_fn("backend factory", "create");
    return std::nullopt;  // get_extension may be NULL: no extensions
}

std::optional<std::string> check_protocol_factory(const anyserial_protocol_factory_t &f) {
    if (auto r = check_prefix(&f, "protocol factory", &anyserial_protocol_factory_t::get_extension))
        return r;
    if (f.count == nullptr) return null_fn("protocol factory", "count");
    if (f.get_descriptor == nullptr) return null_fn("protocol factory", "get_descriptor");
    if (f.create_session == nullptr) return null_fn("protocol factory", "create_session");
    return std::nullopt;
}

std::optional<std::string> check_backend_descriptor(const anyserial_backend_descriptor_t *d) {
    if (d == nullptr) return "get_descriptor returned NULL";
    if (auto r = check_prefix(d, "descriptor", &anyserial_backend_descriptor_t::capabilities))
        return r;
    if (d->id == nullptr || d->id[0] == '\0') return std::string("descriptor id is NULL or empty");
    if (d->kind != ANYSERIAL_BACKEND_KIND_SYNC_FD &&
        d->kind != ANYSERIAL_BACKEND_KIND_ASYNC_COMPLETION)
        return "descriptor kind " + std::to_string(d->kind) +
               " is invalid (expected 1 = sync-fd or 2 = async-completion)";
    if (auto r = check_claim_list(d->path_prefixes, "path prefix", false)) return r;
    if (auto r = check_claim_list(d->url_schemes, "URL scheme", true)) return r;
    return std::nullopt;
}

std::optional<std::string> check_backend_instance(const anyserial_backend_t *b,
                                                  std::uint32_t kind) {
    if (b == nullptr) return "create returned OK but no instance";
    if (auto r = check_prefix(b, "instance", &anyserial_backend_t::destroy)) return r;
    if (b->destroy == nullptr) return null_fn("instance", "destroy");
    const anyserial_backend_control_t *c = b->control;
    if (c == nullptr) return std::string("instance has no control table");
    if (auto r = check_prefix(c, "control table", &anyserial_backend_control_t::get_extension))
        return r;
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
        if (auto r = check_prefix(io, "sync_fd table", &anyserial_sync_fd_io_t::write_nonblocking))
            return r;
        if (io->fileno == nullptr) return null_fn("sync_fd", "fileno");
        if (io->read_nonblocking == nullptr) return null_fn("sync_fd", "read_nonblocking");
        if (io->write_nonblocking == nullptr) return null_fn("sync_fd", "write_nonblocking");
        if (const std::uint32_t unknown = sync_fd_flags(*io) & ~ANYSERIAL_SYNC_FD_KNOWN_FLAGS;
            unknown != 0)
            return fmt::format("sync_fd io_flags has bits this host does not know (0x{:x})",
                               unknown);
    } else {
        const anyserial_async_io_t *io = b->async_io;
        if (io == nullptr)
            return std::string("async-completion backend instance has no async_io table");
        if (auto r = check_prefix(io, "async_io table", &anyserial_async_io_t::cancel)) return r;
        if (io->start_read == nullptr) return null_fn("async_io", "start_read");
        if (io->start_write == nullptr) return null_fn("async_io", "start_write");
        if (io->cancel == nullptr) return null_fn("async_io", "cancel");
    }
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

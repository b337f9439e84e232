// anyserial — structural checks of what a plugin hands the host. Each returns the
// reason a struct is unusable, or nullopt when it is fine.
#pragma once

#include <anyserial/sdk/backend.h>
#include <anyserial/sdk/protocol.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "plugin/struct_size.hpp"

namespace anyserial::plugin_detail {

std::optional<std::string> check_backend_factory(const anyserial_backend_factory_t &f);
std::optional<std::string> check_protocol_factory(const anyserial_protocol_factory_t &f);
std::optional<std::string> check_backend_descriptor(const anyserial_backend_descriptor_t *d);
std::optional<std::string> check_backend_instance(const anyserial_backend_t *b, std::uint32_t kind);

// The sync_fd table's io_flags (ANYSERIAL_SYNC_FD_*), 0 from a plugin built before SDK 1.2.
inline std::uint32_t sync_fd_flags(const anyserial_sync_fd_io_t &io) noexcept {
    return has_member(io, &anyserial_sync_fd_io_t::io_flags) ? io.io_flags : 0u;
}

// The claims of a validated descriptor: lower-cased URL schemes, and path prefixes.
std::vector<std::string> url_schemes(const anyserial_backend_descriptor_t &d);
std::vector<std::string> path_prefixes(const anyserial_backend_descriptor_t &d);

const char *backend_kind_name(std::uint32_t kind) noexcept;

// A factory's count() is an array length the core will walk: more providers than any plugin
// could mean (kMaxProviders) is taken as garbage, not looped over.
constexpr std::uint32_t kMaxProviders = 1024;
std::optional<std::string> check_provider_count(const char *kind, std::uint32_t n);

}  // namespace anyserial::plugin_detail

// anyserial — the one reader of the C ABI's struct-size prefix. Every versioned struct
// starts with `uint32_t struct_size` as the plugin (or host) compiled it; a newer host
// reads a member only when the struct is long enough to hold it. Every proxy in
// core/plugin and every copier in core/device uses these templates, nothing else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace anyserial::plugin_detail {

// Offset of the first byte after `member` in T (T a standard-layout C struct).
template <class T, class M>
std::size_t end_of(M T::*member) noexcept {
    static const T probe{};
    const auto *base = reinterpret_cast<const unsigned char *>(&probe);
    const auto *field = reinterpret_cast<const unsigned char *>(&(probe.*member));
    return static_cast<std::size_t>(field - base) + sizeof(M);
}

// Whether `s`, as its author filled struct_size, contains `member`.
template <class T, class M>
bool has_member(const T &s, M T::*member) noexcept {
    return s.struct_size >= end_of(member);
}

// Why `s` cannot be used: NULL, or shorter than the host needs (up to and including
// `last`, the last member this host reads unconditionally). nullopt when it is fine.
template <class T, class M>
std::optional<std::string> check_prefix(const T *s, std::string_view what, M T::*last) {
    if (s == nullptr) return std::string(what) + " is NULL";
    const std::size_t need = end_of(last);
    if (s->struct_size >= need) return std::nullopt;
    return std::string(what) + " struct_size " + std::to_string(s->struct_size) +
           " is smaller than the " + std::to_string(need) + " bytes this host reads";
}

}  // namespace anyserial::plugin_detail

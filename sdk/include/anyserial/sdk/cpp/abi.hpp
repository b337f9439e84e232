// anyserial SDK C++ helpers — size-versioned struct crossing.
//
// Every crossing struct starts with uint32_t struct_size and only ever grows at the end.
// read_struct() copies what the caller has and zero-fills fields the caller does not know;
// write_struct() copies no more than the caller's struct can hold:
//
//     anyserial_serial_config_t cfg = sdk::read_struct(config_ptr);   // local full copy
//     anyserial_capabilities_t caps = sdk::init_struct<anyserial_capabilities_t>();
//     ...fill caps...
//     sdk::write_struct(out_ptr, caps);    // honours out_ptr->struct_size
//
// A reader of tables it does not copy (a host, a checker) asks what the author's struct_size
// covers: check_prefix() for the members it reads unconditionally, has_member() for each
// member appended later (absent means its default, usually 0):
//
//     using Io = anyserial_sync_fd_io_t;
//     if (auto why = sdk::check_prefix(io, "sync_fd table", &Io::write_nonblocking))
//         refuse(*why);
//     const uint32_t flags = sdk::has_member(*io, &Io::io_flags) ? io->io_flags : 0;
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace anyserial::sdk {

// A zeroed struct with struct_size set to this SDK's size.
template <class T>
T init_struct() noexcept {
    static_assert(std::is_trivially_copyable_v<T>);
    T value;
    std::memset(&value, 0, sizeof value);
    value.struct_size = static_cast<uint32_t>(sizeof(T));
    return value;
}

// Local full-size copy of a caller's input struct: fields beyond in->struct_size are zero.
// nullptr gives a zeroed struct.
template <class T>
T read_struct(const T *in) noexcept {
    T local = init_struct<T>();
    if (in != nullptr) {
        const std::size_t n = std::min<std::size_t>(in->struct_size, sizeof(T));
        std::memcpy(static_cast<void *>(&local), in, n);
        local.struct_size = static_cast<uint32_t>(sizeof(T));
    }
    return local;
}

// Copy value into a caller's output struct. The caller's struct_size bounds the copy;
// 0 means "same SDK as mine" (sizeof(T)). Afterwards out->struct_size says what was written.
template <class T>
void write_struct(T *out, const T &value) noexcept {
    static_assert(std::is_trivially_copyable_v<T>);
    if (out == nullptr) return;
    const uint32_t cap = out->struct_size;
    const std::size_t n = (cap == 0 || cap > sizeof(T)) ? sizeof(T) : cap;
    if (n < sizeof(uint32_t)) return;
    std::memcpy(static_cast<void *>(out), &value, n);
    out->struct_size = static_cast<uint32_t>(n);
}

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

// Why `s` cannot be used: NULL, or shorter than the reader needs (up to and including
// `last`, the last member it reads unconditionally). nullopt when it is fine.
template <class T, class M>
std::optional<std::string> check_prefix(const T *s, std::string_view what, M T::*last) {
    if (s == nullptr) return std::string(what) + " is NULL";
    const std::size_t need = end_of(last);
    if (s->struct_size >= need) return std::nullopt;
    return std::string(what) + " struct_size " + std::to_string(s->struct_size) +
           " is smaller than the " + std::to_string(need) + " bytes a host reads";
}

}  // namespace anyserial::sdk

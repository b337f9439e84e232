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
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
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

}  // namespace anyserial::sdk

// anyserial — library and plugin ABI versions.
#pragma once

#include <anyserial/sdk/version.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace anyserial {

// The C ABI version this build of the host speaks (sdk/include/anyserial/sdk/version.h).
inline constexpr std::uint32_t abi_major = ANYSERIAL_SDK_VERSION_MAJOR;
inline constexpr std::uint32_t abi_minor = ANYSERIAL_SDK_VERSION_MINOR;
inline constexpr std::uint32_t abi_patch = ANYSERIAL_SDK_VERSION_PATCH;

// libanyserial's version, "0.1.0" (the CMake project version it was built with).
std::string_view version() noexcept;
// "1.0.0"
std::string abi_version_string();

}  // namespace anyserial

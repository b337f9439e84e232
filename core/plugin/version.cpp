// anyserial — library version (from the CMake project version).
#include <anyserial/version.hpp>

namespace anyserial {

std::string_view version() noexcept {
    return ANYSERIAL_VERSION;
}

std::string abi_version_string() {
    return std::to_string(abi_major) + "." + std::to_string(abi_minor) + "." +
           std::to_string(abi_patch);
}

}  // namespace anyserial

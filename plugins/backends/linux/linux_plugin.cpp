// anyserial-linux: the Linux platform backend plugin (claims /dev/ paths).
#include <anyserial/sdk/entry.h>

#include <anyserial/sdk/cpp/backend.hpp>
#include <anyserial/sdk/cpp/plugin.hpp>
#include <cstring>

#include "discovery.hpp"
#include "linux_backend.hpp"

namespace sdk = anyserial::sdk;

namespace anyserial::linux_backend {

const void *LinuxBackend::factory_extension(const char *extension_id) noexcept {
    if (extension_id != nullptr && std::strcmp(extension_id, ANYSERIAL_EXT_DISCOVERY_ID) == 0)
        return &discovery_extension();
    return nullptr;
}

}  // namespace anyserial::linux_backend

namespace {

const void *get_factory(const char *id) noexcept {
    return sdk::lookup_factory(
        id, {{ANYSERIAL_BACKEND_FACTORY_ID,
              sdk::BackendFactory<anyserial::linux_backend::LinuxBackend>::get()}});
}

}  // namespace

ANYSERIAL_DEFINE_PLUGIN_ENTRY(sdk::init_host, sdk::deinit_host, get_factory);

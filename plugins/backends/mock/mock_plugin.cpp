// anyserial-mock: the plugin entry of the two mock backends.
#include <anyserial/sdk/cpp/backend.hpp>
#include <anyserial/sdk/cpp/plugin.hpp>

#include "mock_async.hpp"
#include "mock_sync.hpp"

namespace {

namespace sdk = anyserial::sdk;
using Factory =
    sdk::BackendFactory<anyserial::mock::MockSyncBackend, anyserial::mock::MockAsyncBackend>;

const void *get_factory(const char *id) noexcept {
    return sdk::lookup_factory(id, {{ANYSERIAL_BACKEND_FACTORY_ID, Factory::get()}});
}

}  // namespace

ANYSERIAL_DEFINE_PLUGIN_ENTRY(sdk::init_host, sdk::deinit_host, get_factory);

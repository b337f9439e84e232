// anyserial — creating backend instances and protocol sessions, validating what the
// plugin returns before the core ever touches it.
#include "plugin/providers.hpp"

#include <anyserial/errors.hpp>
#include <anyserial/log.hpp>

#include "plugin/host_services.hpp"
#include "plugin/protocol_model.hpp"
#include "plugin/session_proxy.hpp"
#include "plugin/validate.hpp"

namespace anyserial::plugin_detail {

BackendProvider::BackendProvider(PluginRecord record,
                                 const anyserial_backend_descriptor_t &descriptor,
                                 const anyserial_backend_factory_t &factory)
    : record_(std::move(record)),
      desc_(descriptor),
      factory_(factory),
      schemes_(url_schemes(descriptor)),
      prefixes_(path_prefixes(descriptor)) {}

void BackendProvider::fail(const std::string &why) const {
    throw PluginError(errc::plugin_error,
                      "backend '" + record_.id + "' (" + record_.path.string() + "): " + why);
}

BackendHandle BackendProvider::create() const {
    anyserial_backend_t *raw = nullptr;
    int32_t status = ANYSERIAL_E_INTERNAL;
    try {
        status = factory_.create(desc_.id, &raw);
    } catch (...) {
        fail("create threw a C++ exception across the C ABI");
    }
    if (status != ANYSERIAL_OK) fail("create failed with " + status_text(status));
    BackendHandle handle(raw);  // destroys the instance if validation below throws
    if (auto problem = check_backend_instance(raw, desc_.kind)) {
        if (raw != nullptr && raw->destroy == nullptr) (void)handle.release();  // cannot free
        fail("create returned an invalid instance: " + *problem);
    }
    return handle;
}

const void *BackendProvider::extension(const char *id) const noexcept {
    if (factory_.get_extension == nullptr || id == nullptr) return nullptr;
    try {
        return factory_.get_extension(desc_.id, id);
    } catch (...) {
        log::write("anyserial.plugin", log::Level::error,
                   "backend '" + record_.id + "': get_extension threw a C++ exception");
        return nullptr;
    }
}

ProtocolProvider::ProtocolProvider(PluginRecord record,
                                   const anyserial_protocol_descriptor_t &descriptor,
                                   const anyserial_protocol_factory_t &factory)
    : record_(std::move(record)),
      desc_(descriptor),
      factory_(factory),
      model_(model_of(descriptor)) {}

std::optional<std::string> ProtocolFactoryProxy::check() const {
    return check_protocol_factory(*f_);
}

void ProtocolProvider::fail(const std::string &why) const {
    throw PluginError(errc::plugin_error,
                      "protocol '" + record_.id + "' (" + record_.path.string() + "): " + why);
}

ProtocolSessionHandle ProtocolProvider::create_session(
    const anyserial_protocol_options_t *options) const {
    anyserial_protocol_session_t *raw = nullptr;
    int32_t status = ANYSERIAL_E_INTERNAL;
    try {
        status = factory_.create_session(desc_.id, options, &raw);
    } catch (...) {
        fail("create_session threw a C++ exception across the C ABI");
    }
    if (status != ANYSERIAL_OK) fail("create_session failed with " + status_text(status));
    ProtocolSessionHandle handle(raw);
    if (auto problem = check_protocol_session(raw)) {
        if (raw != nullptr && (raw->vtable == nullptr || raw->vtable->destroy == nullptr))
            (void)handle.release();
        fail("create_session returned an invalid session: " + *problem);
    }
    return handle;
}

const void *ProtocolProvider::extension(const char *id) const noexcept {
    if (id == nullptr) return nullptr;
    try {
        return factory_.extension(desc_.id, id);
    } catch (...) {
        log::write("anyserial.plugin", log::Level::error,
                   "protocol '" + record_.id + "': get_extension threw a C++ exception");
        return nullptr;
    }
}

}  // namespace anyserial::plugin_detail

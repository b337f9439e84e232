// anyserial-windows: the Windows platform backend plugin (claims COMn and \\.\ names).
#include <anyserial/sdk/entry.h>

#include <anyserial/sdk/cpp/backend.hpp>
#include <anyserial/sdk/cpp/plugin.hpp>
#include <cstring>

#include "completion_port.hpp"
#include "discovery.hpp"
#include "windows_backend.hpp"

namespace sdk = anyserial::sdk;

namespace anyserial::windows_backend {

const anyserial_backend_descriptor_t &WindowsBackend::describe() noexcept {
    static const char *const prefixes[] = {"COM", "\\\\.\\", nullptr};
    static const anyserial_capabilities_t caps = [] {
        anyserial_capabilities_t c = sdk::make_capabilities(ANYSERIAL_CAP_SUPPORTED);
        // The driver decides these (the device-level capabilities ask it).
        c.custom_baudrate = c.mark_space_parity = c.one_point_five_stop_bits =
            ANYSERIAL_CAP_UNKNOWN;
        c.low_latency = ANYSERIAL_CAP_UNSUPPORTED;  // FTDI latency timer: a driver setting
        c.rs485 = ANYSERIAL_CAP_UNSUPPORTED;
        return c;
    }();
    static const anyserial_backend_descriptor_t d = {
        sizeof d,
        "windows",
        "Windows COM ports (overlapped I/O)",
        "anyserial",
        "0.1.0",
        "COMn and \\\\.\\COMn through overlapped ReadFile/WriteFile completed on an I/O "
        "completion port; DCB configuration with read-back; SetupAPI discovery. COM ports "
        "are always opened exclusively.",
        "windows",
        ANYSERIAL_BACKEND_KIND_ASYNC_COMPLETION,
        0,
        prefixes,
        nullptr,
        &caps};
    return d;
}

const void *WindowsBackend::factory_extension(const char *extension_id) noexcept {
    if (extension_id != nullptr && std::strcmp(extension_id, ANYSERIAL_EXT_DISCOVERY_ID) == 0)
        return &discovery_extension();
    return nullptr;
}

}  // namespace anyserial::windows_backend

namespace {

const void *get_factory(const char *id) noexcept {
    return sdk::lookup_factory(
        id, {{ANYSERIAL_BACKEND_FACTORY_ID,
              sdk::BackendFactory<anyserial::windows_backend::WindowsBackend>::get()}});
}

// deinit runs after every object was destroyed: stop the completion thread while the DLL
// is still mapped (never from DllMain, where joining a thread deadlocks).
void deinit() noexcept {
    anyserial::windows_backend::CompletionPort::instance().shutdown();
    sdk::deinit_host();
}

}  // namespace

ANYSERIAL_DEFINE_PLUGIN_ENTRY(sdk::init_host, deinit, get_factory);

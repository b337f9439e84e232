// anyserial-posix: the generic POSIX backend. Vanilla termios from this system's headers,
// standard rates only, no low latency, RS-485 or discovery: best effort for unknown POSIX
// systems. It claims no device paths (the platform backend owns /dev/ where there is one);
// select it explicitly as posix://<path>, e.g. posix:///dev/ttyS0.
#include <anyserial/sdk/entry.h>

#include <anyserial/posix/termios_port.hpp>
#include <anyserial/sdk/cpp/backend.hpp>
#include <anyserial/sdk/cpp/plugin.hpp>

namespace sdk = anyserial::sdk;
namespace px = anyserial::posix;

namespace {

constexpr const char *platform_name() noexcept {
#if defined(__linux__)
    return "linux";
#elif defined(__APPLE__)
    return "darwin";
#elif defined(__FreeBSD__)
    return "freebsd";
#elif defined(__NetBSD__)
    return "netbsd";
#elif defined(__OpenBSD__)
    return "openbsd";
#else
    return "posix";
#endif
}

class PosixBackend final : public px::TermiosPort {
  public:
    PosixBackend() noexcept : TermiosPort(px::generic_posix_table(), "anyserial.posix") {}

    static const anyserial_backend_descriptor_t &describe() noexcept {
        static const char *const schemes[] = {"posix", nullptr};
        static const anyserial_capabilities_t caps =
            px::platform_capabilities(px::generic_posix_table());
        static const anyserial_backend_descriptor_t d = {
            sizeof d,
            "posix",
            "Generic POSIX termios",
            "anyserial",
            "0.1.0",
            "Vanilla termios, standard rates only; best effort for unknown POSIX systems. "
            "Select it as posix://<path>.",
            platform_name(),
            ANYSERIAL_BACKEND_KIND_SYNC_FD,
            0,
            nullptr,
            schemes,
            &caps};
        return d;
    }
};

const void *get_factory(const char *id) noexcept {
    return sdk::lookup_factory(
        id, {{ANYSERIAL_BACKEND_FACTORY_ID, sdk::BackendFactory<PosixBackend>::get()}});
}

}  // namespace

ANYSERIAL_DEFINE_PLUGIN_ENTRY(sdk::init_host, sdk::deinit_host, get_factory);

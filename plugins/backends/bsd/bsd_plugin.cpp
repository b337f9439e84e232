// anyserial-bsd: FreeBSD, NetBSD and OpenBSD serial ports over termios with the matching
// table. speed_t is the literal rate, so custom rates pass straight through cfsetspeed
// (the driver may still refuse: the read-back catches it). RTS/CTS through CCTS_OFLOW |
// CRTS_IFLOW (NetBSD/OpenBSD: CRTSCTS). No low latency, no RS-485, no discovery yet.
// Built only on a BSD; claims need hardware testing per variant (seed §24.3).
#include <anyserial/sdk/entry.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <anyserial/posix/termios_port.hpp>
#include <anyserial/sdk/cpp/backend.hpp>
#include <anyserial/sdk/cpp/plugin.hpp>

namespace sdk = anyserial::sdk;
namespace px = anyserial::posix;

namespace {

const px::PlatformTable &native_table() noexcept {
#if defined(__FreeBSD__)
    return px::freebsd_table();
#elif defined(__NetBSD__)
    return px::netbsd_table();
#else
    return px::openbsd_table();
#endif
}

constexpr const char *platform_name() noexcept {
#if defined(__FreeBSD__)
    return "freebsd";
#elif defined(__NetBSD__)
    return "netbsd";
#else
    return "openbsd";
#endif
}

// The hard-coded table must match this system's headers; refuse to load otherwise.
bool table_matches_headers() noexcept {
    const px::PlatformTable &t = native_table();
    return t.crtscts == (CCTS_OFLOW | CRTS_IFLOW) && t.csize == CSIZE && t.cs7 == CS7 &&
           t.parenb == PARENB && t.parodd == PARODD && t.cstopb == CSTOPB && t.hupcl == HUPCL &&
           t.ixon == IXON && t.ixoff == IXOFF && t.icanon == ICANON && t.vmin == VMIN &&
           t.vtime == VTIME && t.tiocsbrk == TIOCSBRK && t.tioccbrk == TIOCCBRK &&
           t.tiocmget == TIOCMGET && t.tiocexcl == TIOCEXCL && t.tiocoutq == TIOCOUTQ &&
           t.tiocinq == FIONREAD;
}

class BsdBackend final : public px::TermiosPort {
  public:
    BsdBackend() noexcept : TermiosPort(native_table(), "anyserial.bsd") {}

    static const anyserial_backend_descriptor_t &describe() noexcept {
        static const char *const prefixes[] = {"/dev/", nullptr};
        static const anyserial_capabilities_t caps = px::platform_capabilities(native_table());
        static const anyserial_backend_descriptor_t d = {
            sizeof d,
            "bsd",
            "BSD tty",
            "anyserial",
            "0.1.0",
            "FreeBSD/NetBSD/OpenBSD serial ports: termios, literal-rate custom baud",
            platform_name(),
            ANYSERIAL_BACKEND_KIND_SYNC_FD,
            0,
            prefixes,
            nullptr,
            &caps};
        return d;
    }
};

int32_t init(const anyserial_host_t *host) noexcept {
    if (!table_matches_headers()) return ANYSERIAL_E_VERSION;
    return sdk::init_host(host);
}

const void *get_factory(const char *id) noexcept {
    return sdk::lookup_factory(
        id, {{ANYSERIAL_BACKEND_FACTORY_ID, sdk::BackendFactory<BsdBackend>::get()}});
}

}  // namespace

ANYSERIAL_DEFINE_PLUGIN_ENTRY(init, sdk::deinit_host, get_factory);

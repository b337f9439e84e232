// anyserial-darwin: macOS serial ports (/dev/cu.*, /dev/tty.*) over termios with the
// Darwin table; custom rates through IOSSIOSPEED after tcsetattr, RTS/CTS as
// CCTS_OFLOW|CRTS_IFLOW, DTR/DSR as CDTR_IFLOW|CDSR_OFLOW. No low latency, no RS-485, no
// discovery yet (IOKit enumeration is future work). Built only on Apple systems.
#include <IOKit/serial/ioss.h>
#include <anyserial/sdk/entry.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <anyserial/posix/io.hpp>
#include <anyserial/posix/termios_port.hpp>
#include <anyserial/sdk/cpp/backend.hpp>
#include <anyserial/sdk/cpp/plugin.hpp>
#include <cerrno>
#include <cstring>
#include <string>

namespace sdk = anyserial::sdk;
namespace px = anyserial::posix;

namespace {

// The hard-coded table must match this SDK's headers; refuse to load otherwise.
bool table_matches_headers() noexcept {
    const px::PlatformTable &t = px::darwin_table();
    return t.crtscts == (CCTS_OFLOW | CRTS_IFLOW) && t.cdtrdsr == (CDTR_IFLOW | CDSR_OFLOW) &&
           t.csize == CSIZE && t.cs7 == CS7 && t.parenb == PARENB && t.parodd == PARODD &&
           t.cstopb == CSTOPB && t.hupcl == HUPCL && t.ixon == IXON && t.ixoff == IXOFF &&
           t.icanon == ICANON && t.vmin == VMIN && t.vtime == VTIME && t.tiocsbrk == TIOCSBRK &&
           t.tioccbrk == TIOCCBRK && t.tiocmget == TIOCMGET && t.tiocexcl == TIOCEXCL &&
           t.tiocoutq == TIOCOUTQ && t.tiocinq == FIONREAD && t.iossiospeed == IOSSIOSPEED;
}

class DarwinBackend final : public px::TermiosPort {
  public:
    DarwinBackend() noexcept : TermiosPort(px::darwin_table(), "anyserial.darwin") {}

    static const anyserial_backend_descriptor_t &describe() noexcept {
        static const char *const prefixes[] = {"/dev/", nullptr};
        static const anyserial_capabilities_t caps = px::platform_capabilities(px::darwin_table());
        static const anyserial_backend_descriptor_t d = {
            sizeof d,    "darwin",
            "macOS tty", "anyserial",
            "0.1.0",     "macOS serial ports: termios, IOSSIOSPEED custom baud",
            "darwin",    ANYSERIAL_BACKEND_KIND_SYNC_FD,
            0,           prefixes,
            nullptr,     &caps};
        return d;
    }

  protected:
    void set_custom_rate(const px::BaudPlan &plan) override {
        speed_t speed = plan.rate;
        if (const int err = px::xioctl(require_fd("IOSSIOSPEED"), IOSSIOSPEED, &speed); err != 0)
            throw_os(err == EINVAL ? ANYSERIAL_E_UNSUPPORTED_CONFIG : ANYSERIAL_E_IO,
                     "IOSSIOSPEED " + std::to_string(plan.rate), err);
    }
};

int32_t init(const anyserial_host_t *host) noexcept {
    if (!table_matches_headers()) return ANYSERIAL_E_VERSION;
    return sdk::init_host(host);
}

const void *get_factory(const char *id) noexcept {
    return sdk::lookup_factory(
        id, {{ANYSERIAL_BACKEND_FACTORY_ID, sdk::BackendFactory<DarwinBackend>::get()}});
}

}  // namespace

ANYSERIAL_DEFINE_PLUGIN_ENTRY(init, sdk::deinit_host, get_factory);

// The Windows backend's contract, driven the way the host drives a plugin but knowing only
// the SDK's C headers: LoadLibrary, the entry's version negotiation, the backend factory,
// then the control table and the async-completion I/O over a real (Wine) COM port whose
// other end is a pySerial echo peer. Run by tests/windows/run.sh through harness.py, which
// answers "?TERMIOS ..." lines by reading the Linux pty's termios (an independent check
// that the DCB reached the line). Exit status: 0 when every check passed.
//
// Usage: windows_backend_contract.exe DLL PORT MISSING_PORT
#include <anyserial/sdk/ext/discovery.h>

#include <algorithm>

#include "contract.hpp"

namespace {

using namespace contract;

struct Plugin {
    HMODULE dll = nullptr;
    const anyserial_plugin_entry_t *entry = nullptr;
    const anyserial_backend_factory_t *factory = nullptr;
    anyserial_host_t host{};
};

bool load(Plugin &p, const char *path) {
    p.dll = LoadLibraryA(path);
    check(p.dll != nullptr, std::string("LoadLibrary ") + path);
    if (p.dll == nullptr) return false;
    p.entry = reinterpret_cast<const anyserial_plugin_entry_t *>(
        reinterpret_cast<void *>(GetProcAddress(p.dll, ANYSERIAL_ENTRY_SYMBOL)));
    check(p.entry != nullptr, "the DLL exports " ANYSERIAL_ENTRY_SYMBOL);
    if (p.entry == nullptr) return false;
    // Negotiation as the host does it: same major, the lower minor.
    check(p.entry->abi_major == ANYSERIAL_SDK_VERSION_MAJOR, "ABI major matches");
    const uint32_t host_minor = ANYSERIAL_SDK_VERSION_MINOR;
    const uint32_t minor = std::min(p.entry->abi_minor, host_minor);
    p.host = {sizeof p.host,
              ANYSERIAL_SDK_VERSION_MAJOR,
              minor,
              0,
              "contract",
              "0.1.0",
              nullptr,
              host_log,
              host_log_enabled,
              host_now,
              host_ext};
    check(p.entry->init != nullptr && p.entry->init(&p.host) == ANYSERIAL_OK, "init");
    check(p.entry->init(&p.host) == ANYSERIAL_OK, "init again (tolerated)");
    p.factory = static_cast<const anyserial_backend_factory_t *>(
        p.entry->get_factory(ANYSERIAL_BACKEND_FACTORY_ID));
    check(p.factory != nullptr && p.factory->struct_size >= sizeof(anyserial_backend_factory_t),
          "backend factory v1");
    check(p.entry->get_factory("anyserial.protocol/2") == nullptr, "no protocol factory");
    if (p.factory == nullptr) return false;
    check(p.factory->count() == 1, "one backend");
    const anyserial_backend_descriptor_t *d = p.factory->get_descriptor(0);
    check(d != nullptr && std::strcmp(d->id, "windows") == 0 &&
              d->kind == ANYSERIAL_BACKEND_KIND_ASYNC_COMPLETION,
          "descriptor: id windows, async-completion kind");
    bool claims_com = false;
    for (const char *const *pp = d->path_prefixes; pp != nullptr && *pp != nullptr; ++pp)
        claims_com |= std::strcmp(*pp, "COM") == 0;
    check(claims_com, "claims COM names");

    // Discovery through SetupAPI behind the backend-level extension.
    const auto *disc = static_cast<const anyserial_discovery_ext_t *>(
        p.factory->get_extension("windows", ANYSERIAL_EXT_DISCOVERY_ID));
    check(disc != nullptr && disc->struct_size >= sizeof(anyserial_discovery_ext_t) &&
              disc->list_ports != nullptr,
          "discovery extension provided");
    check(p.factory->get_extension("windows", "anyserial.backend.rs485/1") == nullptr,
          "no RS-485 extension");
    if (disc != nullptr) {
        int ports = 0;
        auto visit = [](void *user, const anyserial_port_info_t *info) -> int32_t {
            ++*static_cast<int *>(user);
            std::printf("  port %s (%s) vid %d pid %d\n", info->device,
                        info->description != nullptr ? info->description : "-", info->vid,
                        info->pid);
            return 0;
        };
        check(disc->list_ports(visit, &ports) == ANYSERIAL_OK,
              "list_ports (SetupAPI) -> OK, " + std::to_string(ports) + " port(s)");
        check(disc->list_ports(nullptr, nullptr) == ANYSERIAL_E_INVALID_ARGUMENT,
              "list_ports without a visitor -> INVALID_ARGUMENT");
    }
    return true;
}

anyserial_backend_t *create(Plugin &p) {
    anyserial_backend_t *b = nullptr;
    const int32_t st = p.factory->create("windows", &b);
    check(st == ANYSERIAL_OK && b != nullptr && b->async_io != nullptr && b->sync_fd == nullptr &&
              b->control->struct_size >= sizeof(anyserial_backend_control_t) &&
              b->async_io->struct_size >= sizeof(anyserial_async_io_t),
          "create: instance with control and async_io tables");
    return b;
}

// Last: the far side disappears (the harness kills socat) under a pending read. The read
// must complete once with DISCONNECTED (Wine: EIO on the pty -> ERROR_BROKEN_PIPE).
void peer_gone(anyserial_backend_t *b, const char *port) {
    anyserial_serial_config_t c = config(115200);
    check(b->control->open(b, port, &c, nullptr) == ANYSERIAL_OK, "reopen for the removal test");
    uint8_t buf[8];
    Waiter w;
    check(b->async_io->start_read(b, buf, sizeof buf, Waiter::done, &w) == ANYSERIAL_OK,
          "a read pending when the device goes away");
    std::printf("?KILLPEER\n");
    std::fflush(stdout);
    std::string reply;
    check(std::getline(std::cin, reply) && reply == "OK", "the harness removed the peer");
    w.wait();
    const int32_t os = b->control->last_os_error(b);
    check(
        w.status == ANYSERIAL_E_DISCONNECTED && w.n == 0 && (!on_wine() || os == ERROR_BROKEN_PIPE),
        "the pending read completed with DISCONNECTED (status " + std::to_string(w.status) +
            ", Win32 " + std::to_string(os) + "): " + last_error(b));
    Waiter again;
    const int32_t st = b->async_io->start_read(b, buf, sizeof buf, Waiter::done, &again);
    check(st == ANYSERIAL_E_DISCONNECTED ||
              (st == ANYSERIAL_OK && again.wait() && again.status == ANYSERIAL_E_DISCONNECTED),
          "a new read on the dead port -> DISCONNECTED");
    b->control->close(b);
    check(w.count() == 1, "the removed read completed exactly once");
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s DLL PORT MISSING_PORT\n", argv[0]);
        return 2;
    }
    const char *port = argv[2];
    Plugin p;
    if (!load(p, argv[1])) return 1;

    // ---- errors for a missing port or a bad name, before any I/O ----
    anyserial_backend_t *b = create(p);
    anyserial_serial_config_t c = config(115200);
    anyserial_config_report_t report{};
    report.struct_size = sizeof report;
    int32_t st = b->control->open(b, argv[3], &c, &report);
    check(st == ANYSERIAL_E_NOT_FOUND,
          std::string("open ") + argv[3] + " -> NOT_FOUND (got " + std::to_string(st) + ")");
    check(b->control->last_os_error(b) == ERROR_FILE_NOT_FOUND,
          "last_os_error is ERROR_FILE_NOT_FOUND (got " +
              std::to_string(b->control->last_os_error(b)) + ")");
    check(last_error(b).find(argv[3]) != std::string::npos,
          "last_error names the port: " + last_error(b));
    st = b->control->open(b, "ttyUSB0", &c, &report);
    check(st == ANYSERIAL_E_INVALID_ARGUMENT, "open ttyUSB0 -> INVALID_ARGUMENT: " + last_error(b));
    Waiter never;
    uint8_t one = 0;
    check(b->async_io->start_read(b, &one, 1, Waiter::done, &never) == ANYSERIAL_E_CLOSED,
          "start_read on a closed instance -> CLOSED");

    // ---- open, exclusive ----
    st = b->control->open(b, port, &c, &report);
    check(st == ANYSERIAL_OK, std::string("open ") + port + ": " + (st != 0 ? last_error(b) : ""));
    if (st != ANYSERIAL_OK) return 1;
    check(report.unsupported == 0, "115200 8N1 applied in full");
    check(termios_is("115200 8N1 flow=none"), "the pty has 115200 8N1");
    anyserial_backend_t *second = create(p);
    st = second->control->open(second, port, &c, nullptr);
    // Windows refuses a second open (ERROR_ACCESS_DENIED -> BUSY); Wine 8 does not enforce
    // the share mode on serial devices, so there the second open succeeds.
    if (on_wine())
        check(st == ANYSERIAL_OK,
              "Wine: a second open of the same port succeeds (Wine does not "
              "enforce exclusive COM access)");
    else
        check(
            st == ANYSERIAL_E_BUSY && second->control->last_os_error(second) == ERROR_ACCESS_DENIED,
            "a second open of the same port -> BUSY (got " + std::to_string(st) +
                "): " + last_error(second));
    second->destroy(second);

    run_control_tests(b);
    run_io_tests(b, port);
    check(never.count() == 0, "a failed start_read never completed");
    peer_gone(b, port);

    b->destroy(b);
    p.entry->deinit();
    check(FreeLibrary(p.dll) != 0, "deinit, then FreeLibrary");
    std::printf("%s: %d failure(s)\n", failures == 0 ? "PASS" : "FAIL", failures);
    return failures == 0 ? 0 : 1;
}

// plugin-check: where a backend test opens its port, and the peer on the other side.
//  - a backend claiming a device-path prefix such as "/dev/" gets a kernel pty pair the
//    checker creates (openpty): the backend opens the slave, the checker holds the master;
//  - a backend claiming only URL schemes is first tried on SCHEME://PTY-PATH (a pty
//    again, as posix://PATH takes it); failing that it is opened at
//    SCHEME://plugin-check-PID/a, the loopback-pair convention of anyserial's mock
//    backends, its peer at .../b through the same backend.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "check.hpp"

namespace anyserial::checker {

anyserial_serial_config_t default_config(uint32_t baud = 9600);

// A descriptor the backend tests can use (descriptors.backend reports the others).
bool well_formed(const anyserial_backend_descriptor_t *d);

// A backend instance that is destroyed with its owner.
struct Instance {
    anyserial_backend_t *b = nullptr;
    Instance() = default;
    Instance(const Instance &) = delete;
    Instance &operator=(const Instance &) = delete;
    ~Instance() { reset(); }
    void reset();
    anyserial_backend_t *operator->() const { return b; }
};

// create(id) or Failed naming the status.
void create_backend(Context &ctx, const anyserial_backend_descriptor_t *d, Instance &out);
// open(path) or Failed naming the status and the plugin's last_error.
void open_backend(Instance &inst, const std::string &path, uint32_t baud = 9600);

class Peer {
  public:
    virtual ~Peer() = default;
    virtual void write(const std::string &bytes) = 0;
    // Reads what arrives within about 2 s, until `want` bytes.
    virtual std::string read(std::size_t want) = 0;
    virtual void hang_up() = 0;
};

struct PortPlan {
    std::string path;       // what the backend under test opens
    std::string why_not;    // non-empty: no plan possible (the reason to skip)
    int master = -1;        // pty master (pty plans)
    std::string peer_path;  // URL plans
    ~PortPlan();
};

std::unique_ptr<PortPlan> plan_port(Context &ctx, const anyserial_backend_descriptor_t *d);
// The peer of a plan (opens the .../b end for URL plans).
std::unique_ptr<Peer> make_peer(Context &ctx, const anyserial_backend_descriptor_t *d,
                                PortPlan &plan);

int count_open_fds();

}  // namespace anyserial::checker

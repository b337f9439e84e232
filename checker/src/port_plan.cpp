// plugin-check: ports for the backend tests (see port_plan.hpp).
#include "port_plan.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace anyserial::checker {

anyserial_serial_config_t default_config(uint32_t baud) {
    anyserial_serial_config_t c{};
    c.struct_size = sizeof c;
    c.baudrate = baud;
    c.byte_size = 8;
    c.parity = ANYSERIAL_PARITY_NONE;
    c.stop_bits = ANYSERIAL_STOP_BITS_ONE;
    c.unsupported_policy = ANYSERIAL_POLICY_IGNORE;
    c.rs485.struct_size = sizeof c.rs485;
    return c;
}

bool well_formed(const anyserial_backend_descriptor_t *d) {
    return d != nullptr && d->id != nullptr && d->id[0] != '\0' &&
           (d->kind == ANYSERIAL_BACKEND_KIND_SYNC_FD ||
            d->kind == ANYSERIAL_BACKEND_KIND_ASYNC_COMPLETION);
}

void Instance::reset() {
    if (b != nullptr) {
        step("backend->destroy");
        b->destroy(b);
        b = nullptr;
    }
}

void create_backend(Context &ctx, const anyserial_backend_descriptor_t *d, Instance &out) {
    out.reset();
    step("backend factory->create(" + quote(d->id) + ")");
    const int32_t st = ctx.plugin().backends->create(d->id, &out.b);
    if (st != ANYSERIAL_OK || out.b == nullptr) {
        out.b = nullptr;
        throw Failed("create(" + quote(d->id) + ") returned " + status_name(st));
    }
    if (out.b->control == nullptr || out.b->destroy == nullptr ||
        (d->kind == ANYSERIAL_BACKEND_KIND_SYNC_FD && out.b->sync_fd == nullptr) ||
        (d->kind == ANYSERIAL_BACKEND_KIND_ASYNC_COMPLETION && out.b->async_io == nullptr))
        throw Skipped("backend " + quote(d->id) +
                      ": the instance lacks a table (see descriptors.backend_tables)");
}

void open_backend(Instance &inst, const std::string &path, uint32_t baud) {
    const auto cfg = default_config(baud);
    anyserial_config_report_t report{};
    report.struct_size = sizeof report;
    step("control->open(" + quote(path) + ")");
    const int32_t st = inst->control->open(inst.b, path.c_str(), &cfg, &report);
    if (st != ANYSERIAL_OK)
        throw Failed("open(" + quote(path) + ") returned " + status_name(st) + ": " +
                     quote(backend_error(inst.b)));
}

PortPlan::~PortPlan() {
    if (master >= 0) ::close(master);
}

namespace {

// A raw pty pair: the master stays with the plan, the slave is opened by name.
bool open_pty(PortPlan &plan) {
    int slave = -1;
    char name[256] = {};
    if (openpty(&plan.master, &slave, name, nullptr, nullptr) != 0) {
        plan.why_not = "openpty failed: " + std::string(strerror(errno));
        return false;
    }
    ::close(slave);  // the backend opens it by name; the master keeps the pair alive
    termios t{};
    tcgetattr(plan.master, &t);
    cfmakeraw(&t);
    tcsetattr(plan.master, TCSANOW, &t);
    fcntl(plan.master, F_SETFL, fcntl(plan.master, F_GETFL) | O_NONBLOCK);
    plan.path = name;
    return true;
}

bool opens(Context &ctx, const anyserial_backend_descriptor_t *d, const std::string &path) {
    Instance inst;
    create_backend(ctx, d, inst);
    const auto cfg = default_config();
    step("trying control->open(" + quote(path) + ")");
    return inst->control->open(inst.b, path.c_str(), &cfg, nullptr) == ANYSERIAL_OK;
}

}  // namespace

std::unique_ptr<PortPlan> plan_port(Context &ctx, const anyserial_backend_descriptor_t *d) {
    auto plan = std::make_unique<PortPlan>();
    for (auto *p = d->path_prefixes; p != nullptr && *p != nullptr; ++p)
        if (std::string_view("/dev/pts/").starts_with(*p) || std::string_view(*p) == "/dev/pts") {
            open_pty(*plan);
            return plan;
        }
    if (d->url_schemes == nullptr || d->url_schemes[0] == nullptr) {
        plan->why_not = "it claims neither a /dev/ path prefix (for a pty) nor a URL scheme";
        return plan;
    }
    const std::string scheme = d->url_schemes[0];
    // SCHEME://DEVICE-PATH, as the posix backend takes it
    if (open_pty(*plan)) {
        const std::string url = scheme + "://" + plan->path;
        if (opens(ctx, d, url)) {
            plan->path = url;
            return plan;
        }
        ::close(plan->master);
        plan->master = -1;
    }
    plan->why_not.clear();
    const std::string base = scheme + "://plugin-check-" + std::to_string(::getpid());
    plan->path = base + "/a";
    plan->peer_path = base + "/b";
    return plan;
}

namespace {

class PtyPeer final : public Peer {
  public:
    explicit PtyPeer(PortPlan &p) : plan_(p) {}
    void write(const std::string &bytes) override {
        step("writing to the pty master");
        std::size_t off = 0;
        while (off < bytes.size()) {
            const ssize_t n = ::write(plan_.master, bytes.data() + off, bytes.size() - off);
            if (n > 0)
                off += static_cast<std::size_t>(n);
            else if (errno != EAGAIN && errno != EINTR)
                throw Failed("pty master write failed");
        }
    }
    std::string read(std::size_t want) override {
        std::string got;
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (got.size() < want && std::chrono::steady_clock::now() < end) {
            pollfd p{plan_.master, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            char buf[4096];
            const ssize_t n = ::read(plan_.master, buf, sizeof buf);
            if (n > 0) got.append(buf, static_cast<std::size_t>(n));
        }
        return got;
    }
    void hang_up() override {
        ::close(plan_.master);
        plan_.master = -1;
    }

  private:
    PortPlan &plan_;
};

// The other end of a mock-style pair, driven through the plugin's own sync-fd table.
class PluginPeer final : public Peer {
  public:
    PluginPeer(Context &ctx, const anyserial_backend_descriptor_t *d, const std::string &path) {
        create_backend(ctx, d, inst_);
        open_backend(inst_, path);
        if (inst_->sync_fd == nullptr) throw Skipped("the peer end has no sync_fd table");
    }
    void write(const std::string &bytes) override {
        std::size_t off = 0;
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (off < bytes.size() && std::chrono::steady_clock::now() < end) {
            uint32_t n = 0;
            step("peer write_nonblocking");
            const int32_t st = inst_->sync_fd->write_nonblocking(
                inst_.b, reinterpret_cast<const uint8_t *>(bytes.data()) + off,
                static_cast<uint32_t>(bytes.size() - off), &n);
            if (st == ANYSERIAL_OK) off += n;
        }
    }
    std::string read(std::size_t want) override {
        std::string got;
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (got.size() < want && std::chrono::steady_clock::now() < end) {
            pollfd p{inst_->sync_fd->fileno(inst_.b), POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            uint8_t buf[4096];
            uint32_t n = 0;
            step("peer read_nonblocking");
            if (inst_->sync_fd->read_nonblocking(inst_.b, buf, sizeof buf, &n) == ANYSERIAL_OK)
                got.append(reinterpret_cast<char *>(buf), std::min<uint32_t>(n, sizeof buf));
        }
        return got;
    }
    void hang_up() override { inst_.reset(); }

  private:
    Instance inst_;
};

}  // namespace

std::unique_ptr<Peer> make_peer(Context &ctx, const anyserial_backend_descriptor_t *d,
                                PortPlan &plan) {
    if (plan.master >= 0) return std::make_unique<PtyPeer>(plan);
    return std::make_unique<PluginPeer>(ctx, d, plan.peer_path);
}

int count_open_fds() {
    int n = 0;
    DIR *dir = ::opendir("/proc/self/fd");
    if (dir == nullptr) return -1;
    while (const dirent *e = ::readdir(dir))
        if (e->d_name[0] != '.') ++n;
    ::closedir(dir);
    return n - 1;  // the directory's own fd
}

}  // namespace anyserial::checker

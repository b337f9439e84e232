// plugin-check, group "backend": the sync-fd kind over a pty pair the checker creates
// (or a plugin's own loopback pair), and errors for a missing port (both kinds).
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <anyserial/sdk/cpp/abi.hpp>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "port_plan.hpp"

namespace anyserial::checker {

namespace {

using Descs = std::vector<const anyserial_backend_descriptor_t *>;

std::unique_ptr<PortPlan> plan_or_skip(Context &ctx, const anyserial_backend_descriptor_t *d) {
    auto plan = plan_port(ctx, d);
    if (!plan->why_not.empty()) throw Skipped("backend " + quote(d->id) + ": " + plan->why_not);
    return plan;
}

void churn(Context &ctx) {
    for (const auto *d : ctx.backends(ANYSERIAL_BACKEND_KIND_SYNC_FD)) {
        auto plan = plan_or_skip(ctx, d);  // a pty's master stays open across the churn
        {
            Instance warm;  // the first open may cache (locale, plugin statics)
            create_backend(ctx, d, warm);
            open_backend(warm, plan->path);
        }
        const int before = count_open_fds();
        for (int i = 0; i < 100; ++i) {
            Instance inst;
            create_backend(ctx, d, inst);
            open_backend(inst, plan->path);
            step("control->close");
            inst->control->close(inst.b);
            step("control->close (again: idempotent)");
            inst->control->close(inst.b);
            if (inst->sync_fd->fileno(inst.b) != -1)
                throw Failed("backend " + quote(d->id) + ": fileno() after close() is " +
                             std::to_string(inst->sync_fd->fileno(inst.b)) + ", not -1");
            open_backend(inst, plan->path);  // reopen the same instance
        }
        const int after = count_open_fds();
        if (after != before)
            throw Failed("backend " + quote(d->id) + ": " + std::to_string(after - before) +
                         " file descriptors leaked over 100 open/close/reopen/destroy rounds (" +
                         std::to_string(before) + " open before, " + std::to_string(after) +
                         " after)");
    }
}

// Reads until `want` bytes arrived, asking for `chunk` at a time; every count <= chunk.
std::string read_through(const std::string &id, Instance &inst, std::size_t want, uint32_t chunk) {
    std::string got;
    for (int spins = 0; got.size() < want && spins < 200; ++spins) {
        pollfd p{inst->sync_fd->fileno(inst.b), POLLIN, 0};
        ::poll(&p, 1, 20);
        uint8_t buf[64];
        uint8_t *guard = buf + chunk;
        *guard = 0xA5;
        uint32_t n = 0;
        step("sync_fd->read_nonblocking(len " + std::to_string(chunk) + ")");
        const int32_t st = inst->sync_fd->read_nonblocking(inst.b, buf, chunk, &n);
        if (st == ANYSERIAL_E_WOULD_BLOCK || st == ANYSERIAL_E_INTERRUPTED) continue;
        if (st != ANYSERIAL_OK)
            throw Failed("backend " + quote(id) + ": read_nonblocking returned " + status_name(st));
        if (n > chunk)
            throw Failed("backend " + quote(id) + ": read_nonblocking reported " +
                         std::to_string(n) + " bytes for a " + std::to_string(chunk) +
                         "-byte buffer");
        if (*guard != 0xA5)
            throw Failed("backend " + quote(id) + ": read_nonblocking wrote past its buffer");
        if (n == 0) throw Failed("backend " + quote(id) + ": EOF while the peer is connected");
        got.append(reinterpret_cast<char *>(buf), n);
    }
    return got;
}

// ANYSERIAL_SYNC_FD_PLAIN_IO (SDK 1.2; absent from a shorter table): the core reads
// fileno() with read(2) itself, so the fd must be O_NONBLOCK, and read(2) must go on exactly
// where read_nonblocking stopped (a backend that buffers or frames would lose bytes).
bool plain_io(const anyserial_sync_fd_io_t &io) {
    return sdk::has_member(io, &anyserial_sync_fd_io_t::io_flags) &&
           (io.io_flags & ANYSERIAL_SYNC_FD_PLAIN_IO) != 0;
}

// `send` puts msg on the line towards the port (the peer, or the port itself on a loopback).
template <class Send>
void check_plain_read(const std::string &id, Instance &inst, Send send) {
    const int fd = inst->sync_fd->fileno(inst.b);
    const std::string lie = "backend " + quote(id) + ": declares ANYSERIAL_SYNC_FD_PLAIN_IO but ";
    step("fcntl(fileno(), F_GETFL) of a backend that declares ANYSERIAL_SYNC_FD_PLAIN_IO");
    const int fl = ::fcntl(fd, F_GETFL);
    if (fl < 0 || (fl & O_NONBLOCK) == 0) throw Failed(lie + "fileno() is not O_NONBLOCK");
    const std::string msg = "read_nonblocking, then read(2) on fileno()";
    send(msg);
    std::string got = read_through(id, inst, 3, 3);  // the plugin's read takes the first bytes
    for (int spins = 0; got.size() < msg.size() && spins < 200; ++spins) {
        pollfd p{fd, POLLIN, 0};
        ::poll(&p, 1, 20);
        char buf[64];
        step("read(2) on fileno() (ANYSERIAL_SYNC_FD_PLAIN_IO)");
        const ssize_t r = ::read(fd, buf, sizeof buf);
        const int err = errno;
        if (r > 0) got.append(buf, static_cast<std::size_t>(r));
        if (r == 0) throw Failed(lie + "read(2) on fileno() says EOF");
        if (r < 0 && err != EAGAIN && err != EINTR)
            throw Failed(lie + "read(2) on fileno() failed: " + std::strerror(err));
    }
    if (got != msg)
        throw Failed(lie + "read_nonblocking, then read(2) on fileno(), gave " + quote(got) +
                     " for " + quote(msg) + " (does the backend buffer or frame its input?)");
}

void nonblocking(Context &ctx) {
    for (const auto *d : ctx.backends(ANYSERIAL_BACKEND_KIND_SYNC_FD)) {
        auto plan = plan_or_skip(ctx, d);
        auto peer = make_peer(ctx, d, *plan);
        Instance inst;
        create_backend(ctx, d, inst);
        open_backend(inst, plan->path);
        const std::string w = "backend " + quote(d->id);
        uint8_t buf[16];
        uint32_t n = 99;
        step("sync_fd->read_nonblocking with nothing to read (must not block)");
        int32_t st = inst->sync_fd->read_nonblocking(inst.b, buf, sizeof buf, &n);
        if (st != ANYSERIAL_E_WOULD_BLOCK && st != ANYSERIAL_E_INTERRUPTED)
            throw Failed(w + ": read_nonblocking with nothing to read returned " + status_name(st) +
                         " (n " + std::to_string(n) + "), not E_WOULD_BLOCK");
        // Writes: the port sends, the peer receives the same bytes. A loopback backend
        // (what it writes it reads back, like a pipe) is its own peer.
        const std::string out = "written by the port";
        uint32_t wn = 0;
        step("sync_fd->write_nonblocking");
        st = inst->sync_fd->write_nonblocking(inst.b, reinterpret_cast<const uint8_t *>(out.data()),
                                              static_cast<uint32_t>(out.size()), &wn);
        if (st != ANYSERIAL_OK || wn > out.size() || wn == 0)
            throw Failed(w + ": write_nonblocking of " + std::to_string(out.size()) +
                         " bytes returned " + status_name(st) + " with n " + std::to_string(wn));
        const std::string echoed = peer->read(wn);
        bool loopback = false;
        if (echoed.empty()) {
            const std::string self = read_through(d->id, inst, wn, 3);
            if (self != out.substr(0, wn))
                throw Failed(w + ": the peer received nothing of " + quote(out.substr(0, wn)));
            loopback = true;
        } else if (echoed != out.substr(0, wn)) {
            throw Failed(w + ": the peer received " + quote(echoed) + " for " +
                         quote(out.substr(0, wn)));
        }
        if (!loopback) {
            const std::string msg = "anyserial plugin-check: 0123456789";
            peer->write(msg);
            const std::string got = read_through(d->id, inst, msg.size(), 3);
            if (got != msg)
                throw Failed(w + ": read back " + quote(got) + " for " + quote(msg) +
                             " sent by the peer");
        }
        if (plain_io(*inst->sync_fd)) {
            check_plain_read(d->id, inst, [&](const std::string &msg) {
                if (!loopback) return peer->write(msg);
                uint32_t sent = 0;
                step("sync_fd->write_nonblocking (loopback)");
                if (inst->sync_fd->write_nonblocking(
                        inst.b, reinterpret_cast<const uint8_t *>(msg.data()),
                        static_cast<uint32_t>(msg.size()), &sent) != ANYSERIAL_OK ||
                    sent != msg.size())
                    throw Failed(w + ": write_nonblocking of " + std::to_string(msg.size()) +
                                 " bytes to itself wrote " + std::to_string(sent));
            });
        }
        // Fill the line while the peer does not read: a write must say WOULD_BLOCK, not block.
        std::vector<uint8_t> big(65536, 'x');
        uint64_t total = 0;
        for (;;) {
            step("sync_fd->write_nonblocking while the peer does not read (must not block)");
            st = inst->sync_fd->write_nonblocking(inst.b, big.data(),
                                                  static_cast<uint32_t>(big.size()), &wn);
            if (st == ANYSERIAL_E_WOULD_BLOCK) break;
            if (st == ANYSERIAL_E_INTERRUPTED) continue;
            if (st != ANYSERIAL_OK)
                throw Failed(w + ": write_nonblocking on a full line returned " + status_name(st));
            if (wn > big.size())
                throw Failed(w + ": write_nonblocking reported " + std::to_string(wn) +
                             " bytes written of " + std::to_string(big.size()));
            total += wn;
            if (total > (64u << 20))
                throw Failed(w + ": 64 MiB written while the peer read nothing, never WOULD_BLOCK");
        }
    }
}

void eof(Context &ctx) {
    for (const auto *d : ctx.backends(ANYSERIAL_BACKEND_KIND_SYNC_FD)) {
        auto plan = plan_or_skip(ctx, d);
        auto peer = make_peer(ctx, d, *plan);
        Instance inst;
        create_backend(ctx, d, inst);
        open_backend(inst, plan->path);
        const std::string w = "backend " + quote(d->id);
        step("peer hangs up");
        peer->hang_up();
        pollfd p{inst->sync_fd->fileno(inst.b), POLLIN, 0};
        if (::poll(&p, 1, 2000) <= 0)
            throw Failed(w + ": fileno() did not become ready within 2 s after the peer hung up");
        for (int tries = 0; tries < 3; ++tries) {
            uint8_t buf[16];
            uint32_t n = 99;
            step("sync_fd->read_nonblocking after hang-up");
            const int32_t st = inst->sync_fd->read_nonblocking(inst.b, buf, sizeof buf, &n);
            if ((st == ANYSERIAL_OK && n == 0) || st == ANYSERIAL_E_DISCONNECTED) return;
            if (st == ANYSERIAL_OK)
                throw Failed(w + ": read after hang-up returned " + std::to_string(n) + " bytes");
            if (st != ANYSERIAL_E_WOULD_BLOCK && st != ANYSERIAL_E_INTERRUPTED)
                throw Failed(w + ": read after hang-up returned " + status_name(st) +
                             ", not EOF (OK, n 0) or E_DISCONNECTED");
        }
        throw Failed(w +
                     ": fileno() is ready after the peer hung up but read_nonblocking keeps "
                     "saying E_WOULD_BLOCK (the core would spin)");
    }
}

void configure(Context &ctx) {
    for (const auto *d : ctx.backends(ANYSERIAL_BACKEND_KIND_SYNC_FD)) {
        auto plan = plan_or_skip(ctx, d);
        auto peer = make_peer(ctx, d, *plan);
        Instance inst;
        create_backend(ctx, d, inst);
        open_backend(inst, plan->path, 9600);
        const std::string w = "backend " + quote(d->id);
        auto cfg = default_config(19200);
        anyserial_config_report_t report{};
        report.struct_size = sizeof report;
        step("control->configure(19200)");
        int32_t st = inst->control->configure(inst.b, &cfg, &report);
        if (st == ANYSERIAL_E_NOT_SUPPORTED)
            throw Skipped(w + ": configure answers E_NOT_SUPPORTED");
        if (st != ANYSERIAL_OK)
            throw Failed(w + ": configure(19200 8N1) returned " + status_name(st) + ": " +
                         quote(backend_error(inst.b)));
        const int fd = inst->sync_fd->fileno(inst.b);
        termios t{};
        if (fd >= 0 && ::isatty(fd) && ::tcgetattr(fd, &t) == 0 && cfgetospeed(&t) != B19200)
            throw Failed(w + ": configure(19200) returned OK but the tty reads back another speed");
        // Under POLICY_RAISE a configuration that cannot be applied changes nothing.
        auto bad = default_config(38400);
        bad.byte_size = 9;
        bad.unsupported_policy = ANYSERIAL_POLICY_RAISE;
        step("control->configure(byte_size 9, POLICY_RAISE)");
        st = inst->control->configure(inst.b, &bad, &report);
        if (st == ANYSERIAL_OK) throw Failed(w + ": configure accepted byte_size 9");
        if (fd >= 0 && ::isatty(fd) && ::tcgetattr(fd, &t) == 0 && cfgetospeed(&t) != B19200)
            throw Failed(w + ": a refused configure (byte_size 9) changed the speed");
        if (backend_error(inst.b).empty())
            throw Failed(w + ": configure refused byte_size 9 with " + status_name(st) +
                         " but last_error() is empty");
    }
}

void missing_port(Context &ctx) {
    Plugin &p = ctx.plugin();
    if (p.backends == nullptr) throw Skipped("the plugin provides no backend");
    bool tried = false;
    for (uint32_t i = 0, n = p.backends->count(); i < n && i < 256; ++i) {
        const auto *d = p.backends->get_descriptor(i);
        if (!well_formed(d)) continue;
        const std::string missing = "anyserial-plugin-check-missing-" + std::to_string(::getpid());
        std::string path;
        if (d->path_prefixes != nullptr && d->path_prefixes[0] != nullptr)
            path = std::string(d->path_prefixes[0]) + missing;
        else if (d->url_schemes != nullptr && d->url_schemes[0] != nullptr)
            path = std::string(d->url_schemes[0]) + ":///dev/" + missing;
        else
            continue;
        Instance inst;
        create_backend(ctx, d, inst);
        const auto cfg = default_config();
        step("control->open(" + quote(path) + ") of a missing port");
        const int32_t st = inst->control->open(inst.b, path.c_str(), &cfg, nullptr);
        const std::string w = "backend " + quote(d->id);
        if (st != ANYSERIAL_E_NOT_FOUND)
            throw Failed(w + ": open(" + quote(path) + ") of a missing port returned " +
                         status_name(st) + ", not E_NOT_FOUND");
        if (backend_error(inst.b).empty())
            throw Failed(w + ": open of a missing port failed with an empty last_error()");
        tried = true;
    }
    if (!tried) throw Skipped("no backend claims a device-path prefix or a URL scheme");
}

}  // namespace

void add_backend_tests(std::vector<Test> &out) {
    out.push_back({"backend.sync_fd.churn",
                   "open/close/reopen/destroy x100 over a pty: close idempotent, fileno -1 "
                   "when closed, no fd leak (/proc/self/fd)",
                   churn});
    out.push_back({"backend.sync_fd.nonblocking",
                   "reads and writes never block, never report more than asked, bytes arrive "
                   "intact both ways",
                   nonblocking});
    out.push_back({"backend.sync_fd.eof",
                   "after the peer hangs up the fd is ready and a read says EOF or "
                   "E_DISCONNECTED",
                   eof});
    out.push_back({"backend.sync_fd.configure",
                   "configure(19200) reads back on the tty; a refused configure (POLICY_RAISE) "
                   "changes nothing and says why",
                   configure});
    out.push_back({"backend.missing_port",
                   "opening a missing port (PREFIX or SCHEME:///dev/ + a missing name) fails with "
                   "E_NOT_FOUND and a last_error text",
                   missing_port});
}

}  // namespace anyserial::checker

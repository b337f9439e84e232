#include "pty_fixture.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <regex>
#include <stdexcept>

extern char **environ;

namespace anyserial::test {

namespace {
[[noreturn]] void fail(const std::string &what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}
}  // namespace

short wait_fd(int fd, short events, std::chrono::milliseconds deadline) {
    pollfd p{fd, events, 0};
    for (;;) {
        const int r = ::poll(&p, 1, static_cast<int>(deadline.count()));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return 0;
        return p.revents;
    }
}

PtyPair::PtyPair() {
    char name[128] = {};
    if (::openpty(&controller_, &follower_, name, nullptr, nullptr) != 0) fail("openpty");
    path_ = name;
    termios t{};
    if (::tcgetattr(follower_, &t) != 0) fail("tcgetattr(follower)");
    ::cfmakeraw(&t);
    t.c_cflag |= CS8 | CREAD | CLOCAL;
    if (::tcsetattr(follower_, TCSANOW, &t) != 0) fail("tcsetattr(follower)");
    const int flags = ::fcntl(controller_, F_GETFL);
    if (::fcntl(controller_, F_SETFL, flags | O_NONBLOCK) != 0) fail("fcntl(controller)");
}

PtyPair::~PtyPair() {
    if (controller_ >= 0) ::close(controller_);
    if (follower_ >= 0) ::close(follower_);
}

void PtyPair::close_controller() {
    ::close(controller_);
    controller_ = -1;
}

void PtyPair::write_all(const std::vector<std::uint8_t> &data) {
    std::size_t off = 0;
    while (off < data.size()) {
        const ssize_t n = ::write(controller_, data.data() + off, data.size() - off);
        if (n > 0) {
            off += static_cast<std::size_t>(n);
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (wait_fd(controller_, POLLOUT) == 0) throw std::runtime_error("controller stuck");
        } else {
            fail("write(controller)");
        }
    }
}

std::vector<std::uint8_t> PtyPair::read_exact(std::size_t n) {
    std::vector<std::uint8_t> out;
    std::uint8_t buf[4096];
    while (out.size() < n) {
        const ssize_t r = ::read(controller_, buf, std::min(sizeof buf, n - out.size()));
        if (r > 0) {
            out.insert(out.end(), buf, buf + r);
        } else if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (wait_fd(controller_, POLLIN) == 0) throw std::runtime_error("controller: no data");
        } else {
            fail("read(controller)");
        }
    }
    return out;
}

SocatPair::SocatPair() {
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) fail("pipe2");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
    const char *argv[] = {"socat", "-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0", nullptr};
    const int rc = ::posix_spawnp(&pid_, "socat", &fa, nullptr, const_cast<char **>(argv), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(pipefd[1]);
    err_fd_ = pipefd[0];
    if (rc != 0) {
        errno = rc;
        fail("spawn socat");
    }
    // socat logs "N PTY is /dev/pts/X" twice, then "starting data transfer loop".
    std::string log;
    const std::regex pty_re(R"(PTY is (/dev/pts/[0-9]+))");
    char buf[512];
    while (log.find("starting data transfer loop") == std::string::npos) {
        if (wait_fd(err_fd_, POLLIN) == 0) throw std::runtime_error("socat did not start: " + log);
        const ssize_t n = ::read(err_fd_, buf, sizeof buf);
        if (n <= 0) throw std::runtime_error("socat exited: " + log);
        log.append(buf, static_cast<std::size_t>(n));
    }
    std::vector<std::string> found;
    for (std::sregex_iterator it(log.begin(), log.end(), pty_re), end; it != end; ++it)
        found.push_back((*it)[1]);
    if (found.size() != 2) throw std::runtime_error("socat: expected two ptys in: " + log);
    a_ = found[0];
    b_ = found[1];
}

SocatPair::~SocatPair() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    if (err_fd_ >= 0) ::close(err_fd_);
}

PluginModule::PluginModule(const std::string &file) {
    handle_ = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) throw std::runtime_error(std::string("dlopen: ") + ::dlerror());
    entry_ =
        static_cast<const anyserial_plugin_entry_t *>(::dlsym(handle_, ANYSERIAL_ENTRY_SYMBOL));
    if (entry_ == nullptr) throw std::runtime_error("no entry symbol in " + file);
    static const anyserial_host_t host = [] {
        anyserial_host_t h{};
        h.struct_size = sizeof h;
        h.abi_major = ANYSERIAL_SDK_VERSION_MAJOR;
        h.abi_minor = ANYSERIAL_SDK_VERSION_MINOR;
        h.host_name = "test_posix";
        h.host_version = "0";
        return h;
    }();
    if (entry_->init(&host) != ANYSERIAL_OK) throw std::runtime_error("init failed: " + file);
    factory_ = static_cast<const anyserial_backend_factory_t *>(
        entry_->get_factory(ANYSERIAL_BACKEND_FACTORY_ID));
    if (factory_ == nullptr) throw std::runtime_error("no backend factory in " + file);
}

PluginModule::~PluginModule() {
    if (entry_ != nullptr) entry_->deinit();
    if (handle_ != nullptr) ::dlclose(handle_);
}

Backend::Backend(const PluginModule &module, const char *id) {
    if (module.factory().create(id, &b_) != ANYSERIAL_OK || b_ == nullptr)
        throw std::runtime_error(std::string("create ") + id);
}

Backend::~Backend() {
    if (b_ != nullptr) b_->destroy(b_);
}

int32_t Backend::open(const std::string &path, const anyserial_serial_config_t &cfg,
                      anyserial_config_report_t *report) {
    return ctl().open(b_, path.c_str(), &cfg, report);
}

std::string Backend::last_error() const {
    char buf[1024];
    ctl().last_error(b_, buf, sizeof buf);
    return buf;
}

std::size_t Backend::write_all(const std::vector<std::uint8_t> &data) {
    std::size_t off = 0, partial = 0;
    while (off < data.size()) {
        uint32_t n = 0;
        const auto len = static_cast<uint32_t>(data.size() - off);
        const int32_t st = b_->sync_fd->write_nonblocking(b_, data.data() + off, len, &n);
        if (st == ANYSERIAL_OK) {
            if (n < len) ++partial;
            off += n;
        } else if (st == ANYSERIAL_E_WOULD_BLOCK || st == ANYSERIAL_E_INTERRUPTED) {
            if (wait_fd(fd(), POLLOUT) == 0) throw std::runtime_error("backend write stuck");
        } else {
            throw std::runtime_error("write_nonblocking: " + last_error());
        }
    }
    return partial;
}

std::vector<std::uint8_t> Backend::read_exact(std::size_t n) {
    std::vector<std::uint8_t> out;
    std::uint8_t buf[4096];
    while (out.size() < n) {
        uint32_t got = 0;
        const auto want = static_cast<uint32_t>(std::min(sizeof buf, n - out.size()));
        const int32_t st = b_->sync_fd->read_nonblocking(b_, buf, want, &got);
        if (st == ANYSERIAL_OK && got > 0) {
            out.insert(out.end(), buf, buf + got);
        } else if (st == ANYSERIAL_E_WOULD_BLOCK || st == ANYSERIAL_E_INTERRUPTED) {
            if (wait_fd(fd(), POLLIN) == 0) throw std::runtime_error("backend: no data");
        } else {
            throw std::runtime_error("read_nonblocking: status " + std::to_string(st) + " " +
                                     last_error());
        }
    }
    return out;
}

anyserial_serial_config_t default_config() {
    anyserial_serial_config_t c{};
    c.struct_size = sizeof c;
    c.baudrate = 115200;
    c.byte_size = 8;
    c.parity = ANYSERIAL_PARITY_NONE;
    c.stop_bits = ANYSERIAL_STOP_BITS_ONE;
    c.hangup_on_close = true;
    c.unsupported_policy = ANYSERIAL_POLICY_RAISE;
    c.read_chunk_size = 65536;
    c.rs485.struct_size = sizeof c.rs485;
    return c;
}

anyserial_config_report_t empty_report() {
    anyserial_config_report_t r{};
    r.struct_size = sizeof r;
    return r;
}

std::vector<std::uint8_t> pattern(std::size_t n, std::uint32_t seed) {
    std::vector<std::uint8_t> v(n);
    std::uint32_t x = seed * 2654435761u + 1;
    for (auto &b : v) {
        x = x * 1664525u + 1013904223u;
        b = static_cast<std::uint8_t>(x >> 24);
    }
    return v;
}

}  // namespace anyserial::test

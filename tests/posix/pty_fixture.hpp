// Test helpers: real kernel pty pairs and socat pairs, the backend plugins through dlopen.
#pragma once

#include <anyserial/sdk/backend.h>
#include <anyserial/sdk/entry.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace anyserial::test {

// openpty with the seed §27.2.1 fixes: the follower gets raw mode (so the tty state
// persists on /dev/pts/N for whoever opens it next), the controller is O_NONBLOCK.
// The follower fd stays open (and unread) so closing the backend never hangs the pty up.
class PtyPair {
  public:
    PtyPair();
    ~PtyPair();
    PtyPair(const PtyPair &) = delete;
    PtyPair &operator=(const PtyPair &) = delete;

    const std::string &path() const noexcept { return path_; }
    int controller() const noexcept { return controller_; }
    int follower() const noexcept { return follower_; }
    void close_controller();  // peer hang-up

    // Write everything to the controller (waiting for writability with poll).
    void write_all(const std::vector<std::uint8_t> &data);
    // Read exactly n bytes from the controller (poll-driven, bounded by a deadline).
    std::vector<std::uint8_t> read_exact(std::size_t n);

  private:
    int controller_ = -1, follower_ = -1;
    std::string path_;
};

// `socat -d -d pty,raw,echo=0 pty,raw,echo=0`: two linked /dev/pts paths parsed from
// socat's stderr; the process is killed (by pid) in the destructor.
class SocatPair {
  public:
    SocatPair();
    ~SocatPair();
    SocatPair(const SocatPair &) = delete;
    SocatPair &operator=(const SocatPair &) = delete;
    const std::string &a() const noexcept { return a_; }
    const std::string &b() const noexcept { return b_; }

  private:
    int pid_ = -1;
    int err_fd_ = -1;
    std::string a_, b_;
};

// Wait until fd is readable (POLLIN) or the deadline passes; returns revents (0 = timeout).
short wait_fd(int fd, short events, std::chrono::milliseconds deadline = std::chrono::seconds(10));

// A backend plugin loaded with dlopen; one factory.
class PluginModule {
  public:
    explicit PluginModule(const std::string &file);
    ~PluginModule();
    const anyserial_backend_factory_t &factory() const noexcept { return *factory_; }

  private:
    void *handle_ = nullptr;
    const anyserial_plugin_entry_t *entry_ = nullptr;
    const anyserial_backend_factory_t *factory_ = nullptr;
};

// An instance of a backend with convenience accessors.
class Backend {
  public:
    Backend(const PluginModule &module, const char *id);
    ~Backend();
    Backend(const Backend &) = delete;
    Backend &operator=(const Backend &) = delete;

    anyserial_backend_t *get() const noexcept { return b_; }
    const anyserial_backend_control_t &ctl() const noexcept { return *b_->control; }
    int32_t open(const std::string &path, const anyserial_serial_config_t &cfg,
                 anyserial_config_report_t *report = nullptr);
    void close() { ctl().close(b_); }
    std::string last_error() const;
    int fd() const { return b_->sync_fd->fileno(b_); }
    // Write everything through write_nonblocking (poll for POLLOUT on WOULD_BLOCK);
    // returns the number of partial writes seen.
    std::size_t write_all(const std::vector<std::uint8_t> &data);
    // Read exactly n bytes through read_nonblocking (poll-driven).
    std::vector<std::uint8_t> read_exact(std::size_t n);

  private:
    anyserial_backend_t *b_ = nullptr;
};

anyserial_serial_config_t default_config();
anyserial_config_report_t empty_report();
std::vector<std::uint8_t> pattern(std::size_t n, std::uint32_t seed = 1);

}  // namespace anyserial::test

// echo backend: `echo://NAME` is a port where whatever is written is read back. A
// minimal sync-fd backend written with the SDK's C++ helpers: a non-blocking pipe stands
// in for the device, so the core can wait for readiness on its read end.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <anyserial/sdk/cpp/backend.hpp>
#include <anyserial/sdk/cpp/plugin.hpp>
#include <cerrno>
#include <string>

namespace sdk = anyserial::sdk;

namespace {

class EchoBackend final : public sdk::Backend {
  public:
    static const anyserial_backend_descriptor_t &describe() noexcept {
        static const char *const schemes[] = {"echo", nullptr};
        static const anyserial_capabilities_t caps = [] {
            anyserial_capabilities_t c = sdk::make_capabilities(ANYSERIAL_CAP_UNSUPPORTED);
            c.input_waiting = ANYSERIAL_CAP_SUPPORTED;
            return c;
        }();
        static const anyserial_backend_descriptor_t d = {sizeof d,
                                                         "echo",
                                                         "Echo loopback",
                                                         "anyserial examples",
                                                         "0.1.0",
                                                         "echo://NAME reads back what was written",
                                                         "any",
                                                         ANYSERIAL_BACKEND_KIND_SYNC_FD,
                                                         0,
                                                         nullptr,
                                                         schemes,
                                                         &caps};
        return d;
    }

    ~EchoBackend() override { close(); }

    void open(const char *path, const anyserial_serial_config_t &config,
              sdk::ConfigReport &report) override {
        if (fds_[0] >= 0) throw sdk::Error(ANYSERIAL_E_STATE, "echo port is already open");
        if (::pipe2(fds_, O_NONBLOCK | O_CLOEXEC) != 0)
            sdk::throw_errno(std::string("pipe2 for ") + path);
        if (config.flow_control != 0)
            report.unsupported(ANYSERIAL_FEATURE_RTS_CTS, "echo has no flow control lines");
        sdk::log(ANYSERIAL_LOG_DEBUG, "anyserial.echo", "opened ", path);
    }

    void close() override {
        for (int &fd : fds_)
            if (fd >= 0) ::close(fd), fd = -1;
    }

    void configure(const anyserial_serial_config_t &, sdk::ConfigReport &) override {}
    void reset_input() override {
        uint8_t sink[256];
        while (::read(fds_[0], sink, sizeof sink) > 0) {
        }
    }
    void reset_output() override {}  // writes land in the pipe at once: nothing queued
    void drain_blocking() override {}
    uint32_t input_waiting() override {
        int n = 0;
        if (::ioctl(fds_[0], FIONREAD, &n) != 0) sdk::throw_errno("FIONREAD");
        return static_cast<uint32_t>(n);
    }
    uint32_t output_waiting() override { return 0; }

    int fileno() const noexcept override { return fds_[0]; }

    anyserial_status_t read_nonblocking(std::span<uint8_t> buf, uint32_t &n) override {
        const ssize_t r = ::read(fds_[0], buf.data(), buf.size());
        if (r < 0) return fail_errno("read(echo)", errno);
        n = static_cast<uint32_t>(r);
        return ANYSERIAL_OK;
    }
    anyserial_status_t write_nonblocking(std::span<const uint8_t> data, uint32_t &n) override {
        const ssize_t r = ::write(fds_[1], data.data(), data.size());
        if (r < 0) return fail_errno("write(echo)", errno);
        n = static_cast<uint32_t>(r);
        return ANYSERIAL_OK;
    }

  private:
    int fds_[2] = {-1, -1};
};

const void *get_factory(const char *id) noexcept {
    return sdk::lookup_factory(
        id, {{ANYSERIAL_BACKEND_FACTORY_ID, sdk::BackendFactory<EchoBackend>::get()}});
}

}  // namespace

ANYSERIAL_DEFINE_PLUGIN_ENTRY(sdk::init_host, sdk::deinit_host, get_factory);

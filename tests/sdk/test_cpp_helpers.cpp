// The C++ helpers seen from the C side: a tiny backend class goes through
// sdk::BackendFactory, and every call is made through the C tables, as the host does.
#include <anyserial/sdk/protocol.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <anyserial/sdk/cpp/backend.hpp>
#include <anyserial/sdk/cpp/plugin.hpp>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "alloc_counter.hpp"

namespace sdk = anyserial::sdk;

namespace {

int g_closes = 0;
int g_destroyed = 0;

class SyncBackend final : public sdk::Backend {
  public:
    static const anyserial_backend_descriptor_t &describe() noexcept {
        static const char *const schemes[] = {"test", nullptr};
        static const anyserial_capabilities_t caps = [] {
            anyserial_capabilities_t c = sdk::make_capabilities(ANYSERIAL_CAP_UNSUPPORTED);
            c.modem_lines = ANYSERIAL_CAP_SUPPORTED;
            return c;
        }();
        static const anyserial_backend_descriptor_t d = {
            sizeof d,    "test-sync",
            "Test sync", "anyserial",
            "0.1.0",     "helper test backend",
            "any",       ANYSERIAL_BACKEND_KIND_SYNC_FD,
            0,           nullptr,
            schemes,     &caps};
        return d;
    }
    static const void *factory_extension(const char *id) noexcept {
        static const int marker = 0;
        return std::strcmp(id, "test.factory-ext/1") == 0 ? &marker : nullptr;
    }

    ~SyncBackend() override { ++g_destroyed; }

    void open(const char *path, const anyserial_serial_config_t &config,
              sdk::ConfigReport &report) override {
        const std::string p = path;
        if (p == "busy") throw sdk::Error(ANYSERIAL_E_BUSY, "test://busy is locked", EBUSY);
        if (p == "oom") throw std::bad_alloc();
        if (p == "boom") throw std::runtime_error("boom at open");
        if (p == "int") throw 42;
        if (p == "errno") sdk::throw_errno("open(test://errno)", ENOENT);
        release_fds();  // reopen in tests
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds_) != 0)
            sdk::throw_errno("socketpair");
        if (config.low_latency)
            report.unsupported(ANYSERIAL_FEATURE_LOW_LATENCY, "low latency: not on a socket");
        if (config.rs485_enabled) report.unsupported(ANYSERIAL_FEATURE_RS485, "rs485: no");
        last_config_ = config;
    }
    void close() override {
        release_fds();
        ++g_closes;
    }
    uint32_t modem_lines() override { return ANYSERIAL_LINE_CTS | ANYSERIAL_LINE_RI; }
    int fileno() const noexcept override { return fds_[0]; }
    anyserial_status_t read_nonblocking(std::span<uint8_t> buf, uint32_t &n) override {
        const ssize_t r = ::read(fds_[0], buf.data(), buf.size());
        if (r < 0) return fail_errno("read(test)", errno);
        n = static_cast<uint32_t>(r);
        return ANYSERIAL_OK;
    }
    anyserial_status_t write_nonblocking(std::span<const uint8_t> data, uint32_t &n) override {
        // Loop back through the peer socket so read sees what was written.
        const ssize_t r = ::write(fds_[1], data.data(), data.size());
        if (r < 0) return fail_errno("write(test)", errno);
        n = static_cast<uint32_t>(r);
        return ANYSERIAL_OK;
    }

    anyserial_serial_config_t last_config_{};

  private:
    void release_fds() noexcept {
        for (int &fd : fds_) {
            if (fd >= 0) ::close(fd);
            fd = -1;
        }
    }
    int fds_[2] = {-1, -1};
};

class AsyncBackend final : public sdk::Backend {
  public:
    static const anyserial_backend_descriptor_t &describe() noexcept {
        static const char *const schemes[] = {"test-async", nullptr};
        static const anyserial_backend_descriptor_t d = {sizeof d,
                                                         "test-async",
                                                         "Test async",
                                                         "anyserial",
                                                         "0.1.0",
                                                         "helper test backend",
                                                         "any",
                                                         ANYSERIAL_BACKEND_KIND_ASYNC_COMPLETION,
                                                         0,
                                                         nullptr,
                                                         schemes,
                                                         nullptr};
        return d;
    }
    void open(const char *, const anyserial_serial_config_t &, sdk::ConfigReport &) override {}
    void close() override {}
    void start_read(std::span<uint8_t> buf, sdk::Completion done) override {
        if (buf.size() > 4096) throw std::length_error("read buffer too large");
        buf[0] = 0x5a;
        done.complete(ANYSERIAL_OK, 1);  // inline completion keeps the test simple
    }
};

using Factory = sdk::BackendFactory<SyncBackend, AsyncBackend>;

struct Created {
    anyserial_backend_t *h = nullptr;
    explicit Created(const char *id) {
        BOOST_REQUIRE_EQUAL(Factory::get()->create(id, &h), ANYSERIAL_OK);
        BOOST_REQUIRE(h != nullptr);
    }
    ~Created() {
        if (h != nullptr) h->destroy(h);
    }
    std::string last_error() const {
        const uint32_t len = h->control->last_error(h, nullptr, 0);
        std::string s(len, '\0');
        h->control->last_error(h, s.data(), len + 1);
        return s;
    }
};

anyserial_serial_config_t config_9600() {
    anyserial_serial_config_t c = sdk::init_struct<anyserial_serial_config_t>();
    c.baudrate = 9600;
    c.byte_size = 8;
    return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(backend_helpers)

BOOST_AUTO_TEST_CASE(factory_lists_descriptors_and_extensions) {
    const anyserial_backend_factory_t *f = Factory::get();
    BOOST_TEST(f->struct_size == sizeof(anyserial_backend_factory_t));
    BOOST_TEST(f->count() == 2u);
    BOOST_TEST(std::string(f->get_descriptor(0)->id) == "test-sync");
    BOOST_TEST(std::string(f->get_descriptor(1)->id) == "test-async");
    BOOST_TEST(f->get_descriptor(2) == nullptr);
    BOOST_TEST(f->get_extension("test-sync", "test.factory-ext/1") != nullptr);
    BOOST_TEST(f->get_extension("test-sync", "other/1") == nullptr);
    BOOST_TEST(f->get_extension("test-async", "test.factory-ext/1") == nullptr);
    BOOST_TEST(f->get_extension("nope", "test.factory-ext/1") == nullptr);
}

BOOST_AUTO_TEST_CASE(create_unknown_id_fails_cleanly) {
    anyserial_backend_t *h = reinterpret_cast<anyserial_backend_t *>(0x1);
    BOOST_TEST(Factory::get()->create("missing", &h) == ANYSERIAL_E_NOT_FOUND);
    BOOST_TEST(h == nullptr);
    BOOST_TEST(Factory::get()->create("test-sync", nullptr) == ANYSERIAL_E_INVALID_ARGUMENT);
}

BOOST_AUTO_TEST_CASE(instances_get_the_tables_of_their_kind) {
    Created s("test-sync");
    BOOST_TEST(s.h->struct_size == sizeof(anyserial_backend_t));
    BOOST_TEST(s.h->descriptor == &SyncBackend::describe());
    BOOST_TEST(s.h->control != nullptr);
    BOOST_TEST(s.h->sync_fd != nullptr);
    BOOST_TEST(s.h->async_io == nullptr);
    BOOST_TEST(sdk::Backend::from(s.h) != nullptr);
    Created a("test-async");
    BOOST_TEST(a.h->sync_fd == nullptr);
    BOOST_TEST(a.h->async_io != nullptr);
}

BOOST_AUTO_TEST_CASE(destroy_closes_and_deletes) {
    const int closes = g_closes, destroyed = g_destroyed;
    anyserial_backend_t *h = nullptr;
    BOOST_REQUIRE_EQUAL(Factory::get()->create("test-sync", &h), ANYSERIAL_OK);
    const anyserial_serial_config_t cfg = config_9600();
    BOOST_REQUIRE_EQUAL(h->control->open(h, "ok", &cfg, nullptr), ANYSERIAL_OK);
    BOOST_TEST(h->sync_fd->fileno(h) >= 0);
    h->destroy(h);
    BOOST_TEST(g_closes == closes + 1);
    BOOST_TEST(g_destroyed == destroyed + 1);
}

BOOST_AUTO_TEST_CASE(sdk_error_becomes_its_status_with_text_and_errno) {
    Created b("test-sync");
    const anyserial_serial_config_t cfg = config_9600();
    BOOST_TEST(b.h->control->open(b.h, "busy", &cfg, nullptr) == ANYSERIAL_E_BUSY);
    BOOST_TEST(b.last_error() == "test://busy is locked");
    BOOST_TEST(b.h->control->last_os_error(b.h) == EBUSY);

    BOOST_TEST(b.h->control->open(b.h, "errno", &cfg, nullptr) == ANYSERIAL_E_NOT_FOUND);
    BOOST_TEST(b.last_error() == std::string("open(test://errno): ") + std::strerror(ENOENT));
    BOOST_TEST(b.h->control->last_os_error(b.h) == ENOENT);
}

BOOST_AUTO_TEST_CASE(bad_alloc_and_foreign_exceptions) {
    Created b("test-sync");
    const anyserial_serial_config_t cfg = config_9600();
    BOOST_TEST(b.h->control->open(b.h, "oom", &cfg, nullptr) == ANYSERIAL_E_NO_MEMORY);
    BOOST_TEST(b.last_error() == "out of memory");
    BOOST_TEST(b.h->control->open(b.h, "boom", &cfg, nullptr) == ANYSERIAL_E_INTERNAL);
    BOOST_TEST(b.last_error() == "boom at open");
    BOOST_TEST(b.h->control->last_os_error(b.h) == 0);
    BOOST_TEST(b.h->control->open(b.h, "int", &cfg, nullptr) == ANYSERIAL_E_INTERNAL);
    BOOST_TEST(b.last_error() == "unknown exception in plugin");

    Created a("test-async");
    std::vector<uint8_t> big(8192);
    static int completions = 0;
    auto never = [](void *, int32_t, uint32_t) { ++completions; };
    BOOST_TEST(a.h->async_io->start_read(a.h, big.data(), 8192, never, nullptr) ==
               ANYSERIAL_E_INTERNAL);
    BOOST_TEST(a.last_error() == "read buffer too large");
    BOOST_TEST(completions == 0);  // a failed start delivers no completion
}

BOOST_AUTO_TEST_CASE(unimplemented_calls_answer_not_supported_naming_the_backend) {
    Created b("test-sync");
    BOOST_TEST(b.h->control->reset_output(b.h) == ANYSERIAL_E_NOT_SUPPORTED);
    BOOST_TEST(b.last_error() == "reset_output is not supported by backend 'test-sync'");
    uint32_t n = 7;
    BOOST_TEST(b.h->control->input_waiting(b.h, &n) == ANYSERIAL_E_NOT_SUPPORTED);
    BOOST_TEST(b.h->control->get_extension(b.h, "anything/1") == nullptr);
    BOOST_TEST(b.h->control->set_control_lines(b.h, 2, 0) == ANYSERIAL_E_INVALID_ARGUMENT);
    uint32_t lines = 0;
    BOOST_TEST(b.h->control->modem_lines(b.h, &lines) == ANYSERIAL_OK);
    BOOST_TEST(lines == (ANYSERIAL_LINE_CTS | ANYSERIAL_LINE_RI));
    BOOST_TEST(b.h->control->modem_lines(b.h, nullptr) == ANYSERIAL_E_INVALID_ARGUMENT);
}

BOOST_AUTO_TEST_CASE(last_error_copy_semantics_through_the_abi) {
    Created b("test-sync");
    const anyserial_serial_config_t cfg = config_9600();
    BOOST_REQUIRE_EQUAL(b.h->control->open(b.h, "busy", &cfg, nullptr), ANYSERIAL_E_BUSY);
    const std::string full = "test://busy is locked";
    char buf[8];
    std::memset(buf, 'x', sizeof buf);
    BOOST_TEST(b.h->control->last_error(b.h, buf, 5) == full.size());
    BOOST_TEST(std::string(buf) == "test");  // 4 bytes + NUL
    BOOST_TEST(buf[5] == 'x');               // nothing past cap
    BOOST_TEST(b.h->control->last_error(b.h, buf, 0) == full.size());
    BOOST_TEST(b.h->control->last_error(b.h, nullptr, 100) == full.size());
}

BOOST_AUTO_TEST_CASE(config_report_and_struct_sizes_are_honoured) {
    Created b("test-sync");
    anyserial_serial_config_t cfg = config_9600();
    cfg.low_latency = true;
    cfg.rs485_enabled = true;
    anyserial_config_report_t report;
    std::memset(&report, 0, sizeof report);
    report.struct_size = sizeof report;
    BOOST_REQUIRE_EQUAL(b.h->control->open(b.h, "ok", &cfg, &report), ANYSERIAL_OK);
    BOOST_TEST(report.unsupported == (ANYSERIAL_FEATURE_LOW_LATENCY | ANYSERIAL_FEATURE_RS485));
    BOOST_TEST(std::string(report.message) == "low latency: not on a socket; rs485: no");
    auto *impl = static_cast<SyncBackend *>(sdk::Backend::from(b.h));
    BOOST_TEST(impl->last_config_.baudrate == 9600u);
    BOOST_TEST(impl->last_config_.struct_size == sizeof(anyserial_serial_config_t));

    // A caller whose report struct is shorter than ours gets only what fits.
    anyserial_config_report_t small;
    std::memset(&small, 'z', sizeof small);
    small.struct_size = offsetof(anyserial_config_report_t, message);
    BOOST_REQUIRE_EQUAL(b.h->control->configure(b.h, &cfg, &small), ANYSERIAL_E_NOT_SUPPORTED);
    BOOST_TEST(small.struct_size == offsetof(anyserial_config_report_t, message));
    BOOST_TEST(small.message[0] == 'z');

    // A config from an older caller (shorter struct) reads the missing fields as zero.
    anyserial_serial_config_t old = config_9600();
    old.struct_size = offsetof(anyserial_serial_config_t, rs485);
    old.rs485.enabled = true;  // beyond the caller's size: must not be seen
    BOOST_TEST(b.h->control->open(b.h, "ok", &old, nullptr) == ANYSERIAL_OK);
    BOOST_TEST(!impl->last_config_.rs485.enabled);
    BOOST_TEST(impl->last_config_.baudrate == 9600u);

    anyserial_capabilities_t caps;
    std::memset(&caps, 0xee, sizeof caps);
    caps.struct_size = offsetof(anyserial_capabilities_t, break_signal);
    BOOST_REQUIRE_EQUAL(b.h->control->capabilities(b.h, &caps), ANYSERIAL_OK);
    BOOST_TEST(caps.modem_lines == ANYSERIAL_CAP_SUPPORTED);
    BOOST_TEST(caps.rts_cts == ANYSERIAL_CAP_UNSUPPORTED);
    BOOST_TEST(caps.break_signal == 0xee);  // beyond the caller's struct_size
}

BOOST_AUTO_TEST_CASE(sync_io_round_trip_without_allocation) {
    Created b("test-sync");
    const anyserial_serial_config_t cfg = config_9600();
    BOOST_REQUIRE_EQUAL(b.h->control->open(b.h, "ok", &cfg, nullptr), ANYSERIAL_OK);
    const anyserial_sync_fd_io_t *io = b.h->sync_fd;
    uint8_t out[4] = {1, 2, 3, 4}, in[16] = {};
    uint32_t n = 0;
    // Warm up (first-use allocations of the C library are not the helper's).
    BOOST_REQUIRE_EQUAL(io->read_nonblocking(b.h, in, sizeof in, &n), ANYSERIAL_E_WOULD_BLOCK);

    const std::size_t before = anyserial_test_allocations();
    int32_t statuses[3] = {};
    uint32_t written = 0, got = 0;
    for (int i = 0; i < 100; ++i) {
        statuses[0] |= io->write_nonblocking(b.h, out, sizeof out, &written);
        statuses[1] |= io->read_nonblocking(b.h, in, sizeof in, &got);
        statuses[2] = io->read_nonblocking(b.h, in, sizeof in, &n);
    }
    const std::size_t after = anyserial_test_allocations();
    BOOST_TEST(after == before);
    BOOST_TEST(statuses[0] == ANYSERIAL_OK);
    BOOST_TEST(statuses[1] == ANYSERIAL_OK);
    BOOST_TEST(statuses[2] == ANYSERIAL_E_WOULD_BLOCK);
    BOOST_TEST(written == 4u);
    BOOST_TEST(got == 4u);
    BOOST_TEST(in[3] == 4);
    BOOST_TEST(b.h->control->last_os_error(b.h) == EAGAIN);
}

BOOST_AUTO_TEST_CASE(async_start_delivers_through_the_completion) {
    Created a("test-async");
    struct Seen {
        int calls = 0;
        int32_t status = -100;
        uint32_t n = 0;
    } seen;
    uint8_t buf[4] = {};
    auto done = [](void *user, int32_t status, uint32_t n) {
        auto *s = static_cast<Seen *>(user);
        ++s->calls;
        s->status = status;
        s->n = n;
    };
    BOOST_REQUIRE_EQUAL(a.h->async_io->start_read(a.h, buf, sizeof buf, done, &seen), ANYSERIAL_OK);
    BOOST_TEST(seen.calls == 1);
    BOOST_TEST(seen.status == ANYSERIAL_OK);
    BOOST_TEST(seen.n == 1u);
    BOOST_TEST(buf[0] == 0x5a);
    BOOST_TEST(a.h->async_io->start_write(a.h, buf, 1, done, &seen) == ANYSERIAL_E_NOT_SUPPORTED);
    BOOST_TEST(seen.calls == 1);
    BOOST_TEST(a.h->async_io->start_read(a.h, buf, 0, done, &seen) == ANYSERIAL_E_INVALID_ARGUMENT);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- plugin.hpp and error.hpp ---------------------------------------------------------

namespace {

struct FakeHost {
    anyserial_host_t host{};
    std::vector<std::string> messages;
    int32_t min_level = ANYSERIAL_LOG_INFO;

    FakeHost() {
        host.struct_size = sizeof host;
        host.abi_major = 1;
        host.host_name = "fake";
        host.host_data = this;
        host.log = [](const anyserial_host_t *h, int32_t level, const char *logger,
                      const char *msg) {
            auto *self = static_cast<FakeHost *>(h->host_data);
            self->messages.push_back(std::to_string(level) + " " +
                                     (logger != nullptr ? logger : "-") + " " + msg);
        };
        host.log_enabled = [](const anyserial_host_t *h, int32_t level, const char *) {
            return static_cast<int32_t>(level >= static_cast<FakeHost *>(h->host_data)->min_level);
        };
        host.monotonic_ns = [](const anyserial_host_t *) -> uint64_t { return 123456789; };
        host.get_extension = [](const anyserial_host_t *, const char *id) -> const void * {
            return std::strcmp(id, "host.ext/1") == 0 ? id : nullptr;
        };
    }
};

struct Loud {
    bool *formatted;
};
std::ostream &operator<<(std::ostream &os, const Loud &l) {
    *l.formatted = true;
    return os << "loud";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(plugin_helpers)

BOOST_AUTO_TEST_CASE(host_services_go_through_the_host) {
    FakeHost fake;
    BOOST_TEST(sdk::init_host(nullptr) == ANYSERIAL_E_INVALID_ARGUMENT);
    BOOST_REQUIRE_EQUAL(sdk::init_host(&fake.host), ANYSERIAL_OK);
    BOOST_REQUIRE_EQUAL(sdk::init_host(&fake.host), ANYSERIAL_OK);  // repeat is harmless
    BOOST_TEST(sdk::host() == &fake.host);

    sdk::log(ANYSERIAL_LOG_WARN, "anyserial.test", "port ", "mock://x/a", " gone after ", 3,
             " tries");
    sdk::log(ANYSERIAL_LOG_ERROR, nullptr, "plain");
    bool formatted = false;
    sdk::log(ANYSERIAL_LOG_DEBUG, "anyserial.test", Loud{&formatted});
    BOOST_TEST(!formatted);  // disabled level: no formatting cost
    BOOST_REQUIRE_EQUAL(fake.messages.size(), 2u);
    BOOST_TEST(fake.messages[0] == "3 anyserial.test port mock://x/a gone after 3 tries");
    BOOST_TEST(fake.messages[1] == "4 - plain");

    BOOST_TEST(sdk::monotonic_ns() == 123456789u);
    BOOST_TEST(sdk::host_extension("host.ext/1") != nullptr);
    BOOST_TEST(sdk::host_extension("other/1") == nullptr);

    sdk::deinit_host();
    BOOST_TEST(sdk::host() == nullptr);
    BOOST_TEST(!sdk::log_enabled(ANYSERIAL_LOG_CRITICAL));
    sdk::log(ANYSERIAL_LOG_CRITICAL, nullptr, "dropped without a host");
    BOOST_TEST(fake.messages.size() == 2u);
    const uint64_t t1 = sdk::monotonic_ns(), t2 = sdk::monotonic_ns();
    BOOST_TEST(t2 >= t1);  // steady clock fallback
}

BOOST_AUTO_TEST_CASE(lookup_factory_dispatches_by_id) {
    static const int a = 1, b = 2;
    auto get = [](const char *id) {
        return sdk::lookup_factory(
            id, {{ANYSERIAL_BACKEND_FACTORY_ID, &a}, {ANYSERIAL_PROTOCOL_FACTORY_ID, &b}});
    };
    BOOST_TEST(get(ANYSERIAL_BACKEND_FACTORY_ID) == &a);
    BOOST_TEST(get(ANYSERIAL_PROTOCOL_FACTORY_ID) == &b);
    BOOST_TEST(get("anyserial.backend/2") == nullptr);
    BOOST_TEST(get(nullptr) == nullptr);
}

BOOST_AUTO_TEST_CASE(last_error_holder_truncates_and_reports_full_length) {
    sdk::LastError e;
    BOOST_TEST(e.copy(nullptr, 0) == 0u);
    const std::string longer(sdk::LastError::capacity + 50, 'q');
    e.set(longer, EIO);
    BOOST_TEST(e.message().size() == sdk::LastError::capacity - 1);
    BOOST_TEST(e.os_error() == EIO);
    char buf[3];
    BOOST_TEST(e.copy(buf, sizeof buf) == sdk::LastError::capacity - 1);
    BOOST_TEST(std::string(buf) == "qq");
    e.clear();
    BOOST_TEST(e.copy(buf, sizeof buf) == 0u);
    BOOST_TEST(buf[0] == '\0');
}

BOOST_AUTO_TEST_CASE(status_from_errno_maps_the_usual_suspects) {
    BOOST_TEST(sdk::status_from_errno(EAGAIN) == ANYSERIAL_E_WOULD_BLOCK);
    BOOST_TEST(sdk::status_from_errno(EINTR) == ANYSERIAL_E_INTERRUPTED);
    BOOST_TEST(sdk::status_from_errno(EBUSY) == ANYSERIAL_E_BUSY);
    BOOST_TEST(sdk::status_from_errno(ENOENT) == ANYSERIAL_E_NOT_FOUND);
    BOOST_TEST(sdk::status_from_errno(EACCES) == ANYSERIAL_E_PERMISSION);
    BOOST_TEST(sdk::status_from_errno(EIO) == ANYSERIAL_E_DISCONNECTED);
    BOOST_TEST(sdk::status_from_errno(ENOTTY) == ANYSERIAL_E_NOT_SUPPORTED);
    BOOST_TEST(sdk::status_from_errno(EMLINK) == ANYSERIAL_E_IO);
}

BOOST_AUTO_TEST_SUITE_END()

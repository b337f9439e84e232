#define BOOST_TEST_MODULE anyserial_mock
#include "mock_fixture.hpp"

#include <dlfcn.h>
#include <poll.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace mocktest {

namespace {

struct Loaded {
    void *so = nullptr;
    const anyserial_plugin_entry_t *entry = nullptr;
    const anyserial_backend_factory_t *factory = nullptr;
    anyserial_host_t host{};

    Loaded() {
        so = ::dlopen(ANYSERIAL_MOCK_PLUGIN, RTLD_NOW | RTLD_LOCAL);
        if (so == nullptr)
            throw std::runtime_error(std::string("dlopen ") + ANYSERIAL_MOCK_PLUGIN + ": " +
                                     ::dlerror());
        entry = static_cast<const anyserial_plugin_entry_t *>(::dlsym(so, ANYSERIAL_ENTRY_SYMBOL));
        if (entry == nullptr) throw std::runtime_error("no anyserial_plugin_entry");
        host.struct_size = sizeof host;
        host.abi_major = ANYSERIAL_SDK_VERSION_MAJOR;
        host.host_name = "test_mock";
        host.host_version = "0";
        host.log = [](const anyserial_host_t *, int32_t, const char *, const char *msg) {
            std::fprintf(stderr, "plugin log: %s\n", msg);  // any thread: not Boost.Test
        };
        host.log_enabled = [](const anyserial_host_t *, int32_t, const char *) { return 1; };
        host.monotonic_ns = [](const anyserial_host_t *) -> uint64_t {
            return static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch() /
                                         std::chrono::nanoseconds(1));
        };
        if (entry->init(&host) != ANYSERIAL_OK) throw std::runtime_error("init failed");
        factory = static_cast<const anyserial_backend_factory_t *>(
            entry->get_factory(ANYSERIAL_BACKEND_FACTORY_ID));
        if (factory == nullptr) throw std::runtime_error("no backend factory");
    }
    ~Loaded() {
        entry->deinit();
        ::dlclose(so);
    }
};

Loaded &loaded() {
    static Loaded l;
    return l;
}

}  // namespace

const anyserial_backend_factory_t &factory() {
    return *loaded().factory;
}

anyserial_serial_config_t default_config() {
    anyserial_serial_config_t c{};
    c.struct_size = sizeof c;
    c.baudrate = 9600;
    c.byte_size = 8;
    c.unsupported_policy = ANYSERIAL_POLICY_RAISE;
    c.rs485.struct_size = sizeof c.rs485;
    return c;
}

Port::Port(const char *backend_id) {
    BOOST_REQUIRE_EQUAL(factory().create(backend_id, &h), ANYSERIAL_OK);
    BOOST_REQUIRE(h != nullptr);
}

Port::~Port() {
    if (h != nullptr) h->destroy(h);
}

int32_t Port::open(const std::string &url, anyserial_serial_config_t *config,
                   anyserial_config_report_t *report) {
    const anyserial_serial_config_t def = default_config();
    return h->control->open(h, url.c_str(), config != nullptr ? config : &def, report);
}

void Port::open_ok(const std::string &url) {
    const int32_t st = open(url);
    BOOST_REQUIRE_MESSAGE(st == ANYSERIAL_OK, "open " << url << ": " << st << " " << last_error());
}

std::string Port::last_error() const {
    char buf[1024];
    h->control->last_error(h, buf, sizeof buf);
    return buf;
}

const anyserial_mock_faults_ext_t &Port::faults() const {
    const auto *ext = static_cast<const anyserial_mock_faults_ext_t *>(
        h->control->get_extension(h, ANYSERIAL_EXT_MOCK_FAULTS_ID));
    BOOST_REQUIRE(ext != nullptr);
    return *ext;
}

bool Port::wait_readable(int timeout_ms) const {
    pollfd p{fd(), POLLIN, 0};
    return ::poll(&p, 1, timeout_ms) == 1;
}

void Port::write_all(const std::string &data) {
    std::size_t off = 0;
    while (off < data.size()) {
        uint32_t n = 0;
        const int32_t st =
            h->sync_fd->write_nonblocking(h, reinterpret_cast<const uint8_t *>(data.data()) + off,
                                          static_cast<uint32_t>(data.size() - off), &n);
        if (st == ANYSERIAL_E_WOULD_BLOCK || st == ANYSERIAL_E_INTERRUPTED) {
            pollfd p{fd(), POLLOUT, 0};
            BOOST_REQUIRE_EQUAL(::poll(&p, 1, 10000), 1);
            continue;
        }
        BOOST_REQUIRE_EQUAL(st, ANYSERIAL_OK);
        off += n;
    }
}

std::string Port::read_exact(std::size_t n) {
    std::string out;
    while (out.size() < n) {
        uint8_t buf[256];
        uint32_t got = 0;
        const int32_t st = h->sync_fd->read_nonblocking(h, buf, sizeof buf, &got);
        if (st == ANYSERIAL_E_WOULD_BLOCK || st == ANYSERIAL_E_INTERRUPTED) {
            BOOST_REQUIRE(wait_readable());
            continue;
        }
        BOOST_REQUIRE_EQUAL(st, ANYSERIAL_OK);
        BOOST_REQUIRE_MESSAGE(got > 0, "unexpected EOF");
        out.append(reinterpret_cast<const char *>(buf), got);
    }
    return out;
}

uint32_t Port::lines() const {
    uint32_t l = 0;
    BOOST_REQUIRE_EQUAL(h->control->modem_lines(h, &l), ANYSERIAL_OK);
    return l;
}

void Completions::callback(void *user, int32_t status, uint32_t n) {
    auto *self = static_cast<Completions *>(user);
    // Notify under the lock: once a waiter sees the event, this callback no longer touches
    // the object, so the test may destroy it right away.
    std::lock_guard lock(self->mutex_);
    self->events_.push_back({status, n});
    self->cv_.notify_all();
}

bool Completions::wait(std::size_t count, int timeout_ms) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                        [&] { return events_.size() >= count; });
}

std::vector<Completions::Event> Completions::events() const {
    std::lock_guard lock(mutex_);
    return events_;
}

std::size_t Completions::size() const {
    std::lock_guard lock(mutex_);
    return events_.size();
}

}  // namespace mocktest

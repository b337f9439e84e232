#include "mock_base.hpp"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "mock_url.hpp"

namespace anyserial::mock {

const anyserial_capabilities_t &mock_capabilities() noexcept {
    static const anyserial_capabilities_t caps = [] {
        // Framing and flow settings have nothing to get wrong on a lossless socket whose
        // own backpressure stands in for flow control: accepted and stored.
        anyserial_capabilities_t c = sdk::make_capabilities(ANYSERIAL_CAP_SUPPORTED);
        c.low_latency = ANYSERIAL_CAP_UNSUPPORTED;
        c.rs485 = ANYSERIAL_CAP_UNSUPPORTED;
        c.port_discovery = ANYSERIAL_CAP_UNSUPPORTED;
        return c;
    }();
    return caps;
}

namespace {

// Run f(instance) as an extension call: exceptions become statuses in last_error.
template <class F>
int32_t with_mock(anyserial_backend_t *self, F &&f) noexcept {
    sdk::Backend *b = sdk::Backend::from(self);
    if (b == nullptr) return ANYSERIAL_E_INVALID_ARGUMENT;
    auto &mock = static_cast<MockBase &>(*b);
    return sdk::guarded(mock.errors(), [&] { f(mock); });
}

int32_t ext_disconnect(anyserial_backend_t *self) noexcept {
    return with_mock(self, [](MockBase &m) { m.fault_disconnect(); });
}
int32_t ext_eagain_storm(anyserial_backend_t *self, uint32_t count) noexcept {
    return with_mock(self, [&](MockBase &m) { m.faults().eagain = count; });
}
int32_t ext_eintr_burst(anyserial_backend_t *self, uint32_t count) noexcept {
    return with_mock(self, [&](MockBase &m) { m.faults().eintr = count; });
}
int32_t ext_short_writes(anyserial_backend_t *self, uint32_t max_bytes) noexcept {
    return with_mock(self, [&](MockBase &m) { m.faults().short_write = max_bytes; });
}
int32_t ext_added_latency(anyserial_backend_t *self, uint64_t ns) noexcept {
    return with_mock(self, [&](MockBase &m) { m.fault_latency(ns); });
}
int32_t ext_break_state(anyserial_backend_t *self, int32_t *on, uint32_t *count) noexcept {
    int32_t o = 0;
    uint32_t c = 0;
    const int32_t st = with_mock(self, [&](MockBase &m) { m.break_state(o, c); });
    if (on != nullptr) *on = o;
    if (count != nullptr) *count = c;
    return st;
}

constexpr anyserial_mock_faults_ext_t kFaults = {sizeof(anyserial_mock_faults_ext_t),
                                                 &ext_disconnect,
                                                 &ext_eagain_storm,
                                                 &ext_eintr_burst,
                                                 &ext_short_writes,
                                                 &ext_added_latency,
                                                 &ext_break_state};

}  // namespace

MockBase::~MockBase() {
    // destroy() closes first; this only guards against a subclass forgetting it.
    if (lease_.pair) PairRegistry::instance().release(lease_);
}

void MockBase::require_open(const char *what) const {
    if (!is_open())
        throw sdk::Error(ANYSERIAL_E_CLOSED,
                         std::string(what) + ": the " + scheme_ + " port is not open");
}

void MockBase::validate(const anyserial_serial_config_t &c, sdk::ConfigReport &report) const {
    const std::string where = url_.empty() ? std::string(scheme_) : url_;
    auto bad = [&](const std::string &why) {
        throw sdk::Error(ANYSERIAL_E_INVALID_ARGUMENT, where + ": invalid config: " + why);
    };
    if (c.baudrate == 0) bad("baudrate must be > 0");
    if (c.byte_size < 5 || c.byte_size > 8) bad("byte_size must be 5..8");
    if (c.parity > ANYSERIAL_PARITY_SPACE) bad("unknown parity " + std::to_string(c.parity));
    if (c.stop_bits > ANYSERIAL_STOP_BITS_TWO)
        bad("unknown stop_bits " + std::to_string(c.stop_bits));
    if ((c.flow_control & ~0x7u) != 0) bad("unknown flow_control bits");
    if (c.unsupported_policy > ANYSERIAL_POLICY_IGNORE) bad("unknown unsupported_policy");

    if (c.low_latency)
        report.unsupported(ANYSERIAL_FEATURE_LOW_LATENCY,
                           "low_latency: a mock pair has no latency timer to tune");
    if (c.rs485_enabled)
        report.unsupported(ANYSERIAL_FEATURE_RS485, "rs485: the mock does not emulate RS-485");
    if (report.features() != 0 && c.unsupported_policy == ANYSERIAL_POLICY_RAISE)
        throw sdk::Error(
            ANYSERIAL_E_UNSUPPORTED_CONFIG,
            where + ": unsupported under policy raise: " + std::string(report.message()));
}

void MockBase::apply(const anyserial_serial_config_t &config) noexcept {
    config_ = config;
    read_chunk_ = config.read_chunk_size;
}

void MockBase::open(const char *path, const anyserial_serial_config_t &config,
                    sdk::ConfigReport &report) {
    if (is_open()) throw sdk::Error(ANYSERIAL_E_STATE, url_ + " is already open on this instance");
    const MockUrl url = parse_mock_url(scheme_, path);
    url_ = url.text();
    validate(config, report);
    Lease lease = PairRegistry::instance().acquire(url);
    faults_.disconnected = false;
    faults_.eagain = 0;
    faults_.eintr = 0;
    faults_.short_write = 0;
    faults_.latency_ns = 0;
    break_on_ = false;
    break_count_ = 0;
    apply(config);
    lease_ = std::move(lease);
    fd_.store(lease_.fd, std::memory_order_release);
    try {
        on_opened();
    } catch (...) {
        close();
        throw;
    }
}

void MockBase::close() {
    if (!lease_.pair) return;  // idempotent
    on_closing();
    fd_.store(-1, std::memory_order_release);
    PairRegistry::instance().release(lease_);
    lease_ = Lease{};
}

void MockBase::configure(const anyserial_serial_config_t &config, sdk::ConfigReport &report) {
    require_open("configure");
    validate(config, report);  // throws before anything changes
    apply(config);
}

void MockBase::reset_input() {
    require_open("reset_input");
    uint8_t sink[4096];
    for (;;) {
        const ssize_t r = ::recv(fd(), sink, sizeof sink, MSG_DONTWAIT);
        if (r > 0) continue;
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            sdk::throw_errno("reset_input(" + url_ + ")");
        return;  // queue empty (or EOF)
    }
}

void MockBase::reset_output() {
    require_open("reset_output");
}

void MockBase::set_break(bool on) {
    require_open("set_break");
    if (on && !break_on_.exchange(true))
        ++break_count_;
    else if (!on)
        break_on_ = false;
}

void MockBase::drain_blocking() {
    require_open("drain_blocking");
    wait_output_delivered();
}

uint32_t MockBase::modem_lines() {
    require_open("modem_lines");
    const Pair &p = *lease_.pair;
    const int peer = 1 - lease_.end;
    const uint32_t mine = p.lines[lease_.end].load();
    const uint32_t theirs = p.live[peer].load() ? p.lines[peer].load() : 0;
    uint32_t lines = mine & (ANYSERIAL_LINE_RTS | ANYSERIAL_LINE_DTR);
    if ((theirs & ANYSERIAL_LINE_RTS) != 0) lines |= ANYSERIAL_LINE_CTS;
    if ((theirs & ANYSERIAL_LINE_DTR) != 0) lines |= ANYSERIAL_LINE_DSR | ANYSERIAL_LINE_CD;
    return lines;
}

void MockBase::set_control_lines(int32_t rts, int32_t dtr) {
    require_open("set_control_lines");
    std::atomic<uint32_t> &mine = lease_.pair->lines[lease_.end];
    auto update = [&](int32_t value, uint32_t bit) {
        if (value == ANYSERIAL_LINE_ON) mine.fetch_or(bit);
        if (value == ANYSERIAL_LINE_OFF) mine.fetch_and(~bit);
    };
    update(rts, ANYSERIAL_LINE_RTS);
    update(dtr, ANYSERIAL_LINE_DTR);
}

uint32_t MockBase::input_waiting() {
    require_open("input_waiting");
    int n = 0;
    if (::ioctl(fd(), FIONREAD, &n) != 0) sdk::throw_errno("FIONREAD(" + url_ + ")");
    return static_cast<uint32_t>(n);
}

uint32_t MockBase::output_waiting() {
    require_open("output_waiting");
    return held_output();
}

const void *MockBase::extension(std::string_view id) noexcept {
    return id == ANYSERIAL_EXT_MOCK_FAULTS_ID ? &kFaults : nullptr;
}

void MockBase::fault_disconnect() {
    require_open("disconnect");
    faults_.disconnected = true;
    // Wake a reader parked on the fd: after shutdown the socket polls readable (EOF).
    ::shutdown(fd(), SHUT_RDWR);
    on_disconnect();
}

void MockBase::fault_latency(uint64_t ns) {
    faults_.latency_ns = ns;
    if (is_open()) on_latency_changed();
}

void MockBase::break_state(int32_t &on, uint32_t &count) const noexcept {
    on = break_on_ ? 1 : 0;
    count = break_count_;
}

}  // namespace anyserial::mock

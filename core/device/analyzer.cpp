// anyserial — Analyzer operations: gates, then the broadcast cache or the transaction
// engine; completion with (error_code, T) and last_error() kept on the session.
#include <anyserial/device/abi.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <stdexcept>

#include "device/analyzer_impl.hpp"

namespace anyserial::device {
namespace detail {

namespace {

constexpr int kCalGroups = 4;  // the 4100 has cal-groups 1..4

DeviceInfo info_from_frame(const Frame &f, const AnalyzerImpl &s, const char *model) {
    DeviceInfo info;
    if (model != nullptr && *model != '\0') {
        info.model = model;
    } else if (s.proto != nullptr && s.proto->descriptor().name != nullptr) {
        info.model = s.proto->descriptor().name;
    }
    info.protocol = s.kind;
    info.address = s.is_broadcast ? 0 : s.opts.address;
    info.port = s.port_name;
    info.baudrate = s.port ? s.port->config().baudrate() : 0;
    for (const Reading &r : f.readings)
        info.channels.push_back({r.channel, r.kind, r.name, r.unit});
    return info;
}

// Names and units a sweep did not carry come from the identify cache.
void fill_from_info(Frame &f, const std::optional<DeviceInfo> &info) {
    if (!info) return;
    for (Reading &r : f.readings) {
        for (const ChannelInfo &c : info->channels) {
            if (c.channel != r.channel) continue;
            if (!r.name && c.name) r.name = c.name;
            if (r.unit.text.empty() && r.unit.kind == UnitKind::unknown) r.unit = c.unit;
        }
    }
}

template <class... T>
void complete(const std::shared_ptr<AnalyzerImpl> &s, std::exception_ptr e, Handler<T...> h,
              T... v) {
    const boost::system::error_code ec = e ? s->fail(e) : boost::system::error_code{};
    asio::dispatch(asio::append(std::move(h), ec, std::move(v)...));
}

template <class... T>
void complete_closed(Handler<T...> h) {
    // An empty handle has no executor of its own: complete through the handler's.
    asio::dispatch(asio::append(std::move(h), make_error_code(errc::closed), T{}...));
}

template <class T, class Make>
void launch(std::shared_ptr<AnalyzerImpl> s, Handler<T> h, Make make) {
    if (!s) return complete_closed(std::move(h));
    auto ex = s->ex;
    // co_spawn keeps this function object (and so `make`'s captures) alive until the
    // coroutine finishes; a coroutine lambda's own captures would dangle.
    asio::co_spawn(
        ex, [s, make = std::move(make)]() mutable { return make(s); },
        [s, h = std::move(h)](std::exception_ptr e, T v) mutable {
            complete<T>(s, e, std::move(h), std::move(v));
        });
}

template <class Make>
void launch_void(std::shared_ptr<AnalyzerImpl> s, Handler<> h, Make make) {
    if (!s) return complete_closed(std::move(h));
    auto ex = s->ex;
    asio::co_spawn(
        ex, [s, make = std::move(make)]() mutable { return make(s); },
        [s, h = std::move(h)](std::exception_ptr e) mutable { complete<>(s, e, std::move(h)); });
}

}  // namespace

// ---- gates ------------------------------------------------------------------------------

void AnalyzerImpl::gate_capability(std::uint32_t cap, const char *what) const {
    if ((caps & cap) != 0) return;
    throw_device_error(errc::protocol_unsupported,
                       std::string(what) + " is not available in " + mode + " mode (protocol " +
                           protocol_id + "); refused before sending anything",
                       context());
}

void AnalyzerImpl::validate_channel(const std::string &id) const {
    if (channel_kind_of(id)) return;
    std::string valid;
    for (std::string_view c : channel_ids()) {
        if (!valid.empty()) valid += ' ';
        valid += c;
    }
    ErrorContext c = context();
    c.channel = id;
    throw_device_error(errc::validation, "unknown channel '" + id + "' (channels: " + valid + ")",
                       c);
}

const Reading &AnalyzerImpl::channel_of(const Frame &f, const std::string &id) const {
    if (const Reading *r = f.channel(id)) return *r;
    // A slot identify found empty is still read, as the reference does (name absent,
    // value as read) when the protocol read it at all.
    if (const Reading *r = f.unpopulated_channel(id)) return *r;
    ErrorContext c = context();
    c.channel = id;
    throw_device_error(errc::validation,
                       "channel " + id + " is not populated on this analyser (not in the frame)",
                       c);
}

namespace {
void validate_group(const AnalyzerImpl &s, int group) {
    if (group >= 1 && group <= kCalGroups) return;
    throw_device_error(
        errc::validation,
        "cal-group " + std::to_string(group) + " is out of range 1.." + std::to_string(kCalGroups),
        s.context());
}

void confirm_gate(const AnalyzerImpl &s, bool confirm, const std::string &what) {
    if (confirm) return;
    throw_device_error(errc::confirmation_required,
                       what +
                           " changes the analyser's state: pass confirm = true (CLI: --confirm); "
                           "nothing was sent",
                       s.context());
}
}  // namespace

// ---- operations -------------------------------------------------------------------------

asio::awaitable<Frame> AnalyzerImpl::poll(bool wait_fresh, Timeout t) {
    check_open();
    gate_capability(ANYSERIAL_PCAP_READ_CHANNELS, "reading channels");
    if (is_broadcast) {
        if (!wait_fresh && latest) co_return *latest;
        co_await wait_frame(seq, t);
        co_return *latest;
    }
    co_await lock();
    OpGuard guard{this};
    anyserial_protocol_result_t r;
    co_await run_operation(session, ANYSERIAL_OP_READ_FRAME, 0, t, context(), r);
    if (r.frame == nullptr)
        throw_device_error(errc::protocol, "protocol " + protocol_id + " returned no frame",
                           context());
    Frame f = frame_from_abi(*r.frame, kind, Clock::now(), monotonic_now_ns());
    fill_from_info(f, info);
    if (!info) info = info_from_frame(f, *this, nullptr);  // names filled on first poll
    latest = f;
    ++seq;
    publish(f);
    notifier.notify_all();
    co_return f;
}

asio::awaitable<DeviceInfo> AnalyzerImpl::identify(Timeout t) {
    check_open();
    if (info) co_return *info;
    gate_capability(ANYSERIAL_PCAP_IDENTIFY, "identify");
    if (is_broadcast) {
        if (!latest) co_await wait_frame(seq, t);
        info = info_from_frame(*latest, *this, nullptr);
        co_return *info;
    }
    co_await lock();
    OpGuard guard{this};
    anyserial_protocol_result_t r;
    co_await run_operation(session, ANYSERIAL_OP_IDENTIFY, 0, t, context(), r);
    Frame f;
    if (r.frame != nullptr) f = frame_from_abi(*r.frame, kind, Clock::now(), monotonic_now_ns());
    info = info_from_frame(f, *this, r.model);
    co_return *info;
}

asio::awaitable<AnalyserStatus> AnalyzerImpl::analyser_status(Timeout t) {
    check_open();
    gate_capability(ANYSERIAL_PCAP_READ_STATUS, "reading the analyser status");
    if (is_broadcast) {
        if (!latest) co_await wait_frame(seq, t);
        co_return latest->analyser;
    }
    co_await lock();
    OpGuard guard{this};
    anyserial_protocol_result_t r;
    co_await run_operation(session, ANYSERIAL_OP_READ_ANALYSER_STATUS, 0, t, context(), r);
    if (r.frame == nullptr)
        throw_device_error(errc::protocol, "protocol " + protocol_id + " returned no status",
                           context());
    co_return analyser_from_abi(r.frame->analyser);
}

void AnalyzerImpl::close() noexcept {
    if (closed) return;
    closed = true;
    if (line) {
        // Detach from the shared line; the transport's owner closes the port.
        std::erase_if(line->members, [this](const std::weak_ptr<AnalyzerImpl> &w) {
            auto m = w.lock();
            return !m || m.get() == this;
        });
        line->notifier.notify_all();
    } else if (port) {
        port->close();
    }
    for (const auto &w : subs) {
        if (auto sub = w.lock()) {
            sub->closed = true;
            sub->notifier.notify_all();
        }
    }
    notifier.notify_all();
}

// ---- start_* -----------------------------------------------------------------------------

void start_poll(std::shared_ptr<AnalyzerImpl> s, bool wait_fresh, Timeout t, Handler<Frame> h) {
    launch<Frame>(std::move(s), std::move(h),
                  [wait_fresh, t](auto self) { return self->poll(wait_fresh, t); });
}

void start_read_channel(std::shared_ptr<AnalyzerImpl> s, std::string id, Timeout t,
                        Handler<Reading> h) {
    launch<Reading>(std::move(s), std::move(h),
                    [id = std::move(id), t](auto self) -> asio::awaitable<Reading> {
                        self->check_open();
                        self->gate_capability(ANYSERIAL_PCAP_READ_CHANNELS, "reading channels");
                        self->validate_channel(id);
                        Frame f = co_await self->poll(false, t);
                        co_return self->channel_of(f, id);
                    });
}

void start_read_all(std::shared_ptr<AnalyzerImpl> s, Timeout t,
                    Handler<std::map<std::string, Reading>> h) {
    launch<std::map<std::string, Reading>>(
        std::move(s), std::move(h),
        [t](auto self) -> asio::awaitable<std::map<std::string, Reading>> {
            Frame f = co_await self->poll(false, t);
            std::map<std::string, Reading> out;
            for (Reading &r : f.readings)
                out.emplace(r.channel, std::move(r));
            co_return out;
        });
}

void start_identify(std::shared_ptr<AnalyzerImpl> s, Timeout t, Handler<DeviceInfo> h) {
    launch<DeviceInfo>(std::move(s), std::move(h), [t](auto self) { return self->identify(t); });
}

void start_status(std::shared_ptr<AnalyzerImpl> s, std::string id, Timeout t,
                  Handler<ChannelStatus> h) {
    launch<ChannelStatus>(std::move(s), std::move(h),
                          [id = std::move(id), t](auto self) -> asio::awaitable<ChannelStatus> {
                              self->check_open();
                              self->gate_capability(ANYSERIAL_PCAP_READ_STATUS,
                                                    "reading channel status");
                              self->validate_channel(id);
                              Frame f = co_await self->poll(false, t);
                              co_return self->channel_of(f, id).status;
                          });
}

void start_analyser_status(std::shared_ptr<AnalyzerImpl> s, Timeout t, Handler<AnalyserStatus> h) {
    launch<AnalyserStatus>(std::move(s), std::move(h),
                           [t](auto self) { return self->analyser_status(t); });
}

void start_start_calibration(std::shared_ptr<AnalyzerImpl> s, int group, bool confirm, Timeout t,
                             Handler<> h) {
    launch_void(
        std::move(s), std::move(h), [group, confirm, t](auto self) -> asio::awaitable<void> {
            confirm_gate(*self, confirm,
                         "starting autocalibration of cal-group " + std::to_string(group));
            self->gate_capability(ANYSERIAL_PCAP_AUTOCAL, "autocalibration");
            validate_group(*self, group);
            self->check_open();
            co_await self->lock();
            OpGuard guard{self.get()};
            anyserial_protocol_result_t r;
            co_await self->run_operation(self->session, ANYSERIAL_OP_START_CALIBRATION,
                                         static_cast<std::uint32_t>(group), t, self->context(), r);
        });
}

void start_stop_calibration(std::shared_ptr<AnalyzerImpl> s, bool confirm, Timeout t, Handler<> h) {
    launch_void(std::move(s), std::move(h), [confirm, t](auto self) -> asio::awaitable<void> {
        confirm_gate(*self, confirm, "stopping autocalibration");
        self->gate_capability(ANYSERIAL_PCAP_AUTOCAL, "autocalibration");
        self->check_open();
        co_await self->lock();
        OpGuard guard{self.get()};
        anyserial_protocol_result_t r;
        co_await self->run_operation(self->session, ANYSERIAL_OP_STOP_CALIBRATION, 0, t,
                                     self->context(), r);
    });
}

void start_calibration_status(std::shared_ptr<AnalyzerImpl> s, int group, Timeout t,
                              Handler<CalibrationProgress> h) {
    launch<CalibrationProgress>(
        std::move(s), std::move(h), [group, t](auto self) -> asio::awaitable<CalibrationProgress> {
            self->gate_capability(ANYSERIAL_PCAP_AUTOCAL, "calibration status");
            validate_group(*self, group);
            self->check_open();
            co_await self->lock();
            OpGuard guard{self.get()};
            anyserial_protocol_result_t r;
            co_await self->run_operation(self->session, ANYSERIAL_OP_READ_CAL_STATUS,
                                         static_cast<std::uint32_t>(group), t, self->context(), r);
            CalibrationProgress p;
            p.group = group;
            p.active = r.cal_active;
            p.phase = r.cal_phase == ANYSERIAL_CAL_PHASE_GAS2   ? CalPhase::gas2
                      : r.cal_phase == ANYSERIAL_CAL_PHASE_GAS1 ? CalPhase::gas1
                                                                : CalPhase::idle;
            co_return p;
        });
}

void start_poll_samples(std::shared_ptr<AnalyzerImpl> s, Timeout t,
                        Handler<std::vector<Sample>> h) {
    launch<std::vector<Sample>>(
        std::move(s), std::move(h), [t](auto self) -> asio::awaitable<std::vector<Sample>> {
            const auto requested = Clock::now();
            Frame f = co_await self->poll(false, t);
            auto out =
                as_samples(f, self->opts.device.empty() ? self->port_name : self->opts.device);
            if (!self->is_broadcast) {
                const double latency =
                    std::chrono::duration<double>(f.received_at - requested).count();
                for (Sample &smp : out) {
                    smp.requested_at = requested;
                    smp.latency_s = latency;
                }
            }
            co_return out;
        });
}

void start_receive(std::shared_ptr<SubscriptionState> s, Timeout t, Handler<Sample> h) {
    if (!s) return complete_closed(std::move(h));
    auto ex = s->ex;
    asio::co_spawn(
        ex,
        [s, t]() -> asio::awaitable<Sample> {
            const auto deadline = t ? steady::now() + *t : steady::time_point::max();
            while (s->queue.empty()) {
                if (s->closed) throw_device_error(errc::closed, "subscription closed");
                if (!co_await s->notifier.wait(deadline) && s->queue.empty())
                    throw_device_error(errc::timeout, "no sample within the timeout");
            }
            Sample out = std::move(s->queue.front());
            s->queue.pop_front();
            co_return out;
        },
        [s, h = std::move(h)](std::exception_ptr e, Sample v) mutable {
            asio::dispatch(asio::append(std::move(h), error_code_of(e), std::move(v)));
        });
}

}  // namespace detail

// ---- Subscription / Analyzer ---------------------------------------------------------------

Subscription::~Subscription() {
    close();
}
std::size_t Subscription::size() const noexcept {
    return state_ ? state_->queue.size() : 0;
}
std::uint64_t Subscription::lost() const noexcept {
    return state_ ? state_->lost : 0;
}
void Subscription::close() noexcept {
    if (!state_) return;
    state_->closed = true;
    state_->notifier.notify_all();
}

Analyzer &Analyzer::operator=(Analyzer &&other) noexcept {
    if (this != &other) {
        close();
        impl_ = std::move(other.impl_);
    }
    return *this;
}

Analyzer::~Analyzer() {
    close();
}

Analyzer::executor_type Analyzer::get_executor() const {
    if (!impl_) throw std::logic_error("anyserial::device::Analyzer: empty handle");
    return impl_->ex;
}

std::optional<Frame> Analyzer::snapshot() const {
    return impl_ ? impl_->latest : std::nullopt;
}

const std::optional<DeviceInfo> &Analyzer::info() const noexcept {
    static const std::optional<DeviceInfo> none;
    return impl_ ? impl_->info : none;
}

Subscription Analyzer::subscribe(std::size_t capacity) {
    if (!impl_) throw std::logic_error("anyserial::device::Analyzer: empty handle");
    auto s = std::make_shared<detail::SubscriptionState>(impl_->ex, capacity == 0 ? 1 : capacity);
    if (impl_->closed) s->closed = true;
    impl_->subs.push_back(s);
    return Subscription(std::move(s));
}

std::uint64_t Analyzer::dropped_frames() const noexcept {
    return impl_ ? impl_->dropped : 0;
}
ProtocolKind Analyzer::protocol() const noexcept {
    return impl_ ? impl_->kind : ProtocolKind::auto_detect;
}
const std::string &Analyzer::protocol_id() const noexcept {
    static const std::string none;
    return impl_ ? impl_->protocol_id : none;
}
std::uint32_t Analyzer::capabilities() const noexcept {
    return impl_ ? impl_->caps : 0;
}
bool Analyzer::broadcast() const noexcept {
    return impl_ && impl_->is_broadcast;
}
const std::string &Analyzer::port() const noexcept {
    static const std::string none;
    return impl_ ? impl_->port_name : none;
}
unsigned Analyzer::address() const noexcept {
    return impl_ ? impl_->opts.address : 0;
}
const std::vector<ProbeAttempt> &Analyzer::detection() const noexcept {
    static const std::vector<ProbeAttempt> none;
    return impl_ ? impl_->detection : none;
}
std::exception_ptr Analyzer::last_error() const noexcept {
    if (!impl_) return nullptr;
    // A line lost between operations fails none of them: that loss is the last error.
    return impl_->last_error ? impl_->last_error : impl_->line_error;
}
void Analyzer::throw_last_error() const {
    if (auto e = last_error()) std::rethrow_exception(e);  // the same error last_error() says
    throw std::logic_error("anyserial::device::Analyzer: no error recorded");
}
bool Analyzer::is_open() const noexcept {
    return impl_ && !impl_->closed && impl_->port && impl_->port->is_open();
}
void Analyzer::close() noexcept {
    if (impl_) impl_->close();
}
bool Analyzer::shared() const noexcept {
    return impl_ && impl_->line != nullptr;
}
const SerialPort *Analyzer::serial_port() const noexcept {
    return impl_ ? impl_->port : nullptr;
}

}  // namespace anyserial::device

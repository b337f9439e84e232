// anyserial — Device operations: gates, then the broadcast cache or the transaction
// engine; completion with (error_code, T) and last_error() kept on the session.
#include <anyserial/device/abi.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <stdexcept>

#include "device/device_impl.hpp"

namespace anyserial::device {
namespace detail {

namespace {

template <class... T>
void complete(const std::shared_ptr<DeviceImpl> &s, std::exception_ptr e, Handler<T...> h, T... v) {
    const boost::system::error_code ec = e ? s->fail(e) : boost::system::error_code{};
    asio::dispatch(asio::append(std::move(h), ec, std::move(v)...));
}

template <class... T>
void complete_closed(Handler<T...> h) {
    // An empty handle has no executor of its own: complete through the handler's.
    asio::dispatch(asio::append(std::move(h), make_error_code(errc::closed), T{}...));
}

template <class T, class Make>
void launch(std::shared_ptr<DeviceImpl> s, Handler<T> h, Make make) {
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

}  // namespace

// ---- gates ------------------------------------------------------------------------------

void DeviceImpl::gate_capability(std::uint32_t cap, const char *what) const {
    if ((caps & cap) != 0) return;
    throw_device_error(errc::capability,
                       std::string(what) + " is not available with protocol " + protocol_id +
                           " (mode " + mode + "); refused before sending anything",
                       context());
}

void DeviceImpl::validate_channel(const std::string &id) const {
    // Known once a frame came (its table and its empty slots): before, the frame decides.
    if (channels.empty() || !latest) return;
    for (const ChannelInfo &c : channels)
        if (c.channel == id) return;
    for (const std::string &u : unlisted_ids)
        if (u == id) return;
    std::string valid;
    for (const ChannelInfo &c : channels)
        valid += (valid.empty() ? "" : " ") + c.channel;
    ErrorContext c = context();
    c.channel = id;
    throw_device_error(errc::validation, "unknown channel '" + id + "' (channels: " + valid + ")",
                       c);
}

const Reading &DeviceImpl::channel_of(const Frame &f, const std::string &id) const {
    if (const Reading *r = f.channel(id)) return *r;
    // A slot the device reports empty is still read when the protocol read it at all.
    if (const Reading *r = f.unlisted_channel(id)) return *r;
    validate_channel(id);
    ErrorContext c = context();
    c.channel = id;
    throw_device_error(errc::validation, "channel " + id + " is not in the device's frame", c);
}

DeviceInfo DeviceImpl::make_info(std::vector<Field> fields) const {
    DeviceInfo out;
    if (const Field *m = find_field(fields, "model")) out.model = m->to_string();
    out.fields = std::move(fields);
    out.channels = channels;
    out.protocol = protocol_id;
    out.mode = mode;
    out.family = family;
    out.address = address;
    out.port = port_name;
    out.baudrate = port ? port->config().baudrate() : 0;
    return out;
}

// ---- operations -------------------------------------------------------------------------

asio::awaitable<Frame> DeviceImpl::poll(bool wait_fresh, Timeout t) {
    check_open();
    gate_capability(ANYSERIAL_PCAP_READ_FRAME, "reading channels");
    if (is_broadcast) {
        if (!wait_fresh && latest) co_return *latest;
        co_await wait_frame(seq, t);
        co_return *latest;
    }
    co_await lock();
    OpGuard guard{this};
    anyserial_protocol_result_t r;
    co_await run_operation(session, {ANYSERIAL_OP_READ_FRAME, nullptr, {}}, t, context(), r);
    if (r.frame == nullptr)
        throw_device_error(errc::protocol, "protocol " + protocol_id + " returned no frame",
                           context());
    Frame f = copy_frame(*r.frame);
    latest = f;
    ++seq;
    publish(f);
    notifier.notify_all();
    co_return f;
}

asio::awaitable<DeviceInfo> DeviceImpl::identify(Timeout t) {
    check_open();
    if (info) co_return *info;
    gate_capability(ANYSERIAL_PCAP_IDENTIFY, "identify");
    if (is_broadcast) {
        if (!latest) co_await wait_frame(seq, t);
        info = make_info(latest->fields);
        co_return *info;
    }
    co_await lock();
    OpGuard guard{this};
    anyserial_protocol_result_t r;
    co_await run_operation(session, {ANYSERIAL_OP_IDENTIFY, nullptr, {}}, t, context(), r);
    std::vector<Field> fields = fields_from_abi(r.field_count, r.fields, protocol_id);
    if (r.frame != nullptr) {
        (void)copy_frame(*r.frame);  // reads the channel table too
    } else if (std::vector<ChannelInfo> table = session.channels(); !table.empty()) {
        channels = std::move(table);
    }
    info = make_info(std::move(fields));
    co_return *info;
}

asio::awaitable<DeviceStatus> DeviceImpl::read_status(Timeout t) {
    check_open();
    gate_capability(ANYSERIAL_PCAP_READ_STATUS, "reading the device status");
    if (is_broadcast) {
        if (!latest) co_await wait_frame(seq, t);
        co_return DeviceStatus{latest->device_flags, latest->fields};
    }
    co_await lock();
    OpGuard guard{this};
    anyserial_protocol_result_t r;
    co_await run_operation(session, {ANYSERIAL_OP_READ_STATUS, nullptr, {}}, t, context(), r);
    DeviceStatus st;
    st.flags = FlagSet(0, proto->flag_table());
    if (r.frame != nullptr) {
        Frame f = frame_from_abi(*r.frame, abi_context(*proto));
        st.flags = f.device_flags;
        st.fields = std::move(f.fields);
    }
    for (Field &x : fields_from_abi(r.field_count, r.fields, protocol_id))
        st.fields.push_back(std::move(x));
    co_return st;
}

asio::awaitable<Reading> DeviceImpl::read_channel(std::string id, Timeout t) {
    check_open();
    gate_capability(ANYSERIAL_PCAP_READ_FRAME, "reading channels");
    validate_channel(id);
    Frame f = co_await poll(false, t);
    co_return channel_of(f, id);
}

void DeviceImpl::close() noexcept {
    if (closed) return;
    closed = true;
    if (line) {
        // Detach from the shared line; the transport's owner closes the port.
        std::erase_if(line->members, [this](const std::weak_ptr<DeviceImpl> &w) {
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

void start_poll(std::shared_ptr<DeviceImpl> s, bool wait_fresh, Timeout t, Handler<Frame> h) {
    launch<Frame>(std::move(s), std::move(h),
                  [wait_fresh, t](auto self) { return self->poll(wait_fresh, t); });
}

void start_read_channel(std::shared_ptr<DeviceImpl> s, std::string id, Timeout t,
                        Handler<Reading> h) {
    launch<Reading>(std::move(s), std::move(h),
                    [id = std::move(id), t](auto self) { return self->read_channel(id, t); });
}

void start_read_all(std::shared_ptr<DeviceImpl> s, Timeout t,
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

void start_identify(std::shared_ptr<DeviceImpl> s, Timeout t, Handler<DeviceInfo> h) {
    launch<DeviceInfo>(std::move(s), std::move(h), [t](auto self) { return self->identify(t); });
}

void start_read_status(std::shared_ptr<DeviceImpl> s, Timeout t, Handler<DeviceStatus> h) {
    launch<DeviceStatus>(std::move(s), std::move(h),
                         [t](auto self) { return self->read_status(t); });
}

void start_command(std::shared_ptr<DeviceImpl> s, std::string id, std::vector<ArgValue> args,
                   bool confirm, Timeout t, Handler<CommandResult> h) {
    launch<CommandResult>(std::move(s), std::move(h),
                          [id = std::move(id), args = std::move(args), confirm, t](auto self) {
                              return self->command(id, args, confirm, t);
                          });
}

void start_poll_samples(std::shared_ptr<DeviceImpl> s, Timeout t, Handler<std::vector<Sample>> h) {
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

// ---- Subscription / Device ---------------------------------------------------------------

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

Device &Device::operator=(Device &&other) noexcept {
    if (this != &other) {
        close();
        impl_ = std::move(other.impl_);
    }
    return *this;
}

Device::~Device() {
    close();
}

Device::executor_type Device::get_executor() const {
    if (!impl_) throw std::logic_error("anyserial::device::Device: empty handle");
    return impl_->ex;
}

std::optional<Frame> Device::snapshot() const {
    return impl_ ? impl_->latest : std::nullopt;
}

const std::optional<DeviceInfo> &Device::info() const noexcept {
    static const std::optional<DeviceInfo> none;
    return impl_ ? impl_->info : none;
}

Subscription Device::subscribe(std::size_t capacity) {
    if (!impl_) throw std::logic_error("anyserial::device::Device: empty handle");
    auto s = std::make_shared<detail::SubscriptionState>(impl_->ex, capacity == 0 ? 1 : capacity);
    if (impl_->closed) s->closed = true;
    impl_->subs.push_back(s);
    return Subscription(std::move(s));
}

std::uint64_t Device::dropped_frames() const noexcept {
    return impl_ ? impl_->dropped : 0;
}
const std::string &Device::protocol_id() const noexcept {
    static const std::string none;
    return impl_ ? impl_->protocol_id : none;
}
std::uint32_t Device::capabilities() const noexcept {
    return impl_ ? impl_->caps : 0;
}
bool Device::broadcast() const noexcept {
    return impl_ && impl_->is_broadcast;
}
const std::string &Device::port() const noexcept {
    static const std::string none;
    return impl_ ? impl_->port_name : none;
}
const std::string &Device::address() const noexcept {
    static const std::string none;
    return impl_ ? impl_->address : none;
}
const std::string &Device::mode() const noexcept {
    static const std::string none;
    return impl_ ? impl_->mode : none;
}
const std::string &Device::family() const noexcept {
    static const std::string none;
    return impl_ ? impl_->family : none;
}
const std::shared_ptr<const FlagTable> &Device::flag_table() const noexcept {
    static const std::shared_ptr<const FlagTable> none = std::make_shared<const FlagTable>();
    return impl_ && impl_->proto != nullptr ? impl_->proto->flag_table() : none;
}
const std::vector<CommandInfo> &Device::commands() const noexcept {
    static const std::vector<CommandInfo> none;
    return impl_ && impl_->proto != nullptr ? impl_->proto->commands() : none;
}
const AddressSyntax &Device::address_syntax() const noexcept {
    static const AddressSyntax none;
    return impl_ && impl_->proto != nullptr ? impl_->proto->address_syntax() : none;
}
std::vector<ChannelInfo> Device::channels() const {
    return impl_ ? impl_->channels : std::vector<ChannelInfo>{};
}
const std::vector<ProbeAttempt> &Device::detection() const noexcept {
    static const std::vector<ProbeAttempt> none;
    return impl_ ? impl_->detection : none;
}
std::exception_ptr Device::last_error() const noexcept {
    if (!impl_) return nullptr;
    // A line lost between operations fails none of them: that loss is the last error.
    return impl_->last_error ? impl_->last_error : impl_->line_error;
}
void Device::throw_last_error() const {
    if (auto e = last_error()) std::rethrow_exception(e);  // the same error last_error() says
    throw std::logic_error("anyserial::device::Device: no error recorded");
}
bool Device::is_open() const noexcept {
    return impl_ && !impl_->closed && impl_->port && impl_->port->is_open();
}
void Device::close() noexcept {
    if (impl_) impl_->close();
}
bool Device::shared() const noexcept {
    return impl_ && impl_->line != nullptr;
}
const SerialPort *Device::serial_port() const noexcept {
    return impl_ ? impl_->port : nullptr;
}

}  // namespace anyserial::device

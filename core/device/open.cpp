// anyserial — opening a device: resolve the protocol plugin (explicit or the AUTO
// ladder), open the port, start the receive loop, identify.
#include <algorithm>
#include <anyserial/device/abi.hpp>
#include <anyserial/device/resolve.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <filesystem>
#include <set>

#include "device/device_impl.hpp"
#include "log/logger.hpp"

namespace anyserial::device::detail {

namespace {

const std::string &mode_of(const LoadedProtocol &p) {
    return p.model().mode;
}

}  // namespace

std::string seconds(std::chrono::nanoseconds d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f s", std::chrono::duration<double>(d).count());
    return buf;
}

// The device's default settings in this mode, as a SerialConfig.
SerialConfig config_from_descriptor(const anyserial_serial_config_t &c) {
    SerialSettings s;
    s.baudrate = c.baudrate != 0 ? c.baudrate : 19200;
    s.byte_size = (c.byte_size >= 5 && c.byte_size <= 8) ? static_cast<ByteSize>(c.byte_size)
                                                         : ByteSize::eight;
    switch (c.parity) {
        case ANYSERIAL_PARITY_ODD:
            s.parity = Parity::odd;
            break;
        case ANYSERIAL_PARITY_EVEN:
            s.parity = Parity::even;
            break;
        case ANYSERIAL_PARITY_MARK:
            s.parity = Parity::mark;
            break;
        case ANYSERIAL_PARITY_SPACE:
            s.parity = Parity::space;
            break;
        default:
            s.parity = Parity::none;
            break;
    }
    s.stop_bits = c.stop_bits == ANYSERIAL_STOP_BITS_TWO              ? StopBits::two
                  : c.stop_bits == ANYSERIAL_STOP_BITS_ONE_POINT_FIVE ? StopBits::one_point_five
                                                                      : StopBits::one;
    s.flow_control.xon_xoff = (c.flow_control & ANYSERIAL_FLOW_XON_XOFF) != 0;
    s.flow_control.rts_cts = (c.flow_control & ANYSERIAL_FLOW_RTS_CTS) != 0;
    s.flow_control.dtr_dsr = (c.flow_control & ANYSERIAL_FLOW_DTR_DSR) != 0;
    // The reference settings of a device session: exclusive access, and an explicit feature request
    // that the port cannot honour fails (UnsupportedPolicy::raise, the seed's default).
    // A caller who wants otherwise passes DeviceOptions::serial.
    s.exclusive = true;
    s.unsupported_policy = UnsupportedPolicy::raise;
    return SerialConfig(s);
}

// A symlink (`anyserial simulate --link`, udev aliases outside /dev) opens its target
// when no backend claims the link's own name; messages keep the name the caller gave.
std::string resolve_open_path(PluginHost &host, const std::string &name) {
    if (host.backend_for(name) == nullptr) {
        std::error_code fec;
        if (std::filesystem::is_symlink(name, fec)) {
            const auto target = std::filesystem::canonical(name, fec);
            if (!fec) return target.string();
        }
    }
    return name;
}

steady::time_point DeviceImpl::capped(steady::time_point deadline) const {
    if (budget_end && *budget_end < deadline) deadline = *budget_end;
    if (rung_end && *rung_end < deadline) deadline = *rung_end;
    return deadline;
}

std::chrono::nanoseconds DeviceImpl::default_timeout() const {
    std::chrono::nanoseconds t = opts.timeout;
    if (is_broadcast && proto != nullptr) {
        const auto interval = proto->model().frame_interval;
        if (2 * interval > t) t = 2 * interval;
    }
    return t;
}

ErrorContext DeviceImpl::context() const {
    ErrorContext c;
    c.port = port_name;
    if (!protocol_id.empty()) c.protocol = protocol_id;
    if (!address.empty()) c.address = address;
    return c;
}

anyserial_protocol_options_t DeviceImpl::protocol_options(const LoadedProtocol &p) const {
    anyserial_protocol_options_t o{};
    o.struct_size = sizeof o;
    const auto a = addresses.find(p.id());
    o.address = a != addresses.end() && !a->second.empty() ? a->second.c_str() : nullptr;
    o.baudrate = port ? port->config().baudrate() : p.default_serial().baudrate;
    o.response_timeout_ns =
        opts.response_timeout ? static_cast<std::uint64_t>(opts.response_timeout->count()) : 0;
    // The ABI's 0 means "the plugin's default" (50 ms for the 4100): an explicit 0 (no
    // gap) goes over as 1 ns, which the engine's wait treats as already elapsed.
    o.idle_gap_ns = opts.idle_gap ? std::max<std::uint64_t>(
                                        1, static_cast<std::uint64_t>(opts.idle_gap->count()))
                                  : 0;
    o.retries = opts.retries ? *opts.retries : UINT32_MAX;
    return o;
}

void DeviceImpl::activate(const LoadedProtocol &p) {
    proto = &p;
    protocol_id = p.id();
    mode = p.model().mode;
    family = p.model().family;
    caps = p.model().capabilities;
    is_broadcast = p.model().broadcast;
    // A broadcaster's frame, status and identity are served from its receive loop, not by
    // begin(): the core offers them whatever PCAP bits the protocol declares (protocol.h).
    if (is_broadcast)
        caps |= ANYSERIAL_PCAP_READ_FRAME | ANYSERIAL_PCAP_READ_STATUS | ANYSERIAL_PCAP_IDENTIFY;
    const auto a = addresses.find(p.id());
    address = a != addresses.end() ? a->second : std::string();
    session = ProtocolSession(p, protocol_options(p));
    channels.clear();
    rx_mode = is_broadcast ? RxMode::broadcast : RxMode::discard;
}

// Under a budget each rung may use an equal share of what is left for the rungs still to run.
void share_budget(std::optional<steady::time_point> budget_end,
                  std::optional<steady::time_point> &rung_end, std::size_t rungs) {
    if (!budget_end || rungs == 0) return;
    const auto now = steady::now();
    rung_end = now + (*budget_end > now ? (*budget_end - now) / static_cast<std::int64_t>(rungs)
                                        : steady::duration::zero());
}

asio::awaitable<const LoadedProtocol *> DeviceImpl::probe_actives(
    const std::vector<const LoadedProtocol *> &candidates, std::size_t &rungs) {
    // Active probes in rank order: a valid answer decides.
    for (const LoadedProtocol *p : candidates) {
        if (p->model().probe_kind != ANYSERIAL_PROBE_ACTIVE) continue;
        share_budget(budget_end, rung_end, rungs);
        --rungs;
        ProbeAttempt a{p->id(), mode_of(*p), true, false, {}};
        ProtocolSession probe(*p, protocol_options(*p));
        protocol_id = p->id();
        address = addresses[p->id()];
        anyserial_protocol_result_t r;
        try {
            co_await run_operation(probe, OpRequest{ANYSERIAL_OP_PROBE, nullptr, {}}, Timeout{},
                                   context(), r);
            a.recognised = true;
            a.detail =
                address.empty() ? "answered the probe" : "answered the probe at address " + address;
        } catch (const ModbusError &e) {
            // An exception reply is still a device speaking this framing.
            a.recognised = true;
            a.detail = "answered the probe with an exception (" + e.message() + ")";
        } catch (const DeviceError &e) {
            rung_end.reset();
            if (e.condition() == errc::connection || e.condition() == errc::closed) throw;
            a.detail = e.message();
        }
        rung_end.reset();
        protocol_id.clear();
        address.clear();
        detection.push_back(a);
        log::logger("anyserial.device")
            .debug("AUTO {}: {} {}", port_name, a.mode, a.recognised ? "recognised" : a.detail);
        if (a.recognised) co_return p;
    }
    co_return nullptr;
}

asio::awaitable<const LoadedProtocol *> DeviceImpl::listen_passives(
    const std::vector<const LoadedProtocol *> &candidates, std::size_t &rungs) {
    // Passive listening for a checksum-valid frame, at least twice the frame interval.
    std::vector<Listener> ls;
    std::chrono::nanoseconds listen = opts.timeout;
    for (const LoadedProtocol *p : candidates) {
        if (p->model().probe_kind != ANYSERIAL_PROBE_PASSIVE) continue;
        Listener l;
        l.protocol = p;
        l.session = ProtocolSession(*p, protocol_options(*p));
        ls.push_back(std::move(l));
        const auto twice = 2 * p->model().frame_interval;
        if (twice > listen) listen = twice;
    }
    if (ls.empty()) co_return nullptr;
    share_budget(budget_end, rung_end, rungs);  // the last rung gets the rest of a budget
    --rungs;
    listeners = &ls;
    rx_mode = RxMode::listen;
    const auto started = steady::now();
    const auto deadline = capped(started + listen);
    rung_end.reset();
    listen = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - started);
    // Another family's listener may take a frame for its own: of those that have one, the
    // one that rejected fewest bytes as bad frames decides.
    const auto best = [&ls]() -> const Listener * {
        const Listener *b = nullptr;
        for (const Listener &l : ls)
            if (l.frame && (b == nullptr || l.bad < b->bad)) b = &l;
        return b;
    };
    const Listener *hit = nullptr;
    while (hit == nullptr && !closed && !line_error) {
        hit = best();
        if (hit != nullptr) break;
        if (!co_await notifier.wait(deadline)) {
            hit = best();
            break;
        }
    }
    rx_mode = RxMode::discard;
    listeners = nullptr;
    check_open();
    for (const Listener &l : ls) {
        ProbeAttempt a{l.protocol->id(), mode_of(*l.protocol), false, l.frame.has_value(), {}};
        if (l.frame) {
            a.detail = "checksum-valid frame received";
            if (l.bad > 0) a.detail += " (and " + std::to_string(l.bad) + " bad frames)";
        } else {
            a.detail = "no checksum-valid frame within " + seconds(listen);
            if (l.bad > 0)
                a.detail +=
                    " (" + std::to_string(l.bad) + " bad frames, last: " + l.last_reason + ")";
        }
        detection.push_back(a);
    }
    if (hit == nullptr) co_return nullptr;
    latest = hit->frame;  // the frame that decided is the first cached one
    ++seq;
    co_return hit->protocol;
}

asio::awaitable<const LoadedProtocol *> DeviceImpl::auto_detect(
    const std::vector<const LoadedProtocol *> &candidates) {
    // Drain input: nothing left over from before may decide.
    rx_mode = RxMode::discard;
    boost::system::error_code ignored;
    port->reset_input_buffer(ignored);

    std::size_t rungs = 0;
    bool any_passive = false;
    std::set<std::string> families;
    for (const LoadedProtocol *p : candidates) {
        if (p->model().probe_kind == ANYSERIAL_PROBE_ACTIVE) ++rungs;
        if (p->model().probe_kind == ANYSERIAL_PROBE_PASSIVE) any_passive = true;
        families.insert(p->model().family);
    }
    if (any_passive) ++rungs;
    // One family: its probes, then listening (its ladder). Several: listen first, since
    // listening sends nothing that another family's device could take for a command.
    const bool listen_first = families.size() > 1;
    const LoadedProtocol *hit = nullptr;
    if (listen_first) hit = co_await listen_passives(candidates, rungs);
    if (hit == nullptr) hit = co_await probe_actives(candidates, rungs);
    if (hit == nullptr && !listen_first) hit = co_await listen_passives(candidates, rungs);
    if (hit != nullptr) co_return hit;

    // Nothing answered.
    std::string tried;
    for (const ProbeAttempt &a : detection) {
        if (!tried.empty()) tried += "; ";
        tried += a.mode + ": " + a.detail;
    }
    if (tried.empty())
        tried = family.empty() ? "no loaded protocol can probe or listen"
                               : "no protocol of family " + family + " can probe or listen";
    ErrorContext c;
    c.port = port_name;
    if (!opts.address.empty()) c.address = opts.address;
    throw_device_error(errc::connection,
                       "no recognised protocol on " + port_name + " (tried " + tried + ")", c);
}

asio::awaitable<SerialPort> open_port_for(asio::any_io_executor ex, PluginHost &host,
                                          const std::string &port_name, const DeviceOptions &o,
                                          const LoadedProtocol *p, const ErrorContext &c) {
    SerialConfig cfg = o.serial ? *o.serial
                       : p != nullptr
                           ? config_from_descriptor(p->default_serial())
                           : SerialConfig(SerialSettings{.baudrate = 19200, .exclusive = true});
    if (o.baudrate) cfg = cfg.with_baudrate(*o.baudrate);
    auto [ec, sp] = co_await async_open_serial_port(ex, host, resolve_open_path(host, port_name),
                                                    cfg, asio::as_tuple(asio::use_awaitable));
    if (ec) {
        const std::string why =
            sp.last_error().message.empty() ? ec.message() : sp.last_error().message;
        const bool settings = ec == anyserial::errc::invalid_configuration ||
                              ec == anyserial::errc::unsupported_configuration ||
                              ec == anyserial::errc::invalid_argument;
        throw_device_error(settings ? errc::configuration : errc::connection,
                           "cannot open " + port_name + ": " + why, c);
    }
    co_return std::move(sp);
}

// The protocol string and the address against the loaded plugins, before any I/O: every
// candidate's canonical address is kept for its session options.
std::vector<const LoadedProtocol *> DeviceImpl::resolve_candidates() {
    ProtocolChoice choice;
    try {
        choice = resolve_protocol(*host, opts.protocol, opts.family);
        // AUTO over several families: an address in one family's syntax drops the
        // protocols that cannot have it; it is refused only when none can.
        const bool several = choice.automatic && choice.family.empty();
        std::vector<const LoadedProtocol *> kept;
        std::exception_ptr refused;
        for (const LoadedProtocol *p : choice.candidates) {
            try {
                addresses[p->id()] = normalise_address(*p, opts.address);
                kept.push_back(p);
            } catch (const DeviceError &) {
                if (!several) throw;
                if (!refused) refused = std::current_exception();
            }
        }
        if (kept.empty() && refused) std::rethrow_exception(refused);
        choice.candidates = std::move(kept);
    } catch (...) {
        rethrow_with_context(std::current_exception(), context());
    }
    automatic = choice.automatic;
    family = choice.family;
    return choice.candidates;
}

asio::awaitable<void> DeviceImpl::open() {
    // Resolve the candidates before touching the port.
    const std::vector<const LoadedProtocol *> candidates = resolve_candidates();
    const bool explicit_choice = !automatic;
    own_port.emplace(
        co_await open_port_for(ex, *host, port_name, opts, candidates.front(), context()));
    port = &*own_port;
    asio::co_spawn(ex, reader(shared_from_this()), asio::detached);

    const LoadedProtocol *chosen =
        explicit_choice ? candidates.front() : co_await auto_detect(candidates);
    std::optional<Frame> first = std::move(latest);
    latest.reset();
    activate(*chosen);
    if (first) latest = std::move(first);
    if (is_broadcast) {
        boost::system::error_code ignored;
        if (detection.empty()) port->reset_input_buffer(ignored);
    }
    if (opts.identify && (caps & ANYSERIAL_PCAP_IDENTIFY) != 0) co_await identify(Timeout{});
}

boost::system::error_code DeviceImpl::fail(std::exception_ptr e) {
    try {
        rethrow_with_context(e, context());
    } catch (...) {
        last_error = std::current_exception();
    }
    return error_code_of(last_error);
}

void DeviceImpl::finish_open(asio::awaitable<void> (DeviceImpl::*how)(), Handler<Device> h) {
    auto self = shared_from_this();
    asio::co_spawn(
        ex, [self, how]() -> asio::awaitable<void> { co_await ((*self).*how)(); },
        [self, h = std::move(h)](std::exception_ptr e) mutable {
            boost::system::error_code ec;
            if (e) {
                ec = self->fail(e);
                self->close();
            }
            asio::dispatch(asio::append(std::move(h), ec, Device(self)));
        });
}

void start_open(asio::any_io_executor ex, PluginHost &host, std::string port, DeviceOptions options,
                Handler<Device> h) {
    auto strand = asio::make_strand(ex);
    auto impl = std::make_shared<DeviceImpl>(strand, host, std::move(port), std::move(options));
    impl->finish_open(&DeviceImpl::open, std::move(h));
}

}  // namespace anyserial::device::detail

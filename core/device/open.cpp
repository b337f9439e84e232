// anyserial — opening an analyser: resolve the protocol plugin (explicit or the AUTO
// ladder), open the port, start the receive loop, identify.
#include <anyserial/device/abi.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <filesystem>

#include "device/analyzer_impl.hpp"
#include "log/logger.hpp"

namespace anyserial::device::detail {

namespace {

std::string seconds(std::chrono::nanoseconds d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f s", std::chrono::duration<double>(d).count());
    return buf;
}

std::string mode_of(const LoadedProtocol &p) {
    const auto &d = p.descriptor();
    if (d.mode != nullptr && *d.mode != '\0') return d.mode;
    return d.id != nullptr ? d.id : "?";
}

}  // namespace

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
    // The reference's analyser settings: exclusive access, and an explicit feature request
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

steady::time_point AnalyzerImpl::capped(steady::time_point deadline) const {
    if (budget_end && *budget_end < deadline) deadline = *budget_end;
    if (rung_end && *rung_end < deadline) deadline = *rung_end;
    return deadline;
}

std::chrono::nanoseconds AnalyzerImpl::default_timeout() const {
    std::chrono::nanoseconds t = opts.timeout;
    if (is_broadcast && proto != nullptr) {
        const auto interval = std::chrono::nanoseconds(
            static_cast<std::int64_t>(proto->descriptor().frame_interval_ns));
        if (2 * interval > t) t = 2 * interval;
    }
    return t;
}

ErrorContext AnalyzerImpl::context() const {
    ErrorContext c;
    c.port = port_name;
    if (!mode.empty()) c.protocol = mode;
    if (!is_broadcast || proto == nullptr) c.address = opts.address;
    return c;
}

anyserial_protocol_options_t AnalyzerImpl::protocol_options(const LoadedProtocol &p) const {
    anyserial_protocol_options_t o{};
    o.struct_size = sizeof o;
    o.address = opts.address;
    o.baudrate = port ? port->config().baudrate() : p.descriptor().default_serial.baudrate;
    o.response_timeout_ns =
        opts.response_timeout ? static_cast<std::uint64_t>(opts.response_timeout->count()) : 0;
    o.idle_gap_ns = opts.idle_gap ? static_cast<std::uint64_t>(opts.idle_gap->count()) : 0;
    o.retries = opts.retries ? *opts.retries : UINT32_MAX;
    return o;
}

void AnalyzerImpl::activate(const LoadedProtocol &p) {
    proto = &p;
    const auto &d = p.descriptor();
    protocol_id = d.id != nullptr ? d.id : "";
    mode = mode_of(p);
    kind = protocol_kind_of(d);
    caps = d.capabilities;
    is_broadcast = d.traffic == ANYSERIAL_TRAFFIC_BROADCAST;
    session = ProtocolSession(p, protocol_options(p));
    rx_mode = is_broadcast ? RxMode::broadcast : RxMode::discard;
}

asio::awaitable<const LoadedProtocol *> AnalyzerImpl::auto_detect(
    const std::vector<const LoadedProtocol *> &candidates) {
    // 1. Drain input: nothing left over from before may decide.
    rx_mode = RxMode::discard;
    boost::system::error_code ignored;
    port->reset_input_buffer(ignored);

    // 2. Active probes in rank order: a valid answer decides. Under a budget each probe may
    // use an equal share of what is left for the rungs still to run (listening is one rung).
    std::size_t rungs = 0;
    bool any_passive = false;
    for (const LoadedProtocol *p : candidates) {
        if (p->descriptor().probe_kind == ANYSERIAL_PROBE_ACTIVE) ++rungs;
        if (p->descriptor().probe_kind == ANYSERIAL_PROBE_PASSIVE) any_passive = true;
    }
    if (any_passive) ++rungs;
    for (const LoadedProtocol *p : candidates) {
        if (p->descriptor().probe_kind != ANYSERIAL_PROBE_ACTIVE) continue;
        if (budget_end) {
            const auto now = steady::now();
            rung_end =
                now + (*budget_end > now ? (*budget_end - now) / static_cast<std::int64_t>(rungs)
                                         : steady::duration::zero());
        }
        --rungs;
        ProbeAttempt a{p->record().id, mode_of(*p), true, false, {}};
        ProtocolSession probe(*p, protocol_options(*p));
        mode = a.mode;
        anyserial_protocol_result_t r;
        try {
            co_await run_operation(probe, ANYSERIAL_OP_PROBE, 0, Timeout{}, context(), r);
            a.recognised = true;
            a.detail = "answered the probe at address " + std::to_string(opts.address);
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
        mode.clear();
        detection.push_back(a);
        log::logger("anyserial.device")
            .debug("AUTO {}: {} {}", port_name, a.mode, a.recognised ? "recognised" : a.detail);
        if (a.recognised) co_return p;
    }

    // 3. Passive listening for a checksum-valid frame, at least twice the frame interval.
    std::vector<Listener> ls;
    std::chrono::nanoseconds listen = opts.timeout;
    for (const LoadedProtocol *p : candidates) {
        if (p->descriptor().probe_kind != ANYSERIAL_PROBE_PASSIVE) continue;
        Listener l;
        l.protocol = p;
        l.session = ProtocolSession(*p, protocol_options(*p));
        ls.push_back(std::move(l));
        const auto twice = 2 * std::chrono::nanoseconds(
                                   static_cast<std::int64_t>(p->descriptor().frame_interval_ns));
        if (twice > listen) listen = twice;
    }
    if (!ls.empty()) {
        listeners = &ls;
        rx_mode = RxMode::listen;
        const auto started = steady::now();
        const auto deadline = capped(started + listen);  // the rest of a budget
        listen = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - started);
        const Listener *hit = nullptr;
        while (hit == nullptr && !closed && !line_error) {
            for (const Listener &l : ls)
                if (l.frame) hit = &l;
            if (hit != nullptr) break;
            if (!co_await notifier.wait(deadline)) {
                for (const Listener &l : ls)
                    if (l.frame) hit = &l;
                break;
            }
        }
        rx_mode = RxMode::discard;
        listeners = nullptr;
        check_open();
        for (const Listener &l : ls) {
            ProbeAttempt a{
                l.protocol->record().id, mode_of(*l.protocol), false, l.frame.has_value(), {}};
            if (l.frame) {
                a.detail = "checksum-valid frame received";
            } else {
                a.detail = "no checksum-valid frame within " + seconds(listen);
                if (l.bad > 0)
                    a.detail +=
                        " (" + std::to_string(l.bad) + " bad frames, last: " + l.last_reason + ")";
            }
            detection.push_back(a);
        }
        if (hit != nullptr) {
            latest = hit->frame;  // the frame that decided is the first cached one
            ++seq;
            co_return hit->protocol;
        }
    }

    // 4. Nothing answered.
    std::string tried;
    for (const ProbeAttempt &a : detection) {
        if (!tried.empty()) tried += "; ";
        tried += a.mode + ": " + a.detail;
    }
    if (tried.empty()) tried = "no protocol of family " + opts.family + " can probe or listen";
    ErrorContext c;
    c.port = port_name;
    c.address = opts.address;
    throw_device_error(errc::connection,
                       "no recognised protocol on " + port_name + " (tried " + tried + ")", c);
}

const LoadedProtocol &require_protocol(PluginHost &host, const std::string &id,
                                       const ErrorContext &c) {
    const LoadedProtocol *p = host.protocol(id);
    if (p == nullptr)
        throw_device_error(errc::configuration,
                           "protocol plugin " + id + " is not loaded (see `anyserial plugins`)", c);
    return *p;
}

asio::awaitable<SerialPort> open_port_for(asio::any_io_executor ex, PluginHost &host,
                                          const std::string &port_name, const DeviceOptions &o,
                                          const LoadedProtocol *p, const ErrorContext &c) {
    SerialConfig cfg = o.serial ? *o.serial
                       : p != nullptr
                           ? config_from_descriptor(p->descriptor().default_serial)
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

std::vector<const LoadedProtocol *> AnalyzerImpl::resolve_candidates() {
    std::vector<const LoadedProtocol *> candidates;
    const std::string explicit_id = opts.explicit_protocol_id();
    if (!explicit_id.empty()) {
        candidates.push_back(&require_protocol(*host, explicit_id, context()));
    } else {
        candidates = host->protocols_in_family(opts.family);
        if (candidates.empty())
            throw_device_error(errc::configuration,
                               "AUTO: no protocol plugins of family " + opts.family +
                                   " are loaded (see `anyserial plugins`)",
                               context());
    }
    for (const LoadedProtocol *p : candidates) {
        const auto &d = p->descriptor();
        if (d.max_address != 0 && (opts.address < d.min_address || opts.address > d.max_address))
            throw_device_error(errc::validation,
                               "address " + std::to_string(opts.address) + " is outside " +
                                   std::to_string(d.min_address) + ".." +
                                   std::to_string(d.max_address) + " for " + mode_of(*p),
                               context());
    }
    return candidates;
}

asio::awaitable<void> AnalyzerImpl::open() {
    // Resolve the candidates before touching the port.
    const std::vector<const LoadedProtocol *> candidates = resolve_candidates();
    const bool explicit_choice = !opts.explicit_protocol_id().empty();
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

boost::system::error_code AnalyzerImpl::fail(std::exception_ptr e) {
    try {
        rethrow_with_context(e, context());
    } catch (...) {
        last_error = std::current_exception();
    }
    return error_code_of(last_error);
}

void AnalyzerImpl::finish_open(asio::awaitable<void> (AnalyzerImpl::*how)(), Handler<Analyzer> h) {
    auto self = shared_from_this();
    asio::co_spawn(
        ex, [self, how]() -> asio::awaitable<void> { co_await ((*self).*how)(); },
        [self, h = std::move(h)](std::exception_ptr e) mutable {
            boost::system::error_code ec;
            if (e) {
                ec = self->fail(e);
                self->close();
            }
            asio::dispatch(asio::append(std::move(h), ec, Analyzer(self)));
        });
}

void start_open(asio::any_io_executor ex, PluginHost &host, std::string port, DeviceOptions options,
                Handler<Analyzer> h) {
    auto strand = asio::make_strand(ex);
    auto impl = std::make_shared<AnalyzerImpl>(strand, host, std::move(port), std::move(options));
    impl->finish_open(&AnalyzerImpl::open, std::move(h));
}

}  // namespace anyserial::device::detail

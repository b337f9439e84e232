// anyserial — a device's line: receive loop, broadcast cache/fan-out and the
// request/response transaction engine (protocol.h's loop).
#include <algorithm>
#include <anyserial/device/abi.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "device/device_impl.hpp"
#include "log/logger.hpp"

namespace anyserial::device::detail {

namespace {
constexpr std::size_t kMaxContextBytes = 512;

std::chrono::nanoseconds ns(std::uint64_t v) {
    return std::chrono::nanoseconds(static_cast<std::int64_t>(v));
}

// The error code of a bad frame: by the plugin's reason code, never by its text.
errc bad_frame_errc(std::uint32_t reason) noexcept {
    return reason == ANYSERIAL_BAD_FRAME_CHECKSUM ? errc::checksum : errc::frame;
}
}  // namespace

asio::awaitable<bool> Notifier::wait(steady::time_point deadline) {
    asio::steady_timer t(co_await asio::this_coro::executor, deadline);
    waiters_.push_back(&t);
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    std::erase(waiters_, &t);
    co_return ec == asio::error::operation_aborted;
}

void SubscriptionState::push(Sample s) {
    if (closed) return;
    if (queue.size() >= capacity && !queue.empty()) {
        queue.pop_front();  // a slow subscriber loses its oldest, never stalls the loop
        ++lost;
    }
    queue.push_back(std::move(s));
    notifier.notify_all();
}

// ---- receive loop -------------------------------------------------------------------

asio::awaitable<void> DeviceImpl::reader(std::shared_ptr<DeviceImpl> self) {
    while (!closed) {
        auto [ec, n] = co_await port->async_read_some(asio::buffer(rxbuf),
                                                      asio::as_tuple(asio::use_awaitable));
        if (n > 0) {
            last_traffic_ns = monotonic_now_ns();
            try {
                on_bytes({rxbuf.data(), n});
            } catch (const std::exception &e) {
                log::logger("anyserial.device").warn("{}: receive path: {}", port_name, e.what());
            }
        }
        if (ec) {
            if (!closed) {
                line_error = make_device_error(
                    errc::connection,
                    "lost the connection to " + port_name + ": " +
                        (port->last_error().message.empty() ? ec.message()
                                                            : port->last_error().message),
                    context());
            }
            break;
        }
    }
    // The line is gone: subscribers get what is queued, then errc::closed.
    for (const auto &w : subs) {
        if (auto sub = w.lock()) {
            sub->closed = true;
            sub->notifier.notify_all();
        }
    }
    notifier.notify_all();
    (void)self;
}

void DeviceImpl::on_bytes(std::span<const std::uint8_t> bytes) {
    switch (rx_mode) {
        case RxMode::discard:
            return;  // stray bytes between transactions (or while draining)
        case RxMode::broadcast:
            return on_broadcast_bytes(bytes);
        case RxMode::listen:
            return on_listen_bytes(bytes);
        case RxMode::transaction:
            break;
    }
    if (!txw.active || txw.done || tx_session == nullptr) return;
    if (txw.received.size() < kMaxContextBytes)
        txw.received.insert(
            txw.received.end(), bytes.begin(),
            bytes.begin() + static_cast<std::ptrdiff_t>(
                                std::min(bytes.size(), kMaxContextBytes - txw.received.size())));
    try {
        on_transaction_bytes(bytes);
    } catch (...) {  // the plugin broke the ABI: the transaction fails with that
        txw.done = true;
        txw.error = std::current_exception();
    }
    if (txw.done) notifier.notify_all();
}

void DeviceImpl::on_transaction_bytes(std::span<const std::uint8_t> bytes) {
    txw.got_bytes = true;
    txw.last_rx = steady::now();
    while (!bytes.empty() && !txw.done) {
        std::uint32_t consumed = 0;
        anyserial_protocol_event_t ev;
        if (tx_session->feed(bytes, consumed, ev) < 0) return tx_refused();
        bytes = bytes.subspan(std::min<std::size_t>(consumed, bytes.size()));
        if (!take_tx_event(ev) && consumed == 0) break;  // nothing more it wants now
    }
    // A response that ends on silence: the waiter re-arms its silence timer.
    if (!txw.done && txw.silence.count() > 0) notifier.notify_all();
}

void DeviceImpl::tx_refused() {
    txw.done = true;
    txw.type = ANYSERIAL_EVENT_BAD_FRAME;
    txw.bad_reason = ANYSERIAL_BAD_FRAME_STRUCTURE;
    txw.reason = tx_session->last_error();
}

// True when `ev` ends the transaction attempt.
bool DeviceImpl::take_tx_event(const anyserial_protocol_event_t &ev) {
    switch (ev.type) {
        case ANYSERIAL_EVENT_RESPONSE:
        case ANYSERIAL_EVENT_EXCEPTION:
        case ANYSERIAL_EVENT_BAD_FRAME:
            txw.done = true;
            txw.type = ev.type;
            txw.bad_reason = ev.bad_frame_reason;
            txw.reason = ev.reason != nullptr ? ev.reason : "";
            txw.function_code = ev.function_code;
            txw.exception_code = ev.exception_code;
            return true;
        default:
            return false;
    }
}

// The line went quiet for the transaction's end_on_silence_ns: end of input (feed with
// len 0); the plugin answers RESPONSE or BAD_FRAME.
void DeviceImpl::end_tx_input() {
    try {
        std::uint32_t consumed = 0;
        anyserial_protocol_event_t ev;
        if (tx_session->feed({}, consumed, ev) < 0) return tx_refused();
        if (!take_tx_event(ev)) {
            txw.done = true;
            txw.type = ANYSERIAL_EVENT_BAD_FRAME;
            txw.bad_reason = ANYSERIAL_BAD_FRAME_STRUCTURE;
            txw.reason = "the response ended (silence) before it was complete";
        }
    } catch (...) {
        txw.done = true;
        txw.error = std::current_exception();
    }
}

void DeviceImpl::on_broadcast_bytes(std::span<const std::uint8_t> bytes) {
    try {
        feed_broadcast(bytes);
    } catch (const std::exception &e) {  // the plugin broke the ABI: drop what it gave
        ++dropped;
        last_bad_reason = e.what();
        publish_error(last_bad_reason);
        session.reset_receive();
        notifier.notify_all();
    }
}

void DeviceImpl::feed_broadcast(std::span<const std::uint8_t> bytes) {
    while (!bytes.empty()) {
        std::uint32_t consumed = 0;
        anyserial_protocol_event_t ev;
        if (session.feed(bytes, consumed, ev) < 0) {
            ++dropped;
            last_bad_reason = session.last_error();
            publish_error(last_bad_reason);
            session.reset_receive();
            break;
        }
        bytes = bytes.subspan(std::min<std::size_t>(consumed, bytes.size()));
        const bool bad_sum =
            ev.type == ANYSERIAL_EVENT_FRAME && ev.frame->has_checksum && !ev.frame->checksum_ok;
        if (ev.type == ANYSERIAL_EVENT_FRAME && !bad_sum) {
            latest = copy_frame(*ev.frame);
            ++seq;
            publish(*latest);
            notifier.notify_all();
        } else if (ev.type == ANYSERIAL_EVENT_BAD_FRAME || bad_sum) {
            ++dropped;
            last_bad_reason =
                bad_sum ? "checksum mismatch" : (ev.reason != nullptr ? ev.reason : "bad frame");
            publish_error(last_bad_reason);
            notifier.notify_all();
        } else if (consumed == 0) {
            break;
        }
    }
}

void DeviceImpl::on_listen_bytes(std::span<const std::uint8_t> all) {
    if (listeners == nullptr) return;
    for (Listener &l : *listeners) {
        try {
            listen_one(l, all);
        } catch (const std::exception &e) {  // this plugin broke the ABI: not recognised
            ++l.bad;
            l.last_reason = e.what();
        }
    }
}

void DeviceImpl::listen_one(Listener &l, std::span<const std::uint8_t> bytes) {
    {
        while (!bytes.empty() && !l.frame) {
            std::uint32_t consumed = 0;
            anyserial_protocol_event_t ev;
            if (l.session.feed(bytes, consumed, ev) < 0) {
                ++l.bad;
                l.last_reason = l.session.last_error();
                l.session.reset_receive();
                break;
            }
            bytes = bytes.subspan(std::min<std::size_t>(consumed, bytes.size()));
            if (ev.type == ANYSERIAL_EVENT_FRAME &&
                (!ev.frame->has_checksum || ev.frame->checksum_ok)) {
                ++l.frames;
                l.frame = frame_from_abi(*ev.frame, abi_context(*l.protocol));
                notifier.notify_all();
            } else if (ev.type == ANYSERIAL_EVENT_BAD_FRAME || ev.type == ANYSERIAL_EVENT_FRAME) {
                ++l.bad;
                l.last_reason = ev.reason != nullptr ? ev.reason : "checksum mismatch";
            } else if (consumed == 0) {
                break;
            }
        }
    }
}

void DeviceImpl::publish(const Frame &f) {
    std::erase_if(subs, [](const auto &w) { return w.expired(); });
    if (subs.empty()) return;
    const std::string &dev = opts.device.empty() ? port_name : opts.device;
    for (const auto &w : subs) {
        if (auto s = w.lock()) {
            for (Sample &smp : as_samples(f, dev))
                s->push(std::move(smp));
        }
    }
}

void DeviceImpl::publish_error(const std::string &reason) {
    std::erase_if(subs, [](const auto &w) { return w.expired(); });
    for (const auto &w : subs) {
        if (auto s = w.lock()) {
            Sample smp;
            smp.device = opts.device.empty() ? port_name : opts.device;
            smp.protocol = protocol_id;
            smp.monotonic_ns = monotonic_now_ns();
            smp.received_at = Clock::now();
            smp.error = reason;
            s->push(std::move(smp));
        }
    }
}

// ---- waiting --------------------------------------------------------------------------

void DeviceImpl::check_open() const {
    if (closed)
        throw_device_error(errc::closed, "the device session on " + port_name + " is closed",
                           context());
    if (line_error) std::rethrow_exception(line_error);
}

asio::awaitable<void> DeviceImpl::lock() {
    while (op_busy) {
        co_await notifier.wait(steady::time_point::max());
        check_open();
    }
    op_busy = true;
    if (line) co_await lock_line();
}

// A shared line: one operation on the bus at a time. Called holding op_busy, which is
// released again when the line fails while waiting.
asio::awaitable<void> DeviceImpl::lock_line() {
    while (line->busy) {
        co_await line->notifier.wait(steady::time_point::max());
        if (closed || line_error) {
            op_busy = false;
            notifier.notify_all();
            check_open();
        }
    }
    line->busy = true;
    line->active = this;
    ++line->transactions;
    last_traffic_ns = line->last_traffic_ns;  // the idle gap counts every peer's traffic
}

void DeviceImpl::unlock() noexcept {
    if (line && line->active == this) {
        line->last_traffic_ns = std::max(line->last_traffic_ns, last_traffic_ns);
        line->active = nullptr;
        line->busy = false;
        line->notifier.notify_all();
    }
    op_busy = false;
    notifier.notify_all();
}

asio::awaitable<void> DeviceImpl::wait_frame(std::uint64_t after_seq, Timeout t) {
    const auto started = steady::now();
    const auto deadline = capped(started + t.value_or(default_timeout()));
    const auto limit = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - started);
    const std::uint64_t bad_before = dropped;
    while (seq <= after_seq) {
        check_open();
        if (!co_await notifier.wait(deadline) && seq <= after_seq) {
            std::string why =
                "no " + mode + " frame from " + port_name + " within " + seconds(limit);
            if (dropped > bad_before)
                why += " (" + std::to_string(dropped - bad_before) +
                       " bad frames, last: " + last_bad_reason + ")";
            ErrorContext c = context();
            c.elapsed = limit;
            throw_device_error(errc::timeout, why, c);
        }
    }
}

// ---- transaction engine ---------------------------------------------------------------

asio::awaitable<void> DeviceImpl::run_transaction(ProtocolSession &s,
                                                  const anyserial_transaction_t &tx, Timeout t,
                                                  const ErrorContext &base) {
    // Copied into a buffer that keeps its capacity: no allocation per transaction.
    tx_request.assign(tx.data, tx.data + tx.len);
    const std::vector<std::uint8_t> &request = tx_request;
    // The error context (strings, a copy of the request) is built only on failure.
    auto error_context = [&] {
        ErrorContext c = base;
        c.request = request;
        if (tx.function_code != 0) c.function_code = tx.function_code;
        if (tx.register_address != 0) c.register_address = tx.register_address;
        return c;
    };
    const auto response_timeout =
        t ? *t : (tx.response_timeout_ns != 0 ? ns(tx.response_timeout_ns) : default_timeout());
    const auto idle = ns(tx.idle_before_ns);
    const unsigned attempts = tx.retries + 1u;
    const auto started = steady::now();
    std::string last_bad;
    std::uint32_t last_bad_code = 0;
    std::vector<std::uint8_t> last_received;
    unsigned timeouts = 0;
    unsigned made = 0;           // attempts sent
    bool out_of_budget = false;  // DeviceOptions::budget (or the AUTO rung) ran out

    for (unsigned attempt = 0; attempt < attempts; ++attempt) {
        check_open();
        // Quiet line before sending: idle_before since the last byte either way.
        for (;;) {
            const std::int64_t quiet_until =
                last_traffic_ns + static_cast<std::int64_t>(idle.count());
            const std::int64_t now = monotonic_now_ns();
            if (last_traffic_ns == 0 || now >= quiet_until) break;
            asio::steady_timer timer(ex);
            timer.expires_at(capped(steady::now() + std::chrono::nanoseconds(quiet_until - now)));
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
            check_open();
            if (out_of_time()) break;
        }
        if (out_of_time()) {
            out_of_budget = true;
            break;
        }
        ++made;
        if (attempt > 0) s.reset_receive();
        txw.reset();
        txw.active = true;
        txw.silence = ns(tx.end_on_silence_ns);
        tx_session = &s;
        rx_mode = RxMode::transaction;
        auto [wec, written] = co_await asio::async_write(*port, asio::buffer(request),
                                                         asio::as_tuple(asio::use_awaitable));
        last_traffic_ns = monotonic_now_ns();
        if (wec) {
            rx_mode = RxMode::discard;
            check_open();
            ErrorContext c = error_context();
            c.elapsed = steady::now() - started;
            throw_device_error(
                errc::transport,
                "cannot send the request to " + port_name + ": " +
                    (port->last_error().message.empty() ? wec.message()
                                                        : port->last_error().message),
                c);
        }
        if (!tx.expects_response) {
            rx_mode = RxMode::discard;
            txw.active = false;
            co_return;
        }
        const auto deadline = capped(steady::now() + response_timeout);
        co_await await_response(deadline);
        if (closed && !txw.done && line) {
            // Closed mid-transaction on a shared bus: the reply may still come. The next peer
            // must not talk over it: the line counts as busy until the response deadline.
            const auto left =
                std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - steady::now());
            last_traffic_ns = std::max(last_traffic_ns, monotonic_now_ns() + left.count());
        }
        rx_mode = RxMode::discard;
        txw.active = false;
        tx_session = nullptr;
        check_open();
        if (txw.error) std::rethrow_exception(txw.error);
        if (!txw.done) {
            ++timeouts;
            last_received = txw.received;
            continue;
        }
        switch (txw.type) {
            case ANYSERIAL_EVENT_RESPONSE:
                co_return;
            case ANYSERIAL_EVENT_EXCEPTION: {
                ErrorContext c = error_context();
                c.response = txw.received;
                c.function_code = txw.function_code != 0 ? txw.function_code : tx.function_code;
                c.exception_code = txw.exception_code;
                c.elapsed = steady::now() - started;
                throw_device_error(
                    errc::modbus_exception,
                    the_device(s) + " refused the request" +
                        (*c.function_code != 0 ? " (FC " + std::to_string(*c.function_code) + ")"
                                               : std::string()) +
                        " with exception " + std::to_string(txw.exception_code) +
                        (txw.reason.empty() ? "" : " (" + txw.reason + ")"),
                    c);
            }
            default:  // BAD_FRAME: resend
                last_bad = txw.reason.empty() ? "bad response frame" : txw.reason;
                last_bad_code = txw.bad_reason;
                last_received = txw.received;
                break;
        }
    }
    ErrorContext c = error_context();
    c.response = last_received;
    c.elapsed = steady::now() - started;
    if (out_of_time()) out_of_budget = true;
    std::string tries = std::to_string(made) + (made == 1 ? " attempt" : " attempts");
    if (out_of_budget) tries += "; the time budget ran out";
    if (!last_bad.empty() && timeouts == 0) {
        throw_device_error(bad_frame_errc(last_bad_code),
                           "bad response from " + the_device(s) + " on " + port_name + " after " +
                               tries + ": " + last_bad,
                           c);
    }
    throw_device_error(errc::timeout,
                       "no response from " + the_device(s) + " on " + port_name + " within " +
                           seconds(out_of_budget ? steady::now() - started : response_timeout) +
                           " (" + tries +
                           (last_bad.empty() ? "" : "; last bad frame: " + last_bad) + ")",
                       c);
}

// Waits for the attempt's response: until `deadline` for the first byte; with an
// end-on-silence transaction, once bytes came, until the line is quiet that long.
asio::awaitable<void> DeviceImpl::await_response(steady::time_point deadline) {
    while (!txw.done && !closed && !line_error) {
        const bool by_silence = txw.silence.count() > 0 && txw.got_bytes;
        const auto until = by_silence ? capped(txw.last_rx + txw.silence) : deadline;
        if (co_await notifier.wait(until) || txw.done) continue;
        if (by_silence && steady::now() >= txw.last_rx + txw.silence && tx_session != nullptr) {
            end_tx_input();
            continue;
        }
        if (steady::now() >= until) break;
    }
}

asio::awaitable<void> DeviceImpl::run_operation(ProtocolSession &s, const OpRequest &req, Timeout t,
                                                ErrorContext ctx,
                                                anyserial_protocol_result_t &result) {
    const std::string &pid = s.id();
    const std::int32_t st = s.begin(req.op, req.command, req.args);
    if (st == ANYSERIAL_E_NOT_SUPPORTED)
        throw_device_error(errc::protocol_unsupported,
                           "protocol " + pid + " cannot do this: " + s.last_error(), ctx);
    if (st == ANYSERIAL_E_INVALID_ARGUMENT)
        throw_device_error(errc::validation, "protocol " + pid + ": " + s.last_error(), ctx);
    if (st < 0)
        throw_device_error(errc::protocol, "protocol " + pid + " refused: " + s.last_error(), ctx);
    for (;;) {
        anyserial_transaction_t tx;
        const std::int32_t nt = s.next_transaction(tx);
        if (nt == ANYSERIAL_DONE) break;
        // STATE mid-operation: the device's read-back contradicts what was just written.
        if (nt == ANYSERIAL_E_STATE)
            throw_device_error(errc::not_latched, "protocol " + pid + ": " + s.last_error(), ctx);
        if (nt != ANYSERIAL_OK)
            throw_device_error(errc::protocol,
                               "protocol " + pid + " failed the operation: " + s.last_error(), ctx);
        co_await run_transaction(s, tx, t, ctx);
    }
    if (s.result(result) != ANYSERIAL_OK)
        throw_device_error(errc::protocol, "protocol " + pid + " has no result: " + s.last_error(),
                           ctx);
}

// "the acme-flow device at address A" (or without the address when there is none).
std::string DeviceImpl::the_device(const ProtocolSession &s) const {
    std::string out = "the " + s.id() + " device";
    if (!address.empty()) out += " at address " + address;
    return out;
}

// ---- frames -------------------------------------------------------------------------------

AbiContext DeviceImpl::abi_context(const LoadedProtocol &p) const {
    AbiContext c;
    c.protocol = p.id();
    c.flags = p.flag_table();
    c.channels = proto == &p && !channels.empty() ? &channels : nullptr;
    c.received_at = Clock::now();
    c.monotonic_ns = monotonic_now_ns();
    return c;
}

// The channel table is asked for after every frame (it may change after identify or a
// command); a plugin that reports none gets one made from the frame's readings.
Frame DeviceImpl::copy_frame(const anyserial_frame_t &f) {
    std::vector<ChannelInfo> table = session.channels();
    if (!table.empty()) channels = std::move(table);
    Frame out = frame_from_abi(f, abi_context(*proto));
    for (const Reading &r : out.unlisted)
        if (std::find(unlisted_ids.begin(), unlisted_ids.end(), r.channel) == unlisted_ids.end())
            unlisted_ids.push_back(r.channel);
    if (channels.empty()) {
        for (const Reading &r : out.readings)
            channels.push_back(
                {r.channel, r.name, r.kind, r.unit, r.text ? ValueType::text : ValueType::number});
    }
    return out;
}

}  // namespace anyserial::device::detail

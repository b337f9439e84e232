// anyserial — the recorder: an Asio coroutine on the caller's executor that polls a
// PollSource on an absolute schedule and hands per-tick batches to one consumer.
#include <algorithm>
#include <anyserial/device/errors.hpp>
#include <anyserial/errors.hpp>
#include <anyserial/record/recorder.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <deque>
#include <stdexcept>

#include "log/logger.hpp"
#include "tick_durations.hpp"

namespace anyserial::record {

namespace asio = boost::asio;
using boost::system::error_code;
using BatchHandler = asio::any_completion_handler<void(error_code, Batch)>;
using Signal = asio::any_completion_handler<void()>;

void validate(const RecordOptions &o) {
    if (!(o.rate_hz > 0.0) || !std::isfinite(o.rate_hz)) {
        throw std::invalid_argument("record: rate_hz must be > 0, got " +
                                    std::to_string(o.rate_hz));
    }
    // The bound keeps every tick time representable in 64-bit nanoseconds.
    if (o.duration && !(o.duration->count() > 0.0 && o.duration->count() <= max_duration_s)) {
        throw std::invalid_argument(
            "record: duration must be > 0 s and at most 1e9 s, or unset, got " +
            std::to_string(o.duration->count()));
    }
    if (o.buffer_size < 1 || o.buffer_size > max_buffer_size) {
        throw std::invalid_argument("record: buffer_size must be 1.." +
                                    std::to_string(max_buffer_size) + ", got " +
                                    std::to_string(o.buffer_size));
    }
    if (o.reconnect_backoff_initial.count() <= 0 ||
        o.reconnect_backoff_max < o.reconnect_backoff_initial) {
        throw std::invalid_argument("record: reconnect back-off must be > 0 and initial <= max");
    }
}

bool is_connection_error(const error_code &ec) noexcept {
    return ec == errc::disconnected || ec == errc::end_of_stream || ec == errc::io_error ||
           ec == errc::port_not_found || ec == asio::error::eof || ec == device::errc::connection ||
           ec == device::errc::transport;
}

namespace {
// A tick that failed this way still happened: it becomes an error sample, not a stop.
bool is_tick_error(const error_code &ec) noexcept {
    using device::errc;
    return ec == anyserial::errc::timeout || ec == anyserial::errc::protocol ||
           ec == errc::timeout || ec == errc::protocol || ec == errc::checksum ||
           ec == errc::frame || ec == errc::parse || ec == errc::modbus_exception;
}
}  // namespace

namespace detail {

struct RecordingState {
    RecordingState(asio::any_io_executor e, PollSource s, RecordOptions o, Clock &c)
        : ex(std::move(e)),
          source(std::move(s)),
          opts(std::move(o)),
          clock(c),
          timer(c.make_timer(ex)) {}

    asio::any_io_executor ex;
    PollSource source;
    RecordOptions opts;
    Clock &clock;
    std::unique_ptr<Timer> timer;
    AcquisitionSummary summary;
    TickDurations durations;  // constant memory however long it runs
    TickDurations drifts;     // start drift of the emitted ticks, for the summary's p99

    std::deque<Batch> ring;  // at most buffer_size, grown as batches queue up
    std::size_t count = 0;
    std::optional<BatchHandler> consumer;
    std::optional<Signal> room;  // the producer waiting for queue space (BLOCK)

    bool stopping = false;
    bool abandoned = false;  // the Recording handle is gone: nobody will consume
    bool finished = false;
    error_code error;
    std::string error_message;

    void deliver(BatchHandler h, error_code ec, Batch b) {
        asio::post(ex, asio::append(std::move(h), ec, std::move(b)));
    }
    Batch pop() {
        Batch b = std::move(ring.front());
        ring.pop_front();
        --count;
        return b;
    }
    void push_back(Batch b) {
        ring.push_back(std::move(b));
        ++count;
    }
    void wake_room() {
        if (room) {
            auto h = std::move(*room);
            room.reset();
            asio::post(ex, std::move(h));
        }
    }
    void fail(error_code ec, std::string message) {
        if (!error) {
            error = ec;
            error_message = std::move(message);
        }
    }
    void finish() {
        finished = true;
        summary.finished_at = clock.wall_now();
        summary.tick_duration_ms_p50 = durations.quantile_ms(0.50);
        summary.tick_duration_ms_p99 = durations.quantile_ms(0.99);
        summary.drift_ms_p99 = drifts.quantile_ms(0.99);
        log::logger("anyserial.record")
            .info(
                "recorder.stop emitted={} late={} max_drift_ms={:.3f} drift_p99_ms={:.3f} "
                "p50_ms={:.3f} p99_ms={:.3f} disconnects={}",
                summary.samples_emitted, summary.samples_late, summary.max_drift_ms,
                summary.drift_ms_p99, summary.tick_duration_ms_p50, summary.tick_duration_ms_p99,
                summary.disconnects);
        if (consumer && count == 0) {
            auto h = std::move(*consumer);
            consumer.reset();
            deliver(std::move(h), error ? error : make_error_code(errc::end_of_stream), {});
        }
        wake_room();
    }
};

void next_batch(const std::shared_ptr<RecordingState> &st, BatchHandler h) {
    auto &s = *st;
    if (s.consumer) {
        s.deliver(std::move(h), make_error_code(errc::busy), {});
    } else if (s.count > 0) {
        s.deliver(std::move(h), {}, s.pop());
        s.wake_room();
    } else if (s.finished) {
        s.deliver(std::move(h), s.error ? s.error : make_error_code(errc::end_of_stream), {});
    } else {
        s.consumer.emplace(std::move(h));
    }
}

}  // namespace detail

namespace {

using detail::RecordingState;
using Duration = std::chrono::duration<double, std::milli>;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

double to_ms(SteadyClock::duration d) {
    return std::chrono::duration_cast<Duration>(d).count();
}

asio::awaitable<void> wait_for_room(std::shared_ptr<RecordingState> st) {
    co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
        [&s = *st](auto handler) { s.room.emplace(std::move(handler)); }, asio::use_awaitable);
}

// Queues one batch under the overflow policy. Returns false when the batch was dropped.
asio::awaitable<bool> enqueue(std::shared_ptr<RecordingState> st, Batch batch) {
    auto &s = *st;
    for (;;) {
        if (s.abandoned) co_return false;
        if (s.consumer) {  // someone is waiting: hand it over, nothing queues
            auto h = std::move(*s.consumer);
            s.consumer.reset();
            s.deliver(std::move(h), {}, std::move(batch));
            co_return true;
        }
        if (s.count < s.opts.buffer_size) {
            s.push_back(std::move(batch));
            co_return true;
        }
        switch (s.opts.overflow) {
            case OverflowPolicy::drop_newest:
                ++s.summary.samples_late;
                co_return false;
            case OverflowPolicy::drop_oldest:
                (void)s.pop();
                ++s.summary.samples_late;
                s.push_back(std::move(batch));
                co_return true;
            case OverflowPolicy::block:
                co_await wait_for_room(st);
                break;
        }
    }
}

// After a disconnect: back off, optionally rebuild the source. Returns false when the
// recording must end (stopped, or the factory failed with a non-connection error).
// A schedule with an end stops retrying there: the loop then counts the remaining ticks
// late and the recording ends on time.
asio::awaitable<bool> reconnect(std::shared_ptr<RecordingState> st,
                                std::chrono::nanoseconds &backoff,
                                std::optional<SteadyClock::time_point> end) {
    auto &s = *st;
    for (;;) {
        if (s.stopping) co_return false;
        const auto next_try = s.clock.now() + backoff;
        if (end && next_try >= *end) {
            co_await s.timer->async_wait_until(*end, use_tuple);
            co_return !s.stopping;
        }
        co_await s.timer->async_wait_until(next_try, use_tuple);
        if (s.stopping) co_return false;
        backoff = std::min(backoff * 2, s.opts.reconnect_backoff_max);
        if (!s.opts.reconnect_factory) co_return true;
        auto [ec, fresh] =
            co_await asio::async_initiate<decltype(use_tuple), void(error_code, PollSource)>(
                [&s](auto handler) {
                    s.opts.reconnect_factory(ReconnectHandler(std::move(handler)));
                },
                use_tuple);
        if (!ec && fresh) {
            s.source = std::move(fresh);
            log::logger("anyserial.record").info("recorder.reconnected");
            co_return true;
        }
        if (!ec) ec = make_error_code(errc::invalid_argument);
        if (!is_connection_error(ec)) {
            s.fail(ec, "record: reconnect failed: " + ec.message());
            co_return false;
        }
        log::logger("anyserial.record").warn("recorder.reconnect_failed error={}", ec.message());
    }
}

Batch error_batch(const RecordingState &s, const error_code &ec) {
    Sample sample;
    sample.device = s.opts.device;
    sample.monotonic_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(s.clock.now().time_since_epoch())
            .count();
    sample.received_at = s.clock.wall_now();
    sample.protocol = s.source.protocol().value_or("");
    sample.error = "poll failed: " + ec.message();
    Batch b;
    b.push_back(std::move(sample));
    return b;
}

asio::awaitable<void> produce(std::shared_ptr<RecordingState> st) {
    auto &s = *st;
    const double period_ns = 1e9 / s.opts.rate_hz;
    const auto start = s.clock.now();
    s.summary.started_at = s.clock.wall_now();
    auto target = [&](std::uint64_t n) {
        return start + std::chrono::nanoseconds(std::llround(static_cast<double>(n) * period_ns));
    };
    std::optional<std::uint64_t> total;
    if (s.opts.duration) {
        // Half to even, as the seed's Python round(): 2.5 ticks are 2.
        total = std::max<std::uint64_t>(
            1,
            static_cast<std::uint64_t>(std::nearbyint(s.opts.duration->count() * s.opts.rate_hz)));
    }
    const std::optional<SteadyClock::time_point> end =
        total ? std::optional(target(*total)) : std::nullopt;
    auto backoff = s.opts.reconnect_backoff_initial;

    for (std::uint64_t n = 0; !s.stopping && (!total || n < *total); ++n) {
        const auto due = target(n);
        if (s.clock.now() < due) {
            co_await s.timer->async_wait_until(due, use_tuple);
            if (s.stopping) break;
        }
        const auto begin = s.clock.now();
        if (begin >= target(n + 1)) {  // this tick's whole slot has passed: skip it
            ++s.summary.samples_late;
            continue;
        }
        auto [ec, batch] =
            co_await s.source.async_poll_samples(s.opts.names, s.opts.timeout, use_tuple);
        s.durations.add(s.clock.now() - begin);
        if (ec) {
            if (is_connection_error(ec)) {
                if (!s.opts.auto_reconnect) {
                    s.fail(ec, "record: poll failed: " + s.source.failure(ec));
                    break;
                }
                ++s.summary.disconnects;
                ++s.summary.samples_late;
                log::logger("anyserial.record")
                    .warn("recorder.disconnect tick={} error={}", n, ec.message());
                if (!co_await reconnect(st, backoff, end)) break;
                continue;
            }
            if (is_tick_error(ec)) {
                batch = error_batch(s, ec);  // the tick happened; its failure is data
            } else {
                if (!(s.stopping && ec == asio::error::operation_aborted)) {
                    s.fail(ec, "record: poll failed: " + s.source.failure(ec));
                }
                break;
            }
        } else {
            backoff = s.opts.reconnect_backoff_initial;
        }
        const double drift = to_ms(begin - due);
        if (co_await enqueue(st, std::move(batch))) {
            ++s.summary.samples_emitted;
            s.summary.max_drift_ms = std::max(s.summary.max_drift_ms, drift);
            s.drifts.add(std::chrono::duration_cast<std::chrono::nanoseconds>(
                begin - due));  // negative (early) counts as 0
        }
    }
}

}  // namespace

Recording &Recording::operator=(Recording &&other) noexcept {
    if (this != &other) {
        if (state_) {
            state_->abandoned = true;
            stop();
        }
        state_ = std::move(other.state_);
    }
    return *this;
}

Recording::~Recording() {
    if (state_) {
        state_->abandoned = true;
        stop();
    }
}

void Recording::stop() {
    // Not skipped when already stopping: the destructor's call after a stop() must still
    // release a producer blocked on a full queue, now that nobody will consume.
    if (!state_) return;
    state_->stopping = true;
    state_->timer->cancel();
    state_->wake_room();
}

const AcquisitionSummary &Recording::summary() const {
    return state_->summary;
}
double Recording::rate_hz() const {
    return state_->opts.rate_hz;
}
bool Recording::finished() const {
    return state_->finished;
}
std::size_t Recording::queued() const {
    return state_->count;
}
boost::system::error_code Recording::error() const {
    return state_->error;
}
std::string Recording::error_message() const {
    return state_->error_message;
}
asio::any_io_executor Recording::get_executor() const {
    return state_->ex;
}

Recording record(asio::any_io_executor ex, PollSource source, RecordOptions options, Clock &clock) {
    validate(options);
    if (!source) throw std::invalid_argument("record: empty poll source");
    auto st = std::make_shared<RecordingState>(ex, std::move(source), std::move(options), clock);
    log::logger("anyserial.record")
        .info("recorder.start rate_hz={} duration_s={} overflow={} buffer_size={}",
              st->opts.rate_hz, st->opts.duration ? st->opts.duration->count() : 0.0,
              to_string(st->opts.overflow), st->opts.buffer_size);
    asio::co_spawn(ex, produce(st), [st](std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception &x) {
                st->fail(make_error_code(errc::io_error), std::string("record: ") + x.what());
            }
        }
        st->finish();
    });
    return Recording(st);
}

}  // namespace anyserial::record

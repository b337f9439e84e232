// anyserial — StreamingSession over a broadcast subscription or a POLL recording.
#include <algorithm>
#include <anyserial/device/errors.hpp>
#include <anyserial/errors.hpp>
#include <anyserial/record/stream.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/post.hpp>
#include <cmath>
#include <deque>

namespace anyserial::record {

std::string_view to_string(StreamMode m) noexcept {
    return m == StreamMode::autoprint ? "autoprint" : "poll";
}

namespace detail {

struct StreamState {
    StreamMode mode = StreamMode::poll;
    std::optional<device::Subscription> subscription;  // autoprint
    std::optional<Recording> recording;                // poll
    std::deque<Sample> pending;                        // the rest of the current batch
    bool closed = false;
};

void stream_receive(
    const std::shared_ptr<StreamState> &s,
    boost::asio::any_completion_handler<void(boost::system::error_code, Sample)> h) {
    if (s->mode == StreamMode::autoprint) {
        s->subscription->async_receive(std::move(h));
        return;
    }
    auto ex = s->recording->get_executor();
    if (!s->pending.empty()) {
        Sample next = std::move(s->pending.front());
        s->pending.pop_front();
        boost::asio::post(
            ex, boost::asio::append(std::move(h), boost::system::error_code{}, std::move(next)));
        return;
    }
    s->recording->async_next_batch(
        [s, h = std::move(h)](boost::system::error_code ec, Batch batch) mutable {
            if (ec) {
                std::move(h)(ec, Sample{});
                return;
            }
            s->pending.insert(s->pending.end(), std::make_move_iterator(batch.begin()),
                              std::make_move_iterator(batch.end()));
            stream_receive(s, std::move(h));  // an empty batch: wait for the next one
        });
}

}  // namespace detail

StreamingSession::~StreamingSession() {
    close();
}

StreamMode StreamingSession::mode() const noexcept {
    return state_->mode;
}

std::uint64_t StreamingSession::lost() const noexcept {
    if (state_->subscription) return state_->subscription->lost();
    return state_->recording ? state_->recording->summary().samples_late : 0;
}

const AcquisitionSummary *StreamingSession::summary() const noexcept {
    return state_->recording ? &state_->recording->summary() : nullptr;
}

void StreamingSession::close() {
    if (!state_ || state_->closed) return;
    state_->closed = true;
    if (state_->subscription) state_->subscription->close();
    if (state_->recording) state_->recording->stop();
}

StreamingSession open_stream(device::Device &device, std::optional<StreamMode> mode,
                             std::optional<double> rate_hz, std::size_t capacity) {
    const bool broadcast = device.broadcast();
    const StreamMode resolved = mode.value_or(broadcast ? StreamMode::autoprint : StreamMode::poll);
    const std::string proto = device.protocol_id();
    device::ErrorContext ctx;
    ctx.port = device.port();
    ctx.protocol = proto;
    if (!broadcast && !device.address().empty()) ctx.address = device.address();
    if (broadcast && resolved != StreamMode::autoprint) {
        device::throw_device_error(device::errc::validation,
                                   proto +
                                       " broadcasts: it only supports AUTOPRINT streaming, "
                                       "not poll",
                                   ctx);
    }
    if (!broadcast && resolved != StreamMode::poll) {
        device::throw_device_error(device::errc::validation,
                                   proto +
                                       " is request/response: it only supports POLL "
                                       "streaming, not autoprint",
                                   ctx);
    }
    if (rate_hz && !(*rate_hz > 0.0 && std::isfinite(*rate_hz))) {
        device::throw_device_error(device::errc::validation,
                                   "stream: rate_hz must be > 0, got " + std::to_string(*rate_hz),
                                   ctx);
    }
    auto st = std::make_shared<detail::StreamState>();
    st->mode = resolved;
    if (resolved == StreamMode::autoprint) {
        st->subscription.emplace(device.subscribe(capacity));
    } else {
        RecordOptions o;
        o.rate_hz = rate_hz.value_or(1.0);
        o.device = device.port();
        // Like the subscription: a slow consumer loses the oldest ticks, never the schedule.
        o.buffer_size = std::clamp<std::size_t>(capacity, 1, max_buffer_size);
        o.overflow = OverflowPolicy::drop_oldest;
        st->recording.emplace(record(device.get_executor(), PollSource::ref(device), o));
    }
    return StreamingSession(std::move(st));
}

}  // namespace anyserial::record

namespace anyserial::device {

record::StreamingSession Device::stream(std::optional<record::StreamMode> mode,
                                        std::optional<double> rate_hz, std::size_t capacity) {
    return record::open_stream(*this, mode, rate_hz, capacity);
}

}  // namespace anyserial::device

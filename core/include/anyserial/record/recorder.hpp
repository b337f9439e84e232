// anyserial — record(): drift-free timed polling into a bounded queue of per-tick batches.
//
//     auto rec = anyserial::record::record(ex, PollSource::ref(device),
//                                          {.rate_hz = 2, .duration = 10s});
//     for (;;) {
//         auto [ec, batch] = co_await rec.async_next_batch(as_tuple(use_awaitable));
//         if (ec) break;                      // errc::end_of_stream, or why it failed
//         ...
//     }
//
// Tick n is due at start + n / rate_hz, computed from n (never "now + period"), so poll
// durations never accumulate into drift. A tick whose slot [target_n, target_n+1) is
// already over when the recorder gets to it is skipped and counted late. Everything runs
// on the caller's executor; the recorder starts no thread.
#pragma once

#include <anyserial/record/clock.hpp>
#include <anyserial/record/poll_source.hpp>
#include <anyserial/record/summary.hpp>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace anyserial::record {

// Rebuilds the poll source after a disconnect: complete the handler with the new
// source, or with an error (a connection error is retried after the next back-off).
using ReconnectHandler =
    boost::asio::any_completion_handler<void(boost::system::error_code, PollSource)>;
using ReconnectFactory = std::function<void(ReconnectHandler)>;

struct RecordOptions {
    double rate_hz = 1.0;                                   // > 0
    std::optional<std::chrono::duration<double>> duration;  // > 0; nullopt: until stop()
    std::vector<std::string> names;                         // manager subset; empty = all
    PollTimeout timeout;                                    // per-poll ceiling
    OverflowPolicy overflow = OverflowPolicy::block;
    std::size_t buffer_size = 64;  // queue capacity in per-tick batches, 1..max_buffer_size
    bool auto_reconnect = false;
    ReconnectFactory reconnect_factory;  // optional
    std::chrono::nanoseconds reconnect_backoff_initial = std::chrono::milliseconds(100);
    std::chrono::nanoseconds reconnect_backoff_max = std::chrono::seconds(5);
    // Device name for the error sample of a tick that failed (timeout, protocol error).
    std::string device;
};

// The longest duration record() accepts (about 31 years; ticks stay in int64 nanoseconds).
inline constexpr double max_duration_s = 1e9;
// The largest queue record() accepts, in batches; the queue grows only as batches wait.
inline constexpr std::size_t max_buffer_size = 1'000'000;

// Throws std::invalid_argument (with what is wrong) for a rate that is not a finite
// number > 0, a duration <= 0 or over max_duration_s, a buffer_size outside
// 1..max_buffer_size or a bad back-off;
// record() calls it before anything starts.
void validate(const RecordOptions &options);

// Whether `ec` is a connection loss that auto_reconnect absorbs.
bool is_connection_error(const boost::system::error_code &ec) noexcept;

namespace detail {
struct RecordingState;
void next_batch(const std::shared_ptr<RecordingState> &state,
                boost::asio::any_completion_handler<void(boost::system::error_code, Batch)> h);
}  // namespace detail

// The handle of a running recording: per-tick batches, the live summary, the rate.
// Move-only. Destroying it stops the recording.
class Recording {
  public:
    Recording() = default;
    Recording(Recording &&) noexcept = default;
    Recording &operator=(Recording &&) noexcept;
    ~Recording();

    // Completes with the next batch, or with errc::end_of_stream once the recording has
    // ended and every queued batch was delivered, or with the error that ended it
    // (e.g. a disconnect without auto_reconnect). One call outstanding at a time.
    template <class Token>
    auto async_next_batch(Token &&token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, Batch)>(
            [st = state_](auto handler) {
                detail::next_batch(
                    st, boost::asio::any_completion_handler<void(boost::system::error_code, Batch)>(
                            std::move(handler)));
            },
            token);
    }

    // Ends acquisition: no new tick starts; queued batches are still delivered, then
    // end_of_stream. Idempotent.
    void stop();

    const AcquisitionSummary &summary() const;
    double rate_hz() const;
    bool finished() const;  // the producer has ended (batches may still be queued)
    std::size_t queued() const;
    // The error that ended the recording, empty when it ended normally or still runs.
    boost::system::error_code error() const;
    std::string error_message() const;
    boost::asio::any_io_executor get_executor() const;

    explicit Recording(std::shared_ptr<detail::RecordingState> state) : state_(std::move(state)) {}

  private:
    std::shared_ptr<detail::RecordingState> state_;
};

// Starts recording `source` on `ex`. Validates first (std::invalid_argument). The first
// tick is taken immediately (on the executor), at the clock's now().
Recording record(boost::asio::any_io_executor ex, PollSource source, RecordOptions options,
                 Clock &clock = steady_clock_source());

}  // namespace anyserial::record

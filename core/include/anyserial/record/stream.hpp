// anyserial — StreamingSession: one subscriber's stream of Samples from a device.
//
// Two backings behind one interface (seed 004):
//   StreamMode::autoprint — broadcast protocols: a passive subscription to the device's
//     receive loop. Its bounded queue drops the oldest sample when full, so
//     a slow subscriber never stalls the receive loop (lost() counts them). rate is unused.
//   StreamMode::poll — request/response protocols: the drift-free recorder polls
//     at `rate_hz` (default 1 Hz); batches are flattened into samples. `capacity` ticks
//     are queued; a slow subscriber loses the oldest (lost() counts them), the schedule
//     never slips.
// The wrong mode for the protocol is a device::DeviceError(errc::validation) raised
// before anything starts. The device must outlive the session.
#pragma once

#include <anyserial/device/session.hpp>
#include <anyserial/record/recorder.hpp>
#include <boost/asio/any_completion_handler.hpp>
#include <memory>
#include <optional>

namespace anyserial::record {

enum class StreamMode { autoprint, poll };
std::string_view to_string(StreamMode) noexcept;  // "autoprint" | "poll"

namespace detail {
struct StreamState;
void stream_receive(const std::shared_ptr<StreamState> &s,
                    boost::asio::any_completion_handler<void(boost::system::error_code, Sample)> h);
}  // namespace detail

class StreamingSession {
  public:
    StreamingSession() = default;
    StreamingSession(StreamingSession &&) noexcept = default;
    StreamingSession &operator=(StreamingSession &&) noexcept = default;
    ~StreamingSession();

    StreamMode mode() const noexcept;

    // Next sample; errc::end_of_stream (poll) or device closed (autoprint) once closed.
    template <class Token>
    auto async_receive(Token &&token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, Sample)>(
            [st = state_](auto h) {
                detail::stream_receive(
                    st,
                    boost::asio::any_completion_handler<void(boost::system::error_code, Sample)>(
                        std::move(h)));
            },
            token);
    }

    // Samples dropped for a slow subscriber (autoprint), or late ticks (poll).
    std::uint64_t lost() const noexcept;
    // The recorder's live summary in poll mode; nullptr in autoprint mode.
    const AcquisitionSummary *summary() const noexcept;
    void close();  // idempotent

    explicit StreamingSession(std::shared_ptr<detail::StreamState> s) : state_(std::move(s)) {}

  private:
    std::shared_ptr<detail::StreamState> state_;
};

// Device::stream(mode, rate) in free-function form. mode defaults per protocol
// (autoprint for broadcast, poll otherwise); capacity bounds the autoprint queue.
StreamingSession open_stream(device::Device &device, std::optional<StreamMode> mode = {},
                             std::optional<double> rate_hz = {}, std::size_t capacity = 256);

}  // namespace anyserial::record

// anyserial — the protocol-neutral analyser session (seed 004's Analyzer).
//
//     auto [ec, anz] = co_await device::async_open_device(ex, host, "/dev/ttyUSB0",
//                                                         {.protocol = ProtocolKind::auto_detect},
//                                                         asio::as_tuple(asio::use_awaitable));
//     if (ec) throw_or_print(anz.last_error());         // DeviceError with its context
//     auto [ec2, frame] = co_await anz.async_poll(false, asio::as_tuple(asio::use_awaitable));
//
// Errors: every operation completes with a boost::system::error_code in device_category()
// (device::errc) and the full DeviceError -- message plus ErrorContext (port, protocol,
// address, channel, register, FC, request/response bytes, elapsed) -- is kept as
// last_error() on the Analyzer, to read in the completion handler. A failed open completes
// with an Analyzer that is not open but whose last_error() says why. The blocking
// anyserial::sync::Analyzer throws those DeviceErrors directly.
//
// Gates run before any byte is sent, in order: confirmation (state-changing operations),
// capability of the active protocol, argument validation.
//
// Broadcast protocols: a receive loop on the executor feeds every byte to the plugin,
// caches the latest frame and fans it out to subscribers. Request/response protocols: a
// transaction engine with the plugin's idle gap, per-transaction response timeout and
// retries. Operations are serialised per Analyzer. Call everything from the analyser's
// executor (a strand over the one given to async_open_device).
#pragma once

#include <anyserial/device/errors.hpp>
#include <anyserial/device/models.hpp>
#include <anyserial/device/options.hpp>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace anyserial {
class PluginHost;
class SerialPort;
}  // namespace anyserial

namespace anyserial::record {
class StreamingSession;
enum class StreamMode;
}  // namespace anyserial::record

namespace anyserial::device {

class Analyzer;
class Subscription;

namespace detail {
struct AnalyzerImpl;
struct SharedLine;
struct SubscriptionState;
using ec_t = boost::system::error_code;
template <class... T>
using Handler = boost::asio::any_completion_handler<void(ec_t, T...)>;

void start_open(boost::asio::any_io_executor ex, PluginHost &host, std::string port,
                DeviceOptions options, Handler<Analyzer> h);
void start_poll(std::shared_ptr<AnalyzerImpl> s, bool wait_fresh, Timeout t, Handler<Frame> h);
void start_read_channel(std::shared_ptr<AnalyzerImpl> s, std::string id, Timeout t,
                        Handler<Reading> h);
void start_read_all(std::shared_ptr<AnalyzerImpl> s, Timeout t,
                    Handler<std::map<std::string, Reading>> h);
void start_identify(std::shared_ptr<AnalyzerImpl> s, Timeout t, Handler<DeviceInfo> h);
void start_status(std::shared_ptr<AnalyzerImpl> s, std::string id, Timeout t,
                  Handler<ChannelStatus> h);
void start_analyser_status(std::shared_ptr<AnalyzerImpl> s, Timeout t, Handler<AnalyserStatus> h);
void start_start_calibration(std::shared_ptr<AnalyzerImpl> s, int group, bool confirm, Timeout t,
                             Handler<> h);
void start_stop_calibration(std::shared_ptr<AnalyzerImpl> s, bool confirm, Timeout t, Handler<> h);
void start_calibration_status(std::shared_ptr<AnalyzerImpl> s, int group, Timeout t,
                              Handler<CalibrationProgress> h);
void start_poll_samples(std::shared_ptr<AnalyzerImpl> s, Timeout t, Handler<std::vector<Sample>> h);
void start_receive(std::shared_ptr<SubscriptionState> s, Timeout t, Handler<Sample> h);
void start_open_on(std::shared_ptr<SharedLine> line, DeviceOptions options, Handler<Analyzer> h);
}  // namespace detail

// A subscriber's bounded queue of Samples (one per reading of every frame, plus error
// samples for bad frames). When it is full the oldest sample is dropped and counted:
// a slow subscriber never stalls the receive loop.
class Subscription {
  public:
    Subscription() = default;
    Subscription(Subscription &&) noexcept = default;
    Subscription &operator=(Subscription &&) noexcept = default;
    ~Subscription();

    // Next sample; errc::timeout after `t`, errc::closed once unsubscribed/closed and empty.
    template <class Token>
    auto async_receive(Timeout t, Token &&token) {
        return boost::asio::async_initiate<Token, void(detail::ec_t, Sample)>(
            [](auto h, std::shared_ptr<detail::SubscriptionState> s, Timeout to) {
                detail::start_receive(std::move(s), to, detail::Handler<Sample>(std::move(h)));
            },
            token, state_, t);
    }
    template <class Token>
    auto async_receive(Token &&token) {
        return async_receive(Timeout{}, std::forward<Token>(token));
    }
    // Samples queued now. A frame's samples are queued together (one monotonic_ns), so
    // 0 right after receiving one means that frame is complete.
    std::size_t size() const noexcept;
    std::uint64_t lost() const noexcept;  // samples dropped because the queue was full
    void close() noexcept;

  private:
    friend class Analyzer;
    explicit Subscription(std::shared_ptr<detail::SubscriptionState> s) : state_(std::move(s)) {}
    std::shared_ptr<detail::SubscriptionState> state_;
};

class Analyzer {
  public:
    using executor_type = boost::asio::any_io_executor;

    Analyzer() = default;
    Analyzer(Analyzer &&) noexcept = default;
    Analyzer &operator=(Analyzer &&) noexcept;
    Analyzer(const Analyzer &) = delete;
    Analyzer &operator=(const Analyzer &) = delete;
    ~Analyzer();  // closes

    executor_type get_executor() const;

    // One frame: every channel + analyser status. Broadcast: the cached latest (waiting for
    // the first one if none yet), or the next one when wait_fresh. Request/response: a
    // coalesced read (wait_fresh is a no-op).
    template <class Token>
    auto async_poll(bool wait_fresh, Timeout t, Token &&token) {
        return init<Frame>(token, [wait_fresh, t](auto s, auto h) {
            detail::start_poll(std::move(s), wait_fresh, t, std::move(h));
        });
    }
    template <class Token>
    auto async_poll(bool wait_fresh, Token &&token) {
        return async_poll(wait_fresh, Timeout{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_read_channel(std::string id, Timeout t, Token &&token) {
        return init<Reading>(token, [id = std::move(id), t](auto s, auto h) mutable {
            detail::start_read_channel(std::move(s), std::move(id), t, std::move(h));
        });
    }
    template <class Token>
    auto async_read_channel(std::string id, Token &&token) {
        return async_read_channel(std::move(id), Timeout{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_read_all(Timeout t, Token &&token) {
        return init<std::map<std::string, Reading>>(
            token, [t](auto s, auto h) { detail::start_read_all(std::move(s), t, std::move(h)); });
    }
    template <class Token>
    auto async_read_all(Token &&token) {
        return async_read_all(Timeout{}, std::forward<Token>(token));
    }

    // Cached after the first success (and when the session was opened with identify).
    template <class Token>
    auto async_identify(Timeout t, Token &&token) {
        return init<DeviceInfo>(
            token, [t](auto s, auto h) { detail::start_identify(std::move(s), t, std::move(h)); });
    }
    template <class Token>
    auto async_identify(Token &&token) {
        return async_identify(Timeout{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_status(std::string id, Timeout t, Token &&token) {
        return init<ChannelStatus>(token, [id = std::move(id), t](auto s, auto h) mutable {
            detail::start_status(std::move(s), std::move(id), t, std::move(h));
        });
    }
    template <class Token>
    auto async_status(std::string id, Token &&token) {
        return async_status(std::move(id), Timeout{}, std::forward<Token>(token));
    }

    template <class Token>
    auto async_analyser_status(Timeout t, Token &&token) {
        return init<AnalyserStatus>(token, [t](auto s, auto h) {
            detail::start_analyser_status(std::move(s), t, std::move(h));
        });
    }
    template <class Token>
    auto async_analyser_status(Token &&token) {
        return async_analyser_status(Timeout{}, std::forward<Token>(token));
    }

    // State-changing: refused with ConfirmationRequiredError unless confirm is true.
    template <class Token>
    auto async_start_calibration(int group, bool confirm, Timeout t, Token &&token) {
        return init<>(token, [group, confirm, t](auto s, auto h) {
            detail::start_start_calibration(std::move(s), group, confirm, t, std::move(h));
        });
    }
    template <class Token>
    auto async_start_calibration(int group, bool confirm, Token &&token) {
        return async_start_calibration(group, confirm, Timeout{}, std::forward<Token>(token));
    }
    template <class Token>
    auto async_stop_calibration(bool confirm, Timeout t, Token &&token) {
        return init<>(token, [confirm, t](auto s, auto h) {
            detail::start_stop_calibration(std::move(s), confirm, t, std::move(h));
        });
    }
    template <class Token>
    auto async_stop_calibration(bool confirm, Token &&token) {
        return async_stop_calibration(confirm, Timeout{}, std::forward<Token>(token));
    }
    template <class Token>
    auto async_calibration_status(int group, Timeout t, Token &&token) {
        return init<CalibrationProgress>(token, [group, t](auto s, auto h) {
            detail::start_calibration_status(std::move(s), group, t, std::move(h));
        });
    }
    template <class Token>
    auto async_calibration_status(int group, Token &&token) {
        return async_calibration_status(group, Timeout{}, std::forward<Token>(token));
    }

    // One poll fanned out into Samples (the recorder's PollSource shape).
    template <class Token>
    auto async_poll_samples(Timeout t, Token &&token) {
        return init<std::vector<Sample>>(token, [t](auto s, auto h) {
            detail::start_poll_samples(std::move(s), t, std::move(h));
        });
    }

    // The cached latest frame, no I/O; nullopt before the first one.
    std::optional<Frame> snapshot() const;
    const std::optional<DeviceInfo> &info() const noexcept;
    // A new subscriber queue of at most `capacity` samples.
    Subscription subscribe(std::size_t capacity = 256);

    std::uint64_t dropped_frames() const noexcept;  // bad frames (checksum/structure)
    ProtocolKind protocol() const noexcept;
    const std::string &protocol_id() const noexcept;  // the plugin id in use
    std::uint32_t capabilities() const noexcept;      // ANYSERIAL_PCAP_* of the protocol
    bool broadcast() const noexcept;                  // traffic kind
    const std::string &port() const noexcept;
    unsigned address() const noexcept;
    const std::vector<ProbeAttempt> &detection() const noexcept;  // what AUTO tried
    // The last failure; when the line was lost between operations, that loss.
    std::exception_ptr last_error() const noexcept;
    // Throws last_error() (std::logic_error when there is none).
    [[noreturn]] void throw_last_error() const;

    bool is_open() const noexcept;
    // Exclusive open: closes the port. On a shared Transport: detaches from the line.
    void close() noexcept;
    bool shared() const noexcept;  // opened on a shared Transport

    // Streams Samples (seed 004's Analyzer.stream; include <anyserial/record/stream.hpp>):
    // StreamMode::autoprint subscribes passively to a broadcast protocol (rate unused);
    // StreamMode::poll runs the drift-free recorder at rate_hz (default 1 Hz) for a
    // request/response protocol. mode defaults per protocol; the wrong one throws
    // DeviceError(errc::validation) before anything starts. The analyser must outlive it.
    record::StreamingSession stream(std::optional<record::StreamMode> mode = std::nullopt,
                                    std::optional<double> rate_hz = std::nullopt,
                                    std::size_t capacity = 256);

    // The port under the session (diagnostics, the mock backend's fault injection); null
    // when there is none. Use it from the analyser's executor; never read or write it.
    const SerialPort *serial_port() const noexcept;

  private:
    friend struct detail::AnalyzerImpl;  // hands out the handle when an open completes
    explicit Analyzer(std::shared_ptr<detail::AnalyzerImpl> impl) : impl_(std::move(impl)) {}

    template <class... T, class Token, class Start>
    auto init(Token &token, Start start) {
        return boost::asio::async_initiate<Token, void(detail::ec_t, T...)>(
            [](auto h, std::shared_ptr<detail::AnalyzerImpl> s, Start st) {
                st(std::move(s), detail::Handler<T...>(std::move(h)));
            },
            token, impl_, std::move(start));
    }

    std::shared_ptr<detail::AnalyzerImpl> impl_;
};

// Opens `port`, resolves the protocol (AUTO: the spec's ladder over the family's loaded
// protocol plugins) and optionally identifies. Completes with (error_code, Analyzer).
template <class Token>
auto async_open_device(boost::asio::any_io_executor ex, PluginHost &host, std::string port,
                       DeviceOptions options, Token &&token) {
    return boost::asio::async_initiate<Token, void(detail::ec_t, Analyzer)>(
        [](auto h, boost::asio::any_io_executor e, PluginHost *hp, std::string p, DeviceOptions o) {
            detail::start_open(std::move(e), *hp, std::move(p), std::move(o),
                               detail::Handler<Analyzer>(std::move(h)));
        },
        token, std::move(ex), &host, std::move(port), std::move(options));
}

}  // namespace anyserial::device

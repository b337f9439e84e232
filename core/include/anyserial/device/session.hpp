// anyserial — the device-neutral session: everything the core does with a device, whatever
// the device. Channels, flags and commands come from the protocol plugin at run time.
//
//     auto [ec, dev] = co_await device::async_open_device(ex, host, "/dev/ttyUSB0",
//                                                         {.protocol = "acme-flow", .address =
//                                                         "A"},
//                                                         asio::as_tuple(asio::use_awaitable));
//     if (ec) throw_or_print(dev.last_error());         // DeviceError with its context
//     auto [ec2, frame] = co_await dev.async_poll(false, asio::as_tuple(asio::use_awaitable));
//     auto [ec3, res] = co_await dev.async_command("setpoint.set", {ArgValue::number(20)},
//                                                  /*confirm=*/true, asio::as_tuple(...));
//
// Errors: every operation completes with a boost::system::error_code in device_category()
// (device::errc) and the full DeviceError -- message plus ErrorContext (port, protocol,
// address, channel, register, FC, request/response bytes, elapsed) -- is kept as
// last_error() on the Device, to read in the completion handler. A failed open completes
// with a Device that is not open but whose last_error() says why. The blocking
// anyserial::sync::Device throws those DeviceErrors directly.
//
// Gates run before any byte is sent, in order: confirmation (a declared command whose safety
// tier is state-changing or destructive), capability (the protocol declares the operation
// or command), argument validation against the declaration (types, ranges, choices).
//
// Broadcast protocols: a receive loop on the executor feeds every byte to the plugin,
// caches the latest frame and fans it out to subscribers. Request/response protocols: a
// transaction engine with the plugin's idle gap, per-transaction response timeout and
// retries. Operations are serialised per Device. Call everything from the device's
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

class Device;
class Subscription;

namespace detail {
struct DeviceImpl;
struct SharedLine;
struct SubscriptionState;
using ec_t = boost::system::error_code;
template <class... T>
using Handler = boost::asio::any_completion_handler<void(ec_t, T...)>;

void start_open(boost::asio::any_io_executor ex, PluginHost &host, std::string port,
                DeviceOptions options, Handler<Device> h);
void start_poll(std::shared_ptr<DeviceImpl> s, bool wait_fresh, Timeout t, Handler<Frame> h);
void start_read_channel(std::shared_ptr<DeviceImpl> s, std::string id, Timeout t,
                        Handler<Reading> h);
void start_read_all(std::shared_ptr<DeviceImpl> s, Timeout t,
                    Handler<std::map<std::string, Reading>> h);
void start_identify(std::shared_ptr<DeviceImpl> s, Timeout t, Handler<DeviceInfo> h);
void start_read_status(std::shared_ptr<DeviceImpl> s, Timeout t, Handler<DeviceStatus> h);
void start_command(std::shared_ptr<DeviceImpl> s, std::string id, std::vector<ArgValue> args,
                   bool confirm, Timeout t, Handler<CommandResult> h);
void start_poll_samples(std::shared_ptr<DeviceImpl> s, Timeout t, Handler<std::vector<Sample>> h);
void start_receive(std::shared_ptr<SubscriptionState> s, Timeout t, Handler<Sample> h);
void start_open_on(std::shared_ptr<SharedLine> line, DeviceOptions options, Handler<Device> h);
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
    friend class Device;
    explicit Subscription(std::shared_ptr<detail::SubscriptionState> s) : state_(std::move(s)) {}
    std::shared_ptr<detail::SubscriptionState> state_;
};

class Device {
  public:
    using executor_type = boost::asio::any_io_executor;

    Device() = default;
    Device(Device &&) noexcept = default;
    Device &operator=(Device &&) noexcept;
    Device(const Device &) = delete;
    Device &operator=(const Device &) = delete;
    ~Device();  // closes

    executor_type get_executor() const;

    // One frame: every channel (+ the device flags when the protocol reads them cheaply).
    // Broadcast: the cached latest (waiting for the first one if none yet), or the next one when
    // wait_fresh. Request/response: a coalesced read (wait_fresh is a no-op).
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

    // The device's flags and state fields (ANYSERIAL_OP_READ_STATUS).
    template <class Token>
    auto async_read_status(Timeout t, Token &&token) {
        return init<DeviceStatus>(token, [t](auto s, auto h) {
            detail::start_read_status(std::move(s), t, std::move(h));
        });
    }
    template <class Token>
    auto async_read_status(Token &&token) {
        return async_read_status(Timeout{}, std::forward<Token>(token));
    }

    // Runs a declared command. Gates before any byte: a state-changing or destructive
    // command without confirm fails with ConfirmationRequiredError; an undeclared command
    // with CapabilityError; arguments that do not match the declaration (count, type,
    // range, choices, length) with ValidationError naming the argument.
    template <class Token>
    auto async_command(std::string id, std::vector<ArgValue> args, bool confirm, Timeout t,
                       Token &&token) {
        return init<CommandResult>(token, [id = std::move(id), args = std::move(args), confirm, t](
                                              auto s, auto h) mutable {
            detail::start_command(std::move(s), std::move(id), std::move(args), confirm, t,
                                  std::move(h));
        });
    }
    template <class Token>
    auto async_command(std::string id, std::vector<ArgValue> args, bool confirm, Token &&token) {
        return async_command(std::move(id), std::move(args), confirm, Timeout{},
                             std::forward<Token>(token));
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

    std::uint64_t dropped_frames() const noexcept;    // bad frames (checksum/structure)
    const std::string &protocol_id() const noexcept;  // the plugin id in use
    const std::string &mode() const noexcept;         // its mode within its family
    const std::string &family() const noexcept;
    std::uint32_t capabilities() const noexcept;  // ANYSERIAL_PCAP_* this device offers
    // What the protocol declared: flags, commands, address syntax; the session's channel
    // table as known now (after identify, or the first frame of a broadcaster).
    const std::shared_ptr<const FlagTable> &flag_table() const noexcept;
    const std::vector<CommandInfo> &commands() const noexcept;
    const AddressSyntax &address_syntax() const noexcept;
    std::vector<ChannelInfo> channels() const;
    bool broadcast() const noexcept;  // traffic kind
    const std::string &port() const noexcept;
    const std::string &address() const noexcept;                  // canonical text, "" when none
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
    // DeviceError(errc::validation) before anything starts. The device must outlive it.
    record::StreamingSession stream(std::optional<record::StreamMode> mode = std::nullopt,
                                    std::optional<double> rate_hz = std::nullopt,
                                    std::size_t capacity = 256);

    // The port under the session (diagnostics, the mock backend's fault injection); null
    // when there is none. Use it from the device's executor; never read or write it.
    const SerialPort *serial_port() const noexcept;

  private:
    friend struct detail::DeviceImpl;  // hands out the handle when an open completes
    explicit Device(std::shared_ptr<detail::DeviceImpl> impl) : impl_(std::move(impl)) {}

    template <class... T, class Token, class Start>
    auto init(Token &token, Start start) {
        return boost::asio::async_initiate<Token, void(detail::ec_t, T...)>(
            [](auto h, std::shared_ptr<detail::DeviceImpl> s, Start st) {
                st(std::move(s), detail::Handler<T...>(std::move(h)));
            },
            token, impl_, std::move(start));
    }

    std::shared_ptr<detail::DeviceImpl> impl_;
};

// Opens `port`, resolves the protocol (AUTO: the ladder over the family's loaded protocol
// plugins) and optionally identifies. Completes with (error_code, Device).
template <class Token>
auto async_open_device(boost::asio::any_io_executor ex, PluginHost &host, std::string port,
                       DeviceOptions options, Token &&token) {
    return boost::asio::async_initiate<Token, void(detail::ec_t, Device)>(
        [](auto h, boost::asio::any_io_executor e, PluginHost *hp, std::string p, DeviceOptions o) {
            detail::start_open(std::move(e), *hp, std::move(p), std::move(o),
                               detail::Handler<Device>(std::move(h)));
        },
        token, std::move(ex), &host, std::move(port), std::move(options));
}

}  // namespace anyserial::device

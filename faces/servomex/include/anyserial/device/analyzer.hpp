// anyserial — device::Analyzer: the Servomex 4100 face of the generic device session
// (seed 004's analyser API, docs/api.md), written against device::Device alone.
//
//     auto [ec, anz] = co_await device::async_open_analyzer(
//         ex, host, "/dev/ttyUSB0", {.protocol = protocol_option(ProtocolKind::modbus_rtu)},
//         asio::as_tuple(asio::use_awaitable));
//     auto [ec2, st] = co_await anz.async_status("I1", asio::as_tuple(asio::use_awaitable));
//     auto [ec3] = co_await anz.async_start_calibration(1, /*confirm=*/true, ...);
//
// Every operation keeps Device's completion-token shape and errors (device::errc codes;
// the full DeviceError in last_error()). The calibration operations run the declared
// commands calibration.start / calibration.stop / calibration.status, so the session's
// gates apply before any byte: ConfirmationRequiredError without confirm, CapabilityError
// on the continuous mode (it declares no command), ValidationError for a group outside
// 1..cal-group count.
#pragma once

#include <anyserial/device/servomex.hpp>
#include <anyserial/device/session.hpp>
#include <boost/asio/compose.hpp>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace anyserial::device {

class Analyzer;

namespace detail {
// Runs start(self) (one Device operation completing into self), then completes the
// caller's token with map(ec, values...) as R. map may set ec (then R{} is passed on).
template <class R, class Token, class Start, class Map>
auto compose_face(Device &dev, Token &&token, Start start, Map map) {
    return boost::asio::async_compose<Token, void(ec_t, R)>(
        [start = std::move(start), map = std::move(map)](auto &self, auto &&...v) mutable {
            if constexpr (sizeof...(v) == 0) {
                start(self);  // by reference: moving self moves start (and its captures)
            } else {
                [&](ec_t ec, auto &&...rest) {
                    if (ec) {
                        self.complete(ec, R{});
                        return;
                    }
                    R out = map(ec, std::forward<decltype(rest)>(rest)...);
                    self.complete(ec, std::move(out));
                }(std::forward<decltype(v)>(v)...);
            }
        },
        token, dev);
}
// As compose_face for an operation that completes with the code alone.
template <class Token, class Start>
auto compose_face_void(Device &dev, Token &&token, Start start) {
    return boost::asio::async_compose<Token, void(ec_t)>(
        [start = std::move(start)](auto &self, auto &&...v) mutable {
            if constexpr (sizeof...(v) == 0) {
                start(self);  // by reference: moving self moves start (and its captures)
            } else {
                [&](ec_t ec, auto &&...) { self.complete(ec); }(std::forward<decltype(v)>(v)...);
            }
        },
        token, dev);
}
// A malformed calibration.status result: errc::frame with the reason and `ctx`, kept in
// `slot` (the face's last error).
ec_t face_error(std::exception_ptr &slot, const ErrorContext &ctx, const std::string &why);
// The port, protocol and address of `dev`, for a face error.
ErrorContext context_of(const Device &dev);
}  // namespace detail

class Analyzer {
  public:
    using executor_type = Device::executor_type;

    Analyzer() = default;
    explicit Analyzer(Device &&device) noexcept : dev_(std::move(device)) {}
    Analyzer(Analyzer &&) noexcept = default;
    Analyzer &operator=(Analyzer &&) noexcept = default;

    // The generic session under the face (commands, channel table, flags, ...).
    Device &device() noexcept { return dev_; }
    const Device &device() const noexcept { return dev_; }
    executor_type get_executor() const { return dev_.get_executor(); }

    template <class Token>
    auto async_poll(bool wait_fresh, Timeout t, Token &&token) {
        return dev_.async_poll(wait_fresh, t, std::forward<Token>(token));
    }
    template <class Token>
    auto async_poll(bool wait_fresh, Token &&token) {
        return dev_.async_poll(wait_fresh, std::forward<Token>(token));
    }
    template <class Token>
    auto async_read_channel(std::string id, Timeout t, Token &&token) {
        return dev_.async_read_channel(std::move(id), t, std::forward<Token>(token));
    }
    template <class Token>
    auto async_read_channel(std::string id, Token &&token) {
        return dev_.async_read_channel(std::move(id), std::forward<Token>(token));
    }
    template <class Token>
    auto async_read_all(Timeout t, Token &&token) {
        return dev_.async_read_all(t, std::forward<Token>(token));
    }
    template <class Token>
    auto async_read_all(Token &&token) {
        return dev_.async_read_all(std::forward<Token>(token));
    }
    template <class Token>
    auto async_identify(Timeout t, Token &&token) {
        return dev_.async_identify(t, std::forward<Token>(token));
    }
    template <class Token>
    auto async_identify(Token &&token) {
        return dev_.async_identify(std::forward<Token>(token));
    }
    template <class Token>
    auto async_poll_samples(Timeout t, Token &&token) {
        return dev_.async_poll_samples(t, std::forward<Token>(token));
    }

    // The status flags of one channel (read with the channel).
    template <class Token>
    auto async_status(std::string id, Timeout t, Token &&token) {
        return detail::compose_face<ChannelStatus>(
            dev_, token,
            [this, id = std::move(id), t](auto &self) mutable {
                clear_face_error();
                dev_.async_read_channel(std::move(id), t, std::move(self));
            },
            [](detail::ec_t &, Reading r) { return channel_status_of(r.flags); });
    }
    template <class Token>
    auto async_status(std::string id, Token &&token) {
        return async_status(std::move(id), Timeout{}, std::forward<Token>(token));
    }

    // The analyser's fault/maintenance flags, cal-groups and clock.
    template <class Token>
    auto async_analyser_status(Timeout t, Token &&token) {
        return detail::compose_face<AnalyserStatus>(
            dev_, token,
            [this, t](auto &self) {
                clear_face_error();
                dev_.async_read_status(t, std::move(self));
            },
            [](detail::ec_t &, DeviceStatus s) { return analyser_status_of(s); });
    }
    template <class Token>
    auto async_analyser_status(Token &&token) {
        return async_analyser_status(Timeout{}, std::forward<Token>(token));
    }

    // State-changing: refused with ConfirmationRequiredError unless confirm is true.
    template <class Token>
    auto async_start_calibration(int group, bool confirm, Timeout t, Token &&token) {
        return detail::compose_face_void(dev_, token, [this, group, confirm, t](auto &self) {
            clear_face_error();
            dev_.async_command(std::string(servomex::calibration_start),
                               {ArgValue::of_integer(group)}, confirm, t, std::move(self));
        });
    }
    template <class Token>
    auto async_start_calibration(int group, bool confirm, Token &&token) {
        return async_start_calibration(group, confirm, Timeout{}, std::forward<Token>(token));
    }
    template <class Token>
    auto async_stop_calibration(bool confirm, Timeout t, Token &&token) {
        return detail::compose_face_void(dev_, token, [this, confirm, t](auto &self) {
            clear_face_error();
            dev_.async_command(std::string(servomex::calibration_stop), {}, confirm, t,
                               std::move(self));
        });
    }
    template <class Token>
    auto async_stop_calibration(bool confirm, Token &&token) {
        return async_stop_calibration(confirm, Timeout{}, std::forward<Token>(token));
    }
    template <class Token>
    auto async_calibration_status(int group, Timeout t, Token &&token) {
        clear_face_error();
        return detail::compose_face<CalibrationProgress>(
            dev_, token,
            [this, group, t](auto &self) {
                clear_face_error();
                dev_.async_command(std::string(servomex::calibration_status),
                                   {ArgValue::of_integer(group)}, false, t, std::move(self));
            },
            // Runs after the command: holds the error slot and the context, never `this`
            // (the Analyzer may have been moved meanwhile).
            [slot = face_error_, ctx = detail::context_of(dev_)](detail::ec_t &ec,
                                                                 CommandResult r) {
                std::string why;
                auto p = calibration_progress_of(r, why);
                if (!p) {
                    ec = detail::face_error(*slot, ctx, why);
                    return CalibrationProgress{};
                }
                return *p;
            });
    }
    template <class Token>
    auto async_calibration_status(int group, Token &&token) {
        return async_calibration_status(group, Timeout{}, std::forward<Token>(token));
    }

    std::optional<Frame> snapshot() const { return dev_.snapshot(); }
    const std::optional<DeviceInfo> &info() const noexcept { return dev_.info(); }
    Subscription subscribe(std::size_t capacity = 256) { return dev_.subscribe(capacity); }
    record::StreamingSession stream(std::optional<record::StreamMode> mode = std::nullopt,
                                    std::optional<double> rate_hz = std::nullopt,
                                    std::size_t capacity = 256);
    std::uint64_t dropped_frames() const noexcept { return dev_.dropped_frames(); }
    // The Servomex mode in use (auto_detect for a protocol outside the family).
    ProtocolKind protocol() const noexcept;
    const std::string &protocol_id() const noexcept { return dev_.protocol_id(); }
    std::uint32_t capabilities() const noexcept { return dev_.capabilities(); }
    bool broadcast() const noexcept { return dev_.broadcast(); }
    const std::string &port() const noexcept { return dev_.port(); }
    const std::string &address() const noexcept { return dev_.address(); }
    const std::vector<ProbeAttempt> &detection() const noexcept { return dev_.detection(); }
    // The last failure: the face's own (a malformed calibration.status result), else the
    // session's.
    std::exception_ptr last_error() const noexcept {
        return face_error_ && *face_error_ ? *face_error_ : dev_.last_error();
    }
    [[noreturn]] void throw_last_error() const;
    bool is_open() const noexcept { return dev_.is_open(); }
    void close() noexcept { dev_.close(); }
    bool shared() const noexcept { return dev_.shared(); }

  private:
    // Every operation starts with a clear face error (a moved-from Analyzer gets a slot).
    void clear_face_error() {
        if (!face_error_) face_error_ = std::make_shared<std::exception_ptr>();
        *face_error_ = nullptr;
    }

    Device dev_;
    std::shared_ptr<std::exception_ptr> face_error_ = std::make_shared<std::exception_ptr>();
};

// Opens `port` as a Servomex analyser: options.protocol "auto" (the default) runs AUTO over
// the servomex-4100 family; anything else is passed on (protocol_option(kind)).
// Completes with (error_code, Analyzer); a failed Analyzer's last_error() says why.
template <class Token>
auto async_open_analyzer(boost::asio::any_io_executor ex, PluginHost &host, std::string port,
                         DeviceOptions options, Token &&token) {
    if (options.protocol == "auto" && options.family.empty())
        options.family = std::string(servomex::family);
    return boost::asio::async_compose<Token, void(detail::ec_t, Analyzer)>(
        [ex, hp = &host, port = std::move(port), options = std::move(options)](
            auto &self, auto &&...v) mutable {
            if constexpr (sizeof...(v) == 0) {
                async_open_device(ex, *hp, std::move(port), std::move(options), std::move(self));
            } else {
                [&](detail::ec_t ec, Device d) {
                    self.complete(ec, Analyzer(std::move(d)));
                }(std::forward<decltype(v)>(v)...);
            }
        },
        token, ex);
}

}  // namespace anyserial::device

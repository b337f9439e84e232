// anyserial — PollSource: what the recorder needs from whatever it polls.
//
// Anything with
//     src.async_poll_samples(const std::vector<std::string>& names,
//                            std::optional<std::chrono::nanoseconds> timeout, token)
// or, for a single device that has no device names,
//     src.async_poll_samples(std::optional<std::chrono::nanoseconds> timeout, token)
// completing with (boost::system::error_code, std::vector<device::Sample>) can be wrapped:
// a device::Device, a Manager, or a test fake. PollSource is a cheap copyable handle; it either
// refers to a source the caller keeps alive (`PollSource::ref`) or shares ownership of one.
#pragma once

#include <anyserial/device/errors.hpp>
#include <anyserial/device/models.hpp>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <concepts>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace anyserial::record {

using device::Sample;
using Batch = std::vector<Sample>;
using PollTimeout = std::optional<std::chrono::nanoseconds>;

class PollSource {
  public:
    using Handler = boost::asio::any_completion_handler<void(boost::system::error_code, Batch)>;

    PollSource() = default;

    // Non-owning: `src` must outlive every poll made through this handle.
    template <class Source>
    static PollSource ref(Source &src) {
        return PollSource(std::make_shared<Model<Source *>>(&src));
    }
    // Shared ownership.
    template <class Source>
    static PollSource shared(std::shared_ptr<Source> src) {
        return PollSource(std::make_shared<Model<std::shared_ptr<Source>>>(std::move(src)));
    }

    explicit operator bool() const noexcept { return impl_ != nullptr; }

    // The source's protocol plugin id when it has one (a Device's `protocol_id()`), for
    // the error row of a tick that failed; nullopt for a Manager or a source without it.
    std::optional<std::string> protocol() const { return impl_ ? impl_->protocol() : std::nullopt; }

    // Why the source's last poll failed, naming the port and the cause (a Device's
    // last_error(), without the error category's name); `ec`'s message for a source that
    // keeps no error.
    std::string failure(const boost::system::error_code &ec) const {
        std::exception_ptr e = impl_ ? impl_->last_error() : nullptr;
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const device::DeviceError &d) {
                const std::string where = d.context().describe();
                return where.empty() ? d.message() : d.message() + " [" + where + "]";
            } catch (...) {
            }
        }
        return ec.message();
    }

    template <class Token>
    auto async_poll_samples(const std::vector<std::string> &names, PollTimeout timeout,
                            Token &&token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, Batch)>(
            [impl = impl_](auto handler, const std::vector<std::string> &n, PollTimeout t) {
                impl->start(n, t, Handler(std::move(handler)));
            },
            token, std::cref(names), timeout);
    }

  private:
    struct Concept {
        virtual ~Concept() = default;
        virtual void start(const std::vector<std::string> &names, PollTimeout timeout,
                           Handler handler) = 0;
        virtual std::optional<std::string> protocol() const = 0;
        virtual std::exception_ptr last_error() const = 0;
    };
    template <class Ptr>
    struct Model final : Concept {
        explicit Model(Ptr p) : ptr(std::move(p)) {}
        void start(const std::vector<std::string> &names, PollTimeout timeout,
                   Handler handler) override {
            auto &src = *ptr;
            if constexpr (requires {
                              src.async_poll_samples(names, timeout, std::move(handler));
                          }) {
                src.async_poll_samples(names, timeout, std::move(handler));
            } else {
                src.async_poll_samples(timeout, std::move(handler));
            }
        }
        std::optional<std::string> protocol() const override {
            const auto &src = *ptr;
            if constexpr (requires {
                              { src.protocol_id() } -> std::convertible_to<std::string>;
                          }) {
                return std::string(src.protocol_id());
            } else {
                return std::nullopt;
            }
        }
        std::exception_ptr last_error() const override {
            const auto &src = *ptr;
            if constexpr (requires {
                              { src.last_error() } -> std::convertible_to<std::exception_ptr>;
                          }) {
                return src.last_error();
            } else {
                return nullptr;
            }
        }
        Ptr ptr;
    };
    explicit PollSource(std::shared_ptr<Concept> impl) : impl_(std::move(impl)) {}

    std::shared_ptr<Concept> impl_;
};

}  // namespace anyserial::record

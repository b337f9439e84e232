// anyserial — a composable timeout for any asynchronous operation (seed §21: no timeout
// parameter on every call). Wrap the completion token:
//
//     port.async_read_some(buf, anyserial::with_timeout(500ms, handler));
//     auto [ec, n] = co_await port.async_read_some(
//         buf, anyserial::with_timeout(500ms, asio::as_tuple(asio::use_awaitable)));
//
// When the timer wins, the operation is cancelled through its cancellation slot (terminal)
// and completes with errc::timeout instead of operation_aborted. An operation that
// completed anyway (data raced the timer) keeps its own result. The timer runs on the
// operation's I/O executor, or on the executor given to with_timeout(ex, d, token).
#pragma once

#include <anyserial/errors.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace anyserial {

template <class Token>
struct timeout_token {
    std::chrono::nanoseconds duration;
    std::optional<boost::asio::any_io_executor> executor;
    Token token;
};

template <class Token>
auto with_timeout(std::chrono::nanoseconds d, Token &&token) {
    return timeout_token<std::decay_t<Token>>{d, std::nullopt, std::forward<Token>(token)};
}
template <class Token>
auto with_timeout(boost::asio::any_io_executor ex, std::chrono::nanoseconds d, Token &&token) {
    return timeout_token<std::decay_t<Token>>{d, std::move(ex), std::forward<Token>(token)};
}

namespace detail {

struct TimeoutState {
    explicit TimeoutState(const boost::asio::any_io_executor &ex) : timer(ex) {}
    boost::asio::steady_timer timer;
    boost::asio::cancellation_signal signal;
    bool timed_out = false;
};

template <class Handler>
struct TimeoutHandler {
    Handler handler;
    std::shared_ptr<TimeoutState> state;

    template <class... Args>
    void operator()(Args &&...args) {
        state->timer.cancel();
        call(std::forward<Args>(args)...);
    }

  private:
    template <class First, class... Rest>
    void call(First &&first, Rest &&...rest) {
        using F = std::decay_t<First>;
        if constexpr (std::is_same_v<F, boost::system::error_code> ||
                      std::is_same_v<F, std::error_code>) {
            if (state->timed_out && first == boost::asio::error::operation_aborted) {
                std::move(handler)(F(make_error_code(errc::timeout)), std::forward<Rest>(rest)...);
                return;
            }
        }
        std::move(handler)(std::forward<First>(first), std::forward<Rest>(rest)...);
    }
    void call() { std::move(handler)(); }
};

// The initiation's I/O executor when it exposes one (Asio's and anyserial's do); an
// empty executor otherwise, in which case with_timeout(ex, d, token) must be used.
template <class Init>
auto io_executor_of(const Init &init, int)
    -> decltype(boost::asio::any_io_executor(init.get_executor())) {
    return init.get_executor();
}
template <class Init>
boost::asio::any_io_executor io_executor_of(const Init &, long) {
    return {};
}

}  // namespace detail
}  // namespace anyserial

template <class Token, class... Signatures>
struct boost::asio::async_result<anyserial::timeout_token<Token>, Signatures...> {
    template <class Initiation, class RawToken, class... Args>
    static auto initiate(Initiation &&init, RawToken &&t, Args &&...args) {
        boost::asio::any_io_executor ex =
            t.executor ? *t.executor : anyserial::detail::io_executor_of(init, 0);
        auto d = t.duration;
        return boost::asio::async_initiate<Token, Signatures...>(
            [ex, d](auto handler, auto init2, auto &&...args2) {
                auto state = std::make_shared<anyserial::detail::TimeoutState>(ex);
                state->timer.expires_after(d);
                state->timer.async_wait([state](boost::system::error_code ec) {
                    if (ec) return;
                    state->timed_out = true;
                    state->signal.emit(boost::asio::cancellation_type::terminal);
                });
                auto work_ex = boost::asio::get_associated_executor(handler, ex);
                auto slot = state->signal.slot();
                std::move(init2)(
                    boost::asio::bind_cancellation_slot(
                        slot,
                        boost::asio::bind_executor(
                            work_ex,
                            anyserial::detail::TimeoutHandler<std::decay_t<decltype(handler)>>{
                                std::move(handler), state})),
                    std::forward<decltype(args2)>(args2)...);
            },
            t.token, std::forward<Initiation>(init), std::forward<Args>(args)...);
    }
};

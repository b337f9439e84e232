// anyserial — the recorder's notion of time, injectable so schedules are testable.
//
// A Clock gives a monotonic `now()`, the matching wall-clock time, and Timers that
// complete at an absolute monotonic deadline. steady_clock_source() is the real one
// (Asio steady_timer); ManualClock only moves when a test calls advance()/advance_to(),
// so drift and lateness are checked deterministically, never against the wall clock.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <list>
#include <memory>
#include <optional>

namespace anyserial::record {

using SteadyClock = std::chrono::steady_clock;
using WallClock = std::chrono::system_clock;

// One waitable deadline. Not thread-safe: used on its executor only.
class Timer {
  public:
    using Handler = boost::asio::any_completion_handler<void(boost::system::error_code)>;
    virtual ~Timer() = default;

    // Completes with success at or after `deadline`, or operation_aborted after cancel().
    // One wait at a time.
    template <class Token>
    auto async_wait_until(SteadyClock::time_point deadline, Token &&token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
            [this](auto handler, SteadyClock::time_point d) {
                start_wait(d, Handler(std::move(handler)));
            },
            token, deadline);
    }
    virtual void cancel() = 0;

  protected:
    virtual void start_wait(SteadyClock::time_point deadline, Handler handler) = 0;
};

class Clock {
  public:
    virtual ~Clock() = default;
    virtual SteadyClock::time_point now() const = 0;
    // The wall-clock time that corresponds to now() (for started_at / finished_at).
    virtual WallClock::time_point wall_now() const = 0;
    virtual std::unique_ptr<Timer> make_timer(boost::asio::any_io_executor ex) = 0;
};

// The real clock: std::chrono::steady_clock + Asio steady_timer. A process-wide singleton.
Clock &steady_clock_source();

// A clock that only advances when told to. Waiters whose deadline is reached are
// completed by posting to their timer's executor, in deadline order. It must outlive
// the io_context whose handlers hold its timers.
class ManualClock final : public Clock {
  public:
    explicit ManualClock(WallClock::time_point wall_epoch = WallClock::time_point{});
    ~ManualClock() override;

    SteadyClock::time_point now() const override { return now_; }
    WallClock::time_point wall_now() const override;
    std::unique_ptr<Timer> make_timer(boost::asio::any_io_executor ex) override;

    void advance(SteadyClock::duration d);
    void advance_to(SteadyClock::time_point t);
    // The earliest pending deadline, if any timer is waiting.
    std::optional<SteadyClock::time_point> next_deadline() const;
    std::size_t pending() const noexcept { return waiters_.size(); }

  private:
    class ManualTimer;
    struct Waiter {
        ManualTimer *timer;
        SteadyClock::time_point deadline;
        Timer::Handler handler;
    };
    void add(ManualTimer *timer, SteadyClock::time_point deadline, Timer::Handler handler);
    void remove(ManualTimer *timer, bool aborted);

    SteadyClock::time_point now_{};
    WallClock::time_point wall_epoch_;
    // A list: Boost 1.81's any_completion_handler must never be move-assigned.
    std::list<Waiter> waiters_;
};

}  // namespace anyserial::record

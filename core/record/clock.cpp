// anyserial — real and manual clocks for the recorder.
#include <algorithm>
#include <anyserial/record/clock.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace anyserial::record {

namespace {

class AsioTimer final : public Timer {
  public:
    explicit AsioTimer(boost::asio::any_io_executor ex) : timer_(std::move(ex)) {}
    void cancel() override { timer_.cancel(); }

  protected:
    void start_wait(SteadyClock::time_point deadline, Handler handler) override {
        timer_.expires_at(deadline);
        timer_.async_wait(std::move(handler));
    }

  private:
    boost::asio::steady_timer timer_;
};

class SteadySource final : public Clock {
  public:
    SteadyClock::time_point now() const override { return SteadyClock::now(); }
    WallClock::time_point wall_now() const override { return WallClock::now(); }
    std::unique_ptr<Timer> make_timer(boost::asio::any_io_executor ex) override {
        return std::make_unique<AsioTimer>(std::move(ex));
    }
};

}  // namespace

Clock &steady_clock_source() {
    static SteadySource source;
    return source;
}

class ManualClock::ManualTimer final : public Timer {
  public:
    ManualTimer(ManualClock &clock, boost::asio::any_io_executor ex)
        : clock_(clock), ex_(std::move(ex)) {}
    ~ManualTimer() override { clock_.remove(this, true); }
    void cancel() override { clock_.remove(this, true); }
    const boost::asio::any_io_executor &executor() const { return ex_; }

  protected:
    void start_wait(SteadyClock::time_point deadline, Handler handler) override {
        clock_.add(this, deadline, std::move(handler));
    }

  private:
    ManualClock &clock_;
    boost::asio::any_io_executor ex_;
};

ManualClock::ManualClock(WallClock::time_point wall_epoch) : wall_epoch_(wall_epoch) {}

ManualClock::~ManualClock() = default;

WallClock::time_point ManualClock::wall_now() const {
    return wall_epoch_ +
           std::chrono::duration_cast<WallClock::duration>(now_ - SteadyClock::time_point{});
}

std::unique_ptr<Timer> ManualClock::make_timer(boost::asio::any_io_executor ex) {
    return std::make_unique<ManualTimer>(*this, std::move(ex));
}

void ManualClock::add(ManualTimer *timer, SteadyClock::time_point deadline,
                      Timer::Handler handler) {
    if (deadline <= now_) {
        boost::asio::post(timer->executor(),
                          boost::asio::append(std::move(handler), boost::system::error_code{}));
        return;
    }
    waiters_.emplace_back(Waiter{timer, deadline, std::move(handler)});
}

void ManualClock::remove(ManualTimer *timer, bool aborted) {
    for (auto it = waiters_.begin(); it != waiters_.end();) {
        if (it->timer == timer) {
            Timer::Handler h = std::move(it->handler);
            auto ex = timer->executor();
            it = waiters_.erase(it);
            if (aborted) {
                boost::asio::post(
                    ex, boost::asio::append(
                            std::move(h),
                            boost::system::error_code(boost::asio::error::operation_aborted)));
            }
        } else {
            ++it;
        }
    }
}

void ManualClock::advance(SteadyClock::duration d) {
    advance_to(now_ + d);
}

void ManualClock::advance_to(SteadyClock::time_point t) {
    if (t > now_) now_ = t;
    // Fire due waiters in deadline order (FIFO for equal deadlines).
    std::list<Waiter> fired;
    for (;;) {
        auto first = waiters_.end();
        for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
            if (it->deadline <= now_ &&
                (first == waiters_.end() || it->deadline < first->deadline)) {
                first = it;
            }
        }
        if (first == waiters_.end()) break;
        fired.splice(fired.end(), waiters_, first);
    }
    for (auto &w : fired) {
        boost::asio::post(w.timer->executor(),
                          boost::asio::append(std::move(w.handler), boost::system::error_code{}));
    }
}

std::optional<SteadyClock::time_point> ManualClock::next_deadline() const {
    if (waiters_.empty()) return std::nullopt;
    auto it =
        std::min_element(waiters_.begin(), waiters_.end(),
                         [](const Waiter &a, const Waiter &b) { return a.deadline < b.deadline; });
    return it->deadline;
}

}  // namespace anyserial::record

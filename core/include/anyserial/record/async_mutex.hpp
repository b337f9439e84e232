// anyserial — a FIFO async mutex for one executor (no thread, no blocking): the Manager's
// per-port lock that serialises devices sharing one bus.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <deque>

namespace anyserial::record {

class AsyncMutex {
  public:
    explicit AsyncMutex(boost::asio::any_io_executor ex) : ex_(std::move(ex)) {}

    // Completes once the caller holds the lock; call unlock() when done.
    template <class Token>
    auto async_lock(Token &&token) {
        return boost::asio::async_initiate<Token, void()>(
            [this](auto handler) {
                if (!locked_) {
                    locked_ = true;
                    boost::asio::post(ex_, std::move(handler));
                } else {
                    waiters_.emplace_back(std::move(handler));  // never move-assigned
                }
            },
            token);
    }
    void unlock() {
        if (waiters_.empty()) {
            locked_ = false;
            return;
        }
        auto next = std::move(waiters_.front());
        waiters_.pop_front();
        boost::asio::post(ex_, std::move(next));  // ownership passes on, FIFO
    }
    bool locked() const noexcept { return locked_; }

  private:
    boost::asio::any_io_executor ex_;
    bool locked_ = false;
    std::deque<boost::asio::any_completion_handler<void()>> waiters_;
};

}  // namespace anyserial::record

// anyserial — the one background io_context thread shared by every sync facade object.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <memory>
#include <thread>
#include <type_traits>

namespace anyserial::sync::detail {

class SharedLoop {
  public:
    // The running loop, started by the first user; it stops when the last user lets go.
    static std::shared_ptr<SharedLoop> acquire();
    static std::size_t users() noexcept;

    SharedLoop();
    ~SharedLoop();
    SharedLoop(const SharedLoop &) = delete;
    SharedLoop &operator=(const SharedLoop &) = delete;

    boost::asio::io_context &io() noexcept { return io_; }
    bool on_loop_thread() const noexcept { return std::this_thread::get_id() == thread_.get_id(); }

  private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::thread thread_;
};

// Runs f() on the loop thread (inline when already there) and returns its result, or
// rethrows what it threw: the sync facades' way to touch loop-owned state.
template <class F>
auto call_on_loop(SharedLoop &loop, F f) -> decltype(f()) {
    using R = decltype(f());
    if (loop.on_loop_thread()) return f();
    std::promise<R> p;
    auto fut = p.get_future();
    boost::asio::post(loop.io(), [&] {
        try {
            if constexpr (std::is_void_v<R>) {
                f();
                p.set_value();
            } else {
                p.set_value(f());
            }
        } catch (...) {
            p.set_exception(std::current_exception());
        }
    });
    return fut.get();
}

}  // namespace anyserial::sync::detail

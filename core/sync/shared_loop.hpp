// anyserial — the one background io_context thread shared by every sync facade object.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>

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

}  // namespace anyserial::sync::detail

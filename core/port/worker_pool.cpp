#include "port/worker_pool.hpp"

namespace anyserial::detail {

boost::asio::thread_pool &worker_pool() {
    static boost::asio::thread_pool pool(2);
    return pool;
}

boost::asio::execution_context::id BlockingJobs::id;

void BlockingJobs::begin() {
    std::lock_guard lock(mutex_);
    ++running_;
}

void BlockingJobs::end() noexcept {
    std::lock_guard lock(mutex_);
    if (--running_ == 0) idle_.notify_all();
}

void BlockingJobs::shutdown() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return running_ == 0; });
}

}  // namespace anyserial::detail

#include "delay_line.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

namespace anyserial::mock {

void DelayLine::set_latency(int fd, uint64_t ns) {
    std::lock_guard control(control_);
    std::unique_lock lock(mutex_);
    latency_ns_ = ns;
    fd_ = fd;
    update_engaged();
    if (ns > 0 && !running_) {
        if (thread_.joinable()) {  // a previous thread that already ended
            lock.unlock();
            thread_.join();
            lock.lock();
        }
        stop_ = false;
        running_ = true;
        thread_ = std::thread([this] { run(); });
    }
    cv_.notify_all();
}

bool DelayLine::push(std::span<const uint8_t> data, uint32_t &accepted) {
    std::lock_guard lock(mutex_);
    accepted = 0;
    if (!running_) return false;  // the thread ended with the queue empty: order is safe
    if (bytes_ >= capacity) return true;
    const std::size_t n = std::min(data.size(), capacity - bytes_);
    const auto due = clock::now() + std::chrono::nanoseconds(latency_ns_);
    queue_.push_back(Chunk{due, std::vector<uint8_t>(data.begin(), data.begin() + n), 0});
    bytes_ += n;
    update_engaged();
    cv_.notify_all();
    accepted = static_cast<uint32_t>(n);
    return true;
}

uint32_t DelayLine::held() const {
    std::lock_guard lock(mutex_);
    return static_cast<uint32_t>(bytes_);
}

void DelayLine::wait_empty() {
    std::unique_lock lock(mutex_);
    empty_cv_.wait(lock, [&] { return queue_.empty() || !running_; });
}

void DelayLine::drop() noexcept {
    std::lock_guard lock(mutex_);
    queue_.clear();
    bytes_ = 0;
    ++generation_;
    update_engaged();
    empty_cv_.notify_all();
}

void DelayLine::stop() noexcept {
    std::lock_guard control(control_);
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
        latency_ns_ = 0;
        cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
    drop();
}

void DelayLine::run() noexcept {
    std::unique_lock lock(mutex_);
    while (!stop_) {
        if (queue_.empty()) {
            if (latency_ns_ == 0) break;  // nothing held and no latency: the thread ends
            cv_.wait(lock);
            continue;
        }
        if (clock::now() < queue_.front().due) {
            cv_.wait_until(lock, queue_.front().due);
            continue;
        }
        Chunk chunk = std::move(queue_.front());
        queue_.pop_front();
        const uint64_t generation = generation_;
        const int fd = fd_;
        lock.unlock();
        const ssize_t r = ::send(fd, chunk.bytes.data() + chunk.offset,
                                 chunk.bytes.size() - chunk.offset, MSG_NOSIGNAL | MSG_DONTWAIT);
        const int err = errno;
        bool wait_writable = false;
        lock.lock();
        if (generation != generation_) continue;  // dropped meanwhile
        if (r > 0) {
            chunk.offset += static_cast<std::size_t>(r);
            bytes_ -= static_cast<std::size_t>(r);
        } else if (r < 0 && err != EAGAIN && err != EWOULDBLOCK && err != EINTR) {
            queue_.clear();  // the peer is gone: nothing can be delivered any more
            bytes_ = 0;
            chunk.offset = chunk.bytes.size();
        } else {
            wait_writable = r < 0 && err != EINTR;
        }
        if (chunk.offset < chunk.bytes.size()) queue_.push_front(std::move(chunk));
        update_engaged();
        if (queue_.empty()) empty_cv_.notify_all();
        if (wait_writable) {
            // The peer is not reading: wait (bounded, so stop() is noticed) for room.
            lock.unlock();
            pollfd p{fd, POLLOUT, 0};
            (void)::poll(&p, 1, 20);
            lock.lock();
        }
    }
    running_ = false;
    update_engaged();
    empty_cv_.notify_all();
}

}  // namespace anyserial::mock

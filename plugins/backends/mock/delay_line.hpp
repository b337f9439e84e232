// Added latency for the sync-fd mock: written bytes wait in a queue and a delivery thread
// sends them into the socket when due. The thread exists only while latency is set or
// bytes are still queued (fault mode only; the normal path has no thread and no queue).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

namespace anyserial::mock {

class DelayLine {
  public:
    static constexpr std::size_t capacity = 64 * 1024;  // bytes held at most

    DelayLine() = default;
    DelayLine(const DelayLine &) = delete;
    DelayLine &operator=(const DelayLine &) = delete;
    ~DelayLine() { stop(); }

    // Latency for later writes; 0 lets the thread end once the queue is delivered.
    void set_latency(int fd, uint64_t ns);
    // True while writes must go through the queue (to keep byte order).
    bool engaged() const noexcept { return engaged_.load(std::memory_order_acquire); }
    // Queue bytes, due after the latency: false when the line is idle (write directly);
    // otherwise n says how many were accepted (0 = full).
    bool push(std::span<const uint8_t> data, uint32_t &n);
    uint32_t held() const;
    // Block until every queued byte was delivered (or dropped).
    void wait_empty();
    // Forget queued bytes (disconnect).
    void drop() noexcept;
    // End the thread and forget queued bytes (close).
    void stop() noexcept;

  private:
    using clock = std::chrono::steady_clock;
    struct Chunk {
        clock::time_point due;
        std::vector<uint8_t> bytes;
        std::size_t offset = 0;
    };

    void run() noexcept;
    void update_engaged() noexcept { engaged_ = latency_ns_ > 0 || !queue_.empty(); }

    std::mutex control_;  // serialises set_latency/stop (thread start and join)
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::condition_variable empty_cv_;
    std::deque<Chunk> queue_;
    std::size_t bytes_ = 0;
    uint64_t generation_ = 0;  // bumped by drop() so an in-flight chunk is discarded
    uint64_t latency_ns_ = 0;
    int fd_ = -1;
    bool stop_ = false;
    bool running_ = false;
    std::atomic<bool> engaged_{false};
    std::thread thread_;
};

}  // namespace anyserial::mock

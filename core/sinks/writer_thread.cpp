// anyserial — SinkWriterThread: one thread that writes a sink's batches in order.
#include <anyserial/sinks/writer_thread.hpp>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

namespace anyserial::sinks {

namespace asio = boost::asio;

struct SinkWriterThread::State {
    Sink &sink;
    asio::any_io_executor ex;
    std::size_t capacity;

    mutable std::mutex m;
    std::condition_variable work;   // the writer waits for a batch or the end
    std::deque<Batch> queue;        // at most `capacity`
    bool writing = false;           // the writer holds a batch outside the queue
    bool closing = false;
    std::exception_ptr failure;     // the first write that threw; the writer stopped there
    std::optional<asio::any_completion_handler<void()>> waiter;  // the loop, for room or drain
    bool waiter_drains = false;     // what the waiter waits for
    std::uint64_t batches = 0, rows = 0;
    std::thread thread;

    State(Sink &s, asio::any_io_executor e, std::size_t c) : sink(s), ex(std::move(e)), capacity(c) {}

    // Under m: whether the loop's waiter may go on.
    bool ready_locked() const {
        if (failure) return true;
        return waiter_drains ? queue.empty() && !writing : queue.size() < capacity;
    }
    // Under m: hands the waiter back to the loop when its condition holds.
    void wake_locked() {
        if (waiter && ready_locked()) {
            asio::post(ex, std::move(*waiter));
            waiter.reset();
        }
    }
    void run() {
        std::unique_lock lock(m);
        for (;;) {
            work.wait(lock, [&] { return closing || !queue.empty(); });
            if (queue.empty() || failure) break;  // closing, and everything is written
            Batch b = std::move(queue.front());
            queue.pop_front();
            const std::size_t n = b.size();
            writing = true;
            lock.unlock();
            std::exception_ptr e;
            try {
                sink.write(b);
            } catch (...) {
                e = std::current_exception();
            }
            b = Batch{};  // freed here, not under the lock
            lock.lock();
            writing = false;
            if (e) {
                failure = e;
                queue.clear();
            } else {
                ++batches;
                rows += n;
            }
            wake_locked();
            if (failure) break;
        }
    }

    // Waits on the loop until ready_locked() holds (for room, or `drains`: for an empty queue).
    asio::awaitable<void> wait(bool drains) {
        co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
            [this, drains](auto handler) {
                std::lock_guard lock(m);
                waiter_drains = drains;
                waiter.emplace(std::move(handler));
                wake_locked();
            },
            asio::use_awaitable);
    }
};

SinkWriterThread::SinkWriterThread(Sink &sink, asio::any_io_executor ex, std::size_t capacity)
    : state_(std::make_shared<State>(sink, std::move(ex), capacity)) {
    if (capacity == 0) throw std::invalid_argument("SinkWriterThread: capacity must be >= 1");
    state_->thread = std::thread([s = state_.get()] { s->run(); });
}

SinkWriterThread::~SinkWriterThread() {
    finish();
}

void SinkWriterThread::finish() noexcept {
    {
        std::lock_guard lock(state_->m);
        state_->closing = true;
    }
    state_->work.notify_one();
    if (state_->thread.joinable()) state_->thread.join();
}

asio::awaitable<void> SinkWriterThread::push(Batch batch) {
    auto &s = *state_;
    for (;;) {
        {
            std::lock_guard lock(s.m);
            if (s.failure) std::rethrow_exception(s.failure);
            if (s.closing) throw std::logic_error("SinkWriterThread: push after finish");
            if (s.queue.size() < s.capacity) {
                s.queue.push_back(std::move(batch));
                s.work.notify_one();
                co_return;
            }
        }
        co_await s.wait(false);
    }
}

asio::awaitable<void> SinkWriterThread::drain() {
    auto &s = *state_;
    co_await s.wait(true);
    std::lock_guard lock(s.m);
    if (s.failure) std::rethrow_exception(s.failure);
}

std::uint64_t SinkWriterThread::batches_written() const {
    std::lock_guard lock(state_->m);
    return state_->batches;
}

std::uint64_t SinkWriterThread::rows_written() const {
    std::lock_guard lock(state_->m);
    return state_->rows;
}

}  // namespace anyserial::sinks

// anyserial — SinkWriterThread: one thread that writes a sink's batches in order.
//
// Built so that the loop thread — possibly SCHED_FIFO — is never held up by the writer:
// - the state is guarded by a priority-inheritance mutex: a writer preempted while holding
//   it is lifted to the loop's priority instead of making the loop wait a time slice;
// - the writer waits on a semaphore (lock-free to release), not on a condition variable
//   whose internal mutex the loop would share;
// - batches live in a ring allocated by the loop and are destroyed by the loop when their
//   slot is reused, so the writer never frees the loop's memory (glibc would take the loop
//   arena's lock);
// - the writer runs at normal priority (a thread inherits its creator's).
#include <anyserial/sinks/writer_thread.hpp>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <mutex>
#include <optional>
#include <semaphore>
#include <stdexcept>
#include <thread>

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#include <sched.h>
#endif

namespace anyserial::sinks {

namespace asio = boost::asio;

namespace {

#if defined(__unix__) || defined(__APPLE__)
class PiMutex {
  public:
    PiMutex() {
        pthread_mutexattr_t attr;
        ::pthread_mutexattr_init(&attr);
        ::pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT);
        ::pthread_mutex_init(&m_, &attr);
        ::pthread_mutexattr_destroy(&attr);
    }
    ~PiMutex() { ::pthread_mutex_destroy(&m_); }
    PiMutex(const PiMutex &) = delete;
    PiMutex &operator=(const PiMutex &) = delete;
    void lock() { ::pthread_mutex_lock(&m_); }
    void unlock() { ::pthread_mutex_unlock(&m_); }

  private:
    pthread_mutex_t m_;
};

void drop_realtime_priority() noexcept {
    int policy = 0;
    sched_param param{};
    if (::pthread_getschedparam(::pthread_self(), &policy, &param) == 0 && policy != SCHED_OTHER) {
        param.sched_priority = 0;
        (void)::pthread_setschedparam(::pthread_self(), SCHED_OTHER, &param);
    }
}
#else
using PiMutex = std::mutex;
void drop_realtime_priority() noexcept {}
#endif

using Waiter = asio::any_completion_handler<void()>;

}  // namespace

struct SinkWriterThread::State {
    Sink &sink;
    asio::any_io_executor ex;
    std::vector<Batch> ring;  // `capacity` slots; [head, head + count) wait for the writer

    mutable PiMutex m;
    std::counting_semaphore<> work{0};  // one release per pushed batch, one for the end
    std::size_t head = 0, count = 0;
    bool closing = false;
    std::exception_ptr failure;    // the first write that threw; the writer stopped there
    std::optional<Waiter> waiter;  // the loop, for room or drain
    bool waiter_drains = false;
    std::uint64_t batches = 0, rows = 0;
    std::thread thread;

    State(Sink &s, asio::any_io_executor e, std::size_t capacity)
        : sink(s), ex(std::move(e)), ring(capacity) {}

    // Under m: whether the loop's waiter may go on.
    bool ready_locked() const {
        if (failure) return true;
        return waiter_drains ? count == 0 : count < ring.size();
    }
    // Under m: the waiter to hand back to the loop (posted by the caller, after unlocking).
    std::optional<Waiter> take_waiter_locked() {
        std::optional<Waiter> w;
        if (waiter && ready_locked()) {
            w.emplace(std::move(*waiter));
            waiter.reset();
        }
        return w;
    }
    void resume(std::optional<Waiter> w) {
        if (w) asio::post(ex, std::move(*w));
    }

    void run() {
        drop_realtime_priority();
        for (;;) {
            work.acquire();
            std::size_t slot = 0;
            {
                std::lock_guard lock(m);
                if (count == 0 || failure) return;  // the end, and everything is written
                slot = head;                        // still counted: the loop leaves it alone
            }
            std::exception_ptr e;
            try {
                sink.write(ring[slot]);  // the loop does not touch a counted slot
            } catch (...) {
                e = std::current_exception();
            }
            std::optional<Waiter> w;
            {
                std::lock_guard lock(m);
                if (e) {
                    failure = e;
                } else {
                    ++batches;
                    rows += ring[slot].size();
                }
                head = (head + 1) % ring.size();
                --count;
                w = take_waiter_locked();
            }
            resume(std::move(w));
            if (e) return;
        }
    }

    // Waits on the loop until ready_locked() holds (for room, or `drains`: for an empty ring).
    asio::awaitable<void> wait(bool drains) {
        co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
            [this, drains](auto handler) {
                std::optional<Waiter> w;
                {
                    std::lock_guard lock(m);
                    waiter_drains = drains;
                    waiter.emplace(std::move(handler));
                    w = take_waiter_locked();
                }
                resume(std::move(w));
            },
            asio::use_awaitable);
    }
};

SinkWriterThread::SinkWriterThread(Sink &sink, asio::any_io_executor ex, std::size_t capacity) {
    if (capacity == 0) throw std::invalid_argument("SinkWriterThread: capacity must be >= 1");
    state_ = std::make_shared<State>(sink, std::move(ex), capacity);
    state_->thread = std::thread([s = state_.get()] { s->run(); });
}

SinkWriterThread::~SinkWriterThread() {
    finish();
}

void SinkWriterThread::finish() noexcept {
    if (!state_ || !state_->thread.joinable()) return;
    {
        std::lock_guard lock(state_->m);
        state_->closing = true;
    }
    state_->work.release();
    state_->thread.join();
}

asio::awaitable<void> SinkWriterThread::push(Batch batch) {
    auto &s = *state_;
    for (;;) {
        Batch spent;  // what the reused slot held: destroyed here, on the loop, unlocked
        {
            std::lock_guard lock(s.m);
            if (s.failure) std::rethrow_exception(s.failure);
            if (s.closing) throw std::logic_error("SinkWriterThread: push after finish");
            if (s.count < s.ring.size()) {
                Batch &slot = s.ring[(s.head + s.count) % s.ring.size()];
                spent = std::move(slot);
                slot = std::move(batch);
                ++s.count;
                s.work.release();
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

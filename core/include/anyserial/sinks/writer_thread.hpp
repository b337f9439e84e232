// anyserial — a sink written on a thread of its own, so a slow write (an fsync, a SQLite
// commit, a spool insert) never delays the loop that keeps the recorder's schedule.
//
// Opt-in (pump_to_sink's PumpOptions::writer_thread, CLI `record --sink-thread`): the
// thread is started by the constructor and joined by finish() or the destructor; nothing
// else runs on it. The loop hands batches over with push(), which completes at once while
// fewer than `capacity` batches wait, and otherwise when the writer has made room — meanwhile
// the recording's own queue (and its overflow policy) absorbs the ticks. The first write that
// throws ends the writer: push() and drain() rethrow that exception on the loop.
// The sink is opened before and flushed/closed after, on the loop, by the caller.
#pragma once

#include <anyserial/device/models.hpp>
#include <anyserial/sinks/sink.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace anyserial::sinks {

class SinkWriterThread {
  public:
    using Batch = std::vector<Sample>;

    // `sink` must outlive this object; completions run on `ex`. capacity >= 1.
    SinkWriterThread(Sink &sink, boost::asio::any_io_executor ex, std::size_t capacity = 4);
    ~SinkWriterThread();  // finish(): what was pushed is still written
    SinkWriterThread(const SinkWriterThread &) = delete;
    SinkWriterThread &operator=(const SinkWriterThread &) = delete;

    // Queues one batch for the writer; waits (on the loop, asynchronously) while `capacity`
    // batches are queued. Rethrows the writer's failure, if it had one.
    boost::asio::awaitable<void> push(Batch batch);
    // Completes when every pushed batch is written; rethrows the writer's failure.
    boost::asio::awaitable<void> drain();
    // Stops the thread after what is queued and joins it. Idempotent; called by the destructor.
    void finish() noexcept;

    // Batches and rows the sink has accepted so far (safe to read from any thread).
    std::uint64_t batches_written() const;
    std::uint64_t rows_written() const;

    struct State;

  private:
    std::shared_ptr<State> state_;
};

}  // namespace anyserial::sinks

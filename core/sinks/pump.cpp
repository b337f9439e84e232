#include <anyserial/errors.hpp>
#include <anyserial/sinks/pump.hpp>
#include <anyserial/sinks/writer_thread.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>

#include "log/logger.hpp"

namespace anyserial::sinks {

namespace {
// Closing after a failure: a second failure is logged, the first is the one reported.
void close_quietly(Sink &sink) noexcept {
    try {
        sink.close();
    } catch (const std::exception &e) {
        log::logger("anyserial.record")
            .error("{} (while closing after an earlier failure)", e.what());
    }
}

// Where batches go: the sink itself, on this loop, or its writer thread.
class Writer {
  public:
    Writer(Sink &sink, const record::Recording &recording, const PumpOptions &o, PumpResult &r)
        : sink_(sink), result_(r) {
        if (o.writer_thread) thread_.emplace(sink, recording.get_executor(), o.writer_capacity);
    }
    boost::asio::awaitable<void> write(record::Batch batch) {
        if (!thread_) {
            sink_.write(batch);
            ++result_.batches;
            result_.rows += batch.size();
            co_return;
        }
        try {
            co_await thread_->push(std::move(batch));
        } catch (...) {
            count();
            throw;
        }
        count();
    }
    // Every batch written (the writer thread joined), or the first write failure thrown.
    boost::asio::awaitable<void> drain() {
        if (!thread_) co_return;
        try {
            co_await thread_->drain();
        } catch (...) {
            stop();
            throw;
        }
        stop();
    }
    void stop() noexcept {
        if (!thread_) return;
        thread_->finish();
        count();
    }

  private:
    void count() {
        result_.batches = thread_->batches_written();
        result_.rows = thread_->rows_written();
    }
    Sink &sink_;
    PumpResult &result_;
    std::optional<SinkWriterThread> thread_;
};
}  // namespace

boost::asio::awaitable<PumpResult> pump_to_sink(record::Recording &recording, Sink &sink,
                                                PumpResult *progress, PumpOptions options) {
    PumpResult local;
    PumpResult &result = progress ? *progress : local;
    std::optional<Writer> writer_slot;
    try {
        writer_slot.emplace(sink, recording, options, result);  // a capacity of 0 throws
        sink.open();
    } catch (...) {
        recording.stop();
        throw;
    }
    Writer &writer = *writer_slot;
    for (;;) {
        auto [ec, batch] =
            co_await recording.async_next_batch(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec == errc::end_of_stream) break;
        if (ec) {
            std::exception_ptr sink_failure;
            try {
                co_await writer.drain();  // what was handed over is written before closing
            } catch (...) {
                sink_failure = std::current_exception();
            }
            close_quietly(sink);  // everything acquired before the failure is kept
            if (sink_failure) std::rethrow_exception(sink_failure);
            throw SerialError(std::error_code(ec), recording.error_message().empty()
                                                       ? "recording failed: " + ec.message()
                                                       : recording.error_message());
        }
        try {
            co_await writer.write(std::move(batch));
        } catch (const std::exception &e) {
            log::logger("anyserial.record").error("{}; stopping the recording", e.what());
            recording.stop();
            writer.stop();
            close_quietly(sink);  // the first failure is the one to report
            throw;
        }
    }
    try {
        co_await writer.drain();
    } catch (const std::exception &e) {
        log::logger("anyserial.record").error("{}", e.what());
        close_quietly(sink);
        throw;
    }
    sink.flush();
    sink.close();
    co_return result;
}

}  // namespace anyserial::sinks

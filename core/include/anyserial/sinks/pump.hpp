// anyserial — record_to_sink: pump a Recording's batches into a Sink until it ends.
//
// Opens the sink, writes every batch as it arrives, and on end of stream flushes and
// closes it. Call recording.stop() (e.g. from a SIGINT/SIGTERM signal_set) to end early:
// every batch acquired so far is still written before the pump completes.
// A sink failure stops the recording, closes the sink (what was written stays) and
// completes with the SinkError; a recording failure (e.g. a disconnect without
// auto_reconnect) flushes and closes the sink, then completes with a SerialError.
// `progress`, when given, counts the batches and rows written as they are: after a failure
// it still says what the sink holds.
// With PumpOptions::writer_thread the batches are written on a SinkWriterThread
// (writer_thread.hpp): the loop that keeps the schedule never waits for the sink; open,
// flush and close stay on the loop.
#pragma once

#include <anyserial/record/recorder.hpp>
#include <anyserial/sinks/sink.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <cstdint>

namespace anyserial::sinks {

struct PumpResult {
    std::uint64_t batches = 0;
    std::uint64_t rows = 0;
};

struct PumpOptions {
    bool writer_thread = false;       // write on a thread of its own (SinkWriterThread)
    std::size_t writer_capacity = 4;  // batches handed over and not yet written, >= 1
};

boost::asio::awaitable<PumpResult> pump_to_sink(record::Recording &recording, Sink &sink,
                                                PumpResult *progress = nullptr,
                                                PumpOptions options = {});

// Completes with (std::exception_ptr, PumpResult). Both arguments must outlive it.
template <class Token>
auto async_record_to_sink(record::Recording &recording, Sink &sink, Token &&token) {
    return boost::asio::co_spawn(recording.get_executor(), pump_to_sink(recording, sink),
                                 std::forward<Token>(token));
}
// The same, counting into `progress` (which must outlive it) as batches are written.
template <class Token>
auto async_record_to_sink(record::Recording &recording, Sink &sink, PumpResult &progress,
                          Token &&token) {
    return boost::asio::co_spawn(recording.get_executor(), pump_to_sink(recording, sink, &progress),
                                 std::forward<Token>(token));
}
// The same, with options (e.g. the writer thread).
template <class Token>
auto async_record_to_sink(record::Recording &recording, Sink &sink, PumpResult &progress,
                          PumpOptions options, Token &&token) {
    return boost::asio::co_spawn(recording.get_executor(),
                                 pump_to_sink(recording, sink, &progress, options),
                                 std::forward<Token>(token));
}

}  // namespace anyserial::sinks

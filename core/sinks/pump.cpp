#include <anyserial/errors.hpp>
#include <anyserial/sinks/pump.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

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
}  // namespace

boost::asio::awaitable<PumpResult> pump_to_sink(record::Recording &recording, Sink &sink,
                                                PumpResult *progress) {
    PumpResult local;
    PumpResult &result = progress ? *progress : local;
    try {
        sink.open();
    } catch (...) {
        recording.stop();
        throw;
    }
    for (;;) {
        auto [ec, batch] =
            co_await recording.async_next_batch(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec == errc::end_of_stream) break;
        if (ec) {
            close_quietly(sink);  // everything acquired before the failure is kept
            throw SerialError(std::error_code(ec), recording.error_message().empty()
                                                       ? "recording failed: " + ec.message()
                                                       : recording.error_message());
        }
        try {
            sink.write(batch);
        } catch (const std::exception &e) {
            log::logger("anyserial.record").error("{}; stopping the recording", e.what());
            recording.stop();
            close_quietly(sink);  // the first failure is the one to report
            throw;
        }
        ++result.batches;
        result.rows += batch.size();
    }
    sink.flush();
    sink.close();
    co_return result;
}

}  // namespace anyserial::sinks

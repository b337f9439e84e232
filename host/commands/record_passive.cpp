// anyserial record, frame by frame: every broadcast frame as it arrives is one batch
// (--passive, or a broadcasting device without --rate). Also the verb's shared reports.
#include <unistd.h>

#include <anyserial/sinks/writer_thread.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <ostream>
#include <utility>

#include "record_verb.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC 12 + Asio awaitable frames
#endif

namespace anyserial::cli::record_verb {

namespace asio = boost::asio;

// The library's recording errors start with "record: "; the CLI's prefix already says it.
std::string_view without_verb(std::string_view error) {
    constexpr std::string_view verb = "record: ";
    return error.substr(0, verb.size()) == verb ? error.substr(verb.size()) : error;
}

void report_delivery(anyserial::cli::Context &ctx, const SinkList &sinks,
                     boost::json::object *doc) {
    boost::json::array list;
    for (const auto *s : sinks) {
        const auto d = s->delivery();
        if (!d) continue;
        if (doc) {
            list.push_back({{"sink", s->describe()},
                            {"delivered", d->delivered},
                            {"spooled", d->spooled},
                            {"replayed", d->replayed},
                            {"pending", d->pending}});
        } else {
            ctx.out << s->describe() << ": " << d->delivered << " batches delivered, " << d->spooled
                    << " spooled, " << d->replayed << " replayed from an earlier run, "
                    << d->pending << " left in the spool\n";
        }
    }
    if (doc && !list.empty()) (*doc)["delivery"] = std::move(list);
}

asio::awaitable<void> record_passive(Context &ctx, const Options &o, dev::Device &anz,
                                     anyserial::sinks::Sink &sink,
                                     anyserial::cli::Interrupt &interrupt, Passive &r) {
    auto ex = co_await asio::this_coro::executor;
    dev::Subscription sub = anz.subscribe(4096);
    asio::steady_timer timer(ex);
    bool stopping = false;
    auto stop = [&] {
        stopping = true;
        sub.close();  // what is queued is still received, then errc::closed
    };
    interrupt.on_signal([&] {
        stop();
        ctx.err << "anyserial record: stopping; interrupt again to quit at once" << std::endl;
    });
    if (o.record.duration) {
        timer.expires_after(
            std::chrono::duration_cast<std::chrono::nanoseconds>(*o.record.duration));
        timer.async_wait([&](boost::system::error_code e) {
            if (!e) stop();
        });
    }
    const bool live = !o.json && ::isatty(STDOUT_FILENO) == 1;
    r.summary.started_at = std::chrono::system_clock::now();
    rec::Batch frame;  // the samples of one frame: the device queues them together
    std::optional<anyserial::sinks::SinkWriterThread> writer;  // --sink-thread
    if (o.tuning.sink_thread) writer.emplace(sink, ex);
    auto write_frame = [&]() -> asio::awaitable<void> {
        if (frame.empty()) co_return;
        ++r.summary.samples_emitted;
        if (frame.front().error) ++r.bad;
        if (writer) {
            co_await writer->push(std::exchange(frame, {}));
        } else {
            sink.write(frame);
            r.rows += frame.size();
            frame.clear();
        }
        if (live)
            ctx.out << "\rrecording: " << r.summary.samples_emitted << " frames, " << r.bad
                    << " bad " << std::flush;
        if (o.frames && r.summary.samples_emitted >= *o.frames) stop();
    };
    try {
        for (;;) {
            auto [ec, s] = co_await sub.async_receive(asio::as_tuple(asio::use_awaitable));
            if (ec) break;
            if (!frame.empty() && frame.front().monotonic_ns != s.monotonic_ns)
                co_await write_frame();
            frame.push_back(std::move(s));
            if (sub.size() == 0) co_await write_frame();  // nothing more queued: frame is whole
        }
        co_await write_frame();
        if (writer) co_await writer->drain();
        sink.flush();
        sink.close();
    } catch (...) {
        r.error = anyserial::cli::describe(std::current_exception());
        if (writer) writer->finish();  // what was handed over is written before closing
        try {  // still closed: a network sink counts what stays spooled, a file is released
            sink.close();
        } catch (...) {  // the first failure is the one to report
        }
    }
    if (writer) {
        writer->finish();
        r.rows = writer->rows_written();
    }
    if (live) ctx.out << '\n';
    r.lost = sub.lost();
    if (!stopping && r.error.empty()) {
        const auto e = anz.last_error();
        r.error = e ? anyserial::cli::describe(e) : std::string("the line was lost");
    }
    r.summary.finished_at = std::chrono::system_clock::now();
    interrupt.on_signal({});  // the action refers to this frame
    timer.cancel();
    co_await asio::post(ex, asio::use_awaitable);  // a cancelled timer handler runs first
}

int report_passive(anyserial::cli::Context &ctx, const Options &o,
                   const anyserial::sinks::Sink &sink, const SinkList &each, const Passive &r,
                   bool interrupted) {
    if (o.json) {
        boost::json::object doc;
        doc["summary"] = boost::json::parse(rec::to_json(r.summary));
        doc["sink"] = sink.describe();
        doc["rows"] = r.rows;
        doc["passive"] = {{"frames", r.summary.samples_emitted},
                          {"bad_frames", r.bad},
                          {"lost_samples", r.lost},
                          {"rows", r.rows}};
        if (!r.error.empty()) doc["error"] = r.error;
        report_delivery(ctx, each, &doc);
        ctx.out << boost::json::serialize(doc) << '\n';
    } else {
        ctx.out << "recorded " << r.summary.samples_emitted << " frames (" << r.bad << " bad, "
                << r.lost << " lost samples)" << (interrupted ? ", interrupted" : "") << " into "
                << sink.describe() << " (" << r.rows << " rows)\n";
        report_delivery(ctx, each, nullptr);
    }
    if (!r.error.empty()) {
        ctx.err << "anyserial record: " << without_verb(r.error) << '\n';
        return anyserial::cli::exit_failure;
    }
    return anyserial::cli::exit_ok;
}

}  // namespace anyserial::cli::record_verb

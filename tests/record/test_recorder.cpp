// record(): drift-free schedule, lateness, overflow policies, reconnect, argument
// validation — all on a ManualClock, so nothing depends on wall-clock timing.
#define BOOST_TEST_MODULE record_recorder
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "fakes.hpp"

using namespace std::chrono_literals;
using namespace fakes;
using anyserial::record::OverflowPolicy;
using anyserial::record::PollSource;
using anyserial::record::record;
using anyserial::record::Recording;
using anyserial::record::RecordOptions;
namespace errc = anyserial;

namespace {

struct Fixture {
    // The clock outlives the io_context: handlers destroyed with it still hold its timers.
    ManualClock clock{anyserial::record::WallClock::time_point{} + 1'700'000'000s};
    asio::io_context ioc;
    FakeSource source{ioc, clock};
    SteadyClock::time_point t0 = clock.now();

    Recording start(RecordOptions o) {
        return record(ioc.get_executor(), PollSource::ref(source), std::move(o), clock);
    }
    SteadyClock::time_point at(std::chrono::nanoseconds d) const { return t0 + d; }
};

RecordOptions opts(double rate, double duration_s, std::size_t buffer = 64) {
    RecordOptions o;
    o.rate_hz = rate;
    o.duration = std::chrono::duration<double>(duration_s);
    o.buffer_size = buffer;
    return o;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(ticks_follow_the_absolute_schedule_without_drift, Fixture) {
    source.delay = [](std::size_t) { return 300ms; };  // every poll takes 300 ms
    auto rec = start(opts(2.0, 50.0));
    Drain drain;
    drain.start(rec);
    run_until(ioc, clock, [&] { return drain.done; });

    BOOST_TEST(drain.end == errc::errc::end_of_stream);
    BOOST_REQUIRE_EQUAL(source.poll_starts.size(), 100u);
    for (std::size_t n = 0; n < 100; ++n) {
        BOOST_TEST_CONTEXT("tick " << n) {
            // start + n/rate exactly: a "now + period" loop would be at n * 800 ms.
            BOOST_TEST((source.poll_starts[n] == at(n * 500ms)));
        }
    }
    const auto &s = rec.summary();
    BOOST_TEST(s.samples_emitted == 100u);
    BOOST_TEST(s.samples_late == 0u);
    BOOST_TEST(s.max_drift_ms == 0.0);
    BOOST_TEST(s.drift_ms_p99 == 0.0);
    BOOST_TEST(s.tick_duration_ms_p50 == 300.0);
    BOOST_TEST(s.tick_duration_ms_p99 == 300.0);
    BOOST_TEST(drain.batches.size() == 100u);
    BOOST_TEST((s.started_at == anyserial::record::WallClock::time_point{} + 1'700'000'000s));
    BOOST_REQUIRE(s.finished_at.has_value());
    BOOST_TEST((*s.finished_at == s.started_at + 49'800ms));  // last poll: 49.5 s + 0.3 s
}

BOOST_FIXTURE_TEST_CASE(tick_count_rounds_half_to_even, Fixture) {
    // duration * rate = 2.5 ticks -> 2, 3.5 -> 4: Python's round(), as the seed specifies.
    for (auto [duration, ticks] : {std::pair{2.5, 2u}, std::pair{3.5, 4u}, std::pair{0.2, 1u}}) {
        BOOST_TEST_CONTEXT("duration " << duration) {
            FakeSource src{ioc, clock};
            Recording rec =
                record(ioc.get_executor(), PollSource::ref(src), opts(1.0, duration), clock);
            Drain drain;
            drain.start(rec);
            run_until(ioc, clock, [&] { return drain.done; });
            BOOST_TEST(src.poll_starts.size() == ticks);
        }
    }
}

BOOST_FIXTURE_TEST_CASE(non_integral_periods_do_not_accumulate_rounding, Fixture) {
    auto rec = start(opts(3.0, 100.0));  // period 333.333... ms
    Drain drain;
    drain.start(rec);
    run_until(ioc, clock, [&] { return drain.done; });
    BOOST_REQUIRE_EQUAL(source.poll_starts.size(), 300u);
    BOOST_TEST((source.poll_starts[3] == at(1s)));
    BOOST_TEST((source.poll_starts[299] == at(99'666'666'667ns)));  // round(299e9 / 3)
    BOOST_TEST(rec.summary().samples_late == 0u);
}

BOOST_FIXTURE_TEST_CASE(an_overrun_skips_the_missed_slot_and_counts_it_late, Fixture) {
    source.delay = [](std::size_t n) { return n == 2 ? SteadyClock::duration(2500ms) : 0ms; };
    auto rec = start(opts(1.0, 6.0));
    Drain drain;
    drain.start(rec);
    run_until(ioc, clock, [&] { return drain.done; });

    // Tick 2 runs 2.0 -> 4.5 s: slot 3 [3, 4) is gone (late), tick 4 starts 0.5 s late.
    BOOST_REQUIRE_EQUAL(source.poll_starts.size(), 5u);
    BOOST_TEST((source.poll_starts[3] == at(4500ms)));
    BOOST_TEST((source.poll_starts[4] == at(5s)));
    BOOST_TEST(rec.summary().samples_emitted == 5u);
    BOOST_TEST(rec.summary().samples_late == 1u);
    BOOST_TEST(rec.summary().max_drift_ms == 500.0);
    BOOST_TEST(rec.summary().drift_ms_p99 == 500.0);  // 1 of 5 ticks: p99 is the worst
    BOOST_TEST(rec.summary().tick_duration_ms_p99 == 2500.0);
    BOOST_TEST(rec.summary().tick_duration_ms_p50 == 0.0);
}

BOOST_FIXTURE_TEST_CASE(tick_percentiles_are_nearest_rank_within_a_bin, Fixture) {
    // 1000 ticks taking 1..1000 ms in a scrambled order (7919 is coprime to 1000): the
    // exact nearest-rank p50 is 500 ms and p99 990 ms. The durations are counted in
    // constant memory, so the report may be up to one 0.2 % bin high, never low.
    source.delay = [](std::size_t n) {
        return std::chrono::milliseconds(1 + static_cast<long>((n * 7919) % 1000));
    };
    auto rec = start(opts(0.5, 2000.0));  // 2 s slots: no tick is late
    Drain drain;
    drain.start(rec);
    run_until(ioc, clock, [&] { return drain.done; });

    const auto &s = rec.summary();
    BOOST_REQUIRE(s.samples_emitted == 1000u);
    BOOST_TEST(s.samples_late == 0u);
    BOOST_TEST(s.tick_duration_ms_p50 >= 500.0);
    BOOST_TEST(s.tick_duration_ms_p50 <= 500.0 * 1.002);
    BOOST_TEST(s.tick_duration_ms_p99 >= 990.0);
    BOOST_TEST(s.tick_duration_ms_p99 <= 990.0 * 1.002);
}

BOOST_FIXTURE_TEST_CASE(drop_newest_keeps_the_first_batches, Fixture) {
    auto o = opts(1.0, 5.0, 2);
    o.overflow = OverflowPolicy::drop_newest;
    auto rec = start(o);
    run_until(ioc, clock, [&] { return rec.finished(); });  // nobody consumes meanwhile
    BOOST_TEST(source.poll_starts.size() == 5u);
    BOOST_TEST(rec.queued() == 2u);
    Drain drain;
    drain.start(rec);
    run_ready(ioc);
    BOOST_REQUIRE(drain.done);
    BOOST_REQUIRE_EQUAL(drain.batches.size(), 2u);
    BOOST_TEST(tick_of(drain.batches[0]) == 0u);
    BOOST_TEST(tick_of(drain.batches[1]) == 1u);
    BOOST_TEST(rec.summary().samples_emitted == 2u);
    BOOST_TEST(rec.summary().samples_late == 3u);
}

BOOST_FIXTURE_TEST_CASE(drop_oldest_keeps_the_latest_batches, Fixture) {
    auto o = opts(1.0, 5.0, 2);
    o.overflow = OverflowPolicy::drop_oldest;
    auto rec = start(o);
    run_until(ioc, clock, [&] { return rec.finished(); });
    Drain drain;
    drain.start(rec);
    run_ready(ioc);
    BOOST_REQUIRE(drain.done);
    BOOST_REQUIRE_EQUAL(drain.batches.size(), 2u);
    BOOST_TEST(tick_of(drain.batches[0]) == 3u);
    BOOST_TEST(tick_of(drain.batches[1]) == 4u);
    BOOST_TEST(rec.summary().samples_emitted == 5u);
    BOOST_TEST(rec.summary().samples_late == 3u);  // one per eviction
}

BOOST_FIXTURE_TEST_CASE(block_waits_for_the_consumer_and_late_ticks_are_skipped, Fixture) {
    auto rec = start(opts(1.0, 5.0, 2));
    // Ticks 0 and 1 fill the queue; tick 2's batch waits for room; no timer is pending.
    run_until(ioc, clock, [&] { return source.poll_starts.size() == 3 && !clock.next_deadline(); });
    clock.advance_to(at(10s));  // the consumer is away for a long time
    run_ready(ioc);
    BOOST_TEST(source.poll_starts.size() == 3u);  // the producer did not poll while blocked
    BOOST_TEST(!rec.finished());

    Drain drain;
    drain.start(rec);
    run_until(ioc, clock, [&] { return drain.done; });
    BOOST_REQUIRE_EQUAL(drain.batches.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i)
        BOOST_TEST(tick_of(drain.batches[i]) == i);
    BOOST_TEST(source.poll_starts.size() == 3u);  // slots 3 and 4 were over: skipped
    BOOST_TEST(rec.summary().samples_emitted == 3u);
    BOOST_TEST(rec.summary().samples_late == 2u);
    BOOST_TEST(drain.end == errc::errc::end_of_stream);
}

BOOST_FIXTURE_TEST_CASE(each_overflow_policy_with_a_slow_consumer, Fixture) {
    // 1 Hz for 12 s, a queue of 2, a consumer that needs 3 s per batch.
    for (auto policy :
         {OverflowPolicy::block, OverflowPolicy::drop_newest, OverflowPolicy::drop_oldest}) {
        BOOST_TEST_CONTEXT("policy " << static_cast<int>(policy)) {
            FakeSource src{ioc, clock};
            auto o = opts(1.0, 12.0, 2);
            o.overflow = policy;
            Recording rec = record(ioc.get_executor(), PollSource::ref(src), o, clock);
            auto busy = clock.make_timer(ioc.get_executor());
            Drain slow;  // takes a batch, then is busy for 3 s
            slow.between = [&](std::function<void()> next) {
                busy->async_wait_until(clock.now() + 3s,
                                       [next = std::move(next)](error_code) { next(); });
            };
            slow.start(rec);
            run_until(ioc, clock, [&] { return slow.done; });

            const auto &s = rec.summary();
            std::vector<std::size_t> t;
            for (const auto &b : slow.batches)
                t.push_back(tick_of(b));
            BOOST_TEST(slow.end == errc::errc::end_of_stream);
            BOOST_TEST(std::is_sorted(t.begin(), t.end()));
            BOOST_TEST((std::adjacent_find(t.begin(), t.end()) == t.end()));  // no repeats
            BOOST_TEST(s.samples_late > 0u);  // the consumer could not keep up
            BOOST_TEST(t.front() == 0u);
            switch (policy) {
                case OverflowPolicy::block:  // the producer waits: it polls only what it emits
                    BOOST_TEST(src.poll_starts.size() == s.samples_emitted);
                    BOOST_TEST(t.size() == s.samples_emitted);
                    BOOST_TEST(s.samples_emitted + s.samples_late == 12u);
                    break;
                case OverflowPolicy::drop_newest:  // every tick polled, the overflow discarded
                    BOOST_TEST(src.poll_starts.size() == 12u);
                    BOOST_TEST(t.size() == s.samples_emitted);
                    BOOST_TEST(s.samples_emitted + s.samples_late == 12u);
                    BOOST_TEST(s.max_drift_ms == 0.0);  // the schedule never slipped
                    break;
                case OverflowPolicy::drop_oldest:  // every tick queued, the oldest evicted
                    BOOST_TEST(src.poll_starts.size() == 12u);
                    BOOST_TEST(s.samples_emitted == 12u);
                    BOOST_TEST(t.size() == 12u - s.samples_late);
                    BOOST_TEST(t.back() == 11u);  // the latest is always kept
                    BOOST_TEST(s.max_drift_ms == 0.0);
                    break;
            }
        }
    }
}

BOOST_FIXTURE_TEST_CASE(block_with_a_keeping_up_consumer_loses_nothing, Fixture) {
    auto rec = start(opts(4.0, 10.0, 1));
    Drain drain;
    drain.start(rec);
    run_until(ioc, clock, [&] { return drain.done; });
    BOOST_TEST(drain.batches.size() == 40u);
    BOOST_TEST(rec.summary().samples_late == 0u);
}

BOOST_FIXTURE_TEST_CASE(auto_reconnect_absorbs_disconnects_and_continues, Fixture) {
    source.fail = [](std::size_t n) {
        return (n == 2 || n == 3) ? anyserial::make_error_code(errc::errc::disconnected)
                                  : error_code{};
    };
    auto o = opts(1.0, 8.0);
    o.auto_reconnect = true;
    auto rec = start(o);
    Drain drain;
    drain.start(rec);
    run_until(ioc, clock, [&] { return drain.done; });

    BOOST_TEST(drain.end == errc::errc::end_of_stream);
    BOOST_TEST(rec.summary().disconnects == 2u);
    BOOST_TEST(rec.summary().samples_late == 2u);
    BOOST_TEST(rec.summary().samples_emitted == 6u);
    BOOST_REQUIRE_EQUAL(drain.batches.size(), 6u);
    BOOST_TEST(tick_of(drain.batches[2]) == 4u);    // polls 2 and 3 failed
    BOOST_TEST((source.poll_starts[3] == at(3s)));  // after a 100 ms back-off, on schedule
}

BOOST_FIXTURE_TEST_CASE(reconnect_factory_rebuilds_the_source, Fixture) {
    source.fail = [](std::size_t n) {
        return n >= 2 ? anyserial::make_error_code(errc::errc::disconnected) : error_code{};
    };
    FakeSource fresh{ioc, clock, "fresh"};
    int factory_calls = 0;
    auto o = opts(1.0, 6.0);
    o.auto_reconnect = true;
    o.reconnect_backoff_initial = 2500ms;  // back at 4.5 s: slot 3 [3, 4) is gone
    o.reconnect_factory = [&](anyserial::record::ReconnectHandler h) {
        ++factory_calls;
        asio::post(ioc, asio::append(std::move(h), error_code{}, PollSource::ref(fresh)));
    };
    auto rec = start(o);
    Drain drain;
    drain.start(rec);
    run_until(ioc, clock, [&] { return drain.done; });

    BOOST_TEST(factory_calls == 1);
    BOOST_TEST(source.poll_starts.size() == 3u);
    BOOST_REQUIRE_EQUAL(fresh.poll_starts.size(), 2u);  // ticks 4 and 5
    BOOST_TEST((fresh.poll_starts[0] == at(4500ms)));
    BOOST_TEST(rec.summary().disconnects == 1u);
    BOOST_TEST(rec.summary().samples_late == 2u);  // the failed tick 2 and the gap tick 3
    BOOST_REQUIRE_EQUAL(drain.batches.size(), 4u);
    BOOST_TEST(drain.batches[3].at(0).device == "fresh");
}

BOOST_FIXTURE_TEST_CASE(a_reconnect_that_keeps_failing_ends_with_the_schedule, Fixture) {
    source.fail = [](std::size_t n) {
        return n >= 2 ? anyserial::make_error_code(errc::errc::disconnected) : error_code{};
    };
    int factory_calls = 0;
    auto o = opts(1.0, 10.0);
    o.auto_reconnect = true;
    o.reconnect_factory = [&](anyserial::record::ReconnectHandler h) {
        ++factory_calls;  // the device never comes back
        asio::post(
            ioc, asio::append(std::move(h), anyserial::make_error_code(errc::errc::port_not_found),
                              PollSource{}));
    };
    auto rec = start(o);
    Drain drain;
    drain.start(rec);
    run_until(ioc, clock, [&] { return drain.done; });

    BOOST_TEST(drain.end == errc::errc::end_of_stream);  // ended on time, not failed
    BOOST_TEST((clock.now() == at(10s)));
    BOOST_TEST(factory_calls > 1);
    BOOST_TEST(source.poll_starts.size() == 3u);
    BOOST_TEST(rec.summary().samples_emitted == 2u);
    BOOST_TEST(rec.summary().samples_late == 8u);  // the failed tick 2 and ticks 3..9
    BOOST_TEST(rec.summary().disconnects == 1u);
    BOOST_TEST(rec.summary().finished_at.has_value());
}

BOOST_FIXTURE_TEST_CASE(stop_during_a_failing_poll_skips_the_back_off, Fixture) {
    source.delay = [](std::size_t n) { return n == 2 ? SteadyClock::duration(1s) : 0ms; };
    source.fail = [](std::size_t n) {
        return n == 2 ? anyserial::make_error_code(errc::errc::disconnected) : error_code{};
    };
    auto o = opts(1.0, 10.0);
    o.auto_reconnect = true;
    o.reconnect_backoff_initial = 5s;
    o.reconnect_backoff_max = 5s;
    auto rec = start(o);
    Drain drain;
    drain.start(rec);
    run_until(ioc, clock, [&] { return source.poll_starts.size() == 3u; });
    rec.stop();  // tick 2 is in flight; it fails at 3 s
    run_until(ioc, clock, [&] { return drain.done; });
    BOOST_TEST((clock.now() == at(3s)));  // not 8 s: no back-off after a stop
    BOOST_TEST(drain.batches.size() == 2u);
    BOOST_TEST(drain.end == errc::errc::end_of_stream);
}

BOOST_FIXTURE_TEST_CASE(destroying_a_stopped_recording_releases_a_blocked_producer, Fixture) {
    {
        auto rec = start(opts(1.0, 10.0, 1));  // block, one slot, nobody consuming
        run_until(ioc, clock, [&] { return source.poll_starts.size() == 2u; });
        run_ready(ioc);  // tick 1's batch now waits for room
        rec.stop();      // it keeps waiting: a consumer could still come
        run_ready(ioc);
        BOOST_TEST(!ioc.stopped());
    }  // destroyed: nobody will consume, so the producer must give up its batch and end
    run_ready(ioc);
    ioc.restart();
    ioc.poll();
    BOOST_TEST(ioc.stopped());  // no work left: the producer coroutine finished
    BOOST_TEST(source.poll_starts.size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(a_disconnect_without_reconnect_ends_with_the_error, Fixture) {
    source.fail = [](std::size_t n) {
        return n == 2 ? anyserial::make_error_code(errc::errc::disconnected) : error_code{};
    };
    auto rec = start(opts(1.0, 10.0));
    Drain drain;
    drain.start(rec);
    run_until(ioc, clock, [&] { return drain.done; });
    BOOST_TEST(drain.batches.size() == 2u);  // what was acquired is still delivered
    BOOST_TEST(drain.end == errc::errc::disconnected);
    BOOST_TEST(rec.error() == errc::errc::disconnected);
    BOOST_TEST(rec.summary().disconnects == 0u);
    BOOST_TEST(rec.summary().finished_at.has_value());
}

BOOST_FIXTURE_TEST_CASE(a_timed_out_tick_is_an_error_sample, Fixture) {
    source.fail = [](std::size_t n) {
        return n == 1 ? anyserial::make_error_code(errc::errc::timeout) : error_code{};
    };
    auto o = opts(1.0, 3.0);
    o.device = "anz";
    auto rec = start(o);
    Drain drain;
    drain.start(rec);
    run_until(ioc, clock, [&] { return drain.done; });
    BOOST_REQUIRE_EQUAL(drain.batches.size(), 3u);
    BOOST_REQUIRE_EQUAL(drain.batches[1].size(), 1u);
    const auto &s = drain.batches[1][0];
    BOOST_TEST(!s.reading.has_value());
    BOOST_TEST(s.device == "anz");
    BOOST_TEST(s.protocol == "acme-flow");  // the source's protocol_id()
    BOOST_REQUIRE(s.error.has_value());
    BOOST_TEST(s.error->find("poll failed") != std::string::npos);
    BOOST_TEST(rec.summary().samples_emitted == 3u);
}

BOOST_FIXTURE_TEST_CASE(stop_delivers_what_was_queued_then_ends, Fixture) {
    RecordOptions o;
    o.rate_hz = 10.0;  // no duration: until stop()
    auto rec = start(o);
    run_until(ioc, clock, [&] { return source.poll_starts.size() == 4; });
    run_ready(ioc);
    rec.stop();
    Drain drain;
    drain.start(rec);
    run_until(ioc, clock, [&] { return drain.done; });
    BOOST_TEST(drain.batches.size() == 4u);
    BOOST_TEST(source.poll_starts.size() == 4u);
    BOOST_TEST(drain.end == errc::errc::end_of_stream);
    BOOST_TEST(rec.summary().finished_at.has_value());
    BOOST_TEST(!rec.error());
}

BOOST_FIXTURE_TEST_CASE(invalid_arguments_are_refused_before_anything_starts, Fixture) {
    auto bad = [&](RecordOptions o, const char *needle) {
        try {
            auto rec = start(std::move(o));
            BOOST_ERROR("accepted invalid options (" << needle << ")");
        } catch (const std::invalid_argument &e) {
            BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos, e.what());
        }
    };
    bad(opts(0.0, 1.0), "rate_hz");
    bad(opts(-2.0, 1.0), "rate_hz");
    bad(opts(std::nan(""), 1.0), "rate_hz");
    bad(opts(1.0, 0.0), "duration");
    bad(opts(1.0, -1.0), "duration");
    bad(opts(1.0, 1.0, 0), "buffer_size");
    run_ready(ioc);
    BOOST_TEST(source.poll_starts.empty());
}

BOOST_FIXTURE_TEST_CASE(a_second_concurrent_consumer_is_refused, Fixture) {
    auto rec = start(opts(1.0, 2.0));
    error_code first, second;
    rec.async_next_batch([&](error_code ec, Batch) { first = ec; });
    rec.async_next_batch([&](error_code ec, Batch) { second = ec; });
    run_ready(ioc);
    BOOST_TEST(second == errc::errc::busy);
    BOOST_TEST(!first);
}

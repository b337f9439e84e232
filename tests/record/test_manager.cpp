// Manager: same-port analysers strictly serialised, different ports concurrent,
// ErrorPolicy raise vs return_results, and a Manager as the recorder's poll source.
// Instrumented fake analysers log enter/exit and take fake time on a ManualClock.
#define BOOST_TEST_MODULE record_manager
#include <anyserial/record/manager.hpp>
#include <boost/asio/detached.hpp>
#include <boost/test/unit_test.hpp>

#include "fakes.hpp"

using namespace std::chrono_literals;
using namespace fakes;
using anyserial::device::Frame;
using anyserial::record::BasicManager;
using anyserial::record::DeviceResult;
using anyserial::record::ErrorPolicy;
using anyserial::record::ManagerError;

namespace {

struct FakeAnalyzer {
    std::string name, port_;
    bool broadcast_ = false;
    std::vector<std::string> *log;
    ManualClock *clock;
    asio::io_context *ioc;
    SteadyClock::duration busy = 100ms;
    bool failing = false;       // times out
    bool disconnected = false;  // lost its line
    std::vector<std::unique_ptr<Timer>> timers;

    std::string_view port() const { return port_; }
    bool broadcast() const { return broadcast_; }

    template <class T, class Handler>
    void run(T value, Handler &&h) {
        log->push_back("enter " + name);
        timers.push_back(clock->make_timer(ioc->get_executor()));
        timers.back()->async_wait_until(
            clock->now() + busy,
            [this, v = std::move(value), h = std::forward<Handler>(h)](error_code) mutable {
                log->push_back("exit " + name);
                error_code ec;
                if (failing) ec = anyserial::make_error_code(anyserial::errc::timeout);
                if (disconnected) ec = anyserial::make_error_code(anyserial::errc::disconnected);
                std::move(h)(ec, std::move(v));
            });
    }
    template <class Token>
    auto async_poll(bool, PollTimeout, Token &&token) {
        return asio::async_initiate<Token, void(error_code, Frame)>(
            [this](auto h) {
                Frame f;
                f.readings.emplace_back().channel = name;
                run(std::move(f), std::move(h));
            },
            token);
    }
    template <class Token>
    auto async_poll_samples(PollTimeout, Token &&token) {
        return asio::async_initiate<Token, void(error_code, Batch)>(
            [this](auto h) { run(make_batch(0, name), std::move(h)); }, token);
    }
};

using FakeManager = BasicManager<FakeAnalyzer>;

struct Fixture {
    ManualClock clock;  // outlives the io_context (its handlers hold timers)
    asio::io_context ioc;
    std::vector<std::string> log;
    FakeAnalyzer make(std::string name, std::string port) {
        FakeAnalyzer a;
        a.name = std::move(name);
        a.port_ = std::move(port);
        a.log = &log;
        a.clock = &clock;
        a.ioc = &ioc;
        return a;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(same_port_is_strictly_serialised, Fixture) {
    FakeManager mgr(ioc.get_executor());
    mgr.add("a1", make("a1", "/dev/bus0"));
    mgr.add("a2", make("a2", "/dev/bus0"));
    std::map<std::string, DeviceResult<Frame>> out;
    bool done = false;
    mgr.async_poll({}, std::nullopt, [&](std::exception_ptr, auto r) {
        out = std::move(r);
        done = true;
    });
    run_until(ioc, clock, [&] { return done; });
    BOOST_TEST(log == (std::vector<std::string>{"enter a1", "exit a1", "enter a2", "exit a2"}),
               boost::test_tools::per_element());
    BOOST_TEST((clock.now() == SteadyClock::time_point{} + 200ms));  // one after the other
    BOOST_REQUIRE_EQUAL(out.size(), 2u);
    BOOST_REQUIRE_MESSAGE(out["a2"].ok(), out["a2"].error->message);
    BOOST_TEST(out["a2"].value->readings.at(0).channel == "a2");
}

BOOST_FIXTURE_TEST_CASE(different_ports_run_concurrently, Fixture) {
    FakeManager mgr(ioc.get_executor());
    mgr.add("a1", make("a1", "/dev/bus0"));
    mgr.add("b1", make("b1", "/dev/bus1"));
    bool done = false;
    mgr.async_poll({}, std::nullopt, [&](std::exception_ptr, auto) { done = true; });
    run_until(ioc, clock, [&] { return done; });
    BOOST_TEST(log == (std::vector<std::string>{"enter a1", "enter b1", "exit a1", "exit b1"}),
               boost::test_tools::per_element());
    BOOST_TEST((clock.now() == SteadyClock::time_point{} + 100ms));  // overlapped
}

namespace {
auto poll_op() {
    return [](FakeAnalyzer &a) -> asio::awaitable<std::string> {
        auto f = co_await a.async_poll(false, std::nullopt, asio::use_awaitable);
        co_return f.readings.at(0).channel;
    };
}
}  // namespace

BOOST_FIXTURE_TEST_CASE(raise_aggregates_failures_after_every_device_finished, Fixture) {
    FakeManager mgr(ioc.get_executor(), ErrorPolicy::raise);
    mgr.add("a1", make("a1", "/dev/bus0")).failing = true;
    mgr.add("a2", make("a2", "/dev/bus0"));
    mgr.add("b1", make("b1", "/dev/bus1"));
    std::exception_ptr error;
    bool done = false;
    mgr.async_execute_each(poll_op(), {}, [&](std::exception_ptr e, auto) {
        error = e;
        done = true;
    });
    run_until(ioc, clock, [&] { return done; });
    BOOST_TEST(log.size() == 6u);  // a2 and b1 still ran after a1 failed
    BOOST_REQUIRE(error);
    try {
        std::rethrow_exception(error);
    } catch (const ManagerError &e) {
        BOOST_TEST(e.failures().size() == 1u);
        BOOST_TEST(e.failures().count("a1") == 1u);
        BOOST_TEST(e.failures().at("a1").code == anyserial::errc::timeout);
        BOOST_TEST(std::string(e.what()).find("a1") != std::string::npos);
    }
}

BOOST_FIXTURE_TEST_CASE(return_results_gives_per_device_results, Fixture) {
    FakeManager mgr(ioc.get_executor(), ErrorPolicy::return_results);
    mgr.add("a1", make("a1", "/dev/bus0")).failing = true;
    mgr.add("a2", make("a2", "/dev/bus0"));
    std::map<std::string, DeviceResult<std::string>> out;
    std::exception_ptr error;
    bool done = false;
    mgr.async_execute_each(poll_op(), {}, [&](std::exception_ptr e, auto r) {
        error = e;
        out = std::move(r);
        done = true;
    });
    run_until(ioc, clock, [&] { return done; });
    BOOST_TEST(!error);
    BOOST_REQUIRE_EQUAL(out.size(), 2u);
    BOOST_TEST(!out["a1"].ok());
    BOOST_TEST(!out["a1"].value.has_value());
    BOOST_TEST(out["a1"].error->code == anyserial::errc::timeout);
    BOOST_TEST(out["a2"].ok());
    BOOST_TEST(*out["a2"].value == "a2");
}

BOOST_FIXTURE_TEST_CASE(add_remove_get_and_refusals, Fixture) {
    FakeManager mgr(ioc.get_executor());
    mgr.add("a1", make("a1", "/dev/bus0"));
    BOOST_CHECK_THROW(mgr.add("a1", make("x", "/dev/bus9")), std::invalid_argument);
    auto cont = make("c1", "/dev/bus0");
    cont.broadcast_ = true;
    BOOST_CHECK_THROW(mgr.add("c1", std::move(cont)), std::invalid_argument);  // multidrop peer
    auto solo = make("c2", "/dev/bus5");
    solo.broadcast_ = true;
    mgr.add("c2", std::move(solo));  // alone on its port: fine
    auto shared = std::make_shared<FakeAnalyzer>(make("s1", "/dev/bus1"));
    mgr.add("s1", shared);
    BOOST_TEST(&mgr.get("s1") == shared.get());
    BOOST_TEST(mgr.names() == (std::vector<std::string>{"a1", "c2", "s1"}),
               boost::test_tools::per_element());
    mgr.remove("a1");
    BOOST_CHECK_THROW(mgr.get("a1"), std::invalid_argument);
    BOOST_CHECK_THROW(mgr.remove("a1"), std::invalid_argument);
    mgr.close();
    BOOST_TEST(mgr.closed());
    BOOST_TEST(shared.use_count() == 1);  // the caller's reference is all that is left
    BOOST_CHECK_THROW(mgr.add("z", make("z", "/dev/bus0")), std::logic_error);
}

// One device lost: left out. Every device lost: the tick fails with a connection error
// (what lets record()'s auto-reconnect rebuild a manager).
BOOST_FIXTURE_TEST_CASE(poll_samples_fails_only_when_every_device_lost_its_line, Fixture) {
    FakeManager mgr(ioc.get_executor());
    mgr.add("a1", make("a1", "/dev/bus0")).disconnected = true;
    auto &a2 = mgr.add("a2", make("a2", "/dev/bus1"));
    auto poll = [&] {
        std::optional<std::pair<error_code, Batch>> out;
        mgr.async_poll_samples({}, {},
                               [&](error_code ec, Batch b) { out.emplace(ec, std::move(b)); });
        run_until(ioc, clock, [&] { return out.has_value(); });
        return *out;
    };
    auto [ec1, b1] = poll();
    BOOST_TEST(!ec1);
    BOOST_REQUIRE_EQUAL(b1.size(), 1u);
    BOOST_TEST(b1[0].device == "a2");
    a2.disconnected = true;
    auto [ec2, b2] = poll();
    BOOST_TEST(anyserial::record::is_connection_error(ec2));
    BOOST_TEST(b2.empty());
}

BOOST_FIXTURE_TEST_CASE(a_manager_is_a_poll_source_for_record, Fixture) {
    FakeManager mgr(ioc.get_executor());
    mgr.add("a1", make("a1", "/dev/bus0"));
    mgr.add("a2", make("a2", "/dev/bus0"));
    mgr.add("b1", make("b1", "/dev/bus1")).failing = true;  // left out of every batch
    anyserial::record::RecordOptions o;
    o.rate_hz = 2.0;
    o.duration = std::chrono::duration<double>(2.0);
    auto rec = anyserial::record::record(ioc.get_executor(),
                                         anyserial::record::PollSource::ref(mgr), o, clock);
    Drain drain;
    drain.start(rec);
    run_until(ioc, clock, [&] { return drain.done; });
    BOOST_REQUIRE_EQUAL(drain.batches.size(), 4u);
    for (const auto &b : drain.batches) {
        BOOST_REQUIRE_EQUAL(b.size(), 2u);
        BOOST_TEST(b[0].device == "a1");
        BOOST_TEST(b[1].device == "a2");
    }
    BOOST_TEST(rec.summary().samples_late == 0u);
}

// What crosses threads into the caller's io_context must not outlive it or the port.
//
// The outstanding work an open holds on the caller's io_context (the open itself runs on the
// worker pool) must end on that io_context's own thread. Ended by a pool thread it can
// outlive the open: the caller may already have destroyed the io_context, and the late
// release then stops whatever io_context reused its memory (seen as other test cases'
// loops stopping at random). The probe executor below records where tracked work ends.
#include <boost/asio/execution.hpp>
#include <boost/asio/require.hpp>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <thread>
#include <utility>
#include <vector>

#include "fixture.hpp"

namespace asio = boost::asio;
namespace execution = boost::asio::execution;
namespace data = boost::unit_test::data;
using namespace anyserial;
using namespace anyserial::test;

namespace {

struct WorkProbe {
    std::thread::id owner = std::this_thread::get_id();
    std::atomic<int> live{0};              // tracked executors alive now
    std::atomic<int> foreign_releases{0};  // tracked work ended on another thread
};

// An io_context executor whose tracked copies hold real work and report where they end.
// Small enough for any_io_executor's inline storage (no shared, refcounted target).
class ProbeExecutor {
  public:
    using inner_type = asio::io_context::executor_type;

    ProbeExecutor(inner_type inner, WorkProbe *probe, bool tracked = false) noexcept
        : inner_(inner), probe_(probe), tracked_(tracked) {
        if (tracked_) start();
    }
    ProbeExecutor(const ProbeExecutor &o) noexcept
        : ProbeExecutor(o.inner_, o.probe_, o.tracked_) {}
    ProbeExecutor(ProbeExecutor &&o) noexcept
        : inner_(o.inner_), probe_(o.probe_), tracked_(std::exchange(o.tracked_, false)) {}
    ProbeExecutor &operator=(const ProbeExecutor &) = delete;
    ProbeExecutor &operator=(ProbeExecutor &&) = delete;
    ~ProbeExecutor() {
        if (!tracked_) return;
        if (std::this_thread::get_id() != probe_->owner) ++probe_->foreign_releases;
        --probe_->live;
        inner_.on_work_finished();
    }

    asio::execution_context &query(execution::context_t) const noexcept { return inner_.context(); }
    static constexpr execution::blocking_t query(execution::blocking_t) noexcept {
        return execution::blocking.never;
    }
    ProbeExecutor require(execution::blocking_t::never_t) const noexcept { return *this; }
    ProbeExecutor require(execution::outstanding_work_t::untracked_t) const noexcept {
        return ProbeExecutor(inner_, probe_, false);
    }
    ProbeExecutor require(execution::outstanding_work_t::tracked_t) const noexcept {
        return ProbeExecutor(inner_, probe_, true);
    }

    template <class F>
    void execute(F &&f) const {
        asio::require(inner_, execution::blocking.never).execute(std::forward<F>(f));
    }

    friend bool operator==(const ProbeExecutor &a, const ProbeExecutor &b) noexcept {
        return a.inner_ == b.inner_ && a.probe_ == b.probe_ && a.tracked_ == b.tracked_;
    }
    friend bool operator!=(const ProbeExecutor &a, const ProbeExecutor &b) noexcept {
        return !(a == b);
    }

  private:
    void start() noexcept {
        inner_.on_work_started();
        ++probe_->live;
    }

    inner_type inner_;
    WorkProbe *probe_;
    bool tracked_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(outstanding_work)

BOOST_DATA_TEST_CASE(open_releases_its_work_on_the_loop_thread, data::make(kKinds), kind) {
    asio::io_context io;
    WorkProbe probe;
    asio::any_io_executor ex = ProbeExecutor(io.get_executor(), &probe);
    std::optional<SerialPort> port;
    boost::system::error_code ec;
    async_open_serial_port(ex, plugins(), unique_pair(kind) + "/a", SerialConfig{},
                           [&](boost::system::error_code e, SerialPort p) {
                               ec = e;
                               port.emplace(std::move(p));
                           });
    io.run();  // no guard: returns once the open's work has ended
    BOOST_REQUIRE(port.has_value());
    BOOST_TEST(!ec, ec.message());
    BOOST_TEST(probe.live.load() == 0);
    BOOST_TEST(probe.foreign_releases.load() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(teardown)

// Closing a port with a pending async-completion read queues the backend's CANCELLED
// completion (in the port's per-direction memory) on the io_context. Destroying the
// io_context without running it frees the pending operation (the port's last owner) and then
// the queued completion: that memory must still be valid (ASan flags it otherwise).
BOOST_AUTO_TEST_CASE(destroying_the_loop_frees_a_queued_completion) {
    std::optional<Loop> loop(std::in_place);
    Pair pair = open_pair(*loop, "mock-async");
    char buf[16];
    IoResult r;
    pair.b.async_read_some(asio::buffer(buf), r.handler());
    { SerialPort gone = std::move(pair.b); }  // closes: the backend delivers CANCELLED
    { SerialPort peer = std::move(pair.a); }
    loop.reset();
    BOOST_TEST(!r.done);  // never run: the io_context went away first
}

BOOST_AUTO_TEST_SUITE_END()

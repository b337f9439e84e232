// Process-level guarantees, with a forked child recording and a pipe as the only
// synchronisation (no sleeps): a SIGKILLed SQLite recording keeps every committed batch,
// and SIGINT ends a recording with everything acquired so far written.
#define BOOST_TEST_MODULE record_durability
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <anyserial/sinks/pump.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>

#include "fakes.hpp"

namespace fs = std::filesystem;
using namespace anyserial;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/anyserial-durable-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

void notify(int fd) {
    const char byte = 'x';
    while (::write(fd, &byte, 1) < 0 && errno == EINTR) {
    }
}

// Tells the parent after every committed batch.
struct NotifyingSink final : sinks::Sink {
    std::unique_ptr<sinks::Sink> inner;
    int fd;
    NotifyingSink(std::unique_ptr<sinks::Sink> s, int f) : inner(std::move(s)), fd(f) {}
    std::string_view kind() const noexcept override { return inner->kind(); }
    const std::string &path() const noexcept override { return inner->path(); }
    void open() override { inner->open(); }
    void write(std::span<const sinks::Sample> b) override {
        inner->write(b);
        notify(fd);
    }
    void flush() override { inner->flush(); }
    void close() override { inner->close(); }
};

// Tells the parent when a tick is acquired.
struct NotifyingSource {
    fakes::FakeSource &inner;
    int fd;
    template <class H>
    void async_poll_samples(record::PollTimeout t, H &&h) {
        notify(fd);
        inner.async_poll_samples(t, std::forward<H>(h));
    }
};

// The child: records at 10 Hz on a manual clock that jumps to each deadline, until the
// pump completes (or forever). Returns the exit code.
int child_record(const std::string &spec, int fd, bool notify_on_commit) {
    record::ManualClock clock;  // outlives the io_context (its handlers hold timers)
    boost::asio::io_context ioc;
    fakes::FakeSource fake{ioc, clock};
    NotifyingSource src{fake, fd};
    record::RecordOptions o;
    o.rate_hz = 10.0;
    auto rec = notify_on_commit
                   ? record::record(ioc.get_executor(), record::PollSource::ref(fake), o, clock)
                   : record::record(ioc.get_executor(), record::PollSource::ref(src), o, clock);
    std::unique_ptr<sinks::Sink> sink = sinks::make_sink(spec);
    if (notify_on_commit) sink = std::make_unique<NotifyingSink>(std::move(sink), fd);
    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (!ec) rec.stop();
    });
    bool done = false;
    bool failed = false;
    sinks::async_record_to_sink(rec, *sink, [&](std::exception_ptr e, sinks::PumpResult) {
        failed = e != nullptr;
        done = true;
        signals.cancel();
    });
    while (!done) {
        ioc.restart();
        ioc.poll();
        if (done) break;
        if (auto next = clock.next_deadline()) {
            clock.advance_to(*next);
        } else {
            ioc.restart();
            ioc.run_one();  // only the signal can move things on
        }
    }
    return failed ? 3 : 0;
}

struct Child {
    pid_t pid = -1;
    int rd = -1;
    Child(const std::string &spec, bool notify_on_commit) {
        int fds[2];
        BOOST_REQUIRE(::pipe(fds) == 0);
        pid = ::fork();
        BOOST_REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(fds[0]);
            int rc = 4;
            try {
                rc = child_record(spec, fds[1], notify_on_commit);
            } catch (...) {
            }
            ::close(fds[1]);
            ::_exit(rc);
        }
        ::close(fds[1]);
        rd = fds[0];
    }
    ~Child() {
        if (rd >= 0) ::close(rd);
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
    // Blocks until the child reported n events (false on EOF).
    bool wait_events(std::size_t n) {
        char buf;
        for (std::size_t i = 0; i < n; ++i) {
            if (::read(rd, &buf, 1) != 1) return false;
        }
        return true;
    }
    std::size_t drain_to_eof() {
        std::size_t total = 0;
        char buf[4096];
        for (;;) {
            auto r = ::read(rd, buf, sizeof buf);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) return total;
            total += static_cast<std::size_t>(r);
        }
    }
    int wait_status() {
        int status = 0;
        ::waitpid(pid, &status, 0);
        pid = -1;
        return status;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(sigkill_keeps_every_committed_sqlite_batch) {
    TempDir dir;
    const auto db_path = dir.path / "run.db";
    constexpr std::size_t committed = 25;
    Child child("sqlite:" + db_path.string(), true);
    BOOST_REQUIRE(child.wait_events(committed));
    ::kill(child.pid, SIGKILL);
    const int status = child.wait_status();
    BOOST_REQUIRE(WIFSIGNALED(status));
    BOOST_TEST(WTERMSIG(status) == SIGKILL);

    sqlite3 *db = nullptr;
    BOOST_REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt *st = nullptr;
    BOOST_REQUIRE(sqlite3_prepare_v2(db, "SELECT monotonic_ns, value FROM samples ORDER BY rowid",
                                     -1, &st, nullptr) == SQLITE_OK);
    std::int64_t expect = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        BOOST_TEST(sqlite3_column_int64(st, 0) == expect);  // tick order, no hole
        BOOST_TEST(sqlite3_column_double(st, 1) == static_cast<double>(expect));
        ++expect;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    BOOST_TEST(expect >= static_cast<std::int64_t>(committed));
}

BOOST_AUTO_TEST_CASE(sigint_flushes_everything_acquired) {
    TempDir dir;
    const auto path = dir.path / "run.jsonl";
    Child child("jsonl:" + path.string(), false);
    BOOST_REQUIRE(child.wait_events(10));  // ten ticks acquired
    ::kill(child.pid, SIGINT);
    const std::size_t acquired = 10 + child.drain_to_eof();
    const int status = child.wait_status();
    BOOST_REQUIRE(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0);

    std::ifstream in(path);
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) {
        auto obj = boost::json::parse(line).as_object();
        BOOST_TEST(obj.at("monotonic_ns").as_int64() == static_cast<std::int64_t>(n));
        ++n;
    }
    BOOST_TEST(n == acquired);  // every acquired tick reached the file
}

// Shared test fixture: the build tree's plugins, an io_context driven until a condition
// holds (never sleeps), and helpers to open mock pairs of either backend kind.
#pragma once

#include <anyserial/sdk/ext/mock_faults.h>

#include <anyserial/plugin_host.hpp>
#include <anyserial/serial_port.hpp>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace anyserial::test {

// The two mock backend kinds the port tests run over.
inline const std::vector<std::string> kKinds{"mock", "mock-async"};

inline PluginHost &plugins() {
    static PluginHost *host = [] {
        auto *h = new PluginHost;  // lives until exit: ports may outlive a test case
        h->load_directory(ANYSERIAL_TEST_PLUGIN_DIR);
        return h;
    }();
    return *host;
}

// Distinct pair names so that tests never share a mock pair.
inline std::string unique_pair(const std::string &scheme) {
    static std::atomic<int> n{0};
    return scheme + "://t" + std::to_string(++n);
}

struct Loop {
    boost::asio::io_context io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{
        io.get_executor()};

    // Runs handlers until pred() holds. The 20 s bound only turns a hang into a failure.
    template <class Pred>
    void run_until(Pred pred) {
        while (!pred()) {
            if (io.run_one_for(std::chrono::seconds(20)) == 0) {
                // Stopped at once means the work count fell to zero despite the guard:
                // someone released work it never took (not a slow test).
                if (io.stopped())
                    BOOST_FAIL("io_context stopped: its work count fell to zero under a guard");
                BOOST_FAIL("io_context made no progress for 20 s");
                return;
            }
        }
    }
    // For conditions that change outside this io_context (a backend's own thread
    // delivering bytes): run ready handlers and re-check, yielding in between.
    template <class Pred>
    void spin_until(Pred pred) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!pred()) {
            poll();
            if (std::chrono::steady_clock::now() > deadline) {
                BOOST_FAIL("condition not reached within 20 s");
                return;
            }
            std::this_thread::yield();
        }
    }
    // Runs every handler that is ready now (none of them waits).
    void poll() {
        io.restart();
        io.poll();
    }
};

inline SerialPort open_port(Loop &loop, const std::string &path, SerialConfig cfg = {}) {
    std::optional<std::pair<boost::system::error_code, SerialPort>> r;
    async_open_serial_port(
        loop.io.get_executor(), plugins(), path, cfg,
        [&](boost::system::error_code ec, SerialPort p) { r.emplace(ec, std::move(p)); });
    loop.run_until([&] { return r.has_value(); });
    BOOST_REQUIRE_MESSAGE(!r->first, "open " << path << ": " << r->first.message() << " — "
                                             << r->second.last_error().message);
    return std::move(r->second);
}

struct Pair {
    SerialPort a;
    SerialPort b;
};

inline Pair open_pair(Loop &loop, const std::string &scheme, SerialConfig cfg = {}) {
    const std::string base = unique_pair(scheme);
    SerialPort a = open_port(loop, base + "/a", cfg);
    SerialPort b = open_port(loop, base + "/b", cfg);
    return {std::move(a), std::move(b)};
}

inline const anyserial_mock_faults_ext_t &faults(const SerialPort &p) {
    auto *f = static_cast<const anyserial_mock_faults_ext_t *>(
        p.backend_extension(ANYSERIAL_EXT_MOCK_FAULTS_ID));
    BOOST_REQUIRE(f != nullptr);
    return *f;
}

struct IoResult {
    bool done = false;
    boost::system::error_code ec;
    std::size_t n = 0;
    auto handler() {
        return [this](boost::system::error_code e, std::size_t k) {
            done = true;
            ec = e;
            n = k;
        };
    }
};

struct EcResult {
    bool done = false;
    boost::system::error_code ec;
    auto handler() {
        return [this](boost::system::error_code e) {
            done = true;
            ec = e;
        };
    }
};

}  // namespace anyserial::test

// A tiny RS-485 bus for tests: several protocol simulators (one per address) served over
// ONE stream (the device end of a mock pair). Everything the master sends reaches every
// simulator; each answers only its own address. The bus logs "req N" when simulator N
// accepted a request and "rep N" when its reply went out, so tests can check that
// transactions never overlapped on the line. An optional gate holds every reply until it
// is opened (by another bus, to prove two ports run concurrently).
#pragma once

#include <anyserial/device/options.hpp>
#include <anyserial/serial_port.hpp>
#include <anyserial/sim/simulator.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <string>
#include <vector>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC 12 + Asio awaitable frames
#endif

namespace test {

// Options for a Modbus RTU peer at `address` on a bus (no identify, a short idle gap).
inline anyserial::device::DeviceOptions bus_rtu(std::string address) {
    anyserial::device::DeviceOptions o;
    o.protocol = "servomex-modbus-rtu";
    o.address = std::move(address);
    o.identify = false;
    o.idle_gap = std::chrono::milliseconds(1);
    return o;
}

struct Gate {
    explicit Gate(boost::asio::any_io_executor ex) : timer(std::move(ex)) {}
    bool open = false;
    boost::asio::steady_timer timer;
    void release() {
        open = true;
        timer.cancel();
    }
};

class Bus {
  public:
    struct Device {
        unsigned address;
        std::shared_ptr<anyserial::sim::Simulator> sim;
        std::uint64_t requests = 0, replies = 0;
    };

    Bus(anyserial::SerialPort stream, std::vector<Device> devices)
        : st_(std::make_shared<State>(std::move(stream), std::move(devices))) {}
    ~Bus() { stop(); }
    Bus(const Bus &) = delete;
    Bus &operator=(const Bus &) = delete;

    void start() {
        auto ex = st_->stream.get_executor();
        boost::asio::co_spawn(ex, receive(st_), boost::asio::detached);
        boost::asio::co_spawn(ex, transmit(st_), boost::asio::detached);
    }
    void stop() noexcept {
        if (!st_ || st_->stopped) return;
        st_->stopped = true;
        st_->wake.cancel();
        if (st_->gate) st_->gate->timer.cancel();
        st_->stream.close();
    }
    const std::vector<std::string> &log() const { return st_->log; }
    bool running() const { return !st_->stopped; }
    void clear_log() { st_->log.clear(); }
    // Replies wait until `g` opens.
    void hold_replies(std::shared_ptr<Gate> g) { st_->gate = std::move(g); }
    // Opened on the first request this bus sees.
    void on_request_release(std::shared_ptr<Gate> g) { st_->release_on_request = std::move(g); }
    anyserial::sim::Simulator &sim(std::size_t i) { return *st_->devices.at(i).sim; }

  private:
    struct State {
        State(anyserial::SerialPort s, std::vector<Device> d)
            : stream(std::move(s)), devices(std::move(d)), wake(stream.get_executor()) {}
        anyserial::SerialPort stream;
        std::vector<Device> devices;
        boost::asio::steady_timer wake;
        std::shared_ptr<Gate> gate, release_on_request;
        std::vector<std::string> log;
        bool stopped = false;
        std::uint8_t rx[512];
        std::uint8_t tx[1024];
    };

    static boost::asio::awaitable<void> receive(std::shared_ptr<State> st) {
        namespace asio = boost::asio;
        while (!st->stopped) {
            boost::system::error_code ec;
            const std::size_t n = co_await st->stream.async_read_some(
                asio::buffer(st->rx), asio::redirect_error(asio::use_awaitable, ec));
            if (st->stopped) break;
            for (Device &d : st->devices) {
                if (n > 0) d.sim->feed(anyserial::sim::now_ns(), {st->rx, n});
                const auto c = d.sim->counters();
                for (; d.requests < c.requests; ++d.requests) {
                    st->log.push_back("req " + std::to_string(d.address));
                    if (st->release_on_request) st->release_on_request->release();
                }
            }
            st->wake.cancel();
            if (ec) break;
        }
        st->stopped = true;
        st->wake.cancel();
    }

    static boost::asio::awaitable<void> transmit(std::shared_ptr<State> st) {
        namespace asio = boost::asio;
        while (!st->stopped) {
            std::uint64_t next = UINT64_MAX;
            bool wrote = false;
            for (Device &d : st->devices) {
                std::uint64_t n_next = UINT64_MAX;
                const std::uint32_t n =
                    d.sim->poll_output(anyserial::sim::now_ns(), st->tx, n_next);
                next = std::min(next, n_next);
                if (n == 0) continue;
                while (st->gate && !st->gate->open && !st->stopped) {
                    st->gate->timer.expires_at(asio::steady_timer::time_point::max());
                    boost::system::error_code ignored;
                    co_await st->gate->timer.async_wait(
                        asio::redirect_error(asio::use_awaitable, ignored));
                }
                // Logged before the bytes reach the wire, so the master's next request
                // is always logged after it.
                const auto c = d.sim->counters();
                for (; d.replies < c.replies; ++d.replies)
                    st->log.push_back("rep " + std::to_string(d.address));
                boost::system::error_code ec;
                co_await asio::async_write(st->stream, asio::buffer(st->tx, n),
                                           asio::redirect_error(asio::use_awaitable, ec));
                if (ec) co_return;
                wrote = true;
            }
            if (wrote) continue;
            st->wake.expires_at(next == UINT64_MAX
                                    ? asio::steady_timer::time_point::max()
                                    : asio::steady_timer::time_point(
                                          std::chrono::duration_cast<asio::steady_timer::duration>(
                                              std::chrono::nanoseconds(next))));
            boost::system::error_code ec;
            co_await st->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
    }

    std::shared_ptr<State> st_;
};

}  // namespace test

// anyserial — running a protocol plugin's simulator extension (the device side).
//
//   Simulator            RAII C++ face of one anyserial_simulator_t (set readings, faults...)
//   SimulatorPump<S>     serves a Simulator over any Asio byte stream S (a SerialPort end of
//                        a mock pair, a posix::stream_descriptor): what the master sends is
//                        fed in, what the device says is written out at the time it asks.
//   PtySimulator         a kernel pty pair in raw mode whose controller side is pumped; any
//                        program (pySerial, mbpoll, libmodbus, anyserial) opens the follower
//                        path or a symlink to it. Used by `anyserial simulate` and `demo`.
//
// All of them run on the caller's executor (no threads). The PluginHost that loaded the
// protocol must outlive them.
#pragma once

#include <anyserial/sdk/ext/simulator.h>

#include <algorithm>
#include <anyserial/device/models.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace anyserial {
class LoadedProtocol;
namespace plugin_detail {
class SimulatorProxy;
}
}  // namespace anyserial

namespace anyserial::sim {

// The simulator clock: steady_clock in nanoseconds.
std::uint64_t now_ns() noexcept;

class Simulator {
  public:
    // A new simulator of `protocol` at `address` (text in the protocol's syntax, "" = its
    // default) in its reference state. Throws device::ValidationError for an address
    // outside the syntax, device::CapabilityError when the plugin has no simulator
    // extension, and anyserial::PluginError with the plugin's reason when create fails.
    Simulator(const LoadedProtocol &protocol, const std::string &address = {},
              unsigned baudrate = 0);
    ~Simulator();
    Simulator(const Simulator &) = delete;
    Simulator &operator=(const Simulator &) = delete;
    // Every call throws anyserial::PluginError with the simulator's last_error on failure.
    void feed(std::uint64_t now, std::span<const std::uint8_t> data);
    // Bytes to send now (at most buf.size()); next_ns: when to call again.
    std::uint32_t poll_output(std::uint64_t now, std::span<std::uint8_t> buf,
                              std::uint64_t &next_ns);
    // One channel's value (type absent = over-range / invalid) and the flags it carries
    // (bits over the protocol's declared flags).
    void set_reading(const std::string &channel, const device::ArgValue &value,
                     std::uint64_t flags = 0);
    // A number channel: nullopt = absent.
    void set_reading(const std::string &channel, std::optional<double> value,
                     std::uint64_t flags = 0);
    void set_label(const std::string &channel, const char *name, const std::string &unit);
    void set_device_flags(std::uint64_t flags);
    void set_fault(std::uint32_t fault, std::uint32_t param = 0);  // ANYSERIAL_SIM_FAULT_*
    void set_interval(std::chrono::nanoseconds interval);
    // The device's state by field id ("setpoint"); throws PluginError when it has none.
    device::Field field(const std::string &id);
    // The bit mask of the declared flags with these ids; std::invalid_argument for an id
    // the protocol does not declare.
    std::uint64_t flag_bits(std::initializer_list<std::string_view> ids) const;
    struct Counters {
        std::uint64_t requests = 0, replies = 0, frames = 0;
    };
    Counters counters();
    const std::string &protocol_id() const noexcept { return protocol_id_; }
    const std::string &address() const noexcept { return address_; }

  private:
    void check(std::int32_t status, const char *what);
    const LoadedProtocol *protocol_;
    std::string protocol_id_;
    std::string address_;
    std::unique_ptr<plugin_detail::SimulatorProxy> proxy_;
};

// GCC 12 false positive on Asio's awaitable frame allocator in the coroutines below.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// Serves `sim` over `stream` until stop() or a stream error. Stream: an Asio
// AsyncReadStream + AsyncWriteStream with close(). Several simulators share one line as
// units on a multidrop bus: each hears every byte, each one's output goes to the line.
template <class Stream>
class SimulatorPump {
  public:
    SimulatorPump(Stream stream, std::shared_ptr<Simulator> sim)
        : SimulatorPump(std::move(stream),
                        std::vector<std::shared_ptr<Simulator>>{std::move(sim)}) {}
    // sims: at least one.
    SimulatorPump(Stream stream, std::vector<std::shared_ptr<Simulator>> sims)
        : state_(std::make_shared<State>(std::move(stream), std::move(sims))) {}
    ~SimulatorPump() { stop(); }
    SimulatorPump(const SimulatorPump &) = delete;
    SimulatorPump &operator=(const SimulatorPump &) = delete;

    void start() {
        namespace asio = boost::asio;
        auto ex = state_->stream.get_executor();
        asio::co_spawn(ex, receive(state_), asio::detached);
        asio::co_spawn(ex, transmit(state_), asio::detached);
    }
    // Idempotent: stops both loops and closes the stream.
    void stop() noexcept {
        if (!state_ || state_->stopped) return;
        state_->stopped = true;
        state_->wake.cancel();
        try {
            state_->stream.close();
        } catch (...) {  // closing a broken stream is not an error worth reporting
        }
    }
    Simulator &simulator() noexcept { return *state_->sims.front(); }
    Stream &stream() noexcept { return state_->stream; }
    bool running() const noexcept { return !state_->stopped; }

  private:
    struct State {
        State(Stream s, std::vector<std::shared_ptr<Simulator>> m)
            : stream(std::move(s)), sims(std::move(m)), wake(stream.get_executor()) {}
        Stream stream;
        std::vector<std::shared_ptr<Simulator>> sims;
        boost::asio::steady_timer wake;
        bool stopped = false;
        std::uint8_t rx[512];
        std::uint8_t tx[1024];
    };

    // Master -> devices: feed every one, then wake the transmitter.
    static boost::asio::awaitable<void> receive(std::shared_ptr<State> st) {
        namespace asio = boost::asio;
        while (!st->stopped) {
            boost::system::error_code ec;
            const std::size_t n = co_await st->stream.async_read_some(
                asio::buffer(st->rx), asio::redirect_error(asio::use_awaitable, ec));
            if (st->stopped) break;
            if (n > 0) {
                const std::uint64_t now = now_ns();
                for (const auto &sim : st->sims) {
                    try {
                        sim->feed(now, {st->rx, n});
                    } catch (...) {  // a simulator refusing input stays alive for the next
                    }
                }
                st->wake.cancel();
            }
            if (ec) break;
        }
        st->stopped = true;
        st->wake.cancel();
    }

    // Devices -> master: everything a poll_output has now (one unit's output is written
    // whole before the next is polled), then sleep until the earliest asks again.
    static boost::asio::awaitable<void> transmit(std::shared_ptr<State> st) {
        namespace asio = boost::asio;
        while (!st->stopped) {
            std::uint64_t next = UINT64_MAX;
            std::uint32_t n = 0;
            for (const auto &sim : st->sims) {
                std::uint64_t at = UINT64_MAX;
                try {
                    n = sim->poll_output(now_ns(), st->tx, at);
                } catch (...) {
                    n = 0;
                }
                next = std::min(next, at);
                if (n > 0) break;
            }
            if (n > 0) {
                boost::system::error_code ec;
                co_await asio::async_write(st->stream, asio::buffer(st->tx, n),
                                           asio::redirect_error(asio::use_awaitable, ec));
                if (ec) break;
                continue;  // more may be due; feeds during the write are seen here
            }
            if (next == UINT64_MAX) {
                st->wake.expires_at(asio::steady_timer::time_point::max());
            } else {
                st->wake.expires_at(asio::steady_timer::time_point(
                    std::chrono::duration_cast<asio::steady_timer::duration>(
                        std::chrono::nanoseconds(next))));
            }
            boost::system::error_code ec;
            co_await st->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        st->stopped = true;
    }

    std::shared_ptr<State> state_;
};

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

struct PtyOptions {
    std::string address;  // text in the protocol's syntax; "" = its default
    // More units on the same line (a multidrop bus), each at one of these addresses;
    // duplicates after normalisation are refused (ConfigurationError).
    std::vector<std::string> more_addresses;
    // Broadcast interval (broadcast protocols); nullopt = the simulator's default.
    std::optional<std::chrono::nanoseconds> interval;
    // Symlink created to the follower path, removed by stop() if it still points there.
    // An existing path is refused (ConfigurationError), except a dangling symlink (a stale
    // link whose pty is gone), which is replaced.
    std::optional<std::filesystem::path> link;
    unsigned baudrate = 19200;
};

// A simulated device on a kernel pty. The follower is put in raw mode before anyone can
// open it, the controller is non-blocking, and the runner keeps its own follower fd open
// (never reading it) so a client closing its side does not make the controller fail.
class PtySimulator {
  public:
    PtySimulator(boost::asio::any_io_executor ex, const LoadedProtocol &protocol,
                 PtyOptions options);
    ~PtySimulator();
    PtySimulator(const PtySimulator &) = delete;
    PtySimulator &operator=(const PtySimulator &) = delete;

    void start();
    void stop() noexcept;  // idempotent; removes the link if it still points at this pty

    const std::string &path() const noexcept { return path_; }  // /dev/pts/N
    const std::optional<std::filesystem::path> &link() const noexcept { return link_; }
    Simulator &simulator() noexcept { return *sim_; }  // the unit at options.address
    std::shared_ptr<Simulator> shared_simulator() const noexcept { return sim_; }
    // Every unit on the line: simulator() first, then one per more_addresses.
    const std::vector<std::shared_ptr<Simulator>> &simulators() const noexcept { return sims_; }

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::shared_ptr<Simulator> sim_;
    std::vector<std::shared_ptr<Simulator>> sims_;
    std::string path_;
    std::optional<std::filesystem::path> link_;
    int follower_fd_ = -1;
};

}  // namespace anyserial::sim

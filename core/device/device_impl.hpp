// anyserial — core-internal state of one Device session: the port, the receive loop, the
// transaction engine and the broadcast cache. Everything runs on `ex` (a strand).
#pragma once

#include <anyserial/device/abi.hpp>
#include <anyserial/device/session.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/serial_port.hpp>
#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "plugin/session_proxy.hpp"

// GCC 12 false positive on Asio's awaitable frame allocator (operator new/delete pair
// through thread-local recycling) in every coroutine of these translation units.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace anyserial::device::detail {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;
using ProtocolSession = plugin_detail::SessionProxy;

// Wakes every coroutine waiting on it; waiters re-check their condition.
class Notifier {
  public:
    // true when notified (or cancelled), false when the deadline passed.
    asio::awaitable<bool> wait(steady::time_point deadline);
    void notify_all() noexcept {
        for (asio::steady_timer *t : waiters_)
            t->cancel();
    }

  private:
    std::vector<asio::steady_timer *> waiters_;
};

struct SubscriptionState {
    explicit SubscriptionState(asio::any_io_executor e, std::size_t cap)
        : ex(std::move(e)), capacity(cap) {}
    asio::any_io_executor ex;
    std::size_t capacity;
    std::deque<Sample> queue;
    std::uint64_t lost = 0;
    bool closed = false;
    Notifier notifier;
    void push(Sample s);
};

// What one transaction attempt saw.
struct TxWait {
    bool active = false;
    bool done = false;
    std::uint32_t type = ANYSERIAL_EVENT_NEED_MORE;
    std::uint32_t bad_reason = 0;  // ANYSERIAL_BAD_FRAME_* of a BAD_FRAME
    std::string reason;
    std::uint32_t function_code = 0;
    std::uint32_t exception_code = 0;
    std::vector<std::uint8_t> received;   // bounded copy for error context
    std::exception_ptr error;             // the plugin broke the ABI while feeding
    std::chrono::nanoseconds silence{0};  // the transaction's end_on_silence_ns
    bool got_bytes = false;
    steady::time_point last_rx{};

    // Fresh for the next attempt; `received` keeps its capacity (no allocation per
    // transaction once the first one has grown it).
    void reset() {
        std::vector<std::uint8_t> keep = std::move(received);
        keep.clear();
        *this = TxWait{};
        received = std::move(keep);
    }
};

// A protocol listened to passively during AUTO.
struct Listener {
    const LoadedProtocol *protocol = nullptr;
    ProtocolSession session;
    std::uint64_t frames = 0, bad = 0;
    std::string last_reason;
    std::optional<Frame> frame;  // the first checksum-valid one
};

enum class RxMode { discard, transaction, broadcast, listen };

struct DeviceImpl;
struct SharedLine;

// One operation for the plugin: an ANYSERIAL_OP_* and, for OP_COMMAND, its command.
struct OpRequest {
    std::uint32_t op = 0;
    const std::string *command = nullptr;
    std::span<const ArgValue> args;
};

// Held by every Transport handle and every device on a line: when the last one goes,
// the line closes (its receive loop would otherwise keep it, and the port, alive).
struct LineGuard {
    std::weak_ptr<SharedLine> line;
    ~LineGuard();
};

// One serial line shared by several request/response devices (RS-485 multidrop): the
// port, its one receive loop, and the bus lock. Bytes go to the device holding the lock
// (the one in a transaction); between transactions they are discarded. Every device on
// the line runs on `ex`.
struct SharedLine : std::enable_shared_from_this<SharedLine> {
    SharedLine(asio::any_io_executor e, PluginHost &h, std::string p)
        : ex(std::move(e)), host(&h), path(std::move(p)) {}

    asio::any_io_executor ex;
    PluginHost *host;
    std::string path;
    std::optional<SerialPort> port;
    std::array<std::uint8_t, 512> rxbuf{};
    std::int64_t last_traffic_ns = 0;
    std::exception_ptr line_error;
    std::exception_ptr last_error;  // why opening failed
    bool closed = false;
    bool reader_started = false;
    bool busy = false;             // the bus lock
    DeviceImpl *active = nullptr;  // its holder
    Notifier notifier;             // bus-lock waiters
    std::vector<std::weak_ptr<DeviceImpl>> members;
    std::uint64_t transactions = 0;  // bus-lock acquisitions (tests, diagnostics)

    std::weak_ptr<LineGuard> guard;

    std::shared_ptr<LineGuard> acquire_guard();
    void start_reader();
    asio::awaitable<void> reader(std::shared_ptr<SharedLine> self);
    void close() noexcept;
    std::exception_ptr connection_error(std::string what) const;
    std::exception_ptr closed_error() const;
    void wake_members(const std::exception_ptr &err);
};

struct DeviceImpl : std::enable_shared_from_this<DeviceImpl> {
    DeviceImpl(asio::any_io_executor strand, PluginHost &h, std::string p, DeviceOptions o)
        : ex(std::move(strand)), host(&h), port_name(std::move(p)), opts(std::move(o)) {
        if (opts.budget) budget_end = steady::now() + *opts.budget;
    }

    asio::any_io_executor ex;
    PluginHost *host;
    std::string port_name;
    DeviceOptions opts;
    // The port: this device's own (exclusive open), or the shared line's.
    std::optional<SerialPort> own_port;
    SerialPort *port = nullptr;
    std::shared_ptr<SharedLine> line;  // set when attached to a shared transport
    std::shared_ptr<LineGuard> line_guard;

    // active protocol
    const LoadedProtocol *proto = nullptr;
    std::string protocol_id, mode, family;
    std::uint32_t caps = 0;
    bool is_broadcast = false;
    ProtocolSession session;
    std::string address;                           // canonical text, "" when the protocol has none
    std::map<std::string, std::string> addresses;  // per candidate protocol id (open.cpp)
    // The session's channel table as known now (after identify or the first frame).
    std::vector<ChannelInfo> channels;
    // Slots the device reports empty (readings marked unlisted): valid ids to read.
    std::vector<std::string> unlisted_ids;

    // line
    std::array<std::uint8_t, 512> rxbuf{};
    std::int64_t last_traffic_ns = 0;
    std::exception_ptr line_error;
    bool closed = false;
    RxMode rx_mode = RxMode::discard;
    ProtocolSession *tx_session = nullptr;
    TxWait txw;
    std::vector<std::uint8_t> tx_request;  // the attempt's bytes, reused between transactions
    std::vector<Listener> *listeners = nullptr;
    Notifier notifier;
    bool op_busy = false;

    // broadcast cache and fan-out
    std::optional<Frame> latest;
    std::uint64_t seq = 0;
    std::uint64_t dropped = 0;
    std::string last_bad_reason;
    std::vector<std::weak_ptr<SubscriptionState>> subs;

    // DeviceOptions::budget as an instant, and the end of the AUTO rung running now: every
    // wait ends by the earliest of its own deadline and these.
    std::optional<steady::time_point> budget_end, rung_end;
    steady::time_point capped(steady::time_point deadline) const;
    bool out_of_time() const { return steady::now() >= capped(steady::time_point::max()); }

    std::optional<DeviceInfo> info;
    std::vector<ProbeAttempt> detection;
    std::exception_ptr last_error;

    // ---- line.cpp -----------------------------------------------------------------
    asio::awaitable<void> reader(std::shared_ptr<DeviceImpl> self);
    void on_bytes(std::span<const std::uint8_t> bytes);
    void on_transaction_bytes(std::span<const std::uint8_t> bytes);
    bool take_tx_event(const anyserial_protocol_event_t &ev);
    void tx_refused();
    void end_tx_input();
    asio::awaitable<void> await_response(steady::time_point deadline);
    void on_broadcast_bytes(std::span<const std::uint8_t> bytes);
    void feed_broadcast(std::span<const std::uint8_t> bytes);
    void on_listen_bytes(std::span<const std::uint8_t> bytes);
    void listen_one(Listener &l, std::span<const std::uint8_t> bytes);
    void publish(const Frame &f);
    void publish_error(const std::string &reason);
    // A frame of the active session copied into the models (refreshes the channel table).
    Frame copy_frame(const anyserial_frame_t &f);
    AbiContext abi_context(const LoadedProtocol &p) const;
    std::string the_device(const ProtocolSession &s) const;
    // Runs one operation through `s` (begin .. result); the caller copies what it needs
    // from `result` before the next call on the session.
    asio::awaitable<void> run_operation(ProtocolSession &s, const OpRequest &req, Timeout t,
                                        ErrorContext ctx, anyserial_protocol_result_t &result);
    asio::awaitable<void> run_transaction(ProtocolSession &s, const anyserial_transaction_t &tx,
                                          Timeout t, const ErrorContext &ctx);
    asio::awaitable<void> wait_frame(std::uint64_t after_seq, Timeout t);
    asio::awaitable<void> lock();
    asio::awaitable<void> lock_line();
    void unlock() noexcept;
    void check_open() const;
    ErrorContext context() const;
    // Keeps `e` (with this device's context added) as last_error; returns its code.
    boost::system::error_code fail(std::exception_ptr e);
    std::chrono::nanoseconds default_timeout() const;

    // ---- open.cpp ------------------------------------------------------------------
    asio::awaitable<void> open();
    asio::awaitable<void> attach();  // on `line` (shared_line.cpp)
    // Runs open() or attach() and hands `h` the device, or the error (closing it first).
    void finish_open(asio::awaitable<void> (DeviceImpl::*how)(), Handler<Device> h);
    std::vector<const LoadedProtocol *> resolve_candidates();
    bool automatic = false;  // AUTO chose (or is choosing) the protocol
    // AUTO's rungs (open.cpp): the active probes in order, and one listening rung over
    // every passive candidate; each returns the protocol recognised or nullptr. `rungs` is
    // what is still to run, for the budget's equal shares.
    asio::awaitable<const LoadedProtocol *> probe_actives(
        const std::vector<const LoadedProtocol *> &candidates, std::size_t &rungs);
    asio::awaitable<const LoadedProtocol *> listen_passives(
        const std::vector<const LoadedProtocol *> &candidates, std::size_t &rungs);
    asio::awaitable<const LoadedProtocol *> auto_detect(
        const std::vector<const LoadedProtocol *> &candidates);
    void activate(const LoadedProtocol &p);
    anyserial_protocol_options_t protocol_options(const LoadedProtocol &p) const;

    // ---- session.cpp ---------------------------------------------------------------
    asio::awaitable<Frame> poll(bool wait_fresh, Timeout t);
    asio::awaitable<DeviceInfo> identify(Timeout t);
    asio::awaitable<DeviceStatus> read_status(Timeout t);
    asio::awaitable<Reading> read_channel(std::string id, Timeout t);
    void gate_capability(std::uint32_t cap, const char *what) const;
    const Reading &channel_of(const Frame &f, const std::string &id) const;
    // Throws ValidationError when a frame came and neither the channel table nor the
    // frame's empty slots have `id`.
    void validate_channel(const std::string &id) const;
    DeviceInfo make_info(std::vector<Field> fields) const;
    void close() noexcept;

    // ---- command.cpp ---------------------------------------------------------------
    // The gates, in order, before any byte: confirmation, capability, arguments.
    const CommandInfo &gate_command(const std::string &id, std::vector<ArgValue> &args,
                                    bool confirm) const;
    asio::awaitable<CommandResult> command(std::string id, std::vector<ArgValue> args, bool confirm,
                                           Timeout t);
};

// open.cpp: a protocol's default serial settings; the path to open for a port name.
SerialConfig config_from_descriptor(const anyserial_serial_config_t &c);
std::string seconds(std::chrono::nanoseconds d);
std::string resolve_open_path(PluginHost &host, const std::string &name);
// Opens `port_name` with the options' serial settings (default: protocol `p`'s, or 19200
// 8N1 without one); a failure is errc::connection naming the port and why.
asio::awaitable<SerialPort> open_port_for(asio::any_io_executor ex, PluginHost &host,
                                          const std::string &port_name, const DeviceOptions &o,
                                          const LoadedProtocol *p, const ErrorContext &c);

// Releases the per-device operation lock on scope exit.
struct OpGuard {
    DeviceImpl *impl;
    ~OpGuard() { impl->unlock(); }
};

}  // namespace anyserial::device::detail

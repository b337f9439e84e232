// anyserial — Manager: many devices across ports (seed 004's manager, for any device).
//
// Devices on the same port share one bus and are strictly serialised by a per-port
// AsyncMutex; different ports run concurrently (one coroutine per port group on the
// manager's executor, no thread). Per-device failures are DeviceResults; under
// ErrorPolicy::raise, async_execute_each completes with a ManagerError listing every
// failure after all devices finished. A Manager is a PollSource for record().
//
// BasicManager<Device> works over anything with async_poll(bool, Timeout, token),
// async_poll_samples(Timeout, token), port() and broadcast(); Manager is the one over
// device::Device.
#pragma once

#include <algorithm>
#include <anyserial/device/errors.hpp>
#include <anyserial/device/session.hpp>
#include <anyserial/device/transport.hpp>
#include <anyserial/errors.hpp>
#include <anyserial/log.hpp>
#include <anyserial/record/async_mutex.hpp>
#include <anyserial/record/poll_source.hpp>
#include <anyserial/record/recorder.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace anyserial::record {

enum class ErrorPolicy { raise, return_results };

struct DeviceFailure {
    boost::system::error_code code;
    std::string message;
};

// Value or error, never both.
template <class T>
struct DeviceResult {
    std::optional<T> value;
    std::optional<DeviceFailure> error;
    bool ok() const noexcept { return !error.has_value(); }
    static DeviceResult success(T v) { return {std::move(v), std::nullopt}; }
    static DeviceResult failure(DeviceFailure e) { return {std::nullopt, std::move(e)}; }
};

// The aggregate of ErrorPolicy::raise: every failed device, raised after all finished.
class ManagerError : public std::runtime_error {
  public:
    explicit ManagerError(std::map<std::string, DeviceFailure> failures)
        : std::runtime_error(describe(failures)), failures_(std::move(failures)) {}
    const std::map<std::string, DeviceFailure> &failures() const noexcept { return failures_; }

  private:
    static std::string describe(const std::map<std::string, DeviceFailure> &f) {
        std::string s = "manager: " + std::to_string(f.size()) + " device(s) failed:";
        for (const auto &[name, e] : f)
            s += " " + name + " (" + e.message + ");";
        return s;
    }
    std::map<std::string, DeviceFailure> failures_;
};

template <class Device>
class BasicManager {
  public:
    using Timeout = PollTimeout;

    explicit BasicManager(boost::asio::any_io_executor ex, ErrorPolicy policy = ErrorPolicy::raise)
        : ex_(std::move(ex)), policy_(policy) {}
    BasicManager(const BasicManager &) = delete;
    BasicManager &operator=(const BasicManager &) = delete;
    ~BasicManager() { close(); }

    ErrorPolicy error_policy() const noexcept { return policy_; }
    bool closed() const noexcept { return closed_; }
    boost::asio::any_io_executor get_executor() const { return ex_; }
    // Insertion-ordered names.
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const auto &e : entries_)
            out.push_back(e.name);
        return out;
    }

    // Track a device the caller keeps owning (shared), or take ownership (Device&&).
    // The port key groups devices on one bus (default: device.port()). A broadcasting
    // device is a single talker: refused as a peer on a shared port.
    Device &add(std::string name, std::shared_ptr<Device> device, std::string port_key = {}) {
        if (closed_) throw std::logic_error("manager: closed");
        if (!device) throw std::invalid_argument("manager: null device for '" + name + "'");
        if (find(name)) throw std::invalid_argument("manager: name '" + name + "' already in use");
        if (port_key.empty()) port_key = std::string(device->port());
        for (const auto &e : entries_) {
            if (e.port_key == port_key && (e.device->broadcast() || device->broadcast())) {
                throw std::invalid_argument(
                    "manager: '" + name + "' and '" + e.name + "' share port " + port_key +
                    ", but a broadcasting device cannot be a multidrop peer");
            }
        }
        if (!ports_.count(port_key)) ports_.emplace(port_key, std::make_shared<AsyncMutex>(ex_));
        entries_.push_back(Entry{std::move(name), std::move(device), std::move(port_key)});
        return *entries_.back().device;
    }
    Device &add(std::string name, Device &&device, std::string port_key = {}) {
        return add(std::move(name), std::make_shared<Device>(std::move(device)),
                   std::move(port_key));
    }

    // Unregisters; an owned device is closed when its last reference goes.
    void remove(const std::string &name) {
        auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const Entry &e) { return e.name == name; });
        if (it == entries_.end())
            throw std::invalid_argument("manager: no device named '" + name + "'");
        const std::string key = it->port_key;
        entries_.erase(it);
        if (std::none_of(entries_.begin(), entries_.end(),
                         [&](const Entry &e) { return e.port_key == key; }) &&
            !ports_.at(key)->locked()) {
            ports_.erase(key);
        }
    }
    Device &get(const std::string &name) const {
        if (auto *e = find(name)) return *e->device;
        throw std::invalid_argument("manager: no device named '" + name + "'");
    }
    // Drops every device (LIFO). Idempotent.
    void close() {
        while (!entries_.empty())
            entries_.pop_back();
        closed_ = true;
    }

    // One Frame per device, keyed by name; always a complete mapping.
    template <class Token>
    auto async_poll(std::vector<std::string> names, Timeout timeout, Token &&token) {
        return async_execute_each(
            [timeout](Device &d) -> boost::asio::awaitable<device::Frame> {
                auto [ec, f] = co_await d.async_poll(
                    false, timeout, boost::asio::as_tuple(boost::asio::use_awaitable));
                if (ec) rethrow_device_error(d, ec);
                co_return f;
            },
            std::move(names), std::forward<Token>(token), ErrorPolicy::return_results);
    }

    // Flat samples of every (or the named) device; failed devices are left out (logged
    // by the caller's summary as a missing device). Satisfies PollSource.
    template <class Token>
    auto async_poll_samples(const std::vector<std::string> &names, Timeout timeout, Token &&token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, Batch)>(
            [this](auto handler, std::vector<std::string> n, Timeout t) {
                boost::asio::co_spawn(
                    ex_, poll_samples_impl(std::move(n), t),
                    [h = std::move(handler)](std::exception_ptr e, Batch b) mutable {
                        std::move(h)(e ? code_of(e) : boost::system::error_code{}, std::move(b));
                    });
            },
            token, names, timeout);
    }

    // op(Device&) -> awaitable<R>, on every (or the named) device: same port in order,
    // ports concurrently. Completes with (std::exception_ptr, map<name, DeviceResult<R>>);
    // the exception is a ManagerError under ErrorPolicy::raise when any device failed.
    template <class Op, class Token>
    auto async_execute_each(Op op, std::vector<std::string> names, Token &&token,
                            std::optional<ErrorPolicy> policy = std::nullopt) {
        using R = typename std::invoke_result_t<Op, Device &>::value_type;
        return boost::asio::co_spawn(
            ex_, execute_impl<R>(std::move(op), std::move(names), policy.value_or(policy_)),
            std::forward<Token>(token));
    }

    // The device's own rich error (DeviceError with its context) when it has one for
    // `ec`, else a system_error with the code.
    [[noreturn]] static void rethrow_device_error(const Device &d, boost::system::error_code ec) {
        if constexpr (requires { d.last_error(); }) {
            if (auto e = d.last_error(); e && device::error_code_of(e) == ec)
                std::rethrow_exception(e);
        }
        throw boost::system::system_error(ec);
    }

  protected:
    // The code a failed poll completes with: an unknown name is a validation error, a
    // closed manager errc::closed, anything else what the device said.
    static boost::system::error_code code_of(const std::exception_ptr &e) {
        try {
            std::rethrow_exception(e);
        } catch (const std::invalid_argument &) {
            return device::make_error_code(device::errc::validation);
        } catch (const std::logic_error &) {
            return device::make_error_code(device::errc::closed);
        } catch (...) {
            return device::error_code_of(e);
        }
    }
    struct Entry {
        std::string name;
        std::shared_ptr<Device> device;
        std::string port_key;
    };
    const Entry *find(const std::string &name) const {
        for (const auto &e : entries_)
            if (e.name == name) return &e;
        return nullptr;
    }
    // port key -> members in insertion order (shared_ptrs keep them alive meanwhile).
    std::map<std::string, std::vector<Entry>> groups(const std::vector<std::string> &names) const {
        if (closed_) throw std::logic_error("manager: closed");
        std::map<std::string, std::vector<Entry>> g;
        if (names.empty()) {
            for (const auto &e : entries_)
                g[e.port_key].push_back(e);
        } else {
            for (const auto &n : names) {
                const Entry *e = find(n);
                if (!e) throw std::invalid_argument("manager: no device named '" + n + "'");
                g[e->port_key].push_back(*e);
            }
        }
        return g;
    }

    // A coroutine function, not a capturing lambda: its arguments live in its frame (the
    // mutex too: a manager closed meanwhile must not free the lock its operation holds).
    template <class Fn>
    static boost::asio::awaitable<void> locked_run(std::shared_ptr<AsyncMutex> mutex, Fn fn,
                                                   std::vector<Entry> members) {
        co_await mutex->async_lock(boost::asio::use_awaitable);
        try {
            co_await fn(members);
        } catch (...) {
            mutex->unlock();
            throw;
        }
        mutex->unlock();
    }

    // Runs fn(members) for every port group concurrently, under that port's lock.
    template <class Fn>
    boost::asio::awaitable<void> for_each_port(std::map<std::string, std::vector<Entry>> g, Fn fn) {
        struct Join {
            std::size_t remaining;
            std::optional<boost::asio::any_completion_handler<void()>> done;
        };
        auto join = std::make_shared<Join>(Join{g.size(), std::nullopt});
        for (auto &[key, members] : g) {
            boost::asio::co_spawn(ex_, locked_run(ports_.at(key), fn, std::move(members)),
                                  [join, ex = ex_](std::exception_ptr) {
                                      if (--join->remaining == 0 && join->done) {
                                          auto h = std::move(*join->done);
                                          join->done.reset();
                                          boost::asio::post(ex, std::move(h));
                                      }
                                  });
        }
        if (join->remaining > 0) {
            // Raw pointer capture: GCC 12 destroys temporaries of a co_await expression
            // twice, so nothing with a destructor may be captured here.
            Join *j = join.get();
            co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void()>(
                [j](auto h) { j->done.emplace(std::move(h)); }, boost::asio::use_awaitable);
        }
    }

    template <class R, class Op>
    boost::asio::awaitable<std::map<std::string, DeviceResult<R>>> execute_impl(
        Op op, std::vector<std::string> names, ErrorPolicy policy) {
        auto results = std::make_shared<std::map<std::string, DeviceResult<R>>>();
        auto g = groups(names);
        auto fn = [op, results](std::vector<Entry> &members) -> boost::asio::awaitable<void> {
            for (auto &m : members) {
                try {
                    // Not inside a call expression: GCC 12 mishandles co_await temporaries.
                    R value = co_await op(*m.device);
                    (*results)[m.name] = DeviceResult<R>::success(std::move(value));
                } catch (const boost::system::system_error &e) {
                    (*results)[m.name] = DeviceResult<R>::failure({e.code(), e.what()});
                } catch (const std::system_error &e) {
                    (*results)[m.name] =
                        DeviceResult<R>::failure({boost::system::error_code(e.code()), e.what()});
                } catch (const std::exception &e) {
                    (*results)[m.name] =
                        DeviceResult<R>::failure({make_error_code(errc::io_error), e.what()});
                }
            }
        };
        co_await for_each_port(std::move(g), std::move(fn));
        if (policy == ErrorPolicy::raise) {
            std::map<std::string, DeviceFailure> failures;
            for (const auto &[name, r] : *results)
                if (r.error) failures.emplace(name, *r.error);
            if (!failures.empty()) throw ManagerError(std::move(failures));
        }
        co_return std::move(*results);
    }

    // A device whose poll fails is left out of the batch and logged at WARN (seed 004);
    // when every device failed with a connection error the tick fails with
    // errc::connection instead, so record()'s auto-reconnect can rebuild the manager.
    boost::asio::awaitable<Batch> poll_samples_impl(std::vector<std::string> names, Timeout t) {
        auto per_port = std::make_shared<std::map<std::string, Batch>>();
        auto lost = std::make_shared<std::size_t>(0);
        auto g = groups(names);
        std::size_t devices = 0;
        for (const auto &[key, m] : g)
            devices += m.size();
        auto fn = [t, per_port, lost](std::vector<Entry> &members) -> boost::asio::awaitable<void> {
            for (auto &m : members) {
                auto [ec, samples] = co_await m.device->async_poll_samples(
                    t, boost::asio::as_tuple(boost::asio::use_awaitable));
                if (ec) {
                    if (is_connection_error(ec)) ++*lost;
                    log_failure(*m.device, m.name, ec);
                    continue;
                }
                auto &out = (*per_port)[m.port_key];
                out.insert(out.end(), std::make_move_iterator(samples.begin()),
                           std::make_move_iterator(samples.end()));
            }
        };
        co_await for_each_port(std::move(g), std::move(fn));
        if (devices > 0 && *lost == devices)
            throw device::DeviceError(device::errc::connection,
                                      "manager: every device lost its connection");
        Batch all;
        for (auto &[key, b] : *per_port)
            all.insert(all.end(), std::make_move_iterator(b.begin()),
                       std::make_move_iterator(b.end()));
        co_return all;
    }

    static void log_failure(const Device &d, const std::string &name,
                            boost::system::error_code ec) {
        std::string why = ec.message();
        if constexpr (requires { d.last_error(); }) {
            if (auto e = d.last_error(); e && device::error_code_of(e) == ec) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception &x) {
                    why = x.what();
                }
            }
        }
        log::write("anyserial.record", log::Level::warn,
                   "manager.poll_failed device=" + name + " error=" + why);
    }

    boost::asio::any_io_executor ex_;
    ErrorPolicy policy_;
    bool closed_ = false;
    std::vector<Entry> entries_;
    std::map<std::string, std::shared_ptr<AsyncMutex>> ports_;
};

// The Manager over device::Device, which can also open devices itself:
//   async_add(name, port_path, options)  opens (or reuses) a shared Transport for the path;
//                                         the manager owns it and closes it when the last
//                                         of its devices is removed
//   async_add(name, transport, options)   a device on the caller's Transport (bound, not
//                                         owned: the caller closes it)
//   add(name, Device&&) / add(name, shared_ptr<Device>)  a prebuilt device, owned /
//                                         tracked (the caller keeps it)
// Devices added by path or transport are multidrop peers of a request/response protocol
// with addresses ("1".."247", "A".."Z", as the plugin declares): AUTO, broadcast protocols and
// protocols without addresses are refused, and so is a second protocol on the same line or
// a second device at the same (canonical) address (DeviceError, errc::validation). They
// complete with (std::exception_ptr, Device*); the pointer stays valid until the device
// is removed. Use a Manager and its devices from one thread (a single-threaded io_context).
class Manager : public BasicManager<device::Device> {
  public:
    Manager(boost::asio::any_io_executor ex, PluginHost &host,
            ErrorPolicy policy = ErrorPolicy::raise)
        : BasicManager(std::move(ex), policy), host_(&host) {}
    explicit Manager(boost::asio::any_io_executor ex, ErrorPolicy policy = ErrorPolicy::raise)
        : BasicManager(std::move(ex), policy) {}
    ~Manager() { close(); }

    using BasicManager::add;

    template <class Token>
    auto async_add(std::string name, std::string port_path, device::DeviceOptions options,
                   Token &&token) {
        return boost::asio::co_spawn(
            ex_, add_on_path(std::move(name), std::move(port_path), std::move(options)),
            std::forward<Token>(token));
    }
    template <class Token>
    auto async_add(std::string name, device::Transport transport, device::DeviceOptions options,
                   Token &&token) {
        return boost::asio::co_spawn(
            ex_, add_on_transport(std::move(name), std::move(transport), std::move(options)),
            std::forward<Token>(token));
    }

    // Unregisters (closing an owned device; a tracked one stays open) and closes a
    // transport the manager opened once its last device is gone.
    void remove(const std::string &name);
    // Every device (LIFO), then every owned transport. Idempotent.
    void close();

    // The transport the manager opened for `port_path`, if any (e.g. to inspect it).
    const device::Transport *transport(const std::string &port_path) const;

  private:
    boost::asio::awaitable<device::Device *> add_on_path(std::string name, std::string path,
                                                         device::DeviceOptions options);
    boost::asio::awaitable<device::Device *> add_on_path_locked(std::string name, std::string path,
                                                                device::DeviceOptions options);
    boost::asio::awaitable<device::Device *> add_on_transport(std::string name,
                                                              device::Transport transport,
                                                              device::DeviceOptions options);
    boost::asio::awaitable<device::Device *> attach(std::string name,
                                                    const device::Transport &transport,
                                                    device::DeviceOptions options);
    // Checks a peer before any I/O; returns its options with the protocol resolved to a
    // plugin id and the address in canonical form.
    device::DeviceOptions check_peer(const std::string &name, const std::string &port_key,
                                     device::DeviceOptions options) const;
    void release_unused_transports();

    PluginHost *host_ = nullptr;
    std::map<std::string, device::Transport> owned_;                 // by port path
    std::map<std::string, std::shared_ptr<AsyncMutex>> open_locks_;  // one open per path
};

}  // namespace anyserial::record

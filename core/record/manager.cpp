// anyserial — Manager: opening devices on shared transports (multidrop), and the
// ownership of the transports it opened.
#include <anyserial/device/abi.hpp>
#include <anyserial/device/resolve.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/record/manager.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "log/logger.hpp"

// GCC 12 false positive on Asio's awaitable frame allocator.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace anyserial::record {

namespace asio = boost::asio;
using device::errc;

namespace {
device::ErrorContext context_of(const std::string &port, const device::DeviceOptions &o) {
    device::ErrorContext c;
    c.port = port;
    if (!o.address.empty()) c.address = o.address;
    c.protocol = o.protocol;
    return c;
}
}  // namespace

device::DeviceOptions Manager::check_peer(const std::string &name, const std::string &port_key,
                                          device::DeviceOptions o) const {
    const auto ctx = context_of(port_key, o);
    if (closed()) device::throw_device_error(errc::closed, "manager: closed", ctx);
    if (find(name))
        device::throw_device_error(errc::validation, "manager: name '" + name + "' already in use",
                                   ctx);
    if (host_ == nullptr)
        device::throw_device_error(
            errc::configuration,
            "manager: constructed without a PluginHost, it cannot open devices itself", ctx);
    // What the protocol and address mean against the loaded plugins: ValidationError
    // naming what is loaded, or quoting the address syntax.
    const auto choice = [&] {
        try {
            return device::resolve_protocol(*host_, o.protocol, o.family);
        } catch (const device::DeviceError &e) {
            device::throw_device_error(e.condition(), "manager: '" + name + "': " + e.message(),
                                       ctx);
        }
    }();
    if (choice.automatic || choice.candidates.size() != 1)
        device::throw_device_error(errc::validation,
                                   "manager: '" + name +
                                       "': AUTO cannot be a multidrop peer; name the protocol "
                                       "(a plugin id or FAMILY:MODE)",
                                   ctx);
    const LoadedProtocol &p = *choice.candidates.front();
    const auto &d = p.descriptor();
    const std::string id = d.id;
    if (d.traffic == ANYSERIAL_TRAFFIC_BROADCAST)
        device::throw_device_error(
            errc::validation,
            "manager: only request/response protocols can be grouped, got " + id +
                "; a broadcasting device is a single talker, not a multidrop peer",
            ctx);
    if (d.address == nullptr || d.address->kind == ANYSERIAL_ADDRESS_NONE)
        device::throw_device_error(
            errc::validation,
            "manager: " + id + " has no device addresses; one line holds one such device", ctx);
    std::string address;
    try {
        address = device::normalise_address(p, o.address);
    } catch (const device::DeviceError &e) {
        device::throw_device_error(errc::validation,
                                   "manager: '" + name + "': bad address: " + e.message(), ctx);
    }
    o.address = address;
    o.protocol = id;
    for (const auto &e : entries_) {
        if (e.port_key != port_key) continue;
        if (!e.device->shared())
            device::throw_device_error(
                errc::validation,
                "manager: port " + port_key + " is already used exclusively by '" + e.name + "'",
                ctx);
        if (e.device->protocol_id() != id)
            device::throw_device_error(errc::validation,
                                       "manager: '" + name + "' (" + id + ") and '" + e.name +
                                           "' (" + e.device->protocol_id() + ") on " + port_key +
                                           ": one line speaks one protocol",
                                       ctx);
        if (e.device->address() == o.address)
            device::throw_device_error(errc::validation,
                                       "manager: '" + name + "' and '" + e.name +
                                           "' both have address " + o.address + " on " + port_key,
                                       ctx);
    }
    return o;
}

asio::awaitable<device::Device *> Manager::attach(std::string name,
                                                  const device::Transport &transport,
                                                  device::DeviceOptions options) {
    if (options.device.empty()) options.device = name;  // peers share a port: label by name
    auto [ec, dev] = co_await device::async_open_device(transport, std::move(options),
                                                        asio::as_tuple(asio::use_awaitable));
    if (ec) {
        if (auto e = dev.last_error()) std::rethrow_exception(e);
        throw boost::system::system_error(ec, "manager: '" + name + "'");
    }
    // Re-check: another add may have taken the name while this one was opening.
    if (find(name) || closed()) {
        dev.close();
        device::throw_device_error(errc::validation, "manager: name '" + name + "' already in use");
    }
    const std::string key = transport.path();
    log::logger("anyserial.record")
        .info("manager.add device={} port={} protocol={} address={}", name, key, dev.protocol_id(),
              dev.address());
    co_return &add(std::move(name), std::move(dev), key);
}

asio::awaitable<device::Device *> Manager::add_on_path(std::string name, std::string path,
                                                       device::DeviceOptions options) {
    options = check_peer(name, path, std::move(options));
    // Adds on one path open its transport once: the next waits and reuses it (a second open
    // of an exclusive port would fail; a second transport would compete for the bytes).
    auto &slot = open_locks_[path];
    if (!slot) slot = std::make_shared<AsyncMutex>(ex_);
    const std::shared_ptr<AsyncMutex> open_lock = slot;
    co_await open_lock->async_lock(asio::use_awaitable);
    device::Device *added = nullptr;
    std::exception_ptr failed;
    try {
        added = co_await add_on_path_locked(std::move(name), path, std::move(options));
    } catch (...) {
        failed = std::current_exception();
    }
    open_lock->unlock();
    if (!open_lock->locked()) open_locks_.erase(path);  // nobody else is waiting to open it
    if (failed) std::rethrow_exception(failed);
    co_return added;
}

asio::awaitable<device::Device *> Manager::add_on_path_locked(std::string name, std::string path,
                                                              device::DeviceOptions options) {
    options = check_peer(name, path, std::move(options));  // the state may have moved meanwhile
    auto it = owned_.find(path);
    const bool in_use = std::any_of(entries_.begin(), entries_.end(),
                                    [&](const Entry &e) { return e.port_key == path; });
    if (in_use && it == owned_.end())
        device::throw_device_error(errc::validation,
                                   "manager: " + path +
                                       " is on a transport the caller bound; add '" + name +
                                       "' on that transport, not by path",
                                   context_of(path, options));
    if (it == owned_.end() || !it->second.is_open()) {
        // A line that failed is closed first: its port would still be held open by the
        // devices on it (an exclusive port could not be reopened).
        if (it != owned_.end()) it->second.close();
        auto [ec, t] = co_await device::async_open_transport(ex_, *host_, path, options,
                                                             asio::as_tuple(asio::use_awaitable));
        if (ec) {
            if (auto e = t.last_error()) std::rethrow_exception(e);
            throw boost::system::system_error(ec, "manager: open " + path);
        }
        (void)check_peer(name, path, options);  // closed or the name taken while opening
        it = owned_.insert_or_assign(path, std::move(t)).first;
    }
    const device::Transport transport = it->second;
    try {
        co_return co_await attach(std::move(name), transport, std::move(options));
    } catch (...) {
        release_unused_transports();
        throw;
    }
}

asio::awaitable<device::Device *> Manager::add_on_transport(std::string name,
                                                            device::Transport transport,
                                                            device::DeviceOptions options) {
    if (!transport)
        device::throw_device_error(errc::closed, "manager: '" + name + "': empty transport");
    options = check_peer(name, transport.path(), std::move(options));
    if (auto it = owned_.find(transport.path());
        it != owned_.end() && it->second.line() != transport.line())
        device::throw_device_error(errc::validation,
                                   "manager: " + transport.path() +
                                       " already has a transport the manager opened; a second "
                                       "one on the same port would compete for its bytes",
                                   context_of(transport.path(), options));
    co_return co_await attach(std::move(name), transport, std::move(options));
}

void Manager::release_unused_transports() {
    for (auto it = owned_.begin(); it != owned_.end();) {
        const bool used = std::any_of(entries_.begin(), entries_.end(),
                                      [&](const Entry &e) { return e.port_key == it->first; });
        if (used) {
            ++it;
            continue;
        }
        log::logger("anyserial.record").info("manager.close_transport port={}", it->first);
        it->second.close();
        it = owned_.erase(it);
    }
}

void Manager::remove(const std::string &name) {
    BasicManager::remove(name);
    release_unused_transports();
}

void Manager::close() {
    BasicManager::close();
    release_unused_transports();
}

const device::Transport *Manager::transport(const std::string &port_path) const {
    auto it = owned_.find(port_path);
    return it == owned_.end() ? nullptr : &it->second;
}

}  // namespace anyserial::record

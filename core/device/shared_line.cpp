// anyserial — a serial line shared by several request/response devices: the Transport
// handle, its receive loop, and opening a device on it.
#include <anyserial/device/abi.hpp>
#include <anyserial/device/resolve.hpp>
#include <anyserial/device/transport.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

#include "device/device_impl.hpp"
#include "log/logger.hpp"

namespace anyserial::device {
namespace detail {

// ---- the line ---------------------------------------------------------------------------

LineGuard::~LineGuard() {
    if (auto l = line.lock()) l->close();
}

std::shared_ptr<LineGuard> SharedLine::acquire_guard() {
    auto g = guard.lock();
    if (!g) {
        g = std::make_shared<LineGuard>();
        g->line = weak_from_this();
        guard = g;
    }
    return g;
}

void SharedLine::start_reader() {
    if (reader_started || closed || !port) return;
    reader_started = true;
    asio::co_spawn(ex, reader(shared_from_this()), asio::detached);
}

asio::awaitable<void> SharedLine::reader(std::shared_ptr<SharedLine> self) {
    while (!closed) {
        auto [ec, n] = co_await port->async_read_some(asio::buffer(rxbuf),
                                                      asio::as_tuple(asio::use_awaitable));
        if (n > 0) {
            last_traffic_ns = monotonic_now_ns();
            if (active != nullptr && !active->closed) {
                active->last_traffic_ns = last_traffic_ns;
                try {
                    active->on_bytes({rxbuf.data(), n});
                } catch (const std::exception &e) {
                    log::logger("anyserial.device").warn("{}: receive path: {}", path, e.what());
                }
            }  // else: nobody is in a transaction; stray bytes are dropped
        }
        if (ec) {
            const std::string why =
                port->last_error().message.empty() ? ec.message() : port->last_error().message;
            line_error = closed ? closed_error()
                                : connection_error("lost the connection to " + path + ": " + why);
            break;
        }
    }
    wake_members(line_error);
    (void)self;
}

std::exception_ptr SharedLine::connection_error(std::string what) const {
    ErrorContext c;
    c.port = path;
    return make_device_error(errc::connection, std::move(what), c);
}

std::exception_ptr SharedLine::closed_error() const {
    return connection_error("the shared transport on " + path + " was closed");
}

// Everybody waiting on the line (in a transaction or for the bus) re-checks, and fails
// with `err` unless it has an error already.
void SharedLine::wake_members(const std::exception_ptr &err) {
    for (const auto &w : members) {
        if (auto m = w.lock()) {
            if (!m->line_error) m->line_error = err;
            m->notifier.notify_all();
        }
    }
    notifier.notify_all();
}

void SharedLine::close() noexcept {
    if (closed) return;
    closed = true;
    wake_members(closed_error());
    if (port) port->close();
}

// ---- a device on the line -------------------------------------------------------------

asio::awaitable<void> DeviceImpl::attach() {
    const std::vector<const LoadedProtocol *> candidates = resolve_candidates();
    if (automatic)
        throw_device_error(errc::validation,
                           "AUTO cannot run on the shared transport " + port_name +
                               ": it needs the line to itself; name the protocol of each "
                               "multidrop peer",
                           context());
    const LoadedProtocol *p = candidates.front();
    if (p->model().broadcast)
        throw_device_error(errc::validation,
                           "protocol " + p->id() +
                               " is a single broadcaster, not a multidrop peer: it cannot "
                               "share the transport on " +
                               port_name,
                           context());
    if (line->closed || !line->port || !line->port->is_open())
        throw_device_error(errc::connection, "the shared transport on " + port_name + " is closed",
                           context());
    if (line->line_error) std::rethrow_exception(line->line_error);
    port = &*line->port;
    activate(*p);
    line->members.push_back(weak_from_this());
    line->start_reader();
    if (opts.identify && (caps & ANYSERIAL_PCAP_IDENTIFY) != 0) co_await identify(Timeout{});
}

void start_open_on(std::shared_ptr<SharedLine> line, DeviceOptions options, Handler<Device> h) {
    if (!line) {
        asio::dispatch(asio::append(std::move(h), make_error_code(errc::closed), Device{}));
        return;
    }
    auto impl = std::make_shared<DeviceImpl>(line->ex, *line->host, line->path, std::move(options));
    impl->line = line;
    impl->line_guard = line->acquire_guard();
    impl->finish_open(&DeviceImpl::attach, std::move(h));
}

void start_open_transport(asio::any_io_executor ex, PluginHost &host, std::string path,
                          DeviceOptions options, Handler<Transport> h) {
    auto strand = asio::make_strand(ex);
    auto line = std::make_shared<SharedLine>(strand, host, std::move(path));
    asio::co_spawn(
        strand,
        [line, o = std::move(options)]() -> asio::awaitable<void> {
            ErrorContext c;
            c.port = line->path;
            const LoadedProtocol *p = nullptr;
            if (!o.serial) {
                try {
                    const ProtocolChoice choice =
                        resolve_protocol(*line->host, o.protocol, o.family);
                    if (!choice.automatic) p = choice.candidates.front();
                } catch (...) {
                    rethrow_with_context(std::current_exception(), c);
                }
            }
            line->port.emplace(co_await open_port_for(line->ex, *line->host, line->path, o, p, c));
        },
        [line, h = std::move(h)](std::exception_ptr e) mutable {
            boost::system::error_code ec;
            if (e) {
                line->last_error = e;
                ec = error_code_of(e);
                line->closed = true;
            }
            asio::dispatch(asio::append(std::move(h), ec, Transport(line)));
        });
}

}  // namespace detail

// ---- Transport ------------------------------------------------------------------------------

Transport::Transport(SerialPort port, PluginHost &host) {
    if (!port.is_open())
        throw std::invalid_argument("anyserial::device::Transport: the port is not open");
    auto ex = port.get_executor();
    std::string path = port.path();
    line_ = std::make_shared<detail::SharedLine>(std::move(ex), host, std::move(path));
    line_->port.emplace(std::move(port));
    guard_ = line_->acquire_guard();
}

Transport::Transport(std::shared_ptr<detail::SharedLine> l) : line_(std::move(l)) {
    if (line_) guard_ = line_->acquire_guard();
}

bool Transport::is_open() const noexcept {
    return line_ && !line_->closed && !line_->line_error && line_->port && line_->port->is_open();
}
const std::string &Transport::path() const noexcept {
    static const std::string none;
    return line_ ? line_->path : none;
}
Transport::executor_type Transport::get_executor() const {
    if (!line_) throw std::logic_error("anyserial::device::Transport: empty handle");
    return line_->ex;
}
SerialPort &Transport::port() const {
    if (!line_ || !line_->port) throw std::logic_error("anyserial::device::Transport: no port");
    return *line_->port;
}
std::size_t Transport::devices() const noexcept {
    if (!line_) return 0;
    std::size_t n = 0;
    for (const auto &w : line_->members)
        if (auto m = w.lock(); m && !m->closed) ++n;
    return n;
}
std::uint64_t Transport::bus_acquisitions() const noexcept {
    return line_ ? line_->transactions : 0;
}
std::exception_ptr Transport::last_error() const noexcept {
    return line_ ? line_->last_error : nullptr;
}
void Transport::close() noexcept {
    if (line_) line_->close();
}

}  // namespace anyserial::device

// anyserial — Simulator (C vtable face) and PtySimulator (a simulated device on a pty).
#include <fcntl.h>
#include <pty.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <anyserial/device/errors.hpp>
#include <anyserial/device/resolve.hpp>
#include <anyserial/errors.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/sim/simulator.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "plugin/simulator_proxy.hpp"

namespace anyserial::sim {

std::uint64_t now_ns() noexcept {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
}

Simulator::Simulator(const LoadedProtocol &protocol, const std::string &address, unsigned baudrate)
    : protocol_(&protocol), protocol_id_(protocol.id()) {
    const auto *ext = plugin_detail::SimulatorProxy::extension(protocol);
    if (ext == nullptr)
        device::throw_device_error(device::errc::capability, "protocol " + protocol_id_ +
                                                                 " has no simulator extension (" +
                                                                 ANYSERIAL_EXT_SIMULATOR_ID + ")");
    address_ = device::normalise_address(protocol, address);
    anyserial_protocol_options_t opts{};
    opts.struct_size = sizeof opts;
    opts.address = address_.empty() ? nullptr : address_.c_str();
    opts.baudrate = baudrate != 0 ? baudrate : protocol.default_serial().baudrate;
    opts.retries = UINT32_MAX;
    proxy_ = std::make_unique<plugin_detail::SimulatorProxy>(protocol, *ext, opts);
}

Simulator::~Simulator() = default;

void Simulator::check(std::int32_t status, const char *what) {
    if (status == ANYSERIAL_OK) return;
    throw PluginError(
        make_error_code(errc_from_status(status)),
        "simulator " + protocol_id_ + ": " + what + " failed: " + proxy_->last_error());
}

void Simulator::feed(std::uint64_t now, std::span<const std::uint8_t> data) {
    check(proxy_->feed(now, data), "feed");
}

std::uint32_t Simulator::poll_output(std::uint64_t now, std::span<std::uint8_t> buf,
                                     std::uint64_t &next_ns) {
    std::uint32_t n = 0;
    check(proxy_->poll_output(now, buf, n, next_ns), "poll_output");
    return n;
}

void Simulator::set_reading(const std::string &channel, const device::ArgValue &value,
                            std::uint64_t flags) {
    check(proxy_->set_reading(channel, value, flags), "set_reading");
}

void Simulator::set_reading(const std::string &channel, std::optional<double> value,
                            std::uint64_t flags) {
    set_reading(channel, value ? device::ArgValue::of(*value) : device::ArgValue{}, flags);
}

void Simulator::set_label(const std::string &channel, const char *name, const std::string &unit) {
    check(proxy_->set_label(channel, name, unit), "set_label");
}

void Simulator::set_device_flags(std::uint64_t flags) {
    check(proxy_->set_device_flags(flags), "set_device_flags");
}

void Simulator::set_fault(std::uint32_t fault, std::uint32_t param) {
    check(proxy_->set_fault(fault, param), "set_fault");
}

void Simulator::set_interval(std::chrono::nanoseconds interval) {
    check(proxy_->set_interval(static_cast<std::uint64_t>(interval.count())), "set_interval");
}

device::Field Simulator::field(const std::string &id) {
    device::Field f;
    check(proxy_->get_field(id, f), ("get_field(" + id + ")").c_str());
    return f;
}

std::uint64_t Simulator::flag_bits(std::initializer_list<std::string_view> ids) const {
    const device::FlagTable &table = *protocol_->flag_table();
    std::uint64_t bits = 0;
    for (std::string_view id : ids) {
        std::size_t i = 0;
        while (i < table.size() && table[i].id != id)
            ++i;
        if (i == table.size())
            throw std::invalid_argument("protocol " + protocol_id_ + " declares no flag '" +
                                        std::string(id) + "'");
        bits |= std::uint64_t{1} << i;
    }
    return bits;
}

Simulator::Counters Simulator::counters() {
    Counters c;
    check(proxy_->counters(c.requests, c.replies, c.frames), "counters");
    return c;
}

// ---- PtySimulator -------------------------------------------------------------------

struct PtySimulator::Impl {
    std::unique_ptr<SimulatorPump<boost::asio::posix::stream_descriptor>> pump;
};

namespace {

[[noreturn]] void throw_errno(const std::string &what, int err) {
    throw SerialError(make_error_code(errc_from_errno(err, ErrnoContext::open)), what, {}, err);
}

speed_t speed_of(unsigned baud) {
    switch (baud) {
        case 2400:
            return B2400;
        case 4800:
            return B4800;
        case 9600:
            return B9600;
        case 38400:
            return B38400;
        case 57600:
            return B57600;
        case 115200:
            return B115200;
        default:
            return B19200;
    }
}

}  // namespace

PtySimulator::PtySimulator(boost::asio::any_io_executor ex, const LoadedProtocol &protocol,
                           PtyOptions options)
    : impl_(std::make_unique<Impl>()) {
    sim_ = std::make_shared<Simulator>(protocol, options.address, options.baudrate);
    sims_.push_back(sim_);
    for (const std::string &a : options.more_addresses) {
        auto more = std::make_shared<Simulator>(protocol, a, options.baudrate);
        for (const auto &s : sims_)
            if (s->address() == more->address())
                throw ConfigurationError(make_error_code(errc::invalid_argument),
                                         "address '" + a + "' of " + protocol.id() +
                                             " is given twice (as '" + more->address() + "')");
        sims_.push_back(std::move(more));
    }
    if (options.interval)
        for (const auto &s : sims_)
            s->set_interval(*options.interval);

    int controller = -1;
    int follower = -1;
    char name[128] = {};
    if (::openpty(&controller, &follower, name, nullptr, nullptr) != 0)
        throw_errno("openpty", errno);
    // Neither end may leak into child processes (tests spawn peers).
    ::fcntl(controller, F_SETFD, FD_CLOEXEC);
    ::fcntl(follower, F_SETFD, FD_CLOEXEC);
    // Raw mode now, on the follower, so it holds for whoever opens the path later:
    // a fresh pty is cooked (ICANON buffers until newline, OPOST turns \n into \r\n, ECHO).
    termios tio{};
    if (::tcgetattr(follower, &tio) != 0) {
        const int err = errno;
        ::close(controller);
        ::close(follower);
        throw_errno("tcgetattr(" + std::string(name) + ")", err);
    }
    ::cfmakeraw(&tio);
    tio.c_cflag |= CS8 | CREAD | CLOCAL;
    ::cfsetispeed(&tio, speed_of(options.baudrate));
    ::cfsetospeed(&tio, speed_of(options.baudrate));
    ::tcsetattr(follower, TCSANOW, &tio);
    // The pump waits for readiness: the controller must never block.
    ::fcntl(controller, F_SETFL, ::fcntl(controller, F_GETFL) | O_NONBLOCK);
    follower_fd_ = follower;
    path_ = name;

    boost::asio::posix::stream_descriptor sd(ex, controller);
    impl_->pump = std::make_unique<SimulatorPump<boost::asio::posix::stream_descriptor>>(
        std::move(sd), sims_);

    if (options.link) {
        namespace fs = std::filesystem;
        std::error_code ec;
        if (fs::is_symlink(fs::symlink_status(*options.link, ec))) {
            // Only a stale link is replaced: one that dangles, as a link to a pty whose
            // simulator is gone does (the kernel removes a closed pty's /dev/pts node).
            // Anything it points to may be another simulator's live pty or a system file.
            struct stat st {};
            const bool dangling =
                ::stat(options.link->c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR);
            if (!dangling) {
                const std::string target = fs::read_symlink(*options.link, ec).string();
                stop();
                throw ConfigurationError(
                    make_error_code(errc::invalid_argument),
                    "--link " + options.link->string() + " is a symlink to " + target +
                        ", which exists (another simulator's pty?); refusing to replace it");
            }
            fs::remove(*options.link, ec);
        } else if (fs::exists(fs::symlink_status(*options.link, ec))) {
            stop();
            throw ConfigurationError(make_error_code(errc::invalid_argument),
                                     "--link " + options.link->string() +
                                         " exists and is not a symlink; refusing to replace it");
        }
        fs::create_symlink(path_, *options.link, ec);
        if (ec) {
            stop();
            throw SerialError(make_error_code(errc::io_error), "cannot create symlink " +
                                                                   options.link->string() + " -> " +
                                                                   path_ + ": " + ec.message());
        }
        link_ = options.link;
    }
}

PtySimulator::~PtySimulator() {
    stop();
}

void PtySimulator::start() {
    if (impl_ && impl_->pump) impl_->pump->start();
}

void PtySimulator::stop() noexcept {
    if (impl_ && impl_->pump) impl_->pump->stop();
    if (link_) {
        std::error_code ec;
        if (std::filesystem::read_symlink(*link_, ec) == path_) std::filesystem::remove(*link_, ec);
        link_.reset();
    }
    if (follower_fd_ >= 0) {
        ::close(follower_fd_);
        follower_fd_ = -1;
    }
}

}  // namespace anyserial::sim

// anyserial: the same loops as boost-asio, over anyserial::SerialPort.
//   --impl anyserial         async SerialPort; the linux backend plugin loaded by PluginHost
//   --impl anyserial-static  the same SerialPort code; the linux backend linked into this
//                            binary and registered with PluginHost::add_static (no dlopen,
//                            no PIC module): the difference is what the plugin boundary costs
//   --impl anyserial-sync    the blocking facade (anyserial/sync.hpp)
#include <anyserial/sdk/backend.h>
#include <anyserial/sdk/status.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <anyserial/plugin_host.hpp>
#include <anyserial/sdk/cpp/backend.hpp>
#include <anyserial/serial_port.hpp>
#include <anyserial/sync.hpp>
#include <cerrno>
#include <deque>
#include <memory>
#include <optional>

#include "harness.hpp"
#include "linux_backend.hpp"

namespace asio = boost::asio;
using anyserial::SerialPort;

// The plugin's discovery extension lives in its entry TU (linux_plugin.cpp), which this
// binary does not link: the statically linked backend offers no backend-level extension.
const void *anyserial::linux_backend::LinuxBackend::factory_extension(const char *) noexcept {
    return nullptr;
}

namespace {

using LinuxFactory = anyserial::sdk::BackendFactory<anyserial::linux_backend::LinuxBackend>;

// The linux backend linked into this binary, registered with the host through the same
// entry struct a plugin exports: identical C tables, no dlopen, no PIC module boundary.
const void *static_get_factory(const char *id) noexcept {
    return anyserial::sdk::lookup_factory(id,
                                          {{ANYSERIAL_BACKEND_FACTORY_ID, LinuxFactory::get()}});
}
const anyserial_plugin_entry_t kStaticLinuxEntry = {
    ANYSERIAL_SDK_VERSION_MAJOR, ANYSERIAL_SDK_VERSION_MINOR, ANYSERIAL_SDK_VERSION_PATCH,
    anyserial::sdk::init_host,   anyserial::sdk::deinit_host, static_get_factory};

int run_sync(const bench::Args &a, anyserial::PluginHost &host) {
    std::deque<anyserial::sync::SerialPort> ports;
    for (const std::string &p : a.paths)
        ports.push_back(anyserial::sync::SerialPort::open(host, p));
    unsigned char b = 'x';
    auto rtt_once = [&](anyserial::sync::SerialPort &port) {
        port.write(asio::buffer(&b, 1));
        port.read_some(asio::buffer(&b, 1));
    };
    std::vector<double> samples;
    if (a.mode == "rtt") {
        for (long i = 0; i < a.warmup + a.iters; ++i) {
            const double t0 = bench::now_us();
            rtt_once(ports[0]);
            if (i >= a.warmup) samples.push_back(bench::now_us() - t0);
        }
        bench::print_samples(samples);
    } else if (a.mode == "allocs") {
        for (long i = 0; i < a.warmup; ++i)
            rtt_once(ports[0]);
        const std::uint64_t before = bench::allocations();
        for (long i = 0; i < a.iters; ++i)
            rtt_once(ports[0]);
        bench::print_value("allocs_per_op", static_cast<double>(bench::allocations() - before) /
                                                static_cast<double>(a.iters));
    } else if (a.mode == "fanout") {
        // One thread with a blocking API: write every port, then read each in turn.
        for (long i = 0; i < a.warmup + a.iters; ++i) {
            const double t0 = bench::now_us();
            for (auto &port : ports)
                port.write(asio::buffer(&b, 1));
            for (auto &port : ports)
                port.read_some(asio::buffer(&b, 1));
            if (i >= a.warmup) samples.push_back(bench::now_us() - t0);
        }
        bench::print_samples(samples);
    } else if (a.mode == "throughput") {
        std::vector<unsigned char> chunk(64 * 1024, 0x55);
        long sent = 0;
        const double t0 = bench::now_us();
        for (; sent < a.bytes; sent += static_cast<long>(chunk.size()))
            ports[0].write(asio::buffer(chunk));
        bench::print_value("mib_s", static_cast<double>(sent) / (1024.0 * 1024.0) /
                                        ((bench::now_us() - t0) / 1e6));
    } else if (a.mode == "instr") {
        // Whether the echo is already there when read_some starts (one non-blocking read) or
        // not yet (EAGAIN, then ppoll) depends on the machine's load, and moved the count by
        // up to 25 % between runs. Wait for the echo uncounted, on a second fd of the same pty,
        // so every counted round trip takes the same path: write, then a read that finds data.
        const int probe = ::open(a.paths.at(0).c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK);
        if (probe < 0) throw bench::Failure("instr: cannot open a probe fd on " + a.paths[0]);
        auto counted_rtt = [&] {
            ports[0].write(asio::buffer(&b, 1));
            bench::instr_pause();
            pollfd pfd{probe, POLLIN, 0};
            while (::poll(&pfd, 1, -1) < 0 && errno == EINTR) {
            }
            bench::instr_resume();
            ports[0].read_some(asio::buffer(&b, 1));
        };
        for (long i = 0; i < a.warmup; ++i)
            counted_rtt();
        bench::instr_begin();
        for (long i = 0; i < a.iters; ++i)
            counted_rtt();
        bench::instr_end();
        ::close(probe);
        bench::print_value("iters", static_cast<double>(a.iters));
    } else if (a.mode == "rss") {
        bench::print_value("rss_mib", bench::rss_mib());
    } else if (a.mode == "cancel") {
        bench::print_error(
            "the sync facade has no cancel call: a blocking read ends by its timeout or close()");
        return 1;
    } else {
        bench::print_error("unknown mode '" + a.mode + "'");
        return 2;
    }
    return 0;
}

}  // namespace

int main(int argc, char **argv) try {
    const bench::Args a = bench::parse(argc, argv);
    if (a.paths.empty()) throw bench::Failure("no port path given");
    anyserial::PluginHost host;
    if (a.impl == "anyserial-sync" || a.impl == "anyserial") host.load_default();
    if (a.impl == "anyserial-sync") return run_sync(a, host);

    asio::io_context io(1);
    std::deque<SerialPort> ports;
    if (a.impl == "anyserial-static") host.add_static(kStaticLinuxEntry, "linux");
    if (a.impl == "anyserial" || a.impl == "anyserial-static") {
        if (host.backend_for(a.paths[0]) == nullptr)
            throw bench::Failure("no loaded backend claims " + a.paths[0]);
        std::string failure;
        std::vector<std::optional<SerialPort>> opened(a.paths.size());
        for (std::size_t k = 0; k < a.paths.size(); ++k)
            anyserial::async_open_serial_port(
                io.get_executor(), host, a.paths[k], anyserial::SerialConfig{},
                [&, k](boost::system::error_code ec, SerialPort port) {
                    if (ec) failure = "open " + a.paths[k] + ": " + port.last_error().message;
                    opened[k].emplace(std::move(port));
                });
        io.run();
        io.restart();
        if (!failure.empty()) throw bench::Failure(failure);
        for (auto &o : opened)
            ports.push_back(std::move(*o));
    } else {
        throw bench::Failure("unknown --impl '" + a.impl + "'");
    }
    std::vector<SerialPort *> ptrs;
    for (auto &p : ports)
        ptrs.push_back(&p);
    return bench::run_async(io, a, std::move(ptrs));
} catch (const std::exception &e) {
    bench::print_error(e.what());
    return 1;
}

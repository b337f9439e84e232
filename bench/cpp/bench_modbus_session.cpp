// anyserial's analyser session for modbus_session_sweep_p50_us: a device::Device opened
// with protocol servomex-modbus-rtu (linux backend plugin, the plugin's session, the core's
// transaction engine) on the libmodbus slave's Servomex image (bench-modbus-slave
// --servomex). One sample = one async_poll, i.e. the whole READ_FRAME sweep of
// FC04 0..69, FC02 0..79, FC02 1000..1015, with the inter-transaction idle gap set to 0;
// back to back. Every poll is checked against the slave's image (I1 = 20.95 %, I3 = 125
// ppm, five listed slots): a poll that did not decode fails the bench.
//
//   sweep [--iters N] [--warmup N] PATH   samples_us per poll
//   instr [--iters N] [--warmup N] PATH   the polls inside a callgrind window; prints iters
//                                         (and the heap allocations per sweep on stderr)
#include <anyserial/device/session.hpp>
#include <anyserial/plugin_host.hpp>
#include <cmath>
#include <iostream>
#include <optional>

#include "harness.hpp"

namespace asio = boost::asio;
namespace dev = anyserial::device;

namespace {

void check_frame(const dev::Frame &f) {
    const dev::Reading *i1 = f.channel("I1");
    const dev::Reading *i3 = f.channel("I3");
    if (i1 == nullptr || !i1->value || std::fabs(*i1->value - 20.95) > 1e-9 || i1->unit != "%")
        throw bench::Failure("poll: I1 is not 20.95 % (is the slave running with --servomex?)");
    if (i3 == nullptr || !i3->value || *i3->value != 125.0 || i3->unit != "ppm")
        throw bench::Failure("poll: I3 is not 125 ppm");
    if (f.readings.size() != 5 || f.unlisted.size() != 5)
        throw bench::Failure("poll: " + std::to_string(f.readings.size()) + " listed and " +
                             std::to_string(f.unlisted.size()) +
                             " unlisted slots, the image has 5 and 5");
}

class Sweep {
  public:
    Sweep(dev::Device &d, long warmup, long iters, bool instr)
        : dev_(d), warmup_(warmup), total_(warmup + iters), instr_(instr) {
        samples_.reserve(static_cast<std::size_t>(iters));
    }
    void start() {
        if (instr_ && i_ == warmup_) {
            allocs0_ = bench::allocations();
            bench::instr_begin();
        }
        t0_ = bench::now_us();
        dev_.async_poll(false, [this](bench::error_code ec, dev::Frame f) {
            const double t = bench::now_us() - t0_;
            // An exception must not leave a completion handler: the failure is kept, the
            // device closed (io.run() returns) and main reports it.
            try {
                if (ec) {
                    std::string why = ec.message();
                    try {
                        dev_.throw_last_error();
                    } catch (const std::exception &e) {
                        why = e.what();
                    }
                    throw bench::Failure("poll: " + why);
                }
                if (i_ >= warmup_) samples_.push_back(t);
                if (!instr_ || i_ < warmup_) check_frame(f);  // in the window: only the session
                if (++i_ < total_) return start();
                if (instr_) {
                    bench::instr_end();
                    allocs_ = bench::allocations() - allocs0_;
                    check_frame(f);
                }
            } catch (const std::exception &e) {
                failure_ = e.what();
            }
            dev_.close();  // ends the receive loop: io.run() returns
        });
    }
    const std::vector<double> &samples() const { return samples_; }
    bool finished() const { return i_ == total_ && failure_.empty(); }
    const std::string &failure() const { return failure_; }
    std::uint64_t allocations() const { return allocs_; }  // in the instr window

  private:
    dev::Device &dev_;
    long warmup_, total_, i_ = 0;
    bool instr_;
    double t0_ = 0;
    std::uint64_t allocs0_ = 0, allocs_ = 0;
    std::string failure_;
    std::vector<double> samples_;
};

}  // namespace

int main(int argc, char **argv) try {
    const bench::Args a = bench::parse(argc, argv);
    if (a.paths.empty()) throw bench::Failure("no port path given");
    if (a.mode != "sweep" && a.mode != "instr") {
        bench::print_error("unknown mode '" + a.mode + "' (sweep | instr)");
        return 2;
    }
    anyserial::PluginHost host;
    host.load_default();
    asio::io_context io(1);
    dev::DeviceOptions o;
    o.protocol = "servomex-modbus-rtu";
    o.address = "1";
    o.baudrate = 115200;
    o.identify = false;
    o.idle_gap = std::chrono::nanoseconds(0);  // back to back, as libmodbus's client
    // The device's receive loop keeps io busy while it is open: the sweep starts from the
    // open's completion and closes the device when done, and then io.run() returns.
    std::optional<dev::Device> device;
    std::optional<Sweep> sweep;
    std::string failure;
    dev::async_open_device(io.get_executor(), host, a.paths[0], o,
                           [&](bench::error_code ec, dev::Device d) {
                               if (ec) {
                                   failure = "open " + a.paths[0] + ": " + ec.message();
                                   try {
                                       d.throw_last_error();
                                   } catch (const std::exception &e) {
                                       failure = std::string("open: ") + e.what();
                                   }
                                   return;
                               }
                               device.emplace(std::move(d));
                               sweep.emplace(*device, a.warmup, a.iters, a.mode == "instr");
                               sweep->start();
                           });
    io.run();
    if (!failure.empty()) throw bench::Failure(failure);
    if (!sweep->failure().empty()) throw bench::Failure(sweep->failure());
    if (!sweep->finished()) throw bench::Failure("the sweep did not finish");
    if (a.mode == "instr") {
        std::cerr << "allocations per sweep: "
                  << static_cast<double>(sweep->allocations()) / static_cast<double>(a.iters)
                  << "\n";
        bench::print_value("iters", static_cast<double>(a.iters));
    } else
        bench::print_samples(sweep->samples());
    return 0;
} catch (const std::exception &e) {
    bench::print_error(e.what());
    return 1;
}

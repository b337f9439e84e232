// Shared C++ bench harness: the command line every client bench takes, the JSON line it
// prints, and the measurements written once over any Asio AsyncReadStream/AsyncWriteStream
// (a bare posix::stream_descriptor or an anyserial::SerialPort), so both run the very same
// loop and differ only in the stream.
#pragma once

#include <atomic>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace bench {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

struct Args {
    std::string mode;  // rtt | fanout | throughput | cancel | allocs | rss | sweep | decode
    std::string impl;
    long iters = 1000;
    long warmup = 100;
    long bytes = 16L << 20;
    std::vector<std::string> paths;
};

Args parse(int argc, char **argv);
double now_us();
double rss_mib();
void print_samples(const std::vector<double> &samples);
void print_value(const char *key, double value);
void print_error(const std::string &why);

// Heap allocations so far (operator new replaced in alloc_counter.cpp).
std::uint64_t allocations() noexcept;

// The `instr` mode's window under valgrind --tool=callgrind: counts are zeroed at begin and
// dumped (callgrind.out.<pid>.1) at end, so only the measured loop is counted. No-ops when
// not under callgrind (or built without valgrind's headers).
void instr_begin() noexcept;
void instr_end() noexcept;
// Inside the window: stop / restart counting (CALLGRIND_TOGGLE_COLLECT), for a wait whose
// length depends on the machine's timing rather than on the code measured.
void instr_pause() noexcept;
void instr_resume() noexcept;

// Thrown by the loops on an I/O error; main prints it as the row's error.
struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};
inline void check(const error_code &ec, const char *what) {
    if (ec) throw Failure(std::string(what) + ": " + ec.message());
}

// 1-byte write then 1-byte read, `total` times; samples after `warmup`.
template <class Stream>
class RttLoop {
  public:
    RttLoop(Stream &s, long warmup, long iters) : s_(s), warmup_(warmup), total_(warmup + iters) {
        samples_.reserve(static_cast<std::size_t>(iters));
    }
    void start() {
        t0_ = now_us();
        s_.async_write_some(asio::buffer(&wb_, 1), [this](error_code ec, std::size_t) {
            check(ec, "write");
            s_.async_read_some(asio::buffer(&rb_, 1), [this](error_code ec2, std::size_t) {
                check(ec2, "read");
                if (i_ >= warmup_) samples_.push_back(now_us() - t0_);
                if (++i_ < total_) start();
            });
        });
    }
    std::vector<double> &samples() { return samples_; }

  private:
    Stream &s_;
    long warmup_, total_, i_ = 0;
    double t0_ = 0;
    unsigned char wb_ = 'x', rb_ = 0;
    std::vector<double> samples_;
};

// One round trip on every port at once, all from one thread.
template <class Stream>
class FanoutLoop {
  public:
    FanoutLoop(std::vector<Stream *> ports, long warmup, long iters)
        : ports_(std::move(ports)), rb_(ports_.size()), warmup_(warmup), total_(warmup + iters) {}
    void start() {
        t0_ = now_us();
        pending_ = ports_.size();
        for (std::size_t k = 0; k < ports_.size(); ++k) {
            ports_[k]->async_write_some(
                asio::buffer(&wb_, 1), [this, k](error_code ec, std::size_t) {
                    check(ec, "write");
                    ports_[k]->async_read_some(asio::buffer(&rb_[k], 1),
                                               [this](error_code ec2, std::size_t) {
                                                   check(ec2, "read");
                                                   if (--pending_ == 0) round_done();
                                               });
                });
        }
    }
    std::vector<double> &samples() { return samples_; }

  private:
    void round_done() {
        if (i_ >= warmup_) samples_.push_back(now_us() - t0_);
        if (++i_ < total_) start();
    }
    std::vector<Stream *> ports_;
    std::vector<unsigned char> rb_;
    long warmup_, total_, i_ = 0;
    std::size_t pending_ = 0;
    double t0_ = 0;
    unsigned char wb_ = 'x';
    std::vector<double> samples_;
};

// 64 KiB async_write_some calls to a draining peer until `bytes` are written.
template <class Stream>
class ThroughputLoop {
  public:
    ThroughputLoop(Stream &s, long bytes) : s_(s), bytes_(bytes), chunk_(64 * 1024, 0x55) {}
    void start() {
        t0_ = now_us();
        next();
    }
    double mib_s() const {
        return static_cast<double>(sent_) / (1024.0 * 1024.0) / ((t1_ - t0_) / 1e6);
    }

  private:
    void next() {
        s_.async_write_some(asio::buffer(chunk_), [this](error_code ec, std::size_t n) {
            check(ec, "write");
            sent_ += static_cast<long>(n);
            if (sent_ < bytes_) return next();
            t1_ = now_us();
        });
    }
    Stream &s_;
    long bytes_, sent_ = 0;
    std::vector<unsigned char> chunk_;
    double t0_ = 0, t1_ = 0;
};

// Cancellation: a second thread asks (posting a cancellation-signal emit to the port's
// executor) while a read is parked; latency runs from just before the request to the
// read's handler. The reader never gets data, so every completion is the cancellation.
template <class Stream>
class CancelLoop {
  public:
    CancelLoop(asio::io_context &io, Stream &s, long warmup, long iters)
        : io_(io), s_(s), warmup_(warmup), total_(warmup + iters) {}
    std::vector<double> run() {
        std::thread canceller([this] { cancel_thread(); });
        start();
        io_.run();
        canceller.join();
        io_.restart();
        return samples_;
    }

  private:
    void start() {
        s_.async_read_some(
            asio::buffer(&rb_, 1),
            asio::bind_cancellation_slot(signal_.slot(), [this](error_code ec, std::size_t) {
                const double t1 = now_us();
                if (ec != asio::error::operation_aborted &&
                    ec != boost::system::errc::operation_canceled)
                    check(ec ? ec : asio::error::no_data, "cancelled read");
                if (i_ >= warmup_) samples_.push_back(t1 - t0_.load());
                if (++i_ < total_) start();
            }));
        std::lock_guard lock(m_);
        armed_ = true;
        cv_.notify_one();
    }
    void cancel_thread() {
        for (long r = 0; r < total_; ++r) {
            {
                std::unique_lock lock(m_);
                cv_.wait(lock, [this] { return armed_; });
                armed_ = false;
            }
            std::this_thread::sleep_for(std::chrono::microseconds(200));  // let it park
            t0_.store(now_us());
            asio::post(io_, [this] { signal_.emit(asio::cancellation_type::terminal); });
        }
    }
    asio::io_context &io_;
    Stream &s_;
    long warmup_, total_, i_ = 0;
    unsigned char rb_ = 0;
    asio::cancellation_signal signal_;
    std::atomic<double> t0_{0};
    std::mutex m_;
    std::condition_variable cv_;
    bool armed_ = false;
    std::vector<double> samples_;
};

// `total` round trips (1-byte write, then 1-byte read), nothing else: no clock, no samples.
template <class Stream>
class CountLoop {
  public:
    CountLoop(Stream &s, long total) : s_(s), total_(total) {}
    void start() {
        s_.async_write_some(asio::buffer(&wb_, 1), [this](error_code ec, std::size_t) {
            check(ec, "write");
            s_.async_read_some(asio::buffer(&rb_, 1), [this](error_code ec2, std::size_t) {
                check(ec2, "read");
                if (++i_ < total_) start();
            });
        });
    }

  private:
    Stream &s_;
    long total_, i_ = 0;
    unsigned char wb_ = 'x', rb_ = 0;
};

// Runs the async measurement `mode` over already-open streams (single-threaded io_context).
template <class Stream>
int run_async(asio::io_context &io, const Args &a, std::vector<Stream *> ports) {
    if (a.mode == "rtt") {
        RttLoop<Stream> l(*ports[0], a.warmup, a.iters);
        l.start();
        io.run();
        print_samples(l.samples());
    } else if (a.mode == "allocs") {
        RttLoop<Stream> warm(*ports[0], a.warmup, 1);
        warm.start();
        io.run();
        io.restart();
        RttLoop<Stream> l(*ports[0], 0, a.iters);
        const std::uint64_t before = allocations();
        l.start();
        io.run();
        const std::uint64_t after = allocations();
        print_value("allocs_per_op",
                    static_cast<double>(after - before) / static_cast<double>(a.iters));
    } else if (a.mode == "fanout") {
        FanoutLoop<Stream> l(std::move(ports), a.warmup, a.iters);
        l.start();
        io.run();
        print_samples(l.samples());
    } else if (a.mode == "throughput") {
        ThroughputLoop<Stream> l(*ports[0], a.bytes);
        l.start();
        io.run();
        print_value("mib_s", l.mib_s());
    } else if (a.mode == "cancel") {
        CancelLoop<Stream> l(io, *ports[0], a.warmup, a.iters);
        print_samples(l.run());
    } else if (a.mode == "instr") {
        // Instructions per round trip: run under callgrind, which counts the window only.
        CountLoop<Stream> warm(*ports[0], a.warmup);
        warm.start();
        io.run();
        io.restart();
        CountLoop<Stream> l(*ports[0], a.iters);
        instr_begin();
        l.start();
        io.run();
        instr_end();
        print_value("iters", static_cast<double>(a.iters));
    } else if (a.mode == "rss") {
        print_value("rss_mib", rss_mib());
    } else {
        print_error("unknown mode '" + a.mode + "'");
        return 2;
    }
    return 0;
}

}  // namespace bench

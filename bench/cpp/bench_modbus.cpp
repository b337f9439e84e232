// anyserial's Modbus RTU client path for modbus_fc04_sweep_p50_us: an async SerialPort
// (linux backend plugin through PluginHost) plus the internal Modbus codec (request
// framing, incremental response decoder) — the analyser session's transaction engine is
// not in the loop. One 70-register FC04 read per sample, back to back, no idle gap.
#include <anyserial/modbus/framing.hpp>
#include <anyserial/modbus/pdu.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/serial_port.hpp>
#include <array>
#include <boost/asio/write.hpp>
#include <optional>

#include "harness.hpp"

namespace asio = boost::asio;
namespace modbus = anyserial::modbus;

namespace {

class Sweep {
  public:
    Sweep(anyserial::SerialPort &port, long warmup, long iters)
        : port_(port), decoder_(modbus::Framing::rtu), warmup_(warmup), total_(warmup + iters) {
        const modbus::Pdu pdu = modbus::read_request(modbus::kReadInputRegisters, 0, 70);
        req_len_ = modbus::encode_adu(modbus::Framing::rtu, 1, pdu.view(), req_);
        expected_ = {1, modbus::kReadInputRegisters, modbus::expected_response_pdu_len(pdu.view())};
    }
    void start() {
        t0_ = bench::now_us();
        decoder_.expect(expected_);
        asio::async_write(port_, asio::buffer(req_.data(), req_len_),
                          [this](bench::error_code ec, std::size_t) {
                              bench::check(ec, "write request");
                              read();
                          });
    }
    std::vector<double> &samples() { return samples_; }

  private:
    void read() {
        port_.async_read_some(asio::buffer(rx_), [this](bench::error_code ec, std::size_t n) {
            bench::check(ec, "read response");
            const modbus::DecodeResult r = decoder_.feed({rx_.data(), n});
            if (r.status == modbus::DecodeStatus::need_more) return read();
            if (r.status != modbus::DecodeStatus::response)
                throw bench::Failure(std::string("FC04 response: ") +
                                     (r.reason != nullptr ? r.reason : "not a response"));
            // PDU: function, byte count, then 70 big-endian registers (slave holds 1000+i).
            if (modbus::get_u16(r.pdu, 2 + 2 * 69) != 1069)
                throw bench::Failure("FC04 response: register 69 is not 1069");
            if (i_ >= warmup_) samples_.push_back(bench::now_us() - t0_);
            if (++i_ < total_) start();
        });
    }
    anyserial::SerialPort &port_;
    modbus::ResponseDecoder decoder_;
    modbus::ExpectedResponse expected_;
    std::array<std::uint8_t, modbus::kMaxAdu> req_{};
    std::size_t req_len_ = 0;
    std::array<std::uint8_t, 512> rx_{};
    long warmup_, total_, i_ = 0;
    double t0_ = 0;
    std::vector<double> samples_;
};

}  // namespace

int main(int argc, char **argv) try {
    const bench::Args a = bench::parse(argc, argv);
    if (a.paths.empty()) throw bench::Failure("no port path given");
    anyserial::PluginHost host;
    host.load_default();
    asio::io_context io(1);
    std::optional<anyserial::SerialPort> port;
    std::string failure;
    anyserial::async_open_serial_port(
        io.get_executor(), host, a.paths[0], anyserial::SerialConfig{},
        [&](bench::error_code ec, anyserial::SerialPort p) {
            if (ec) failure = "open " + a.paths[0] + ": " + p.last_error().message;
            port.emplace(std::move(p));
        });
    io.run();
    io.restart();
    if (!failure.empty()) throw bench::Failure(failure);
    Sweep sweep(*port, a.warmup, a.iters);
    sweep.start();
    io.run();
    bench::print_samples(sweep.samples());
    return 0;
} catch (const std::exception &e) {
    bench::print_error(e.what());
    return 1;
}

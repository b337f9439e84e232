// Test helpers: a plugin host over the build tree's plugins, an io_context driven until a
// completion arrived (no sleeps: run_one until the flag is set), mock-pair peers with a
// protocol simulator served on them.
#pragma once

#include <anyserial/device.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/serial_port.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace test {

namespace asio = boost::asio;
namespace dev = anyserial::device;
using ec_t = boost::system::error_code;

// The shared host, loaded once from the build tree.
inline anyserial::PluginHost &plugins() {
    static std::unique_ptr<anyserial::PluginHost> h = [] {
        auto p = std::make_unique<anyserial::PluginHost>();
        p->load_directory(ANYSERIAL_TEST_PLUGIN_DIR);
        return p;
    }();
    return *h;
}

// The protocol plugins these tests drive (the Servomex family and Alicat).
inline const std::string rtu = "servomex-modbus-rtu";
inline const std::string ascii = "servomex-modbus-ascii";
inline const std::string cont = "servomex-continuous";
inline const std::string family = "servomex-4100";

inline const anyserial::LoadedProtocol &protocol(const std::string &id) {
    const anyserial::LoadedProtocol *p = plugins().protocol(id);
    BOOST_TEST_REQUIRE(p != nullptr, "protocol plugin " << id << " loaded");
    return *p;
}

// The bit mask of these declared flags of protocol `id`.
inline std::uint64_t flag_bits(const std::string &id, std::initializer_list<std::string_view> f) {
    const auto &table = *protocol(id).flag_table();
    std::uint64_t bits = 0;
    for (std::string_view name : f)
        for (std::size_t i = 0; i < table.size(); ++i)
            if (table[i].id == name) bits |= std::uint64_t{1} << i;
    return bits;
}

// Runs `io` one handler at a time until `done` holds.
template <class Pred>
void run_until(asio::io_context &io, Pred done) {
    io.restart();
    while (!done()) {
        if (io.run_one() == 0) io.restart();
    }
}

inline anyserial::SerialPort open_port(asio::io_context &io, const std::string &path) {
    std::optional<anyserial::SerialPort> port;
    ec_t ec;
    anyserial::async_open_serial_port(
        io.get_executor(), plugins(), path,
        anyserial::SerialConfig(anyserial::SerialSettings{.baudrate = 19200}),
        [&](ec_t e, anyserial::SerialPort p) {
            ec = e;
            port.emplace(std::move(p));
        });
    run_until(io, [&] { return port.has_value(); });
    BOOST_TEST_REQUIRE(!ec, "open " << path << ": " << ec.message());
    return std::move(*port);
}

// A device simulated on the `b` end of a mock pair.
struct MockDevice {
    std::unique_ptr<anyserial::sim::SimulatorPump<anyserial::SerialPort>> pump;
    MockDevice(asio::io_context &io, const std::string &pair, const std::string &protocol_id,
               const std::string &address = {}) {
        auto sim = std::make_shared<anyserial::sim::Simulator>(protocol(protocol_id), address);
        pump = std::make_unique<anyserial::sim::SimulatorPump<anyserial::SerialPort>>(
            open_port(io, pair + "/b"), sim);
        pump->start();
    }
    anyserial::sim::Simulator &sim() { return pump->simulator(); }
};

struct Opened {
    ec_t ec;
    dev::Device anz;
};

inline Opened open_device(asio::io_context &io, const std::string &port, dev::DeviceOptions o) {
    std::optional<Opened> out;
    dev::async_open_device(io.get_executor(), plugins(), port, std::move(o),
                           [&](ec_t ec, dev::Device a) {
                               out.emplace(Opened{ec, std::move(a)});
                           });
    run_until(io, [&] { return out.has_value(); });
    return std::move(*out);
}

// The DeviceError a device recorded (fails the test when there is none).
inline const dev::DeviceError &error_of(const dev::Device &a) {
    const dev::DeviceError *e = dev::device_error_of(a.last_error());
    BOOST_TEST_REQUIRE(e != nullptr);
    return *e;
}

template <class T>
struct Op {
    bool done = false;
    ec_t ec;
    T value{};
    auto handler() {
        return [this](ec_t e, T v) {
            ec = e;
            value = std::move(v);
            done = true;
        };
    }
};
struct VoidOp {
    bool done = false;
    ec_t ec;
    auto handler() {
        return [this](ec_t e) {
            ec = e;
            done = true;
        };
    }
};

// The spec's example frame (bench 4100D), CR LF terminated.
inline const std::string &spec_frame() {
    static const std::string f =
        " 06-10-20;02:54:12;  ;S1S1S1S1;05;I1;Oxygen;20.376; % ;    ;  ; ; ;I2;CO    ; 0.084; % ;"
        "    ;  ; ; ;I3;CO2   ; 0.250; % ;    ;  ; ; ;E1;||||||;   0.0; mA;    ;  ; ; ;E2;||||||;"
        "   0.0; mA;    ;  ; ; ;2A1D;\r\n";
    return f;
}

}  // namespace test

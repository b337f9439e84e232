// The continuous receive loop: frames arriving in arbitrary pieces, a bad frame counted as
// dropped with an error sample, poll(wait_fresh), and the FrameDecoder on its own.
#include <boost/asio/write.hpp>

#include "fixture.hpp"

using namespace test;

namespace {

void write_all(asio::io_context &io, anyserial::SerialPort &port, const std::string &bytes) {
    bool done = false;
    ec_t ec;
    asio::async_write(port, asio::buffer(bytes), [&](ec_t e, std::size_t) {
        ec = e;
        done = true;
    });
    run_until(io, [&] { return done; });
    BOOST_TEST_REQUIRE(!ec);
}

std::string corrupt_checksum(std::string f) {
    f[f.find("2A1D")] = '3';  // "3A1D": well-formed but wrong
    return f;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(broadcast)

BOOST_AUTO_TEST_CASE(decoder_accepts_any_split) {
    const auto &proto = protocol(cont);
    const std::string two = "garbage\r\n" + spec_frame() + spec_frame();
    for (std::size_t piece : {1u, 2u, 7u, 64u, 1000u}) {
        dev::FrameDecoder d(proto);
        std::vector<dev::DecodedFrame> out;
        for (std::size_t i = 0; i < two.size(); i += piece) {
            const std::string part = two.substr(i, piece);
            d.feed({reinterpret_cast<const std::uint8_t *>(part.data()), part.size()},
                   [&](dev::DecodedFrame &&f) { out.push_back(std::move(f)); });
        }
        std::size_t good = 0;
        for (const auto &f : out) {
            if (!f.ok) continue;
            ++good;
            BOOST_TEST(f.frame->channel("I1")->value.value() == 20.376);
            BOOST_TEST(f.frame->checksum.value() == 0x2A1Du);
        }
        BOOST_TEST(good == 2u, "piece size " << piece);
    }
}

BOOST_AUTO_TEST_CASE(receive_loop_cache_fanout_and_drops) {
    asio::io_context io;
    auto peer = open_port(io, "mock://bc1/b");
    dev::DeviceOptions o;
    o.protocol = cont;
    o.identify = false;
    o.timeout = std::chrono::seconds(30);  // bounded, never reached here
    auto r = open_device(io, "mock://bc1/a", o);
    BOOST_TEST_REQUIRE(!r.ec);
    dev::Device &anz = r.anz;
    BOOST_TEST(!anz.snapshot());
    auto sub = anz.subscribe(4);  // small: it will overflow below

    // poll before any frame waits for the first one; the frame arrives in pieces.
    Op<dev::Frame> first;
    anz.async_poll(false, first.handler());
    const std::string &f = spec_frame();
    for (std::size_t i = 0, piece = 1; i < f.size(); i += piece, piece = piece * 2 + 1)
        write_all(io, peer, f.substr(i, piece));
    run_until(io, [&] { return first.done; });
    BOOST_TEST_REQUIRE(!first.ec);
    BOOST_TEST(first.value.channel("I1")->value.value() == 20.376);
    BOOST_TEST(first.value.checksum.value() == 0x2A1Du);
    BOOST_TEST(anz.snapshot().has_value());
    BOOST_TEST(anz.dropped_frames() == 0u);

    // A bad frame: dropped, counted, an error sample fanned out, the loop keeps going.
    write_all(io, peer, corrupt_checksum(f));
    run_until(io, [&] { return anz.dropped_frames() == 1u; });
    // Subscriber of capacity 4: 5 readings of frame 1, then the error sample -> oldest lost.
    BOOST_TEST(sub.lost() == 2u);
    std::vector<dev::Sample> got;
    while (sub.size() > 0) {
        Op<dev::Sample> s;
        sub.async_receive(s.handler());
        run_until(io, [&] { return s.done; });
        BOOST_TEST_REQUIRE(!s.ec);
        got.push_back(std::move(s.value));
    }
    BOOST_TEST_REQUIRE(got.size() == 4u);
    BOOST_TEST(got.back().error.has_value());
    BOOST_TEST(!got.back().reading);
    BOOST_TEST(got.front().reading.has_value());

    // wait_fresh waits for the next good frame even though one is cached.
    Op<dev::Frame> fresh;
    anz.async_poll(true, fresh.handler());
    std::string next = f;
    write_all(io, peer, next);
    run_until(io, [&] { return fresh.done; });
    BOOST_TEST_REQUIRE(!fresh.ec);
    BOOST_TEST(fresh.value.monotonic_ns > first.value.monotonic_ns);

    // Channel and status reads come from the cache; a missing slot is a validation error.
    Op<dev::Reading> i2;
    anz.async_read_channel("I2", i2.handler());
    run_until(io, [&] { return i2.done; });
    BOOST_TEST(!i2.ec);
    BOOST_TEST(i2.value.value.value() == 0.084);
    Op<dev::Reading> i4;
    anz.async_read_channel("I4", i4.handler());
    run_until(io, [&] { return i4.done; });
    BOOST_TEST((i4.ec == dev::errc::validation));
    Op<dev::DeviceInfo> info;
    anz.async_identify(info.handler());
    run_until(io, [&] { return info.done; });
    BOOST_TEST(!info.ec);
    BOOST_TEST(info.value.channels.size() == 5u);
    anz.close();
}

BOOST_AUTO_TEST_CASE(poll_times_out_without_frames) {
    asio::io_context io;
    auto peer = open_port(io, "mock://bc2/b");
    dev::DeviceOptions o;
    o.protocol = cont;
    o.identify = false;
    auto r = open_device(io, "mock://bc2/a", o);
    BOOST_TEST_REQUIRE(!r.ec);
    Op<dev::Frame> op;
    r.anz.async_poll(false, dev::Timeout(std::chrono::milliseconds(10)), op.handler());
    run_until(io, [&] { return op.done; });
    BOOST_TEST((op.ec == dev::errc::timeout));
    BOOST_TEST(error_of(r.anz).message().find("no continuous frame") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

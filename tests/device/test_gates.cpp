// Gates run before any byte, in order: confirmation, capability, validation. The peer end
// of the mock pair must have received nothing when an operation is refused.
#include "fixture.hpp"

using namespace test;

namespace {

dev::Analyzer open_explicit(asio::io_context &io, const std::string &port, dev::ProtocolKind k) {
    dev::DeviceOptions o;
    o.protocol = k;
    o.identify = false;  // opening sends nothing
    o.response_timeout = std::chrono::milliseconds(20);
    o.retries = 0;
    auto r = open_device(io, port, o);
    BOOST_TEST_REQUIRE(!r.ec, "open: " << r.ec.message());
    return std::move(r.anz);
}

dev::errc start_cal(asio::io_context &io, dev::Analyzer &a, int group, bool confirm) {
    VoidOp op;
    a.async_start_calibration(group, confirm, op.handler());
    run_until(io, [&] { return op.done; });
    BOOST_TEST_REQUIRE(!!op.ec);
    return static_cast<dev::errc>(op.ec.value());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gates)

BOOST_AUTO_TEST_CASE(refused_before_any_byte_in_order) {
    asio::io_context io;
    auto peer = open_port(io, "mock://gates1/b");
    auto rtu = open_explicit(io, "mock://gates1/a", dev::ProtocolKind::modbus_rtu);

    // 1. confirmation first, even with a bad group.
    BOOST_TEST((start_cal(io, rtu, 9, false) == dev::errc::confirmation_required));
    BOOST_TEST(error_of(rtu).message().find("confirm") != std::string::npos);
    BOOST_CHECK_THROW(rtu.throw_last_error(), dev::ConfirmationRequiredError);
    // 3. validation after confirmation (capability holds for Modbus).
    BOOST_TEST((start_cal(io, rtu, 9, true) == dev::errc::validation));
    BOOST_TEST(error_of(rtu).message().find("cal-group 9") != std::string::npos);
    {
        VoidOp op;
        rtu.async_stop_calibration(false, op.handler());
        run_until(io, [&] { return op.done; });
        BOOST_TEST((op.ec == dev::errc::confirmation_required));
    }
    {
        Op<dev::Reading> op;
        rtu.async_read_channel("X9", op.handler());
        run_until(io, [&] { return op.done; });
        BOOST_TEST((op.ec == dev::errc::validation));
        BOOST_TEST(error_of(rtu).context().channel.value() == "X9");
    }
    {
        Op<dev::CalibrationProgress> op;
        rtu.async_calibration_status(0, op.handler());
        run_until(io, [&] { return op.done; });
        BOOST_TEST((op.ec == dev::errc::validation));
    }
    BOOST_TEST(peer.input_waiting() == 0u);

    // Positive control: an accepted operation does reach the peer (and times out there).
    {
        Op<dev::CalibrationProgress> op;
        rtu.async_calibration_status(1, op.handler());
        run_until(io, [&] { return op.done; });
        BOOST_TEST((op.ec == dev::errc::timeout));
    }
    BOOST_TEST(peer.input_waiting() > 0u);
}

BOOST_AUTO_TEST_CASE(capability_before_validation_in_continuous_mode) {
    asio::io_context io;
    auto peer = open_port(io, "mock://gates2/b");
    auto cont = open_explicit(io, "mock://gates2/a", dev::ProtocolKind::continuous);
    BOOST_TEST((start_cal(io, cont, 9, false) == dev::errc::confirmation_required));
    BOOST_TEST((start_cal(io, cont, 9, true) == dev::errc::protocol_unsupported));
    BOOST_CHECK_THROW(cont.throw_last_error(), dev::ProtocolUnsupportedError);
    BOOST_TEST(error_of(cont).message().find("continuous") != std::string::npos);
    BOOST_TEST((start_cal(io, cont, 1, true) == dev::errc::protocol_unsupported));
    BOOST_TEST(peer.input_waiting() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

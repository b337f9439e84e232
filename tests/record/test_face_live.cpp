// The Servomex face against the real plugins' simulators on mock pairs: the calibration
// operations run the declared commands through Device::async_command (so the session's
// gates apply before any byte), the statuses come from flags and fields, and the face keeps
// completion tokens (a coroutine with use_awaitable, plain callbacks).
#include <anyserial/device/analyzer.hpp>
#include <anyserial/device/sync_analyzer.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "../device/fixture.hpp"
#include "bus.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC 12 + Asio awaitable frames
#endif

using namespace test;

namespace {

struct OpenedAnalyzer {
    ec_t ec;
    dev::Analyzer anz;
};

OpenedAnalyzer open_analyzer(asio::io_context &io, const std::string &port, dev::DeviceOptions o) {
    std::optional<OpenedAnalyzer> out;
    dev::async_open_analyzer(io.get_executor(), plugins(), port, std::move(o),
                             [&](ec_t ec, dev::Analyzer a) {
                                 out.emplace(OpenedAnalyzer{ec, std::move(a)});
                             });
    run_until(io, [&] { return out.has_value(); });
    return std::move(*out);
}

template <class E>
bool last_error_is(const dev::Analyzer &a) {
    try {
        a.throw_last_error();
    } catch (const E &) {
        return true;
    } catch (...) {
    }
    return false;
}

std::string error_message(const dev::Analyzer &a) {
    const dev::DeviceError *e = dev::device_error_of(a.last_error());
    return e ? e->what() : "(no error)";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(servomex_face)

BOOST_AUTO_TEST_CASE(calibration_runs_the_declared_commands_behind_the_gates) {
    asio::io_context io;
    MockDevice device(io, "mock://face-cal", "servomex-modbus-rtu");
    dev::DeviceOptions o = bus_rtu("1");
    o.identify = true;  // the channel table, for a read of one channel by id
    auto opened = open_analyzer(io, "mock://face-cal/a", o);
    BOOST_TEST_REQUIRE(!opened.ec, opened.ec.message());
    dev::Analyzer &anz = opened.anz;
    BOOST_TEST((anz.protocol() == dev::ProtocolKind::modbus_rtu));
    const auto before = device.sim().counters().requests;

    // Unconfirmed: refused before any byte, with the typed error.
    VoidOp refused;
    anz.async_start_calibration(1, false, refused.handler());
    run_until(io, [&] { return refused.done; });
    BOOST_TEST((refused.ec == dev::errc::confirmation_required));
    BOOST_TEST(last_error_is<dev::ConfirmationRequiredError>(anz));
    VoidOp refused_stop;
    anz.async_stop_calibration(false, refused_stop.handler());
    run_until(io, [&] { return refused_stop.done; });
    BOOST_TEST((refused_stop.ec == dev::errc::confirmation_required));
    // A group outside the declared range: the command's argument validation.
    VoidOp bad_group;
    anz.async_start_calibration(99, true, bad_group.handler());
    run_until(io, [&] { return bad_group.done; });
    BOOST_TEST((bad_group.ec == dev::errc::validation));
    BOOST_TEST(last_error_is<dev::ValidationError>(anz));
    BOOST_TEST(device.sim().counters().requests == before);  // the simulator saw no byte

    // Confirmed: the command reaches the device; status and progress read it back.
    VoidOp start;
    anz.async_start_calibration(2, true, start.handler());
    run_until(io, [&] { return start.done; });
    BOOST_TEST_REQUIRE(!start.ec, start.ec.message());
    BOOST_TEST(device.sim().counters().requests > before);

    Op<dev::CalibrationProgress> progress;
    anz.async_calibration_status(2, progress.handler());
    run_until(io, [&] { return progress.done; });
    BOOST_TEST_REQUIRE(!progress.ec, progress.ec.message());
    BOOST_TEST(progress.value.group == 2);
    BOOST_TEST(progress.value.active);
    BOOST_TEST((progress.value.phase != dev::CalPhase::idle));

    // The same through a coroutine (use_awaitable): the face keeps completion tokens.
    std::optional<dev::AnalyserStatus> status;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            auto [ec, st] = co_await anz.async_analyser_status(asio::as_tuple(asio::use_awaitable));
            BOOST_TEST(!ec, ec.message());
            status = st;
        },
        asio::detached);
    run_until(io, [&] { return status.has_value(); });
    BOOST_TEST_REQUIRE(status->cal_groups.size() >= 2u);
    BOOST_TEST(status->cal_groups[1].group == 2);
    BOOST_TEST(status->cal_groups[1].calibrating);
    BOOST_TEST(!status->cal_groups[0].calibrating);

    Op<dev::ChannelStatus> ch;
    anz.async_status("I1", ch.handler());
    run_until(io, [&] { return ch.done; });
    BOOST_TEST_REQUIRE(!ch.ec, ch.ec.message() << ": " << error_message(anz));
    BOOST_TEST(!ch.value.fault);

    VoidOp stop;
    anz.async_stop_calibration(true, stop.handler());
    run_until(io, [&] { return stop.done; });
    BOOST_TEST_REQUIRE(!stop.ec, stop.ec.message());
    Op<dev::CalibrationProgress> after;
    anz.async_calibration_status(2, after.handler());
    run_until(io, [&] { return after.done; });
    BOOST_TEST_REQUIRE(!after.ec, after.ec.message());
    BOOST_TEST(!after.value.active);
}

BOOST_AUTO_TEST_CASE(continuous_declares_no_calibration_command) {
    asio::io_context io;
    MockDevice device(io, "mock://face-cont", "servomex-continuous");
    dev::DeviceOptions o;
    o.protocol = dev::protocol_option(dev::ProtocolKind::continuous);
    o.identify = false;
    auto opened = open_analyzer(io, "mock://face-cont/a", o);
    BOOST_TEST_REQUIRE(!opened.ec, opened.ec.message());
    BOOST_TEST((opened.anz.protocol() == dev::ProtocolKind::continuous));
    VoidOp start;
    opened.anz.async_start_calibration(1, true, start.handler());
    run_until(io, [&] { return start.done; });
    BOOST_TEST((start.ec == dev::errc::capability));
    BOOST_TEST(last_error_is<dev::CapabilityError>(opened.anz));
}

BOOST_AUTO_TEST_SUITE_END()

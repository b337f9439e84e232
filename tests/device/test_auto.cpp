// AUTO over mock pairs: each mode recognised against its simulator; nothing answering
// gives the clear "no recognised protocol" error naming every mode tried.
#include "fixture.hpp"

using namespace test;

namespace {

void auto_finds(dev::ProtocolKind kind, const std::string &pair) {
    asio::io_context io;
    MockDevice device(io, pair, kind, 7);
    if (kind == dev::ProtocolKind::continuous)
        device.sim().set_interval(std::chrono::milliseconds(50));
    dev::DeviceOptions o;
    o.address = 7;
    auto r = open_device(io, pair + "/a", o);
    BOOST_TEST_REQUIRE(!r.ec, "AUTO: " << r.ec.message() << " "
                                       << (r.anz.last_error() ? error_of(r.anz).what() : ""));
    BOOST_TEST((r.anz.protocol() == kind));
    BOOST_TEST(r.anz.detection().back().recognised);
    BOOST_TEST(r.anz.detection().back().mode == dev::to_string(kind));
    BOOST_TEST_REQUIRE(r.anz.info().has_value());  // identify ran while opening

    Op<dev::Frame> poll;
    r.anz.async_poll(false, poll.handler());
    run_until(io, [&] { return poll.done; });
    BOOST_TEST_REQUIRE(!poll.ec);
    const dev::Reading *i1 = poll.value.channel("I1");
    BOOST_TEST_REQUIRE(i1 != nullptr);
    BOOST_TEST(i1->name.value_or("") == "Oxygen");
    BOOST_TEST(i1->value.value_or(0) == 20.376, boost::test_tools::tolerance(1e-4));
    const dev::Reading *i3 = poll.value.channel("I3");
    BOOST_TEST_REQUIRE(i3 != nullptr);
    // Display-ROM 0x82 over Modbus is a subscript two; continuous sends plain "CO2".
    BOOST_TEST(i3->name.value_or("") ==
               (kind == dev::ProtocolKind::continuous ? "CO2" : "CO\xE2\x82\x82"));
    r.anz.close();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(auto_detect)

BOOST_AUTO_TEST_CASE(finds_modbus_rtu) {
    auto_finds(dev::ProtocolKind::modbus_rtu, "mock://auto-rtu");
}
BOOST_AUTO_TEST_CASE(finds_modbus_ascii) {
    auto_finds(dev::ProtocolKind::modbus_ascii, "mock://auto-ascii");
}
BOOST_AUTO_TEST_CASE(finds_continuous) {
    auto_finds(dev::ProtocolKind::continuous, "mock://auto-cont");
}

BOOST_AUTO_TEST_CASE(nothing_answering_is_a_clear_error) {
    asio::io_context io;
    auto peer = open_port(io, "mock://auto-none/b");
    dev::DeviceOptions o;
    o.response_timeout = std::chrono::milliseconds(20);
    o.retries = 0;
    o.timeout = std::chrono::milliseconds(10);
    auto r = open_device(io, "mock://auto-none/a", o);
    BOOST_TEST((r.ec == dev::errc::connection));
    BOOST_TEST(!r.anz.is_open());
    const std::string what = error_of(r.anz).what();
    BOOST_TEST(what.find("no recognised protocol on mock://auto-none/a") != std::string::npos);
    BOOST_TEST(what.find("modbus-rtu: no response") != std::string::npos);
    BOOST_TEST(what.find("modbus-ascii: no response") != std::string::npos);
    BOOST_TEST(what.find("continuous: no checksum-valid frame") != std::string::npos);
    // The probes did go out (RTU then ASCII): the peer saw them.
    BOOST_TEST(peer.input_waiting() > 0u);
}

BOOST_AUTO_TEST_SUITE_END()

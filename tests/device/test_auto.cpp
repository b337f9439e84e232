// AUTO over mock pairs: each mode recognised against its simulator; nothing answering
// gives the clear "no recognised protocol" error naming every mode tried.
#include "fixture.hpp"

using namespace test;

namespace {

void auto_finds(const std::string &kind, const std::string &pair) {
    asio::io_context io;
    MockDevice device(io, pair, kind, "7");
    if (kind == cont) device.sim().set_interval(std::chrono::milliseconds(50));
    dev::DeviceOptions o;
    o.protocol = family + ":auto";
    o.address = "7";
    auto r = open_device(io, pair + "/a", o);
    BOOST_TEST_REQUIRE(!r.ec, "AUTO: " << r.ec.message() << " "
                                       << (r.anz.last_error() ? error_of(r.anz).what() : ""));
    BOOST_TEST(r.anz.protocol_id() == kind);
    BOOST_TEST(r.anz.family() == family);
    BOOST_TEST(r.anz.detection().back().recognised);
    BOOST_TEST(r.anz.detection().back().protocol_id == kind);
    BOOST_TEST(r.anz.address() == (kind == cont ? "" : "7"));
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
    BOOST_TEST(i3->name.value_or("") == (kind == cont ? "CO2" : "CO\xE2\x82\x82"));
    r.anz.close();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(auto_detect)

BOOST_AUTO_TEST_CASE(finds_modbus_rtu) {
    auto_finds(rtu, "mock://auto-rtu");
}
BOOST_AUTO_TEST_CASE(finds_modbus_ascii) {
    auto_finds(ascii, "mock://auto-ascii");
}
BOOST_AUTO_TEST_CASE(finds_continuous) {
    auto_finds(cont, "mock://auto-cont");
}

BOOST_AUTO_TEST_CASE(nothing_answering_is_a_clear_error) {
    asio::io_context io;
    auto peer = open_port(io, "mock://auto-none/b");
    dev::DeviceOptions o;
    o.protocol = "auto";
    o.family = family;
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

// DeviceOptions::budget is a ceiling for the whole open: with the plugins' own timeouts
// (1 s, 2 retries per probe, a 4 s listen) a silent line took about 10 s. Each rung now
// reports the share it had; no wall-clock time is measured.
BOOST_AUTO_TEST_CASE(a_budget_is_shared_among_the_rungs) {
    asio::io_context io;
    auto peer = open_port(io, "mock://auto-budget/b");
    dev::DeviceOptions o;
    o.protocol = family + ":auto";
    o.budget = std::chrono::milliseconds(150);
    auto r = open_device(io, "mock://auto-budget/a", o);
    BOOST_TEST((r.ec == dev::errc::connection));
    const auto &d = r.anz.detection();
    BOOST_TEST_REQUIRE(d.size() == 3u);
    for (const dev::ProbeAttempt &a : d) {
        BOOST_TEST_INFO(a.mode << ": " << a.detail);
        if (a.active) {
            BOOST_TEST(a.detail.find("the time budget ran out") != std::string::npos);
        } else {
            const auto at = a.detail.find("within ");
            BOOST_TEST_REQUIRE(at != std::string::npos);
            BOOST_TEST(std::stod(a.detail.substr(at + 7)) <= 0.150);  // not 4 s
        }
    }
    BOOST_TEST(peer.input_waiting() > 0u);  // the probes went out
}

// Plain "auto" with several families loaded runs over all of them: listening first (it
// sends nothing), then every family's probes, families by name, each in its rank order.
BOOST_AUTO_TEST_CASE(plain_auto_listens_then_probes_every_family) {
    BOOST_TEST_REQUIRE(plugins().families().size() > 1u);
    asio::io_context io;
    auto peer = open_port(io, "mock://auto-fam/b");
    dev::DeviceOptions o;  // protocol "auto", no family
    o.response_timeout = std::chrono::milliseconds(20);
    o.retries = 0;
    o.timeout = std::chrono::milliseconds(10);
    o.budget = std::chrono::milliseconds(300);
    auto r = open_device(io, "mock://auto-fam/a", o);
    BOOST_TEST((r.ec == dev::errc::connection));
    std::vector<std::string> expected_active;
    std::size_t passive = 0;
    for (const std::string &f : plugins().families())
        for (const auto *p : plugins().protocols_in_family(f)) {
            if (p->model().probe_kind == ANYSERIAL_PROBE_ACTIVE) expected_active.push_back(p->id());
            if (p->model().probe_kind == ANYSERIAL_PROBE_PASSIVE) ++passive;
        }
    const auto &d = r.anz.detection();
    BOOST_TEST_REQUIRE(d.size() == passive + expected_active.size());
    std::vector<std::string> active;
    for (std::size_t i = 0; i < d.size(); ++i) {
        BOOST_TEST_INFO(d[i].protocol_id << ": " << d[i].detail);
        BOOST_TEST(d[i].active == (i >= passive));  // every listener before any probe
        if (d[i].active) active.push_back(d[i].protocol_id);
    }
    BOOST_TEST(active == expected_active, boost::test_tools::per_element());
    BOOST_TEST(peer.input_waiting() > 0u);  // the probes went out
}

// Settings the serial layer refuses stay a configuration error (they were "transport").
BOOST_AUTO_TEST_CASE(refused_serial_settings_are_a_configuration_error) {
    asio::io_context io;
    auto peer = open_port(io, "mock://auto-config/b");
    dev::DeviceOptions o;
    o.protocol = rtu;
    o.baudrate = 0;
    auto r = open_device(io, "mock://auto-config/a", o);
    BOOST_TEST((r.ec == dev::errc::configuration));
    BOOST_TEST(std::string(error_of(r.anz).what()).find("baudrate") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

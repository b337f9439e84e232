// Gates run before any byte, in order: confirmation, capability (the protocol declares the
// command), argument validation against the declaration. The peer end of the mock pair
// must have received nothing when an operation is refused; an address outside the
// protocol's syntax is refused before the port is even opened.
#include "fixture.hpp"

using namespace test;

namespace {

dev::Device open_explicit(asio::io_context &io, const std::string &port, const std::string &id) {
    dev::DeviceOptions o;
    o.protocol = id;
    o.identify = false;  // opening sends nothing
    o.response_timeout = std::chrono::milliseconds(20);
    o.retries = 0;
    auto r = open_device(io, port, o);
    BOOST_TEST_REQUIRE(!r.ec, "open: " << r.ec.message());
    return std::move(r.anz);
}

Op<dev::CommandResult> command(asio::io_context &io, dev::Device &d, const std::string &id,
                               std::vector<dev::ArgValue> args, bool confirm) {
    Op<dev::CommandResult> op;
    d.async_command(id, std::move(args), confirm, op.handler());
    run_until(io, [&] { return op.done; });
    return op;
}

dev::ArgValue group(int g) {
    return dev::ArgValue::of_integer(g);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gates)

BOOST_AUTO_TEST_CASE(refused_before_any_byte_in_order) {
    asio::io_context io;
    auto peer = open_port(io, "mock://gates1/b");
    auto d = open_explicit(io, "mock://gates1/a", rtu);

    // 1. confirmation first, even with a bad argument.
    auto op = command(io, d, "calibration.start", {group(9)}, false);
    BOOST_TEST((op.ec == dev::errc::confirmation_required));
    BOOST_TEST(error_of(d).message().find("confirm") != std::string::npos);
    BOOST_CHECK_THROW(d.throw_last_error(), dev::ConfirmationRequiredError);
    // 2. capability: a command the protocol does not declare.
    op = command(io, d, "valve.hold", {}, true);
    BOOST_TEST((op.ec == dev::errc::capability));
    BOOST_CHECK_THROW(d.throw_last_error(), dev::CapabilityError);
    BOOST_TEST(error_of(d).message().find("calibration.start") != std::string::npos);
    // 3. validation after confirmation, naming the argument.
    op = command(io, d, "calibration.start", {group(9)}, true);
    BOOST_TEST((op.ec == dev::errc::validation));
    BOOST_CHECK_THROW(d.throw_last_error(), dev::ValidationError);
    BOOST_TEST(error_of(d).message().find("argument 'group'") != std::string::npos,
               error_of(d).message());
    op = command(io, d, "calibration.status", {dev::ArgValue::of("one")}, false);
    BOOST_TEST((op.ec == dev::errc::validation));
    op = command(io, d, "calibration.stop", {group(1)}, true);  // too many arguments
    BOOST_TEST((op.ec == dev::errc::validation));
    op = command(io, d, "calibration.stop", {}, false);
    BOOST_TEST((op.ec == dev::errc::confirmation_required));
    BOOST_TEST(peer.input_waiting() == 0u);  // ZERO bytes reached the device

    // Positive control: an accepted command does reach the peer (and times out there).
    op = command(io, d, "calibration.status", {group(1)}, false);
    BOOST_TEST((op.ec == dev::errc::timeout));
    BOOST_TEST(peer.input_waiting() > 0u);
}

BOOST_AUTO_TEST_CASE(a_protocol_without_commands_refuses_them_all) {
    asio::io_context io;
    auto peer = open_port(io, "mock://gates2/b");
    auto d = open_explicit(io, "mock://gates2/a", cont);
    BOOST_TEST(d.commands().empty());
    auto op = command(io, d, "calibration.start", {group(1)}, true);
    BOOST_TEST((op.ec == dev::errc::capability));
    BOOST_CHECK_THROW(d.throw_last_error(), dev::CapabilityError);
    BOOST_TEST(peer.input_waiting() == 0u);
}

BOOST_AUTO_TEST_CASE(bad_address_is_refused_before_any_io) {
    asio::io_context io;
    auto peer = open_port(io, "mock://gates3/b");
    dev::DeviceOptions o;
    o.protocol = rtu;
    o.address = "248";
    auto r = open_device(io, "mock://gates3/a", o);
    BOOST_TEST((r.ec == dev::errc::validation));
    BOOST_CHECK_THROW(r.anz.throw_last_error(), dev::ValidationError);
    BOOST_TEST(error_of(r.anz).message().find("'248'") != std::string::npos,
               error_of(r.anz).message());
    BOOST_TEST(peer.input_waiting() == 0u);
    // Not even opened: the port is free for an exclusive open.
    o.address = "007";
    o.identify = false;
    auto ok = open_device(io, "mock://gates3/a", o);
    BOOST_TEST_REQUIRE(!ok.ec);
    BOOST_TEST(ok.anz.address() == "7");  // canonical text
}

BOOST_AUTO_TEST_CASE(protocol_strings_resolve_against_the_loaded_plugins) {
    auto &host = plugins();
    BOOST_TEST(dev::resolve_protocol(host, family + ":modbus-ascii").candidates.front()->id() ==
               ascii);
    const auto automatic = dev::resolve_protocol(host, family + ":auto");
    BOOST_TEST(automatic.automatic);
    BOOST_TEST(automatic.candidates.size() == 3u);
    BOOST_TEST(dev::resolve_protocol(host, rtu).family == family);
    try {
        (void)dev::resolve_protocol(host, "nope");
        BOOST_FAIL("resolved an unknown protocol");
    } catch (const dev::ValidationError &e) {
        BOOST_TEST(e.message().find("'nope' is not loaded") != std::string::npos);
        BOOST_TEST(e.message().find(rtu) != std::string::npos, e.message());  // lists them
    }
    BOOST_CHECK_THROW((void)dev::resolve_protocol(host, family + ":fax"), dev::ValidationError);
}

BOOST_AUTO_TEST_SUITE_END()

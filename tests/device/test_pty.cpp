// The pty simulator runner on real kernel ptys: raw mode before anyone opens the follower,
// a client opening the path (or the symlink) receives the controller's writes while the
// runner holds its own follower fd, reopening after a client closed still works, and the
// link is removed on stop.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "fixture.hpp"

using namespace test;
namespace fs = std::filesystem;

namespace {

// Reads from a non-blocking fd, running the io_context between attempts (it is what
// writes into the pty), until `text` followed by CR LF has arrived.
std::string read_frame(asio::io_context &io, int fd) {
    std::string got;
    char buf[512];
    io.restart();
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            got.append(buf, static_cast<std::size_t>(n));
            const auto start = got.find("Oxygen");
            if (start != std::string::npos && got.find("\r\n", start) != std::string::npos)
                return got;
            continue;
        }
        BOOST_TEST_REQUIRE((n < 0 && errno == EAGAIN), "read: " << std::strerror(errno));
        if (io.run_one() == 0) io.restart();
    }
}

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/anyserial-pty-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(pty)

BOOST_AUTO_TEST_CASE(client_by_path_receives_the_controller_writes) {
    asio::io_context io;
    TempDir dir;
    anyserial::sim::PtyOptions o;
    o.interval = std::chrono::milliseconds(20);
    o.link = dir.path / "analyser";
    anyserial::sim::PtySimulator sim(io.get_executor(), protocol(cont), o);
    BOOST_TEST(sim.path().rfind("/dev/pts/", 0) == 0u);
    BOOST_TEST(fs::read_symlink(*o.link) == fs::path(sim.path()));
    sim.start();

    // Opened through the symlink, by path: a second fd on the follower.
    int fd = ::open(o.link->c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
    BOOST_TEST_REQUIRE(fd >= 0);
    const std::string frame = read_frame(io, fd);
    // Raw mode: LF not turned into CR LF by OPOST, nothing held back by ICANON.
    BOOST_TEST(frame.find("\r\r\n") == std::string::npos);
    BOOST_TEST(frame.find(";I1;Oxygen;20.376;") != std::string::npos);
    ::close(fd);

    // The client went away; the runner's own follower fd keeps the controller healthy.
    fd = ::open(sim.path().c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
    BOOST_TEST_REQUIRE(fd >= 0);
    BOOST_TEST(read_frame(io, fd).find("Oxygen") != std::string::npos);
    ::close(fd);

    sim.stop();
    BOOST_TEST(!fs::exists(fs::symlink_status(*o.link)));
}

BOOST_AUTO_TEST_CASE(refuses_to_replace_a_regular_file) {
    asio::io_context io;
    TempDir dir;
    const fs::path file = dir.path / "not-a-link";
    { std::ofstream(file) << "x"; }
    anyserial::sim::PtyOptions o;
    o.link = file;
    BOOST_CHECK_THROW(anyserial::sim::PtySimulator(io.get_executor(), protocol(rtu), o),
                      anyserial::SerialError);
    BOOST_TEST(fs::is_regular_file(file));
}

BOOST_AUTO_TEST_CASE(replaces_only_a_dangling_link_and_removes_only_its_own) {
    asio::io_context io;
    TempDir dir;
    const auto &proto = protocol(rtu);
    anyserial::sim::PtyOptions o;
    o.link = dir.path / "analyser";
    anyserial::sim::PtySimulator live(io.get_executor(), proto, o);  // a live link
    const fs::path target = fs::read_symlink(*o.link);
    BOOST_CHECK_THROW(anyserial::sim::PtySimulator(io.get_executor(), proto, o),
                      anyserial::SerialError);
    BOOST_TEST(fs::read_symlink(*o.link) == target);  // neither replaced nor removed
    { std::ofstream(dir.path / "system.conf") << "x"; }
    anyserial::sim::PtyOptions other = o;
    other.link = dir.path / "system-link";
    fs::create_symlink(dir.path / "system.conf", *other.link);
    BOOST_CHECK_THROW(anyserial::sim::PtySimulator(io.get_executor(), proto, other),
                      anyserial::SerialError);
    BOOST_TEST(fs::read_symlink(*other.link) == dir.path / "system.conf");

    anyserial::sim::PtyOptions stale = o;
    stale.link = dir.path / "stale";
    fs::create_symlink("/dev/pts/anyserial-gone", *stale.link);  // its pty is gone
    {
        anyserial::sim::PtySimulator sim(io.get_executor(), proto, stale);
        BOOST_TEST(fs::read_symlink(*stale.link) == fs::path(sim.path()));
        fs::remove(*stale.link);
        fs::create_symlink(dir.path / "system.conf", *stale.link);  // someone else's now
    }
    BOOST_TEST(fs::read_symlink(*stale.link) == dir.path / "system.conf");  // left alone
    live.stop();
    BOOST_TEST(!fs::exists(fs::symlink_status(*o.link)));
}

BOOST_AUTO_TEST_CASE(analyzer_auto_over_a_pty, *boost::unit_test::precondition([](auto) {
                         return plugins().backend_for("/dev/pts/0") != nullptr;
                     })) {
    asio::io_context io;
    anyserial::sim::PtySimulator sim(io.get_executor(), protocol(ascii), {});
    sim.start();
    dev::DeviceOptions o;
    o.protocol = family + ":auto";
    auto r = open_device(io, sim.path(), o);
    if (r.ec) BOOST_FAIL("AUTO: " << error_of(r.anz).what());
    BOOST_TEST(r.anz.protocol_id() == ascii);
    Op<dev::Reading> op;
    r.anz.async_read_channel("I3", op.handler());
    run_until(io, [&] { return op.done; });
    BOOST_TEST_REQUIRE(!op.ec);
    BOOST_TEST(op.value.name.value_or("") == "CO\xE2\x82\x82");
    r.anz.close();
    sim.stop();
}

bool on_ptys(boost::unit_test::test_unit_id) {
    return plugins().backend_for("/dev/pts/0") != nullptr;
}

// A second family through the same session: text address, channels from the device's
// own table, a declared state-changing command refused without confirmation (the
// simulator saw no request) and taking effect with it.
BOOST_AUTO_TEST_CASE(alicat_over_a_pty, *boost::unit_test::precondition(on_ptys)) {
    if (plugins().protocol("alicat") == nullptr) BOOST_FAIL("protocol plugin alicat not loaded");
    asio::io_context io;
    anyserial::sim::PtyOptions po;
    po.address = "B";
    po.baudrate = 19200;
    anyserial::sim::PtySimulator sim(io.get_executor(), protocol("alicat"), po);
    sim.start();
    dev::DeviceOptions o;
    o.protocol = "alicat";
    o.address = "b";
    auto r = open_device(io, sim.path(), o);
    if (r.ec) BOOST_FAIL("open: " << error_of(r.anz).what());
    BOOST_TEST(r.anz.address() == "B");
    BOOST_TEST_REQUIRE(r.anz.info().has_value());
    BOOST_TEST(!r.anz.info()->channels.empty());

    Op<dev::Frame> poll;
    r.anz.async_poll(false, poll.handler());
    run_until(io, [&] { return poll.done; });
    BOOST_TEST_REQUIRE(!poll.ec, poll.ec.message());
    const dev::Reading *flow = poll.value.channel("mass_flow");
    BOOST_TEST_REQUIRE(flow != nullptr);
    BOOST_TEST(!flow->unit.empty());

    const auto before = sim.simulator().counters().requests;
    Op<dev::CommandResult> refused;
    r.anz.async_command("setpoint.set", {dev::ArgValue::of(20.0)}, false, refused.handler());
    run_until(io, [&] { return refused.done; });
    BOOST_TEST((refused.ec == dev::errc::confirmation_required));
    BOOST_TEST(sim.simulator().counters().requests == before);  // no byte reached it

    Op<dev::CommandResult> done;
    r.anz.async_command("setpoint.set", {dev::ArgValue::of(20.0)}, true, done.handler());
    run_until(io, [&] { return done.done; });
    if (done.ec) BOOST_FAIL("setpoint.set: " << error_of(r.anz).what());
    BOOST_TEST(sim.simulator().field("setpoint").number == 20.0);
    r.anz.close();
    sim.stop();
}

// Plain "auto" (the default) with both families loaded picks the simulated protocol and
// no other family's listener takes its frames: Servomex continuous is not alicat-stream.
void plain_auto_finds(const std::string &id) {
    if (plugins().protocol(id) == nullptr) BOOST_FAIL("protocol plugin " << id << " not loaded");
    asio::io_context io;
    anyserial::sim::PtyOptions po;
    if (plugins().protocol(id)->model().broadcast) po.interval = std::chrono::milliseconds(50);
    anyserial::sim::PtySimulator sim(io.get_executor(), protocol(id), po);
    sim.start();
    auto r = open_device(io, sim.path(), dev::DeviceOptions{});
    if (r.ec) BOOST_FAIL("AUTO: " << error_of(r.anz).what());
    BOOST_TEST(r.anz.protocol_id() == id);
    for (const dev::ProbeAttempt &a : r.anz.detection())
        BOOST_TEST(a.recognised == (a.protocol_id == id), a.protocol_id << ": " << a.detail);
    r.anz.close();
    sim.stop();
}

// Every passive listener hears every line: alicat-stream (no ??D* layout) must not take a
// Servomex continuous line for a frame, nor servomex-continuous an Alicat one.
BOOST_AUTO_TEST_CASE(plain_auto_finds_continuous, *boost::unit_test::precondition(on_ptys)) {
    plain_auto_finds(cont);
}
BOOST_AUTO_TEST_CASE(plain_auto_finds_modbus_rtu, *boost::unit_test::precondition(on_ptys)) {
    plain_auto_finds(rtu);
}
BOOST_AUTO_TEST_CASE(plain_auto_finds_modbus_ascii, *boost::unit_test::precondition(on_ptys)) {
    plain_auto_finds(ascii);
}
BOOST_AUTO_TEST_CASE(plain_auto_finds_alicat, *boost::unit_test::precondition(on_ptys)) {
    plain_auto_finds("alicat");
}
BOOST_AUTO_TEST_CASE(plain_auto_finds_alicat_stream, *boost::unit_test::precondition(on_ptys)) {
    plain_auto_finds("alicat-stream");
}

BOOST_AUTO_TEST_SUITE_END()

// Multidrop on real simulators: two Modbus analysers on one shared transport (a bus with
// one simulator per address) are strictly serialised; the Manager opens/reuses/closes the
// transport by port path; two ports run concurrently (proved with a gate, not a clock);
// ErrorPolicy raise vs return_results with a silent address.
#include <anyserial/record/manager.hpp>
#include <anyserial/sim/simulator.hpp>
#include <tuple>

#include "../device/fixture.hpp"
#include "bus.hpp"

using namespace test;
using anyserial::record::ErrorPolicy;
using anyserial::record::Manager;
using anyserial::record::ManagerError;

namespace {

std::shared_ptr<anyserial::sim::Simulator> simulator(unsigned address) {
    return std::make_shared<anyserial::sim::Simulator>(protocol("servomex-modbus-rtu"),
                                                       std::to_string(address));
}

// A bus with one simulator per address on the `b` end of `pair`.
std::unique_ptr<Bus> make_bus(asio::io_context &io, const std::string &pair,
                              std::vector<unsigned> addresses) {
    std::vector<Bus::Device> devices;
    for (unsigned a : addresses)
        devices.push_back({a, simulator(a)});
    auto bus = std::make_unique<Bus>(open_port(io, pair + "/b"), std::move(devices));
    bus->start();
    return bus;
}

dev::Transport open_transport(asio::io_context &io, const std::string &path) {
    std::optional<dev::Transport> t;
    ec_t ec;
    dev::async_open_transport(io.get_executor(), plugins(), path, bus_rtu("1"),
                              [&](ec_t e, dev::Transport tr) {
                                  ec = e;
                                  t.emplace(std::move(tr));
                              });
    run_until(io, [&] { return t.has_value(); });
    BOOST_TEST_REQUIRE(!ec, "open transport " << path << ": " << ec.message());
    return std::move(*t);
}

Opened open_on(asio::io_context &io, const dev::Transport &t, dev::DeviceOptions o) {
    std::optional<Opened> out;
    dev::async_open_device(t, std::move(o), [&](ec_t ec, dev::Device a) {
        out.emplace(Opened{ec, std::move(a)});
    });
    run_until(io, [&] { return out.has_value(); });
    return std::move(*out);
}

double i1(const dev::Frame &f) {
    const dev::Reading *r = f.channel("I1");
    return r != nullptr && r->value ? *r->value : -1.0;
}

// Splits a bus log into runs of one address: [("1", 4), ("2", 4), ...].
std::vector<std::pair<char, std::size_t>> runs(const std::vector<std::string> &log) {
    std::vector<std::pair<char, std::size_t>> out;
    for (const std::string &e : log) {
        const char addr = e.back();
        if (out.empty() || out.back().first != addr)
            out.emplace_back(addr, 1);
        else
            ++out.back().second;
    }
    return out;
}

struct AddResult {
    bool done = false;
    std::exception_ptr error;
    dev::Device *anz = nullptr;
};

template <class Source>
AddResult add(asio::io_context &io, Manager &m, const std::string &name, Source source,
              dev::DeviceOptions o) {
    AddResult r;
    m.async_add(name, std::move(source), std::move(o), [&](std::exception_ptr e, dev::Device *a) {
        r.done = true;
        r.error = e;
        r.anz = a;
    });
    run_until(io, [&] { return r.done; });
    return r;
}

std::string what_of(std::exception_ptr e) {
    if (!e) return "(no error)";
    try {
        std::rethrow_exception(e);
    } catch (const std::exception &x) {
        return x.what();
    }
}

dev::errc condition_of(std::exception_ptr e) {
    BOOST_TEST_REQUIRE(static_cast<bool>(e), "an error");
    try {
        std::rethrow_exception(e);
    } catch (const dev::DeviceError &d) {
        return d.condition();
    } catch (...) {
    }
    BOOST_FAIL("not a DeviceError");
    return dev::errc::closed;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(multidrop)

BOOST_AUTO_TEST_CASE(two_analysers_on_one_transport_are_strictly_serialised) {
    asio::io_context io;
    auto bus = make_bus(io, "mock://md-serial", {1, 2});
    dev::Transport t = open_transport(io, "mock://md-serial/a");
    auto a1 = open_on(io, t, bus_rtu("1"));
    auto a2 = open_on(io, t, bus_rtu("2"));
    BOOST_TEST_REQUIRE(!a1.ec);
    BOOST_TEST_REQUIRE(!a2.ec);
    BOOST_TEST(a1.anz.shared());
    BOOST_TEST(t.devices() == 2u);

    // One solo poll: how many request/reply pairs a poll takes.
    Op<dev::Frame> solo;
    a1.anz.async_poll(false, solo.handler());
    run_until(io, [&] { return solo.done; });
    BOOST_TEST_REQUIRE(!solo.ec);
    const std::size_t per_poll = bus->log().size();
    BOOST_TEST_REQUIRE(per_poll >= 2u);
    bus->clear_log();

    // Three polls on each, all started at once: nothing but the bus lock orders them.
    std::vector<Op<dev::Frame>> ops(6);
    for (std::size_t i = 0; i < ops.size(); ++i)
        (i % 2 == 0 ? a1.anz : a2.anz).async_poll(false, ops[i].handler());
    run_until(io, [&] {
        return std::all_of(ops.begin(), ops.end(), [](const auto &o) { return o.done; });
    });
    for (std::size_t i = 0; i < ops.size(); ++i) {
        BOOST_TEST_REQUIRE(!ops[i].ec, "poll " << i << ": " << ops[i].ec.message());
        BOOST_TEST(i1(ops[i].value) == 20.376, boost::test_tools::tolerance(1e-6));
    }
    // Every request is answered before the next one, and each poll's transactions are
    // contiguous: the log is whole polls of one address at a time.
    const auto &log = bus->log();
    BOOST_TEST(log.size() == 6 * per_poll);
    for (std::size_t i = 0; i < log.size(); ++i) {
        const bool request = log[i].rfind("req", 0) == 0;
        BOOST_TEST(request == (i % 2 == 0), "entry " << i << " is " << log[i]);
        if (i % 2 == 1) BOOST_TEST(log[i].back() == log[i - 1].back());
    }
    const auto r = runs(log);
    BOOST_TEST(r.size() >= 2u);  // both analysers got the bus
    for (const auto &[addr, len] : r)
        BOOST_TEST(len % per_poll == 0u, "a run of address " << addr << " of " << len);
    BOOST_TEST(t.bus_acquisitions() == 7u);

    // Closing an analyser detaches it; the line stays open for the other.
    a1.anz.close();
    BOOST_TEST(t.is_open());
    BOOST_TEST(t.devices() == 1u);
    Op<dev::Frame> after;
    a2.anz.async_poll(false, after.handler());
    run_until(io, [&] { return after.done; });
    BOOST_TEST(!after.ec);
    // Closing the transport fails the remaining analyser with a connection error.
    t.close();
    Op<dev::Frame> gone;
    a2.anz.async_poll(false, gone.handler());
    run_until(io, [&] { return gone.done; });
    BOOST_TEST((gone.ec == dev::errc::connection));
}

BOOST_AUTO_TEST_CASE(a_shared_transport_refuses_auto_and_broadcast_protocols) {
    asio::io_context io;
    auto bus = make_bus(io, "mock://md-refuse", {1});
    dev::Transport t = open_transport(io, "mock://md-refuse/a");
    dev::DeviceOptions autodetect = bus_rtu("1");
    autodetect.protocol = "auto";
    auto a = open_on(io, t, autodetect);
    BOOST_TEST((a.ec == dev::errc::validation));
    BOOST_TEST(error_of(a.anz).message().find("AUTO") != std::string::npos);
    dev::DeviceOptions cont = bus_rtu("1");
    cont.protocol = "servomex-continuous";
    auto c = open_on(io, t, cont);
    BOOST_TEST((c.ec == dev::errc::validation));
    BOOST_TEST(error_of(c.anz).message().find("multidrop") != std::string::npos);
    BOOST_TEST(bus->log().empty());  // refused before anything was sent
    // Dropping the last handle closes the line: nothing keeps the io_context busy.
    t = dev::Transport{};
    a.anz = dev::Device{};
    c.anz = dev::Device{};
    io.restart();
    io.run();
    BOOST_TEST(!bus->running());  // the device end saw the line close
}

BOOST_AUTO_TEST_CASE(manager_add_by_path_shares_and_owns_the_transport) {
    asio::io_context io;
    auto bus = make_bus(io, "mock://md-mgr", {1, 2});
    const std::string path = "mock://md-mgr/a";
    Manager m(io.get_executor(), plugins());
    auto r1 = add(io, m, "a1", path, bus_rtu("1"));
    auto r2 = add(io, m, "a2", path, bus_rtu("2"));
    BOOST_TEST_REQUIRE(!r1.error);
    BOOST_TEST_REQUIRE(!r2.error);
    const dev::Transport *tp = m.transport(path);
    BOOST_TEST_REQUIRE(tp != nullptr);
    const dev::Transport t = *tp;  // a second handle, to watch it close
    BOOST_TEST(t.devices() == 2u);
    BOOST_TEST(&m.get("a2") == r2.anz);

    // Refusals name why: continuous, AUTO, a second protocol on the line, a taken address.
    dev::DeviceOptions cont = bus_rtu("3");
    cont.protocol = "servomex-continuous";
    auto rc = add(io, m, "c", path, cont);
    BOOST_TEST((condition_of(rc.error) == dev::errc::validation));
    dev::DeviceOptions autodetect = bus_rtu("3");
    autodetect.protocol = "auto";
    BOOST_TEST((condition_of(add(io, m, "x", path, autodetect).error) == dev::errc::validation));
    dev::DeviceOptions ascii = bus_rtu("3");
    ascii.protocol = "servomex-modbus-ascii";
    BOOST_TEST((condition_of(add(io, m, "y", path, ascii).error) == dev::errc::validation));
    BOOST_TEST((condition_of(add(io, m, "z", path, bus_rtu("2")).error) == dev::errc::validation));
    BOOST_TEST((condition_of(add(io, m, "a1", path, bus_rtu("4")).error) == dev::errc::validation));
    // Text addresses, checked against the plugin's syntax before any I/O and compared in
    // canonical form; FAMILY:MODE names the same plugin as its id.
    BOOST_TEST(
        (condition_of(add(io, m, "t", path, bus_rtu("002")).error) == dev::errc::validation));
    dev::DeviceOptions by_mode = bus_rtu("02");
    by_mode.protocol = "servomex-4100:modbus-rtu";
    auto rm = add(io, m, "t", path, by_mode);
    BOOST_TEST((condition_of(rm.error) == dev::errc::validation));
    BOOST_TEST(what_of(rm.error).find("both have address 2") != std::string::npos);
    for (const char *bad : {"0", "248", "A", "1 "}) {
        auto rb = add(io, m, "t", path, bus_rtu(bad));
        BOOST_TEST((condition_of(rb.error) == dev::errc::validation), bad);
        BOOST_TEST(what_of(rb.error).find("bad address") != std::string::npos, bad);
    }
    dev::DeviceOptions unknown = bus_rtu("3");
    unknown.protocol = "acme-flow";
    BOOST_TEST((condition_of(add(io, m, "u", path, unknown).error) == dev::errc::validation));
    BOOST_TEST(m.names().size() == 2u);

    bool done = false;
    std::map<std::string, anyserial::record::DeviceResult<dev::Frame>> res;
    m.async_poll({}, {}, [&](std::exception_ptr e, auto r) {
        BOOST_TEST(!e);
        res = std::move(r);
        done = true;
    });
    run_until(io, [&] { return done; });
    BOOST_TEST_REQUIRE(res.size() == 2u);
    for (auto &[name, r] : res) {
        BOOST_TEST_REQUIRE(r.ok(), name);
        BOOST_TEST(i1(*r.value) == 20.376, boost::test_tools::tolerance(1e-6));
    }

    m.remove("a1");
    BOOST_TEST(t.is_open());  // a2 still uses it
    m.remove("a2");
    BOOST_TEST(!t.is_open());  // the manager opened it: closed with its last analyser
    BOOST_TEST(m.transport(path) == nullptr);
}

// Two adds on one path started together open its transport once. On an exclusive port (a
// kernel pty: TIOCEXCL + flock) a second open of the same path would fail.
BOOST_AUTO_TEST_CASE(concurrent_adds_on_one_path_open_it_once,
                     *boost::unit_test::precondition([](auto) {
                         return plugins().backend_for("/dev/pts/0") != nullptr;
                     })) {
    asio::io_context io;
    anyserial::sim::PtySimulator sim(io.get_executor(), protocol("servomex-modbus-rtu"), {});
    sim.start();
    Manager m(io.get_executor(), plugins());
    AddResult r1, r2;
    for (auto [name, address, out] : {std::tuple{"a1", 1u, &r1}, std::tuple{"a2", 2u, &r2}}) {
        dev::DeviceOptions o = bus_rtu(std::to_string(address));
        o.serial = anyserial::SerialConfig{}.with_exclusive(true);
        m.async_add(name, sim.path(), o, [out](std::exception_ptr e, dev::Device *a) {
            out->done = true;
            out->error = e;
            out->anz = a;
        });
    }
    run_until(io, [&] { return r1.done && r2.done; });
    BOOST_TEST(!r1.error);
    BOOST_TEST(!r2.error);
    const dev::Transport *t = m.transport(sim.path());
    BOOST_TEST_REQUIRE(t != nullptr);
    BOOST_TEST(t->devices() == 2u);
    m.close();
    sim.stop();
}

BOOST_AUTO_TEST_CASE(manager_add_on_a_bound_transport_does_not_close_it) {
    asio::io_context io;
    auto bus = make_bus(io, "mock://md-bound", {1, 2});
    dev::Transport t = open_transport(io, "mock://md-bound/a");
    {
        Manager m(io.get_executor(), plugins());
        BOOST_TEST_REQUIRE(!add(io, m, "a1", t, bus_rtu("1")).error);
        BOOST_TEST_REQUIRE(!add(io, m, "a2", t, bus_rtu("2")).error);
        // The same port by path would be a second transport competing for its bytes.
        BOOST_TEST(
            (condition_of(add(io, m, "a3", std::string("mock://md-bound/a"), bus_rtu("3")).error) ==
             dev::errc::validation));
        m.remove("a1");
        m.remove("a2");
        BOOST_TEST(t.is_open());
        BOOST_TEST_REQUIRE(!add(io, m, "a1", t, bus_rtu("1")).error);
    }  // the manager's close() leaves the caller's transport open
    BOOST_TEST(t.is_open());
    BOOST_TEST(t.devices() == 0u);
    // A prebuilt analyser (exclusive open elsewhere) is tracked, not shared.
    auto solo_bus = make_bus(io, "mock://md-solo", {1});
    auto solo = open_device(io, "mock://md-solo/a", bus_rtu("1"));
    BOOST_TEST_REQUIRE(!solo.ec);
    auto shared_solo = std::make_shared<dev::Device>(std::move(solo.anz));
    {
        Manager m(io.get_executor(), plugins());
        m.add("solo", shared_solo);
        // Its port is taken exclusively: a multidrop peer cannot join it.
        BOOST_TEST((
            condition_of(add(io, m, "peer", std::string("mock://md-solo/a"), bus_rtu("2")).error) ==
            dev::errc::validation));
    }
    BOOST_TEST(shared_solo->is_open());  // tracked only: the caller still owns it
}

BOOST_AUTO_TEST_CASE(two_ports_run_concurrently) {
    asio::io_context io;
    auto bus_a = make_bus(io, "mock://md-portA", {1});
    auto bus_b = make_bus(io, "mock://md-portB", {1});
    // Port A's replies are held until port B has seen a request: if the manager ran the
    // ports one after the other, A's poll could never complete (it would time out).
    auto gate = std::make_shared<Gate>(io.get_executor());
    bus_a->hold_replies(gate);
    bus_b->on_request_release(gate);
    Manager m(io.get_executor(), plugins());
    BOOST_TEST_REQUIRE(!add(io, m, "a", std::string("mock://md-portA/a"), bus_rtu("1")).error);
    BOOST_TEST_REQUIRE(!add(io, m, "b", std::string("mock://md-portB/a"), bus_rtu("1")).error);
    bool done = false;
    std::map<std::string, anyserial::record::DeviceResult<dev::Frame>> res;
    m.async_execute_each(
        [](dev::Device &a) -> asio::awaitable<dev::Frame> {
            dev::Frame f = co_await a.async_poll(false, asio::use_awaitable);
            co_return f;
        },
        {},
        [&](std::exception_ptr e, auto r) {
            BOOST_TEST(!e);
            res = std::move(r);
            done = true;
        });
    run_until(io, [&] { return done; });
    BOOST_TEST_REQUIRE(res.size() == 2u);
    BOOST_TEST(res.at("a").ok());
    BOOST_TEST(res.at("b").ok());
    BOOST_TEST(gate->open);
    BOOST_TEST_REQUIRE(!bus_a->log().empty());
    BOOST_TEST(bus_a->log().front() == "req 1");
}

BOOST_AUTO_TEST_CASE(raise_aggregates_and_return_reports_per_device) {
    asio::io_context io;
    dev::DeviceOptions silent = bus_rtu("3");
    silent.response_timeout = std::chrono::milliseconds(30);
    silent.retries = 0;
    auto poll_op = [](dev::Device &a) -> asio::awaitable<dev::Frame> {
        auto [ec, f] = co_await a.async_poll(false, asio::as_tuple(asio::use_awaitable));
        if (ec) Manager::rethrow_device_error(a, ec);
        co_return f;
    };
    for (ErrorPolicy policy : {ErrorPolicy::raise, ErrorPolicy::return_results}) {
        // A mock end cannot reopen while its peer stays open: one pair per policy.
        const std::string pair =
            policy == ErrorPolicy::raise ? "mock://md-silent-raise" : "mock://md-silent-return";
        auto bus = make_bus(io, pair, {1});  // nobody answers address 3
        Manager m(io.get_executor(), plugins(), policy);
        BOOST_TEST_REQUIRE(!add(io, m, "ok", pair + "/a", bus_rtu("1")).error);
        BOOST_TEST_REQUIRE(!add(io, m, "silent", pair + "/a", silent).error);
        bool done = false;
        std::exception_ptr error;
        std::map<std::string, anyserial::record::DeviceResult<dev::Frame>> res;
        m.async_execute_each(poll_op, {}, [&](std::exception_ptr e, auto r) {
            error = e;
            res = std::move(r);
            done = true;
        });
        run_until(io, [&] { return done; });
        if (policy == ErrorPolicy::raise) {
            BOOST_TEST_REQUIRE(static_cast<bool>(error));
            try {
                std::rethrow_exception(error);
            } catch (const ManagerError &e) {
                BOOST_TEST(e.failures().size() == 1u);
                BOOST_TEST(e.failures().count("silent") == 1u);
                BOOST_TEST((e.failures().at("silent").code == dev::errc::timeout));
                BOOST_TEST(e.failures().at("silent").message.find("address 3") !=
                           std::string::npos);
            }
        } else {
            BOOST_TEST(!error);
            BOOST_TEST_REQUIRE(res.size() == 2u);
            BOOST_TEST(res.at("ok").ok());
            BOOST_TEST(i1(*res.at("ok").value) == 20.376, boost::test_tools::tolerance(1e-6));
            BOOST_TEST(!res.at("silent").ok());
            BOOST_TEST((res.at("silent").error->code == dev::errc::timeout));
        }
        // poll_samples leaves the silent device out and keeps the rest.
        bool sdone = false;
        anyserial::record::Batch batch;
        m.async_poll_samples({}, {}, [&](ec_t ec, anyserial::record::Batch b) {
            BOOST_TEST(!ec);
            batch = std::move(b);
            sdone = true;
        });
        run_until(io, [&] { return sdone; });
        BOOST_TEST(!batch.empty());
        for (const auto &s : batch)
            BOOST_TEST(s.device == "ok");  // peers on one port are labelled by name
    }
}

BOOST_AUTO_TEST_SUITE_END()

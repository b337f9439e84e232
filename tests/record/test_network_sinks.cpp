// Network sinks without a server: URL checks (usage errors before any I/O, passwords
// refused and never echoed), the spool keeps every batch of an unreachable target across
// sink instances (a later run) and per target, line protocol escaping, the fan-out.
// Against real PostgreSQL and mosquitto servers: test_fleet.py.
#define BOOST_TEST_MODULE record_network_sinks
#include <unistd.h>

#include <anyserial/sinks/sink.hpp>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sinks/spool.hpp"  // core-internal: the spool's row encoding

namespace fs = std::filesystem;
using namespace anyserial::sinks;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/anyserial-netsinks-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

std::vector<Sample> batch(const std::string &device) {
    Sample s;
    s.device = device;
    s.channel = "I1";
    anyserial::device::Reading r;
    r.channel = "I1";
    r.value = 21.0;
    r.kind = "transducer";
    r.unit = "vol %";
    s.reading = r;
    s.protocol = "acme-gas";
    s.received_at =
        std::chrono::system_clock::time_point(std::chrono::nanoseconds(1'700'000'000'123'456'789));
    return {s};
}

std::string refused(const std::string &spec) {
    try {
        (void)parse_sink_spec(spec);
    } catch (const std::invalid_argument &e) {
        return e.what();
    }
    return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(network_urls_parse_and_bad_ones_are_usage_errors) {
    const auto pg = parse_sink_spec("postgresql://bench@127.0.0.1:5432/lab?table=run_1");
    BOOST_TEST(pg.kind == "postgresql");
    BOOST_TEST(pg.path == "postgresql://bench@127.0.0.1:5432/lab?table=run_1");
    BOOST_TEST(parse_sink_spec("postgres://h/db").kind == "postgresql");
    BOOST_TEST(parse_sink_spec("mqtt://broker:1883/lab/room4").kind == "mqtt");
    const auto lp = parse_sink_spec("influx:-");
    BOOST_TEST((lp.kind == "influx" && lp.path == "-"));
    BOOST_TEST(refused("postgresql://h/db?table=x;drop").find("plain identifier") !=
               std::string::npos);
    BOOST_TEST(refused("postgresql://h/db?method=fast").find("copy or insert") !=
               std::string::npos);
    BOOST_TEST(refused("postgresql://h/db?bogus=1").find("bogus") != std::string::npos);
    BOOST_TEST(refused("mqtt://h:99999/x").find("port") != std::string::npos);
    BOOST_TEST(refused("mqtt://h/x?qos=2").find("unknown parameter 'qos'") != std::string::npos);
    BOOST_TEST(refused("mqtt://h/a/+/b").find("prefix") != std::string::npos);
    BOOST_TEST(refused("postgresql://h/db?drain_timeout=-1").find("drain_timeout") !=
               std::string::npos);
    BOOST_TEST(!refused("influx:").empty());
}

BOOST_AUTO_TEST_CASE(a_password_on_the_command_line_is_refused_and_not_echoed) {
    for (const char *spec :
         {"postgresql://bob:s3cr3t@h/db", "postgresql://bob@h/db?password=s3cr3t",
          "mqtt://bob:s3cr3t@h/x", "mqtt://h/x?password=s3cr3t"}) {
        const auto why = refused(spec);
        BOOST_TEST(why.find("password") != std::string::npos, spec);
        BOOST_TEST(why.find("s3cr3t") == std::string::npos, spec);
    }
}

BOOST_AUTO_TEST_CASE(the_spool_keeps_undelivered_batches_for_the_next_run_per_target) {
    TempDir tmp;
    const NetworkSinkOptions opts{.spool = tmp.path / "spool.db"};
    // Port 1 on loopback refuses at once; drain_timeout=0 leaves at close.
    const std::string url = "postgresql://u@127.0.0.1:1/db?table=a&drain_timeout=0";
    {
        auto sink = make_sink(parse_sink_spec(url), opts);
        sink->open();
        for (int i = 0; i < 3; ++i)
            sink->write(batch("dev"));
        sink->close();
        const auto d = sink->delivery();
        BOOST_REQUIRE(d);
        BOOST_TEST(d->delivered == 0u);
        BOOST_TEST(d->pending == 3u);
    }
    {  // a later run: the three are still there, plus its own
        auto sink = make_sink(parse_sink_spec(url), opts);
        sink->open();
        sink->write(batch("dev"));
        sink->close();
        BOOST_TEST(sink->delivery()->pending == 4u);
    }
    {  // another table is another target: none of those are its
        auto sink = make_sink(
            parse_sink_spec("postgresql://u@127.0.0.1:1/db?table=b&drain_timeout=0"), opts);
        sink->open();
        sink->close();
        BOOST_TEST(sink->delivery()->pending == 0u);
    }
    // A symlinked spool is refused, not followed.
    fs::create_symlink(tmp.path / "spool.db", tmp.path / "link.db");
    auto sink = make_sink(parse_sink_spec(url), {.spool = tmp.path / "link.db"});
    BOOST_CHECK_THROW(sink->open(), SinkError);
}

BOOST_AUTO_TEST_CASE(line_protocol_escapes_tags_and_strings) {
    TempDir tmp;
    const auto path = tmp.path / "run.lp";
    auto sink = make_sink(parse_sink_spec("influx:" + path.string()));
    sink->open();
    auto b = batch("anz 1,a=b");
    b.push_back(b.front());
    // Flags of a plugin's own declaration: string fields (flags, severity).
    auto flagged = b.front();
    flagged.reading->flags = anyserial::device::FlagSet(
        0b11, std::make_shared<const anyserial::device::FlagTable>(anyserial::device::FlagTable{
                  {"HLD", "Hold", anyserial::device::Severity::info, ""},
                  {"OVR", "Over \"range\"", anyserial::device::Severity::warning, ""}}));
    b.insert(b.begin() + 1, flagged);
    b.back().reading.reset();
    b.back().channel.clear();
    b.back().error = "bad \"frame\" \\ here";
    sink->write(b);
    sink->close();
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    BOOST_TEST(text.str() ==
               "anyserial,channel=I1,device=anz\\ 1\\,a\\=b,kind=transducer,protocol=acme-gas,"
               "unit=vol\\ % value=21.0,ok=true,monotonic_ns=0i 1700000000123456789\n"
               "anyserial,channel=I1,device=anz\\ 1\\,a\\=b,kind=transducer,protocol=acme-gas,"
               "unit=vol\\ % value=21.0,ok=false,flags=\"HLD,OVR\",severity=\"warning\","
               "monotonic_ns=0i 1700000000123456789\n"
               "anyserial,device=anz\\ 1\\,a\\=b,protocol=acme-gas "
               "error=\"bad \\\"frame\\\" \\\\ here\",monotonic_ns=0i 1700000000123456789\n");
}

BOOST_AUTO_TEST_CASE(the_fanout_writes_every_batch_to_each_sink) {
    TempDir tmp;
    std::vector<std::unique_ptr<Sink>> list;
    list.push_back(make_sink(parse_sink_spec("influx:" + (tmp.path / "a.lp").string())));
    list.push_back(make_sink(parse_sink_spec("influx:" + (tmp.path / "b.lp").string())));
    auto fan = make_fanout_sink(std::move(list));
    BOOST_TEST(fan->describe() == "influx:" + (tmp.path / "a.lp").string() +
                                      ", influx:" + (tmp.path / "b.lp").string());
    fan->open();
    fan->write(batch("d"));
    fan->write(batch("d"));
    fan->close();
    for (const char *f : {"a.lp", "b.lp"}) {
        std::ifstream in(tmp.path / f);
        std::string line;
        int n = 0;
        while (std::getline(in, line))
            ++n;
        BOOST_TEST(n == 2, f);
    }
}

BOOST_AUTO_TEST_CASE(the_spool_round_trips_rows_and_reads_an_earlier_releases_rows) {
    auto b = batch("anz");
    b.front().reading->flags = anyserial::device::FlagSet(
        0b10, std::make_shared<const anyserial::device::FlagTable>(anyserial::device::FlagTable{
                  {"HLD", "Hold", anyserial::device::Severity::info, ""},
                  {"OVR", "Over range", anyserial::device::Severity::warning, ""}}));
    const Row row = to_row(b.front());
    const auto back = detail::decode_rows(detail::encode_rows({row}));
    BOOST_REQUIRE_EQUAL(back.size(), 1u);
    BOOST_TEST((back[0] == row));

    // 21 cells: device, channel, kind, name, value, unit, fault, maintenance, calibrating,
    // warming_up, alarm1..alarm4, ok, protocol, monotonic_ns, received_at, requested_at,
    // latency_s, error.
    const auto old = detail::decode_rows(
        R"([["anz","I1","transducer","O2",20.5,"%",0,1,0,0,0,1,0,0,0,"modbus-rtu",42,)"
        R"("2023-11-14T22:13:20.123456Z",null,0.01,null],)"
        R"(["anz",null,null,null,null,null,null,null,null,null,null,null,null,null,null,)"
        R"("modbus-rtu",43,"2023-11-14T22:13:21.000000Z",null,null,"bad frame"]])");
    BOOST_REQUIRE_EQUAL(old.size(), 2u);
    const Row &r = old[0];
    BOOST_TEST(std::get<std::string>(r[col::channel]) == "I1");
    BOOST_TEST(std::get<double>(r[col::value]) == 20.5);
    BOOST_TEST(std::holds_alternative<std::monostate>(r[col::text]));
    BOOST_TEST(std::get<std::string>(r[col::unit]) == "%");
    BOOST_TEST(std::get<std::string>(r[col::flags]) == "maintenance,alarm2");
    BOOST_TEST(std::get<std::int64_t>(r[col::ok]) == 0);
    BOOST_TEST(std::get<std::string>(r[col::severity]) == "warning");
    BOOST_TEST(std::get<std::string>(r[col::protocol]) == "modbus-rtu");
    BOOST_TEST(std::get<std::int64_t>(r[col::monotonic_ns]) == 42);
    BOOST_TEST(std::get<std::string>(r[col::received_at]) == "2023-11-14T22:13:20.123456Z");
    BOOST_TEST(std::get<double>(r[col::latency_s]) == 0.01);
    const Row &e = old[1];  // an error row: no reading, so no flags
    BOOST_TEST(std::holds_alternative<std::monostate>(e[col::flags]));
    BOOST_TEST(std::holds_alternative<std::monostate>(e[col::ok]));
    BOOST_TEST(std::get<std::string>(e[col::error]) == "bad frame");
}

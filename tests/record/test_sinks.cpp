// Sinks: every sink round-trips what it wrote (CSV and JSONL read back, SQLite queried),
// the spec parser, write failures name the sink, and the pump stops a recording cleanly.
#define BOOST_TEST_MODULE record_sinks
#include <sqlite3.h>
#include <unistd.h>

#include <anyserial/sinks/pump.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fakes.hpp"

namespace fs = std::filesystem;
using namespace anyserial::sinks;
using anyserial::device::FlagSet;
using anyserial::device::FlagTable;
using anyserial::device::Reading;
using anyserial::device::Severity;
using namespace std::chrono_literals;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/anyserial-sinks-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

// A plugin's flag declaration that is nobody's in particular (bit i = i-th flag).
std::shared_ptr<const FlagTable> flag_table() {
    static const auto table = std::make_shared<const FlagTable>(FlagTable{
        {"HLD", "Hold", Severity::info, ""},
        {"OVR", "Over range", Severity::warning, ""},
        {"ADC", "ADC fault", Severity::fault, ""},
        {"LCK", "Locked", Severity::info, ""},
    });
    return table;
}

std::vector<Sample> samples() {
    std::vector<Sample> out;
    Sample a;
    a.device = "anz,1";  // a comma: CSV must quote it
    a.channel = "I1";
    Reading r;
    r.channel = "I1";
    r.name = "O2 \"para\"\nline";  // quote and newline
    r.value = 20.376;
    r.kind = "flow";
    r.unit = "SCCM";
    r.flags = FlagSet(0b1011, flag_table());  // HLD, OVR, LCK: a warning, no fault
    r.protocol = "acme-flow";
    a.reading = r;
    a.protocol = "acme-flow";
    a.monotonic_ns = 123456789012345;
    a.received_at = anyserial::device::Clock::time_point{} + 1'700'000'000'123'456us;
    a.requested_at = a.received_at - 12ms;
    a.latency_s = 0.012;
    out.push_back(a);

    Sample b;  // over-range reading: no value, no name
    b.device = "anz";
    b.channel = "E1";
    Reading e;
    e.channel = "E1";
    e.kind = "external";
    e.unit = "mA";
    e.flags = FlagSet(0b0100, flag_table());  // ADC: a fault
    b.reading = e;
    b.monotonic_ns = 5;
    out.push_back(b);

    Sample c;  // an error sample: no reading, no channel
    c.device = "anz";
    c.error = "bad checksum, frame dropped";
    c.monotonic_ns = 6;
    out.push_back(c);

    Sample t;  // a text channel with only an info flag: ok
    t.device = "anz";
    t.channel = "gas";
    Reading g;
    g.channel = "gas";
    g.kind = "setting";
    g.text = "N2, \"dry\"";
    g.flags = FlagSet(0b0001, flag_table());
    t.reading = g;
    t.monotonic_ns = 7;
    out.push_back(t);
    return out;
}

// Cells as text, the way a CSV reader sees them (absent = empty).
std::string text_of(const Cell &cell) {
    if (auto *i = std::get_if<std::int64_t>(&cell)) return std::to_string(*i);
    if (auto *d = std::get_if<double>(&cell)) {
        std::ostringstream os;
        os.precision(17);
        os << *d;
        return os.str();
    }
    if (auto *s = std::get_if<std::string>(&cell)) return *s;
    return "";
}

// Minimal RFC 4180 reader.
std::vector<std::vector<std::string>> read_csv(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), {});
    std::vector<std::vector<std::string>> rows(1);
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < data.size(); ++i) {
        char ch = data[i];
        if (quoted) {
            if (ch == '"' && i + 1 < data.size() && data[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (ch == '"') {
                quoted = false;
            } else {
                field += ch;
            }
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == ',') {
            rows.back().push_back(field);
            field.clear();
        } else if (ch == '\r' && i + 1 < data.size() && data[i + 1] == '\n') {
            rows.back().push_back(field);
            field.clear();
            rows.emplace_back();
            ++i;
        } else {
            field += ch;
        }
    }
    if (rows.back().empty()) rows.pop_back();
    return rows;
}

void write_all(Sink &sink, const std::vector<Sample> &s) {
    sink.open();
    sink.write(std::span(s).subspan(0, 2));  // two batches
    sink.write(std::span(s).subspan(2));
    sink.flush();
    sink.close();
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_row_is_generic_flags_ok_severity) {
    const std::vector<std::string_view> expect{
        "device",      "channel",      "kind",      "name",     "value",    "text",
        "unit",        "flags",        "ok",        "severity", "protocol", "monotonic_ns",
        "received_at", "requested_at", "latency_s", "error"};
    BOOST_TEST(std::vector<std::string_view>(columns().begin(), columns().end()) == expect,
               boost::test_tools::per_element());
    const auto s = samples();
    const Row a = to_row(s[0]);
    BOOST_TEST(std::get<std::string>(a[col::kind]) == "flow");
    BOOST_TEST(std::get<std::string>(a[col::unit]) == "SCCM");
    BOOST_TEST(std::get<std::string>(a[col::flags]) == "HLD,OVR,LCK");
    BOOST_TEST(std::get<std::int64_t>(a[col::ok]) == 0);
    BOOST_TEST(std::get<std::string>(a[col::severity]) == "warning");
    BOOST_TEST(std::get<std::string>(a[col::protocol]) == "acme-flow");
    BOOST_TEST(std::holds_alternative<std::monostate>(a[col::text]));
    const Row b = to_row(s[1]);
    BOOST_TEST(std::get<std::string>(b[col::severity]) == "fault");
    BOOST_TEST(std::holds_alternative<std::monostate>(b[col::value]));
    const Row err = to_row(s[2]);
    BOOST_TEST(std::holds_alternative<std::monostate>(err[col::flags]));
    BOOST_TEST(std::holds_alternative<std::monostate>(err[col::ok]));
    const Row t = to_row(s[3]);
    BOOST_TEST(std::get<std::string>(t[col::text]) == "N2, \"dry\"");
    BOOST_TEST(std::get<std::string>(t[col::flags]) == "HLD");
    BOOST_TEST(std::get<std::int64_t>(t[col::ok]) == 1);
    BOOST_TEST(std::get<std::string>(t[col::severity]) == "info");
    Sample none = s[0];
    none.reading->flags = FlagSet(0, flag_table());
    const Row n = to_row(none);
    BOOST_TEST(std::get<std::string>(n[col::flags]) == "");
    BOOST_TEST(std::get<std::int64_t>(n[col::ok]) == 1);
    BOOST_TEST(std::get<std::string>(n[col::severity]) == "");
}

BOOST_AUTO_TEST_CASE(csv_round_trips_with_rfc4180_quoting) {
    TempDir dir;
    auto sink = make_sink("csv:" + (dir.path / "run.csv").string());
    const auto s = samples();
    write_all(*sink, s);
    auto rows = read_csv(dir.path / "run.csv");
    BOOST_REQUIRE_EQUAL(rows.size(), s.size() + 1);
    for (std::size_t c = 0; c < column_count; ++c)
        BOOST_TEST(rows[0][c] == columns()[c]);
    for (std::size_t r = 0; r < s.size(); ++r) {
        const Row expect = to_row(s[r]);
        BOOST_REQUIRE_EQUAL(rows[r + 1].size(), column_count);
        for (std::size_t c = 0; c < column_count; ++c) {
            BOOST_TEST_CONTEXT("row " << r << " column " << columns()[c]) {
                if (auto *d = std::get_if<double>(&expect[c])) {
                    BOOST_TEST(std::stod(rows[r + 1][c]) == *d);  // exact: shortest round-trip
                } else {
                    BOOST_TEST(rows[r + 1][c] == text_of(expect[c]));
                }
            }
        }
    }
    BOOST_TEST(rows[1][0] == "anz,1");
    BOOST_TEST(rows[1][3] == "O2 \"para\"\nline");
    BOOST_TEST(rows[1][col::flags] == "HLD,OVR,LCK");
    BOOST_TEST(rows[1][col::ok] == "0");
    BOOST_TEST(rows[1][col::severity] == "warning");
    BOOST_TEST(rows[1][col::received_at] == "2023-11-14T22:13:20.123456Z");
    BOOST_TEST(rows[2][col::flags] == "ADC");
    BOOST_TEST(rows[2][col::severity] == "fault");
    BOOST_TEST(rows[2][col::value] == "");
    BOOST_TEST(rows[3][col::error] == "bad checksum, frame dropped");
    BOOST_TEST(rows[3][col::flags] == "");  // an error row has no reading
    BOOST_TEST(rows[4][col::text] == "N2, \"dry\"");
    BOOST_TEST(rows[4][col::ok] == "1");
    BOOST_TEST(rows[4][col::severity] == "info");
}

BOOST_AUTO_TEST_CASE(jsonl_round_trips_one_object_per_sample) {
    TempDir dir;
    auto sink = make_sink("jsonl:" + (dir.path / "run.jsonl").string());
    const auto s = samples();
    write_all(*sink, s);
    std::ifstream in(dir.path / "run.jsonl");
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) {
        BOOST_REQUIRE_LT(n, s.size());
        const auto obj = boost::json::parse(line).as_object();
        const Row expect = to_row(s[n]);
        BOOST_TEST(obj.size() == column_count);
        for (std::size_t c = 0; c < column_count; ++c) {
            const auto &v = obj.at(columns()[c]);
            BOOST_TEST_CONTEXT("sample " << n << " key " << columns()[c]) {
                if (std::holds_alternative<std::monostate>(expect[c])) BOOST_TEST(v.is_null());
                if (auto *i = std::get_if<std::int64_t>(&expect[c])) BOOST_TEST(v.as_int64() == *i);
                if (auto *d = std::get_if<double>(&expect[c])) BOOST_TEST(v.as_double() == *d);
                if (auto *t = std::get_if<std::string>(&expect[c])) BOOST_TEST(v.as_string() == *t);
            }
        }
        ++n;
    }
    BOOST_TEST(n == s.size());
}

BOOST_AUTO_TEST_CASE(sqlite_round_trips_in_wal_mode) {
    TempDir dir;
    const auto db_path = dir.path / "run.db";
    auto sink = make_sink("sqlite:" + db_path.string());
    const auto s = samples();
    write_all(*sink, s);

    sqlite3 *db = nullptr;
    BOOST_REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt *st = nullptr;
    BOOST_REQUIRE(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr) == SQLITE_OK);
    BOOST_REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    BOOST_TEST(std::string(reinterpret_cast<const char *>(sqlite3_column_text(st, 0))) == "wal");
    sqlite3_finalize(st);

    BOOST_REQUIRE(sqlite3_prepare_v2(db, "SELECT * FROM samples ORDER BY rowid", -1, &st,
                                     nullptr) == SQLITE_OK);
    BOOST_REQUIRE(sqlite3_column_count(st) == static_cast<int>(column_count));
    std::size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const Row expect = to_row(s.at(n));
        for (std::size_t c = 0; c < column_count; ++c) {
            const int ci = static_cast<int>(c);
            BOOST_TEST_CONTEXT("row " << n << " column " << columns()[c]) {
                BOOST_TEST(std::string(sqlite3_column_name(st, ci)) == columns()[c]);
                const int type = sqlite3_column_type(st, ci);
                if (std::holds_alternative<std::monostate>(expect[c]))
                    BOOST_TEST(type == SQLITE_NULL);
                if (auto *i = std::get_if<std::int64_t>(&expect[c])) {
                    BOOST_TEST(type == SQLITE_INTEGER);
                    BOOST_TEST(sqlite3_column_int64(st, ci) == *i);
                }
                if (auto *d = std::get_if<double>(&expect[c])) {
                    BOOST_TEST(type == SQLITE_FLOAT);
                    BOOST_TEST(sqlite3_column_double(st, ci) == *d);
                }
                if (auto *t = std::get_if<std::string>(&expect[c])) {
                    BOOST_TEST(type == SQLITE_TEXT);
                    BOOST_TEST(std::string(reinterpret_cast<const char *>(
                                   sqlite3_column_text(st, ci))) == *t);
                }
            }
        }
        ++n;
    }
    BOOST_TEST(n == s.size());
    sqlite3_finalize(st);
    sqlite3_close(db);
}

BOOST_AUTO_TEST_CASE(memory_sink_keeps_batches) {
    auto sink = make_sink("memory");
    const auto s = samples();
    write_all(*sink, s);
    auto &mem = dynamic_cast<MemorySink &>(*sink);
    BOOST_REQUIRE_EQUAL(mem.batches().size(), 2u);
    BOOST_TEST(mem.batches()[0].size() == 2u);
    BOOST_TEST(*mem.batches()[1][0].error == "bad checksum, frame dropped");
}

BOOST_AUTO_TEST_CASE(sink_specs_are_parsed_and_bad_ones_refused) {
    BOOST_TEST(parse_sink_spec("csv:/tmp/a.csv").kind == "csv");
    BOOST_TEST(parse_sink_spec("sqlite:x:y.db").path == "x:y.db");
    BOOST_TEST(parse_sink_spec("memory").path.empty());
    for (const char *bad : {"", "csv", "csv:", "parquet:x", "memory:x"}) {
        BOOST_CHECK_THROW(parse_sink_spec(bad), std::invalid_argument);
    }
}

BOOST_AUTO_TEST_CASE(write_failures_name_the_sink_and_path) {
    auto sink = make_csv_sink("/dev/full");
    try {
        sink->open();  // the header flush hits ENOSPC
        BOOST_ERROR("writing to /dev/full succeeded");
    } catch (const SinkError &e) {
        BOOST_TEST(e.sink() == "csv");
        BOOST_TEST(e.path() == "/dev/full");
        BOOST_TEST(std::string(e.what()).find("/dev/full") != std::string::npos, e.what());
    }
    auto db = make_sqlite_sink("/nonexistent-dir/x.db");
    BOOST_CHECK_EXCEPTION(db->open(), SinkError, [](const SinkError &e) {
        return e.sink() == "sqlite" && std::string(e.what()).find("x.db") != std::string::npos;
    });
}

namespace {
// Fails on the third write.
struct FlakySink final : Sink {
    MemorySink inner;
    int writes = 0;
    bool closed = false;
    std::string path_ = "flaky.out";
    std::string_view kind() const noexcept override { return "flaky"; }
    const std::string &path() const noexcept override { return path_; }
    void open() override { inner.open(); }
    bool foreign_failure = false;  // the third write throws something not a SinkError
    bool close_fails = false;
    void write(std::span<const Sample> b) override {
        if (++writes == 3) {
            if (foreign_failure) throw std::runtime_error("codec exploded");
            throw SinkError("flaky", path_, "disk on fire");
        }
        inner.write(b);
    }
    void flush() override {}
    void close() override {
        closed = true;
        if (close_fails) throw SinkError("flaky", path_, "close failed too");
    }
};

// Pumps an unlimited 1 Hz recording of `source` into `sink` until both have ended.
std::exception_ptr pump_until_done(fakes::FakeSource &source, Sink &sink,
                                   anyserial::record::ManualClock &clock,
                                   boost::asio::io_context &ioc, PumpResult *progress = nullptr) {
    anyserial::record::RecordOptions o;
    o.rate_hz = 1.0;
    auto rec = anyserial::record::record(ioc.get_executor(),
                                         anyserial::record::PollSource::ref(source), o, clock);
    std::exception_ptr failure;
    bool done = false;
    auto on_done = [&](std::exception_ptr e, PumpResult) {
        failure = e;
        done = true;
    };
    if (progress)
        async_record_to_sink(rec, sink, *progress, on_done);
    else
        async_record_to_sink(rec, sink, on_done);
    fakes::run_until(ioc, clock, [&] { return done && rec.finished(); });
    return failure;
}
}  // namespace

BOOST_AUTO_TEST_CASE(any_write_failure_stops_the_recording_and_closes_the_sink) {
    anyserial::record::ManualClock clock;
    boost::asio::io_context ioc;
    fakes::FakeSource source{ioc, clock};
    FlakySink sink;
    sink.foreign_failure = true;
    const auto failure = pump_until_done(source, sink, clock, ioc);
    BOOST_REQUIRE(failure);
    BOOST_CHECK_THROW(std::rethrow_exception(failure), std::runtime_error);
    BOOST_TEST(sink.closed);
    BOOST_TEST(source.poll_starts.size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_recording_failure_is_reported_even_if_closing_the_sink_fails) {
    anyserial::record::ManualClock clock;
    boost::asio::io_context ioc;
    fakes::FakeSource source{ioc, clock};
    source.fail = [](std::size_t n) {
        return n == 1 ? anyserial::make_error_code(anyserial::errc::disconnected)
                      : boost::system::error_code{};
    };
    FlakySink sink;
    sink.close_fails = true;
    const auto failure = pump_until_done(source, sink, clock, ioc);
    BOOST_REQUIRE(failure);
    BOOST_CHECK_EXCEPTION(
        std::rethrow_exception(failure), anyserial::SerialError,
        [](const anyserial::SerialError &e) { return e.code() == anyserial::errc::disconnected; });
    BOOST_TEST(sink.closed);
    BOOST_TEST(sink.inner.batches().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_sink_failure_stops_the_recording_and_keeps_what_was_written) {
    anyserial::record::ManualClock clock;  // outlives the io_context (handlers hold timers)
    boost::asio::io_context ioc;
    fakes::FakeSource source{ioc, clock};
    FlakySink sink;
    const auto failure = pump_until_done(source, sink, clock, ioc);  // only the failure ends it
    BOOST_REQUIRE(failure);
    BOOST_CHECK_EXCEPTION(std::rethrow_exception(failure), SinkError,
                          [](const SinkError &e) { return e.sink() == "flaky"; });
    BOOST_TEST(sink.inner.batches().size() == 2u);
    BOOST_TEST(sink.closed);
    BOOST_TEST(source.poll_starts.size() == 3u);  // stopped right after the failed write
}

BOOST_AUTO_TEST_CASE(after_a_failure_the_progress_counts_what_the_sink_holds) {
    anyserial::record::ManualClock clock;
    boost::asio::io_context ioc;
    fakes::FakeSource source{ioc, clock};
    FlakySink sink;
    PumpResult progress;
    const auto failure = pump_until_done(source, sink, clock, ioc, &progress);
    BOOST_REQUIRE(failure);
    std::size_t rows = 0;
    for (const auto &b : sink.inner.batches())
        rows += b.size();
    BOOST_TEST(progress.batches == 2u);
    BOOST_TEST(rows > 0u);
    BOOST_TEST(progress.rows == rows);
}

BOOST_AUTO_TEST_CASE(summary_json_has_every_field) {
    anyserial::record::AcquisitionSummary s;
    s.samples_emitted = 10;
    s.finished_at = s.started_at + 5s;
    auto v = boost::json::parse(anyserial::record::to_json(s)).as_object();
    for (const char *k :
         {"started_at", "finished_at", "samples_emitted", "samples_late", "max_drift_ms",
          "drift_ms_p99", "tick_duration_ms_p50", "tick_duration_ms_p99", "disconnects"}) {
        BOOST_TEST(v.contains(k), k);
    }
    BOOST_TEST(v.at("samples_emitted").as_int64() == 10);
    BOOST_TEST(v.at("finished_at").as_string() == "1970-01-01T00:00:05.000000Z");
}

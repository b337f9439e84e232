// Output files (issue 12): what a sink finds at its path is never truncated, replaced or
// followed unasked. check() changes nothing; open() appends to a file with the same
// columns, refuses anything else unless overwrite, refuses a symlink unless followed; a
// foreign SQLite database is refused as it was, journal mode and bytes included.
#define BOOST_TEST_MODULE record_output_files
#include <sqlite3.h>
#include <unistd.h>

#include <anyserial/sinks/output_file.hpp>
#include <anyserial/sinks/sink.hpp>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace anyserial::sinks;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/anyserial-outfiles-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

std::string slurp(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void put(const fs::path &p, const std::string &text) {
    std::ofstream(p, std::ios::binary) << text;
}

std::string csv_header() {
    std::string h;
    for (std::size_t i = 0; i < column_count; ++i)
        h += (i ? "," : "") + std::string(columns()[i]);
    return h + "\r\n";
}

std::vector<Sample> one_sample(const std::string &device) {
    Sample s;
    s.device = device;
    s.channel = "I1";
    s.monotonic_ns = 7;
    return {s};
}

std::size_t count(const std::string &text, const std::string &what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

std::string sql_text(sqlite3 *db, const char *sql) {
    sqlite3_stmt *st = nullptr;
    BOOST_REQUIRE(sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK);
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW)
        out = reinterpret_cast<const char *>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

void sql(const fs::path &db_path, const char *statements) {
    sqlite3 *db = nullptr;
    BOOST_REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
    BOOST_REQUIRE(sqlite3_exec(db, statements, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
}

}  // namespace

BOOST_AUTO_TEST_CASE(check_creates_nothing_and_open_creates_the_file) {
    TempDir dir;
    const auto path = dir.path / "new.csv";
    auto sink = make_sink("csv:" + path.string());
    sink->check();
    BOOST_TEST(!fs::exists(path));
    sink->open();
    sink->close();
    BOOST_TEST(slurp(path) == csv_header());
    BOOST_CHECK_THROW(make_sink("csv:" + (dir.path / "no-dir" / "x.csv").string())->check(),
                      SinkError);
}

BOOST_AUTO_TEST_CASE(a_csv_with_the_same_header_is_appended_to_without_a_second_header) {
    TempDir dir;
    const auto path = dir.path / "run.csv";
    for (const char *device : {"first", "second"}) {
        auto sink = make_sink("csv:" + path.string());
        sink->check();
        sink->open();
        sink->write(one_sample(device));
        sink->close();
    }
    const std::string text = slurp(path);
    BOOST_TEST(count(text, csv_header()) == 1u);
    BOOST_TEST(text.rfind(csv_header(), 0) == 0u);
    BOOST_TEST(count(text, "\r\nfirst,I1,") == 1u);
    BOOST_TEST(count(text, "\r\nsecond,I1,") == 1u);
}

BOOST_AUTO_TEST_CASE(other_content_is_refused_unchanged_unless_overwrite) {
    TempDir dir;
    for (const char *kind : {"csv", "jsonl", "influx"}) {
        BOOST_TEST_CONTEXT(kind) {
            const auto path = dir.path / (std::string("other.") + kind);
            const std::string before = "name,age\nbob,3\n";
            put(path, before);
            auto sink = make_sink(std::string(kind) + ":" + path.string());
            BOOST_CHECK_THROW(sink->check(), SinkRefusedError);
            BOOST_CHECK_EXCEPTION(sink->open(), SinkRefusedError, [](const SinkRefusedError &e) {
                return std::string(e.what()).find("--overwrite") != std::string::npos;
            });
            BOOST_TEST(slurp(path) == before);

            SinkOptions o;
            o.overwrite = true;
            auto replacing = make_sink(std::string(kind) + ":" + path.string(), o);
            replacing->check();
            BOOST_TEST(slurp(path) == before);  // not before open()
            replacing->open();
            replacing->write(one_sample("new"));
            replacing->close();
            const std::string after = slurp(path);
            BOOST_TEST(after.find("bob") == std::string::npos);
            BOOST_TEST(after.find("new") != std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_jsonl_recording_is_appended_to) {
    TempDir dir;
    const auto path = dir.path / "run.jsonl";
    for (const char *device : {"first", "second"}) {
        auto sink = make_sink("jsonl:" + path.string());
        sink->check();
        sink->open();
        sink->write(one_sample(device));
        sink->close();
    }
    const std::string text = slurp(path);
    BOOST_TEST(count(text, "\n") == 2u);
    BOOST_TEST(count(text, "\"device\":\"first\"") == 1u);
    BOOST_TEST(count(text, "\"device\":\"second\"") == 1u);
}

BOOST_AUTO_TEST_CASE(a_line_protocol_file_is_appended_to) {
    TempDir dir;
    const auto path = dir.path / "run.lp";
    for (const char *device : {"first", "second"}) {
        auto sink = make_sink("influx:" + path.string());
        sink->check();
        sink->open();
        sink->write(one_sample(device));
        sink->close();
    }
    const std::string text = slurp(path);
    BOOST_TEST(count(text, "\n") == 2u);
    BOOST_TEST(count(text, "device=first") == 1u);
    BOOST_TEST(count(text, "device=second") == 1u);
}

BOOST_AUTO_TEST_CASE(a_torn_last_row_is_ended_before_appending) {
    TempDir dir;
    const auto path = dir.path / "torn.csv";
    put(path, csv_header() + "killed,I1,trans");
    auto sink = make_sink("csv:" + path.string());
    sink->open();
    sink->write(one_sample("next"));
    sink->close();
    BOOST_TEST(slurp(path).find("killed,I1,trans\r\nnext,I1,") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_symlink_is_refused_unless_followed) {
    TempDir dir;
    const auto target = dir.path / "target.csv";
    const auto link = dir.path / "link.csv";
    put(target, "keep me\n");
    fs::create_symlink(target, link);
    for (const char *kind : {"csv", "jsonl", "sqlite", "influx"}) {
        BOOST_TEST_CONTEXT(kind) {
            auto sink = make_sink(std::string(kind) + ":" + link.string());
            BOOST_CHECK_EXCEPTION(sink->check(), SinkRefusedError, [](const SinkRefusedError &e) {
                return std::string(e.what()).find("symbolic link") != std::string::npos;
            });
            BOOST_CHECK_THROW(sink->open(), SinkRefusedError);
            BOOST_TEST(slurp(target) == "keep me\n");
            BOOST_TEST(fs::is_symlink(link));
        }
    }
    // A dangling link is refused too: nothing is created at its target.
    const auto dangling = dir.path / "dangling.csv";
    fs::create_symlink(dir.path / "nowhere.csv", dangling);
    BOOST_CHECK_THROW(make_sink("csv:" + dangling.string())->open(), SinkRefusedError);
    BOOST_TEST(!fs::exists(dir.path / "nowhere.csv"));

    SinkOptions follow;
    follow.follow_symlinks = true;
    put(target, "");
    auto sink = make_sink("csv:" + link.string(), follow);
    sink->check();
    sink->open();
    sink->close();
    BOOST_TEST(slurp(target) == csv_header());
    BOOST_TEST(fs::is_symlink(link));
}

BOOST_AUTO_TEST_CASE(a_link_to_a_directory_on_the_way_is_fine) {
    TempDir dir;
    fs::create_directory(dir.path / "real");
    fs::create_directory_symlink(dir.path / "real", dir.path / "via");
    for (const char *kind : {"csv", "jsonl", "sqlite", "influx"}) {
        BOOST_TEST_CONTEXT(kind) {
            const auto path = dir.path / "via" / (std::string("run.") + kind);
            auto sink = make_sink(std::string(kind) + ":" + path.string());
            sink->check();
            sink->open();
            sink->write(one_sample("x"));
            sink->close();
            BOOST_TEST(fs::is_regular_file(dir.path / "real" / path.filename()));
        }
    }
}

BOOST_AUTO_TEST_CASE(a_directory_is_refused_and_a_device_written_as_is) {
    TempDir dir;
    BOOST_CHECK_THROW(make_sink("csv:" + dir.path.string())->check(), SinkRefusedError);
    BOOST_CHECK_THROW(make_sink("jsonl:" + dir.path.string())->open(), SinkRefusedError);
    auto null = make_sink("csv:/dev/null");
    null->check();
    null->open();
    null->write(one_sample("x"));
    null->close();
}

BOOST_AUTO_TEST_CASE(a_foreign_sqlite_database_is_refused_unchanged) {
    TempDir dir;
    const auto db_path = dir.path / "foreign.db";
    sql(db_path,
        "CREATE TABLE samples (id INTEGER, payload TEXT); INSERT INTO samples VALUES (1, 'x');");
    const auto other_path = dir.path / "app.db";
    sql(other_path, "CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('ann');");
    const auto text_path = dir.path / "notes.txt";
    put(text_path, "not a database at all, just some text that is long enough to be looked at\n");
    for (const auto &path : {db_path, other_path, text_path}) {
        BOOST_TEST_CONTEXT(path) {
            const std::string before = slurp(path);
            auto sink = make_sink("sqlite:" + path.string());
            BOOST_CHECK_THROW(sink->check(), SinkRefusedError);
            BOOST_CHECK_THROW(sink->open(), SinkRefusedError);
            BOOST_TEST(slurp(path) == before);
            BOOST_TEST(!fs::exists(path.string() + "-wal"));
            BOOST_TEST(!fs::exists(path.string() + "-shm"));
        }
    }
    sqlite3 *db = nullptr;
    BOOST_REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
    BOOST_TEST(sql_text(db, "PRAGMA journal_mode") == "delete");
    sqlite3_close(db);
}

BOOST_AUTO_TEST_CASE(an_anyserial_database_is_appended_to) {
    TempDir dir;
    const auto path = dir.path / "run.db";
    for (const char *device : {"first", "second"}) {
        auto sink = make_sink("sqlite:" + path.string());
        sink->check();
        sink->open();
        sink->write(one_sample(device));
        sink->close();
    }
    sqlite3 *db = nullptr;
    BOOST_REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    BOOST_TEST(sql_text(db, "SELECT group_concat(device) FROM samples") == "first,second");
    BOOST_TEST(sql_text(db, "PRAGMA journal_mode") == "wal");
    sqlite3_close(db);
}

BOOST_AUTO_TEST_CASE(output_file_appends_to_its_own_format_only) {
    TempDir dir;
    const auto path = dir.path / "tap.log";
    auto is_tap = [](std::string_view first) { return first.rfind("# tap", 0) == 0; };
    {
        OutputFile f("tap log", path.string(), {}, is_tap);
        BOOST_TEST(f.open());  // new: write a header
        f.write("# tap one\n");
        f.close();
    }
    {
        OutputFile f("tap log", path.string(), {}, is_tap);
        f.check();
        BOOST_TEST(!f.open());  // appended to
        f.write("# tap two\n");
        f.close();
    }
    BOOST_TEST(slurp(path) == "# tap one\n# tap two\n");
    put(path, "something else\n");
    OutputFile other("tap log", path.string(), {}, is_tap);
    BOOST_CHECK_THROW(other.check(), SinkRefusedError);
    BOOST_CHECK_THROW(other.open(), SinkRefusedError);
    BOOST_TEST(slurp(path) == "something else\n");
}

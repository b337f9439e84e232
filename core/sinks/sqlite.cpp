// anyserial — SQLite sink (system libsqlite3): WAL journal, table `samples` with the
// long-format row, one transaction per batch. A batch is durable against a crash of
// this process as soon as write() returns (WAL + synchronous=NORMAL keeps committed
// transactions across a process kill; FULL would add power-loss durability).
// An existing database is checked before anything is changed: it must be empty or hold
// this sink's `samples` table; a foreign one is refused as it was (journal mode included).
#include <sqlite3.h>

#include <algorithm>
#include <anyserial/sinks/output_file.hpp>
#include <filesystem>
#include <vector>

namespace anyserial::sinks {

namespace {

class SqliteSink final : public Sink {
  public:
    SqliteSink(std::string path, const SinkOptions &options)
        : path_(std::move(path)), options_(options) {}
    ~SqliteSink() override {
        if (insert_) sqlite3_finalize(insert_);
        if (db_) sqlite3_close_v2(db_);
    }
    std::string_view kind() const noexcept override { return "sqlite"; }
    const std::string &path() const noexcept override { return path_; }

    // An existing database is opened (not created) and its schema read; nothing written.
    void check() const override {
        if (!check_destination("sqlite", path_, options_)) return;
        sqlite3 *db = connect(false);
        try {
            check_schema(db);
        } catch (...) {
            sqlite3_close_v2(db);
            throw;
        }
        sqlite3_close_v2(db);
    }

    void open() override {
        if (db_) return;
        (void)check_destination("sqlite", path_, options_);
        db_ = connect(true);
        try {
            check_schema(db_);  // before the first change: a refused database stays as it was
        } catch (...) {
            sqlite3_close_v2(db_);
            db_ = nullptr;
            throw;
        }
        exec("PRAGMA journal_mode=WAL", "enable WAL");
        exec("PRAGMA synchronous=NORMAL", "set synchronous");
        exec(
            "CREATE TABLE IF NOT EXISTS samples ("
            "device TEXT, channel TEXT, kind TEXT, name TEXT, value REAL, text TEXT, "
            "unit TEXT, flags TEXT, ok INTEGER, severity TEXT, protocol TEXT, "
            "monotonic_ns INTEGER, received_at TEXT, requested_at TEXT, "
            "latency_s REAL, error TEXT)",
            "create table samples");
        std::string sql = "INSERT INTO samples (";
        for (std::size_t i = 0; i < column_count; ++i) {
            sql += i ? "," : "";
            sql += columns()[i];
        }
        sql += ") VALUES (";
        for (std::size_t i = 0; i < column_count; ++i)
            sql += i ? ",?" : "?";
        sql += ")";
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &insert_, nullptr) != SQLITE_OK) {
            fail("prepare insert");
        }
    }

    void write(std::span<const Sample> batch) override {
        if (!db_) throw SinkError("sqlite", path_, "write on a closed sink");
        exec("BEGIN", "begin transaction");
        try {
            for (const auto &sample : batch)
                insert(to_row(sample));
        } catch (...) {
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
        exec("COMMIT", "commit");
    }
    void flush() override {}
    void close() override {
        if (insert_) sqlite3_finalize(insert_);
        insert_ = nullptr;
        if (db_ && sqlite3_close_v2(db_) != SQLITE_OK) {
            std::string why = sqlite3_errmsg(db_);
            db_ = nullptr;
            throw SinkError("sqlite", path_, "close failed: " + why);
        }
        db_ = nullptr;
    }

  private:
    sqlite3 *connect(bool create) const {
        sqlite3 *db = nullptr;
        const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
                          (options_.follow_symlinks ? 0 : SQLITE_OPEN_NOFOLLOW);
        // SQLite's NOFOLLOW refuses a link anywhere in the path: give it the directory
        // resolved, so only the file itself may not be a link (as for the other sinks).
        std::string file = path_;
        if (!options_.follow_symlinks) {
            const std::filesystem::path p(path_);
            std::error_code ec;
            const auto dir = std::filesystem::canonical(
                p.has_parent_path() ? p.parent_path() : std::filesystem::path("."), ec);
            if (!ec) file = (dir / p.filename()).string();
        }
        if (sqlite3_open_v2(file.c_str(), &db, flags, nullptr) != SQLITE_OK) {
            std::string why = db ? sqlite3_errmsg(db) : "out of memory";
            sqlite3_close_v2(db);
            throw SinkError("sqlite", path_, "cannot open: " + why);
        }
        sqlite3_busy_timeout(db, 5000);
        return db;
    }
    // Empty, or a `samples` table with exactly the row's columns; SinkRefusedError else.
    void check_schema(sqlite3 *db) const {
        std::vector<std::string> have;
        bool others = false;
        auto query = [&](const char *sql, auto &&row) {
            sqlite3_stmt *st = nullptr;
            int rc = sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
            if (rc == SQLITE_OK)
                while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                    row(st);
            sqlite3_finalize(st);
            if (rc == SQLITE_DONE) return;
            if (rc == SQLITE_NOTADB)
                throw SinkRefusedError("sqlite", path_,
                                       "is not a SQLite database; refusing to change it");
            throw SinkError("sqlite", path_,
                            std::string("cannot read the schema: ") + sqlite3_errmsg(db));
        };
        query(
            "SELECT name FROM sqlite_master WHERE name <> 'samples' AND name NOT LIKE "
            "'sqlite_%' LIMIT 1",
            [&](sqlite3_stmt *) { others = true; });
        query("PRAGMA table_info(samples)", [&](sqlite3_stmt *st) {
            have.emplace_back(reinterpret_cast<const char *>(sqlite3_column_text(st, 1)));
        });
        const bool ours =
            have.size() == column_count && std::equal(have.begin(), have.end(), columns().begin());
        if (have.empty() && !others) return;  // a new (empty) database
        if (ours) return;                     // an earlier recording: appended to
        throw SinkRefusedError("sqlite", path_,
                               have.empty()
                                   ? "holds other tables and no 'samples' table: not an anyserial "
                                     "recording; refusing to change it"
                                   : "its table 'samples' has other columns: not an anyserial "
                                     "recording; refusing to change it");
    }
    [[noreturn]] void fail(const std::string &what) {
        throw SinkError("sqlite", path_, what + ": " + sqlite3_errmsg(db_));
    }
    void exec(const char *sql, const char *what) {
        char *msg = nullptr;
        if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
            std::string why = msg ? msg : sqlite3_errmsg(db_);
            sqlite3_free(msg);
            throw SinkError("sqlite", path_, std::string(what) + " failed: " + why);
        }
    }
    void insert(const Row &row) {
        sqlite3_reset(insert_);
        sqlite3_clear_bindings(insert_);
        for (std::size_t i = 0; i < column_count; ++i) {
            const int idx = static_cast<int>(i) + 1;
            int rc = SQLITE_OK;
            if (const auto *n = std::get_if<std::int64_t>(&row[i])) {
                rc = sqlite3_bind_int64(insert_, idx, *n);
            } else if (const auto *d = std::get_if<double>(&row[i])) {
                rc = sqlite3_bind_double(insert_, idx, *d);
            } else if (const auto *s = std::get_if<std::string>(&row[i])) {
                rc = sqlite3_bind_text(insert_, idx, s->data(), static_cast<int>(s->size()),
                                       SQLITE_TRANSIENT);
            } else {
                rc = sqlite3_bind_null(insert_, idx);
            }
            if (rc != SQLITE_OK) fail("bind column " + std::string(columns()[i]));
        }
        if (sqlite3_step(insert_) != SQLITE_DONE) fail("insert");
    }

    std::string path_;
    SinkOptions options_;
    sqlite3 *db_ = nullptr;
    sqlite3_stmt *insert_ = nullptr;
};

}  // namespace

std::unique_ptr<Sink> make_sqlite_sink(std::filesystem::path path, const SinkOptions &options) {
    return std::make_unique<SqliteSink>(path.string(), options);
}

}  // namespace anyserial::sinks

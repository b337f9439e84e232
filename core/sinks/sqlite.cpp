// anyserial — SQLite sink (system libsqlite3): WAL journal, table `samples` with the
// long-format row, one transaction per batch. A batch is durable against a crash of
// this process as soon as write() returns (WAL + synchronous=NORMAL keeps committed
// transactions across a process kill; FULL would add power-loss durability).
#include <sqlite3.h>

#include <anyserial/sinks/sink.hpp>

namespace anyserial::sinks {

namespace {

class SqliteSink final : public Sink {
  public:
    explicit SqliteSink(std::string path) : path_(std::move(path)) {}
    ~SqliteSink() override {
        if (insert_) sqlite3_finalize(insert_);
        if (db_) sqlite3_close_v2(db_);
    }
    std::string_view kind() const noexcept override { return "sqlite"; }
    const std::string &path() const noexcept override { return path_; }

    void open() override {
        if (db_) return;
        if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            nullptr) != SQLITE_OK) {
            std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
            sqlite3_close_v2(db_);
            db_ = nullptr;
            throw SinkError("sqlite", path_, "cannot open: " + why);
        }
        sqlite3_busy_timeout(db_, 5000);
        exec("PRAGMA journal_mode=WAL", "enable WAL");
        exec("PRAGMA synchronous=NORMAL", "set synchronous");
        exec(
            "CREATE TABLE IF NOT EXISTS samples ("
            "device TEXT, channel TEXT, kind TEXT, name TEXT, value REAL, unit TEXT, "
            "fault INTEGER, maintenance INTEGER, calibrating INTEGER, warming_up INTEGER, "
            "alarm1 INTEGER, alarm2 INTEGER, alarm3 INTEGER, alarm4 INTEGER, ok INTEGER, "
            "protocol TEXT, monotonic_ns INTEGER, received_at TEXT, requested_at TEXT, "
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
    sqlite3 *db_ = nullptr;
    sqlite3_stmt *insert_ = nullptr;
};

}  // namespace

std::unique_ptr<Sink> make_sqlite_sink(std::filesystem::path path) {
    return std::make_unique<SqliteSink>(path.string());
}

}  // namespace anyserial::sinks

// anyserial — PostgreSQL/TimescaleDB sink (libpq), delivering from the spool.
//
// postgresql://[user@]host[:port]/db?table=NAME[&method=insert|copy][&drain_timeout=S]
// [&retry_max=S][&other libpq parameters]. The password comes from PGPASSWORD or ~/.pgpass.
// One transaction per batch; every row carries (run_id, seq) and the unique key
// (run_id, seq, time) makes a replayed batch a no-op: exactly once.
#include <fmt/format.h>
#include <libpq-fe.h>
#include <sys/socket.h>

#include <atomic>
#include <cctype>
#include <mutex>

#include "log/logger.hpp"
#include "sinks/spool.hpp"

namespace anyserial::sinks {

namespace {

using detail::SpooledBatch;

// The table's columns in order: `time` (received_at) first, for TimescaleDB.
constexpr std::size_t pg_count = 19;
constexpr std::array<const char *, pg_count> pg_columns{
    "time",      "device", "channel", "kind",     "name",     "value",        "text",
    "unit",      "flags",  "ok",      "severity", "protocol", "monotonic_ns", "requested_at",
    "latency_s", "error",  "run_id",  "seq",      "tick"};
// Row index of each table column (-1: run_id, seq, tick come from the batch).
constexpr std::array<int, pg_count> row_index{col::received_at,
                                              col::device,
                                              col::channel,
                                              col::kind,
                                              col::name,
                                              col::value,
                                              col::text,
                                              col::unit,
                                              col::flags,
                                              col::ok,
                                              col::severity,
                                              col::protocol,
                                              col::monotonic_ns,
                                              col::requested_at,
                                              col::latency_s,
                                              col::error,
                                              -1,
                                              -1,
                                              -1};

bool valid_identifier(const std::string &s) {
    if (s.empty() || s.size() > 63) return false;
    if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    return true;
}

// Text form of one cell (nullopt: NULL). Flags are 0/1 in the row, booleans in the table.
std::optional<std::string> cell_text(const Cell &c, bool boolean) {
    if (const auto *n = std::get_if<std::int64_t>(&c))
        return boolean ? std::string(*n ? "t" : "f") : std::to_string(*n);
    if (const auto *d = std::get_if<double>(&c)) return fmt::format("{}", *d);
    if (const auto *s = std::get_if<std::string>(&c)) return *s;
    return std::nullopt;
}

std::array<std::optional<std::string>, pg_count> table_row(const SpooledBatch &b, std::size_t i) {
    std::array<std::optional<std::string>, pg_count> out;
    for (std::size_t c = 0; c < pg_count; ++c) {
        const int r = row_index[c];
        if (r >= 0) out[c] = cell_text(b.rows[i][static_cast<std::size_t>(r)], r == col::ok);
    }
    out[pg_count - 3] = b.run_id;
    out[pg_count - 2] = std::to_string(b.first_seq + i);
    out[pg_count - 1] = std::to_string(b.tick);
    return out;
}

// libpq's messages end in a newline and indent their hints with one.
std::string one_line(std::string s) {
    for (char &c : s)
        if (c == '\n' || c == '\t') c = ' ';
    while (!s.empty() && s.back() == ' ')
        s.pop_back();
    return s;
}

void copy_escape(std::string &out, const std::string &s) {
    for (char c : s) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                out += c;
        }
    }
}

class PgTransport final : public detail::Transport {
  public:
    PgTransport(std::string conninfo, std::string table, bool copy, std::string url)
        : conninfo_(std::move(conninfo)),
          table_(std::move(table)),
          copy_(copy),
          url_(std::move(url)) {}
    ~PgTransport() override { disconnect(); }

    void connect() override {
        disconnect();
        if (aborted_) throw SinkError("postgresql", url_, "delivery aborted");
        conn_ = PQconnectdb(conninfo_.c_str());
        if (PQstatus(conn_) != CONNECTION_OK) fail("cannot connect");
        {
            std::lock_guard lock(fd_mu_);
            fd_ = PQsocket(conn_);
        }
        if (!schema_done_) ensure_schema();
        if (copy_)
            exec(fmt::format("CREATE TEMP TABLE IF NOT EXISTS anyserial_stage (LIKE {} INCLUDING "
                             "DEFAULTS) ON COMMIT DELETE ROWS",
                             table_),
                 "create the staging table");
    }

    void deliver(const SpooledBatch &b) override {
        exec("BEGIN", "begin");
        try {
            if (copy_) {
                send_copy(b);
            } else {
                send_insert(b);
            }
            exec("COMMIT", "commit");
        } catch (...) {
            if (conn_ && PQstatus(conn_) == CONNECTION_OK) PQclear(PQexec(conn_, "ROLLBACK"));
            throw;
        }
    }

    void disconnect() noexcept override {
        {
            std::lock_guard lock(fd_mu_);
            fd_ = -1;
        }
        if (conn_) PQfinish(conn_);
        conn_ = nullptr;
    }
    // A shut-down socket wakes libpq's blocked poll(): the call fails, the batch stays.
    void abort() noexcept override {
        aborted_ = true;
        std::lock_guard lock(fd_mu_);
        if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
    }

  private:
    [[noreturn]] void fail(const std::string &what) const {
        std::string why = conn_ ? PQerrorMessage(conn_) : "out of memory";
        throw SinkError("postgresql", url_, what + ": " + one_line(why));
    }
    void check(PGresult *res, const std::string &what) const {
        const auto st = PQresultStatus(res);
        const bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
        if (!ok) {
            std::string why = PQresultErrorMessage(res);
            PQclear(res);
            throw SinkError("postgresql", url_, what + ": " + one_line(why));
        }
    }
    void exec(const std::string &sql, const std::string &what) {
        PGresult *res = PQexec(conn_, sql.c_str());
        check(res, what);
        PQclear(res);
    }

    void ensure_schema() {
        exec(fmt::format(
                 "CREATE TABLE IF NOT EXISTS {} (time timestamptz NOT NULL, device text NOT NULL, "
                 "channel text, kind text, name text, value double precision, text text, "
                 "unit text, flags text, ok boolean, severity text, protocol text, monotonic_ns "
                 "bigint, requested_at timestamptz, "
                 "latency_s double precision, error text, run_id text NOT NULL, "
                 "seq bigint NOT NULL, tick bigint NOT NULL, UNIQUE (run_id, seq, time))",
                 table_),
             "create table " + table_);
        PGresult *res = PQexec(conn_, "SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'");
        check(res, "look for timescaledb");
        const bool timescale = PQntuples(res) > 0;
        PQclear(res);
        if (timescale) {
            exec(fmt::format("SELECT create_hypertable('{}', 'time', if_not_exists => TRUE, "
                             "migrate_data => TRUE)",
                             table_),
                 "make " + table_ + " a hypertable");
        } else {
            log::logger("anyserial.sink")
                .info("{}: the timescaledb extension is not installed; {} stays a plain table",
                      url_, table_);
        }
        schema_done_ = true;
    }

    void send_copy(const SpooledBatch &b) {
        PGresult *res = PQexec(conn_, "COPY anyserial_stage FROM STDIN");
        if (PQresultStatus(res) != PGRES_COPY_IN) check(res, "start COPY");
        PQclear(res);
        std::string text;
        for (std::size_t i = 0; i < b.rows.size(); ++i) {
            const auto row = table_row(b, i);
            for (std::size_t c = 0; c < row.size(); ++c) {
                if (c) text += '\t';
                if (row[c]) {
                    copy_escape(text, *row[c]);
                } else {
                    text += "\\N";
                }
            }
            text += '\n';
        }
        if (PQputCopyData(conn_, text.data(), static_cast<int>(text.size())) != 1 ||
            PQputCopyEnd(conn_, nullptr) != 1)
            fail("COPY");
        while ((res = PQgetResult(conn_)) != nullptr)
            check(res, "COPY"), PQclear(res);
        exec(fmt::format("INSERT INTO {} SELECT * FROM anyserial_stage ON CONFLICT DO NOTHING",
                         table_),
             "insert the batch");
    }

    void send_insert(const SpooledBatch &b) {
        // 19 parameters a row, at most 65535 a statement: 2000 rows a statement.
        constexpr std::size_t chunk = 2000;
        std::string head = "INSERT INTO " + table_ + " (";
        for (std::size_t c = 0; c < pg_columns.size(); ++c)
            head += (c ? "," : "") + std::string(pg_columns[c]);
        head += ") VALUES ";
        for (std::size_t first = 0; first < b.rows.size(); first += chunk) {
            const std::size_t n = std::min(chunk, b.rows.size() - first);
            std::string sql = head;
            std::vector<std::optional<std::string>> values;
            values.reserve(n * pg_count);
            for (std::size_t i = 0; i < n; ++i) {
                sql += i ? ",(" : "(";
                for (std::size_t c = 0; c < pg_count; ++c)
                    sql += fmt::format("{}${}", c ? "," : "", i * pg_count + c + 1);
                sql += ')';
                for (auto &v : table_row(b, first + i))
                    values.push_back(std::move(v));
            }
            sql += " ON CONFLICT DO NOTHING";
            std::vector<const char *> params;
            params.reserve(values.size());
            for (const auto &v : values)
                params.push_back(v ? v->c_str() : nullptr);
            PGresult *res = PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()),
                                         nullptr, params.data(), nullptr, nullptr, 0);
            check(res, "insert the batch");
            PQclear(res);
        }
    }

    std::string conninfo_, table_;
    bool copy_;
    std::string url_;
    PGconn *conn_ = nullptr;
    bool schema_done_ = false;
    std::mutex fd_mu_;
    int fd_ = -1;
    std::atomic<bool> aborted_{false};
};

}  // namespace

std::unique_ptr<Sink> make_postgres_sink(std::string url, const NetworkSinkOptions &options) {
    detail::refuse_password("postgresql", url);
    detail::Url u = detail::split_url(url);
    const auto retry = detail::take_retry(u);
    const std::string table = u.take("table").value_or("samples");
    if (!valid_identifier(table))
        throw std::invalid_argument("bad postgresql sink '" + url + "': table '" + table +
                                    "' must be a plain identifier (letters, digits, _)");
    const std::string method = u.take("method").value_or("insert");
    if (method != "copy" && method != "insert")
        throw std::invalid_argument("bad postgresql sink '" + url +
                                    "': method must be copy or insert");
    const std::string key = u.str() + (u.params.empty() ? "?" : "&") + "table=" + table;
    // Unless given: a server that does not answer fails a connect in 5 s; a silent network
    // (no RST) is noticed by keepalives and unacknowledged data in about 30 s.
    detail::Url conn = u;
    for (const auto &[k, v] : {std::pair{"connect_timeout", "5"},
                               {"keepalives", "1"},
                               {"keepalives_idle", "10"},
                               {"keepalives_interval", "5"},
                               {"keepalives_count", "3"},
                               {"tcp_user_timeout", "30000"}})
        if (!detail::Url(u).take(k)) conn.params.emplace_back(k, v);
    char *err = nullptr;
    PQconninfoOption *parsed = PQconninfoParse(conn.str().c_str(), &err);
    if (!parsed) {
        std::string why = err ? err : "out of memory";
        PQfreemem(err);
        while (!why.empty() && why.back() == '\n')
            why.pop_back();
        throw std::invalid_argument("bad postgresql sink '" + url + "': " + why);
    }
    PQconninfoFree(parsed);
    return std::make_unique<detail::SpoolingSink>(
        "postgresql", url, key, options.spool, retry,
        std::make_unique<PgTransport>(conn.str(), table, method == "copy", url));
}

}  // namespace anyserial::sinks

#include "sinks/spool.hpp"

#include <anyserial/sinks/output_file.hpp>
#include <boost/json.hpp>
#include <random>

#include "log/logger.hpp"

namespace anyserial::sinks::detail {

namespace json = boost::json;

std::string encode_rows(const std::vector<Row> &rows) {
    json::array out;
    out.reserve(rows.size());
    for (const Row &row : rows) {
        json::array cells;
        cells.reserve(column_count);
        for (const Cell &c : row) {
            std::visit(
                [&](const auto &v) {
                    using T = std::decay_t<decltype(v)>;
                    if constexpr (std::is_same_v<T, std::monostate>) {
                        cells.emplace_back(nullptr);
                    } else {
                        cells.emplace_back(v);
                    }
                },
                c);
        }
        out.emplace_back(std::move(cells));
    }
    return json::serialize(out);
}

namespace {

Cell cell_of(const json::value &c) {
    if (c.is_int64()) return c.get_int64();
    if (c.is_uint64()) return static_cast<std::int64_t>(c.get_uint64());
    if (c.is_double()) return c.get_double();
    if (c.is_string()) return std::string(c.get_string());
    return {};
}

// A row spooled by a release before the generic row (21 cells: device, channel, kind,
// name, value, unit, eight 0/1 status columns, ok, protocol, monotonic_ns, received_at,
// requested_at, latency_s, error), converted so an old spool is still delivered.
Row legacy_row(const json::array &cells) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> status{{
        {"fault", "fault"},
        {"maintenance", "info"},
        {"calibrating", "info"},
        {"warming_up", "info"},
        {"alarm1", "warning"},
        {"alarm2", "warning"},
        {"alarm3", "warning"},
        {"alarm4", "warning"},
    }};
    Row row{};
    for (std::size_t i = 0; i < 5; ++i)
        row[i] = cell_of(cells[i]);
    row[col::unit] = cell_of(cells[5]);
    if (cells[14].is_int64()) {  // a reading: its status columns become flags
        std::string flags, severity;
        for (std::size_t i = 0; i < status.size(); ++i) {
            if (!cells[6 + i].is_int64() || cells[6 + i].get_int64() == 0) continue;
            flags += (flags.empty() ? "" : ",") + std::string(status[i].first);
            if (severity != "fault" && (severity.empty() || status[i].second != "info"))
                severity = status[i].second;
        }
        row[col::flags] = flags;
        row[col::ok] = cell_of(cells[14]);
        row[col::severity] = severity;
    }
    for (std::size_t i = 0; i < 6; ++i)
        row[col::protocol + i] = cell_of(cells[15 + i]);
    return row;
}

}  // namespace

std::vector<Row> decode_rows(std::string_view text) {
    constexpr std::size_t legacy_count = 21;
    std::vector<Row> rows;
    const json::value doc = json::parse(text);
    for (const auto &r : doc.as_array()) {
        const auto &cells = r.as_array();
        if (cells.size() == legacy_count) {
            rows.push_back(legacy_row(cells));
            continue;
        }
        Row row{};
        for (std::size_t i = 0; i < column_count && i < cells.size(); ++i)
            row[i] = cell_of(cells[i]);
        rows.push_back(std::move(row));
    }
    return rows;
}

std::string new_run_id() {
    std::random_device rd;
    std::uniform_int_distribution<unsigned> nibble(0, 15);
    std::string id(32, '0');
    for (char &c : id)
        c = "0123456789abcdef"[nibble(rd)];
    return id;
}

std::optional<std::string> Url::take(const std::string &name) {
    for (auto it = params.begin(); it != params.end(); ++it) {
        if (it->first == name) {
            std::string v = it->second;
            params.erase(it);
            return v;
        }
    }
    return std::nullopt;
}

std::string Url::str() const {
    std::string out = base;
    for (std::size_t i = 0; i < params.size(); ++i)
        out += (i ? "&" : "?") + params[i].first + "=" + params[i].second;
    return out;
}

Url split_url(const std::string &url) {
    Url u;
    const auto q = url.find('?');
    u.base = url.substr(0, q);
    if (q == std::string::npos) return u;
    std::string_view rest(url);
    rest.remove_prefix(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const auto item = rest.substr(0, amp);
        const auto eq = item.find('=');
        if (!item.empty())
            u.params.emplace_back(
                std::string(item.substr(0, eq)),
                eq == std::string_view::npos ? std::string() : std::string(item.substr(eq + 1)));
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
    }
    return u;
}

namespace {
std::chrono::milliseconds seconds_param(const std::string &name, const std::string &text,
                                        double min) {
    std::size_t used = 0;
    double v = -1;
    try {
        v = std::stod(text, &used);
    } catch (const std::exception &) {
        used = 0;
    }
    if (used != text.size() || !(v >= min) || v > 86400)
        throw std::invalid_argument(name + " must be a number of seconds (" + std::to_string(min) +
                                    " to 86400), got '" + text + "'");
    return std::chrono::milliseconds(static_cast<std::int64_t>(v * 1000));
}
}  // namespace

RetryPolicy take_retry(Url &url) {
    RetryPolicy r;
    if (auto v = url.take("drain_timeout")) r.drain = seconds_param("drain_timeout", *v, 0);
    if (auto v = url.take("retry_max")) r.max = seconds_param("retry_max", *v, 0.1);
    r.initial = std::min(r.initial, r.max);
    return r;
}

void refuse_password(const std::string &kind, const std::string &url) {
    const auto scheme = url.find("://");
    const auto start = scheme == std::string::npos ? 0 : scheme + 3;
    const auto end = url.find_first_of("/?", start);
    const auto authority = url.substr(start, end == std::string::npos ? end : end - start);
    const auto at = authority.rfind('@');
    const bool in_authority =
        at != std::string::npos && authority.substr(0, at).find(':') != std::string::npos;
    Url u = split_url(url);
    if (in_authority || u.take("password"))
        throw std::invalid_argument(
            "bad " + kind +
            " sink: a password on the command line is refused (it would show in `ps` and the "
            "shell history); " +
            (kind == "postgresql" ? "use PGPASSWORD or ~/.pgpass" : "use ANYSERIAL_MQTT_PASSWORD"));
}

// ---- Spool ---------------------------------------------------------------------------

Spool::Spool(std::string kind, std::filesystem::path path, std::string key)
    : kind_(std::move(kind)), path_(path.string()), key_(std::move(key)) {
    // NOFOLLOW: a spool file that is a symlink is refused, never followed. SQLite's NOFOLLOW
    // refuses a link anywhere in the path: give it the directory resolved, so a symlinked
    // directory on the way is fine (as for the other sinks).
    std::string file = path_;
    std::error_code ec;
    const auto dir =
        std::filesystem::canonical(path.has_parent_path() ? path.parent_path() : ".", ec);
    if (!ec) file = (dir / path.filename()).string();
    if (sqlite3_open_v2(file.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW,
                        nullptr) != SQLITE_OK) {
        std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw SinkError(kind_, key_, "cannot open the spool '" + path_ + "': " + why);
    }
    sqlite3_busy_timeout(db_, 10000);
    exec("PRAGMA journal_mode=WAL", "enable WAL");
    exec("PRAGMA synchronous=NORMAL", "set synchronous");
    exec(
        "CREATE TABLE IF NOT EXISTS spool (id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "sink TEXT NOT NULL, run_id TEXT NOT NULL, tick INTEGER NOT NULL, "
        "first_seq INTEGER NOT NULL, rows TEXT NOT NULL)",
        "create the spool table");
    exec("CREATE INDEX IF NOT EXISTS spool_sink ON spool (sink, id)", "create the spool index");
    insert_ = prepare("INSERT INTO spool (sink, run_id, tick, first_seq, rows) VALUES (?,?,?,?,?)");
    oldest_ = prepare(
        "SELECT id, run_id, tick, first_seq, rows FROM spool WHERE sink = ? ORDER BY id LIMIT 1");
    remove_ = prepare("DELETE FROM spool WHERE id = ?");
    count_ = prepare("SELECT count(*) FROM spool WHERE sink = ?");
}

Spool::~Spool() {
    for (auto *s : {insert_, oldest_, remove_, count_})
        if (s) sqlite3_finalize(s);
    if (db_) sqlite3_close_v2(db_);
}

void Spool::fail(const std::string &what) const {
    throw SinkError(kind_, key_, "spool '" + path_ + "': " + what + ": " + sqlite3_errmsg(db_));
}

void Spool::exec(const char *sql, const char *what) {
    char *msg = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
        std::string why = msg ? msg : sqlite3_errmsg(db_);
        sqlite3_free(msg);
        throw SinkError(kind_, key_, "spool '" + path_ + "': " + what + " failed: " + why);
    }
}

sqlite3_stmt *Spool::prepare(const char *sql) {
    sqlite3_stmt *s = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) fail("prepare");
    return s;
}

std::int64_t Spool::append(const std::string &run_id, std::uint64_t tick, std::uint64_t first_seq,
                           const std::vector<Row> &rows) {
    const std::string text = encode_rows(rows);
    sqlite3_reset(insert_);
    sqlite3_bind_text(insert_, 1, key_.data(), static_cast<int>(key_.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(insert_, 2, run_id.data(), static_cast<int>(run_id.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert_, 3, static_cast<sqlite3_int64>(tick));
    sqlite3_bind_int64(insert_, 4, static_cast<sqlite3_int64>(first_seq));
    sqlite3_bind_text(insert_, 5, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(insert_) != SQLITE_DONE) fail("append a batch");
    return sqlite3_last_insert_rowid(db_);
}

std::optional<SpooledBatch> Spool::oldest() {
    sqlite3_reset(oldest_);
    sqlite3_bind_text(oldest_, 1, key_.data(), static_cast<int>(key_.size()), SQLITE_TRANSIENT);
    const int rc = sqlite3_step(oldest_);
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) fail("read the oldest batch");
    SpooledBatch b;
    b.id = sqlite3_column_int64(oldest_, 0);
    b.run_id = reinterpret_cast<const char *>(sqlite3_column_text(oldest_, 1));
    b.tick = static_cast<std::uint64_t>(sqlite3_column_int64(oldest_, 2));
    b.first_seq = static_cast<std::uint64_t>(sqlite3_column_int64(oldest_, 3));
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(oldest_, 4));
    b.rows = decode_rows(text ? text : "[]");
    sqlite3_reset(oldest_);
    return b;
}

void Spool::remove(std::int64_t id) {
    sqlite3_reset(remove_);
    sqlite3_bind_int64(remove_, 1, id);
    if (sqlite3_step(remove_) != SQLITE_DONE) fail("remove a delivered batch");
}

std::uint64_t Spool::count() {
    sqlite3_reset(count_);
    sqlite3_bind_text(count_, 1, key_.data(), static_cast<int>(key_.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(count_) != SQLITE_ROW) fail("count batches");
    const auto n = static_cast<std::uint64_t>(sqlite3_column_int64(count_, 0));
    sqlite3_reset(count_);
    return n;
}

// ---- SpoolingSink --------------------------------------------------------------------

SpoolingSink::SpoolingSink(std::string kind, std::string url, std::string key,
                           std::filesystem::path spool, RetryPolicy retry,
                           std::unique_ptr<Transport> transport)
    : kind_(std::move(kind)),
      url_(std::move(url)),
      key_(std::move(key)),
      spool_path_(std::move(spool)),
      retry_(retry),
      transport_(std::move(transport)) {}

SpoolingSink::~SpoolingSink() {
    if (worker_.joinable()) {
        {
            std::lock_guard lock(mu_);
            closing_ = true;
            deadline_ = std::chrono::steady_clock::now();  // no drain from a destructor
        }
        cv_.notify_all();
        transport_->abort();
        worker_.join();
    }
}

void SpoolingSink::check() const {
    (void)check_destination("spool", spool_path_.string(), SinkOptions{});
}

void SpoolingSink::open() {
    if (writer_) return;
    writer_ = std::make_unique<Spool>(kind_, spool_path_, key_);
    auto reader = std::make_unique<Spool>(kind_, spool_path_, key_);
    run_id_ = new_run_id();
    const auto backlog = writer_->count();
    if (backlog > 0) {
        log::logger("anyserial.sink")
            .info("{}: {} batches of an earlier run are spooled in '{}'; sending them first", url_,
                  backlog, spool_path_.string());
    }
    closing_ = false;
    worker_ = std::thread([this, spool = std::move(reader)]() mutable {
        try {
            deliver_all(*spool);
        } catch (const std::exception &e) {
            log::logger("anyserial.sink").error("{}: delivery stopped: {}", url_, e.what());
        }
        transport_->disconnect();
        {
            std::lock_guard lock(mu_);
            finished_ = true;
        }
        cv_.notify_all();
    });
}

void SpoolingSink::write(std::span<const Sample> batch) {
    if (!writer_) throw SinkError(kind_, url_, "write on a closed sink");
    std::vector<Row> rows;
    rows.reserve(batch.size());
    for (const auto &s : batch)
        rows.push_back(to_row(s));
    const auto id = writer_->append(run_id_, tick_, seq_, rows);  // durable from here on
    ++tick_;
    seq_ += rows.size();
    {
        std::lock_guard lock(mu_);
        pending_.push_back({id, down_});
        if (down_) ++stats_.spooled;
        ++written_;
    }
    cv_.notify_all();
}

void SpoolingSink::close() {
    if (!writer_) return;
    {
        std::lock_guard lock(mu_);
        closing_ = true;
        deadline_ = std::chrono::steady_clock::now() + retry_.drain;
    }
    cv_.notify_all();
    if (worker_.joinable()) {
        // A server that hangs mid-transaction would block the delivery thread for good:
        // past the drain time its connection is cut, and what it was sending stays spooled.
        std::unique_lock lock(mu_);
        if (!cv_.wait_until(lock, deadline_ + std::chrono::milliseconds(200),
                            [&] { return finished_; })) {
            log::logger("anyserial.sink")
                .warn("{}: the server does not answer; cutting the connection", url_);
            transport_->abort();
        }
        lock.unlock();
        worker_.join();
    }
    const auto left = writer_->count();
    {
        std::lock_guard lock(mu_);
        stats_.pending = left;
    }
    writer_.reset();
    if (left > 0) {
        log::logger("anyserial.sink")
            .warn("{}: {} batches stay spooled in '{}'; the next run with this spool sends them",
                  url_, left, spool_path_.string());
    }
}

std::optional<DeliveryStats> SpoolingSink::delivery() const {
    std::lock_guard lock(mu_);
    return stats_;
}

void SpoolingSink::note_failure(const std::string &why) {
    if (!down_) log::logger("anyserial.sink").warn("{}; spooling until it is back", why);
    down_ = true;
    for (auto &p : pending_) {
        if (!p.spooled) {
            p.spooled = true;
            ++stats_.spooled;
        }
    }
}

// Waits out a back-off; returns false when the sink is closing and its drain time is over.
// A close() during the wait shortens it to the drain deadline.
bool SpoolingSink::wait_backoff(std::unique_lock<std::mutex> &lock,
                                std::chrono::milliseconds backoff) {
    const auto until = std::chrono::steady_clock::now() + backoff;
    for (;;) {
        const auto now = std::chrono::steady_clock::now();
        if (closing_ && now >= deadline_) return false;
        const auto target = closing_ ? std::min(until, deadline_) : until;
        if (now >= target) return true;
        cv_.wait_until(lock, target);
    }
}

void SpoolingSink::deliver_all(Spool &spool) {
    bool connected = false;
    auto backoff = retry_.initial;
    std::uint64_t seen = 0;
    for (;;) {
        {
            std::unique_lock lock(mu_);
            if (closing_ && std::chrono::steady_clock::now() >= deadline_) return;
        }
        auto batch = spool.oldest();
        if (!batch) {
            std::unique_lock lock(mu_);
            if (closing_) return;
            cv_.wait(lock, [&] { return closing_ || written_ != seen; });
            seen = written_;
            continue;
        }
        std::string failure;
        try {
            if (!connected) {
                transport_->connect();
                connected = true;
            }
            transport_->deliver(*batch);
        } catch (const std::exception &e) {
            failure = e.what();
        }
        if (!failure.empty()) {
            transport_->disconnect();
            connected = false;
            std::unique_lock lock(mu_);
            note_failure(failure);
            if (!wait_backoff(lock, backoff)) return;
            backoff = std::min(backoff * 2, retry_.max);
            continue;
        }
        spool.remove(batch->id);  // a kill before this replays the batch: the key absorbs it
        backoff = retry_.initial;
        std::lock_guard lock(mu_);
        if (down_) log::logger("anyserial.sink").info("{}: delivering again", url_);
        down_ = false;
        if (batch->run_id == run_id_) {
            ++stats_.delivered;
            if (!pending_.empty() && pending_.front().id == batch->id) pending_.pop_front();
        } else {
            ++stats_.replayed;
        }
    }
}

}  // namespace anyserial::sinks::detail

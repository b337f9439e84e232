// anyserial — the durable spool of the network sinks and the sink that delivers from it.
//
// Every batch a network sink is given is first committed to a SQLite WAL file (the spool)
// and only then handed to a delivery thread, which sends the oldest spooled batch, removes
// it once the server has it, and retries with a capped back-off while the server is away.
// So write() costs one local commit whatever the server does, batches leave in the order
// they were recorded, and a batch still spooled when the process dies (even by SIGKILL) is
// sent by the next run that opens the same spool for the same target.
#pragma once

#include <sqlite3.h>

#include <anyserial/sinks/sink.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace anyserial::sinks::detail {

struct SpooledBatch {
    std::int64_t id = 0;  // spool order
    std::string run_id;
    std::uint64_t tick = 0;       // the batch's number in its run
    std::uint64_t first_seq = 0;  // the first row's sequence number in its run
    std::vector<Row> rows;
};

// One connection to the spool file; batches of one target (`key`) only. Not thread-safe:
// the writer and the delivery thread each open their own.
class Spool {
  public:
    Spool(std::string kind, std::filesystem::path path, std::string key);
    ~Spool();
    Spool(const Spool &) = delete;
    Spool &operator=(const Spool &) = delete;

    std::int64_t append(const std::string &run_id, std::uint64_t tick, std::uint64_t first_seq,
                        const std::vector<Row> &rows);
    std::optional<SpooledBatch> oldest();
    void remove(std::int64_t id);
    std::uint64_t count();

  private:
    [[noreturn]] void fail(const std::string &what) const;
    void exec(const char *sql, const char *what);
    sqlite3_stmt *prepare(const char *sql);

    std::string kind_, path_, key_;
    sqlite3 *db_ = nullptr;
    sqlite3_stmt *insert_ = nullptr, *oldest_ = nullptr, *remove_ = nullptr, *count_ = nullptr;
};

// How one network target is reached. Called on the delivery thread only.
class Transport {
  public:
    virtual ~Transport() = default;
    virtual void connect() = 0;                           // throws SinkError
    virtual void deliver(const SpooledBatch &batch) = 0;  // throws SinkError; whole batch or none
    virtual void disconnect() noexcept = 0;
    // [thread-safe] Makes a connect() or deliver() blocked on a hung server fail soon.
    virtual void abort() noexcept = 0;
};

struct RetryPolicy {
    std::chrono::milliseconds initial{100};
    std::chrono::milliseconds max{5000};
    // At close: how long to keep delivering what is spooled before leaving it for next run.
    std::chrono::milliseconds drain{10000};
};

class SpoolingSink : public Sink {
  public:
    SpoolingSink(std::string kind, std::string url, std::string key, std::filesystem::path spool,
                 RetryPolicy retry, std::unique_ptr<Transport> transport);
    ~SpoolingSink() override;
    std::string_view kind() const noexcept override { return kind_; }
    const std::string &path() const noexcept override { return url_; }
    std::string describe() const override { return url_; }
    // The spool file, before the port opens: a symlink or a directory at its path is
    // refused (SinkRefusedError), a missing or unwritable directory is a SinkError.
    void check() const override;
    void open() override;
    void write(std::span<const Sample> batch) override;
    void flush() override {}
    void close() override;
    std::optional<DeliveryStats> delivery() const override;

  private:
    void deliver_all(Spool &spool);
    void note_failure(const std::string &why);  // with mu_ held
    bool wait_backoff(std::unique_lock<std::mutex> &lock, std::chrono::milliseconds backoff);

    std::string kind_, url_, key_;
    std::filesystem::path spool_path_;
    RetryPolicy retry_;
    std::unique_ptr<Transport> transport_;
    std::unique_ptr<Spool> writer_;
    std::string run_id_;
    std::uint64_t tick_ = 0, seq_ = 0;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    struct Pending {
        std::int64_t id;
        bool spooled;
    };
    std::deque<Pending> pending_;  // this run's batches not yet delivered, in order
    DeliveryStats stats_;
    std::uint64_t written_ = 0;  // bumped on every write: wakes an idle delivery thread
    bool down_ = false;          // the last attempt failed: the server is away
    bool closing_ = false;
    bool finished_ = false;  // the delivery thread is done
    std::chrono::steady_clock::time_point deadline_;
    std::thread worker_;
};

// A fresh random run id (32 hex digits).
std::string new_run_id();

// A batch's rows as the spool stores them (a JSON array of cell arrays), and back. decode
// also reads the 21-cell rows an earlier release spooled (its fixed status columns become
// flags, ok and severity), so an old spool is still delivered.
std::string encode_rows(const std::vector<Row> &rows);
std::vector<Row> decode_rows(std::string_view text);

// A sink URL split at '?': the part before, and its query parameters in order.
struct Url {
    std::string base;
    std::vector<std::pair<std::string, std::string>> params;
    std::optional<std::string> take(const std::string &name);  // removes it
    std::string str() const;                                   // base?k=v&…
};
Url split_url(const std::string &url);
// drain_timeout=S and retry_max=S (seconds), removed from `url`. std::invalid_argument.
RetryPolicy take_retry(Url &url);
// A user:password@ in the authority or a password= parameter: credentials on a command
// line end up in shell history and `ps`, so they are refused (std::invalid_argument).
void refuse_password(const std::string &kind, const std::string &url);

}  // namespace anyserial::sinks::detail

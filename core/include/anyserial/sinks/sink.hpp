// anyserial — sinks: where recorded batches go (memory, CSV, JSONL, SQLite).
//
// A sink is opened, written one per-tick batch at a time, flushed and closed. Every
// failure is a SinkError naming the sink kind and its path. All sinks write the same
// long-format row (one sample per row), see columns() and docs/recording.md.
#pragma once

#include <anyserial/device/models.hpp>
#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace anyserial::sinks {

using device::Sample;

class SinkError : public std::runtime_error {
  public:
    SinkError(std::string sink, std::string path, const std::string &what);
    const std::string &sink() const noexcept { return sink_; }
    const std::string &path() const noexcept { return path_; }

  private:
    std::string sink_;
    std::string path_;
};

// The destination holds something the sink may not change without being asked (a file
// with other content, a symlink, a foreign database, a directory). Nothing was changed;
// the CLI reports it as a usage error (exit 2).
class SinkRefusedError : public SinkError {
  public:
    using SinkError::SinkError;
};

// How a file sink treats what is already at its path (docs/recording.md, "Output files").
struct SinkOptions {
    // Replace an existing CSV/JSONL file (truncated when the sink opens). Without it a file
    // with the same header/columns is appended to, anything else refused. SQLite always
    // appends to its own table and refuses a foreign database.
    bool overwrite = false;
    // Write through a symlink at the path; without it a symlink is refused (O_NOFOLLOW).
    bool follow_symlinks = false;
};

// A network sink's batches (docs/fleet.md). Every batch goes through the durable spool.
struct DeliveryStats {
    std::uint64_t delivered = 0;  // batches of this run that reached the server
    std::uint64_t spooled = 0;    // of those written, the ones that had to wait for the server
    std::uint64_t replayed = 0;   // batches of an earlier run found in the spool, delivered now
    std::uint64_t pending = 0;    // still in the spool when the sink closed (next run sends them)
};

class Sink {
  public:
    virtual ~Sink() = default;
    virtual std::string_view kind() const noexcept = 0;    // "csv", "jsonl", "sqlite", "memory"
    virtual const std::string &path() const noexcept = 0;  // empty for memory
    virtual std::string describe() const;                  // "csv:/tmp/run.csv"

    // Looks at the destination without creating or changing anything; throws what open()
    // would (SinkRefusedError, SinkError). Call it before the port is opened, open() after:
    // a run that fails in between leaves the user's file as it was.
    virtual void check() const {}
    virtual void open() = 0;  // idempotent; creates, appends to or (overwrite) truncates
    // One per-tick batch. Durable once it returns (files are flushed, SQLite committed).
    virtual void write(std::span<const Sample> batch) = 0;
    virtual void flush() = 0;
    virtual void close() = 0;  // idempotent; flushes first
    // Network sinks (PostgreSQL, MQTT): what reached the server. nullopt for local sinks.
    virtual std::optional<DeliveryStats> delivery() const { return std::nullopt; }
};

// ---- the long-format row ------------------------------------------------------------
inline constexpr std::size_t column_count = 16;
// device, channel, kind, name, value, text, unit, flags, ok, severity, protocol,
// monotonic_ns, received_at, requested_at, latency_s, error. Generic for every device:
// `flags` is the ids of the reading's set flags joined by ',', `ok` 0/1 (no warning or
// fault flag set), `severity` the highest severity among the set flags ("" when none).
const std::array<std::string_view, column_count> &columns() noexcept;
// The index of each column in a Row.
namespace col {
enum : std::size_t {
    device,
    channel,
    kind,
    name,
    value,
    text,
    unit,
    flags,
    ok,
    severity,
    protocol,
    monotonic_ns,
    received_at,
    requested_at,
    latency_s,
    error,
};
}  // namespace col

using Cell = std::variant<std::monostate, std::int64_t, double, std::string>;
using Row = std::array<Cell, column_count>;
// Booleans are 0/1, times ISO-8601 UTC with microseconds, absent values monostate.
Row to_row(const Sample &sample);

// ---- sinks --------------------------------------------------------------------------
class MemorySink final : public Sink {
  public:
    std::string_view kind() const noexcept override { return "memory"; }
    const std::string &path() const noexcept override { return path_; }
    void open() override { open_ = true; }
    void write(std::span<const Sample> batch) override;
    void flush() override {}
    void close() override { open_ = false; }
    const std::vector<std::vector<Sample>> &batches() const noexcept { return batches_; }
    bool is_open() const noexcept { return open_; }

  private:
    std::string path_;
    bool open_ = false;
    std::vector<std::vector<Sample>> batches_;
};

std::unique_ptr<Sink> make_csv_sink(std::filesystem::path path, const SinkOptions &options = {});
std::unique_ptr<Sink> make_jsonl_sink(std::filesystem::path path, const SinkOptions &options = {});
std::unique_ptr<Sink> make_sqlite_sink(std::filesystem::path path, const SinkOptions &options = {});

// Network sinks spool every batch in a SQLite WAL file and deliver from it on their own
// delivery thread, so a slow or absent server never stalls the recorder (docs/fleet.md).
struct NetworkSinkOptions {
    std::filesystem::path spool = "anyserial-spool.db";
};
std::unique_ptr<Sink> make_postgres_sink(std::string url, const NetworkSinkOptions &options = {});
std::unique_ptr<Sink> make_mqtt_sink(std::string url, const NetworkSinkOptions &options = {});
// InfluxDB line protocol into FILE (appended to an earlier one), or stdout for "-".
std::unique_ptr<Sink> make_influx_sink(std::filesystem::path path, const SinkOptions &options = {});
// Every batch to each sink in turn (record --sink repeated).
std::unique_ptr<Sink> make_fanout_sink(std::vector<std::unique_ptr<Sink>> sinks);

struct SinkSpec {
    std::string kind;  // csv | jsonl | sqlite | memory | postgresql | mqtt | influx
    std::string path;  // empty for memory; the whole URL for postgresql and mqtt
};
// "csv:FILE" | "jsonl:FILE" | "sqlite:FILE" | "memory" | "postgresql://…" | "mqtt://…" |
// "influx:FILE" | "influx:-". std::invalid_argument otherwise.
SinkSpec parse_sink_spec(std::string_view spec);
// Makes the sink without touching its destination (see Sink::check and Sink::open).
// `options` apply to the file sinks, `network` to PostgreSQL and MQTT.
std::unique_ptr<Sink> make_sink(const SinkSpec &spec, const SinkOptions &options = {},
                                const NetworkSinkOptions &network = {});
inline std::unique_ptr<Sink> make_sink(const SinkSpec &spec, const NetworkSinkOptions &network) {
    return make_sink(spec, SinkOptions{}, network);
}
inline std::unique_ptr<Sink> make_sink(std::string_view spec, const SinkOptions &options = {}) {
    return make_sink(parse_sink_spec(spec), options);
}

}  // namespace anyserial::sinks

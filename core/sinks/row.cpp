// anyserial — the long-format sample row shared by every sink, the spec parser, and
// the memory sink.
#include <anyserial/record/summary.hpp>
#include <anyserial/sinks/sink.hpp>

namespace anyserial::sinks {

SinkError::SinkError(std::string sink, std::string path, const std::string &what)
    : std::runtime_error(sink + " sink" + (path.empty() ? std::string() : " '" + path + "'") +
                         ": " + what),
      sink_(std::move(sink)),
      path_(std::move(path)) {}

std::string Sink::describe() const {
    return path().empty() ? std::string(kind()) : std::string(kind()) + ":" + path();
}

const std::array<std::string_view, column_count> &columns() noexcept {
    static constexpr std::array<std::string_view, column_count> names{
        "device",       "channel",     "kind",        "name",       "value",        "unit",
        "fault",        "maintenance", "calibrating", "warming_up", "alarm1",       "alarm2",
        "alarm3",       "alarm4",      "ok",          "protocol",   "monotonic_ns", "received_at",
        "requested_at", "latency_s",   "error"};
    return names;
}

Row to_row(const Sample &s) {
    Row row{};
    auto flag = [](bool b) { return Cell(std::int64_t{b ? 1 : 0}); };
    row[0] = s.device;
    if (!s.channel.empty()) row[1] = s.channel;
    if (s.reading) {
        const auto &r = *s.reading;
        if (s.channel.empty()) row[1] = r.channel;
        row[2] = std::string(device::to_string(r.kind));
        if (r.name) row[3] = *r.name;
        if (r.value) row[4] = *r.value;
        row[5] = r.unit.text;
        row[6] = flag(r.status.fault);
        row[7] = flag(r.status.maintenance);
        row[8] = flag(r.status.calibrating);
        row[9] = flag(r.status.warming_up);
        for (std::size_t i = 0; i < 4; ++i)
            row[10 + i] = flag(r.status.alarms[i]);
        row[14] = flag(r.status.ok());
    }
    row[15] = std::string(device::to_string(s.protocol));
    row[16] = std::int64_t{s.monotonic_ns};
    row[17] = record::format_utc(s.received_at);
    if (s.requested_at) row[18] = record::format_utc(*s.requested_at);
    if (s.latency_s) row[19] = *s.latency_s;
    if (s.error) row[20] = *s.error;
    return row;
}

void MemorySink::write(std::span<const Sample> batch) {
    if (!open_) throw SinkError("memory", "", "write on a closed sink");
    batches_.emplace_back(batch.begin(), batch.end());
}

SinkSpec parse_sink_spec(std::string_view spec) {
    if (spec == "memory") return {"memory", ""};
    // Network sinks: the whole URL is the path; make_sink checks it (and refuses passwords).
    for (std::string_view scheme : {"postgresql://", "postgres://", "mqtt://"}) {
        if (spec.substr(0, scheme.size()) == scheme) {
            SinkSpec s{scheme == "mqtt://" ? "mqtt" : "postgresql", std::string(spec)};
            (void)make_sink(s);  // a bad URL is a usage error, before any I/O
            return s;
        }
    }
    if (spec.substr(0, 7) == "influx:" && spec.size() > 7)
        return {"influx", std::string(spec.substr(7))};
    const auto colon = spec.find(':');
    if (colon != std::string_view::npos) {
        auto kind = spec.substr(0, colon);
        auto path = spec.substr(colon + 1);
        if ((kind == "csv" || kind == "jsonl" || kind == "sqlite") && !path.empty()) {
            return {std::string(kind), std::string(path)};
        }
    }
    throw std::invalid_argument("bad sink '" + std::string(spec) +
                                "': expected csv:FILE, jsonl:FILE, sqlite:FILE, influx:FILE|-, "
                                "postgresql://…, mqtt://… or memory");
}

std::unique_ptr<Sink> make_sink(const SinkSpec &spec, const SinkOptions &options,
                                const NetworkSinkOptions &network) {
    if (spec.kind == "postgresql") return make_postgres_sink(spec.path, network);
    if (spec.kind == "mqtt") return make_mqtt_sink(spec.path, network);
    if (spec.kind == "influx") return make_influx_sink(spec.path, options);
    if (spec.kind == "memory") return std::make_unique<MemorySink>();
    if (spec.kind == "csv") return make_csv_sink(spec.path, options);
    if (spec.kind == "jsonl") return make_jsonl_sink(spec.path, options);
    if (spec.kind == "sqlite") return make_sqlite_sink(spec.path, options);
    throw std::invalid_argument("unknown sink kind '" + spec.kind + "'");
}

}  // namespace anyserial::sinks

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
        "device",      "channel",      "kind",      "name",     "value",    "text",
        "unit",        "flags",        "ok",        "severity", "protocol", "monotonic_ns",
        "received_at", "requested_at", "latency_s", "error"};
    return names;
}

namespace {
// The highest severity among the set flags, "" when none is set.
std::string highest_severity(const device::FlagSet &flags) {
    for (auto sev : {device::Severity::fault, device::Severity::warning, device::Severity::info})
        if (flags.any(sev)) return std::string(device::to_string(sev));
    return {};
}
}  // namespace

Row to_row(const Sample &s) {
    Row row{};
    row[col::device] = s.device;
    if (!s.channel.empty()) row[col::channel] = s.channel;
    if (s.reading) {
        const auto &r = *s.reading;
        if (s.channel.empty()) row[col::channel] = r.channel;
        row[col::kind] = r.kind;
        if (r.name) row[col::name] = *r.name;
        if (r.value) row[col::value] = *r.value;
        if (r.text) row[col::text] = *r.text;
        row[col::unit] = r.unit;
        row[col::flags] = r.flags.ids();
        row[col::ok] = std::int64_t{r.flags.ok() ? 1 : 0};
        row[col::severity] = highest_severity(r.flags);
    }
    row[col::protocol] = s.protocol;
    row[col::monotonic_ns] = std::int64_t{s.monotonic_ns};
    row[col::received_at] = record::format_utc(s.received_at);
    if (s.requested_at) row[col::requested_at] = record::format_utc(*s.requested_at);
    if (s.latency_s) row[col::latency_s] = *s.latency_s;
    if (s.error) row[col::error] = *s.error;
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

// anyserial — InfluxDB line protocol sink: influx:FILE or influx:- (stdout), no dependency.
//
// One line per sample: measurement `anyserial`, tags device, channel, unit, protocol, kind,
// name (an empty tag is left out: line protocol has no empty tag value), fields value
// (float), the flags fault..ok (booleans), latency_s, error (string), monotonic_ns
// (integer), and the received_at time in nanoseconds. Escaping as the line-protocol spec
// says: in the measurement `,` and space; in tag keys/values and field keys `,` `=` and
// space; in string fields `"` and `\`. Line protocol cannot carry a newline in any of
// them, so CR and LF become spaces.
#include <fmt/format.h>

#include <anyserial/sinks/output_file.hpp>
#include <cstdio>

namespace anyserial::sinks {

namespace {

std::string clean(std::string_view s) {
    std::string out(s);
    for (char &c : out)
        if (c == '\n' || c == '\r') c = ' ';
    return out;
}

void tag_escape(std::string &out, std::string_view s) {
    for (char c : clean(s)) {
        if (c == ',' || c == '=' || c == ' ' || c == '\\') out += '\\';
        out += c;
    }
}

void string_field(std::string &out, std::string_view s) {
    out += '"';
    for (char c : clean(s)) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
}

// Appends one sample's line (with its '\n').
void influx_line(std::string &out, const Sample &s) {
    const Row row = to_row(s);
    out += "anyserial";
    // Tags in key order (the order InfluxDB prefers).
    const std::pair<const char *, std::size_t> tags[] = {
        {"channel", col::channel}, {"device", col::device},     {"kind", col::kind},
        {"name", col::name},       {"protocol", col::protocol}, {"unit", col::unit}};
    for (const auto &[key, idx] : tags) {
        const auto *v = std::get_if<std::string>(&row[idx]);
        if (!v || v->empty()) continue;
        out += ',';
        out += key;
        out += '=';
        tag_escape(out, *v);
    }
    char sep = ' ';
    auto field = [&](std::string_view key) {
        out += sep;
        sep = ',';
        out += key;
        out += '=';
    };
    if (const auto *v = std::get_if<double>(&row[col::value])) {
        field("value");
        // Always a float: an integral 21 must not become an integer field.
        std::string num = fmt::format("{}", *v);
        if (num.find_first_of(".eEn") == std::string::npos) num += ".0";
        out += num;
    }
    if (const auto *t = std::get_if<std::string>(&row[col::text])) {
        field("text");
        string_field(out, *t);
    }
    if (const auto *f = std::get_if<std::int64_t>(&row[col::ok])) {
        field("ok");
        out += *f ? "true" : "false";
    }
    // The set flags and their highest severity: string fields, when any flag is set (the
    // ids are the plugin's: unbounded as tags).
    for (std::size_t i : {std::size_t{col::flags}, std::size_t{col::severity}}) {
        if (const auto *t = std::get_if<std::string>(&row[i]); t && !t->empty()) {
            field(columns()[i]);
            string_field(out, *t);
        }
    }
    if (const auto *v = std::get_if<double>(&row[col::latency_s])) {
        field("latency_s");
        std::string num = fmt::format("{}", *v);
        if (num.find_first_of(".eEn") == std::string::npos) num += ".0";
        out += num;
    }
    if (const auto *e = std::get_if<std::string>(&row[col::error])) {
        field("error");
        string_field(out, *e);
    }
    field("monotonic_ns");
    out += fmt::format("{}i", s.monotonic_ns);
    const auto ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(s.received_at.time_since_epoch())
            .count();
    out += fmt::format(" {}\n", ns);
}

// An earlier recording of this sink: its first line is a point of the same measurement.
bool same_measurement(std::string_view first) {
    return first.rfind("anyserial,", 0) == 0 || first.rfind("anyserial ", 0) == 0;
}

class InfluxSink final : public Sink {
  public:
    InfluxSink(std::string path, const SinkOptions &options)
        : path_(std::move(path)), file_("influx", path_, options, same_measurement) {}
    std::string_view kind() const noexcept override { return "influx"; }
    const std::string &path() const noexcept override { return path_; }

    void check() const override {
        if (path_ != "-") file_.check();
    }
    void open() override {
        if (path_ != "-") file_.open();
        open_ = true;
    }
    void write(std::span<const Sample> batch) override {
        if (!open_) throw SinkError("influx", path_, "write on a closed sink");
        text_.clear();
        for (const auto &s : batch)
            influx_line(text_, s);
        if (path_ == "-") {
            if (std::fwrite(text_.data(), 1, text_.size(), stdout) != text_.size() ||
                std::fflush(stdout) != 0)
                throw SinkError("influx", path_, "write to stdout failed");
            return;
        }
        file_.write(text_);
        file_.flush();
    }
    void flush() override {
        if (path_ != "-") file_.flush();
    }
    void close() override {
        open_ = false;
        if (path_ != "-") file_.close();
    }

  private:
    std::string path_;
    OutputFile file_;
    std::string text_;
    bool open_ = false;
};

}  // namespace

std::unique_ptr<Sink> make_influx_sink(std::filesystem::path path, const SinkOptions &options) {
    return std::make_unique<InfluxSink>(path.string(), options);
}

}  // namespace anyserial::sinks

// anyserial — CSV sink: a header row, then one RFC 4180 record per sample (CRLF line
// ends; fields with a comma, quote, CR or LF are quoted with quotes doubled; absent
// values are empty fields). Flushed after every batch. An existing file with the same
// header is appended to (OutputFile's rules).
#include <anyserial/sinks/output_file.hpp>
#include <charconv>

namespace anyserial::sinks {

namespace {

void append_field(std::string &out, std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
        out += text;
        return;
    }
    out += '"';
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

void append_cell(std::string &out, const Cell &cell) {
    char buf[64];
    if (const auto *i = std::get_if<std::int64_t>(&cell)) {
        auto r = std::to_chars(buf, buf + sizeof buf, *i);
        out.append(buf, r.ptr);
    } else if (const auto *d = std::get_if<double>(&cell)) {
        auto r = std::to_chars(buf, buf + sizeof buf, *d);  // shortest round-trip form
        out.append(buf, r.ptr);
    } else if (const auto *s = std::get_if<std::string>(&cell)) {
        append_field(out, *s);
    }
}

std::string header() {
    std::string line;
    for (std::size_t i = 0; i < column_count; ++i) {
        if (i) line += ',';
        line += columns()[i];
    }
    return line;
}

class CsvSink final : public Sink {
  public:
    CsvSink(std::string path, const SinkOptions &options)
        : path_(std::move(path)),
          file_(
              "csv", path_, options, [](std::string_view first) { return first == header(); },
              "\r\n") {}
    std::string_view kind() const noexcept override { return "csv"; }
    const std::string &path() const noexcept override { return path_; }

    void check() const override { file_.check(); }
    void open() override {
        if (file_.is_open() || !file_.open()) return;  // appended to: the header is there
        file_.write(header() + "\r\n");
        file_.flush();
    }
    void write(std::span<const Sample> batch) override {
        line_.clear();
        for (const auto &sample : batch) {
            const Row row = to_row(sample);
            for (std::size_t i = 0; i < column_count; ++i) {
                if (i) line_ += ',';
                append_cell(line_, row[i]);
            }
            line_ += "\r\n";
        }
        file_.write(line_);
        file_.flush();
    }
    void flush() override { file_.flush(); }
    void close() override { file_.close(); }

  private:
    std::string path_;
    OutputFile file_;
    std::string line_;  // reused: no allocation per batch once warm
};

}  // namespace

std::unique_ptr<Sink> make_csv_sink(std::filesystem::path path, const SinkOptions &options) {
    return std::make_unique<CsvSink>(path.string(), options);
}

}  // namespace anyserial::sinks

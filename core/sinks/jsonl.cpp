// anyserial — JSONL sink: one JSON object per sample (the row's columns as keys, absent
// values null), one line each. Flushed after every batch. An existing file whose first
// line has the same keys is appended to (OutputFile's rules).
#include <anyserial/sinks/output_file.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace anyserial::sinks {

namespace {

// A first line that is one object with exactly the row's keys, in order.
bool same_keys(std::string_view first) {
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(first, ec);
    if (ec || !v.is_object() || v.get_object().size() != column_count) return false;
    std::size_t i = 0;
    for (const auto &kv : v.get_object())
        if (kv.key() != columns()[i++]) return false;
    return true;
}

class JsonlSink final : public Sink {
  public:
    JsonlSink(std::string path, const SinkOptions &options)
        : path_(std::move(path)), file_("jsonl", path_, options, same_keys) {}
    std::string_view kind() const noexcept override { return "jsonl"; }
    const std::string &path() const noexcept override { return path_; }

    void check() const override { file_.check(); }
    void open() override { file_.open(); }
    void write(std::span<const Sample> batch) override {
        text_.clear();
        for (const auto &sample : batch) {
            const Row row = to_row(sample);
            boost::json::object obj;
            obj.reserve(column_count);
            for (std::size_t i = 0; i < column_count; ++i) {
                const auto key = columns()[i];
                std::visit(
                    [&](const auto &v) {
                        using T = std::decay_t<decltype(v)>;
                        if constexpr (std::is_same_v<T, std::monostate>) {
                            obj[key] = nullptr;
                        } else {
                            obj[key] = v;
                        }
                    },
                    row[i]);
            }
            text_ += boost::json::serialize(obj);
            text_ += '\n';
        }
        file_.write(text_);
        file_.flush();
    }
    void flush() override { file_.flush(); }
    void close() override { file_.close(); }

  private:
    std::string path_;
    OutputFile file_;
    std::string text_;
};

}  // namespace

std::unique_ptr<Sink> make_jsonl_sink(std::filesystem::path path, const SinkOptions &options) {
    return std::make_unique<JsonlSink>(path.string(), options);
}

}  // namespace anyserial::sinks

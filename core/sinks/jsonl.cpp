// anyserial — JSONL sink: one JSON object per sample (the row's columns as keys, absent
// values null), one line each. Flushed after every batch.
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "sinks/text_file.hpp"

namespace anyserial::sinks {

namespace {

class JsonlSink final : public Sink {
  public:
    explicit JsonlSink(std::string path) : path_(std::move(path)), file_("jsonl", path_) {}
    std::string_view kind() const noexcept override { return "jsonl"; }
    const std::string &path() const noexcept override { return path_; }

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
    detail::TextFile file_;
    std::string text_;
};

}  // namespace

std::unique_ptr<Sink> make_jsonl_sink(std::filesystem::path path) {
    return std::make_unique<JsonlSink>(path.string());
}

}  // namespace anyserial::sinks

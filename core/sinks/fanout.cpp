// anyserial — fan-out sink: every batch to several sinks in turn (record --sink repeated).
// A failure of one is a failure of the whole (the recording stops); close() closes every
// sink even when one fails, and reports the first failure.
#include <anyserial/sinks/sink.hpp>

namespace anyserial::sinks {

namespace {

class FanoutSink final : public Sink {
  public:
    explicit FanoutSink(std::vector<std::unique_ptr<Sink>> sinks) : sinks_(std::move(sinks)) {
        for (const auto &s : sinks_)
            path_ += (path_.empty() ? "" : ", ") + s->describe();
    }
    std::string_view kind() const noexcept override { return "fanout"; }
    const std::string &path() const noexcept override { return path_; }
    std::string describe() const override { return path_; }
    void check() const override {
        for (const auto &s : sinks_)
            s->check();
    }
    void open() override {
        for (auto &s : sinks_)
            s->open();
    }
    void write(std::span<const Sample> batch) override {
        for (auto &s : sinks_)
            s->write(batch);
    }
    void flush() override {
        for (auto &s : sinks_)
            s->flush();
    }
    void close() override {
        std::exception_ptr first;
        for (auto &s : sinks_) {
            try {
                s->close();
            } catch (...) {
                if (!first) first = std::current_exception();
            }
        }
        if (first) std::rethrow_exception(first);
    }

  private:
    std::vector<std::unique_ptr<Sink>> sinks_;
    std::string path_;
};

}  // namespace

std::unique_ptr<Sink> make_fanout_sink(std::vector<std::unique_ptr<Sink>> sinks) {
    if (sinks.size() == 1) return std::move(sinks.front());
    return std::make_unique<FanoutSink>(std::move(sinks));
}

}  // namespace anyserial::sinks

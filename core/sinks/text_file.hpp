// anyserial — a line-oriented output file for the CSV and JSONL sinks: every error is a
// SinkError with the sink kind, the path and strerror.
#pragma once

#include <anyserial/sinks/sink.hpp>
#include <cstdio>
#include <string>
#include <string_view>

namespace anyserial::sinks::detail {

class TextFile {
  public:
    TextFile(std::string kind, std::string path) : kind_(std::move(kind)), path_(std::move(path)) {}
    ~TextFile();
    TextFile(const TextFile &) = delete;
    TextFile &operator=(const TextFile &) = delete;

    void open();  // truncates
    void write(std::string_view text);
    void flush();  // fflush + error check: what was written is in the file
    void close();
    bool is_open() const noexcept { return file_ != nullptr; }
    [[noreturn]] void fail(const std::string &what, int err) const;

  private:
    std::string kind_;
    std::string path_;
    std::FILE *file_ = nullptr;
};

}  // namespace anyserial::sinks::detail

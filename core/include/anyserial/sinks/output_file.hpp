// anyserial — the one way a sink or a verb opens a user's output file (the CSV and JSONL
// sinks, `diag tap --output`). The rules (docs/recording.md, "Output files"):
//  * check() only looks; open() creates. A verb checks before it opens its port and opens
//    after, so a run that fails in between leaves the file as it was;
//  * an existing file is appended to when its first line shows the same format (the same
//    CSV header, JSONL keys, a tap log); anything else is refused unless
//    SinkOptions::overwrite, which truncates it when open() runs;
//  * a symlink at the path is refused (O_NOFOLLOW) unless SinkOptions::follow_symlinks;
//  * a directory is refused; a FIFO or a character device (/dev/null) is written as is.
// Refusals are SinkRefusedError, I/O failures SinkError, both naming the kind and the path.
#pragma once

#include <anyserial/sinks/sink.hpp>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

namespace anyserial::sinks {

// Whether an existing file's first line (without its line end) shows the same format.
using SameFormat = std::function<bool(std::string_view first_line)>;

class OutputFile {
  public:
    // `line_end` ends a torn last line (a killed writer) before anything is appended.
    OutputFile(std::string kind, std::string path, SinkOptions options, SameFormat same_format,
               std::string line_end = "\n");
    ~OutputFile();
    OutputFile(const OutputFile &) = delete;
    OutputFile &operator=(const OutputFile &) = delete;

    void check() const;
    // Opens for appending (creating it, or truncating it with overwrite). True when the
    // file is empty (new): the caller writes its header. Idempotent (false when open).
    bool open();
    void write(std::string_view text);
    void flush();  // fflush + error check: what was written is in the file
    void close();  // idempotent
    bool is_open() const noexcept { return file_ != nullptr; }
    const std::string &path() const noexcept { return path_; }
    [[noreturn]] void fail(const std::string &what, int err) const;

  private:
    [[noreturn]] void refuse(const std::string &what) const;
    // Refuses unless the content of the open descriptor `fd` may be appended to.
    void check_content(int fd) const;

    std::string kind_;
    std::string path_;
    SinkOptions options_;
    SameFormat same_format_;
    std::string line_end_;
    std::FILE *file_ = nullptr;
};

// The same existence checks for a destination that is not a text file (SQLite): a symlink
// refused unless followed, a directory refused, a missing or unwritable parent directory a
// SinkError. Returns whether something exists at the path.
bool check_destination(const std::string &kind, const std::string &path,
                       const SinkOptions &options);

}  // namespace anyserial::sinks

// anyserial — OutputFile: the rules of output_file.hpp on POSIX descriptors. The decision
// is taken twice, in check() (looks only) and again in open() on the descriptor it opened,
// so a file that changed in between is still never truncated or followed unasked.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <anyserial/sinks/output_file.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

namespace anyserial::sinks {

namespace {

constexpr std::size_t kMaxFirstLine = 64 * 1024;  // far beyond any header this writes

std::string symlink_refusal() {
    return "is a symbolic link; refusing to write through it (--follow-symlinks allows it)";
}

// The first line of `fd` (at most kMaxFirstLine bytes, without CR LF), read with pread so
// the descriptor's offset is untouched. errno and nullopt on a read error.
std::optional<std::string> first_line(int fd) {
    std::string line;
    char buf[4096];
    for (off_t at = 0; line.size() < kMaxFirstLine;) {
        const ssize_t n = ::pread(fd, buf, sizeof buf, at);
        if (n < 0) {
            if (errno == EINTR) continue;
            return std::nullopt;
        }
        if (n == 0) break;
        const auto *nl = static_cast<const char *>(std::memchr(buf, '\n', std::size_t(n)));
        line.append(buf, nl ? std::size_t(nl - buf) : std::size_t(n));
        if (nl) break;
        at += n;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

// lstat + the rules that do not depend on the content. Returns the stat of what the path
// names (its target when a followed symlink), or nullopt when nothing is there yet.
std::optional<struct stat> inspect(const std::string &kind, const std::string &path,
                                   const SinkOptions &options) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (S_ISLNK(st.st_mode)) {
            if (!options.follow_symlinks) throw SinkRefusedError(kind, path, symlink_refusal());
            if (::stat(path.c_str(), &st) != 0) {
                if (errno == ENOENT) return std::nullopt;  // a dangling link: its target is made
                throw SinkError(kind, path, std::string("cannot access: ") + std::strerror(errno));
            }
        }
        if (S_ISDIR(st.st_mode)) throw SinkRefusedError(kind, path, "is a directory");
        return st;
    }
    const int err = errno;
    if (err != ENOENT)
        throw SinkError(kind, path, std::string("cannot access: ") + std::strerror(err));
    std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (parent.empty()) parent = ".";
    if (::access(parent.c_str(), W_OK | X_OK) != 0)
        throw SinkError(kind, path, std::string("cannot create: ") + std::strerror(errno));
    return std::nullopt;
}

}  // namespace

bool check_destination(const std::string &kind, const std::string &path,
                       const SinkOptions &options) {
    return inspect(kind, path, options).has_value();
}

OutputFile::OutputFile(std::string kind, std::string path, SinkOptions options,
                       SameFormat same_format, std::string line_end)
    : kind_(std::move(kind)),
      path_(std::move(path)),
      options_(options),
      same_format_(std::move(same_format)),
      line_end_(std::move(line_end)) {}

OutputFile::~OutputFile() {
    if (file_) std::fclose(file_);
}

void OutputFile::fail(const std::string &what, int err) const {
    throw SinkError(kind_, path_, what + (err ? std::string(": ") + std::strerror(err) : ""));
}

void OutputFile::refuse(const std::string &what) const {
    throw SinkRefusedError(kind_, path_, what);
}

void OutputFile::check_content(int fd) const {
    const auto line = first_line(fd);
    if (!line) fail("cannot read", errno);
    if (!same_format_ || !same_format_(*line))
        refuse("exists with other content (not this " + kind_ +
               " format); refusing to change it (--overwrite replaces it)");
}

void OutputFile::check() const {
    const auto st = inspect(kind_, path_, options_);
    if (!st || !S_ISREG(st->st_mode) || st->st_size == 0 || options_.overwrite) return;
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
                                             (options_.follow_symlinks ? 0 : O_NOFOLLOW));
    if (fd < 0) fail("cannot read", errno);
    try {
        check_content(fd);
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
}

bool OutputFile::open() {
    if (file_) return false;
    const int flags = O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY |
                      (options_.follow_symlinks ? 0 : O_NOFOLLOW);
    const int fd = ::open(path_.c_str(), flags, 0666);
    if (fd < 0) {
        const int err = errno;
        if (err == ELOOP && !options_.follow_symlinks) refuse(symlink_refusal());
        if (err == EISDIR) refuse("is a directory");
        fail("cannot open for writing", err);
    }
    bool fresh = true, torn = false;
    try {
        struct stat st {};
        if (::fstat(fd, &st) != 0) fail("cannot open for writing", errno);
        if (S_ISREG(st.st_mode) && st.st_size > 0) {
            if (options_.overwrite) {
                if (::ftruncate(fd, 0) != 0) fail("cannot truncate", errno);
            } else {
                check_content(fd);
                fresh = false;
                char last = '\n';
                if (::pread(fd, &last, 1, st.st_size - 1) != 1) fail("cannot read", errno);
                torn = last != '\n';
            }
        }
        file_ = ::fdopen(fd, "a");
        if (!file_) fail("cannot open for writing", errno);
    } catch (...) {
        ::close(fd);
        throw;
    }
    if (torn) {  // the last line of a killed run: end it, so the next row stands alone
        write(line_end_);
        flush();
    }
    return fresh;
}

void OutputFile::write(std::string_view text) {
    if (!file_) fail("write on a closed sink", 0);
    if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) fail("write failed", errno);
}

void OutputFile::flush() {
    if (!file_) return;
    if (std::fflush(file_) != 0) fail("write failed", errno);
}

void OutputFile::close() {
    if (!file_) return;
    std::FILE *f = file_;
    file_ = nullptr;
    const int flushed = std::fflush(f);
    const int err = errno;
    if (std::fclose(f) != 0 || flushed != 0) fail("close failed", flushed != 0 ? err : errno);
}

}  // namespace anyserial::sinks

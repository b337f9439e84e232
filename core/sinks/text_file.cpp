#include "sinks/text_file.hpp"

#include <cerrno>
#include <cstring>

namespace anyserial::sinks::detail {

TextFile::~TextFile() {
    if (file_) std::fclose(file_);
}

void TextFile::fail(const std::string &what, int err) const {
    throw SinkError(kind_, path_, what + (err ? std::string(": ") + std::strerror(err) : ""));
}

void TextFile::open() {
    if (file_) return;
    file_ = std::fopen(path_.c_str(), "w");
    if (!file_) fail("cannot open for writing", errno);
}

void TextFile::write(std::string_view text) {
    if (!file_) fail("write on a closed sink", 0);
    if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) fail("write failed", errno);
}

void TextFile::flush() {
    if (!file_) return;
    if (std::fflush(file_) != 0) fail("write failed", errno);
}

void TextFile::close() {
    if (!file_) return;
    std::FILE *f = file_;
    file_ = nullptr;
    const int flushed = std::fflush(f);
    const int err = errno;
    if (std::fclose(f) != 0 || flushed != 0) fail("close failed", flushed != 0 ? err : errno);
}

}  // namespace anyserial::sinks::detail

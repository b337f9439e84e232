// anyserial — pre-dlopen checks of a plugin file (see file_check.hpp).
#include "plugin/file_check.hpp"

#include <elf.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <link.h>  // ElfW
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace anyserial::plugin_detail {
namespace {

namespace fs = std::filesystem;

// The ELF header of a shared object built for this process's class, byte order and machine.
std::optional<std::string> elf_problem(const fs::path &file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return fmt::format("cannot open: {}", std::strerror(errno));
    ElfW(Ehdr) h{};
    const ssize_t n = ::read(fd, &h, sizeof h);
    ::close(fd);
    if (n != static_cast<ssize_t>(sizeof h) || std::memcmp(h.e_ident, ELFMAG, SELFMAG) != 0)
        return std::string("not an ELF file (no ELF header)");
#if __SIZEOF_POINTER__ == 8
    constexpr unsigned char kClass = ELFCLASS64;
#else
    constexpr unsigned char kClass = ELFCLASS32;
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    constexpr unsigned char kData = ELFDATA2LSB;
#else
    constexpr unsigned char kData = ELFDATA2MSB;
#endif
    if (h.e_ident[EI_CLASS] != kClass || h.e_ident[EI_DATA] != kData)
        return std::string("ELF file of another word size or byte order than this host");
    if (h.e_type != ET_DYN)
        return fmt::format("ELF file is not a shared object (type {})", h.e_type);
#if defined(__x86_64__)
    if (h.e_machine != EM_X86_64)
        return fmt::format("ELF shared object for another machine ({})", h.e_machine);
#elif defined(__aarch64__)
    if (h.e_machine != EM_AARCH64)
        return fmt::format("ELF shared object for another machine ({})", h.e_machine);
#endif
    return std::nullopt;
}

std::string mode_text(mode_t m) {
    return fmt::format("{:04o}", m & 07777);
}

// World-writable: a refusal (or, allowed, a warning); group-writable: a warning.
void judge_writable(const fs::path &p, const char *what, bool allow_insecure, FileVerdict &v) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return;
    const std::string where =
        fmt::format("{} {} (mode {})", what, p.string(), mode_text(st.st_mode));
    if ((st.st_mode & S_IWOTH) != 0) {
        if (!allow_insecure) {
            if (!v.refusal)
                v.refusal = where +
                            " is world-writable: anyone could replace the code it runs; refused "
                            "(ANYSERIAL_ALLOW_INSECURE_PLUGINS=1 loads it anyway)";
        } else {
            v.warnings.push_back(where +
                                 " is world-writable; loaded because insecure plugins "
                                 "are allowed");
        }
    } else if ((st.st_mode & S_IWGRP) != 0) {
        v.warnings.push_back(where + " is group-writable: its group can replace the code it runs");
    }
}

}  // namespace

FileVerdict check_plugin_file(const fs::path &given, const fs::path &real, bool allow_insecure) {
    FileVerdict v;
    struct stat st {};
    if (::stat(real.c_str(), &st) != 0) {
        v.refusal = fmt::format("cannot load: {}", std::strerror(errno));
        return v;
    }
    if (!S_ISREG(st.st_mode)) {
        v.refusal = "cannot load: not a regular file";
        return v;
    }
    if (auto p = elf_problem(real)) {
        v.refusal = "cannot load: " + *p + "; refused before loading";
        return v;
    }
    judge_writable(real, "plugin file", allow_insecure, v);
    judge_writable(real.parent_path(), "plugin directory", allow_insecure, v);
    // A symlink in one directory to a file in another: the directory of the link counts too.
    const fs::path given_dir = fs::absolute(given).parent_path();
    std::error_code ec;
    if (!fs::equivalent(given_dir, real.parent_path(), ec))
        judge_writable(given_dir, "plugin directory", allow_insecure, v);
    return v;
}

}  // namespace anyserial::plugin_detail

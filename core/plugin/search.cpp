// anyserial — plugin search directories.
#include "plugin/search.hpp"

#include <dlfcn.h>

#include <system_error>

namespace anyserial::plugin_detail {
namespace {

namespace fs = std::filesystem;

// dladdr on an object inside libanyserial names the file the library was loaded from.
const char kAnchor = 0;

fs::path library_dir() {
    Dl_info info{};
    if (dladdr(&kAnchor, &info) == 0 || info.dli_fname == nullptr) return {};
    std::error_code ec;
    fs::path lib = fs::canonical(info.dli_fname, ec);
    return ec ? fs::path{} : lib.parent_path();
}

bool same_dir(const fs::path &a, const fs::path &b) {
    std::error_code ec;
    return !a.empty() && !b.empty() && fs::equivalent(a, b, ec) && !ec;
}

bool is_dir(const fs::path &p) {
    std::error_code ec;
    return !p.empty() && fs::is_directory(p, ec);
}

}  // namespace

std::vector<fs::path> default_plugin_dirs() {
    std::vector<fs::path> dirs;
    const fs::path lib_dir = library_dir();
    if (same_dir(lib_dir, ANYSERIAL_BUILD_LIB_DIR)) {
        if (is_dir(ANYSERIAL_BUILD_PLUGIN_DIR)) dirs.emplace_back(ANYSERIAL_BUILD_PLUGIN_DIR);
        return dirs;
    }
    if (is_dir(ANYSERIAL_INSTALL_PLUGIN_DIR)) dirs.emplace_back(ANYSERIAL_INSTALL_PLUGIN_DIR);
    if (!lib_dir.empty()) {
        fs::path relocated = lib_dir / "anyserial" / "plugins";
        if (is_dir(relocated)) dirs.push_back(std::move(relocated));
    }
    return dirs;
}

std::vector<fs::path> split_path_list(std::string_view list) {
    std::vector<fs::path> out;
    while (!list.empty()) {
        const auto colon = list.find(':');
        const std::string_view item = list.substr(0, colon);
        if (!item.empty()) out.emplace_back(item);
        if (colon == std::string_view::npos) break;
        list.remove_prefix(colon + 1);
    }
    return out;
}

bool is_plugin_file_name(std::string_view name) noexcept {
    if (name.starts_with("lib")) name.remove_prefix(3);
    return name.starts_with("anyserial-") && name.ends_with(".so") &&
           name.size() > std::string_view("anyserial-.so").size();
}

}  // namespace anyserial::plugin_detail

// anyserial — where plugins are looked for, and which files are plugins.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

namespace anyserial::plugin_detail {

// The default directories before ANYSERIAL_PLUGIN_PATH and --plugin-dir, in order.
// When libanyserial itself runs from the build tree only the build tree's plugin dir is
// used (an older install must not shadow or duplicate fresh plugins); otherwise the
// configured install dir and <dir of libanyserial>/anyserial/plugins (a relocated
// install). Only existing directories are returned.
std::vector<std::filesystem::path> default_plugin_dirs();

// Entries of a colon-separated path list, empty entries skipped.
std::vector<std::filesystem::path> split_path_list(std::string_view list);

// libanyserial-*.so or anyserial-*.so
bool is_plugin_file_name(std::string_view name) noexcept;

}  // namespace anyserial::plugin_detail

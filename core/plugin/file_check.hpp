// anyserial — what is checked about a plugin file before it is dlopen()ed. Loading a
// plugin runs its code (its constructors run inside dlopen, before any ABI check), so a
// file is refused before that when it cannot be a plugin or when others could have put
// it there: see docs/plugin-authoring.md, "Loading runs code".
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace anyserial::plugin_detail {

struct FileVerdict {
    std::optional<std::string> refusal;  // set: do not dlopen
    std::vector<std::string> warnings;   // logged, the file is loaded
};

// `given` is the path as found (in a plugin directory or from load_file), `real` its
// canonical form. Refused: not a regular file; not an ELF shared object for this machine;
// the file, or the directory it or its symlink lives in, is world-writable (unless
// allow_insecure: then a warning). Warned: group-writable file or directory.
FileVerdict check_plugin_file(const std::filesystem::path &given, const std::filesystem::path &real,
                              bool allow_insecure);

}  // namespace anyserial::plugin_detail

// anyserial CLI — the one device the CLI names: `demo`'s default (and `decode`'s when more
// than one broadcast protocol is loaded), the Servomex 4100 in continuous mode, whose
// simulator broadcasts without being asked. Every other verb takes what the user names.
#pragma once

namespace anyserial::cli {

inline constexpr const char *kDefaultDevice = "servomex-4100:continuous";

}  // namespace anyserial::cli

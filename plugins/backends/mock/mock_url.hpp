// Parsing of mock port names: SCHEME://NAME/a or SCHEME://NAME/b.
#pragma once

#include <string>
#include <string_view>

namespace anyserial::mock {

struct MockUrl {
    std::string scheme;  // "mock" or "mock-async"
    std::string name;    // the pair's name
    int end = 0;         // 0 = "a", 1 = "b"

    std::string key() const { return scheme + "://" + name; }              // the pair
    std::string text() const { return key() + (end == 0 ? "/a" : "/b"); }  // this end
    std::string peer_text() const { return key() + (end == 0 ? "/b" : "/a"); }
};

// Throws sdk::Error(ANYSERIAL_E_NOT_FOUND) naming the accepted form when path is not
// "<scheme>://NAME/a" or "<scheme>://NAME/b" with a non-empty NAME without '/'.
MockUrl parse_mock_url(std::string_view scheme, std::string_view path);

}  // namespace anyserial::mock

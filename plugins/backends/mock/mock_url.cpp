#include "mock_url.hpp"

#include <anyserial/sdk/cpp/error.hpp>

namespace anyserial::mock {

MockUrl parse_mock_url(std::string_view scheme, std::string_view path) {
    auto reject = [&](std::string_view why) -> MockUrl {
        const std::string s(scheme);
        throw sdk::Error(ANYSERIAL_E_NOT_FOUND,
                         "'" + std::string(path) + "' is not a " + s + " port (" +
                             std::string(why) + "); the accepted form is " + s + "://NAME/a or " +
                             s + "://NAME/b with a non-empty NAME");
    };
    const std::string prefix = std::string(scheme) + "://";
    if (path.substr(0, prefix.size()) != prefix) return reject("wrong scheme");
    const std::string_view rest = path.substr(prefix.size());
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return reject("no end given");
    const std::string_view name = rest.substr(0, slash);
    const std::string_view end = rest.substr(slash + 1);
    if (name.empty()) return reject("empty NAME");
    if (end != "a" && end != "b") return reject("the end must be 'a' or 'b'");
    return MockUrl{std::string(scheme), std::string(name), end == "a" ? 0 : 1};
}

}  // namespace anyserial::mock

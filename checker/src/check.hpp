// plugin-check internals: a test is a name, a one-line description and a function that
// runs in a child process. It ends by returning (passed) or throwing Failed / Skipped.
#pragma once

#include <anyserial/sdk/backend.h>
#include <anyserial/sdk/entry.h>
#include <anyserial/sdk/protocol.h>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace anyserial::checker {

// The most backends or protocols one factory may report: the host's own bound (a larger
// count is a plugin fault, not a plugin).
inline constexpr uint32_t kMaxProviders = 1024;

struct Failed : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct Skipped : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Records what the child is about to do, so that a crash or a hang can be reported as
// "killed by SIGSEGV in factory->create(...)". Cheap: one short write to the result pipe.
void step(std::string_view what);

// The plugin as loaded in the child (dlopen RTLD_NOW | RTLD_LOCAL, then init).
struct Plugin {
    std::string path;
    void *handle = nullptr;
    const anyserial_plugin_entry_t *entry = nullptr;
    const anyserial_backend_factory_t *backends = nullptr;
    const anyserial_protocol_factory_t *protocols = nullptr;
};

struct Context {
    std::string path;
    std::uint64_t seed = 0;
    unsigned time_scale = 1;  // Options::time_scale
    std::mt19937_64 rng;

    // Loads and initialises the plugin, or throws Skipped naming the loading test that
    // fails for the same reason (that test reports it). Cached for the child's lifetime.
    Plugin &plugin();
    // The same without checking the factories (descriptors.factories does that).
    Plugin &loaded();
    // Backend descriptors (index, descriptor) of the plugin; Skipped when it has none.
    std::vector<const anyserial_backend_descriptor_t *> backends(std::uint32_t kind);
    std::vector<const anyserial_protocol_descriptor_t *> protocols();

  private:
    Plugin plugin_;
    bool loaded_ = false;
};

using TestFn = void (*)(Context &);

struct Test {
    std::string_view name;
    std::string_view description;
    TestFn fn;
};

// Every test, in run order.
const std::vector<Test> &all_tests();

// The host services the checker passes to init(): logs go nowhere, the clock is steady.
const anyserial_host_t *checker_host();

// Helpers shared by the test files.
std::string quote(std::string_view s);  // "text" with control bytes escaped, cut at 80 bytes
bool valid_utf8(std::string_view s);
std::string status_name(std::int32_t status);
std::string backend_error(const anyserial_backend_t *b);
std::string session_error(const anyserial_protocol_session_t *s);

// Test groups (each file registers its own).
void add_loading_tests(std::vector<Test> &out);
void add_descriptor_tests(std::vector<Test> &out);
void add_backend_tests(std::vector<Test> &out);
void add_async_tests(std::vector<Test> &out);
void add_protocol_tests(std::vector<Test> &out);
void add_robustness_tests(std::vector<Test> &out);

}  // namespace anyserial::checker

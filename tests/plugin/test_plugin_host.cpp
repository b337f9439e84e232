// PluginHost: search directories, plugin file names, port-name lookup, protocol
// families and the host services handed to plugins.
#define BOOST_TEST_MODULE plugin
#include <stdlib.h>

#include <algorithm>
#include <anyserial/log.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/version.hpp>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using anyserial::PluginHost;

namespace {

const fs::path kFixtures = ANYSERIAL_ABI_FIXTURE_DIR;

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "anyserial-plugin-XXXXXX").string();
        BOOST_REQUIRE(mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

// Sets an environment variable for one scope.
struct ScopedEnv {
    std::string name;
    ScopedEnv(std::string n, const std::string &value) : name(std::move(n)) {
        setenv(name.c_str(), value.c_str(), 1);
    }
    ~ScopedEnv() { unsetenv(name.c_str()); }
};

std::string id_of(const anyserial::LoadedBackend *b) {
    return b != nullptr ? b->record().id : "-";
}

}  // namespace

BOOST_AUTO_TEST_CASE(backend_for_matches_scheme_then_longest_prefix) {
    PluginHost host;
    host.load_file(kFixtures / "anyserial-abi-good.so");
    BOOST_TEST(id_of(host.backend_for("good://x")) == "good");
    BOOST_TEST(id_of(host.backend_for("GOOD://x")) == "good");  // schemes are case-insensitive
    BOOST_TEST(id_of(host.backend_for("good-async://x/a")) == "good-async");
    BOOST_TEST(id_of(host.backend_for("/dev/ttyG0")) == "good");
    BOOST_TEST(id_of(host.backend_for("/dev/ttyGA0")) == "good-async");  // longer prefix wins
    BOOST_TEST(id_of(host.backend_for("/dev/ttyS0")) == "-");
    BOOST_TEST(id_of(host.backend_for("nope://x")) == "-");
    BOOST_TEST(id_of(host.backend_for("/dev/ttyG-with://inside")) == "-");  // not a URL scheme
}

BOOST_AUTO_TEST_CASE(records_describe_each_provider) {
    PluginHost host;
    host.load_file(kFixtures / "anyserial-abi-good.so");
    BOOST_REQUIRE_EQUAL(host.plugins().size(), 4u);
    const anyserial::PluginRecord &r = host.plugins()[0];
    BOOST_TEST(r.id == "good");
    BOOST_TEST((r.kind == anyserial::PluginKind::backend));
    BOOST_TEST(r.name == "Good pipe");
    BOOST_TEST(r.version == "1.2.3");
    BOOST_TEST(r.abi == anyserial::abi_version_string());
    BOOST_TEST(r.platform == "any");
    BOOST_TEST((r.claims == std::vector<std::string>{"/dev/ttyG", "good://"}));
    const anyserial::PluginRecord &p = host.plugins()[2];
    BOOST_TEST((p.kind == anyserial::PluginKind::protocol));
    BOOST_TEST(p.device_family == "test");
    BOOST_TEST(p.mode == "a");
    BOOST_TEST(host.backends().size() == 2u);
    BOOST_TEST(host.protocols().size() == 2u);
}

BOOST_AUTO_TEST_CASE(protocols_in_family_follow_probe_rank) {
    PluginHost host;
    host.load_file(kFixtures / "anyserial-abi-good.so");
    const auto family = host.protocols_in_family("test");
    BOOST_REQUIRE_EQUAL(family.size(), 2u);
    BOOST_TEST(family[0]->record().id == "good-proto-b");  // rank 0
    BOOST_TEST(family[1]->record().id == "good-proto-a");  // rank 1
    BOOST_TEST(host.protocols_in_family("other").empty());
}

BOOST_AUTO_TEST_CASE(only_plugin_file_names_are_loaded) {
    TempDir dir;
    const fs::path good = kFixtures / "anyserial-abi-good.so";
    fs::copy_file(good, dir.path / "libanyserial-copy.so");
    fs::copy_file(good, dir.path / "anyserial-copy.so.bak");
    fs::copy_file(good, dir.path / "other.so");
    fs::create_directory(dir.path / "anyserial-dir.so");
    PluginHost host;
    host.load_directory(dir.path);
    BOOST_TEST(host.refused().empty());
    BOOST_REQUIRE_EQUAL(host.backends().size(), 2u);
    BOOST_TEST(host.backends()[0]->record().path.filename() == "libanyserial-copy.so");
}

BOOST_AUTO_TEST_CASE(search_order_env_then_extra_dirs_each_once) {
    TempDir env_dir;
    TempDir extra_dir;
    fs::copy_file(kFixtures / "anyserial-abi-claim-dup-a.so", env_dir.path / "anyserial-a.so");
    fs::copy_file(kFixtures / "anyserial-abi-claim-dup-b.so", extra_dir.path / "anyserial-b.so");
    const ScopedEnv env("ANYSERIAL_PLUGIN_PATH", env_dir.path.string() +
                                                     "::" + (env_dir.path / "missing").string() +
                                                     ":" + env_dir.path.string());
    PluginHost host;
    host.load_default({extra_dir.path, env_dir.path});
    const auto &searched = host.searched_directories();
    // The build tree's plugin dir comes first when it exists (this binary runs from the
    // build tree), then the environment, then the extra dirs; each once.
    std::vector<fs::path> tail(searched.end() - 2, searched.end());
    BOOST_TEST((tail == std::vector<fs::path>{env_dir.path, extra_dir.path}));
    if (fs::is_directory(ANYSERIAL_TEST_BUILD_PLUGIN_DIR))
        BOOST_TEST(searched.front() == fs::canonical(ANYSERIAL_TEST_BUILD_PLUGIN_DIR));
    BOOST_TEST(std::count(searched.begin(), searched.end(), env_dir.path) == 1);
    // The environment's copy of "dup" wins: it was searched before the extra dir.
    BOOST_REQUIRE(host.backend("dup") != nullptr);
    BOOST_TEST(host.backend("dup")->record().path == env_dir.path / "anyserial-a.so");
    BOOST_REQUIRE(!host.refused().empty());
    BOOST_TEST(host.refused().back().path == extra_dir.path / "anyserial-b.so");
}

BOOST_AUTO_TEST_CASE(missing_file_is_refused_not_thrown) {
    PluginHost host;
    host.load_file("/nonexistent/anyserial-nothing.so");
    BOOST_REQUIRE_EQUAL(host.refused().size(), 1u);
    BOOST_TEST(host.refused()[0].reason.find("cannot load: ") == 0u);
    BOOST_TEST(host.refused()[0].reason.find("No such file") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(host_services_follow_the_log_level_and_clock) {
    PluginHost host;
    const anyserial_host_t &h = host.c_host();
    BOOST_TEST(h.struct_size == sizeof(anyserial_host_t));
    BOOST_TEST(h.abi_major == 1u);
    BOOST_TEST(std::string(h.host_name) == "anyserial");
    anyserial::log::set_level(anyserial::log::Level::info);
    BOOST_TEST(h.log_enabled(&h, ANYSERIAL_LOG_DEBUG, nullptr) == 0);
    BOOST_TEST(h.log_enabled(&h, ANYSERIAL_LOG_INFO, "anyserial.test") != 0);
    anyserial::log::set_level(anyserial::log::Level::off);
    BOOST_TEST(h.log_enabled(&h, ANYSERIAL_LOG_CRITICAL, nullptr) == 0);
    h.log(&h, ANYSERIAL_LOG_ERROR, nullptr, "dropped: logging is off");
    anyserial::log::set_level(anyserial::log::Level::warn);
    const uint64_t t0 = h.monotonic_ns(&h);
    const uint64_t t1 = h.monotonic_ns(&h);
    BOOST_TEST(t1 >= t0);
    BOOST_TEST(h.get_extension(&h, "anyserial.host.anything/1") == nullptr);
}

BOOST_AUTO_TEST_CASE(log_levels_parse_and_print) {
    using anyserial::log::Level;
    BOOST_TEST((anyserial::log::parse_level("debug") == Level::debug));
    BOOST_TEST((anyserial::log::parse_level("warning") == Level::warn));
    BOOST_TEST(!anyserial::log::parse_level("loud").has_value());
    BOOST_TEST(anyserial::log::to_string(Level::off) == "off");
}

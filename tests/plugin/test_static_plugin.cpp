// PluginHost::add_static: a plugin linked into the executable goes through the same
// version negotiation, validation, claims and refusals as a plugin file.
#include <anyserial/plugin_host.hpp>
#include <anyserial/sdk/cpp/backend.hpp>
#include <anyserial/version.hpp>
#include <boost/test/unit_test.hpp>
#include <string>

namespace sdk = anyserial::sdk;

namespace {

// A backend that is never opened here: only its registration is under test.
class StaticLoop final : public sdk::Backend {
  public:
    static const anyserial_backend_descriptor_t &describe() noexcept {
        static const char *const schemes[] = {"static-loop", nullptr};
        static const anyserial_capabilities_t caps =
            sdk::make_capabilities(ANYSERIAL_CAP_UNSUPPORTED);
        static const anyserial_backend_descriptor_t d = {sizeof d,
                                                         "static-loop",
                                                         "Static loop",
                                                         "tests",
                                                         "0.1.0",
                                                         "linked into the test",
                                                         "any",
                                                         ANYSERIAL_BACKEND_KIND_SYNC_FD,
                                                         0,
                                                         nullptr,
                                                         schemes,
                                                         &caps};
        return d;
    }
    void open(const char *, const anyserial_serial_config_t &, sdk::ConfigReport &) override {
        throw sdk::Error(ANYSERIAL_E_NOT_SUPPORTED, "static-loop cannot open");
    }
    void close() override {}
    int fileno() const noexcept override { return -1; }
};

const void *get_factory(const char *id) noexcept {
    return sdk::lookup_factory(
        id, {{ANYSERIAL_BACKEND_FACTORY_ID, sdk::BackendFactory<StaticLoop>::get()}});
}

const anyserial_plugin_entry_t kEntry = {ANYSERIAL_SDK_VERSION_MAJOR,
                                         ANYSERIAL_SDK_VERSION_MINOR,
                                         ANYSERIAL_SDK_VERSION_PATCH,
                                         sdk::init_host,
                                         sdk::deinit_host,
                                         get_factory};
const anyserial_plugin_entry_t kFutureEntry = {99,         0, 0, sdk::init_host, sdk::deinit_host,
                                               get_factory};

}  // namespace

BOOST_AUTO_TEST_SUITE(static_plugins)

BOOST_AUTO_TEST_CASE(static_entry_is_listed_and_claims_its_scheme) {
    anyserial::PluginHost host;
    host.add_static(kEntry, "loop");
    host.add_static(kEntry, "loop");  // the same name twice is one registration
    BOOST_REQUIRE_EQUAL(host.plugins().size(), 1u);
    BOOST_TEST(host.refused().empty());
    const auto &rec = host.plugins().front();
    BOOST_TEST(rec.id == "static-loop");
    BOOST_TEST(rec.path.string() == "static:loop");
    BOOST_TEST(rec.abi == anyserial::abi_version_string());
    const anyserial::LoadedBackend *b = host.backend_for("static-loop://x");
    BOOST_REQUIRE(b != nullptr);
    BOOST_TEST(b->record().id == "static-loop");
    auto instance = b->create();
    BOOST_TEST(instance != nullptr);
}

BOOST_AUTO_TEST_CASE(static_entry_with_another_major_is_refused) {
    anyserial::PluginHost host;
    host.add_static(kFutureEntry, "future");
    BOOST_TEST(host.plugins().empty());
    BOOST_REQUIRE_EQUAL(host.refused().size(), 1u);
    BOOST_TEST(host.refused().front().path.string() == "static:future");
    BOOST_TEST(host.refused().front().reason.find("major 99") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(static_entry_duplicate_id_is_refused) {
    anyserial::PluginHost host;
    host.add_static(kEntry, "first");
    host.add_static(kEntry, "second");
    BOOST_TEST(host.plugins().size() == 1u);
    BOOST_REQUIRE_EQUAL(host.refused().size(), 1u);
    BOOST_TEST(host.refused().front().reason.find("already provided by static:first") !=
               std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

// find_serial_port (serial seed §23): the first port, in device order, whose discovery
// record matches every field the caller gave; nothing when none does. Driven by a static
// backend whose discovery extension reports a fixed set of ports.
#include <anyserial/sdk/ext/discovery.h>

#include <anyserial/discovery.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/sdk/cpp/backend.hpp>
#include <boost/test/unit_test.hpp>
#include <cstring>

namespace sdk = anyserial::sdk;

namespace {

int32_t list_fixed(anyserial_port_visitor_fn visit, void *user) noexcept {
    auto info = [](const char *dev, int32_t vid, int32_t pid, const char *serial,
                   const char *product) {
        anyserial_port_info_t p{};
        p.struct_size = sizeof p;
        p.device = dev;
        p.vid = vid;
        p.pid = pid;
        p.serial_number = serial;
        p.product = product;
        return p;
    };
    // Not in device order: find_serial_port must still answer the lowest device first.
    const anyserial_port_info_t ports[] = {
        info("findtest://ttyUSB2", 0x0403, 0x6001, "FT-B", "FT232R"),
        info("findtest://ttyACM0", 0x2341, 0x0043, "ARD-1", "Uno"),
        info("findtest://ttyUSB1", 0x0403, 0x6001, "FT-A", "FT232R"),
        info("findtest://ttyS0", -1, -1, nullptr, nullptr),
    };
    for (const auto &p : ports)
        if (visit(user, &p) != 0) break;
    return ANYSERIAL_OK;
}

const anyserial_discovery_ext_t kDiscovery = {sizeof(anyserial_discovery_ext_t), &list_fixed};

class FindTestBackend final : public sdk::Backend {
  public:
    static const anyserial_backend_descriptor_t &describe() noexcept {
        static const char *const schemes[] = {"findtest", nullptr};
        static const anyserial_capabilities_t caps =
            sdk::make_capabilities(ANYSERIAL_CAP_UNSUPPORTED);
        static const anyserial_backend_descriptor_t d = {sizeof d,
                                                         "findtest",
                                                         "Discovery fixture",
                                                         "tests",
                                                         "0.1.0",
                                                         "reports fixed ports",
                                                         "any",
                                                         ANYSERIAL_BACKEND_KIND_SYNC_FD,
                                                         0,
                                                         nullptr,
                                                         schemes,
                                                         &caps};
        return d;
    }
    static const void *factory_extension(const char *id) noexcept {
        return id != nullptr && std::strcmp(id, ANYSERIAL_EXT_DISCOVERY_ID) == 0 ? &kDiscovery
                                                                                 : nullptr;
    }
    void open(const char *, const anyserial_serial_config_t &, sdk::ConfigReport &) override {
        throw sdk::Error(ANYSERIAL_E_NOT_SUPPORTED, "findtest cannot open");
    }
    void close() override {}
    int fileno() const noexcept override { return -1; }
};

const void *get_factory(const char *id) noexcept {
    return sdk::lookup_factory(
        id, {{ANYSERIAL_BACKEND_FACTORY_ID, sdk::BackendFactory<FindTestBackend>::get()}});
}

const anyserial_plugin_entry_t kEntry = {ANYSERIAL_SDK_VERSION_MAJOR,
                                         ANYSERIAL_SDK_VERSION_MINOR,
                                         ANYSERIAL_SDK_VERSION_PATCH,
                                         sdk::init_host,
                                         sdk::deinit_host,
                                         get_factory};

}  // namespace

BOOST_AUTO_TEST_SUITE(find_serial_port)

BOOST_AUTO_TEST_CASE(first_match_by_vid_pid_serial) {
    anyserial::PluginHost host;
    host.add_static(kEntry, "findtest");

    auto ftdi = anyserial::find_serial_port(host, 0x0403, 0x6001);
    BOOST_TEST_REQUIRE(ftdi.has_value());
    BOOST_TEST(ftdi->device == "findtest://ttyUSB1");  // the lowest device of the two
    BOOST_TEST(ftdi->backend == "findtest");

    auto b = anyserial::find_serial_port(host, 0x0403, 0x6001, std::string("FT-B"));
    BOOST_TEST_REQUIRE(b.has_value());
    BOOST_TEST(b->device == "findtest://ttyUSB2");

    auto uno = anyserial::find_serial_port(host, 0x2341);
    BOOST_TEST_REQUIRE(uno.has_value());
    BOOST_TEST(uno->product.value_or("") == "Uno");

    anyserial::PortFilter by_product;
    by_product.product = "FT232R";
    by_product.serial_number = "FT-A";
    BOOST_TEST(anyserial::find_serial_port(host, by_product)->device == "findtest://ttyUSB1");

    BOOST_TEST(!anyserial::find_serial_port(host, 0x0403, 0x6015).has_value());
    BOOST_TEST(!anyserial::find_serial_port(host, 0x0403, 0x6001, std::string("nope")));
    // No criteria: the first port of all.
    BOOST_TEST(anyserial::find_serial_port(host, anyserial::PortFilter{})->device ==
               "findtest://ttyACM0");
}

BOOST_AUTO_TEST_SUITE_END()

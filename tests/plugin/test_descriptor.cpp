// "anyserial.protocol/2" descriptors are validated before the host trusts them: each case
// breaks one rule of a valid descriptor and the protocol is refused with the reason.
#include <anyserial/sdk/entry.h>
#include <anyserial/sdk/protocol.h>

#include <anyserial/plugin_host.hpp>
#include <boost/test/unit_test.hpp>
#include <functional>
#include <string>
#include <vector>

namespace {

// A valid descriptor whose parts a test may break before registering it.
struct Spec {
    anyserial_serial_config_t serial{};
    anyserial_address_syntax_t address{};
    std::vector<anyserial_flag_info_t> flag_store;
    std::vector<const anyserial_flag_info_t *> flags;
    anyserial_arg_info_t arg{};
    const anyserial_arg_info_t *args[1] = {&arg};
    std::vector<anyserial_command_info_t> command_store;
    std::vector<const anyserial_command_info_t *> commands;
    anyserial_protocol_descriptor_t d{};
    std::vector<std::string> ids;  // storage for generated flag ids

    Spec() {
        serial.struct_size = sizeof serial;
        serial.baudrate = 9600;
        serial.byte_size = 8;
        address = {sizeof address, ANYSERIAL_ADDRESS_LETTER, 'A', 'Z', "A", "unit id A..Z"};
        add_flag("HLD", ANYSERIAL_SEVERITY_INFO);
        add_flag("OVR", ANYSERIAL_SEVERITY_WARNING);
        arg.struct_size = sizeof arg;
        arg.value_type = ANYSERIAL_VALUE_NUMBER;
        arg.id = "value";
        arg.has_range = true;
        arg.min = 0;
        arg.max = 100;
        command_store.push_back({sizeof(anyserial_command_info_t), ANYSERIAL_SAFETY_STATE_CHANGING,
                                 "setpoint.set", "set", 1, 0, args});
        command_store.push_back({sizeof(anyserial_command_info_t), ANYSERIAL_SAFETY_READ_ONLY,
                                 "setpoint.get", "get", 0, 0, nullptr});
        d.struct_size = sizeof d;
        d.traffic = ANYSERIAL_TRAFFIC_REQUEST_RESPONSE;
        d.id = "acme-flow";
        d.name = "Acme flow";
        d.device_family = "acme";
        d.mode = "ascii";
        d.capabilities = ANYSERIAL_PCAP_READ_FRAME;
        d.address = &address;
        d.default_serial = &serial;
    }
    void add_flag(const char *id, std::uint32_t severity) {
        flag_store.push_back({sizeof(anyserial_flag_info_t), severity, id, id, nullptr});
    }
    // Pointers into the stores, taken once every change is made.
    const anyserial_protocol_descriptor_t *finish() {
        flags.clear();
        for (const auto &f : flag_store)
            flags.push_back(&f);
        commands.clear();
        for (const auto &c : command_store)
            commands.push_back(&c);
        d.flag_count = static_cast<std::uint32_t>(flags.size());
        d.flags = flags.data();
        d.command_count = static_cast<std::uint32_t>(commands.size());
        d.commands = commands.data();
        return &d;
    }
};

// One registered descriptor at a time (the entry points are plain C functions).
const anyserial_protocol_descriptor_t *g_desc = nullptr;

std::uint32_t count(const anyserial_protocol_factory_t *) {
    return 1;
}
const anyserial_protocol_descriptor_t *get(const anyserial_protocol_factory_t *, std::uint32_t i) {
    return i == 0 ? g_desc : nullptr;
}
std::int32_t create(const anyserial_protocol_factory_t *, const char *,
                    const anyserial_protocol_options_t *, anyserial_protocol_session_t **) {
    return ANYSERIAL_E_NOT_SUPPORTED;
}
const anyserial_protocol_factory_t kFactory = {sizeof(anyserial_protocol_factory_t), count, get,
                                               create, nullptr};
std::int32_t init(const anyserial_host_t *) {
    return ANYSERIAL_OK;
}
void deinit() {}
const void *get_factory(const char *id) {
    return std::string(id) == ANYSERIAL_PROTOCOL_FACTORY_ID ? &kFactory : nullptr;
}
const anyserial_plugin_entry_t kEntry = {ANYSERIAL_SDK_VERSION_MAJOR,
                                         ANYSERIAL_SDK_VERSION_MINOR,
                                         ANYSERIAL_SDK_VERSION_PATCH,
                                         init,
                                         deinit,
                                         get_factory};

// The refusal reason for the descriptor after `breakit`, "" when it loaded.
std::string load(const std::function<void(Spec &)> &breakit) {
    Spec spec;
    breakit(spec);
    g_desc = spec.finish();
    anyserial::PluginHost host;
    host.add_static(kEntry, "descriptor");
    if (host.protocol("acme-flow") != nullptr) return "";
    BOOST_REQUIRE_EQUAL(host.refused().size(), 1u);
    return host.refused().front().reason;
}

bool has(const std::string &s, const std::string &part) {
    return s.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(descriptor_validation)

BOOST_AUTO_TEST_CASE(valid_descriptor_loads_and_is_copied) {
    Spec spec;
    g_desc = spec.finish();
    anyserial::PluginHost host;
    host.add_static(kEntry, "descriptor");
    const anyserial::LoadedProtocol *p = host.protocol("acme-flow");
    BOOST_REQUIRE(p != nullptr);
    BOOST_TEST(p->flag_table()->size() == 2u);
    BOOST_TEST(p->flag_table()->at(1).id == "OVR");
    BOOST_TEST((p->flag_table()->at(1).severity == anyserial::device::Severity::warning));
    BOOST_REQUIRE_EQUAL(p->commands().size(), 2u);
    const anyserial::device::CommandInfo *c = p->model().command("setpoint.set");
    BOOST_REQUIRE(c != nullptr);
    BOOST_TEST((c->safety == anyserial::device::Safety::state_changing));
    BOOST_REQUIRE_EQUAL(c->args.size(), 1u);
    BOOST_TEST(*c->args[0].max == 100.0);
    BOOST_TEST(p->address_syntax().normalise("b").value_or("") == "B");
    BOOST_TEST(p->default_serial().baudrate == 9600u);
}

BOOST_AUTO_TEST_CASE(too_many_flags) {
    const std::string r = load([](Spec &s) {
        for (int i = 0; i < 63; ++i) {
            s.ids.push_back("F" + std::to_string(i));
        }
        for (const auto &id : s.ids)
            s.add_flag(id.c_str(), ANYSERIAL_SEVERITY_INFO);
    });
    BOOST_TEST(has(r, "declares 65 flags, more than the 64"), r);
}

BOOST_AUTO_TEST_CASE(duplicate_flag_id) {
    const std::string r = load([](Spec &s) { s.add_flag("HLD", ANYSERIAL_SEVERITY_FAULT); });
    BOOST_TEST(has(r, "duplicate flag id 'HLD'"), r);
}

BOOST_AUTO_TEST_CASE(invalid_flag_severity) {
    const std::string r = load([](Spec &s) { s.flag_store[0].severity = 9; });
    BOOST_TEST(has(r, "flag 'HLD' has invalid severity 9"), r);
}

BOOST_AUTO_TEST_CASE(address_syntax_min_above_max) {
    const std::string r = load([](Spec &s) {
        s.address.min = 'Z';
        s.address.max = 'A';
    });
    BOOST_TEST(has(r, "address syntax min 90 > max 65"), r);
}

BOOST_AUTO_TEST_CASE(address_default_outside_the_syntax) {
    const std::string r = load([](Spec &s) { s.address.default_address = "7"; });
    BOOST_TEST(has(r, "address syntax default '7' is not inside the syntax"), r);
}

BOOST_AUTO_TEST_CASE(address_kind_unknown) {
    const std::string r = load([](Spec &s) { s.address.kind = 42; });
    BOOST_TEST(has(r, "address syntax kind 42 is invalid"), r);
}

BOOST_AUTO_TEST_CASE(command_arg_min_above_max) {
    const std::string r = load([](Spec &s) {
        s.arg.min = 10;
        s.arg.max = 1;
    });
    BOOST_TEST(has(r, "command 'setpoint.set' argument #0 'value' has min 10"), r);
}

BOOST_AUTO_TEST_CASE(command_arg_choices_null) {
    const std::string r = load([](Spec &s) { s.arg.choice_count = 2; });
    BOOST_TEST(has(r, "choices is NULL"), r);
}

BOOST_AUTO_TEST_CASE(duplicate_command_id) {
    const std::string r = load([](Spec &s) { s.command_store[1].id = "setpoint.set"; });
    BOOST_TEST(has(r, "duplicate command 'setpoint.set'"), r);
}

BOOST_AUTO_TEST_CASE(invalid_command_safety) {
    const std::string r = load([](Spec &s) { s.command_store[1].safety = 0; });
    BOOST_TEST(has(r, "command 'setpoint.get' has invalid safety 0"), r);
}

BOOST_AUTO_TEST_CASE(malformed_ids_and_text) {
    BOOST_TEST(has(load([](Spec &s) { s.d.id = "acme flow"; }), "is not 1..64 characters"));
    BOOST_TEST(
        has(load([](Spec &s) { s.d.name = "bad\xC0\xAFname"; }), "name is not clean UTF-8 text"));
    BOOST_TEST(has(load([](Spec &s) { s.d.mode = "a:b"; }), "mode 'a:b' is not a valid id"));
}

BOOST_AUTO_TEST_CASE(null_default_serial_and_short_struct) {
    BOOST_TEST(has(load([](Spec &s) { s.d.default_serial = nullptr; }), "default_serial is NULL"));
    BOOST_TEST(has(load([](Spec &s) { s.d.struct_size = 16; }),
                   "descriptor struct_size 16 is smaller than"));
}

BOOST_AUTO_TEST_SUITE_END()

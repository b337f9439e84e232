// The anyserial binary: global options, exit codes, `plugins --json` and `command --list`.
#define BOOST_TEST_MODULE host
#include <sys/wait.h>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <string>

namespace json = boost::json;

namespace {

struct Run {
    int exit_code = -1;
    std::string out;  // stdout only; stderr goes to the test log
};

std::string quote(const std::string &s) {
    std::string q = "'";
    for (char c : s)
        q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

Run run(const std::string &args) {
    const std::string cmd = quote(ANYSERIAL_CLI) + " " + args;
    Run r;
    FILE *p = popen(cmd.c_str(), "r");
    BOOST_REQUIRE_MESSAGE(p != nullptr, "popen " << cmd);
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        r.out.append(buf, n);
    const int status = pclose(p);
    BOOST_REQUIRE(WIFEXITED(status));
    r.exit_code = WEXITSTATUS(status);
    return r;
}

const std::string kFixtures = ANYSERIAL_ABI_FIXTURE_DIR;

const json::object *find(const json::array &items, const char *key, const std::string &value) {
    for (const auto &v : items)
        if (v.as_object().at(key).as_string() == value) return &v.as_object();
    return nullptr;
}

std::string fixture(const std::string &name) {
    return kFixtures + "/anyserial-abi-" + name + ".so";
}

}  // namespace

BOOST_AUTO_TEST_CASE(version_prints_library_and_abi) {
    const Run r = run("--version");
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out == "anyserial 0.1.0 (plugin ABI 1.2.0)\n");
}

BOOST_AUTO_TEST_CASE(unknown_verb_is_a_usage_error) {
    BOOST_TEST(run("bogus 2>/dev/null").exit_code == 2);
    BOOST_TEST(run("2>/dev/null").exit_code == 2);                  // no verb
    BOOST_TEST(run("--bogus plugins 2>/dev/null").exit_code == 2);  // unknown global
    BOOST_TEST(run("plugins --bogus 2>/dev/null").exit_code == 2);  // unknown verb option
    BOOST_TEST(run("--log-level loud plugins 2>/dev/null").exit_code == 2);
    const Run usage = run("bogus 2>&1");
    BOOST_TEST(usage.out.find("unknown command 'bogus'") != std::string::npos);
    BOOST_TEST(usage.out.find("plugins") != std::string::npos);  // verbs are listed
}

BOOST_AUTO_TEST_CASE(help_exits_zero) {
    const Run r = run("--help");
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out.find("--plugin-dir") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(plugins_json_lists_plugins_and_refusals) {
    // --plugin-dir after the verb, --log-level before it: both are global options.
    const Run r = run("--log-level off plugins --json --plugin-dir " + quote(kFixtures));
    BOOST_TEST(r.exit_code == 0);
    const json::object doc = json::parse(r.out).as_object();
    BOOST_TEST(doc.size() == 2u);
    const json::array &plugins = doc.at("plugins").as_array();
    const json::array &refused = doc.at("refused").as_array();

    const json::object *future = find(refused, "path", fixture("future"));
    BOOST_REQUIRE(future != nullptr);
    BOOST_TEST(future->at("reason").as_string() == "plugin ABI major 99, host supports 1");
    const json::object *noentry = find(refused, "path", fixture("noentry"));
    BOOST_REQUIRE(noentry != nullptr);
    BOOST_TEST(std::string(noentry->at("reason").as_string()).find("anyserial_plugin_entry") !=
               std::string::npos);

    const json::object *good = find(plugins, "id", "good");
    BOOST_REQUIRE(good != nullptr);
    BOOST_TEST(good->at("kind").as_string() == "backend");
    BOOST_TEST(good->at("name").as_string() == "Good pipe");
    BOOST_TEST(good->at("version").as_string() == "1.2.3");
    BOOST_TEST(good->at("abi").as_string() == "1.2.0");
    BOOST_TEST(good->at("path").as_string() == fixture("good"));
    BOOST_TEST(good->at("claims") == (json::array{"/dev/ttyG", "good://"}));
    const json::object *proto = find(plugins, "id", "good-proto-a");
    BOOST_REQUIRE(proto != nullptr);
    BOOST_TEST(proto->at("kind").as_string() == "protocol");
    BOOST_TEST(proto->at("claims").as_array().empty());

#ifdef ANYSERIAL_TEST_HAVE_MOCK
    for (const char *id : {"mock", "mock-async"}) {
        const json::object *mock = find(plugins, "id", id);
        BOOST_REQUIRE_MESSAGE(mock != nullptr, id << " is not listed");
        BOOST_TEST(mock->at("kind").as_string() == "backend");
        BOOST_TEST(std::string(mock->at("path").as_string()).ends_with("/anyserial-mock.so"));
    }
#endif
}

BOOST_AUTO_TEST_CASE(plugins_table_shows_refusals) {
    const Run r = run("plugins --plugin-dir=" + quote(kFixtures) + " 2>/dev/null");
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out.find("ID") == 0u);
    BOOST_TEST(r.out.find("\nrefused:\n") != std::string::npos);
    BOOST_TEST(r.out.find(fixture("future") + ": plugin ABI major 99, host supports 1") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(plugins_refuses_a_protocol_v1_only_plugin_naming_the_version) {
    const std::string dir = ANYSERIAL_HOST_FIXTURE_DIR;
    const Run r = run("--log-level off plugins --json --plugin-dir " + quote(dir));
    BOOST_TEST(r.exit_code == 0);
    const json::value doc = json::parse(r.out);
    const json::array &refused = doc.at("refused").as_array();
    const json::object *v1 = find(refused, "path", dir + "/anyserial-host-protocol-v1.so");
    BOOST_REQUIRE_MESSAGE(v1 != nullptr, r.out);
    const std::string reason(v1->at("reason").as_string());
    BOOST_TEST_MESSAGE("reason: " << reason);
    BOOST_TEST(reason.find("protocol/1") != std::string::npos);
    // The table says it too.
    const Run t = run("plugins --plugin-dir " + quote(dir) + " 2>/dev/null");
    BOOST_TEST(t.out.find(dir + "/anyserial-host-protocol-v1.so: ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(plugins_json_shows_what_a_protocol_declares) {
    const Run r = run("--log-level off plugins --json");
    BOOST_TEST(r.exit_code == 0);
    const json::value doc = json::parse(r.out);
    const json::array &plugins = doc.at("plugins").as_array();
    const json::object *rtu = find(plugins, "id", "servomex-modbus-rtu");
    BOOST_REQUIRE(rtu != nullptr);
    BOOST_TEST(rtu->at("traffic").as_string() == "request-response");
    BOOST_TEST(rtu->at("simulator").as_bool());
    BOOST_TEST(rtu->at("address").as_object().at("default").as_string() == "1");
    BOOST_TEST(rtu->at("commands").as_array().size() == 3u);
    const json::object *cont = find(plugins, "id", "servomex-continuous");
    BOOST_REQUIRE(cont != nullptr);
    BOOST_TEST(cont->at("traffic").as_string() == "broadcast");
    BOOST_TEST(cont->at("address").is_null());
    BOOST_TEST(cont->at("commands").as_array().empty());
}

// The declaration as the plugin gives it: ids, tiers, typed and ranged arguments; no port.
BOOST_AUTO_TEST_CASE(command_list_json_shows_the_declared_commands) {
    const Run r = run("--log-level off command --protocol servomex-4100:modbus-rtu --list --json");
    BOOST_TEST(r.exit_code == 0);
    const json::value doc = json::parse(r.out);
    const json::array &protocols = doc.at("protocols").as_array();
    BOOST_REQUIRE(protocols.size() == 1u);
    BOOST_TEST(protocols[0].as_object().at("protocol").as_string() == "servomex-modbus-rtu");
    const json::array &cmds = protocols[0].as_object().at("commands").as_array();
    const json::object *start = find(cmds, "id", "calibration.start");
    BOOST_REQUIRE(start != nullptr);
    BOOST_TEST(start->at("safety").as_string() == "state-changing");
    const json::array &args = start->at("args").as_array();
    BOOST_REQUIRE(args.size() == 1u);
    BOOST_TEST(args[0].as_object().at("id").as_string() == "group");
    BOOST_TEST(args[0].as_object().at("type").as_string() == "integer");
    BOOST_TEST(args[0].as_object().at("min").to_number<double>() == 1.0);
    const json::object *status = find(cmds, "id", "calibration.status");
    BOOST_REQUIRE(status != nullptr);
    BOOST_TEST(status->at("safety").as_string() == "read-only");
}

BOOST_AUTO_TEST_CASE(help_texts_say_device_not_analyser) {
    for (const char *verb : {"read", "stream", "record", "discover", "simulate", "demo", "decode",
                             "command", "calibrate", "diag jitter"}) {
        const Run r = run(std::string(verb) + " --help");
        BOOST_TEST(r.exit_code == 0, verb);
        BOOST_TEST(r.out.find("analyser") == std::string::npos, verb << ": " << r.out);
        BOOST_TEST(r.out.find("analyzer") == std::string::npos, verb << ": " << r.out);
    }
    const Run top = run("--help");
    BOOST_TEST(top.out.find("analyser") == std::string::npos, top.out);
}

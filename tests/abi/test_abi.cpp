// ABI misbehaviour: every broken fixture is refused (or its call fails cleanly) with a
// reason naming the problem, while the well-behaved plugins keep working.
#define BOOST_TEST_MODULE abi
#include <stdlib.h>
#include <unistd.h>

#include <anyserial/discovery.hpp>
#include <anyserial/errors.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/serial_port.hpp>
#include <anyserial/sync.hpp>
#include <anyserial/version.hpp>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using anyserial::PluginHost;

namespace {

const fs::path kFixtures = ANYSERIAL_ABI_FIXTURE_DIR;

fs::path fixture(const std::string &name) {
    return kFixtures / ("anyserial-abi-" + name + ".so");
}

struct Loaded {
    PluginHost host;
    Loaded() { host.load_directory(kFixtures); }

    // The reasons recorded for one fixture file, joined by " | ".
    std::string reasons(const std::string &name) const {
        std::string all;
        for (const auto &r : host.refused())
            if (r.path == fixture(name)) all += (all.empty() ? "" : " | ") + r.reason;
        return all;
    }
    bool loaded(const std::string &id) const {
        for (const auto &p : host.plugins())
            if (p.id == id) return true;
        return false;
    }
};

bool contains(const std::string &text, const std::string &part) {
    return text.find(part) != std::string::npos;
}

std::string last_error(const anyserial_backend_t *b) {
    char buf[256];
    b->control->last_error(b, buf, sizeof buf);
    return buf;
}

anyserial_serial_config_t default_config() {
    anyserial_serial_config_t c{};
    c.struct_size = sizeof c;
    c.baudrate = 9600;
    c.byte_size = 8;
    return c;
}

// A temporary directory removed at scope exit.
struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "anyserial-abi-XXXXXX").string();
        BOOST_REQUIRE(mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(future_major_is_refused, Loaded) {
    BOOST_TEST(reasons("future") == "plugin ABI major 99, host supports 1");
}

BOOST_FIXTURE_TEST_CASE(missing_entry_symbol_is_refused, Loaded) {
    BOOST_TEST(contains(reasons("noentry"), "no 'anyserial_plugin_entry' symbol"));
}

BOOST_FIXTURE_TEST_CASE(null_get_factory_is_refused, Loaded) {
    BOOST_TEST(reasons("nullfactory") == "entry has a NULL get_factory");
}

BOOST_FIXTURE_TEST_CASE(small_factory_struct_is_refused, Loaded) {
    BOOST_TEST(
        contains(reasons("smallfactory"), "backend factory struct_size 8 is smaller than the"));
}

BOOST_FIXTURE_TEST_CASE(failing_init_is_refused_with_status_and_plugin_text, Loaded) {
    BOOST_TEST(reasons("initfail") ==
               "init failed with ANYSERIAL_E_IO (-5): calibration table missing");
}

BOOST_FIXTURE_TEST_CASE(init_throwing_across_the_abi_is_refused, Loaded) {
    BOOST_TEST(reasons("throwinit") == "init threw a C++ exception across the C ABI");
}

BOOST_FIXTURE_TEST_CASE(duplicate_id_refuses_the_later_file, Loaded) {
    BOOST_TEST(reasons("claim-dup-a").empty());
    BOOST_TEST(reasons("claim-dup-b") ==
               "backend id 'dup' is already provided by " + fixture("claim-dup-a").string());
    BOOST_REQUIRE(host.backend("dup") != nullptr);
    BOOST_TEST(host.backend("dup")->record().path == fixture("claim-dup-a"));
    BOOST_TEST(host.backend_for("dupb://x") == nullptr);  // the refused file claims nothing
}

BOOST_FIXTURE_TEST_CASE(overlapping_url_scheme_is_refused, Loaded) {
    BOOST_TEST(loaded("scheme-a"));
    BOOST_TEST(!loaded("scheme-b"));
    BOOST_TEST(reasons("claim-scheme-b") ==
               "backend 'scheme-b': URL scheme 'clash://' is already claimed by backend "
               "'scheme-a' (" +
                   fixture("claim-scheme-a").string() + ")");
    BOOST_TEST(host.backend_for("clash://x")->record().id == "scheme-a");
}

BOOST_FIXTURE_TEST_CASE(overlapping_path_prefix_is_refused, Loaded) {
    BOOST_TEST(loaded("prefix-a"));
    BOOST_TEST(contains(reasons("claim-prefix-b"),
                        "path prefix '/dev/ttyCLASH' is already claimed by backend 'prefix-a'"));
}

BOOST_FIXTURE_TEST_CASE(bad_descriptors_drop_only_those_backends, Loaded) {
    const std::string r = reasons("baddesc");
    BOOST_TEST(contains(r, "backend #0: descriptor id is NULL or empty"));
    BOOST_TEST(contains(r, "backend #1: descriptor kind 7 is invalid"));
    BOOST_TEST(loaded("nosync"));
    BOOST_TEST(!loaded("badkind"));
}

// create() of backend `id` (in the baddesc fixture) is refused: a PluginError naming the
// backend, its file and `reason`.
namespace {
void expect_create_refused(PluginHost &host, const std::string &id, const std::string &reason) {
    const anyserial::LoadedBackend *b = host.backend(id);
    BOOST_REQUIRE(b != nullptr);
    try {
        (void)b->create();
        BOOST_FAIL("create() of '" << id << "' accepted an instance: " << reason);
    } catch (const anyserial::PluginError &e) {
        const std::string what = e.what();
        BOOST_TEST(contains(what, "backend '" + id + "'"));
        BOOST_TEST(contains(what, fixture("baddesc").string()));
        BOOST_TEST(contains(what, reason));
        BOOST_TEST(e.code() == anyserial::errc::plugin_error);
    }
}
}  // namespace

BOOST_FIXTURE_TEST_CASE(instance_without_sync_table_fails_at_create, Loaded) {
    expect_create_refused(host, "nosync", "no sync_fd table");
}

BOOST_FIXTURE_TEST_CASE(sync_fd_io_flags_unknown_to_the_host_fail_at_create, Loaded) {
    expect_create_refused(host, "badflags",
                          "io_flags has bits this host does not know (0x80000000)");
}

BOOST_FIXTURE_TEST_CASE(cpp_helper_exceptions_become_statuses, Loaded) {
    const anyserial::LoadedBackend *lb = host.backend("throws");
    BOOST_REQUIRE(lb != nullptr);
    anyserial::BackendHandle b = lb->create();
    const anyserial_serial_config_t cfg = default_config();
    BOOST_TEST(b->control->open(b.get(), "throws://x", &cfg, nullptr) == ANYSERIAL_E_INTERNAL);
    BOOST_TEST(last_error(b.get()) == "open exploded inside the plugin");
    BOOST_TEST(b->control->reset_input(b.get()) == ANYSERIAL_E_BUSY);
    BOOST_TEST(last_error(b.get()) == "reset_input refused: device busy");
    BOOST_TEST(b->control->last_os_error(b.get()) == 16);
    uint32_t n = 0;
    BOOST_TEST(b->control->input_waiting(b.get(), &n) == ANYSERIAL_E_INTERNAL);
    BOOST_TEST(contains(last_error(b.get()), "unknown exception"));
}

BOOST_FIXTURE_TEST_CASE(good_plugin_still_loads_and_works, Loaded) {
    BOOST_TEST(reasons("good").empty());
    const anyserial::LoadedBackend *lb = host.backend_for("good://loop");
    BOOST_REQUIRE(lb != nullptr);
    BOOST_TEST(lb->record().abi == anyserial::abi_version_string());
    BOOST_TEST(lb->record().backend_kind == "sync-fd");
    anyserial::BackendHandle b = lb->create();
    const anyserial_serial_config_t cfg = default_config();
    BOOST_REQUIRE(b->control->open(b.get(), "good://loop", &cfg, nullptr) == ANYSERIAL_OK);
    BOOST_TEST(b->sync_fd->fileno(b.get()) >= 0);
    const uint8_t out[] = {'p', 'i', 'n', 'g'};
    uint32_t n = 0;
    BOOST_REQUIRE(b->sync_fd->write_nonblocking(b.get(), out, sizeof out, &n) == ANYSERIAL_OK);
    BOOST_TEST(n == sizeof out);
    uint8_t in[16] = {};
    BOOST_REQUIRE(b->sync_fd->read_nonblocking(b.get(), in, sizeof in, &n) == ANYSERIAL_OK);
    BOOST_TEST(std::string(reinterpret_cast<char *>(in), n) == "ping");
    BOOST_TEST(b->sync_fd->read_nonblocking(b.get(), in, sizeof in, &n) == ANYSERIAL_E_WOULD_BLOCK);
    BOOST_TEST(*static_cast<const int *>(lb->extension("anyserial.test.marker/1")) == 7);
    BOOST_TEST(lb->extension("anyserial.test.other/1") == nullptr);

    const anyserial::LoadedBackend *async = host.backend("good-async");
    BOOST_REQUIRE(async != nullptr);
    BOOST_TEST(async->record().backend_kind == "async-completion");
    anyserial::BackendHandle a = async->create();
    BOOST_TEST(a->async_io->cancel(a.get(), ANYSERIAL_DIRECTION_READ) == ANYSERIAL_OK);

    const anyserial::LoadedProtocol *p = host.protocol("good-proto-a");
    BOOST_REQUIRE(p != nullptr);
    anyserial::ProtocolSessionHandle s = p->create_session(nullptr);
    BOOST_TEST(s->descriptor == &p->descriptor());
}

BOOST_AUTO_TEST_CASE(protocol_v1_only_plugin_is_refused_naming_the_version) {
    PluginHost host;
    host.load_file(fixture("v1only"));
    BOOST_TEST(host.plugins().empty());
    BOOST_REQUIRE_EQUAL(host.refused().size(), 1u);
    const std::string reason = host.refused()[0].reason;
    BOOST_TEST(contains(reason, "offers only anyserial.protocol/1"), reason);
    BOOST_TEST(contains(reason, "this host speaks anyserial.protocol/2"), reason);
    BOOST_TEST(contains(reason, "rebuild against SDK 1.2"), reason);
}

BOOST_AUTO_TEST_CASE(good_protocol_model_is_copied_from_the_v2_descriptor) {
    PluginHost host;
    host.load_file(fixture("good"));
    const anyserial::LoadedProtocol *p = host.protocol("good-proto-a");
    BOOST_REQUIRE(p != nullptr);
    BOOST_TEST(p->model().mode == "a");
    BOOST_TEST(p->model().family == "test");
    BOOST_REQUIRE_EQUAL(p->flag_table()->size(), 1u);
    BOOST_TEST(p->flag_table()->at(0).id == "fault");
    BOOST_TEST((p->address_syntax().kind == anyserial::device::AddressSyntax::Kind::integer));
    BOOST_TEST(p->address_syntax().default_address == "1");
    BOOST_TEST(p->default_serial().baudrate == 19200u);
    BOOST_TEST(host.protocol_by_mode("test", "b") == host.protocol("good-proto-b"));
    BOOST_TEST(host.families() == std::vector<std::string>{"test"});
}

BOOST_AUTO_TEST_CASE(unloadable_file_is_refused_with_the_loader_text) {
    TempDir dir;
    std::ofstream(dir.path / "anyserial-garbage.so")
        << std::string(200, 'x') << "\nthis is not a shared object\n";
    PluginHost host;
    host.load_directory(dir.path);
    BOOST_REQUIRE_EQUAL(host.refused().size(), 1u);
    const std::string reason = host.refused()[0].reason;
    BOOST_TEST(contains(reason, "cannot load: "));
    BOOST_TEST(contains(reason, "ELF"));  // dlerror(): "...: invalid ELF header"
    BOOST_TEST(host.plugins().empty());
}

BOOST_AUTO_TEST_CASE(init_once_per_file_and_deinit_in_reverse_order) {
    TempDir dir;
    const fs::path trace = dir.path / "trace.txt";
    BOOST_REQUIRE(setenv("ANYSERIAL_FIXTURE_TRACE", trace.c_str(), 1) == 0);
    {
        PluginHost host;
        host.load_directory(kFixtures);
        host.load_directory(kFixtures);  // searched once: nothing is loaded twice
        host.load_file(fixture("good"));
    }
    unsetenv("ANYSERIAL_FIXTURE_TRACE");
    std::ifstream in(trace);
    std::stringstream got;
    got << in.rdbuf();
    // Files load sorted by name; a file refused after init is deinitialised at once; the
    // failed init (initfail) never gets deinit; the rest deinit in reverse load order.
    BOOST_TEST(got.str() ==
               "init dup-a\n"
               "init dup-b\ndeinit dup-b\n"
               "init prefix-a\n"
               "init prefix-b\ndeinit prefix-b\n"
               "init scheme-a\n"
               "init scheme-b\ndeinit scheme-b\n"
               "init good\n"
               "deinit good\ndeinit scheme-a\ndeinit prefix-a\ndeinit dup-a\n");
}

// ---- counts a plugin returns are checked against what the core passed ---------------

namespace {

struct Opened {
    boost::asio::io_context io;
    std::optional<anyserial::SerialPort> port;
    Opened(PluginHost &host, const std::string &path) {
        anyserial::async_open_serial_port(
            io.get_executor(), host, path, anyserial::SerialConfig{},
            [&](boost::system::error_code ec, anyserial::SerialPort p) {
                BOOST_REQUIRE(!ec);
                port.emplace(std::move(p));
            });
        io.run();
        io.restart();
        BOOST_REQUIRE(port && port->is_open());
    }
    // Runs one operation to completion and returns its error.
    template <class Start>
    boost::system::error_code run(Start start) {
        boost::system::error_code out = anyserial::errc::timeout;
        start([&](boost::system::error_code ec, std::size_t) { out = ec; });
        io.run();
        io.restart();
        return out;
    }
};

void check_violation(const anyserial::SerialPort &port, const std::string &backend,
                     const std::string &what) {
    const std::string msg = port.last_error().message;
    BOOST_TEST_INFO("message: " << msg);
    BOOST_TEST(port.last_error().code == anyserial::errc::plugin_error);
    BOOST_TEST(contains(msg, "backend '" + backend + "' (" + fixture("overcount").string() + ")"));
    BOOST_TEST(contains(msg, what));
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(sync_read_over_reporting_is_a_plugin_error, Loaded) {
    Opened o(host, "overread://x");
    const std::string ping = "ping";
    BOOST_TEST(!o.run([&](auto h) { o.port->async_send(boost::asio::buffer(ping), h); }));
    std::array<char, 16> in{};
    const auto ec = o.run([&](auto h) { o.port->async_read_some(boost::asio::buffer(in), h); });
    BOOST_TEST(ec == anyserial::errc::plugin_error);
    check_violation(*o.port, "overread",
                    "read_nonblocking reported 4100 bytes for a 16-byte buffer");
    // The port no longer trusts the backend: every further transfer fails the same way.
    const auto again = o.run([&](auto h) { o.port->async_send(boost::asio::buffer(ping), h); });
    BOOST_TEST(again == anyserial::errc::plugin_error);
}

BOOST_FIXTURE_TEST_CASE(last_error_text_is_bounded_and_escaped, Loaded) {
    Opened o(host, "overread://x");
    boost::system::error_code ec;
    o.port->reset_input_buffer(ec);  // the fixture's reset_input is NOT_SUPPORTED
    BOOST_TEST(!!ec);
    // The plugin claims a 100000-byte text but wrote "lie" and an escape sequence.
    BOOST_TEST(o.port->last_error().message == "reset_input_buffer: lie\\u{001B}[2J");
}

BOOST_FIXTURE_TEST_CASE(async_completion_over_reporting_is_a_plugin_error, Loaded) {
    Opened o(host, "overasync://x");
    std::array<char, 32> in{};
    const auto ec = o.run([&](auto h) { o.port->async_read_some(boost::asio::buffer(in), h); });
    BOOST_TEST(ec == anyserial::errc::plugin_error);
    check_violation(*o.port, "overasync",
                    "read completion reported 4128 bytes for a 32-byte buffer");
}

BOOST_FIXTURE_TEST_CASE(async_second_completion_is_a_plugin_error, Loaded) {
    Opened o(host, "overasync://x");
    const std::string ping = "ping";
    // The first completion is the answer; the second is dropped and poisons the port.
    BOOST_TEST(!o.run([&](auto h) { o.port->async_send(boost::asio::buffer(ping), h); }));
    const auto ec = o.run([&](auto h) { o.port->async_send(boost::asio::buffer(ping), h); });
    BOOST_TEST(ec == anyserial::errc::plugin_error);
    check_violation(*o.port, "overasync",
                    "a completion arrived for an operation that was not started");
}

// The blocking facade calls the backend on the caller's thread: the same checks hold there.
namespace {
void check_sync_violation(const anyserial::PluginError &e, const std::string &backend,
                          const std::string &what) {
    const std::string msg = e.what();
    BOOST_TEST_INFO("message: " << msg);
    BOOST_TEST(e.code() == anyserial::errc::plugin_error);
    BOOST_TEST(contains(msg, "backend '" + backend + "' (" + fixture("overcount").string() + ")"));
    BOOST_TEST(contains(msg, what));
}
}  // namespace

// A descriptor's capabilities are read as far as their struct_size goes and no further: the
// fixture's bytes behind struct_size 4 claim SUPPORTED for everything.
BOOST_AUTO_TEST_CASE(platform_capabilities_beyond_their_struct_size_are_not_read) {
    PluginHost host;
    host.load_file(fixture("shortcaps"));
    BOOST_REQUIRE_EQUAL(host.refused().size(), 0u);
    Opened opened(host, "shortcaps://x");
    for (const auto &[name, cap] : opened.port->capabilities().features())
        BOOST_TEST((cap == anyserial::Capability::unknown), name << " is " << to_string(cap));
}

BOOST_FIXTURE_TEST_CASE(sync_facade_read_over_reporting_is_a_plugin_error, Loaded) {
    auto port = anyserial::sync::SerialPort::open(host, "overread://x");
    const std::string ping = "ping";
    port.write(boost::asio::buffer(ping));
    std::array<char, 16> in{};
    try {
        port.read_some(boost::asio::buffer(in));
        BOOST_FAIL("an over-reported read was trusted");
    } catch (const anyserial::PluginError &e) {
        check_sync_violation(e, "overread",
                             "read_nonblocking reported 4100 bytes for a 16-byte buffer");
    }
    // The facade no longer trusts the backend: every further transfer fails the same way.
    BOOST_CHECK_THROW(port.write(boost::asio::buffer(ping)), anyserial::PluginError);
}

BOOST_FIXTURE_TEST_CASE(sync_facade_completion_over_reporting_is_a_plugin_error, Loaded) {
    auto port = anyserial::sync::SerialPort::open(host, "overasync://x");
    std::array<char, 32> in{};
    try {
        port.read_some(boost::asio::buffer(in));
        BOOST_FAIL("an over-reported completion was trusted");
    } catch (const anyserial::PluginError &e) {
        check_sync_violation(e, "overasync",
                             "read completion reported 4128 bytes for a 32-byte buffer");
    }
}

BOOST_FIXTURE_TEST_CASE(sync_facade_second_completion_is_a_plugin_error, Loaded) {
    auto port = anyserial::sync::SerialPort::open(host, "overasync://x");
    const std::string ping = "ping";
    // The fixture completes each write twice: the stray second completion must not be taken
    // for the next write's (its count would pass for bytes the backend never moved).
    port.write(boost::asio::buffer(ping));
    try {
        port.write(boost::asio::buffer(ping));
        BOOST_FAIL("a stray completion was taken for the next write's");
    } catch (const anyserial::PluginError &e) {
        check_sync_violation(e, "overasync",
                             "a completion arrived for an operation that was not started");
    }
}

BOOST_FIXTURE_TEST_CASE(discovery_text_from_a_plugin_is_bounded_and_escaped, Loaded) {
    std::vector<anyserial::PortInfo> mine;
    for (auto &p : anyserial::list_serial_ports(host))
        if (p.backend == "overread") mine.push_back(p);
    // The device path with a C1 control is dropped; the other record's text is escaped.
    BOOST_REQUIRE_EQUAL(mine.size(), 1u);
    BOOST_TEST(mine[0].device == "/dev/ttyOC0");
    BOOST_TEST(mine[0].product.value_or("-") == "evil\\u{202E}txt");
    BOOST_TEST(mine[0].description.value_or("").size() == 1024u);
}

// ---- what is refused before dlopen (which would run the file's constructors) ----------

namespace {

struct CtorDir : TempDir {
    fs::path mark = path / "mark.txt";
    fs::path plugins = path / "plugins";
    CtorDir() {
        fs::create_directory(plugins);
        fs::copy_file(ANYSERIAL_ABI_CTOR_FIXTURE, plugins / "anyserial-ctor.so");
        BOOST_REQUIRE(setenv("ANYSERIAL_FIXTURE_CTOR_MARK", mark.c_str(), 1) == 0);
    }
    ~CtorDir() { unsetenv("ANYSERIAL_FIXTURE_CTOR_MARK"); }
    bool constructed() const { return fs::exists(mark); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(world_writable_plugin_directory_is_refused_before_dlopen) {
    CtorDir d;
    fs::permissions(d.plugins, fs::perms::all);  // chmod 0777
    PluginHost host;
    host.load_directory(d.plugins);
    BOOST_TEST(host.backend("ctor") == nullptr);
    BOOST_REQUIRE_EQUAL(host.refused().size(), 1u);
    const std::string reason = host.refused()[0].reason;
    BOOST_TEST_INFO(reason);
    BOOST_TEST(contains(reason, "plugin directory " + d.plugins.string() + " (mode 0777)"));
    BOOST_TEST(contains(reason, "world-writable"));
    BOOST_TEST(!d.constructed());  // never dlopen()ed: none of its code ran
}

BOOST_AUTO_TEST_CASE(world_writable_plugin_file_is_refused_before_dlopen) {
    CtorDir d;
    fs::permissions(d.plugins / "anyserial-ctor.so", fs::perms::all);
    PluginHost host;
    host.load_directory(d.plugins);
    BOOST_TEST(host.backend("ctor") == nullptr);
    BOOST_REQUIRE_EQUAL(host.refused().size(), 1u);
    BOOST_TEST(contains(host.refused()[0].reason, "plugin file "));
    BOOST_TEST(contains(host.refused()[0].reason, "(mode 0777) is world-writable"));
    BOOST_TEST(!d.constructed());
}

BOOST_AUTO_TEST_CASE(insecure_plugins_load_when_allowed) {
    CtorDir d;
    fs::permissions(d.plugins, fs::perms::all);
    PluginHost host;
    host.allow_insecure_plugins(true);
    host.load_directory(d.plugins);
    BOOST_TEST(host.refused().empty());
    BOOST_TEST(host.backend("ctor") != nullptr);
    BOOST_TEST(d.constructed());
}

BOOST_AUTO_TEST_CASE(non_elf_file_is_refused_before_dlopen) {
    TempDir dir;
    std::ofstream(dir.path / "anyserial-script.so") << "#!/bin/sh\necho not a plugin\n";
    PluginHost host;
    host.load_directory(dir.path);
    BOOST_REQUIRE_EQUAL(host.refused().size(), 1u);
    BOOST_TEST(host.refused()[0].reason ==
               "cannot load: not an ELF file (no ELF header); refused before loading");
}

BOOST_FIXTURE_TEST_CASE(garbage_provider_count_is_refused, Loaded) {
    BOOST_TEST(reasons("hugecount") ==
               "backend factory count() returned 4294967295, more than the 1024 a plugin may "
               "provide");
    BOOST_TEST(!loaded("hugecount"));
}

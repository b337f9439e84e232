// plugin-check's own tests: each misbehaving fixture fails the test that names its fault,
// with the fault in the reason; a crash or a hang fails one test and the checker goes on;
// the well-behaved fixture and the shipped backends pass.
#define BOOST_TEST_MODULE checker
#include <algorithm>
#include <anyserial/checker/checker.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <map>
#include <sstream>

namespace checker = anyserial::checker;

namespace {

struct Result {
    std::string status, reason;
};

struct Report {
    int exit_code = -1;
    std::map<std::string, Result> tests;
    std::uint64_t seed = 0;
    std::string text;

    const Result &at(const std::string &name) const {
        const auto it = tests.find(name);
        BOOST_REQUIRE_MESSAGE(it != tests.end(), "no result for " << name << " in " << text);
        return it->second;
    }
};

std::string fixture(const std::string &name) {
    return std::string(CHECKER_FIXTURE_DIR) + "/anyserial-check-" + name + ".so";
}

Report check(const std::string &path, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {path, "--json", "--seed", "42"};
    // Time limits are relaxed unless a test is about them: these tests judge behaviour, and
    // a loaded CI machine must not turn a 100 ms scan into a failure.
    if (std::find(extra.begin(), extra.end(), "--time-scale") == extra.end())
        args.insert(args.end(), {"--time-scale", "10"});
    args.insert(args.end(), extra.begin(), extra.end());
    std::ostringstream out, err;
    Report r;
    r.exit_code = checker::run(args, out, err);
    r.text = out.str() + err.str();
    const auto doc = boost::json::parse(out.str()).as_object();
    r.seed = doc.at("seed").to_number<std::uint64_t>();
    for (const auto &t : doc.at("tests").as_array()) {
        const auto &o = t.as_object();
        r.tests[std::string(o.at("name").as_string())] = {std::string(o.at("status").as_string()),
                                                          std::string(o.at("reason").as_string())};
    }
    return r;
}

void expect_failed(const Report &r, const std::string &test, const std::string &fault) {
    const Result &res = r.at(test);
    BOOST_TEST(res.status == "failed", test << " is " << res.status << ": " << res.reason);
    BOOST_TEST(res.reason.find(fault) != std::string::npos,
               test << " reason '" << res.reason << "' does not name '" << fault << "'");
    BOOST_TEST(r.exit_code == 1);
}

std::size_t test_count() {
    std::ostringstream out, err;
    BOOST_REQUIRE(checker::run({"--list"}, out, err) == 0);
    std::size_t n = 0;
    for (char c : out.str())
        n += c == '\n';
    return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(usage_errors_exit_2) {
    std::ostringstream out, err;
    BOOST_TEST(checker::run({}, out, err) == 2);
    BOOST_TEST(checker::run({fixture("proto"), "--only", "no.such.test"}, out, err) == 2);
    BOOST_TEST(err.str().find("no test named 'no.such.test'") != std::string::npos);
    BOOST_TEST(checker::run({fixture("proto"), "--seed", "12x"}, out, err) == 2);
    BOOST_TEST(checker::run({"/nonexistent/plugin.so"}, out, err) == 2);
    std::ostringstream help;
    BOOST_TEST(checker::run({"--help"}, help, err) == 0);
    BOOST_TEST(help.str().find("usage: anyserial plugin-check PATH.so") == 0);
}

BOOST_AUTO_TEST_CASE(list_names_every_test_with_a_description) {
    std::ostringstream out, err;
    BOOST_REQUIRE(checker::run({"--list"}, out, err) == 0);
    for (const char *name :
         {"loading.rtld_now", "descriptors.protocol", "backend.sync_fd.churn",
          "backend.async.completions", "protocol.split_invariance", "robustness.alloc_leak"})
        BOOST_TEST(out.str().find(std::string(name) + "  ") != std::string::npos, name);
}

BOOST_AUTO_TEST_CASE(good_protocol_fixture_passes_every_protocol_test) {
    const Report r = check(fixture("proto"));
    BOOST_TEST(r.exit_code == 0, r.text);
    BOOST_TEST(r.seed == 42u);
    for (const auto &[name, res] : r.tests)
        BOOST_TEST(res.status != "failed", name << ": " << res.reason);
    for (const char *name :
         {"loading.init_idempotent", "descriptors.protocol", "protocol.capabilities",
          "protocol.roundtrip", "protocol.split_invariance", "protocol.corruption",
          "protocol.addresses", "protocol.simulator_faults", "robustness.simulator_state",
          "robustness.session_state", "robustness.last_error", "robustness.alloc_leak"})
        BOOST_TEST(r.at(name).status == "passed", name << ": " << r.at(name).reason);
    // a backend test on a protocol-only plugin is skipped with its reason, never passed
    BOOST_TEST(r.at("backend.sync_fd.churn").status == "skipped");
    BOOST_TEST(r.at("backend.sync_fd.churn").reason.find("no backend") != std::string::npos);
}

// A frame that ends after fields and readings that end after flags are what a host reads
// (checksum, raw bytes, per-frame names and units are later members): such a plugin passes.
BOOST_AUTO_TEST_CASE(frames_and_readings_as_short_as_the_host_reads_pass) {
    const Report r = check(fixture("proto-old-layout"));
    BOOST_TEST(r.exit_code == 0, r.text);
    for (const auto &[name, res] : r.tests)
        BOOST_TEST(res.status != "failed", name << ": " << res.reason);
    BOOST_TEST(r.at("protocol.roundtrip").status == "passed");
}

// ... and a reading that cannot hold its flags is refused by the host, so it fails here.
BOOST_AUTO_TEST_CASE(a_reading_too_short_for_its_flags_fails) {
    expect_failed(check(fixture("proto-short-reading")), "protocol.roundtrip",
                  "reading \"flow\" struct_size 40 is smaller than the 48 bytes");
}

BOOST_AUTO_TEST_CASE(segfault_in_create_fails_its_tests_and_the_checker_goes_on) {
    const Report r = check(fixture("proto-segv"));
    expect_failed(r, "protocol.capabilities", "SIGSEGV");
    expect_failed(r, "protocol.capabilities", "create_session");
    BOOST_TEST(r.at("loading.get_factory_ids").status == "passed");
    BOOST_TEST(r.tests.size() == test_count());  // every later test still ran
}

BOOST_AUTO_TEST_CASE(endless_feed_times_out_and_the_checker_goes_on) {
    const Report r = check(fixture("proto-loop"), {"--timeout", "2", "--only", "protocol.roundtrip",
                                                   "protocol.corruption", "descriptors"});
    expect_failed(r, "protocol.roundtrip", "timed out after 2 s");
    expect_failed(r, "protocol.roundtrip", "session->feed");
    expect_failed(r, "protocol.corruption", "timed out");
    BOOST_TEST(r.at("descriptors.protocol").status == "passed");
}

BOOST_AUTO_TEST_CASE(leaking_create_fails_alloc_leak) {
    const Report r = check(fixture("proto-leak"), {"--only", "robustness.alloc_leak"});
#if defined(__SANITIZE_ADDRESS__)
    BOOST_TEST(r.at("robustness.alloc_leak").status == "skipped");  // ASan owns the heap
    return;
#endif
    expect_failed(r, "robustness.alloc_leak", "never freed");
    expect_failed(r, "robustness.alloc_leak", "check-proto");
}

BOOST_AUTO_TEST_CASE(slow_init_fails_scan_time) {
    const Report r =
        check(fixture("proto-slow"), {"--only", "loading.scan_time", "--time-scale", "1"});
    expect_failed(r, "loading.scan_time", "the limit is 100 ms");
}

BOOST_AUTO_TEST_CASE(abi_fixtures_fail_the_test_naming_their_fault) {
    expect_failed(check(fixture("abi-noentry")), "loading.entry_symbol", "exports no symbol");
    expect_failed(check(fixture("abi-future")), "loading.abi_version", "ABI major 99");
    expect_failed(check(fixture("abi-nullfactory")), "loading.entry_symbol", "get_factory is NULL");
    expect_failed(check(fixture("abi-initfail")), "loading.init_idempotent", "E_IO");
    expect_failed(check(fixture("abi-throwinit")), "loading.init_idempotent", "exception escape");
    expect_failed(check(fixture("abi-smallfactory")), "descriptors.factories", "struct_size is 8");
    expect_failed(check(fixture("abi-hugecount")), "descriptors.factories", "4294967295");
    const Report bad = check(fixture("abi-baddesc"));
    expect_failed(bad, "descriptors.backend", "empty id");
    expect_failed(bad, "descriptors.backend_tables", "no sync_fd table");
    const Report over = check(fixture("abi-overcount"));
    expect_failed(over, "backend.sync_fd.nonblocking", "4099 bytes for a 3-byte buffer");
    expect_failed(over, "backend.async.completions", "completed 2 times");
    expect_failed(over, "robustness.last_error", "length 100000");
    // Declares ANYSERIAL_SYNC_FD_PLAIN_IO but buffers its input: read(2) misses bytes.
    expect_failed(check(fixture("plain-lie")), "backend.sync_fd.nonblocking",
                  "does the backend buffer or frame its input?");
    // A sync_fd table that ends before write_nonblocking, which every host reads.
    expect_failed(check(fixture("short-sync-fd")), "descriptors.backend_tables",
                  "sync_fd table struct_size 24 is smaller than the 32 bytes");
    // An io_flags bit no host knows: the host refuses the instance.
    expect_failed(check(fixture("unknown-flags")), "descriptors.backend_tables",
                  "io_flags has bits the host does not know (0x80000000)");
}

// A binary built against an older SDK stays valid: its sync_fd table ends before io_flags
// (SDK 1.2), which the host reads as "no flags". The checker must judge it as the host does.
// (The fixture is a loopback pipe: it has no missing ports and no peer to hang up, so the
// tests about those are left out.)
BOOST_AUTO_TEST_CASE(a_sync_fd_table_from_sdk_1_1_passes) {
    const Report r =
        check(fixture("sdk11-sync-fd"), {"--only", "descriptors", "backend.sync_fd.nonblocking",
                                         "backend.sync_fd.churn", "robustness.backend_state"});
    for (const auto &[test, res] : r.tests)
        BOOST_TEST(res.status != "failed", test << ": " << res.reason);
    BOOST_TEST(r.at("descriptors.backend_tables").status == "passed");
    BOOST_TEST(r.at("backend.sync_fd.nonblocking").status == "passed");
    BOOST_TEST(r.exit_code == 0, r.text);
}

BOOST_AUTO_TEST_CASE(a_plugin_that_does_not_load_skips_what_needs_it) {
    const Report r = check(fixture("abi-noentry"));
    BOOST_TEST(r.at("descriptors.backend").status == "skipped");
    BOOST_TEST(r.at("descriptors.backend").reason.find("loading.entry_symbol") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(shipped_backends_pass) {
    for (const char *name : {"anyserial-linux", "anyserial-mock", "anyserial-posix"}) {
        const Report r = check(std::string(ANYSERIAL_PLUGIN_DIR) + "/" + name + ".so");
        BOOST_TEST(r.exit_code == 0, name << ": " << r.text);
        for (const auto &[test, res] : r.tests)
            BOOST_TEST(res.status != "failed", name << " " << test << ": " << res.reason);
    }
}

BOOST_AUTO_TEST_CASE(shipped_protocol_plugins_pass_the_protocol_tests) {
    // request/response (Modbus RTU and ASCII) and a broadcaster (continuous)
    for (const char *name : {"anyserial-servomex-modbus-rtu", "anyserial-servomex-modbus-ascii",
                             "anyserial-servomex-continuous"}) {
        const Report r = check(std::string(ANYSERIAL_PLUGIN_DIR) + "/" + name + ".so",
                               {"--only", "protocol.roundtrip", "protocol.split_invariance",
                                "protocol.corruption", "robustness", "descriptors"});
        for (const auto &[test, res] : r.tests)
            BOOST_TEST(res.status != "failed", name << " " << test << ": " << res.reason);
        BOOST_TEST(r.at("protocol.split_invariance").status == "passed", name);
    }
}

BOOST_AUTO_TEST_CASE(text_report_one_line_per_selected_test_and_the_seed) {
    std::ostringstream out, err;
    const int rc = checker::run({fixture("proto-leak"), "--only", "protocol",
                                 "robustness.alloc_leak", "--skip", "protocol.corruption"},
                                out, err);
    (void)rc;  // unused under ASan, where alloc_leak is skipped
    const std::string text = out.str();
    BOOST_TEST(text.find("(seed ") != std::string::npos);  // a fresh seed is printed
    BOOST_TEST(text.find("  protocol.roundtrip: passed\n") != std::string::npos, text);
    BOOST_TEST(text.find("protocol.corruption") == std::string::npos, text);
#if !defined(__SANITIZE_ADDRESS__)
    BOOST_TEST(text.find("  robustness.alloc_leak: failed: ") != std::string::npos, text);
    BOOST_TEST(text.find("5 passed, 1 failed, 0 skipped") != std::string::npos, text);
    BOOST_TEST(rc == 1);
#endif
}

BOOST_AUTO_TEST_CASE(run_one_runs_in_process_and_reports) {
    std::ostringstream out, err;
    BOOST_TEST(
        checker::run({fixture("proto-leak"), "--run-one", "robustness.alloc_leak"}, out, err) == 1);
    BOOST_TEST(out.str().find("robustness.alloc_leak: failed: ") == 0, out.str());
}

// The CLI verbs that need no serial port: `decode` on the spec's example frame, and the
// calibrate safety gate (exit 2 naming --confirm, before any port is opened).
#include <sys/wait.h>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <fstream>
#include <string>

namespace {

struct Run {
    int status = -1;
    std::string out;
};

Run run(const std::string &args) {
    const std::string cmd =
        std::string(ANYSERIAL_TEST_CLI) + " --plugin-dir " + ANYSERIAL_TEST_PLUGIN_DIR + " " + args;
    Run r;
    FILE *p = ::popen(cmd.c_str(), "r");
    BOOST_TEST_REQUIRE(p != nullptr);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        r.out.append(buf, n);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(decode_spec_frame) {
    const Run r = run(std::string("decode --json ") + ANYSERIAL_TEST_DATA + "/spec_frame.txt");
    BOOST_TEST_REQUIRE(r.status == 0, r.out);
    const auto v = boost::json::parse(r.out).as_object();
    BOOST_TEST(v.at("ok").as_bool());
    BOOST_TEST(v.at("error").is_null());
    BOOST_TEST(v.at("checksum").as_string() == "2A1D");
    const auto &i1 = v.at("readings").as_array().at(0).as_object();
    BOOST_TEST(i1.at("channel").as_string() == "I1");
    BOOST_TEST(i1.at("name").as_string() == "Oxygen");
    BOOST_TEST(i1.at("value").as_double() == 20.376);
    BOOST_TEST(i1.at("unit").as_string() == "%");
    BOOST_TEST(i1.at("kind").as_string() == "transducer");
    BOOST_TEST(v.at("readings").as_array().at(3).as_object().at("name").is_null());
    // device state as generic fields, as `read --json` prints them
    bool found = false;
    for (const auto &f : v.at("fields").as_array())
        if (f.at("id").as_string() == "cal_group_count") {
            found = true;
            BOOST_TEST(f.at("value").to_number<std::int64_t>() == 4);
        }
    BOOST_TEST(found);
}

BOOST_AUTO_TEST_CASE(decode_bad_frame_exits_1) {
    std::ifstream in(std::string(ANYSERIAL_TEST_DATA) + "/spec_frame.txt", std::ios::binary);
    std::string f((std::istreambuf_iterator<char>(in)), {});
    f[f.find("2A1D")] = '3';
    const std::string path = "/tmp/anyserial-test-bad-frame.txt";
    std::ofstream(path, std::ios::binary) << f;
    const Run r = run("decode --json " + path);
    std::remove(path.c_str());
    BOOST_TEST(r.status == 1);
    const auto v = boost::json::parse(r.out).as_object();
    BOOST_TEST(!v.at("ok").as_bool());
    BOOST_TEST(!v.at("error").is_null());
}

BOOST_AUTO_TEST_CASE(calibrate_without_confirm_is_refused_before_opening) {
    // The port does not exist: a message about --confirm (not about opening) proves the
    // gate ran first.
    const Run r = run("calibrate start --port mock://nowhere/a --group 1 2>&1");
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.out.find("--confirm") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("cannot open") == std::string::npos, r.out);
}

BOOST_AUTO_TEST_SUITE_END()

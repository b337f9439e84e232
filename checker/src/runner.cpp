// plugin-check: options, test selection, one child process per test with a time limit,
// and the report (text or JSON).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <anyserial/checker/checker.hpp>
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>

#include "check.hpp"

namespace anyserial::checker {

namespace po = boost::program_options;

namespace {

int g_result_fd = -1;  // the child's end of the result pipe; -1 in-process

void write_all(int fd, const std::string &s) {
    std::size_t off = 0;
    while (off < s.size()) {
        const ssize_t n = ::write(fd, s.data() + off, s.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        off += static_cast<std::size_t>(n);
    }
}

std::string one_line(std::string s) {
    std::replace(s.begin(), s.end(), '\n', ' ');
    std::replace(s.begin(), s.end(), '\r', ' ');
    return s;
}

struct Outcome {
    std::string status;  // "passed", "failed", "skipped"
    std::string reason;
    double seconds = 0;
};

// Runs fn in this process; the outcome is a line "=P", "=F reason" or "=S reason".
std::string run_here(const Test &t, Context &ctx) {
    try {
        t.fn(ctx);
        return "=P\n";
    } catch (const Failed &e) {
        return "=F " + one_line(e.what()) + "\n";
    } catch (const Skipped &e) {
        return "=S " + one_line(e.what()) + "\n";
    } catch (const std::exception &e) {
        return "=F a C++ exception escaped across the C ABI: " + one_line(e.what()) + "\n";
    } catch (...) {
        return "=F a C++ exception (not a std::exception) escaped across the C ABI\n";
    }
}

Context make_context(const Options &o, std::uint64_t seed, const Test &t) {
    Context ctx;
    ctx.path = o.plugin;
    ctx.seed = seed;
    ctx.time_scale = o.time_scale;
    // Each test gets its own stream of the seed, so --only does not change what it draws.
    std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                      static_cast<std::uint32_t>(std::hash<std::string_view>{}(t.name))};
    ctx.rng.seed(seq);
    return ctx;
}

std::string signal_text(int sig) {
    const char *abbrev = sigabbrev_np(sig);
    return std::string("killed by SIG") + (abbrev ? abbrev : std::to_string(sig).c_str()) + " (" +
           strsignal(sig) + ")";
}

// What the child wrote ("@step" lines record progress, "=X reason" the outcome) and how
// it ended, as one outcome.
Outcome outcome_of(const std::string &data, bool timed_out, int wstatus, unsigned timeout_s) {
    Outcome out;
    std::string result, last_step;
    std::size_t pos = 0;
    while (pos < data.size()) {
        std::size_t nl = data.find('\n', pos);
        if (nl == std::string::npos) nl = data.size();
        const std::string line = data.substr(pos, nl - pos);
        if (!line.empty() && line[0] == '@') last_step = line.substr(1);
        if (!line.empty() && line[0] == '=') result = line;
        pos = nl + 1;
    }
    const std::string where = last_step.empty() ? "" : " in " + last_step;
    if (timed_out) {
        out.status = "failed";
        out.reason = "timed out after " + std::to_string(timeout_s) + " s (killed)" + where;
    } else if (!result.empty()) {
        out.status = result[1] == 'P' ? "passed" : result[1] == 'S' ? "skipped" : "failed";
        out.reason = result.size() > 3 ? result.substr(3) : "";
    } else if (WIFSIGNALED(wstatus)) {
        out.status = "failed";
        out.reason = signal_text(WTERMSIG(wstatus)) + where;
    } else {
        out.status = "failed";
        out.reason = "the test process exited with status " +
                     std::to_string(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1) +
                     " before reporting" + where;
    }
    return out;
}

Outcome run_child(const Options &o, std::uint64_t seed, const Test &t) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return {"failed", "pipe2: " + std::string(strerror(errno))};
    std::cout.flush();
    std::cerr.flush();
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid < 0) return {"failed", "fork: " + std::string(strerror(errno))};
    if (pid == 0) {
        // A crash must kill the child: drop handlers the caller installed (a test framework's
        // or the CLI's), and unblock everything.
        for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS, SIGPIPE, SIGALRM,
                        SIGINT, SIGTERM})
            ::signal(sig, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::close(fds[0]);
        g_result_fd = fds[1];
        Context ctx = make_context(o, seed, t);
        write_all(g_result_fd, run_here(t, ctx));
        _exit(0);  // no atexit handlers or plugin destructors: the outcome is written
    }
    ::close(fds[1]);
    std::string data;
    bool timed_out = false;
    const auto deadline = start + std::chrono::seconds(o.timeout_s);
    int wstatus = 0;
    bool reaped = false;
    // Read until the child closes its end; also stop when it has exited (a grandchild the
    // plugin forked may still hold the pipe) or the time is up.
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        const int r = ::poll(&p, 1, static_cast<int>(std::min<long>(left.count(), 100)));
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) {
            if (::waitpid(pid, &wstatus, WNOHANG) == pid) {
                reaped = true;
                fcntl(fds[0], F_SETFL, O_NONBLOCK);
                char buf[4096];
                for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
                    data.append(buf, static_cast<std::size_t>(n));
                break;
            }
            continue;
        }
        char buf[4096];
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // the child closed its end: it is exiting
        data.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    if (timed_out) ::kill(pid, SIGKILL);
    while (!reaped && ::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    Outcome out = outcome_of(data, timed_out, wstatus, o.timeout_s);
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

bool matches(std::string_view name, const std::vector<std::string> &patterns) {
    return std::any_of(patterns.begin(), patterns.end(), [&](const std::string &p) {
        if (name == p) return true;
        // a group: "backend" or "backend." selects backend.*
        const std::string prefix = p.ends_with('.') ? p : p + ".";
        return name.starts_with(prefix);
    });
}

bool known(const std::string &pattern) {
    const auto &all = all_tests();
    return std::any_of(all.begin(), all.end(),
                       [&](const Test &t) { return matches(t.name, {pattern}); });
}

}  // namespace

void step(std::string_view what) {
    if (g_result_fd >= 0) write_all(g_result_fd, "@" + one_line(std::string(what)) + "\n");
}

Options parse_options(const std::vector<std::string> &args) {
    Options o;
    std::string seed_text;
    po::options_description desc("plugin-check options");
    auto add = desc.add_options();
    add("only", po::value<std::vector<std::string>>(&o.only)->multitoken(),
        "run only these tests (names or group prefixes)");
    add("skip", po::value<std::vector<std::string>>(&o.skip)->multitoken(), "skip these tests");
    add("seed", po::value<std::string>(&seed_text), "seed of the fuzzing (printed when not given)");
    add("json", po::bool_switch(&o.json), "JSON report on stdout");
    add("list", po::bool_switch(&o.list), "list the tests and exit");
    add("help,h", po::bool_switch(&o.help), "this help");
    add("timeout", po::value<unsigned>(&o.timeout_s), "time limit per test, seconds (10)");
    add("time-scale", po::value<unsigned>(&o.time_scale),
        "multiply the time limits the tests check (1; more under ASan or valgrind)");
    add("run-one", po::value<std::string>(), "run one test in this process (debugging)");
    add("plugin", po::value<std::string>(&o.plugin), "the plugin's shared object");
    po::positional_options_description pos;
    pos.add("plugin", 1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error &e) {
        throw std::invalid_argument(e.what());
    }
    if (vm.count("run-one")) o.run_one = vm["run-one"].as<std::string>();
    if (!seed_text.empty()) {
        std::size_t used = 0;
        try {
            o.seed = std::stoull(seed_text, &used, 0);
        } catch (const std::exception &) {
            used = 0;
        }
        if (used != seed_text.size() || seed_text[0] == '-')
            throw std::invalid_argument("--seed " + seed_text + ": not an unsigned integer");
    }
    if (o.timeout_s == 0 || o.timeout_s > 3600)
        throw std::invalid_argument("--timeout must be 1..3600 seconds");
    if (o.time_scale == 0 || o.time_scale > 1000)
        throw std::invalid_argument("--time-scale must be 1..1000");
    for (const auto *list : {&o.only, &o.skip})
        for (const auto &name : *list)
            if (!known(name))
                throw std::invalid_argument("no test named '" + name + "' (--list shows them)");
    if (o.run_one && !known(*o.run_one))
        throw std::invalid_argument("no test named '" + *o.run_one + "' (--list shows them)");
    if (!o.list && !o.help && o.plugin.empty())
        throw std::invalid_argument("missing the plugin path");
    return o;
}

namespace {
constexpr const char *kUsage =
    "usage: anyserial plugin-check PATH.so [--only TEST...] [--skip TEST...] [--seed N] [--json] "
    "[--list] [--timeout SEC] [--time-scale N]\n";
}

int run_checks(const Options &o, std::ostream &out, std::ostream &err) {
    const auto &tests = all_tests();
    if (o.help) {
        out << kUsage
            << "Checks a plugin against the anyserial C ABI contract: every test in its own "
               "process with a time limit.\n"
               "  --only TEST...   run only these tests (a group such as 'protocol' selects "
               "its tests)\n"
               "  --skip TEST...   skip these tests\n"
               "  --seed N         seed of the fuzzing (a fresh one is printed otherwise)\n"
               "  --json           one JSON report on stdout\n"
               "  --list           list the tests with a description\n"
               "  --timeout SEC    time limit per test (10)\n"
               "  --time-scale N   multiply the limits tests check, e.g. the 100 ms scan (1)\n"
               "Exit status: 0 nothing failed, 1 a test failed, 2 usage error. See "
               "docs/plugin-check.md.\n";
        return 0;
    }
    if (o.list) {
        for (const auto &t : tests)
            out << t.name << "  " << t.description << '\n';
        return 0;
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(o.plugin, ec)) {
        err << "anyserial plugin-check: " << o.plugin << ": not a regular file\n";
        return 2;
    }
    const std::uint64_t seed = o.seed ? *o.seed : std::random_device{}() * 0x100000001ull;
    if (o.run_one) {
        bool failed_here = false;
        for (const auto &t : tests)
            if (matches(t.name, {*o.run_one})) {
                Context ctx = make_context(o, seed, t);
                const std::string r = run_here(t, ctx);  // "=X reason\n"
                const char *word = r[1] == 'P' ? "passed" : r[1] == 'S' ? "skipped" : "failed";
                out << t.name << ": " << word << (r.size() > 4 ? ": " + r.substr(3) : "\n");
                if (r[1] == 'F') failed_here = true;
            }
        return failed_here ? 1 : 0;
    }
    if (!o.json) out << "anyserial plugin-check " << o.plugin << " (seed " << seed << ")\n";
    boost::json::array results;
    int passed = 0, failed = 0, skipped = 0;
    for (const auto &t : tests) {
        if (!o.only.empty() && !matches(t.name, o.only)) continue;
        if (matches(t.name, o.skip)) continue;
        const Outcome r = run_child(o, seed, t);
        (r.status == "passed" ? passed : r.status == "failed" ? failed : skipped)++;
        if (o.json) {
            results.push_back({{"name", t.name},
                               {"status", r.status},
                               {"reason", r.reason},
                               {"seconds", r.seconds}});
        } else {
            out << "  " << t.name << ": " << r.status << (r.reason.empty() ? "" : ": ") << r.reason
                << '\n';
            out.flush();
        }
    }
    if (o.json) {
        boost::json::object doc{
            {"plugin", o.plugin},
            {"seed", seed},
            {"tests", std::move(results)},
            {"summary", {{"passed", passed}, {"failed", failed}, {"skipped", skipped}}}};
        out << boost::json::serialize(doc) << '\n';
    } else {
        out << passed << " passed, " << failed << " failed, " << skipped << " skipped (seed "
            << seed << "; rerun one with --only NAME --seed " << seed << ")\n";
    }
    return failed == 0 ? 0 : 1;
}

int run(const std::vector<std::string> &args, std::ostream &out, std::ostream &err) {
    Options o;
    try {
        o = parse_options(args);
    } catch (const std::invalid_argument &e) {
        err << "anyserial plugin-check: " << e.what() << "\n" << kUsage;
        return 2;
    }
    return run_checks(o, out, err);
}

int run(int argc, char **argv) {
    return run(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr);
}

}  // namespace anyserial::checker

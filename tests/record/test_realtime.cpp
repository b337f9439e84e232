// apply_realtime: bad values are refused before anything changes; timer slack and
// SCHED_FIFO reach the calling thread (and only it); a refusal is a warning, not a failure.
#define BOOST_TEST_MODULE record_realtime
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <anyserial/record/realtime.hpp>
#include <boost/test/unit_test.hpp>
#include <thread>

using namespace anyserial::record;
using namespace std::chrono_literals;

namespace {
RealtimeOptions slack(std::chrono::nanoseconds ns, std::optional<int> priority = std::nullopt) {
    RealtimeOptions o;
    o.timer_slack = ns;
    o.fifo_priority = priority;
    return o;
}
RealtimeOptions fifo(int priority) {
    RealtimeOptions o;
    o.fifo_priority = priority;
    return o;
}
int policy_of_this_thread(int *priority = nullptr) {
    int policy = -1;
    sched_param p{};
    BOOST_REQUIRE(::pthread_getschedparam(::pthread_self(), &policy, &p) == 0);
    if (priority) *priority = p.sched_priority;
    return policy;
}
bool has(const std::vector<std::string> &v, const std::string &part) {
    for (const auto &s : v)
        if (s.find(part) != std::string::npos) return true;
    return false;
}
}  // namespace

BOOST_AUTO_TEST_CASE(bad_values_are_refused_before_anything_changes) {
    const long before = ::prctl(PR_GET_TIMERSLACK);
    BOOST_CHECK_THROW(apply_realtime(slack(0ns)), std::invalid_argument);
    BOOST_CHECK_THROW(apply_realtime(slack(-5ns)), std::invalid_argument);
    BOOST_CHECK_THROW(apply_realtime(fifo(0)), std::invalid_argument);
    BOOST_CHECK_THROW(apply_realtime(slack(1us, 100)), std::invalid_argument);
    BOOST_TEST(::prctl(PR_GET_TIMERSLACK) == before);  // the valid slack was not applied either
    BOOST_TEST(policy_of_this_thread() == SCHED_OTHER);
}

BOOST_AUTO_TEST_CASE(timer_slack_reaches_the_calling_thread_only) {
    const long main_before = ::prctl(PR_GET_TIMERSLACK);
    long inside = 0;
    RealtimeReport report;
    std::thread([&] {
        report = apply_realtime(slack(1us));
        inside = ::prctl(PR_GET_TIMERSLACK);
    }).join();
    BOOST_TEST(inside == 1000);
    BOOST_TEST(has(report.applied, "timer slack 1000 ns"));
    BOOST_TEST(report.warnings.empty());
    BOOST_TEST(::prctl(PR_GET_TIMERSLACK) == main_before);
}

// CI runs as root (CAP_SYS_NICE), so the priority is granted there; an unprivileged run
// must get the warning instead. Either way the outcome is checked.
BOOST_AUTO_TEST_CASE(sched_fifo_is_applied_when_permitted_and_a_warning_otherwise) {
    RealtimeReport report;
    int policy = -1, priority = -1;
    std::thread([&] {
        report = apply_realtime(fifo(10));
        policy = policy_of_this_thread(&priority);
    }).join();
    if (::geteuid() == 0) {
        BOOST_TEST(policy == SCHED_FIFO);
        BOOST_TEST(priority == 10);
        BOOST_TEST(has(report.applied, "SCHED_FIFO priority 10"));
    } else {
        BOOST_TEST(policy == SCHED_OTHER);
        BOOST_TEST(has(report.warnings, "not permitted"));
    }
    BOOST_TEST(policy_of_this_thread() == SCHED_OTHER);  // the test's own thread is untouched
}

// A process with neither CAP_SYS_NICE nor an RLIMIT_RTPRIO gets a warning naming what to
// grant, keeps its normal priority and is not failed.
BOOST_AUTO_TEST_CASE(a_refused_priority_is_a_warning_naming_what_to_grant) {
    const pid_t child = ::fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
        const rlimit none{0, 0};
        if (::setrlimit(RLIMIT_RTPRIO, &none) != 0) ::_exit(10);
        if (::geteuid() == 0 && ::setuid(65534) != 0) ::_exit(11);  // nobody: no capabilities
        try {
            const RealtimeReport r = apply_realtime(fifo(10));
            if (!r.applied.empty()) ::_exit(12);
            if (!has(r.warnings, "not permitted") || !has(r.warnings, "RLIMIT_RTPRIO")) ::_exit(13);
            int policy = -1;
            sched_param p{};
            ::pthread_getschedparam(::pthread_self(), &policy, &p);
            ::_exit(policy == SCHED_OTHER ? 0 : 14);
        } catch (...) {
            ::_exit(15);
        }
    }
    int status = 0;
    BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
    BOOST_REQUIRE(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0);
}

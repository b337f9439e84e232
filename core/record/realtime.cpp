// anyserial — timer slack, SCHED_FIFO and mlockall for the recorder's thread (realtime.hpp).
#include <anyserial/record/realtime.hpp>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#if defined(__linux__)
#include <sys/prctl.h>
#endif
#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#endif

#include "log/logger.hpp"

namespace anyserial::record {

namespace {
constexpr int kMinPriority = 1;
constexpr int kMaxPriority = 99;

std::string errno_text(int e) {
    return std::strerror(e);
}

void timer_slack(std::chrono::nanoseconds slack, RealtimeReport &r) {
#if defined(__linux__)
    if (::prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(slack.count()), 0, 0, 0) == 0) {
        r.applied.push_back("timer slack " + std::to_string(slack.count()) + " ns");
    } else {
        r.warnings.push_back("timer slack not changed: prctl(PR_SET_TIMERSLACK): " +
                             errno_text(errno));
    }
#else
    (void)slack;
    r.warnings.push_back("timer slack not changed: PR_SET_TIMERSLACK exists only on Linux");
#endif
}

void fifo(int priority, RealtimeReport &r) {
#if defined(__unix__) || defined(__APPLE__)
    sched_param param{};
    param.sched_priority = priority;
    const int e = ::pthread_setschedparam(::pthread_self(), SCHED_FIFO, &param);
    if (e == 0) {
        r.applied.push_back("SCHED_FIFO priority " + std::to_string(priority));
    } else if (e == EPERM) {
        r.warnings.push_back(
            "SCHED_FIFO priority " + std::to_string(priority) +
            " not permitted (needs CAP_SYS_NICE, or RLIMIT_RTPRIO >= " + std::to_string(priority) +
            ", e.g. `ulimit -r` or limits.conf rtprio); running at normal "
            "priority");
    } else {
        r.warnings.push_back("SCHED_FIFO priority " + std::to_string(priority) +
                             " not set: " + errno_text(e) + "; running at normal priority");
    }
#else
    r.warnings.push_back("SCHED_FIFO priority " + std::to_string(priority) +
                         " not set: not supported on this platform");
#endif
}

void lock_memory(RealtimeReport &r) {
#if defined(__unix__) || defined(__APPLE__)
    if (::mlockall(MCL_CURRENT | MCL_FUTURE) == 0) {
        r.applied.push_back("memory locked (mlockall)");
    } else {
        const int e = errno;
        r.warnings.push_back(
            std::string("memory not locked: mlockall: ") + errno_text(e) +
            (e == EPERM || e == ENOMEM ? " (needs CAP_IPC_LOCK or a larger RLIMIT_MEMLOCK)" : ""));
    }
#else
    r.warnings.push_back("memory not locked: mlockall is not supported on this platform");
#endif
}
}  // namespace

void validate(const RealtimeOptions &o) {
    if (o.timer_slack && o.timer_slack->count() <= 0) {
        throw std::invalid_argument("timer slack must be > 0 ns, got " +
                                    std::to_string(o.timer_slack->count()));
    }
    if (o.fifo_priority && (*o.fifo_priority < kMinPriority || *o.fifo_priority > kMaxPriority)) {
        throw std::invalid_argument("SCHED_FIFO priority must be 1..99, got " +
                                    std::to_string(*o.fifo_priority));
    }
}

RealtimeReport apply_realtime(const RealtimeOptions &o) {
    validate(o);
    RealtimeReport r;
    if (o.lock_memory) lock_memory(r);
    if (o.timer_slack) timer_slack(*o.timer_slack, r);
    if (o.fifo_priority) fifo(*o.fifo_priority, r);
    auto &log = log::logger("anyserial.record");
    for (const auto &a : r.applied)
        log.info("realtime.applied {}", a);
    for (const auto &w : r.warnings)
        log.warn("realtime.refused {}", w);
    return r;
}

}  // namespace anyserial::record

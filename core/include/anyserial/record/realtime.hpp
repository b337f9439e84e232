// anyserial — what acquisition users reach for when the machine is busy: a finer timer
// slack, a real-time priority, memory that never pages out. Opt-in, for the thread that runs
// the recorder's loop (the CLI: `record --timer-slack-us --realtime --lock-memory`).
//
//     anyserial::record::RealtimeOptions rt;
//     rt.fifo_priority = 10;                     // on the thread that runs the io_context
//     auto report = anyserial::record::apply_realtime(rt);
//     for (auto &w : report.warnings) log(w);    // not permitted here: running as before
//
// docs/recording.md, "Holding the schedule under load", has what each one buys (measured).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace anyserial::record {

struct RealtimeOptions {
    // The calling thread's timer slack (Linux prctl PR_SET_TIMERSLACK; default 50 us): how
    // late the kernel may fire its timers to coalesce wake-ups. > 0.
    std::optional<std::chrono::nanoseconds> timer_slack;
    // SCHED_FIFO at this priority for the calling thread, so work of normal priority never
    // delays a tick. 1..99; stay below the kernel's interrupt threads (50) unless you know
    // better. Needs CAP_SYS_NICE or RLIMIT_RTPRIO >= priority.
    std::optional<int> fifo_priority;
    // mlockall(MCL_CURRENT | MCL_FUTURE) for the whole process: no page fault stalls a tick.
    // Needs CAP_IPC_LOCK or a large enough RLIMIT_MEMLOCK.
    bool lock_memory = false;
};

struct RealtimeReport {
    std::vector<std::string> applied;   // "timer slack 1000 ns", "SCHED_FIFO priority 10", ...
    std::vector<std::string> warnings;  // what the system refused, and why; nothing changed there
};

// Throws std::invalid_argument, before changing anything, for a slack <= 0 or a priority
// outside 1..99.
void validate(const RealtimeOptions &options);

// Validates, then applies each requested setting to the calling thread (lock_memory: to the
// process). A setting the system refuses (no permission, not supported on this platform)
// becomes a warning naming what to grant, never an exception: the recording still runs,
// at normal priority.
RealtimeReport apply_realtime(const RealtimeOptions &options);

}  // namespace anyserial::record

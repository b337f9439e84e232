#include "realtime_options.hpp"

#include <cmath>
#include <ostream>
#include <stdexcept>

#include "command.hpp"
#include "options.hpp"

namespace anyserial::cli {

namespace po = boost::program_options;

void add_realtime_options(po::options_description &opts) {
    opts.add_options()("timer-slack-us", real_value(0.0, 1e6)->value_name("US"),
                       "timer slack of the loop thread in microseconds (Linux default 50): "
                       "how late the kernel may wake a tick to batch wake-ups")(
        "realtime", whole_value<int>(1, 99)->implicit_value(10)->value_name("PRIO"),
        "run the loop thread SCHED_FIFO at PRIO (1..99, default 10) so other work cannot "
        "delay a tick; needs CAP_SYS_NICE or RLIMIT_RTPRIO (a warning otherwise)")(
        "lock-memory",
        "mlockall: no page fault stalls a tick (needs CAP_IPC_LOCK or "
        "RLIMIT_MEMLOCK; a warning otherwise)")(
        "sink-thread",
        "write the sinks on a thread of their own, so a slow commit never "
        "delays a tick (the queue --buffer absorbs a slow sink)");
}

AcquisitionTuning realtime_options(const po::variables_map &vm) {
    AcquisitionTuning t;
    if (vm.count("timer-slack-us") != 0) {
        const double us = vm["timer-slack-us"].as<double>();
        const auto ns = std::llround(us * 1000.0);
        if (ns < 1) throw UsageError("--timer-slack-us must be at least 0.001 (1 ns)");
        t.realtime.timer_slack = std::chrono::nanoseconds(ns);
    }
    if (vm.count("realtime") != 0) t.realtime.fifo_priority = vm["realtime"].as<int>();
    t.realtime.lock_memory = vm.count("lock-memory") != 0;
    t.sink_thread = vm.count("sink-thread") != 0;
    try {
        record::validate(t.realtime);
    } catch (const std::invalid_argument &e) {
        throw UsageError(e.what());
    }
    return t;
}

void apply_realtime_options(const AcquisitionTuning &tuning, std::ostream &err,
                            std::string_view verb) {
    const auto &r = tuning.realtime;
    if (!r.timer_slack && !r.fifo_priority && !r.lock_memory) return;
    const record::RealtimeReport report = record::apply_realtime(r);
    for (const auto &a : report.applied)
        err << "anyserial " << verb << ": " << a << '\n';
    for (const auto &w : report.warnings)
        err << "anyserial " << verb << ": warning: " << w << '\n';
}

}  // namespace anyserial::cli

// anyserial CLI — the options an acquisition verb offers for holding its schedule on a busy
// machine (record): timer slack, SCHED_FIFO, locked memory, the sink's own writer thread.
// What each one buys is measured in docs/performance.md; docs/recording.md says when to use it.
#pragma once

#include <anyserial/record/realtime.hpp>
#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>
#include <iosfwd>
#include <string_view>

namespace anyserial::cli {

struct AcquisitionTuning {
    record::RealtimeOptions realtime;
    bool sink_thread = false;  // --sink-thread: write the sink off the loop thread
};

void add_realtime_options(boost::program_options::options_description &opts);
// Throws UsageError for a value out of range (before any I/O).
AcquisitionTuning realtime_options(const boost::program_options::variables_map &vm);
// Applies the thread settings to the calling (loop) thread; says on `err` what was applied
// and, as a warning, what the system refused (the run goes on without it).
void apply_realtime_options(const AcquisitionTuning &tuning, std::ostream &err,
                            std::string_view verb);

}  // namespace anyserial::cli

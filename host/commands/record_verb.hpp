// anyserial record — what the verb's two halves share: the parsed options, the sinks'
// delivery report, and the frame-by-frame (passive) recording in record_passive.cpp.
#pragma once

#include <anyserial/device/session.hpp>
#include <anyserial/record/recorder.hpp>
#include <anyserial/sinks/sink.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "command.hpp"
#include "interrupt.hpp"
#include "realtime_options.hpp"

namespace anyserial::cli::record_verb {

namespace dev = anyserial::device;
namespace rec = anyserial::record;

// The library's recording errors start with "record: "; the CLI's prefix already says it.
std::string_view without_verb(std::string_view error);

struct Entry {
    std::string port;     // as given
    std::string line;     // the path opened: links resolved, so one device is one shared line
    std::string address;  // canonical; "" = the protocol's default
};

struct Options {
    std::vector<Entry> entries;
    bool manager = false;
    dev::DeviceOptions device;
    rec::RecordOptions record;
    std::vector<std::string> sinks;
    std::filesystem::path spool = "anyserial-spool.db";  // the network sinks' spool
    anyserial::sinks::SinkOptions sink_options;          // the file sinks' (--overwrite, ...)
    bool json = false;
    bool passive = false;                 // --passive, or a broadcaster without --rate
    bool rate_given = false;              // --rate: a broadcaster is sampled, not recorded whole
    std::vector<std::string> poll_only;   // options given that only a timed recording uses
    std::optional<std::uint64_t> frames;  // passive: end after this many
    anyserial::cli::AcquisitionTuning tuning;  // --realtime, --timer-slack-us, --sink-thread...
};

// The network sinks' delivery counters (docs/fleet.md): JSON under "delivery", or a line each.
using SinkList = std::vector<const anyserial::sinks::Sink *>;
void report_delivery(Context &ctx, const SinkList &sinks, boost::json::object *doc);

// Passive: every broadcast frame, as it arrives, is one batch (one SQLite transaction).
struct Passive {
    rec::AcquisitionSummary summary;  // samples_emitted counts frames
    std::uint64_t bad = 0, lost = 0, rows = 0;
    std::string error;
};
boost::asio::awaitable<void> record_passive(Context &ctx, const Options &o, dev::Device &anz,
                                            anyserial::sinks::Sink &sink, Interrupt &interrupt,
                                            Passive &r);
int report_passive(Context &ctx, const Options &o, const anyserial::sinks::Sink &sink,
                   const SinkList &each, const Passive &r, bool interrupted);

}  // namespace anyserial::cli::record_verb

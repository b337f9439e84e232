// anyserial decode [FILE|-] [--protocol ID] [--json] — offline decode of a broadcast
// protocol's frames (a capture file or stdin) through its plugin: --protocol, default the
// only loaded broadcast protocol (or demo's default device when there are several). Exit 1
// if any frame was bad or the input could not be read (named with its cause). A line (ended
// by LF or CR) longer than kMaxLine bytes is a bad frame, skipped without being held; a
// last frame without its line end is decoded as if it had the input's line end.
// The input is raw bytes, or the hex/ASCII log of `anyserial diag tap` (auto-detected:
// "# anyserial diag tap" header or timestamped hex lines), whose bytes are decoded.
#include <fcntl.h>
#include <unistd.h>

#include <anyserial/device/decoder.hpp>
#include <anyserial/plugin_host.hpp>
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

#include "command.hpp"
#include "default_device.hpp"
#include "device_output.hpp"
#include "protocols.hpp"

namespace po = boost::program_options;
namespace dev = anyserial::device;

namespace {

// The longest line decode holds: far beyond a frame (about 300 bytes) or a tap line (166).
constexpr std::size_t kMaxLine = 64 * 1024;

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// "2024-05-01T12:00:00.123456Z 30 31 ..." : an ISO-8601 UTC stamp, then hex pairs.
bool is_tap_line(std::string_view line) {
    const auto z = line.find("Z ");
    if (z == std::string_view::npos || z < 19 || line.size() < z + 4) return false;
    if (line[4] != '-' || line[7] != '-' || line[10] != 'T' || line[13] != ':' || line[16] != ':')
        return false;
    return is_hex(line[z + 2]) && is_hex(line[z + 3]);
}

// The bytes of one tap line: hex pairs after the stamp, up to the "  |ascii|" column.
void tap_line_bytes(std::string_view line, std::vector<std::uint8_t> &out) {
    out.clear();
    std::size_t i = line.find("Z ") + 2;
    while (i + 1 < line.size() && is_hex(line[i]) && is_hex(line[i + 1])) {
        const char pair[3] = {line[i], line[i + 1], '\0'};
        out.push_back(static_cast<std::uint8_t>(std::strtoul(pair, nullptr, 16)));
        i += 2;
        if (i < line.size() && line[i] == ' ') ++i;
    }
}

std::string checksum_text(const std::optional<std::uint32_t> &c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", c.value_or(0) & 0xFFFFu);
    return buf;
}

void print_json(std::ostream &out, const std::string &protocol, const dev::DecodedFrame &d) {
    boost::json::object o;
    o["ok"] = d.ok;
    o["error"] = d.ok ? boost::json::value(nullptr) : boost::json::value(d.error);
    o["checksum"] = d.frame && d.frame->checksum
                        ? boost::json::value(checksum_text(d.frame->checksum))
                        : boost::json::value(nullptr);
    if (d.frame) {
        boost::json::object f = anyserial::cli::frame_json(*d.frame);
        for (auto &kv : f)
            o[kv.key()] = kv.value();
    } else {
        o["readings"] = boost::json::array{};
        o["device_flags"] = boost::json::array{};
        o["fields"] = boost::json::array{};
    }
    o["protocol"] = protocol;
    out << boost::json::serialize(o) << '\n';
}

void print_text(std::ostream &out, std::size_t index, const dev::DecodedFrame &d) {
    out << "frame " << index << ": " << (d.ok ? "ok" : "BAD (" + d.error + ")");
    if (d.frame && d.frame->checksum) out << ", checksum " << checksum_text(d.frame->checksum);
    out << '\n';
    if (!d.frame) return;
    anyserial::cli::print_fields(out, d.frame->fields);
    for (const dev::Reading &r : d.frame->readings) {
        out << "  " << r.channel << "  " << r.name.value_or("-") << "  "
            << anyserial::cli::value_text(r) << ' ' << r.unit;
        if (!r.flags.empty()) out << "  (" << r.flags.ids() << ")";
        out << '\n';
    }
}

// Lines of at most kMaxLine bytes from a descriptor, '\n' included (the last line may lack
// it). A longer line is skipped to its end and reported, so memory stays bounded whatever
// the input. A read error throws std::system_error with its errno.
class LineReader {
  public:
    enum class Got { line, too_long, end };
    explicit LineReader(int fd) : fd_(fd), buf_(64 * 1024) {}

    Got next(std::string &line) {
        line.clear();
        bool too_long = false;
        for (;;) {
            if (pos_ == len_ && !fill())
                return too_long ? Got::too_long : line.empty() ? Got::end : Got::line;
            const char *start = buf_.data() + pos_;
            const char *nl = line_end(start, len_ - pos_);
            const std::size_t take = nl ? std::size_t(nl - start) + 1 : len_ - pos_;
            pos_ += take;
            if (!too_long && line.size() + take > kMaxLine) too_long = true;
            if (!too_long) line.append(start, take);
            if (nl) return too_long ? Got::too_long : Got::line;
        }
    }

  private:
    // The first LF or CR in [p, p + n), or nullptr.
    static const char *line_end(const char *p, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i)
            if (p[i] == '\n' || p[i] == '\r') return p + i;
        return nullptr;
    }
    bool fill() {
        for (;;) {
            const ssize_t n = ::read(fd_, buf_.data(), buf_.size());
            if (n >= 0) {
                pos_ = 0;
                len_ = std::size_t(n);
                return n > 0;
            }
            if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "read");
        }
    }
    int fd_;
    std::vector<char> buf_;
    std::size_t pos_ = 0, len_ = 0;
};

std::string_view without_line_end(std::string_view v) {
    if (!v.empty() && v.back() == '\n') v.remove_suffix(1);
    if (!v.empty() && v.back() == '\r') v.remove_suffix(1);
    return v;
}

// Decodes raw bytes or a tap log from `fd`; the exit code (1 when a frame was bad).
int decode(anyserial::cli::Context &ctx, const anyserial::cli::ProtocolInfo &proto, int fd,
           bool json) {
    dev::FrameDecoder decoder(*proto.loaded);
    std::size_t index = 0, skipped = 0;
    bool any_bad = false;
    auto on_frame = [&](dev::DecodedFrame &&d) {
        ++index;
        if (!d.ok) any_bad = true;
        if (json)
            print_json(ctx.out, proto.id, d);
        else
            print_text(ctx.out, index, d);
    };
    char last = '\n';  // the last byte fed: a final frame without its terminator is pending
    bool seen_crlf = false, seen_cr = false, seen_lf = false;  // the input's line ends
    auto feed = [&](std::span<const std::uint8_t> bytes) {
        if (bytes.empty()) return;
        for (std::uint8_t b : bytes) {
            seen_crlf = seen_crlf || (last == '\r' && b == '\n');
            seen_cr = seen_cr || b == '\r';
            seen_lf = seen_lf || b == '\n';
            last = static_cast<char>(b);
        }
        decoder.feed(bytes, on_frame);
        ctx.out.flush();
    };
    auto feed_text = [&](std::string_view text) {
        feed({reinterpret_cast<const std::uint8_t *>(text.data()), text.size()});
    };
    // The first line that is not blank or a comment tells a tap log (or its header does)
    // from raw bytes. Either is decoded a line at a time, as it arrives: frames are text
    // lines, so a live pipe prints each one when it is complete.
    enum class Mode { undecided, tap, raw } mode = Mode::undecided;
    std::string line, head;
    std::vector<std::uint8_t> bytes;
    LineReader reader(fd);
    for (LineReader::Got got; (got = reader.next(line)) != LineReader::Got::end;) {
        if (got == LineReader::Got::too_long) {  // a bad frame: reported, never held whole
            ++skipped;
            dev::DecodedFrame d;
            d.error = "a line longer than " + std::to_string(kMaxLine) + " bytes, skipped";
            on_frame(std::move(d));
            continue;
        }
        const std::string_view l = without_line_end(line);
        if (mode == Mode::undecided) {
            if (l.rfind("# anyserial diag tap", 0) == 0) {
                mode = Mode::tap;
                continue;
            }
            if ((l.empty() || l.front() == '#') && head.size() < kMaxLine) {
                head += line;
                continue;
            }
            mode = is_tap_line(l) ? Mode::tap : Mode::raw;
            if (mode == Mode::raw) feed_text(head);
        }
        if (mode == Mode::raw) {
            feed_text(line);
            continue;
        }
        if (l.empty() || l.front() == '#') continue;
        if (!is_tap_line(l)) {
            ctx.err << "anyserial decode: a line that is not a diag tap line: " << l.substr(0, 40)
                    << '\n';
            any_bad = true;
            continue;
        }
        tap_line_bytes(l, bytes);
        feed(bytes);
    }
    if (mode == Mode::undecided) feed_text(head);
    // A last frame without its line end is decoded as if it had the input's (a cut one is
    // bad); CR LF when the input had none.
    const std::string_view ending = seen_crlf ? "\r\n" : seen_cr ? "\r" : seen_lf ? "\n" : "\r\n";
    if (last == '\r' && ending == "\r\n")
        feed_text("\n");
    else if (last != '\n' && last != '\r')
        feed_text(ending);
    if (!json) ctx.out << index << " frame(s), " << decoder.dropped() + skipped << " bad\n";
    return any_bad ? anyserial::cli::exit_failure : anyserial::cli::exit_ok;
}

// --protocol, or the only loaded broadcast protocol, or the default device among several.
anyserial::cli::ProtocolInfo broadcast_protocol(anyserial::cli::Context &ctx,
                                                const po::variables_map &vm) {
    std::string text;
    if (vm.count("protocol") != 0) {
        text = vm["protocol"].as<std::string>();
    } else {
        std::vector<std::string> ids;
        for (const anyserial::LoadedProtocol *p : ctx.host().protocols())
            if (p->descriptor().traffic == ANYSERIAL_TRAFFIC_BROADCAST)
                ids.emplace_back(p->descriptor().id);
        if (ids.empty())
            throw anyserial::cli::UsageError("no broadcast protocol plugin is loaded; " +
                                             anyserial::cli::loaded_protocols(ctx.host()));
        text = ids.size() == 1 ? ids.front() : anyserial::cli::kDefaultDevice;
    }
    auto choice = anyserial::cli::resolve_one_protocol(ctx.host(), text, "decode");
    if (!choice.only().broadcast)
        throw anyserial::cli::UsageError("--protocol " + choice.only().id +
                                         ": decode reads a broadcast protocol's frames, and it "
                                         "only answers requests");
    return choice.only();
}

int run(anyserial::cli::Context &ctx) {
    po::options_description opts("anyserial decode [FILE|-] [--protocol ID] [--json]");
    opts.add_options()("protocol", po::value<std::string>()->value_name("ID"),
                       ("a broadcast protocol (default: the only loaded one, or " +
                        std::string(anyserial::cli::kDefaultDevice) + " among several)")
                           .c_str())(
        "file", po::value<std::string>()->default_value("-"),
        "capture file, - = stdin (lines up to 64 KiB; a longer one is a bad frame)")(
        "json", "one JSON object per frame")("help,h", "show this help");
    po::positional_options_description pos;
    pos.add("file", 1);
    po::variables_map vm;
    if (!anyserial::cli::parse_options(ctx, opts, vm, &pos)) return anyserial::cli::exit_ok;
    const std::string file = vm["file"].as<std::string>();
    const bool json = vm.count("json") != 0;

    const anyserial::cli::ProtocolInfo proto = broadcast_protocol(ctx, vm);
    int fd = STDIN_FILENO;
    if (file != "-") {
        fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
            ctx.err << "anyserial decode: cannot open " << file << ": " << std::strerror(errno)
                    << '\n';
            return anyserial::cli::exit_failure;
        }
    }
    int rc = anyserial::cli::exit_failure;
    try {
        rc = decode(ctx, proto, fd, json);
    } catch (const std::system_error &e) {
        ctx.err << "anyserial decode: " << (file == "-" ? "stdin" : file)
                << ": cannot read: " << e.code().message() << '\n';
    } catch (const std::bad_alloc &) {
        ctx.err << "anyserial decode: " << (file == "-" ? "stdin" : file) << ": out of memory\n";
    }
    if (fd != STDIN_FILENO) ::close(fd);
    return rc;
}

}  // namespace

static const anyserial::cli::Registration reg{"decode",
                                              "decode a broadcast protocol's frames offline", &run};

// anyserial decode [FILE|-] [--json] — offline decode of continuous-mode frames (a capture
// file or stdin) through the continuous protocol plugin. Exit 1 if any frame was bad.
// The input is raw bytes, or the hex/ASCII log of `anyserial diag tap` (auto-detected:
// "# anyserial diag tap" header or timestamped hex lines), whose bytes are decoded.
#include <anyserial/device/decoder.hpp>
#include <anyserial/device/json.hpp>
#include <anyserial/plugin_host.hpp>
#include <boost/program_options.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <ostream>
#include <string_view>
#include <vector>

#include "command.hpp"

namespace po = boost::program_options;
namespace dev = anyserial::device;

namespace {

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

std::string_view trimmed(const std::string &line) {
    std::string_view v(line);
    if (!v.empty() && v.back() == '\r') v.remove_suffix(1);
    return v;
}

std::string checksum_text(const std::optional<std::uint32_t> &c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", c.value_or(0) & 0xFFFFu);
    return buf;
}

void print_json(std::ostream &out, const dev::DecodedFrame &d) {
    boost::json::object o;
    o["ok"] = d.ok;
    o["error"] = d.ok ? boost::json::value(nullptr) : boost::json::value(d.error);
    o["checksum"] = d.frame && d.frame->checksum
                        ? boost::json::value(checksum_text(d.frame->checksum))
                        : boost::json::value(nullptr);
    if (d.frame) {
        boost::json::object f = dev::json::to_json(*d.frame);
        for (auto &kv : f)
            o[kv.key()] = kv.value();
    } else {
        o["protocol"] = "continuous";
        o["readings"] = boost::json::array{};
        o["analyser"] = nullptr;
    }
    out << boost::json::serialize(o) << '\n';
}

void print_text(std::ostream &out, std::size_t index, const dev::DecodedFrame &d) {
    out << "frame " << index << ": " << (d.ok ? "ok" : "BAD (" + d.error + ")");
    if (d.frame && d.frame->checksum) out << ", checksum " << checksum_text(d.frame->checksum);
    out << '\n';
    if (!d.frame) return;
    if (d.frame->analyser.clock) out << "  clock " << *d.frame->analyser.clock << '\n';
    for (const dev::Reading &r : d.frame->readings) {
        char value[32] = "--";
        if (r.value) std::snprintf(value, sizeof value, "%.3f", *r.value);
        out << "  " << r.channel << "  " << r.name.value_or("-") << "  " << value << ' '
            << r.unit.text << (r.status.ok() ? "" : "  (status!)") << '\n';
    }
}

int run(anyserial::cli::Context &ctx) {
    po::options_description opts("anyserial decode [FILE|-] [--json]");
    opts.add_options()("file", po::value<std::string>()->default_value("-"),
                       "capture file, - = stdin")("json", "one JSON object per frame")(
        "help,h", "show this help");
    po::positional_options_description pos;
    pos.add("file", 1);
    po::variables_map vm;
    if (!anyserial::cli::parse_options(ctx, opts, vm, &pos)) return anyserial::cli::exit_ok;
    const std::string file = vm["file"].as<std::string>();
    const bool json = vm.count("json") != 0;

    const anyserial::LoadedProtocol *proto =
        ctx.host().protocol(dev::protocol_plugin_id(dev::ProtocolKind::continuous));
    if (proto == nullptr) {
        ctx.err << "anyserial decode: the continuous protocol plugin ("
                << dev::protocol_plugin_id(dev::ProtocolKind::continuous)
                << ") is not loaded; see `anyserial plugins`\n";
        return anyserial::cli::exit_failure;
    }
    std::ifstream in_file;
    std::istream *in = &std::cin;
    if (file != "-") {
        in_file.open(file, std::ios::binary);
        if (!in_file) {
            ctx.err << "anyserial decode: cannot open " << file << '\n';
            return anyserial::cli::exit_failure;
        }
        in = &in_file;
    }

    dev::FrameDecoder decoder(*proto);
    std::size_t index = 0;
    bool any_bad = false;
    auto on_frame = [&](dev::DecodedFrame &&d) {
        ++index;
        if (!d.ok) any_bad = true;
        if (json)
            print_json(ctx.out, d);
        else
            print_text(ctx.out, index, d);
    };
    // The first line that is not blank or a comment tells a tap log (or its header does)
    // from raw bytes. Either is decoded a line at a time, as it arrives: frames are text
    // lines, so a live pipe prints each one when it is complete.
    std::string line, head;
    bool tap = false, more = false;
    while ((more = static_cast<bool>(std::getline(*in, line)))) {
        const std::string_view l = trimmed(line);
        if (l.rfind("# anyserial diag tap", 0) == 0) tap = true;
        if (!l.empty() && l.front() != '#') {
            tap = tap || is_tap_line(l);
            break;
        }
        head += line;
        if (!in->eof()) head += '\n';
    }
    std::vector<std::uint8_t> bytes;
    auto feed = [&](std::string_view text) {
        decoder.feed({reinterpret_cast<const std::uint8_t *>(text.data()), text.size()}, on_frame);
        ctx.out.flush();
    };
    if (!tap) feed(head);
    for (; more; more = static_cast<bool>(std::getline(*in, line))) {
        if (!tap) {
            if (!in->eof()) line += '\n';
            feed(line);
            continue;
        }
        const std::string_view l = trimmed(line);
        if (l.empty() || l.front() == '#') continue;
        if (!is_tap_line(l)) {
            ctx.err << "anyserial decode: " << file
                    << ": a line that is not a diag tap line: " << l.substr(0, 40) << '\n';
            any_bad = true;
            continue;
        }
        tap_line_bytes(l, bytes);
        decoder.feed({bytes.data(), bytes.size()}, on_frame);
        ctx.out.flush();
    }
    if (!json) ctx.out << index << " frame(s), " << decoder.dropped() << " bad\n";
    return any_bad ? anyserial::cli::exit_failure : anyserial::cli::exit_ok;
}

}  // namespace

static const anyserial::cli::Registration reg{"decode", "decode continuous-mode frames offline",
                                              &run};

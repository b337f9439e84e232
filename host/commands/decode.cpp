// anyserial decode [FILE|-] [--json] — offline decode of continuous-mode frames (a capture
// file or stdin) through the continuous protocol plugin. Exit 1 if any frame was bad.
#include <anyserial/device/decoder.hpp>
#include <anyserial/device/json.hpp>
#include <anyserial/plugin_host.hpp>
#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <ostream>
#include <vector>

#include "command.hpp"

namespace po = boost::program_options;
namespace dev = anyserial::device;

namespace {

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
    try {
        po::store(po::command_line_parser(ctx.args).options(opts).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error &e) {
        throw anyserial::cli::UsageError(e.what());
    }
    if (vm.count("help") != 0) {
        ctx.out << opts;
        return anyserial::cli::exit_ok;
    }
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
    std::vector<std::uint8_t> buf(4096);
    while (*in) {
        in->read(reinterpret_cast<char *>(buf.data()), static_cast<std::streamsize>(buf.size()));
        const auto n = static_cast<std::size_t>(in->gcount());
        if (n == 0) break;
        decoder.feed({buf.data(), n}, on_frame);
    }
    if (!json) ctx.out << index << " frame(s), " << decoder.dropped() << " bad\n";
    return any_bad ? anyserial::cli::exit_failure : anyserial::cli::exit_ok;
}

}  // namespace

static const anyserial::cli::Registration reg{"decode", "decode continuous-mode frames offline",
                                              &run};

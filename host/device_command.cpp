// anyserial CLI — declared commands: checked before the port opens, then run on one session.
#include "device_command.hpp"

#include <fmt/format.h>

#include <anyserial/device/errors.hpp>
#include <anyserial/device/session.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <optional>
#include <ostream>

#include "device_options.hpp"
#include "device_output.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC 12 + Asio awaitable frames
#endif

namespace asio = boost::asio;
namespace dev = anyserial::device;

namespace anyserial::cli {
namespace {

std::string declared_ids(const ProtocolChoice &choice) {
    std::string s;
    for (const ProtocolInfo &p : choice.candidates)
        for (const dev::CommandInfo &c : p.commands)
            if (s.find(c.id) == std::string::npos) s += (s.empty() ? "" : ", ") + c.id;
    return s;
}

std::string who(const ProtocolChoice &choice) {
    return choice.automatic ? "no protocol of " + choice.family : choice.only().id;
}

// How an argument is named in errors: "argument 'value'" or "--group".
std::string arg_name(const dev::ArgInfo &a, std::size_t i, const std::vector<std::string> &opts) {
    if (i < opts.size()) return opts[i];
    return "argument '" + a.id + "'";
}

std::vector<dev::ArgValue> parse_args(const dev::CommandInfo &c,
                                      const std::vector<std::string> &words,
                                      const std::vector<std::string> &opts) {
    if (words.size() > c.args.size())
        throw UsageError(
            fmt::format("{} takes {} argument(s), not {}", c.id, c.args.size(), words.size()));
    std::vector<dev::ArgValue> out;
    for (std::size_t i = 0; i < c.args.size(); ++i) {
        const dev::ArgInfo &a = c.args[i];
        if (i >= words.size() || (i < opts.size() && words[i].empty())) {
            if (!a.optional)
                throw UsageError(fmt::format("{}: {} ({}) is required", c.id, arg_name(a, i, opts),
                                             dev::to_string(a.type)));
            out.push_back({});  // absent
            continue;
        }
        std::string why;
        auto v = dev::parse_arg(a, words[i], why);
        if (!v) throw UsageError(fmt::format("{}: {}: {}", c.id, arg_name(a, i, opts), why));
        out.push_back(std::move(*v));
    }
    return out;
}

struct Outcome {
    std::vector<dev::CommandResult> results;
    std::exception_ptr error;
    std::string port, protocol, address;
};

asio::awaitable<Outcome> run_all(PluginHost &host, std::string port, dev::DeviceOptions options,
                                 std::vector<CommandCall> calls, bool confirm) {
    Outcome out;
    out.port = port;
    std::optional<dev::Device> d;
    try {
        d.emplace(co_await open_device(host, port, std::move(options)));
        out.protocol = d->protocol_id();
        out.address = d->address();
        for (CommandCall &c : calls) {
            auto [ec, r] = co_await d->async_command(c.id, std::move(c.args), confirm,
                                                     asio::as_tuple(asio::use_awaitable));
            if (ec) d->throw_last_error();
            out.results.push_back(std::move(r));
        }
    } catch (...) {
        out.error = std::current_exception();
    }
    if (d) d->close();
    co_return out;
}

void print_text(std::ostream &os, const Outcome &o) {
    for (const dev::CommandResult &r : o.results) {
        os << r.command << " on " << o.port << " (" << o.protocol;
        if (!o.address.empty()) os << " at address " << o.address;
        os << "): ok\n";
        print_fields(os, r.fields);
        if (r.frame) print_frame(os, *r.frame);
    }
}

void print_json(std::ostream &os, const Outcome &o) {
    boost::json::array results;
    for (const dev::CommandResult &r : o.results)
        results.push_back(
            boost::json::object{{"command", r.command},
                                {"fields", fields_json(r.fields)},
                                {"frame", r.frame ? boost::json::value(frame_json(*r.frame))
                                                  : boost::json::value(nullptr)}});
    os << boost::json::serialize(
              boost::json::object{{"port", o.port},
                                  {"protocol", o.protocol},
                                  {"address", o.address.empty() ? boost::json::value(nullptr)
                                                                : boost::json::value(o.address)},
                                  {"results", std::move(results)}})
       << '\n';
}

}  // namespace

CommandCall prepare_command(const ProtocolChoice &choice, const std::string &id,
                            const std::vector<std::string> &words, bool confirm,
                            const std::vector<std::string> &arg_options) {
    CommandCall call{id, {}};
    bool found = false;
    for (const ProtocolInfo &p : choice.candidates) {
        const dev::CommandInfo *c = p.command(id);
        if (c == nullptr) continue;
        // The safety gate first: nothing more is looked at, nothing is opened.
        if (c->safety != dev::Safety::read_only && !confirm)
            throw UsageError(fmt::format("{} is {} on {}: pass --confirm to run it", id,
                                         dev::to_string(c->safety), p.id));
        auto args = parse_args(*c, words, arg_options);
        if (!found) call.args = std::move(args);
        found = true;
    }
    if (!found) {
        const std::string declared = declared_ids(choice);
        throw UsageError(
            fmt::format("{} declares no command '{}' ({})", who(choice), id,
                        declared.empty() ? "it declares no commands" : "declared: " + declared));
    }
    return call;
}

int run_commands(Context &ctx, const std::string &verb, const std::string &port,
                 dev::DeviceOptions options, const std::vector<CommandCall> &calls, bool confirm,
                 bool json) {
    Outcome out;
    asio::io_context io;
    asio::co_spawn(io, run_all(ctx.host(), port, std::move(options), calls, confirm),
                   [&](std::exception_ptr e, Outcome o) {
                       out = std::move(o);
                       if (e) out.error = e;
                   });
    io.run();
    if (out.error && out.results.empty()) {
        // nothing to show but why
    } else if (json)
        print_json(ctx.out, out);
    else
        print_text(ctx.out, out);
    if (out.error) {
        ctx.err << "anyserial " << verb << ": " << describe(out.error) << '\n';
        return exit_code_of(out.error);
    }
    return exit_ok;
}

}  // namespace anyserial::cli

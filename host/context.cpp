// anyserial CLI — the command registry and the lazily loaded plugin host.
#include <anyserial/device/errors.hpp>
#include <anyserial/errors.hpp>
#include <anyserial/sinks/sink.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/program_options/parsers.hpp>
#include <ostream>

#include "command.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC 12 + Asio awaitable frames
#endif

namespace po = boost::program_options;

namespace anyserial::cli {
namespace {

std::vector<Command> &registry() {
    static std::vector<Command> commands;  // filled during static initialisation
    return commands;
}

}  // namespace

Registration::Registration(std::string name, std::string summary, CommandFn run) {
    registry().push_back({std::move(name), std::move(summary), run});
}

const std::vector<Command> &commands() {
    return registry();
}

PluginHost &Context::host() {
    if (!host_) {
        host_ = std::make_unique<PluginHost>();
        host_->load_default(plugin_dirs);
    }
    return *host_;
}

Context::~Context() = default;

std::string describe(const std::exception_ptr &e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception &x) {
        return x.what();
    } catch (...) {
        return "unknown error";
    }
}

int exit_code_of(const std::exception &e) {
    const auto *d = dynamic_cast<const device::DeviceError *>(&e);
    if (d != nullptr && (d->condition() == device::errc::configuration ||
                         d->condition() == device::errc::validation))
        return exit_usage;
    // The serial layer's refusal of a setting, and an output file refused as it is opened
    // (it changed since the check), are the user's to fix as well.
    if (dynamic_cast<const ConfigurationError *>(&e) != nullptr ||
        dynamic_cast<const UnsupportedConfigurationError *>(&e) != nullptr ||
        dynamic_cast<const sinks::SinkRefusedError *>(&e) != nullptr)
        return exit_usage;
    return exit_failure;
}

int exit_code_of(const std::exception_ptr &e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception &x) {
        return exit_code_of(x);
    } catch (...) {
        return exit_failure;
    }
}

int run_to_completion(Context &ctx, std::string_view verb, boost::asio::awaitable<int> main) {
    boost::asio::io_context io;
    int rc = exit_failure;
    boost::asio::co_spawn(io, std::move(main), [&](std::exception_ptr e, int r) {
        rc = r;
        if (e) {
            ctx.err << "anyserial " << verb << ": " << describe(e) << '\n';
            rc = exit_code_of(e);
        }
    });
    io.run();
    return rc;
}

bool parse_options(Context &ctx, const std::vector<std::string> &args,
                   const po::options_description &opts, po::variables_map &vm,
                   const po::positional_options_description *pos) {
    try {
        po::command_line_parser parser(args);
        parser.options(opts);
        if (pos != nullptr) parser.positional(*pos);
        const po::parsed_options parsed = parser.run();
        // Without a positional description Boost keeps a bare word as a nameless option and
        // store() drops it: `read --port P CH1` would read every channel. Refuse it instead.
        for (const po::option &o : parsed.options)
            if (o.string_key.empty() && !o.original_tokens.empty())
                throw UsageError("unexpected argument '" + o.original_tokens.front() +
                                 "' (options are written --NAME VALUE)");
        po::store(parsed, vm);
        po::notify(vm);
    } catch (const po::error &e) {
        throw UsageError(e.what());
    }
    if (vm.count("help") != 0) {
        ctx.out << opts;
        return false;
    }
    return true;
}

bool parse_options(Context &ctx, const po::options_description &opts, po::variables_map &vm,
                   const po::positional_options_description *pos) {
    return parse_options(ctx, ctx.args, opts, vm, pos);
}

}  // namespace anyserial::cli

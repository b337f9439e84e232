// anyserial — declared commands: the gates (confirmation, capability, arguments) that run
// before any byte, then OP_COMMAND through the transaction engine.
#include <cmath>

#include "device/device_impl.hpp"

namespace anyserial::device::detail {
namespace {

bool value_ok(const ArgInfo &arg, const ArgValue &v, std::string &why) {
    const bool numeric = arg.type == ValueType::number || arg.type == ValueType::integer;
    if (numeric && v.type != ValueType::number && v.type != ValueType::integer) {
        why = "expects a " + std::string(to_string(arg.type)) + ", got " +
              std::string(to_string(v.type));
        return false;
    }
    if (arg.type == ValueType::text && v.type != ValueType::text) {
        why = "expects text, got " + std::string(to_string(v.type));
        return false;
    }
    // The same checks as parsing its text form (range, whole number, choices, length).
    std::string text = v.text;
    if (numeric) {
        if (!std::isfinite(v.number)) {
            why = "is not a finite number";
            return false;
        }
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", v.number);
        text = buf;
    }
    return parse_arg(arg, text, why).has_value();
}

// The arguments checked against the declaration, typed as declared (an integer argument
// given as a whole number becomes an integer), omitted optional ones made absent.
void check_args(const CommandInfo &c, std::vector<ArgValue> &args, const ErrorContext &ctx) {
    if (args.size() > c.args.size())
        throw_device_error(errc::validation,
                           "command " + c.id + " takes " + std::to_string(c.args.size()) +
                               " argument(s), got " + std::to_string(args.size()),
                           ctx);
    args.resize(c.args.size());
    for (std::size_t i = 0; i < c.args.size(); ++i) {
        const ArgInfo &a = c.args[i];
        if (args[i].type == ValueType::absent) {
            if (a.optional) continue;
            throw_device_error(errc::validation,
                               "command " + c.id + ": argument '" + a.id + "' is required", ctx);
        }
        std::string why;
        if (!value_ok(a, args[i], why))
            throw_device_error(
                errc::validation,
                "command " + c.id + ": argument '" + a.id + "' " +
                    (why.starts_with("expects") || why.starts_with("is ") ? why
                                                                          : "is invalid: " + why),
                ctx);
        if (a.type == ValueType::integer) args[i].type = ValueType::integer;
        if (a.type == ValueType::number) args[i].type = ValueType::number;
    }
}

}  // namespace

const CommandInfo &DeviceImpl::gate_command(const std::string &id, std::vector<ArgValue> &args,
                                            bool confirm) const {
    const CommandInfo *c = proto != nullptr ? proto->model().command(id) : nullptr;
    // 1. Confirmation: a declared state-changing or destructive command needs it.
    if (c != nullptr && c->safety != Safety::read_only && !confirm)
        throw_device_error(errc::confirmation_required,
                           "command " + id + " is " + std::string(to_string(c->safety)) +
                               ": pass confirm = true (CLI: --confirm); nothing was sent",
                           context());
    // 2. Capability: the protocol declares the command.
    if (c == nullptr) {
        std::string list;
        for (const CommandInfo &x :
             proto != nullptr ? proto->commands() : std::vector<CommandInfo>{})
            list += (list.empty() ? "" : ", ") + x.id;
        throw_device_error(errc::capability,
                           "protocol " + protocol_id + " declares no command '" + id +
                               "' (commands: " + (list.empty() ? "none" : list) +
                               "); nothing was sent",
                           context());
    }
    // 3. Arguments against the declaration.
    check_args(*c, args, context());
    return *c;
}

asio::awaitable<CommandResult> DeviceImpl::command(std::string id, std::vector<ArgValue> args,
                                                   bool confirm, Timeout t) {
    check_open();
    const CommandInfo &c = gate_command(id, args, confirm);
    co_await lock();
    OpGuard guard{this};
    anyserial_protocol_result_t r;
    co_await run_operation(session, {ANYSERIAL_OP_COMMAND, &c.id, args}, t, context(), r);
    CommandResult out;
    out.command = c.id;
    out.fields = fields_from_abi(r.field_count, r.fields, protocol_id);
    if (r.frame != nullptr) out.frame = copy_frame(*r.frame);
    co_return out;
}

}  // namespace anyserial::device::detail

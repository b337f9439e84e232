// anyserial — descriptor validation and copy (see protocol_model.hpp).
#include "plugin/protocol_model.hpp"

#include <algorithm>
#include <anyserial/sdk/cpp/text.hpp>
#include <cstdio>
#include <cstring>
#include <set>

#include "plugin/struct_size.hpp"

namespace anyserial::plugin_detail {
namespace {

using Problem = std::optional<std::string>;

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string str(const char *s) {
    return s != nullptr ? std::string(s) : std::string();
}

Problem check_id(const char *id, std::string_view what) {
    if (id == nullptr) return std::string(what) + " id is NULL";
    if (!valid_id(id))
        return std::string(what) + " id '" + sdk::text::escape(id) +
               "' is not 1..64 characters of [A-Za-z0-9._-]";
    return std::nullopt;
}

Problem check_flags(const anyserial_protocol_descriptor_t &d) {
    if (d.flag_count > ANYSERIAL_MAX_FLAGS)
        return "declares " + std::to_string(d.flag_count) + " flags, more than the " +
               std::to_string(ANYSERIAL_MAX_FLAGS) + " a flag set holds";
    if (d.flag_count > 0 && d.flags == nullptr) return std::string("flags is NULL");
    std::set<std::string> seen;
    for (std::uint32_t i = 0; i < d.flag_count; ++i) {
        const std::string what = "flag #" + std::to_string(i);
        const anyserial_flag_info_t *f = d.flags[i];
        if (auto r = check_prefix(f, what, &anyserial_flag_info_t::description)) return r;
        if (auto r = check_id(f->id, what)) return r;
        if (!seen.insert(f->id).second) return "duplicate flag id '" + std::string(f->id) + "'";
        if (f->severity < ANYSERIAL_SEVERITY_INFO || f->severity > ANYSERIAL_SEVERITY_FAULT)
            return "flag '" + std::string(f->id) + "' has invalid severity " +
                   std::to_string(f->severity) + " (1 info, 2 warning, 3 fault)";
        if (auto r = check_text(f->name, "flag " + std::string(f->id) + " name", true)) return r;
        if (auto r =
                check_text(f->description, "flag " + std::string(f->id) + " description", true))
            return r;
    }
    return std::nullopt;
}

bool valid_type(std::uint32_t t) noexcept {
    return t == ANYSERIAL_VALUE_NUMBER || t == ANYSERIAL_VALUE_INTEGER || t == ANYSERIAL_VALUE_TEXT;
}

Problem check_arg(const anyserial_arg_info_t *a, const std::string &what) {
    if (auto r = check_prefix(a, what, &anyserial_arg_info_t::max_length)) return r;
    if (auto r = check_id(a->id, what)) return r;
    const std::string at = what + " '" + a->id + "'";
    if (!valid_type(a->value_type))
        return at + " has invalid value type " + std::to_string(a->value_type);
    if (a->has_range && !(a->min <= a->max))
        return at + " has min " + num(a->min) + " > max " + num(a->max);
    if (a->choice_count > 0 && a->choices == nullptr) return at + " choices is NULL";
    if (a->choice_count > 1024) return at + " has more than 1024 choices";
    for (std::uint32_t i = 0; i < a->choice_count; ++i) {
        if (a->choices[i] == nullptr) return at + " choice #" + std::to_string(i) + " is NULL";
        if (auto r = check_text(a->choices[i], at + " choice", false)) return r;
    }
    if (auto r = check_text(a->summary, at + " summary", true)) return r;
    return check_text(a->unit, at + " unit", true);
}

Problem check_commands(const anyserial_protocol_descriptor_t &d) {
    if (d.command_count > 1024) return std::string("declares more than 1024 commands");
    if (d.command_count > 0 && d.commands == nullptr) return std::string("commands is NULL");
    std::set<std::string> seen;
    for (std::uint32_t i = 0; i < d.command_count; ++i) {
        const std::string what = "command #" + std::to_string(i);
        const anyserial_command_info_t *c = d.commands[i];
        if (auto r = check_prefix(c, what, &anyserial_command_info_t::args)) return r;
        if (auto r = check_id(c->id, what)) return r;
        const std::string at = "command '" + std::string(c->id) + "'";
        if (!seen.insert(c->id).second) return "duplicate " + at;
        if (c->safety < ANYSERIAL_SAFETY_READ_ONLY || c->safety > ANYSERIAL_SAFETY_DESTRUCTIVE)
            return at + " has invalid safety " + std::to_string(c->safety);
        if (auto r = check_text(c->summary, at + " summary", true)) return r;
        if (c->arg_count > 64) return at + " declares more than 64 arguments";
        if (c->arg_count > 0 && c->args == nullptr) return at + " args is NULL";
        std::set<std::string> args;
        for (std::uint32_t k = 0; k < c->arg_count; ++k) {
            if (auto r = check_arg(c->args[k], at + " argument #" + std::to_string(k))) return r;
            if (!args.insert(c->args[k]->id).second)
                return at + " has duplicate argument '" + std::string(c->args[k]->id) + "'";
        }
    }
    return std::nullopt;
}

device::AddressSyntax syntax_of(const anyserial_address_syntax_t *a) {
    device::AddressSyntax s;
    if (a == nullptr || a->kind == ANYSERIAL_ADDRESS_NONE) return s;
    s.kind = a->kind == ANYSERIAL_ADDRESS_INTEGER ? device::AddressSyntax::Kind::integer
                                                  : device::AddressSyntax::Kind::letter;
    s.min = a->min;
    s.max = a->max;
    s.default_address = str(a->default_address);
    s.description = str(a->description);
    return s;
}

Problem check_address(const anyserial_address_syntax_t *a) {
    if (a == nullptr) return std::nullopt;
    if (auto r = check_prefix(a, "address syntax", &anyserial_address_syntax_t::description))
        return r;
    if (a->kind == ANYSERIAL_ADDRESS_NONE) return std::nullopt;
    if (a->kind != ANYSERIAL_ADDRESS_INTEGER && a->kind != ANYSERIAL_ADDRESS_LETTER)
        return "address syntax kind " + std::to_string(a->kind) + " is invalid";
    if (a->min > a->max)
        return "address syntax min " + std::to_string(a->min) + " > max " + std::to_string(a->max);
    if (a->kind == ANYSERIAL_ADDRESS_LETTER && (a->min < 'A' || a->max > 'Z'))
        return std::string("letter address syntax bounds must be upper-case letters 'A'..'Z'");
    if (a->default_address == nullptr) return std::string("address syntax default is NULL");
    if (auto r = check_text(a->description, "address syntax description", true)) return r;
    if (auto r = check_text(a->default_address, "address syntax default", false)) return r;
    const device::AddressSyntax s = syntax_of(a);
    const auto n = s.normalise(a->default_address);
    if (!n || *n != a->default_address)
        return "address syntax default '" + std::string(a->default_address) +
               "' is not inside the syntax";
    return std::nullopt;
}

Problem check_strings(const anyserial_protocol_descriptor_t &d) {
    const std::pair<const char *, const char *> texts[] = {{d.name, "name"},
                                                           {d.vendor, "vendor"},
                                                           {d.version, "version"},
                                                           {d.description, "description"}};
    for (const auto &[s, what] : texts)
        if (auto r = check_text(s, what, true)) return r;
    if (d.device_family != nullptr && !valid_id(d.device_family))
        return "device_family '" + sdk::text::escape(d.device_family) + "' is not a valid id";
    if (d.mode != nullptr && !valid_id(d.mode))
        return "mode '" + sdk::text::escape(d.mode) + "' is not a valid id";
    return std::nullopt;
}

device::Severity severity_of(std::uint32_t s) noexcept {
    return s == ANYSERIAL_SEVERITY_FAULT     ? device::Severity::fault
           : s == ANYSERIAL_SEVERITY_WARNING ? device::Severity::warning
                                             : device::Severity::info;
}

device::ValueType type_of(std::uint32_t t) noexcept {
    switch (t) {
        case ANYSERIAL_VALUE_NUMBER:
            return device::ValueType::number;
        case ANYSERIAL_VALUE_TEXT:
            return device::ValueType::text;
        case ANYSERIAL_VALUE_INTEGER:
            return device::ValueType::integer;
        default:
            return device::ValueType::absent;
    }
}

device::CommandInfo command_of(const anyserial_command_info_t &c) {
    device::CommandInfo out;
    out.id = c.id;
    out.summary = str(c.summary);
    out.safety = c.safety == ANYSERIAL_SAFETY_DESTRUCTIVE      ? device::Safety::destructive
                 : c.safety == ANYSERIAL_SAFETY_STATE_CHANGING ? device::Safety::state_changing
                                                               : device::Safety::read_only;
    for (std::uint32_t k = 0; k < c.arg_count; ++k) {
        const anyserial_arg_info_t &a = *c.args[k];
        device::ArgInfo arg;
        arg.id = a.id;
        arg.summary = str(a.summary);
        arg.type = type_of(a.value_type);
        arg.unit = str(a.unit);
        arg.optional = a.optional;
        if (a.has_range) {
            arg.min = a.min;
            arg.max = a.max;
        }
        for (std::uint32_t i = 0; i < a.choice_count; ++i)
            arg.choices.emplace_back(a.choices[i]);
        arg.max_length = a.max_length;
        out.args.push_back(std::move(arg));
    }
    return out;
}

}  // namespace

bool valid_id(std::string_view id) noexcept {
    if (id.empty() || id.size() > 64) return false;
    for (char ch : id) {
        const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                        (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
        if (!ok) return false;
    }
    return true;
}

std::optional<std::string> check_text(const char *s, std::string_view what, bool nullable) {
    if (s == nullptr) {
        if (nullable) return std::nullopt;
        return std::string(what) + " is NULL";
    }
    const auto p = sdk::text::check(s);
    if (p == sdk::text::Problem::none) return std::nullopt;
    return std::string(what) + " is not clean UTF-8 text (" + sdk::text::problem_name(p) +
           "): " + sdk::text::escape(s);
}

std::optional<std::string> check_protocol_descriptor(const anyserial_protocol_descriptor_t *d) {
    if (d == nullptr) return std::string("get_descriptor returned NULL");
    if (auto r = check_prefix(d, "descriptor", &anyserial_protocol_descriptor_t::commands))
        return r;
    if (auto r = check_id(d->id, "descriptor")) return r;
    if (d->traffic != ANYSERIAL_TRAFFIC_BROADCAST &&
        d->traffic != ANYSERIAL_TRAFFIC_REQUEST_RESPONSE)
        return "descriptor traffic " + std::to_string(d->traffic) +
               " is invalid (expected 1 = broadcast or 2 = request/response)";
    if (d->probe_kind > ANYSERIAL_PROBE_PASSIVE)
        return "descriptor probe_kind " + std::to_string(d->probe_kind) + " is invalid";
    if (auto r = check_strings(*d)) return r;
    if (d->default_serial == nullptr) return std::string("default_serial is NULL");
    if (auto r = check_prefix(d->default_serial, "default_serial",
                              &anyserial_serial_config_t::read_chunk_size))
        return r;
    if (auto r = check_address(d->address)) return r;
    if (auto r = check_flags(*d)) return r;
    return check_commands(*d);
}

ProtocolModel model_of(const anyserial_protocol_descriptor_t &d) {
    ProtocolModel m;
    m.id = d.id;
    m.name = str(d.name);
    m.family = str(d.device_family);
    m.mode = d.mode != nullptr && *d.mode != '\0' ? d.mode : d.id;
    m.broadcast = d.traffic == ANYSERIAL_TRAFFIC_BROADCAST;
    m.capabilities = d.capabilities;
    m.probe_kind = d.probe_kind;
    m.probe_rank = d.probe_rank;
    m.frame_interval = std::chrono::nanoseconds(static_cast<std::int64_t>(d.frame_interval_ns));
    auto flags = std::make_shared<device::FlagTable>();
    for (std::uint32_t i = 0; i < d.flag_count; ++i) {
        const anyserial_flag_info_t &f = *d.flags[i];
        flags->push_back({f.id, str(f.name), severity_of(f.severity), str(f.description)});
    }
    m.flags = std::move(flags);
    for (std::uint32_t i = 0; i < d.command_count; ++i)
        m.commands.push_back(command_of(*d.commands[i]));
    m.address = syntax_of(d.address);
    // Only the bytes the plugin's (possibly older, shorter) struct has.
    std::memcpy(&m.default_serial, d.default_serial,
                std::min<std::size_t>(d.default_serial->struct_size, sizeof m.default_serial));
    m.default_serial.struct_size = sizeof m.default_serial;
    return m;
}

}  // namespace anyserial::plugin_detail

namespace anyserial {
const device::CommandInfo *ProtocolModel::command(std::string_view command_id) const noexcept {
    for (const device::CommandInfo &c : commands)
        if (c.id == command_id) return &c;
    return nullptr;
}
}  // namespace anyserial

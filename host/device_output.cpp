// anyserial CLI — frames, fields and commands as text and JSON.
#include "device_output.hpp"

#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <ostream>

#include "table.hpp"

namespace json = boost::json;
namespace dev = anyserial::device;

namespace anyserial::cli {
namespace {

json::array flag_ids(const dev::FlagSet &f) {
    json::array a;
    for (const dev::FlagInfo *i : f.set())
        a.emplace_back(i->id);
    return a;
}

// The highest severity of the set flags, "" when none is set.
std::string severity(const dev::FlagSet &f) {
    for (dev::Severity s : {dev::Severity::fault, dev::Severity::warning, dev::Severity::info})
        if (f.any(s)) return std::string(dev::to_string(s));
    return {};
}

std::string number_text(double v) {
    return fmt::format("{:.3f}", v);
}

std::string range_text(const dev::ArgInfo &a) {
    std::string s;
    if (a.min || a.max)
        s = fmt::format("{}..{}", a.min ? fmt::format("{:g}", *a.min) : std::string(),
                        a.max ? fmt::format("{:g}", *a.max) : std::string());
    if (!a.choices.empty()) {
        std::string c;
        for (const auto &x : a.choices)
            c += (c.empty() ? "" : "|") + x;
        s += (s.empty() ? "" : " or ") + c;
    }
    if (a.max_length != 0) s += (s.empty() ? "" : ", ") + fmt::format("<= {} bytes", a.max_length);
    return s;
}

}  // namespace

std::string value_text(const dev::Reading &r) {
    if (r.text) return *r.text;
    if (r.value) return number_text(*r.value);
    return "--";
}

std::string flags_text(const dev::FlagSet &f) {
    const std::string ids = f.ids();
    return ids.empty() ? "ok" : ids;
}

json::value field_value(const dev::Field &f) {
    switch (f.type) {
        case dev::ValueType::number:
            return f.number;
        case dev::ValueType::integer:
            return static_cast<std::int64_t>(f.number);
        case dev::ValueType::text:
            return json::value(f.text);
        case dev::ValueType::absent:
            break;
    }
    return nullptr;
}

json::array fields_json(const std::vector<dev::Field> &fields) {
    json::array a;
    for (const dev::Field &f : fields)
        a.push_back(json::object{{"id", f.id},
                                 {"type", dev::to_string(f.type)},
                                 {"value", field_value(f)},
                                 {"unit", f.unit}});
    return a;
}

json::object reading_json(const dev::Reading &r) {
    json::object o;
    o["channel"] = r.channel;
    o["kind"] = r.kind;
    o["name"] = r.name ? json::value(*r.name) : json::value(nullptr);
    o["value"] = r.value ? json::value(*r.value) : json::value(nullptr);
    o["text"] = r.text ? json::value(*r.text) : json::value(nullptr);
    o["unit"] = r.unit;
    o["flags"] = flag_ids(r.flags);
    o["severity"] = severity(r.flags);
    o["ok"] = r.flags.ok();
    return o;
}

json::object frame_json(const dev::Frame &f) {
    json::array readings;
    for (const dev::Reading &r : f.readings)
        readings.push_back(reading_json(r));
    json::object o{{"protocol", f.protocol},
                   {"readings", std::move(readings)},
                   {"device_flags", flag_ids(f.device_flags)},
                   {"fields", fields_json(f.fields)}};
    if (f.checksum) o["checksum"] = fmt::format("{:04X}", *f.checksum);
    return o;
}

json::object command_json(const dev::CommandInfo &c) {
    json::array args;
    for (const dev::ArgInfo &a : c.args) {
        json::array choices;
        for (const auto &x : a.choices)
            choices.emplace_back(x);
        args.push_back(json::object{{"id", a.id},
                                    {"summary", a.summary},
                                    {"type", dev::to_string(a.type)},
                                    {"unit", a.unit},
                                    {"optional", a.optional},
                                    {"min", a.min ? json::value(*a.min) : json::value(nullptr)},
                                    {"max", a.max ? json::value(*a.max) : json::value(nullptr)},
                                    {"choices", std::move(choices)},
                                    {"max_length", a.max_length}});
    }
    return {{"id", c.id},
            {"summary", c.summary},
            {"safety", dev::to_string(c.safety)},
            {"args", std::move(args)}};
}

void print_frame(std::ostream &out, const dev::Frame &f) {
    std::vector<std::vector<std::string>> rows;
    for (const dev::Reading &r : f.readings)
        rows.push_back({r.channel, r.name.value_or("-"), value_text(r),
                        r.unit.empty() ? "-" : r.unit, flags_text(r.flags)});
    print_columns(out, {"CHANNEL", "NAME", "VALUE", "UNIT", "FLAGS"}, rows);
    out << "\ndevice: " << flags_text(f.device_flags) << '\n';
    if (!f.fields.empty()) print_fields(out, f.fields);
}

void print_fields(std::ostream &out, const std::vector<dev::Field> &fields) {
    for (const dev::Field &f : fields) {
        out << "  " << f.id << " = " << (f.type == dev::ValueType::absent ? "--" : f.to_string());
        if (!f.unit.empty()) out << ' ' << f.unit;
        out << '\n';
    }
}

void print_command(std::ostream &out, const dev::CommandInfo &c) {
    out << c.id;
    for (const dev::ArgInfo &a : c.args)
        out << (a.optional ? " [" : " ") << a.id << (a.optional ? "]" : "");
    out << "  (" << dev::to_string(c.safety) << ")";
    if (!c.summary.empty()) out << "  " << c.summary;
    out << '\n';
    for (const dev::ArgInfo &a : c.args) {
        out << "    " << a.id << ": " << dev::to_string(a.type);
        const std::string r = range_text(a);
        if (!r.empty()) out << ' ' << r;
        if (!a.unit.empty()) out << ' ' << a.unit;
        if (a.optional) out << ", optional";
        if (!a.summary.empty()) out << " — " << a.summary;
        out << '\n';
    }
}

}  // namespace anyserial::cli

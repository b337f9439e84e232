// anyserial — the generic models: names, flag sets, fields, address syntax, argument
// parsing, frame fan-out.
#include <anyserial/device/models.hpp>
#include <anyserial/device/options.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace anyserial::device {

std::string_view to_string(ValueType t) noexcept {
    switch (t) {
        case ValueType::absent:
            return "absent";
        case ValueType::number:
            return "number";
        case ValueType::text:
            return "text";
        case ValueType::integer:
            return "integer";
    }
    return "absent";
}

std::string_view to_string(Severity s) noexcept {
    switch (s) {
        case Severity::info:
            return "info";
        case Severity::warning:
            return "warning";
        case Severity::fault:
            return "fault";
    }
    return "info";
}

std::string_view to_string(Safety s) noexcept {
    switch (s) {
        case Safety::read_only:
            return "read-only";
        case Safety::state_changing:
            return "state-changing";
        case Safety::destructive:
            return "destructive";
    }
    return "read-only";
}

// ---- flags ------------------------------------------------------------------------------

bool FlagSet::has(std::string_view id) const noexcept {
    if (!table_) return false;
    for (std::size_t i = 0; i < table_->size() && i < 64; ++i)
        if ((*table_)[i].id == id) return (bits_ >> i & 1u) != 0;
    return false;
}

bool FlagSet::any(Severity severity) const noexcept {
    if (!table_) return false;
    for (std::size_t i = 0; i < table_->size() && i < 64; ++i)
        if ((bits_ >> i & 1u) != 0 && (*table_)[i].severity == severity) return true;
    return false;
}

std::vector<const FlagInfo *> FlagSet::set() const {
    std::vector<const FlagInfo *> out;
    if (!table_) return out;
    for (std::size_t i = 0; i < table_->size() && i < 64; ++i)
        if ((bits_ >> i & 1u) != 0) out.push_back(&(*table_)[i]);
    return out;
}

std::string FlagSet::ids() const {
    std::string out;
    for (const FlagInfo *f : set()) {
        if (!out.empty()) out += ',';
        out += f->id;
    }
    return out;
}

// ---- fields -----------------------------------------------------------------------------

namespace {
std::string number_text(double v, bool integer) {
    char buf[64];
    if (integer || (std::fabs(v) < 1e15 && v == std::floor(v)))
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else
        std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}
}  // namespace

std::string Field::to_string() const {
    switch (type) {
        case ValueType::absent:
            return {};
        case ValueType::text:
            return text;
        case ValueType::number:
            return number_text(number, false);
        case ValueType::integer:
            return number_text(number, true);
    }
    return {};
}

const Field *find_field(const std::vector<Field> &fields, std::string_view id) noexcept {
    for (const Field &f : fields)
        if (f.id == id) return &f;
    return nullptr;
}

// ---- address syntax -----------------------------------------------------------------------

std::optional<std::string> AddressSyntax::normalise(std::string_view text) const {
    if (kind == Kind::none) {
        if (text.empty()) return std::string();
        return std::nullopt;
    }
    if (text.empty()) text = default_address;
    if (kind == Kind::letter) {
        if (text.size() != 1) return std::nullopt;
        char c = text[0];
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (c < 'A' || c > 'Z') return std::nullopt;
        if (static_cast<std::uint32_t>(c) < min || static_cast<std::uint32_t>(c) > max)
            return std::nullopt;
        return std::string(1, c);
    }
    if (text.empty() || text.size() > 10) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (v < min || v > max) return std::nullopt;
    return std::to_string(v);
}

// ---- command arguments --------------------------------------------------------------------

namespace {

std::string shown(double v) {
    return number_text(v, false);
}

bool in_choices(const ArgInfo &arg, const std::string &text) {
    for (const std::string &c : arg.choices)
        if (c == text) return true;
    return false;
}

std::optional<ArgValue> parse_number(const ArgInfo &arg, std::string_view text, std::string &why) {
    double v = 0;
    const auto *end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || p != end || !std::isfinite(v)) {
        why = "'" + std::string(text) + "' is not a number";
        return std::nullopt;
    }
    if (arg.type == ValueType::integer && v != std::floor(v)) {
        why = "'" + std::string(text) + "' is not a whole number";
        return std::nullopt;
    }
    const std::string unit = arg.unit.empty() ? "" : " " + arg.unit;
    if (arg.min && v < *arg.min) {
        why = shown(v) + " is below " + shown(*arg.min) + unit;
        return std::nullopt;
    }
    if (arg.max && v > *arg.max) {
        why = shown(v) + " is above " + shown(*arg.max) + unit;
        return std::nullopt;
    }
    if (!arg.choices.empty() && !in_choices(arg, std::string(text)) &&
        !in_choices(arg, number_text(v, arg.type == ValueType::integer))) {
        why = "'" + std::string(text) + "' is not one of the allowed values";
        return std::nullopt;
    }
    return arg.type == ValueType::integer ? ArgValue::of_integer(v) : ArgValue::of(v);
}

}  // namespace

std::optional<ArgValue> parse_arg(const ArgInfo &arg, std::string_view text, std::string &why) {
    if (arg.type == ValueType::number || arg.type == ValueType::integer)
        return parse_number(arg, text, why);
    if (arg.max_length != 0 && text.size() > arg.max_length) {
        why = "'" + std::string(text) + "' is longer than " + std::to_string(arg.max_length) +
              " bytes";
        return std::nullopt;
    }
    if (!arg.choices.empty() && !in_choices(arg, std::string(text))) {
        std::string list;
        for (const std::string &c : arg.choices)
            list += (list.empty() ? "" : ", ") + c;
        why = "'" + std::string(text) + "' is not one of " + list;
        return std::nullopt;
    }
    return ArgValue::of(std::string(text));
}

// ---- frames -------------------------------------------------------------------------------

const Reading *Frame::channel(std::string_view id) const noexcept {
    for (const Reading &r : readings)
        if (r.channel == id) return &r;
    return nullptr;
}

const Reading *Frame::unlisted_channel(std::string_view id) const noexcept {
    for (const Reading &r : unlisted)
        if (r.channel == id) return &r;
    return nullptr;
}

std::vector<Sample> as_samples(const Frame &frame, std::string_view device) {
    std::vector<Sample> out;
    out.reserve(frame.readings.size());
    for (const Reading &r : frame.readings) {
        Sample s;
        s.device = std::string(device);
        s.channel = r.channel;
        s.reading = r;
        s.protocol = frame.protocol;
        s.monotonic_ns = frame.monotonic_ns;
        s.received_at = frame.received_at;
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace anyserial::device

// anyserial — ABI structs -> models (copied before the plugin call returns).
#include <anyserial/device/abi.hpp>
#include <anyserial/errors.hpp>
#include <anyserial/sdk/cpp/text.hpp>

#include "plugin/protocol_model.hpp"
#include "plugin/struct_size.hpp"

namespace anyserial::device {
namespace {

using plugin_detail::has_member;

constexpr std::uint32_t kMaxItems = 4096;  // readings or fields in one frame

[[noreturn]] void violation(const std::string &protocol, const std::string &why) {
    throw PluginError(anyserial::errc::plugin_error, "protocol '" + protocol + "': " + why);
}

// `what` names the text in the error; it is called only when the text is bad (every poll
// copies a few dozen texts: building each one's description up front cost allocations).
template <class What>
std::string text_of(const char *s, const std::string &protocol, What what) {
    if (s == nullptr) return {};
    if (sdk::text::is_clean(s)) return s;
    if (auto r = plugin_detail::check_text(s, what(), true)) violation(protocol, *r);
    return s;
}

// The flag set of `bits`, refused when a bit lies beyond the declared flags; `what` (called
// only then) names the reading or frame in the error.
template <class What>
FlagSet flags_of(std::uint64_t bits, const AbiContext &ctx, What what) {
    const std::size_t n = ctx.flags ? ctx.flags->size() : 0;
    if (n < 64 && (bits >> n) != 0)
        violation(ctx.protocol, what() + " carries flag bits beyond the " + std::to_string(n) +
                                    " declared flags");
    return FlagSet(bits, ctx.flags);
}

const ChannelInfo *table_entry(const AbiContext &ctx, const std::string &id) {
    if (ctx.channels == nullptr) return nullptr;
    for (const ChannelInfo &c : *ctx.channels)
        if (c.channel == id) return &c;
    return nullptr;
}

void set_value(Reading &out, const anyserial_reading_t &r, const std::string &protocol) {
    switch (r.value_type) {
        case ANYSERIAL_VALUE_ABSENT:
            break;
        case ANYSERIAL_VALUE_NUMBER:
        case ANYSERIAL_VALUE_INTEGER:
            out.value = r.number;
            break;
        case ANYSERIAL_VALUE_TEXT:
            if (r.text == nullptr)
                violation(protocol, "reading " + out.channel + " is TEXT with a NULL text");
            out.text =
                text_of(r.text, protocol, [&] { return "reading " + out.channel + " text"; });
            break;
        default:
            violation(protocol,
                      "reading " + out.channel + " has value type " + std::to_string(r.value_type));
    }
}

Reading reading_from_abi(const anyserial_reading_t &r, const AbiContext &ctx) {
    const std::string &p = ctx.protocol;
    if (!has_member(r, &anyserial_reading_t::flags))
        violation(p, "reading struct_size " + std::to_string(r.struct_size) + " is too small");
    if (r.channel == nullptr || *r.channel == '\0')
        violation(p, "a reading has a NULL or empty channel id");
    if (!plugin_detail::valid_id(r.channel))
        violation(p, "reading channel id '" + sdk::text::escape(r.channel) + "' is malformed");
    Reading out;
    out.channel = r.channel;
    out.protocol = p;
    out.received_at = ctx.received_at;
    out.monotonic_ns = ctx.monotonic_ns;
    if (const ChannelInfo *c = table_entry(ctx, out.channel)) {
        out.kind = c->kind;
        out.name = c->name;
        out.unit = c->unit;
    }
    set_value(out, r, p);
    out.flags = flags_of(r.flags, ctx, [&] { return "reading " + out.channel; });
    if (has_member(r, &anyserial_reading_t::name) && r.name != nullptr)
        out.name = text_of(r.name, p, [] { return std::string("reading name"); });
    if (has_member(r, &anyserial_reading_t::unit) && r.unit != nullptr)
        out.unit = text_of(r.unit, p, [] { return std::string("reading unit"); });
    return out;
}

}  // namespace

FlagSet flags_from_abi(std::uint64_t bits, const AbiContext &ctx, const char *what) {
    return flags_of(bits, ctx, [what] { return std::string(what); });
}

std::vector<Field> fields_from_abi(std::uint32_t count, const anyserial_field_t *const *fields,
                                   const std::string &protocol) {
    std::vector<Field> out;
    if (count == 0) return out;
    if (fields == nullptr || count > kMaxItems)
        violation(protocol, std::to_string(count) + " fields with a NULL or oversized list");
    out.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        const anyserial_field_t *f = fields[i];
        if (f == nullptr || !has_member(*f, &anyserial_field_t::unit))
            violation(protocol, "field #" + std::to_string(i) + " is NULL or too small");
        if (f->id == nullptr || !plugin_detail::valid_id(f->id))
            violation(protocol, "field #" + std::to_string(i) + " has a NULL or malformed id");
        Field x;
        x.id = f->id;
        switch (f->value_type) {
            case ANYSERIAL_VALUE_ABSENT:
                break;
            case ANYSERIAL_VALUE_NUMBER:
            case ANYSERIAL_VALUE_INTEGER:
                x.type = f->value_type == ANYSERIAL_VALUE_NUMBER ? ValueType::number
                                                                 : ValueType::integer;
                x.number = f->number;
                break;
            case ANYSERIAL_VALUE_TEXT:
                if (f->text == nullptr) violation(protocol, "field " + x.id + " has NULL text");
                x.type = ValueType::text;
                x.text = text_of(f->text, protocol, [&] { return "field " + x.id; });
                break;
            default:
                violation(protocol,
                          "field " + x.id + " has value type " + std::to_string(f->value_type));
        }
        x.unit = text_of(f->unit, protocol, [&] { return "field " + x.id + " unit"; });
        out.push_back(std::move(x));
    }
    return out;
}

Frame frame_from_abi(const anyserial_frame_t &f, const AbiContext &ctx) {
    const std::string &p = ctx.protocol;
    if (!has_member(f, &anyserial_frame_t::fields))
        violation(p, "frame struct_size " + std::to_string(f.struct_size) + " is too small");
    Frame out;
    out.protocol = p;
    out.received_at = ctx.received_at;
    out.monotonic_ns = ctx.monotonic_ns;
    if (f.reading_count > kMaxItems || (f.reading_count > 0 && f.readings == nullptr))
        violation(p, "frame has " + std::to_string(f.reading_count) +
                         " readings with a NULL or oversized list");
    out.readings.reserve(f.reading_count);
    for (std::uint32_t i = 0; i < f.reading_count; ++i) {
        if (f.readings[i] == nullptr) violation(p, "reading #" + std::to_string(i) + " is NULL");
        Reading r = reading_from_abi(*f.readings[i], ctx);
        (f.readings[i]->unlisted ? out.unlisted : out.readings).push_back(std::move(r));
    }
    out.device_flags = flags_from_abi(f.device_flags, ctx, "frame device_flags");
    out.fields = fields_from_abi(f.field_count, f.fields, p);
    if (has_member(f, &anyserial_frame_t::checksum) && f.has_checksum) out.checksum = f.checksum;
    if (has_member(f, &anyserial_frame_t::raw_len) && f.raw != nullptr && f.raw_len > 0)
        out.raw.assign(f.raw, f.raw + f.raw_len);
    return out;
}

std::int64_t monotonic_now_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

anyserial_arg_value_t arg_to_abi(const ArgValue &v) noexcept {
    anyserial_arg_value_t a{};
    a.struct_size = sizeof a;
    switch (v.type) {
        case ValueType::number:
            a.value_type = ANYSERIAL_VALUE_NUMBER;
            break;
        case ValueType::text:
            a.value_type = ANYSERIAL_VALUE_TEXT;
            a.text = v.text.c_str();
            break;
        case ValueType::integer:
            a.value_type = ANYSERIAL_VALUE_INTEGER;
            break;
        case ValueType::absent:
            a.value_type = ANYSERIAL_VALUE_ABSENT;
            break;
    }
    a.number = v.number;
    return a;
}

}  // namespace anyserial::device

// anyserial — SessionProxy: the protocol session vtable, checked.
#include "plugin/session_proxy.hpp"

#include <algorithm>
#include <anyserial/device/abi.hpp>
#include <anyserial/errors.hpp>
#include <anyserial/sdk/cpp/text.hpp>
#include <set>

#include "plugin/protocol_model.hpp"
#include "plugin/struct_size.hpp"

namespace anyserial::plugin_detail {
namespace {

constexpr std::uint32_t kMaxTransaction = 64 * 1024;  // a request larger is garbage
constexpr std::uint32_t kMaxChannels = 4096;

}  // namespace

std::optional<std::string> check_protocol_session(const anyserial_protocol_session_t *s) {
    if (s == nullptr) return std::string("create_session returned OK but no session");
    if (auto r = check_prefix(s, "session", &anyserial_protocol_session_t::vtable)) return r;
    const anyserial_protocol_session_vtable_t *v = s->vtable;
    if (auto r = check_prefix(v, "session vtable", &anyserial_protocol_session_vtable_t::destroy))
        return r;
    const std::pair<const void *, const char *> fns[] = {
        {reinterpret_cast<const void *>(v->begin), "begin"},
        {reinterpret_cast<const void *>(v->next_transaction), "next_transaction"},
        {reinterpret_cast<const void *>(v->feed), "feed"},
        {reinterpret_cast<const void *>(v->reset_receive), "reset_receive"},
        {reinterpret_cast<const void *>(v->result), "result"},
        {reinterpret_cast<const void *>(v->channel_count), "channel_count"},
        {reinterpret_cast<const void *>(v->get_channel), "get_channel"},
        {reinterpret_cast<const void *>(v->last_error), "last_error"},
        {reinterpret_cast<const void *>(v->destroy), "destroy"},
    };
    for (const auto &[fn, name] : fns)
        if (fn == nullptr) return "session." + std::string(name) + " is NULL";
    return std::nullopt;
}

SessionProxy::SessionProxy(const LoadedProtocol &proto, const anyserial_protocol_options_t &options)
    : proto_(&proto), handle_(proto.create_session(&options)) {}

void SessionProxy::fail(const std::string &why) const {
    throw PluginError(errc::plugin_error,
                      "protocol '" + id() + "' (" + proto_->record().path.string() + "): " + why);
}

std::int32_t SessionProxy::begin(std::uint32_t op, const std::string *command,
                                 std::span<const device::ArgValue> args) {
    std::vector<anyserial_arg_value_t> values(args.size());
    std::vector<const anyserial_arg_value_t *> ptrs(args.size());
    for (std::size_t i = 0; i < args.size(); ++i) {
        values[i] = device::arg_to_abi(args[i]);
        ptrs[i] = &values[i];
    }
    anyserial_protocol_request_t req{};
    req.struct_size = sizeof req;
    req.op = op;
    req.command = command != nullptr ? command->c_str() : nullptr;
    req.arg_count = static_cast<std::uint32_t>(args.size());
    req.args = ptrs.empty() ? nullptr : ptrs.data();
    return vt().begin(handle_.get(), &req);
}

std::int32_t SessionProxy::next_transaction(anyserial_transaction_t &tx) {
    tx = {};
    tx.struct_size = sizeof tx;
    const std::int32_t st = vt().next_transaction(handle_.get(), &tx);
    if (st != ANYSERIAL_OK) return st;
    if (tx.len == 0 || tx.data == nullptr)
        fail("next_transaction returned OK with no bytes to send");
    if (tx.len > kMaxTransaction)
        fail("next_transaction asked to send " + std::to_string(tx.len) + " bytes");
    return st;
}

std::int32_t SessionProxy::feed(std::span<const std::uint8_t> data, std::uint32_t &consumed,
                                anyserial_protocol_event_t &ev) {
    ev = {};
    ev.struct_size = sizeof ev;
    consumed = 0;
    const auto len = static_cast<std::uint32_t>(data.size());
    const std::int32_t st = vt().feed(handle_.get(), data.data(), len, &consumed, &ev);
    if (st < 0) return st;
    if (consumed > len)
        fail("feed consumed " + std::to_string(consumed) + " of " + std::to_string(len) + " bytes");
    if (ev.type > ANYSERIAL_EVENT_BAD_FRAME)
        fail("feed returned unknown event type " + std::to_string(ev.type));
    if (ev.type == ANYSERIAL_EVENT_FRAME && ev.frame == nullptr)
        fail("feed returned a FRAME event without a frame");
    if (ev.type == ANYSERIAL_EVENT_BAD_FRAME &&
        (ev.bad_frame_reason < ANYSERIAL_BAD_FRAME_CHECKSUM ||
         ev.bad_frame_reason > ANYSERIAL_BAD_FRAME_UNEXPECTED))
        fail("feed returned a BAD_FRAME event with unknown reason code " +
             std::to_string(ev.bad_frame_reason));
    if (ev.raw == nullptr) ev.raw_len = 0;
    return st;
}

void SessionProxy::reset_receive() {
    vt().reset_receive(handle_.get());
}

std::int32_t SessionProxy::result(anyserial_protocol_result_t &r) {
    r = {};
    r.struct_size = sizeof r;
    const std::int32_t st = vt().result(handle_.get(), &r);
    if (st != ANYSERIAL_OK) return st;
    if (r.field_count > 0 && r.fields == nullptr)
        fail("result has " + std::to_string(r.field_count) + " fields but fields is NULL");
    return st;
}

// Asked after every frame: the checks build their messages only when they fail.
std::vector<device::ChannelInfo> SessionProxy::channels() const {
    const std::uint32_t n = vt().channel_count(handle_.get());
    if (n > kMaxChannels) fail("channel_count returned " + std::to_string(n));
    std::vector<device::ChannelInfo> out;
    out.reserve(n);
    std::set<std::string_view> seen;  // only for long tables; a short one is searched
    for (std::uint32_t i = 0; i < n; ++i) {
        anyserial_channel_info_t c{};
        c.struct_size = sizeof c;
        if (vt().get_channel(handle_.get(), i, &c) != ANYSERIAL_OK)
            fail("get_channel(" + std::to_string(i) + ") failed: " + last_error());
        if (c.id == nullptr || !valid_id(c.id))
            fail("channel #" + std::to_string(i) + " has a NULL or malformed id");
        const bool duplicate =
            n > 32 ? !seen.insert(c.id).second
                   : std::any_of(out.begin(), out.end(),
                                 [&](const device::ChannelInfo &o) { return o.channel == c.id; });
        if (duplicate) fail("duplicate channel id '" + std::string(c.id) + "'");
        if (c.value_type != ANYSERIAL_VALUE_NUMBER && c.value_type != ANYSERIAL_VALUE_TEXT)
            fail("channel " + std::string(c.id) + " has value type " +
                 std::to_string(c.value_type));
        for (const auto &[s, what] :
             {std::pair{c.name, "name"}, {c.kind, "kind"}, {c.unit, "unit"}}) {
            if (s == nullptr || sdk::text::is_clean(s)) continue;
            if (auto r = check_text(s, "channel " + std::string(c.id) + " " + what, true)) fail(*r);
        }
        device::ChannelInfo info;
        info.channel = c.id;
        if (c.name != nullptr) info.name = c.name;
        info.kind = c.kind != nullptr ? c.kind : "";
        info.unit = c.unit != nullptr ? c.unit : "";
        info.type = c.value_type == ANYSERIAL_VALUE_TEXT ? device::ValueType::text
                                                         : device::ValueType::number;
        out.push_back(std::move(info));
    }
    return out;
}

std::string SessionProxy::last_error() const {
    return sdk::text::last_error_of(vt().last_error, handle_.get());
}

}  // namespace anyserial::plugin_detail

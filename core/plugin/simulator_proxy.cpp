// anyserial — SimulatorProxy: the simulator extension and vtable, checked.
#include "plugin/simulator_proxy.hpp"

#include <anyserial/device/abi.hpp>
#include <anyserial/errors.hpp>
#include <anyserial/sdk/cpp/text.hpp>

#include "plugin/host_services.hpp"
#include "plugin/struct_size.hpp"

namespace anyserial::plugin_detail {
namespace {

[[noreturn]] void plugin_fail(const LoadedProtocol &p, const std::string &why) {
    throw PluginError(errc::plugin_error, "simulator of protocol '" + p.id() + "' (" +
                                              p.record().path.string() + "): " + why);
}

std::optional<std::string> check_instance(const anyserial_simulator_t *s) {
    if (s == nullptr) return std::string("create returned OK but no simulator");
    if (auto r = check_prefix(s, "simulator", &anyserial_simulator_t::vtable)) return r;
    const anyserial_simulator_vtable_t *v = s->vtable;
    if (auto r = check_prefix(v, "simulator vtable", &anyserial_simulator_vtable_t::destroy))
        return r;
    const std::pair<const void *, const char *> fns[] = {
        {reinterpret_cast<const void *>(v->feed), "feed"},
        {reinterpret_cast<const void *>(v->poll_output), "poll_output"},
        {reinterpret_cast<const void *>(v->set_reading), "set_reading"},
        {reinterpret_cast<const void *>(v->set_label), "set_label"},
        {reinterpret_cast<const void *>(v->set_device_flags), "set_device_flags"},
        {reinterpret_cast<const void *>(v->set_fault), "set_fault"},
        {reinterpret_cast<const void *>(v->set_interval), "set_interval"},
        {reinterpret_cast<const void *>(v->get_field), "get_field"},
        {reinterpret_cast<const void *>(v->counters), "counters"},
        {reinterpret_cast<const void *>(v->last_error), "last_error"},
        {reinterpret_cast<const void *>(v->destroy), "destroy"},
    };
    for (const auto &[fn, name] : fns)
        if (fn == nullptr) return "simulator." + std::string(name) + " is NULL";
    return std::nullopt;
}

}  // namespace

const anyserial_simulator_ext_t *SimulatorProxy::extension(const LoadedProtocol &p) {
    const auto *ext =
        static_cast<const anyserial_simulator_ext_t *>(p.extension(ANYSERIAL_EXT_SIMULATOR_ID));
    if (ext == nullptr) return nullptr;
    if (auto r = check_prefix(ext, "simulator extension", &anyserial_simulator_ext_t::create))
        plugin_fail(p, *r);
    if (ext->create == nullptr) plugin_fail(p, "simulator extension create is NULL");
    return ext;
}

SimulatorProxy::SimulatorProxy(const LoadedProtocol &p, const anyserial_simulator_ext_t &ext,
                               const anyserial_protocol_options_t &options)
    : proto_(&p) {
    anyserial_simulator_t *raw = nullptr;
    std::int32_t st = ANYSERIAL_E_INTERNAL;
    try {
        st = ext.create(&ext, &options, &raw);
    } catch (...) {
        plugin_fail(p, "create threw a C++ exception across the C ABI");
    }
    if (st != ANYSERIAL_OK)
        throw PluginError(make_error_code(errc_from_status(st)),
                          "simulator of protocol '" + p.id() + "' could not be created (" +
                              status_text(st) + ")");
    handle_.reset(raw);
    if (auto r = check_instance(raw)) {
        if (raw != nullptr && (raw->vtable == nullptr || raw->vtable->destroy == nullptr))
            (void)handle_.release();
        plugin_fail(p, "create returned an invalid simulator: " + *r);
    }
}

void SimulatorProxy::fail(const std::string &why) const {
    plugin_fail(*proto_, why);
}

std::int32_t SimulatorProxy::feed(std::uint64_t now, std::span<const std::uint8_t> data) {
    return vt().feed(handle_.get(), now, data.data(), static_cast<std::uint32_t>(data.size()));
}

std::int32_t SimulatorProxy::poll_output(std::uint64_t now, std::span<std::uint8_t> buf,
                                         std::uint32_t &n, std::uint64_t &next_ns) {
    n = 0;
    next_ns = UINT64_MAX;
    const auto cap = static_cast<std::uint32_t>(buf.size());
    const std::int32_t st = vt().poll_output(handle_.get(), now, buf.data(), cap, &n, &next_ns);
    if (st == ANYSERIAL_OK && n > cap)
        fail("poll_output wrote " + std::to_string(n) + " bytes into a buffer of " +
             std::to_string(cap));
    return st;
}

std::int32_t SimulatorProxy::set_reading(const std::string &channel, const device::ArgValue &value,
                                         std::uint64_t flags) {
    const anyserial_arg_value_t v = device::arg_to_abi(value);
    return vt().set_reading(handle_.get(), channel.c_str(), &v, flags);
}

std::int32_t SimulatorProxy::set_label(const std::string &channel, const char *name,
                                       const std::string &unit) {
    return vt().set_label(handle_.get(), channel.c_str(), name, unit.c_str());
}

std::int32_t SimulatorProxy::set_device_flags(std::uint64_t flags) {
    return vt().set_device_flags(handle_.get(), flags);
}

std::int32_t SimulatorProxy::set_fault(std::uint32_t fault, std::uint32_t param) {
    return vt().set_fault(handle_.get(), fault, param);
}

std::int32_t SimulatorProxy::set_interval(std::uint64_t interval_ns) {
    return vt().set_interval(handle_.get(), interval_ns);
}

std::int32_t SimulatorProxy::get_field(const std::string &id, device::Field &out) {
    anyserial_field_t f{};
    f.struct_size = sizeof f;
    const std::int32_t st = vt().get_field(handle_.get(), id.c_str(), &f);
    if (st != ANYSERIAL_OK) return st;
    out = {};
    out.id = id;
    switch (f.value_type) {
        case ANYSERIAL_VALUE_ABSENT:
            break;
        case ANYSERIAL_VALUE_NUMBER:
        case ANYSERIAL_VALUE_INTEGER:
            out.type = f.value_type == ANYSERIAL_VALUE_NUMBER ? device::ValueType::number
                                                              : device::ValueType::integer;
            out.number = f.number;
            break;
        case ANYSERIAL_VALUE_TEXT:
            if (f.text == nullptr) fail("get_field(" + id + ") returned TEXT with a NULL text");
            out.type = device::ValueType::text;
            out.text = f.text;
            break;
        default:
            fail("get_field(" + id + ") returned value type " + std::to_string(f.value_type));
    }
    if (f.unit != nullptr) out.unit = f.unit;
    return st;
}

std::int32_t SimulatorProxy::counters(std::uint64_t &requests, std::uint64_t &replies,
                                      std::uint64_t &frames) {
    return vt().counters(handle_.get(), &requests, &replies, &frames);
}

std::string SimulatorProxy::last_error() const {
    return sdk::text::last_error_of(vt().last_error, handle_.get());
}

}  // namespace anyserial::plugin_detail

// anyserial — JSON forms of the device models for applications (the CLI prints its own flatter
// form: host/device_output.hpp). Header-only over
// Boost.JSON: a consumer including it links Boost::json.
#pragma once

#include <anyserial/device/models.hpp>
#include <boost/json.hpp>

namespace anyserial::device::json {

inline boost::json::value opt(const std::optional<std::string> &s) {
    return s ? boost::json::value(*s) : boost::json::value(nullptr);
}

// {"flags": ["HLD", ...], "severity": "warning"|null, "ok": bool}
inline boost::json::object to_json(const FlagSet &f) {
    boost::json::array ids;
    for (const FlagInfo *i : f.set())
        ids.push_back(boost::json::value(i->id));
    const char *severity = f.any(Severity::fault)     ? "fault"
                           : f.any(Severity::warning) ? "warning"
                           : f.any(Severity::info)    ? "info"
                                                      : nullptr;
    return {{"flags", std::move(ids)},
            {"severity", severity != nullptr ? boost::json::value(severity) : nullptr},
            {"ok", f.ok()}};
}

inline boost::json::value to_json(const Field &f) {
    switch (f.type) {
        case ValueType::absent:
            return nullptr;
        case ValueType::text:
            return boost::json::value(f.text);
        case ValueType::integer:
            return boost::json::value(static_cast<std::int64_t>(f.number));
        case ValueType::number:
            return boost::json::value(f.number);
    }
    return nullptr;
}

// {"model": "...", "serial_number": ...}: fields by id.
inline boost::json::object to_json(const std::vector<Field> &fields) {
    boost::json::object o;
    for (const Field &f : fields)
        o[f.id] = to_json(f);
    return o;
}

inline boost::json::object to_json(const Reading &r) {
    boost::json::object o;
    o["channel"] = r.channel;
    o["kind"] = r.kind;
    o["name"] = opt(r.name);
    o["value"] = r.value ? boost::json::value(*r.value) : boost::json::value(nullptr);
    if (r.text) o["text"] = *r.text;
    o["unit"] = r.unit;
    o["status"] = to_json(r.flags);
    return o;
}

inline boost::json::object to_json(const ChannelInfo &c) {
    return {{"channel", c.channel},
            {"name", opt(c.name)},
            {"kind", c.kind},
            {"unit", c.unit},
            {"type", to_string(c.type)}};
}

inline boost::json::object to_json(const DeviceStatus &s) {
    return {{"status", to_json(s.flags)}, {"fields", to_json(s.fields)}};
}

// {"protocol", "readings": [...], "device": {"status": ..., "fields": ...}}
inline boost::json::object to_json(const Frame &f) {
    boost::json::array readings;
    for (const Reading &r : f.readings)
        readings.push_back(to_json(r));
    return {{"protocol", f.protocol},
            {"readings", std::move(readings)},
            {"device", to_json(DeviceStatus{f.device_flags, f.fields})}};
}

inline boost::json::object to_json(const DeviceInfo &i) {
    boost::json::array channels;
    for (const ChannelInfo &c : i.channels)
        channels.push_back(to_json(c));
    return {{"model", i.model},
            {"fields", to_json(i.fields)},
            {"channels", std::move(channels)},
            {"protocol", i.protocol},
            {"mode", i.mode},
            {"family", i.family},
            {"address",
             i.address.empty() ? boost::json::value(nullptr) : boost::json::value(i.address)},
            {"port", i.port},
            {"baudrate", i.baudrate}};
}

inline boost::json::object to_json(const CommandResult &r) {
    boost::json::object o{{"command", r.command}, {"fields", to_json(r.fields)}};
    if (r.frame) o["frame"] = to_json(*r.frame);
    return o;
}

}  // namespace anyserial::device::json

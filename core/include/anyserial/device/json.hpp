// anyserial — JSON forms of the analyser models (the CLI's --json output). Header-only
// over Boost.JSON: a consumer including it links Boost::json.
#pragma once

#include <anyserial/device/models.hpp>
#include <boost/json.hpp>

namespace anyserial::device::json {

inline boost::json::object to_json(const ChannelStatus &s) {
    boost::json::array alarms;
    for (bool a : s.alarms)
        alarms.push_back(a);
    return {{"fault", s.fault},
            {"maintenance", s.maintenance},
            {"calibrating", s.calibrating},
            {"warming_up", s.warming_up},
            {"alarms", std::move(alarms)},
            {"invalid", s.invalid},
            {"ok", s.ok()}};
}

inline boost::json::object to_json(const Reading &r) {
    boost::json::object o;
    o["channel"] = r.channel;
    o["kind"] = to_string(r.kind);
    o["name"] = r.name ? boost::json::value(*r.name) : boost::json::value(nullptr);
    o["value"] = r.value ? boost::json::value(*r.value) : boost::json::value(nullptr);
    o["unit"] = r.unit.text;
    o["status"] = to_json(r.status);
    return o;
}

inline boost::json::object to_json(const AnalyserStatus &a) {
    boost::json::array groups;
    for (const CalGroupState &g : a.cal_groups)
        groups.push_back(boost::json::object{
            {"group", g.group}, {"calibrating", g.calibrating}, {"cal_gas", g.cal_gas}});
    return {{"fault", a.fault},
            {"maintenance", a.maintenance},
            {"cal_groups", std::move(groups)},
            {"clock", a.clock ? boost::json::value(*a.clock) : boost::json::value(nullptr)}};
}

// {"protocol", "readings": [...], "analyser": {...}}
inline boost::json::object to_json(const Frame &f) {
    boost::json::array readings;
    for (const Reading &r : f.readings)
        readings.push_back(to_json(r));
    return {{"protocol", to_string(f.protocol)},
            {"readings", std::move(readings)},
            {"analyser", to_json(f.analyser)}};
}

}  // namespace anyserial::device::json

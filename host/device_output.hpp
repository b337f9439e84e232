// anyserial CLI — what the verbs print of a device: frames, readings, fields, commands, as
// text or JSON. Channel ids, names, units and flags are the device's (from the plugin).
#pragma once

#include <anyserial/device/models.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <iosfwd>
#include <string>
#include <vector>

namespace anyserial::cli {

// "12.500", "Ar" (a text channel), "--" when the reading has no value.
std::string value_text(const device::Reading &r);
// Ids of the set flags, "ok" when none is set.
std::string flags_text(const device::FlagSet &f);

// A field's value (number, text or null); the fields as [{"id","type","value","unit"}].
boost::json::value field_value(const device::Field &f);
boost::json::array fields_json(const std::vector<device::Field> &fields);
// {"channel","kind","name","value","text","unit","flags":[ids],"severity","ok"}
boost::json::object reading_json(const device::Reading &r);
// {"protocol","readings":[...],"device_flags":[ids],"fields":[...]} (+ checksum when known)
boost::json::object frame_json(const device::Frame &f);
// {"id","summary","safety","args":[{"id","type","unit","optional","min","max","choices"}]}
boost::json::object command_json(const device::CommandInfo &c);

// The readings as a table (CHANNEL NAME VALUE UNIT FLAGS), then the device's flags and
// fields on one line each when the frame has them.
void print_frame(std::ostream &out, const device::Frame &f);
// "  id = value unit" per field.
void print_fields(std::ostream &out, const std::vector<device::Field> &fields);
// One command with its arguments, for `command --list`.
void print_command(std::ostream &out, const device::CommandInfo &c);

}  // namespace anyserial::cli

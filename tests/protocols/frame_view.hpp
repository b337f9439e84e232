// Reading protocol/2 frames and results in tests: readings and fields by index or id.
#pragma once

#include <anyserial/sdk/device.h>
#include <anyserial/sdk/protocol.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace frame_view {

inline const anyserial_reading_t &reading(const anyserial_frame_t &f, std::size_t i) {
    return *f.readings[i];
}

// The reading of a channel id, nullptr when the frame has none.
inline const anyserial_reading_t *reading(const anyserial_frame_t &f, std::string_view id) {
    for (uint32_t i = 0; i < f.reading_count; ++i)
        if (id == f.readings[i]->channel) return f.readings[i];
    return nullptr;
}

inline bool has_value(const anyserial_reading_t &r) {
    return r.value_type == ANYSERIAL_VALUE_NUMBER;
}

inline const anyserial_field_t *field(const anyserial_field_t *const *fields, uint32_t n,
                                      std::string_view id) {
    for (uint32_t i = 0; i < n; ++i)
        if (id == fields[i]->id) return fields[i];
    return nullptr;
}
inline const anyserial_field_t *field(const anyserial_frame_t &f, std::string_view id) {
    return field(f.fields, f.field_count, id);
}
inline const anyserial_field_t *field(const anyserial_protocol_result_t &r, std::string_view id) {
    return field(r.fields, r.field_count, id);
}

// A numeric field's value, -1 when missing (the Servomex fields are never negative).
template <class T>
double number(const T &from, std::string_view id) {
    const anyserial_field_t *f = field(from, id);
    return f != nullptr ? f->number : -1.0;
}
template <class T>
std::string text(const T &from, std::string_view id) {
    const anyserial_field_t *f = field(from, id);
    return f != nullptr && f->text != nullptr ? f->text : "(none)";
}

// Cal-group g: calibrating (0/1) and gas (1/2) fields.
template <class T>
double calibrating(const T &from, unsigned g) {
    return number(from, "cal_group." + std::to_string(g) + ".calibrating");
}
template <class T>
double gas(const T &from, unsigned g) {
    return number(from, "cal_group." + std::to_string(g) + ".gas");
}

}  // namespace frame_view

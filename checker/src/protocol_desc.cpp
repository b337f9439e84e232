// plugin-check: the static checks of one anyserial.protocol/2 descriptor (device.h).
#include <cmath>
#include <set>

#include "check.hpp"

namespace anyserial::checker {

void check_id(const std::string &what, const char *id);                  // tests_descriptors.cpp
void check_text(const std::string &what, const char *s, bool required);  // tests_descriptors.cpp

namespace {

void check_arg(const std::string &w, const anyserial_arg_info_t *a) {
    if (a == nullptr) throw Failed(w + " is NULL");
    if (a->struct_size < sizeof *a) throw Failed(w + " struct_size too small");
    check_id(w, a->id);
    const std::string wa = w + " " + quote(a->id);
    check_text(wa + " summary", a->summary, false);
    check_text(wa + " unit", a->unit, false);
    if (a->value_type != ANYSERIAL_VALUE_NUMBER && a->value_type != ANYSERIAL_VALUE_INTEGER &&
        a->value_type != ANYSERIAL_VALUE_TEXT)
        throw Failed(wa + " value_type " + std::to_string(a->value_type) +
                     " is not NUMBER, INTEGER or TEXT");
    if (a->has_range && (std::isnan(a->min) || std::isnan(a->max) || a->min > a->max))
        throw Failed(wa + " range [" + std::to_string(a->min) + ", " + std::to_string(a->max) +
                     "] is empty or NaN");
    if (a->choice_count > 0) {
        if (a->choices == nullptr) throw Failed(wa + " has choice_count but no choices");
        if (a->choice_count > 1024) throw Failed(wa + " has more than 1024 choices");
        for (uint32_t k = 0; k < a->choice_count; ++k)
            check_text(wa + " choice " + std::to_string(k), a->choices[k], true);
    }
}

void check_address(const std::string &w, const anyserial_address_syntax_t *s) {
    if (s->struct_size < sizeof *s) throw Failed(w + " address syntax struct_size too small");
    check_text(w + " address description", s->description, true);
    switch (s->kind) {
        case ANYSERIAL_ADDRESS_NONE:
            return;
        case ANYSERIAL_ADDRESS_INTEGER:
        case ANYSERIAL_ADDRESS_LETTER:
            break;
        default:
            throw Failed(w + " address kind " + std::to_string(s->kind) + " is unknown");
    }
    if (s->min > s->max)
        throw Failed(w + " address range " + std::to_string(s->min) + ".." +
                     std::to_string(s->max) + " is empty");
    if (s->kind == ANYSERIAL_ADDRESS_LETTER && (s->min < 'A' || s->max > 'Z'))
        throw Failed(w + " LETTER address range is not within 'A'..'Z'");
    if (s->default_address == nullptr) throw Failed(w + " address syntax has no default");
    const std::string_view def(s->default_address);
    bool ok = false;
    if (s->kind == ANYSERIAL_ADDRESS_LETTER) {
        ok = def.size() == 1 && static_cast<unsigned char>(def[0]) >= s->min &&
             static_cast<unsigned char>(def[0]) <= s->max;
    } else {
        ok = !def.empty() && def.size() <= 10 &&
             def.find_first_not_of("0123456789") == std::string_view::npos &&
             std::stoull(std::string(def)) >= s->min && std::stoull(std::string(def)) <= s->max;
    }
    if (!ok) throw Failed(w + " default address " + quote(def) + " is outside its own syntax");
}

}  // namespace

void check_protocol_descriptor(const anyserial_protocol_descriptor_t *d) {
    if (d->struct_size < sizeof *d)
        throw Failed("protocol descriptor struct_size " + std::to_string(d->struct_size) + " < " +
                     std::to_string(sizeof *d));
    check_id("protocol descriptor", d->id);
    const std::string w = "protocol " + quote(d->id);
    check_text(w + " name", d->name, true);
    check_text(w + " vendor", d->vendor, false);
    check_text(w + " version", d->version, true);
    check_text(w + " description", d->description, false);
    check_id(w + " device_family", d->device_family);
    check_id(w + " mode", d->mode);
    if (d->traffic != ANYSERIAL_TRAFFIC_BROADCAST &&
        d->traffic != ANYSERIAL_TRAFFIC_REQUEST_RESPONSE)
        throw Failed(w + " traffic " + std::to_string(d->traffic) + " is unknown");
    if (d->capabilities & ~0x0Fu) throw Failed(w + " capabilities carry unknown bits");
    if (d->probe_kind > ANYSERIAL_PROBE_PASSIVE)
        throw Failed(w + " probe_kind " + std::to_string(d->probe_kind) + " is unknown");
    if (d->probe_kind == ANYSERIAL_PROBE_ACTIVE && !(d->capabilities & ANYSERIAL_PCAP_PROBE))
        throw Failed(w + " probes ACTIVE but does not declare PCAP_PROBE");
    if (d->traffic == ANYSERIAL_TRAFFIC_BROADCAST && d->probe_kind == ANYSERIAL_PROBE_PASSIVE &&
        d->frame_interval_ns == 0)
        throw Failed(w + " is a passive-probe broadcaster with frame_interval_ns 0");
    if (d->address != nullptr) check_address(w, d->address);
    if (d->default_serial != nullptr) {
        const auto *c = d->default_serial;
        if (c->struct_size < sizeof *c) throw Failed(w + " default_serial struct_size too small");
        if (c->baudrate == 0 || c->byte_size < 5 || c->byte_size > 8 ||
            c->parity > ANYSERIAL_PARITY_SPACE || c->stop_bits > ANYSERIAL_STOP_BITS_TWO)
            throw Failed(w + " default_serial is not a valid configuration");
    }
    if (d->flag_count > ANYSERIAL_MAX_FLAGS)
        throw Failed(w + " declares " + std::to_string(d->flag_count) + " flags, more than " +
                     std::to_string(ANYSERIAL_MAX_FLAGS));
    if (d->flag_count > 0 && d->flags == nullptr) throw Failed(w + " flag_count > 0, flags NULL");
    std::set<std::string> seen;
    for (uint32_t i = 0; i < d->flag_count; ++i) {
        const auto *f = d->flags[i];
        const std::string wf = w + " flag #" + std::to_string(i);
        if (f == nullptr) throw Failed(wf + " is NULL");
        if (f->struct_size < sizeof *f) throw Failed(wf + " struct_size too small");
        check_id(wf, f->id);
        if (!seen.insert(f->id).second)
            throw Failed(w + " flag id " + quote(f->id) + " is not unique");
        check_text(wf + " name", f->name, true);
        check_text(wf + " description", f->description, false);
        if (f->severity < ANYSERIAL_SEVERITY_INFO || f->severity > ANYSERIAL_SEVERITY_FAULT)
            throw Failed(w + " flag " + quote(f->id) + " severity " + std::to_string(f->severity) +
                         " is not INFO, WARNING or FAULT");
    }
    if (d->command_count > 1024) throw Failed(w + " declares more than 1024 commands");
    if (d->command_count > 0 && d->commands == nullptr)
        throw Failed(w + " command_count > 0, commands NULL");
    seen.clear();
    for (uint32_t i = 0; i < d->command_count; ++i) {
        const auto *c = d->commands[i];
        const std::string wc = w + " command #" + std::to_string(i);
        if (c == nullptr) throw Failed(wc + " is NULL");
        if (c->struct_size < sizeof *c) throw Failed(wc + " struct_size too small");
        check_id(wc, c->id);
        if (!seen.insert(c->id).second)
            throw Failed(w + " command id " + quote(c->id) + " is not unique");
        const std::string wn = w + " command " + quote(c->id);
        check_text(wn + " summary", c->summary, true);
        if (c->safety < ANYSERIAL_SAFETY_READ_ONLY || c->safety > ANYSERIAL_SAFETY_DESTRUCTIVE)
            throw Failed(wn + " safety tier " + std::to_string(c->safety) +
                         " is not READ_ONLY, STATE_CHANGING or DESTRUCTIVE");
        if (c->arg_count > 32) throw Failed(wn + " has more than 32 arguments");
        if (c->arg_count > 0 && c->args == nullptr) throw Failed(wn + " arg_count > 0, args NULL");
        std::set<std::string> args;
        for (uint32_t k = 0; k < c->arg_count; ++k) {
            check_arg(wn + " arg #" + std::to_string(k), c->args[k]);
            if (!args.insert(c->args[k]->id).second)
                throw Failed(wn + " argument id " + quote(c->args[k]->id) + " is not unique");
        }
    }
}

}  // namespace anyserial::checker

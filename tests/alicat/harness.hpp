// Drives an alicat::Session the way the core does (protocol.h's loop), against a device:
// either the simulator or a script of replies written by hand from the spec.
#pragma once

#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "alicat/session.hpp"
#include "alicat/simulator.hpp"

namespace test {

using anyserial::alicat::Session;
using anyserial::alicat::Simulator;

// How received bytes are cut before feed(): whole, one byte at a time, or random pieces.
enum class Split { whole, bytes, random };

struct Outcome {
    int32_t status = 0;                 // of begin / next_transaction / result
    std::vector<std::string> sent;      // every transaction, CR included
    std::vector<uint32_t> events;       // every non-NEED_MORE event type
    std::vector<uint32_t> bad_reasons;  // BAD_FRAME reasons
    std::string exception;              // EXCEPTION reason
    std::string error;                  // session error text
    std::map<std::string, anyserial_field_t> fields;
    std::map<std::string, std::string> texts;  // field id -> text
    std::map<std::string, anyserial_reading_t> readings;
    std::map<std::string, std::string> reading_texts;
    uint64_t device_flags = 0;
    bool has_frame = false;
};

// A device: given one request (CR included), the bytes it answers.
using Device = std::function<std::string(const std::string &)>;

inline anyserial_protocol_options_t options(const char *address) {
    anyserial_protocol_options_t o{};
    o.struct_size = sizeof o;
    o.address = address;
    o.baudrate = 19200;
    o.retries = 0;  // a bad frame fails at once, so tests see it
    return o;
}

inline anyserial_protocol_request_t request(
    uint32_t op, const char *command = nullptr,
    std::vector<const anyserial_arg_value_t *> *args = nullptr) {
    anyserial_protocol_request_t r{};
    r.struct_size = sizeof r;
    r.op = op;
    r.command = command;
    if (args != nullptr) {
        r.arg_count = static_cast<uint32_t>(args->size());
        r.args = args->data();
    }
    return r;
}

inline void feed_all(Session &s, const std::string &bytes, Split split, std::mt19937 &rng,
                     Outcome &out, bool &responded, bool &failed) {
    std::size_t pos = 0;
    while (pos < bytes.size() && !responded && !failed) {
        std::size_t n = bytes.size() - pos;
        if (split == Split::bytes) n = 1;
        if (split == Split::random) n = std::uniform_int_distribution<std::size_t>(1, n)(rng);
        std::size_t off = 0;
        while (off < n && !responded && !failed) {
            anyserial_protocol_event_t ev{};
            ev.struct_size = sizeof ev;
            const auto *p = reinterpret_cast<const uint8_t *>(bytes.data() + pos + off);
            const uint32_t used = s.feed({p, n - off}, ev);
            off += used;
            if (ev.type == ANYSERIAL_EVENT_NEED_MORE) {
                if (used == 0) break;
                continue;
            }
            out.events.push_back(ev.type);
            if (ev.type == ANYSERIAL_EVENT_RESPONSE) responded = true;
            if (ev.type == ANYSERIAL_EVENT_EXCEPTION) {
                out.exception = ev.reason != nullptr ? ev.reason : "";
                failed = true;
            }
            if (ev.type == ANYSERIAL_EVENT_BAD_FRAME) {
                out.bad_reasons.push_back(ev.bad_frame_reason);
                failed = true;  // retries are 0
            }
        }
        pos += n;
    }
}

// Run one operation to its result.
inline Outcome run(Session &s, const anyserial_protocol_request_t &req, const Device &device,
                   Split split = Split::whole, unsigned seed = 1) {
    Outcome out;
    std::mt19937 rng(seed);
    out.status = s.begin(req);
    if (out.status != ANYSERIAL_OK) {
        out.error = s.error();
        return out;
    }
    for (;;) {
        anyserial_transaction_t tx{};
        tx.struct_size = sizeof tx;
        const int32_t st = s.next_transaction(tx);
        if (st == ANYSERIAL_DONE) break;
        if (st != ANYSERIAL_OK) {
            out.status = st;
            out.error = s.error();
            return out;
        }
        const std::string req_bytes(reinterpret_cast<const char *>(tx.data), tx.len);
        out.sent.push_back(req_bytes);
        const std::string reply = device(req_bytes);
        if (!tx.expects_response) continue;
        bool responded = false, failed = false;
        feed_all(s, reply, split, rng, out, responded, failed);
        if (!responded && !failed && tx.end_on_silence_ns != 0) {
            // The silence after the last byte: the core's end-of-input feed.
            anyserial_protocol_event_t ev{};
            ev.struct_size = sizeof ev;
            (void)s.feed({}, ev);
            if (ev.type == ANYSERIAL_EVENT_RESPONSE) responded = true;
            if (ev.type == ANYSERIAL_EVENT_BAD_FRAME)
                out.bad_reasons.push_back(ev.bad_frame_reason);
            if (ev.type != ANYSERIAL_EVENT_NEED_MORE) out.events.push_back(ev.type);
        }
        if (!responded) {
            out.status = failed ? ANYSERIAL_E_PROTOCOL : ANYSERIAL_E_TIMEOUT;
            return out;
        }
    }
    anyserial_protocol_result_t r{};
    r.struct_size = sizeof r;
    out.status = s.result(r);
    for (uint32_t i = 0; i < r.field_count; ++i) {
        out.fields[r.fields[i]->id] = *r.fields[i];
        if (r.fields[i]->text != nullptr) out.texts[r.fields[i]->id] = r.fields[i]->text;
    }
    if (r.frame != nullptr) {
        out.has_frame = true;
        out.device_flags = r.frame->device_flags;
        for (uint32_t i = 0; i < r.frame->reading_count; ++i) {
            const anyserial_reading_t &x = *r.frame->readings[i];
            out.readings[x.channel] = x;
            if (x.text != nullptr) out.reading_texts[x.channel] = x.text;
        }
    }
    return out;
}

// The simulator(s) on one line as a Device: every unit hears every request.
inline Device line_of(std::vector<Simulator *> sims) {
    return [sims](const std::string &req) {
        std::string out;
        uint64_t now = 0;
        for (Simulator *sim : sims) {
            sim->feed(now, req);
            char buf[4096];
            uint64_t next = 0;
            std::size_t n = 0;
            while ((n = sim->poll_output(now, buf, sizeof buf, next)) > 0)
                out.append(buf, n);
        }
        return out;
    };
}

// A script: exact request -> reply (unknown requests: silence).
inline Device script(std::map<std::string, std::string> replies) {
    return [replies](const std::string &req) {
        const auto it = replies.find(req);
        return it == replies.end() ? std::string() : it->second;
    };
}

inline anyserial_arg_value_t number_arg(double v) {
    anyserial_arg_value_t a{};
    a.struct_size = sizeof a;
    a.value_type = ANYSERIAL_VALUE_NUMBER;
    a.number = v;
    return a;
}
inline anyserial_arg_value_t text_arg(const char *t) {
    anyserial_arg_value_t a{};
    a.struct_size = sizeof a;
    a.value_type = ANYSERIAL_VALUE_TEXT;
    a.text = t;
    return a;
}

}  // namespace test

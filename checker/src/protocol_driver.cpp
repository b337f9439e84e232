// plugin-check: the sans-I/O driver (see protocol_driver.hpp).
#include "protocol_driver.hpp"

#include <anyserial/sdk/cpp/abi.hpp>
#include <cmath>
#include <cstdio>
#include <set>

namespace anyserial::checker {

void Session::reset() {
    if (s != nullptr) {
        step("session->destroy");
        s->vtable->destroy(s);
        s = nullptr;
    }
}

void Simulator::reset() {
    if (s != nullptr) {
        step("simulator->destroy");
        s->vtable->destroy(s);
        s = nullptr;
    }
}

anyserial_protocol_options_t default_options(const char *address) {
    anyserial_protocol_options_t o{};
    o.struct_size = sizeof o;
    o.baudrate = 9600;
    o.address = address;
    o.retries = UINT32_MAX;
    return o;
}

void create_session(Context &ctx, const anyserial_protocol_descriptor_t *d, Session &out,
                    const char *address) {
    out.reset();
    const auto *f = ctx.plugin().protocols;
    const auto o = default_options(address);
    step("protocol factory->create_session(" + quote(d->id) + ")");
    const int32_t st = f->create_session(f, d->id, &o, &out.s);
    if (st != ANYSERIAL_OK || out.s == nullptr) {
        out.s = nullptr;
        throw Failed("create_session(" + quote(d->id) + ") returned " + status_name(st));
    }
    const auto *v = out.s->vtable;
    if (out.s->struct_size < sizeof *out.s || v == nullptr || v->struct_size < sizeof *v ||
        !v->begin || !v->next_transaction || !v->feed || !v->reset_receive || !v->result ||
        !v->channel_count || !v->get_channel || !v->last_error || !v->destroy)
        throw Failed("the session of " + quote(d->id) + " has a short vtable or a NULL function");
}

const anyserial_simulator_ext_t *simulator_ext(Context &ctx,
                                               const anyserial_protocol_descriptor_t *d) {
    const auto *f = ctx.plugin().protocols;
    if (f->get_extension == nullptr) return nullptr;
    step("protocol factory->get_extension(simulator)");
    const auto *x = static_cast<const anyserial_simulator_ext_t *>(
        f->get_extension(f, d->id, ANYSERIAL_EXT_SIMULATOR_ID));
    if (x != nullptr && (x->struct_size < sizeof *x || x->create == nullptr))
        throw Failed("the simulator extension of " + quote(d->id) + " is short or has no create");
    return x;
}

void create_simulator(const anyserial_simulator_ext_t *x, const anyserial_protocol_descriptor_t *d,
                      Simulator &out) {
    out.reset();
    const auto o = default_options();
    step("simulator ext->create(" + quote(d->id) + ")");
    const int32_t st = x->create(x, &o, &out.s);
    if (st != ANYSERIAL_OK || out.s == nullptr) {
        out.s = nullptr;
        throw Failed("the simulator of " + quote(d->id) + " did not create: " + status_name(st));
    }
    const auto *v = out.s->vtable;
    if (v == nullptr || v->struct_size < sizeof *v || !v->feed || !v->poll_output ||
        !v->set_interval || !v->last_error || !v->destroy)
        throw Failed("the simulator of " + quote(d->id) + " has a short vtable");
}

void check_fields(const std::string &what, uint32_t n, const anyserial_field_t *const *fields) {
    if (n > 0 && fields == nullptr) throw Failed(what + ": field_count > 0 but fields NULL");
    for (uint32_t i = 0; i < n; ++i) {
        const auto *f = fields[i];
        if (f == nullptr || f->id == nullptr || f->id[0] == '\0')
            throw Failed(what + ": field #" + std::to_string(i) + " is NULL or has no id");
        if (auto why = sdk::check_prefix(f, "field " + quote(f->id), &anyserial_field_t::unit))
            throw Failed(what + ": " + *why);
        if (f->value_type > ANYSERIAL_VALUE_INTEGER)
            throw Failed(what + ": field " + quote(f->id) + " has an unknown value_type");
        if (f->value_type == ANYSERIAL_VALUE_TEXT && (f->text == nullptr || !valid_utf8(f->text)))
            throw Failed(what + ": TEXT field " + quote(f->id) + " has no valid UTF-8 text");
    }
}

void check_frame(const std::string &what, const anyserial_protocol_descriptor_t *d,
                 const anyserial_frame_t *f) {
    if (f == nullptr) return;
    // As the host reads a frame: through fields; checksum and raw only when present.
    if (auto why = sdk::check_prefix(f, "frame", &anyserial_frame_t::fields))
        throw Failed(what + ": " + *why);
    const uint64_t declared =
        d->flag_count >= 64 ? ~uint64_t{0} : ((uint64_t{1} << d->flag_count) - 1);
    if (f->device_flags & ~declared)
        throw Failed(what + ": device_flags carry bits beyond the " +
                     std::to_string(d->flag_count) + " declared flags");
    if (f->reading_count > 0 && f->readings == nullptr)
        throw Failed(what + ": reading_count > 0 but readings NULL");
    for (uint32_t i = 0; i < f->reading_count; ++i) {
        const auto *r = f->readings[i];
        if (r == nullptr || r->channel == nullptr)
            throw Failed(what + ": reading #" + std::to_string(i) + " is NULL or has no channel");
        // Through flags; the per-frame name and unit only when present.
        if (auto why =
                sdk::check_prefix(r, "reading " + quote(r->channel), &anyserial_reading_t::flags))
            throw Failed(what + ": " + *why);
        if (r->value_type > ANYSERIAL_VALUE_TEXT || r->value_type == ANYSERIAL_VALUE_INTEGER)
            throw Failed(what + ": reading " + quote(r->channel) + " value_type " +
                         std::to_string(r->value_type) + " is not ABSENT, NUMBER or TEXT");
        if (r->value_type == ANYSERIAL_VALUE_TEXT && (r->text == nullptr || !valid_utf8(r->text)))
            throw Failed(what + ": TEXT reading " + quote(r->channel) + " has no valid text");
        if (r->flags & ~declared)
            throw Failed(what + ": reading " + quote(r->channel) +
                         " carries flag bits beyond the declared flags");
    }
    check_fields(what, f->field_count, f->fields);
    if (sdk::has_member(*f, &anyserial_frame_t::raw_len) && f->raw_len > 0 && f->raw == nullptr)
        throw Failed(what + ": raw_len > 0 but raw NULL");
}

namespace {

std::string number(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::string describe_frame(const anyserial_frame_t *f) {
    if (f == nullptr) return "";
    std::string s = " flags=" + std::to_string(f->device_flags);
    for (uint32_t i = 0; i < f->reading_count; ++i) {
        const auto *r = f->readings[i];
        s += " [" + std::string(r->channel) + " t" + std::to_string(r->value_type) + " " +
             (r->value_type == ANYSERIAL_VALUE_NUMBER ? number(r->number)
              : r->value_type == ANYSERIAL_VALUE_TEXT ? std::string(r->text)
                                                      : "") +
             " f" + std::to_string(r->flags) + "]";
    }
    for (uint32_t i = 0; i < f->field_count; ++i) {
        const auto *x = f->fields[i];
        s += " {" + std::string(x->id) + "=" +
             (x->value_type == ANYSERIAL_VALUE_TEXT ? std::string(x->text ? x->text : "")
                                                    : number(x->number)) +
             "}";
    }
    if (!sdk::has_member(*f, &anyserial_frame_t::checksum)) return s;  // an older frame
    return s + (f->has_checksum ? (f->checksum_ok ? " ck" : " CK!") : "");
}

}  // namespace

std::string describe_event(const anyserial_protocol_event_t &ev) {
    static const char *const names[] = {"NEED_MORE", "FRAME", "RESPONSE", "EXCEPTION", "BAD_FRAME"};
    std::string s = ev.type <= 4 ? names[ev.type] : "type " + std::to_string(ev.type);
    if (ev.type == ANYSERIAL_EVENT_BAD_FRAME) s += " reason " + std::to_string(ev.bad_frame_reason);
    if (ev.type == ANYSERIAL_EVENT_EXCEPTION) s += " code " + std::to_string(ev.exception_code);
    if (ev.type == ANYSERIAL_EVENT_FRAME) s += describe_frame(ev.frame);
    return s;
}

void feed_bytes(const std::string &what, Session &s, const std::string &bytes, FeedLog &log,
                bool stop_at_answer) {
    std::size_t pos = 0;
    int idle = 0;
    while (pos < bytes.size()) {
        const auto left = static_cast<uint32_t>(bytes.size() - pos);
        anyserial_protocol_event_t ev{};
        ev.struct_size = sizeof ev;
        uint32_t consumed = 0;
        step("session->feed(" + std::to_string(left) + " bytes)");
        const int32_t st = s->feed(s.s, reinterpret_cast<const uint8_t *>(bytes.data()) + pos, left,
                                   &consumed, &ev);
        if (st != ANYSERIAL_OK)
            throw Failed(what + ": feed returned " + status_name(st) +
                         " (bad input must be a "
                         "BAD_FRAME event): " +
                         quote(session_error(s.s)));
        if (consumed > left)
            throw Failed(what + ": feed consumed " + std::to_string(consumed) + " of " +
                         std::to_string(left) + " bytes given");
        if (ev.type > ANYSERIAL_EVENT_BAD_FRAME)
            throw Failed(what + ": feed reported unknown event type " + std::to_string(ev.type));
        if (ev.type == ANYSERIAL_EVENT_NEED_MORE && consumed != left)
            throw Failed(what + ": feed said NEED_MORE having consumed " +
                         std::to_string(consumed) + " of " + std::to_string(left) +
                         " bytes (the session is stuck)");
        if (ev.type == ANYSERIAL_EVENT_BAD_FRAME &&
            (ev.bad_frame_reason < ANYSERIAL_BAD_FRAME_CHECKSUM ||
             ev.bad_frame_reason > ANYSERIAL_BAD_FRAME_UNEXPECTED))
            throw Failed(what + ": BAD_FRAME with unknown bad_frame_reason " +
                         std::to_string(ev.bad_frame_reason));
        if (ev.type == ANYSERIAL_EVENT_BAD_FRAME && ev.raw_len > 0 && ev.raw == nullptr)
            throw Failed(what + ": BAD_FRAME with raw_len but raw NULL");
        idle = consumed == 0 ? idle + 1 : 0;
        if (idle > 3)
            throw Failed(what + ": feed keeps returning " + describe_event(ev) +
                         " without consuming a byte (the session is stuck)");
        pos += consumed;
        log.consumed += consumed;
        if (ev.type != ANYSERIAL_EVENT_NEED_MORE) {
            log.events.push_back(describe_event(ev));
            log.types.push_back(ev.type);
        }
        if (ev.type == ANYSERIAL_EVENT_RESPONSE || ev.type == ANYSERIAL_EVENT_EXCEPTION) {
            log.answered = true;
            if (stop_at_answer) return;
        }
    }
}

void feed_end(const std::string &what, Session &s, FeedLog &log) {
    anyserial_protocol_event_t ev{};
    ev.struct_size = sizeof ev;
    uint32_t consumed = 0;
    const uint8_t none = 0;
    step("session->feed(0 bytes: the response ended on silence)");
    const int32_t st = s->feed(s.s, &none, 0, &consumed, &ev);
    if (st != ANYSERIAL_OK)
        throw Failed(what + ": feed(len 0) at the end of a silence-ended response returned " +
                     status_name(st));
    if (consumed != 0) throw Failed(what + ": feed(len 0) consumed " + std::to_string(consumed));
    if (ev.type != ANYSERIAL_EVENT_NEED_MORE) {
        log.events.push_back(describe_event(ev));
        log.types.push_back(ev.type);
        log.answered |= ev.type == ANYSERIAL_EVENT_RESPONSE || ev.type == ANYSERIAL_EVENT_EXCEPTION;
    }
}

std::unique_ptr<Request> generic_request(uint32_t op) {
    static const char *const names[] = {"", "PROBE", "READ_FRAME", "IDENTIFY", "READ_STATUS"};
    auto r = std::make_unique<Request>();
    r->req.struct_size = sizeof r->req;
    r->req.op = op;
    r->label = std::string("OP_") + (op <= 4 ? names[op] : "?");
    return r;
}

std::unique_ptr<Request> command_request(const anyserial_command_info_t *c) {
    auto r = std::make_unique<Request>();
    r->req.struct_size = sizeof r->req;
    r->req.op = ANYSERIAL_OP_COMMAND;
    r->req.command = c->id;
    r->label = "command " + quote(c->id);
    r->values.resize(c->arg_count);
    for (uint32_t i = 0; i < c->arg_count; ++i) {
        const auto *a = c->args[i];
        auto &v = r->values[i];
        v.struct_size = sizeof v;
        if (a->optional) {
            v.value_type = ANYSERIAL_VALUE_ABSENT;
        } else if (a->choice_count > 0) {
            v.value_type = ANYSERIAL_VALUE_TEXT;
            v.text = a->choices[0];
            if (a->value_type != ANYSERIAL_VALUE_TEXT) {
                v.value_type = a->value_type;
                v.number = std::atof(a->choices[0]);
            }
        } else if (a->value_type == ANYSERIAL_VALUE_TEXT) {
            v.value_type = ANYSERIAL_VALUE_TEXT;
            v.text = "1";
        } else {
            v.value_type = a->value_type;
            v.number = a->has_range ? a->min : 0.0;
            if (a->value_type == ANYSERIAL_VALUE_INTEGER) v.number = std::ceil(v.number);
        }
    }
    for (auto &v : r->values)
        r->ptrs.push_back(&v);
    r->req.arg_count = c->arg_count;
    r->req.args = r->ptrs.empty() ? nullptr : r->ptrs.data();
    return r;
}

std::vector<std::unique_ptr<Request>> all_requests(const anyserial_protocol_descriptor_t *d) {
    std::vector<std::unique_ptr<Request>> out;
    const std::pair<uint32_t, uint32_t> ops[] = {
        {ANYSERIAL_PCAP_PROBE, ANYSERIAL_OP_PROBE},
        {ANYSERIAL_PCAP_READ_FRAME, ANYSERIAL_OP_READ_FRAME},
        {ANYSERIAL_PCAP_IDENTIFY, ANYSERIAL_OP_IDENTIFY},
        {ANYSERIAL_PCAP_READ_STATUS, ANYSERIAL_OP_READ_STATUS}};
    for (const auto &[cap, op] : ops)
        if (d->capabilities & cap) out.push_back(generic_request(op));
    for (uint32_t i = 0; i < d->command_count; ++i)
        out.push_back(command_request(d->commands[i]));
    return out;
}

namespace {

// What the simulator says from now until `until`, advancing the fake clock to each of its
// next_ns; stops early once `enough` says so.
template <class Enough>
std::string sim_output(Simulator &sim, uint64_t &now, uint64_t until, Enough enough) {
    // enough(output so far, when the simulator speaks next)
    std::string out;
    for (int polls = 0; polls < 10000; ++polls) {
        uint8_t buf[256];
        uint32_t n = 0;
        uint64_t next = UINT64_MAX;
        step("simulator->poll_output");
        const int32_t st = sim->poll_output(sim.s, now, buf, sizeof buf, &n, &next);
        if (st != ANYSERIAL_OK) throw Failed("simulator poll_output returned " + status_name(st));
        if (n > sizeof buf) throw Failed("simulator poll_output reported more than its buffer");
        out.append(reinterpret_cast<char *>(buf), n);
        if (n == sizeof buf) continue;
        if (enough(out, next)) return out;
        if (next == UINT64_MAX || next > until) return out;
        now = std::max(now + 1, next);
    }
    return out;
}

}  // namespace

std::string answer_to(Simulator &sim, const anyserial_transaction_t &tx, uint64_t &now) {
    now += tx.idle_before_ns;
    step("simulator->feed");
    const int32_t st = sim->feed(sim.s, now, tx.data, tx.len);
    if (st != ANYSERIAL_OK) throw Failed("simulator feed returned " + status_name(st));
    const uint64_t limit = now + (tx.response_timeout_ns ? tx.response_timeout_ns : 1000000000u);
    return sim_output(sim, now, limit, [](const std::string &, uint64_t) { return false; });
}

Exchange run_request(const std::string &what, const anyserial_protocol_descriptor_t *d, Session &s,
                     Simulator &sim, const Request &r, uint64_t &now) {
    Exchange ex;
    step("session->begin(" + r.label + ")");
    int32_t st = s->begin(s.s, &r.req);
    if (st != ANYSERIAL_OK)
        throw Failed(what + ": begin returned " + status_name(st) + ": " +
                     quote(session_error(s.s)));
    for (int tx_count = 0;; ++tx_count) {
        if (tx_count > 64) throw Failed(what + ": more than 64 transactions for one operation");
        anyserial_transaction_t tx{};
        tx.struct_size = sizeof tx;
        step("session->next_transaction");
        st = s->next_transaction(s.s, &tx);
        if (st == ANYSERIAL_DONE) break;
        if (st != ANYSERIAL_OK)
            throw Failed(what + ": next_transaction returned " + status_name(st) + ": " +
                         quote(session_error(s.s)));
        if (tx.len == 0 || tx.data == nullptr || tx.len > 65536)
            throw Failed(what + ": a transaction with " + std::to_string(tx.len) + " bytes");
        const std::string sent(reinterpret_cast<const char *>(tx.data), tx.len);
        now += tx.idle_before_ns;
        step("simulator->feed");
        st = sim->feed(sim.s, now, tx.data, tx.len);
        if (st != ANYSERIAL_OK) throw Failed(what + ": simulator feed returned " + status_name(st));
        if (!tx.expects_response) continue;
        const uint64_t limit =
            now + (tx.response_timeout_ns ? tx.response_timeout_ns : 1000000000u);
        FeedLog log;
        std::string answer;
        // Feed what the simulator says as it comes, until the session has an answer.
        sim_output(sim, now, limit, [&](const std::string &out, uint64_t next) {
            if (out.size() > answer.size()) {
                const std::string fresh = out.substr(answer.size());
                answer = out;
                FeedLog part;
                feed_bytes(what, s, fresh, part, true);
                log.types.insert(log.types.end(), part.types.begin(), part.types.end());
                log.events.insert(log.events.end(), part.events.begin(), part.events.end());
            }
            // A response that ends on silence: the line stays quiet long enough.
            const uint64_t quiet = tx.end_on_silence_ns;
            if (log.types.empty() && quiet != 0 && !answer.empty() &&
                (next == UINT64_MAX || next > now + quiet)) {
                now += quiet;
                feed_end(what, s, log);
            }
            return !log.types.empty();
        });
        if (log.types.empty())
            throw Failed(what +
                         ": the plugin's own simulator gave no answer the session accepted "
                         "within the transaction's timeout (" +
                         std::to_string(answer.size()) + " bytes received)");
        const uint32_t t = log.types.back();
        if (t == ANYSERIAL_EVENT_BAD_FRAME || t == ANYSERIAL_EVENT_FRAME)
            throw Failed(what +
                         ": the session rejected its own simulator's answer: " + log.events.back());
        if (t == ANYSERIAL_EVENT_EXCEPTION)
            throw Failed(what + ": the plugin's own simulator refused it: " + log.events.back());
        if (ex.request.empty())
            ex.request = sent, ex.response = answer, ex.end_on_silence = tx.end_on_silence_ns != 0;
    }
    anyserial_protocol_result_t res{};
    res.struct_size = sizeof res;
    step("session->result");
    st = s->result(s.s, &res);
    if (st != ANYSERIAL_OK)
        throw Failed(what + ": result() after DONE returned " + status_name(st));
    if (res.op != r.req.op)
        throw Failed(what + ": result().op is " + std::to_string(res.op) + ", not the request's " +
                     std::to_string(r.req.op));
    anyserial_protocol_event_t fake{};
    fake.type = ANYSERIAL_EVENT_FRAME;
    fake.frame = res.frame;
    check_frame(what + " result", d, res.frame);
    check_fields(what + " result", res.field_count, res.fields);
    ex.result = describe_event(fake);
    for (uint32_t i = 0; i < res.field_count; ++i)
        ex.result += " " + std::string(res.fields[i]->id);
    return ex;
}

std::string broadcast_bytes(const anyserial_protocol_descriptor_t *d, Simulator &sim, int frames,
                            uint64_t &now) {
    const uint64_t interval = d->frame_interval_ns ? d->frame_interval_ns : 1000000000u;
    step("simulator->set_interval");
    const int32_t st = sim->set_interval(sim.s, interval);
    if (st != ANYSERIAL_OK)
        throw Failed("protocol " + quote(d->id) +
                     " is a broadcaster but its simulator's "
                     "set_interval(" +
                     std::to_string(interval) + " ns) returned " + status_name(st) + ": " +
                     quote([&] {
                         char buf[200] = {};
                         sim->last_error(sim.s, buf, sizeof buf);
                         return std::string(buf);
                     }()));
    std::string out =
        sim_output(sim, now, now + interval * static_cast<uint64_t>(frames) + interval / 2,
                   [](const std::string &, uint64_t) { return false; });
    if (out.empty())
        throw Failed("protocol " + quote(d->id) + ": its simulator broadcast nothing over " +
                     std::to_string(frames) + " intervals after set_interval(" +
                     std::to_string(interval) + " ns) (nonzero turns broadcasting on)");
    return out;
}

}  // namespace anyserial::checker

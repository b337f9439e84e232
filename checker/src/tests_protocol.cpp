// plugin-check, group "protocol": the plugin's session against the plugin's own simulator,
// sans-I/O on a fake clock: round trips, split invariance, corruption and resynchronisation,
// addresses.
#include <algorithm>

#include "protocol_driver.hpp"

namespace anyserial::checker {

namespace {

constexpr uint64_t kStart = 1000000000u;

struct Pair {
    const anyserial_protocol_descriptor_t *d;
    const anyserial_simulator_ext_t *x;
};

std::vector<Pair> with_simulators(Context &ctx) {
    std::vector<Pair> out;
    std::string without;
    for (const auto *d : ctx.protocols()) {
        if (const auto *x = simulator_ext(ctx, d))
            out.push_back({d, x});
        else
            without += (without.empty() ? "" : ", ") + quote(d->id);
    }
    if (out.empty())
        throw Skipped("no protocol offers the " ANYSERIAL_EXT_SIMULATOR_ID " extension (" +
                      without + ")");
    return out;
}

// The bytes a split test feeds, and how to put a fresh session in the state to receive them.
struct Stream {
    std::string bytes;
    const Request *request = nullptr;  // request/response: begin + next_transaction first
    std::unique_ptr<Request> owned;
    bool end_on_silence = false;  // the answer ends on silence: feed_end after it
};

Stream capture(Context &ctx, const Pair &p) {
    Stream st;
    Session s;
    Simulator sim;
    create_session(ctx, p.d, s);
    create_simulator(p.x, p.d, sim);
    uint64_t now = kStart;
    if (p.d->traffic == ANYSERIAL_TRAFFIC_BROADCAST) {
        st.bytes = broadcast_bytes(p.d, sim, 3, now);
        if (st.bytes.empty())
            throw Failed("protocol " + quote(p.d->id) + ": the simulator broadcast nothing");
        return st;
    }
    auto reqs = all_requests(p.d);
    const auto it = std::find_if(reqs.begin(), reqs.end(), [](const auto &r) {
        return r->req.op == ANYSERIAL_OP_READ_FRAME;
    });
    if (reqs.empty()) throw Skipped("protocol " + quote(p.d->id) + " declares no operation");
    st.owned = std::move(it != reqs.end() ? *it : reqs.front());
    st.request = st.owned.get();
    const Exchange ex = run_request("protocol " + quote(p.d->id) + " " + st.request->label, p.d, s,
                                    sim, *st.request, now);
    st.bytes = ex.response;
    st.end_on_silence = ex.end_on_silence;
    return st;
}

// A fresh session ready for the stream.
void prepare(Context &ctx, const Pair &p, const Stream &st, Session &s) {
    create_session(ctx, p.d, s);
    if (st.request == nullptr) return;
    s->begin(s.s, &st.request->req);
    anyserial_transaction_t tx{};
    tx.struct_size = sizeof tx;
    if (s->next_transaction(s.s, &tx) != ANYSERIAL_OK)
        throw Failed("protocol " + quote(p.d->id) + ": next_transaction failed on a fresh session");
}

void roundtrip(Context &ctx) {
    for (const auto &p : with_simulators(ctx)) {
        uint32_t unsupported = 0;
        if (p.d->traffic == ANYSERIAL_TRAFFIC_BROADCAST) {
            Session s;
            Simulator sim;
            create_session(ctx, p.d, s);
            create_simulator(p.x, p.d, sim);
            uint64_t now = kStart;
            const std::string bytes = broadcast_bytes(p.d, sim, 3, now);
            FeedLog log;
            const std::string w = "protocol " + quote(p.d->id) + " broadcast";
            feed_bytes(w, s, bytes, log, false);
            if (std::count(log.types.begin(), log.types.end(), ANYSERIAL_EVENT_FRAME) == 0)
                throw Failed(w + ": " + std::to_string(bytes.size()) +
                             " bytes from the simulator gave no FRAME event");
            for (std::size_t i = 0; i < log.types.size(); ++i)
                if (log.types[i] != ANYSERIAL_EVENT_FRAME)
                    throw Failed(w + ": the simulator's own frames gave " + log.events[i]);
        }
        // Every generic operation and command, each on a fresh session and simulator.
        for (const auto &r : all_requests(p.d)) {
            Session s;
            Simulator sim;
            create_session(ctx, p.d, s);
            create_simulator(p.x, p.d, sim);
            uint64_t now = kStart;
            const std::string w = "protocol " + quote(p.d->id) + " " + r->label;
            if (p.d->traffic == ANYSERIAL_TRAFFIC_BROADCAST) {
                step("session->begin(" + r->label + ") on a broadcaster");
                const int32_t st = s->begin(s.s, &r->req);
                if (st == ANYSERIAL_E_NOT_SUPPORTED) continue;  // needs a request channel
            }
            if (r->req.op == ANYSERIAL_OP_COMMAND) {
                // As a device session does: know the device before commanding it; a command
                // the simulated model does not have may then answer NOT_SUPPORTED.
                if (p.d->capabilities & ANYSERIAL_PCAP_IDENTIFY)
                    run_request(w + " (identify first)", p.d, s, sim,
                                *generic_request(ANYSERIAL_OP_IDENTIFY), now);
                step("session->begin(" + r->label + ")");
                if (s->begin(s.s, &r->req) == ANYSERIAL_E_NOT_SUPPORTED) {
                    ++unsupported;
                    continue;
                }
            }
            run_request(w, p.d, s, sim, *r, now);
            // channels known now are well-formed
            const uint32_t n = s->channel_count(s.s);
            for (uint32_t i = 0; i < n && i < 1024; ++i) {
                anyserial_channel_info_t ci{};
                ci.struct_size = sizeof ci;
                if (s->get_channel(s.s, i, &ci) != ANYSERIAL_OK || ci.id == nullptr ||
                    ci.unit == nullptr || !valid_utf8(ci.id) || !valid_utf8(ci.unit))
                    throw Failed(w + ": channel #" + std::to_string(i) +
                                 " of channel_count() has no valid id or unit");
            }
        }
        if (p.d->command_count > 0 && unsupported == p.d->command_count)
            throw Failed("protocol " + quote(p.d->id) +
                         ": every declared command answers "
                         "E_NOT_SUPPORTED against the plugin's own simulator");
    }
}

std::vector<std::size_t> split_points(const std::string &kind, std::size_t len,
                                      std::mt19937_64 &rng) {
    std::vector<std::size_t> sizes;
    if (kind == "1 byte at a time") {
        sizes.assign(len, 1);
    } else if (kind == "prime-sized pieces") {
        static const std::size_t primes[] = {2, 3, 5, 7, 11, 13};
        for (std::size_t pos = 0, i = 0; pos < len; ++i) {
            sizes.push_back(std::min(primes[i % 6], len - pos));
            pos += sizes.back();
        }
    } else {
        for (std::size_t pos = 0; pos < len;) {
            const std::size_t n = std::min<std::size_t>(1 + rng() % 17, len - pos);
            sizes.push_back(n);
            pos += n;
        }
    }
    return sizes;
}

void split_invariance(Context &ctx) {
    for (const auto &p : with_simulators(ctx)) {
        const Stream st = capture(ctx, p);
        const std::string w = "protocol " + quote(p.d->id);
        Session ref;
        prepare(ctx, p, st, ref);
        FeedLog whole;
        feed_bytes(w + " (whole)", ref, st.bytes, whole, false);
        if (st.end_on_silence) feed_end(w + " (whole)", ref, whole);
        if (whole.events.empty())
            throw Failed(w + ": the captured stream gives no event when fed whole");
        std::vector<std::string> kinds = {"1 byte at a time", "prime-sized pieces"};
        for (int i = 0; i < 20; ++i)
            kinds.push_back("random split #" + std::to_string(i + 1));
        for (const auto &kind : kinds) {
            Session s;
            prepare(ctx, p, st, s);
            FeedLog log;
            std::size_t pos = 0;
            for (const std::size_t n : split_points(kind, st.bytes.size(), ctx.rng)) {
                feed_bytes(w + " (" + kind + ")", s, st.bytes.substr(pos, n), log, false);
                pos += n;
            }
            if (st.end_on_silence) feed_end(w + " (" + kind + ")", s, log);
            if (log.events != whole.events) {
                std::string a, b;
                for (const auto &e : whole.events)
                    a += "; " + e;
                for (const auto &e : log.events)
                    b += "; " + e;
                throw Failed(w + ": fed " + kind + " (seed " + std::to_string(ctx.seed) +
                             ") gives different events:" + b.substr(1) + " instead of" +
                             a.substr(1));
            }
        }
    }
}

// Feeds a corrupted stream, then (as the core does before a resend) reset_receive and the
// valid stream: the session must come back with the valid stream's answer.
void corruption(Context &ctx) {
    for (const auto &p : with_simulators(ctx)) {
        const Stream st = capture(ctx, p);
        const std::string w = "protocol " + quote(p.d->id);
        const bool broadcast = st.request == nullptr;
        std::vector<std::pair<std::string, std::string>> cases;
        std::string garbage;
        for (int i = 0; i < 64; ++i)
            garbage += static_cast<char>(ctx.rng() & 0xff);
        cases.push_back({"64 random bytes", garbage});
        cases.push_back(
            {"the first half of a valid answer", st.bytes.substr(0, st.bytes.size() / 2)});
        for (int i = 0; i < 8; ++i) {
            std::string flipped = st.bytes;
            const std::size_t bit = ctx.rng() % (flipped.size() * 8);
            flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
            cases.push_back({"bit " + std::to_string(bit) + " flipped", flipped});
        }
        bool bad_frame_seen = false;
        for (const auto &[label, bytes] : cases) {
            const std::string wc = w + " (" + label + ", seed " + std::to_string(ctx.seed) + ")";
            Session s;
            prepare(ctx, p, st, s);
            FeedLog log;
            feed_bytes(wc, s, bytes, log, !broadcast);
            if (st.end_on_silence && !log.answered) feed_end(wc, s, log);
            bad_frame_seen |=
                std::count(log.types.begin(), log.types.end(), ANYSERIAL_EVENT_BAD_FRAME) > 0;
            if (log.answered) continue;  // e.g. a flip in a protocol without a checksum
            step("session->reset_receive");
            s->reset_receive(s.s);
            FeedLog after;
            feed_bytes(wc, s, st.bytes, after, !broadcast);
            if (st.end_on_silence && !after.answered) feed_end(wc, s, after);
            const bool ok = broadcast ? std::count(after.types.begin(), after.types.end(),
                                                   ANYSERIAL_EVENT_FRAME) > 0
                                      : after.answered;
            if (!ok)
                throw Failed(wc + ": after reset_receive a valid " +
                             (broadcast ? "stream" : "answer") +
                             " was not recognised (the session did not resynchronise)");
        }
        if (!bad_frame_seen)
            throw Failed(w + ": neither 64 random bytes nor 8 bit flips gave a BAD_FRAME event");
    }
}

// The first answer of the first declared operation with a simulator fault on, as events.
FeedLog faulted_answer(Context &ctx, const Pair &p, uint32_t fault, uint32_t param) {
    Session s;
    Simulator sim;
    create_session(ctx, p.d, s);
    create_simulator(p.x, p.d, sim);
    step("simulator->set_fault(" + std::to_string(fault) + ")");
    if (sim->set_fault(sim.s, fault, param) != ANYSERIAL_OK)
        throw Skipped("the simulator of " + quote(p.d->id) + " refuses fault " +
                      std::to_string(fault));
    auto reqs = all_requests(p.d);
    if (reqs.empty()) throw Skipped("protocol " + quote(p.d->id) + " declares no operation");
    const std::string w = "protocol " + quote(p.d->id) + " " + reqs.front()->label;
    step("session->begin(" + reqs.front()->label + ")");
    if (s->begin(s.s, &reqs.front()->req) != ANYSERIAL_OK)
        throw Failed(w + ": begin failed: " + quote(session_error(s.s)));
    anyserial_transaction_t tx{};
    tx.struct_size = sizeof tx;
    step("session->next_transaction");
    if (s->next_transaction(s.s, &tx) != ANYSERIAL_OK)
        throw Failed(w + ": next_transaction failed: " + quote(session_error(s.s)));
    uint64_t now = kStart;
    const std::string bytes = answer_to(sim, tx, now);
    FeedLog log;
    feed_bytes(w, s, bytes, log, true);
    if (!bytes.empty() && log.types.empty() && tx.end_on_silence_ns != 0) feed_end(w, s, log);
    return log;
}

void simulator_faults(Context &ctx) {
    bool tried = false;
    for (const auto &p : with_simulators(ctx)) {
        if (p.d->traffic != ANYSERIAL_TRAFFIC_REQUEST_RESPONSE) continue;
        const std::string w = "protocol " + quote(p.d->id);
        const FeedLog bad = faulted_answer(ctx, p, ANYSERIAL_SIM_FAULT_BAD_CHECKSUM, 0);
        if (std::count(bad.types.begin(), bad.types.end(), ANYSERIAL_EVENT_BAD_FRAME) == 0)
            throw Failed(w + ": with the simulator's BAD_CHECKSUM fault the answer gave " +
                         (bad.events.empty() ? std::string("no event") : bad.events.back()) +
                         ", not BAD_FRAME");
        const FeedLog refused = faulted_answer(ctx, p, ANYSERIAL_SIM_FAULT_EXCEPTION, 2);
        if (std::count(refused.types.begin(), refused.types.end(), ANYSERIAL_EVENT_EXCEPTION) == 0)
            throw Failed(
                w + ": with the simulator's EXCEPTION fault the answer gave " +
                (refused.events.empty() ? std::string("no event") : refused.events.back()) +
                ", not EXCEPTION");
        const FeedLog silent = faulted_answer(ctx, p, ANYSERIAL_SIM_FAULT_SILENCE, 0);
        if (!silent.types.empty())
            throw Failed(w + ": with the simulator silent the session still reported " +
                         silent.events.front());
        tried = true;
    }
    if (!tried) throw Skipped("no request/response protocol with a simulator");
}

void addresses(Context &ctx) {
    bool tried = false;
    for (const auto *d : ctx.protocols()) {
        if (d->address == nullptr || d->address->kind == ANYSERIAL_ADDRESS_NONE) continue;
        const auto *a = d->address;
        const std::string w = "protocol " + quote(d->id);
        {
            Session s;
            create_session(ctx, d, s, a->default_address);
        }
        // ("" is not here: the SDK's parse_address takes it for the default, as NULL)
        std::vector<std::string> bad = {" ", "-1", "1x", "x1", "99999999999999999999"};
        if (a->kind == ANYSERIAL_ADDRESS_INTEGER) {
            if (a->min > 0) bad.push_back(std::to_string(a->min - 1));
            if (a->max < UINT32_MAX) bad.push_back(std::to_string(uint64_t{a->max} + 1));
            bad.push_back("A");
        } else {
            bad.push_back("AB");
            bad.push_back("1");
            if (a->min > 'A') bad.push_back(std::string(1, static_cast<char>(a->min - 1)));
            bad.push_back(std::string(1, static_cast<char>(std::min<uint32_t>(a->max + 1, '['))));
        }
        const auto *f = ctx.plugin().protocols;
        for (const auto &text : bad) {
            const auto o = default_options(text.c_str());
            anyserial_protocol_session_t *s = nullptr;
            step("create_session(address " + quote(text) + ")");
            const int32_t st = f->create_session(f, d->id, &o, &s);
            if (st == ANYSERIAL_OK) {
                if (s != nullptr) s->vtable->destroy(s);
                throw Failed(w + ": create_session accepted address " + quote(text) +
                             " outside its syntax (" + (a->description ? a->description : "") +
                             ")");
            }
            if (st != ANYSERIAL_E_INVALID_ARGUMENT)
                throw Failed(w + ": create_session refused address " + quote(text) + " with " +
                             status_name(st) + ", not E_INVALID_ARGUMENT");
        }
        tried = true;
    }
    if (!tried) throw Skipped("no protocol declares an address syntax");
}

void capabilities(Context &ctx) {
    for (const auto *d : ctx.protocols()) {
        const std::string w = "protocol " + quote(d->id);
        const std::pair<uint32_t, uint32_t> ops[] = {
            {ANYSERIAL_PCAP_PROBE, ANYSERIAL_OP_PROBE},
            {ANYSERIAL_PCAP_READ_FRAME, ANYSERIAL_OP_READ_FRAME},
            {ANYSERIAL_PCAP_IDENTIFY, ANYSERIAL_OP_IDENTIFY},
            {ANYSERIAL_PCAP_READ_STATUS, ANYSERIAL_OP_READ_STATUS}};
        for (const auto &[cap, op] : ops) {
            Session s;
            create_session(ctx, d, s);
            const auto r = generic_request(op);
            step("session->begin(" + r->label + ")");
            const int32_t st = s->begin(s.s, &r->req);
            const bool declared = (d->capabilities & cap) != 0;
            if (declared && st != ANYSERIAL_OK)
                throw Failed(w + " declares " + r->label + " but begin() returned " +
                             status_name(st));
            if (!declared && st != ANYSERIAL_E_NOT_SUPPORTED)
                throw Failed(w + " does not declare " + r->label + " but begin() returned " +
                             status_name(st) + ", not E_NOT_SUPPORTED");
        }
        if (d->probe_kind == ANYSERIAL_PROBE_ACTIVE && !(d->capabilities & ANYSERIAL_PCAP_PROBE))
            throw Failed(w + " probes ACTIVE without declaring PCAP_PROBE");
    }
}

}  // namespace

void add_protocol_tests(std::vector<Test> &out) {
    out.push_back({"protocol.capabilities",
                   "begin() accepts each declared generic operation and answers E_NOT_SUPPORTED "
                   "for each undeclared one",
                   capabilities});
    out.push_back({"protocol.roundtrip",
                   "every declared operation and command round-trips through the session and the "
                   "plugin's own simulator (fake clock)",
                   roundtrip});
    out.push_back({"protocol.split_invariance",
                   "feeding an answer whole, 1 byte at a time, in prime-sized and seeded random "
                   "pieces gives the same events",
                   split_invariance});
    out.push_back({"protocol.corruption",
                   "garbage, truncation and bit flips: feed always progresses, BAD_FRAME is "
                   "reported, the session resynchronises after reset_receive",
                   corruption});
    out.push_back({"protocol.simulator_faults",
                   "the simulator's BAD_CHECKSUM fault gives BAD_FRAME, EXCEPTION gives EXCEPTION, "
                   "SILENCE gives no event (request/response)",
                   simulator_faults});
    out.push_back({"protocol.addresses",
                   "the default address is accepted; addresses outside the declared syntax are "
                   "refused with E_INVALID_ARGUMENT",
                   addresses});
}

}  // namespace anyserial::checker

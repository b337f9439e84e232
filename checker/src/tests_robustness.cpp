// plugin-check, group "robustness": calls in the wrong state, last_error with tiny buffers,
// allocations that outlive create/destroy.
#include <dlfcn.h>
#include <malloc.h>

#include <algorithm>
#include <cstring>

#include "port_plan.hpp"
#include "protocol_driver.hpp"

namespace anyserial::checker {

namespace {

void expect_error(const std::string &what, int32_t st) {
    if (st >= 0) throw Failed(what + " returned " + status_name(st) + ", not an error status");
}

void backend_state(Context &ctx) {
    Plugin &p = ctx.plugin();
    if (p.backends == nullptr) throw Skipped("the plugin provides no backend");
    for (uint32_t i = 0, n = p.backends->count(); i < n && i < 256; ++i) {
        const auto *d = p.backends->get_descriptor(i);
        if (!well_formed(d)) continue;  // descriptors.backend reports it
        Instance inst;
        create_backend(ctx, d, inst);
        const auto *c = inst->control;
        const std::string w = "backend " + quote(d->id) + " (never opened): ";
        auto cfg = default_config();
        uint32_t u = 0;
        step("control->close on a never-opened instance");
        c->close(inst.b);
        step("control calls on a closed instance");
        expect_error(w + "configure", c->configure(inst.b, &cfg, nullptr));
        expect_error(w + "reset_input", c->reset_input(inst.b));
        expect_error(w + "reset_output", c->reset_output(inst.b));
        expect_error(w + "set_break", c->set_break(inst.b, true));
        expect_error(w + "drain_blocking", c->drain_blocking(inst.b));
        expect_error(w + "modem_lines", c->modem_lines(inst.b, &u));
        expect_error(w + "set_control_lines", c->set_control_lines(inst.b, 1, 1));
        expect_error(w + "input_waiting", c->input_waiting(inst.b, &u));
        expect_error(w + "output_waiting", c->output_waiting(inst.b, &u));
        uint8_t buf[8] = {};
        if (const auto *s = inst->sync_fd) {
            if (s->fileno(inst.b) != -1) throw Failed(w + "fileno() is not -1");
            expect_error(w + "read_nonblocking", s->read_nonblocking(inst.b, buf, sizeof buf, &u));
            expect_error(w + "write_nonblocking",
                         s->write_nonblocking(inst.b, buf, sizeof buf, &u));
        }
        if (const auto *a = inst->async_io) {
            static int calls = 0;
            auto done = [](void *, int32_t, uint32_t) { ++calls; };
            step("async_io->start_read on a closed instance");
            expect_error(w + "start_read", a->start_read(inst.b, buf, sizeof buf, done, nullptr));
            expect_error(w + "start_write", a->start_write(inst.b, buf, sizeof buf, done, nullptr));
            if (calls != 0) throw Failed(w + "a refused start_* delivered a completion");
        }
    }
}

// last_error's contract: the full length returned whatever cap is; at most cap - 1 bytes and
// a NUL written (nothing for cap 0); the text is printable UTF-8.
template <class Fn>
void check_last_error(const std::string &w, Fn last_error) {
    char big[1024];
    std::memset(big, 0x5a, sizeof big);
    const uint32_t full = last_error(big, sizeof big);
    const std::size_t written = strnlen(big, sizeof big);
    if (written == sizeof big) throw Failed(w + "last_error(cap 1024) wrote no NUL");
    if (written != std::min<std::size_t>(full, sizeof big - 1))
        throw Failed(w + "last_error returns length " + std::to_string(full) + " but wrote " +
                     std::to_string(written) + " bytes of text into a 1024-byte buffer");
    if (!valid_utf8(std::string_view(big, written)))
        throw Failed(w + "last_error text is not valid UTF-8");
    for (std::size_t i = 0; i < written; ++i)
        if (static_cast<unsigned char>(big[i]) < 0x20 || big[i] == 0x7f)
            throw Failed(w + "last_error text " + quote(std::string_view(big, written)) +
                         " contains a control character (a terminal escape reaches the user)");
    char tiny[4] = {0x5a, 0x5a, 0x5a, 0x5a};
    step("last_error(cap 0)");
    if (last_error(tiny, 0) != full)
        throw Failed(w + "last_error(cap 0) returns a different length than with a big buffer");
    if (tiny[0] != 0x5a) throw Failed(w + "last_error(cap 0) wrote into the buffer");
    step("last_error(cap 1)");
    if (last_error(tiny, 1) != full)
        throw Failed(w + "last_error(cap 1) returns a different length than with a big buffer");
    if (tiny[0] != '\0') throw Failed(w + "last_error(cap 1) did not write just a NUL");
    if (tiny[1] != 0x5a) throw Failed(w + "last_error(cap 1) wrote past its buffer");
}

void last_error(Context &ctx) {
    Plugin &p = ctx.plugin();
    bool any = false;
    if (p.backends != nullptr) {
        for (uint32_t i = 0, n = p.backends->count(); i < n && i < 256; ++i) {
            const auto *d = p.backends->get_descriptor(i);
            if (!well_formed(d)) continue;  // descriptors.backend reports it
            Instance inst;
            create_backend(ctx, d, inst);
            uint32_t u = 0;
            step("provoking an error (input_waiting on a closed instance)");
            inst->control->input_waiting(inst.b, &u);
            check_last_error("backend " + quote(d->id) + ": ", [&](char *buf, uint32_t cap) {
                return inst->control->last_error(inst.b, buf, cap);
            });
            // and once more after a failing read, the path the core reports most
            if (inst->sync_fd != nullptr) {
                uint8_t b[4];
                inst->sync_fd->read_nonblocking(inst.b, b, sizeof b, &u);
                check_last_error("backend " + quote(d->id) + " after a read: ",
                                 [&](char *buf, uint32_t cap) {
                                     return inst->control->last_error(inst.b, buf, cap);
                                 });
            }
            any = true;
        }
    }
    if (p.protocols != nullptr) {
        for (const auto *d : ctx.protocols()) {
            Session s;
            create_session(ctx, d, s);
            anyserial_transaction_t tx{};
            tx.struct_size = sizeof tx;
            step("provoking an error (next_transaction before begin)");
            s->next_transaction(s.s, &tx);
            check_last_error("protocol " + quote(d->id) + ": ",
                             [&](char *buf, uint32_t cap) { return s->last_error(s.s, buf, cap); });
            any = true;
        }
    }
    if (!any) throw Skipped("nothing to create");
}

void session_state(Context &ctx) {
    for (const auto *d : ctx.protocols()) {
        const std::string w = "protocol " + quote(d->id) + ": ";
        Session s;
        create_session(ctx, d, s);
        anyserial_transaction_t tx{};
        tx.struct_size = sizeof tx;
        step("session->next_transaction before begin");
        const int32_t st = s->next_transaction(s.s, &tx);
        if (st == ANYSERIAL_OK || st == ANYSERIAL_DONE)
            throw Failed(w + "next_transaction before any begin() returned " + status_name(st));
        anyserial_protocol_result_t res{};
        res.struct_size = sizeof res;
        step("session->result before begin");
        expect_error(w + "result() before any operation", s->result(s.s, &res));
        anyserial_channel_info_t ci{};
        ci.struct_size = sizeof ci;
        const uint32_t n = s->channel_count(s.s);
        step("session->get_channel(channel_count())");
        expect_error(w + "get_channel(" + std::to_string(n) + ") (out of range)",
                     s->get_channel(s.s, n, &ci));
        for (uint32_t op : {0u, 99u}) {
            auto r = generic_request(op);
            step("session->begin(op " + std::to_string(op) + ")");
            expect_error(w + "begin(op " + std::to_string(op) + ")", s->begin(s.s, &r->req));
        }
        anyserial_command_info_t fake{};
        fake.struct_size = sizeof fake;
        fake.id = "plugin-check.no-such-command";
        auto r = command_request(&fake);
        step("session->begin(an undeclared command)");
        expect_error(w + "begin(an undeclared command)", s->begin(s.s, &r->req));
        uint32_t consumed = 7;
        anyserial_protocol_event_t ev{};
        ev.struct_size = sizeof ev;
        const uint8_t none = 0;
        step("session->feed(0 bytes)");
        const int32_t fs = s->feed(s.s, &none, 0, &consumed, &ev);
        if (fs != ANYSERIAL_OK || consumed != 0 || ev.type != ANYSERIAL_EVENT_NEED_MORE)
            throw Failed(w + "feed of 0 bytes returned " + status_name(fs) + ", consumed " +
                         std::to_string(consumed) + ", event " + describe_event(ev));
        s->reset_receive(s.s);
        s->reset_receive(s.s);
    }
}

void simulator_state(Context &ctx) {
    bool any = false;
    for (const auto *d : ctx.protocols()) {
        const auto *x = simulator_ext(ctx, d);
        if (x == nullptr) continue;
        const std::string w = "the simulator of " + quote(d->id) + ": ";
        Simulator sim;
        create_simulator(x, d, sim);
        anyserial_arg_value_t v{};
        v.struct_size = sizeof v;
        v.value_type = ANYSERIAL_VALUE_NUMBER;
        v.number = 1.0;
        step("simulator->set_reading(an unknown channel)");
        int32_t st = sim->set_reading(sim.s, "plugin-check.no-such-channel", &v, 0);
        if (st != ANYSERIAL_E_NOT_FOUND)
            throw Failed(w + "set_reading of an unknown channel returned " + status_name(st) +
                         ", not E_NOT_FOUND");
        anyserial_field_t f{};
        f.struct_size = sizeof f;
        step("simulator->get_field(an unknown id)");
        st = sim->get_field(sim.s, "plugin-check.no-such-field", &f);
        if (st != ANYSERIAL_E_NOT_FOUND)
            throw Failed(w + "get_field of an unknown id returned " + status_name(st) +
                         ", not E_NOT_FOUND");
        check_last_error(w,
                         [&](char *buf, uint32_t cap) { return sim->last_error(sim.s, buf, cap); });
        uint8_t buf[4];
        uint32_t n = 99;
        uint64_t next = 0;
        step("simulator->poll_output(cap 4) before any request");
        st = sim->poll_output(sim.s, 1, buf, sizeof buf, &n, &next);
        if (st != ANYSERIAL_OK || n > sizeof buf)
            throw Failed(w + "poll_output(cap 4) returned " + status_name(st) + " with n " +
                         std::to_string(n));
        any = true;
    }
    if (!any) throw Skipped("no protocol offers a simulator");
}

size_t in_use() {
    return mallinfo2().uordblks;
}

// Bytes still allocated after `rounds` more calls of fn: measured twice, a leak grows both.
template <class Fn>
void leak_check(const std::string &w, Fn fn) {
    for (int i = 0; i < 10; ++i)
        fn();  // warm-up: caches, first-use statics
    const size_t m0 = in_use();
    for (int i = 0; i < 100; ++i)
        fn();
    const size_t m1 = in_use();
    for (int i = 0; i < 100; ++i)
        fn();
    const size_t m2 = in_use();
    if (m1 > m0 && m2 > m1 && m2 - m1 >= 800)
        throw Failed(w + ": about " + std::to_string((m2 - m0) / 200) +
                     " bytes per create/destroy are never freed (" + std::to_string(m2 - m0) +
                     " bytes over 200 rounds, glibc mallinfo2)");
}

void alloc_leak(Context &ctx) {
    Plugin &p = ctx.plugin();
    if (in_use() == 0)
        throw Skipped(
            "mallinfo2 reports nothing (a sanitizer build): LeakSanitizer "
            "checks at exit instead");
    bool any = false;
    if (p.backends != nullptr) {
        for (uint32_t i = 0, n = p.backends->count(); i < n && i < 256; ++i) {
            const auto *d = p.backends->get_descriptor(i);
            if (!well_formed(d)) continue;  // descriptors.backend reports it
            leak_check("backend " + quote(d->id) + " create/destroy", [&] {
                Instance inst;
                create_backend(ctx, d, inst);
            });
            any = true;
        }
    }
    if (p.protocols != nullptr) {
        for (const auto *d : ctx.protocols()) {
            auto reqs = all_requests(d);
            leak_check("protocol " + quote(d->id) + " create/begin/destroy", [&] {
                Session s;
                create_session(ctx, d, s);
                if (!reqs.empty()) s->begin(s.s, &reqs.front()->req);
            });
            if (const auto *x = simulator_ext(ctx, d))
                leak_check("simulator of " + quote(d->id) + " create/destroy", [&] {
                    Simulator sim;
                    create_simulator(x, d, sim);
                });
            any = true;
        }
    }
    if (!any) throw Skipped("nothing to create");
}

}  // namespace

void add_robustness_tests(std::vector<Test> &out) {
    out.push_back({"robustness.backend_state",
                   "every control and I/O call on a never-opened instance returns an error status; "
                   "a refused start_* delivers no completion",
                   backend_state});
    out.push_back({"robustness.session_state",
                   "next_transaction/result before begin, get_channel out of range, unknown ops "
                   "and commands are errors; feed(0) is harmless",
                   session_state});
    out.push_back({"robustness.simulator_state",
                   "a simulator answers E_NOT_FOUND for an unknown channel or field, keeps "
                   "last_error's contract, never reports more output than its buffer",
                   simulator_state});
    out.push_back({"robustness.last_error",
                   "last_error returns the full length with 0-, 1- and 1024-byte buffers, writes "
                   "within cap, printable UTF-8",
                   last_error});
    out.push_back({"robustness.alloc_leak",
                   "no heap growth across 200 create/destroy rounds of every backend, session and "
                   "simulator (mallinfo2 in the child)",
                   alloc_leak});
}

}  // namespace anyserial::checker

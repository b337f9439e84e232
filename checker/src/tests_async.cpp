// plugin-check, group "backend.async": the async-completion kind's one completion per
// started operation, also after cancel and close, none after destroy. Completions may come
// on any thread: the counter below is thread-safe, as the core's marshalling is.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "port_plan.hpp"

namespace anyserial::checker {

namespace {

struct Completions {
    std::mutex m;
    std::condition_variable cv;
    int count = 0;
    int32_t status = 0;
    uint32_t transferred = 0;
    uint32_t asked = 0;
    bool over = false;  // reported more than asked

    static void done(void *user, int32_t status, uint32_t transferred) {
        auto *c = static_cast<Completions *>(user);
        std::lock_guard lock(c->m);
        ++c->count;
        c->status = status;
        c->transferred = transferred;
        if (transferred > c->asked) c->over = true;
        c->cv.notify_all();
    }
    void expect(uint32_t len) {
        std::lock_guard lock(m);
        count = 0, over = false, asked = len;
    }
    int wait_for_one(std::chrono::milliseconds limit) {
        std::unique_lock lock(m);
        cv.wait_for(lock, limit, [&] { return count > 0; });
        return count;
    }
    int now() {
        std::lock_guard lock(m);
        return count;
    }
};

// A second completion, if the plugin sends one, comes soon: look for it briefly (the tool's
// own bound, not a synchronisation).
void no_second(const std::string &what, Completions &c) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (c.now() > 1)
        throw Failed(what + " completed " + std::to_string(c.now()) + " times, not once");
}

void check_one(const std::string &what, Completions &c, bool cancelled_ok) {
    if (c.wait_for_one(std::chrono::seconds(2)) == 0)
        throw Failed(what + ": no completion within 2 s");
    no_second(what, c);
    std::lock_guard lock(c.m);
    if (c.over)
        throw Failed(what + " completed with transferred " + std::to_string(c.transferred) +
                     " for a " + std::to_string(c.asked) + "-byte buffer");
    if (c.status == ANYSERIAL_OK && c.transferred == 0)
        throw Failed(what + " completed OK with 0 bytes transferred");
    if (c.status == ANYSERIAL_E_CANCELLED && !cancelled_ok)
        throw Failed(what + " completed CANCELLED without a cancel");
}

void completions(Context &ctx) {
    for (const auto *d : ctx.backends(ANYSERIAL_BACKEND_KIND_ASYNC_COMPLETION)) {
        auto plan = plan_port(ctx, d);
        if (!plan->why_not.empty()) throw Skipped("backend " + quote(d->id) + ": " + plan->why_not);
        const std::string w = "backend " + quote(d->id);
        Instance inst;
        create_backend(ctx, d, inst);
        open_backend(inst, plan->path);
        const auto *io = inst->async_io;
        if (io == nullptr) throw Skipped("no async_io table (see descriptors.backend_tables)");
        Completions c;
        uint8_t rbuf[64];

        // a write of a few bytes completes once, with at most what was asked
        const uint8_t msg[] = {'p', 'i', 'n', 'g'};
        c.expect(sizeof msg);
        step("async_io->start_write(4 bytes)");
        int32_t st = io->start_write(inst.b, msg, sizeof msg, Completions::done, &c);
        if (st != ANYSERIAL_OK) throw Failed(w + ": start_write returned " + status_name(st));
        check_one(w + ": start_write", c, false);

        // a read that nothing answers, then cancel: exactly one completion
        c.expect(sizeof rbuf);
        step("async_io->start_read then cancel(READ)");
        st = io->start_read(inst.b, rbuf, sizeof rbuf, Completions::done, &c);
        if (st != ANYSERIAL_OK) throw Failed(w + ": start_read returned " + status_name(st));
        io->cancel(inst.b, ANYSERIAL_DIRECTION_READ);
        check_one(w + ": a cancelled start_read", c, true);
        step("async_io->cancel with nothing outstanding");
        st = io->cancel(inst.b, ANYSERIAL_DIRECTION_READ | ANYSERIAL_DIRECTION_WRITE);
        if (st != ANYSERIAL_OK)
            throw Failed(w + ": cancel with nothing outstanding returned " + status_name(st));

        // a read outstanding at close(): its completion is delivered before close returns
        c.expect(sizeof rbuf);
        step("async_io->start_read then control->close");
        st = io->start_read(inst.b, rbuf, sizeof rbuf, Completions::done, &c);
        if (st != ANYSERIAL_OK) throw Failed(w + ": start_read returned " + status_name(st));
        inst->control->close(inst.b);
        const int at_close = c.now();
        if (at_close == 0) {
            if (c.wait_for_one(std::chrono::seconds(2)) > 0)
                throw Failed(w +
                             ": the completion of a read outstanding at close() came after "
                             "close() returned");
            throw Failed(w + ": a read outstanding at close() never completed");
        }
        check_one(w + ": a read outstanding at close()", c, true);

        // after destroy returns, nothing more
        open_backend(inst, plan->path);
        c.expect(sizeof rbuf);
        step("async_io->start_read then destroy");
        st = io->start_read(inst.b, rbuf, sizeof rbuf, Completions::done, &c);
        if (st != ANYSERIAL_OK) throw Failed(w + ": start_read returned " + status_name(st));
        inst.reset();
        const int at_destroy = c.now();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (c.now() != at_destroy)
            throw Failed(w + ": a completion arrived after destroy() returned");
        if (at_destroy != 1)
            throw Failed(w + ": a read outstanding at destroy() completed " +
                         std::to_string(at_destroy) + " times before destroy returned, not once");
    }
}

}  // namespace

void add_async_tests(std::vector<Test> &out) {
    out.push_back({"backend.async.completions",
                   "one completion per started operation (write, cancelled read, read at close), "
                   "never more than asked, none after destroy",
                   completions});
}

}  // namespace anyserial::checker

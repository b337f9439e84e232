// plugin-check: a small sans-I/O transaction driver that wires a protocol session to the
// plugin's own simulator with a fake clock, and the feed loop every protocol test uses.
#pragma once

#include <anyserial/sdk/ext/simulator.h>

#include <memory>
#include <string>
#include <vector>

#include "check.hpp"

namespace anyserial::checker {

struct Session {
    anyserial_protocol_session_t *s = nullptr;
    Session() = default;
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;
    ~Session() { reset(); }
    void reset();
    const anyserial_protocol_session_vtable_t *operator->() const { return s->vtable; }
};

struct Simulator {
    anyserial_simulator_t *s = nullptr;
    Simulator() = default;
    Simulator(const Simulator &) = delete;
    Simulator &operator=(const Simulator &) = delete;
    ~Simulator() { reset(); }
    void reset();
    const anyserial_simulator_vtable_t *operator->() const { return s->vtable; }
};

anyserial_protocol_options_t default_options(const char *address = nullptr);

// create_session or Failed.
void create_session(Context &ctx, const anyserial_protocol_descriptor_t *d, Session &out,
                    const char *address = nullptr);
// The simulator extension of a protocol, NULL when it has none.
const anyserial_simulator_ext_t *simulator_ext(Context &ctx,
                                               const anyserial_protocol_descriptor_t *d);
void create_simulator(const anyserial_simulator_ext_t *x, const anyserial_protocol_descriptor_t *d,
                      Simulator &out);

// One event as text, for comparing splits: type, reason code, the frame's content.
std::string describe_event(const anyserial_protocol_event_t &ev);
// Checks a frame against the protocol's declarations; Failed naming the fault.
void check_frame(const std::string &what, const anyserial_protocol_descriptor_t *d,
                 const anyserial_frame_t *f);
void check_fields(const std::string &what, uint32_t n, const anyserial_field_t *const *fields);

// Feeds bytes until all are consumed (or, with stop_at_answer, until RESPONSE / EXCEPTION),
// checking the contract of each call: consumed <= len, NEED_MORE consumes everything, no
// endless zero-progress events. Events are appended as text; raw copies in `types`.
struct FeedLog {
    std::vector<std::string> events;
    std::vector<uint32_t> types;
    std::size_t consumed = 0;
    bool answered = false;  // RESPONSE or EXCEPTION seen
};
void feed_bytes(const std::string &what, Session &s, const std::string &bytes, FeedLog &log,
                bool stop_at_answer);
// feed() with len 0: the end of a response that ends on silence (end_on_silence_ns).
void feed_end(const std::string &what, Session &s, FeedLog &log);

// A request with valid arguments built from the command's declaration.
struct Request {
    anyserial_protocol_request_t req{};
    std::vector<anyserial_arg_value_t> values;
    std::vector<const anyserial_arg_value_t *> ptrs;
    std::string label;
};
std::unique_ptr<Request> generic_request(uint32_t op);
std::unique_ptr<Request> command_request(const anyserial_command_info_t *c);
// Every generic operation the protocol declares (PCAP bits) and every declared command.
std::vector<std::unique_ptr<Request>> all_requests(const anyserial_protocol_descriptor_t *d);

// Runs one request from begin() to result() with the simulator answering on a fake clock.
struct Exchange {
    std::string request;          // bytes of the first transaction that expects an answer
    std::string response;         // the simulator's complete answer to it
    std::string result;           // the result as text
    bool end_on_silence = false;  // that answer ends on silence (feed_end after it)
};
Exchange run_request(const std::string &what, const anyserial_protocol_descriptor_t *d, Session &s,
                     Simulator &sim, const Request &r, uint64_t &now_ns);

// Everything the simulator says to one transaction within its response timeout.
std::string answer_to(Simulator &sim, const anyserial_transaction_t &tx, uint64_t &now);

// Broadcast: what the simulator sends over `frames` intervals.
std::string broadcast_bytes(const anyserial_protocol_descriptor_t *d, Simulator &sim, int frames,
                            uint64_t &now_ns);

}  // namespace anyserial::checker

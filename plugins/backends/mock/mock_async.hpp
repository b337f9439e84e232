// mock-async://NAME/a|b — the async-completion mock over the same pairs.
//
// One worker thread per open instance (started by open, joined by close) waits with poll()
// on the end's socket and a wake pipe, performs the I/O and calls the completions on that
// thread. Rules kept:
//  - a start_* that returns OK gets exactly one completion: OK with bytes, CANCELLED after
//    cancel() or close(), DISCONNECTED on EOF or the disconnect fault, another error status
//    if the socket fails. A start_* that fails (CLOSED, BUSY when one is already
//    outstanding, DISCONNECTED after the fault) gets none.
//  - cancel racing a completion: the worker alone completes, under the state lock, so the
//    operation ends once, either with its data or with CANCELLED.
//  - close() returns after every outstanding completion was delivered. Called from inside
//    a completion (on the worker), it delivers the others inline and lets the worker end.
//  - added latency delays each write (its delivery and its completion) by the latency.
#pragma once

#include <memory>
#include <thread>

#include "mock_base.hpp"

namespace anyserial::mock {

struct AsyncCore;

class MockAsyncBackend final : public MockBase {
  public:
    static const anyserial_backend_descriptor_t &describe() noexcept;

    MockAsyncBackend() : MockBase("mock-async") {}
    ~MockAsyncBackend() override;

    void start_read(std::span<uint8_t> buf, sdk::Completion done) override;
    void start_write(std::span<const uint8_t> data, sdk::Completion done) override;
    void cancel(uint32_t directions) override;

  private:
    void on_opened() override;
    void on_closing() noexcept override;
    void on_disconnect() noexcept override;
    void on_latency_changed() override;
    void reap_worker() noexcept;

    std::shared_ptr<AsyncCore> core_;
    std::thread worker_;
};

}  // namespace anyserial::mock
